"""The per-user cache folder: ``$CODER_CACHE``, else ``~/.cache/coder``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """Where derived files (backbone, ONNX exports, gazetteer index) are cached."""
    env = os.environ.get("CODER_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "coder"
