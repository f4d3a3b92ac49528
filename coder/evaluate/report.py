"""Assemble ``report.json`` (stable keys) and ``report.md`` (tables) from the counts.

Every figure is an estimate object ``{"value", "ci_low", "ci_high"}`` (null where undefined);
groups are ``overall``, ``en`` and ``fr`` (always present; a language without articles has null
figures). The keys are documented in ``coder/evaluate/README.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from coder import __version__
from coder.evaluate.metrics import N_BINS, CalFn, ece, estimate, macro_f1, nervaluate_prf, prf, ratio
from coder.evaluate.scoring import CLASS_FIELDS, FIELDS, LANGUAGES, NONE_LABEL, Scored
from coder.evaluate.spans import NERVALUATE_KINDS
from coder.tagger.base import SPAN_LABELS

SCHEMA_VERSION = 1
GROUPS: tuple[str, ...] = ("overall", *LANGUAGES)
PLOTS = {
    "confusion_sub_event_type": "confusion_sub_event_type.png",
    "reliability": "reliability.png",
    "span_f1": "span_f1.png",
}
"""Plot key → file name in the report directory."""

RULES = {
    "matching": "per article, one-to-one (scipy linear_sum_assignment): overlapping trigger offsets when both "
                "have evidence offsets, else same sentence and same event_type (or cameo_root) when both can be "
                "placed in a sentence, else same type; most matches first, then largest trigger overlap and "
                "agreeing sub_event_type / cameo_root",
    "detection": "asserted gold events vs asserted records (missing modality = asserted) unless all_modalities",
    "fields": "scored on matched pairs where the gold gives a non-null value; fatalities also where the gold says "
              "null (none stated); modality on a matching of all gold events with all records",
    "no_event": "articles whose gold says \"events\": []; each asserted record there is a false event",
    "calibration": f"ECE over {N_BINS} equal-width bins of record confidence; a record is right when matched "
                   "and its sub_event_type (cameo_root where the gold sub_event_type is null) is right",
    "spans": "strict: seqeval IOB2 strict on per-label token BIO; partial/exact/ent_type: nervaluate on "
             "character spans (partial gives half credit to boundary overlaps)",
    "bootstrap": "articles resampled with replacement; 95 % percentile interval; undefined resamples skipped",
}


def metric_specs(scored: Scored) -> dict[str, CalFn]:
    """Every bootstrapped figure by flat name (``detection.f1``, ``fields.event_type.accuracy``...)."""
    specs: dict[str, CalFn] = {f"detection.{k}": fn for k, fn in prf("det.tp", "det.pred", "det.gold").items()}
    for name in FIELDS:
        specs[f"fields.{name}.accuracy"] = (lambda s, f=name: ratio(s[f"field.{f}.ok"], s[f"field.{f}.n"]))
    for name in CLASS_FIELDS:
        specs[f"fields.{name}.macro_f1"] = macro_f1(f"macro.{name}", scored.classes[name])
    specs["no_event.false_event_rate"] = lambda s: ratio(s["noev.flagged"], s["noev.articles"])
    specs["no_event.false_events_per_article"] = lambda s: ratio(s["noev.false"], s["noev.articles"])
    specs["calibration.ece"] = ece("cal")
    if scored.spans is not None:
        for lab in (*SPAN_LABELS, "micro"):
            for k, fn in prf(f"strict.{lab}.tp", f"strict.{lab}.pred", f"strict.{lab}.gold").items():
                specs[f"spans.strict.{lab}.{k}"] = fn
        for kind in NERVALUATE_KINDS:
            for lab in (*SPAN_LABELS, "overall"):
                for k, fn in nervaluate_prf(f"{kind}.{lab}", kind in ("partial", "ent_type")).items():
                    specs[f"spans.{kind}.{lab}.{k}"] = fn
    return specs


def _int(x: Any) -> int:
    return int(round(float(x)))


def _group_block(scored: Scored, rows: np.ndarray, est: dict[str, Any]) -> dict:
    c = {k: float(v[rows].sum()) for k, v in scored.counts.items()} if len(rows) else {}

    def n(key: str) -> int:
        return _int(c.get(key, 0.0))

    def e(key: str) -> dict:
        return est[key].as_dict()

    block: dict[str, Any] = {
        "articles": int(len(rows)),
        "record_articles": n("n.record_articles"),
        "gold_events": n("n.gold_events"),
        "pred_records": n("n.pred_records"),
        "detection": {**{k: e(f"detection.{k}") for k in ("precision", "recall", "f1")},
                      "tp": n("det.tp"), "predicted": n("det.pred"), "gold": n("det.gold")},
        "fields": {},
        "no_event": {
            "articles": n("noev.articles"), "false_events": n("noev.false"),
            "articles_with_false_events": n("noev.flagged"),
            "false_event_rate": e("no_event.false_event_rate"),
            "false_events_per_article": e("no_event.false_events_per_article"),
        },
    }
    for name in FIELDS:
        f = {"accuracy": e(f"fields.{name}.accuracy"), "n": n(f"field.{name}.n"), "correct": n(f"field.{name}.ok")}
        if name in CLASS_FIELDS:
            f["macro_f1"] = e(f"fields.{name}.macro_f1")
        block["fields"][name] = f
    bins = []
    for b in range(N_BINS):
        cnt = c.get(f"cal.{b}.n", 0.0)
        bins.append({
            "lower": round(b / N_BINS, 2), "upper": round((b + 1) / N_BINS, 2), "count": _int(cnt),
            "mean_confidence": round(c[f"cal.{b}.conf"] / cnt, 4) if cnt else None,
            "accuracy": round(c[f"cal.{b}.ok"] / cnt, 4) if cnt else None,
        })
    block["calibration"] = {"ece": e("calibration.ece"), "records": sum(x["count"] for x in bins), "bins": bins}
    if scored.spans is None:
        block["spans"] = None
    else:
        sp: dict[str, Any] = {"articles": n("n.span_articles"), "strict": {}}
        for lab in (*SPAN_LABELS, "micro"):
            sp["strict"][lab] = {**{k: e(f"spans.strict.{lab}.{k}") for k in ("precision", "recall", "f1")},
                                 "tp": n(f"strict.{lab}.tp"), "predicted": n(f"strict.{lab}.pred"),
                                 "support": n(f"strict.{lab}.gold")}
        for kind in NERVALUATE_KINDS:
            sp[kind] = {}
            for lab in (*SPAN_LABELS, "overall"):
                counts = {k: n(f"{kind}.{lab}.{k}") for k in ("correct", "incorrect", "partial", "missed", "spurious")}
                sp[kind][lab] = {**{k: e(f"spans.{kind}.{lab}.{k}") for k in ("precision", "recall", "f1")}, **counts}
        block["spans"] = sp
    return block


def _labels_for(scored: Scored, field: str, rows: np.ndarray) -> tuple[list[str], list[str]]:
    keep = set(rows.tolist())
    pairs = [(g, p) for i, g, p in scored.labels.get(field, []) if i in keep]
    return [g for g, _ in pairs], [p for _, p in pairs]


def classification_reports(scored: Scored, rows: np.ndarray) -> dict:
    """scikit-learn classification reports of event_type and sub_event_type on matched pairs (gold non-null)."""
    from sklearn.metrics import classification_report

    out = {}
    for field in CLASS_FIELDS:
        y_true, y_pred = _labels_for(scored, field, rows)
        pairs = [(g, p) for g, p in zip(y_true, y_pred) if g != NONE_LABEL]
        if not pairs:
            out[field] = None
            continue
        yt, yp = zip(*pairs)
        out[field] = classification_report(list(yt), list(yp), output_dict=True, zero_division=0)
    return out


def confusion(scored: Scored, rows: np.ndarray, field: str = "sub_event_type") -> dict:
    """Confusion matrix (scikit-learn) of a class field on matched pairs, gold ``(none)`` included."""
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = _labels_for(scored, field, rows)
    labels = sorted(set(y_true) | set(y_pred), key=lambda x: (x == NONE_LABEL, x))
    if not labels:
        return {"labels": [], "matrix": []}
    if len(labels) == 1:  # scikit-learn warns about a 1x1 matrix; it is just the count
        return {"labels": labels, "matrix": [[len(y_true)]]}
    m = confusion_matrix(y_true, y_pred, labels=labels)
    return {"labels": labels, "matrix": m.tolist()}


def build_report(scored: Scored, *, gold_info: dict, predictions_info: dict, options: dict,
                 n_boot: int = 1000, seed: int = 0) -> dict:
    """The full ``report.json`` object."""
    specs = metric_specs(scored)
    scores, reports = {}, {}
    for gi, group in enumerate(GROUPS):
        rows = scored.rows(None if group == "overall" else group)
        est = estimate(scored.counts, rows, specs, n_boot=n_boot, seed=np.random.SeedSequence([seed, gi]))
        scores[group] = _group_block(scored, rows, est)
        reports[group] = classification_reports(scored, rows)
    langs: dict[str, int] = {}
    for lg in scored.languages:
        langs[lg] = langs.get(lg, 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "coder_version": __version__,
        "gold": {**gold_info, "articles": len(scored.articles), "languages": dict(sorted(langs.items())),
                 "events": sum(len(a.events or []) for a in scored.articles),
                 "record_articles": sum(a.events is not None for a in scored.articles),
                 "no_event_articles": sum(a.events == [] for a in scored.articles),
                 "span_articles": sum(a.spans is not None for a in scored.articles)},
        "predictions": predictions_info,
        "options": {**options, "bootstrap": n_boot, "seed": seed, "ci": 0.95, "calibration_bins": N_BINS},
        "rules": RULES,
        "scores": scores,
        "classification_reports": reports,
        "confusion": {"sub_event_type": confusion(scored, scored.rows())},
        "files": {"json": "report.json", "markdown": "report.md", "plots": dict(PLOTS)},
    }


# -- Markdown -------------------------------------------------------------------------------


def fmt_estimate(est: dict | None, digits: int = 3) -> str:
    """``0.833 [0.612, 0.950]``, or ``–`` when undefined."""
    if not est or est.get("value") is None:
        return "–"
    s = f"{est['value']:.{digits}f}"
    if est.get("ci_low") is not None:
        s += f" [{est['ci_low']:.{digits}f}, {est['ci_high']:.{digits}f}]"
    return s


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def markdown(report: dict) -> str:
    """``report.md``: the tables a person reads, with the plots."""
    s = report["scores"]
    g, p, o = report["gold"], report["predictions"], report["options"]
    groups = [k for k in GROUPS]
    head = ["", *[f"{k} (n={s[k]['articles']})" for k in groups]]
    lines = ["# Evaluation report", ""]
    lines.append(f"- Gold: `{g.get('path')}` ({g.get('format')}), {g['articles']} articles "
                 f"({', '.join(f'{k}: {v}' for k, v in g['languages'].items())}), {g['events']} events, "
                 f"{g['no_event_articles']} articles without events, {g['span_articles']} with spans.")
    src = f"model `{p.get('model')}`" if p.get("source") == "model" else f"file `{p.get('path')}`"
    lines.append(f"- Predictions: {src}, {p.get('records', 0)} records; {p.get('articles_failed', 0)} articles failed.")
    lines.append(f"- Detection counts {'all modalities' if o.get('all_modalities') else 'asserted events only'}; "
                 f"95 % CIs from {o['bootstrap']} article bootstrap resamples (seed {o['seed']}).")
    if g.get("dropped_labels"):
        lines.append(f"- Import dropped these unmapped labels: {g['dropped_labels']} (use `--label-map`).")
    lines += ["", "## Events", ""]
    rows = []
    for k in ("precision", "recall", "f1"):
        rows.append([f"Detection {k}", *[fmt_estimate(s[x]["detection"][k]) for x in groups]])
    rows.append(["TP / predicted / gold", *[f"{s[x]['detection']['tp']} / {s[x]['detection']['predicted']} / "
                                            f"{s[x]['detection']['gold']}" for x in groups]])
    lines += _table(head, rows)
    lines += ["", "## Fields of matched events (accuracy; n = pairs where the gold gives the field)", ""]
    rows = []
    for name in FIELDS:
        rows.append([f"{name}", *[f"{fmt_estimate(s[x]['fields'][name]['accuracy'])} (n={s[x]['fields'][name]['n']})"
                                  for x in groups]])
        if name in CLASS_FIELDS:
            rows.append([f"{name} macro-F1", *[fmt_estimate(s[x]["fields"][name]["macro_f1"]) for x in groups]])
    lines += _table(head, rows)
    lines += ["", "## Articles without events", ""]
    rows = [
        ["articles", *[str(s[x]["no_event"]["articles"]) for x in groups]],
        ["false events", *[str(s[x]["no_event"]["false_events"]) for x in groups]],
        ["share of articles with a false event", *[fmt_estimate(s[x]["no_event"]["false_event_rate"]) for x in groups]],
        ["false events per article", *[fmt_estimate(s[x]["no_event"]["false_events_per_article"]) for x in groups]],
    ]
    lines += _table(head, rows)
    lines += ["", "## Calibration", ""]
    lines += _table(head, [["ECE", *[fmt_estimate(s[x]["calibration"]["ece"]) for x in groups]],
                           ["records", *[str(s[x]["calibration"]["records"]) for x in groups]]])
    lines += ["", "Overall bins:", ""]
    lines += _table(["confidence", "records", "mean confidence", "accuracy"], [
        [f"{b['lower']:.1f}–{b['upper']:.1f}", str(b["count"]),
         "–" if b["mean_confidence"] is None else f"{b['mean_confidence']:.3f}",
         "–" if b["accuracy"] is None else f"{b['accuracy']:.3f}"] for b in s["overall"]["calibration"]["bins"]])
    lines += ["", f"![Reliability diagram]({PLOTS['reliability']})", "", "## Spans", ""]
    if s["overall"]["spans"] is None:
        lines.append("Not scored: the gold has no spans, or there are no predicted spans (records carry none; "
                     "pass `--model` to tag the gold sentences).")
    else:
        for x in groups:
            sp = s[x]["spans"]
            lines += ["", f"### {x} ({sp['articles']} articles)", ""]
            rows = []
            for lab in (*SPAN_LABELS, "micro"):
                st = sp["strict"][lab]
                pa = sp["partial"]["overall" if lab == "micro" else lab]
                rows.append([lab, str(st["support"]), fmt_estimate(st["precision"]), fmt_estimate(st["recall"]),
                             fmt_estimate(st["f1"]), fmt_estimate(pa["f1"])])
            lines += _table(["label", "gold", "strict P", "strict R", "strict F1", "partial F1"], rows)
            lines.append("")
            lines.append(f"nervaluate overall F1: exact {fmt_estimate(sp['exact']['overall']['f1'])}, "
                         f"ent_type {fmt_estimate(sp['ent_type']['overall']['f1'])}, "
                         f"partial {fmt_estimate(sp['partial']['overall']['f1'])}.")
        lines += ["", f"![Span F1 per label]({PLOTS['span_f1']})"]
    lines += ["", "## ACLED sub-event types (overall, matched events)", ""]
    rep = report["classification_reports"]["overall"].get("sub_event_type")
    if rep:
        rows = [[k, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1-score']:.3f}", str(int(v["support"]))]
                for k, v in rep.items() if isinstance(v, dict)]
        lines += _table(["sub-event type", "precision", "recall", "F1", "support"], rows)
    else:
        lines.append("No matched event with a gold sub-event type.")
    lines += ["", f"![Confusion matrix]({PLOTS['confusion_sub_event_type']})", "", "## How this was scored", ""]
    lines += [f"- **{k}**: {v}" for k, v in report["rules"].items()]
    return "\n".join(lines) + "\n"


def write_report(report: dict, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.json``, ``report.md`` and the PNG plots into ``out_dir``; their paths by key."""
    from coder.evaluate import plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "markdown": out / "report.md"}
    paths["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["markdown"].write_text(markdown(report), encoding="utf-8")
    for key, fig in build_figures(report).items():
        paths[key] = plots.save_figure(fig, out / PLOTS[key])
    return paths


def build_figures(report: dict) -> dict:
    """The report's figures by plot key (see :data:`PLOTS`)."""
    from coder.evaluate import plots

    s = report["scores"]
    conf = report["confusion"]["sub_event_type"]
    per_label = {}
    if s["overall"]["spans"] is not None:
        sp = s["overall"]["spans"]
        per_label = {lab: {"strict": sp["strict"][lab]["f1"], "partial": sp["partial"][lab]["f1"]} for lab in SPAN_LABELS
                     if sp["strict"][lab]["support"] or sp["strict"][lab]["predicted"]}
    return {
        "confusion_sub_event_type": plots.confusion_figure(conf["labels"], conf["matrix"]),
        "reliability": plots.reliability_figure(
            {k: s[k]["calibration"]["bins"] for k in GROUPS},
            {k: s[k]["calibration"]["ece"]["value"] for k in GROUPS}),
        "span_f1": plots.span_f1_figure(per_label),
    }
