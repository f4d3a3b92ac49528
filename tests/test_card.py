"""The generated model card lists every label, class and source, and the scores it was given."""

from __future__ import annotations

from coder.ontology.classes import EVENT_CLASSES
from coder.tagger.base import SPAN_LABELS
from coder.train.card import ModelCard


def test_card_lists_labels_classes_sources_and_scores(tmp_path):
    scores = {"en": {"spans": {"TRIGGER": {"f1-score": 0.91}}, "class_accuracy": 0.88, "modality_accuracy": 0.9},
              "fr": {"spans": {"TRIGGER": {"f1-score": 0.87}}, "class_accuracy": 0.86, "modality_accuracy": None}}
    card = ModelCard(name="m", version="1", base_model="tiny", sources=["ours", "ecbplus"], test_scores=scores,
                     training_data={"train": {"en": {"documents": 3, "sentences": 9, "events": 4}}})
    text = card.write(tmp_path).read_text(encoding="utf-8")
    for lab in SPAN_LABELS:
        assert f"`{lab}`" in text
    for key in EVENT_CLASSES:
        assert f"`{key}`" in text
    assert "CC BY 3.0" in text and "| en | 0.910 |" in text and "| fr | 0.870 |" in text
    assert "| train | en | 3 | 9 | 4 |" in text
