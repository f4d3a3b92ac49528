"""Normaliser families, each with English and French cases (the examples of the normaliser issue)."""

from __future__ import annotations

import pytest

from coder.normalise.actors import normalise_actor
from coder.normalise.dates import resolve_date
from coder.normalise.events import type_event
from coder.normalise.fatalities import parse_fatalities
from coder.normalise.locations import resolve_location
from coder.normalise.modality import decide_modality, modality_cue


@pytest.mark.parametrize("text,lang", [("Syrian troops", "en"), ("l'armée syrienne", "fr"), ("the Syrian army", "en"),
                                       ("les soldats syriens", "fr")])
def test_actor_syrian_army_is_syrmil(text, lang):
    a = normalise_actor(text, lang)
    assert (a.cameo_code, a.country, a.inter) == ("SYRMIL", "SYR", 1)


@pytest.mark.parametrize("text", ["l'État islamique", "EI", "Daech", "IS", "ISIS", "the Islamic State (IS) organization"])
def test_actor_islamic_state_aliases_are_one_group(text):
    a = normalise_actor(text, "fr", "SYR")
    assert (a.name, a.cameo_code, a.inter) == ("Islamic State", "IMGSEPISI", 2)
    assert a.country == "SYR"  # transnational group: country of operation from context


def test_actor_demonyms_and_unnamed_actors():
    assert normalise_actor("four Saudi men", "en").country == "SAU"
    a = normalise_actor("des hommes armés non identifiés", "fr", "MLI")
    assert (a.cameo_code, a.country, a.inter) == ("MLIUAF", "MLI", 3)
    assert normalise_actor("a general and four soldiers", "en", "SYR").cameo_code == "SYRMIL"
    assert normalise_actor("les manifestants", "fr", "FRA").cameo_code == "FRAOPP"


@pytest.mark.parametrize("text", ["Deir ez-Zor", "Deïr ez-Zor", "Deir Ezzor"])
def test_location_transliteration_variants(text):
    loc = resolve_location(text, "fr")
    assert (loc.name, loc.country, loc.admin1) == ("Deir ez-Zor", "SYR", "Deir ez-Zor")


def test_location_french_exonym_context_and_unresolved():
    assert resolve_location("Alep", "fr").name == resolve_location("Aleppo", "en").name == "Aleppo"
    loc = resolve_location("the village of Sabon Birni, in Sokoto state", "en")
    assert (loc.name, loc.country, loc.admin1, loc.geo_precision) == ("Sabon Birni", "NGA", "Sokoto", 1)
    province = resolve_location("la province de Deïr Ezzor", "fr")
    assert (province.admin1, province.geo_precision) == ("Deir ez-Zor", 3)
    unknown = resolve_location("Xqzvillage", "en")
    assert (unknown.text, unknown.country, unknown.latitude) == ("Xqzvillage", None, None)
    assert resolve_location("Tripoli", "en", "LBN").country == "LBN"  # ambiguous name, article context
    assert resolve_location("Tripoli", "en", "LBY").country == "LBY"


@pytest.mark.parametrize("expr,lang,expected", [
    ("on Sunday", "en", ("2021-11-21", 1)), ("last Tuesday", "en", ("2021-11-16", 1)), ("hier", "fr", ("2021-11-21", 1)),
    ("dans la nuit de samedi à dimanche", "fr", ("2021-11-21", 1)), ("le 8 novembre", "fr", ("2021-11-08", 1)),
    ("on November 8", "en", ("2021-11-08", 1)), ("last week", "en", ("2021-11-15", 2)), ("in March 2019", "en", ("2019-03-01", 3)),
    ("jeudi dernier", "fr", ("2021-11-18", 1)), (None, "en", ("2021-11-22", 2)),
])
def test_dates_resolve_against_publication_date(expr, lang, expected):
    assert resolve_date(expr, "2021-11-22", lang) == expected  # a Monday


