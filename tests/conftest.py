"""Shared fixtures: the fake tagger and a tiny random model, built once per session."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tiny import FakeTagger, build_tiny_model  # noqa: E402

from coder.pipeline import Coder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake_coder() -> Coder:
    """A Coder around the keyword tagger (milliseconds per article)."""
    return Coder(FakeTagger())


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A random tiny tagger saved on disk (for CLI subprocess tests)."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-tagger")


@pytest.fixture
def seeds_dir() -> Path:
    """The project's seed articles."""
    return ROOT / "seeds"


GOOD = [  # sentences the fake tagger codes, shared by the batch and scale-out tests
    "Gunmen killed five villagers in Zamfara on Sunday, police said.",
    "Des hommes armés ont tué sept civils dimanche à Kidal.",
    "The army clashed with rebels near Gao on Monday.",
    "Police arrested two suspects in Kano.",
    "Protesters marched in Dakar on Sunday.",
]


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows (dicts or raw strings) as JSONL."""
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path
