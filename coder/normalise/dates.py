"""Time expressions + publication date → ``event_date`` and ACLED ``time_precision``.

Weekdays and the French "nuit de samedi à dimanche" pattern are resolved here (a weekday means
the latest such day on or before the publication date); everything else goes to ``dateparser``
with the publication date as its relative base, preferring the past.
"""

from __future__ import annotations

import datetime as _dt
import re

_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}
_WD = "|".join(_WEEKDAYS)
_NIGHT_FR = re.compile(rf"nuit\s+(?:de|du)\s+(?:{_WD})\s+(?:à|au)\s+(?P<wd>{_WD})", re.IGNORECASE)
_NIGHT_EN = re.compile(rf"(?:{_WD})\s+(?:night\s+)?(?:into|to)\s+(?P<wd>{_WD})", re.IGNORECASE)
_WEEKDAY = re.compile(rf"\b(?P<wd>{_WD})\b", re.IGNORECASE)
_MONTH = re.compile(
    r"\b(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
    r"|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|janv|févr|juil|sept|déc|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\b\.?",
    re.IGNORECASE,
)
_DAY_NUMBER = re.compile(r"\b(?:[12]?\d|3[01])(?:st|nd|rd|th|er)?\b(?!\d)")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_WEEK = re.compile(r"\b(?:week|semaine|weekend|week-end)\b", re.IGNORECASE)
_MONTH_ONLY = re.compile(r"\b(?:month|mois|year|année|an)\b", re.IGNORECASE)
_SAME_DAY = re.compile(r"\b(?:today|this morning|this afternoon|tonight|aujourd[’']hui|ce matin|cet après-midi|ce soir)\b", re.IGNORECASE)
_YESTERDAY = re.compile(r"\b(?:yesterday|hier)\b", re.IGNORECASE)
_BEFORE_YESTERDAY = re.compile(r"\b(?:avant-hier|day before yesterday)\b", re.IGNORECASE)
_LAST_WEEK = re.compile(r"\b(?:last week|la semaine (?:dernière|derniere|passée|passee))\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\b(?:weekend|week-end)\b", re.IGNORECASE)
_LAST_MONTH = re.compile(r"\b(?:last month|le mois (?:dernier|passé|passe))\b", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"^(?:in|en|during|durant)?\s*((?:19|20)\d{2})$", re.IGNORECASE)
# time words that place an event against another one the article dates ("hours later", "le lendemain")
_RELATIVE = (
    (re.compile(r"\b(?:the (?:next|following) day|a day later|le lendemain)\b", re.IGNORECASE), 1),
    (re.compile(r"\b(?:two days later|deux jours plus tard)\b", re.IGNORECASE), 2),
    (re.compile(r"\b(?:the day before|a day earlier|la veille)\b", re.IGNORECASE), -1),
    (re.compile(r"\b(?:hours (?:later|earlier|after|before)|minutes (?:later|earlier|after|before)|later that day|"
                r"earlier that day|the same day|that same day|that day|le même jour|le jour même|ce jour-là|"
                r"(?:later |early |earlier )?(?:in|during) the (?:evening|afternoon|morning)|that (?:evening|afternoon|morning)|"
                r"dans la (?:soirée|matinée|journée)|en (?:fin|début) (?:de|d') ?(?:soirée|matinée|journée|après-midi)|"
                r"(?:quelques|plusieurs) (?:heures|minutes) (?:plus tard|plus tôt|auparavant|après|avant)|"
                r"peu (?:après|avant)|shortly (?:after|before)(?:wards)?)\b", re.IGNORECASE), 0),
)
_FILLER = re.compile(r"^(?:on|in|at|during|since|le|la|les|en|au|dans|depuis|lors\s+de)\s+", re.IGNORECASE)


def _latest_weekday(base: _dt.date, weekday: int) -> _dt.date:
    return base - _dt.timedelta(days=(base.weekday() - weekday) % 7)


