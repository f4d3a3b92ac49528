"""Code a dump with Dask: the batch job mapped over partitions, merged into the CLI's output.

``pip install 'coder[dask]'``. Dask is imported only when a function here runs.

How it works:

1. **Plan** (on the client, :func:`plan_partitions`): the inputs are cut into partitions of
   ``articles_per_partition`` consecutive input items (rounded up to a multiple of the coder's
   16-article chunk, so every article is batched with the same neighbours as in ``coder code`` and
   even float rounding is the same). JSONL files are cut at line boundaries by byte offset (one
   sequential read to find them; workers then seek straight to their range); other inputs (CSV,
   Parquet, ``.txt`` directories) are cut by item index.
2. **Code** (on the workers, :func:`code_partition`): each partition is coded by
   :meth:`coder.pipeline.Coder.code_results` (the pure batch function behind ``coder code``) into
   ``part-NNNNNN.jsonl`` and its manifest in the parts directory (``OUTPUT.parts/``, which must be
   on storage the workers and the client share), written atomically, then a ``.done`` marker. Each
   worker process loads the model once. A rerun reuses the parts whose marker matches the plan, so
   an interrupted job resumes.
3. **Merge** (on the client, :func:`merge_parts`): parts are concatenated in input order into
   OUTPUT (any format of the CLI) and ``OUTPUT.manifest.jsonl``. Duplicate ids are resolved here
   exactly as the CLI does (the first occurrence is kept; later ones become ``E108`` errors).

The result equals ``coder code`` on the same inputs: the same records, byte for byte, and the same
manifest. (Only a chunk holding a duplicate id may differ in the last float digit: the CLI drops a
duplicate before batching, a partition only at the merge.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from coder.batch import RunSummary, finish_journal, journal_path, manifest_line, manifest_path, prepare_backend
from coder.errors import Errors, InputError, OutputError
from coder.ingest import DEFAULT_MAX_CHARS, InputItem, _read_jsonl_stream, article_from_dict, read_input
from coder.io.writers import format_for
from coder.pipeline import ArticleResult, Coder

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CHUNK_ARTICLES = 16
"""Articles the coder batches together (:attr:`coder.pipeline.Coder.chunk_articles`)."""


def _require_dask():
    try:
        import dask
        import dask.bag
    except ImportError as exc:
        raise ImportError(
            "coder.scale.dask needs Dask: install it with pip install 'coder[dask]' (or pip install 'dask[dataframe]')"
        ) from exc
    return dask


# -- plan -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A run of consecutive items of one input: bytes ``[start, stop)`` of a JSONL file whose first
    line is number ``first_line``, or items ``[start, stop)`` of any other input."""

    source: str
    kind: str  # "jsonl" or "items"
    start: int
    stop: int
    first_line: int = 1


@dataclass(frozen=True)
class Partition:
    """Consecutive input items, coded by one task."""

    index: int
    segments: tuple[Segment, ...]
    items: int


