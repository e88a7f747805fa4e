"""Predicate-argument structures from spaCy's dependency parse.

One row per content verb and per combination of coordinated subject/object
heads. Control verbs ("pledged to improve", "threatening to impose") are folded
into a chain so that the row's verb is the content verb and the chain keeps the
intent; passives are normalised so that the "by" agent is the subject and the
patient is the object. No event ontology here: downstream dbt models map lemmas
to CAMEO.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product
from typing import Any

from spacy.tokens import Span, Token

#: Controllers that express intent or attitude rather than an event of their own.
MODAL_CONTROLLERS = frozenset(
    "threaten want seek plan intend hope try aim vow promise pledge agree refuse decide expect "
    "wish attempt offer prepare propose demand ask need able ready willing continue begin "
    "start fail vote push move call urge".split()
)
MODAL_AUX = frozenset("will would may might can could should must shall".split())
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom", "whose"})
#: Right-hand dependents that belong to a noun phrase's core span.
NP_RIGHT_DEPS = frozenset({"compound", "nummod", "case", "poss", "flat", "nmod", "amod", "quantmod"})
NP_SKIP_DEPS = frozenset({"punct", "cc", "conj", "appos", "relcl", "acl", "prep", "advcl", "dep"})

Resolver = Callable[[Token, int, int], str | None]


def np_bounds(head: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase core around ``head``.

    Keeps determiners, modifiers and "of" complements ("leaders of China"), drops
    relative clauses, appositions, other prepositional phrases and conjuncts,
    which become rows or arguments of their own.
    """
    start = end = head.i
    for child in head.lefts:
        if child.dep_ in ("punct", "cc", "conj") and child.i < head.i:
            continue
        start = min(start, child.left_edge.i)
    for child in head.rights:
        if child.dep_ in NP_RIGHT_DEPS or (child.dep_ == "prep" and child.lower_ == "of"):
            end = max(end, child.right_edge.i)
        elif child.dep_ in NP_SKIP_DEPS or child.is_punct:
            break
    doc = head.doc
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > head.i and ((doc[end].is_punct and doc[end].text not in (")", "]")) or doc[end].is_space):
        end -= 1
    return start, end + 1


def conjuncts(tok: Token) -> list[Token]:
    """``tok`` and the heads coordinated with it ("China, South Korea and Russia")."""
    out = [tok]
    stack = [c for c in tok.children if c.dep_ == "conj"]
    while stack:
        c = stack.pop(0)
        if c.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "X"):
            out.append(c)
            stack.extend(x for x in c.children if x.dep_ == "conj")
    return out


def _is_content_verb(tok: Token) -> bool:
    if tok.pos_ != "VERB" or tok.dep_ in ("amod", "compound", "nmod"):
        return False
    # a verb with an xcomp verb is a controller: its row is emitted at the content verb
    for c in tok.children:
        if c.dep_ == "xcomp" and c.pos_ == "VERB":
            return False
        if c.dep_ == "acomp" and any(g.dep_ == "xcomp" and g.pos_ == "VERB" for g in c.children):
            return False
    return True


def _headline_controller(verb: Token) -> Token | None:
    """'Abe Pledges to Improve ...': the model reads the headline verb as a plural noun."""
    head = verb.head
    if (
        verb.dep_ in ("relcl", "acl")
        and head.tag_ in ("NNS", "NNPS")
        and head.lower_.endswith("s")
        and head.i < verb.i
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        and any(c.dep_ in ("compound", "nsubj") and c.pos_ == "PROPN" for c in head.lefts)
    ):
        return head
    return None


