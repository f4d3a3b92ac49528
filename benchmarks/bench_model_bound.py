"""Model-only throughput against the arithmetic bound of this machine.

FLOPs per token of the encoder are counted from ``config.json``: per layer 2 x (4 h^2 + 2 h i)
for the Q/K/V/output and feed-forward matmuls plus 4 L h for the attention scores and the
weighted sum (L: tokens per window), plus the three heads. Multiplied by the measured tokens/s this
gives achieved GFLOP/s, compared with the fp32 matmul GFLOP/s this machine reaches (torch and
numpy, same threads, fastest of the repetitions). Model tokens/s are from the median call. int8
rows can exceed 100 %: their matmuls are not fp32.

    python benchmarks/bench_model_bound.py [--model DIR] [--batch 32] [--tokens 64] [--quick]
"""

from __future__ import annotations

import json
import statistics
import sys

import numpy as np
from _common import Timer, machine, parser, quiet_warnings, resolve_model


def flops_per_token(cfg: dict, tokens: int) -> float:
    h, i, layers = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    heads_out = len(cfg["id2label"]) + len(cfg["coder_event_classes"]) + len(cfg["coder_modalities"])
    per_layer = 2 * (4 * h * h + 2 * h * i) + 4 * tokens * h
    return layers * per_layer + 2 * h * heads_out


def _best(fn, reps: int) -> float:
    """Fastest of ``reps`` timed calls (after one warm-up): the machine's peak, not its noise."""
    fn()
    times = []
    for _ in range(reps):
        with Timer() as t:
            fn()
        times.append(t.seconds)
    return min(times)


def matmul_gflops(n: int, reps: int, threads: int | None) -> dict:
    import torch

    if threads:
        torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    x, y = a.numpy(), b.numpy()
    flop = 2 * n**3
    return {"torch": flop / _best(lambda: torch.mm(a, b), reps) / 1e9,
            "numpy": flop / _best(lambda: x @ y, reps) / 1e9}


def main() -> int:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32, help="Windows per model call.")
    ap.add_argument("--tokens", type=int, default=64, help="Tokens per window (specials included).")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    quiet_warnings()
    if args.quick:
        args.batch, args.tokens, args.reps = 4, 32, 3
    model_dir, real = resolve_model(args.model)
    cfg = json.loads((model_dir / "config.json").read_text("utf-8"))

    from coder.tagger.hf import load_tagger

    peak = matmul_gflops(512 if args.quick else 1024, 5 if args.quick else 20, args.threads)
    best = max(peak.values())
    fpt = flops_per_token(cfg, args.tokens)
    rng = np.random.default_rng(0)
    ids = rng.integers(5, cfg["vocab_size"], size=(args.batch, args.tokens), dtype=np.int64)
    mask = np.ones_like(ids)
    print(f"machine: {machine()}")
    print(f"model: {model_dir}{'' if real else ' (TINY RANDOM MODEL)'}: {cfg['num_hidden_layers']} layers, hidden "
          f"{cfg['hidden_size']}; {fpt / 1e6:.3g} MFLOP per token at {args.tokens} tokens per window")
    print(f"fp32 matmul: torch {peak['torch']:.1f} GFLOP/s, numpy {peak['numpy']:.1f} GFLOP/s -> bound "
          f"{best * 1e9 / fpt:,.0f} tokens/s")
    print(f"{'backend':10s} {'tokens/s':>10s} {'GFLOP/s':>9s} {'of matmul peak':>15s}")
    for backend in ("torch", "onnx", "onnx-int8"):
        tagger = load_tagger(model_dir, backend=backend, threads=args.threads)
        calls = []
        tagger._forward(ids, mask)
        for _ in range(args.reps):
            with Timer() as t:
                tagger._forward(ids, mask)
            calls.append(t.seconds)
        tps = ids.size / statistics.median(calls)
        achieved = tps * fpt / 1e9
        print(f"{backend:10s} {tps:10,.0f} {achieved:9.1f} {achieved / best:14.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
