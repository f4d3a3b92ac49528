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


def tagger_scores(model_dir: Path, gold: list[str], languages: list[str] | None = None) -> dict:
    """seqeval span scores, class and modality accuracy of a model directory on gold files."""
    from coder.tagger.hf import load_tagger
    from coder.train.data import Encoder, gold_sentences, read_gold
    from coder.train.metrics import evaluate_examples

    tagger = load_tagger(model_dir)
    classes = list(tagger.model.config.coder_event_classes)
    enc = Encoder(tagger.tokenizer, classes, max_tokens=256)
    sents = [s for f in gold for a in read_gold(f) if not languages or a.get("lang") in languages
             for s in gold_sentences(a)]
    labels = [tagger.model.config.id2label[i] for i in range(len(tagger.model.config.id2label))]
    return evaluate_examples(tagger.model, enc.encode_all(sents), labels, classes, pad_id=tagger.pad_id)


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
    args = ap.parse_args()
    model = Path(args.model)
    meta = json.loads((model / "coder_model.json").read_text())
    if not args.skip_calibration:
        cal = calibrate_model(model, args.dev)
        print("calibration:", {k: cal[k] for k in ("n", "ece_before", "ece_after_on_dev")})
    test = tagger_scores(model, args.test)
    print("tagger test:", json.dumps(test, indent=1))
    report = run_evaluation(args.test[0], args.report, model=model, bootstrap=200)
    zero = tagger_scores(Path(args.zero_shot), args.test, ["fr"]) if args.zero_shot else {}
    if zero:
        print("zero-shot fr:", json.dumps(zero.get("fr"), indent=1))
    scores = {"tagger_test": test, "zero_shot_fr": zero, "record_test": report}
    (model / "scores.json").write_text(json.dumps(scores, indent=1, ensure_ascii=False))
    size = sum(f.stat().st_size for f in model.iterdir() if f.is_file()) / 1e6
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
    )
    card.write(model)
    print(f"card written; model size {size:.1f} MB")


def _record_summary(report: dict) -> dict:
    """The headline record-level figures per language from an evaluation report."""
    out = {}
    for lang, block in (report.get("by_language") or report.get("languages") or {}).items():
        out[lang] = block
    return out or {k: report[k] for k in report if k not in ("per_article", "gold")}


if __name__ == "__main__":
    main()
