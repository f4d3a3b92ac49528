"""Country mentions in English and French: names (pycountry, with its French translations) and
demonyms (our table) → ISO-3166 alpha-3."""

from __future__ import annotations

import gettext
import json
import re
from functools import cache
from importlib import resources

_EXTRA_NAMES = {
    "SYR": ["Syria", "Syrie"], "IRN": ["Iran"], "RUS": ["Russia", "Russie"], "COD": ["DRC", "RDC", "DR Congo", "RD Congo",
    "Democratic Republic of Congo", "République démocratique du Congo", "Congo-Kinshasa"], "COG": ["Congo-Brazzaville"],
    "CIV": ["Ivory Coast", "Côte d'Ivoire", "Côte d’Ivoire"], "USA": ["United States", "US", "U.S.", "USA", "Etats-Unis", "États-Unis", "America"],
    "GBR": ["Britain", "UK", "United Kingdom", "Royaume-Uni", "Grande-Bretagne"], "PSE": ["Palestine", "Gaza", "West Bank", "Cisjordanie", "bande de Gaza", "Gaza Strip"],
    "MMR": ["Myanmar", "Burma", "Birmanie"], "TUR": ["Turkey", "Türkiye", "Turquie"], "KOR": ["South Korea", "Corée du Sud"],
    "PRK": ["North Korea", "Corée du Nord"], "VEN": ["Venezuela"], "BOL": ["Bolivia", "Bolivie"], "TZA": ["Tanzania", "Tanzanie"],
    "CAF": ["Central African Republic", "Centrafrique", "République centrafricaine", "CAR"], "SSD": ["South Sudan", "Soudan du Sud"],
    "LAO": ["Laos"], "VNM": ["Vietnam"], "MDA": ["Moldova", "Moldavie"], "CZE": ["Czech Republic"], "NLD": ["Netherlands", "Pays-Bas"],
    "ARE": ["UAE", "United Arab Emirates", "Emirats arabes unis", "Émirats arabes unis"], "SAU": ["Saudi Arabia", "Arabie saoudite"],
    "NER": ["Niger"], "NGA": ["Nigeria"], "GIN": ["Guinea", "Guinée", "Guinée-Conakry"], "GNB": ["Guinea-Bissau", "Guinée-Bissau"],
}


def _french_forms(base: str) -> list[str]:
    if base.endswith(("ien", "éen")):
        return [base, base + "ne", base + "s", base + "nes"]
    if base.endswith(("ais", "ois")):
        return [base, base + "e", base + "es"]
    if base.endswith("e") or base.endswith("è") or base.endswith("é"):
        return [base, base + "s"]
    return [base, base + "e", base + "s", base + "es"]


def _english_forms(base: str) -> list[str]:
    if base.endswith(("ese", "ish", "ch", "US", "U.S.", "Swiss", "Thai")):
        return [base]
    return [base, base + "s"]


@cache
def _forms() -> dict[str, str]:
    import pycountry

    try:
        fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:  # pragma: no cover - pycountry always ships French
        fr = None
    out: dict[str, str] = {}
    for c in pycountry.countries:
        names = {c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name)}
        if fr is not None:
            names.add(fr.gettext(c.name))
        for n in names:
            if n and "," not in n:
                out[n] = c.alpha_3
    for iso3, names in _EXTRA_NAMES.items():
        for n in names:
            out[n] = iso3
    data = json.loads(resources.files("coder.normalise").joinpath("data").joinpath("demonyms.json").read_text("utf-8"))
    for iso3, bases in data["en"].items():
        for b in bases:
            for f in _english_forms(b):
                out.setdefault(f, iso3)
    for iso3, bases in data["fr"].items():
        for b in bases:
            for f in _french_forms(b):
                out.setdefault(f, iso3)
                out.setdefault(f[0].upper() + f[1:], iso3)
    return out


@cache
def _regex() -> re.Pattern[str]:
    forms = sorted(_forms(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w-])")


def find_countries(text: str) -> list[tuple[int, int, str]]:
    """All country names and demonyms in ``text``: ``(start, end, ISO3)``, left to right.

    Matching is case-sensitive except for a leading capital (so "US" the country is not "us").
    """
    forms = _forms()
    out = []
    for m in _regex().finditer(text):
        out.append((m.start(), m.end(), forms[m.group(1)]))
    return out


def country_of(text: str) -> str | None:
    """The first country named (or implied by a demonym) in ``text``, or None."""
    found = find_countries(text)
    return found[0][2] if found else None


@cache
def country_name(iso3: str) -> str | None:
    """English short name of a country from its alpha-3 code."""
    import pycountry

    c = pycountry.countries.get(alpha_3=iso3)
    return getattr(c, "common_name", None) or (c.name if c else None)