def test_dates_without_publication_date():
    assert resolve_date("on Sunday", None, "en") == (None, None)
    assert resolve_date(None, None, "fr") == (None, None)
    assert resolve_date("le 5 mars 2023", None, "fr") == ("2023-03-05", 1)


@pytest.mark.parametrize("phrase,lang,n", [
    ("a general and four soldiers", "en", 5), ("treize combattants", "fr", 13), ("13 pro-regime fighters", "en", 13),
    ("une dizaine de soldats", "fr", None), ("dozens of civilians", "en", None), ("at least 20 people", "en", 20),
    ("un officier et deux soldats", "fr", 3), ("vingt-cinq civils", "fr", 25), ("1,600 members", "en", 1600),
])
def test_fatalities_numbers_in_words(phrase, lang, n):
    assert parse_fatalities(phrase, lang) == n


def test_event_typing_fixes_acled_and_refines_cameo():
    t = type_event("remote_explosive", "exploded", "A bomb exploded as their vehicle passed by.")
    assert (t.sub_event_type, t.event_type, t.cameo_root, t.quad_class) == (
        "Remote explosive/landmine/IED", "Explosions/Remote violence", "18", 4)
    claim = type_event("statement", "a revendiqué", "L'EI a revendiqué l'attaque.")
    assert (claim.cameo_code, claim.event_type) == ("015", None)
    release = type_event("yield", "released", "Rebels released 12 hostages.")
    assert release.cameo_code == "0841" and release.plover_event == "RETREAT"  # CAMEO2PLOVER-2021
    assert type_event("air_drone_strike", "drone strike", "A drone strike hit the convoy.").cameo_code == "1952"
    assert type_event("appeal", "called", "The UN called for calm.").goldstein == 3.0


def test_modality_cues_and_model_confidence():
    s = "L'attaque n'a pas été revendiquée."
    assert modality_cue(s, 2, 9) is None  # still an (asserted) attack
    s2 = "Des jihadistes pourraient frapper la ville."
    i = s2.index("frapper")
    assert modality_cue(s2, i, i + 7) == "hypothetical"
    s3 = "The army did not shell the village."
    j = s3.index("shell")
    assert decide_modality({"asserted": 0.5, "negated": 0.5}, s3, j, j + 5) == "negated"
    assert decide_modality({"asserted": 0.95, "negated": 0.05}, s3, j, j + 5) == "asserted"
    s4 = "Les syndicats prévoient de manifester lundi."
    k = s4.index("manifester")
    assert modality_cue(s4, k, k + 10) == "future"


def test_implied_initiator_follows_acled_for_unnamed_perpetrators():
    from coder.normalise.records import implied_actor

    bomb = implied_actor("remote_explosive", "Explosions/Remote violence", "CMR")
    assert (bomb.name, bomb.country, bomb.inter, bomb.text) == ("Unidentified Armed Group (Cameroon)", "CMR", 3, None)
    assert implied_actor("arrests", "Strategic developments", "FRA").cameo_code == "FRACOP"
    assert implied_actor("peaceful_protest", "Protests", "SEN").inter == 6
    assert implied_actor("statement", None, "FRA") is None


@pytest.mark.parametrize(
    ("text", "context", "country"),
    [("la ville", "CAF", None), ("the town", None, None), ("Lala", "COD", None), ("Nîmes", "FRA", "FRA"),
     ("Paris", "MLI", "FRA"), ("Kidal", "MLI", "MLI")],
)
def test_generic_nouns_and_small_foreign_namesakes_do_not_resolve(text, context, country):
    from coder.normalise.locations import resolve_location

    assert resolve_location(text, "fr", context).country == country


@pytest.mark.parametrize(
    ("phrase", "lang", "n"),
    [("a 17-year-old", "en", 1), ("a 30-year-old Palestinian", "en", 1), ("two 20-year-old students", "en", 2),
     ("un moine de 30 ans", "fr", 1), ("un garçon âgé de 12 ans", "fr", 1)],
)
def test_ages_are_not_death_counts(phrase, lang, n):
    from coder.normalise.fatalities import parse_fatalities

    assert parse_fatalities(phrase, lang) == n


