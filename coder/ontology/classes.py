"""The tagger's event classes and the ACLED facts each one fixes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


def load_data(name: str) -> dict:
    """Load one JSON table from ``coder/ontology/data``."""
    return json.loads(resources.files("coder.ontology").joinpath("data").joinpath(name).read_text("utf-8"))


@dataclass(frozen=True)
class EventClass:
    """One tagger event class: ACLED sub-event type (or None) and default CAMEO code."""

    key: str
    sub_event_type: str | None
    event_type: str | None
    disorder_type: str | None
    cameo: str
    gloss: str

    @property
    def cameo_root(self) -> str:
        """The two-digit CAMEO root fixed by the class."""
        return self.cameo[:2]


@cache
def acled_table() -> dict:
    """ACLED sub-event type → (event type, disorder type), and inter codes."""
    return load_data("acled.json")


def _build() -> dict[str, EventClass]:
    subs = acled_table()["sub_event_types"]
    out = {}
    for key, row in load_data("event_classes.json")["classes"].items():
        sub = row["sub_event_type"]
        etype, disorder = subs[sub] if sub else (None, None)
        out[key] = EventClass(key, sub, etype, disorder, row["cameo"], row["gloss"])
    return out


EVENT_CLASSES: dict[str, EventClass] = _build()
"""Every event class by key, in the order of ``event_classes.json``."""