def _chain(verb: Token, headline: bool = False) -> list[Token]:
    """Controllers from outermost to the content verb: [pledge, improve]."""
    chain = [verb]
    cur = verb
    if headline:
        ctl = _headline_controller(verb)
        if ctl is not None:
            return [ctl, verb]
    for _ in range(6):
        head = cur.head
        if cur.dep_ == "xcomp" and head is not cur and head.pos_ in ("VERB", "ADJ", "AUX"):
            chain.insert(0, head)
            cur = head
            if head.pos_ == "ADJ" and head.dep_ == "acomp" and head.head is not head:
                chain.insert(0, head.head)  # "been able to meet": the copula carries subject/negation
                cur = head.head
        else:
            break
    return chain


def _find_subject(chain: list[Token]) -> tuple[Token | None, bool]:
    """Subject head and whether it is a passive patient, climbing out of clauses if needed."""
    # innermost first: the content verb's own subject, then the nearest controller's
    # object ("urged Iran to stop": object control) or subject ("Iran vowed to stop")
    for k in range(len(chain) - 1, -1, -1):
        tok = chain[k]
        if k < len(chain) - 1 and tok.pos_ == "VERB":
            dobj = next((c for c in tok.children if c.dep_ == "dobj" and c.pos_ in ("PROPN", "NOUN", "PRON")), None)
            if dobj is not None and dobj.i < chain[k + 1].i:
                return dobj, False
        for c in tok.children:
            if c.dep_ in SUBJECT_DEPS:
                return c, c.dep_.endswith("pass")
    if chain[0].pos_ in ("NOUN", "PROPN"):  # repaired headline controller
        names = [c for c in chain[0].lefts if c.dep_ in ("compound", "nsubj") and c.pos_ == "PROPN"]
        return (names[-1], False) if names else (None, False)
    cur = chain[0]
    for _ in range(6):
        if cur.dep_ in ("conj", "advcl", "xcomp") and cur.head is not cur:
            cur = cur.head
        elif cur.dep_ == "pcomp" and cur.head.dep_ == "prep" and cur.head.head is not cur.head:
            cur = cur.head.head
            while cur.pos_ in ("NOUN", "PROPN") and cur.dep_ == "npadvmod" and cur.head is not cur:
                cur = cur.head  # "hours after joining ...": climb to the clause
        else:
            break
        if cur.pos_ in ("NOUN", "PROPN", "PRON"):
            # "Abe, after joining ...": the noun the adjunct hangs on is the actor
            return (cur, False) if cur.dep_ in ("nsubj", "nsubjpass") else (None, False)
        for c in cur.children:
            if c.dep_ in ("nsubj", "csubj"):
                return c, False
    return None, False


def _prep_args(heads: list[Token], skip: set[int]) -> list[dict[str, Any]]:
    doc = heads[0].doc
    args: list[dict[str, Any]] = []
    for head in heads:
        for prep in head.children:
            if prep.dep_ not in ("prep", "dative") or prep.i in skip or prep.pos_ != "ADP":
                continue
            if head.pos_ in ("NOUN", "PROPN") and prep.lower_ == "of":
                continue  # already inside the noun phrase ("leaders of Southeast Asia")
            objs = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
            for obj in objs:
                for o in conjuncts(obj) if obj.dep_ == "pobj" else [obj]:
                    if o.dep_ == "pcomp" or o.pos_ == "VERB":
                        s, e = o.left_edge.i, o.right_edge.i + 1
                    else:
                        s, e = np_bounds(o)
                    span = doc[s:e]
                    args.append(
                        {
                            "preposition": prep.lower_,
                            "text": span.text,
                            "head_lemma": o.lemma_,
                            "start_char": span.start_char,
                            "end_char": span.end_char,
                        }
                    )
    return args


def _span_fields(tok: Token | None, text_of: Callable[[int, int], str]) -> tuple[str | None, ...]:
    if tok is None:
        return None, None, None, None
    s, e = np_bounds(tok)
    span = tok.doc[s:e]
    return text_of(span.start_char, span.end_char), tok.lemma_, span.start_char, span.end_char