def test_an_event_without_a_place_takes_the_place_of_its_sentence():
    from tiny import FakeTagger

    from coder.pipeline import Coder

    text = "Protesters marched in Paris on Monday.\n\nA bomb exploded in Kidal on Sunday and police arrested two men."
    records = Coder(FakeTagger()).code(text, date="2024-03-31", lang="en")
    by_trigger = {r.evidence.trigger: r for r in records}
    assert by_trigger["marched"].location.country == "FRA"
    assert by_trigger["arrested"].location.country == "MLI"  # the article's first place is Paris


def test_the_lead_sentence_weighs_double_for_the_article_country():
    from tiny import FakeTagger

    from coder.document import prepare
    from coder.ingest import article_from_dict
    from coder.normalise.records import main_country

    text = ("Gunmen killed five villagers in Kidal on Sunday.\n\n"
            "Police marched in Paris on Monday. France condemned the attack in Lyon.")
    doc = prepare(article_from_dict({"id": "a", "text": text, "date": "2024-03-31", "lang": "en"}, "a").article)
    tagged = FakeTagger().tag([doc.text[a:b] for a, b in doc.sentences])
    assert main_country(doc, tagged) == "MLI"


def _spans(sentence: str, marks: list[tuple[str, str, str | None]]):
    """TaggedSpans for ``(text, label, class)`` marks found in ``sentence``."""
    from coder.tagger.base import TaggedSpan

    out = []
    for text, label, cls in marks:
        i = sentence.index(text)
        out.append(TaggedSpan(i, i + len(text), label, 0.9, {cls: 1.0} if cls else {}, {}))
    return out


def _linked(sentence, marks):
    from coder.normalise.linking import link_arguments

    events = link_arguments(_spans(sentence, marks), sentence)
    return {sentence[e.trigger.start:e.trigger.end]: {k: [sentence[s.start:s.end] for s in v] for k, v in e.args.items()}
            for e in events}


def test_linking_follows_clauses_in_english_and_french():
    en = ("Gunmen opened fire on tourists near Pahalgam on Tuesday, killing 26 people, "
          "in an attack that India blamed on militants.")
    got = _linked(en, [("Gunmen", "ACTOR1", None), ("opened fire", "TRIGGER", "attack_civilians"),
                       ("Pahalgam", "LOCATION", None), ("26 people", "FATALITIES", None),
                       ("India", "ACTOR1", None), ("blamed", "TRIGGER", "disapprove")])
    assert got["opened fire"]["FATALITIES"] == ["26 people"]  # a statement cannot kill
    assert got["blamed"]["ACTOR1"] == ["India"]
    fr = ("Des missiles russes se sont abattus dimanche sur Kharkiv, tuant un homme, "
          "tandis que des drones visaient des installations à Odessa.")
    got = _linked(fr, [("abattus", "TRIGGER", "air_drone_strike"), ("dimanche", "TIME", None),
                       ("Kharkiv", "LOCATION", None), ("un homme", "FATALITIES", None),
                       ("visaient", "TRIGGER", "air_drone_strike"), ("Odessa", "LOCATION", None)])
    assert got["abattus"]["FATALITIES"] == ["un homme"] and got["abattus"]["LOCATION"] == ["Kharkiv"]
    assert got["visaient"]["LOCATION"] == ["Odessa"] and "TIME" not in got["visaient"]
    said = "Le ministre a affirmé que les forces armées s'étaient retirées de Macomia."
    got = _linked(said, [("Le ministre", "ACTOR1", None), ("affirmé", "TRIGGER", "statement"),
                         ("les forces armées", "ACTOR1", None), ("retirées", "TRIGGER", "other_strategic")])
    assert got["retirées"]["ACTOR1"] == ["les forces armées"]  # the subject of the reported clause
    assert got["affirmé"]["ACTOR1"] == ["Le ministre"]


