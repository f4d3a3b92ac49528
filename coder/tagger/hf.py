"""Inference with a saved :class:`~coder.tagger.model.TaggerModel`: sentences → labelled spans.

Sentences longer than the window are split into overlapping token windows; each token keeps the
prediction of the window where it is farthest from an edge, so spans are found once.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from coder.errors import Errors, ModelError
from coder.tagger.base import TaggedSpan


def load_tokenizer(model_dir: Path):
    """The fast tokenizer saved beside a model (``tokenizer.json``), loaded offline."""
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise ModelError(Errors.E302.format(path=model_dir, detail="tokenizer.json is missing"))
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on bad JSON
        raise ModelError(Errors.E302.format(path=model_dir, detail=f"tokenizer.json: {exc}")) from exc
    tok.no_truncation()
    tok.no_padding()
    return tok


class HFTagger:
    """A :class:`~coder.tagger.base.Tagger` backed by a fine-tuned transformer."""

    def __init__(self, model, tokenizer, name: str, *, window: int = 256, stride: int = 64) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        cfg = model.config
        self.id2label = {int(k): v for k, v in cfg.id2label.items()}
        self.classes = list(cfg.coder_event_classes)
        self.modalities = list(cfg.coder_modalities)
        self.window = window
        self.stride = stride
        special = tokenizer.encode("", add_special_tokens=True).ids
        self._cls = special[:1]
        self._sep = special[1:] if len(special) > 1 else []
        pad = tokenizer.token_to_id("<pad>")
        self.pad_id = pad if pad is not None else (tokenizer.token_to_id("[PAD]") or 0)
        self.calibration: dict | None = None

    # -- windows ------------------------------------------------------------------------------
    def _windows(self, n: int) -> list[tuple[int, int]]:
        body = self.window - len(self._cls) - len(self._sep)
        if n <= body:
            return [(0, n)]
        out, start = [], 0
        step = max(1, body - self.stride)
        while True:
            end = min(n, start + body)
            out.append((start, end))
            if end == n:
                return out
            start += step

    def tag(self, sentences: list[str], langs: list[str] | None = None) -> list[list[TaggedSpan]]:
        """Tag a batch of sentences; span offsets are relative to each sentence."""
        encs = self.tokenizer.encode_batch(sentences, add_special_tokens=False)
        pieces: list[tuple[int, int, int, list[int]]] = []  # (sentence, start token, end token, ids)
        for si, enc in enumerate(encs):
            for a, b in self._windows(len(enc.ids)):
                pieces.append((si, a, b, self._cls + enc.ids[a:b] + self._sep))
        probs = {si: None for si in range(len(sentences))}
        best_edge: dict[int, np.ndarray] = {}
        if pieces:
            width = max(len(p[3]) for p in pieces)
            ids = torch.full((len(pieces), width), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(pieces), width), dtype=torch.long)
            for i, p in enumerate(pieces):
                ids[i, : len(p[3])] = torch.tensor(p[3])
                mask[i, : len(p[3])] = 1
            with torch.inference_mode():
                out = self.model(input_ids=ids, attention_mask=mask)
            span_p = out["span_logits"].softmax(-1).numpy()
            class_p = out["class_logits"].softmax(-1).numpy()
            mod_p = out["modality_logits"].softmax(-1).numpy()
            off = len(self._cls)
            for i, (si, a, b, _) in enumerate(pieces):
                n = len(encs[si].ids)
                if probs[si] is None:
                    probs[si] = (np.zeros((n, span_p.shape[-1])), np.zeros((n, class_p.shape[-1])), np.zeros((n, mod_p.shape[-1])))
                    best_edge[si] = np.full(n, -1)
                pos = np.arange(a, b)
                left = pos - a if a > 0 else np.full(b - a, 10**9)
                right = b - 1 - pos if b < n else np.full(b - a, 10**9)
                edge = np.minimum(left, right)
                better = edge > best_edge[si][a:b]
                tok = pos[better]
                rows = tok - a + off
                probs[si][0][tok] = span_p[i, rows]
                probs[si][1][tok] = class_p[i, rows]
                probs[si][2][tok] = mod_p[i, rows]
                best_edge[si][tok] = edge[better]
        results = []
        for si, enc in enumerate(encs):
            if probs[si] is None:
                results.append([])
                continue
            results.append(self._decode(sentences[si], enc.offsets, *probs[si]))
        return results

    def _decode(self, text: str, offsets, span_p: np.ndarray, class_p: np.ndarray, mod_p: np.ndarray) -> list[TaggedSpan]:
        labels = span_p.argmax(-1)
        spans: list[TaggedSpan] = []
        cur: list[int] = []
        cur_lab: str | None = None

        def close() -> None:
            if cur and cur_lab:
                start, end = offsets[cur[0]][0], offsets[cur[-1]][1]
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if end > start:
                    score = float(np.mean([span_p[t, labels[t]] for t in cur]))
                    span = TaggedSpan(start, end, cur_lab, score)
                    if cur_lab == "TRIGGER":
                        cp = class_p[cur].mean(0)
                        mp = mod_p[cur].mean(0)
                        span.class_probs = {c: float(p) for c, p in zip(self.classes, cp)}
                        span.modality_probs = {m: float(p) for m, p in zip(self.modalities, mp)}
                    spans.append(span)

        for t, lab_id in enumerate(labels):
            lab = self.id2label[int(lab_id)]
            if lab == "O":
                close()
                cur, cur_lab = [], None
                continue
            prefix, name = lab.split("-", 1)
            if prefix == "B" or name != cur_lab:
                close()
                cur, cur_lab = [t], name
            else:
                cur.append(t)
        close()
        return spans


def load_tagger(model_dir: Path, **kwargs) -> HFTagger:
    """Load a tagger directory (``config.json``, ``model.safetensors``, ``tokenizer.json``)."""
    from coder.tagger.model import TaggerModel

    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ModelError(Errors.E301.format(path=model_dir))
    for f in model_dir.iterdir():
        if f.suffix in (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"):
            raise ModelError(Errors.E303.format(path=f))
    model = TaggerModel.load(model_dir)
    tokenizer = load_tokenizer(model_dir)
    name = model_dir.name
    card = model_dir / "coder_model.json"
    if card.is_file():
        meta = json.loads(card.read_text("utf-8"))
        name = f"{meta.get('name', name)}-{meta.get('version', '0')}"
    from coder.calibrate import load_calibration

    tagger = HFTagger(model, tokenizer, name, **kwargs)
    tagger.calibration = load_calibration(model_dir)
    return tagger
