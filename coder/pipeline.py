"""The Python API: :class:`Coder` codes texts and streams of articles into event records.

ingest → :func:`coder.document.prepare` (clean, language, date, sentences) → tagger → normaliser.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.document import Document, prepare
from coder.errors import CoderError, Errors, InputError
from coder.ingest import DEFAULT_MAX_CHARS, InputItem, article_from_dict
from coder.normalise.records import Normaliser
from coder.schema import Article, EventRecord
from coder.tagger.base import TaggedSpan, Tagger

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "coder-tagger-enfr"
DEFAULT_MAX_RECORDS = 500
"""At most this many records are kept per article (a hostile dump cannot flood the output)."""


def default_model_path() -> Path:
    """The shipped model: ``$CODER_MODEL`` if set, else ``models/coder-tagger-enfr`` of the checkout."""
    env = os.environ.get("CODER_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


@dataclass
class ArticleResult:
    """What became of one input article: its records, or why it has none."""

    key: str
    status: str
    records: list[EventRecord] = field(default_factory=list)
    error: str | None = None


class Coder:
    """Codes English and French news into contract records with any :class:`Tagger`."""

    def __init__(
        self,
        tagger: Tagger,
        *,
        batch_size: int = 32,
        min_confidence: float = 0.0,
        modalities: Iterable[str] = ("asserted",),
        max_records: int = DEFAULT_MAX_RECORDS,
        max_chars: int = DEFAULT_MAX_CHARS,
        chunk_articles: int = 16,
        overlap: bool = True,
    ) -> None:
        self.tagger = tagger
        self.normaliser = Normaliser(model_name=tagger.name, calibration=getattr(tagger, "calibration", None))
        self.batch_size = batch_size
        self.min_confidence = min_confidence
        self.modalities = frozenset(modalities)
        self.max_records = max_records
        self.max_chars = max_chars
        self.chunk_articles = chunk_articles
        self.overlap = overlap

    @classmethod
    def load(cls, path: str | Path | None = None, *, backend: str = "onnx", threads: int | None = None,
             **kwargs) -> Coder:
        """Load a trained tagger from ``path`` (default: the shipped model) and wrap it.

        ``backend``: ``onnx`` (ONNX Runtime fp32, the default: exported on first use and cached, the
        same spans as PyTorch), ``torch`` (PyTorch fp32), ``onnx-fp32`` (= ``onnx``) or ``onnx-int8``
        (dynamic int8 weights: fastest, may differ on uncertain words);
        ``threads``: the backend's intra-op threads (default: the library's choice).
        """
        from coder.tagger.hf import load_tagger

        tagger = load_tagger(Path(path) if path else default_model_path(), backend=backend, threads=threads)
        return cls(tagger, **kwargs)

    # -- public API -------------------------------------------------------------------------
    def code(self, text: str, date: str | None = None, lang: str | None = None, id: str = "text") -> list[EventRecord]:
        """Code one text. Raises :class:`~coder.errors.InputError` for unusable input."""
        item = article_from_dict({"id": id, "text": text, "date": date, "lang": lang}, id, self.max_chars)
        result = next(self.code_results([item]))
        if result.status == "error":
            raise InputError(result.error)
        return result.records

    def code_many(self, articles: Iterable[dict | Article]) -> Iterator[EventRecord]:
        """Stream the records of many articles (dicts or :class:`Article`); bad ones are logged and skipped."""
        for result in self.code_results(articles):
            if result.status == "error":
                log.warning("article %s not coded: %s", result.key, result.error)
            yield from result.records

    def code_results(self, items: Iterable[InputItem | dict | Article]) -> Iterator[ArticleResult]:
        """One :class:`ArticleResult` per input item, in input order (the batch job's core).

        Items are coded in chunks of ``chunk_articles``. With ``overlap``, a background thread reads
        and prepares the next chunk (cleaning, sentence splitting, tokenisation) while this one is
        in the model; results do not depend on it.
        """
        prepared = (self._prepare_chunk(chunk) for chunk in self._chunks(items))
        if self.overlap:
            prepared = _background(prepared)
        for chunk in prepared:
            yield from self._finish_chunk(chunk)

    # -- internals ----------------------------------------------------------------------------
    def _as_item(self, raw: InputItem | dict | Article, n: int) -> InputItem:
        if isinstance(raw, InputItem):
            return raw
        if isinstance(raw, Article):
            raw = raw.model_dump()
        return article_from_dict(raw, f"item-{n}", self.max_chars)

    def _chunks(self, items: Iterable[InputItem | dict | Article]) -> Iterator[list[InputItem]]:
        chunk: list[InputItem] = []
        for n, raw in enumerate(items):
            chunk.append(self._as_item(raw, n))
            if len(chunk) >= self.chunk_articles:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _code_chunk(self, items: list[InputItem]) -> Iterator[ArticleResult]:
        return self._finish_chunk(self._prepare_chunk(items))

    def _prepare_chunk(self, items: list[InputItem]) -> tuple[list[Document | ArticleResult], Any]:
        """Prepare the documents of a chunk and, when the tagger can, tokenise their sentences."""
        docs: list[Document | ArticleResult] = []
        for item in items:
            if item.article is None:
                docs.append(ArticleResult(item.key, "error", error=item.error))
                continue
            try:
                docs.append(prepare(item.article))
            except CoderError as exc:
                docs.append(ArticleResult(item.key, "error", error=str(exc)))
            except Exception as exc:  # noqa: BLE001 - one bad article must not stop a run
                docs.append(ArticleResult(item.key, "error", error=Errors.E120.format(detail=repr(exc))))
        encoded = None
        if hasattr(self.tagger, "encode") and hasattr(self.tagger, "tag_encoded"):
            try:
                encoded = self.tagger.encode([d.text[a:b] for d in docs if isinstance(d, Document) for a, b in d.sentences])
            except Exception:  # noqa: BLE001 - the sentence-by-sentence path isolates the culprit
                encoded = None
        return docs, encoded

    def _finish_chunk(self, prepared: tuple[list[Document | ArticleResult], Any]) -> Iterator[ArticleResult]:
        """Tag, normalise and filter a prepared chunk."""
        docs, encoded = prepared
        failed: dict[int, str] = {}
        tagged = self._tag_documents([d for d in docs if isinstance(d, Document)], encoded, failed)
        for d in docs:
            if isinstance(d, ArticleResult):
                yield d
                continue
            if id(d) in failed:
                yield ArticleResult(d.id, "error", error=Errors.E120.format(detail=failed[id(d)]))
                continue
            try:
                records = self.normaliser.normalise(d, tagged[id(d)])
            except Exception as exc:  # noqa: BLE001
                yield ArticleResult(d.id, "error", error=Errors.E120.format(detail=repr(exc)))
                continue
            records = [
                r for r in records if r.modality in self.modalities and r.confidence >= self.min_confidence
            ]
            error = None
            if len(records) > self.max_records:
                error = f"E121 {len(records)} records, truncated to the first {self.max_records} (--max-records)"
                records = records[: self.max_records]
            yield ArticleResult(d.id, "coded" if records else "no_event", records, error)

    def _tag_documents(
        self, docs: list[Document], encoded: Any = None, failed: dict[int, str] | None = None
    ) -> dict[int, list[list[TaggedSpan]]]:
        """Tag every sentence of ``docs`` in length-bucketed batches; spans per document.

        ``encoded`` (from the tagger's ``encode`` on the sentences of ``docs`` in order) lets the
        tagger sort windows by token count, so batches carry little padding. When a batch fails,
        its sentences are retried one by one and the documents of sentences that still fail are
        reported in ``failed`` (document key → message) instead of stopping the run.
        """
        if encoded is not None:
            try:
                results = iter(self.tagger.tag_encoded(encoded, batch_size=self.batch_size))
                return {id(d): [next(results) for _ in d.sentences] for d in docs}
            except Exception:  # noqa: BLE001 - fall back to the isolating path below
                pass
        flat: list[tuple[int, int, str, str]] = []  # (doc key, sentence index, text, lang)
        for d in docs:
            for i, (a, b) in enumerate(d.sentences):
                flat.append((id(d), i, d.text[a:b], d.lang))
        out: dict[int, list[list[TaggedSpan]]] = {id(d): [[] for _ in d.sentences] for d in docs}
        order = sorted(range(len(flat)), key=lambda k: len(flat[k][2]))
        for start in range(0, len(order), self.batch_size):
            batch = [flat[k] for k in order[start : start + self.batch_size]]
            try:
                results = self.tagger.tag([b[2] for b in batch], [b[3] for b in batch])
            except Exception:  # noqa: BLE001 - isolate the sentence that breaks the tagger
                results = []
                for b in batch:
                    try:
                        results.append(self.tagger.tag([b[2]], [b[3]])[0])
                    except Exception as exc:  # noqa: BLE001
                        results.append([])
                        if failed is not None:
                            failed[b[0]] = f"tagger failed on a sentence: {exc!r}"
            for (doc_key, idx, _, _), spans in zip(batch, results):
                out[doc_key][idx] = spans
        return out


_DONE = object()


def _background(source: Iterator, depth: int = 1) -> Iterator:
    """Run ``source`` in a daemon thread, ``depth`` items ahead; its exceptions are raised here.

    Closing the returned generator stops the thread at its next item.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for x in source:
                if not put((x, None)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put((_DONE, exc))
            return
        put((_DONE, None))

    thread = threading.Thread(target=run, name="coder-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            x, exc = q.get()
            if x is _DONE:
                if exc is not None:
                    raise exc
                return
            yield x
    finally:
        stop.set()
        thread.join(timeout=5.0)  # a source blocked on input (stdin) must not hang the caller
