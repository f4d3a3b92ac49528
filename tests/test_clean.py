"""Text preparation: boilerplate, language, publication date, sentences."""

from __future__ import annotations

from coder.clean import content_spans, detect_language, find_publication_date, strip_html
from coder.document import prepare
from coder.schema import Article
from coder.segment import split_sentences


def test_first_seed_french_paywall_is_masked(seeds_dir):
    text = (seeds_dir / "000_31835609f0aae250.txt").read_text(encoding="utf-8")
    spans = content_spans(text)
    kept = "\n".join(text[a:b] for a, b in spans)
    assert "Lecture du Monde" not in kept
    assert "Vous pouvez lire Le Monde" not in kept
    assert "Subscribers only" not in kept and "Lire en français" not in kept
    assert "Badiya desert" in kept


def test_second_seed_app_notice_is_masked(seeds_dir):
    text = (seeds_dir / "002_4e578edd4d821a1f.txt").read_text(encoding="utf-8")
    kept = "\n".join(text[a:b] for a, b in content_spans(text))
    assert "Download the France 24 application" not in kept and "google-play-badge" not in kept
    assert "A general and four soldiers were killed" in kept


def test_publication_date_from_published_line_and_dateline(seeds_dir):
    text = (seeds_dir / "000_31835609f0aae250.txt").read_text(encoding="utf-8")
    assert find_publication_date(text, "en") == "2024-03-31"
    assert find_publication_date("Publié le 12 mars 2023 à 10h05\nTexte.", "fr") == "2023-03-12"
    assert find_publication_date("BAMAKO, 14 mai 2022 (AFP) - Des hommes armés...", "fr") == "2022-05-14"
    assert find_publication_date("No date in here at all.", "en") is None


def test_language_detection_and_unsupported_language():
    assert detect_language("Des hommes armés ont tué sept civils vendredi dans le nord du pays.") == "fr"
    assert detect_language("Gunmen killed seven civilians on Friday in the north of the country.") == "en"
    import pytest

    from coder.errors import InputError

    with pytest.raises(InputError, match="E104"):
        prepare(Article(id="de", text="Bewaffnete Männer haben am Freitag im Norden des Landes sieben Zivilisten getötet."))


def test_html_is_stripped_and_offsets_index_the_stripped_text():
    doc = prepare(Article(id="h", text="<html><body><p>Gunmen killed five villagers.</p><script>x()</script></body></html>"))
    assert doc.text == "Gunmen killed five villagers."
    assert strip_html("<p>a &amp; b</p>") == "a & b"


def test_french_sentences_keep_abbreviations():
    text = "Le président M. Macron a parlé samedi. Les forces de l'ordre ont arrêté deux hommes."
    assert [text[a:b] for a, b in split_sentences(text, "fr")] == [
        "Le président M. Macron a parlé samedi.", "Les forces de l'ordre ont arrêté deux hommes."]
