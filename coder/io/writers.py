"""Record formats: JSONL (the contract), CSV (flattened), Parquet (nested), Phoenix-style TSV.

Conversions stream from the run's JSONL journal, so memory stays bounded whatever the dump size.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

from coder.errors import Errors, OutputError
from coder.schema import RECORD_FIELDS

FORMATS = ("jsonl", "csv", "parquet", "phoenix")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet",
             ".pq": "parquet", ".tsv": "phoenix", ".phoenix": "phoenix"}
_NESTED = {
    "actor1": ("text", "name", "cameo_code", "country", "inter"),
    "actor2": ("text", "name", "cameo_code", "country", "inter"),
    "location": ("text", "name", "country", "admin1", "latitude", "longitude", "geo_precision"),
    "evidence": ("sentence", "start", "end", "trigger"),
    "confidences": ("event_type", "cameo_code", "actor1", "actor2", "location", "event_date"),
}


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else from the file suffix, else JSONL."""
    if fmt:
        if fmt not in FORMATS:
            raise OutputError(Errors.E204.format(fmt=fmt))
        return fmt
    return _SUFFIXES.get(Path(path).suffix.lower(), "jsonl")


def iter_journal(path: Path) -> Iterator[dict]:
    """Records of a JSONL file, one dict per complete line."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.endswith("\n") and line.strip():
                yield json.loads(line)


def flatten(record: dict) -> dict:
    """One flat row: nested objects become ``actor1.name``-style columns (empty when null)."""
    row: dict = {}
    for key in RECORD_FIELDS:
        if key in _NESTED:
            obj = record.get(key) or {}
            for sub in _NESTED[key]:
                row[f"{key}.{sub}"] = obj.get(sub)
        else:
            row[key] = record.get(key)
    return row


def csv_columns() -> list[str]:
    """CSV header, in contract order."""
    return list(flatten({}).keys())


def write_csv(journal: Path, out: Path) -> None:
    """Stream the journal into a CSV file."""
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=csv_columns())
        writer.writeheader()
        for rec in iter_journal(journal):
            writer.writerow(flatten(rec))


def arrow_schema():
    """The Parquet schema: contract fields, nested objects as structs."""
    import pyarrow as pa

    s = pa.string()
    f = pa.float64()
    i = pa.int64()
    actor = pa.struct([("text", s), ("name", s), ("cameo_code", s), ("country", s), ("inter", i)])
    return pa.schema([
        ("article_id", s), ("event_id", s), ("language", s), ("event_date", s), ("time_precision", i),
        ("event_type", s), ("sub_event_type", s), ("disorder_type", s), ("cameo_code", s), ("cameo_root", s),
        ("quad_class", i), ("goldstein", f), ("plover_event", s), ("actor1", actor), ("actor2", actor),
        ("location", pa.struct([("text", s), ("name", s), ("country", s), ("admin1", s), ("latitude", f),
                                ("longitude", f), ("geo_precision", i)])),
        ("fatalities", i), ("modality", s),
        ("evidence", pa.struct([("sentence", s), ("start", i), ("end", i), ("trigger", s)])),
        ("confidence", f),
        ("confidences", pa.struct([(k, f) for k in _NESTED["confidences"]])),
        ("coder_version", s), ("model", s), ("title", s), ("url", s), ("source", s),
    ])


def write_parquet(journal: Path, out: Path, rows_per_group: int = 10_000) -> None:
    """Stream the journal into a Parquet file, one row group per ``rows_per_group`` records."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict] = []
        for rec in iter_journal(journal):
            batch.append(rec)
            if len(batch) >= rows_per_group:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))


PHOENIX_COLUMNS = (
    "EventID", "Date", "Year", "Month", "Day", "SourceActorFull", "SourceActorEntity", "SourceActorRole",
    "SourceActorAttribute", "TargetActorFull", "TargetActorEntity", "TargetActorRole", "TargetActorAttribute",
    "EventCode", "EventRootCode", "QuadClass", "GoldsteinScore", "Issues", "Lat", "Lon", "LocationName",
    "StateName", "CountryCode", "SentenceID", "URLs", "NewsSources",
)


def phoenix_row(rec: dict) -> list[str]:
    """One Phoenix-style row (tab-separated columns of the Phoenix data set)."""
    date = (rec.get("event_date") or "").replace("-", "")

    def actor(a: dict | None) -> list[str]:
        code = (a or {}).get("cameo_code") or ""
        return [code, code[:3], code[3:6], code[6:]]

    loc = rec.get("location") or {}
    return [
        rec["event_id"], date, date[:4], date[4:6], date[6:8], *actor(rec.get("actor1")), *actor(rec.get("actor2")),
        rec["cameo_code"], rec["cameo_root"], str(rec["quad_class"]), str(rec["goldstein"]), "",
        "" if loc.get("latitude") is None else str(loc["latitude"]),
        "" if loc.get("longitude") is None else str(loc["longitude"]),
        loc.get("name") or "", loc.get("admin1") or "", loc.get("country") or "",
        f"{rec['article_id']}-{rec['evidence']['start']}", rec.get("url") or "", rec.get("source") or "",
    ]


def write_phoenix(journal: Path, out: Path) -> None:
    """Stream the journal into a Phoenix-style TSV with a header row."""
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(PHOENIX_COLUMNS) + "\n")
        for rec in iter_journal(journal):
            fh.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in phoenix_row(rec)) + "\n")


def finalise(journal: Path, out: Path, fmt: str) -> None:
    """Turn the finished journal into OUTPUT in ``fmt`` atomically (temp file, then rename)."""
    if fmt == "jsonl":
        os.replace(journal, out)
        return
    tmp = out.with_name(out.name + ".tmp")
    try:
        {"csv": write_csv, "parquet": write_parquet, "phoenix": write_phoenix}[fmt](journal, tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(Errors.E202.format(path=out, detail=exc)) from exc
    journal.unlink()
