"""Per-article counts of everything the report measures (record level, calibration, spans).

Rules (see also :mod:`coder.evaluate.matching`):

* **Detection** compares the *asserted* gold events with the *asserted* predicted records (an
  event or record without ``modality`` is asserted); ``all_modalities=True`` compares all of them.
* **Fields** are scored on the matched asserted pairs, only where the gold gives the field: a
  non-null value (``actor1.country`` needs a gold actor1 object with a country), except
  ``fatalities``, where an explicit ``null`` is scored too ("none stated": the record must say null).
* **Modality** is scored on a second matching of *all* gold events with *all* records, where the
  gold gives a modality. Predictions from ``coder code`` without ``--all-modalities`` hold
  asserted records only, so a negated gold event then counts as unmatched, not as wrong.
* **No-event articles** (gold ``"events": []``): every asserted record there is a false event.
* **Calibration**: each asserted record with a ``confidence`` is right when it is matched and its
  ``sub_event_type`` equals the gold one (its ``cameo_root`` when the gold sub-event type is
  null or absent; just matched when the gold gives neither).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.evaluate.gold import MODALITY_DEFAULT, GoldArticle, Span
from coder.evaluate.matching import SentenceIndex, cameo_root, match_events
from coder.evaluate.metrics import N_BINS, bin_of
from coder.evaluate.spans import NERVALUATE_COUNTS, NERVALUATE_KINDS, SpanCounts, span_counts
from coder.tagger.base import SPAN_LABELS

FIELDS: tuple[str, ...] = (
    "event_type", "sub_event_type", "cameo_root", "cameo_code",
    "actor1.text", "actor1.cameo_code", "actor1.country",
    "actor2.text", "actor2.cameo_code", "actor2.country",
    "location.country", "location.admin1", "event_date", "fatalities", "modality",
)
"""Fields scored on matched events, in report order."""

CLASS_FIELDS: tuple[str, ...] = ("event_type", "sub_event_type")
"""Fields that also get a macro-F1 and a scikit-learn classification report."""

NONE_LABEL = "(none)"
"""Class name of a null prediction (or an explicit null gold label in the confusion matrix)."""

LANGUAGES: tuple[str, ...] = ("en", "fr")

_PUNCT = " \t\n\"'«»“”‘’.,;:()[]"


def _text_key(value: Any) -> str | None:
    if value is None:
        return None
    s = unicodedata.normalize("NFKC", str(value)).casefold()
    return re.sub(r"\s+", " ", s).strip(_PUNCT) or None


def field_value(event: dict, name: str, *, predicted: bool = False) -> tuple[bool, Any]:
    """``(given, value)`` of a field of an event, normalised for comparison.

    ``given`` says whether a gold event gives the field (see module doc). Texts compare
    case-folded with spaces collapsed and outer punctuation stripped, codes upper-cased, dates
    by their ``YYYY-MM-DD`` part.
    """
    if "." in name:
        obj_name, sub = name.split(".", 1)
        obj = event.get(obj_name)
        if isinstance(obj, str):
            obj = {"text": obj}
        value = obj.get(sub) if isinstance(obj, dict) else None
    elif name == "cameo_root":
        value = cameo_root(event)
    else:
        value = event.get(name)
    if name == "fatalities":
        given = "fatalities" in event
        try:
            value = None if value is None else int(value)
        except (TypeError, ValueError):
            value = str(value)
        return given, value
    if name == "modality" and predicted and value is None:
        value = MODALITY_DEFAULT
    given = value is not None
    if value is None:
        return given, None
    if name.endswith((".text", ".admin1", ".name")):
        value = _text_key(value)
    elif name.endswith((".country", ".cameo_code")):
        value = str(value).strip().upper()
    elif name == "event_date":
        value = str(value)[:10]
    elif name in ("cameo_code", "cameo_root"):
        value = str(value).strip()
    return given, value


def modality_of(event: dict) -> str:
    """The event's modality, ``asserted`` when not given."""
    return event.get("modality") or MODALITY_DEFAULT


def calibration_correct(gold: dict | None, pred: dict) -> bool:
    """Whether a record counts as right for calibration (see module doc)."""
    if gold is None:
        return False
    if gold.get("sub_event_type") is not None:
        return gold["sub_event_type"] == pred.get("sub_event_type")
    if cameo_root(gold) is not None:
        return cameo_root(gold) == cameo_root(pred)
    return True


def article_language(article: GoldArticle) -> str:
    """The gold article's language: its ``lang``, else detected from the text."""
    if article.lang:
        return article.lang
    from coder.clean import detect_language

    return detect_language(article.text)


def _sentences(article: GoldArticle, lang: str) -> Callable[[], list[tuple[int, int]]]:
    def make() -> list[tuple[int, int]]:
        from coder.segment import split_sentences

        return split_sentences(article.text, lang if lang in LANGUAGES else "en")

    return make


@dataclass
class Scored:
    """Everything counted: per-article count columns and the lists behind tables and plots.

    ``counts[name]`` has one value per gold article. ``labels[field]`` lists ``(article row,
    gold label, predicted label)`` of matched pairs for classification reports and confusion
    matrices (gold null included as ``(none)``). ``calibration`` lists ``(row, confidence, right)``.
    """

    articles: list[GoldArticle]
    languages: list[str]
    counts: dict[str, np.ndarray]
    classes: dict[str, list[str]]
    labels: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    calibration: list[tuple[int, float, bool]] = field(default_factory=list)
    spans: SpanCounts | None = None
    span_rows: list[int] = field(default_factory=list)

    def rows(self, lang: str | None = None) -> np.ndarray:
        """Article rows of one language (all rows for None)."""
        return np.array([i for i, lg in enumerate(self.languages) if lang is None or lg == lang], dtype=np.int64)


