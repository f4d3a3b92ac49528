"""Reliability: long inputs, fuzzed inputs, kills at random points, full disks, no network, bad models."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch
from conftest import write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.batch import code_files, manifest_path
from coder.errors import ModelError, OutputError
from coder.ingest import article_from_dict
from coder.normalise.actors import normalise_actor
from coder.normalise.dates import resolve_date
from coder.normalise.fatalities import parse_fatalities
from coder.normalise.locations import resolve_location
from coder.segment import split_sentences
from coder.tagger.hf import HFTagger, load_tagger


class _KeywordModel(torch.nn.Module):
    """Stands in for the network: token ``marker`` is a trigger, everything else O."""

    def __init__(self, config, marker: int) -> None:
        super().__init__()
        self.config = config
        self.marker = marker

    def forward(self, input_ids, attention_mask):
        n_lab = len(self.config.id2label)
        span = torch.zeros((*input_ids.shape, n_lab))
        span[..., 0] = 5.0
        hit = input_ids == self.marker
        span[hit, 0] = 0.0
        span[hit, 1] = 5.0  # B-TRIGGER
        cls = torch.zeros((*input_ids.shape, len(self.config.coder_event_classes)))
        cls[..., 0] = 3.0
        mod = torch.zeros((*input_ids.shape, len(self.config.coder_modalities)))
        return {"span_logits": span, "class_logits": cls, "modality_logits": mod}


def test_event_in_the_middle_of_a_50000_word_sentence_is_found_once(tiny_model_dir):
    real = load_tagger(tiny_model_dir)
    marker = real.tokenizer.token_to_id("attack")
    tagger = HFTagger(_KeywordModel(real.model.config, marker), real.tokenizer, "kw", window=128, stride=32)
    words = ["soldiers"] * 50_000
    words[25_000] = "attack"
    text = " ".join(words)
    [spans] = tagger.tag([text])
    assert [(text[s.start:s.end], s.label) for s in spans] == [("attack", "TRIGGER")]
    assert spans[0].start == text.index("attack")


def test_long_article_event_in_the_middle_found_exactly_once(fake_coder):
    filler = "The weather was mild and markets were calm that day. " * 5000  # 50,000 words
    text = filler + "Gunmen killed five villagers in Zamfara on Sunday. " + filler
    recs = fake_coder.code(text, date="2024-03-31")
    assert len(recs) == 1 and recs[0].evidence.trigger == "killed"
    assert text[recs[0].evidence.start:recs[0].evidence.end] == "killed"


_texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", "   ", "\n\n\t", "<p>Gunmen killed <b>five</b> villagers</p>", "\u202eRTL \u05e9\u05dc\u05d5\u05dd",
                     "Des hommes armés ont tué sept civils. Gunmen killed five villagers.", "\x00\x01\x02 control",
                     "killed killed killed " * 50, "99999999999999999999 soldiers were killed on 31/02/2024"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_texts, date=st.one_of(st.none(), st.sampled_from(["2024-03-31", "not a date", "1900-01-01", "2999-12-31"])),
       lang=st.sampled_from([None, "en", "fr", "de", "xx"]))
def test_fuzz_pipeline_never_raises_and_accounts_for_every_article(fake_coder, text, date, lang):
    item = article_from_dict({"id": "x", "text": text, "date": date, "lang": lang}, "x")
    [res] = list(fake_coder.code_results([item]))
    assert res.status in ("coded", "no_event", "error")
    if res.status == "error":
        assert res.error and res.error[0] == "E"
    for r in res.records:
        assert 0 <= r.evidence.start < r.evidence.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["en", "fr"]))
def test_fuzz_normaliser_families_never_raise(text, lang):
    resolve_date(text, "2024-03-31", lang)
    parse_fatalities(text, lang)
    normalise_actor(text, lang, "SYR")
    resolve_location(text, lang, "SYR")
    for a, b in split_sentences(text, lang):
        assert 0 <= a < b <= len(text)


def test_megabyte_single_line_article(fake_coder):
    text = ("the army said that " * 60_000)[:1_050_000]
    item = article_from_dict({"id": "big", "text": text}, "big")
    assert item.error and item.error.startswith("E105")
    [res] = list(fake_coder.code_results([article_from_dict({"id": "ok", "text": text[:999_000]}, "ok")]))
    assert res.status in ("no_event", "coded")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "coder.cli", *args]


@pytest.mark.slow
def test_resume_after_kills_at_five_random_points(tmp_path, tiny_model_dir):
    rows = [{"id": f"a{i:04d}", "text": f"Gunmen killed {i % 9 + 1} villagers in Zamfara on Sunday.", "date": "2024-03-31"}
            for i in range(900)]
    path = write_jsonl(tmp_path / "dump.jsonl", rows)
    ref = tmp_path / "ref.jsonl"
    args = ["--model", str(tiny_model_dir), "--all-modalities"]
    subprocess.run(_cli("code", str(path), "-o", str(ref), *args), check=True, capture_output=True)
    out = tmp_path / "run.jsonl"
    manifest = manifest_path(out)
    rng = random.Random(7)
    kills = 0
    for attempt in range(5):
        extra = ["--resume"] if attempt else []
        proc = subprocess.Popen(_cli("code", str(path), "-o", str(out), *args, *extra),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start_lines = len(manifest.read_text().splitlines()) if manifest.exists() else 0
        target = start_lines + rng.randint(20, 120)
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            n = len(manifest.read_text().splitlines()) if manifest.exists() else 0
            if n >= target:
                break
            time.sleep(rng.uniform(0.0, 0.05))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills == 5
    subprocess.run(_cli("code", str(path), "-o", str(out), *args, "--resume"), check=True, capture_output=True)
    assert out.read_bytes() == ref.read_bytes()
    assert manifest.read_bytes() == manifest_path(ref).read_bytes()


def test_disk_full_gives_a_clear_error_and_no_half_written_line(tmp_path, fake_coder, monkeypatch):
    path = write_jsonl(tmp_path / "d.jsonl", [{"id": f"a{i}", "text": "Gunmen killed five villagers in Zamfara."}
                                              for i in range(50)])
    out = tmp_path / "o.jsonl"
    import builtins

    real_open = builtins.open

    class Full:
        def __init__(self, fh):
            self.fh, self.n = fh, 0

        def write(self, s):
            self.n += 1
            if self.n > 20:
                raise OSError(28, "No space left on device")
            return self.fh.write(s)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def fake_open(file, mode="r", *a, **k):
        fh = real_open(file, mode, *a, **k)
        return Full(fh) if str(file).endswith(".partial.jsonl") and "a" in mode else fh

    monkeypatch.setattr("coder.batch.open", fake_open, raising=False)
    with pytest.raises(OutputError, match="E202"):
        code_files([str(path)], out, coder=fake_coder, progress=False)
    assert not out.exists()
    for line in (tmp_path / "o.jsonl.partial.jsonl").read_text().splitlines():
        json.loads(line)
    monkeypatch.undo()
    code_files([str(path)], out, coder=fake_coder, progress=False, resume=True)
    assert len(manifest_path(out).read_text().splitlines()) == 50


def test_no_network_needed_end_to_end(tmp_path, tiny_model_dir, monkeypatch):
    def refuse(*a, **k):
        raise OSError("network is disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from typer.testing import CliRunner

    from coder.cli import app

    path = write_jsonl(tmp_path / "d.jsonl", [{"id": "a", "text": "Gunmen killed five villagers in Zamfara on Sunday."}])
    res = CliRunner().invoke(app, ["code", str(path), "-o", str(tmp_path / "o.jsonl"), "--model", str(tiny_model_dir)])
    assert res.exit_code == 0, res.output
    assert json.loads(manifest_path(tmp_path / "o.jsonl").read_text())["status"] in ("coded", "no_event")


def test_corrupt_truncated_or_pickled_model_is_refused_clearly(tmp_path, tiny_model_dir):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, bad)
    data = (bad / "model.safetensors").read_bytes()
    (bad / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="E302"):
        load_tagger(bad)
    pick = tmp_path / "pick"
    shutil.copytree(tiny_model_dir, pick)
    (pick / "pytorch_model.bin").write_bytes(b"\x80\x04not really")
    with pytest.raises(ModelError, match="E303"):
        load_tagger(pick)
    with pytest.raises(ModelError, match="E301"):
        load_tagger(tmp_path / "missing")
    (bad / "model.safetensors").write_bytes(data)
    (bad / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="E302"):
        load_tagger(bad)
