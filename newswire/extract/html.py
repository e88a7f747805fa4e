"""Main-text and metadata extraction from HTML pages via trafilatura.

trafilatura already handles DOM-level boilerplate well; on top of it we drop
the boilerplate lines our text-dump scorer recognises (appeals, share
prompts, agency bios) and take wire agency and dates from the page too.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from lxml import etree
from lxml import html as lxml_html

from newswire.extract import metadata as md
from newswire.extract.fingerprint import normalise_line
from newswire.extract.lang import detect_language
from newswire.extract.model import ExtractedArticle
from newswire.extract.textdump import extract_text_dump, is_furniture_line

logger = logging.getLogger(__name__)

_WS_LINES = re.compile(r"\n{2,}")


def _parse_meta_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_META_DATE_KEYS = {
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
}
_JSONLD_DATE_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')


def _page_timestamp(tree: object | None, html: str) -> datetime | None:
    """Full publication timestamp from meta tags or JSON-LD (htmldate keeps only the day)."""
    candidates: list[str] = []
    if tree is not None:
        for el in tree.iter("meta"):  # type: ignore[attr-defined]
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            if key in _META_DATE_KEYS and el.get("content"):
                candidates.append(el.get("content").strip())
    candidates.extend(_JSONLD_DATE_RE.findall(html[:500_000]))
    for value in candidates:
        parsed = _parse_meta_date(value.replace("Z", "+00:00"))
        if parsed is not None:
            return parsed
    return None


def _figcaptions(tree: object | None) -> list[str]:
    """Text of <figcaption> elements: the page's own captions."""
    if tree is None:
        return []
    out: list[str] = []
    for el in tree.iter("figcaption"):  # type: ignore[attr-defined]
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        if text and text not in out:
            out.append(text)
    return out


_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "nav", "aside", "figure", "figcaption", "blockquote", "pre",
}  # fmt: skip


def _html_to_text(tree: object) -> str:
    """Browser-like text dump of a page (one block per line), for the text-dump extractor."""
    from copy import deepcopy

    root = deepcopy(tree)
    for el in list(root.iter("script", "style", "noscript", "template")):  # type: ignore[attr-defined]
        el.drop_tree()
    for el in root.iter():  # type: ignore[attr-defined]
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    text = root.text_content()  # type: ignore[attr-defined]
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def _clean_paragraphs(paragraphs: list[str], title: str) -> list[str]:
    """Drop what trafilatura keeps around the story: repeated headline, byline, furniture lines."""
    title_key = normalise_line(title) if title else ""
    out: list[str] = []
    for i, para in enumerate(paragraphs):
        key = normalise_line(para)
        if not key:
            continue
        if i < 3 and title_key and key == title_key:
            continue
        if i < 4 and md.byline_author(para) and len(para.split()) <= 12:
            continue
        if is_furniture_line(para):
            continue
        out.append(para)
    return out


class _FlatText(HTMLParser):
    """Visible text of a page from a flat tag stream (no tree, so no nesting limit)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _flat_text(html: str) -> str:
    parser = _FlatText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())


def _fallback(tree: object | None, url: str | None, html: str | None = None) -> ExtractedArticle:
    """The text-dump extractor over the page's visible text.

    libxml2 (behind lxml and trafilatura) stops building the tree past a nesting
    depth of a few hundred elements, silently losing the text below; when the tree
    yields (almost) nothing, the standard library's flat tokenizer is used instead.
    """
    art = extract_text_dump(_html_to_text(tree), url=url) if tree is not None else None
    if html and (art is None or len(art.body.split()) < 15):
        flat = extract_text_dump(_flat_text(html), url=url)
        if art is None or len(flat.body.split()) > len(art.body.split()):
            art = flat
    return art or ExtractedArticle(title=None, body="", captions=[], url=url)


def extract_html(html: str, *, url: str | None = None) -> ExtractedArticle:
    """Extract an article from an HTML page.

    Body from trafilatura (tables kept, comments dropped); title, author,
    site name and date from its metadata (htmldate), language from the body.
    """
    import trafilatura

    doc = None
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except Exception:  # pragma: no cover - malformed markup
        logger.warning("trafilatura failed on %s", url or "<html>", exc_info=True)
    try:
        tree = lxml_html.fromstring(html) if html.strip() else None
    except (ValueError, TypeError, etree.ParserError):
        tree = None
    if doc is None:
        return _fallback(tree, url, html)
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = data.get("text") or ""
    paragraphs = _clean_paragraphs(_paragraphs(text), (data.get("title") or "").strip())
    body = "\n\n".join(paragraphs)
    if len(body.split()) < 15:
        # trafilatura found (almost) nothing: read the page like a browser text dump instead
        fallback = _fallback(tree, url, html)
        if len(fallback.body.split()) >= 15:
            body = fallback.body
    published = _parse_meta_date(data.get("date"))
    stamp = _page_timestamp(tree, html)
    if stamp is not None and (published is None or stamp.date() == published.date()):
        published = stamp
    title = (data.get("title") or "").strip() or None
    sitename = (data.get("sitename") or "").strip() or None
    publisher = sitename or md.publisher_from_url(url or data.get("url"))
    agency = md.detect_wire_agency(paragraphs[:3] + paragraphs[-3:] + ([data.get("author") or ""]))
    author = (data.get("author") or "").strip() or None
    return ExtractedArticle(
        title=title,
        body=body,
        captions=_figcaptions(tree),
        author=author,
        publisher=publisher,
        wire_agency=agency,
        published_at=published,
        published_date_source="meta" if published is not None else None,
        language=detect_language(body) if body else None,
        url=url or data.get("url"),
    )
