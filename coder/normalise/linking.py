"""Argument linking: which trigger of a sentence each tagged argument belongs to.

An argument belongs to the trigger of its own clause. Measured as a cost: the distance in
characters, plus a penalty for every clause boundary crossed on the way ("while", "and",
"before", "tandis que", "après", ";"), with a discount for arguments that follow their trigger
(objects, places, times and death counts come after the verb: "bombed the town on Sunday,
killing seven") and, for death counts, a penalty on triggers that cannot kill (statements,
arrests, agreements...): "an attack that India blamed on militants, killing 26" counts the 26
for the attack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coder.ontology.classes import EVENT_CLASSES
from coder.tagger.base import TaggedSpan

_BOUNDARY = re.compile(
    r";|\b(?:and|while|whereas|before|after|but|then|as|when|who|which|that|"
    r"et|tandis|alors|avant|après|mais|puis|lorsque|quand|qui|que|qu|dont|où)\b",
    re.IGNORECASE,
)
BOUNDARY_COST = 80
"""Characters one crossed clause boundary is worth."""
FOLLOW_DISCOUNT = 0.3
"""Distance factor for an argument after its trigger (not for initiators, which come first)."""
LEAD_DISCOUNT = 0.5
"""Distance factor for an initiator before its trigger (the subject comes first: "said the
army would withdraw" gives the army to "withdraw")."""
NON_LETHAL_COST = 200
"""Extra cost of linking a death count to a trigger whose class cannot kill."""
_LETHAL_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}
LETHAL_CLASSES = frozenset(
    k for k, c in EVENT_CLASSES.items()
    if c.event_type in _LETHAL_TYPES or k in ("protest_with_intervention", "excessive_force")
)


@dataclass
class LinkedEvent:
    """A trigger and the arguments linked to it, by label."""

    trigger: TaggedSpan
    args: dict[str, list[TaggedSpan]] = field(default_factory=dict)


def gap(a: TaggedSpan, b: TaggedSpan) -> int:
    """Characters between two spans (0 when they overlap)."""
    if b.end <= a.start:
        return a.start - b.end
    if b.start >= a.end:
        return b.start - a.end
    return 0


def link_cost(trigger: TaggedSpan, arg: TaggedSpan, sentence: str | None = None) -> float:
    """How unlikely ``arg`` belongs to ``trigger`` (lower is likelier)."""
    cost = float(gap(trigger, arg))
    if sentence is not None:
        lo, hi = (trigger.end, arg.start) if arg.start >= trigger.end else (arg.end, trigger.start)
        cost += BOUNDARY_COST * len(_BOUNDARY.findall(sentence[lo:hi])) if hi > lo else 0
    if arg.label == "ACTOR1":
        if arg.end <= trigger.start:
            cost *= LEAD_DISCOUNT
    elif arg.start >= trigger.end:
        cost *= FOLLOW_DISCOUNT
    if arg.label == "FATALITIES" and trigger.event_class not in LETHAL_CLASSES:
        cost += NON_LETHAL_COST
    return cost


def link_arguments(spans: list[TaggedSpan], sentence: str | None = None) -> list[LinkedEvent]:
    """Group the spans of one sentence into events: each argument goes to its cheapest trigger
    (:func:`link_cost`); without the sentence text, to its nearest one."""
    events = [LinkedEvent(t) for t in sorted((s for s in spans if s.label == "TRIGGER"), key=lambda s: s.start)]
    if not events:
        return []
    for s in spans:
        if s.label == "TRIGGER":
            continue
        if sentence is None:
            best = min(events, key=lambda e: gap(e.trigger, s))
        else:
            best = min(events, key=lambda e: link_cost(e.trigger, s, sentence))
        best.args.setdefault(s.label, []).append(s)
    return events
