"""Gazetteer and rule-based entity fixes that run after spaCy's statistical NER.

The small English model confuses group codes ("G7") with places, swallows
title-case headline verbs into names and breaks on bracketed editorial
insertions ("[Vladimir] Putin"). The component here merges phrase matches from
the committed gazetteer (countries, capitals, demonyms, organisations, office
holders; see data/README.md) with the model's entities and applies a few general
token rules. Provenance per entity is kept in ``doc.user_data`` so the row
builder can fill ``entity_mentions.source``.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from newswire.nlp.lemmas import repair_verb_lemmas

LOG = logging.getLogger(__name__)

DATA_FILE = Path(__file__).with_name("data") / "gazetteer.tsv"
SOURCE_KEY = "newswire_ent_source"

#: Group codes such as G7, G-20, G77 name organisations, never places.
GROUP_CODE_RE = re.compile(r"^G-?\d{1,2}$")
GROUP_CODE_SEARCH = re.compile(r"(?<![\w-])G-?\d{1,2}(?![\w-])")

#: Gazetteer kinds whose label beats the model's when both cover the same span.
STRONG_KINDS = frozenset({"country", "demonym", "igo", "continent", "region", "capital", "state"})


@dataclass(frozen=True)
class Entry:
    """One gazetteer line."""

    text: str
    label: str
    kind: str
    case_sensitive: bool


@functools.lru_cache(maxsize=1)
def load_entries(path: Path = DATA_FILE) -> tuple[Entry, ...]:
    """Read the committed gazetteer file (cached: it is shared by all pipelines)."""
    entries = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            text, label, kind, case = line.rstrip("\n").split("\t")
            entries.append(Entry(text, label, kind, case == "s"))
    return tuple(entries)


#: Kinds whose words are names even when they are also common English words.
STRONG_CASE_KINDS = frozenset({"country", "capital", "demonym", "igo", "state", "continent", "region"})


@functools.lru_cache(maxsize=1)
def proper_forms() -> dict[str, tuple[str, bool]]:
    """Lower-case word -> (capitalised form, strong) for every word of every gazetteer name.

    Used by the truecaser for ALL-CAPS and Title Case lines. "Strong" words come
    from place/nationality/IGO names ("Turkey", "Chinese") and win over the
    common-word lexicon; words of person and company names do not ("Rice").
    """
    forms: dict[str, tuple[str, bool]] = {}
    for e in load_entries():
        strong = e.kind in STRONG_CASE_KINDS
        for word in e.text.split():
            key = word.lower()
            old = forms.get(key)
            if old is None or (strong and not old[1]) or (e.case_sensitive and word.isupper()):
                forms[key] = (word, strong or (old[1] if old else False))
    return forms


@Language.factory("newswire_gazetteer", default_config={"data_file": str(DATA_FILE)})
def make_gazetteer(nlp: Language, name: str, data_file: str) -> GazetteerFixer:
    """spaCy factory: ``nlp.add_pipe("newswire_gazetteer", after="ner")``."""
    return GazetteerFixer(nlp, name, Path(data_file))


class GazetteerFixer:
    """Merge gazetteer matches into ``doc.ents`` and apply general entity rules."""

    def __init__(self, nlp: Language, name: str, data_file: Path) -> None:
        self.name = name
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.kinds: dict[str, tuple[str, str]] = {}
        by_key: dict[tuple[bool, str], list[str]] = {}
        for e in load_entries(data_file):
            key = f"{e.label}|{e.kind}"
            self.kinds[key] = (e.label, e.kind)
            by_key.setdefault((e.case_sensitive, key), []).append(e.text)
        self.by_text: dict[str, tuple[str, str]] = {}
        self.by_lower: dict[str, tuple[str, str]] = {}
        for e in load_entries(data_file):
            target = self.by_text if e.case_sensitive else self.by_lower
            target.setdefault(e.text if e.case_sensitive else e.text.lower(), (e.label, e.kind))
        for (case_sensitive, key), texts in by_key.items():
            matcher = self.exact if case_sensitive else self.lower
            matcher.add(key, [nlp.make_doc(t) for t in texts])
        self.common: frozenset[str] = frozenset()
        self.verbs: frozenset[str] = frozenset()
        if "lemmatizer" in nlp.pipe_names:
            lookups = nlp.get_pipe("lemmatizer").lookups
            if lookups.has_table("lemma_index"):
                index = lookups.get_table("lemma_index")
                words: set[str] = set()
                for values in index.values():
                    words.update(values)
                self.common = frozenset(words)
                self.verbs = frozenset(index.get("verb", ()))

    def __call__(self, doc: Doc) -> Doc:
        if self.verbs:
            repair_verb_lemmas(doc, self.verbs)
        sources: dict[str, str] = doc.user_data.setdefault(SOURCE_KEY, {})
        ents = list(doc.ents)
        gaz: list[Span] = []
        kinds: dict[tuple[int, int], str] = {}
        for matcher in (self.exact, self.lower):
            for match_id, start, end in matcher(doc):
                label, kind = self.kinds[doc.vocab.strings[match_id]]
                gaz.append(Span(doc, start, end, label=label))
                kinds[(start, end)] = kind
        if gaz:
            ents = self._merge(doc, ents, filter_spans(gaz), kinds, sources)
        ents = self._rules(doc, ents, sources)
        doc.set_ents(filter_spans(ents))
        return doc

    @staticmethod
    def _merge(
        doc: Doc,
        ents: list[Span],
        gaz: list[Span],
        kinds: dict[tuple[int, int], str],
        sources: dict[str, str],
    ) -> list[Span]:
        """Add or relabel from the gazetteer; the model keeps spans it saw as longer."""
        by_token: dict[int, Span] = {}
        for ent in ents:
            for i in range(ent.start, ent.end):
                by_token[i] = ent
        out = {(e.start, e.end): e for e in ents}
        for g in gaz:
            kind = kinds[(g.start, g.end)]
            overlap = {id(by_token[i]): by_token[i] for i in range(g.start, g.end) if i in by_token}
            if not overlap:
                if kind == "city" and len(g) == 1 and doc[g.start].is_sent_start:
                    continue  # "Reading", "Mobile" at sentence start: too ambiguous alone
                out[(g.start, g.end)] = g
                sources[f"{g.start_char}:{g.end_char}"] = "gazetteer"
                continue
            olds = list(overlap.values())
            if len(olds) == 1 and (olds[0].start, olds[0].end) == (g.start, g.end):
                old = olds[0]
                if old.label_ != g.label_ and (kind in STRONG_KINDS or len(g) > 1):
                    out[(g.start, g.end)] = g
                    sources[f"{g.start_char}:{g.end_char}"] = "gazetteer"
                continue
            if all(g.start <= o.start and o.end <= g.end for o in olds) and len(g) > 1:
                for o in olds:
                    out.pop((o.start, o.end), None)
                out[(g.start, g.end)] = g
                sources[f"{g.start_char}:{g.end_char}"] = "gazetteer"
        return list(out.values())

    def lookup(self, text: str) -> tuple[str, str] | None:
        """(label, kind) of an exact gazetteer name, or None."""
        return self.by_text.get(text) or self.by_lower.get(text.lower())

    def _rules(self, doc: Doc, ents: list[Span], sources: dict[str, str]) -> list[Span]:
        """General token rules: line/dash splits, trimming, group codes, brackets, sports."""
        out: list[Span] = []
        covered: set[int] = set()
        for orig in ents:
            parts = _split(orig)
            for ent in parts:
                ent = _trim(ent)
                if ent is None or self._is_noise(ent):
                    continue
                if len(parts) > 1 or (ent.start, ent.end) != (orig.start, orig.end):
                    known = self.lookup(ent.text)
                    if known is not None and known[0] != ent.label_:
                        ent = Span(doc, ent.start, ent.end, label=known[0])
                        sources[f"{ent.start_char}:{ent.end_char}"] = "gazetteer"
                if ent.label_ == "ORG" and len(ent) > 1 and ent[-1].text in EVENT_HEADS:
                    ent = Span(doc, ent.start, ent.end, label="EVENT")
                    sources[f"{ent.start_char}:{ent.end_char}"] = "rule"
                if GROUP_CODE_RE.match(ent.text) and ent.label_ != "ORG":
                    ent = Span(doc, ent.start, ent.end, label="ORG")
                    sources[f"{ent.start_char}:{ent.end_char}"] = "rule"
                bracketed = _extend_brackets(doc, ent)
                if bracketed is not None:
                    ent = bracketed
                    sources[f"{ent.start_char}:{ent.end_char}"] = "rule"
                out.append(ent)
                covered.update(range(ent.start, ent.end))
        for m in GROUP_CODE_SEARCH.finditer(doc.text):  # regex over the text: no Python token loop
            span = doc.char_span(m.start(), m.end())
            if span is not None and len(span) == 1 and span.start not in covered:
                span = Span(doc, span.start, span.end, label="ORG")
                out.append(span)
                sources[f"{span.start_char}:{span.end_char}"] = "rule"
        if _is_sports(doc):
            out = [self._sports_team(doc, e, sources) for e in out]
            out = self._result_tables(doc, out, sources)
        return out

    def _result_tables(self, doc: Doc, ents: list[Span], sources: dict[str, str]) -> list[Span]:
        """Score lines ("Lotte 6 Hyundai 2") and standings rows name teams: ORG unless a country."""
        text = doc.text
        found: list[Span] = []
        for m in LINE_RE.finditer(text):
            line = m.group()
            res = RESULT_RE.match(line) or STANDING_RE.match(line)
            if res is None:
                continue
            for g in ("a", "b"):
                if g not in res.groupdict() or res.group(g) is None:
                    continue
                name = res.group(g).strip()
                if not name or any(w[:1].islower() for w in name.split()):
                    continue
                start = m.start() + res.start(g)
                span = doc.char_span(start, start + len(name), alignment_mode="contract")
                if span is None or not len(span):
                    continue
                known = self.lookup(name)
                label = known[0] if known is not None and known[1] in STRONG_KINDS - {"capital"} else "ORG"
                if any(e.label_ == "PERSON" and len(e) > 1 and e.start <= span.start < e.end for e in ents):
                    continue  # golf/athletics tables list people

                found.append(Span(doc, span.start, span.end, label=label))
                sources[f"{span.start_char}:{span.end_char}"] = "rule"
        if not found:
            return ents
        taken = {i for f in found for i in range(f.start, f.end)}
        return [e for e in ents if not any(i in taken for i in range(e.start, e.end))] + found

    def _is_noise(self, ent: Span) -> bool:
        """Capitalised-only-by-position common words ("Men", "Attendance") and letter runs ("W L")."""
        if ent.label_ in NAME_LABELS and not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in ent):
            return True  # English names are capitalised: "foreign ministry", "congress"
        if all(len(t.text) == 1 or t.is_punct for t in ent):
            return ent.label_ not in ("CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT")
        if len(ent) == 1 and ent.label_ in NAME_LABELS:
            tok = ent[0]
            at_start = tok.i == 0 or tok.is_sent_start or "\n" in tok.doc[tok.i - 1].text_with_ws
            common = tok.lower_ in self.common or tok.lemma_.lower() in self.common
            if at_start and common and self.lookup(tok.text) is None:
                # keep "Bush said ..." when the article also writes Bush capitalised mid-sentence
                return tok.text not in _mid_sentence_caps(tok.doc)
        return False

    def _sports_team(self, doc: Doc, ent: Span, sources: dict[str, str]) -> Span:
        """In sports reports a city or county name stands for its club (metonymy)."""
        if ent.label_ not in ("GPE", "LOC"):
            return ent
        known = self.lookup(ent.text)
        if known is not None and known[1] in STRONG_KINDS - {"capital"}:
            return ent  # national teams keep the country
        first = ent[0]
        line_start = first.i == 0 or "\n" in doc[first.i - 1].text_with_ws
        if line_start and ent.end < len(doc) and (doc[ent.end].like_num or doc[ent.end].text in (",", ":", "(")):
            if not doc[ent.end].text.isdigit() or len(doc[ent.end].text) != 1:
                return ent  # dateline "LONDON 1996-08-30", "LA CORUNA , Spain", venue "Bristol :"
        if first.i > 0 and doc[first.i - 1].lower_ in ("in", "at", "near", "from", "to", "of", "outside"):
            return ent
        span = Span(doc, ent.start, ent.end, label="ORG")
        sources[f"{span.start_char}:{span.end_char}"] = "rule"
        return span


LINE_RE = re.compile(r"[^\n]+")
SCORE_RE = re.compile(r"^[\d.,:/-]*\d[\d.,:/-]*$")
#: "Lotte 6 Hyundai 2 ( halftime 1-0 )"
RESULT_RE = re.compile(r"^(?P<a>[A-Z][^\d\n(),:]*?) \d+ (?P<b>[A-Z][^\d\n(),:]*?) \d+(?: |$)")
#: "Puchon 3 1 0 6 1 10", "CHICAGO 65 66 .496 5"
STANDING_RE = re.compile(r"^(?P<a>[A-Z][^\d\n(),:]*?)(?: (?:\d+|\d*\.\d+|-|\d+ \d/\d)){3,} *$")
#: Final words that make an ORG-looking name an event: "UEFA Cup", "Hong Kong Open".
EVENT_HEADS = frozenset(
    "Cup Open Tour Championship Championships Games Final Finals Trophy Prix Series Olympics "
    "Tournament Classic Masters Marathon Rally Grand Slam Derby".split()
)
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART"})
DETERMINERS = frozenset({"the", "a", "an"})
SPORT_CUES = frozenset(
    "match goal innings wicket season championship league cup tournament coach striker "
    "midfielder defender goalkeeper halftime draw beat defeat victory champion player team club "
    "game seed round race medal olympic soccer football cricket tennis golf rugby baseball "
    "basketball hockey inning pitcher quarterback standings score scorer points bowl bat "
    "batting bowling semifinal final fixture derby".split()
)


SPORT_RE = re.compile(r"\b(?:" + "|".join(sorted(SPORT_CUES, key=len, reverse=True)) + r")(?:e?s)?\b", re.I)


def _is_sports(doc: Doc) -> bool:
    """Enough sports vocabulary that place names likely denote teams."""
    hits = 0
    for _ in SPORT_RE.finditer(doc.text):
        hits += 1
        if hits >= 4:
            return True
    return False


MID_CAPS_RE = re.compile(r"(?<=[a-z,;] )[A-Z][\w'-]+")


def _mid_sentence_caps(doc: Doc) -> dict[str, bool]:
    """Capitalised words that follow a lower-case word: evidence of a proper noun.

    Cached in ``doc.user_data`` as a dict (msgpack-serialisable, so ``nlp.pipe(n_process=...)``
    keeps working with this component).
    """
    cached = doc.user_data.get("newswire_mid_caps")
    if cached is None:
        cached = dict.fromkeys(MID_CAPS_RE.findall(doc.text), True)
        doc.user_data["newswire_mid_caps"] = cached
    return cached


def _split(ent: Span) -> list[Span]:
    """Names never span a line break or a spaced dash ("Romania - Cosmin Contra")."""
    doc = ent.doc
    cuts = [
        t.i
        for t in ent
        if (t.is_space and "\n" in t.text)
        or ("\n" in t.whitespace_ and t.i < ent.end - 1)
        or (t.text in ("-", "--", "—", "–") and t.whitespace_ and t.i > 0 and doc[t.i - 1].whitespace_)
        or (t.text in (",", ";", "(", ")") and ent.label_ in NAME_LABELS)
        or (t.is_digit and ent.label_ in ("GPE", "LOC", "PERSON", "ORG") and ent.start < t.i < ent.end - 1)
        or (t.pos_ == "ADP" and t.is_lower and ent.label_ == "PERSON")
    ]
    if not cuts:
        return [ent]
    parts = []
    start = ent.start
    for c in cuts:
        nl_after = "\n" in doc[c].whitespace_ and not doc[c].is_space and doc[c].text not in ("-", "--", "—", "–")
        stop = c + 1 if nl_after else c
        if stop > start:
            parts.append(Span(doc, start, stop, label=ent.label_))
        start = c + 1
    if ent.end > start:
        parts.append(Span(doc, start, ent.end, label=ent.label_))
    return parts


def _trim(ent: Span) -> Span | None:
    """Drop edge tokens that are not part of a name: determiners, verbs, numbers, punctuation."""
    start, end = ent.start, ent.end
    doc = ent.doc
    is_name = ent.label_ in NAME_LABELS
    while end > start and (
        (doc[end - 1].pos_ in ("VERB", "AUX") and doc[end - 1].tag_ in ("VBZ", "VBD", "VBP", "VB"))
        or (doc[end - 1].is_punct and doc[end - 1].text not in (".", "]", ")"))
        or doc[end - 1].is_space
        or (is_name and doc[end - 1].like_num and not GROUP_CODE_RE.match(doc[end - 1].text))
        or (is_name and doc[end - 1].tag_ == "POS" and end - start > 1)
        or (is_name and SCORE_RE.match(doc[end - 1].text) is not None)
    ):
        end -= 1
    while start < end and (
        (doc[start].is_punct and doc[start].text != "[")
        or doc[start].is_space
        or (is_name and doc[start].lower_ in DETERMINERS and end - start > 1)
        or (is_name and doc[start].like_num)
    ):
        start += 1
    if start >= end:
        return None
    if (start, end) == (ent.start, ent.end):
        return ent
    return Span(doc, start, end, label=ent.label_)


def _extend_brackets(doc: Doc, ent: Span) -> Span | None:
    """Grow "Vladimir] Putin" / "Putin" after "[Vladimir]" to cover the whole insertion."""
    start, end = ent.start, ent.end
    # "[" immediately before the entity, or a "]" inside it without its "["
    inside = [t.text for t in ent]
    if "]" in inside and "[" not in inside and start > 0 and doc[start - 1].text == "[":
        start -= 1
    elif start >= 2 and doc[start - 1].text == "]":
        j = start - 2
        while j >= 0 and doc[j].text != "[" and (doc[j].is_title or doc[j].is_upper) and start - j < 5:
            j -= 1
        if j >= 0 and doc[j].text == "[" and j < start - 2:
            start = j
    if "[" in inside and "]" not in inside:
        k = end
        while k < len(doc) and doc[k].text != "]" and k - end < 4 and (doc[k].is_title or doc[k].is_upper):
            k += 1
        if k < len(doc) and doc[k].text == "]":
            end = k + 1
            while end < len(doc) and doc[end].is_title and end - k < 4:
                end += 1
    if (start, end) == (ent.start, ent.end):
        return None
    return Span(doc, start, end, label=ent.label_)


def normalize_entity_text(text: str) -> str:
    """Cleaned surface form: no editorial brackets, no possessive, single spaces."""
    text = text.replace("[", "").replace("]", "")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?:'s|’s|')$", "", text).strip()
    return text.strip(" \"'“”‘’,;:")
