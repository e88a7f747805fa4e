"""Metadata found in page text: publisher, wire agency, dates, bylines.

All detectors are generic patterns of news pages (copyright and "Support X"
signatures, agency datelines and credits, date lines near the headline), not
rules for particular sites.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

# Canonical agency name -> pattern matching how it is written in credits and datelines.
WIRE_AGENCIES: dict[str, str] = {
    "Reuters": r"Reuters|Thomson Reuters",
    "AP": r"AP|Associated Press|The Associated Press",
    "AFP": r"AFP|Agence France[- ]Presse",
    "Bloomberg": r"Bloomberg(?: News)?",
    "dpa": r"dpa|Deutsche Presse-Agentur",
    "Xinhua": r"Xinhua(?: News Agency)?",
    "TASS": r"TASS|ITAR-TASS",
    "Interfax": r"Interfax",
    "RIA Novosti": r"RIA Novosti|RIA",
    "UPI": r"UPI|United Press International",
    "EFE": r"EFE",
    "ANSA": r"ANSA",
    "Kyodo": r"Kyodo(?: News)?",
    "Yonhap": r"Yonhap(?: News Agency)?",
    "PA": r"PA Media|Press Association",
    "Anadolu": r"Anadolu(?: Agency)?",
    "CNA": r"Central News Agency",
    "PTI": r"PTI|Press Trust of India",
    "IANS": r"IANS",
}
_AGENCY_ALT = "|".join(f"(?P<a{i}>{p})" for i, p in enumerate(WIRE_AGENCIES.values()))
_AGENCY_NAMES = list(WIRE_AGENCIES)


def _agency_from_match(m: re.Match[str]) -> str | None:
    for i, name in enumerate(_AGENCY_NAMES):
        if m.group(f"a{i}"):
            return name
    return None


# a credit line that is only the agency name (optionally "Source:", "©", "Copyright")
_STANDALONE = re.compile(
    rf"^\s*(?:[•·\-*]\s*)?(?:Source:\s*|©\s*|Copyright\s+(?:©\s*)?(?:\d{{4}}\s+)?)?(?:{_AGENCY_ALT})\.?\s*$"
)

# Strongest first: datelines and bylines state who wrote the text; credits and bios
# next; photo credits last (they name who took the picture).
_AGENCY_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    # "MOSCOW, June 5 (Reuters) -" / "(AP) —"
    (0, re.compile(rf"\((?:{_AGENCY_ALT})\)\s*[-—–:]")),
    # "By Jane Doe, Reuters" / "By Reuters" / "Reporting by ...; Editing by ..." with agency
    (1, re.compile(rf"^\s*(?:By|Von|Par|Por)\s+(?:[^,;]{{0,60}}[,/|]\s*|\s*)(?:{_AGENCY_ALT})\s*\.?\s*$")),
    (2, _STANDALONE),
    # agency bio: "Reuters is a news agency ..."
    (2, re.compile(rf"^\s*(?:{_AGENCY_ALT})\s+is\s+(?:an?|the)\s+[^.]*\b(?:agency|wire service|news)\b")),
    # "(c) Copyright Thomson Reuters 2014", "Copyright 2019 The Associated Press"
    (2, re.compile(rf"(?:©|\(c\)|Copyright)\s*(?:\d{{4}}\s+)?(?:{_AGENCY_ALT})\b(?!\s*/)", re.IGNORECASE)),
    # photo credits: "REUTERS/Yves Herman", "AP Photo/...", "Photo: AFP"
    (3, re.compile(rf"\b(?:{_AGENCY_ALT})\s*(?:Photo)?\s*/\s*[A-Z]")),
    (3, re.compile(rf"\b(?:Photo|Image|Picture|Credit)s?\s*:\s*(?:[^|]{{0,40}}/\s*)?(?:{_AGENCY_ALT})\b")),
]


def detect_wire_agency(lines: Iterable[str], *, photo_credits: bool = False) -> str | None:
    """The wire agency named in a dateline, byline, credit or bio line, else None.

    Photo credits ("AP Photo/...", "REUTERS/...") only say who took the picture,
    so they count only when ``photo_credits`` is set.
    """
    patterns = [(rank, p) for rank, p in _AGENCY_PATTERNS if photo_credits or rank < 3]
    items = [line.strip()[:600] for line in lines]
    items = [line for line in items if line]
    best: tuple[int, int, str] | None = None
    for pos, line in enumerate(items):
        for rank, pattern in patterns:
            if best is not None and rank >= best[0]:
                break
            # upper-case credit forms ("REUTERS/...") are matched case-insensitively only for photo credits
            m = pattern.search(line)
            if m is None and rank == 3:
                m = pattern.search(_title_agencies(line))
            if m is not None and pattern is _STANDALONE and _in_code_list(items, pos):
                m = None  # "AP" between "AK" and "AZ" is a state code, not a credit
            if m is not None:
                name = _agency_from_match(m)
                if name:
                    best = (rank, pos, name)
                    break
    return best[2] if best else None


def _in_code_list(items: list[str], pos: int) -> bool:
    """A short code between other short codes (a drop-down of state codes, say)."""
    if len(items[pos]) > 3 or pos == 0 or pos + 1 >= len(items):
        return False
    return len(items[pos - 1]) <= 3 and len(items[pos + 1]) <= 3


def _title_agencies(line: str) -> str:
    # "REUTERS/Name" -> "Reuters/Name" so the agency alternation matches.
    return re.sub(r"\b(REUTERS|ASSOCIATED PRESS|BLOOMBERG|XINHUA|INTERFAX)\b", lambda m: m.group(1).title(), line)


# ---------------------------------------------------------------------------- publisher

_NAME = (
    r"(?:The\s+)?[A-Z0-9][\w&'’.\-]*"
    r"(?:\s+(?:(?-i:of|the|and|&|for|de|du|la|el)(?=\s)|(?-i:[A-Z0-9])[\w&'’.\-]*)){0,6}"
)
_PUBLISHER_PATTERNS: list[re.Pattern[str]] = [
    re.compile(rf"^\s*Support\s+(?P<name>{_NAME})\s*[!.]?\s*$"),
    re.compile(rf"^\s*A\s+(?:Message|Note|Word)\s+from\s+(?P<name>{_NAME})\s*:?\s*$"),
    re.compile(
        rf"(?:(?:©|\(c\)|Copyright)\s*)+(?:all rights reserved\s*)?(?:\d{{4}}(?:\s*[-–]\s*\d{{4}})?\s*,?\s*)?"
        rf"(?P<name>{_NAME})",
        re.I,
    ),
    re.compile(rf"^\s*Subscribe\s+to\s+(?P<name>{_NAME})\s*[!.]?\s*$"),
]
_NAME_STOP = re.compile(r"\s+(?:All|Inc|LLC|Ltd|Limited|GmbH|Corp|Corporation|Company|Co)\b.*$|[\s.,;:]+$")
_BAD_NAMES = {"all rights reserved", "copyright", "reserved", "the", "us", "our", "us today"}


_GENERIC_NAMES = {
    "local",
    "local journalism",
    "local news",
    "independent",
    "independent journalism",
    "journalism",
    "quality journalism",
    "news",
    "our work",
    "our journalism",
    "this site",
    "the site",
    "me",
    "all",
}


_PHOTO_CREDIT = re.compile(r"getty|shutterstock|images?$|photos?$|pool$|/|istock", re.I)


def _clean_name(name: str) -> str | None:
    name = re.split(r"\.\s|\s(?:in|powered|unless|is|are|was|-|–|—|\|)\s", name.strip())[0]
    name = re.sub(r"(?:\s+(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)?\d{2,4})?)+$", "", name.strip())
    if not re.search(r"[^\W\d_]", re.sub(r"(?i)copyright|all rights reserved", "", name)) or _PHOTO_CREDIT.search(name):
        return None
    name = _NAME_STOP.sub("", name.strip())
    name = re.sub(r"\s+", " ", name).strip(" .,;:-")
    if not name or name.lower() in _BAD_NAMES or name.lower() in _GENERIC_NAMES or len(name) < 3 or name.isdigit():
        return None
    return name


def publisher_from_text(lines: Sequence[str]) -> str | None:
    """Publisher named by a site signature: "Support X", "A message from X", "© 2019 X"."""
    votes: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    tail_start = int(len(lines) * 0.6)
    for pos, line in enumerate(lines):
        if len(line) > 300:
            continue
        for weight, pattern in zip((3, 3, 2, 2), _PUBLISHER_PATTERNS, strict=True):
            if weight == 2 and pos < tail_start:
                weight = 1  # a copyright line above the footer is usually a photo credit
            m = pattern.search(line)
            if m:
                name = _clean_name(m.group("name"))
                if name and not re.fullmatch(_AGENCY_ALT, name, re.I):
                    votes[name] += weight
                    first_seen.setdefault(name, pos)
    if not votes:
        return None
    return max(votes, key=lambda n: (votes[n], -first_seen[n]))


def publisher_from_url(url: str | None) -> str | None:
    """Host name without "www." - a stable publisher key when the page names none."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def detect_publisher(text: str, url: str | None = None) -> str | None:
    """Publisher of a raw page, usable before extraction: the name the page signs with, else the host."""
    return publisher_from_text(text.splitlines()) or publisher_from_url(url)


