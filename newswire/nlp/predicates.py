"""Predicate-argument structures from spaCy's dependency parse.

One row per content verb and per combination of coordinated subject/object
heads. Control verbs ("pledged to improve", "threatening to impose") are folded
into a chain so that the row's verb is the content verb and the chain keeps the
intent; passives are normalised so that the "by" agent is the subject and the
patient is the object. No event ontology here: downstream dbt models map lemmas
to CAMEO.

Besides the arguments, each row carries the linguistic facts event coding needs
to pick the events of a sentence: the kind of clause the verb heads (main,
complement, purpose, relative...), the verb governing that clause and the word
that introduces it ("after", "to"), the recipient of a ditransitive verb ("gave
Tanzania a grant"), and for a pronoun or role-noun subject the span of its
antecedent, so that dbt resolves actors once, from spans.
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
#: Verbs of taking part: "is engaged in a battle" names the participant as its
#: subject (a stative passive, not an agentless one), and the phrases of the
#: activity noun ("a battle with the insurgents") are the verb's own.
PARTICIPATION_VERBS = frozenset({"engage", "involve", "participate"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom", "whose"})
#: Right-hand dependents that belong to a noun phrase's core span.
NP_RIGHT_DEPS = frozenset({"compound", "nummod", "case", "poss", "flat", "nmod", "amod", "quantmod"})
NP_SKIP_DEPS = frozenset({"punct", "cc", "conj", "appos", "relcl", "acl", "prep", "advcl", "dep"})

#: A subject's antecedent: (start_char, end_char, canonical name or None), or None.
Resolver = Callable[[Token, int, int], "tuple[int, int, str | None] | None"]

#: Pronouns that refer to whoever speaks in quoted or reported speech.
SPEAKER_PRONOUNS = frozenset({"i", "we", "me", "us"})
#: Pronouns resolved to the subject of the verb whose complement clause they open.
ANAPHORIC_PRONOUNS = frozenset({"he", "she", "it", "they"}) | SPEAKER_PRONOUNS
PLURAL_PRONOUNS = frozenset({"they", "we", "us"})
#: Dependency relations of a clause's head verb -> the clause type written to the row.
CLAUSE_TYPES = {
    "ROOT": "main",
    "ccomp": "complement",
    "parataxis": "complement",
    "csubj": "subject",
    "csubjpass": "subject",
    "relcl": "relative",
    "pcomp": "prepositional",
    "xcomp": "complement",
}


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


def shared_modifier_start(tok: Token) -> int | None:
    """Start of the modifiers a bare conjunct shares with the first one.

    "Israeli helicopters and tanks": "tanks" has no modifier of its own and
    shares "Israeli" with "helicopters"; "France and Germany" share nothing.
    """
    if tok.dep_ != "conj" or any(c.dep_ in ("amod", "compound", "nmod", "poss", "det") for c in tok.lefts):
        return None
    first = tok
    while first.dep_ == "conj" and first.head is not first:
        first = first.head
    if first.pos_ != "NOUN":
        return None  # "South Korea and Japan": a name's own words are not shared
    mods = [c for c in first.lefts if c.dep_ in ("amod", "compound", "nmod", "poss")]
    if not mods:
        return None
    return min(c.left_edge.i for c in mods)


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


def _span_fields(tok: Token | None, text_of: Callable[[int, int], str]) -> tuple[Any, ...]:
    if tok is None:
        return None, None, None, None
    s, e = np_bounds(tok)
    shared = shared_modifier_start(tok)
    if shared is not None and shared < s:
        s = shared  # "Israeli helicopters and tanks" -> "Israeli helicopters and tanks" for "tanks"
    span = tok.doc[s:e]
    return text_of(span.start_char, span.end_char), tok.lemma_, span.start_char, span.end_char


def clause_of(top: Token) -> tuple[str, Token | None, str | None]:
    """(clause type, governing verb, introducing word) of the clause headed by ``top``.

    A conjoined verb shares its first conjunct's clause ("killed ... and wounded").
    The governing verb is the nearest verb above the clause (for a relative or
    participle clause, the verb of the noun it modifies).
    """
    cur = top
    if (
        top.dep_ == "conj"
        and top.tag_ == "VBG"
        and top.head.tag_ in ("VBD", "VBN", "VBZ", "VBP")
        and not any(c.dep_ in ("aux", "nsubj", "nsubjpass") for c in top.children)
    ):
        # "denied accusations of espionage and attempting to overthrow ...": a
        # gerund the parser coordinated with a finite verb is a noun phrase
        return "other", top.head, None
    while cur.dep_ == "conj" and cur.head is not cur and cur.head.pos_ in ("VERB", "AUX"):
        cur = cur.head
    dep = cur.dep_
    marker = next((c.lower_ for c in cur.children if c.dep_ == "mark"), None)
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in cur.children)
    if dep in CLAUSE_TYPES:
        kind = CLAUSE_TYPES[dep]
    elif dep == "advcl":
        if infinitive and marker is None:
            kind = "purpose"
        elif marker is None and cur.tag_ in ("VBG", "VBN"):
            kind = "participle"  # "..., seeking to mend ties"
        else:
            kind = "adverbial"
    elif dep == "acl":
        kind = "purpose" if infinitive else "participle"
    else:
        kind = "other"
    if dep == "pcomp" and cur.head is not cur:
        marker = cur.head.lower_
    elif marker is None and infinitive:
        marker = "to"
    governor = None
    if dep != "ROOT":
        anc = cur.head
        for _ in range(12):
            if anc.pos_ in ("VERB", "AUX") and anc is not cur:
                governor = anc
                break
            if anc.head is anc:
                break
            anc = anc.head
    return kind, governor, marker


def _speaker_antecedent(subj: Token, top: Token) -> Token | None:
    """For a pronoun subject of a complement clause, the subject of the verb it complements.

    "Obama said he would send troops", '"We will not back down," the rebels said':
    the pronoun refers to whoever speaks (always for I/we; for he/she/it/they when
    number and kind agree).
    """
    low = subj.lower_
    if low not in ANAPHORIC_PRONOUNS:
        return None
    kind, governor, _ = clause_of(top)
    if kind != "complement" or governor is None:
        return None
    gsubj = next((c for c in governor.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if gsubj is None or gsubj.pos_ == "PRON" or gsubj.i == subj.i:
        return None
    if low in SPEAKER_PRONOUNS:
        return gsubj
    plural = gsubj.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in gsubj.children)
    if low == "they":
        return gsubj if plural or gsubj.ent_type_ in ("ORG", "NORP", "GPE") else None
    if plural:
        return None
    is_person = gsubj.ent_type_ == "PERSON"
    if low in ("he", "she"):
        return gsubj if is_person or (gsubj.pos_ == "NOUN" and not gsubj.ent_type_) else None
    return gsubj if not is_person else None  # it


def _recipient(verb: Token) -> Token | None:
    """The indirect object of a ditransitive verb: "gave Tanzania a grant", "told reporters"."""
    dative = next((c for c in verb.children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN", "PRON")), None)
    if dative is not None:
        return dative
    return None


def _instrument_agent(agent: Token) -> Token | None:
    """The agent behind an instrument agent: "blown up by a missile believed to be fired by rebels"."""
    for child in agent.children:
        if child.dep_ not in ("acl", "relcl"):
            continue
        stack = [child]
        while stack:
            v = stack.pop()
            for c in v.children:
                if c.dep_ == "agent":
                    pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
                    if pobj is not None:
                        return pobj
                elif c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX"):
                    stack.append(c)
    return None


def extract_predicates(
    sent: Span,
    text_of: Callable[[int, int], str],
    resolve: Resolver | None = None,
    headline: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield predicate rows (without article_id/sentence_no/predicate_no) for one sentence.

    ``text_of(start, end)`` returns the original document text (the parsed text
    may be recased); ``resolve(token, start, end)`` returns the antecedent span
    (start, end, canonical name) of a subject, or None. ``headline`` enables
    repairs for telegraphic headline grammar.
    """
    for verb in sent:
        if not _is_content_verb(verb):
            continue
        chain = _chain(verb, headline)
        subj, subj_is_patient = _find_subject(chain)
        passive = subj_is_patient or any(c.dep_ == "auxpass" for c in verb.children)
        activity = None
        if verb.lemma_.lower() in PARTICIPATION_VERBS:
            activity = next(
                (g for c in verb.children if c.dep_ == "prep" and c.lower_ == "in"
                 for g in c.children if g.dep_ == "pobj"),
                None,
            )
            if activity is not None and passive and not any(c.dep_ == "agent" for c in verb.children):
                passive, subj_is_patient = False, False  # "the military is engaged in a battle"
        obj: Token | None = None
        agent_obj: Token | None = None
        skip_preps: set[int] = set()
        subjects: list[Token | None]
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            # "countries angered by disputes": the modified noun is the patient
            passive = True
            obj, subj = verb.head, None
        relative_antecedent: Token | None = None
        if subj is not None and subj.lower_ in RELATIVE_PRONOUNS and chain[0].dep_ == "relcl":
            if subj_is_patient:
                subj = chain[0].head  # "journalists who were abducted": the patient
            else:
                relative_antecedent = chain[0].head  # "an assailant who hit a man": "who" refers to it
        if passive:
            if obj is None:
                obj = subj if subj_is_patient else None
            subj = None
            for c in verb.children:
                if c.dep_ == "agent":
                    pobj = [g for g in c.children if g.dep_ == "pobj"]
                    if pobj:
                        subj = _instrument_agent(pobj[0]) or pobj[0]
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
        if activity is not None:
            prep_heads.append(activity)  # "engaged in a battle with Boko Haram"
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
        clause_type, governor, subordinator = clause_of(chain[0])
        recipient = _recipient(verb)
        r_text, r_lemma, r_start, r_end = _span_fields(recipient, text_of)
        for s_tok, o_tok in product(subjects, objects):
            s_text, s_lemma, s_start, s_end = _span_fields(s_tok, text_of)
            o_text, o_lemma, o_start, o_end = _span_fields(o_tok, text_of)
            antecedent = None
            antecedent_head = None
            if s_tok is not None:
                speaker = _speaker_antecedent(s_tok, chain[0])
                if relative_antecedent is not None and s_tok.lower_ in RELATIVE_PRONOUNS:
                    _, antecedent_head, a_start, a_end = _span_fields(relative_antecedent, text_of)
                    named = resolve(relative_antecedent, a_start, a_end) if resolve else None
                    antecedent = (a_start, a_end, named[2] if named else None)
                elif speaker is not None:
                    _, antecedent_head, a_start, a_end = _span_fields(speaker, text_of)
                    named = resolve(speaker, a_start, a_end) if resolve else None
                    antecedent = (a_start, a_end, named[2] if named else None)
                elif resolve is not None:
                    antecedent = resolve(s_tok, s_start, s_end)
                    if antecedent is not None and antecedent[0] is not None:
                        head = s_tok.doc.char_span(antecedent[0], antecedent[1], alignment_mode="expand")
                        antecedent_head = head.root.lemma_ if head is not None else None
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
                "subject_resolved_text": antecedent[2] if antecedent else None,
                "subject_antecedent_start": antecedent[0] if antecedent else None,
                "subject_antecedent_end": antecedent[1] if antecedent else None,
                "subject_antecedent_head_lemma": antecedent_head,
                "object_text": o_text,
                "object_head_lemma": o_lemma,
                "object_start": o_start,
                "object_end": o_end,
                "prep_args": prep_args,
                "recipient_text": r_text,
                "recipient_head_lemma": r_lemma,
                "recipient_start": r_start,
                "recipient_end": r_end,
                "clause_type": clause_type,
                "governor_verb_start": governor.idx if governor is not None else None,
                "subordinator": subordinator,
            }
