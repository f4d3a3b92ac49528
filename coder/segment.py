"""Sentence segmentation for English and French, with character offsets into the article."""

from __future__ import annotations

import re
from functools import cache

_LINE_RE = re.compile(r"[^\n]+")


@cache
def _segmenter(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang if lang in ("en", "fr") else "en", clean=False)


def split_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return ``(start, end)`` character offsets, end-exclusive.

    Lines are segmented one by one (a line break always ends a sentence, as in news copy), each
    line with pysbd's rules for ``lang``. Leading and trailing whitespace is left out of a span.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE_RE.finditer(text):
        base = line.start()
        chunk = line.group()
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