@pytest.mark.parametrize(
    ("expr", "lang", "expected"),
    [("last week", "en", ("2024-03-24", 2)), ("la semaine dernière", "fr", ("2024-03-24", 2)),
     ("over the weekend", "en", ("2024-03-30", 2)), ("ce week-end", "fr", ("2024-03-30", 2)),
     ("last month", "en", ("2024-02-15", 3)), ("le mois dernier", "fr", ("2024-02-15", 3)),
     ("in 2015", "en", ("2015-07-01", 3)), ("en 2015", "fr", ("2015-07-01", 3))],
)
def test_dates_follow_the_guide_conventions(expr, lang, expected):
    assert resolve_date(expr, "2024-03-31", lang) == expected  # a Sunday


def test_relative_dates_count_from_the_anchor_event():
    from coder.normalise.dates import relative_offset

    anchor = ("2024-03-29", 1)
    assert resolve_date("hours later", "2024-03-31", "en", anchor) == ("2024-03-29", 1)
    assert resolve_date("le lendemain", "2024-03-31", "fr", anchor) == ("2024-03-30", 1)
    assert resolve_date("la veille", "2024-03-31", "fr", anchor) == ("2024-03-28", 1)
    assert resolve_date("hours later", "2024-03-31", "en") == ("2024-03-31", 2)  # nothing to count from
    assert resolve_date("dans la soirée", "2024-03-31", "fr", anchor) == ("2024-03-29", 1)
    assert resolve_date("in the evening", "2024-03-31", "en", anchor) == ("2024-03-29", 1)
    assert resolve_date("dans la journée de samedi", "2024-03-31", "fr", anchor) == ("2024-03-30", 1)  # its own day
    assert relative_offset("The militants had left the day before.") == -1
    assert relative_offset("Police said on Monday.") is None


def test_an_undated_act_of_the_same_incident_takes_its_date():
    from tiny import FakeTagger

    from coder.pipeline import Coder

    text = ("Gunmen killed five villagers in Kidal on Sunday.\n\n"
            "The gunmen clashed with soldiers near the village.\n\n"
            "Police marched in Gao.")
    records = Coder(FakeTagger()).code(text, date="2024-03-27", lang="en")  # a Wednesday
    dates = {(r.evidence.trigger, r.evidence.start): (r.event_date, r.time_precision) for r in records}
    assert [v for k, v in sorted(dates.items(), key=lambda kv: kv[0][1])] == [
        ("2024-03-24", 1),  # its own "on Sunday"
        ("2024-03-24", 1),  # the next paragraph goes on with the same incident
        ("2024-03-27", 2),  # two paragraphs from the dated one: a separate incident, the publication date
    ]
    fr = ("Des hommes armés ont tué cinq civils à Kidal dimanche.\n\n"
          "Le lendemain, l'armée a arrêté deux suspects.")
    records = Coder(FakeTagger()).code(fr, date="2024-03-27", lang="fr")
    assert [(r.event_date, r.time_precision) for r in records] == [("2024-03-24", 1), ("2024-03-25", 1)]


def test_state_actors_of_dependent_territories_and_weapon_owners():
    from coder.normalise.records import weapon_owner
    from coder.tagger.base import TaggedSpan

    assert normalise_actor("Le gouvernement", "fr", "NCL").country == "FRA"  # Nouméa: the French state acts
    assert normalise_actor("des habitants", "fr", "MYT").country == "MYT"  # civilians stay where they live
    for sentence, trigger, iso3, lang in [
        ("Une frappe de missile russe a tué cinq personnes à Izioum.", "frappe de missile", "RUS", "fr"),
        ("Israeli air strikes killed 12 people in Khan Younis.", "air strikes", "ISR", "en"),
    ]:
        i = sentence.index(trigger)
        actor = weapon_owner(sentence, TaggedSpan(i, i + len(trigger), "TRIGGER", 0.9), "UKR", lang)
        assert (actor.country, actor.cameo_code[3:]) == (iso3, "MIL")
    s = "Drones struck Russian positions near Kupiansk."
    assert weapon_owner(s, TaggedSpan(0, 13, "TRIGGER", 0.9), "UKR") is None  # the demonym names the target
    s = "L'armée a frappé des positions russes près de Koupiansk."
    assert weapon_owner(s, TaggedSpan(9, 16, "TRIGGER", 0.9), "UKR", "fr") is None


