"""Actor spans → normalised name, CAMEO actor code, ISO3 country and ACLED inter code.

An actor is read in this order:

1. a **named group** of our lexicon (``data/groups.json``: armed groups, named state forces,
   international bodies, with their EN/FR forms and acronyms). Ambiguous acronyms are resolved by
   country ("FDS" is the Syrian Democratic Forces in Syria, the *Forces de défense et de sécurité*
   in Burkina Faso or Niger); non-state groups take their country of operation, named state forces
   keep their own country;
2. a **country, capital or leader** standing for its government ("Israel", "Moscou", "Putin");
3. an **agent keyword** (``data/agents.json``: "soldiers", "la gendarmerie", "des jihadistes
   présumés", "villagers"...), its head chosen as a noun phrase's head is (the last keyword in
   English, the first in French), with the country of a demonym or country name in the span
   ("Malian soldiers", "la police kényane"), else the article's main country.

Names follow ACLED: "Military Forces of Mali", "Civilians (Nigeria)", "Unidentified Armed Group
(Burkina Faso)"; codes are the country's ISO3 followed by the CAMEO agent ("MLIMIL", "NGACVL").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from coder.normalise.countries import _english_forms, _french_forms, country_name, find_countries
from coder.schema import Actor

ACLED_COUNTRY_NAMES: dict[str, str] = {
    "COD": "Democratic Republic of Congo", "COG": "Republic of Congo", "CIV": "Ivory Coast", "RUS": "Russia",
    "PSE": "Palestine", "TUR": "Turkey", "CZE": "Czech Republic", "SWZ": "eSwatini", "CPV": "Cape Verde",
    "BRN": "Brunei", "TLS": "East Timor", "VAT": "Vatican City", "FSM": "Micronesia", "MKD": "North Macedonia",
    "GMB": "Gambia", "BHS": "Bahamas", "LAO": "Laos", "SYR": "Syria", "IRN": "Iran", "KOR": "South Korea",
    "PRK": "North Korea", "TZA": "Tanzania", "VEN": "Venezuela", "BOL": "Bolivia", "MDA": "Moldova",
    "VNM": "Vietnam", "TWN": "Taiwan", "FLK": "Falkland Islands", "MAF": "Saint-Martin", "SXM": "Sint Maarten",
    "VGB": "British Virgin Islands", "VIR": "Virgin Islands, U.S.", "MYT": "Mayotte", "NCL": "New Caledonia",
}
"""ACLED's spelling of country names where it differs from pycountry's."""

_STATE_AGENTS = ("MIL", "COP", "SPY")
"""Agents of a state's forces: inter 8 when they act outside their own country."""

_DETERMINERS = re.compile(
    r"^(?:(?:the|a|an|some|several|les|le|la|des|de|du|un|une|ces|ses|leurs?|son|sa|its|their|his|her)\s+"
    r"|[ld][’']\s*)",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"\s*(?:,\s*)?\b(?:and|et|as well as|ainsi que|along with|avec)\s+", re.IGNORECASE)
_EN_HEAD_END = re.compile(
    r"\s(?:of|from|in|at|on|near|who|whom|that|which|with|by|for|to|loyal|belonging|linked|believed|suspected of"
    r"|allied|backed|based|operating|during)\s|[,;(]",
    re.IGNORECASE,
)
_MODIFIER = re.compile(
    r"[-‐‑]\s?(?:backed|recogni[sz]ed|brokered|sponsored|supported|installed|run|controlled|held|appointed|funded|trained"
    r"|armed|allied|aligned|friendly|soutenus?|appuyés?|reconnus?|contrôlés?)\b",
    re.IGNORECASE,
)
_AFFILIATION = re.compile(r"[-‐‑]\s?(?:linked|affiliated|inspired|led|loyal|affilié|affiliés|lié|liés)\b", re.IGNORECASE)
_TITLES = re.compile(
    r"\b(?:the|les|le|la|president|président|présidente|leader|dirigeant|mr|mrs|ms|mme|m)\b\.?|\bl['’]|['’]s\b",
    re.IGNORECASE,
)
"""Words left around a country, capital or leader that still make the span that name alone."""
_AMBIGUOUS_NAMES = re.compile(r"(?:Maurice|Jordan|Chad|Salvador|Georgia|Israel|Kenya|Togo)\s+[A-Z][a-z]")
"""Country names that are also given names: "Maurice Kamto" is not Mauritius."""
_ARMED_LABELS = ("unidentified", "militia", "communal_militia", "bandits", "bombers")
_CIVIL_LABELS = ("civilians", "persons", "herders", "farmers", "civilian_places", "traders", "miners", "workers")


