"""Throughput plumbing and scale-out: overlapped preparation, Dask partitions equal to ``coder code``."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from conftest import GOOD, write_jsonl
from tiny import FakeTagger

from coder.batch import code_files, manifest_path
from coder.errors import InputError
from coder.pipeline import Coder

EVERY = ("asserted", "negated", "hypothetical", "future")


def messy_dump(tmp_path: Path, n: int = 60) -> list[str]:
    """Two JSONL files and a CSV with bad lines, blank lines, a missing id and a duplicate id."""
    rows: list = [{"id": f"a{i:03d}", "text": GOOD[i % len(GOOD)] + f" Report {i}.", "date": "2024-03-31"} for i in range(n)]
    rows[7] = "{broken json"
    rows[20] = {"id": "a003", "text": "A duplicate id."}
    rows[33] = {"text": "no id here"}
    rows[41] = {"id": "empty", "text": ""}
    half = n // 2
    a = write_jsonl(tmp_path / "a.jsonl", rows[:half])
    with open(a, "a", encoding="utf-8") as fh:
        fh.write("\n   \n")
    b = write_jsonl(tmp_path / "b.jsonl", rows[half:])
    with open(tmp_path / "c.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "text", "date"])
        w.writeheader()
        for i in range(9):
            w.writerow({"id": f"c{i}" if i != 4 else "a010", "text": GOOD[i % len(GOOD)], "date": "2024-04-01"})
    return [str(a), str(b), str(tmp_path / "c.csv")]


# -- overlapped preparation -------------------------------------------------------------------------
def test_overlap_gives_the_same_results_as_sequential_coding(tmp_path):
    inputs = messy_dump(tmp_path)
    on = code_files(inputs, tmp_path / "on.jsonl", coder=Coder(FakeTagger(), overlap=True), progress=False)
    off = code_files(inputs, tmp_path / "off.jsonl", coder=Coder(FakeTagger(), overlap=False), progress=False)
    assert (tmp_path / "on.jsonl").read_bytes() == (tmp_path / "off.jsonl").read_bytes()
    assert manifest_path(tmp_path / "on.jsonl").read_bytes() == manifest_path(tmp_path / "off.jsonl").read_bytes()
    assert on.statuses == off.statuses and on.records > 0


def test_overlap_raises_reader_errors_in_the_caller_and_stops_early(tmp_path):
    coder = Coder(FakeTagger(), overlap=True)
    with pytest.raises(InputError, match="E110"):
        code_files([str(tmp_path / "missing.jsonl")], tmp_path / "o.jsonl", coder=coder, progress=False)
    results = coder.code_results({"id": str(i), "text": GOOD[0]} for i in range(10_000))
    first = next(results)
    results.close()  # the background thread must stop, not read 10,000 articles
    assert first.status == "coded"
    assert coder.code(GOOD[1], date="2024-03-31")[0].evidence.trigger == "ont tué"


# -- Dask ---------------------------------------------------------------------------------------------
def test_dask_partitions_write_the_records_and_manifest_of_code_files(tmp_path):
    from coder.scale.dask import code_dump, plan_partitions

    inputs = messy_dump(tmp_path)
    plan = plan_partitions(inputs, articles_per_partition=5, chunk_articles=4)
    assert len(plan) > 4 and {p.items for p in plan[:-1]} == {8}
    assert sum(p.items for p in plan) == 60 + 9
    code_files(inputs, tmp_path / "cli.jsonl", coder=Coder(FakeTagger()), progress=False, modalities=EVERY)
    summary = code_dump(inputs, tmp_path / "dask.jsonl", articles_per_partition=7, scheduler="sync",
                        coder=Coder(FakeTagger()), modalities=EVERY)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "cli.jsonl").read_bytes()
    assert manifest_path(tmp_path / "dask.jsonl").read_bytes() == manifest_path(tmp_path / "cli.jsonl").read_bytes()
    manifest = [json.loads(x) for x in manifest_path(tmp_path / "dask.jsonl").read_text().splitlines()]
    assert sum(m["article_id"].endswith("#duplicate-1") for m in manifest) == 2
    assert summary.articles == len(manifest) == 69 and not (tmp_path / "dask.jsonl.parts").exists()
    code_dump(inputs, tmp_path / "dask.csv", articles_per_partition=16, scheduler="threads", coder=Coder(FakeTagger()),
              modalities=EVERY)
    code_files(inputs, tmp_path / "cli.csv", coder=Coder(FakeTagger()), progress=False, modalities=EVERY)
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    from coder.normalise.dedup import dedup_path

    cli = code_files(inputs, tmp_path / "cli-d.jsonl", coder=Coder(FakeTagger()), progress=False, dedup=True)
    dsk = code_dump(inputs, tmp_path / "dask-d.jsonl", articles_per_partition=16, scheduler="sync",
                    coder=Coder(FakeTagger()), dedup=True)
    assert (tmp_path / "dask-d.jsonl").read_bytes() == (tmp_path / "cli-d.jsonl").read_bytes()
    assert dedup_path(tmp_path / "dask-d.jsonl").read_bytes() == dedup_path(tmp_path / "cli-d.jsonl").read_bytes()
    assert dsk.merged == cli.merged > 0


def test_dask_with_the_tiny_model_matches_code_files_byte_for_byte(tmp_path, tiny_model_dir):
    from coder.scale.dask import code_dump

    inputs = messy_dump(tmp_path, 50)
    coder = Coder.load(tiny_model_dir, backend="torch", modalities=EVERY)
    code_files(inputs, tmp_path / "cli.jsonl", coder=coder, progress=False)
    code_dump(inputs, tmp_path / "dask.jsonl", articles_per_partition=20, scheduler="sync", coder=coder)
    assert (tmp_path / "cli.jsonl").stat().st_size > 0
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "cli.jsonl").read_bytes()
    assert manifest_path(tmp_path / "dask.jsonl").read_bytes() == manifest_path(tmp_path / "cli.jsonl").read_bytes()


def test_dask_rerun_reuses_finished_parts(tmp_path):
    from coder.scale.dask import code_dump

    inputs = messy_dump(tmp_path)
    parts = tmp_path / "parts"
    code_dump(inputs, tmp_path / "one.jsonl", articles_per_partition=16, scheduler="sync", coder=Coder(FakeTagger()),
              parts_dir=parts, keep_parts=True)

    class Exploding(FakeTagger):
        def tag(self, sentences, langs=None):
            raise AssertionError("a finished part was coded again")

    code_dump(inputs, tmp_path / "two.jsonl", articles_per_partition=16, scheduler="sync", coder=Coder(Exploding()),
              parts_dir=parts)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_dask_dataframe_gives_the_records_of_the_same_rows_as_jsonl(tmp_path):
    import dask.dataframe as dd
    import pandas as pd

    from coder.scale.dask import code_dataframe

    rows = [{"id": f"r{i}", "text": GOOD[i % len(GOOD)], "date": "2024-03-31", "lang": None} for i in range(23)]
    rows[5]["text"] = ""
    path = write_jsonl(tmp_path / "rows.jsonl", [{k: v for k, v in r.items() if v is not None} for r in rows])
    code_files([str(path)], tmp_path / "cli.jsonl", coder=Coder(FakeTagger()), progress=False)
    frame = dd.from_pandas(pd.DataFrame(rows), npartitions=3)
    code_dataframe(frame, tmp_path / "df.jsonl", scheduler="sync", coder=Coder(FakeTagger()))
    assert (tmp_path / "df.jsonl").read_bytes() == (tmp_path / "cli.jsonl").read_bytes()
    assert manifest_path(tmp_path / "df.jsonl").read_bytes() == manifest_path(tmp_path / "cli.jsonl").read_bytes()


def test_missing_dask_gives_a_friendly_import_error(monkeypatch):
    from coder.scale import dask as scale_dask

    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r"pip install 'coder\[dask\]'"):
        scale_dask.code_dump(["x.jsonl"], "out.jsonl")
