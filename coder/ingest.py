"""Read article dumps: JSONL, CSV, Parquet, a directory of ``.txt`` files, or ``-`` (stdin).

Readers stream: nothing reads a whole file at once. Every input unit (line, row, file) yields one
:class:`InputItem`, either an :class:`~coder.schema.Article` or an error message, so that bad input
is reported in the manifest and never silently dropped.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coder.errors import Errors, InputError
from coder.schema import Article

DEFAULT_MAX_CHARS = 1_000_000
"""Articles longer than this (characters) are refused with E105; ``--max-chars`` changes it."""


@dataclass
class InputItem:
    """One input unit: an article, or the key and message of an error."""

    key: str
    article: Article | None = None
    error: str | None = None


def _validate_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return _dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        try:
            return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            raise InputError(Errors.E112.format(value=value)) from None


def article_from_dict(data: Any, key: str, max_chars: int = DEFAULT_MAX_CHARS) -> InputItem:
    """Validate one raw record into an :class:`InputItem` (never raises)."""
    if not isinstance(data, dict):
        return InputItem(key, error=Errors.E109.format(detail="an article must be a JSON object"))
    raw_id = data.get("id")
    if raw_id in (None, ""):
        return InputItem(key, error=Errors.E107)
    key = str(raw_id)
    text = data.get("text")
    if text is None:
        return InputItem(key, error=Errors.E102)
    if not isinstance(text, str):
        return InputItem(key, error=Errors.E109.format(detail="'text' must be a string"))
    if not text.strip():
        return InputItem(key, error=Errors.E103)
    if _has_surrogates(text):
        return InputItem(key, error=Errors.E106.format(detail="the text holds lone UTF-16 surrogates"))
    if len(text) > max_chars:
        return InputItem(key, error=Errors.E105.format(size=len(text), limit=max_chars))
    try:
        date = _validate_date(data.get("date"))
        lang = data.get("lang") or None
        if lang is not None:
            lang = str(lang).strip().lower()
        fields = {k: data.get(k) for k in ("title", "url", "source")}
        fields = {k: (None if v in (None, "") else str(v)) for k, v in fields.items()}
        article = Article(id=key, text=text, date=date, lang=lang, **fields)
    except InputError as exc:
        return InputItem(key, error=str(exc))
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return InputItem(key, error=Errors.E109.format(detail=detail))
    return InputItem(key, article=article)


def _read_jsonl_stream(stream: Iterable[bytes], name: str, max_chars: int, first_lineno: int = 1) -> Iterator[InputItem]:
    """Items of JSONL lines; ``first_lineno`` numbers the first line (a byte range of a file starts later)."""
    for lineno, raw in enumerate(stream, first_lineno):
        if not raw.strip():
            continue
        key = f"{name}:{lineno}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputItem(key, error=Errors.E106.format(detail=f"line {lineno}: {exc.reason} at byte {exc.start}"))
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputItem(key, error=Errors.E101.format(line=lineno, detail=exc.msg))
            continue
        yield article_from_dict(data, key, max_chars)


def read_jsonl(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Stream a JSONL file, one article per line."""
    with open(path, "rb") as fh:
        yield from _read_jsonl_stream(fh, path.name, max_chars)


def read_csv(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Stream a CSV file with a header row (``id``, ``text`` and optional fields)."""
    csv.field_size_limit(max(max_chars * 4, 1 << 20))
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            return
        for rowno, row in enumerate(reader, 2):
            key = f"{path.name}:{rowno}"
            bad = [k for k, v in row.items() if isinstance(v, str) and _has_surrogates(v)]
            if bad:
                yield InputItem(str(row.get("id") or key), error=Errors.E106.format(detail=f"row {rowno}, field {bad[0]!r} is not UTF-8"))
                continue
            if None in row:  # more cells than header names
                row.pop(None)
            yield article_from_dict(row, key, max_chars)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_parquet(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Stream a Parquet file in record batches."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    rowno = 0
    for batch in pf.iter_batches(batch_size=512):
        for row in batch.to_pylist():
            rowno += 1
            yield article_from_dict(row, f"{path.name}:{rowno}", max_chars)


def read_txt_dir(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Read every ``*.txt`` file of a directory (sorted by name); the id is the file stem."""
    for f in sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file()):
        yield from _read_one_txt(f, max_chars)


def read_input(source: str | Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Stream the articles of one INPUT argument, choosing the reader by its kind."""
    if str(source) == "-":
        yield from _read_jsonl_stream(sys.stdin.buffer, "stdin", max_chars)
        return
    path = Path(source)
    if not path.exists():
        raise InputError(Errors.E110.format(path=path, detail="no such file or directory"))
    if path.is_dir():
        yield from read_txt_dir(path, max_chars)
        return
    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    readers = {".jsonl": read_jsonl, ".ndjson": read_jsonl, ".json": read_jsonl,
               ".csv": read_csv, ".parquet": read_parquet, ".txt": _read_one_txt}
    reader = readers.get(suffix.lower())
    if reader is None:
        raise InputError(Errors.E111.format(path=path))
    yield from reader(path, max_chars)


def _read_one_txt(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """One ``.txt`` file as one article whose id is the file stem."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield InputItem(path.stem, error=Errors.E106.format(detail=f"{path.name}: {exc.reason} at byte {exc.start}"))
        return
    yield article_from_dict({"id": path.stem, "text": text}, path.stem, max_chars)


def iter_inputs(sources: Iterable[str | Path], max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """Stream every input, in order; a later duplicate id becomes an E108 error item."""
    seen: dict[str, int] = {}
    for src in sources:
        for item in read_input(src, max_chars):
            n = seen.get(item.key, 0)
            seen[item.key] = n + 1
            if n:
                item = InputItem(f"{item.key}#duplicate-{n}", error=Errors.E108.format(id=item.key))
            yield item