def acled_country_name(iso3: str | None) -> str | None:
    """A country's name as ACLED writes it ("Democratic Republic of Congo", "Russia")."""
    if not iso3:
        return None
    return ACLED_COUNTRY_NAMES.get(iso3) or country_name(iso3)


def fold(text: str, keep_case: bool = False) -> str:
    """``text`` without accents (and lower-cased unless ``keep_case``), curly quotes and dashes made plain.

    The result has exactly the length of ``text``, so match offsets index the original.
    """
    out = []
    for ch in text:
        if ch in "’‘`´ʼ":
            out.append("'")
            continue
        if ch in "‐‑‒–—":
            out.append("-")
            continue
        base = unicodedata.normalize("NFD", ch)[0] if ord(ch) > 127 else ch
        if not keep_case:
            low = base.lower()
            base = low if len(low) == 1 else base
        out.append(base)
    return "".join(out)


def _key(form: str) -> str:
    """Lookup key of a surface form: folded, without spaces, hyphens and apostrophes."""
    return re.sub(r"[\s\-'.]", "", fold(form))


def _form_pattern(form: str, keep_case: bool) -> str:
    parts = []
    for ch in fold(form, keep_case):
        if ch in " -":
            parts.append(r"[\s\-]*")
        elif ch == "'":
            parts.append("'?")
        elif ch == ".":
            parts.append(r"\.?")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _compile(forms: list[str], keep_case: bool, hyphen_after: bool) -> re.Pattern[str] | None:
    if not forms:
        return None
    alts = sorted({_form_pattern(f, keep_case) for f in forms}, key=len, reverse=True)
    tail = r"(?!\w)" if hyphen_after else r"(?![\w-])"
    return re.compile(r"(?<![\w-])(" + "|".join(alts) + ")" + tail)


def _case_sensitive(form: str) -> bool:
    """Short acronyms ("IS", "FDS", "FAMa") only match as written; longer names match in any case."""
    return len(form) <= 5 and sum(c.isupper() for c in form) >= 2


@cache
def _data(name: str) -> dict:
    return json.loads(resources.files("coder.normalise").joinpath("data").joinpath(name).read_text("utf-8"))


# -- named groups ---------------------------------------------------------------------------------
@dataclass
class Group:
    """A named actor of the lexicon.

    ``code`` and ``name`` may hold ``{c}``: the ISO3 code / ACLED name of the country the actor is
    resolved to. ``kind`` is ``state`` (named state forces: always the home ``country``, or the
    country read from the span and the article when it has none), ``armed`` (non-state: the
    country of operation among ``area``, else home) or ``intl`` (international bodies: no country).
    ``where`` restricts an ambiguous group to articles about those countries; ``variants`` rename
    it there; ``default_for`` / ``default_in`` make it the reading of an unnamed agent (e.g.
    "insurgents" in Somalia) in those countries.
    """

    name: str
    code: str
    inter: int | None
    country: str | None
    kind: str = "armed"
    area: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    default_for: tuple[str, ...] = ()
    default_in: tuple[str, ...] = ()
    variants: list[dict] = field(default_factory=list)


@dataclass
class _GroupIndex:
    patterns: list[tuple[re.Pattern[str], bool]]
    forms: dict[str, list[Group]]
    defaults: dict[tuple[str, str], Group]


