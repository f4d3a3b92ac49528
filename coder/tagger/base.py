"""The tagger interface the pipeline depends on, and the span it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

SPAN_LABELS: tuple[str, ...] = ("TRIGGER", "ACTOR1", "ACTOR2", "LOCATION", "TIME", "FATALITIES")
"""Span labels, in the order of the BIO label ids (``O`` first, then ``B-``/``I-`` per label)."""

MODALITIES: tuple[str, ...] = ("asserted", "negated", "hypothetical", "future")

BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-fp32", "onnx-int8")
"""What runs the network: PyTorch fp32; ONNX Runtime fp32 (``onnx``, same spans as PyTorch;
``onnx-fp32`` is the same); or ONNX Runtime with dynamic int8 weights (``onnx-int8``, fastest, but
differs from fp32 on some uncertain words: see ``benchmarks/README.md``)."""


@dataclass
class TaggedSpan:
    """A labelled span of one sentence; offsets are relative to that sentence, end-exclusive.

    For ``TRIGGER`` spans the tagger also gives the event class distribution and the modality
    distribution; ``score`` is the mean probability of the span's BIO tags.
    """

    start: int
    end: int
    label: str
    score: float
    class_probs: dict[str, float] = field(default_factory=dict)
    modality_probs: dict[str, float] = field(default_factory=dict)

    @property
    def event_class(self) -> str | None:
        """Most probable event class of a trigger, or None."""
        return max(self.class_probs, key=self.class_probs.__getitem__) if self.class_probs else None

    @property
    def modality(self) -> str:
        """Most probable modality of a trigger (``asserted`` when unknown)."""
        if not self.modality_probs:
            return "asserted"
        return max(self.modality_probs, key=self.modality_probs.__getitem__)


@runtime_checkable
class Tagger(Protocol):
    """Anything that tags sentences. ``name`` identifies the model in output records."""

    name: str

    def tag(self, sentences: list[str], langs: list[str]) -> list[list[TaggedSpan]]:
        """Tag a batch of sentences (with their languages); one span list per sentence."""
        ...
