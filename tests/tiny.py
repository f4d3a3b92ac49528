"""Test helpers: a tiny random tagger on disk, and a fake keyword tagger that needs no model."""

from __future__ import annotations

import re
from pathlib import Path

from coder.tagger.base import TaggedSpan

WORDS = (
    "gunmen killed five villagers in zamfara on sunday police said the army clashed with rebels near gao "
    "des hommes armés ont tué sept civils dimanche à kidal l'armée a arrêté deux suspects protesters marched "
    "soldiers were a general and four attack bomb exploded , . ' ( ) - 1 2 3 4 5 6 7 8 9 0"
).split()


def build_tokenizer(path: Path):
    """A tiny WordPiece tokenizer with BERT-style specials, saved as ``tokenizer.json``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    for ch in "abcdefghijklmnopqrstuvwxyzéèàç":
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault("##" + ch, len(vocab))
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.decoder = decoders.WordPiece()
    tok.save(str(path / "tokenizer.json"))
    return tok


def build_tiny_model(path: Path, seed: int = 0) -> Path:
    """Save a randomly initialised tiny tagger (2 layers, hidden 32) with its tokenizer."""
    import torch
    from transformers import BertConfig

    from coder.tagger.model import TaggerModel, tagger_config

    path.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer(path)
    torch.manual_seed(seed)
    enc_cfg = BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512, pad_token_id=0,
    )
    model = TaggerModel(tagger_config(enc_cfg))
    model.save(path)
    return path


_RULES = [
    (r"\b(?:killed|tué|tués|ont tué)\b", "TRIGGER", "attack_civilians"),
    (r"\bclashed\b|\baffrontements?\b", "TRIGGER", "armed_clash"),
    (r"\barrested\b|\barrêté\b", "TRIGGER", "arrests"),
    (r"\bmarched\b|\bmanifesté\b", "TRIGGER", "peaceful_protest"),
    (r"\bexploded\b|\bexplosion\b", "TRIGGER", "remote_explosive"),
    (r"\b[Gg]unmen\b|\bhommes armés\b|\bpolice\b|\bl'armée\b|\bthe army\b", "ACTOR1", None),
    (r"\b(?:\d+|five|seven|sept|cinq|four) (?:villagers|civilians|civils|soldiers|soldats)\b", "FATALITIES", None),
    (r"\b(?:in|à|near) ([A-Z][a-z]+)\b", "LOCATION", None),
    (r"\b(?:on )?(?:Sunday|Monday|dimanche|lundi)\b", "TIME", None),
]


class FakeTagger:
    """Keyword tagger for fast pipeline tests: deterministic, no model, no download."""

    name = "fake-tagger-0"

    def tag(self, sentences: list[str], langs: list[str] | None = None) -> list[list[TaggedSpan]]:
        out = []
        for s in sentences:
            spans = []
            for rx, label, cls in _RULES:
                for m in re.finditer(rx, s):
                    g = 1 if m.groups() else 0
                    span = TaggedSpan(m.start(g), m.end(g), label, 0.9)
                    if cls:
                        span.class_probs = {cls: 0.8, "statement": 0.2}
                        span.modality_probs = {"asserted": 0.9, "negated": 0.1}
                    spans.append(span)
            out.append(sorted(spans, key=lambda x: x.start))
        return out
