"""Casualty phrases → number of dead, English and French, numbers in words included."""

from __future__ import annotations

import re
from functools import cache

_VAGUE = re.compile(
    r"\b(?:dozens?|scores?|hundreds|thousands|several|many|numerous|some|a\ few|few|"
    r"dizaines?|douzaines?|vingtaines?|trentaines?|centaines?|milliers|plusieurs|nombreux|nombreuses|quelques)\b",
    re.IGNORECASE | re.VERBOSE,
)
_NUM = re.compile(r"\d[\d\s.,\u202f\u00a0]*\d|\d")
_SINGLE = re.compile(r"(?:^|\b(?:and|et)\s+|,\s*)(?:(?:a|an|one|un|une)\s+|l[’'])(?=[^\W\d_])", re.IGNORECASE)


@cache
def _alpha2digit():
    from text_to_num import alpha2digit

    return alpha2digit


def _to_int(token: str) -> int | None:
    digits = re.sub(r"[\s.,\u202f\u00a0]", "", token)
    return int(digits) if digits.isdigit() else None


_AGE = re.compile(  # ages are not counts: "a 17-year-old", "un moine de 30 ans", "aged 45"
    r"\b\d+\s*-?\s*years?\s*-?\s*old\b|\baged\s+\d+\b|\b(?:(?:âgée?s?\s+)?de\s+)?\d+\s+ans\b",
    re.IGNORECASE)


def parse_fatalities(phrase: str, lang: str = "en") -> int | None:
    """The number of dead named by a casualty phrase, or None when it is vague or has no number.

    "a general and four soldiers" → 5; "treize combattants" → 13; "13 pro-regime fighters" → 13;
    "dozens of civilians" / "une dizaine de soldats" → None (vague counts are not guessed).
    """
    text = phrase.strip()
    if not text:
        return None
    # "une dizaine", "a dozen": the article is not a count
    text = re.sub(r"\b(?:une?|a|an)\s+(?=(?:dizaine|douzaine|vingtaine|trentaine|quarantaine|cinquantaine|centaine|dozen)s?\b)",
                  "", text, flags=re.IGNORECASE)
    text = _AGE.sub(" person ", text)
    converted = _AGE.sub(" person ", _alpha2digit()(text, "fr" if lang == "fr" else "en", threshold=0))
    numbers = [n for n in (_to_int(t) for t in _NUM.findall(converted)) if n is not None]
    singles = 0 if _VAGUE.search(text) else len(_SINGLE.findall(converted))
    if not numbers and _VAGUE.search(text):
        return None
    if not numbers and not singles:
        return None
    if re.search(r"\bat least\b|\bau moins\b|\bmore than\b|\bplus de\b|\bover\b", text, re.IGNORECASE):
        return sum(numbers) + singles if numbers else None
    return sum(numbers) + singles
