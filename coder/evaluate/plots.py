"""Report figures, drawn with matplotlib's object API on the Agg canvas (no display, no pyplot state).

Each builder returns a :class:`matplotlib.figure.Figure` with a title and labelled axes, even
when there is nothing to plot (it then says so), so a report always has the same files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from coder.evaluate.metrics import N_BINS


def new_figure(width: float, height: float) -> Figure:
    """A figure attached to an Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def confusion_figure(labels: list[str], matrix: list[list[int]] | np.ndarray,
                     title: str = "ACLED sub-event type confusion (matched events)") -> Figure:
    """Counts of gold (rows) against predicted (columns) sub-event types."""
    n = len(labels)
    size = max(5.0, 0.45 * n + 3.0)
    fig = new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel("Predicted sub-event type")
    ax.set_ylabel("Gold sub-event type")
    if not n:
        _empty(ax, "no matched events")
        return fig
    m = np.asarray(matrix, dtype=float)
    im = ax.imshow(m, cmap="Blues", vmin=0, vmax=max(1.0, float(m.max())))
    ax.set_xticks(range(n), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    thresh = m.max() / 2 if m.size else 0
    for i in range(n):
        for j in range(n):
            if m[i, j]:
                ax.text(j, i, f"{int(m[i, j])}", ha="center", va="center", fontsize=7,
                        color="white" if m[i, j] > thresh else "black")
    fig.colorbar(im, ax=ax, label="Matched events")
    return fig


def reliability_figure(bins: dict[str, list[dict]], eces: dict[str, float | None]) -> Figure:
    """Reliability diagram: observed accuracy per confidence bin, one series per group."""
    fig = new_figure(6.5, 5.5)
    ax = fig.add_subplot()
    ax.set_title("Reliability diagram (record confidence vs. correct sub-event type)")
    ax.set_xlabel("Record confidence (bin mean)")
    ax.set_ylabel("Fraction of records correct")
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.5", label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    drawn = False
    overall = bins.get("overall") or []
    width = 1.0 / N_BINS
    xs = [b["lower"] + width / 2 for b in overall if b["count"]]
    ys = [b["accuracy"] for b in overall if b["count"]]
    if xs:
        ece = eces.get("overall")
        ax.bar(xs, ys, width=width * 0.9, alpha=0.35, color="tab:blue", edgecolor="tab:blue",
               label=f"overall accuracy per bin (ECE {ece:.3f})" if ece is not None else "overall accuracy per bin")
        drawn = True
    markers = {"overall": "o", "en": "s", "fr": "^"}
    for name, rows in bins.items():
        pts = [(b["mean_confidence"], b["accuracy"]) for b in rows if b["count"]]
        if not pts:
            continue
        x, y = zip(*pts)
        ece = eces.get(name)
        label = f"{name} (ECE {ece:.3f})" if ece is not None else name
        ax.plot(x, y, marker=markers.get(name, "o"), linestyle="-", label=label)
        drawn = True
    if not drawn:
        ax.text(0.5, 0.55, "no predicted records with a confidence", ha="center", va="center", color="0.4")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def span_f1_figure(per_label: dict[str, dict[str, dict]]) -> Figure:
    """Strict and partial F1 per span label with their bootstrap intervals.

    ``per_label[label][kind]`` is an estimate dict (``value``, ``ci_low``, ``ci_high``) for
    ``kind`` in ``strict`` and ``partial``.
    """
    fig = new_figure(7.5, 4.5)
    ax = fig.add_subplot()
    ax.set_title("Span F1 per label (all languages, 95 % bootstrap CI)")
    ax.set_xlabel("Span label")
    ax.set_ylabel("F1")
    labels = list(per_label)
    if not labels:
        _empty(ax, "no span annotation or no predicted spans")
        return fig
    x = np.arange(len(labels))
    width = 0.38
    for k, (kind, color) in enumerate((("strict", "tab:blue"), ("partial", "tab:orange"))):
        vals, lo, hi = [], [], []
        for lab in labels:
            est = per_label[lab].get(kind) or {}
            v = est.get("value")
            vals.append(v if v is not None else 0.0)
            lo.append(v - est["ci_low"] if v is not None and est.get("ci_low") is not None else 0.0)
            hi.append(est["ci_high"] - v if v is not None and est.get("ci_high") is not None else 0.0)
        ax.bar(x + (k - 0.5) * width, vals, width, yerr=[lo, hi], capsize=3, color=color,
               label=f"{kind} ({'seqeval' if kind == 'strict' else 'nervaluate'})")
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write a figure as PNG."""
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path
