"""Regenerate the CAMEO / PLOVER / ACLED ontology tables shipped in ``coder/ontology/data``.

Usage::

    python scripts/build_ontology.py CAMEO_TABLES_DIR

``CAMEO_TABLES_DIR`` holds the public source tables (MIT / CC BY-SA 4.0 facts):

* ``CAMEO_codefile.txt``      CAMEO 0.7b5 event code list, with ICEWS (2014) label variants
* ``gdelt_goldstein.tsv``     GDELT's CAMEO -> Goldstein scale table (primary Goldstein source)
* ``phoenix_goldstein.json``  Phoenix / PETRARCH CAMEO -> Goldstein table (fallback)
* ``CAMEO2PLOVER-2021.txt``   Schrodt's CAMEO -> PLOVER conversion table (PLOVER draft 0.8)
* ``agentnames.txt``          ICEWS sector name -> CAMEO agent code table

It writes ``cameo.json``, ``cameo_acled.json`` and ``agents.json``. The generated tables
are committed into the package (the source directory is not available at run time);
this script is only needed to regenerate them. The hand-decided facts (the CAMEO ->
ACLED correspondence, ACLED inter codes for agents, spelling fixes, the one CAMEO
1.1b3 code missing from the 0.7b5 code file) live in the constants below.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "coder" / "ontology" / "data"
VERSION = 1

PLOVER_EVENTS: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
"""The 16 PLOVER event types."""

ROOTS: tuple[str, ...] = tuple(f"{i:02d}" for i in range(1, 21))

QUAD_NAMES = {1: "Verbal cooperation", 2: "Material cooperation", 3: "Verbal conflict", 4: "Material conflict"}


def quad_class_of_root(root: str) -> int:
    """GDELT QuadClass of a two-digit CAMEO root: 01-05 -> 1, 06-09 -> 2, 10-14 -> 3, 15-20 -> 4."""
    n = int(root)
    if not 1 <= n <= 20:
        raise ValueError(f"not a CAMEO root: {root!r}")
    return 1 if n <= 5 else 2 if n <= 9 else 3 if n <= 14 else 4


def parent_of(code: str) -> str | None:
    """The parent of a CAMEO code: 4 digits -> 3, 3 digits -> root, root -> None."""
    return None if len(code) == 2 else code[:3] if len(code) == 4 else code[:2]


# CAMEO 1.1b3 (2012) codes that the 0.7b5 code file lacks and that the coder emits.
SUPPLEMENT_CODES = {"1834": "Carry out location bombing"}

# Obvious misspellings in the code file's labels; the fixed name is stored.
SPELLING_FIXES = {"Apolgize": "Apologize", "adminstrative": "administrative", "Ostruct": "Obstruct"}

# --- CAMEO -> ACLED sub-event type -----------------------------------------------------------
# Sparse: a code without an entry takes the entry of its nearest ancestor, and every root has
# one, so every code resolves. ``None``: outside ACLED's scope (statements, appeals, meetings,
# cooperation, accusations, demands, threats, sanctions, force posture...).
CAMEO_TO_ACLED: dict[str, str | None] = {
    **{root: None for root in ROOTS},
    "14": "Peaceful protest",  # 140 dissent, 142 hunger strike, 143 strike/boycott, 144 blockade
    "18": "Attack",  # unconventional violence; ACLED's Attack assumes an unarmed (civilian) target
    "19": "Armed clash",
    "20": "Attack",
    "057": "Agreement",
    "0871": "Agreement",
    "0873": "Change to group/activity",
    "0874": "Non-violent transfer of territory",
    "141": "Peaceful protest",
    "145": "Violent demonstration",
    "154": "Change to group/activity",
    "171": "Looting/property destruction",
    "1711": "Looting/property destruction",
    "1712": "Looting/property destruction",
    "172": "Other",  # curfew, state of emergency, bans: ACLED's "Other" strategic developments
    "173": "Arrests",
    "175": "Excessive force against protesters",
    "180": "Attack",
    "181": "Abduction/forced disappearance",
    "182": "Attack",
    "1821": "Sexual violence",
    "1822": "Attack",
    "1823": "Attack",
    "183": "Remote explosive/landmine/IED",
    "1831": "Suicide bomb",
    "1832": "Remote explosive/landmine/IED",
    "1833": "Remote explosive/landmine/IED",
    "1834": "Remote explosive/landmine/IED",
    "184": "Attack",
    "185": "Attack",
    "186": "Attack",
    "190": "Armed clash",
    "191": "Other",  # blockade / siege
    "192": "Non-state actor overtakes territory",
    "193": "Armed clash",
    "194": "Shelling/artillery/missile attack",
    "195": "Air/drone strike",
    "1951": "Air/drone strike",
    "1952": "Air/drone strike",
    "196": "Armed clash",
    "200": "Attack",
    "201": None,  # mass expulsion: displacement is not an ACLED sub-event type by itself
    "202": "Attack",
    "203": "Attack",
    "204": "Chemical weapon",
    "2041": "Chemical weapon",
    "2042": None,  # nuclear detonation: no ACLED sub-event type
}

# Other ACLED sub-event types a CAMEO code can correspond to; actors or context decide.
CAMEO_ACLED_ALTERNATIVES: dict[str, list[str]] = {
    "010": ["Other"],  # ACLED's catch-all has no CAMEO counterpart; the tagger's class defaults to 010
    "141": ["Protest with intervention"],
    "145": ["Mob violence"],
    "175": ["Protest with intervention"],
    "1711": ["Disrupted weapons use"],  # weapons cache seized, bomb defused
    "183": ["Grenade", "Suicide bomb"],
    "192": ["Government regains territory", "Headquarters or base established", "Non-violent transfer of territory"],
}

# --- CAMEO agents ------------------------------------------------------------------------------
# Names for CAMEO agent codes that agentnames.txt lacks (from the CAMEO 1.1b3 manual).
AGENT_SUPPLEMENT = {
    "AGR": "Agriculture",
    "DEV": "Development",
    "ENV": "Environmental",
    "HLH": "Health",
    "HRI": "Human rights",
    "MOD": "Moderate",
    "NGM": "Non-governmental movement",
    "NGO": "Non-governmental organization",
    "UIS": "Unidentified state actor",
}

# Preferred agentnames.txt row where the generic rule would pick a misleading one.
AGENT_NAME_OVERRIDES = {"IGO": "International Government Organization"}

# ACLED inter code (acled.json "inter_codes") suggested for an agent code, where natural.
AGENT_ACLED_INTER = {
    "GOV": 1, "MIL": 1, "COP": 1, "SPY": 1, "GOVMIL": 1, "MILSPY": 1,  # State forces
    "REB": 2, "INS": 2, "SEP": 2,  # Rebel groups
    "UAF": 3,  # ACLED codes unidentified armed groups as political militias
    "CVL": 7, "REF": 7,  # Civilians (refugees / IDPs included)
    "IGO": 8, "IGOMIL": 8,  # External/Other forces (e.g. UN or regional missions)
}

AGENT_CODE = re.compile(r"[A-Z]{3}(?:[A-Z]{3})*")


# --- parsers -------------------------------------------------------------------------------------


def _fix_spelling(name: str) -> str:
    for wrong, right in SPELLING_FIXES.items():
        name = re.sub(rf"\b{wrong}\b", right, name)
    return name


def _sentence_case(text: str) -> str:
    text = text.strip().lower()
    return text[:1].upper() + text[1:]


def parse_codefile(text: str) -> dict:
    """Parse ``CAMEO_codefile.txt``.

    Returns ``{"names": {code: name}, "icews": {code: name}, "roots": {root: name},
    "malformed": [line, ...]}``. ``LABEL`` lines give the CAMEO name (the last one wins:
    later lines correct earlier ones); ``LABELi`` lines and ``LABEL`` lines whose code
    carries an ``i`` suffix give the ICEWS variant; ``//NN: NAME`` comments name the roots.
    """
    names: dict[str, str] = {}
    icews: dict[str, str] = {}
    roots: dict[str, str] = {}
    malformed: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if m := re.fullmatch(r"//\s*(\d{2})\s*[:=]\s*(.+)", line):
            roots[m.group(1)] = _sentence_case(m.group(2))
            continue
        m = re.fullmatch(r"LABEL([iI]?):\s*(\S+?)\s*=\s*(.*)", line)
        if not m:
            continue
        variant, token, name = m.group(1), m.group(2), m.group(3).strip()
        if re.fullmatch(r"\d{2,4}", token):
            (icews if variant else names)[token] = name
        elif s := re.fullmatch(r"(\d{2,4})i", token):
            icews[s.group(1)] = name
        else:
            malformed.append(line)
    return {"names": names, "icews": icews, "roots": roots, "malformed": malformed}


def parse_goldstein_tsv(text: str) -> dict[str, float]:
    """Parse a ``code<TAB>value`` Goldstein table (GDELT's ``CAMEO.goldsteinscale.txt`` layout)."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            out[parts[0]] = float(parts[1])
    return out


def parse_plover(text: str) -> dict:
    """Parse ``CAMEO2PLOVER``: ``{"rows": {code: (event, mode, context)}, "headers": {root: [event]},
    "conflicts": {code: [row, row]}}``.

    ``NN: EVENT`` lines (no commas) are section headers; ``code: EVENT, mode, context # gloss``
    lines are rows. Empty fields become ``None``; the raw event string is kept (upper-cased)
    so that values outside the 16 PLOVER types can be reported. The first of two differing
    rows for one code wins and the pair is reported.
    """
    rows: dict[str, tuple[str, str | None, str | None]] = {}
    headers: dict[str, list[str]] = {}
    conflicts: dict[str, list[list[str | None]]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        m = re.fullmatch(r"(\d{2,4}):\s*(.*)", line)
        if not m:
            continue
        code, body = m.group(1), m.group(2).strip()
        if len(code) == 2 and "," not in body:
            headers.setdefault(code, []).append(body.upper())
            continue
        fields = [f.strip() or None for f in body.split(",", 2)]
        fields += [None] * (3 - len(fields))
        row = ((fields[0] or "").upper(), fields[1], fields[2])
        if code in rows and rows[code] != row:
            conflicts.setdefault(code, [list(rows[code])]).append(list(row))
            continue
        rows.setdefault(code, row)
    return {"rows": rows, "headers": headers, "conflicts": conflicts}


def parse_agentnames(text: str) -> list[tuple[str, str, str]]:
    """Parse ``agentnames.txt`` into ``(sector name, CAMEO code, ICEWS code)`` rows."""
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) == 3 and parts[0]:
            out.append((parts[0], parts[1], parts[2]))
    return out


# --- resolution ----------------------------------------------------------------------------------


def resolve_plover(codes: list[str], plover: dict) -> tuple[dict[str, dict], dict]:
    """PLOVER event / mode / context and their source for every code.

    A code's own row wins; a row whose event is outside the 16 types (DISCARD, n/a...)
    gives ``None``. A code without a row copies the nearest ancestor's row (source
    ``parent:CODE``). A root takes its section header's event (mode and context ``None``);
    where a root has several differing headers, the event of its ``NN0`` row decides.
    """
    rows, headers = plover["rows"], plover["headers"]
    outside: dict[str, str] = {}
    multi_header: dict[str, list[str]] = {}

    def own(code: str) -> dict | None:
        if len(code) == 2:
            events = list(dict.fromkeys(headers.get(code, [])))
            if not events:
                return None
            event = events[0]
            if len(events) > 1:
                multi_header[code] = events
                x0 = rows.get(code + "0")
                event = x0[0] if x0 else event
            if event not in PLOVER_EVENTS:
                outside[code] = event
                event = None
            return {"plover_event": event, "plover_mode": None, "plover_context": None, "plover_source": "header"}
        if code not in rows:
            return None
        event, mode, context = rows[code]
        if event not in PLOVER_EVENTS:
            outside[code] = event
            return {"plover_event": None, "plover_mode": None, "plover_context": None, "plover_source": "table"}
        return {"plover_event": event, "plover_mode": mode, "plover_context": context, "plover_source": "table"}

    out: dict[str, dict] = {}
    for code in codes:
        found = own(code)
        anc = code
        while found is None and (anc := parent_of(anc)) is not None:
            found = own(anc)
            if found is not None:
                found = {**found, "plover_source": f"parent:{anc}"}
        out[code] = found or {"plover_event": None, "plover_mode": None, "plover_context": None, "plover_source": None}
    return out, {"outside_event_types": outside, "multi_header_roots": multi_header}


def resolve_goldstein(codes: list[str], gdelt: dict[str, float], phoenix: dict[str, float]) -> tuple[dict, dict]:
    """Goldstein value and source per code: GDELT, else Phoenix, else the nearest ancestor's value."""
    out: dict[str, tuple[float, str]] = {}
    for code in sorted(codes, key=len):  # ancestors first
        if code in gdelt:
            out[code] = (gdelt[code], "gdelt")
        elif code in phoenix:
            out[code] = (phoenix[code], "phoenix")
        else:
            anc = parent_of(code)
            while anc is not None and anc not in out:
                anc = parent_of(anc)
            if anc is None:
                raise ValueError(f"no Goldstein value for CAMEO {code} nor any ancestor")
            out[code] = (out[anc][0], f"parent:{anc}")
    known = set(codes)
    report = {
        "disagreements": {
            c: {"gdelt": gdelt[c], "phoenix": phoenix[c]}
            for c in sorted(known & gdelt.keys() & phoenix.keys())
            if gdelt[c] != phoenix[c]
        },
        "filled_from_phoenix": sorted(c for c, (_, s) in out.items() if s == "phoenix"),
        "inherited_from_parent": {
            c: s.split(":", 1)[1] for c, (_, s) in sorted(out.items()) if s.startswith("parent:")
        },
        "ignored_not_cameo": {
            "gdelt_goldstein.tsv": sorted(gdelt.keys() - known),
            "phoenix_goldstein.json": sorted(phoenix.keys() - known),
        },
    }
    return out, report


def build_cameo(src: Path) -> dict:
    """Build the ``cameo.json`` table from the source directory."""
    cf = parse_codefile((src / "CAMEO_codefile.txt").read_text("utf-8"))
    gdelt = parse_goldstein_tsv((src / "gdelt_goldstein.tsv").read_text("utf-8"))
    phoenix = {str(k): float(v) for k, v in json.loads((src / "phoenix_goldstein.json").read_text("utf-8")).items()}
    plover = parse_plover((src / "CAMEO2PLOVER-2021.txt").read_text("utf-8"))

    missing_roots = [r for r in ROOTS if r not in cf["roots"]]
    if missing_roots:
        raise ValueError(f"code file lacks root headers {missing_roots}")
    names: dict[str, tuple[str, str]] = {r: (cf["roots"][r], "codefile_header") for r in ROOTS}
    names.update({c: (n, "codefile") for c, n in cf["names"].items()})
    for code, name in cf["icews"].items():  # a code known only from an ICEWS label
        names.setdefault(code, (name, "codefile_icews"))
    for code, name in SUPPLEMENT_CODES.items():
        if code in names:
            raise ValueError(f"supplement code {code} is already in the code file")
        names[code] = (name, "cameo_1.1b3")
    codes = sorted(names)
    for code in codes:
        parent = parent_of(code)
        if code[:2] not in ROOTS or (parent is not None and parent not in names):
            raise ValueError(f"CAMEO code {code} has no parent in the table")

    fixed = {}
    for code in codes:
        name, how = names[code]
        if (new := _fix_spelling(name)) != name:
            fixed[code] = {"source": name, "stored": new}
            names[code] = (new, how)

    gold, gold_report = resolve_goldstein(codes, gdelt, phoenix)
    plov, plov_report = resolve_plover(codes, plover)

    table = {}
    for code in codes:
        name, how = names[code]
        icews = cf["icews"].get(code)
        if icews is not None:
            icews = _fix_spelling(icews)
            if icews.lower() == name.lower():
                icews = None
        root = code[:2]
        table[code] = {
            "name": name,
            "name_source": how,
            "name_icews": icews,
            "parent": parent_of(code),
            "root": root,
            "quad_class": quad_class_of_root(root),
            "goldstein": gold[code][0],
            "goldstein_source": gold[code][1],
            **plov[code],
        }

    doc = {
        "summary": (
            "Every CAMEO event code (roots 01-20, 3- and 4-digit codes) with name, root, GDELT quad class, "
            "Goldstein score and PLOVER event type / mode / context. Generated by scripts/build_ontology.py "
            "from public tables; do not edit by hand."
        ),
        "sources": {
            "CAMEO_codefile.txt": "CAMEO 0.7b5 code list with ICEWS (2014) label variants (Schrodt, MIT)",
            "gdelt_goldstein.tsv": "GDELT CAMEO -> Goldstein scale table",
            "phoenix_goldstein.json": "Phoenix / PETRARCH CAMEO -> Goldstein table",
            "CAMEO2PLOVER-2021.txt": "CAMEO -> PLOVER conversion, PLOVER draft 0.8, 17-Sep-2021 "
            "(Schrodt, CC BY-SA 4.0)",
        },
        "fields": {
            "name": "CAMEO label (last LABEL line of the code file; roots: the section header, sentence case)",
            "name_source": "codefile | codefile_header | codefile_icews | cameo_1.1b3 (CAMEO 1.1b3 manual, "
            "absent from the 0.7b5 code file)",
            "name_icews": "the ICEWS variant label where it differs from name, else null",
            "parent": "the code one level up (4 -> 3 digits -> root), null for roots",
            "quad_class": "GDELT QuadClass from the root (see quad_class below)",
            "goldstein": "Goldstein conflict-cooperation score in [-10, 10]",
            "goldstein_source": "gdelt | phoenix | parent:CODE (value copied from the nearest ancestor)",
            "plover_event": "one of the 16 PLOVER event types, or null",
            "plover_mode / plover_context": "as CAMEO2PLOVER gives them (raw strings, ';' separates several "
            "contexts), null where empty",
            "plover_source": "table (own row) | header (root: section header) | parent:CODE (copied from the "
            "nearest ancestor with a mapping) | null (no mapping anywhere up the tree)",
        },
        "quad_class": {
            "rule": "GDELT convention: roots 01-05 -> 1 Verbal cooperation, 06-09 -> 2 Material cooperation, "
            "10-14 -> 3 Verbal conflict, 15-20 -> 4 Material conflict.",
            "names": {str(k): v for k, v in QUAD_NAMES.items()},
            "caveat": "ICEWS/Phoenix-derived tools use other boundaries (01-02 neutral = 0, 09 Investigate as "
            "verbal conflict, 14 Protest as material conflict); compare quad counts only within one convention.",
        },
        "goldstein": {
            "primary": "gdelt_goldstein.tsv",
            "fallback": "phoenix_goldstein.json",
            "then": "nearest ancestor's value",
            "why": "GDELT's table is the one GDELT / ICEWS users compare against; Phoenix only fills codes "
            "GDELT lacks.",
            **gold_report,
        },
        "plover": {
            "event_types": list(PLOVER_EVENTS),
            "rule": "own row; else the nearest ancestor's row (mode and context included); roots: section header",
            "outside_event_types": plov_report["outside_event_types"] or "none in this table version; such codes "
            "(DISCARD, n/a, ...) would be stored with plover_event null",
            "multi_header_roots": plov_report["multi_header_roots"],
            "row_conflicts": plover["conflicts"],
            "inherited_from_parent": {c: r["plover_source"].split(":", 1)[1] for c, r in table.items()
                                      if str(r["plover_source"]).startswith("parent:")},
            "no_mapping": [c for c, r in table.items() if r["plover_event"] is None],
            "roots_without_mapping": [r for r in ROOTS if r not in plover["headers"]],
            "no_mapping_why": "CAMEO2PLOVER has no header and no rows for these roots (01 Make public statement "
            "and 02 Appeal in the 2021 table), so nothing up the tree maps their codes.",
            "event_outside_root_section": {c: r["plover_event"] for c, r in table.items()
                                           if r["plover_event"] and plover["headers"].get(r["root"])
                                           and r["plover_event"] not in plover["headers"][r["root"]]},
        },
        "names": {
            "spelling_fixed": fixed,
            "malformed_entries_ignored": cf["malformed"],
            "supplement": SUPPLEMENT_CODES,
        },
    }
    return {"_doc": doc, "version": VERSION, "codes": table}


def build_cameo_acled(cameo: dict) -> dict:
    """Build ``cameo_acled.json`` from the curated correspondence and ``event_classes.json``."""
    codes = cameo["codes"]
    subs = json.loads((DATA_DIR / "acled.json").read_text("utf-8"))["sub_event_types"]
    classes = json.loads((DATA_DIR / "event_classes.json").read_text("utf-8"))["classes"]
    for code, sub in list(CAMEO_TO_ACLED.items()) + [
        (c, s) for c, alts in CAMEO_ACLED_ALTERNATIVES.items() for s in alts
    ]:
        if code not in codes:
            raise ValueError(f"CAMEO {code} in the ACLED correspondence is not in cameo.json")
        if sub is not None and sub not in subs:
            raise ValueError(f"{sub!r} is not an ACLED sub-event type")
    reverse: dict[str, str] = {}
    for key, row in classes.items():
        sub, code = row["sub_event_type"], row["cameo"]
        if code not in codes:
            raise ValueError(f"event class {key}: CAMEO {code} is not in cameo.json")
        if sub is not None:
            reverse.setdefault(sub, code)
    missing = [s for s in subs if s not in reverse]
    if missing:
        raise ValueError(f"no event class gives a CAMEO code for {missing}")
    reachable = {s for s in CAMEO_TO_ACLED.values() if s} | {s for a in CAMEO_ACLED_ALTERNATIVES.values() for s in a}
    if set(subs) - reachable:
        raise ValueError(f"no CAMEO code reaches {sorted(set(subs) - reachable)}")
    return {
        "_doc": (
            "CAMEO event code <-> ACLED sub-event type. 'cameo_to_acled' is sparse: a code without an entry "
            "takes its nearest ancestor's (every root 01-20 has one), null = outside ACLED's scope (statements, "
            "appeals, meetings, cooperation, investigations, demands, accusations, rejections, threats, force "
            "posture, reduced relations). ACLED decides some types by actors, which CAMEO codes do not carry: "
            "root 18 / 20 violence is 'Attack' only against civilians (against armed actors ACLED codes a "
            "battle); 'cameo_alternatives' lists other sub-event types a code can correspond to when actors or "
            "context say so. 'acled_to_cameo' gives each of ACLED's 25 sub-event types its default CAMEO code, "
            "the code of the first tagger event class (event_classes.json) with that type. Generated by "
            "scripts/build_ontology.py; do not edit by hand."
        ),
        "version": VERSION,
        "cameo_to_acled": dict(sorted(CAMEO_TO_ACLED.items())),
        "cameo_alternatives": dict(sorted(CAMEO_ACLED_ALTERNATIVES.items())),
        "acled_to_cameo": {s: reverse[s] for s in subs},
    }


def build_agents(src: Path) -> dict:
    """Build ``agents.json``: CAMEO agent codes with names from ``agentnames.txt``."""
    rows = parse_agentnames((src / "agentnames.txt").read_text("utf-8"))
    sectors: dict[str, list[str]] = {}
    for name, cameo, icews in rows:
        for code in dict.fromkeys(c for c in (cameo, icews) if AGENT_CODE.fullmatch(c)):
            sectors.setdefault(code, []).append(name)

    def pick_name(code: str) -> str:
        if code in AGENT_NAME_OVERRIDES:
            if AGENT_NAME_OVERRIDES[code] not in sectors[code]:
                raise ValueError(f"override name for {code} is not an agentnames.txt row for it")
            return AGENT_NAME_OVERRIDES[code]
        tiers = (
            [n for n, c, i in rows if c == code and i == code],
            [n for n, _, i in rows if i == code],
            [n for n, c, _ in rows if c == code],
        )
        for tier in tiers:
            if code.startswith("IGO"):  # agentnames.txt files NGO sectors under IGO codes
                tier = [n for n in tier if "NGO" not in n and "Nongovernmental" not in n] or tier
            if tier:
                return tier[0]
        raise AssertionError(code)

    agents: dict[str, dict] = {}
    for code in sorted(sectors.keys() | AGENT_SUPPLEMENT.keys()):
        if code in sectors:
            name, how, secs = pick_name(code), "agentnames", sectors[code]
        else:
            name, how, secs = AGENT_SUPPLEMENT[code], "cameo_manual", []
        agents[code] = {"name": name, "name_source": how, "acled_inter": AGENT_ACLED_INTER.get(code), "sectors": secs}
    unknown = set(AGENT_ACLED_INTER) - agents.keys()
    if unknown:
        raise ValueError(f"ACLED inter codes given for unknown agents {sorted(unknown)}")
    return {
        "_doc": (
            "CAMEO agent (sector / role) codes. 'name': the agentnames.txt (ICEWS sector -> CAMEO) row that names "
            "the code itself, or the CAMEO 1.1b3 manual's gloss for codes the file lacks (name_source). "
            "'sectors': every agentnames.txt sector filed under the code (its CAMEO column, or its ICEWS column "
            "when that is a bare code such as INS, SEP, RAD, ELI). The file is noisy: it files NGO sectors under "
            "IGO codes (CAMEO's own NGO code is listed from the manual) and some sectors under a neighbour's "
            "code. 'acled_inter': the ACLED inter code (acled.json inter_codes) an actor with this code "
            "naturally gets (GOV/MIL/COP/SPY 1 state forces, REB/INS/SEP 2 rebels, UAF 3 political militia, "
            "CVL/REF 7 civilians, IGO 8 external/other forces), null where it depends on the event (OPP: "
            "protesters 6 or rioters 5; ethnic and religious groups: identity militia 4 only when armed; ...). "
            "Generated by scripts/build_ontology.py; do not edit by hand."
        ),
        "version": VERSION,
        "agents": agents,
    }


def _dump(obj: dict, path: Path) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build and write the three tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("tables_dir", type=Path, help="directory with the CAMEO source tables")
    ap.add_argument("--out", type=Path, default=DATA_DIR, help="output directory (default: package data)")
    args = ap.parse_args(argv)
    cameo = build_cameo(args.tables_dir)
    _dump(cameo, args.out / "cameo.json")
    _dump(build_cameo_acled(cameo), args.out / "cameo_acled.json")
    agents = build_agents(args.tables_dir)
    _dump(agents, args.out / "agents.json")
    doc = cameo["_doc"]
    print(
        f"{len(cameo['codes'])} CAMEO codes, {len(doc['goldstein']['disagreements'])} Goldstein disagreements, "
        f"{len(doc['plover']['no_mapping'])} without PLOVER, {len(agents['agents'])} agent codes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
