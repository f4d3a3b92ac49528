"""Actor spans → normalised name, CAMEO actor code, ISO3 country and ACLED inter code.

Named groups come from our lexicon (``data/groups.json``, EN/FR forms and acronyms); otherwise the
agent is read from keywords (``data/agents.json``: "soldiers", "l'armée" → MIL) and the country
from a country name or demonym in the span ("Syrian troops", "l'armée syrienne" → SYR), falling
back to the article's main country for domestic agents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from coder.normalise.countries import country_name, find_countries
from coder.schema import Actor

_AGENT_NAMES = {
    "MIL": "Military Forces of {c}", "COP": "Police Forces of {c}", "GOV": "Government of {c}",
    "REB": "Rebel Group ({c})", "UAF": "Unidentified Armed Group ({c})", "CVL": "Civilians ({c})",
    "OPP": "Protesters ({c})", "JUD": "Judiciary of {c}", "MED": "Journalists ({c})", "REF": "Refugees/IDPs ({c})",
    "HLH": "Health Workers ({c})", "NGO": "Aid Workers ({c})",
}
_DETERMINERS = re.compile(r"^(?:the|a|an|some|les|le|la|l[’']|des|de|du|d[’']|un|une|ces|ses|leurs?)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _Group:
    name: str
    code: str
    inter: int | None
    country: str | None


def _data(name: str) -> dict:
    return json.loads(resources.files("coder.normalise").joinpath("data").joinpath(name).read_text("utf-8"))


@cache
def _group_index() -> tuple[re.Pattern[str], dict[str, _Group]]:
    forms: dict[str, _Group] = {}
    for g in _data("groups.json")["groups"]:
        grp = _Group(g["name"], g["code"], g.get("inter"), g.get("country"))
        for f in g["forms"]:
            forms[f] = grp
    alts = sorted(forms, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in alts) + r")(?![\w-])")
    return pattern, forms


@cache
def _agent_index() -> tuple[re.Pattern[str], dict[str, tuple[str, int | None]]]:
    words: dict[str, tuple[str, int | None]] = {}
    for code, row in _data("agents.json")["agents"].items():
        for w in row["words"]:
            words.setdefault(w.lower(), (code, row["inter"]))
    alts = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in alts) + r")(?![\w-])", re.IGNORECASE)
    return pattern, words


def find_group(text: str) -> _Group | None:
    """The first named group of the lexicon mentioned in ``text``."""
    pattern, forms = _group_index()
    m = pattern.search(text)
    return forms[m.group(1)] if m else None


def find_agent(text: str) -> tuple[str, int | None] | None:
    """The CAMEO agent code and inter code of the longest agent keyword in ``text``."""
    pattern, words = _agent_index()
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    best = max(matches, key=lambda m: len(m.group(1)))
    return words[best.group(1).lower()]


def clean_span(text: str) -> str:
    """The span without leading determiners and surrounding punctuation."""
    out = text.strip(" \t\n,;:.«»\"“”'’()")
    return _DETERMINERS.sub("", out).strip() or out


def normalise_actor(text: str, lang: str = "en", context_country: str | None = None) -> Actor:
    """Normalise one actor span; ``context_country`` is the article's main country (ISO3)."""
    group = find_group(text)
    countries = [c for _, _, c in find_countries(text)]
    if group is not None:
        country = group.country or (countries[0] if countries else context_country)
        return Actor(text=text, name=group.name, cameo_code=group.code, country=country, inter=group.inter)
    agent = find_agent(text)
    country = countries[0] if countries else None
    if agent is None:
        return Actor(text=text, name=clean_span(text), cameo_code=country, country=country, inter=None)
    code, inter = agent
    if country is None and code in ("MIL", "COP", "GOV", "CVL", "OPP", "UAF", "REB", "JUD", "MED", "REF", "HLH"):
        country = context_country
    cname = country_name(country) if country else None
    name = _AGENT_NAMES.get(code, "{c}").format(c=cname) if cname else clean_span(text)
    return Actor(
        text=text, name=name, cameo_code=(country or "") + code if country else code, country=country, inter=inter
    )
