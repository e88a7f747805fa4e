"""Document-level entity consistency: surname linking, label voting, pronouns.

A news article names a person in full once ("Shinzo Abe") and then by surname
("Abe"), and the model's label for the same string often flips between
mentions. We link short forms to the full name, make labels agree within the
document, recover later repeats the model missed, and resolve subject pronouns
to the most recent compatible mention (a deliberately simple heuristic).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT"})
HONORIFICS = frozenset("mr mrs ms dr sir president minister prime".split())
PRONOUN_LABELS = {
    "he": ("PERSON",), "him": ("PERSON",), "his": ("PERSON",), "she": ("PERSON",),
    "her": ("PERSON",), "it": ("ORG", "GPE"), "its": ("ORG", "GPE"),
    "they": ("ORG", "GPE", "NORP"), "them": ("ORG", "GPE", "NORP"),
}
SOURCE_RANK = {"gazetteer": 3, "rule": 2, "model": 1}


def recover_mentions(doc: Doc, ents: Sequence[Span]) -> list[Span]:
    """Add capitalised repeats of names the model found elsewhere in the document.

    Only capitalised tokens are considered and only names of two or more letters,
    so "Simmons" is recovered after "Phil Simmons" but "may" is never tagged.
    """
    singles: dict[str, str] = {}
    multis: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for ent in ents:
        if ent.label_ not in NAME_LABELS:
            continue
        words = tuple(t.text for t in ent if not t.is_punct)
        if not words:
            continue
        if len(words) == 1:
            singles.setdefault(words[0], ent.label_)
        else:
            multis.setdefault(words[0], []).append((words, ent.label_))
            if ent.label_ == "PERSON" and words[-1][:1].isupper() and len(words[-1]) > 2:
                singles.setdefault(words[-1], "PERSON")
    if not singles and not multis:
        return list(ents)
    covered = bytearray(len(doc))
    for ent in ents:
        covered[ent.start : ent.end] = b"\x01" * len(ent)
    added: list[Span] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if covered[i] or (not tok.is_title and not tok.is_upper):
            i += 1
            continue
        hit = None
        for words, label in multis.get(tok.text, ()):
            j = i + len(words)
            if j <= n and not any(covered[i:j]) and tuple(t.text for t in doc[i:j]) == words:
                hit = Span(doc, i, j, label=label)
                break
        if hit is None and tok.text in singles and len(tok.text) > 1 and (
            i + 1 >= n or not (doc[i + 1].is_title and doc[i + 1].pos_ == "PROPN")
        ) and tok.pos_ in ("PROPN", "NOUN", "X"):
            hit = Span(doc, i, i + 1, label=singles[tok.text])
        if hit is not None:
            added.append(hit)
            covered[hit.start : hit.end] = b"\x01" * len(hit)
            i = hit.end
        else:
            i += 1
    return sorted([*ents, *added], key=lambda s: s.start)


def link_mentions(mentions: list[dict[str, Any]]) -> None:
    """Fill ``canonical_text`` and harmonise ``label`` across one article's mentions."""
    full_by_part: dict[str, set[str]] = {}
    for m in mentions:
        if m["label"] != "PERSON":
            continue
        words = [w for w in m["normalized_text"].split() if w.lower().rstrip(".") not in HONORIFICS]
        if len(words) >= 2:
            full = " ".join(words)
            full_by_part.setdefault(words[-1], set()).add(full)
            full_by_part.setdefault(words[0], set()).add(full)
    for m in mentions:
        norm = m["normalized_text"]
        canon = norm
        words = norm.split()
        linkable = m["label"] == "PERSON" or (m["source"] != "gazetteer" and m["label"] in NAME_LABELS)
        if linkable:
            core = [w for w in words if w.lower().rstrip(".") not in HONORIFICS] or words
            fulls = full_by_part.get(core[-1]) if len(core) == 1 else None
            if fulls and len(fulls) == 1:
                canon = next(iter(fulls))
        m["canonical_text"] = canon
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in mentions:
        groups.setdefault(m["canonical_text"], []).append(m)
    for canon, group in groups.items():
        if len(group) < 2 and not any(canon != m["normalized_text"] for m in group):
            continue
        labels = {m["label"] for m in group}
        if canon != group[0]["normalized_text"] or any(canon != m["normalized_text"] for m in group):
            # linked to a PERSON full name
            if any(m["label"] == "PERSON" and m["normalized_text"] == canon for m in group):
                labels = {"PERSON"}
        if len(labels) == 1:
            label = next(iter(labels))
        else:
            votes: Counter[str] = Counter()
            for m in group:
                votes[m["label"]] += SOURCE_RANK.get(m["source"], 1)
            label = votes.most_common(1)[0][0]
        for m in group:
            m["label"] = label


PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her"})

ROLE_ALIASES = {"pm": "minister", "premier": "minister", "chancellor": "chancellor"}


def person_roles(doc: Doc, mentions: list[dict[str, Any]]) -> dict[str, list[tuple[int, str]]]:
    """Role nouns written before person names: "Prime Minister Shinzo Abe" -> minister: Shinzo Abe.

    Lets a later "the prime minister" or headline "Japan's PM" resolve to the person.
    """
    roles: dict[str, list[tuple[int, str]]] = {}
    for m in mentions:
        if m["label"] != "PERSON":
            continue
        span = doc.char_span(m["start_char"], m["end_char"], alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        for child in root.lefts:
            if child.i < span.start and child.dep_ in ("compound", "amod", "appos") and child.pos_ in ("NOUN", "PROPN"):
                role = child.lemma_.lower()
                if role.isalpha() and not child.ent_type_:
                    roles.setdefault(role, []).append((m["start_char"], m["canonical_text"]))
    return roles


@dataclass(frozen=True)
class Antecedent:
    """What a subject refers to: a span of the document, and its canonical name if it is a named mention."""

    start: int
    end: int
    name: str | None


class PronounResolver:
    """Most recent compatible mention before a pronoun; canonical name for names and roles."""

    def __init__(self, mentions: list[dict[str, Any]], roles: dict[str, list[tuple[int, str]]] | None = None) -> None:
        self.mentions = sorted(mentions, key=lambda m: m["start_char"])
        self.starts = [m["start_char"] for m in self.mentions]
        self.roles = roles or {}
        self.by_name: dict[str, dict[str, Any]] = {}
        for m in self.mentions:
            if m["label"] == "PERSON":
                self.by_name.setdefault(m["canonical_text"], m)

    def resolve_role(self, head_lemma: str, start: int) -> Antecedent | None:
        """The person most recently introduced with this role noun (or the first, in a headline)."""
        found = self.roles.get(ROLE_ALIASES.get(head_lemma, head_lemma))
        if not found:
            return None
        names = {name for _, name in found}
        if len(names) == 1:
            name = next(iter(names))
        else:
            before = [name for pos, name in found if pos < start]
            if not before:
                return None
            name = before[-1]
        m = self.by_name.get(name)
        return Antecedent(m["start_char"], m["end_char"], name) if m else None

    def mention_at(self, head_start: int) -> dict[str, Any] | None:
        """The named mention covering the token that starts at ``head_start``."""
        i = bisect.bisect_right(self.starts, head_start) - 1
        if i >= 0:
            m = self.mentions[i]
            if m["start_char"] <= head_start < m["end_char"] and m["label"] in NAME_LABELS:
                return m
        return None

    def resolve(
        self, head_start: int, start: int, end: int, lower: str, sentence_no: int | None = None
    ) -> Antecedent | None:
        """Antecedent for a subject span [start, end) whose head token starts at ``head_start``.

        A name resolves to its own canonical name (no separate span); a pronoun to
        the most recent earlier mention of a compatible kind: he/she a person,
        it/they an organisation, place or group in the same or previous sentence.
        """
        m = self.mention_at(head_start)
        if m is not None:
            return Antecedent(m["start_char"], m["end_char"], m["canonical_text"])
        labels = PRONOUN_LABELS.get(lower)
        if labels is None:
            return None
        # it / they: a nearby antecedent only (this or the previous sentence)
        floor = sentence_no - 1 if sentence_no is not None and lower not in PERSON_PRONOUNS else None
        for k in range(bisect.bisect_left(self.starts, start) - 1, -1, -1):
            m = self.mentions[k]
            if m["end_char"] > start:
                continue
            if floor is not None and m["sentence_no"] < floor:
                return None
            if m["label"] in labels:
                return Antecedent(m["start_char"], m["end_char"], m["canonical_text"])
        return None
