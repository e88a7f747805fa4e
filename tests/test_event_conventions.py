"""Coding conventions of PETRARCH-2 / GDELT, each on a real-news-shaped sentence.

All sentences go through the product path once (JSONL records -> parse -> NLP ->
load -> dbt seed + run) and the assertions read the coded event mentions: root
codes, sources and targets. The sentences are written for these tests; none is
taken from an evaluation set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.event_runs import EventRow, Sentence, run_sentences

pytestmark = pytest.mark.slow

SENTENCES = {
    # attribution
    "attr_event": "A suicide bomber killed five soldiers in an attack on an army convoy in northwestern Pakistan "
    "on Thursday, officials said.",
    "attr_only": "Chinese Foreign Ministry spokeswoman Hua Chunying said on Monday that the talks had been useful.",
    "attr_according": "Israeli troops shot dead two Palestinian gunmen near Jenin, according to the Israeli army.",
    "attr_unnamed": "Four men have been charged with murder after a shooting at a bar in Ohio, police said on Friday.",
    # one main event per clause
    "purpose": "Japanese and Chinese officials met in Beijing on Tuesday to discuss the dispute, seeking to mend ties.",
    # coordinated actors, reciprocal verb
    "coord": "Brazil and the United States signed an agreement on nuclear cooperation on Tuesday.",
    # passive voice
    "passive": "The airliner was blown up by a missile believed to be fired by rebels in eastern Ukraine.",
    "passive_agent": "Two opposition leaders were arrested by Kenyan police in Nairobi on Friday.",
    # nominal events
    "noun_talks": "Iran held talks with Iraq on Monday about the disputed border.",
    "noun_strike": "Israel launched an air strike against Hamas positions in Gaza on Sunday.",
    "noun_freeze": "The European Union announced an asset freeze on Russian officials on Thursday.",
    "noun_subject": "A car bombing in central Baghdad killed at least twelve Iraqi policemen on Sunday.",
    # actors from demonyms, capitals, abbreviations, appositions
    "army": "The Israeli army shelled Gaza overnight, Palestinian officials said.",
    "capital": "Kigali accused Kinshasa of backing the rebels in eastern Congo.",
    "washington": "Washington said it would impose new sanctions on Iran.",
    "us": "U.S. troops withdrew from the northern Iraqi city of Mosul on Saturday.",
    "apposition": "Carrie Lam, the chief executive of Hong Kong, said on Saturday that the city would recover soon.",
    # NLP repairs: lemma, dative, shared modifiers, pronouns
    "staged": "Thousands of protesters staged a sit-in outside the parliament in Bangkok, demanding new elections.",
    "dative": "Finland gave Tanzania a grant of 60 million dollars to finance water projects.",
    "modifiers": "Israeli helicopters and tanks attacked the town of Rafah on Monday.",
    "they": "The rebels said they had killed ten government soldiers in an ambush.",
    "we": '"We will not negotiate with terrorists," the Afghan president said.',
    # dateline
    "dateline": "SEOUL, Nov. 26 (Xinhua) -- South Korea's foreign ministry on Monday condemned North Korea's missile "
    "launch.",
}


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[EventRow]]]:
    keys = ("NEWSWIRE_INBOX", "NEWSWIRE_WAREHOUSE", "NEWSWIRE_WORK_DB", "NEWSWIRE_NLP_PROCESSES")
    saved = {k: os.environ.get(k) for k in keys}
    try:
        sentences = [Sentence(k, v, published="2014-06-05T12:00:00Z") for k, v in SENTENCES.items()]
        run = run_sentences(sentences, Path(tmp_path_factory.mktemp("conventions")))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert run.loaded_ids == set(SENTENCES)  # one-sentence records load (the record floor)
    by_id: dict[str, list[EventRow]] = {k: [] for k in SENTENCES}
    for e in run.events:
        if not e.is_negated:
            by_id[e.id].append(e)
    yield by_id


def roots(rows: list[EventRow]) -> set[str]:
    return {e.event_root_code for e in rows}


def pairs(rows: list[EventRow]) -> set[tuple[str | None, str | None, str]]:
    return {(e.actor1_code, e.actor2_code, e.event_root_code) for e in rows}


def test_reporting_verb_is_not_an_event_when_its_clause_carries_one(events) -> None:
    assert roots(events["attr_event"]) == {"18"}  # the bombing, not "officials said"
    assert roots(events["attr_according"]) == {"19"}
    assert {e.event_code for e in events["attr_event"]} == {"1831"}  # a suicide bombing


def test_reporting_verb_is_a_statement_when_nothing_else_is_coded(events) -> None:
    assert pairs(events["attr_only"]) == {("CHNGOV", None, "01")}


def test_unnamed_sources_and_agentless_passives_make_no_statement(events) -> None:
    assert events["attr_unnamed"] == []  # "four men have been charged, police said"


def test_purpose_and_participle_clauses_add_no_event(events) -> None:
    assert roots(events["purpose"]) == {"04"}  # met; not "to discuss" nor "seeking to mend ties"


def test_coordinated_actors_of_a_reciprocal_act_are_coded_both_ways(events) -> None:
    assert pairs(events["coord"]) == {("BRA", "USA", "05"), ("USA", "BRA", "05")}


def test_passive_agent_is_the_source(events) -> None:
    assert any(e.actor1_code == "REB" and e.event_root_code == "19" for e in events["passive"])  # behind the missile
    assert pairs(events["passive_agent"]) == {("KENCOP", "OPP", "17")}  # "by Kenyan police"


def test_nominal_events_are_coded_from_the_noun(events) -> None:
    assert pairs(events["noun_talks"]) == {("IRN", "IRQ", "04")}
    assert {e.event_code for e in events["noun_strike"]} == {"195"}
    assert events["noun_strike"][0].actor1_code == "ISR"
    assert pairs(events["noun_freeze"]) == {("IGOEUREEC", "RUSGOV", "16")}  # "Russian officials"
    # an attack whose perpetrator is not named: the event, without a source
    assert {(e.event_code, e.actor1_code) for e in events["noun_subject"]} == {("1832", None)}


def test_actors_from_demonyms_capitals_abbreviations_and_appositions(events) -> None:
    assert any(e.actor1_code == "ISRMIL" and e.event_root_code == "19" for e in events["army"])
    assert pairs(events["capital"]) == {("RWA", "COD", "11")}
    assert {e.actor1_code for e in events["washington"]} == {"USA"}
    assert {(e.actor1_code, e.actor2_code) for e in events["us"]} == {("USAMIL", "IRQ")}  # "U.S. troops"
    assert {e.actor1_code for e in events["apposition"]} == {"HKGGOV"}


def test_nlp_repairs_lemmas_datives_modifiers_and_pronouns(events) -> None:
    assert roots(events["staged"]) == {"14"}  # "staged" lemmatised as stage, not stag
    assert pairs(events["dative"]) and all(e.actor2_code == "TZA" for e in events["dative"])  # gave Tanzania a grant
    assert {e.actor1_code for e in events["modifiers"]} == {"ISR"}  # "tanks" keeps "Israeli"
    assert {e.actor1_code for e in events["they"]} == {"REB"}  # they -> the rebels
    assert {e.actor1_code for e in events["we"]} == {"AFGGOV"}  # a quoted "we" -> the Afghan president


def test_dateline_is_not_the_subject(events) -> None:
    assert pairs(events["dateline"]) == {("KORGOV", "PRK", "11")}
