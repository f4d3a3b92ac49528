"""Training round trip on a tiny model: overfit, export, load, predict identically, score 1.0."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import write_jsonl
from tiny import build_tokenizer

from coder.annotations.markup import convert_document
from coder.train.config import TrainConfig

DOCS = [
    {"id": "en-t-1", "lang": "en", "date": "2024-03-31",
     "paragraphs": ["[Gunmen](A1) [killed](T1) [five villagers](FAT) in [Zamfara](LOC) [on Sunday](TIME), police said."],
     "events": {"T1": {"class": "attack_civilians", "date": "2024-03-31", "precision": 1, "fatalities": 5}}},
    {"id": "fr-t-1", "lang": "fr", "date": "2024-03-31",
     "paragraphs": ["Des [hommes armés](A1) ont [tué](T1) [sept civils](FAT) [dimanche](TIME) à [Kidal](LOC)."],
     "events": {"T1": {"class": "attack_civilians", "date": "2024-03-31", "precision": 1, "fatalities": 7}}},
    {"id": "en-t-2", "lang": "en", "date": "2024-03-31",
     "paragraphs": ["[The army](A1) [clashed](T1) with [rebels](A2) near [Gao](LOC) [on Monday](TIME)."],
     "events": {"T1": {"class": "armed_clash", "date": "2024-03-25", "precision": 1}}},
    {"id": "fr-t-2", "lang": "fr", "date": "2024-03-31",
     "paragraphs": ["[L'armée](A1) a [arrêté](T1) [deux suspects](A2) à [Kidal](LOC)."],
     "events": {"T1": {"class": "arrests", "modality": "asserted"}}},
]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    from transformers import BertConfig, BertModel

    d = tmp_path_factory.mktemp("base")
    tok = build_tokenizer(d)
    cfg = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=48, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=96, max_position_embeddings=128, pad_token_id=0, hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0)
    BertModel(cfg, add_pooling_layer=False).save_pretrained(d)
    return d


def test_tagger_overfits_round_trips_and_scores_perfectly(tmp_path, tiny_base):
    from coder.tagger.hf import load_tagger
    from coder.train.loop import train

    gold = write_jsonl(tmp_path / "gold.jsonl", [convert_document(d) for d in DOCS])
    cfg = TrainConfig(train=[str(gold)], dev=[str(gold)], output=str(tmp_path / "model"), run_dir=str(tmp_path / "run"),
                      base_model=str(tiny_base), freeze_embeddings=False, epochs=60, batch_size=4, lr=3e-3,
                      head_lr=1e-2, warmup_ratio=0.05, checkpoint_every=50, seed=1, save_half=False)
    result = train(cfg)
    dev = result["history"][-1]["dev"]["all"]
    assert dev["micro_f1"] == 1.0
    assert dev["class_accuracy"] == 1.0
    tagger = load_tagger(tmp_path / "model")
    texts = [convert_document(d)["text"] for d in DOCS]
    first = tagger.tag(texts)
    again = load_tagger(tmp_path / "model").tag(texts)
    assert [[(s.start, s.end, s.label, s.event_class) for s in spans] for spans in first] == \
           [[(s.start, s.end, s.label, s.event_class) for s in spans] for spans in again]
    got = {(texts[0][s.start:s.end], s.label) for s in first[0]}
    assert got == {("Gunmen", "ACTOR1"), ("killed", "TRIGGER"), ("five villagers", "FATALITIES"),
                   ("Zamfara", "LOCATION"), ("on Sunday", "TIME")}
    trig = next(s for s in first[3] if s.label == "TRIGGER")
    assert trig.event_class == "arrests"
    meta = json.loads((tmp_path / "model" / "coder_model.json").read_text())
    assert meta["name"] == "coder-tagger-enfr"


def test_training_resumes_from_its_checkpoint(tmp_path, tiny_base):
    from coder.train.loop import train

    gold = write_jsonl(tmp_path / "gold.jsonl", [convert_document(d) for d in DOCS])
    common = dict(train=[str(gold)], dev=[str(gold)], base_model=str(tiny_base), freeze_embeddings=False,
                  batch_size=2, lr=1e-3, checkpoint_every=2, seed=3, save_half=False, epochs=3)
    full = train(TrainConfig(output=str(tmp_path / "m1"), run_dir=str(tmp_path / "r1"), **common))
    part = train(TrainConfig(output=str(tmp_path / "m2"), run_dir=str(tmp_path / "r2"), **common), stop_after=3)
    assert part["stopped"] and [h["step"] for h in part["history"]] == [2]
    resumed = train(TrainConfig(output=str(tmp_path / "m2"), run_dir=str(tmp_path / "r2"), **common))
    assert resumed["history"][-1]["dev"] == full["history"][-1]["dev"]
    from safetensors.torch import load_file

    full_w = load_file(str(tmp_path / "m1" / "model.safetensors"))
    resumed_w = load_file(str(tmp_path / "m2" / "model.safetensors"))
    assert full_w.keys() == resumed_w.keys()
    assert all(torch.equal(full_w[k], resumed_w[k]) for k in full_w)