def _group_from(row: dict) -> Group:
    code = row["code"]
    kind = row.get("kind") or ("intl" if code.startswith(("IGO", "NGO")) and not row.get("country") else "armed")
    return Group(
        name=row["name"], code=code, inter=row.get("inter"), country=row.get("country"), kind=kind,
        area=tuple(row.get("area", ())), where=tuple(row.get("where", ())),
        default_for=tuple(row.get("default_for", ())), default_in=tuple(row.get("default_in", ())),
        variants=list(row.get("variants", ())),
    )


@cache
def _group_index() -> _GroupIndex:
    forms: dict[str, list[Group]] = {}
    sensitive: list[str] = []
    insensitive: list[str] = []
    defaults: dict[tuple[str, str], Group] = {}
    for row in _data("groups.json")["groups"]:
        grp = _group_from(row)
        for label in grp.default_for:
            for iso in grp.default_in:
                defaults.setdefault((label, iso), grp)
        for f in row.get("forms", ()):
            bucket = forms.setdefault(_key(f), [])
            if grp not in bucket:
                bucket.append(grp)
            (sensitive if _case_sensitive(f) else insensitive).append(f)
    patterns = []
    for keep_case, fs in ((True, sensitive), (False, insensitive)):
        pat = _compile(fs, keep_case, hyphen_after=True)
        if pat is not None:
            patterns.append((pat, keep_case))
    return _GroupIndex(patterns, forms, defaults)


def _group_matches(text: str) -> list[tuple[int, int, list[Group]]]:
    """Group mentions in ``text``, left to right, overlaps resolved for the longest.

    A group only qualifying another actor ("UN-recognised government", "Rwanda-backed rebels") is
    left out; one the actor is affiliated to ("IS-linked insurgents") comes after the named ones
    ("the al-Qaeda-linked JNIM" is JNIM).
    """
    idx = _group_index()
    found: list[tuple[int, int, list[Group]]] = []
    for pat, keep_case in idx.patterns:
        for m in pat.finditer(fold(text, keep_case)):
            groups = idx.forms.get(_key(m.group(1)))
            if groups and not _MODIFIER.match(text, m.end(1)):
                found.append((m.start(1), m.end(1), groups))
    kept = _no_overlap(found)
    return [g for g in kept if not _AFFILIATION.match(text, g[1])] + [g for g in kept if _AFFILIATION.match(text, g[1])]


def _no_overlap(found: list) -> list:
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list = []
    for item in found:
        if out and item[0] < out[-1][1]:
            continue
        out.append(item)
    return out


def find_group(text: str, countries: tuple[str, ...] = ()) -> Group | None:
    """The first named group of the lexicon mentioned in ``text``.

    ``countries`` (the span's and the article's, most specific first) choose between groups
    sharing a form and rule out groups whose ``where`` they miss.
    """
    for _, _, groups in _group_matches(text):
        grp = _pick_group(groups, countries)
        if grp is not None:
            return grp
    return None


_APPOSITION = re.compile(
    r"\s*(?:,\s*)?(?:(?:of|from|with|called|named|known as|du|de la|de l['’]|des|de|d['’]|dits?|appelée?s?)\s+)?"
    r"(?:(?:the|les?|la|l['’])\s*)?",
    re.IGNORECASE,
)


def group_after(sentence: str, end: int, window: int = 60) -> tuple[int, int] | None:
    """Offsets in ``sentence`` of a named group in apposition right after position ``end``
    ("jihadists [of] the Islamic State", "des hommes armés du JNIM"), or None."""
    tail = sentence[end : end + window]
    m = _APPOSITION.match(tail)
    if m is None:
        return None
    for start, stop, _ in _group_matches(tail):
        if start == m.end():
            return end + start, end + stop
        break
    return None


def _pick_group(groups: list[Group], countries: tuple[str, ...]) -> Group | None:
    for c in countries:
        for g in groups:
            if c in g.where:
                return g
    free = [g for g in groups if not g.where]
    return free[0] if free else None


