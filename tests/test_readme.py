"""The README's examples really run, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_examples_run(monkeypatch, tiny_model_dir, capsys):
    monkeypatch.setenv("CODER_MODEL", str(tiny_model_dir))
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_ci_runs_the_readme_test_command():
    cmd = 'pip install -e ".[dev]" && python -m pytest -q'
    assert cmd in README
    assert cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert cmd in (ROOT / "Makefile").read_text(encoding="utf-8")
