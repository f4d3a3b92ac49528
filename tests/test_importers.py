"""Importers of annotation-tool exports into gold articles, each on a small invented fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.errors import InputError
from coder.evaluate import load_gold
from coder.evaluate.convert import main as convert_main
from coder.evaluate.importers import LabelMapper, import_gold, parse_label_map

FIX = Path(__file__).parent / "fixtures" / "importers"


def spans_of(doc: dict) -> list[tuple[str, str]]:
    return [(s["label"], doc["text"][s["start"] : s["end"]]) for s in doc["spans"]]


def test_label_studio_maps_default_labels_and_keeps_first_completed_annotation():
    docs, dropped = import_gold(FIX / "label_studio.json", "label-studio")
    by_id = {d["id"]: d for d in docs}
    assert set(by_id) == {"ls-en-1", "12", "ls-en-calm"}
    en = by_id["ls-en-1"]
    assert en["lang"] == "en" and en["date"] == "2024-03-12"
    assert spans_of(en) == [("ACTOR1", "Gunmen"), ("TRIGGER", "killed"), ("FATALITIES", "five villagers"),
                            ("LOCATION", "Zamfara"), ("TIME", "on Sunday")]
    assert dropped == {"Source_Agency": 1}
    (event,) = en["events"]
    assert event["evidence"] == {"start": 7, "end": 13, "trigger": "killed"}
    assert event["event_class"] == "attack_civilians" and event["sub_event_type"] == "Attack"
    assert spans_of(by_id["12"])[1] == ("TRIGGER", "tué")
    assert by_id["ls-en-calm"]["events"] == []  # annotated, no trigger: a no-event article


def test_prodigy_skips_rejected_and_repeated_inputs():
    docs, _ = import_gold(FIX / "prodigy.jsonl", "prodigy")
    assert [d["id"] for d in docs] == ["pg-en-1", "pg-fr-1"]
    assert spans_of(docs[0])[2:] == [("FATALITIES", "five villagers"), ("LOCATION", "Zamfara"), ("TIME", "on Sunday")]
    assert docs[1]["lang"] == "fr" and docs[1]["events"][0]["evidence"]["trigger"] == "tué"


def test_doccano_reads_label_lists_and_entities_with_a_class_valued_label_map():
    docs, dropped = import_gold(FIX / "doccano.jsonl", "doccano", label_map='{"Attack": "attack_civilians"}')
    assert not dropped
    assert spans_of(docs[0]) == [("ACTOR1", "Gunmen"), ("TRIGGER", "killed"), ("ACTOR2", "five villagers"), ("LOCATION", "Zamfara")]
    assert spans_of(docs[1]) == [("TRIGGER", "tué"), ("LOCATION", "Kidal")]
    assert {e["cameo_root"] for d in docs for e in d["events"]} == {"18"}


def test_doccano_without_label_map_drops_unknown_labels_and_has_no_events():
    docs, dropped = import_gold(FIX / "doccano.jsonl", "doccano")
    assert dropped == {"Attack": 2}
    assert all("events" not in d for d in docs)  # no trigger anywhere: not scored at record level


def test_brat_events_arguments_modality_and_discontinuous_spans():
    docs, dropped = import_gold(FIX / "brat", "brat", label_map={"Shelling": "shelling", "Ambush": "armed_clash"}, lang="en")
    assert not dropped
    first, second = docs
    assert first["id"] == "doc-en-1" and first["lang"] == "en"
    assert spans_of(first) == [("ACTOR1", "Gunmen"), ("TRIGGER", "killed"), ("ACTOR2", "five villagers"),
                               ("LOCATION", "Zamfara"), ("TIME", "on Sunday")]
    assert first["events"][0]["actor1"] == {"text": "Gunmen"}
    shell, ambush = second["events"]
    assert shell["modality"] == "negated" and shell["sub_event_type"] == "Shelling/artillery/missile attack"
    assert ambush["event_class"] == "armed_clash" and ambush["actor2"] == {"text": "a convoy"}
    assert ("ACTOR2", "a convoy") in spans_of(second)  # discontinuous fragments joined
    assert "modality" not in ambush


def test_conll_documents_iob1_start_and_text_rebuilt_from_tokens():
    docs, _ = import_gold(FIX / "sample.conll", "conll")
    assert [d["id"] for d in docs] == ["sample-1", "sample-2"]
    assert docs[0]["text"].split("\n") == ["Gunmen killed five villagers in Zamfara on Sunday , police said .",
                                           "The attack was not claimed ."]
    assert ("LOCATION", "Zamfara") in spans_of(docs[0])
    assert ("TRIGGER", "attack") in spans_of(docs[0])  # I- without B- starts a span
    assert [e["evidence"]["trigger"] for e in docs[0]["events"]] == ["killed", "attack"]
    assert spans_of(docs[1])[0] == ("ACTOR1", "Des hommes armés")


def test_conll_without_docstart_makes_one_document_per_sentence(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("Rebels B-A1\nattacked B-EVENT\n\nCalm O\nday O\n", encoding="utf-8")
    docs, _ = import_gold(path, "conll")
    assert [d["id"] for d in docs] == ["x-1", "x-2"]
    assert docs[1]["events"] == []


def test_conll_rejects_a_line_without_a_tag(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("Rebels B-ACTOR1\nattacked\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.conll:2"):
        import_gold(path, "conll")


def test_label_map_from_file_overrides_defaults_and_null_drops(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"loc": None, "Perp": "ACTOR1"}), encoding="utf-8")
    mapper = LabelMapper(parse_label_map(str(path)))
    assert mapper.map("LOC") == (None, None)
    assert mapper.map("perp") == ("ACTOR1", None)
    assert mapper.map("Trigger") == ("TRIGGER", None)
    assert mapper.dropped == {"LOC": 1}


def test_label_map_rejects_unknown_targets_and_bad_json():
    with pytest.raises(InputError, match="E109"):
        LabelMapper({"X": "WEAPON"})
    with pytest.raises(InputError, match="E109"):
        parse_label_map("{not json")


def test_span_offsets_outside_the_text_are_an_error(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"text": "short", "spans": [{"start": 0, "end": 50, "label": "LOC"}]}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="outside the text"):
        import_gold(path, "prodigy")


def test_imported_gold_loads_as_gold_articles_and_converts_from_the_shell(tmp_path):
    articles, _ = load_gold(FIX / "sample.conll", "conll", lang="en")
    assert [a.lang for a in articles] == ["en", "en"] and articles[0].spans
    out = tmp_path / "gold.jsonl"
    assert convert_main(["import", "label-studio", str(FIX / "label_studio.json"), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 and rows[0]["spans"][0] == {"start": 0, "end": 6, "label": "ACTOR1"}


def test_our_gold_format_accepts_a_label_map_for_its_spans(tmp_path):
    text = "Rebels attacked Gao."
    row = {"id": "a", "text": text, "events": [],
           "spans": [{"start": 0, "end": 6, "label": "Who"}, {"start": 7, "end": 15, "label": "TRIGGER"},
                     {"start": 16, "end": 19, "label": "Where"}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (art,), dropped = load_gold(path, "ours", label_map={"Where": "LOCATION"})
    assert art.spans == [(7, 15, "TRIGGER"), (16, 19, "LOCATION")]
    assert dropped == {"Who": 1}
    with pytest.raises(InputError, match="label 'Who'"):
        load_gold(path, "ours")