def _group_actor(text: str, grp: Group, mentions: list[str], context: str | None) -> Actor:
    cands = [*mentions, *([context] if context else [])]
    if grp.kind == "intl":
        country = None
    elif grp.kind == "state":
        country = grp.country or (cands[0] if cands else None)
    else:
        area = [c for c in (grp.country, *grp.area) if c]
        if area:
            country = next((c for c in cands if c in area), grp.country or area[0])
        else:
            country = cands[0] if cands else None
    name, code, inter = grp.name, grp.code, grp.inter
    place = country or context or (cands[0] if cands else None)  # where an international body acts
    for var in grp.variants:
        if place in var.get("where", ()):
            name, code, inter = var.get("name", name), var.get("code", code), var.get("inter", inter)
            break
    if grp.kind == "state" and inter == 1 and country and context and country != context:
        inter = 8
    return Actor(text=text, name=_fill(name, country), cameo_code=code.replace("{c}", country or "") or None,
                 country=country, inter=inter)


def _fill(template: str, country: str | None) -> str:
    cname = acled_country_name(country)
    if cname:
        return template.replace("{c}", cname)
    return re.sub(r"\s*\(\{c\}\)|\s*(?:of )?\{c\}", "", template).strip()


# -- agents ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agent:
    """An agent row of ``data/agents.json``: what an unnamed actor keyword means."""

    label: str
    code: str | None
    inter: int | None
    name: str | None
    state: bool = False
    intl: bool = False
    tier: int = 1


@cache
def _agent_index() -> tuple[re.Pattern[str], dict[str, list[tuple[Agent, str | None]]]]:
    words: dict[str, list[tuple[Agent, str | None]]] = {}
    forms: set[str] = set()
    plurals: list[tuple[str, Agent, str | None]] = []
    for label, row in _data("agents.json")["agents"].items():
        agent = Agent(label, row["code"], row["inter"], row["name"], row.get("state", False),
                      row.get("intl", False), row.get("tier", 1))
        for lang_key, lang in (("words", None), ("en", "en"), ("fr", "fr")):
            for w in row.get(lang_key, ()):
                words.setdefault(_key(w), []).append((agent, lang))
                forms.add(w)
                if " " not in w and not w.endswith(("s", "x", "z")):
                    plurals.append((w + "s", agent, lang))
    for w, agent, lang in plurals:  # a plural listed by another row keeps that row's meaning
        if _key(w) not in words or all(a.label == agent.label for a, _ in words[_key(w)]):
            words.setdefault(_key(w), []).append((agent, lang))
            forms.add(w)
    pattern = _compile(sorted(forms), keep_case=False, hyphen_after=False)
    assert pattern is not None
    return pattern, words


def _agent_matches(text: str, lang: str) -> list[tuple[int, int, Agent]]:
    pattern, words = _agent_index()
    out = []
    for m in pattern.finditer(fold(text)):
        for agent, only in words.get(_key(m.group(1)), ()):
            if only is None or only == lang:
                out.append((m.start(1), m.end(1), agent))
                break
    return out


def find_agent(text: str, lang: str = "en") -> Agent | None:
    """The agent of ``text``'s head keyword (see :func:`normalise_actor`), or None."""
    return _head_agent(text, _agent_matches(text, lang), lang)


def _head_agent(text: str, matches: list[tuple[int, int, Agent]], lang: str) -> Agent | None:
    matches = [m for m in matches if m[2].code is not None]
    if not matches:
        return None
    if lang == "en":
        cut = _EN_HEAD_END.search(text)
        head_end = cut.start() if cut else len(text)
        for tier in (1, 2):
            head = [m for m in matches if m[2].tier == tier and m[1] <= head_end]
            if head:
                best = head[-1]
                break
        else:
            best = None
    else:
        best = None
    if best is None:
        for tier in (1, 2, 3, 4):
            tiered = [m for m in matches if m[2].tier == tier]
            if tiered:
                best = tiered[-1] if lang == "en" else tiered[0]
                break
    assert best is not None
    agent = best[2]
    if agent.label == "government" and any(m[2].tier == 3 for m in matches):
        return next(m[2] for m in matches if m[2].tier == 3)  # "regime artillery", "Junta aircraft"
    return agent


