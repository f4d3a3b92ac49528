"""Event typing: tagger class + trigger + context → ACLED and CAMEO/PLOVER fields.

The class fixes the ACLED sub-event type and the CAMEO root (``ontology/data/event_classes.json``);
lexical cues in the trigger and its sentence refine the CAMEO code within that root (a claim of
responsibility is 015, a release of prisoners 0841, sanctions 163...). Quad class, Goldstein score
and PLOVER event come from the CAMEO table of the chosen code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coder.ontology.cameo import cameo_info
from coder.ontology.classes import EVENT_CLASSES

# (class, cue on trigger + sentence, refined CAMEO code); first match wins.
_REFINEMENTS: list[tuple[str, re.Pattern[str], str]] = [
    (cls, re.compile(rx, re.IGNORECASE), code)
    for cls, rx, code in [
        ("statement", r"claim\w*\s+(?:of\s+)?responsibility|revendiqu|\bclaim(?:s|ed|ing)?\b", "015"),
        ("statement", r"\bden(?:y|ied|ies|ial)\b|démen|\bni[ée]\b|nie\s", "016"),
        ("yield", r"releas|libér|freed|relâch", "0841"),
        ("disapprove", r"accus", "112"),
        ("disapprove", r"condemn|condamn|denounc|dénonc", "111"),
        ("reduce_relations", r"sanction", "163"),
        ("reduce_relations", r"expel|expuls", "1663"),
        ("consult", r"visit", "042"),
        ("consult", r"talks|negotiat|négoci|pourparlers", "046"),
        ("consult", r"\bmet\b|meeting|rencontr|réunion|réuni", "043"),
        ("appeal", r"\baid\b|assistance|humanitar|humanitaire", "023"),
        ("demand", r"release|libér", "1041"),
        ("threaten", r"military|militar|force|strike|frapp|attack|attaqu", "138"),
        ("provide_aid", r"humanitar|humanitaire|food|aliment|medical|médical", "073"),
        ("provide_aid", r"weapons|armes|military aid|aide militaire", "072"),
        ("material_coop", r"military|militaire|joint operation|opération conjointe", "062"),
        ("diplomatic_coop", r"\bsign\w*|sign[ée]|paraph", "057"),
        ("diplomatic_coop", r"prais|salu|hail", "051"),
        ("air_drone_strike", r"drone", "1952"),
        ("remote_explosive", r"car bomb|voiture piégée|véhicule piégé|vehicle-borne", "1832"),
        ("remote_explosive", r"roadside|bord de (?:la )?route|IED|EEI|engin explosif", "1833"),
        ("attack_civilians", r"assassin|shot dead|abattu", "186"),
        ("attack_civilians", r"tortur", "1823"),
        ("armed_clash", r"clash|affrontement|exchange of fire|échange de tirs|gunfight|fusillade", "193"),
        ("looting", r"burn|set fire|incendi|destroy|détrui|razed|rasé", "1712"),
        ("agreement", r"ceasefire|cease-fire|truce|cessez-le-feu|trêve", "0871"),
        ("arrests", r"charg|inculp", "173"),
    ]
]


@dataclass(frozen=True)
class EventType:
    """The typing fields of one record."""

    event_class: str
    event_type: str | None
    sub_event_type: str | None
    disorder_type: str | None
    cameo_code: str
    cameo_root: str
    quad_class: int
    goldstein: float
    plover_event: str | None


def refine_cameo(event_class: str, context: str) -> str:
    """The CAMEO code for a class, refined by cues in ``context`` (trigger first, then sentence)."""
    for cls, rx, code in _REFINEMENTS:
        if cls == event_class and rx.search(context):
            return code
    return EVENT_CLASSES[event_class].cameo


def type_event(event_class: str, trigger: str, sentence: str) -> EventType:
    """All typing fields for an event of ``event_class`` read from ``trigger`` in ``sentence``."""
    ec = EVENT_CLASSES[event_class]
    code = refine_cameo(event_class, trigger)
    if code == ec.cameo:
        code = refine_cameo(event_class, sentence)
    info = cameo_info(code)
    return EventType(
        event_class=event_class,
        event_type=ec.event_type,
        sub_event_type=ec.sub_event_type,
        disorder_type=ec.disorder_type,
        cameo_code=code,
        cameo_root=code[:2],
        quad_class=info.quad_class,
        goldstein=info.goldstein,
        plover_event=info.plover_event,
    )
