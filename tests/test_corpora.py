"""Converters of public corpora, on tiny invented fixtures that mimic each corpus' file format.

The fixtures under ``tests/fixtures/corpora/<kind>/`` are written for these tests (no text of the
real corpora); the real corpora are never read here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coder.tagger.base import SPAN_LABELS
from coder.train.corpora import (
    CONVERTERS,
    CorpusError,
    acled_note_text,
    class_for_acled,
    class_for_cameo,
    corpus_stats,
    join_tokens,
    main,
    read_corpus,
)

FIX = Path(__file__).parent / "fixtures" / "corpora"
KINDS = ["ecbplus", "fr_timebank", "conflibert_cameo", "spanish_brat", "acled_notes"]


def read(kind: str, path: Path | None = None) -> list:
    return list(read_corpus(kind, str(path or FIX / kind)))


def spans_of(sent) -> list[tuple[str, str]]:
    return [(sent.text[s:e], lab) for s, e, lab in sent.spans]


def copy_fixture(kind: str, tmp_path: Path) -> Path:
    dst = tmp_path / kind
    shutil.copytree(FIX / kind, dst)
    return dst


# ------------------------------------------------------------------ all converters


def test_every_kind_is_registered():
    assert set(KINDS) <= set(CONVERTERS)


@pytest.mark.parametrize("kind", KINDS)
def test_spans_are_sorted_disjoint_trimmed_and_declared(kind):
    sents = read(kind)
    assert sents
    for s in sents:
        assert s.source == kind and s.doc_id
        assert s.annotated <= set(SPAN_LABELS)
        prev_end = 0
        for start, end, lab in s.spans:
            assert lab in SPAN_LABELS
            assert prev_end <= start < end <= len(s.text)
            assert s.text[start:end] == s.text[start:end].strip()
            prev_end = end
        assert set(s.triggers) == {(a, b) for a, b, lab in s.spans if lab == "TRIGGER"}


@pytest.mark.parametrize("kind", KINDS)
def test_missing_corpus_path_is_a_clear_error(kind, tmp_path):
    with pytest.raises(CorpusError, match=f"{kind}: corpus path .* does not exist"):
        read(kind, tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match=kind):
        read(kind, tmp_path / "empty")


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown corpus kind"):
        list(read_corpus("no_such_corpus", str(FIX)))


# ------------------------------------------------------------------ detokenisation


def test_join_tokens_detokenises_lightly_and_keeps_offsets():
    toks = ["He", "said", "``", "no", "''", "(", "twice", ")", ",", "did", "n't", "he", "?",
            "Syria", "-", "related", "Kotavia", "’", "s", '"', "yes", '"', "$", "5", "."]
    text, offs = join_tokens(toks)
    assert text == "He said ``no'' (twice), didn't he? Syria-related Kotavia’s \"yes\" $5."
    assert [text[a:b] for a, b in offs] == toks


# ------------------------------------------------------------------ ECB+


def test_ecbplus_listed_sentences_with_locations_and_times():
    sents = read("ecbplus")
    assert [s.text for s in sents] == [
        "Rebels stormed a depot in Northtown on Friday.",
        "Two nights later, police arrested 4 men near the old bridge.",
        "Flood waters hit Riverton's harbour on Monday.",
    ]
    assert [s.doc_id for s in sents] == ["1_1ecbplus#1", "1_1ecbplus#3", "1_2ecb#0"]
    assert spans_of(sents[0]) == [("Northtown", "LOCATION"), ("on Friday", "TIME")]  # "in" left out
    # discontinuous TIME markable -> from its first to its last token
    assert spans_of(sents[1]) == [("Two nights later", "TIME"), ("the old bridge", "LOCATION")]
    assert spans_of(sents[2]) == [("Riverton's harbour", "LOCATION"), ("on Monday", "TIME")]
    for s in sents:
        assert s.lang == "en"
        assert s.annotated == {"LOCATION", "TIME"}  # actions and participants stay masked
        assert s.triggers == {}
    assert all("Lakeside" not in s.text for s in sents)  # annotated, but not a listed sentence


def test_ecbplus_errors(tmp_path):
    root = copy_fixture("ecbplus", tmp_path)
    csv_path = root / "ECBplus_coreference_sentences.csv"
    csv_path.write_text("Topic,File,Sentence Number\n1,9ecb,0\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="lists document '1_9ecb'"):
        read("ecbplus", root)
    csv_path.write_text("Topic,File,Sentence Number\n1,2ecb,7\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="sentence 7 listed in the CSV is not in the document"):
        read("ecbplus", root)
    csv_path.write_text("Topic,File\n1,2ecb\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="expected columns"):
        read("ecbplus", root)
    csv_path.write_text("Topic,File,Sentence Number\n1,2ecb,0\n", encoding="utf-8")
    (root / "ECB+" / "1" / "1_2ecb.xml").write_text("<Document><token t_id='1'", encoding="utf-8")
    with pytest.raises(CorpusError, match="1_2ecb.xml: not valid XML"):
        read("ecbplus", root)


# ------------------------------------------------------------------ French TimeBank


def test_fr_timebank_timex3_as_time_in_every_sentence():
    sents = read("fr_timebank")
    assert [s.text for s in sents] == [
        "Des agriculteurs ont bloqué la route nationale lundi matin près de Vieuxbourg.",
        "La préfecture a annoncé une réunion pour le 12 mars.",
        "Aucun incident n'a été signalé.",
        "Jean MARTIN",
    ]
    assert [spans_of(s) for s in sents] == [[("lundi matin", "TIME")], [("le 12 mars", "TIME")], [], []]
    for s in sents:
        assert s.lang == "fr" and s.annotated == {"TIME"} and s.triggers == {}
        assert s.doc_id == "2001-03-05-0001"


def test_fr_timebank_errors(tmp_path):
    root = copy_fixture("fr_timebank", tmp_path)
    (root / "Data" / "bad.tml").write_text("<TimeML><TEXT>pas fini", encoding="utf-8")
    with pytest.raises(CorpusError, match="bad.tml: not valid XML"):
        read("fr_timebank", root)
    (root / "Data" / "bad.tml").write_text("<TimeML><DOCID>x</DOCID></TimeML>", encoding="utf-8")
    with pytest.raises(CorpusError, match="no <TEXT> element"):
        read("fr_timebank", root)


# ------------------------------------------------------------------ ConfliBERT CAMEO


def test_conflibert_bio_roles():
    sents = read("conflibert_cameo")
    assert [s.text for s in sents] == [
        "Government forces shelled rebel positions near the capital.",
        "Kotavia’s president met Norland officials on Monday.",
        "The two neighbours signed a trade-related accord (pact).",
        "Nothing happened.",
    ]
    assert [spans_of(s) for s in sents] == [
        [("Government forces", "ACTOR1"), ("rebel positions", "ACTOR2")],
        [("Kotavia’s president", "ACTOR1"), ("Norland officials", "ACTOR2")],
        [("The two neighbours", "ACTOR1")],  # R (reciprocal) -> ACTOR1
        [],
    ]
    assert all(s.annotated == {"ACTOR1", "ACTOR2"} and s.lang == "en" for s in sents)
    # the same file read through its path
    assert len(read("conflibert_cameo", FIX / "conflibert_cameo" / "fixture_cameo_ner.txt")) == 4


def test_conflibert_bare_letter_tags(tmp_path):
    f = tmp_path / "cameo_ner_train.txt"
    f.write_text("Border O\nguards S\nfired O\non O\nsmugglers T\nand O\nherders T\n. O\n\n"
                 "Both R\nsides R\nmet O\n", encoding="utf-8")
    sents = read("conflibert_cameo", f)
    assert [spans_of(s) for s in sents] == [
        [("guards", "ACTOR1"), ("smugglers", "ACTOR2"), ("herders", "ACTOR2")],
        [("Both sides", "ACTOR1")],
    ]


def test_conflibert_malformed_lines(tmp_path):
    f = tmp_path / "cameo_ner_train.txt"
    f.write_text("Rebels B-S\nattacked O X\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2: expected 'token TAG'"):
        read("conflibert_cameo", f)
    f.write_text("Rebels B-S\nattacked B-Q\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2: unknown tag 'B-Q'"):
        read("conflibert_cameo", f)


# ------------------------------------------------------------------ Spanish brat


def test_spanish_brat_sentences_with_triggers_and_classes():
    sents = read("spanish_brat")
    assert [s.text for s in sents] == [
        "Campesinos bloquean carreteras en Valleverde",
        "Miles de campesinos bloquearon este lunes las carreteras del norte en protesta contra el gobierno de Valleverde.",
        "La policía detuvo a diez dirigentes, informó una fuente oficial.",
        "Los campesinos amenazaron con una huelga general.",
    ]  # the dateline (a location only) and the unannotated sentences are left out
    assert [spans_of(s) for s in sents] == [
        [("Campesinos", "ACTOR1"), ("bloquean carreteras", "TRIGGER"), ("Valleverde", "LOCATION")],
        # the CAMEO-coded "bloquearon" wins over the quad-class phrase around it; the target
        # wins over the location nested in it
        [("Miles de campesinos", "ACTOR1"), ("bloquearon", "TRIGGER"), ("protesta", "TRIGGER"),
         ("el gobierno de Valleverde", "ACTOR2")],
        [("La policía", "ACTOR1"), ("detuvo", "TRIGGER"), ("diez dirigentes", "ACTOR2")],
        # discontinuous annotation -> covering span
        [("Los campesinos", "ACTOR1"), ("amenazaron con una huelga general", "TRIGGER")],
    ]
    classes = [[s.triggers[(a, b)] for a, b, lab in s.spans if lab == "TRIGGER"] for s in sents]
    assert classes == [
        [("peaceful_protest", None)],  # 144 obstruct (a quad class on the same text is ignored)
        [("peaceful_protest", None), ("peaceful_protest", None)],  # 144, 14 (root)
        [("arrests", None)],  # 173
        [(None, None)],  # quad class only: class masked
    ]
    for s in sents:
        assert s.lang == "es" and s.annotated == {"TRIGGER"}
        assert s.doc_id == "AFP_SPA_20010303.0001"


def test_spanish_fixture_keeps_crlf_offsets():
    raw = (FIX / "spanish_brat" / "Protest_CAMEO_round4_JJ" / "AFP_SPA_20010303.0001.txt").read_bytes()
    assert b"\r\n" in raw  # brat counts CR LF as two characters; the converter must too


@pytest.mark.parametrize("code, cls", [
    ("141", "peaceful_protest"), ("143", "peaceful_protest"), ("14", "peaceful_protest"),
    ("145", "violent_demonstration"), ("173", "arrests"), ("175", "excessive_force"),
    ("190", "armed_clash"), ("195", "air_drone_strike"), ("18", "attack_civilians"),
    ("1823", "attack_civilians"), ("181", "abduction"), ("0874", "nonviolent_transfer"),
    ("010", "statement"), ("036", "intent_cooperate"), ("112", "disapprove"), ("13", "threaten"),
    ("1381", "threaten"), ("153", "force_posture"), ("154", "change_to_group"), ("163", "reduce_relations"),
    ("170", None), ("999", None),
])
def test_cameo_code_to_class(code, cls):
    assert class_for_cameo(code) == cls


def test_acled_sub_event_to_class():
    assert class_for_acled("Mob violence") == "mob_violence"
    assert class_for_acled("Shelling/artillery/missile attack") == "shelling"
    assert class_for_acled("Not an ACLED type") is None


def test_spanish_brat_errors(tmp_path):
    root = copy_fixture("spanish_brat", tmp_path)
    folder = root / "Protest_CAMEO_round4_JJ"
    (folder / "AFP_SPA_20010305.0003.ann").write_text("T1\tsource 10 900\tfuera\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"AFP_SPA_20010305.0003.ann: line 1: offsets 10 900 outside the text"):
        read("spanish_brat", folder)
    (folder / "AFP_SPA_20010305.0003.ann").write_text("T1 source 0 3 Sin\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 1: not a brat annotation"):
        read("spanish_brat", root)
    (folder / "AFP_SPA_20010305.0003.ann").unlink()
    (folder / "AFP_SPA_20010304.0002.txt").unlink()
    with pytest.raises(CorpusError, match="no text file AFP_SPA_20010304.0002.txt"):
        read("spanish_brat", root)


# ------------------------------------------------------------------ ACLED notes


def test_acled_notes_location_and_time():
    sents = read("acled_notes")
    assert [(s.doc_id, s.text) for s in sents] == [
        ("TST101", "On 3 March 2022, in Riverton (Northern), a group of farmers held a protest against rising fuel prices."),
        ("TST101", "The protesters marched to the Riverton district office."),
        ("TST102", "Around 14 April 2022 (as reported), unidentified men burned a truck near Eastfield town (Coastal)."),
        ("TST103", "On 20 May 2022, residents beat a suspected thief at the northport harbour near Northportville."),
    ]  # "[size=...]" and the "Property destruction: " label are stripped; empty notes are skipped
    assert [spans_of(s) for s in sents] == [
        [("On 3 March 2022", "TIME"), ("Riverton", "LOCATION")],
        [("Riverton", "LOCATION")],
        [("Around 14 April 2022", "TIME"), ("Eastfield", "LOCATION")],
        [("On 20 May 2022", "TIME")],  # "northport" (case) and "Northportville" (word) do not match "Northport"
    ]
    assert [s.annotated for s in sents] == [
        {"LOCATION", "TIME"}, {"LOCATION"}, {"LOCATION", "TIME"}, {"TIME"},
    ]
    assert all(s.lang == "en" and s.triggers == {} for s in sents)


def test_acled_note_text():
    text, when = acled_note_text("Other: On 1 June 2022, a curfew was declared in Townville. [size=no report]")
    assert text == "On 1 June 2022, a curfew was declared in Townville."
    assert when is not None and text[when[0]:when[1]] == "On 1 June 2022"
    assert acled_note_text("Police said nothing happened.")[1] is None


def test_acled_notes_missing_columns(tmp_path):
    f = tmp_path / "acled_2022_sample.csv"
    f.write_text("event_id_cnty,notes\nX1,On 1 June 2022, nothing.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"expected columns \['location', 'notes'\]"):
        read("acled_notes", f)


# ------------------------------------------------------------------ statistics


def test_corpus_stats_and_cli(capsys):
    st = corpus_stats("spanish_brat", str(FIX / "spanish_brat"))
    assert st["sentences"] == 4 and st["documents"] == 1
    assert st["spans"] == {"TRIGGER": 5, "ACTOR1": 4, "ACTOR2": 2, "LOCATION": 1, "TIME": 0, "FATALITIES": 0}
    assert st["trigger_classes"] == {"peaceful_protest": 3, "arrests": 1, "(none)": 1}
    assert st["annotated"] == {"TRIGGER": 4}
    assert main(["acled_notes", str(FIX / "acled_notes")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sentences"] == 4 and out["spans"]["LOCATION"] == 3 and out["spans"]["TIME"] == 3
    assert main(["ecbplus", str(FIX / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