@cache
def _word_sets() -> dict[str, dict[str, str]]:
    data = _data("agents.json")
    out: dict[str, dict[str, str]] = {"qualifiers": {_key(w): w for w in data["qualifiers"]}}
    for table in ("ethnic", "religious"):
        out[table] = {_key(w): name for name, ws in data[table].items() for w in ws}
    return out


def _words_in(text: str, table: str) -> list[str]:
    """Entries of a word table (``ethnic``, ``religious``, ``qualifiers``) named in ``text``, in order."""
    known = _word_sets()[table]
    words = re.findall(r"[\w'\-]+", fold(text))
    out = []
    for i, w in enumerate(words):
        for cand in (w + words[i + 1] if i + 1 < len(words) else "", w):
            k = _key(cand)
            if cand and k in known:
                out.append(known[k])
                break
    return out


# -- countries named in the span --------------------------------------------------------------------
@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    iso3: str
    kind: str  # "name", "demonym", "capital", "leader", "seat"
    agent: str | None = None


@cache
def _demonym_forms() -> frozenset[str]:
    base = _data("demonyms.json")
    forms: set[str] = set()
    for b in (b for bases in base["en"].values() for b in bases):
        forms.update(_english_forms(b))
    for b in (b for bases in base["fr"].values() for b in bases):
        for f in _french_forms(b):
            forms.update((f, f[0].upper() + f[1:]))
    return frozenset(forms)


@cache
def _extra_mentions() -> tuple[re.Pattern[str] | None, dict[str, tuple[str, str, str | None]]]:
    data = _data("agents.json")
    table: dict[str, tuple[str, str, str | None]] = {}
    for iso, bases in data["demonyms"]["en"].items():
        for b in bases:
            for f in _english_forms(b):
                table[f] = (iso, "demonym", None)
    for iso, bases in data["demonyms"]["fr"].items():
        for b in bases:
            for f in _french_forms(b):
                table.setdefault(f, (iso, "demonym", None))
                table.setdefault(f[0].upper() + f[1:], (iso, "demonym", None))
    for table_name, kind in (("country_names", "name"), ("capitals", "capital"), ("regions", "region")):
        for iso, names in data[table_name].items():
            for n in names:
                table.setdefault(n, (iso, kind, None))
    for n, (iso, label) in data["seats"].items():
        table[n] = (iso, "seat", label)
    for iso, names in data["leaders"].items():
        for n in names:
            table[n] = (iso, "leader", None)
    alts = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in alts) + r")(?![\w-])") if alts else None
    return pattern, table


def _mentions(text: str) -> list[_Mention]:
    demonyms = _demonym_forms()
    territories = _data("agents.json")["territories"]
    found = [(a, b, _Mention(a, b, territories.get(iso, iso), "demonym" if text[a:b] in demonyms else "name"))
             for a, b, iso in find_countries(text) if not _AMBIGUOUS_NAMES.match(text, a)]
    pattern, table = _extra_mentions()
    if pattern is not None:
        for m in pattern.finditer(text.replace("’", "'")):
            iso, kind, agent = table[m.group(1)]
            found.append((m.start(1), m.end(1), _Mention(m.start(1), m.end(1), iso, kind, agent)))
    return [m for _, _, m in _no_overlap(found)]


def country_mentions(text: str) -> list[str]:
    """ISO3 codes of the countries ``text`` names, left to right: names, demonyms, capitals and seats
    of power, conflict regions and towns ("Goma", "Cabo Delgado"), but not leaders.

    Meant for guessing an article's main country, which country names alone often miss (a French
    report on Marseille or Bamako may never write "France" or "Mali").
    """
    return [m.iso3 for m in _mentions(text) if m.kind != "leader"]


