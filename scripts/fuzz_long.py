"""Long fuzz run: generate N hostile articles, code them through the batch job, count crashes.

    python scripts/fuzz_long.py --articles 20000 [--model DIR]

Without ``--model`` a tiny random tagger is built (random spans stress the normaliser more than a
trained model does). A crash is any exception escaping ``code_files`` or any input article
without exactly one manifest line; the script exits non-zero on either.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

PIECES = [
    "Gunmen killed five villagers in Zamfara on Sunday, police said.",
    "Des hommes armés ont tué sept civils dimanche à Kidal, selon des sources locales.",
    "L'attaque n'a pas été revendiquée.", "The army did not shell the village.",
    "Les jihadistes pourraient frapper la ville dans la nuit de samedi à dimanche.",
    "A general and four soldiers were killed when a bomb exploded.", "Treize combattants ont été tués.",
    "<p>Police <b>arrested</b> two suspects</p><script>alert(1)</script>", "\u202eRTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\x00\x01\x02\x1b[31m control", "99999999999999999999 soldiers were killed on 31/02/2024",
    "le 8 novembre 10000", "on February 30", "Il vous reste 48 % de cet article à lire.", "Lire en français",
    "😀🔥💣", "ＦＵＬＬＷＩＤＴＨ", "e\u0301te\u0301", "\t\t\n\n   ", "Tripoli, Tripoli, Tripoli", "EI EI IS ISIS Daech",
]


def _char(rng: random.Random) -> str:
    """A random character: mostly Latin, sometimes any plane, rarely a lone surrogate."""
    roll = rng.random()
    if roll < 0.7:
        return chr(rng.randint(32, 0x2FF))
    if roll < 0.995:
        cp = rng.randint(0x300, 0x2FFFF)
        return chr(cp) if not 0xD800 <= cp <= 0xDFFF else "?"
    return chr(rng.randint(0xD800, 0xDFFF))


def article(rng: random.Random, i: int) -> dict | str:
    """One generated input line: usually an article, sometimes broken JSON or odd fields."""
    roll = rng.random()
    if roll < 0.03:
        return "{broken json " + str(i)
    parts = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.6:
            parts.append(rng.choice(PIECES))
        else:
            parts.append("".join(_char(rng) for _ in range(rng.randint(0, 80))))
    sep = rng.choice([" ", "\n", "\n\n", ""])
    text = sep.join(parts)
    if rng.random() < 0.01:
        text = text * 2000
    row: dict = {"id": f"f{i}", "text": text}
    if rng.random() < 0.5:
        row["date"] = rng.choice(["2024-03-31", "1900-01-01", "2999-12-31", "yesterday", "", None])
    if rng.random() < 0.3:
        row["lang"] = rng.choice(["en", "fr", "de", "", None, "EN"])
    if rng.random() < 0.02:
        row["text"] = rng.choice([None, 42, ["x"], ""])
    return row


def main() -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from coder.batch import code_files, manifest_path

    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="coder-fuzz-"))
    model = args.model
    if model is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from tiny import build_tiny_model

        model = str(build_tiny_model(work / "tiny"))
    dump = work / "fuzz.jsonl"
    with open(dump, "w", encoding="utf-8", errors="surrogatepass") as fh:
        for i in range(args.articles):
            row = article(rng, i)
            fh.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=rng.random() < 0.5)) + "\n")
    t0 = time.time()
    out = work / "out.jsonl"
    try:
        summary = code_files([str(dump)], out, model=model, progress=False,
                             modalities=("asserted", "negated", "hypothetical", "future"))
    except Exception as exc:  # noqa: BLE001 - the point is to count crashes
        print(f"CRASH: {exc!r}")
        return 1
    lines = manifest_path(out).read_text(encoding="utf-8").splitlines()
    ok = len(lines) == args.articles
    print(json.dumps({"articles": args.articles, "manifest_lines": len(lines), "records": summary.records,
                      "statuses": dict(summary.statuses), "seconds": round(time.time() - t0, 1),
                      "crashes": 0 if ok else 1}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
