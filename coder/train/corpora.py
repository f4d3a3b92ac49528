"""Converters for public corpora → :class:`~coder.train.data.SentenceGold` (labels they lack are masked).

Each converter reads a corpus folder given by path (the corpora are never shipped with the
project) and is registered in :data:`CONVERTERS` under its ``kind``. A sentence declares in
``annotated`` only the span labels its source marks exhaustively; the others are masked in the
loss, so their spans are positive evidence only.

Kinds (``python -m coder.train.corpora KIND PATH`` prints a corpus' statistics):

- ``ecbplus``: ECB+ (English). Sentences listed in ``ECBplus_coreference_sentences.csv`` only;
  ``LOC_*`` → LOCATION, ``TIME_*`` → TIME. Its ``ACTION_*`` markables are events of every kind
  and its ``HUMAN_PART_*`` participants have no initiator/target split: neither is used.
- ``fr_timebank``: French TimeBank (ISO-TimeML). ``TIMEX3`` → TIME; ``EVENT`` is not used.
- ``conflibert_cameo``: ConfliBERT ``cameo_ner_train.txt`` (CoNLL). ``S`` → ACTOR1, ``T`` → ACTOR2,
  ``R`` (reciprocal, both ways) → ACTOR1.
- ``spanish_brat``: Spanish AFP protest news in brat. Sentences with a trigger only; triggers
  typed by a CAMEO code get the event class of that code, those typed by a quad class only get
  no class; ``source``/``target``/``location`` → ACTOR1/ACTOR2/LOCATION (positive only).
- ``acled_notes``: ACLED ``notes`` (distant supervision). The record's ``location`` found
  verbatim → LOCATION, the leading "On <date>" phrase → TIME.

Token-level corpora (ECB+, ConfliBERT) are detokenised lightly (no space before closing
punctuation and clitics, none after opening brackets) so the text looks like news copy.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

from coder.errors import InputError
from coder.ontology.cameo import UnknownCameoCode, acled_for_cameo, root_of
from coder.ontology.classes import load_data
from coder.segment import split_sentences
from coder.tagger.base import SPAN_LABELS
from coder.train.data import SentenceGold

CONVERTERS: dict[str, Callable[[str], Iterator[SentenceGold]]] = {}

Span = tuple[int, int, str]


class CorpusError(InputError):
    """A corpus folder or file is missing or not in the format its converter reads."""


def register(kind: str):
    """Decorator: register a converter under ``kind``."""

    def deco(fn):
        CONVERTERS[kind] = fn
        return fn

    return deco


def read_corpus(kind: str, path: str) -> Iterator[SentenceGold]:
    """Sentences of the corpus at ``path`` read by the converter ``kind``."""
    if kind not in CONVERTERS:
        raise ValueError(f"unknown corpus kind {kind!r}; known: {sorted(CONVERTERS)}")
    yield from CONVERTERS[kind](path)


# ---------------------------------------------------------------------------------------------
# shared helpers


def _find(path: str | Path, kind: str, *, file: str | None = None, folder: str | None = None,
          pattern: str | None = None) -> Path:
    """The corpus file (or sub-folder) ``file``/``folder`` at ``path``: ``path`` itself or inside it.

    A file may also be found by ``pattern`` (a glob) when it was renamed, as our test fixtures are.
    """
    p = Path(path)
    if not p.exists():
        raise CorpusError(f"{kind}: corpus path {str(p)!r} does not exist")
    if file is not None:
        if p.is_file():
            return p
        cand = p / file
        if cand.is_file():
            return cand
        matches = sorted(p.glob(pattern)) if pattern else []
        if len(matches) == 1:
            return matches[0]
        raise CorpusError(f"{kind}: no {file} in {str(p)!r}")
    assert folder is not None
    if p.is_dir() and p.name == folder:
        return p
    cand = p / folder
    if cand.is_dir():
        return cand
    raise CorpusError(f"{kind}: no {folder}/ folder in {str(p)!r}")


_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "''", "”", "’", "...",
                    "n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "’s", "’re", "’ve", "’ll", "’d", "’m"}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "“", "‘"}


def join_tokens(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into a sentence with light detokenisation; return the text and each token's offsets.

    No space before closing punctuation and clitics (``,`` ``.`` ``)`` ``'s`` ``n't`` ...), none
    after opening brackets and ``$``; straight double quotes alternate opening / closing; a hyphen
    between two word tokens is glued to both (``Syria - related`` → ``Syria-related``); ``’ s`` →
    ``’s``. Every other pair of tokens is separated by one space.
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    quote_open = False
    prev = ""
    for i, tok in enumerate(tokens):
        glue = False
        if i > 0:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if tok.lower() in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER:
                glue = True
            elif tok == '"':
                glue = quote_open  # a closing quote sticks to the word before it
            elif prev == '"' and quote_open:
                glue = True  # the word after an opening quote
            elif tok == "-" and prev[-1:].isalnum() and nxt[:1].isalnum():
                glue = True
            elif prev == "-" and i >= 2 and tokens[i - 2][-1:].isalnum() and tok[:1].isalnum():
                glue = True
            elif prev in ("’", "'") and tok.lower() in ("s", "t", "re", "ve", "ll", "d", "m"):
                glue = True
        if tok == '"':
            quote_open = not quote_open
        if i > 0 and not glue:
            parts.append(" ")
            pos += 1
        offsets.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
        prev = tok
    return "".join(parts), offsets


def _drop_overlaps(spans: Iterable[Span], priority: Callable[[Span], tuple]) -> list[Span]:
    """Keep spans greedily in ``priority`` order (lowest first), skipping any that overlaps a kept one."""
    kept: list[Span] = []
    for sp in sorted(set(spans), key=priority):
        if all(sp[1] <= k[0] or sp[0] >= k[1] for k in kept):
            kept.append(sp)
    return sorted(kept)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _segment(text: str, lang: str, spans: list[Span]) -> list[tuple[int, int, list[Span]]]:
    """Split ``text`` into sentences, each with the spans inside it (offsets relative to the sentence).

    Sentences that a span straddles within one line are merged (the segmenter cut inside an
    annotation); a span that crosses a line break is dropped (no sentence can hold it).
    """
    bounds = [list(b) for b in split_sentences(text, lang)]
    for s, e, _ in spans:
        first = next((i for i, (a, b) in enumerate(bounds) if a <= s < b), None)
        last = next((i for i, (a, b) in enumerate(bounds) if a < e <= b), None)
        if first is None or last is None or first == last:
            continue
        if "\n" in text[bounds[first][0] : bounds[last][1]]:
            continue
        bounds[first][1] = bounds[last][1]
        del bounds[first + 1 : last + 1]
    out = []
    for a, b in bounds:
        inside = sorted((s - a, e - a, lab) for s, e, lab in spans if s >= a and e <= b)
        out.append((a, b, inside))
    return out


def _error(path: Path, kind: str, detail: str) -> CorpusError:
    return CorpusError(f"{kind}: {path}: {detail}")


# ---------------------------------------------------------------------------------------------
# ECB+


@register("ecbplus")
def ecbplus(path: str) -> Iterator[SentenceGold]:
    """ECB+ sentences listed in ``ECBplus_coreference_sentences.csv``, with LOCATION and TIME spans.

    ``path``: the corpus folder (holding the CSV and ``ECB+/<topic>/<topic>_<n>ecb[plus].xml``).
    A markable whose tokens are not contiguous gets the span from its first to its last token; a
    location's leading preposition ("in Mannheim") is left out, as in the project's own gold.
    """
    kind = "ecbplus"
    csv_path = _find(path, kind, file="ECBplus_coreference_sentences.csv", pattern="*coreference_sentences*.csv")
    docs_dir = _find(csv_path.parent, kind, folder="ECB+")
    wanted: dict[str, set[int]] = {}
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"Topic", "File", "Sentence Number"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise _error(csv_path, kind, f"expected columns {sorted(need)}, got {reader.fieldnames}")
        for n, row in enumerate(reader, start=2):
            try:
                wanted.setdefault(f"{row['Topic'].strip()}_{row['File'].strip()}", set()).add(
                    int(row["Sentence Number"]))
            except (ValueError, AttributeError) as exc:
                raise _error(csv_path, kind, f"line {n}: bad sentence number ({exc})") from None
    files = {p.stem: p for p in docs_dir.rglob("*.xml")}
    annotated = frozenset({"LOCATION", "TIME"})
    for doc in sorted(wanted, key=_natural):
        if doc not in files:
            raise _error(csv_path, kind, f"lists document {doc!r}, not found under {docs_dir}")
        yield from _ecb_doc(files[doc], doc, wanted[doc], annotated)


def _natural(s: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


_LOC_PREPOSITIONS = {"in", "at", "on", "from", "to", "into", "inside", "near", "outside", "across", "throughout",
                     "between", "within", "off", "around", "towards", "toward", "onto", "along", "through"}


def _ecb_doc(path: Path, doc: str, sentences: set[int], annotated: frozenset[str]) -> Iterator[SentenceGold]:
    kind = "ecbplus"
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise _error(path, kind, f"not valid XML ({exc})") from None
    tokens: dict[str, tuple[int, int]] = {}
    by_sent: dict[int, list[tuple[int, str, str]]] = {}
    for t in root.iter("token"):
        try:
            tid, sent, num = t.get("t_id"), int(t.get("sentence")), int(t.get("number"))
        except (TypeError, ValueError):
            raise _error(path, kind, f"token without t_id/sentence/number: {t.attrib}") from None
        by_sent.setdefault(sent, []).append((num, tid, t.text or ""))
    for sent, toks in by_sent.items():
        toks.sort()
        for k, (_, tid, _) in enumerate(toks):
            tokens[tid] = (sent, k)
    marks: dict[int, list[tuple[int, int, str]]] = {}  # sentence -> (first token idx, last token idx, label)
    markables = root.find("Markables")
    for m in markables if markables is not None else []:
        label = "LOCATION" if m.tag.startswith("LOC_") else "TIME" if m.tag.startswith("TIME_") else None
        if label is None:
            continue
        ids = [a.get("t_id") for a in m.findall("token_anchor")]
        if not ids:  # an instance (TAG_DESCRIPTOR) entry, not a mention
            continue
        if any(i not in tokens for i in ids):
            raise _error(path, kind, f"markable {m.get('m_id')} anchors an unknown token")
        where = [tokens[i] for i in ids]
        if len({s for s, _ in where}) != 1:
            continue
        sent = where[0][0]
        first, last = min(k for _, k in where), max(k for _, k in where)
        if label == "LOCATION":  # "in Mannheim" -> "Mannheim": our LOCATION spans leave the preposition out
            while first < last and by_sent[sent][first][2].lower() in _LOC_PREPOSITIONS:
                first += 1
        marks.setdefault(sent, []).append((first, last, label))
    for sent in sorted(sentences):
        if sent not in by_sent:
            raise _error(path, kind, f"sentence {sent} listed in the CSV is not in the document")
        words = [w for _, _, w in by_sent[sent]]
        text, offs = join_tokens(words)
        spans = [(offs[a][0], offs[b][1], lab) for a, b, lab in marks.get(sent, [])]
        spans = _drop_overlaps(spans, lambda sp: (-(sp[1] - sp[0]), sp[0]))
        yield SentenceGold(text, "en", spans, {}, annotated=annotated, source=kind, doc_id=f"{doc}#{sent}")


# ---------------------------------------------------------------------------------------------
# French TimeBank


@register("fr_timebank")
def fr_timebank(path: str) -> Iterator[SentenceGold]:
    """Every sentence of the French TimeBank ``.tml`` files, with ``TIMEX3`` → TIME spans.

    ``path``: the corpus folder (holding ``Data/``) or the ``Data`` folder itself. The document
    creation time (outside ``TEXT``) is not text and is skipped.
    """
    kind = "fr_timebank"
    data = _find(path, kind, folder="Data")
    files = sorted(data.glob("*.tml"))
    if not files:
        raise CorpusError(f"{kind}: no .tml files in {str(data)!r}")
    annotated = frozenset({"TIME"})
    for f in files:
        text, spans = _timeml_text(f)
        for a, b, inside in _segment(text, "fr", spans):
            yield SentenceGold(text[a:b], "fr", inside, {}, annotated=annotated, source=kind, doc_id=f.stem)


def _timeml_text(path: Path) -> tuple[str, list[Span]]:
    """The plain text of a TimeML ``TEXT`` element and its TIMEX3 spans (tags removed)."""
    kind = "fr_timebank"
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise _error(path, kind, f"not valid XML ({exc})") from None
    body = root.find("TEXT")
    if body is None:
        raise _error(path, kind, "no <TEXT> element")
    parts: list[str] = [body.text or ""]
    pos = len(parts[0])
    spans: list[Span] = []
    for el in body:
        inner = "".join(el.itertext())
        if el.tag == "TIMEX3":
            s, e = _trim(inner, 0, len(inner))
            if s < e:
                spans.append((pos + s, pos + e, "TIME"))
        parts.append(inner)
        pos += len(inner)
        tail = el.tail or ""
        parts.append(tail)
        pos += len(tail)
    return "".join(parts), spans


# ---------------------------------------------------------------------------------------------
# ConfliBERT CAMEO actor roles

_CONFLIBERT_ROLE = {"S": "ACTOR1", "T": "ACTOR2", "R": "ACTOR1"}


@register("conflibert_cameo")
def conflibert_cameo(path: str) -> Iterator[SentenceGold]:
    """ConfliBERT ``cameo_ner_train.txt``: sentences with ACTOR1 (S, R) and ACTOR2 (T) spans.

    ``path``: the file or the folder holding it. Tags may be BIO (``B-S``, ``I-T``) or bare
    letters (``S``, ``T``: a run of the same letter is one span); ``I-X`` after anything but
    ``X`` starts a new span.
    """
    kind = "conflibert_cameo"
    f = _find(path, kind, file="cameo_ner_train.txt", pattern="*cameo_ner*.txt")
    annotated = frozenset({"ACTOR1", "ACTOR2"})
    n_sent = 0
    for rows in _conll_sentences(f, kind):
        words = [w for w, _ in rows]
        text, offs = join_tokens(words)
        spans: list[Span] = []
        cur: list = []  # [first, last, role]
        for k, (_, tag) in enumerate(rows):
            prefix, role = _bio(tag)
            if role is None:
                cur = []
                continue
            if cur and role == cur[2] and prefix != "B":
                cur[1] = k
                spans[-1] = (offs[cur[0]][0], offs[k][1], _CONFLIBERT_ROLE[role])
                continue
            cur = [k, k, role]
            spans.append((offs[k][0], offs[k][1], _CONFLIBERT_ROLE[role]))
        n_sent += 1
        yield SentenceGold(text, "en", spans, {}, annotated=annotated, source=kind, doc_id=f"{f.stem}#{n_sent}")


def _bio(tag: str) -> tuple[str | None, str | None]:
    """``(prefix, role)`` of a tag: ``("B", "S")`` for ``B-S``, ``(None, "S")`` for bare ``S``, ``(None, None)`` for ``O``."""
    if tag == "O":
        return None, None
    if "-" in tag:
        prefix, role = tag.split("-", 1)
        if prefix in ("B", "I") and role in _CONFLIBERT_ROLE:
            return prefix, role
    elif tag in _CONFLIBERT_ROLE:
        return None, tag
    raise ValueError(tag)


def _conll_sentences(path: Path, kind: str) -> Iterator[list[tuple[str, str]]]:
    rows: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            fields = line.split()
            if not fields:
                if rows:
                    yield rows
                rows = []
                continue
            if len(fields) != 2:
                raise _error(path, kind, f"line {n}: expected 'token TAG', got {line.rstrip()!r}")
            try:
                _bio(fields[1])
            except ValueError:
                raise _error(path, kind, f"line {n}: unknown tag {fields[1]!r} (expected O, S, T, R, B-X or I-X)") from None
            rows.append((fields[0], fields[1]))
    if rows:
        yield rows


# ---------------------------------------------------------------------------------------------
# Spanish CAMEO brat

_QUAD_TYPES = {"verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"}
_ARG_TYPES = {"source": "ACTOR1", "target": "ACTOR2", "location": "LOCATION"}
_CODE_TYPE = re.compile(r"^(\d{2,4})_")
_BRAT_T = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)(?:\t(.*))?$")
_BRAT_OTHER = re.compile(r"^[RAEMN#*]\d*\t")


@cache
def _classes_by_sub_event() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, row in load_data("event_classes.json")["classes"].items():
        if row["sub_event_type"]:
            out.setdefault(row["sub_event_type"], key)
    return out


@cache
def _classes_by_root() -> dict[str, str]:
    """CAMEO root → the class outside ACLED's scope with that root (``"11"`` → ``disapprove``)."""
    out: dict[str, str] = {}
    for key, row in load_data("event_classes.json")["classes"].items():
        if not row["sub_event_type"]:
            out.setdefault(row["cameo"][:2], key)
    return out


