"""The shipped model on the seed articles (the acceptance of the tagger and normaliser issues)."""

from __future__ import annotations

import json

import pytest

from coder.pipeline import default_model_path

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (default_model_path() / "model.safetensors").is_file(), reason="no shipped model")]


@pytest.fixture(scope="module")
def seed_records(tmp_path_factory, seeds_dir_module):
    from coder.batch import code_files, manifest_path

    out = tmp_path_factory.mktemp("seeds") / "out.jsonl"
    code_files([str(seeds_dir_module)], out, progress=False)
    manifest = [json.loads(line) for line in manifest_path(out).read_text().splitlines()]
    return [json.loads(line) for line in out.read_text().splitlines()], manifest


@pytest.fixture(scope="module")
def seeds_dir_module():
    from conftest import ROOT

    return ROOT / "seeds"


def test_seed_bombing_and_ambush_are_found_and_coded(seed_records):
    records, manifest = seed_records
    assert {m["article_id"] for m in manifest} == {"000_31835609f0aae250", "002_4e578edd4d821a1f"}
    second = [r for r in records if r["article_id"] == "002_4e578edd4d821a1f"]
    # the trigger is the attack verb ("a bomb [exploded]") or the weapon, depending on the sentence
    bomb = [r for r in second if "general and four soldiers" in r["evidence"]["sentence"]
            and ("bomb" in r["evidence"]["trigger"] or "explo" in r["evidence"]["trigger"])]
    assert bomb, "the bombing that killed a general and four soldiers is found"
    b = bomb[0]
    assert b["sub_event_type"] == "Remote explosive/landmine/IED"
    assert b["fatalities"] == 5
    assert (b["location"]["country"], b["location"]["admin1"]) == ("SYR", "Deir ez-Zor")
    assert b["actor2"]["cameo_code"] == "SYRMIL"
    ambush = [r for r in second if r["evidence"]["trigger"] == "ambush" and r["fatalities"] == 13]
    assert ambush, "the ambush that killed 13 pro-regime fighters is found"
    assert ambush[0]["actor1"]["name"] == "Islamic State"


def test_nothing_is_coded_from_the_french_paywall_notice(seed_records):
    records, _ = seed_records
    from conftest import ROOT

    text = (ROOT / "seeds" / "000_31835609f0aae250.txt").read_text(encoding="utf-8")
    paywall = text.index("You have 48.86% of this article left to read")
    assert all(r["evidence"]["start"] < paywall for r in records if r["article_id"] == "000_31835609f0aae250")