def publisher_key(text: str, url: str | None = None) -> str | None:
    """Key for per-publisher template statistics: the URL host when known (stable across
    pages), else the page's signature name ("Support X", "© X")."""
    return publisher_from_url(url) or publisher_from_text(text.splitlines())


# ---------------------------------------------------------------------------- dates

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,4}|UTC|GMT)(?:[+-]\d{1,2})?)?)?"
DATE_RES: list[re.Pattern[str]] = [
    re.compile(rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}{_TIME}", re.I),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}{_TIME}", re.I),
    re.compile(r"\b(?:19|20)\d{2}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"),
    re.compile(rf"\b\d{{1,2}}/\d{{1,2}}/(?:19|20)?\d{{2}}\b{_TIME}", re.I),
    re.compile(rf"\b\d{{1,2}}\.\d{{1,2}}\.(?:19|20)\d{{2}}\b{_TIME}", re.I),
]
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_DATE_SETTINGS = {"RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC", "PREFER_DATES_FROM": "past"}


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _plausible(value: datetime) -> bool:
    return datetime(1990, 1, 1, tzinfo=UTC) <= value <= datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)


def find_date(line: str, language: str | None = None) -> datetime | None:
    """First plausible date stated in a line (UTC), trying fixed formats then dateparser."""
    import dateparser

    langs = [language] if language and language != "en" else None
    for pattern in DATE_RES:
        m = pattern.search(line)
        if m:
            parsed = dateparser.parse(m.group(0), languages=["en"], settings=_DATE_SETTINGS)  # type: ignore[arg-type]
            if parsed is not None and _plausible(_to_utc(parsed)):
                return _to_utc(parsed)
    if langs and _YEAR_RE.search(line) and len(line) < 200:
        from dateparser.search import search_dates

        try:
            found = search_dates(line, languages=langs, settings=_DATE_SETTINGS)  # type: ignore[arg-type]
        except Exception:  # pragma: no cover - dateparser edge cases
            logger.debug("search_dates failed on %r", line, exc_info=True)
            found = None
        for text, parsed in found or []:
            if _YEAR_RE.search(text) and _plausible(_to_utc(parsed)):
                return _to_utc(parsed)
    return None