def class_for_acled(sub_event_type: str) -> str | None:
    """Our event class for an ACLED sub-event type (exact ACLED spelling), or None."""
    return _classes_by_sub_event().get(sub_event_type)


def class_for_cameo(code: str) -> str | None:
    """Our event class for a CAMEO code (``"141"`` → ``peaceful_protest``), or None where none fits.

    The code's default ACLED sub-event type decides (``"1823"`` → Attack → ``attack_civilians``);
    codes outside ACLED's scope take the class with their root (``"112"`` → ``disapprove``);
    root 17 codes outside ACLED (coerce, expel) and unknown codes get None.
    """
    try:
        sub = acled_for_cameo(code)
        root = root_of(code)
    except UnknownCameoCode:
        return None
    if sub:
        return class_for_acled(sub)
    return _classes_by_root().get(root)


def _brat_class(etype: str) -> str | None:
    m = _CODE_TYPE.match(etype)
    return class_for_cameo(m.group(1)) if m else None


def _brat_entities(ann: Path, text: str, kind: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, label, brat type)`` of a ``.ann`` file's text-bound annotations we use.

    A discontinuous annotation gets the span from its first to its last fragment. Relations,
    attributes and notes are ignored; so are continuation lines of an annotation whose text
    contains a line break.
    """
    out = []
    prev_t = False
    with open(ann, encoding="utf-8", newline="") as fh:
        for n, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            m = _BRAT_T.match(line)
            if not m:
                if _BRAT_OTHER.match(line):
                    prev_t = False
                    continue
                if prev_t and not re.match(r"^T\d+\t", line):
                    continue  # the rest of a multi-line annotation text
                raise _error(ann, kind, f"line {n}: not a brat annotation: {line[:80]!r}")
            prev_t = True
            etype = m.group(2)
            frags = [tuple(map(int, f.split())) for f in m.group(3).split(";")]
            if any(s > e or e > len(text) for s, e in frags):
                raise _error(ann, kind, f"line {n}: offsets {m.group(3)} outside the text ({len(text)} characters)")
            if etype in _ARG_TYPES:
                label = _ARG_TYPES[etype]
            elif etype in _QUAD_TYPES or _CODE_TYPE.match(etype):
                label = "TRIGGER"
            else:
                continue  # a type this converter does not use
            s, e = _trim(text, frags[0][0], frags[-1][1])
            if s < e:
                out.append((s, e, label, etype))
    return out


def _brat_priority(ent: tuple[int, int, str, str]) -> tuple:
    s, e, label, etype = ent
    if label == "TRIGGER":
        # CAMEO-coded triggers first, then quad-class ones; the shorter (more specific) first
        return (0 if _CODE_TYPE.match(etype) else 1, e - s, s)
    return (2, -(e - s), ("ACTOR1", "ACTOR2", "LOCATION").index(label), s)


@register("spanish_brat")
def spanish_brat(path: str) -> Iterator[SentenceGold]:
    """Spanish brat documents: the sentences holding at least one trigger (annotated = {TRIGGER}).

    ``path``: the corpus folder (holding ``Protest_CAMEO_round4_JJ/``) or that folder itself.
    Offsets are read on the raw text (CRLF line ends count two characters, as in brat).
    Overlaps: CAMEO-coded triggers beat quad-class triggers (the shorter first), triggers beat
    arguments, longer arguments beat nested ones, and ACTOR1 > ACTOR2 > LOCATION on the same text.
    Actors and locations are not marked for every mention, so they stay masked outside their spans.
    """
    kind = "spanish_brat"
    folder = _find(path, kind, folder="Protest_CAMEO_round4_JJ")
    anns = sorted(folder.glob("*.ann"))
    if not anns:
        raise CorpusError(f"{kind}: no .ann files in {str(folder)!r}")
    annotated = frozenset({"TRIGGER"})
    for ann in anns:
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise _error(ann, kind, f"no text file {txt.name} beside it")
        with open(txt, encoding="utf-8", newline="") as fh:
            text = fh.read()
        ents = _brat_entities(ann, text, kind)
        if not ents:
            continue
        etype_of = {}
        for s, e, label, etype in ents:
            if label == "TRIGGER":
                cls = _brat_class(etype)
                if cls is not None or (s, e) not in etype_of:
                    etype_of[(s, e)] = cls
        for a, b, _ in _segment(text, "es", [(s, e, lab) for s, e, lab, _ in ents]):
            local = [(s - a, e - a, lab, et) for s, e, lab, et in ents if s >= a and e <= b]
            if not any(lab == "TRIGGER" for _, _, lab, _ in local):
                continue
            kept = []
            for ent in sorted(local, key=_brat_priority):
                if all(ent[1] <= k[0] or ent[0] >= k[1] for k in kept):
                    kept.append(ent)
            spans = sorted((s, e, lab) for s, e, lab, _ in kept)
            triggers = {(s, e): (etype_of.get((s + a, e + a)), None) for s, e, lab in spans if lab == "TRIGGER"}
            yield SentenceGold(text[a:b], "es", spans, triggers, annotated=annotated, source=kind, doc_id=ann.stem)


# ---------------------------------------------------------------------------------------------
# ACLED notes

_SIZE_TAIL = re.compile(r"\s*\[size=[^\]]*\]\s*$")
_LEAD_LABEL = re.compile(r"^[A-Z][A-Za-z/ -]{1,40}: (?=(?:On|Around|Between|From|During|Overnight|Since|As of|By)\b)")
_LEAD_TIME = re.compile(
    r"^((?:On or (?:around|about)|On|Around|Between|From|During|Overnight(?: on)?|Since|As of|By) "
    r"[^,()\n]{1,40}?\b\d{4})(?:\s*\([^)]*\))?,"
)


def acled_note_text(notes: str) -> tuple[str, tuple[int, int] | None]:
    """A note's text without ACLED's trailing ``[size=...]`` and leading ``Label: ``, and its leading time phrase."""
    text = _SIZE_TAIL.sub("", notes).strip()
    text = _LEAD_LABEL.sub("", text, count=1)
    m = _LEAD_TIME.match(text)
    return text, (m.span(1) if m else None)


@register("acled_notes")
def acled_notes(path: str) -> Iterator[SentenceGold]:
    """ACLED ``notes`` sentences with the record's location (LOCATION) and leading date phrase (TIME).

    ``path``: ``acled_2022_sample.csv`` or the folder holding it. LOCATION is declared annotated in
    the sentences where the ``location`` value occurs (case-sensitive, word-bounded; every
    occurrence is marked), TIME in the sentence that opens with "On <date>,"; sentences with
    neither are skipped. The event class (from ``sub_event_type``) has no span in a note, so no
    TRIGGER is emitted.
    """
    kind = "acled_notes"
    f = _find(path, kind, file="acled_2022_sample.csv", pattern="*acled*.csv")
    with open(f, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"notes", "location"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise _error(f, kind, f"expected columns {sorted(need)}, got {reader.fieldnames}")
        for n, row in enumerate(reader, start=2):
            notes = (row.get("notes") or "").strip()
            if not notes:
                continue
            doc_id = row.get("event_id_cnty") or f"row{n}"
            text, when = acled_note_text(notes)
            loc = (row.get("location") or "").strip()
            spans: list[Span] = []
            if when:
                spans.append((when[0], when[1], "TIME"))
            if loc:
                for m in re.finditer(rf"(?<!\w){re.escape(loc)}(?!\w)", text):
                    if not when or m.start() >= when[1] or m.end() <= when[0]:
                        spans.append((m.start(), m.end(), "LOCATION"))
            for a, b, inside in _segment(text, "en", spans):
                labels = frozenset(lab for _, _, lab in inside)
                if not labels:
                    continue
                yield SentenceGold(text[a:b], "en", inside, {}, annotated=labels, source=kind, doc_id=doc_id)


# ---------------------------------------------------------------------------------------------
# statistics


def corpus_stats(kind: str, path: str) -> dict:
    """Counts over a converted corpus: sentences, documents, spans per label, annotated sets, trigger classes."""
    t0 = time.perf_counter()
    sentences = 0
    docs: set[str] = set()
    spans = Counter({lab: 0 for lab in SPAN_LABELS})
    annotated: Counter = Counter()
    classes: Counter = Counter()
    langs: Counter = Counter()
    for sent in read_corpus(kind, path):
        sentences += 1
        docs.add(sent.doc_id.split("#")[0])
        langs[sent.lang] += 1
        annotated["+".join(lab for lab in SPAN_LABELS if lab in sent.annotated) or "(none)"] += 1
        for _, _, lab in sent.spans:
            spans[lab] += 1
        for cls, _ in sent.triggers.values():
            classes[cls or "(none)"] += 1
    return {
        "kind": kind,
        "path": str(path),
        "sentences": sentences,
        "documents": len(docs),
        "langs": dict(langs),
        "spans": dict(spans),
        "annotated": dict(annotated.most_common()),
        "trigger_classes": dict(classes.most_common()),
        "seconds": round(time.perf_counter() - t0, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m coder.train.corpora KIND PATH``: print the corpus statistics as JSON."""
    ap = argparse.ArgumentParser(prog="python -m coder.train.corpora", description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=sorted(CONVERTERS))
    ap.add_argument("path")
    args = ap.parse_args(argv)
    try:
        stats = corpus_stats(args.kind, args.path)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(stats, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
