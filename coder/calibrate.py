"""Confidence calibration: isotonic regression of raw record scores on a dev split.

A record's raw score is the trigger's span probability times its class probability. On dev
articles a record counts as right when a gold event's trigger overlaps its trigger and the
ACLED sub-event type agrees (the CAMEO root when the gold event is outside ACLED's scope). The
fitted monotone map is stored as ``calibration.json`` in the model directory and applied by
:func:`apply_calibration` at coding time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

CALIBRATION_FILE = "calibration.json"


def record_is_right(rec: dict, gold_events: list[dict]) -> bool:
    """True when ``rec`` matches a gold event by trigger overlap and type (see module docstring)."""
    s, e = rec["evidence"]["start"], rec["evidence"]["end"]
    for g in gold_events:
        ev = g.get("evidence") or {}
        if "start" not in ev or ev["start"] >= e or ev["end"] <= s:
            continue
        if g.get("sub_event_type") is not None or rec.get("sub_event_type") is not None:
            if g.get("sub_event_type") == rec.get("sub_event_type"):
                return True
        elif g.get("cameo_root") == rec.get("cameo_root"):
            return True
    return False


def collect(coder, gold_articles: Iterable[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores and right/wrong labels of every record the coder writes for the gold articles."""
    scores, labels = [], []
    for art in gold_articles:
        for rec in coder.code(art["text"], date=art.get("date"), lang=art.get("lang"), id=art["id"]):
            d = rec.model_dump(mode="json")
            raw = d["confidence"]
            scores.append(raw)
            labels.append(record_is_right(d, art.get("events", [])))
    return np.asarray(scores, dtype=float), np.asarray(labels, dtype=float)


def fit(scores: np.ndarray, labels: np.ndarray) -> dict:
    """Fit an isotonic map; returns ``{"x": [...], "y": [...]}`` for :func:`numpy.interp`."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    iso.fit(scores, labels)
    return {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_],
            "n": int(len(scores)), "method": "isotonic"}


def expected_calibration_error(conf: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """ECE with ``bins`` equal-width bins: sum over bins of |accuracy − mean confidence| × share."""
    conf = np.asarray(conf, dtype=float)
    right = np.asarray(right, dtype=float)
    if conf.size == 0:
        return 0.0
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(right[m].mean() - conf[m].mean())
    return float(ece)


def apply_calibration(raw: float, table: dict | None) -> float:
    """Calibrated probability of a raw score (identity without a table)."""
    if not table or not table.get("x"):
        return raw
    return float(np.interp(raw, table["x"], table["y"]))


def load_calibration(model_dir: Path) -> dict | None:
    """The calibration table saved beside a model, if any."""
    path = Path(model_dir) / CALIBRATION_FILE
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def calibrate_model(model_dir: Path, dev_files: list[str]) -> dict:
    """Fit the calibration on ``dev_files`` with the model at ``model_dir`` and save it there."""
    from coder.pipeline import Coder
    from coder.train.data import read_gold

    (Path(model_dir) / CALIBRATION_FILE).unlink(missing_ok=True)
    coder = Coder.load(model_dir, modalities=("asserted", "negated", "hypothetical", "future"))
    arts = [a for f in dev_files for a in read_gold(f)]
    scores, labels = collect(coder, arts)
    table = fit(scores, labels)
    table["ece_before"] = round(expected_calibration_error(scores, labels), 4)
    table["ece_after_on_dev"] = round(expected_calibration_error(np.interp(scores, table["x"], table["y"]), labels), 4)
    (Path(model_dir) / CALIBRATION_FILE).write_text(json.dumps(table, indent=1))
    return table
