"""Cold start: wall time of ``coder code`` on one short article, as a fresh process.

For each backend the command runs ``--repeat`` times and the median wall time is printed (the ONNX
export is made once beforehand, as ``coder export-onnx`` or a first run would). ``coder --help``
is the floor: Python plus the command-line module.

    python benchmarks/bench_startup.py [--model DIR] [--repeat 5] [--quick]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import Timer, machine, parser, quiet_warnings, resolve_model, write_dump


def wall(cmd: list[str]) -> float:
    with Timer() as t:
        res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{res.stderr[-2000:]}")
    return t.seconds


def main() -> int:
    ap = parser(__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backends", default="torch,onnx")
    args = ap.parse_args()
    quiet_warnings()
    repeat = 1 if args.quick else args.repeat
    model_dir, real = resolve_model(args.model)
    backends = args.backends.split(",")
    print(f"machine: {machine()}")
    print(f"model: {model_dir}{'' if real else ' (TINY RANDOM MODEL)'}; median of {repeat} run(s)")
    from coder.tagger.onnx import ensure_onnx

    for b in backends:
        if b != "torch":
            with Timer() as t:
                ensure_onnx(model_dir, quantize=b == "onnx-int8")
            print(f"ONNX export for {b} (or cache check): {t.seconds:.1f} s")
    with tempfile.TemporaryDirectory(prefix="coder-start-") as tmp:
        one = write_dump(Path(tmp) / "one.jsonl", 1, seed=4)
        rows = [("coder --help", [wall([sys.executable, "-m", "coder.cli", "--help"]) for _ in range(repeat)])]
        for b in backends:
            cmd = [sys.executable, "-m", "coder.cli", "code", str(one), "-o", str(Path(tmp) / f"out-{b}.jsonl"),
                   "--force", "--model", str(model_dir), "--backend", b]
            rows.append((f"coder code --backend {b}", [wall(cmd) for _ in range(repeat)]))
    print(f"{'command':32s} {'median s':>9s} {'min s':>7s}")
    for label, times in rows:
        print(f"{label:32s} {statistics.median(times):9.2f} {min(times):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
