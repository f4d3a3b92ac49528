"""Gold sets and predictions in memory: read, validate and normalise them for scoring.

A gold set is the contract's format (one article per line, ``"events"`` with record field names,
optional ``"spans"``); the importers of :mod:`coder.evaluate.importers` turn annotation-tool
exports into the same dicts. :class:`GoldArticle` is one validated article. Actors and locations
given as plain strings become ``{"text": ...}`` objects, so every later step sees one shape.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.errors import Errors, InputError
from coder.schema import RECORD_FIELDS
from coder.tagger.base import SPAN_LABELS

MODALITY_DEFAULT = "asserted"
"""The modality of an event or record that does not state one."""

ACTOR_KEYS = ("text", "name", "cameo_code", "country", "inter")
LOCATION_KEYS = ("text", "name", "country", "admin1", "latitude", "longitude", "geo_precision")

Span = tuple[int, int, str]
"""A labelled character span of an article: ``(start, end, label)``, end-exclusive."""


@dataclass
class GoldArticle:
    """One gold article.

    ``events`` is ``None`` when the article carries no record-level annotation (no ``"events"``
    key): it is then left out of record-level scores. ``[]`` means "no codable event".
    ``spans`` is ``None`` when the article has no span annotation.
    """

    id: str
    text: str
    lang: str | None = None
    date: str | None = None
    events: list[dict] | None = None
    spans: list[Span] | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def article_dict(self) -> dict:
        """The article fields the coder reads (``id``, ``text``, ``date``, ``lang``, ...)."""
        out = {"id": self.id, "text": self.text, "date": self.date, "lang": self.lang}
        out.update({k: v for k, v in self.fields.items() if k in ("title", "url", "source")})
        return out


def _bad(where: str, detail: str) -> InputError:
    return InputError(f"{where}: " + Errors.E109.format(detail=detail))


def _as_object(value: Any, where: str, what: str) -> dict | None:
    """A field given as a string, an object or null, as an object (``{"text": ...}`` for a string)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, dict):
        return dict(value)
    raise _bad(where, f"{what} must be an object, a string or null")


def normalise_actor(value: Any, where: str = "actor") -> dict | None:
    """An actor given as a string, an object or null, as an object (``{"text": ...}`` for a string)."""
    return _as_object(value, where, "an actor")


def normalise_location(value: Any, where: str = "location") -> dict | None:
    """A location given as a string, an object or null, as an object."""
    return _as_object(value, where, "a location")


def normalise_event(event: Any, where: str = "event", strict: bool = True) -> dict:
    """Validate one gold event (any subset of record fields) and normalise actors and location.

    Keys that are absent stay absent: an absent field is not scored. ``evidence`` offsets, when
    given, must be non-negative integers with ``start < end``; with ``strict`` false (predicted
    records) bad offsets are dropped instead, and the record is placed by its sentence.
    """
    if not isinstance(event, dict):
        raise _bad(where, "an event must be a JSON object")
    ev = dict(event)
    for key in ("actor1", "actor2"):
        if key in ev:
            ev[key] = normalise_actor(ev[key], f"{where}.{key}")
    if "location" in ev:
        ev["location"] = normalise_location(ev["location"], f"{where}.location")
    if "cameo_code" in ev and ev["cameo_code"] is not None:
        ev["cameo_code"] = str(ev["cameo_code"])
        ev.setdefault("cameo_root", ev["cameo_code"][:2])
    if "cameo_root" in ev and ev["cameo_root"] is not None:
        ev["cameo_root"] = str(ev["cameo_root"]).zfill(2)
    evidence = ev.get("evidence")
    if evidence is not None:
        if not isinstance(evidence, dict):
            raise _bad(where, "'evidence' must be an object")
        start, end = evidence.get("start"), evidence.get("end")
        ok = start is None and end is None or (isinstance(start, int) and isinstance(end, int) and 0 <= start < end)
        if not ok and strict:
            raise _bad(where, f"bad evidence offsets {start!r}, {end!r} (need integers, start < end)")
        if not ok:
            ev["evidence"] = {**evidence, "start": None, "end": None}
    return ev


def _spans(raw: Any, text: str, where: str) -> list[Span]:
    if not isinstance(raw, list):
        raise _bad(where, "'spans' must be a list")
    out: list[Span] = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or not {"start", "end", "label"} <= set(s):
            raise _bad(where, f"span {i} must be an object with start, end and label")
        start, end, label = s["start"], s["end"], s["label"]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise _bad(where, f"span {i} has bad offsets {start!r}, {end!r} (text has {len(text)} characters)")
        if label not in SPAN_LABELS:
            raise _bad(where, f"span {i} has label {label!r}; expected one of {', '.join(SPAN_LABELS)}")
        out.append((start, end, label))
    return sorted(out)


def gold_article(data: Any, where: str = "gold") -> GoldArticle:
    """Validate one gold article dict into a :class:`GoldArticle` (raises :class:`InputError`)."""
    if not isinstance(data, dict):
        raise _bad(where, "a gold article must be a JSON object")
    if data.get("id") in (None, ""):
        raise InputError(f"{where}: {Errors.E107}")
    art_id = str(data["id"])
    where = f"{where} (article {art_id!r})"
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: {Errors.E102}")
    events = data.get("events")
    if events is not None:
        if not isinstance(events, list):
            raise _bad(where, "'events' must be a list")
        events = [normalise_event(e, f"{where} event {i}") for i, e in enumerate(events)]
        for i, e in enumerate(events):
            ev = e.get("evidence") or {}
            if ev.get("end") is None:
                continue
            if ev["end"] > len(text):
                raise _bad(where, f"event {i} evidence ends at {ev['end']}, past the text's end ({len(text)})")
            if ev.get("trigger") is not None and text[ev["start"] : ev["end"]] != ev["trigger"]:
                raise _bad(where, f"event {i} trigger {ev['trigger']!r} is not the text at "
                                  f"{ev['start']}:{ev['end']} ({text[ev['start'] : ev['end']]!r})")
    spans = _spans(data["spans"], text, where) if data.get("spans") is not None else None
    lang = data.get("lang") or None
    extra = {k: v for k, v in data.items() if k not in ("id", "text", "lang", "date", "events", "spans")}
    return GoldArticle(art_id, text, str(lang).lower() if lang else None, data.get("date") or None, events, spans, extra)