def relative_offset(text: str) -> int | None:
    """Days from the event a text places this one against: "hours later" 0, "le lendemain" 1,
    "la veille" -1; None when the text has no such anchor."""
    for pattern, days in _RELATIVE:
        if pattern.search(text):
            return days
    return None


def resolve_date(time_text: str | None, pub_date: str | None, lang: str = "en",
                 anchor: tuple[str, int] | None = None) -> tuple[str | None, int | None]:
    """Resolve a time expression against the publication date.

    Returns ``(ISO date or None, precision)``: 1 exact day, 2 week, 3 month or vaguer. Without a
    time expression the publication date is returned with precision 2; without either, ``(None, None)``.
    ``anchor`` (date, precision) is the event a relative expression ("hours later", "la veille")
    counts from. Conventions of the annotation guide: "last week" is seven days before
    publication (precision 2), "the weekend" its Saturday (2), "last month" the 15th of the month
    before (3), a bare year its 1 July (3).
    """
    base = _dt.date.fromisoformat(pub_date) if pub_date else None
    if not time_text or not time_text.strip():
        return (pub_date, 2) if base else (None, None)
    text = time_text.strip()
    offset = relative_offset(text)
    explicit = _WEEKDAY.search(text) or _MONTH.search(text) or _YEAR.search(text) or _YESTERDAY.search(text)
    if offset is not None and anchor is not None and anchor[0] and not explicit:
        return (_dt.date.fromisoformat(anchor[0]) + _dt.timedelta(days=offset)).isoformat(), anchor[1]
    year = _YEAR_ONLY.match(text)
    if year:
        return f"{year.group(1)}-07-01", 3
    if base is not None and not _WEEKDAY.search(text) and not _MONTH.search(text):
        if _LAST_WEEK.search(text):
            return (base - _dt.timedelta(days=7)).isoformat(), 2
        if _LAST_MONTH.search(text):
            first = base.replace(day=1) - _dt.timedelta(days=1)
            return first.replace(day=15).isoformat(), 3
        if _WEEKEND.search(text):
            return (base - _dt.timedelta(days=(base.weekday() - 5 - 1) % 7 + 1)).isoformat(), 2
    if base is not None:
        if _BEFORE_YESTERDAY.search(text):
            return (base - _dt.timedelta(days=2)).isoformat(), 1
        if _YESTERDAY.search(text):
            return (base - _dt.timedelta(days=1)).isoformat(), 1
        if _SAME_DAY.search(text):
            return base.isoformat(), 1
        m = _NIGHT_FR.search(text) or _NIGHT_EN.search(text)
        if m is None and not _MONTH.search(text) and not _YEAR.search(text):
            m = _WEEKDAY.search(text)
        if m is not None:
            return _latest_weekday(base, _WEEKDAYS[m.group("wd").lower()]).isoformat(), 1
    if _MONTH_ONLY.search(text):
        precision = 3
    elif _WEEK.search(text):
        precision = 2
    elif _MONTH.search(text) or _YEAR.search(text):
        # a month or a year with no day number ("in March", "en 2019") is month precision
        no_year = _YEAR.sub("", text)
        precision = 1 if _MONTH.search(text) and _DAY_NUMBER.search(no_year) else 3
    else:
        precision = 1
    parsed = _dateparse(_FILLER.sub("", text), base, lang)
    if parsed is None:
        return (pub_date, max(precision, 2)) if base else (None, None)
    return parsed.isoformat(), precision


def _dateparse(text: str, base: _dt.date | None, lang: str) -> _dt.date | None:
    import dateparser

    from coder.clean import DATEPARSER_LOCK

    settings: dict = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = _dt.datetime.combine(base, _dt.time())
    langs = [lang] if lang in ("en", "fr") else ["en", "fr"]
    with DATEPARSER_LOCK:
        dt = dateparser.parse(text, languages=langs, settings=settings)
    if dt is None:
        return None
    if base is None and not re.search(r"\b(?:19|20)\d{2}\b", text):
        return None  # no anchor and no year: the date is unknown
    return dt.date()
