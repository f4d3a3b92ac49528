"""Word-level BIO decoding of the tagger: spans never start with ``I-`` after ``O``."""

from __future__ import annotations

import numpy as np

from coder.tagger.windows import WindowedTagger

LABELS = ["O", "B-ACTOR2", "I-ACTOR2", "B-TRIGGER", "I-TRIGGER"]


class _Tagger(WindowedTagger):
    def __init__(self, span_bias: dict | None = None) -> None:  # only the decoding state, no tokenizer
        self.id2label = dict(enumerate(LABELS))
        self._trans = None
        self.span_bias = span_bias or {}  # the mechanisms alone; the shipped bias has its own test


def _probs(rows: list[dict[str, float]]) -> np.ndarray:
    out = np.full((len(rows), len(LABELS)), 0.01)
    for i, row in enumerate(rows):
        for lab, p in row.items():
            out[i, LABELS.index(lab)] = p
    return out / out.sum(1, keepdims=True)


def test_viterbi_bridges_a_fragmented_span_instead_of_starting_one_with_inside():
    # "un repaire de gangs": the argmax would give B O I I (two spans); a valid path joins them
    probs = _probs([{"B-ACTOR2": 0.9}, {"O": 0.5, "I-ACTOR2": 0.45}, {"I-ACTOR2": 0.9}, {"I-ACTOR2": 0.9}])
    path = [LABELS[i] for i in _Tagger()._viterbi(probs)]
    assert path == ["B-ACTOR2", "I-ACTOR2", "I-ACTOR2", "I-ACTOR2"]


def test_viterbi_never_continues_another_label_or_starts_with_inside():
    probs = _probs([{"I-ACTOR2": 0.6, "O": 0.3}, {"B-TRIGGER": 0.9}, {"I-ACTOR2": 0.6, "O": 0.35}])
    path = [LABELS[i] for i in _Tagger()._viterbi(probs)]
    assert path[0] != "I-ACTOR2" and path[1] == "B-TRIGGER" and path[2] != "I-ACTOR2"
    for prev, cur in zip(path, path[1:]):
        assert not cur.startswith("I-") or prev[2:] == cur[2:]


def test_viterbi_merges_touching_spans_of_one_label():
    # "frappe de | drone": B I B would make two touching triggers; one span (or one word less) wins
    probs = _probs([{"B-TRIGGER": 0.9}, {"I-TRIGGER": 0.8}, {"B-TRIGGER": 0.5, "I-TRIGGER": 0.4}])
    path = [LABELS[i] for i in _Tagger()._viterbi(probs)]
    assert path == ["B-TRIGGER", "I-TRIGGER", "I-TRIGGER"]


def test_a_trigger_may_start_on_a_word_read_as_inside_one():
    # "a bomb exploded": bomb O, exploded I-TRIGGER 0.46 / O 0.31 / B-TRIGGER 0.21 → a trigger
    probs = _probs([{"O": 0.98}, {"O": 0.64, "I-TRIGGER": 0.17, "B-TRIGGER": 0.17},
                    {"I-TRIGGER": 0.46, "O": 0.31, "B-TRIGGER": 0.21}])
    path = [LABELS[i] for i in _Tagger()._viterbi(probs)]
    assert path == ["O", "O", "B-TRIGGER"]


def test_a_begin_bias_asks_a_span_for_a_clearer_margin():
    # B-ACTOR2 0.40 against O 0.35: a span without bias, none with the shipped -1.0
    probs = _probs([{"O": 0.9}, {"B-ACTOR2": 0.40, "O": 0.35}, {"O": 0.9}])
    assert [LABELS[i] for i in _Tagger()._viterbi(probs)] == ["O", "B-ACTOR2", "O"]
    shipped = _Tagger(dict(WindowedTagger.span_bias))
    assert WindowedTagger.span_bias["ACTOR2"] < 0
    assert [LABELS[i] for i in shipped._viterbi(probs)] == ["O", "O", "O"]
    sure = _probs([{"O": 0.9}, {"B-ACTOR2": 0.9}, {"O": 0.9}])
    assert [LABELS[i] for i in shipped._viterbi(sure)] == ["O", "B-ACTOR2", "O"]
