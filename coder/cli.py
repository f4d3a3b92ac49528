"""The ``coder`` command line: thin typer wrappers around importable functions."""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from coder import __version__
from coder.errors import CoderError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Event-data coding of English and French news.")


class Fmt(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    phoenix = "phoenix"


class Lang(str, Enum):
    auto = "auto"
    en = "en"
    fr = "fr"


class Backend(str, Enum):
    torch = "torch"
    onnx = "onnx"
    onnx_fp32 = "onnx-fp32"
    onnx_int8 = "onnx-int8"


class GoldFmt(str, Enum):
    ours = "ours"
    label_studio = "label-studio"
    prodigy = "prodigy"
    doccano = "doccano"
    brat = "brat"
    conll = "conll"


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=1)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """coder: who did what to whom, where, when, how many died."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def code(
    inputs: Annotated[list[str], typer.Argument(help="JSONL / CSV / Parquet files, directories of .txt files, or - for stdin.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file; a manifest is written beside it.")],
    fmt: Annotated[Fmt | None, typer.Option("--format", "-F", help="Output format (default: from OUTPUT's suffix, else jsonl).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of all articles, or auto-detect.")] = Lang.auto,
    batch_size: Annotated[int, typer.Option("--batch-size", "-b", min=1, help="Sentences per model batch.")] = 32,
    workers: Annotated[int, typer.Option("--workers", "-n", min=1, help="Worker processes, each loading the model once.")] = 1,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run (no duplicate, no loss).")] = False,
    shard_index: Annotated[int, typer.Option("--shard-index", min=0, help="This job's shard (0-based).")] = 0,
    num_shards: Annotated[int, typer.Option("--num-shards", min=1, help="Number of shards of a cluster array job.")] = 1,
    model: Annotated[Path | None, typer.Option("--model", "-m", help="Model directory (default: the shipped model).")] = None,
    min_confidence: Annotated[float, typer.Option("--min-confidence", min=0.0, max=1.0, help="Drop records below this confidence.")] = 0.0,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing OUTPUT and manifest.")] = False,
    all_modalities: Annotated[bool, typer.Option("--all-modalities", help="Also write negated, hypothetical and future events.")] = False,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="Refuse articles longer than this (characters).")] = 1_000_000,
    max_records: Annotated[int, typer.Option("--max-records", min=1, help="Keep at most this many records per article.")] = 500,
    backend: Annotated[Backend, typer.Option("--backend", help="What runs the model: ONNX Runtime fp32 (onnx, the default, or onnx-fp32: exported once and cached, then fast to start); PyTorch fp32 (torch: the same spans); or ONNX Runtime int8 (onnx-int8: fastest, may differ from fp32 on uncertain words).")] = Backend.onnx,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Intra-op threads per process (default: cores / workers).")] = None,
    dedup: Annotated[bool, typer.Option("--dedup", help="Merge records of the same event (same date, place, actors and type) reported by several articles or sentences; merged ids go to OUTPUT.dedup.jsonl.")] = False,
) -> None:
    """Code article dumps into event records (the main job)."""
    from coder.batch import code_files

    modalities = ("asserted", "negated", "hypothetical", "future") if all_modalities else ("asserted",)
    try:
        summary = code_files(
            inputs, output, fmt=fmt.value if fmt else None, lang=lang.value, batch_size=batch_size, workers=workers,
            resume=resume, shard_index=shard_index, num_shards=num_shards, model=str(model) if model else None,
            min_confidence=min_confidence, force=force, modalities=modalities, max_chars=max_chars,
            max_records=max_records, backend=backend.value, threads=threads, dedup=dedup,
        )
    except (CoderError, ValueError) as exc:
        _fail(exc)
    st = summary.statuses
    typer.echo(
        f"{summary.articles} articles coded ({st['coded']} with events, {st['no_event']} without, "
        f"{st['error']} errors; {summary.resumed} done before resume), {summary.records} records → {summary.output}; "
        f"manifest → {summary.manifest}" + (f"; {summary.merged} duplicate records merged" if dedup else ""),
        err=True,
    )


@app.command("export-onnx")
def export_onnx(
    model: Annotated[Path | None, typer.Option("--model", "-m", help="Model directory (default: the shipped model).")] = None,
    int8: Annotated[bool, typer.Option("--int8/--fp32", help="Dynamic int8 weights (for --backend onnx-int8) or fp32 (for --backend onnx, the default).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Export again even if a current export exists.")] = False,
) -> None:
    """Export the model to ONNX (model.onnx, or model.int8.onnx with --int8, next to it or in $CODER_CACHE); 'coder code --backend onnx' does it on first use."""
    from coder.pipeline import default_model_path
    from coder.tagger.onnx import ensure_onnx

    try:
        path = ensure_onnx(model or default_model_path(), quantize=int8, force=force)
    except CoderError as exc:
        _fail(exc)
    typer.echo(str(path))


@app.command()
def train(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="JSON training config (see configs/).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write the trained model directory.")] = None,
    train_files: Annotated[list[str] | None, typer.Option("--train", help="Gold JSONL training file(s).")] = None,
    dev_files: Annotated[list[str] | None, typer.Option("--dev", help="Gold JSONL dev file(s) for model selection.")] = None,
    base_model: Annotated[Path | None, typer.Option("--base-model", help="A local Hugging Face encoder directory (default: the bundled multilingual-e5-small).")] = None,
    languages: Annotated[list[str] | None, typer.Option("--language", help="Train only on these languages (repeatable), e.g. for a zero-shot check.")] = None,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1)] = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1)] = None,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="Checkpoints; rerun with the same run dir to resume.")] = None,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1)] = None,
) -> None:
    """Fine-tune the tagger (resumable: rerun the same command after an interruption)."""
    from coder.train.config import TrainConfig
    from coder.train.loop import train as run_training

    overrides = {
        "output": str(output) if output else None, "train": train_files or None, "dev": dev_files or None,
        "base_model": str(base_model) if base_model else None, "languages": languages or None, "epochs": epochs,
        "max_steps": max_steps, "run_dir": str(run_dir) if run_dir else None, "seed": seed, "threads": threads,
    }
    cfg = TrainConfig.from_file(config, **overrides) if config else TrainConfig.model_validate(
        {k: v for k, v in overrides.items() if v is not None})
    try:
        result = run_training(cfg)
    except (CoderError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
    typer.echo(json.dumps(result["history"][-1] if result["history"] else {}, indent=2), err=True)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold set: contract JSONL, or a tool export (see --format; brat: a directory).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Report directory: report.json, report.md and PNG plots.")],
    model: Annotated[Path | None, typer.Option("--model", "-m", help="Model to code the gold with (default: the shipped model); with --predictions, only tags spans.")] = None,
    predictions: Annotated[Path | None, typer.Option("--predictions", "-p", help="Score these records (JSONL from 'coder code', or gold-format JSONL) instead of coding.")] = None,
    fmt: Annotated[GoldFmt, typer.Option("--format", "-F", help="Format of GOLD.")] = GoldFmt.ours,
    label_map: Annotated[str | None, typer.Option("--label-map", help="JSON object or JSON file mapping tool labels to ours (TRIGGER, ACTOR1, ... or an event class; null drops).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of gold articles that do not give one (auto: detect).")] = Lang.auto,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Bootstrap resamples for the 95 % intervals (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    all_modalities: Annotated[bool, typer.Option("--all-modalities", help="Count negated, hypothetical and future events in detection too.")] = False,
    spans: Annotated[bool, typer.Option("--spans/--no-spans", help="Tag the gold sentences with the model for span-level scores.")] = True,
    batch_size: Annotated[int, typer.Option("--batch-size", "-b", min=1, help="Sentences per model batch.")] = 32,
) -> None:
    """Score a model (or existing predictions) against an annotated gold set; write a report."""
    from coder.evaluate import run_evaluation

    try:
        report = run_evaluation(
            gold, output, model=model, predictions=predictions, fmt=fmt.value, label_map=label_map,
            lang=None if lang is Lang.auto else lang.value, bootstrap=bootstrap, seed=seed,
            all_modalities=all_modalities, spans=spans, batch_size=batch_size,
        )
    except (CoderError, ValueError) as exc:
        _fail(exc)
    det = report["scores"]["overall"]["detection"]

    def show(est: dict) -> str:
        return "n/a" if est["value"] is None else f"{est['value']:.3f}"

    typer.echo(
        f"{report['gold']['articles']} gold articles, {det['gold']} events: detection P {show(det['precision'])} "
        f"R {show(det['recall'])} F1 {show(det['f1'])}; report → {output}/report.md",
        err=True,
    )


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        sys.exit(1)


if __name__ == "__main__":
    run()