_DATELINE_DATE = (
    rf"(?:{_MONTHS}\.?\s+\d{{1,2}}(?:,?\s+(?:19|20)\d{{2}})?)|(?:\d{{1,2}}\s+{_MONTHS}\.?(?:\s+(?:19|20)\d{{2}})?)"
)
_DATELINE_RE = re.compile(
    rf"^[A-Z][A-Za-z .'’\-]{{1,40}}(?:,\s*[A-Za-z .]{{2,30}})?,?\s*(?P<date>{_DATELINE_DATE})?\s*"
    rf"(?:\((?P<agency>[^)]{{2,40}})\))?\s*[-—–]{{1,2}}\s"
)


def dateline_date(first_paragraph: str, reference: datetime | None = None) -> datetime | None:
    """Date from an agency dateline ("BRUSSELS, June 5, 2014 (Reuters) - ...").

    A dateline without a year borrows it from ``reference`` (another date on the page).
    """
    import dateparser

    m = _DATELINE_RE.match(first_paragraph[:200])
    if not m or not m.group("date"):
        return None
    text = m.group("date")
    if not _YEAR_RE.search(text):
        if reference is None:
            return None
        text = f"{text} {reference.year}"
    parsed = dateparser.parse(text, languages=["en"], settings=_DATE_SETTINGS)  # type: ignore[arg-type]
    return _to_utc(parsed) if parsed is not None and _plausible(_to_utc(parsed)) else None


_BYLINE_RE = re.compile(
    r"^\s*(?:By|Written by|Words by|Posted by|Von|Par|Por|Door|Di|Av|Autor(?:a)?:?)\s+"
    r"(?P<name>[A-ZÀ-Ý][\w.'’\-]+(?:\s+(?:[A-ZÀ-Ý][\w.'’\-]*|de|van|von|da|del|la|and|&|y|e|und|et)){0,6})",
    re.UNICODE,
)


def byline_author(line: str) -> str | None:
    """Author name from a byline such as "By Tess Bonn - 11/19/19"; None if not a byline."""
    if len(line) > 150:
        return None
    m = _BYLINE_RE.match(line)
    if not m:
        return None
    name = m.group("name").strip()
    name = re.split(r"\s+(?:and|&|und|et|y|e)\s*$", name)[0].strip()
    agency = re.fullmatch(_AGENCY_ALT, name)
    if agency:
        return None
    return name or None
