"""Text preparation before tagging: HTML stripping, boilerplate masking, language, publication date.

Offsets in output records refer to the article text *after* HTML stripping (plain text is left
untouched). Boilerplate is masked, not deleted, so offsets stay valid: :func:`content_spans`
returns the character ranges that are worth tagging.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

DATEPARSER_LOCK = threading.Lock()
"""dateparser is not thread-safe; :class:`coder.pipeline.Coder` prepares the next chunk in a
background thread while the normaliser parses dates, so every ``dateparser.parse`` call holds this."""

_TAG_RE = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z][a-zA-Z0-9]*|!--)[^>]*>")

# A line matching one of these is site furniture, not news (English and French).
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(?:
        subscribers?\ only | réservé\ aux\ abonnés | article\ réservé\ aux\ abonnés
      | read\ (?:it\ )?in\ (?:english|french) | lire\ en\ (?:français|anglais) | (?:version\ )?(?:english|française)\ version
      | time\ to\ \d+\ min\.? | temps\ de\ lecture\s*:?\s*\d+\ min\.?
      | (?:download|get)\ the\ .{0,40}\ app(?:lication)? | téléchargez\ l[’']application.* | take\ .{0,40}\ with\ you!?
      | i\ subscribe | je\ m[’']abonne | abonnez-vous.* | subscribe\ (?:now|today).* | s[’']abonner
      | sign\ up\ for\ .{0,60}newsletter.* | inscrivez-vous\ à\ .{0,40}newsletter.*
      | (?:we|this\ (?:site|website))\ uses?\ cookies.* | .{0,60}\ utilise\ des\ cookies.* | accept(?:er)?\ (?:all\ )?cookies.*
      | (?:share|partager)(?:\ (?:on|sur)\ .{0,20})? | (?:follow|suivez)(?:-nous)?\ (?:us\ )?(?:on|sur)\ .{0,30}
      | advertisement | publicité | lire\ aussi\ :?.* | read\ also\ :?.* | see\ also\ :?.* | related\ :.*
      | .{0,20}google-play-badge.* | .{0,40}app\ store.{0,20}
      | (?:published|updated|posted)\ (?:on\ )?.{0,60} | (?:publié|mis\ à\ jour)\ le\ .{0,60} | by\s.{0,80}(?:correspondent|reporter)\)? | par\ .{0,80}(?:correspondant|envoyé\ spécial).{0,20}
      | the\ summary\ of\ the\ week | le\ résumé\ de\ la\ semaine
      | .{0,60}\ invites\ you\ to\ come\ back\ to\ the\ news.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# A line matching one of these starts a paywall / device-limit block: it and everything after it
# is boilerplate.
_PAYWALL_START = re.compile(
    r"""(?:you\ have\ [\d.,]+\s?%\ of\ this\ article\ left\ to\ read
      | il\ vous\ reste\ [\d.,]+\s?%\ de\ cet\ article\ à\ lire
      | the\ rest\ (?:of\ this\ article\ )?is\ (?:reserved\ )?for\ subscribers
      | la\ suite\ est\ réservée\ aux\ abonnés
      | lecture\ du\ monde\ en\ cours\ sur\ un\ autre\ appareil
      | votre\ abonnement\ n[’']autorise\ pas
      | this\ article\ is\ reserved\ for\ subscribers
      | to\ continue\ reading,?\ (?:subscribe|log\ in))""",
    re.IGNORECASE | re.VERBOSE,
)

_LINE_RE = re.compile(r"[^\n]*")


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML markup worth stripping."""
    return len(_TAG_RE.findall(text[:20000])) >= 2


def strip_html(text: str) -> str:
    """Return the visible text of an HTML fragment, block elements as line breaks."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(text)
    for node in tree.css("script, style, noscript, template, iframe, svg, nav, footer, header, form"):
        node.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    for node in root.css("p, div, br, li, h1, h2, h3, h4, h5, h6, tr, section, article, blockquote"):
        node.insert_after("\n")
    out = root.text(separator="", deep=True)
    out = re.sub(r"[ \t\r\f\v]+", " ", out)
    out = re.sub(r" *\n *", "\n", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def is_boilerplate_line(line: str) -> bool:
    """True for a line of site furniture (paywall, cookies, app and subscription notices)."""
    return bool(_BOILERPLATE_LINE.match(line))


def content_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the lines worth tagging: boilerplate lines and paywall tails excluded."""
    spans: list[tuple[int, int]] = []
    for m in _LINE_RE.finditer(text):
        line = m.group()
        if not line.strip():
            continue
        if _PAYWALL_START.search(line):
            break
        if is_boilerplate_line(line):
            continue
        spans.append((m.start(), m.end()))
    return spans


# Languages a news dump plausibly mixes with English and French. Restricting the identifier to
# them avoids calling short English copy Nigerian Pidgin or Scots.
_CANDIDATES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "ar", "ru", "uk", "tr", "fa", "ur", "hi", "bn", "zh", "ja", "ko",
    "id", "ms", "sw", "am", "ha", "so", "pl", "ro", "el", "he", "vi", "th", "sv", "da", "no", "fi", "cs", "hu",
)


@cache
def _identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE)
    ident.set_languages(list(_CANDIDATES))
    return ident


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid over ~97 languages).

    Only the first 5,000 characters are looked at. Returns the top language, which may be
    neither ``en`` nor ``fr``; the caller reports those as unsupported.
    """
    sample = text[:5000]
    if not re.search(r"[^\W\d_]", sample):
        return "und"
    lang, _ = _identifier().classify(sample)
    return lang


_PUBDATE_LINE = re.compile(
    r"^\s*(?:published|posted|updated|first\ published|publié|mis\ en\ ligne|mis\ à\ jour)\s*(?:on|le)?\s*:?\s*(?P<date>.{6,60}?)(?:,?\s*(?:at|à)\s+\d.*)?$",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)
_DATELINE = re.compile(
    r"^\s*[A-ZÀ-Ý][A-ZÀ-Ý .'-]{1,40},?\s*(?:\([^)]*\)\s*)?(?P<date>\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4})\s*(?:\((?:AFP|Reuters|AP|Xinhua|ANI)\))?\s*[-–—]",
    re.MULTILINE,
)


def find_publication_date(text: str, lang: str = "en") -> str | None:
    """Publication date (ISO) read from a "Published on ..." / "Publié le ..." line or a dateline.

    Only the first 3,000 characters are searched; returns None when no full date (with a year)
    is found.
    """
    head = text[:3000]
    for regex in (_PUBDATE_LINE, _DATELINE):
        for m in regex.finditer(head):
            parsed = _parse_date(m.group("date"), lang)
            if parsed:
                return parsed
    return None


def _parse_date(fragment: str, lang: str) -> str | None:
    if not re.search(r"\b(?:19|20)\d{2}\b", fragment):
        return None
    import dateparser

    with DATEPARSER_LOCK:
        dt = dateparser.parse(
            fragment,
            languages=[lang, "en", "fr"] if lang in ("en", "fr") else ["en", "fr"],
            settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
        )
    return dt.date().isoformat() if dt else None
