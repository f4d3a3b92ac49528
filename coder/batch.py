"""The batch job behind ``coder code``: inputs → records + manifest, resumable and shardable.

Crash safety: records go to a JSONL journal (``OUTPUT.partial.jsonl``) and each article's
manifest line is written only after its records, both flushed per chunk. ``--resume`` keeps the
articles whose manifest line and records are complete, drops the rest and codes what is left, so a
resumed run ends with exactly the records of an uninterrupted one. OUTPUT itself is written (or
converted to CSV / Parquet / Phoenix) only when the run has finished.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coder.errors import Errors, OutputError
from coder.ingest import DEFAULT_MAX_CHARS, InputItem, iter_inputs
from coder.io.writers import finalise, format_for
from coder.normalise.dedup import dedup_journal, dedup_path
from coder.pipeline import ArticleResult, Coder


@dataclass
class RunSummary:
    """What a run did, for the CLI's last line and for callers."""

    output: Path
    manifest: Path
    articles: int = 0
    records: int = 0
    statuses: Counter = field(default_factory=Counter)
    readable: int = 0
    resumed: int = 0
    merged: int = 0


def manifest_path(output: Path) -> Path:
    """``OUTPUT.manifest.jsonl`` beside OUTPUT."""
    return output.with_name(output.name + ".manifest.jsonl")


def journal_path(output: Path) -> Path:
    """``OUTPUT.partial.jsonl``: the records of a run still in progress."""
    return output.with_name(output.name + ".partial.jsonl")


def shard_of(key: str, num_shards: int) -> int:
    """Deterministic shard of an article key (crc32 modulo the shard count)."""
    return zlib.crc32(key.encode("utf-8")) % num_shards


def _complete_lines(path: Path) -> Iterator[tuple[str, dict]]:
    """``(raw line, parsed object)`` for each complete line; stops at a line cut by a crash."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                break
            try:
                yield line, json.loads(line)
            except json.JSONDecodeError:
                break


def recover(output: Path) -> dict[str, dict]:
    """Make the journal and manifest of an interrupted run consistent; return the finished articles.

    An article counts as finished when its manifest line is complete and the journal holds exactly
    ``events`` records for it. Everything else is dropped and will be coded again.
    """
    manifest, journal = manifest_path(output), journal_path(output)
    if not journal.exists() and output.exists() and format_for(output) == "jsonl":
        os.replace(output, journal)
    done = {m["article_id"]: (line, m) for line, m in _complete_lines(manifest)}
    counts: Counter[str] = Counter(r["article_id"] for _, r in _complete_lines(journal))
    done = {k: v for k, v in done.items() if counts.get(k, 0) == v[1]["events"]}
    _rewrite(journal, (line for line, r in _complete_lines(journal) if r["article_id"] in done))
    _rewrite(manifest, (line for line, _ in done.values()))
    return {k: m for k, (_, m) in done.items()}


def _rewrite(path: Path, lines: Iterable[str]) -> None:
    """Replace ``path`` atomically by ``lines`` (kept byte for byte)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    os.replace(tmp, path)


# -- worker processes -----------------------------------------------------------------------------
_WORKER: Coder | None = None


def _init_worker(model: str | None, options: dict, threads: int, backend: str = "onnx") -> None:
    global _WORKER
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
    _WORKER = Coder.load(model, backend=backend, threads=threads, **options)


def _work(chunk: list[InputItem]) -> list[ArticleResult]:
    assert _WORKER is not None
    return list(_WORKER.code_results(chunk))


def manifest_line(res: ArticleResult) -> str:
    """The manifest line of one article (with its newline)."""
    return json.dumps({"article_id": res.key, "status": res.status, "events": len(res.records), "error": res.error},
                      ensure_ascii=False) + "\n"


def prepare_backend(model: str | None, backend: str) -> None:
    """Create the model's ONNX export once, before worker processes each load it."""
    if backend != "torch":
        from coder.pipeline import default_model_path
        from coder.tagger.onnx import ensure_onnx

        ensure_onnx(Path(model) if model else default_model_path(), quantize=backend == "onnx-int8")


