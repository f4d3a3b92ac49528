"""Merge records of one event reported by several articles or sentences (``coder code --dedup``).

ACLED's duplicate rule: two records are the same event when they share the event date, the place
(country, admin1 and name), the names of actor 1 and actor 2 and the sub-event type (the CAMEO code
when the sub-event type is null). We also require the same modality, so that an asserted attack
never absorbs a denied one. Records without a date or a place are never merged: nothing says they
are the same event.

Of each group the record with the highest confidence is kept (the first one among equals), unchanged:
records keep exactly the contract fields. What was merged goes to a side file beside OUTPUT,
``OUTPUT.dedup.jsonl``, one line per kept record::

    {"event_id": "...", "merged_event_ids": ["..."], "article_ids": ["a1", "a2"]}

The journal is read three times and never held in memory: one dict maps each event key (a 16-byte
hash of the fields above) to its group's best record, and only the ids of records that do have a
duplicate are collected.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class DedupSummary:
    """What a deduplication did: records read, records kept, records merged into others."""

    records: int = 0
    kept: int = 0

    @property
    def merged(self) -> int:
        """Records dropped as duplicates of a kept one."""
        return self.records - self.kept


@dataclass
class _Group:
    best: int
    confidence: float
    size: int = 1


def dedup_path(output: Path) -> Path:
    """``OUTPUT.dedup.jsonl`` beside OUTPUT: the merged ids of each kept record."""
    return output.with_name(output.name + ".dedup.jsonl")


def event_key(record: dict) -> bytes | None:
    """The key two records of the same event share, or None when the record cannot be matched."""
    loc = record.get("location") or {}
    date = record.get("event_date")
    if not date or not loc.get("country") or not (loc.get("name") or loc.get("admin1")):
        return None
    kind = ("sub", record["sub_event_type"]) if record.get("sub_event_type") else ("cameo", record.get("cameo_code"))
    fields = [
        date, loc.get("country"), loc.get("admin1"), loc.get("name"),
        (record.get("actor1") or {}).get("name"), (record.get("actor2") or {}).get("name"),
        *kind, record.get("modality"),
    ]
    return hashlib.blake2b(json.dumps(fields, ensure_ascii=False).encode("utf-8"), digest_size=16).digest()


def _records(path: Path) -> Iterator[tuple[int, str, dict]]:
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if line.strip():
                yield i, line, json.loads(line)


def dedup_journal(journal: Path, side: Path) -> DedupSummary:
    """Deduplicate the JSONL records of ``journal`` in place and write the merged ids to ``side``.

    Both files are replaced atomically (temporary file, then rename), so an interrupted run leaves
    either the old or the new version of each.
    """
    groups: dict[bytes, _Group] = {}
    summary = DedupSummary()
    for i, _, rec in _records(journal):
        summary.records += 1
        key = event_key(rec)
        if key is None:
            continue
        conf = float(rec.get("confidence") or 0.0)
        g = groups.get(key)
        if g is None:
            groups[key] = _Group(i, conf)
        else:
            g.size += 1
            if conf > g.confidence:
                g.best, g.confidence = i, conf

    members: dict[bytes, list[tuple[str, str]]] = {}
    for _, _, rec in _records(journal):
        key = event_key(rec)
        if key is not None and groups[key].size > 1:
            members.setdefault(key, []).append((rec["event_id"], rec["article_id"]))

    tmp_journal = journal.with_name(journal.name + ".dedup.tmp")
    tmp_side = side.with_name(side.name + ".tmp")
    with open(tmp_journal, "w", encoding="utf-8") as out, open(tmp_side, "w", encoding="utf-8") as sfh:
        for i, line, rec in _records(journal):
            key = event_key(rec)
            group = groups.get(key) if key is not None else None
            if group is not None and group.best != i:
                continue
            out.write(line if line.endswith("\n") else line + "\n")
            summary.kept += 1
            merged = [(e, a) for e, a in members.get(key, ()) if e != rec["event_id"]] if key is not None else []
            articles = list(dict.fromkeys([rec["article_id"], *(a for _, a in merged)]))
            sfh.write(json.dumps({"event_id": rec["event_id"], "merged_event_ids": [e for e, _ in merged],
                                  "article_ids": articles}, ensure_ascii=False) + "\n")
        out.flush()
        sfh.flush()
        os.fsync(out.fileno())
        os.fsync(sfh.fileno())
    os.replace(tmp_side, side)
    os.replace(tmp_journal, journal)
    return summary
