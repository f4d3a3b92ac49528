"""Coded, searchable error messages (``E1xx`` input, ``E2xx`` output, ``E3xx`` model)."""

from __future__ import annotations


class CoderError(Exception):
    """Base class of the errors this package raises on purpose."""


class InputError(CoderError):
    """An input article or input file cannot be used."""


class OutputError(CoderError):
    """The output cannot be written (exists without --force, unwritable, disk full)."""


class ModelError(CoderError):
    """A model directory is missing, corrupt or unsafe."""


class Errors:
    """Message templates; format with ``Errors.E101.format(...)``."""

    E101 = "E101 line {line}: not valid JSON ({detail})"
    E102 = "E102 missing required field 'text'"
    E103 = "E103 empty text: nothing to code"
    E104 = "E104 unsupported language {lang!r}: only 'en' and 'fr' are coded"
    E105 = "E105 article is {size} characters, over the limit of {limit} (--max-chars)"
    E106 = "E106 undecodable bytes: {detail}"
    E107 = "E107 missing required field 'id'"
    E108 = "E108 duplicate article id {id!r}: the first occurrence was coded"
    E109 = "E109 invalid field: {detail}"
    E110 = "E110 cannot read input {path}: {detail}"
    E111 = "E111 unsupported input {path}: expected .jsonl, .csv, .parquet, a directory of .txt files, or '-'"
    E112 = "E112 invalid date {value!r}: expected ISO 8601 (YYYY-MM-DD)"
    E120 = "E120 failed while coding: {detail}"
    E201 = "E201 output {path} exists: pass --force to overwrite it or --resume to continue it"
    E202 = "E202 cannot write output {path}: {detail}"
    E203 = "E203 --resume needs the manifest {path} of the interrupted run"
    E204 = "E204 unsupported output format {fmt!r}: choose jsonl, csv, parquet or phoenix"
    E205 = "E205 nothing could be read from the inputs"
    E301 = "E301 no model at {path}: train one with 'coder train' or pass --model"
    E302 = "E302 model at {path} is corrupt or incomplete: {detail}"
    E303 = "E303 refusing unsafe model file {path}: only safetensors and ONNX are loaded"
