"""Modality of an event: asserted, negated, hypothetical or future.

The tagger's modality head decides when it is confident; otherwise local cues just before the
trigger decide (English and French): "did not attack", "n'ont pas attaqué" → negated; "could
strike", "pourrait frapper", "threatened to" → hypothetical; "will hold", "vont manifester",
"prévoient de" → future. Cues only look at the few words governing the trigger, so "l'attaque n'a
pas été revendiquée" stays an asserted attack.
"""

from __future__ import annotations

import re

_WINDOW = 40  # characters before the trigger that may govern it

_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("negated", re.compile(
        r"(?:\b(?:did|does|do|has|have|had|was|were|is|are)\s*n[o']t\b(?:\s+\w+){0,2}\s*$"
        r"|\b(?:never|no)\s+(?:\w+\s+){0,1}$"
        r"|\bn[e']\s*(?:\w+\s+){0,2}(?:pas|jamais|point)\s+(?:\w+\s+){0,2}$"
        r"|\b(?:denied|deny|denies|nié|démenti|dément|démentent|nient)\s+(?:(?:any|having|avoir|toute|tout)\s+)?(?:\w+\s+){0,3}$"
        r"|\baucune?\s+$|\bsans\s+$|\bwithout\s+$)",
        re.IGNORECASE)),
    ("hypothetical", re.compile(
        r"(?:\b(?:could|might|may|would|should)\s+(?:\w+\s+){0,2}$"
        r"|\b(?:pourrai(?:t|ent)|pourr(?:a|ont)|risque(?:nt)?\s+de|menac\w*\s+de|threaten\w*\s+to|fear\w*\s+(?:of\s+)?(?:an?\s+)?"
        r"|craint\w*\s+(?:une?\s+)?|possible\s+|potential\s+|éventuel\w*\s+|if\s+\w+\s+|si\s+\w+\s+)\s*(?:\w+\s+){0,2}$)",
        re.IGNORECASE)),
    ("future", re.compile(
        r"(?:\b(?:will|shall|'ll)\s+(?:\w+\s+){0,2}$|\b(?:plans?|planned|planning|intends?|expected|scheduled|set)\s+to\s+(?:\w+\s+){0,1}$"
        r"|\b(?:va|vont|devrai(?:t|ent)|prévoi\w*\s+de|compte(?:nt)?|entend(?:ent)?)\s+(?:\w+\s+){0,1}$"
        r"|\b(?:upcoming|prochaine?s?|planned)\s+$)",
        re.IGNORECASE)),
]


def modality_cue(sentence: str, start: int, end: int) -> str | None:
    """The modality implied by words just before the trigger ``sentence[start:end]``, or None."""
    before = sentence[max(0, start - _WINDOW) : start]
    for modality, rx in _CUES:
        if rx.search(before):
            return modality
    return None


def decide_modality(probs: dict[str, float], sentence: str, start: int, end: int, threshold: float = 0.6) -> str:
    """The model's modality when its top probability reaches ``threshold``, else the cue, else asserted."""
    if probs:
        best = max(probs, key=probs.__getitem__)
        if probs[best] >= threshold:
            return best
    return modality_cue(sentence, start, end) or "asserted"
