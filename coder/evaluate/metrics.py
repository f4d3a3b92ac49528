"""Metrics as functions of summed per-article counts, with article-bootstrap confidence intervals.

Every figure of the report is a ratio of sums of per-article counts (true positives, predictions,
gold events, correct fields, calibration bins...). Keeping the counts per article makes the
bootstrap cheap: a resample of articles is a vector of multiplicities ``w`` and its sums are
``w @ counts``, so 1,000 resamples are one matrix product. The interval is the 2.5th-97.5th
percentile of the resampled values; resamples where a figure is undefined (nothing to divide
by) are left out of its interval.

Conventions: precision is undefined (null) without predictions, recall without gold items, and
``F1 = 2·TP / (predicted + gold)`` (the harmonic mean where both exist, 0 when there is gold but
no prediction). Macro-F1 averages the F1 of every class seen in gold or predictions, as
scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

CalFn = Callable[["Sums"], np.ndarray]
N_BINS = 10
"""Equal-width confidence bins of the calibration error and the reliability diagram."""


class Sums(Mapping[str, np.ndarray]):
    """Column sums by count name; a name never counted reads as zeros."""

    def __init__(self, names: list[str], values: np.ndarray) -> None:
        self._index = {k: i for i, k in enumerate(names)}
        self._values = values  # (b, K)

    def __getitem__(self, key: str) -> np.ndarray:
        i = self._index.get(key)
        if i is None:
            return np.zeros(self._values.shape[0])
        return self._values[:, i]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def size(self) -> int:
        """Number of resamples (rows) summed."""
        return self._values.shape[0]


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` elementwise, NaN where ``den`` is 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def prf(tp: str, pred: str, gold: str) -> dict[str, CalFn]:
    """Precision, recall and F1 from the names of the TP / predicted / gold counts."""
    return {
        "precision": lambda s: ratio(s[tp], s[pred]),
        "recall": lambda s: ratio(s[tp], s[gold]),
        "f1": lambda s: ratio(2 * s[tp], s[pred] + s[gold]),
    }


def nervaluate_prf(prefix: str, partial_credit: bool) -> dict[str, CalFn]:
    """nervaluate's precision / recall / F1 from ``{prefix}.correct`` etc. (half credit for partial)."""

    def parts(s):
        cor, inc, par, mis, spu = (s[f"{prefix}.{k}"] for k in ("correct", "incorrect", "partial", "missed", "spurious"))
        num = cor + 0.5 * par if partial_credit else cor
        return num, cor + inc + par + spu, cor + inc + par + mis

    return {
        "precision": lambda s: ratio(parts(s)[0], parts(s)[1]),
        "recall": lambda s: ratio(parts(s)[0], parts(s)[2]),
        "f1": lambda s: ratio(2 * parts(s)[0], parts(s)[1] + parts(s)[2]),
    }


def macro_f1(prefix: str, classes: list[str]) -> CalFn:
    """Mean F1 over the classes with gold or predicted items (``{prefix}.{class}.tp/pred/gold``)."""

    def fn(s: Sums) -> np.ndarray:
        if not classes:
            return np.full(s.size, np.nan)
        tp = np.stack([s[f"{prefix}.{c}.tp"] for c in classes])
        den = np.stack([s[f"{prefix}.{c}.pred"] + s[f"{prefix}.{c}.gold"] for c in classes])
        f1 = 2 * tp / np.maximum(den, 1)
        present = den > 0
        return ratio((f1 * present).sum(0), present.sum(0))

    return fn


def ece(prefix: str = "cal") -> CalFn:
    """Expected calibration error from ``{prefix}.{bin}.n / .conf / .ok`` bin sums."""

    def fn(s):
        gap = sum(np.abs(s[f"{prefix}.{b}.ok"] - s[f"{prefix}.{b}.conf"]) for b in range(N_BINS))
        total = sum(s[f"{prefix}.{b}.n"] for b in range(N_BINS))
        return ratio(gap, total)

    return fn


def bin_of(confidence: float, n_bins: int = N_BINS) -> int:
    """Bin of a confidence, as scikit-learn's ``calibration_curve`` bins (right-closed, first bin closed)."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return int(np.searchsorted(edges[1:-1], confidence))


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


@dataclass
class Estimate:
    """A point estimate and its bootstrap 95 % interval (None where undefined or not computed)."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None

    def as_dict(self) -> dict:
        """``{"value", "ci_low", "ci_high"}`` rounded to 4 decimals."""
        return {"value": _round(self.value), "ci_low": _round(self.ci_low), "ci_high": _round(self.ci_high)}


def estimate(counts: Mapping[str, np.ndarray], rows: np.ndarray, metrics: Mapping[str, CalFn],
             n_boot: int = 1000, seed: int | np.random.SeedSequence = 0, block_cells: int = 20_000_000) -> dict[str, Estimate]:
    """Point estimates of ``metrics`` on the articles ``rows``, with percentile bootstrap intervals.

    ``counts[name]`` holds one value per article. Resamples draw ``len(rows)`` articles with
    replacement (multinomial multiplicities), ``n_boot`` times, from a generator seeded by ``seed``.
    """
    names = sorted(counts)
    n = len(rows)
    mat = np.stack([np.asarray(counts[k], dtype=np.float64)[rows] for k in names], axis=1) if names else np.zeros((n, 0))
    point = Sums(names, mat.sum(0, keepdims=True))
    out: dict[str, Estimate] = {}
    values = {k: float(fn(point)[0]) for k, fn in metrics.items()}
    boot: dict[str, list[np.ndarray]] = {k: [] for k in metrics}
    if n_boot > 0 and n > 0:
        rng = np.random.default_rng(seed)
        p = np.full(n, 1.0 / n)
        step = max(1, min(n_boot, block_cells // max(n, 1)))
        done = 0
        while done < n_boot:
            b = min(step, n_boot - done)
            w = rng.multinomial(n, p, size=b).astype(np.float64)
            sums = Sums(names, w @ mat)
            for k, fn in metrics.items():
                boot[k].append(np.asarray(fn(sums), dtype=np.float64))
            done += b
    for k, v in values.items():
        if not np.isfinite(v):
            out[k] = Estimate(None)
            continue
        lo = hi = None
        if boot[k]:
            vals = np.concatenate(boot[k])
            vals = vals[np.isfinite(vals)]
            if vals.size:
                lo, hi = np.percentile(vals, [2.5, 97.5])
        out[k] = Estimate(v, lo, hi)
    return out
