"""Shared helpers of the benchmark scripts: model resolution, synthetic articles, timing.

Not a test module: the scripts print measurements; ``--quick`` makes them run in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "coder-tagger-enfr"

ACTORS_EN = ["Gunmen", "Soldiers", "Police", "Protesters", "Unidentified attackers", "The army", "Rebels", "Militia members"]
ACTORS_FR = ["Des hommes armés", "Des soldats", "La police", "Des manifestants", "Des assaillants", "L'armée", "Des rebelles"]
PLACES = ["Zamfara", "Kidal", "Gao", "Maiduguri", "Bamako", "Kano", "Niamey", "Goma", "Bunia", "Mopti", "Ouagadougou"]
EVENTS_EN = ["killed {n} civilians in {p} on {d}", "clashed with rebels near {p} on {d}", "arrested {n} suspects in {p}",
             "marched through {p} on {d} to demand the release of detainees", "attacked a military post outside {p}",
             "abducted {n} villagers from a farm near {p} late on {d}"]
EVENTS_FR = ["ont tué {n} civils à {p} {d}", "ont affronté des rebelles près de {p} {d}", "ont arrêté {n} suspects à {p}",
             "ont manifesté à {p} {d} pour réclamer la libération des détenus", "ont attaqué un poste militaire à {p}"]
DAYS_EN = ["Sunday", "Monday", "Tuesday", "Friday"]
DAYS_FR = ["dimanche", "lundi", "mardi", "vendredi"]
FILLER_EN = ["Officials said the situation remained tense and that reinforcements had been sent to the area.",
             "The government has not commented on the incident.",
             "Residents said they heard gunfire for several hours before the security forces arrived and restored order in the town centre.",
             "Markets reopened on the following day.",
             "The region has seen repeated violence since the collapse of a peace agreement signed three years ago between the "
             "government and several armed groups, according to local observers and humanitarian organisations working there."]
FILLER_FR = ["Les autorités ont indiqué que la situation restait tendue.",
             "Le gouvernement n'a pas réagi à l'incident.",
             "Selon des habitants, des tirs ont été entendus pendant plusieurs heures avant l'arrivée des forces de sécurité.",
             "Les marchés ont rouvert le lendemain."]


def parser(description: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL,
                    help="Model directory (default: models/coder-tagger-enfr; falls back to a tiny random model).")
    ap.add_argument("--quick", action="store_true", help="A seconds-long smoke run (numbers are not meaningful).")
    return ap


def resolve_model(path: Path) -> tuple[Path, bool]:
    """``(model_dir, is_real)``: the given model, or a tiny random model built in a temp dir (with a warning)."""
    if (Path(path) / "config.json").is_file():
        return Path(path), True
    print(f"WARNING: no model at {path}; using a TINY RANDOM model: the numbers say nothing about the real one",
          file=sys.stderr)
    sys.path.insert(0, str(ROOT / "tests"))
    from tiny import build_tiny_model  # noqa: E402 - test helper, present in a checkout

    out = Path(tempfile.mkdtemp(prefix="coder-bench-")) / "tiny-tagger"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_tiny_model(out), False


def synthetic_article(i: int, rng: random.Random) -> dict:
    """A news-like article of 4-14 sentences in English or French (one event sentence or more)."""
    fr = rng.random() < 0.4
    actors, events, days, filler = (ACTORS_FR, EVENTS_FR, DAYS_FR, FILLER_FR) if fr else (ACTORS_EN, EVENTS_EN, DAYS_EN, FILLER_EN)
    sentences = []
    for _ in range(rng.randint(4, 14)):
        if rng.random() < 0.35:
            ev = rng.choice(events).format(n=rng.randint(2, 40), p=rng.choice(PLACES), d=rng.choice(days))
            sentences.append(f"{rng.choice(actors)} {ev}.")
        else:
            sentences.append(rng.choice(filler))
    return {"id": f"syn-{i}", "text": " ".join(sentences), "date": "2024-03-31", "lang": "fr" if fr else "en"}


def synthetic_articles(n: int, seed: int = 0) -> Iterator[dict]:
    rng = random.Random(seed)
    for i in range(n):
        yield synthetic_article(i, rng)


def write_dump(path: Path, n: int, seed: int = 0) -> Path:
    """Stream ``n`` synthetic articles to a JSONL file (never all in memory)."""
    with open(path, "w", encoding="utf-8") as fh:
        for art in synthetic_articles(n, seed):
            fh.write(json.dumps(art, ensure_ascii=False) + "\n")
    return path


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {cpus} CPUs{mem}, Python {platform.python_version()}"


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def quiet_warnings() -> None:
    """Benchmarks print numbers, not library deprecation notes."""
    warnings.simplefilter("ignore")