def _is_jsonl(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in JSONL_SUFFIXES


def plan_partitions(inputs: Sequence[str | os.PathLike], articles_per_partition: int = 2048,
                    chunk_articles: int = CHUNK_ARTICLES) -> list[Partition]:
    """Cut ``inputs`` into partitions of consecutive items (see the module docstring)."""
    size = max(1, -(-articles_per_partition // chunk_articles)) * chunk_articles
    partitions: list[Partition] = []
    segments: list[Segment] = []
    count = 0

    def close_partition() -> None:
        nonlocal segments, count
        if count:
            partitions.append(Partition(len(partitions), tuple(segments), count))
        segments, count = [], 0

    for src in inputs:
        if str(src) == "-":
            raise InputError(Errors.E110.format(path="-", detail="stdin cannot be partitioned; write it to a file"))
        path = Path(src)
        if not path.exists():
            raise InputError(Errors.E110.format(path=path, detail="no such file or directory"))
        if _is_jsonl(path):
            with open(path, "rb") as fh:
                start, first_line, pos, lineno = 0, 1, 0, 0
                for raw in fh:
                    lineno += 1
                    pos += len(raw)
                    if not raw.strip():
                        continue
                    count += 1
                    if count == size:
                        segments.append(Segment(str(src), "jsonl", start, pos, first_line))
                        close_partition()
                        start, first_line = pos, lineno + 1
                if pos > start:
                    segments.append(Segment(str(src), "jsonl", start, pos, first_line))
        else:
            n = sum(1 for _ in read_input(path))
            start = 0
            while start < n:
                take = min(size - count, n - start)
                segments.append(Segment(str(src), "items", start, start + take))
                count += take
                start += take
                if count == size:
                    close_partition()
    close_partition()
    return partitions


def _byte_range(path: str, start: int, stop: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = start
        while pos < stop:
            line = fh.readline()
            if not line:
                return
            pos += len(line)
            yield line


def iter_partition(partition: Partition, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputItem]:
    """The input items of a partition, keyed exactly as :func:`coder.ingest.read_input` keys them."""
    for seg in partition.segments:
        if seg.kind == "jsonl":
            lines = _byte_range(seg.source, seg.start, seg.stop)
            yield from _read_jsonl_stream(lines, Path(seg.source).name, max_chars, seg.first_line)
        else:
            yield from islice(read_input(seg.source, max_chars), seg.start, seg.stop)


# -- code -----------------------------------------------------------------------------------------
_CODERS: dict[str, Coder] = {}


def _settings(*, lang: str, batch_size: int, model: str | None, backend: str, threads: int | None,
              min_confidence: float, modalities: Iterable[str], max_chars: int, max_records: int | None) -> dict:
    options = {"batch_size": batch_size, "min_confidence": min_confidence, "modalities": list(modalities),
               "max_chars": max_chars}
    if max_records is not None:
        options["max_records"] = max_records
    return {"lang": lang, "model": model, "backend": backend, "threads": threads, "options": options}


def _worker_coder(settings: dict) -> Coder:
    """The worker process's coder, loaded on its first task only."""
    key = json.dumps({k: settings[k] for k in ("model", "backend", "threads", "options")}, sort_keys=True)
    if key not in _CODERS:
        opts = dict(settings["options"], modalities=tuple(settings["options"]["modalities"]))
        _CODERS[key] = Coder.load(settings["model"], backend=settings["backend"], threads=settings["threads"], **opts)
    return _CODERS[key]


def part_paths(parts_dir: Path, index: int) -> tuple[Path, Path, Path]:
    """Records, manifest and ``.done`` marker of partition ``index``."""
    base = Path(parts_dir) / f"part-{index:06d}.jsonl"
    return base, manifest_path(base), base.with_name(base.name + ".done")


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    os.replace(tmp, path)


def code_items(items: Iterable[InputItem], index: int, parts_dir: str | Path, settings: dict,
               coder: Coder | None = None, plan_key: str | None = None) -> dict:
    """Code ``items`` into part ``index`` of ``parts_dir``; return its summary (the ``.done`` marker's content)."""
    records_path, manifest, done = part_paths(Path(parts_dir), index)
    if plan_key is not None and done.is_file():
        summary = json.loads(done.read_text("utf-8"))
        if summary.get("plan") == plan_key and records_path.is_file() and manifest.is_file():
            return summary
    coder = coder or _worker_coder(settings)
    lang = settings["lang"]
    stats = Counter()

    def prepared() -> Iterator[InputItem]:
        for item in items:
            if item.article is not None:
                stats["readable"] += 1
                if lang != "auto":
                    item.article.lang = lang
            yield item

    rec_tmp = records_path.with_name(f".{records_path.name}.{os.getpid()}.tmp")
    man_tmp = manifest.with_name(f".{manifest.name}.{os.getpid()}.tmp")
    with open(rec_tmp, "w", encoding="utf-8") as rfh, open(man_tmp, "w", encoding="utf-8") as mfh:
        for res in coder.code_results(prepared()):
            for rec in res.records:
                rfh.write(rec.model_dump_json() + "\n")
            mfh.write(manifest_line(res))
            stats["articles"] += 1
            stats["records"] += len(res.records)
            stats[f"status:{res.status}"] += 1
    os.replace(rec_tmp, records_path)
    os.replace(man_tmp, manifest)
    summary = {"index": index, "plan": plan_key, **stats}
    _write_atomic(done, [json.dumps(summary)])
    return summary


def code_partition(partition: Partition, parts_dir: str | Path, settings: dict, coder: Coder | None = None,
                   plan_key: str | None = None) -> dict:
    """Code one planned partition (the task each Dask worker runs)."""
    items = iter_partition(partition, settings["options"]["max_chars"])
    return code_items(items, partition.index, parts_dir, settings, coder, plan_key)


# -- merge ----------------------------------------------------------------------------------------
def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        yield from fh


def merge_parts(parts_dir: str | Path, indices: Sequence[int], output: str | Path, fmt: str | None = None, *,
                dedup: bool = False, readable: int | None = None) -> RunSummary:
    """Concatenate parts in order into OUTPUT and its manifest, turning later duplicate ids into E108 errors.

    ``dedup`` merges records of one event as ``coder code --dedup`` does; ``readable`` (the readable
    articles of all parts) raises E205 when 0, after the manifest is written, as the CLI does.
    """
    out = Path(output)
    fmt = format_for(out, fmt)
    journal, manifest = journal_path(out), manifest_path(out)
    summary = RunSummary(out, manifest)
    seen: Counter[str] = Counter()
    try:
        with open(journal, "w", encoding="utf-8") as jfh, open(manifest, "w", encoding="utf-8") as mfh:
            for index in indices:
                records_path, part_manifest, _ = part_paths(Path(parts_dir), index)
                records = _lines(records_path)
                for line in _lines(part_manifest):
                    entry = json.loads(line)
                    lines = [next(records) for _ in range(entry["events"])]
                    key = entry["article_id"]
                    n = seen[key]
                    seen[key] += 1
                    if n:
                        line = manifest_line(ArticleResult(f"{key}#duplicate-{n}", "error",
                                                           error=Errors.E108.format(id=key)))
                        entry, lines = json.loads(line), []
                    jfh.writelines(lines)
                    mfh.write(line)
                    summary.articles += 1
                    summary.records += len(lines)
                    summary.statuses[entry["status"]] += 1
    except OSError as exc:
        raise OutputError(Errors.E202.format(path=out, detail=exc)) from exc
    if readable is not None:
        summary.readable = readable
        if readable == 0:
            raise OutputError(Errors.E205)
    summary.merged = finish_journal(journal, out, fmt, dedup)
    return summary


# -- drivers --------------------------------------------------------------------------------------
def _start(output: str | Path, fmt: str | None, force: bool, parts_dir: str | Path | None) -> tuple[Path, Path]:
    out = Path(output)
    format_for(out, fmt)
    manifest = manifest_path(out)
    if force:
        from coder.normalise.dedup import dedup_path

        for p in (out, manifest, journal_path(out), dedup_path(out)):
            p.unlink(missing_ok=True)
    elif out.exists() or manifest.exists():
        raise OutputError(Errors.E201.format(path=out if out.exists() else manifest))
    parts = Path(parts_dir) if parts_dir else out.with_name(out.name + ".parts")
    try:
        parts.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Errors.E202.format(path=parts, detail=exc)) from exc
    return out, parts


def _finish(parts: Path, summaries: list[dict], out: Path, fmt: str | None, keep_parts: bool, dedup: bool) -> RunSummary:
    indices = [s["index"] for s in sorted(summaries, key=lambda s: s["index"])]
    summary = merge_parts(parts, indices, out, fmt, dedup=dedup, readable=sum(s.get("readable", 0) for s in summaries))
    if not keep_parts:
        shutil.rmtree(parts, ignore_errors=True)
    return summary


def code_dump(
    inputs: Sequence[str | os.PathLike],
    output: str | Path,
    *,
    articles_per_partition: int = 2048,
    fmt: str | None = None,
    lang: str = "auto",
    batch_size: int = 32,
    model: str | None = None,
    backend: str = "onnx",
    threads: int | None = None,
    min_confidence: float = 0.0,
    modalities: Iterable[str] = ("asserted",),
    max_chars: int = DEFAULT_MAX_CHARS,
    max_records: int | None = None,
    force: bool = False,
    dedup: bool = False,
    scheduler=None,
    parts_dir: str | Path | None = None,
    keep_parts: bool = False,
    coder: Coder | None = None,
) -> RunSummary:
    """Code the dump ``inputs`` with Dask into ``output``: the same records and manifest as ``coder code``.

    ``scheduler`` goes to ``dask.compute`` (``"sync"``, ``"threads"``, ``"processes"``, or None for
    the default, e.g. a ``distributed.Client`` you created). ``threads``: intra-op threads of each
    worker process. ``coder`` (a loaded :class:`Coder`) is only for in-process schedulers and tests;
    otherwise each worker process loads ``model`` once. ``dedup`` is ``coder code --dedup``. Parts go to ``parts_dir`` (default
    ``OUTPUT.parts/``, shared storage on a cluster) and are removed after the merge unless ``keep_parts``.
    """
    dask = _require_dask()
    out, parts = _start(output, fmt, force, parts_dir)
    settings = _settings(lang=lang, batch_size=batch_size, model=model, backend=backend, threads=threads,
                         min_confidence=min_confidence, modalities=modalities, max_chars=max_chars,
                         max_records=max_records)
    plan = plan_partitions(inputs, articles_per_partition, coder.chunk_articles if coder else CHUNK_ARTICLES)
    if coder is None:
        prepare_backend(model, backend)  # export ONNX once, not in every worker
    plan_key = hashlib.sha256(json.dumps([[asdict(p) for p in plan], settings], sort_keys=True).encode()).hexdigest()
    bag = dask.bag.from_sequence(plan, npartitions=max(1, len(plan)))
    tasks = bag.map(code_partition, parts_dir=str(parts), settings=settings, coder=coder, plan_key=plan_key)
    summaries = tasks.compute(scheduler=scheduler) if plan else []
    return _finish(parts, summaries, out, fmt, keep_parts, dedup)


def _code_frame(frame, index: int, parts_dir: str, settings: dict, coder: Coder | None, key_column: str | None) -> dict:
    rows = frame.to_dict(orient="records")
    keys = frame[key_column].astype(str).tolist() if key_column else [f"row-{i}" for i in frame.index]
    items = (article_from_dict({k: (None if _isna(v) else v) for k, v in row.items()}, key, settings["options"]["max_chars"])
             for row, key in zip(rows, keys))
    return code_items(items, index, parts_dir, settings, coder)


def _isna(value) -> bool:
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pd.NA cannot be a bool
        return True


def code_dataframe(
    frame,
    output: str | Path,
    *,
    key_column: str | None = None,
    fmt: str | None = None,
    lang: str = "auto",
    batch_size: int = 32,
    model: str | None = None,
    backend: str = "onnx",
    threads: int | None = None,
    min_confidence: float = 0.0,
    modalities: Iterable[str] = ("asserted",),
    max_chars: int = DEFAULT_MAX_CHARS,
    max_records: int | None = None,
    force: bool = False,
    dedup: bool = False,
    scheduler=None,
    parts_dir: str | Path | None = None,
    keep_parts: bool = False,
    coder: Coder | None = None,
) -> RunSummary:
    """Code a Dask dataframe of articles (columns ``id``, ``text``, optional ``date``, ``lang``, ``title``, ``url``,
    ``source``), one task per dataframe partition, into ``output`` (see :func:`code_dump` for the options).

    Rows keep the dataframe's order. A row without an id is reported as ``row-<index>`` (or by ``key_column``).
    """
    dask = _require_dask()
    out, parts = _start(output, fmt, force, parts_dir)
    settings = _settings(lang=lang, batch_size=batch_size, model=model, backend=backend, threads=threads,
                         min_confidence=min_confidence, modalities=modalities, max_chars=max_chars,
                         max_records=max_records)
    if coder is None:
        prepare_backend(model, backend)
    for stale in parts.glob("part-*"):
        stale.unlink()
    code = dask.delayed(_code_frame, pure=False)
    tasks = [code(part, i, str(parts), settings, coder, key_column) for i, part in enumerate(frame.to_delayed())]
    summaries = list(dask.compute(*tasks, scheduler=scheduler))
    return _finish(parts, summaries, out, fmt, keep_parts, dedup)


def main(argv: Sequence[str] | None = None, *, on_summary: Callable[[RunSummary], None] | None = None) -> int:
    """``python -m coder.scale.dask INPUT... -o OUTPUT [--scheduler processes] [--address tcp://...]``."""
    ap = argparse.ArgumentParser(prog="python -m coder.scale.dask", description="Code a dump with Dask.")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("-o", "--output", required=True, type=Path)
    ap.add_argument("-m", "--model")
    ap.add_argument("--backend", default="onnx", choices=("torch", "onnx", "onnx-fp32", "onnx-int8"))
    ap.add_argument("--threads", type=int)
    ap.add_argument("--articles-per-partition", type=int, default=2048)
    ap.add_argument("--scheduler", default="processes", help="sync, threads or processes (ignored with --address)")
    ap.add_argument("--address", help="a dask.distributed scheduler address, e.g. tcp://head:8786")
    ap.add_argument("--parts-dir", help="shared directory for the parts (default OUTPUT.parts)")
    ap.add_argument("--all-modalities", action="store_true")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--dedup", action="store_true", help="merge records of the same event, as coder code --dedup")
    args = ap.parse_args(argv)
    scheduler = args.scheduler
    if args.address:
        from distributed import Client

        scheduler = Client(args.address)
    modalities = ("asserted", "negated", "hypothetical", "future") if args.all_modalities else ("asserted",)
    summary = code_dump(args.inputs, args.output, model=args.model, backend=args.backend, threads=args.threads,
                        articles_per_partition=args.articles_per_partition, scheduler=scheduler,
                        parts_dir=args.parts_dir, modalities=modalities, force=args.force, dedup=args.dedup)
    (on_summary or (lambda s: print(f"{s.articles} articles, {s.records} records → {s.output}")))(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
