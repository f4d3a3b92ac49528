"""Gold articles (contract format with ``spans``) → per-sentence token examples.

Each example carries, per token, the set of BIO labels the loss may accept: one label where the
source annotates everything, several where a source lacks a label type (its ``O`` tokens may then
be any label it does not annotate), so partial sources are masked instead of taken as ``O``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coder.segment import split_sentences
from coder.tagger.base import MODALITIES, SPAN_LABELS
from coder.tagger.model import bio_labels

IGNORE = -100


@dataclass
class Example:
    """One tokenised training sentence."""

    input_ids: list[int]
    allowed: np.ndarray  # bool [tokens, n_bio]
    class_labels: list[int]
    modality_labels: list[int]
    lang: str = "en"
    source: str = "ours"
    doc_id: str = ""
    text: str = ""
    offsets: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class SentenceGold:
    """A sentence with its spans (offsets relative to the sentence) and trigger attributes."""

    text: str
    lang: str
    spans: list[tuple[int, int, str]]
    triggers: dict[tuple[int, int], tuple[str | None, str | None]]  # (start, end) -> (class, modality)
    annotated: frozenset[str] = frozenset(SPAN_LABELS)
    source: str = "ours"
    doc_id: str = ""


def read_gold(path: str | Path) -> Iterator[dict]:
    """Articles of a gold JSONL file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def gold_sentences(article: dict, source: str = "ours") -> Iterator[SentenceGold]:
    """Split a gold article into sentences, keeping spans that fall inside each sentence."""
    text = article["text"]
    lang = article.get("lang") or "en"
    trig_attr = {
        (e["evidence"]["start"], e["evidence"]["end"]): (e.get("event_class"), e.get("modality", "asserted"))
        for e in article.get("events", [])
        if e.get("evidence")
    }
    spans = sorted((s["start"], s["end"], s["label"]) for s in article.get("spans", []))
    for a, b in split_sentences(text, lang):
        inside = [(s - a, e - a, lab) for s, e, lab in spans if s >= a and e <= b]
        trig = {(s - a, e - a): trig_attr.get((s, e), (None, None)) for s, e, lab in spans
                if lab == "TRIGGER" and s >= a and e <= b}
        yield SentenceGold(text[a:b], lang, inside, trig, source=source, doc_id=article.get("id", ""))


class Encoder:
    """Tokenises sentences and aligns span labels to tokens."""

    def __init__(self, tokenizer, classes: list[str], max_tokens: int = 128) -> None:
        self.tok = tokenizer
        self.labels = bio_labels()
        self.label_id = {lab: i for i, lab in enumerate(self.labels)}
        self.class_id = {c: i for i, c in enumerate(classes)}
        self.modality_id = {m: i for i, m in enumerate(MODALITIES)}
        self.max_tokens = max_tokens
        special = tokenizer.encode("", add_special_tokens=True).ids
        self.cls, self.sep = special[:1], special[1:]

    def encode(self, sent: SentenceGold) -> Example:
        """One :class:`Example` (special tokens included, their labels masked)."""
        enc = self.tok.encode(sent.text, add_special_tokens=False)
        ids = enc.ids[: self.max_tokens]
        offsets = enc.offsets[: self.max_tokens]
        n_lab = len(self.labels)
        unannotated = [lab for lab in SPAN_LABELS if lab not in sent.annotated]
        o_allowed = np.zeros(n_lab, dtype=bool)
        o_allowed[self.label_id["O"]] = True
        for lab in unannotated:
            o_allowed[self.label_id[f"B-{lab}"]] = o_allowed[self.label_id[f"I-{lab}"]] = True
        allowed = np.tile(o_allowed, (len(ids), 1))
        cls_lab = [IGNORE] * len(ids)
        mod_lab = [IGNORE] * len(ids)
        for s, e, lab in sent.spans:
            toks = [i for i, (ts, te) in enumerate(offsets) if te > s and ts < e and te > ts]
            for k, t in enumerate(toks):
                allowed[t] = False
                allowed[t, self.label_id[("B-" if k == 0 else "I-") + lab]] = True
                if lab == "TRIGGER":
                    cls, mod = sent.triggers.get((s, e), (None, None))
                    if cls in self.class_id:
                        cls_lab[t] = self.class_id[cls]
                    if mod in self.modality_id:
                        mod_lab[t] = self.modality_id[mod]
        edge = np.ones((1, n_lab), dtype=bool)  # special tokens: every label allowed = no loss
        allowed = np.concatenate([np.tile(edge, (len(self.cls), 1)), allowed, np.tile(edge, (len(self.sep), 1))])
        pad_c = [IGNORE] * len(self.cls)
        pad_s = [IGNORE] * len(self.sep)
        return Example(
            input_ids=self.cls + ids + self.sep,
            allowed=allowed,
            class_labels=pad_c + cls_lab + pad_s,
            modality_labels=pad_c + mod_lab + pad_s,
            lang=sent.lang, source=sent.source, doc_id=sent.doc_id, text=sent.text, offsets=list(offsets),
        )

    def encode_all(self, sentences: Iterable[SentenceGold]) -> list[Example]:
        """Encode many sentences."""
        return [self.encode(s) for s in sentences]
