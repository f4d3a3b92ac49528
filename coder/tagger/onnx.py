"""The ONNX Runtime backend: export a :class:`~coder.tagger.model.TaggerModel` once, then tag without PyTorch.

Export (:func:`export_onnx`): the network (frozen word embeddings included) is traced with
``torch.onnx.export`` (dynamic batch and sequence axes; inputs ``input_ids`` and
``attention_mask``, outputs the three heads' logits), its attention, layer-norm and GELU
subgraphs are fused by ONNX Runtime's transformer optimizer. The default ``onnx`` backend runs
this fp32 graph (the same spans as PyTorch); for ``onnx-int8`` the weights of every MatMul and
fused Attention are quantised with
``onnxruntime.quantization.quantize_dynamic`` (signed int8, per output channel; activations are
quantised on the fly). Word embeddings stay fp32 (a table lookup costs no arithmetic). Every export
is checked against PyTorch on a padded probe batch before it is kept.

Cache (:func:`ensure_onnx`): ``model.onnx`` (or ``model.int8.onnx``) next to the model's
``model.safetensors`` when that directory is writable, else under
``$CODER_CACHE/onnx/<fingerprint>/`` (default ``~/.cache/coder``). Files are written to a temporary
name and renamed, so concurrent workers never see half a file. Each file records in its metadata
the sha256 of the model's ``config.json`` and ``model.safetensors`` plus the export options; a stale
file (retrained model) is exported again. ONNX files are protobuf, not pickle: loading one runs no
code, and the file is self-contained (no external-data references).

Loading (:func:`load_onnx_tagger`) needs neither torch nor transformers once the export exists.
:func:`compare_backends` measures how far the ONNX backends are from PyTorch on given sentences.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from coder.errors import Errors, ModelError
from coder.tagger.windows import (
    Probs,
    WindowedTagger,
    _words,
    check_model_dir,
    load_tokenizer,
    model_display_name,
    softmax,
)

log = logging.getLogger(__name__)

EXPORT_FORMAT = "coder-onnx-v1"
"""Bump when the export procedure changes: cached files with another value are exported again."""
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAMES = ("span_logits", "class_logits", "modality_logits")
OPSET = 17
FP32_TOLERANCE = 1e-3
"""Largest logit difference an fp32 export may show against PyTorch on the probe batch."""
DEFAULT_EXPORT_OPTIONS = {"per_channel": True, "reduce_range": False, "quantize_embeddings": False, "optimize": True,
                          "quantize_attention": True}


def onnx_filename(quantize: bool) -> str:
    """``model.int8.onnx`` or ``model.onnx``."""
    return "model.int8.onnx" if quantize else "model.onnx"


def _options(quantize: bool, options: dict | None) -> dict:
    opts = dict(DEFAULT_EXPORT_OPTIONS)
    unknown = set(options or {}) - set(opts)
    if unknown:
        raise ValueError(f"unknown ONNX export options: {sorted(unknown)}")
    opts.update(options or {})
    opts["quantize"] = bool(quantize)
    if not quantize:
        for k in ("per_channel", "reduce_range", "quantize_embeddings", "quantize_attention"):
            opts.pop(k)
    return opts


def fingerprint(model_dir: Path, quantize: bool = True, options: dict | None = None) -> str:
    """sha256 of the export format, the export options and the model's config and weights."""
    h = hashlib.sha256()
    h.update(json.dumps({"format": EXPORT_FORMAT, **_options(quantize, options)}, sort_keys=True).encode())
    for name in ("config.json", "model.safetensors"):
        path = Path(model_dir) / name
        if not path.is_file():
            raise ModelError(Errors.E301.format(path=model_dir))
        with open(path, "rb") as fh:
            h.update(name.encode() + b"\0" + hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()


def _cache_root(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from coder.cache import cache_root

    return cache_root()


def candidate_paths(model_dir: Path, quantize: bool, fp: str, cache_dir: str | os.PathLike | None = None) -> list[Path]:
    """Where an export of this model may be: next to the model, then in the cache."""
    name = onnx_filename(quantize)
    return [Path(model_dir) / name, _cache_root(cache_dir) / "onnx" / fp[:24] / name]


def _dir_writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".coder-write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def read_fingerprint(path: Path) -> str | None:
    """The fingerprint recorded in an ONNX file's metadata (None if absent or unreadable)."""
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # noqa: BLE001 - a truncated or foreign file is simply not a cache hit
        return None
    return {p.key: p.value for p in model.metadata_props}.get("coder_fingerprint")


def ensure_onnx(model_dir: str | Path, *, quantize: bool = True, cache_dir: str | os.PathLike | None = None,
                options: dict | None = None, force: bool = False) -> Path:
    """Path of a current ONNX export of ``model_dir``, exporting it first if needed (see module doc)."""
    model_dir = check_model_dir(Path(model_dir))
    fp = fingerprint(model_dir, quantize, options)
    candidates = candidate_paths(model_dir, quantize, fp, cache_dir)
    if not force:
        for path in candidates:
            if path.is_file() and read_fingerprint(path) == fp:
                return path
    out = candidates[0] if _dir_writable(model_dir) else candidates[1]
    return export_onnx(model_dir, out, quantize=quantize, options=options, fp=fp)


# -- export ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the tracer's and quantiser's warnings and log lines (they concern the export, not the user)."""
    import warnings

    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


def _probe_inputs(vocab_size: int, pad_id: int, shape: tuple[int, int], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A batch with right padding (the attention mask must stay in the traced graph)."""
    rng = np.random.default_rng(seed)
    b, n = shape
    ids = rng.integers(min(5, vocab_size - 1), vocab_size, size=shape, dtype=np.int64)
    mask = np.ones(shape, dtype=np.int64)
    for row in range(1, b):
        keep = max(1, n - 3 * row)
        mask[row, keep:] = 0
        ids[row, keep:] = pad_id
    return ids, mask


def _max_diff(session_path: Path, reference, ids: np.ndarray, mask: np.ndarray) -> float:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(session_path), providers=["CPUExecutionProvider"])
    got = sess.run(list(OUTPUT_NAMES), {"input_ids": ids, "attention_mask": mask})
    return max(float(np.abs(g - r).max()) for g, r in zip(got, reference))


def export_onnx(model_dir: str | Path, out: str | Path, *, quantize: bool = True, options: dict | None = None,
                fp: str | None = None) -> Path:
    """Export ``model_dir`` to the ONNX file ``out`` (written atomically); see the module docstring.

    ``options``: ``per_channel`` (int8 scales per output channel, default True), ``reduce_range``
    (7-bit weights, for CPUs without VNNI, default False), ``quantize_embeddings`` (default False),
    ``optimize`` (fuse with ONNX Runtime's transformer optimizer, default True).
    """
    import onnx
    import torch

    from coder.tagger.model import TaggerModel

    model_dir = check_model_dir(Path(model_dir))
    out = Path(out)
    opts = _options(quantize, options)
    fp = fp or fingerprint(model_dir, quantize, options)
    model = TaggerModel.load(model_dir)
    with contextlib.suppress(Exception):  # eager attention traces into the pattern the optimizer fuses
        model.encoder.set_attn_implementation("eager")
    cfg = model.config

    class Heads(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            o = self.inner(input_ids=input_ids, attention_mask=attention_mask)
            return o["span_logits"], o["class_logits"], o["modality_logits"]

    net = Heads(model).eval()
    pad_id = getattr(cfg, "pad_token_id", None) or 0
    example = _probe_inputs(cfg.vocab_size, pad_id, (2, 12), seed=0)
    probe = _probe_inputs(cfg.vocab_size, pad_id, (3, 37), seed=1)
    with torch.inference_mode():
        reference = [t.numpy() for t in net(*map(torch.from_numpy, probe))]
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".onnx-export-", dir=out.parent))
    try:
        raw = work / "raw.onnx"
        dynamic = {name: {0: "batch", 1: "tokens"} for name in (*INPUT_NAMES, *OUTPUT_NAMES)}
        with _quiet():
            torch.onnx.export(net, tuple(map(torch.from_numpy, example)), str(raw), input_names=list(INPUT_NAMES),
                              output_names=list(OUTPUT_NAMES), dynamic_axes=dynamic, opset_version=OPSET,
                              dynamo=False, do_constant_folding=True)
        diff = _max_diff(raw, reference, *probe)
        if diff > FP32_TOLERANCE:
            raise ModelError(Errors.E302.format(path=model_dir, detail=f"ONNX export differs from PyTorch by {diff:.2g}"))
        graph = raw
        if opts["optimize"] and cfg.model_type in ("bert", "roberta", "xlm-roberta", "camembert"):
            graph = _optimize(raw, work / "fused.onnx", cfg, reference, probe) or raw
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            ops = ["MatMul"] + (["Attention"] if opts["quantize_attention"] else []) + (
                ["Gather", "EmbedLayerNormalization"] if opts["quantize_embeddings"] else [])
            qpath = work / "int8.onnx"
            with _quiet():
                quantize_dynamic(str(graph), str(qpath), weight_type=QuantType.QInt8, per_channel=opts["per_channel"],
                                 reduce_range=opts["reduce_range"], op_types_to_quantize=ops,
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            graph = qpath
            log.info("int8 export of %s differs from PyTorch by up to %.3g (logits)", model_dir,
                     _max_diff(graph, reference, *probe))
        final = onnx.load(str(graph))
        meta = {"coder_fingerprint": fp, "coder_export": EXPORT_FORMAT, "coder_options": json.dumps(opts, sort_keys=True),
                "coder_model": model_dir.name}
        del final.metadata_props[:]
        for k, v in meta.items():
            final.metadata_props.add(key=k, value=v)
        tmp = out.with_name(f".{out.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        onnx.save(final, str(tmp))
        os.replace(tmp, out)
    except OSError as exc:
        raise ModelError(Errors.E302.format(path=model_dir, detail=f"cannot write the ONNX export {out}: {exc}")) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _optimize(raw: Path, dest: Path, cfg, reference, probe) -> Path | None:
    """Fuse attention / layer norm / GELU; None (keep the plain graph) if fusion fails or changes the outputs."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        with _quiet():
            fused = optimize_model(str(raw), model_type="bert", num_heads=cfg.num_attention_heads,
                                   hidden_size=cfg.hidden_size, opt_level=0, use_gpu=False)
            fused.save_model_to_file(str(dest))
        diff = _max_diff(dest, reference, *probe)
    except Exception as exc:  # noqa: BLE001 - fusion is an optimisation, never a requirement
        log.warning("ONNX graph fusion failed (%s); using the unfused graph", exc)
        return None
    if diff > FP32_TOLERANCE:
        log.warning("fused ONNX graph differs from PyTorch by %.3g; using the unfused graph", diff)
        return None
    return dest


# -- inference ------------------------------------------------------------------------------------
def session_options(threads: int | None = None, *, spin: bool = True):
    """Sequential execution, full graph optimisation, ``threads`` intra-op threads (None: ONNX Runtime's choice)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.inter_op_num_threads = 1
    if threads:
        so.intra_op_num_threads = int(threads)
    if not spin:
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.log_severity_level = 3
    return so


class OnnxTagger(WindowedTagger):
    """A :class:`~coder.tagger.base.Tagger` whose network runs in ONNX Runtime (same ``tag()`` as HFTagger)."""

    def __init__(self, session, tokenizer, name: str, id2label: dict, classes: Sequence[str],
                 modalities: Sequence[str], *, window: int = 256, stride: int = 64, path: Path | None = None) -> None:
        super().__init__(tokenizer, name, id2label, classes, modalities, window=window, stride=stride)
        self.session = session
        self.path = path

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> Probs:
        span, cls, mod = self.session.run(list(OUTPUT_NAMES), {"input_ids": ids, "attention_mask": mask})
        return softmax(span), softmax(cls), softmax(mod)


def _session(path: Path, threads: int | None, spin: bool):
    import onnxruntime as ort

    return ort.InferenceSession(str(path), sess_options=session_options(threads, spin=spin),
                                providers=["CPUExecutionProvider"])


def _load_session(model_dir: Path, quantize: bool, threads: int | None, cache_dir, options: dict | None,
                  spin: bool):
    fp = fingerprint(model_dir, quantize, options)
    for cand in candidate_paths(model_dir, quantize, fp, cache_dir):
        if not cand.is_file():
            continue
        try:
            sess = _session(cand, threads, spin)
        except Exception:  # noqa: BLE001 - unreadable cache file: export again
            continue
        if sess.get_modelmeta().custom_metadata_map.get("coder_fingerprint") == fp:
            return sess, cand
    path = ensure_onnx(model_dir, quantize=quantize, cache_dir=cache_dir, options=options, force=True)
    return _session(path, threads, spin), path


def load_onnx_tagger(model_dir: str | Path, *, quantize: bool = True, threads: int | None = None,
                     cache_dir: str | os.PathLike | None = None, options: dict | None = None, spin: bool = True,
                     window: int = 256, stride: int = 64) -> OnnxTagger:
    """An :class:`OnnxTagger` for ``model_dir``, exporting the model first when no current export exists."""
    from coder.calibrate import load_calibration

    model_dir = check_model_dir(Path(model_dir))
    try:
        cfg = json.loads((model_dir / "config.json").read_text("utf-8"))
        labels = (cfg["id2label"], cfg["coder_event_classes"], cfg["coder_modalities"])
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(Errors.E302.format(path=model_dir, detail=f"config.json: {exc}")) from exc
    tokenizer = load_tokenizer(model_dir)
    session, path = _load_session(model_dir, quantize, threads, cache_dir, options, spin)
    tagger = OnnxTagger(session, tokenizer, model_display_name(model_dir), *labels, window=window, stride=stride,
                        path=path)
    tagger.calibration = load_calibration(model_dir)
    return tagger


# -- backend agreement ----------------------------------------------------------------------------
def compare_backends(model_dir: str | Path, sentences: Sequence[str], *, batch_size: int = 32, margin: float = 0.05,
                     cache_dir: str | os.PathLike | None = None) -> dict:
    """How far ONNX fp32 and int8 are from PyTorch on ``sentences`` (e.g. the test split).

    For each ONNX variant: ``spans_equal`` (sentences whose spans, offsets and labels, equal
    PyTorch's), ``spans_differ_without_small_margin`` (sentences whose spans differ although
    every word whose decoded label changed had a PyTorch top-two margin of at least ``margin``),
    ``label_flips`` (tokens whose top BIO label differs; ``class_flips`` likewise for the
    event class of tokens PyTorch calls a trigger), ``flips_small_margin`` (flips where PyTorch's
    top-two probability margin was < ``margin``), and ``max_prob_diff``.
    """
    from coder.tagger.hf import load_tagger

    sentences = list(sentences)
    ref = load_tagger(model_dir)
    enc = ref.encode(sentences)
    ref_probs = ref.token_probs(enc, batch_size)
    ref_spans = ref.tag_encoded(enc, batch_size)
    report: dict = {"sentences": len(sentences), "tokens": sum(len(e.ids) for e in enc.encodings), "margin": margin}
    for name, quantize in (("onnx-fp32", False), ("onnx-int8", True)):
        other = load_onnx_tagger(model_dir, quantize=quantize, cache_dir=cache_dir)
        probs = other.token_probs(enc, batch_size)
        spans = other.tag_encoded(enc, batch_size)
        flips = small = class_flips = class_small = 0
        max_diff = 0.0
        for rp, op in zip(ref_probs, probs):
            if rp is None or not len(rp[0]):
                continue
            max_diff = max(max_diff, *(float(np.abs(a - b).max()) for a, b in zip(rp, op)))
            top2 = np.sort(rp[0], -1)[:, -2:]
            gap = top2[:, 1] - top2[:, 0]
            flipped = rp[0].argmax(-1) != op[0].argmax(-1)
            flips += int(flipped.sum())
            small += int((flipped & (gap < margin)).sum())
            trig = np.array([ref.id2label[int(i)].endswith("TRIGGER") for i in rp[0].argmax(-1)])
            c2 = np.sort(rp[1], -1)[:, -2:]
            cflip = trig & (rp[1].argmax(-1) != op[1].argmax(-1))
            class_flips += int(cflip.sum())
            class_small += int((cflip & (c2[:, 1] - c2[:, 0] < margin)).sum())
        key = lambda ss: [(s.start, s.end, s.label) for s in ss]  # noqa: E731
        equal = sum(key(a) == key(b) for a, b in zip(ref_spans, spans))
        # sentences whose spans differ although no word whose decoded label changed had a small
        # PyTorch margin: the differences the acceptance rule does not allow
        unexplained = 0
        for text, e, rp, op, a, b in zip(enc.sentences, enc.encodings, ref_probs, probs, ref_spans, spans):
            if key(a) == key(b) or rp is None:
                continue
            firsts = [w[0] for w in _words(text, e.offsets)]
            changed = ref._viterbi(rp[0][firsts]) != other._viterbi(op[0][firsts])
            top2 = np.sort(rp[0][firsts], -1)[:, -2:]
            unexplained += not bool((changed & (top2[:, 1] - top2[:, 0] < margin)).any())
        report[name] = {"spans_equal": equal, "spans_differ": len(sentences) - equal,
                        "spans_differ_without_small_margin": unexplained, "label_flips": flips,
                        "flips_small_margin": small, "class_flips": class_flips,
                        "class_flips_small_margin": class_small, "max_prob_diff": max_diff}
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coder.tagger.onnx MODEL_DIR [--int8] [--force]``: write the export next to the model."""
    ap = argparse.ArgumentParser(prog="python -m coder.tagger.onnx", description="Export a coder tagger to ONNX.")
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--int8", action="store_true", help="Export dynamic int8 weights (default: fp32).")
    ap.add_argument("--force", action="store_true", help="Export again even if a current export exists.")
    args = ap.parse_args(argv)
    print(ensure_onnx(args.model_dir, quantize=args.int8, force=args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
