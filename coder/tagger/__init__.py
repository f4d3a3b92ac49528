"""Taggers: text in, labelled spans with scores out."""

from coder.tagger.base import SPAN_LABELS, TaggedSpan, Tagger

__all__ = ["SPAN_LABELS", "TaggedSpan", "Tagger"]
