"""Training configuration (a JSON file or keyword arguments), validated with pydantic."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class CorpusSpec(BaseModel):
    """An extra training source read through a converter (see :mod:`coder.train.corpora`)."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    path: str
    max_sentences: int | None = None
    weight: float = 1.0


class TrainConfig(BaseModel):
    """Everything that decides a training run; saved beside the model it produced."""

    model_config = ConfigDict(extra="forbid")

    train: list[str] = Field(default_factory=lambda: ["annotations/gold/train.jsonl"])
    dev: list[str] = Field(default_factory=lambda: ["annotations/gold/dev.jsonl"])
    output: str = "models/coder-tagger-enfr"
    run_dir: str = "runs/tagger"
    base_model: str | None = None
    init_from: str | None = Field(None, description="a trained tagger directory to continue from (same base model)")
    languages: list[str] | None = None
    corpora: list[CorpusSpec] = Field(default_factory=list)
    name: str = "coder-tagger-enfr"
    version: str = "0.1.0"
    epochs: int = Field(6, ge=1)
    batch_size: int = Field(16, ge=1)
    lr: float = 5e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_tokens: int = Field(128, ge=8)
    seed: int = 13
    freeze_embeddings: bool = True
    freeze_layers: int = Field(0, ge=0, description="freeze the embeddings block and this many bottom encoder layers")
    checkpoint_every: int = Field(100, ge=1)
    max_steps: int | None = None
    threads: int | None = None
    save_half: bool = True

    @classmethod
    def from_file(cls, path: str | Path, **overrides) -> TrainConfig:
        """Read a JSON config, then apply ``overrides`` (None values are ignored)."""
        data = cls.model_validate_json(Path(path).read_text(encoding="utf-8")).model_dump()
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(data)
