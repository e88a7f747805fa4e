"""Datelines and photo credits at the start of a paragraph.

Wire copy opens its first paragraph with a dateline ("MINGORA, Pakistan
(Reuters) - A suicide bomber killed ...", "SEOUL, Nov. 26 (Xinhua) -- ...",
"Guwahati: Former Assam chief minister ...", "MIAMI A federal jury ...") and
captions open with a credit ("Fethi Belaid, AFP | A member of ...").
Parsed as part of the sentence, the place becomes its subject ("SEOUL decided
to inspect ..."), so the NLP stage starts a new sentence right after it. The
dateline keeps its own one-fragment sentence, so its place is still a mention.

Hand-written because no maintained library splits datelines from lead text;
the patterns follow the agency style guides (AP, Reuters, AFP, Xinhua).
"""

from __future__ import annotations

import re

_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,\s*(?:19|20)\d\d)?|\d{{1,2}}\s+{_MONTH}(?:\s+(?:19|20)\d\d)?)"
_CAPS = r"[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+){0,3}"
_TITLE = r"[A-Z][a-z.'’\-]+(?:\s+[A-Z][a-z.'’\-]+){0,2}"
_REGION = r"[A-Z][A-Za-z.'’\-]*(?:\s+[A-Z][A-Za-z.'’\-]*){0,2}"
_AGENCY = r"\([A-Za-z][A-Za-z .&'\-]{1,30}\)"
_SEP = r"(?:\s*(?:--|—|–|-|:)\s+|--(?=[A-Z]))"

#: PLACE[, Region][, Date] [(Agency)] separator: any capitalisation of the place.
_WITH_SEPARATOR = re.compile(
    rf"^(?:{_CAPS}|{_TITLE})(?:,\s*{_REGION})?(?:,?\s*{_DATE})?\s*(?:{_AGENCY})?{_SEP}"
)
#: "(Reuters) - ..." with no place.
_AGENCY_ONLY = re.compile(rf"^{_AGENCY}{_SEP}")
#: ALL-CAPS PLACE[, Region] with no separator ("MIAMI A federal jury", "NAIROBI, Kenya Kenya's ...").
_CAPS_NO_SEPARATOR = re.compile(rf"^{_CAPS}(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z][a-z]*\.)?)?\s+(?=[A-Z\"'‘“(])")
#: "Name Name, AFP | ...", "Name / AFP | ...": a short credit before a bar.
_CREDIT = re.compile(r"^[^|\n]{2,60}?\s\|\s+")

#: Words a lead sentence has at least, after a dateline.
MIN_LEAD_WORDS = 8

#: All-caps words that open real sentences rather than datelines.
_NOT_PLACES = frozenset({"A", "I", "THE", "AN", "IN", "ON", "AT", "BY", "FOR", "US", "UN", "EU", "UK", "NATO"})


def dateline_end(paragraph: str) -> int:
    """Offset where the story text starts after a leading dateline or credit (0 when none)."""
    head = paragraph[:160]
    m = _AGENCY_ONLY.match(head) or _WITH_SEPARATOR.match(head)
    if m is None:
        m = _CAPS_NO_SEPARATOR.match(head)
        if m is not None:
            first = m.group(0).split(",")[0].split()
            after = head[m.end() :].split()
            if len(first) == 1 and (first[0].rstrip(".") in _NOT_PLACES or len(first[0]) < 3):
                m = None
            elif after and len(after[0]) > 1 and after[0].isupper():
                m = None  # an all-caps line ("US AND CHINA SIGN TRADE DEAL"), not a dateline
    if m is None:
        m = _CREDIT.match(head)
        if m is not None and len(m.group(0).split()) > 7:
            m = None
    if m is None:
        return 0
    end = m.end()
    # a lead sentence follows a dateline ("Romania - Cosmin Contra scored twice"
    # is a results line, not a dateline and a story)
    return end if len(paragraph[end:].split()) >= MIN_LEAD_WORDS else 0