def score(articles: list[GoldArticle], predictions: dict[str, list[dict]], pred_spans: dict[str, list[Span]] | None = None,
          *, all_modalities: bool = False) -> Scored:
    """Count, article by article, what the report measures (see module doc for the rules)."""
    n = len(articles)
    counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n))
    class_seen: dict[str, set[str]] = {f: set() for f in CLASS_FIELDS}
    per_class: list[tuple[int, str, str, str]] = []  # (row, field, gold, pred)
    labels: dict[str, list[tuple[int, str, str]]] = {f: [] for f in CLASS_FIELDS}
    calibration: list[tuple[int, float, bool]] = []
    languages = [article_language(a) for a in articles]

    for i, art in enumerate(articles):
        if art.events is None:
            continue
        counts["n.record_articles"][i] = 1
        preds = predictions.get(art.id, [])
        index = SentenceIndex(art.text, _sentences(art, languages[i]))
        gold_a = [g for g in art.events if all_modalities or modality_of(g) == "asserted"]
        pred_a = [p for p in preds if all_modalities or modality_of(p) == "asserted"]
        counts["n.gold_events"][i] = len(art.events)
        counts["n.pred_records"][i] = len(preds)
        pairs = match_events(gold_a, pred_a, index)
        counts["det.tp"][i] = len(pairs)
        counts["det.pred"][i] = len(pred_a)
        counts["det.gold"][i] = len(gold_a)
        matched_gold = {j: gold_a[g] for g, j in pairs}
        for g_idx, p_idx in pairs:
            g, p = gold_a[g_idx], pred_a[p_idx]
            for name in FIELDS:
                if name == "modality":
                    continue
                given, gv = field_value(g, name)
                if name in CLASS_FIELDS and name in g:
                    labels[name].append((i, gv if gv is not None else NONE_LABEL,
                                         field_value(p, name, predicted=True)[1] or NONE_LABEL))
                if not given:
                    continue
                _, pv = field_value(p, name, predicted=True)
                counts[f"field.{name}.n"][i] += 1
                counts[f"field.{name}.ok"][i] += float(gv == pv)
                if name in CLASS_FIELDS:
                    pl = pv if pv is not None else NONE_LABEL
                    class_seen[name].update((gv, pl))
                    per_class.append((i, name, gv, pl))
        for g_idx, p_idx in match_events(art.events, preds, index):
            given, gv = field_value(art.events[g_idx], "modality")
            if given:
                _, pv = field_value(preds[p_idx], "modality", predicted=True)
                counts["field.modality.n"][i] += 1
                counts["field.modality.ok"][i] += float(gv == pv)
        if not art.events:
            counts["noev.articles"][i] = 1
            counts["noev.false"][i] = len(pred_a)
            counts["noev.flagged"][i] = float(bool(pred_a))
        for j, p in enumerate(pred_a):
            conf = p.get("confidence")
            if not isinstance(conf, (int, float)) or isinstance(conf, bool):
                continue
            conf = min(max(float(conf), 0.0), 1.0)
            ok = calibration_correct(matched_gold.get(j), p)
            b = bin_of(conf)
            counts[f"cal.{b}.n"][i] += 1
            counts[f"cal.{b}.conf"][i] += conf
            counts[f"cal.{b}.ok"][i] += float(ok)
            calibration.append((i, conf, ok))

    classes = {f: sorted(v) for f, v in class_seen.items()}
    for i, name, gv, pl in per_class:
        counts[f"macro.{name}.{gv}.gold"][i] += 1
        counts[f"macro.{name}.{pl}.pred"][i] += 1
        if gv == pl:
            counts[f"macro.{name}.{gv}.tp"][i] += 1

    spans = None
    span_rows: list[int] = []
    if pred_spans is not None:
        span_rows = [i for i, a in enumerate(articles) if a.spans is not None]
        if span_rows:
            spans = span_counts([articles[i].text for i in span_rows], [list(articles[i].spans or []) for i in span_rows],
                                [pred_spans.get(articles[i].id, []) for i in span_rows])
            rows = np.array(span_rows)
            for i in span_rows:
                counts["n.span_articles"][i] = 1
            for lab in SPAN_LABELS:
                for col, key in enumerate(("tp", "pred", "gold")):
                    counts[f"strict.{lab}.{key}"][rows] = spans.strict[lab][:, col]
                    counts[f"strict.micro.{key}"][rows] += spans.strict[lab][:, col]
            for kind in NERVALUATE_KINDS:
                for lab, arr in spans.nerv[kind].items():
                    for col, key in enumerate(NERVALUATE_COUNTS):
                        counts[f"{kind}.{lab}.{key}"][rows] = arr[:, col]
    for b in range(N_BINS):  # every bin exists, so reports always show ten
        for key in ("n", "conf", "ok"):
            _ = counts[f"cal.{b}.{key}"]
    return Scored(articles, languages, dict(counts), classes, labels, calibration, spans, span_rows)