def region_countries(text: str) -> list[str]:
    """ISO3 codes of the regions and conflict towns ``text`` names ("dans la province du Cabo
    Delgado" → MOZ, "en Seine-Saint-Denis" → FRA): places, unlike capitals and country names,
    which often stand for a government ("Kigali a envoyé", "Ankara has sent")."""
    return [m.iso3 for m in _mentions(text) if m.kind == "region"]


def demonym_mentions(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, ISO3)`` of the demonyms in ``text`` ("Russian", "turque", "pakistanais")."""
    return [(m.start, m.end, m.iso3) for m in _mentions(text) if m.kind == "demonym"]


def _disambiguate(mentions: list[_Mention], text: str, context: str | None) -> list[str]:
    """ISO3 codes of the mentions; "Congo", "Congolese", "congolais" follow the article (DRC or Congo)."""
    out = []
    for m in mentions:
        iso = m.iso3
        if iso in ("COD", "COG") and context in ("COD", "COG") and fold(text[m.start : m.end]).startswith("congo"):
            iso = context
        out.append(iso)
    return out


# -- the normaliser ---------------------------------------------------------------------------------
def clean_span(text: str) -> str:
    """The span without leading determiners and surrounding punctuation."""
    out = text.strip(" \t\n,;:.«»\"“”'’()")
    return _DETERMINERS.sub("", out).strip() or out


def _split_point(text: str, protected: list[tuple[int, int]]) -> int:
    """Where the first conjunct of ``text`` ends (a conjunction outside any known name), else its length."""
    for m in _CONJUNCTION.finditer(text):
        if m.start() == 0:
            continue
        if any(a < m.end() and m.start() < b for a, b in protected):
            continue
        return m.start()
    return len(text)


def _bare_mention(text: str, mentions: list[_Mention]) -> _Mention | None:
    """The mention when the span is nothing but a country, capital, leader or demonym."""
    if len(mentions) != 1 or mentions[0].kind == "region":
        return None
    m = mentions[0]
    rest = _TITLES.sub(" ", text[: m.start] + " " + text[m.end :])
    return m if not re.sub(r"[\s,.;:()«»\"“”'’]", "", rest) else None


def _demonym_noun(text: str, m: _Mention, lang: str) -> bool:
    """Whether a demonym names people ("Palestinians", "des Algériens") rather than qualifies ("Russian")."""
    if m.kind != "demonym":
        return False
    surface = text[m.start : m.end]
    return surface[:1].isupper() if lang == "fr" else surface.endswith("s")


def normalise_actor(text: str, lang: str = "en", context_country: str | None = None) -> Actor:
    """Normalise one actor span; ``context_country`` is the article's main country (ISO3).

    A span naming several actors ("the army and allied militias", "Ukraine and Russia") is read
    from its first conjunct.
    """
    context = _data("agents.json")["territories"].get(context_country or "", context_country)
    groups = _group_matches(text)
    agents = _agent_matches(text, lang)
    mentions = _mentions(text)
    protected = [(a, b) for a, b, _ in groups] + [(a, b) for a, b, _ in agents] + [(m.start, m.end) for m in mentions]
    cut = _split_point(text, protected)
    if cut < len(text):
        head = text[:cut]
        head_mentions = [m for m in mentions if m.end <= cut]
        head_groups = [g for g in groups if g[1] <= cut]
        head_agents = [a for a in agents if a[1] <= cut]
        if head_groups or head_agents or _bare_mention(head, head_mentions):
            return _read(text, head, head_groups, head_agents, head_mentions, lang, context)
        if head_mentions:  # "Rwandan and Mozambican troops": the whole phrase, the first country
            mentions = head_mentions + [m for m in mentions if m.end > cut]
    return _read(text, text, groups, agents, mentions, lang, context)


def _read(original: str, text: str, groups: list, agents: list, mentions: list[_Mention], lang: str,
          context: str | None) -> Actor:
    isos = _disambiguate(mentions, text, context)
    cands = tuple(dict.fromkeys([*isos, *([context] if context else [])]))
    for _, _, cand_groups in groups:
        grp = _pick_group(cand_groups, cands)
        if grp is not None:
            return _group_actor(original, grp, isos, context)
    bare = _bare_mention(text, mentions)
    if bare is not None and not agents:
        iso = isos[0]
        if bare.kind == "seat" and bare.agent:
            return _agent_actor(original, _agent_by_label(bare.agent), iso, context, text)
        if bare.kind == "demonym":
            noun = _demonym_noun(text, bare, lang)
            return _agent_actor(original, _agent_by_label("civilians" if noun else "army"), iso, context, text)
        return _agent_actor(original, _agent_by_label("government"), iso, context, text)
    agent = _head_agent(text, agents, lang)
    if agent is None and any(_demonym_noun(text, m, lang) for m in mentions):  # "des milliers d'Algériens"
        agent = _agent_by_label("civilians")
    if agent is None:
        ethnic = _words_in(text, "ethnic") or _words_in(text, "religious")
        if ethnic:
            country = isos[0] if isos else context
            return _community_actor(original, ethnic[0], False, country)
        country = isos[0] if isos else context
        code = isos[0] if isos else None
        return Actor(text=original, name=clean_span(original), cameo_code=code, country=country, inter=None)
    if agent.label in ("rebels", "jihadists") and _words_in(text, "qualifiers"):
        agent = _agent_by_label("unidentified")
    if agent.state and agent.code == "MIL" and not isos and context:
        country = _data("agents.json")["forces_in"].get(context, context)  # soldiers in Gaza are Israel's
    elif agent.intl:
        country = isos[0] if isos else None
    elif agent.state:
        country = isos[0] if isos else context
    elif agent.code == "REF":
        country = context or (isos[0] if isos else None)
    else:
        country = isos[0] if isos else context
    return _agent_actor(original, agent, country, context, text)


@cache
def _agent_by_label(label: str) -> Agent:
    row = _data("agents.json")["agents"][label]
    return Agent(label, row["code"], row["inter"], row["name"], row.get("state", False), row.get("intl", False),
                 row.get("tier", 1))


def _agent_actor(original: str, agent: Agent, country: str | None, context: str | None, text: str) -> Actor:
    """The actor an agent keyword gives in ``country``: a default group, a community, or the agent's template."""
    if country and not agent.state:
        grp = _group_index().defaults.get((agent.label, country))
        if grp is not None:
            return _group_actor(original, grp, [country], context)
    if agent.label in _ARMED_LABELS + _CIVIL_LABELS:
        community = _words_in(text, "ethnic") or _words_in(text, "religious")
        if community:
            return _community_actor(original, community[0], agent.label in _ARMED_LABELS, country)
    if agent.state and country:  # the Government of France acts in New Caledonia
        country = _data("agents.json")["sovereigns"].get(country, country)
    inter = agent.inter
    if agent.code in _STATE_AGENTS and inter == 1 and country and context and country != context:
        inter = 8
    if agent.intl:  # a country only when the span names one: "Israeli rights groups"
        return Actor(text=original, name=_fill(agent.name or "", country or context),
                     cameo_code=(country or "") + (agent.code or ""), country=country, inter=inter)
    name = _fill(agent.name, country) if agent.name and country else clean_span(original)
    code = (country or "") + agent.code if agent.code else country
    return Actor(text=original, name=name, cameo_code=code, country=country, inter=inter)


def _community_actor(original: str, community: str, armed: bool, country: str | None) -> Actor:
    """An ethnic or religious community: "Fulani Ethnic Militia (Nigeria)", "Christian Group (Niger)"."""
    religious = community in _data("agents.json")["religious"]
    if armed:
        template, code, inter = ("{E} Militia ({c})" if religious else "{E} Ethnic Militia ({c})"), "UAF", 4
    else:
        template, code, inter = ("{E} Group ({c})" if religious else "{E} Ethnic Group ({c})"), "CVL", 7
    return Actor(text=original, name=_fill(template.replace("{E}", community), country),
                 cameo_code=(country or "") + code, country=country, inter=inter)
