"""Reading article dumps: every input unit becomes an article or an error, never nothing."""

from __future__ import annotations

import io
import sys

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import write_jsonl

from coder.ingest import iter_inputs, read_input


def test_jsonl_reports_each_bad_line_with_a_coded_error(tmp_path):
    path = tmp_path / "in.jsonl"
    with open(path, "wb") as fh:
        fh.write(b'{"id": "a", "text": "Gunmen killed five villagers."}\n')
        fh.write(b"not json\n")
        fh.write(b'{"id": "b"}\n')
        fh.write(b'{"id": "c", "text": "   "}\n')
        fh.write(b'{"text": "no id"}\n')
        fh.write(b'{"id": "d", "text": "caf\xe9 bad bytes"}\n')
        fh.write(b'{"id": "e", "text": "ok", "date": "last week"}\n')
        fh.write(b'{"id": "a", "text": "duplicate"}\n')
    items = list(iter_inputs([path]))
    assert [i.article is not None for i in items] == [True] + [False] * 7
    codes = [i.error.split()[0] for i in items[1:]]
    assert codes == ["E101", "E102", "E103", "E107", "E106", "E112", "E108"]
    assert len({i.key for i in items}) == len(items)


def test_csv_and_parquet_and_txt_dir_give_the_same_articles(tmp_path):
    rows = [{"id": "1", "text": "Des hommes armés ont tué sept civils.", "lang": "fr", "date": "2024-05-18", "title": None},
            {"id": "2", "text": "Police arrested two suspects.", "lang": None, "date": None, "title": "T"}]
    import csv

    with open(tmp_path / "a.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "text", "lang", "date", "title"])
        w.writeheader()
        w.writerows(rows)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "a.parquet")
    d = tmp_path / "txt"
    d.mkdir()
    for r in rows:
        (d / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
    for src in ("a.csv", "a.parquet"):
        arts = [i.article for i in read_input(tmp_path / src)]
        assert [(a.id, a.text, a.lang, a.date, a.title) for a in arts] == [
            ("1", rows[0]["text"], "fr", "2024-05-18", None), ("2", rows[1]["text"], None, None, "T")]
    assert [(i.article.id, i.article.text) for i in read_input(d)] == [(r["id"], r["text"]) for r in rows]


def test_stdin_dash_reads_jsonl(monkeypatch):
    data = b'{"id": "x", "text": "Police arrested two suspects."}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert [i.article.id for i in read_input("-")] == ["x"]


def test_oversized_article_is_an_error(tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "text": "word " * 100}])
    [item] = read_input(path, max_chars=50)
    assert item.error.startswith("E105")


def test_a_20_mb_jsonl_is_read_lazily_in_bounded_memory(tmp_path):
    import json
    import tracemalloc

    text = "Gunmen killed five villagers in Zamfara on Sunday, police said. " * 30  # ~2 kB per article
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        n = 0
        while fh.tell() < 20_000_000:
            fh.write(json.dumps({"id": f"a{n}", "text": text, "date": "2024-03-31"}) + "\n")
            n += 1
    items = iter_inputs([path])
    tracemalloc.start()
    try:
        first = next(items)
        assert first.article.id == "a0"
        _, peak_after_first = tracemalloc.get_traced_memory()
        count = 1 + sum(1 for _ in items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n > 9000
    assert peak_after_first < 1_000_000, "the first article is available without reading the file"
    assert peak < 4_000_000, f"peak {peak} bytes while streaming a 20 MB file"
