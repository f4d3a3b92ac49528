"""Finish a trained model for release: calibrate on dev, score on test, write the model card.

    python scripts/release_model.py --model models/coder-tagger-enfr \
        --dev annotations/gold/dev.jsonl --test annotations/gold/test.jsonl \
        [--zero-shot runs/zeroshot/model] [--report runs/eval-test]

The test split is only read here, after training and calibration: it never tunes anything.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def card_scores(report: dict) -> dict:
    """Per-language figures for the model card from an evaluation report: strict span F1 per label,
    sub-event type / CAMEO root accuracy on matched events, modality accuracy, detection F1."""
    out = {}
    for lang in ("en", "fr", "overall"):
        s = report["scores"].get(lang) or {}
        strict = (s.get("spans") or {}).get("strict") or {}
        fields = s.get("fields") or {}

        def val(block: dict | None) -> float | None:
            return None if not block else block.get("value")

        out["all" if lang == "overall" else lang] = {
            "spans": {lab: {"f1-score": val(v.get("f1")), "precision": val(v.get("precision")),
                            "recall": val(v.get("recall")), "support": v.get("support")}
                      for lab, v in strict.items() if isinstance(v, dict) and "f1" in v},
            "class_accuracy": val((fields.get("sub_event_type") or {}).get("accuracy")),
            "cameo_root_accuracy": val((fields.get("cameo_root") or {}).get("accuracy")),
            "modality_accuracy": val((fields.get("modality") or {}).get("accuracy")),
            "detection_f1": val((s.get("detection") or {}).get("f1")),
        }
    return out


def split_counts(path: str) -> dict:
    """Documents, sentences and events per language of a gold file."""
    from coder.segment import split_sentences
    from coder.train.data import read_gold

    out: dict = {}
    for a in read_gold(path):
        c = out.setdefault(a["lang"], Counter())
        c["documents"] += 1
        c["sentences"] += len(split_sentences(a["text"], a["lang"]))
        c["events"] += len(a["events"])
    return {k: dict(v) for k, v in out.items()}


def main() -> None:
    """Command-line entry point."""
    from coder.calibrate import calibrate_model
    from coder.evaluate import run_evaluation
    from coder.train.card import ModelCard

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/coder-tagger-enfr")
    ap.add_argument("--dev", nargs="+", default=["annotations/gold/dev.jsonl"])
    ap.add_argument("--test", nargs="+", default=["annotations/gold/test.jsonl"])
    ap.add_argument("--train", nargs="+", default=["annotations/gold/train.jsonl"])
    ap.add_argument("--zero-shot", default=None, help="a model trained with no French annotation")
    ap.add_argument("--report", default="runs/eval-test")
    ap.add_argument("--skip-calibration", action="store_true")
    ap.add_argument("--note", default="", help="free text added to the card (e.g. the training stages)")
    args = ap.parse_args()
    model = Path(args.model)
    meta = json.loads((model / "coder_model.json").read_text())
    if not args.skip_calibration:
        cal = calibrate_model(model, args.dev)
        print("calibration:", {k: cal[k] for k in ("n", "ece_before", "ece_after_on_dev")})
    report = run_evaluation(args.test[0], args.report, model=model, bootstrap=200)
    test = card_scores(report)
    print("test:", json.dumps(test, indent=1))
    zero = {}
    if args.zero_shot:
        zero_report = run_evaluation(args.test[0], args.report + "-zeroshot-fr", model=args.zero_shot, lang="fr",
                                     bootstrap=200)
        zero = card_scores(zero_report)
        print("zero-shot fr:", json.dumps(zero.get("fr"), indent=1))
    scores = {"tagger_test": test, "zero_shot_fr": zero, "record_test": report}
    (model / "scores.json").write_text(json.dumps(scores, indent=1, ensure_ascii=False))
    size = sum(f.stat().st_size for f in model.iterdir() if f.is_file() and f.suffix != ".onnx") / 1e6  # exports are not shipped
    train_cfg = json.loads((model / "train_config.json").read_text())
    card = ModelCard(
        name=meta["name"], version=meta["version"], base_model=meta["base_model"],
        sources=["ours", *[c["kind"] for c in train_cfg.get("corpora", [])]],
        training_data={"train": split_counts(args.train[0]), "dev": split_counts(args.dev[0]),
                       "test": split_counts(args.test[0])},
        test_scores=test, zero_shot_scores={"fr": zero.get("fr")} if zero else {},
        record_scores=_record_summary(report),
        training={k: train_cfg[k] for k in ("epochs", "batch_size", "lr", "max_tokens", "freeze_layers", "seed")
                  if k in train_cfg} | {"best epoch": meta.get("epoch")},
        size_mb=size,
        notes=args.note,
    )
    card.write(model)
    print(f"card written; model size {size:.1f} MB")


def _record_summary(report: dict) -> dict:
    """The headline record-level figures per language from an evaluation report."""
    out = {}
    for lang, s in report["scores"].items():
        fields = s.get("fields") or {}
        row = {"detection_f1": (s.get("detection") or {}).get("f1", {}).get("value"),
               "ece": ((s.get("calibration") or {}).get("ece") or {}).get("value")}
        for name in ("sub_event_type", "cameo_root", "actor1.country", "actor2.country", "location.country",
                     "event_date", "fatalities"):
            block = fields.get(name) or {}
            row[name] = (block.get("accuracy") or {}).get("value")
            if name == "sub_event_type":
                row["sub_event_type_macro_f1"] = (block.get("macro_f1") or {}).get("value")
        out[lang] = row
    return out


if __name__ == "__main__":
    main()
