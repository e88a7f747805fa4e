"""Length-preserving truecasing of headlines and ALL-CAPS lines.

The small English model reads capitalisation as a strong name signal, so
"Japan's Abe Pledges to Improve Soured Ties" yields the ORG "Abe Pledges" and
Reuters' ALL-CAPS headlines come out as one long entity. Before parsing we
recase such lines word by word using (1) how the same word is cased elsewhere in
the document, (2) the gazetteer's proper names, (3) a common-word lexicon (the
lemmatizer's WordNet index). Only letters change case and every string keeps its
length, so character offsets stay valid for the original text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’.]*[A-Za-z]|[A-Za-z]")
LINE_RE = re.compile(r"[^\n]+")
SENT_END = frozenset(".!?:;\"“”'‘’-—–([")
SMALL_WORDS = frozenset(
    "a an the and or but nor for of in on at to by with from into onto over under as vs via "
    "after before despite against amid about up off out is are was were be has have had".split()
)


def _key(word: str) -> str:
    return word.lower().rstrip(".")


def case_votes(text: str, skip: Iterable[tuple[int, int]]) -> dict[str, str]:
    """Most frequent casing of each word where casing is informative.

    Words at sentence starts and inside the skipped (headline/shouting) ranges are
    ignored; the result maps lower-case word -> preferred surface form.
    """
    skip = sorted(skip)
    votes: dict[str, Counter[str]] = {}
    si = 0
    for m in WORD_RE.finditer(text):
        s = m.start()
        while si < len(skip) and skip[si][1] <= s:
            si += 1
        if si < len(skip) and skip[si][0] <= s < skip[si][1]:
            continue
        j = s - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j < 0 or text[j] == "\n" or text[j] in SENT_END:
            continue
        w = m.group()
        if w.isupper() and len(w) > 1:
            form = w  # acronym as written
        elif w[0].isupper():
            form = w[0] + w[1:]
        else:
            form = w.lower()
        votes.setdefault(_key(w), Counter())[form] += 1
    out = {}
    for key, counter in votes.items():
        form, _ = counter.most_common(1)[0]
        out[key] = form
    return out


def is_shouting(line: str) -> bool:
    """True for lines written mostly in capitals (wire headlines, datelines)."""
    words = [w for w in WORD_RE.findall(line) if len(w) > 1]
    if len(words) < 1:
        return False
    upper = sum(1 for w in words if w.isupper())
    return (upper >= 2 and upper / len(words) >= 0.6) or (len(words) == 1 and upper == 1 and len(words[0]) > 2)


def is_title_case(line: str) -> bool:
    """True for headline-style lines where most content words are capitalised."""
    words = [w for w in WORD_RE.findall(line) if w.lower() not in SMALL_WORDS]
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.75


def _recase_word(
    word: str,
    first: bool,
    shouting: bool,
    votes: dict[str, str],
    proper: dict[str, tuple[str, bool]],
    is_common: Callable[[str], bool],
) -> str:
    suffix = ""
    for suf in ("'s", "’s", "'", "’"):
        if word.lower().endswith(suf) and len(word) > len(suf) + 1:
            word, suffix = word[: -len(suf)], word[-len(suf) :].lower()
            break
    key = _key(word)
    target: str
    known = proper.get(key)
    if key in votes:
        target = votes[key]
    elif any(c.isdigit() for c in word):
        target = word
    elif key in SMALL_WORDS:
        target = word.lower()
    elif known is not None and (known[1] or not is_common(key)):
        target = known[0]
    elif is_common(key) or key in SMALL_WORDS:
        target = word.lower()
    elif shouting:
        target = word if len(word) <= 3 and not any(c in "AEIOUaeiou" for c in word) else word.capitalize()
    else:
        target = word  # unknown capitalised word in a headline: probably a name
    if first and target[:1].islower():
        target = target[0].upper() + target[1:]
    if len(target) != len(word):
        return word + suffix
    return _apply_case(word, target) + suffix


def _apply_case(word: str, pattern: str) -> str:
    return "".join(c.upper() if p.isupper() else c.lower() for c, p in zip(word, pattern, strict=True))


def truecase(
    text: str,
    title_end: int,
    proper: dict[str, tuple[str, bool]],
    is_common: Callable[[str], bool],
) -> str:
    """Return ``text`` with headline/ALL-CAPS lines recased; same length as ``text``.

    ``title_end`` is the end offset of the title (0 when there is none); the
    title is recased when it is in Title Case, any line when it is ALL CAPS.
    """
    targets: list[tuple[int, int, bool]] = []
    for m in LINE_RE.finditer(text):
        line = m.group()
        if is_shouting(line):
            targets.append((m.start(), m.end(), True))
        elif m.start() < title_end and is_title_case(line):
            targets.append((m.start(), m.end(), False))
    if not targets:
        return text
    votes = case_votes(text, [(s, e) for s, e, _ in targets])
    chars = list(text)
    for start, end, shouting in targets:
        line = text[start:end]
        first = True
        for w in WORD_RE.finditer(line):
            word = w.group()
            new = _recase_word(word, first, shouting, votes, proper, is_common)
            first = False
            if new != word:
                chars[start + w.start() : start + w.end()] = new
    out = "".join(chars)
    return out if len(out) == len(text) else text
