"""The batch job: formats, manifest, bad input, overwrite protection, shards, resume, workers."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import GOOD, write_jsonl

from coder.batch import code_files, manifest_path
from coder.errors import OutputError
from coder.io.writers import flatten


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def dump(tmp_path: Path, n: int = 10) -> Path:
    rows = [{"id": f"a{i:03d}", "text": GOOD[i % len(GOOD)], "date": "2024-03-31"} for i in range(n)]
    return write_jsonl(tmp_path / "dump.jsonl", rows)


def test_seeds_same_records_in_jsonl_csv_parquet(tmp_path, seeds_dir, fake_coder):
    s = code_files([str(seeds_dir)], tmp_path / "out.jsonl", coder=fake_coder, progress=False)
    recs = read_jsonl(tmp_path / "out.jsonl")
    manifest = read_jsonl(manifest_path(tmp_path / "out.jsonl"))
    assert {m["article_id"] for m in manifest} == {"000_31835609f0aae250", "002_4e578edd4d821a1f"}
    assert sum(m["events"] for m in manifest) == len(recs) == s.records > 0
    code_files([str(seeds_dir)], tmp_path / "out.parquet", coder=fake_coder, progress=False)
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == recs
    code_files([str(seeds_dir)], tmp_path / "out.csv", coder=fake_coder, progress=False)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = [{k: "" if v is None else str(v) for k, v in flatten(r).items()} for r in recs]
    assert rows == expected
    code_files([str(seeds_dir)], tmp_path / "out.tsv", coder=fake_coder, progress=False)
    lines = (tmp_path / "out.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(recs) + 1 and lines[0].startswith("EventID\tDate")


def test_dump_with_10_good_and_5_broken_lines_gives_15_manifest_lines(tmp_path, fake_coder):
    rows = [{"id": f"g{i}", "text": GOOD[i % len(GOOD)], "date": "2024-03-31"} for i in range(10)]
    rows[3:3] = ["{broken json", {"id": "no-text"}, {"id": "empty", "text": ""},
                 {"id": "de", "text": "Bewaffnete Männer haben am Freitag sieben Zivilisten im Norden getötet."}]
    rows.append({"text": "no id here"})
    path = write_jsonl(tmp_path / "mixed.jsonl", rows)
    summary = code_files([str(path)], tmp_path / "o.jsonl", coder=fake_coder, progress=False)
    manifest = read_jsonl(manifest_path(tmp_path / "o.jsonl"))
    assert len(manifest) == 15
    assert sum(m["status"] == "error" for m in manifest) == 5
    assert all(m["error"] and m["error"][0] == "E" for m in manifest if m["status"] == "error")
    good = [m for m in manifest if m["article_id"].startswith("g")]
    assert len(good) == 10 and all(m["status"] == "coded" for m in good)
    assert summary.statuses["error"] == 5


def test_existing_output_is_never_overwritten_without_force(tmp_path, fake_coder):
    path = dump(tmp_path)
    out = tmp_path / "o.jsonl"
    code_files([str(path)], out, coder=fake_coder, progress=False)
    before = out.read_bytes()
    with pytest.raises(OutputError, match="E201"):
        code_files([str(path)], out, coder=fake_coder, progress=False)
    assert out.read_bytes() == before
    code_files([str(path)], out, coder=fake_coder, progress=False, force=True)
    assert out.read_bytes() == before


def test_nothing_readable_is_an_error(tmp_path, fake_coder):
    path = write_jsonl(tmp_path / "bad.jsonl", ["nope", "{"])
    with pytest.raises(OutputError, match="E205"):
        code_files([str(path)], tmp_path / "o.jsonl", coder=fake_coder, progress=False)
    assert len(read_jsonl(manifest_path(tmp_path / "o.jsonl"))) == 2


def test_shards_partition_the_dump_deterministically(tmp_path, fake_coder):
    path = dump(tmp_path, 40)
    code_files([str(path)], tmp_path / "all.jsonl", coder=fake_coder, progress=False)
    parts = []
    for i in range(3):
        code_files([str(path)], tmp_path / f"s{i}.jsonl", coder=fake_coder, progress=False, shard_index=i, num_shards=3)
        parts.append([m["article_id"] for m in read_jsonl(manifest_path(tmp_path / f"s{i}.jsonl"))])
    assert sorted(sum(parts, [])) == sorted(m["article_id"] for m in read_jsonl(manifest_path(tmp_path / "all.jsonl")))
    assert all(parts) and len({a for p in parts for a in p}) == 40
    code_files([str(path)], tmp_path / "s0b.jsonl", coder=fake_coder, progress=False, shard_index=0, num_shards=3)
    assert (tmp_path / "s0b.jsonl").read_bytes() == (tmp_path / "s0.jsonl").read_bytes()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "coder.cli", *args]


def test_resume_after_sigkill_gives_exactly_the_uninterrupted_records(tmp_path, tiny_model_dir):
    path = dump(tmp_path, 600)
    ref = tmp_path / "ref.jsonl"
    subprocess.run(_cli("code", str(path), "-o", str(ref), "--model", str(tiny_model_dir), "--all-modalities"),
                   check=True, capture_output=True)
    out = tmp_path / "run.jsonl"
    proc = subprocess.Popen(_cli("code", str(path), "-o", str(out), "--model", str(tiny_model_dir), "--all-modalities"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = manifest_path(out)
    deadline = time.time() + 120
    while time.time() < deadline and (not manifest.exists() or manifest.stat().st_size < 2000):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "the run was killed before finishing"
    done_before = len(manifest.read_text(encoding="utf-8").splitlines())
    assert 0 < done_before < 600
    subprocess.run(_cli("code", str(path), "-o", str(out), "--model", str(tiny_model_dir), "--all-modalities", "--resume"),
                   check=True, capture_output=True)
    assert out.read_bytes() == ref.read_bytes()
    assert manifest.read_bytes() == manifest_path(ref).read_bytes()


def test_two_workers_write_the_same_records_as_one(tmp_path, tiny_model_dir):
    path = dump(tmp_path, 30)
    code_files([str(path)], tmp_path / "w1.jsonl", model=str(tiny_model_dir), progress=False, modalities=("asserted", "negated", "hypothetical", "future"))
    code_files([str(path)], tmp_path / "w2.jsonl", model=str(tiny_model_dir), progress=False, workers=2, modalities=("asserted", "negated", "hypothetical", "future"))
    assert (tmp_path / "w1.jsonl").read_bytes() == (tmp_path / "w2.jsonl").read_bytes()
    assert (tmp_path / "w1.jsonl").stat().st_size > 0


def test_cli_reports_and_exits_nonzero_on_unwritable_output(tmp_path, tiny_model_dir):
    path = dump(tmp_path, 2)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = subprocess.run(_cli("code", str(path), "-o", str(blocker / "o.jsonl"), "--model", str(tiny_model_dir)),
                         capture_output=True, text=True)
    assert res.returncode != 0 and "E202" in res.stderr
