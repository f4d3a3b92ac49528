"""Peak memory while coding a large synthetic dump streamed from disk.

Writes a JSONL dump of ``--articles`` synthetic articles (default 100,000, about 90 MB) without
holding it in memory, then runs ``coder code`` on it in a child process and reports that process's
peak resident set size (ru_maxrss), next to the peak of the same command on a one-article dump: the
difference is what the dump's size costs (it should stay small and not grow with the dump).

    python benchmarks/bench_memory.py [--model DIR] [--articles 100000] [--backend onnx] [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import Timer, machine, parser, resolve_model, write_dump

WRAPPER = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
)


def peak_rss_mib(cmd: list[str]) -> tuple[float, float]:
    """``(peak RSS in MiB, wall seconds)`` of ``cmd`` run in a fresh child."""
    with Timer() as t:
        res = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{res.stderr[-2000:]}")
    return int(res.stdout.strip().splitlines()[-1]) / 1024, t.seconds


def main() -> int:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--backend", default="onnx", choices=("torch", "onnx", "onnx-fp32", "onnx-int8"))
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    n = 300 if args.quick else args.articles
    model_dir, real = resolve_model(args.model)
    print(f"machine: {machine()}")
    if args.backend != "torch":  # export once here, so that neither measured run includes the export
        from coder.tagger.onnx import ensure_onnx

        ensure_onnx(model_dir, quantize=args.backend == "onnx-int8")
    with tempfile.TemporaryDirectory(prefix="coder-mem-") as tmp:
        tmp = Path(tmp)
        with Timer() as t:
            dump = write_dump(tmp / "dump.jsonl", n, seed=2)
        one = write_dump(tmp / "one.jsonl", 1, seed=3)
        dump_mib = dump.stat().st_size / 2**20
        print(f"model: {model_dir}{'' if real else ' (TINY RANDOM MODEL)'}; backend {args.backend}, "
              f"workers {args.workers}; dump: {n:,} articles, {dump_mib:.1f} MiB (written in {t.seconds:.1f} s)")

        def cmd(src: Path, out: str) -> list[str]:
            return [sys.executable, "-m", "coder.cli", "code", str(src), "-o", str(tmp / out), "--force",
                    "--model", str(model_dir), "--backend", args.backend, "--workers", str(args.workers),
                    "--all-modalities"]

        base, base_s = peak_rss_mib(cmd(one, "out-one.jsonl"))
        peak, secs = peak_rss_mib(cmd(dump, "out-dump.jsonl"))
        manifest = tmp / "out-dump.jsonl.manifest.jsonl"
        with open(manifest, encoding="utf-8") as fh:
            coded = sum(1 for line in fh if json.loads(line)["status"] != "error")
    print(f"{'run':28s} {'peak RSS MiB':>13s} {'seconds':>9s}")
    print(f"{'1 article':28s} {base:13.0f} {base_s:9.1f}")
    print(f"{f'{n:,} articles':28s} {peak:13.0f} {secs:9.1f}   ({coded:,} coded without error, {n / secs:.1f} articles/s)")
    print(f"RESULT peak RSS {peak:.0f} MiB; the {dump_mib:.0f} MiB dump adds {peak - base:.0f} MiB over a one-article run")
    if args.workers > 1:
        print("note: with --workers, ru_maxrss is the largest single process (parent or worker), not their sum")
    return 0


if __name__ == "__main__":
    sys.exit(main())
