"""Assemble contract records from a document and its tagged sentences.

This is where each field of :class:`~coder.schema.EventRecord` is decided, family by family:
typing (:mod:`.events`), actors (:mod:`.actors`), place (:mod:`.locations`), date (:mod:`.dates`),
toll (:mod:`.fatalities`), confidence (:mod:`.confidence`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from coder import __version__
from coder.calibrate import apply_calibration
from coder.document import Document
from coder.normalise.actors import (acled_country_name, country_mentions, demonym_mentions, find_group, group_after,
                                    normalise_actor, region_countries)
from coder.normalise.dates import relative_offset, resolve_date
from coder.normalise.events import type_event
from coder.normalise.fatalities import parse_fatalities
from coder.normalise.linking import LETHAL_CLASSES, link_arguments, link_cost
from coder.normalise.locations import resolve_location
from coder.normalise.modality import decide_modality
from coder.schema import Actor, EventRecord, Evidence, FieldConfidences, Location
from coder.tagger.base import TaggedSpan


INHERIT_CLASSES = LETHAL_CLASSES | {"peaceful_protest", "looting"}
"""Classes whose undated mentions take the date of the incident told just before them."""
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def main_country(doc: Document, tagged: list[list[TaggedSpan]] | None = None) -> str | None:
    """The country an article is mostly about.

    Counts the countries each sentence names (names, demonyms, capitals, conflict regions: see
    :func:`coder.normalise.actors.country_mentions`), and twice the countries of the places the
    tagger found, which name where events happen; the lead sentence counts double; the most
    frequent wins, ties to the first.
    """
    counts: Counter[str] = Counter()
    for i, (a, b) in enumerate(doc.sentences):
        weight = 2 if i == 0 else 1  # the lead names what the story is about
        for c in country_mentions(doc.text[a:b]):
            counts[c] += weight
    named = counts.most_common(1)[0][0] if counts else None  # places are read in the named country first
    for i, (a, b) in enumerate(doc.sentences):
        sentence = doc.text[a:b]
        weight = 2 if i == 0 else 1
        for sp in (tagged[i] if tagged else []):
            if sp.label == "LOCATION":
                loc = resolve_location(sentence[sp.start : sp.end], doc.lang, named)
                if named is not None and loc.country != named:  # not a place of the named country: read it on its own
                    loc = resolve_location(sentence[sp.start : sp.end], doc.lang)
                if loc.country and loc.geo_precision in (1, 2, 3):
                    counts[loc.country] += 2 * weight
    if not counts:  # nothing named or tagged: towns the text puts after a place preposition ("à Nîmes")
        for m in _TOWN_AFTER_PREPOSITION.finditer(doc.text):
            loc = resolve_location(m.group(1), doc.lang)
            if loc.country and loc.geo_precision == 1:
                counts[loc.country] += 1
    return counts.most_common(1)[0][0] if counts else None


_TOWN_AFTER_PREPOSITION = re.compile(
    r"(?<![\w-])(?:à|in|near|près de|outside|au nord de|au sud de)\s+((?:[A-ZÉÈ][\w'’-]+)(?:[ -][A-ZÉÈ][\w'’-]+)?)")


def _best_actor(spans: list[TaggedSpan], sentence: str, lang: str, context: str | None):
    """The actor of an event from its candidate spans, most specific first: a span naming a known
    group; the pieces joined when together they name one ("jihadists" + "(" + ") organization"
    around "Islamic State (IS)"); a span followed by a group in apposition; the best-scored span that resolves to a code; the best-scored."""
    if not spans:
        return None, None
    ranked = sorted(spans, key=lambda s: -s.score)
    for span in ranked:
        if find_group(sentence[span.start : span.end]) is not None:
            return normalise_actor(sentence[span.start : span.end], lang, context), span
    first, last = min(s.start for s in spans), max(s.end for s in spans)
    if len(spans) > 1 and last - first <= 80 and find_group(sentence[first:last]) is not None:
        return normalise_actor(sentence[first:last], lang, context), ranked[0]
    for span in ranked:  # a generic span followed by the group it names: "jihadists the Islamic State"
        named = group_after(sentence, span.end)
        if named is not None:
            return normalise_actor(sentence[named[0] : named[1]], lang, context), span
    resolved = [(normalise_actor(sentence[s.start : s.end], lang, context), s) for s in ranked]
    for actor, span in resolved:
        if actor.cameo_code:
            return actor, span
    return resolved[0]


def main_place(doc: Document, tagged: list[list[TaggedSpan]], context: str | None) -> Location | None:
    """The article's main place: the region named most often by its location spans (ties: first).

    Used, with its text left null, for events whose sentence names no place (ACLED codes such
    events at the level of the region the report is about).
    """
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Location] = {}
    for (s_start, _), spans in zip(doc.sentences, tagged):
        for sp in spans:
            if sp.label != "LOCATION":
                continue
            loc = resolve_location(doc.text[s_start + sp.start : s_start + sp.end], doc.lang, context)
            if loc.country and loc.admin1 and (context is None or loc.country == context):
                key = (loc.country, loc.admin1)
                counts[key] += 1
                first.setdefault(key, loc)
    if not counts:
        return None
    key = counts.most_common(1)[0][0]
    loc = first[key]
    centre = resolve_location(key[1], doc.lang, key[0])
    return Location(text=None, name=key[1], country=key[0], admin1=key[1],
                    latitude=centre.latitude if centre.admin1 == key[1] else loc.latitude,
                    longitude=centre.longitude if centre.admin1 == key[1] else loc.longitude, geo_precision=3)


_IMPLIED_BY_CLASS = {"arrests": "police", "excessive_force": "police", "peaceful_protest": "protesters",
                     "protest_with_intervention": "protesters", "violent_demonstration": "rioters",
                     "mob_violence": "rioters"}
_VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})


def implied_actor(event_class: str, event_type: str | None, country: str) -> Actor | None:
    """The initiator of an event whose sentence names none, as ACLED codes it: police for arrests
    and repression, protesters or rioters for demonstrations, the unidentified armed group of the
    country for political violence; None for other events."""
    words = _IMPLIED_BY_CLASS.get(event_class) or ("unidentified armed group" if event_type in _VIOLENT_TYPES else None)
    if words is None:
        return None
    return normalise_actor(words, "en", country).model_copy(update={"text": None})


_TERRITORY = ("gov_regains_territory", "nsa_overtakes_territory")  # (the government's, a non-state group's)
_REMOTE_TYPES = {"Explosions/Remote violence", "Battles"}


def weapon_owner(sentence: str, trigger: TaggedSpan, context: str | None, lang: str = "en") -> Actor | None:
    """The state forces a demonym next to the trigger names as the attacker: "Russian missile
    strikes", "une frappe de drone turque", "tirs d'artillerie pakistanais"."""
    for start, end, iso3 in demonym_mentions(sentence):
        if trigger.start - 12 <= start and end <= trigger.end + 12:
            if start >= trigger.end:  # French puts it after the noun ("frappe russe"), nothing in between
                if lang != "fr" or sentence[trigger.end:start].strip():
                    continue  # "struck Russian positions" names the target
            elif re.search(r"[,;]|\b(?:and|et|on|sur|against|contre)\b", sentence[end:trigger.start]):
                continue
            actor = normalise_actor("military forces", "en", iso3).model_copy(update={"text": None})
            return actor.model_copy(update={"inter": 8}) if context and iso3 != context else actor
    return None