class _StubTagger:
    """Returns fixed spans for known sentences (``{sentence: [(text, label, class)]}``)."""

    name = "stub-0"

    def __init__(self, table):
        self.table = table

    def tag(self, sentences, langs=None):
        out = []
        for s in sentences:
            spans = _spans(s, self.table.get(s, []))
            for sp in spans:
                if sp.label == "TRIGGER":
                    sp.modality_probs = {"asserted": 1.0}
            out.append(spans)
        return out


def test_the_initiator_decides_who_regains_or_overtakes_territory():
    from coder.pipeline import Coder

    en = "Jihadists seized the town of Kidal on Sunday."
    fr = "L'armée malienne a repris dimanche la ville de Kidal."
    table = {en: [("Jihadists", "ACTOR1", None), ("seized", "TRIGGER", "gov_regains_territory"), ("Kidal", "LOCATION", None)],
             fr: [("L'armée malienne", "ACTOR1", None), ("repris", "TRIGGER", "nsa_overtakes_territory"),
                  ("Kidal", "LOCATION", None)]}
    coder = Coder(_StubTagger(table))
    assert coder.code(en, date="2024-03-31", lang="en")[0].sub_event_type == "Non-state actor overtakes territory"
    assert coder.code(fr, date="2024-03-31", lang="fr")[0].sub_event_type == "Government regains territory"


def test_french_departments_name_france():
    from coder.normalise.actors import country_mentions

    assert country_mentions("près du chantier de Sainte-Soline, dans les Deux-Sèvres") == ["FRA"]
    assert country_mentions("Des voitures ont brûlé en Seine-Saint-Denis et dans le Val-de-Marne.") == ["FRA", "FRA"]


def test_an_unknown_village_lies_in_the_region_its_sentence_names():
    from coder.normalise.actors import region_countries

    s = "Deux soldats rwandais ont été tués lundi par une mine près de Mucojo, dans la province du Cabo Delgado."
    assert region_countries(s) == ["MOZ"]  # not the demonym's Rwanda
    assert region_countries("Kigali a envoyé 500 soldats supplémentaires.") == []  # a capital stands for a government


def test_a_reaction_does_not_borrow_the_time_of_the_incident_in_its_sentence():
    from coder.pipeline import Coder

    en = "Gunmen killed five villagers on Sunday, and the governor condemned the attack."
    table = {en: [("Gunmen", "ACTOR1", None), ("killed", "TRIGGER", "attack_civilians"), ("five villagers", "FATALITIES", None),
                  ("on Sunday", "TIME", None), ("the governor", "ACTOR1", None), ("condemned", "TRIGGER", "disapprove")]}
    recs = {r.evidence.trigger: r for r in Coder(_StubTagger(table)).code(en, date="2024-03-27", lang="en")}
    assert (recs["killed"].event_date, recs["killed"].time_precision) == ("2024-03-24", 1)
    assert (recs["condemned"].event_date, recs["condemned"].time_precision) == ("2024-03-27", 2)


def test_with_nothing_else_named_the_towns_after_place_prepositions_give_the_country():
    from coder.document import prepare
    from coder.ingest import article_from_dict
    from coder.normalise.records import main_country

    for text, lang, iso3 in [("Un enfant a été tué lundi soir dans le quartier de Pissevin, à Nîmes.", "fr", "FRA"),
                             ("A man was stabbed to death in Leeds on Friday, police said.", "en", "GBR")]:
        doc = prepare(article_from_dict({"id": "a", "text": text, "date": "2024-03-31", "lang": lang}, "a").article)
        assert main_country(doc, [[] for _ in doc.sentences]) == iso3
