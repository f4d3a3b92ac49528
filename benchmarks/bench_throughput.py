"""End-to-end throughput: the optimised path (ONNX Runtime fp32, length-sorted batches, overlapped
preparation) against a naive Hugging Face-style loop (PyTorch fp32, one sentence per model call).

Both code the same synthetic articles in the same process with the same model (cleaning, sentence
splitting and normalisation included) and the script prints sentences/s, articles/s and the ratio.

    python benchmarks/bench_throughput.py [--model DIR] [--articles 400] [--quick]
"""

from __future__ import annotations

import sys

from _common import Timer, machine, parser, quiet_warnings, resolve_model, synthetic_articles


def main() -> int:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=None, help="Intra-op threads (default: the library's choice).")
    ap.add_argument("--no-fp32", action="store_true", help="Skip the extra rows (batched torch, ONNX int8).")
    args = ap.parse_args()
    quiet_warnings()
    n = 8 if args.quick else args.articles
    model_dir, real = resolve_model(args.model)

    from coder.document import prepare
    from coder.ingest import article_from_dict
    from coder.pipeline import Coder
    from coder.tagger.hf import load_tagger
    from coder.tagger.onnx import ensure_onnx

    articles = list(synthetic_articles(n, seed=1))
    sentences = sum(len(prepare(article_from_dict(a, a["id"]).article).sentences) for a in articles)
    with Timer() as t_export:
        ensure_onnx(model_dir, quantize=False)
        if not args.no_fp32:
            ensure_onnx(model_dir, quantize=True)
    print(f"machine: {machine()}")
    print(f"model: {model_dir}{'' if real else ' (TINY RANDOM MODEL)'}; {n} articles, {sentences} sentences; "
          f"ONNX export (or cache check) {t_export.seconds:.1f} s")

    variants = [("naive: torch fp32, batch 1, no overlap", "torch", {"batch_size": 1, "overlap": False})]
    if not args.no_fp32:
        variants.append((f"torch fp32, batch {args.batch_size}, overlap", "torch", {"batch_size": args.batch_size}))
        variants.append((f"onnx int8, batch {args.batch_size}, overlap", "onnx-int8", {"batch_size": args.batch_size}))
    variants.append((f"optimised: onnx fp32, batch {args.batch_size}, overlap", "onnx", {"batch_size": args.batch_size}))

    rows = []
    for label, backend, opts in variants:
        tagger = load_tagger(model_dir, backend=backend, threads=args.threads)
        coder = Coder(tagger, **opts)
        list(coder.code_results(articles[:2]))  # warm-up: first calls allocate
        tagger.stats.__init__()
        with Timer() as t:
            results = list(coder.code_results(articles))
        assert len(results) == n
        rows.append((label, t.seconds, tagger.stats.padding_waste, tagger.stats.calls))

    base = rows[0][1]
    print(f"{'variant':48s} {'seconds':>8s} {'sent/s':>9s} {'art/s':>8s} {'speed-up':>8s} {'padding':>8s} {'calls':>6s}")
    for label, sec, waste, calls in rows:
        print(f"{label:48s} {sec:8.2f} {sentences / sec:9.1f} {n / sec:8.2f} {base / sec:7.2f}x {waste:7.1%} {calls:6d}")
    print(f"RATIO optimised / naive: {base / rows[-1][1]:.2f}x (sentences/s and articles/s alike)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
