"""Conversions for gold sets, from the shell.

``python -m coder.evaluate.convert import FORMAT INPUT -o GOLD.jsonl [--label-map MAP] [--lang en]``
turns an annotation-tool export into gold JSONL; ``python -m coder.evaluate.convert records
GOLD.jsonl -o RECORDS.jsonl`` writes the gold events as records (``coder evaluate GOLD
--predictions RECORDS.jsonl`` must then score 1.0 everywhere: a sanity check of a gold set).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from coder.errors import InputError
from coder.evaluate.gold import gold_to_records, read_gold_jsonl
from coder.evaluate.importers import IMPORTERS, import_gold


def write_jsonl(rows: Iterable[dict], path: str | Path) -> int:
    """Write dicts as JSONL (UTF-8, non-ASCII kept); the number of lines."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see module doc)."""
    ap = argparse.ArgumentParser(description="Gold-set conversions for coder evaluate.")
    sub = ap.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="annotation-tool export → gold JSONL")
    imp.add_argument("format", choices=sorted(IMPORTERS))
    imp.add_argument("input")
    imp.add_argument("-o", "--output", required=True)
    imp.add_argument("--label-map", default=None, help="JSON object or JSON file: tool label → our label")
    imp.add_argument("--lang", default=None, choices=("en", "fr"))
    rec = sub.add_parser("records", help="gold JSONL → records JSONL")
    rec.add_argument("gold")
    rec.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    try:
        if args.command == "import":
            docs, dropped = import_gold(args.input, args.format, args.label_map, args.lang)
            n = write_jsonl(docs, args.output)
            extra = f"; dropped labels: {dict(dropped)}" if dropped else ""
            print(f"{n} articles → {args.output}{extra}", file=sys.stderr)
        else:
            n = write_jsonl(gold_to_records(read_gold_jsonl(args.gold)), args.output)
            print(f"{n} records → {args.output}", file=sys.stderr)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
