"""Sentence segmentation for English and French, with character offsets into the article."""

from __future__ import annotations

import re
from functools import cache

_LINE_RE = re.compile(r"[^\n]+")


@cache
def _segmenter(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang if lang in ("en", "fr") else "en", clean=False)


_CHUNK = 2000
_BOUNDARY = re.compile(r"(?<=[.!?…»\"”])\s+(?=[A-ZÀ-ÝÉ«\"“(])")


def _chunks(line: str) -> list[tuple[int, int]]:
    """Cut a very long line into pieces of about ``_CHUNK`` characters at likely sentence ends.

    pysbd is superlinear on long inputs; a 1 MB single-line article would take minutes.
    """
    if len(line) <= 2 * _CHUNK:
        return [(0, len(line))]
    out, start = [], 0
    while len(line) - start > 2 * _CHUNK:
        m = _BOUNDARY.search(line, start + _CHUNK, start + 2 * _CHUNK)
        if m is None:
            ws = line.rfind(" ", start + _CHUNK // 2, start + 2 * _CHUNK)
            cut = ws + 1 if ws > start else start + 2 * _CHUNK
        else:
            cut = m.end()
        out.append((start, cut))
        start = cut
    out.append((start, len(line)))
    return out


def split_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return ``(start, end)`` character offsets, end-exclusive.

    Lines are segmented one by one (a line break always ends a sentence, as in news copy), each
    line with pysbd's rules for ``lang``. Leading and trailing whitespace is left out of a span.
    """
    spans: list[tuple[int, int]] = []
    pieces = ((m.start() + a, m.group()[a:b]) for m in _LINE_RE.finditer(text) for a, b in _chunks(m.group()))
    for base, chunk in pieces:
        if not chunk.strip():
            continue
        pos = 0
        for sent in _segmenter(lang).segment(chunk):
            stripped = sent.strip()
            if not stripped:
                continue
            idx = chunk.find(stripped, pos)
            if idx < 0:  # pysbd altered the text: fall back to the remaining line
                idx = pos
                stripped = chunk[pos:].strip()
                idx = chunk.find(stripped, pos)
            spans.append((base + idx, base + idx + len(stripped)))
            pos = idx + len(stripped)
            if pos >= len(chunk):
                break
    return spans
