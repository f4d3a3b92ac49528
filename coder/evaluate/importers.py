"""Import annotation-tool exports into gold articles (the contract's gold format).

Supported: Label Studio JSON export, Prodigy JSONL, doccano JSONL (``label`` lists or
``entities`` objects), brat standoff (a directory of ``.txt`` + ``.ann``) and CoNLL BIO files.
Each importer returns plain gold dicts ``{"id", "text", "lang"?, "date"?, "spans": [...], "events"?}``
that :func:`coder.evaluate.gold.gold_article` validates.

**Labels.** A tool's span labels map onto ours (``TRIGGER``, ``ACTOR1``, ``ACTOR2``, ``LOCATION``,
``TIME``, ``FATALITIES``) through :data:`DEFAULT_LABEL_MAP` (case-insensitive), overridden by a
user map (``--label-map``: a JSON object or a JSON file). A map value is one of our labels, one of
the 40 event-class keys of ``coder/ontology/data/event_classes.json`` (the span is then a
``TRIGGER`` whose event carries that class and its ACLED types), or ``null`` to drop the label.
Labels that map to nothing are dropped and counted in :attr:`LabelMapper.dropped`.

**Events.** Span tools give no record fields. When a collection has ``TRIGGER`` spans, every
article gets one event per trigger, with its ``evidence`` offsets (and its class when the label
mapped to one): event detection is then scored by trigger overlap. Articles of a collection
without any trigger get no ``"events"`` key and are left out of record-level scores. brat
``E`` lines give the events directly, with their arguments (roles mapped by
:data:`DEFAULT_ROLE_MAP`) and modality attributes.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coder.errors import Errors, InputError
from coder.ontology.classes import EVENT_CLASSES
from coder.tagger.base import MODALITIES, SPAN_LABELS

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("ours", "label-studio", "prodigy", "doccano", "brat", "conll")
"""Gold formats ``coder evaluate --format`` reads."""

DEFAULT_LABEL_MAP: dict[str, str] = {
    **dict.fromkeys(("TRIGGER", "TRIG", "EVENT", "EVT", "ANCHOR", "EVENT_TRIGGER"), "TRIGGER"),
    **dict.fromkeys(("ACTOR1", "A1", "AGENT", "ATTACKER", "PERPETRATOR", "INITIATOR", "SOURCE", "ACTOR_1"), "ACTOR1"),
    **dict.fromkeys(("ACTOR2", "A2", "TARGET", "VICTIM", "PATIENT", "ACTOR_2"), "ACTOR2"),
    **dict.fromkeys(("LOCATION", "LOC", "PLACE", "GPE"), "LOCATION"),
    **dict.fromkeys(("TIME", "DATE", "TIMEX", "TIMEX3"), "TIME"),
    **dict.fromkeys(("FATALITIES", "FAT", "DEATHS", "DEAD", "KILLED", "CASUALTIES"), "FATALITIES"),
}
"""Tool label (upper-cased) → our span label. Our own labels map to themselves."""

DEFAULT_ROLE_MAP: dict[str, str] = {
    **dict.fromkeys(("ACTOR1", "AGENT", "ATTACKER", "PERPETRATOR", "INITIATOR", "SOURCE", "ARG0"), "ACTOR1"),
    **dict.fromkeys(("ACTOR2", "TARGET", "VICTIM", "PATIENT", "ARG1"), "ACTOR2"),
    **dict.fromkeys(("LOCATION", "PLACE", "LOC"), "LOCATION"),
    **dict.fromkeys(("TIME", "DATE"), "TIME"),
    **dict.fromkeys(("FATALITIES", "DEATHS", "DEAD", "KILLED"), "FATALITIES"),
}
"""brat event role (upper-cased, trailing digits dropped) → our argument label."""

_MODALITY_ATTRS = {
    "NEGATION": "negated", "NEGATED": "negated", "SPECULATION": "hypothetical", "SPECULATED": "hypothetical",
    "HYPOTHETICAL": "hypothetical", "FUTURE": "future", "ASSERTED": "asserted",
}


class LabelMapper:
    """Maps a tool's labels onto ours; remembers what it dropped.

    ``map(label)`` returns ``(span_label, event_class)``: ``("TRIGGER", "armed_clash")`` for a label
    mapped to a class, ``("ACTOR1", None)`` for an argument, ``(None, None)`` for a dropped label.
    """

    def __init__(self, user_map: dict[str, str | None] | None = None) -> None:
        self.user = dict(user_map or {})
        self.user_ci = {k.upper(): v for k, v in self.user.items()}
        for key, value in self.user.items():
            if value is not None and value not in SPAN_LABELS and value not in EVENT_CLASSES:
                raise InputError(Errors.E109.format(
                    detail=f"--label-map {key!r} → {value!r}: expected one of {', '.join(SPAN_LABELS)}, an event class or null"))
        self.dropped: Counter[str] = Counter()

    def map(self, label: str, count: bool = True) -> tuple[str | None, str | None]:
        """Our span label (and event class, for class-valued mappings) of a tool label.

        A label that maps to nothing is counted in :attr:`dropped` unless ``count`` is false.
        """
        if label in self.user:
            value = self.user[label]
        elif label.upper() in self.user_ci:
            value = self.user_ci[label.upper()]
        else:
            value = DEFAULT_LABEL_MAP.get(label.upper())
            if value is None and label in EVENT_CLASSES:
                value = label
        if value is None:
            if count:
                self.dropped[label] += 1
            return None, None
        if value in EVENT_CLASSES:
            return "TRIGGER", value
        return value, None


def parse_label_map(value: str | Path | dict | None) -> dict[str, str | None]:
    """A label map from a dict, a JSON string or the path of a JSON file."""
    if value is None:
        return {}
    if isinstance(value, dict):
        data: Any = value
    else:
        text = str(value)
        path = Path(text)
        try:
            if not text.lstrip().startswith("{") and path.is_file():
                text = path.read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(Errors.E109.format(detail=f"--label-map is neither a JSON object nor a JSON file: {exc}")) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()):
        raise InputError(Errors.E109.format(detail="--label-map must map label strings to label strings or null"))
    return data


# -- shared assembly ------------------------------------------------------------------------


def _event_for(text: str, start: int, end: int, event_class: str | None, modality: str | None = None) -> dict:
    ev: dict[str, Any] = {"evidence": {"start": start, "end": end, "trigger": text[start:end]}}
    if event_class:
        ec = EVENT_CLASSES[event_class]
        ev.update(event_class=event_class, event_type=ec.event_type, sub_event_type=ec.sub_event_type,
                  disorder_type=ec.disorder_type, cameo_root=ec.cameo_root)
    if modality:
        ev["modality"] = modality
    return ev


def _assemble(docs: list[dict]) -> list[dict]:
    """Add trigger-derived events when the collection annotates triggers (see module doc)."""
    has_triggers = any(s["label"] == "TRIGGER" for d in docs for s in d["spans"]) or any("events" in d for d in docs)
    out = []
    for d in docs:
        classes = d.pop("_classes", {})
        modalities = d.pop("_modalities", {})
        d["spans"] = sorted(d["spans"], key=lambda s: (s["start"], s["end"], s["label"]))
        if has_triggers and "events" not in d:
            d["events"] = [
                _event_for(d["text"], s["start"], s["end"], classes.get((s["start"], s["end"])),
                           modalities.get((s["start"], s["end"])))
                for s in d["spans"] if s["label"] == "TRIGGER"
            ]
        out.append(d)
    return out


def _doc(doc_id: Any, text: str, lang: str | None, extra: dict | None = None) -> dict:
    d: dict[str, Any] = {"id": str(doc_id), "text": text, "spans": [], "_classes": {}, "_modalities": {}}
    if lang:
        d["lang"] = lang
    for k, v in (extra or {}).items():
        if k in ("lang", "date", "title", "url", "source") and v not in (None, ""):
            d[k] = v
    return d


def _put_span(doc: dict, start: Any, end: Any, label: str, cls: str | None, where: str) -> None:
    if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(doc["text"]):
        raise InputError(f"{where}: " + Errors.E109.format(detail=f"span offsets {start!r}, {end!r} outside the text"))
    doc["spans"].append({"start": start, "end": end, "label": label})
    if cls:
        doc["_classes"][(start, end)] = cls


def _add_span(doc: dict, start: Any, end: Any, raw_label: str, mapper: LabelMapper, where: str) -> None:
    label, cls = mapper.map(raw_label)
    if label is not None:
        _put_span(doc, start, end, label, cls, where)


def _read_json_or_jsonl(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Errors.E110.format(path=path, detail=exc)) from None
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: " + Errors.E101.format(line=exc.lineno, detail=exc.msg)) from None
        return list(data)
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: " + Errors.E101.format(line=lineno, detail=exc.msg)) from None
    return rows


# -- Label Studio ---------------------------------------------------------------------------


def import_label_studio(path: str | Path, mapper: LabelMapper | None = None, lang: str | None = None) -> list[dict]:
    """Label Studio JSON export (a list of tasks with ``data`` and ``annotations``).

    The first annotation that was not cancelled is used (a task without one is skipped);
    ``labels`` regions give spans. The id is ``data.id`` when given, else the task ``id``;
    ``data.lang`` / ``data.date`` are kept.
    A per-region ``choices`` value that names an event class or a modality is attached to the
    trigger region it belongs to.
    """
    mapper = mapper or LabelMapper()
    path = Path(path)
    tasks = _read_json_or_jsonl(path)
    docs = []
    for n, task in enumerate(tasks, 1):
        where = f"{path.name} task {n}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise InputError(f"{where}: " + Errors.E109.format(detail="a Label Studio task needs a 'data' object"))
        data = task["data"]
        text = data.get("text")
        if not isinstance(text, str):
            strings = [v for v in data.values() if isinstance(v, str)]
            text = max(strings, key=len) if strings else None
        if text is None:
            raise InputError(f"{where}: {Errors.E102}")
        annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if not annotations:  # not annotated (yet): not a gold article
            continue
        doc = _doc(data.get("id", task.get("id", n)), text, data.get("lang") or lang, data)
        regions: dict[str, tuple[int, int]] = {}
        choices: list[tuple[str, list[str]]] = []
        for res in annotations[0].get("result") or []:
            value = res.get("value") or {}
            labels = value.get("labels") or value.get("hypertextlabels")
            if labels and "start" in value and "end" in value:
                for lab in labels:
                    _add_span(doc, value["start"], value["end"], lab, mapper, where)
                if res.get("id"):
                    regions[res["id"]] = (value["start"], value["end"])
            elif value.get("choices") and res.get("id"):
                choices.append((res["id"], list(value["choices"])))
        for rid, values in choices:
            if rid not in regions:
                continue
            for v in values:
                if v in EVENT_CLASSES:
                    doc["_classes"][regions[rid]] = v
                elif v in MODALITIES:
                    doc["_modalities"][regions[rid]] = v
        docs.append(doc)
    return _assemble(docs)


# -- Prodigy and doccano --------------------------------------------------------------------


def import_prodigy(path: str | Path, mapper: LabelMapper | None = None, lang: str | None = None) -> list[dict]:
    """Prodigy JSONL (``text`` + ``spans`` with ``start``/``end``/``label``).

    Rejected and ignored answers are skipped, and so is a later copy of the same input
    (``_input_hash``). The id is ``meta.id``, else ``id``, else the input hash, else the line number.
    """
    mapper = mapper or LabelMapper()
    path = Path(path)
    docs, seen = [], set()
    for n, row in enumerate(_read_json_or_jsonl(path), 1):
        where = f"{path.name}:{n}"
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f"{where}: {Errors.E102}")
        if row.get("answer", "accept") != "accept":
            continue
        key = row.get("_input_hash", id(row))
        if key in seen:
            continue
        seen.add(key)
        meta = row.get("meta") or {}
        doc_id = meta.get("id") or row.get("id") or row.get("_input_hash") or f"{path.stem}-{n}"
        doc = _doc(doc_id, row["text"], meta.get("lang") or row.get("lang") or lang, {**row, **meta})
        for s in row.get("spans") or []:
            _add_span(doc, s.get("start"), s.get("end"), str(s.get("label")), mapper, where)
        docs.append(doc)
    return _assemble(docs)


def import_doccano(path: str | Path, mapper: LabelMapper | None = None, lang: str | None = None) -> list[dict]:
    """doccano JSONL: ``label: [[start, end, "LABEL"], ...]`` or ``entities: [{start_offset, end_offset, label}]``."""
    mapper = mapper or LabelMapper()
    path = Path(path)
    docs = []
    for n, row in enumerate(_read_json_or_jsonl(path), 1):
        where = f"{path.name}:{n}"
        if not isinstance(row, dict) or not isinstance(row.get("text") or row.get("data"), str):
            raise InputError(f"{where}: {Errors.E102}")
        text = row.get("text") or row.get("data")
        doc = _doc(row.get("id", f"{path.stem}-{n}"), text, row.get("lang") or lang, row)
        for item in row.get("label") or row.get("labels") or []:
            if isinstance(item, (list, tuple)) and len(item) == 3:
                _add_span(doc, item[0], item[1], str(item[2]), mapper, where)
        for ent in row.get("entities") or []:
            _add_span(doc, ent.get("start_offset"), ent.get("end_offset"), str(ent.get("label")), mapper, where)
        docs.append(doc)
    return _assemble(docs)


# -- brat -----------------------------------------------------------------------------------


def _role(name: str) -> str | None:
    return DEFAULT_ROLE_MAP.get(re.sub(r"\d+$", "", name).upper())


def import_brat(path: str | Path, mapper: LabelMapper | None = None, lang: str | None = None) -> list[dict]:
    """A brat standoff directory: ``NAME.txt`` and ``NAME.ann`` per document (id = ``NAME``).

    ``T`` lines give spans (a discontinuous span becomes one span from its first start to its last
    end). ``E`` lines give events: the trigger's ``T`` line becomes a ``TRIGGER`` span whatever its
    label (the label may map to an event class), arguments become spans by their role when their
    own label is not mapped, and fill ``actor1``/``actor2``/``location`` with their text. ``A``
    attributes ``Negation``/``Speculation``/``Hypothetical``/``Future`` on an event set its modality.
    """
    mapper = mapper or LabelMapper()
    root = Path(path)
    if not root.is_dir():
        raise InputError(Errors.E110.format(path=root, detail="brat input must be a directory of .txt and .ann files"))
    docs = []
    for txt in sorted(root.glob("*.txt")):
        with open(txt, encoding="utf-8", newline="") as fh:  # keep \r\n: brat offsets count them
            text = fh.read()
        ann = txt.with_suffix(".ann")
        lines = ann.read_text(encoding="utf-8").splitlines() if ann.is_file() else []
        doc = _doc(txt.stem, text, lang)
        tbs: dict[str, tuple[int, int, str]] = {}
        events: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        attrs: dict[str, str] = {}
        for lineno, line in enumerate(lines, 1):
            where = f"{ann.name}:{lineno}"
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            kind = parts[0][:1]
            if kind == "T" and len(parts) >= 2:
                head = parts[1].split(" ", 1)
                try:
                    frags = [tuple(int(x) for x in f.split()) for f in head[1].split(";")]
                    start, end = frags[0][0], frags[-1][1]
                except (IndexError, ValueError):
                    raise InputError(f"{where}: " + Errors.E109.format(detail=f"bad brat span {parts[1]!r}")) from None
                tbs[parts[0]] = (start, end, head[0])
            elif kind == "E" and len(parts) >= 2:
                args = [a.split(":", 1) for a in parts[1].split()]
                trigger = args[0][1] if args and len(args[0]) == 2 else None
                if trigger is None:
                    raise InputError(f"{where}: " + Errors.E109.format(detail=f"bad brat event {parts[1]!r}"))
                events[parts[0]] = (trigger, [(r, t) for r, t in (a for a in args[1:] if len(a) == 2)])
            elif kind == "A" and len(parts) >= 2:
                bits = parts[1].split()
                if len(bits) >= 2 and bits[0].upper() in _MODALITY_ATTRS:
                    attrs[bits[1]] = _MODALITY_ATTRS[bits[0].upper()]
        trigger_ids = {t for t, _ in events.values()}
        roles: dict[str, str] = {}
        for _, args in events.values():
            for role, tid in args:
                if _role(role):
                    roles.setdefault(tid, _role(role))  # type: ignore[arg-type]
        for tid, (start, end, label) in tbs.items():
            where = f"{ann.name} {tid}"
            if tid in trigger_ids:
                _, cls = mapper.map(label, count=False)
                _put_span(doc, start, end, "TRIGGER", cls, where)
                continue
            mapped, cls = mapper.map(label, count=False)
            mapped = mapped or roles.get(tid)
            if mapped is None:
                mapper.dropped[label] += 1
            else:
                _put_span(doc, start, end, mapped, cls, where)
        if events:
            evs = []
            for eid, (trig, args) in sorted(events.items(), key=lambda kv: tbs.get(kv[1][0], (0, 0, ""))[:2]):
                if trig not in tbs:
                    raise InputError(f"{ann.name}: " + Errors.E109.format(detail=f"event {eid} names unknown trigger {trig}"))
                start, end, _ = tbs[trig]
                ev = _event_for(text, start, end, doc["_classes"].get((start, end)), attrs.get(eid))
                for role, tid in args:
                    target = _role(role)
                    if tid not in tbs or target not in ("ACTOR1", "ACTOR2", "LOCATION"):
                        continue
                    a, b, _ = tbs[tid]
                    ev.setdefault(target.lower(), {"text": text[a:b]})
                evs.append(ev)
            doc["events"] = evs
        docs.append(doc)
    return _assemble(docs)


# -- CoNLL ----------------------------------------------------------------------------------

_TAG_RE = re.compile(r"^(?:O|[BIES]-.+)$")


def import_conll(path: str | Path, mapper: LabelMapper | None = None, lang: str | None = None) -> list[dict]:
    """CoNLL BIO: one token per line (token first, tag last column), a blank line between sentences.

    ``-DOCSTART-`` lines separate documents (ids ``STEM-1``, ``STEM-2``...); a file without them
    has one document per sentence. The text is rebuilt with one space between tokens and a line
    break between sentences. IOB1, IOB2 and BIOES tags are read (``I-X`` after another label
    starts a new span).
    """
    mapper = mapper or LabelMapper()
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Errors.E110.format(path=path, detail=exc)) from None
    has_docstart = any(line.split()[:1] == ["-DOCSTART-"] for line in lines)
    documents: list[list[list[tuple[str, str, int]]]] = []
    sentence: list[tuple[str, str, int]] = []
    current: list[list[tuple[str, str, int]]] = []

    def end_sentence() -> None:
        nonlocal sentence, current
        if sentence:
            current.append(sentence)
            if not has_docstart:
                documents.append(current)
                current = []
        sentence = []

    for lineno, line in enumerate(lines, 1):
        cols = line.split()
        if not cols:
            end_sentence()
            continue
        if cols[0] == "-DOCSTART-":
            end_sentence()
            if current:
                documents.append(current)
            current = []
            continue
        if len(cols) < 2 or not _TAG_RE.match(cols[-1]):
            if line.startswith("#"):
                continue
            raise InputError(f"{path.name}:{lineno}: " + Errors.E109.format(detail=f"expected 'TOKEN ... TAG', got {line!r}"))
        sentence.append((cols[0], cols[-1], lineno))
    end_sentence()
    if current:
        documents.append(current)

    docs = []
    for k, sentences in enumerate(documents, 1):
        pieces: list[str] = []
        offsets: list[list[tuple[int, int, str]]] = []
        pos = 0
        for si, sent in enumerate(sentences):
            if si:
                pieces.append("\n")
                pos += 1
            row = []
            for ti, (tok, tag, _) in enumerate(sent):
                if ti:
                    pieces.append(" ")
                    pos += 1
                row.append((pos, pos + len(tok), tag))
                pieces.append(tok)
                pos += len(tok)
            offsets.append(row)
        doc = _doc(f"{path.stem}-{k}", "".join(pieces), lang)
        for row in offsets:
            for start, end, label in _bio_spans(row):
                _add_span(doc, start, end, label, mapper, f"{path.name} document {k}")
        docs.append(doc)
    return _assemble(docs)


def _bio_spans(tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Character spans of one sentence's tagged tokens (lenient IOB1 / IOB2 / BIOES reading)."""
    spans: list[tuple[int, int, str]] = []
    cur: list[int] | None = None
    cur_label = ""
    for start, end, tag in tokens:
        prefix, _, label = tag.partition("-")
        if prefix == "O":
            cur = None
            continue
        if prefix in ("B", "S") or cur is None or label != cur_label:
            cur = [start, end]
            cur_label = label
            spans.append((start, end, label))
        else:
            cur[1] = end
            spans[-1] = (cur[0], end, label)
        if prefix in ("E", "S"):
            cur = None
    return spans


# -- dispatch -------------------------------------------------------------------------------

IMPORTERS: dict[str, Callable[..., list[dict]]] = {
    "label-studio": import_label_studio,
    "prodigy": import_prodigy,
    "doccano": import_doccano,
    "brat": import_brat,
    "conll": import_conll,
}
"""Importer of each tool format."""


def import_gold(path: str | Path, fmt: str, label_map: dict | str | Path | None = None,
                lang: str | None = None) -> tuple[list[dict], Counter[str]]:
    """Gold dicts of a tool export, and the count of each tool label that was dropped."""
    if fmt not in IMPORTERS:
        raise InputError(Errors.E109.format(detail=f"unknown gold format {fmt!r}; choose one of {', '.join(FORMATS)}"))
    if not Path(path).exists():
        raise InputError(Errors.E110.format(path=path, detail="no such file or directory"))
    mapper = LabelMapper(parse_label_map(label_map))
    docs = IMPORTERS[fmt](path, mapper, lang)
    if mapper.dropped:
        log.warning("labels with no mapping were dropped: %s (use --label-map)", dict(mapper.dropped))
    return docs, mapper.dropped

