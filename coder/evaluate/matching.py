"""One-to-one matching of gold events and predicted records within one article.

A gold event and a predicted record *may* match when

1. both give trigger offsets (``evidence.start``/``end``): the two trigger spans overlap;
2. otherwise, when both can be placed in a sentence (offsets, or the evidence sentence text):
   they are in the same sentence and have the same type;
3. otherwise (the gold event says nowhere where it is): they have the same type.

"Same type" compares ``event_type`` when the gold gives one, else ``cameo_root`` when the gold
gives one, else accepts any record. Among the allowed pairs, the assignment (scipy's
``linear_sum_assignment``) first maximises the number of matches, then prefers pairs whose
triggers overlap more and whose sub-event type, then CAMEO root, agree. A duplicate prediction
therefore matches nothing and counts as a false positive.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

import numpy as np


def offsets(event: dict) -> tuple[int, int] | None:
    """The trigger's ``(start, end)`` character offsets, or None."""
    ev = event.get("evidence") or {}
    start, end = ev.get("start"), ev.get("end")
    if isinstance(start, int) and isinstance(end, int) and end > start:
        return start, end
    return None


def cameo_root(event: dict) -> str | None:
    """The CAMEO root of an event (from ``cameo_root`` or the first two digits of ``cameo_code``)."""
    root = event.get("cameo_root")
    if root is None and event.get("cameo_code"):
        root = str(event["cameo_code"])[:2]
    return str(root).zfill(2) if root is not None else None


def same_type(gold: dict, pred: dict) -> bool:
    """Gold ``event_type`` equal when given, else ``cameo_root`` equal when given, else True."""
    if gold.get("event_type") is not None:
        return gold["event_type"] == pred.get("event_type")
    if cameo_root(gold) is not None:
        return cameo_root(gold) == cameo_root(pred)
    return True


class SentenceIndex:
    """Places events in the sentences of an article (computed lazily by ``sentences()``)."""

    def __init__(self, text: str, sentences: Callable[[], list[tuple[int, int]]]) -> None:
        self.text = text
        self._factory = sentences
        self._sentences: list[tuple[int, int]] | None = None

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """The article's sentence offsets."""
        if self._sentences is None:
            self._sentences = sorted(self._factory())
        return self._sentences

    def of(self, event: dict) -> int | None:
        """Index of the sentence holding the event's trigger (or its evidence sentence), or None."""
        off = offsets(event)
        if off is None:
            sent = ((event.get("evidence") or {}).get("sentence") or "").strip()
            if not sent:
                return None
            pos = self.text.find(sent)
            if pos < 0:
                return None
            off = (pos, pos + len(sent))
        starts = [a for a, _ in self.sentences]
        if not starts:
            return None
        return max(bisect_right(starts, off[0]) - 1, 0)


def _quality(gold: dict, pred: dict, overlap: float) -> float:
    q = overlap
    if gold.get("sub_event_type") is not None and gold["sub_event_type"] == pred.get("sub_event_type"):
        q += 0.5
    if cameo_root(gold) is not None and cameo_root(gold) == cameo_root(pred):
        q += 0.25
    return q


MAX_QUALITY = 1.75


def match_events(gold: list[dict], pred: list[dict], index: SentenceIndex | None = None) -> list[tuple[int, int]]:
    """Matched ``(gold index, pred index)`` pairs, one-to-one, sorted by gold index (see module doc)."""
    if not gold or not pred:
        return []
    from scipy.optimize import linear_sum_assignment

    n, m = len(gold), len(pred)
    big = MAX_QUALITY * (min(n, m) + 1) + 1.0
    weight = np.zeros((n, m), dtype=np.float64)
    for i, g in enumerate(gold):
        g_off = offsets(g)
        for j, p in enumerate(pred):
            p_off = offsets(p)
            if g_off is not None and p_off is not None:
                inter = min(g_off[1], p_off[1]) - max(g_off[0], p_off[0])
                if inter <= 0:
                    continue
                union = max(g_off[1], p_off[1]) - min(g_off[0], p_off[0])
                weight[i, j] = big + _quality(g, p, inter / union)
                continue
            if not same_type(g, p):
                continue
            gs = index.of(g) if index is not None else None
            if gs is not None:
                ps = index.of(p) if index is not None else None
                if ps is None or ps != gs:
                    continue
            weight[i, j] = big + _quality(g, p, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols) if weight[i, j] > 0)
