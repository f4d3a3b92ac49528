"""Convert authoring markup into contract gold articles.

The annotations in ``annotations/src/*.jsonl`` are written by hand in a light inline markup
(see ``annotations/README.md``): one document per line,

.. code-block:: json

    {"id": "en-ng-0001", "lang": "en", "date": "2024-03-12",
     "paragraphs": ["[Gunmen](A1) [killed](T1) [five villagers](FAT) in [Zamfara](LOC) [on Sunday](TIME)."],
     "events": {"T1": {"class": "attack_civilians", "date": "2024-03-10", "precision": 1,
                       "fatalities": 5, "a1": {"name": "Unidentified Armed Group", "country": "NGA"},
                       "a2": {"name": "Civilians", "country": "NGA"},
                       "loc": {"name": "Zamfara", "country": "NGA", "admin1": "Zamfara"}}}}

``[text](LABEL)`` marks a span. Triggers are ``T1``, ``T2``...; arguments are ``A1`` (initiator),
``A2`` (target), ``LOC``, ``TIME``, ``FAT`` (the phrase giving the dead). An argument attaches to the
triggers named after ``@`` (``[the army](A1@T2)`` or ``@T1,T2``); without ``@`` it attaches to the only
trigger of its paragraph, or to the nearest trigger when there are several.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from coder.ontology.classes import EVENT_CLASSES

SPAN_RE = re.compile(r"\[([^\[\]]+)\]\(([A-Z0-9]+)(?:@([T0-9,]+))?\)")
ARG_LABELS = {"A1": "ACTOR1", "A2": "ACTOR2", "LOC": "LOCATION", "TIME": "TIME", "FAT": "FATALITIES"}
TRIGGER_RE = re.compile(r"^T\d+$")
MODALITIES = {"asserted", "negated", "hypothetical", "future"}
PARAGRAPH_SEP = "\n\n"


# Auxiliaries, pronouns and negation that annotators sometimes put in front of a verbal trigger.
# The guide asks for the shortest phrase naming the event, so they are trimmed off.
_TRIGGER_LEAD = re.compile(
    r"^(?:(?:will|would|shall|should|could|may|might|must|has|have|had|is|are|was|were|be|been|being|did|does|do|"
    r"not|never|a|ont|avait|avaient|aura|auront|avoir|été|est|sont|était|étaient|sera|seront|va|vont|"
    r"allait|allaient|se|ne|pas|y|en|les\s+ont|leur\s+a|l['’](?:ont|a|avait|avaient))\s+|[snl]['’])+(?=\w)",
    re.IGNORECASE,
)


def trim_trigger(text: str) -> int:
    """How many leading characters of a trigger are auxiliaries to drop ("a exigé" → "exigé")."""
    m = _TRIGGER_LEAD.match(text)
    if not m or m.end() >= len(text):
        return 0
    rest = text[m.end():]
    return m.end() if re.match(r"\w", rest) else 0


_TRIGGER_DET = re.compile(
    r"^(?:(?:the|an?|le|la|les|un|une|des|du|another|une?\s+autre|d['’]autres|autres?|second|seconde|deuxième|"
    r"troisième|third|first|premier|première|new|nouvelles?|nouvel|nouveaux)\s+|l['’])+(?=\w)",
    re.IGNORECASE,
)
_TRIGGER_PREP = re.compile(r"\s+(?:on|at|against|with|sur|contre|avec)$", re.IGNORECASE)
_PHRASAL_PREP = frozenset({"called on", "calling on", "calls on", "call on", "set upon", "turned on"})
_VERB_EN = re.compile(r"^(?:\w+ed|threw|blew|drove|shot|set|took|broke|held|fought|sent|lit|hit|laid|made|led|"
                      r"began|struck|stole|seized|gave|tore|burnt)$", re.IGNORECASE)
_VERB_FR = re.compile(r"^(?:\w+(?:é|ée|és|ées)|pris|mis|fait|faits|conduit|détruit|ouvert|ouverts)$", re.IGNORECASE)
_OBJECT = re.compile(r"\s+(?:an?|the|his|her|their|its|un|une|des|du|de|sa|son|ses|leurs?|le|la|les|d['’]|l['’])"
                     r"(?:\s+|(?<=['’]))(\w+)", re.IGNORECASE)
_FIXED_OBJECT = frozenset({"fire", "feu", "contrôle", "control", "assaut", "enquête", "investigation", "warrant",
                           "mandat", "protest", "plainte", "tirs", "arms", "armes"})
_FATALITIES_LEAD = re.compile(
    r"^(?:killing|killed|leaving|left|claiming|causing|tuant|faisant|coûtant\s+la\s+vie\s+à|and)\s+(?=\w)",
    re.IGNORECASE,
)


def trim_span(label: str, text: str) -> tuple[int, int]:
    """Characters to drop at the start and at the end of a span so that every annotation batch
    follows one boundary convention (GUIDE.md, "Span boundaries"):

    - a trigger loses its auxiliaries ("a exigé" → "exigé"), articles and ordinals ("une
      seconde grenade" → "grenade"), a final preposition ("opened fire on" → "opened fire",
      but "called on" stays) and the object after a verb ("threw a grenade" → "threw", but
      "ouvert le feu", "pris le contrôle" stay);
    - a death count loses its verb ("killing five soldiers" → "five soldiers", "faisant deux
      morts" → "deux morts").
    """
    lead, tail = 0, len(text)
    if label == "TRIGGER":
        while True:
            step = trim_trigger(text[lead:tail])
            m = _TRIGGER_DET.match(text, lead, tail)
            if m and m.end() < tail:
                step = max(step, m.end() - lead)
            if not step:
                break
            lead += step
        core = text[lead:tail]
        if core.lower() not in _PHRASAL_PREP:
            m = _TRIGGER_PREP.search(core)
            if m and m.start() > 0:
                tail = lead + m.start()
        core = text[lead:tail]
        first = core.split()[0] if core.split() else ""
        if _VERB_EN.match(first) or _VERB_FR.match(first):
            m = _OBJECT.match(core, len(first))
            if m and m.group(1).lower() not in _FIXED_OBJECT:
                tail = lead + len(first)
    elif label == "FATALITIES":
        m = _FATALITIES_LEAD.match(text)
        if m and m.end() < tail:
            lead = m.end()
    return lead, len(text) - tail


class MarkupError(ValueError):
    """Raised when a document's markup or metadata is malformed."""


@dataclass
class _Span:
    start: int
    end: int
    label: str
    text: str
    paragraph: int
    tag: str
    attach: list[str] = field(default_factory=list)


def _parse_paragraphs(paragraphs: list[str]) -> tuple[str, list[_Span]]:
    text_parts: list[str] = []
    spans: list[_Span] = []
    offset = 0
    for p_idx, para in enumerate(paragraphs):
        if p_idx:
            text_parts.append(PARAGRAPH_SEP)
            offset += len(PARAGRAPH_SEP)
        pos = 0
        plain: list[str] = []
        for m in SPAN_RE.finditer(para):
            plain.append(para[pos : m.start()])
            start = offset + sum(len(x) for x in plain)
            span_text, tag, attach = m.group(1), m.group(2), m.group(3)
            if TRIGGER_RE.match(tag):
                label = "TRIGGER"
                if attach:
                    raise MarkupError(f"trigger {tag} cannot carry @")
            elif tag in ARG_LABELS:
                label = ARG_LABELS[tag]
            else:
                raise MarkupError(f"unknown span tag {tag!r} in {span_text!r}")
            if span_text != span_text.strip():
                raise MarkupError(f"span {span_text!r} has leading/trailing spaces")
            plain.append(span_text)
            cut, back = trim_span(label, span_text)
            spans.append(
                _Span(start + cut, start + len(span_text) - back, label, span_text[cut : len(span_text) - back], p_idx, tag,
                      attach.split(",") if attach else [])
            )
            pos = m.end()
        plain.append(para[pos:])
        ptext = "".join(plain)
        if "](" in ptext or re.search(r"\]\([A-Z]", ptext):
            raise MarkupError(f"unparsed markup left in paragraph {p_idx}: {ptext[:80]!r}")
        text_parts.append(ptext)
        offset += len(ptext)
    return "".join(text_parts), spans


def _check_date(value: Any, what: str) -> str | None:
    if value is None:
        return None
    try:
        _dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise MarkupError(f"{what}: {value!r} is not an ISO date") from exc
    return value


def _actor(meta: dict | None, span: _Span | None) -> dict | None:
    if meta is None and span is None:
        return None
    meta = dict(meta or {})
    text = span.text if span else meta.pop("text", None)
    meta.pop("text", None)
    return {
        "text": text,
        "name": meta.get("name"),
        "cameo_code": meta.get("code"),
        "country": meta.get("country"),
        "inter": meta.get("inter"),
    }


def _location(meta: dict | None, span: _Span | None) -> dict | None:
    if meta is None and span is None:
        return None
    meta = dict(meta or {})
    text = span.text if span else meta.get("text")
    return {
        "text": text,
        "name": meta.get("name"),
        "country": meta.get("country"),
        "admin1": meta.get("admin1"),
    }


def convert_document(doc: dict) -> dict:
    """Turn one authoring document into a gold article (contract format, with ``spans``)."""
    for key in ("id", "lang", "paragraphs"):
        if key not in doc:
            raise MarkupError(f"document lacks {key!r}")
    if doc["lang"] not in ("en", "fr"):
        raise MarkupError(f"lang must be en or fr, not {doc['lang']!r}")
    _check_date(doc.get("date"), "document date")
    text, spans = _parse_paragraphs(doc["paragraphs"])
    triggers = {s.tag: s for s in spans if s.label == "TRIGGER"}
    metas: dict = doc.get("events") or {}
    if set(metas) != set(triggers):
        raise MarkupError(
            f"triggers {sorted(triggers)} and event metadata {sorted(metas)} do not match"
        )
    attached: dict[str, dict[str, _Span]] = {t: {} for t in triggers}
    for s in spans:
        if s.label == "TRIGGER":
            continue
        targets = s.attach
        if not targets:
            same_para = [t for t in triggers.values() if t.paragraph == s.paragraph]
            if not same_para:
                continue
            nearest = min(same_para, key=lambda t: (abs(t.start - s.start), t.start > s.start))
            targets = [nearest.tag]
        for t in targets:
            if t not in triggers:
                raise MarkupError(f"span {s.text!r} attaches to unknown trigger {t}")
            attached[t].setdefault(s.label, s)
    events = []
    for tag, trig in sorted(triggers.items(), key=lambda kv: kv[1].start):
        meta = metas[tag]
        cls = meta.get("class")
        if cls not in EVENT_CLASSES:
            raise MarkupError(f"{doc['id']} {tag}: unknown class {cls!r}")
        ec = EVENT_CLASSES[cls]
        modality = meta.get("modality", "asserted")
        if modality not in MODALITIES:
            raise MarkupError(f"{doc['id']} {tag}: bad modality {modality!r}")
        cameo = str(meta.get("cameo") or ec.cameo)
        if cameo[:2] != ec.cameo[:2]:
            raise MarkupError(f"{doc['id']} {tag}: CAMEO {cameo} is outside root {ec.cameo[:2]} of {cls}")
        precision = meta.get("precision")
        if precision not in (None, 1, 2, 3):
            raise MarkupError(f"{doc['id']} {tag}: precision must be 1, 2, 3 or null")
        fat = meta.get("fatalities")
        if fat is not None and (not isinstance(fat, int) or fat < 0):
            raise MarkupError(f"{doc['id']} {tag}: fatalities must be a non-negative int or null")
        args = attached[tag]
        events.append(
            {
                "event_class": cls,
                "event_type": ec.event_type,
                "sub_event_type": ec.sub_event_type,
                "disorder_type": ec.disorder_type,
                "cameo_code": cameo,
                "cameo_root": cameo[:2],
                "modality": modality,
                "event_date": _check_date(meta.get("date"), f"{doc['id']} {tag} date"),
                "time_precision": precision,
                "fatalities": fat,
                "actor1": _actor(meta.get("a1"), args.get("ACTOR1")),
                "actor2": _actor(meta.get("a2"), args.get("ACTOR2") or args.get("FATALITIES")),
                "location": _location(meta.get("loc"), args.get("LOCATION")),
                "evidence": {"start": trig.start, "end": trig.end, "trigger": trig.text},
            }
        )
    article = {k: doc[k] for k in ("id", "lang", "date", "title", "source", "url") if doc.get(k)}
    article["text"] = text
    article["events"] = events
    article["spans"] = [{"start": s.start, "end": s.end, "label": s.label} for s in spans]
    for s in article["spans"]:
        assert text[s["start"] : s["end"]], s
    return article


def read_markup_file(path: str) -> list[dict]:
    """Read an authoring JSONL file and convert every document, naming the line on error."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(convert_document(json.loads(line)))
            except (json.JSONDecodeError, MarkupError) as exc:
                raise MarkupError(f"{path}:{lineno}: {exc}") from exc
    return out
