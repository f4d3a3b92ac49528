"""A prepared article: cleaned text, language, publication date and the sentences to tag."""

from __future__ import annotations

from dataclasses import dataclass

from coder.clean import content_spans, detect_language, find_publication_date, looks_like_html, strip_html
from coder.errors import Errors, InputError
from coder.schema import Article
from coder.segment import split_sentences

SUPPORTED_LANGUAGES = ("en", "fr")


@dataclass
class Document:
    """An article ready for tagging. Offsets (sentences, evidence) index into ``text``."""

    article: Article
    text: str
    lang: str
    pub_date: str | None
    sentences: list[tuple[int, int]]

    @property
    def id(self) -> str:
        """The article id."""
        return self.article.id


def prepare(article: Article) -> Document:
    """Strip HTML, mask boilerplate, decide language and publication date, split sentences.

    Raises :class:`~coder.errors.InputError` (E103, E104) for empty or unsupported-language text.
    """
    text = strip_html(article.text) if looks_like_html(article.text) else article.text
    blocks = content_spans(text)
    if not blocks:
        raise InputError(Errors.E103)
    lang = article.lang
    if lang is None:
        lang = detect_language(" ".join(text[a:b] for a, b in blocks[:40]))
    if lang not in SUPPORTED_LANGUAGES:
        raise InputError(Errors.E104.format(lang=lang))
    pub_date = article.date or find_publication_date(text, lang)
    sentences: list[tuple[int, int]] = []
    for a, b in blocks:
        sentences.extend((a + s, a + e) for s, e in split_sentences(text[a:b], lang))
    return Document(article=article, text=text, lang=lang, pub_date=pub_date, sentences=sentences)
