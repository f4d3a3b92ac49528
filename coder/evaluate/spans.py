"""Span-level scores of the tagger: seqeval strict on token BIO, nervaluate partial / exact / type.

Character spans are scored two ways, per article, so that the bootstrap can resample articles:

* **strict** (seqeval, IOB2 strict mode): both span sets are projected on the article's tokens
  (``\\w+`` runs and single punctuation marks; a span covers every token it overlaps), one BIO
  sequence per label, so spans of different labels may overlap. A span is right when its label
  and its first and last tokens are right. Same-label spans that overlap cannot both be written
  in BIO: the earliest (then longest) is kept, and the others are counted in ``dropped``.
  Tokens no span covers are squeezed out of the sequences (:func:`compressed_bio`), which leaves
  the counts unchanged and keeps long articles fast.
* **partial / exact / ent_type** (nervaluate, SemEval-2013 schema) on the character spans
  themselves: ``partial`` credits a boundary overlap as half right, whatever the label, and per
  label only spans of that label are compared.

:func:`predict_spans` gets predicted spans from a tagger: it tags the sentences that
:func:`coder.document.prepare` finds in each gold article and maps them back to article offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from coder.evaluate.gold import GoldArticle, Span
from coder.tagger.base import SPAN_LABELS

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
NERVALUATE_KINDS: tuple[str, ...] = ("partial", "exact", "ent_type")
NERVALUATE_COUNTS: tuple[str, ...] = ("correct", "incorrect", "partial", "missed", "spurious")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character offsets of the tokens of ``text`` (word runs and single punctuation marks)."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _token_range(tokens: list[tuple[int, int]], starts: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """Indices ``[i, j)`` of the tokens a character span overlaps, or None when it covers none."""
    i = int(np.searchsorted(starts, start, side="right")) - 1
    if i < 0 or tokens[i][1] <= start:
        i += 1
    j = int(np.searchsorted(starts, end, side="left"))
    return (i, j) if i < j else None


def token_ranges(spans: Iterable[Span], tokens: list[tuple[int, int]], label: str,
                 starts: np.ndarray | None = None) -> tuple[list[tuple[int, int]], int]:
    """Token ranges ``[i, j)`` of the ``label`` spans that BIO can hold, and how many it cannot.

    Spans are taken earliest first, longest first; one that covers no token or overlaps a range
    already taken is dropped. ``starts`` (the tokens' start offsets) may be passed to save work.
    """
    if starts is None:
        starts = np.array([a for a, _ in tokens], dtype=np.int64)
    taken: list[tuple[int, int]] = []
    dropped = 0
    reach = 0
    for start, end, _ in sorted((s for s in spans if s[2] == label), key=lambda s: (s[0], -(s[1] - s[0]))):
        rng = _token_range(tokens, starts, start, end)
        if rng is None or rng[0] < reach:
            dropped += 1
            continue
        taken.append(rng)
        reach = rng[1]
    return taken, dropped


def _tags(ranges: list[tuple[int, int]], length: int, label: str, pos: dict[int, int] | None = None) -> list[str]:
    tags = ["O"] * length
    for i, j in ranges:
        idx = list(range(i, j)) if pos is None else [pos[k] for k in range(i, j)]
        tags[idx[0]] = f"B-{label}"
        for k in idx[1:]:
            tags[k] = f"I-{label}"
    return tags


def spans_to_bio(spans: Iterable[Span], tokens: list[tuple[int, int]], label: str) -> tuple[list[str], int]:
    """IOB2 tags of the ``label`` spans over ``tokens``, and how many spans could not be written
    (see :func:`token_ranges`)."""
    ranges, dropped = token_ranges(spans, tokens, label)
    return _tags(ranges, len(tokens), label), dropped


def compressed_bio(gold: list[tuple[int, int]], pred: list[tuple[int, int]], label: str) -> tuple[list[str], list[str]]:
    """Gold and predicted IOB2 sequences over only the tokens some span covers.

    Runs of uncovered tokens shrink to one ``O``: entity boundaries, hence seqeval's strict
    counts, stay the same, and long articles cost nothing.
    """
    covered = sorted({k for i, j in (*gold, *pred) for k in range(i, j)})
    pos: dict[int, int] = {}
    n = 0
    prev = None
    for k in covered:
        if prev is not None and k != prev + 1:
            n += 1  # an O stands for the gap
        pos[k] = n
        n += 1
        prev = k
    return _tags(gold, n, label, pos), _tags(pred, n, label, pos)


@dataclass
class SpanCounts:
    """Per-article span counts: ``strict[label]`` is an ``(n_articles, 3)`` array of (tp, pred, gold);
    ``nerv[kind][label]`` an ``(n_articles, 5)`` array of nervaluate's (correct, incorrect,
    partial, missed, spurious), with ``label`` ``"overall"`` for all labels together.
    ``sequences[label]`` keeps the BIO sequences (gold, pred) for reference checks."""

    strict: dict[str, np.ndarray]
    nerv: dict[str, dict[str, np.ndarray]]
    dropped: dict[str, int] = field(default_factory=dict)
    sequences: dict[str, tuple[list[list[str]], list[list[str]]]] = field(default_factory=dict)


def span_counts(texts: list[str], gold: list[list[Span]], pred: list[list[Span]],
                labels: tuple[str, ...] = SPAN_LABELS, compress: bool = True) -> SpanCounts:
    """Strict (seqeval) and nervaluate counts, one row per article.

    ``compress`` scores BIO sequences cut down to the tokens spans cover (same counts, much
    faster on long articles); ``compress=False`` keeps one tag per token of the article.
    """
    from nervaluate import Evaluator
    from seqeval.scheme import IOB2, Entities

    n = len(texts)
    strict = {lab: np.zeros((n, 3), dtype=np.float64) for lab in labels}
    sequences: dict[str, tuple[list[list[str]], list[list[str]]]] = {lab: ([], []) for lab in labels}
    dropped = {"gold": 0, "pred": 0}
    for i, text in enumerate(texts):
        tokens = tokenize(text)
        starts = np.fromiter((a for a, _ in tokens), dtype=np.int64, count=len(tokens))
        for lab in labels:
            g_ranges, dg = token_ranges(gold[i], tokens, lab, starts)
            p_ranges, dp = token_ranges(pred[i], tokens, lab, starts)
            if compress:
                g, p = compressed_bio(g_ranges, p_ranges, lab)
            else:
                g, p = _tags(g_ranges, len(tokens), lab), _tags(p_ranges, len(tokens), lab)
            dropped["gold"] += dg
            dropped["pred"] += dp
            sequences[lab][0].append(g)
            sequences[lab][1].append(p)
            ge = set(Entities([g], IOB2).filter(lab))
            pe = set(Entities([p], IOB2).filter(lab))
            strict[lab][i] = (len(ge & pe), len(pe), len(ge))

    def as_dicts(spans: list[list[Span]]) -> list[list[dict]]:
        return [[{"label": lab, "start": a, "end": b - 1} for a, b, lab in sorted(doc) if lab in labels] for doc in spans]

    nerv = {k: {lab: np.zeros((n, 5), dtype=np.float64) for lab in (*labels, "overall")} for k in NERVALUATE_KINDS}
    if n:
        res = Evaluator(as_dicts(gold), as_dicts(pred), tags=list(labels), loader="dict").evaluate()
        for kind in NERVALUATE_KINDS:
            _fill(nerv[kind]["overall"], res["overall_indices"].get(kind))
            for lab in labels:
                _fill(nerv[kind][lab], res["entity_indices"].get(lab, {}).get(kind))
    return SpanCounts(strict, nerv, dropped, sequences)


def _fill(out: np.ndarray, indices) -> None:
    if indices is None:
        return
    n = out.shape[0]
    for col, name in enumerate(NERVALUATE_COUNTS):
        rows = [doc for doc, _ in getattr(indices, f"{name}_indices")]
        if rows:
            out[:, col] = np.bincount(rows, minlength=n)[:n]


def predict_spans(tagger, articles: list[GoldArticle], batch_size: int = 32) -> dict[str, list[Span]]:
    """Spans a tagger finds in each article, in article character offsets.

    The article goes through :func:`coder.document.prepare` (boilerplate masking, sentence
    splitting) exactly as when coding. An article that cannot be prepared gets no spans; one whose
    prepared text differs from the gold text (HTML input) gets none either, as offsets would not
    line up.
    """
    from coder.document import prepare
    from coder.errors import CoderError
    from coder.ingest import article_from_dict

    out: dict[str, list[Span]] = {}
    flat: list[tuple[str, int, str, str]] = []  # (article id, sentence start, sentence, lang)
    for art in articles:
        out[art.id] = []
        item = article_from_dict(art.article_dict(), art.id)
        if item.article is None:
            continue
        try:
            doc = prepare(item.article)
        except CoderError:
            continue
        if doc.text != art.text:
            continue
        flat.extend((art.id, a, doc.text[a:b], doc.lang) for a, b in doc.sentences)
    order = sorted(range(len(flat)), key=lambda k: len(flat[k][2]))
    for k in range(0, len(order), batch_size):
        batch = [flat[i] for i in order[k : k + batch_size]]
        tagged = tagger.tag([b[2] for b in batch], [b[3] for b in batch])
        for (art_id, base, _, _), spans in zip(batch, tagged):
            out[art_id].extend((base + s.start, base + s.end, s.label) for s in spans if s.label in SPAN_LABELS)
    return {k: sorted(v) for k, v in out.items()}