def extract_predicates(
    sent: Span,
    text_of: Callable[[int, int], str],
    resolve: Resolver | None = None,
    headline: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield predicate rows (without article_id/sentence_no/predicate_no) for one sentence.

    ``text_of(start, end)`` returns the original document text (the parsed text
    may be recased); ``resolve(token, start, end)`` returns the antecedent or
    canonical name for a subject, or None. ``headline`` enables repairs for
    telegraphic headline grammar.
    """
    for verb in sent:
        if not _is_content_verb(verb):
            continue
        chain = _chain(verb, headline)
        subj, subj_is_patient = _find_subject(chain)
        passive = subj_is_patient or any(c.dep_ == "auxpass" for c in verb.children)
        obj: Token | None = None
        agent_obj: Token | None = None
        skip_preps: set[int] = set()
        subjects: list[Token | None]
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            # "countries angered by disputes": the modified noun is the patient
            passive = True
            obj, subj = verb.head, None
        if subj is not None and subj.lower_ in RELATIVE_PRONOUNS:
            top = chain[0]
            if top.dep_ == "relcl":
                subj = top.head
        if passive:
            if obj is None:
                obj = subj if subj_is_patient else None
            subj = None
            for c in verb.children:
                if c.dep_ == "agent":
                    pobj = [g for g in c.children if g.dep_ == "pobj"]
                    if pobj:
                        subj = pobj[0]
                        skip_preps.add(c.i)
                        agent_obj = pobj[0]
        else:
            for c in verb.children:
                if c.dep_ in ("dobj", "obj"):
                    obj = c
                    break
        subjects = conjuncts(subj) if subj is not None else [None]
        objects: list[Token | None] = conjuncts(obj) if obj is not None else [None]
        prep_heads = [verb] + ([obj] if obj is not None and obj.i > verb.i else [])
        if agent_obj is not None:
            prep_heads.append(agent_obj)  # "signed by the president in Geneva"
        prep_args = _prep_args(prep_heads, skip_preps)
        particle = next((c.lower_ for c in verb.children if c.dep_ == "prt"), None)
        negated = any(c.dep_ == "neg" for t in chain for c in t.children)
        lemmas = [t.lemma_.lower() for t in chain if t.pos_ != "AUX"]
        if chain[0].pos_ == "NOUN" and chain[0].lemma_.endswith("s"):
            lemmas[0] = lemmas[0][:-1]
        modality = next((lem for lem in lemmas[:-1] if lem in MODAL_CONTROLLERS), None)
        if modality is None:
            for t in chain:
                for c in t.children:
                    if c.dep_ == "aux" and c.tag_ == "MD" and c.lower_ in MODAL_AUX:
                        modality = c.lower_
                        break
                    if c.dep_ == "aux" and c.lower_ == "going" and t.i > c.i:
                        modality = "will"
                if modality:
                    break
        chain_text = ">".join(lemmas) if len(lemmas) > 1 else None
        for s_tok, o_tok in product(subjects, objects):
            s_text, s_lemma, s_start, s_end = _span_fields(s_tok, text_of)
            o_text, o_lemma, o_start, o_end = _span_fields(o_tok, text_of)
            resolved = resolve(s_tok, s_start, s_end) if (resolve and s_tok is not None) else None
            yield {
                "verb_lemma": verb.lemma_.lower(),
                "verb_text": text_of(verb.idx, verb.idx + len(verb.text)),
                "verb_start": verb.idx,
                "verb_end": verb.idx + len(verb.text),
                "particle": particle,
                "is_negated": negated,
                "modality": modality,
                "control_chain": chain_text,
                "control_lemmas": lemmas if len(lemmas) > 1 else [],
                "voice": "passive" if passive else "active",
                "subject_text": s_text,
                "subject_head_lemma": s_lemma,
                "subject_start": s_start,
                "subject_end": s_end,
                "subject_resolved_text": resolved,
                "object_text": o_text,
                "object_head_lemma": o_lemma,
                "object_start": o_start,
                "object_end": o_end,
                "prep_args": prep_args,
            }
