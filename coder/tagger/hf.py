"""Inference with a saved :class:`~coder.tagger.model.TaggerModel` in PyTorch: sentences → labelled spans.

Tokenisation, windowing and decoding live in :class:`~coder.tagger.windows.WindowedTagger`;
:class:`HFTagger` only runs the network (see :mod:`coder.tagger.onnx` for the ONNX Runtime backend).
torch is imported only when the torch backend is used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coder.tagger.base import BACKENDS
from coder.tagger.windows import (  # noqa: F401 - load_tokenizer is part of this module's API
    Encoded,
    Probs,
    WindowedTagger,
    check_model_dir,
    load_tokenizer,
    model_display_name,
)


class HFTagger(WindowedTagger):
    """A :class:`~coder.tagger.base.Tagger` backed by a fine-tuned transformer run by PyTorch."""

    def __init__(self, model, tokenizer, name: str, *, window: int = 256, stride: int = 64) -> None:
        cfg = model.config
        super().__init__(tokenizer, name, cfg.id2label, cfg.coder_event_classes, cfg.coder_modalities,
                         window=window, stride=stride)
        self.model = model

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> Probs:
        import torch

        with torch.inference_mode():
            out = self.model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
            return (out["span_logits"].softmax(-1).numpy(), out["class_logits"].softmax(-1).numpy(),
                    out["modality_logits"].softmax(-1).numpy())


def load_tagger(model_dir: Path, *, backend: str = "torch", threads: int | None = None, **kwargs) -> WindowedTagger:
    """Load a tagger directory (``config.json``, ``model.safetensors``, ``tokenizer.json``).

    ``backend`` is one of :data:`BACKENDS`; ``threads`` sets the backend's intra-op threads (for
    torch, the process-wide ``torch.set_num_threads``). Other keyword arguments go to the tagger.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend != "torch":
        from coder.tagger.onnx import load_onnx_tagger

        return load_onnx_tagger(model_dir, quantize=backend == "onnx-int8", threads=threads, **kwargs)
    from coder.calibrate import load_calibration
    from coder.tagger.model import TaggerModel

    model_dir = check_model_dir(Path(model_dir))
    if threads:
        import torch

        torch.set_num_threads(threads)
    model = TaggerModel.load(model_dir)
    tokenizer = load_tokenizer(model_dir)
    tagger = HFTagger(model, tokenizer, model_display_name(model_dir), **kwargs)
    tagger.calibration = load_calibration(model_dir)
    return tagger


__all__ = ["BACKENDS", "Encoded", "HFTagger", "load_tagger", "load_tokenizer"]