def resolve_place(text: str, sentence: str, lang: str, context: str | None) -> Location:
    """A place span read in the country its sentence names when it lies there ("Bangladesh
    reinforced units near Teknaf", "strikes inside Lebanon, in Chabriha"), else in the article's."""
    for country in dict.fromkeys(country_mentions(sentence)):
        if country == context:
            continue
        loc = resolve_location(text, lang, country)
        if loc.country == country and loc.geo_precision in (1, 2):
            return loc
    return resolve_location(text, lang, context)


def event_id(article_id: str, start: int, end: int, model: str) -> str:
    """Stable id: same article, trigger offsets and model → same id."""
    return hashlib.sha1(f"{article_id}\x1f{start}\x1f{end}\x1f{model}".encode()).hexdigest()[:20]


class Normaliser:
    """Turns tagged sentences into :class:`EventRecord` objects."""

    def __init__(self, model_name: str = "unknown", calibration: dict | None = None) -> None:
        self.model_name = model_name
        self.calibration = calibration

    def normalise(self, doc: Document, tagged: list[list[TaggedSpan]]) -> list[EventRecord]:
        """Records for ``doc``; ``tagged[i]`` holds the spans of ``doc.sentences[i]``."""
        records: list[EventRecord] = []
        context = main_country(doc, tagged) if any(tagged) else None
        fallback_place = main_place(doc, tagged, context) if any(tagged) else None
        art = doc.article
        dated: list[tuple[str, int, int, bool]] = []  # (date, precision, paragraph, asserted violence)
        for (s_start, s_end), spans in zip(doc.sentences, tagged):
            sentence = doc.text[s_start:s_end]
            paragraph = len(_PARAGRAPH_BREAK.findall(doc.text, 0, s_start))
            sentence_times = [sp for sp in spans if sp.label == "TIME"]
            sentence_actors = [sp for sp in spans if sp.label == "ACTOR1"]
            sentence_places = [sp for sp in spans if sp.label == "LOCATION"]
            for ev in link_arguments(spans, sentence):
                trig = ev.trigger
                if trig.event_class is None:
                    continue
                t_start, t_end = s_start + trig.start, s_start + trig.end
                trigger_text = doc.text[t_start:t_end]
                typ = type_event(trig.event_class, trigger_text, sentence)
                arg = {k: max(v, key=lambda s: s.score) for k, v in ev.args.items()}

                def text_of(span: TaggedSpan, base: int = s_start) -> str:
                    return doc.text[base + span.start : base + span.end]

                # coordinated events share their initiator: "gunmen killed three and abducted two"
                a1_spans = ev.args.get("ACTOR1") or [
                    sp for sp in sentence_actors if sp.end <= trig.start][-1:]
                actor1, a1_span = _best_actor(a1_spans, sentence, doc.lang, context)
                actor2, target = _best_actor(ev.args.get("ACTOR2") or ev.args.get("FATALITIES", []), sentence,
                                             doc.lang, context)
                if typ.event_class in _TERRITORY and a1_span is not None and actor1 is not None and actor1.inter in (1, 2, 3, 4):
                    # ACLED: the government regains, a non-state group overtakes; a named initiator
                    # decides (foreign forces, inter 8, are left to the tagger)
                    wanted = _TERRITORY[0] if actor1.inter == 1 else _TERRITORY[1]
                    if wanted != typ.event_class:
                        typ = type_event(wanted, trigger_text, sentence)
                # the event's own place; else a place of its sentence (coordinated events share it:
                # "met the president in Beirut, then visited ..."); else statements, appeals,
                # visits... happen where their state author is ("Iran warned"); else the region
                # the article is about
                speaker_country = (actor1.country if typ.sub_event_type is None and actor1 is not None
                                   and actor1.inter == 1 else None)
                loc_span = arg.get("LOCATION")
                if loc_span is None and sentence_places:
                    loc_span = min(sentence_places, key=lambda sp: link_cost(trig, sp, sentence))
                if loc_span is not None:
                    location = resolve_place(text_of(loc_span), sentence, doc.lang, context)
                    named_here = region_countries(sentence)
                    if named_here and named_here[0] != (fallback_place.country if fallback_place else context):
                        # an unknown village "dans la province du Cabo Delgado" lies where its sentence says
                        fill = Location(text=None, name=None, country=named_here[0])
                    else:
                        fill = fallback_place or (Location(text=None, name=None, country=context) if context else None)
                    if location.country is None and fill is not None:
                        location = location.model_copy(update={
                            "country": fill.country, "admin1": fill.admin1,
                            "latitude": fill.latitude, "longitude": fill.longitude,
                            "geo_precision": 2 if fill.admin1 else 3})
                    loc_conf = loc_span.score * (1.0 if "LOCATION" in arg else 0.7)
                elif speaker_country is not None:
                    location = Location(text=None, name=acled_country_name(speaker_country), country=speaker_country,
                                        geo_precision=3)
                    loc_conf = 0.4 * trig.score
                elif fallback_place is not None:
                    location, loc_conf = fallback_place, 0.5 * trig.score
                elif context is not None:
                    location = Location(text=None, name=acled_country_name(context), country=context, geo_precision=3)
                    loc_conf = 0.3 * trig.score
                else:
                    location, loc_conf = None, None
                if a1_span is None and actor1 is None and typ.event_type in _REMOTE_TYPES:
                    actor1 = weapon_owner(sentence, trig, context, doc.lang)  # "Russian missile strikes", "frappe turque"
                implied = a1_span is None and actor1 is None and location is not None and location.country
                if implied:  # ACLED codes a perpetrator nobody names as the unidentified group of the country
                    actor1 = implied_actor(typ.event_class, typ.event_type, location.country)
                # the event's own time expression, else the nearest one of its sentence (coordinated
                # events share it: "killed three and abducted two on Sunday"), else the publication date
                # statements and other verbal events keep to their own time: "released the children on
                # Monday, and the governor ruled out a ransom" does not date the refusal
                time_span = arg.get("TIME") or (
                    min(sentence_times, key=lambda sp: link_cost(trig, sp, sentence))
                    if sentence_times and typ.sub_event_type is not None else None)
                time_text = text_of(time_span) if time_span else None
                modality = decide_modality(trig.modality_probs, sentence, trig.start, trig.end)
                anchor = dated[-1][:2] if dated else None
                physical = typ.event_class in INHERIT_CLASSES and modality == "asserted"
                if time_text is None and anchor is not None and relative_offset(sentence) is not None:
                    time_text = sentence  # "hours later", "le lendemain": counted from the last dated event
                date, precision = resolve_date(time_text, doc.pub_date, doc.lang, anchor)
                if time_text is not None and date is not None:
                    dated.append((date, precision, paragraph, physical))
                elif physical:
                    # the same incident told on: an undated act of violence takes the date of the last
                    # dated one of its paragraph or the one before ("they also burned houses")
                    same = [d for d in dated if d[3] and paragraph - d[2] <= 1]
                    if same:
                        date, precision = same[-1][0], same[-1][1]
                fat_spans = ev.args.get("FATALITIES", [])
                counts = [parse_fatalities(text_of(s), doc.lang) for s in fat_spans]
                known = [c for c in counts if c is not None]
                fatalities = sum(known) if known else None
                p_class = trig.class_probs.get(trig.event_class, 0.0)
                confidence = apply_calibration(max(0.0, min(1.0, trig.score * p_class)), self.calibration)
                records.append(
                    EventRecord(
                        article_id=art.id,
                        event_id=event_id(art.id, t_start, t_end, self.model_name),
                        language=doc.lang,  # type: ignore[arg-type]
                        event_date=date,
                        time_precision=precision,
                        event_type=typ.event_type,
                        sub_event_type=typ.sub_event_type,
                        disorder_type=typ.disorder_type,
                        cameo_code=typ.cameo_code,
                        cameo_root=typ.cameo_root,
                        quad_class=typ.quad_class,
                        goldstein=typ.goldstein,
                        plover_event=typ.plover_event,
                        actor1=actor1,
                        actor2=actor2,
                        location=location,
                        fatalities=fatalities,
                        modality=modality,  # type: ignore[arg-type]
                        evidence=Evidence(sentence=sentence, start=t_start, end=t_end, trigger=trigger_text),
                        confidence=round(confidence, 4),
                        confidences=FieldConfidences(
                            event_type=round(p_class, 4),
                            cameo_code=round(p_class, 4),
                            actor1=(round(a1_span.score, 4) if a1_span else round(0.3 * trig.score, 4)) if actor1 else None,
                            actor2=round(target.score, 4) if target else None,
                            location=round(loc_conf, 4) if location and loc_conf is not None else None,
                            event_date=(round(time_span.score, 4) if time_span else 0.5) if date else None,
                        ),
                        coder_version=__version__,
                        model=self.model_name,
                        title=art.title,
                        url=art.url,
                        source=art.source,
                    )
                )
        return records
