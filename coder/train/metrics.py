"""Tagger metrics on token examples: seqeval span scores and trigger class accuracy."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from coder.tagger.base import SPAN_LABELS


def _to_tags(ids, labels: list[str]) -> list[str]:
    return [labels[i] for i in ids]


def predict_examples(model, examples, batch_size: int = 32, pad_id: int = 1) -> list[dict]:
    """Token predictions (span label ids, class ids, modality ids) for each example."""
    model.eval()
    out = []
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    preds: dict[int, dict] = {}
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            idx = order[k : k + batch_size]
            width = max(len(examples[i].input_ids) for i in idx)
            ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                n = len(examples[i].input_ids)
                ids[r, :n] = torch.tensor(examples[i].input_ids)
                mask[r, :n] = 1
            res = model(input_ids=ids, attention_mask=mask)
            span = res["span_logits"].argmax(-1).numpy()
            cls = res["class_logits"].argmax(-1).numpy()
            mod = res["modality_logits"].argmax(-1).numpy()
            for r, i in enumerate(idx):
                n = len(examples[i].input_ids)
                preds[i] = {"span": span[r, :n], "class": cls[r, :n], "modality": mod[r, :n]}
    for i in range(len(examples)):
        out.append(preds[i])
    return out


def gold_tags(example, labels: list[str]) -> list[str]:
    """The gold BIO tags of an example (tokens whose label is fully determined)."""
    tags = []
    for row in example.allowed:
        tags.append(labels[int(np.argmax(row))] if row.sum() == 1 else "O")
    return tags


def evaluate_examples(model, examples, labels: list[str], classes: list[str], pad_id: int = 1) -> dict:
    """Per-language seqeval strict P/R/F1 per span label, and trigger class / modality accuracy.

    Class accuracy counts gold triggers whose span was found exactly (strict) and whose
    predicted class (majority over the trigger's tokens) is the gold class.
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    preds = predict_examples(model, examples, pad_id=pad_id)
    by_lang: dict[str, dict[str, list]] = defaultdict(lambda: {"gold": [], "pred": [], "cls": [0, 0], "mod": [0, 0]})
    for ex, p in zip(examples, preds):
        g = gold_tags(ex, labels)[1:-1]
        pr = _to_tags(p["span"], labels)[1:-1]
        pr = _repair(pr)
        for key in (ex.lang, "all"):
            by_lang[key]["gold"].append(g)
            by_lang[key]["pred"].append(pr)
        gold_spans = _spans(g)
        pred_spans = set(_spans(pr))
        for s, e, lab in gold_spans:
            if lab != "TRIGGER" or (s, e, lab) not in pred_spans:
                continue
            toks = range(s + 1, e + 2)  # _spans ends are inclusive; +1 for the CLS token
            gold_c = [ex.class_labels[t] for t in toks if ex.class_labels[t] >= 0]
            if gold_c:
                pred_c = np.bincount([p["class"][t] for t in toks]).argmax()
                for key in (ex.lang, "all"):
                    by_lang[key]["cls"][0] += int(pred_c == gold_c[0])
                    by_lang[key]["cls"][1] += 1
            gold_m = [ex.modality_labels[t] for t in toks if ex.modality_labels[t] >= 0]
            if gold_m:
                pred_m = np.bincount([p["modality"][t] for t in toks]).argmax()
                for key in (ex.lang, "all"):
                    by_lang[key]["mod"][0] += int(pred_m == gold_m[0])
                    by_lang[key]["mod"][1] += 1
    report = {}
    for lang, d in by_lang.items():
        rep = classification_report(d["gold"], d["pred"], mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
        report[lang] = {
            "spans": {lab: {k: round(float(rep[lab][k]), 4) for k in ("precision", "recall", "f1-score", "support")}
                      for lab in SPAN_LABELS if lab in rep},
            "micro_f1": round(float(rep["micro avg"]["f1-score"]), 4),
            "class_accuracy": round(d["cls"][0] / d["cls"][1], 4) if d["cls"][1] else None,
            "class_n": d["cls"][1],
            "modality_accuracy": round(d["mod"][0] / d["mod"][1], 4) if d["mod"][1] else None,
            "sentences": len(d["gold"]),
        }
    return report


def _repair(tags: list[str]) -> list[str]:
    """Turn an I- that does not continue a span of the same label into a B- (as decoding does)."""
    out, prev = [], "O"
    for t in tags:
        if t.startswith("I-") and prev[2:] != t[2:]:
            t = "B-" + t[2:]
        out.append(t)
        prev = t
    return out


def _spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans, start, lab = [], None, None
    for i, t in enumerate([*tags, "O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != lab):
            if start is not None:
                spans.append((start, i - 1, lab))
            start, lab = (i, t[2:]) if t != "O" else (None, None)
    return spans
