"""Validate the authoring files, split them by document and write the gold splits.

``python -m coder.annotations.build annotations/src -o annotations/gold`` converts every
``*.jsonl`` under the source folder, prints counts per language, class, CAMEO root and span label,
and writes ``train.jsonl`` / ``dev.jsonl`` / ``test.jsonl``. The split is a stable hash of the
document id (80/10/10), so adding documents never moves an existing one between splits.
``--check FILE`` only validates and counts one file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

from coder.annotations.markup import MarkupError, read_markup_file
from coder.ontology.classes import EVENT_CLASSES


def split_of(doc_id: str) -> str:
    """Deterministic train/dev/test assignment of a document id (80/10/10)."""
    h = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if h == 0 else "dev" if h == 1 else "train"


def count_sentences(text: str, lang: str) -> int:
    """Number of sentences in a gold text, by the pipeline's own segmenter."""
    from coder.segment import split_sentences

    return len(split_sentences(text, lang))


def stats(articles: list[dict]) -> dict:
    """Counts per language of documents, sentences, events, classes, roots and labels."""
    out: dict = {}
    for art in articles:
        lang = art["lang"]
        s = out.setdefault(
            lang,
            {"documents": 0, "sentences": 0, "no_event_sentences": 0, "events": 0,
             "classes": Counter(), "roots": Counter(), "labels": Counter(), "modality": Counter()},
        )
        s["documents"] += 1
        from coder.segment import split_sentences

        sents = split_sentences(art["text"], lang)
        s["sentences"] += len(sents)
        trig = [e["evidence"]["start"] for e in art["events"]]
        s["no_event_sentences"] += sum(1 for a, b in sents if not any(a <= t < b for t in trig))
        for ev in art["events"]:
            s["events"] += 1
            s["classes"][ev["event_class"]] += 1
            s["roots"][ev["cameo_root"]] += 1
            s["modality"][ev["modality"]] += 1
        for sp in art["spans"]:
            s["labels"][sp["label"]] += 1
    return out


def print_stats(st: dict, file=sys.stdout) -> None:
    """Print the counts of :func:`stats`, flagging classes and roots under 40."""
    for lang, s in sorted(st.items()):
        print(f"== {lang}: {s['documents']} docs, {s['sentences']} sentences "
              f"({s['no_event_sentences']} without event), {s['events']} events", file=file)
        print("  labels:", dict(s["labels"]), file=file)
        print("  modality:", dict(s["modality"]), file=file)
        print("  classes:", file=file)
        for k in EVENT_CLASSES:
            n = s["classes"].get(k, 0)
            print(f"    {k:28s} {n:5d}{'  < 40' if n < 40 else ''}", file=file)
        roots = {f"{i:02d}": s["roots"].get(f"{i:02d}", 0) for i in range(1, 21)}
        print("  roots:", roots, file=file)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", default="annotations/src")
    ap.add_argument("-o", "--out", default="annotations/gold")
    ap.add_argument("--check", help="validate and count one authoring file only")
    args = ap.parse_args(argv)
    files = [Path(args.check)] if args.check else sorted(Path(args.src).glob("*.jsonl"))
    articles: list[dict] = []
    seen: set[str] = set()
    try:
        for f in files:
            for art in read_markup_file(str(f)):
                if art["id"] in seen:
                    raise MarkupError(f"{f}: duplicate document id {art['id']}")
                seen.add(art["id"])
                articles.append(art)
    except MarkupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_stats(stats(articles))
    if args.check:
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    splits: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    for art in articles:
        splits[split_of(art["id"])].append(art)
    for name, arts in splits.items():
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for art in arts:
                fh.write(json.dumps(art, ensure_ascii=False) + "\n")
        print(f"{name}: {len(arts)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
