"""``coder evaluate``: load the gold, get predictions (a model or a file), score, write the report."""

from __future__ import annotations

import copy
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from coder.errors import Errors, InputError, OutputError
from coder.evaluate.gold import (
    GoldArticle,
    Predictions,
    articles_from_dicts,
    iter_json_lines,
    normalise_event,
    read_gold_jsonl,
    read_predictions,
)
from coder.evaluate.importers import FORMATS, LabelMapper, import_gold, parse_label_map
from coder.evaluate.report import build_report, write_report
from coder.evaluate.scoring import score
from coder.evaluate.spans import predict_spans
from coder.tagger.base import MODALITIES

log = logging.getLogger(__name__)


def load_gold(path: str | Path, fmt: str = "ours", label_map: dict | str | Path | None = None,
              lang: str | None = None) -> tuple[list[GoldArticle], Counter[str]]:
    """Gold articles from ``path`` in ``fmt`` (``ours`` or a tool format), and the dropped tool labels.

    ``lang`` fills in the language of articles that do not give one. For ``ours``, a label map
    renames span labels too (after it, labels must be ours).
    """
    if fmt not in FORMATS:
        raise InputError(Errors.E109.format(detail=f"unknown gold format {fmt!r}; choose one of {', '.join(FORMATS)}"))
    path = Path(path)
    if fmt == "ours":
        if not path.is_file():
            raise InputError(Errors.E110.format(path=path, detail="no such file"))
        dropped: Counter[str] = Counter()
        if label_map:
            mapper = LabelMapper(parse_label_map(label_map))
            rows = []
            for _, row in iter_json_lines(path):
                if isinstance(row, dict) and isinstance(row.get("spans"), list):
                    spans = []
                    for sp in row["spans"]:
                        label = mapper.map(str(sp.get("label")))[0] if isinstance(sp, dict) else None
                        if label is not None:
                            spans.append({**sp, "label": label})
                    row["spans"] = spans
                rows.append(row)
            articles = articles_from_dicts(rows, path.name)
            dropped = mapper.dropped
        else:
            articles = read_gold_jsonl(path)
    else:
        docs, dropped = import_gold(path, fmt, label_map, lang)
        articles = articles_from_dicts(docs, path.name)
    if lang:
        for a in articles:
            a.lang = a.lang or lang
    return articles, dropped


def code_gold(coder, articles: list[GoldArticle]) -> Predictions:
    """Code the gold articles with a :class:`~coder.pipeline.Coder`, keeping every modality."""
    coder = copy.copy(coder)
    coder.modalities = frozenset(MODALITIES)
    coder.min_confidence = 0.0
    records: dict[str, list[dict]] = {}
    errors: dict[str, str] = {}
    for art, result in zip(articles, coder.code_results([a.article_dict() for a in articles])):
        records[art.id] = [normalise_event(r.model_dump(mode="json"), strict=False) for r in result.records]
        if result.status == "error":
            errors[art.id] = result.error or "error"
    return Predictions(records, None, errors, source="model")


def run_evaluation(
    gold: str | Path,
    output: str | Path | None = None,
    *,
    model: str | Path | None = None,
    predictions: str | Path | None = None,
    fmt: str = "ours",
    label_map: dict | str | Path | None = None,
    lang: str | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    all_modalities: bool = False,
    spans: bool = True,
    batch_size: int = 32,
    coder: Any = None,
) -> dict:
    """Score predictions against a gold set and write the report; returns the ``report.json`` object.

    Predictions come from ``predictions`` (records JSONL from ``coder code``, or a gold-format
    JSONL), else from coding the gold articles with ``coder`` or the model at ``model`` (default:
    the shipped model; a missing model raises :class:`~coder.errors.ModelError` E301). With a model
    at hand and ``spans`` true, the gold sentences are also tagged for span-level scores.
    ``output`` is the report directory (nothing is written when None).
    """
    if bootstrap < 0:
        raise ValueError("bootstrap must be >= 0")
    if output is not None and Path(output).exists() and not Path(output).is_dir():
        raise OutputError(Errors.E202.format(path=output, detail="not a directory"))
    articles, dropped = load_gold(gold, fmt, label_map, lang)
    if not articles:
        raise InputError(Errors.E205)
    if coder is None and (predictions is None or model is not None):
        from coder.pipeline import Coder

        coder = Coder.load(model, batch_size=batch_size)
    if predictions is not None:
        preds = read_predictions(predictions)
        pred_path: str | None = str(predictions)
    else:
        preds = code_gold(coder, articles)
        pred_path = None
    span_source = "file" if preds.spans is not None else None
    if preds.spans is None and spans and coder is not None and any(a.spans is not None for a in articles):
        preds.spans = predict_spans(coder.tagger, [a for a in articles if a.spans is not None], batch_size)
        span_source = "model"
    ids = {a.id for a in articles}
    unknown = sum(len(v) for k, v in preds.records.items() if k not in ids)
    if unknown:
        log.warning("%d predicted records belong to articles that are not in the gold set; ignored", unknown)
    scored = score(articles, preds.records, preds.spans, all_modalities=all_modalities)
    report = build_report(
        scored,
        gold_info={"path": str(gold), "format": fmt, "dropped_labels": dict(dropped)},
        predictions_info={
            "source": "file" if predictions is not None else "model",
            "path": pred_path,
            "model": getattr(getattr(coder, "tagger", None), "name", None),
            "records": sum(len(v) for k, v in preds.records.items() if k in ids),
            "unknown_article_records": unknown,
            "articles_failed": len(preds.errors),
            "failures": dict(sorted(preds.errors.items())),
            "spans": span_source,
        },
        options={"all_modalities": all_modalities},
        n_boot=bootstrap,
        seed=seed,
    )
    if output is not None:
        write_report(report, output)
    return report