def _chunks(items: Iterable[InputItem], size: int) -> Iterator[list[InputItem]]:
    chunk: list[InputItem] = []
    for it in items:
        chunk.append(it)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def code_files(
    inputs: list[str],
    output: str | Path,
    *,
    fmt: str | None = None,
    lang: str = "auto",
    batch_size: int = 32,
    workers: int = 1,
    resume: bool = False,
    shard_index: int = 0,
    num_shards: int = 1,
    model: str | None = None,
    min_confidence: float = 0.0,
    force: bool = False,
    modalities: Iterable[str] = ("asserted",),
    max_chars: int = DEFAULT_MAX_CHARS,
    max_records: int | None = None,
    coder: Coder | None = None,
    progress: bool | None = None,
    backend: str = "onnx",
    threads: int | None = None,
    dedup: bool = False,
) -> RunSummary:
    """Code every article of ``inputs`` into ``output`` (see the module docstring).

    ``coder`` overrides ``model`` (tests pass a coder with a fake tagger). ``backend`` is ``torch``,
    ``onnx`` (int8) or ``onnx-fp32``; ``threads`` the intra-op threads of each process (default:
    the cores divided by ``workers``). ``dedup`` merges the records of one event reported several
    times before the final conversion (:mod:`coder.normalise.dedup`; ``summary.merged`` counts the
    records merged away, the side file ``OUTPUT.dedup.jsonl`` lists them). Raises
    :class:`~coder.errors.OutputError` when the output cannot be written or nothing could be read.
    """
    out = Path(output)
    fmt = format_for(out, fmt)
    manifest, journal = manifest_path(out), journal_path(out)
    if not 0 <= shard_index < num_shards:
        raise ValueError(f"--shard-index must be in [0, {num_shards})")
    from coder.tagger.base import BACKENDS

    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if force:
        for p in (out, manifest, journal, dedup_path(out)):
            p.unlink(missing_ok=True)
    elif not resume and (out.exists() or manifest.exists()):
        raise OutputError(Errors.E201.format(path=out if out.exists() else manifest))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        done = recover(out) if resume else {}
        if not resume:
            journal.unlink(missing_ok=True)
        jfh = open(journal, "a", encoding="utf-8")
        mfh = open(manifest, "a", encoding="utf-8")
    except OSError as exc:
        raise OutputError(Errors.E202.format(path=out, detail=exc)) from exc

    options = {"batch_size": batch_size, "min_confidence": min_confidence, "modalities": tuple(modalities),
               "max_chars": max_chars}
    if max_records is not None:
        options["max_records"] = max_records
    summary = RunSummary(out, manifest, resumed=len(done))

    def todo() -> Iterator[InputItem]:
        for item in iter_inputs(inputs, max_chars):
            if num_shards > 1 and shard_of(item.key, num_shards) != shard_index:
                continue
            if item.article is not None:
                summary.readable += 1
                if lang != "auto":
                    item.article.lang = lang
            if item.key in done:
                continue
            yield item

    from tqdm import tqdm

    bar = tqdm(desc="coding", unit=" articles", disable=None if progress is None else not progress, file=sys.stderr)
    pool = None
    try:
        chunk_size = 16
        if workers > 1:
            import multiprocessing as mp

            prepare_backend(model, backend)
            per_worker = threads or max(1, (os.cpu_count() or 1) // workers)
            pool = mp.get_context("spawn").Pool(workers, _init_worker, (model, options, per_worker, backend))
            results_iter = (r for rs in pool.imap(_work, _chunks(todo(), chunk_size)) for r in rs)
        else:
            if coder is None:
                coder = Coder.load(model, backend=backend, threads=threads, **options)
            results_iter = coder.code_results(todo())
        n_since_flush = 0
        for res in results_iter:
            for rec in res.records:
                jfh.write(rec.model_dump_json() + "\n")
            jfh.flush()
            mfh.write(manifest_line(res))
            n_since_flush += 1
            if n_since_flush >= chunk_size:
                mfh.flush()
                n_since_flush = 0
            summary.articles += 1
            summary.records += len(res.records)
            summary.statuses[res.status] += 1
            bar.update(1)
        jfh.flush()
        mfh.flush()
        os.fsync(jfh.fileno())
        os.fsync(mfh.fileno())
    except OSError as exc:
        raise OutputError(Errors.E202.format(path=out, detail=exc)) from exc
    finally:
        bar.close()
        if pool is not None:
            pool.close()
            pool.join()
        jfh.close()
        mfh.close()
    if summary.readable == 0 and summary.resumed == 0:
        raise OutputError(Errors.E205)
    summary.merged = finish_journal(journal, out, fmt, dedup)
    return summary


def finish_journal(journal: Path, out: Path, fmt: str, dedup: bool) -> int:
    """Optionally deduplicate a finished journal, then turn it into OUTPUT; returns the records merged."""
    merged = 0
    if dedup:
        try:
            merged = dedup_journal(journal, dedup_path(out)).merged
        except OSError as exc:
            raise OutputError(Errors.E202.format(path=out, detail=exc)) from exc
    finalise(journal, out, fmt)
    return merged
