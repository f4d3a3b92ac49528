"""Converters for public corpora → :class:`~coder.train.data.SentenceGold` (labels they lack are masked).

Each converter reads a corpus folder given by path (the corpora are never shipped with the
project) and is registered in :data:`CONVERTERS` under its ``kind``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from coder.train.data import SentenceGold

CONVERTERS: dict[str, Callable[[str], Iterator[SentenceGold]]] = {}


def register(kind: str):
    """Decorator: register a converter under ``kind``."""

    def deco(fn):
        CONVERTERS[kind] = fn
        return fn

    return deco


def read_corpus(kind: str, path: str) -> Iterator[SentenceGold]:
    """Sentences of the corpus at ``path`` read by the converter ``kind``."""
    if kind not in CONVERTERS:
        raise ValueError(f"unknown corpus kind {kind!r}; known: {sorted(CONVERTERS)}")
    yield from CONVERTERS[kind](path)
