"""Main-text extraction from plain-text dumps of web pages.

A dump is what a browser shows: menus, headline, captions, story, appeals and
footers, one block per line. Each line gets a score from generic features
(length, stop-word density, sentence punctuation, boilerplate vocabulary,
indentation, cross-document template evidence); the story is the
maximum-sum run of lines (the text analogue of Finn et al.'s body-text
extraction), then captions, bylines and boilerplate lines inside it are
removed and the headline is looked for just above it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from newswire.extract import metadata as md
from newswire.extract.fingerprint import line_fingerprint, normalise_line
from newswire.extract.lang import WORD_RE, detect_language, stopwords
from newswire.extract.model import ExtractedArticle

logger = logging.getLogger(__name__)

#: Lines on at least this share of a publisher's pages are template.
TEMPLATE_SHARE = 0.5
#: Weight of a prose line with no prose neighbour (teasers in link lists).
ISOLATED_WEIGHT = 0.25
#: Per-word penalty of boilerplate lines (on top of a fixed 3): long appeals cut the story
#: off, while a single misflagged paragraph inside it does not split the story in two.
BOILER_WORD_WEIGHT = 1.0
#: Below this many words the filtered story is replaced by a plainer fallback.
MIN_BODY_WORDS = 15
#: Per-word score of a data-table row.
TABLE_ROW_WEIGHT = 0.5
#: Score of a short line that is mostly a date.
DATE_LINE_PENALTY = -4.0
#: Score of a short non-sentence line that reads like prose (lower case, stop words).
SHORT_PROSE_PENALTY = -1.0

_SENT_END_RE = re.compile(r"(?:[.!?…。！？][\"”’»)\]]*|:)$")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

# Vocabulary of page furniture: navigation, sharing, subscriptions, appeals, legal.
_BOILER_SHORT = re.compile(
    r"^(?:advertisement|advertising|continue reading(?: below)?|story continues below(?: advertisement)?|"
    r"sponsored(?: content)?|ad|ads|share|share this(?: article| story)?|"
    r"tweet|print|email|e-mail|comments?|reply|menu|search|home|skip to (?:main )?content|"
    r"accessibility(?: links)?|breaking news|read more|read next|more|next|previous|back to top|"
    r"related(?: articles| stories| content| news)?|recommended|most popular|most read|trending|"
    r"sign in|sign up|log ?in|log out|subscribe|register|continue|close|loading\.*|"
    r"once|monthly|annual|yearly|preview|photo|image|video|watch|listen|"
    r"(?:xs|sm|md|lg|xl)|\d+\s*x\s*\d+(?: image)?)\W*$",
    re.I,
)
_BOILER_ANY = re.compile(
    r"newsletter|subscri(?:be|ber|ption)|sign up|signup|sign in|log in|privacy policy|"
    r"terms (?:of|and) (?:use|service|conditions)|cookie|all rights reserved|copyright|©|"
    r"share (?:this|on)|follow us|click here|download (?:the|our) app|donat(?:e|ion)|"
    r"support (?:us|our)|contribution|javascript|your browser|paywall|"
    r"remind me|not ready to|payment method|paiment|skip to|\d+\s*x\s*\d+\s+image|"
    r"click to|opens in (?:a )?new window|customer service|contact us|can be contacted|"
    r"telephone:|fax:|e-?mail:|report (?:an )?error|related links|don't miss|more from|more news|"
    r"back to top|leave a (?:comment|reply)|comments? feed|permalink|filed under|"
    r"(?:is|are) not responsible for|views expressed|opinions expressed",
    re.I,
)
_APPEAL_WORDS = re.compile(
    r"\b(?:support|donat\w*|contribut\w*|subscri\w*|newsletter|journalism|journalists|readers?|"
    r"mailbox|inbox|independent|help|privacy|membership|member|comments?|moderated)\b",
    re.I,
)
_CTA_START_RE = re.compile(
    r"^(?:get|join|subscribe|sign up|follow|download|click|tap|share|support|donate|register|try|discover|"
    r"watch|listen|read|see|check out|don't miss|need more|want more|like this)\b",
    re.I,
)
_LINK_PREFIX_RE = re.compile(
    r"^(?:related|read more|read also|see also|also read|more|watch|listen|recommended|opinion)\s*:\s*\S", re.I
)
# Legal small print: disclaimers, trademark notices, the site talking about itself.
_LEGAL_RE = re.compile(
    r"\b(?:(?:on|of|to|use) this (?:web ?)?site|these statements have not|registered trademarks? of|"
    r"results (?:may )?vary|not intended to (?:diagnose|treat)|"
    r"(?:may|must) not be (?:published|reproduced|redistributed|broadcast))\b",
    re.I,
)
_PRONOUN_WORDS = re.compile(r"\b(?:we|our|us|you|your|you're|we're)\b", re.I)
_REPORTED_RE = re.compile(r"\b(?:said|says|told|according to|added|adding)\b", re.I)
_QUOTED_RE = re.compile(r"[\"“][^\"”]*[\"”]")
_BIO_RE = re.compile(
    r"^[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,5}\s+(?:is|was|has been)\s+(?:an?|the)\s+[^.]{0,120}?"
    r"\b(?:news agency|wire service|agency|journalist|reporter|correspondent|writer|editor|author|"
    r"contributor|columnist|freelancer?|photographer|producer)\b"
)
_CAPTION_CUE = re.compile(
    r"\b(?:photo|photograph|image|picture|illustration|file photo|credit)s?\s*(?::|/|by\b)|"
    r"\b(?:image|photo|picture) (?:caption|copyright|source)\b|^caption\b|credit:\s|"
    r"\b(?:getty images|shutterstock|afp/|reuters/|ap photo|epa|ansa/|istock)\b",
    re.I,
)
# A photo credit closing the line ("... Credit: ESA", "(Photo: Jane Doe/AFP)").
_CREDIT_END_RE = re.compile(
    r"(?:\b|(?<=[a-z]))(?:photo|image|picture|credit|courtesy)s?(?: credit)?\s*:\s*[^.:]{1,60}\)?\.?$", re.I
)
_CAPTION_VERBS = (
    r"addresses|speaks|holds|attends|arrives|walks|gestures|looks on|looks|poses|waves|sits|stands|"
    r"talks|listens|delivers|shakes hands|shakes|greets|leaves|meets|reacts|smiles|visits|prays|"
    r"celebrates|watches|is seen|are seen|takes part|participates|votes|casts|chats|rides|"
    r"march|gather|wait|stand|walk|hold|pose|attend|take part|protest|rally|react|celebrate"
)
_ENDS_WITH_DATE_RE = re.compile(
    r",\s*(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}|"
    r"\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(?:19|20)\d{2})\.?\)?\s*$"
)
_FINITE_AUX_RE = re.compile(r"\b(?:will|would|has|have|had|was|were|did|could|should|is|are)\b", re.I)
_CAPTION_VERB_RE = re.compile(rf"^(?:[\w.'’,\-]+\s+){{1,12}}(?:{_CAPTION_VERBS})\b")
_DATE_LINE_HINT = re.compile(r"\d")
_STAFF_RE = re.compile(
    r"^(?:by\s+)?[A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){0,3},\s+[^.]{0,60}\b(?:writer|reporter|correspondent|editor|"
    r"staff|contributor|columnist)\b",
    re.I,
)
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_BULLET_RE = re.compile(r"^[•·▪►»*\-–]\s*")
# Lines after which the story cannot continue: page footer and comment sections.
_BOUNDARY_RE = re.compile(
    r"^(?!(?:image|photo|picture|video)\b).{0,40}(?:©|\(c\)|\bcopyright\b)\s*(?:©\s*)?(?:\d{4}|[^\d]{0,60}\d{4}\W*$)|"
    r"all rights reserved|^(?:\d+|one)\s+(?:comments?|responses?|replies|thoughts?)\b|"
    r"^(?:comments|leave a (?:comment|reply)|post a comment|add a comment|join the conversation)\W*$|"
    r"^\S+(?:\s\S+)?\s+(?:says|said|wrote):$",
    re.I,
)
# Headings of link blocks inside or after a story ("Most read in world news").
_LINK_HEADING_RE = re.compile(
    r"^(?:related|most (?:read|popular|viewed|shared)|read (?:more|next|also)|more (?:from|on|in|stories|news)|"
    r"recommended|trending|explore further|you may also like|you might also like|see also|also read|"
    r"popular|top stories|latest|editor'?s? picks?)\b",
    re.I,
)
# Lines that close a page rather than a story: follow prompts, citations, publisher notes.
_TAIL_RE = re.compile(
    r"follow (?:him|her|them|us|me) on|@\w{3,}|\bretrieved\b.*\bfrom\b|\bis part of\b|"
    r"\bspam\b|unsubscribe|\bforums?\b|news tip|let us know",
    re.I,
)


@dataclass(eq=False)
class _Line:
    idx: int
    raw: str
    text: str
    indent: int
    words: int
    stop_ratio: float
    sentence: bool
    template: bool = False
    boundary: bool = False
    boiler: bool = False
    caption: bool = False
    meta: bool = False  # byline or date line
    score: float = 0.0
    flags: list[str] = field(default_factory=list)


def _word_count(text: str, tokens: list[str]) -> int:
    cjk = len(_CJK_RE.findall(text))
    return max(len(tokens), cjk // 2) if cjk else len(tokens)


def _is_call_to_action(text: str, words: int) -> bool:
    """ "Join our forums", "Get breaking news ... and more!": imperative promos addressed to the reader."""
    if words > 40 or not _CTA_START_RE.match(text) or _REPORTED_RE.search(text):
        return False
    return text.rstrip().endswith("!") or bool(_PRONOUN_WORDS.search(_QUOTED_RE.sub(" ", text)))


def _is_self_promotion(text: str, publisher: str | None) -> bool:
    """ "Cayman Compass is Cayman News.", "We are X's most trusted source": the site describing itself."""
    if publisher and publisher.lower() in text.lower() and re.search(r"\b(?:is|are|we|our)\b", text, re.I):
        return not _REPORTED_RE.search(text)
    return bool(re.match(r"^we(?:'re| are)\b.*\b(?:news|source|site|magazine|newspaper)\b", text, re.I))


def _is_appeal(text: str, words: int, publisher: str | None) -> bool:
    """Donation/newsletter appeals: call-to-action words plus "we/our/you" outside quotes."""
    outside = _QUOTED_RE.sub(" ", text)
    cta = len(_APPEAL_WORDS.findall(outside))
    pron = len(_PRONOUN_WORDS.findall(outside))
    if publisher and publisher.lower() in outside.lower():
        cta += 1
    if words == 0:
        return False
    density = pron / words
    if _CTA_START_RE.match(outside) and cta >= 1:
        return True
    return (cta >= 2 and density >= 0.04) or (cta >= 1 and density >= 0.08) or cta >= 4


def _unwrap(raw_lines: list[str]) -> list[str]:
    """Re-join hard-wrapped prose (fixed-width text): a long line continued in lower case."""
    out: list[str] = []
    last = -1  # index of the line a continuation would join
    prev_piece = ""
    for raw in raw_lines:
        stripped = raw.strip()
        if (
            last >= 0
            and stripped
            and stripped[0].islower()
            and len(prev_piece) >= 45
            and not _SENT_END_RE.search(prev_piece)
        ):
            out[last] = out[last].rstrip() + " " + stripped
            out.append("")  # keep line numbers aligned with the input
            prev_piece = stripped
            continue
        out.append(raw)
        last = len(out) - 1 if stripped else -1
        prev_piece = stripped
    return out


def is_furniture_line(text: str) -> bool:
    """A line that is only a UI label ("Advertisement", "Share this", "16x9 Image")."""
    return bool(_BOILER_SHORT.match(_BULLET_RE.sub("", _INVISIBLE_RE.sub("", text).strip())))


def is_boilerplate_line(text: str, publisher: str | None = None) -> bool:
    """Page furniture by vocabulary alone: share/subscribe prompts, appeals, bios, image labels."""
    body = _BULLET_RE.sub("", _INVISIBLE_RE.sub("", text).strip())
    words = _word_count(body, WORD_RE.findall(body))
    if _BOILER_SHORT.match(body) or (words <= 12 and _BOILER_ANY.search(body)):
        return True
    if words > 12 and not _REPORTED_RE.search(body):
        if _is_appeal(body, words, publisher) or len(_BOILER_ANY.findall(_QUOTED_RE.sub(" ", body))) >= 2:
            return True
    return bool(_BIO_RE.match(body))


def _build_lines(
    text: str, lang: str | None, template_counts: Mapping[str, float] | None, publisher: str | None
) -> list[_Line]:
    stops = stopwords(lang)
    lines: list[_Line] = []
    raw_lines = _unwrap(text.splitlines())
    for idx, raw in enumerate(raw_lines):
        stripped = _INVISIBLE_RE.sub("", raw).strip()
        if not stripped or not normalise_line(stripped):
            continue
        body = _BULLET_RE.sub("", stripped)
        tokens = WORD_RE.findall(body)
        words = _word_count(body, tokens)
        stop_ratio = (sum(1 for t in tokens if t.lower() in stops) / len(tokens)) if tokens and stops else -1.0
        sentence = bool(_SENT_END_RE.search(body)) and not body.endswith("...") and words >= 4
        expanded = raw.expandtabs(4)
        line = _Line(idx, raw, body, len(expanded) - len(expanded.lstrip()), words, stop_ratio, sentence)
        if stripped != body:
            line.flags.append("bullet")
        if len([cell for cell in raw.split("\t") if cell.strip()]) >= 3:
            line.flags.append("table")
        if template_counts and template_counts.get(line_fingerprint(stripped), 0.0) >= TEMPLATE_SHARE:
            line.template = True
        if words <= 20 and _BOUNDARY_RE.search(body):
            line.boundary = True
            line.boiler = True
        elif _BOILER_SHORT.match(body) or (words <= 12 and _BOILER_ANY.search(body)):
            line.boiler = True
        elif (
            words > 12
            and not _REPORTED_RE.search(body)
            and (_is_appeal(body, words, publisher) or len(_BOILER_ANY.findall(_QUOTED_RE.sub(" ", body))) >= 2)
        ):
            line.boiler = True
        elif (
            _LEGAL_RE.search(body)
            or _LINK_PREFIX_RE.match(body)
            or _is_call_to_action(body, words)
            or (words <= 15 and _is_self_promotion(body, publisher))
        ):
            line.boiler = True
        elif _BIO_RE.match(body):
            line.boiler = True
            line.flags.append("bio")
        lines.append(line)
    return lines


def _is_shouting(line: _Line) -> bool:
    """An all-capitals line of several words inside a story: a promo or link, not story text."""
    letters = [c for c in line.text if c.isalpha()]
    return line.words >= 7 and line.score <= 0 and len(letters) >= 12 and all(c.isupper() for c in letters)


def _title_case_ratio(text: str) -> float:
    tokens = [t for t in WORD_RE.findall(text) if not t.isdigit()]
    if not tokens:
        return 1.0
    return sum(1 for t in tokens if t[0].isupper()) / len(tokens)


def _good(line: _Line) -> bool:
    """Prose: a sentence-like line, or a long line with prose-like stop-word density.

    Headlines and link lists rarely end with sentence punctuation, so short
    lines without it never count as prose.
    """
    if line.stop_ratio < 0:  # no stop list for this language: length and punctuation only
        return line.words >= 30 or (line.sentence and line.words >= 6)
    if line.sentence:
        return line.words >= 5 and line.stop_ratio >= 0.15
    return line.words >= 25 and line.stop_ratio >= 0.25


def _score(lines: list[_Line], body_indent: int | None) -> None:
    for line in lines:
        if line.template or line.boiler:
            line.score = -(3.0 + BOILER_WORD_WEIGHT * line.words)
        elif line.caption:
            line.score = -1.0
        elif _good(line):
            line.score = float(line.words)
            if body_indent is not None and line.indent != body_indent:
                line.score = -line.words / 2.0
        elif line.words <= 8 and any(p.search(line.text) for p in md.DATE_RES):
            line.score = DATE_LINE_PENALTY  # a date on its own line: teaser lists, comment headers
        elif line.sentence and line.words >= 4:
            line.score = -0.5
        elif _title_case_ratio(line.text) < 0.5 and line.stop_ratio > 0:
            line.score = SHORT_PROSE_PENALTY  # short prose-like fragment: list item, subheading
        else:
            line.score = -2.0
    # A prose line standing alone between non-prose lines is typically a teaser
    # (headline, author, date, summary) rather than part of a story.
    _score_tables(lines)
    good = [line.score > 0 for line in lines]
    isolated = [
        i
        for i in range(len(lines))
        if good[i] and not (i > 0 and good[i - 1]) and not (i + 1 < len(lines) and good[i + 1])
    ]
    for i in isolated:
        lines[i].score *= ISOLATED_WEIGHT
    _mark_records(lines, isolated)


def _score_tables(lines: list[_Line]) -> None:
    """Rows of a data table (3+ tab-separated cells, 3+ rows in a row) are content.

    Browsers dump HTML tables as tab-separated rows; standings, results and
    schedules are part of the story even though they hold no prose.
    """
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and "table" in lines[j].flags:
            j += 1
        if j - i >= 3:
            for line in lines[i:j]:
                if not (line.boiler or line.template):
                    line.score = TABLE_ROW_WEIGHT * line.words
        i = max(j, i + 1)


def _shape(line: _Line) -> str:
    if line.score > 0:
        return "P"
    if line.boiler or line.template:
        return "B"
    return "D" if line.score == DATE_LINE_PENALTY else ("s" if line.sentence else "S")


def _mark_records(lines: list[_Line], isolated: list[int]) -> None:
    """Repeated records (headline, author, date, summary) x N: link lists, not a story.

    Three or more isolated prose lines at a constant spacing, with the same
    sequence of line shapes (including a date line) between them, score as
    boilerplate. Listicles (subheading + paragraph, no dates) are left alone.
    """
    shapes = [_shape(line) for line in lines]
    n = len(isolated)
    i = 0
    while i < n - 2:
        step = isolated[i + 1] - isolated[i]
        if not 3 <= step <= 6:
            i += 1
            continue
        pattern = shapes[isolated[i] - step + 1 : isolated[i]] if isolated[i] >= step - 1 else None
        j = i + 1
        while (
            j < n and isolated[j] - isolated[j - 1] == step and shapes[isolated[j] - step + 1 : isolated[j]] == pattern
        ):
            j += 1
        if j - i >= 3 and pattern and "D" in pattern:
            for k in range(i, j):
                lines[isolated[k]].score = -1.0
            i = j
        else:
            i += 1


def _max_run(lines: list[_Line]) -> tuple[int, int]:
    """Indices [start, end] of the maximum-sum contiguous run of line scores (Kadane)."""
    best_sum, best = float("-inf"), (0, -1)
    cur_sum, cur_start = 0.0, 0
    for i, line in enumerate(lines):
        if line.boundary:
            cur_sum = 0.0
            continue
        if cur_sum <= 0:
            cur_sum, cur_start = line.score, i
        else:
            cur_sum += line.score
        if cur_sum > best_sum:
            best_sum, best = cur_sum, (cur_start, i)
    return best


def _mark_captions(lines: list[_Line]) -> None:
    """Caption lines: duplicated nearby (alt text + caption) or carrying a photo credit."""
    keys = [normalise_line(line.text)[:80] for line in lines]
    for i in range(len(lines)):
        line = lines[i]
        key = keys[i]
        if line.words >= 4 and any(keys[j] == key for j in range(max(0, i - 3), min(len(lines), i + 4)) if j != i):
            # the same text twice within a few lines: image alt text plus caption
            line.caption = True
            line.flags.append("dup")
        elif (line.words <= 60 and _CAPTION_CUE.search(line.text)) or _CREDIT_END_RE.search(line.text):
            line.caption = True


def _list_item(line: _Line) -> bool:
    return not (line.boiler or line.template or line.caption or line.boundary) and (
        line.score > 0 or 3 <= line.words <= 60
    )


_MONTH_START_RE = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d", re.I)


def _item_signature(line: _Line) -> str | None:
    """How a structured list item starts: a date, a number or a bullet; None for anything else."""
    if line.boiler or line.template or line.caption or line.boundary or not 3 <= line.words <= 30:
        return None
    if _MONTH_START_RE.match(line.text):
        return "month"
    if line.text[:1].isdigit():
        return "number"
    if "bullet" in line.flags:
        return "bullet"
    return None


def _extend_list(lines: list[_Line], end: int) -> int:
    """Carry the story over a list it ends with.

    Either the story introduces it ("... includes:" then items) or, after at
    most one heading line, 4+ items start the same way (dates, numbers,
    bullets), e.g. tour dates or results under a story.
    """
    if end < 0 or end + 1 >= len(lines):
        return end
    if lines[end].text.endswith(":") or lines[end + 1].text.endswith(":"):
        j = end + 1
        while j < len(lines) and _list_item(lines[j]):
            j += 1
        return j - 1
    for first in (end + 1, end + 2):
        if first >= len(lines):
            break
        signature = _item_signature(lines[first])
        if signature is None:
            continue
        j = first
        while j < len(lines) and _item_signature(lines[j]) == signature:
            j += 1
        heading = lines[end + 1]
        if j - first >= 4 and (first == end + 1 or not (heading.boiler or heading.template or heading.boundary)):
            return j - 1
    return end


def _mark_lead_caption(lines: list[_Line], start: int, end: int) -> None:
    """A photo description right before the story, no quotes or speech verbs.

    Captions describe the picture in the present tense ("X addresses ...") or
    end with the date it was taken ("..., in Brussels, June 5, 2014.");
    story ledes do neither.
    """
    for i in range(start, min(start + 2, end)):
        line = lines[i]
        if line.caption or line.words > 45:
            continue
        if re.search(r"[\"“”]|\b(?:said|says|told)\b", line.text):
            break
        if _CAPTION_VERB_RE.match(line.text) or (
            _ENDS_WITH_DATE_RE.search(line.text) and not _FINITE_AUX_RE.search(line.text)
        ):
            line.caption = True
        else:
            break


def _is_date_line(line: _Line, lang: str | None) -> bool:
    return line.words <= 14 and bool(_DATE_LINE_HINT.search(line.text)) and md.find_date(line.text, lang) is not None


def _pick_title(lines: list[_Line], first_body: int) -> int | None:
    """Index of the headline: the nearest title-like line above the story."""
    lo = max(0, first_body - 25)
    for i in range(first_body - 1, lo - 1, -1):
        line = lines[i]
        if line.caption or line.meta or line.template or line.boiler or _STAFF_RE.match(line.text):
            continue
        if line.words < 3 or line.words > 30 or len(line.text) > 250:
            continue
        if "bullet" in line.flags:
            continue
        if line.text.endswith((".", ",", ":", ";")) and not line.text.endswith("..."):
            # a full sentence here is a standfirst, keep looking for the headline
            continue
        return i
    return None


def _fallback_body(lines: list[_Line], start: int, end: int, title: str | None) -> list[_Line]:
    """Prose for a page whose filters left (almost) nothing: better a noisy body than none.

    The prose lines of the story run, else the longest prose line on the page.
    """
    prose = [line for line in lines[start : end + 1] if _good(line) and line.text != title]
    if sum(line.words for line in prose) >= MIN_BODY_WORDS:
        return prose
    candidates = [line for line in lines if _good(line) and not line.template and line.text != title]
    return [max(candidates, key=lambda line: line.words)] if candidates else []


def extract_text_dump(
    text: str, *, url: str | None = None, template_counts: Mapping[str, float] | None = None
) -> ExtractedArticle:
    """Extract headline, story, captions and metadata from a browser text dump.

    ``template_counts`` maps line fingerprints to the share of this publisher's
    earlier pages containing the line; frequent lines are treated as template.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    raw_lines = text.splitlines()
    publisher = md.publisher_from_text(raw_lines) or md.publisher_from_url(url)
    # Language from the longer lines, which are mostly prose even on cluttered pages.
    longish = [s for s in (r.strip() for r in raw_lines) if len(s) > 60]
    lang = detect_language("\n".join(longish) if longish else text)
    lines = _build_lines(text, lang, template_counts, publisher)
    if not lines:
        return ExtractedArticle(title=None, body="", captions=[], publisher=publisher, language=lang, url=url)

    # If template evidence would swallow most of the prose, the page itself (or a copy
    # of it) is in the statistics: ignore the evidence rather than lose the story.
    prose_words = sum(line.words for line in lines if _good(line))
    template_words = sum(line.words for line in lines if line.template and _good(line))
    if prose_words and template_words > 0.7 * prose_words:
        for line in lines:
            line.template = False

    # Dominant indentation of prose lines: list/sidebar text is often indented differently.
    indents = Counter(line.indent for line in lines if _good(line) and not line.boiler)
    body_indent = indents.most_common(1)[0][0] if indents else None
    if body_indent is not None and indents[body_indent] < 0.6 * sum(indents.values()):
        body_indent = None
    _mark_captions(lines)
    _score(lines, body_indent)
    start, end = _max_run(lines)
    if end < start:
        start, end = 0, -1
    end = _extend_list(lines, end)
    _mark_lead_caption(lines, start, end + 1)

    # Bylines and date lines near the top of the run separate headline/standfirst from story.
    author: str | None = None
    text_date = None
    head_limit = min(end + 1, start + 8)
    last_meta = None
    for i in range(max(0, start - 12), head_limit):
        line = lines[i]
        name = md.byline_author(line.text)
        if not name and line.words <= 15 and _STAFF_RE.match(line.text):
            name = line.text.split(",")[0].removeprefix("By ").strip()
        if name:
            author = author or name
            line.meta = True
            last_meta = i
        if _is_date_line(line, lang):
            line.meta = True
            text_date = text_date or md.find_date(line.text, lang)
            last_meta = i
    if last_meta is not None and start <= last_meta < end:
        # Only a short standfirst may sit above the byline; a longer stretch is story text
        # (e.g. an embedded tweet with a date) and the run start stays.
        above = [line for line in lines[start:last_meta] if line.score > 0]
        if len(above) <= 2 and sum(line.words for line in above) <= 60:
            start = last_meta + 1

    body_lines = []
    after_heading = False
    for line in lines[start : end + 1]:
        if (line.boiler or _LINK_HEADING_RE.match(line.text)) and line.words <= 6:
            # "Related", "Most popular": the short lines under it are links, not story
            after_heading = True
            continue
        if after_heading and line.score <= 0:
            continue
        after_heading = False
        if not (line.caption or line.template or line.boiler or line.meta or _is_shouting(line)):
            body_lines.append(line)
    # Trim page-closing lines (follow prompts, citations, subscribe offers) off the end.
    while body_lines and (
        (body_lines[-1].words <= 40 and _TAIL_RE.search(body_lines[-1].text))
        or (body_lines[-1].words <= 25 and _BOILER_ANY.search(_QUOTED_RE.sub(" ", body_lines[-1].text)))
        or is_boilerplate_line(body_lines[-1].text, publisher)
    ):
        body_lines.pop()
    first_body = body_lines[0].idx if body_lines else (lines[start].idx if start < len(lines) else 0)
    first_pos = next((i for i, line in enumerate(lines) if line.idx == first_body), start)
    title_pos = _pick_title(lines, first_pos)
    title = lines[title_pos].text if title_pos is not None else None
    body_lines = [line for line in body_lines if title_pos is None or line.idx != lines[title_pos].idx]
    if title is None and len(body_lines) >= 2:
        # The headline can read like prose ("What should the election be about?") and open the run.
        head = body_lines[0]
        if 3 <= head.words <= 20 and not head.text.endswith((".", ",", ":", ";")) and not _QUOTED_RE.search(head.text):
            title = head.text
            body_lines = body_lines[1:]
    if sum(line.words for line in body_lines) < MIN_BODY_WORDS:
        body_lines = _fallback_body(lines, start, end, title) or body_lines
    body = "\n\n".join(line.text for line in body_lines)

    captions: list[str] = []
    for line in lines:
        if line.caption and line.text not in captions and line.words >= 4:
            captions.append(line.text)

    # Dates: dateline > date line near the headline > caption.
    published_at, source = None, None
    if body_lines:
        dl = md.dateline_date(body_lines[0].text, text_date)
        if dl is not None:
            published_at, source = dl, "dateline"
    if published_at is None and text_date is not None:
        published_at, source = text_date, "text"
    if published_at is None:
        for cap in captions:
            found = md.find_date(cap, lang)
            if found is not None:
                published_at, source = found, "caption"
                break

    # Agency credits live outside the story (bylines, credits, bios) or in its dateline.
    inner = {id(line) for line in body_lines[1:]}
    agency = md.detect_wire_agency([line.text for line in lines if id(line) not in inner])
    body_lang = detect_language(body) if body else lang
    logger.debug(
        "text dump: %d lines, story run %d-%d, %d body paragraphs, title=%r",
        len(lines),
        start,
        end,
        len(body_lines),
        title,
    )
    return ExtractedArticle(
        title=title,
        body=body,
        captions=captions,
        author=author,
        publisher=publisher,
        wire_agency=agency,
        published_at=published_at,
        published_date_source=source,
        language=body_lang or lang,
        url=url,
    )
