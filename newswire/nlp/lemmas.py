"""Repairs of the rule lemmatizer's verb lemmas.

spaCy's English rule lemmatizer strips "-ed"/"-ing" and keeps the first
candidate found in its verb index, so "staged" becomes "stag" and "waged"
"wag" (both are verbs in WordNet). English spelling settles it: a stressed
consonant-vowel-consonant stem doubles its last consonant before a suffix
("stag" -> "stagged"), so a surface form without the doubling comes from the
stem plus a silent "e" ("stage" -> "staged"). Event coding joins verb lemmas to
the CAMEO dictionaries, so one wrong lemma loses every event of that verb.
"""

from __future__ import annotations

from spacy.tokens import Doc

VOWELS = frozenset("aeiou")
#: Final consonants that English never doubles before a suffix.
NO_DOUBLING = frozenset("wxy")


def _is_cvc(stem: str) -> bool:
    """One syllable ending consonant-vowel-consonant: "stag", "hop", "wag"."""
    if len(stem) < 3 or stem[-1] in VOWELS or stem[-1] in NO_DOUBLING:
        return False
    if stem[-2] not in VOWELS or stem[-3] in VOWELS:
        return False
    return sum(1 for c in stem if c in VOWELS) == 1


def repaired_lemma(text: str, lemma: str, verbs: frozenset[str]) -> str:
    """The verb lemma of an inflected ``text`` when the lemmatizer dropped a silent "e"."""
    low = text.lower()
    for suffix in ("ed", "ing"):
        if not low.endswith(suffix):
            continue
        stem = low[: -len(suffix)]
        if lemma == stem and _is_cvc(stem) and stem + "e" in verbs:
            return stem + "e"
    return lemma


def repair_verb_lemmas(doc: Doc, verbs: frozenset[str]) -> None:
    for tok in doc:
        if tok.pos_ in ("VERB", "AUX") and tok.tag_ in ("VBD", "VBN", "VBG"):
            fixed = repaired_lemma(tok.text, tok.lemma_.lower(), verbs)
            if fixed != tok.lemma_.lower():
                tok.lemma_ = fixed
