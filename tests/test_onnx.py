"""The ONNX Runtime backend: same spans as PyTorch (fp32), int8 flips only near-ties, safe cached exports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_jsonl
from tiny import build_tiny_model

from coder.batch import code_files, manifest_path
from coder.errors import ModelError
from coder.tagger.hf import load_tagger
from coder.tagger.onnx import compare_backends, ensure_onnx, load_onnx_tagger, read_fingerprint

SENTENCES = [
    "Gunmen killed five villagers in Zamfara on Sunday, police said.",
    "Des hommes armés ont tué sept civils dimanche à Kidal.",
    "The army clashed with rebels near Gao on Monday.",
    "",
    "soldiers " * 70 + "attack bomb exploded near gao",  # longer than the 32-token window below
    "Protesters marched.",
]


def spans_of(tagged):
    return [[(s.start, s.end, s.label) for s in spans] for spans in tagged]


@pytest.fixture(scope="module")
def model_dir(tiny_model_dir, tmp_path_factory) -> Path:
    """A private copy of the tiny model, exported once to fp32 and int8."""
    d = tmp_path_factory.mktemp("onnx") / "tiny-tagger"
    shutil.copytree(tiny_model_dir, d)
    ensure_onnx(d, quantize=False)
    ensure_onnx(d, quantize=True)
    return d


def test_fp32_onnx_gives_the_same_spans_and_scores_as_torch(model_dir):
    torch_tagger = load_tagger(model_dir, window=32, stride=8)
    onnx_tagger = load_onnx_tagger(model_dir, quantize=False, window=32, stride=8, threads=1)
    ref, got = torch_tagger.tag(SENTENCES), onnx_tagger.tag(SENTENCES)
    assert spans_of(got) == spans_of(ref)
    assert any(spans_of(ref)), "the random model tags something"
    for a, b in zip(ref, got):
        for x, y in zip(a, b):
            assert abs(x.score - y.score) < 1e-5
            assert all(abs(x.class_probs[k] - y.class_probs[k]) < 1e-5 for k in x.class_probs)
    assert onnx_tagger.path == model_dir / "model.onnx"


def test_int8_differs_from_torch_only_where_the_top_label_margin_is_small(model_dir):
    report = compare_backends(model_dir, SENTENCES * 3)
    fp32, int8 = report["onnx-fp32"], report["onnx-int8"]
    assert fp32["spans_differ"] == fp32["label_flips"] == fp32["class_flips"] == 0
    assert fp32["max_prob_diff"] < 1e-5
    assert int8["flips_small_margin"] == int8["label_flips"]
    assert int8["class_flips_small_margin"] == int8["class_flips"]
    assert int8["spans_differ"] == 0 or int8["label_flips"] > 0
    assert 0 < int8["max_prob_diff"] < 0.05


def test_backend_names_pick_the_export(model_dir):
    assert load_tagger(model_dir, backend="onnx").path.name == "model.onnx"
    assert load_tagger(model_dir, backend="onnx-fp32").path.name == "model.onnx"
    assert load_tagger(model_dir, backend="onnx-int8").path.name == "model.int8.onnx"


def test_batched_tagging_sorts_windows_and_matches_one_batch(model_dir):
    tagger = load_onnx_tagger(model_dir, quantize=False, window=32, stride=8)
    enc = tagger.encode(SENTENCES * 4)
    one = tagger.tag_encoded(enc)
    waste_one = tagger.stats.padding_waste
    tagger.stats.__init__()
    batched = tagger.tag_encoded(enc, batch_size=4)
    assert spans_of(batched) == spans_of(one)
    assert tagger.stats.calls > 1 and tagger.stats.padding_waste < waste_one


def test_export_is_cached_next_to_the_model_and_redone_when_the_model_changes(tmp_path):
    d = build_tiny_model(tmp_path / "m", seed=3)
    path = ensure_onnx(d, quantize=True)
    assert path == d / "model.int8.onnx" and read_fingerprint(path)
    stamp = path.stat().st_mtime_ns
    assert ensure_onnx(d, quantize=True) == path and path.stat().st_mtime_ns == stamp
    assert not [p.name for p in d.iterdir() if p.name.startswith(".")], "no temporary files left"
    old = read_fingerprint(path)
    build_tiny_model(d, seed=4)  # retrained in place
    load_onnx_tagger(d)
    assert read_fingerprint(path) != old


def test_read_only_model_dir_exports_into_coder_cache(tmp_path, monkeypatch):
    import coder.tagger.onnx as onnx_mod

    d = build_tiny_model(tmp_path / "m", seed=5)
    monkeypatch.setenv("CODER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(onnx_mod, "_dir_writable", lambda path: False)
    tagger = load_onnx_tagger(d, quantize=False)
    assert tagger.path.is_relative_to(tmp_path / "cache" / "onnx") and not (d / "model.onnx").exists()
    assert load_onnx_tagger(d, quantize=False).path == tagger.path


def test_onnx_files_are_self_contained_protobuf_and_pickles_are_refused(model_dir, tmp_path):
    import onnx
    from onnx.external_data_helper import uses_external_data

    model = onnx.load(str(model_dir / "model.int8.onnx"))
    assert not any(uses_external_data(t) for t in model.graph.initializer)
    assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]
    assert [o.name for o in model.graph.output] == ["span_logits", "class_logits", "modality_logits"]
    assert {"MatMulInteger", "DynamicQuantizeMatMul", "QAttention"} & {n.op_type for n in model.graph.node}
    bad = tmp_path / "bad"
    shutil.copytree(model_dir, bad)
    (bad / "evil.pkl").write_bytes(b"\x80\x04.")
    with pytest.raises(ModelError, match="E303"):
        load_onnx_tagger(bad)


def test_torch_and_onnx_backends_write_the_same_records(model_dir, tmp_path):
    rows = [{"id": f"a{i}", "text": s + " Police said on Sunday.", "date": "2024-03-31"} for i, s in enumerate(SENTENCES) if s]
    dump = write_jsonl(tmp_path / "dump.jsonl", [dict(r, id=f"{r['id']}-{i}") for i, r in enumerate(rows * 3)])
    every = ("asserted", "negated", "hypothetical", "future")
    outs = {}
    for backend in ("torch", "onnx", "onnx-int8"):
        outs[backend] = tmp_path / f"{backend}.jsonl"
        code_files([str(dump)], outs[backend], model=str(model_dir), backend=backend, modalities=every, progress=False)
    assert outs["torch"].read_bytes() == outs["onnx"].read_bytes()
    assert outs["torch"].stat().st_size > 0
    ids = [[json.loads(line)["article_id"] for line in manifest_path(outs[b]).read_text().splitlines()] for b in outs]
    assert ids[0] == ids[1] == ids[2]


def test_cli_backend_option(model_dir, tmp_path):
    from typer.testing import CliRunner

    from coder.cli import app

    dump = write_jsonl(tmp_path / "d.jsonl", [{"id": "a", "text": SENTENCES[0], "date": "2024-03-31"}])
    res = CliRunner().invoke(app, ["code", str(dump), "-o", str(tmp_path / "o.jsonl"), "--model", str(model_dir),
                                   "--backend", "onnx", "--threads", "1"])
    assert res.exit_code == 0, res.output
    assert json.loads(manifest_path(tmp_path / "o.jsonl").read_text())["article_id"] == "a"
    res = CliRunner().invoke(app, ["code", str(dump), "-o", str(tmp_path / "p.jsonl"), "--backend", "tensorflow"])
    assert res.exit_code != 0
    res = CliRunner().invoke(app, ["export-onnx", "--model", str(model_dir)])
    assert res.exit_code == 0 and res.output.strip() == str(model_dir / "model.onnx")
    res = CliRunner().invoke(app, ["export-onnx", "--model", str(model_dir), "--int8"])
    assert res.exit_code == 0 and res.output.strip() == str(model_dir / "model.int8.onnx")


def test_onnx_backend_does_not_import_torch(model_dir):
    code = ("import sys; from coder.pipeline import Coder; "
            f"c = Coder.load({str(model_dir)!r}, backend='onnx'); c.code('Gunmen killed five villagers.', date='2024-03-31'); "
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'")
    env = dict(os.environ, PYTHONWARNINGS="error::DeprecationWarning:coder")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