def iter_json_lines(path: Path) -> Iterable[tuple[int, Any]]:
    """``(line number, parsed JSON)`` of each non-blank line (E110 unreadable, E101 bad JSON)."""
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(Errors.E110.format(path=path, detail=exc.strerror or exc)) from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}: " + Errors.E101.format(line=lineno, detail=exc.msg)) from None


def articles_from_dicts(rows: Iterable[dict], source: str = "gold") -> list[GoldArticle]:
    """Validate gold article dicts; a repeated id is an error (E108)."""
    out: list[GoldArticle] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, 1):
        art = gold_article(row, f"{source}:{n}")
        if art.id in seen:
            raise InputError(f"{source}: " + Errors.E108.format(id=art.id))
        seen.add(art.id)
        out.append(art)
    return out


def read_gold_jsonl(path: str | Path) -> list[GoldArticle]:
    """Read a gold JSONL file in the contract format (errors name the line)."""
    path = Path(path)
    out: list[GoldArticle] = []
    seen: set[str] = set()
    for lineno, row in iter_json_lines(path):
        art = gold_article(row, f"{path.name}:{lineno}")
        if art.id in seen:
            raise InputError(f"{path.name}:{lineno}: " + Errors.E108.format(id=art.id))
        seen.add(art.id)
        out.append(art)
    return out


@dataclass
class Predictions:
    """Predicted records per article id, and predicted spans per article id when known.

    ``spans`` is ``None`` when the predictions carry no spans (records written by ``coder code``);
    ``errors`` holds the message of each article the model could not code.
    """

    records: dict[str, list[dict]]
    spans: dict[str, list[Span]] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    source: str = "file"


def read_predictions(path: str | Path) -> Predictions:
    """Read predictions: records JSONL (as written by ``coder code``) or a gold-format JSONL.

    A line with ``"events"`` and ``"id"`` is a gold-format article (its events become records and
    its ``spans`` predicted spans: this scores one annotator against another); any other line is
    a record and must have ``article_id``.
    """
    path = Path(path)
    records: dict[str, list[dict]] = defaultdict(list)
    spans: dict[str, list[Span]] = {}
    any_article = False
    for lineno, row in iter_json_lines(path):
        if not isinstance(row, dict):
            raise _bad(f"{path.name}:{lineno}", "a prediction must be a JSON object")
        if "events" in row and "id" in row and "article_id" not in row:
            any_article = True
            art = gold_article(row, f"{path.name}:{lineno}")
            records[art.id].extend(event_to_record(art, i, e) for i, e in enumerate(art.events or []))
            if art.spans is not None:
                spans[art.id] = list(art.spans)
            continue
        if row.get("article_id") in (None, ""):
            raise _bad(f"{path.name}:{lineno}", "a record needs 'article_id'")
        rec = normalise_event(row, f"{path.name}:{lineno}", strict=False)
        records[str(row["article_id"])].append(rec)
    return Predictions(dict(records), spans if any_article else None)


def _sentence_of(text: str, start: int | None) -> str:
    if start is None:
        return ""
    a = max(text.rfind("\n", 0, start) + 1, 0)
    b = text.find("\n", start)
    return text[a : b if b >= 0 else len(text)].strip()


def event_to_record(article: GoldArticle, index: int, event: dict) -> dict:
    """One gold event as a contract record dict (fields the gold lacks are null).

    Confidence is 1.0; the evidence sentence is the line holding the trigger. Used to score a gold
    set against itself and to turn one annotator's events into predictions.
    """
    rec: dict[str, Any] = dict.fromkeys(RECORD_FIELDS)
    rec.update({k: v for k, v in event.items() if k in RECORD_FIELDS})
    rec["article_id"] = article.id
    rec["event_id"] = event.get("event_id") or f"{article.id}-gold-{index}"
    rec["language"] = event.get("language") or article.lang
    rec["modality"] = event.get("modality") or MODALITY_DEFAULT
    for key in ("actor1", "actor2"):
        actor = normalise_actor(event.get(key))
        rec[key] = {k: actor.get(k) for k in ACTOR_KEYS} if actor else None
    loc = normalise_location(event.get("location"))
    rec["location"] = {k: loc.get(k) for k in LOCATION_KEYS} if loc else None
    cameo = rec.get("cameo_code")
    if cameo and not rec.get("cameo_root"):
        rec["cameo_root"] = str(cameo)[:2]
    ev = event.get("evidence")
    if ev:
        start, end = ev.get("start"), ev.get("end")
        trigger = ev.get("trigger")
        if trigger is None and start is not None:
            trigger = article.text[start:end]
        rec["evidence"] = {"sentence": ev.get("sentence") or _sentence_of(article.text, start),
                           "start": start, "end": end, "trigger": trigger}
    if rec.get("confidence") is None:
        rec["confidence"] = 1.0
    return rec


def gold_to_records(articles: Iterable[GoldArticle]) -> list[dict]:
    """Every event of ``articles`` as a record dict, in article order (see :func:`event_to_record`)."""
    return [event_to_record(a, i, e) for a in articles for i, e in enumerate(a.events or [])]

