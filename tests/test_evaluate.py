"""coder evaluate: gold loading, matching, metrics against reference implementations, report, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import write_jsonl

from coder.errors import InputError
from coder.evaluate import gold_to_records, read_gold_jsonl, run_evaluation
from coder.evaluate.gold import gold_article
from coder.evaluate.matching import SentenceIndex, match_events
from coder.evaluate.metrics import N_BINS, estimate, ratio
from coder.evaluate.report import build_figures
from coder.evaluate.spans import span_counts, spans_to_bio, tokenize
from coder.ontology.classes import EVENT_CLASSES
from coder.pipeline import Coder
from coder.tagger.base import SPAN_LABELS

ROOT = Path(__file__).resolve().parent.parent
SEEDS_GOLD = ROOT / "annotations" / "gold" / "seeds.jsonl"

TEXT = "Gunmen killed five villagers in Zamfara on Sunday. The army clashed with rebels near Gao on Monday."


def ev(text: str, trigger: str, nth: int = 0, **fields) -> dict:
    """An event whose evidence offsets point at the ``nth`` occurrence of ``trigger``."""
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(trigger, pos + 1)
    return {"evidence": {"start": pos, "end": pos + len(trigger), "trigger": trigger}, **fields}


def article(id: str, text: str = TEXT, events: list | None = None, lang: str = "en", **extra) -> dict:
    out = {"id": id, "text": text, "lang": lang, "date": "2024-03-31", **extra}
    if events is not None:
        out["events"] = events
    return out


def as_record(article_id: str, event: dict, **fields) -> dict:
    return {"article_id": article_id, "modality": "asserted", **event, **fields}


def evaluate(tmp_path: Path, gold: list[dict], records: list[dict] | None = None, **kw) -> dict:
    gpath = write_jsonl(tmp_path / "gold.jsonl", gold)
    ppath = write_jsonl(tmp_path / "pred.jsonl", records or [])
    kw.setdefault("bootstrap", 50)
    return run_evaluation(gpath, kw.pop("output", None), predictions=ppath, **kw)


def val(est: dict) -> float | None:
    return est["value"]


# -- the seed gold set ----------------------------------------------------------------------


def test_seed_gold_texts_offsets_and_classes_are_consistent():
    arts = {a.id: a for a in read_gold_jsonl(SEEDS_GOLD)}
    assert set(arts) == {p.stem for p in (ROOT / "seeds").glob("*.txt")}
    for a in arts.values():
        assert a.text == (ROOT / "seeds" / f"{a.id}.txt").read_text(encoding="utf-8")
        assert a.lang == "en"
        for e in a.events:
            s, t = e["evidence"]["start"], e["evidence"]["end"]
            assert a.text[s:t] == e["evidence"]["trigger"]
            ec = EVENT_CLASSES[e["event_class"]]
            assert (e["sub_event_type"], e["event_type"], e["cameo_root"]) == (ec.sub_event_type, ec.event_type, ec.cameo_root)
            assert e["cameo_code"].startswith(e["cameo_root"]) and e["modality"] == "asserted"
            assert (s, t, "TRIGGER") in a.spans
        for (_, e1, _), (s2, _, _) in zip(a.spans, a.spans[1:]):
            assert e1 <= s2  # spans never overlap
        assert all(a.text[s:t] == a.text[s:t].strip() for s, t, _ in a.spans)
    first, second = arts["000_31835609f0aae250"], arts["002_4e578edd4d821a1f"]
    assert first.date == "2024-03-31" and second.date is None
    paywall = first.text.index("You have 48.86% of this article left")
    assert all(e["evidence"]["end"] < paywall for e in first.events)
    bomb = next(e for e in second.events if e["sub_event_type"] == "Remote explosive/landmine/IED")
    assert bomb["fatalities"] == 5 and bomb["actor2"]["cameo_code"] == "SYRMIL" and bomb["location"]["country"] == "SYR"
    assert bomb["event_date"] is None  # "on Sunday" with no publication date
    ambush = next(e for e in second.events if e["fatalities"] == 13)
    assert ambush["actor1"]["name"].startswith("Islamic State") and ambush["location"]["name"] == "Masrib"
    assert ambush["location"]["admin1"] == "Deir ez-Zor"


def test_gold_against_itself_scores_perfectly(tmp_path):
    gold = read_gold_jsonl(SEEDS_GOLD)
    records = gold_to_records(gold)
    rep = run_evaluation(SEEDS_GOLD, tmp_path / "rep", predictions=write_jsonl(tmp_path / "r.jsonl", records), bootstrap=100)
    overall = rep["scores"]["overall"]
    assert overall["detection"]["gold"] == sum(len(a.events) for a in gold) > 0
    assert all(val(overall["detection"][k]) == 1.0 for k in ("precision", "recall", "f1"))
    scored_fields = {k: f for k, f in overall["fields"].items() if f["n"]}
    assert {"sub_event_type", "fatalities", "actor1.cameo_code", "location.admin1", "event_date", "modality"} <= set(scored_fields)
    assert all(val(f["accuracy"]) == 1.0 for f in scored_fields.values())
    assert val(overall["fields"]["sub_event_type"]["macro_f1"]) == 1.0
    assert val(overall["calibration"]["ece"]) == 0.0
    assert overall["detection"]["f1"]["ci_low"] == 1.0
    assert overall["spans"] is None  # records carry no spans


def test_gold_format_predictions_also_score_spans_perfectly(tmp_path):
    rep = run_evaluation(SEEDS_GOLD, None, predictions=SEEDS_GOLD, bootstrap=0)
    sp = rep["scores"]["overall"]["spans"]
    assert rep["predictions"]["spans"] == "file"
    assert val(sp["strict"]["micro"]["f1"]) == 1.0 and sp["strict"]["micro"]["support"] == 39
    assert all(val(sp[k]["overall"]["f1"]) == 1.0 for k in ("partial", "exact", "ent_type"))
    assert sp["strict"]["micro"]["f1"]["ci_low"] is None  # --bootstrap 0: no intervals


# -- edge cases -----------------------------------------------------------------------------


def test_empty_prediction_file_gives_zero_recall_and_a_full_report(tmp_path):
    rep = evaluate(tmp_path, [article("a", events=[ev(TEXT, "killed", sub_event_type="Attack")])], [],
                   output=tmp_path / "rep")
    det = rep["scores"]["overall"]["detection"]
    assert val(det["recall"]) == 0.0 and val(det["f1"]) == 0.0 and val(det["precision"]) is None
    assert rep["scores"]["overall"]["calibration"]["records"] == 0
    assert {p.name for p in (tmp_path / "rep").iterdir()} == {
        "report.json", "report.md", "confusion_sub_event_type.png", "reliability.png", "span_f1.png"}


def test_predictions_on_an_article_without_events_are_false_events(tmp_path):
    gold = [article("none", "Markets were calm on Tuesday.", events=[]), article("calm", "Nothing happened.", events=[])]
    recs = [as_record("none", ev(gold[0]["text"], "calm"), sub_event_type="Attack", confidence=0.9)] * 2
    rep = evaluate(tmp_path, gold, recs)
    s = rep["scores"]["overall"]
    assert s["no_event"] == {**s["no_event"], "articles": 2, "false_events": 2, "articles_with_false_events": 1}
    assert val(s["no_event"]["false_event_rate"]) == 0.5 and val(s["no_event"]["false_events_per_article"]) == 1.0
    assert val(s["detection"]["precision"]) == 0.0 and val(s["detection"]["recall"]) is None


def test_duplicate_predictions_match_once_and_count_as_false_positives(tmp_path):
    gold = [article("a", events=[ev(TEXT, "killed", sub_event_type="Attack"), ev(TEXT, "clashed", sub_event_type="Armed clash")])]
    hit = as_record("a", ev(TEXT, "killed", sub_event_type="Attack"))
    spurious = as_record("a", ev(TEXT, "army", sub_event_type="Armed clash"))
    rep = evaluate(tmp_path, gold, [hit, dict(hit), spurious])
    det = rep["scores"]["overall"]["detection"]
    assert (det["tp"], det["predicted"], det["gold"]) == (1, 3, 2)
    assert val(det["precision"]) == pytest.approx(1 / 3, abs=1e-4)
    assert val(det["recall"]) == 0.5 and val(det["f1"]) == pytest.approx(0.4)


def test_matching_uses_offsets_then_sentence_and_type_then_type():
    text = "Rebels attacked a base. Police arrested two men."
    index = SentenceIndex(text, lambda: [(0, 23), (24, 48)])
    g_sent = {"event_type": "Battles", "evidence": {"sentence": "Rebels attacked a base."}}
    p_other_sentence = {"event_type": "Battles", "evidence": {"start": 31, "end": 39}}
    p_same_sentence = {"event_type": "Battles", "evidence": {"start": 7, "end": 15}}
    p_wrong_type = {"event_type": "Protests", "evidence": {"start": 7, "end": 15}}
    assert match_events([g_sent], [p_other_sentence], index) == []
    assert match_events([g_sent], [p_wrong_type], index) == []
    assert match_events([g_sent], [p_other_sentence, p_same_sentence], index) == [(0, 1)]
    nowhere = {"cameo_root": "17"}
    assert match_events([nowhere], [{"cameo_code": "173", "evidence": {"start": 31, "end": 39}}], index) == [(0, 0)]
    # offsets win over type, and among overlapping predictions the agreeing sub-event type wins
    g = {"sub_event_type": "Attack", "evidence": {"start": 7, "end": 15}}
    assert match_events([g], [{"sub_event_type": "Armed clash", **p_same_sentence},
                              {"sub_event_type": "Attack", **p_same_sentence}], index) == [(0, 1)]


def test_matching_maximises_the_number_of_matches():
    g = [{"evidence": {"start": 0, "end": 10}}, {"evidence": {"start": 8, "end": 12}}]
    p = [{"evidence": {"start": 0, "end": 10}}, {"evidence": {"start": 9, "end": 30}}]
    p_first_best = [{"evidence": {"start": 8, "end": 12}}, {"evidence": {"start": 2, "end": 4}}]
    assert match_events(g, p) == [(0, 0), (1, 1)]
    assert match_events(g, p_first_best) == [(0, 1), (1, 0)]


def test_field_accuracy_and_macro_f1_match_scikit_learn(tmp_path):
    from sklearn.metrics import accuracy_score, f1_score

    pairs = [("Attack", "Attack"), ("Attack", "Armed clash"), ("Armed clash", "Armed clash"), ("Arrests", None),
             ("Peaceful protest", "Peaceful protest"), ("Armed clash", "Attack"), ("Arrests", "Arrests")]
    gold, recs = [], []
    for i, (g, p) in enumerate(pairs):
        gold.append(article(f"a{i}", events=[ev(TEXT, "killed", sub_event_type=g, event_type="X")]))
        recs.append(as_record(f"a{i}", ev(TEXT, "killed", sub_event_type=p, event_type="X")))
    f = evaluate(tmp_path, gold, recs)["scores"]["overall"]["fields"]["sub_event_type"]
    y_true = [g for g, _ in pairs]
    y_pred = [p or "(none)" for _, p in pairs]
    assert val(f["accuracy"]) == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-4)
    assert val(f["macro_f1"]) == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0), abs=1e-4)
    assert f["n"] == 7 and f["accuracy"]["ci_low"] <= val(f["accuracy"]) <= f["accuracy"]["ci_high"]


def test_fields_are_scored_only_where_the_gold_gives_them(tmp_path):
    g = [ev(TEXT, "killed", fatalities=None, actor1={"text": "Gunmen", "country": None}, location="Zamfara"),
         ev(TEXT, "clashed", actor2=None)]
    p = [as_record("a", ev(TEXT, "killed", fatalities=None, actor1={"text": "gunmen ", "country": "NGA"},
                          location={"text": "Zamfara", "country": "NGA"})),
         as_record("a", ev(TEXT, "clashed", fatalities=3, actor2={"text": "rebels"}))]
    f = evaluate(tmp_path, [article("a", events=g)], p)["scores"]["overall"]["fields"]
    assert f["fatalities"]["n"] == 1 and val(f["fatalities"]["accuracy"]) == 1.0  # explicit null: "none stated"
    assert f["actor1.text"]["n"] == 1 and val(f["actor1.text"]["accuracy"]) == 1.0  # case and spaces ignored
    assert f["actor1.country"]["n"] == 0 and f["actor2.text"]["n"] == 0 and f["location.country"]["n"] == 0
    assert f["location.admin1"]["accuracy"]["value"] is None


def test_only_asserted_events_count_for_detection_unless_all_modalities(tmp_path):
    gold = [article("a", events=[ev(TEXT, "killed"), ev(TEXT, "clashed", modality="negated")])]
    recs = [as_record("a", ev(TEXT, "killed")), as_record("a", ev(TEXT, "clashed"), modality="hypothetical")]
    default = evaluate(tmp_path, gold, recs)["scores"]["overall"]
    assert (default["detection"]["tp"], default["detection"]["predicted"], default["detection"]["gold"]) == (1, 1, 1)
    assert default["fields"]["modality"]["n"] == 1 and val(default["fields"]["modality"]["accuracy"]) == 0.0
    every = evaluate(tmp_path, gold, recs, all_modalities=True)["scores"]["overall"]["detection"]
    assert (every["tp"], every["predicted"], every["gold"]) == (2, 2, 2)


def test_figures_are_split_by_language(tmp_path):
    fr = "Des hommes armés ont tué sept civils dimanche à Kidal."
    gold = [article("en1", events=[ev(TEXT, "killed")]), article("fr1", fr, events=[ev(fr, "tué")], lang="fr"),
            article("fr2", fr, events=[ev(fr, "tué")], lang="fr")]
    recs = [as_record("en1", ev(TEXT, "killed")), as_record("fr1", ev(fr, "tué"))]
    s = evaluate(tmp_path, gold, recs)["scores"]
    assert (s["overall"]["articles"], s["en"]["articles"], s["fr"]["articles"]) == (3, 1, 2)
    assert val(s["en"]["detection"]["recall"]) == 1.0 and val(s["fr"]["detection"]["recall"]) == 0.5
    assert val(s["overall"]["detection"]["recall"]) == pytest.approx(2 / 3, abs=1e-4)


# -- metrics against references -------------------------------------------------------------


SPAN_TEXTS = [
    "Gunmen killed five villagers in Zamfara on Sunday.",
    "The army clashed with rebels near Gao on Monday, killing four soldiers.",
    "Police arrested two suspects.",
]


def _span_case():
    def sp(text, phrase, label, nth=0):
        pos = -1
        for _ in range(nth + 1):
            pos = text.index(phrase, pos + 1)
        return (pos, pos + len(phrase), label)

    t0, t1, t2 = SPAN_TEXTS
    gold = [
        [sp(t0, "Gunmen", "ACTOR1"), sp(t0, "killed", "TRIGGER"), sp(t0, "five villagers", "FATALITIES"),
         sp(t0, "Zamfara", "LOCATION"), sp(t0, "on Sunday", "TIME")],
        [sp(t1, "The army", "ACTOR1"), sp(t1, "clashed", "TRIGGER"), sp(t1, "rebels", "ACTOR2"), sp(t1, "Gao", "LOCATION"),
         sp(t1, "killing", "TRIGGER"), sp(t1, "four soldiers", "FATALITIES"), sp(t1, "four soldiers", "ACTOR2")],
        [],
    ]
    pred = [
        [sp(t0, "Gunmen", "ACTOR1"), sp(t0, "killed", "TRIGGER"), sp(t0, "villagers", "FATALITIES"),  # partial
         sp(t0, "Zamfara", "TIME"), sp(t0, "Sunday", "TIME")],  # wrong label, partial
        [sp(t1, "army", "ACTOR1"), sp(t1, "clashed", "TRIGGER"), sp(t1, "rebels near Gao", "ACTOR2"),
         sp(t1, "four soldiers", "FATALITIES")],
        [sp(t2, "Police", "ACTOR1"), sp(t2, "arrested", "TRIGGER")],
    ]
    return gold, pred


def test_strict_span_scores_match_seqeval():
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold, pred = _span_case()
    counts = span_counts(SPAN_TEXTS, gold, pred, compress=False)
    fast = span_counts(SPAN_TEXTS, gold, pred)
    assert all((fast.strict[lab] == counts.strict[lab]).all() for lab in SPAN_LABELS)
    assert len(fast.sequences["TIME"][0][0]) < len(counts.sequences["TIME"][0][0]) == len(tokenize(SPAN_TEXTS[0]))
    y_true = [seq for lab in SPAN_LABELS for seq in counts.sequences[lab][0]]
    y_pred = [seq for lab in SPAN_LABELS for seq in counts.sequences[lab][1]]
    ref = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    for lab in SPAN_LABELS:
        tp, n_pred, n_gold = counts.strict[lab].sum(0)
        if n_gold:
            assert ratio(tp, n_gold) == pytest.approx(ref[lab]["recall"])
            assert ref[lab]["support"] == n_gold
        if n_pred:
            assert ratio(tp, n_pred) == pytest.approx(ref[lab]["precision"])
    tp, n_pred, n_gold = sum(counts.strict[lab].sum(0) for lab in SPAN_LABELS)
    assert 2 * tp / (n_pred + n_gold) == pytest.approx(ref["micro avg"]["f1-score"])
    assert (tp, n_pred, n_gold) == (4, 11, 12)  # by hand: Gunmen, killed, clashed, four soldiers


def test_partial_span_scores_match_nervaluate_and_a_hand_count():
    from nervaluate import Evaluator

    gold, pred = _span_case()
    counts = span_counts(SPAN_TEXTS, gold, pred)

    def dicts(spans):
        return [[{"label": lab, "start": a, "end": b - 1} for a, b, lab in sorted(doc)] for doc in spans]

    ref = Evaluator(dicts(gold), dicts(pred), tags=list(SPAN_LABELS), loader="dict").evaluate()
    for kind in ("partial", "exact", "ent_type"):
        ours = counts.nerv[kind]["overall"].sum(0)
        r = ref["overall"][kind]
        assert tuple(ours) == (r.correct, r.incorrect, r.partial, r.missed, r.spurious)
    # FATALITIES: "villagers" inside "five villagers" is half right; "four soldiers" exact
    cor, inc, par, mis, spu = counts.nerv["partial"]["FATALITIES"].sum(0)
    assert (cor, par, mis, spu) == (1, 1, 0, 0)
    assert (cor + 0.5 * par) / (cor + inc + par + spu) == pytest.approx(0.75)


def test_overlapping_spans_of_one_label_are_dropped_from_bio_and_counted():
    text = "the army of Mali attacked"
    tokens = tokenize(text)
    tags, dropped = spans_to_bio([(0, 16, "ACTOR1"), (4, 8, "ACTOR1"), (17, 25, "TRIGGER")], tokens, "ACTOR1")
    assert tags == ["B-ACTOR1", "I-ACTOR1", "I-ACTOR1", "I-ACTOR1", "O"] and dropped == 1
    counts = span_counts([text], [[(0, 16, "ACTOR1"), (4, 8, "ACTOR2")]], [[(4, 8, "ACTOR2"), (4, 8, "ACTOR2")]])
    assert counts.strict["ACTOR2"].sum(0).tolist() == [1, 1, 1]  # cross-label overlap kept; duplicate dropped
    assert counts.dropped == {"gold": 0, "pred": 1}


def test_ece_matches_scikit_learn_calibration_curve(tmp_path):
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(3)
    conf = np.concatenate([rng.uniform(0, 1, 40), [0.1, 0.3, 1.0, 0.0]])
    right = rng.uniform(0, 1, len(conf)) < conf
    gold, recs = [], []
    for i, (c, ok) in enumerate(zip(conf, right)):
        gold.append(article(f"c{i}", events=[ev(TEXT, "killed", sub_event_type="Attack")]))
        recs.append(as_record(f"c{i}", ev(TEXT, "killed", sub_event_type="Attack" if ok else "Armed clash"),
                              confidence=float(c)))
    cal = evaluate(tmp_path, gold, recs)["scores"]["overall"]["calibration"]
    prob_true, prob_pred = calibration_curve(right.astype(int), conf, n_bins=N_BINS, strategy="uniform")
    n = np.bincount(np.searchsorted(np.linspace(0, 1, N_BINS + 1)[1:-1], conf), minlength=N_BINS)
    ref = float(np.sum(n[n > 0] / n.sum() * np.abs(prob_true - prob_pred)))
    assert val(cal["ece"]) == pytest.approx(ref, abs=1e-4)
    assert [b["count"] for b in cal["bins"]] == n.tolist()
    nonempty = [b for b in cal["bins"] if b["count"]]
    assert [b["accuracy"] for b in nonempty] == pytest.approx(prob_true.tolist(), abs=1e-4)


def test_unmatched_records_count_as_wrong_for_calibration(tmp_path):
    gold = [article("a", events=[ev(TEXT, "killed", cameo_root="18")])]
    recs = [as_record("a", ev(TEXT, "killed", cameo_code="180"), confidence=0.8),
            as_record("a", ev(TEXT, "army"), confidence=0.6)]
    cal = evaluate(tmp_path, gold, recs)["scores"]["overall"]["calibration"]
    assert val(cal["ece"]) == pytest.approx((abs(1 - 0.8) + abs(0 - 0.6)) / 2)


def test_bootstrap_is_seeded_and_equals_naive_resampling():
    rng = np.random.default_rng(0)
    counts = {"tp": rng.integers(0, 3, 30).astype(float), "n": np.full(30, 3.0)}
    metric = {"m": lambda s: ratio(s["tp"], s["n"])}
    rows = np.arange(30)
    a = estimate(counts, rows, metric, n_boot=300, seed=11)["m"]
    b = estimate(counts, rows, metric, n_boot=300, seed=11)["m"]
    assert a == b and a.value == pytest.approx(counts["tp"].sum() / 90)
    draws = np.random.default_rng(11).multinomial(30, np.full(30, 1 / 30), size=300)
    naive = [sum(counts["tp"][i] * w for i, w in enumerate(row)) / sum(3 * w for w in row) for row in draws]
    lo, hi = np.percentile(naive, [2.5, 97.5])
    assert (a.ci_low, a.ci_high) == pytest.approx((lo, hi))
    assert a.ci_low < a.value < a.ci_high
    assert estimate(counts, rows, metric, n_boot=300, seed=12)["m"] != a


# -- model, report, plots, CLI --------------------------------------------------------------


def test_model_spans_come_back_in_article_offsets(tmp_path, fake_coder):
    text = "Markets opened.\n\nGunmen killed five villagers in Zamfara on Sunday."

    def sp(phrase, label):
        s = text.index(phrase)
        return {"start": s, "end": s + len(phrase), "label": label}

    spans = [sp("Gunmen", "ACTOR1"), sp("killed", "TRIGGER"), sp("five villagers", "FATALITIES"),
             sp("Zamfara", "LOCATION"), sp("on Sunday", "TIME")]
    gold = [article("g", text, events=[ev(text, "killed", sub_event_type="Attack")], spans=spans)]
    rep = run_evaluation(write_jsonl(tmp_path / "g.jsonl", gold), None, coder=fake_coder, bootstrap=20)
    sp_scores = rep["scores"]["overall"]["spans"]["strict"]
    assert rep["predictions"]["spans"] == "model"
    assert all(val(sp_scores[lab]["f1"]) == 1.0 for lab in ("ACTOR1", "TRIGGER", "FATALITIES", "LOCATION", "TIME"))
    assert val(rep["scores"]["overall"]["detection"]["recall"]) == 1.0


def test_figures_have_titles_and_labelled_axes_and_pngs_open(tmp_path):
    from PIL import Image

    rep = run_evaluation(SEEDS_GOLD, tmp_path / "rep", predictions=SEEDS_GOLD, bootstrap=20)
    figures = build_figures(rep)
    assert set(figures) == set(rep["files"]["plots"])
    for fig in figures.values():
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    for name in rep["files"]["plots"].values():
        with Image.open(tmp_path / "rep" / name) as im:
            im.verify()
            assert im.format == "PNG"
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "## Events" in md and "![Reliability diagram](reliability.png)" in md and "| TRIGGER |" in md


def test_bad_gold_line_names_the_line(tmp_path):
    path = write_jsonl(tmp_path / "g.jsonl", [article("a", events=[]), "{oops", article("b", events=[])])
    with pytest.raises(InputError, match="E101 line 2"):
        run_evaluation(path, None, predictions=path)
    with pytest.raises(InputError, match="E109"):
        gold_article({"id": "x", "text": "abc", "spans": [{"start": 0, "end": 9, "label": "TRIGGER"}]})
    with pytest.raises(InputError, match="trigger 'killed' is not the text"):
        gold_article({"id": "x", "text": TEXT, "events": [{"evidence": {"start": 0, "end": 6, "trigger": "killed"}}]})


def test_cli_evaluate_writes_the_report_with_the_tiny_model(tmp_path, tiny_model_dir):
    from typer.testing import CliRunner

    from coder.cli import app

    out = tmp_path / "rep"
    res = CliRunner().invoke(app, ["evaluate", str(SEEDS_GOLD), "-o", str(out), "--model", str(tiny_model_dir),
                                   "--bootstrap", "50", "--seed", "3"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report["scores"]) == {"overall", "en", "fr"}
    assert report["predictions"]["source"] == "model" and report["predictions"]["spans"] == "model"
    assert report["scores"]["overall"]["detection"]["gold"] == 11
    assert report["scores"]["overall"]["spans"]["strict"]["micro"]["support"] == 39
    assert (out / "report.md").is_file() and (out / "span_f1.png").stat().st_size > 0


def test_cli_evaluate_without_a_model_says_E301(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from coder.cli import app

    monkeypatch.setenv("CODER_MODEL", str(tmp_path / "no-model"))
    res = CliRunner().invoke(app, ["evaluate", str(SEEDS_GOLD), "-o", str(tmp_path / "rep")])
    assert res.exit_code == 1
    assert "E301" in res.output
    assert not (tmp_path / "rep").exists()


def test_coder_records_round_trip_through_the_predictions_file(tmp_path, fake_coder):
    gold = [article("g", events=[ev(TEXT, "killed", sub_event_type="Attack")]), article("n", "Markets opened.", events=[])]
    gpath = write_jsonl(tmp_path / "g.jsonl", gold)
    recs = [r.model_dump(mode="json") for r in Coder(fake_coder.tagger).code_many(gold)]
    from_file = run_evaluation(gpath, None, predictions=write_jsonl(tmp_path / "p.jsonl", recs), bootstrap=0)
    from_model = run_evaluation(gpath, None, coder=fake_coder, bootstrap=0, spans=False)
    assert from_file["scores"]["overall"]["detection"] == from_model["scores"]["overall"]["detection"]
    assert from_model["scores"]["overall"]["detection"]["tp"] == 1
