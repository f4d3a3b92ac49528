"""Deduplication of records of one event reported several times (``coder code --dedup``)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_jsonl

from coder.batch import code_files
from coder.normalise.dedup import dedup_journal, dedup_path, event_key
from coder.schema import RECORD_FIELDS

SAME_EVENT = "Gunmen killed five villagers in Zamfara on Sunday, police said."
OTHER_EVENT = "The army clashed with rebels near Gao on Monday."


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _dump(tmp_path: Path) -> Path:
    rows = [
        {"id": "wire-1", "text": SAME_EVENT, "date": "2024-03-31"},
        {"id": "wire-2", "text": SAME_EVENT, "date": "2024-03-31"},
        {"id": "wire-3", "text": OTHER_EVENT, "date": "2024-03-31"},
    ]
    return write_jsonl(tmp_path / "dump.jsonl", rows)


def test_two_articles_reporting_one_event_give_one_record_and_a_dedup_line(tmp_path, fake_coder):
    out = tmp_path / "out.jsonl"
    summary = code_files([str(_dump(tmp_path))], out, coder=fake_coder, progress=False, dedup=True)
    records = read_jsonl(out)
    zamfara = [r for r in records if r["location"] and r["location"]["name"] == "Zamfara"]
    assert len(zamfara) == 1
    assert summary.merged == 1 and len(records) == summary.records - 1
    assert all(tuple(r) == RECORD_FIELDS for r in records)  # exactly the contract fields
    lines = read_jsonl(dedup_path(out))
    assert [line["event_id"] for line in lines] == [r["event_id"] for r in records]
    [merged] = [line for line in lines if line["event_id"] == zamfara[0]["event_id"]]
    assert merged["article_ids"] == ["wire-1", "wire-2"]
    assert len(merged["merged_event_ids"]) == 1 and merged["merged_event_ids"][0] != zamfara[0]["event_id"]
    others = [line for line in lines if line is not merged]
    assert all(line["merged_event_ids"] == [] and len(line["article_ids"]) == 1 for line in others)


def test_without_dedup_nothing_changes(tmp_path, fake_coder):
    plain, deduped = tmp_path / "plain.jsonl", tmp_path / "dedup.jsonl"
    code_files([str(_dump(tmp_path))], plain, coder=fake_coder, progress=False)
    code_files([str(_dump(tmp_path))], deduped, coder=fake_coder, progress=False, dedup=True)
    assert not dedup_path(plain).exists()
    plain_records = read_jsonl(plain)
    assert sum(r["article_id"] == "wire-2" for r in plain_records) >= 1
    assert len(plain_records) == len(read_jsonl(deduped)) + 1


def test_dedup_before_csv_conversion(tmp_path, fake_coder):
    out = tmp_path / "out.csv"
    code_files([str(_dump(tmp_path))], out, coder=fake_coder, progress=False, dedup=True)
    n_rows = len(out.read_text(encoding="utf-8").strip().splitlines()) - 1
    assert n_rows == len(read_jsonl(dedup_path(out)))


def _record(event_id: str, article_id: str, confidence: float, **changes) -> dict:
    rec = {
        "article_id": article_id, "event_id": event_id, "event_date": "2024-03-30", "sub_event_type": "Attack",
        "cameo_code": "180", "modality": "asserted", "confidence": confidence,
        "location": {"name": "Zamfara", "country": "NGA", "admin1": "Zamfara"},
        "actor1": {"name": "Unidentified Armed Group (Nigeria)"}, "actor2": {"name": "Civilians (Nigeria)"},
    }
    rec.update(changes)
    return rec


def test_highest_confidence_is_kept_first_among_equals(tmp_path):
    journal = write_jsonl(tmp_path / "j.jsonl", [
        _record("e1", "a", 0.6), _record("e2", "b", 0.9), _record("e3", "c", 0.9), _record("e4", "d", 0.5),
    ])
    summary = dedup_journal(journal, tmp_path / "side.jsonl")
    assert (summary.records, summary.kept, summary.merged) == (4, 1, 3)
    assert [r["event_id"] for r in read_jsonl(journal)] == ["e2"]
    [line] = read_jsonl(tmp_path / "side.jsonl")
    assert line == {"event_id": "e2", "merged_event_ids": ["e1", "e3", "e4"], "article_ids": ["b", "a", "c", "d"]}


def test_any_differing_field_keeps_records_apart(tmp_path):
    base = _record("e0", "a", 0.5)
    variants = [
        _record("e1", "b", 0.5, event_date="2024-03-29"),
        _record("e2", "b", 0.5, location={"name": "Gusau", "country": "NGA", "admin1": "Zamfara"}),
        _record("e3", "b", 0.5, actor1={"name": "Bandits (Nigeria)"}),
        _record("e4", "b", 0.5, actor2=None),
        _record("e5", "b", 0.5, sub_event_type="Armed clash"),
        _record("e6", "b", 0.5, modality="negated"),
    ]
    keys = {event_key(r) for r in [base, *variants]}
    assert len(keys) == 7


def test_cameo_code_decides_when_there_is_no_sub_event_type():
    a = _record("e1", "a", 0.5, sub_event_type=None, cameo_code="0841")
    assert event_key(a) == event_key(_record("e2", "b", 0.5, sub_event_type=None, cameo_code="0841"))
    assert event_key(a) != event_key(_record("e3", "b", 0.5, sub_event_type=None, cameo_code="016"))


def test_records_without_date_or_place_are_never_merged(tmp_path):
    assert event_key(_record("e1", "a", 0.5, event_date=None)) is None
    assert event_key(_record("e1", "a", 0.5, location=None)) is None
    journal = write_jsonl(tmp_path / "j.jsonl", [_record("e1", "a", 0.5, event_date=None), _record("e2", "b", 0.5, event_date=None)])
    assert dedup_journal(journal, tmp_path / "side.jsonl").kept == 2


def test_cli_dedup_option_writes_the_side_file(tmp_path, monkeypatch):
    from tiny import FakeTagger
    from typer.testing import CliRunner

    from coder import batch
    from coder.cli import app
    from coder.pipeline import Coder

    monkeypatch.setattr(batch.Coder, "load", classmethod(lambda cls, *args, **kwargs: Coder(FakeTagger())))
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["code", str(_dump(tmp_path)), "-o", str(out), "--dedup"])
    assert res.exit_code == 0, res.output
    assert "1 duplicate records merged" in res.output
    assert len(read_jsonl(out)) == len(read_jsonl(dedup_path(out)))
