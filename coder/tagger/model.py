"""The tagger network: any Hugging Face encoder + three token heads.

- span head: BIO tags over :data:`~coder.tagger.base.SPAN_LABELS` (``id2label`` in ``config.json``);
- class head: the event class of trigger tokens (``coder_event_classes`` in ``config.json``);
- modality head: asserted / negated / hypothetical / future of trigger tokens.

Class and modality losses only count trigger tokens (other tokens carry -100). A model directory
holds ``config.json`` (the encoder's config plus our label lists), ``model.safetensors`` and the
tokenizer files. When ``coder_frozen_embeddings`` is set, the word-embedding matrix is not stored:
it is rebuilt from the backbone (see :mod:`coder.backbone`) and checked against its sha256.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from torch import nn

from coder.errors import Errors, ModelError
from coder.ontology.classes import EVENT_CLASSES
from coder.tagger.base import MODALITIES, SPAN_LABELS

WORD_EMBEDDINGS_KEY = "encoder.embeddings.word_embeddings.weight"


def bio_labels(span_labels: tuple[str, ...] = SPAN_LABELS) -> list[str]:
    """``["O", "B-TRIGGER", "I-TRIGGER", ...]``: the span head's label list."""
    out = ["O"]
    for lab in span_labels:
        out += [f"B-{lab}", f"I-{lab}"]
    return out


def tagger_config(encoder_config, *, event_classes: list[str] | None = None, frozen_embeddings: dict | None = None):
    """Copy ``encoder_config`` and add the label lists (the one source of truth for ids)."""
    cfg = encoder_config.__class__.from_dict(encoder_config.to_dict())
    labels = bio_labels()
    cfg.id2label = dict(enumerate(labels))
    cfg.label2id = {lab: i for i, lab in enumerate(labels)}
    cfg.coder_event_classes = list(event_classes or EVENT_CLASSES)
    cfg.coder_modalities = list(MODALITIES)
    cfg.coder_frozen_embeddings = frozen_embeddings
    return cfg


class TaggerModel(nn.Module):
    """Encoder + span / class / modality heads (see module docstring)."""

    def __init__(self, config, encoder: nn.Module | None = None) -> None:
        super().__init__()
        from transformers import AutoModel

        self.config = config
        if encoder is None:
            kwargs = {"add_pooling_layer": False} if _accepts_pooling(config) else {}
            encoder = AutoModel.from_config(config, **kwargs)
        self.encoder = encoder
        hidden = config.hidden_size
        drop = getattr(config, "hidden_dropout_prob", 0.1)
        self.dropout = nn.Dropout(drop)
        self.span_head = nn.Linear(hidden, len(config.id2label))
        self.class_head = nn.Linear(hidden, len(config.coder_event_classes))
        self.modality_head = nn.Linear(hidden, len(config.coder_modalities))

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
        allowed_labels: torch.Tensor | None = None,
        class_labels: torch.Tensor | None = None,
        modality_labels: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """Logits of the three heads, and the summed loss when labels are given.

        ``allowed_labels`` (bool ``[batch, tokens, n_bio]``) replaces ``labels`` for partially
        annotated data: the span loss is ``-log P(label ∈ allowed)``, zero where all are allowed.
        """
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        hidden = self.dropout(hidden)
        out = {
            "span_logits": self.span_head(hidden),
            "class_logits": self.class_head(hidden),
            "modality_logits": self.modality_head(hidden),
        }
        ce = nn.CrossEntropyLoss(ignore_index=-100)
        loss = None
        if labels is not None:
            loss = ce(out["span_logits"].flatten(0, 1), labels.flatten())
        elif allowed_labels is not None:
            logits = out["span_logits"]
            total = torch.logsumexp(logits, -1)
            kept = torch.logsumexp(logits.masked_fill(~allowed_labels, float("-inf")), -1)
            active = attention_mask.bool() & ~allowed_labels.all(-1)
            loss = ((total - kept) * active).sum() / active.sum().clamp(min=1)
        if loss is not None:
            for key, lab in (("class_logits", class_labels), ("modality_logits", modality_labels)):
                if lab is not None and (lab != -100).any():
                    loss = loss + ce(out[key].flatten(0, 1), lab.flatten())
            out["loss"] = loss
        return out

    # -- persistence ------------------------------------------------------------------------
    def save(self, out_dir: str | Path, *, half: bool = False) -> Path:
        """Write ``config.json`` and ``model.safetensors`` (without frozen word embeddings)."""
        from safetensors.torch import save_file

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.config.save_pretrained(out)
        state = {k: v.detach().contiguous() for k, v in self.state_dict().items()}
        if self.config.coder_frozen_embeddings:
            state.pop(WORD_EMBEDDINGS_KEY, None)
        if half:
            state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
        save_file(state, str(out / "model.safetensors"), metadata={"format": "pt", "coder": "tagger"})
        return out

    @classmethod
    def load(cls, model_dir: str | Path) -> TaggerModel:
        """Load a saved tagger (safetensors only), rebuilding frozen word embeddings."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file
        from transformers import AutoConfig

        path = Path(model_dir)
        weights = path / "model.safetensors"
        if not (path / "config.json").is_file() or not weights.is_file():
            raise ModelError(Errors.E301.format(path=path))
        try:
            config = AutoConfig.from_pretrained(path, trust_remote_code=False)
            model = cls(config)
            state = load_file(str(weights))
        except (SafetensorError, OSError, ValueError, json.JSONDecodeError) as exc:
            raise ModelError(Errors.E302.format(path=path, detail=exc)) from exc
        state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
        frozen = getattr(config, "coder_frozen_embeddings", None)
        if frozen and WORD_EMBEDDINGS_KEY not in state:
            state[WORD_EMBEDDINGS_KEY] = frozen_word_embeddings(frozen)
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.endswith("position_ids")]
        if missing or unexpected:
            raise ModelError(Errors.E302.format(path=path, detail=f"missing {missing[:3]}, unexpected {unexpected[:3]}"))
        model.eval()
        return model


def _accepts_pooling(config) -> bool:
    return config.model_type in ("bert", "roberta", "xlm-roberta", "camembert")


def embeddings_sha256(matrix: torch.Tensor) -> str:
    """sha256 of a float32 matrix's bytes: identifies frozen word embeddings."""
    return hashlib.sha256(matrix.detach().float().contiguous().numpy().tobytes()).hexdigest()


def frozen_word_embeddings(spec: dict) -> torch.Tensor:
    """Rebuild the frozen word-embedding matrix described by ``spec`` and check its hash."""
    if spec.get("source") != "coder.backbone":
        raise ModelError(Errors.E302.format(path=spec, detail="unknown word-embedding source"))
    from coder.backbone import ensure_backbone, word_embeddings

    matrix = word_embeddings(ensure_backbone())
    if embeddings_sha256(matrix) != spec.get("sha256"):
        raise ModelError(Errors.E302.format(path=spec, detail="rebuilt word embeddings do not match the model's sha256"))
    return matrix
