"""Line fingerprints and per-publisher template statistics.

A line that recurs on many pages of one publisher (menu, footer, appeal) is
template, whatever it looks like; the fingerprint lets the warehouse store
that evidence without storing the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

_DIGITS_RE = re.compile(r"\d+")
_NONWORD_RE = re.compile(r"[^\w]+", re.UNICODE)


def normalise_line(line: str) -> str:
    """Line key that ignores case, punctuation, spacing and digits (dates, counters)."""
    text = unicodedata.normalize("NFKC", line).lower()
    text = _DIGITS_RE.sub("0", text)
    return _NONWORD_RE.sub(" ", text).strip()


def line_fingerprint(line: str) -> str:
    """Stable 16-hex-digit hash of a normalised line."""
    return hashlib.sha1(normalise_line(line).encode("utf-8")).hexdigest()[:16]


def page_fingerprints(text: str) -> set[str]:
    """Distinct fingerprints of a page's non-empty lines."""
    return {line_fingerprint(line) for line in text.splitlines() if normalise_line(line)}


def template_counts(texts: Iterable[str]) -> tuple[Counter[str], int]:
    """Number of pages containing each line fingerprint, and the number of pages.

    Counts (rather than shares) are what the warehouse persists and adds up across batches.
    """
    counts: Counter[str] = Counter()
    pages = 0
    for text in texts:
        pages += 1
        counts.update(page_fingerprints(text))
    return counts, pages


def template_shares(texts: list[str], *, min_pages: int = 3, min_count: int = 3) -> dict[str, float]:
    """Share of pages containing each line (only lines seen on >= 3 pages).

    With fewer than ``min_pages`` pages there is no reliable evidence and the
    result is empty, so a lone page never marks its own story as template.
    """
    counts, pages = template_counts(texts)
    return shares_from_counts(counts, pages, min_pages=min_pages, min_count=min_count)


def shares_from_counts(
    counts: Mapping[str, int], pages: int, *, min_pages: int = 3, min_count: int = 3
) -> dict[str, float]:
    """Turn stored per-publisher counts into the shares ``extract_text_dump`` takes.

    By default a line must recur on at least 3 pages: two copies of one
    syndicated story are not a template.
    """
    if pages < min_pages:
        return {}
    return {fp: n / pages for fp, n in counts.items() if n >= min_count}
