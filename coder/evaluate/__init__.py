"""Scoring against annotated gold sets: ``coder evaluate GOLD -o REPORT_DIR``.

:func:`run_evaluation` loads a gold set (ours, or a Label Studio / Prodigy / doccano / brat /
CoNLL export through :mod:`.importers`), codes it with a model or reads existing predictions,
and scores three levels, per language and overall, with article-bootstrap 95 % intervals:

* spans of the tagger (:mod:`.spans`: seqeval strict, nervaluate partial / exact / type);
* records (:mod:`.matching`, :mod:`.scoring`): event detection, ACLED / CAMEO types, actors,
  place, date, fatalities, modality, false events on articles without events;
* calibration of the record confidence (expected calibration error, reliability diagram).

The report (:mod:`.report`, :mod:`.plots`) is ``report.json``, ``report.md`` and PNG plots.
The scoring rules and the report keys are documented in ``coder/evaluate/README.md``.
"""

from __future__ import annotations

from coder.evaluate.gold import GoldArticle, gold_to_records, read_gold_jsonl, read_predictions
from coder.evaluate.importers import import_gold
from coder.evaluate.run import load_gold, run_evaluation

__all__ = [
    "GoldArticle",
    "gold_to_records",
    "import_gold",
    "load_gold",
    "read_gold_jsonl",
    "read_predictions",
    "run_evaluation",
]
