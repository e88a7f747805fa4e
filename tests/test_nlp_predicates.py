"""Predicate-argument rows: control chains, passives, coordination, particles, seeds."""

from __future__ import annotations

from typing import Any

import pytest
from newswire_testdata import seed_article

from newswire.nlp import annotate_articles, document_text


@pytest.fixture(scope="session")
def seed_preds(nlp) -> list[dict[str, Any]]:
    arts = [seed_article("000_"), seed_article("003_")]
    return [p for a in annotate_articles(arts, nlp=nlp) for p in a.predicates]


def preds(nlp, body: str, title: str | None = None) -> list[dict[str, Any]]:
    ann = next(annotate_articles([{"article_id": "x", "title": title, "body": body}], nlp=nlp))
    text = document_text(title, body)
    for p in ann.predicates:  # every offset indexes the document text
        assert text[p["verb_start"] : p["verb_end"]] == p["verb_text"]
        if p["subject_text"] is not None:
            assert text[p["subject_start"] : p["subject_end"]] == p["subject_text"]
        if p["object_text"] is not None:
            assert text[p["object_start"] : p["object_end"]] == p["object_text"]
        for arg in p["prep_args"]:
            assert text[arg["start_char"] : arg["end_char"]] == arg["text"]
    assert [p["predicate_no"] for p in ann.predicates] == list(range(len(ann.predicates)))
    return ann.predicates


def find(rows: list[dict[str, Any]], lemma: str) -> list[dict[str, Any]]:
    return [p for p in rows if p["verb_lemma"] == lemma]


def preps(p: dict[str, Any]) -> set[tuple[str, str]]:
    return {(a["preposition"], a["text"]) for a in p["prep_args"]}


def test_control_chain_and_modality(nlp) -> None:
    rows = find(preds(nlp, "Iran threatened to close the Strait of Hormuz."), "close")
    assert rows and rows[0]["control_chain"] == "threaten>close"
    assert rows[0]["control_lemmas"] == ["threaten", "close"]
    assert rows[0]["modality"] == "threaten" and rows[0]["subject_text"] == "Iran"
    assert rows[0]["object_text"] == "the Strait of Hormuz"
    assert not find(preds(nlp, "Iran threatened to close the Strait of Hormuz."), "threaten")


def test_modal_auxiliary_and_negation(nlp) -> None:
    row = find(preds(nlp, "The government will not recognise the vote."), "recognise")[0]
    assert row["modality"] == "will" and row["is_negated"] is True


def test_passive_is_normalised(nlp) -> None:
    row = find(preds(nlp, "The treaty was signed by the president in Geneva."), "sign")[0]
    assert row["voice"] == "passive"
    assert row["subject_text"] == "the president" and row["object_text"] == "The treaty"
    assert ("in", "Geneva") in preps(row) and not any(a["preposition"] == "by" for a in row["prep_args"])


def test_coordinated_subjects_and_objects_give_one_row_each(nlp) -> None:
    rows = find(preds(nlp, "France and Germany condemned the attack and the kidnapping."), "condemn")
    pairs = {(p["subject_text"], p["object_text"]) for p in rows}
    assert pairs == {
        ("France", "the attack"),
        ("France", "the kidnapping"),
        ("Germany", "the attack"),
        ("Germany", "the kidnapping"),
    }
    assert len({p["predicate_no"] for p in rows}) == 4


def test_relative_pronoun_subject_has_its_antecedent_span(nlp) -> None:
    text = "Smith, who came to office in 2012, visited Ghana."
    row = find(preds(nlp, text), "come")[0]
    assert row["subject_text"] == "who" and row["clause_type"] == "relative"
    assert text[row["subject_antecedent_start"] : row["subject_antecedent_end"]] == "Smith"


def test_pronoun_subject_kept_and_resolved(nlp) -> None:
    rows = preds(nlp, "Prime Minister Anna Berg arrived in Oslo. She met the king on Friday.")
    row = find(rows, "meet")[0]
    assert row["subject_text"] == "She" and row["subject_resolved_text"] == "Anna Berg"


def test_seed_abe_pledges_to_improve_ties_with_russia(seed_preds) -> None:
    rows = [p for p in find(seed_preds, "improve") if p["control_chain"] == "pledge>improve"]
    assert rows, "headline 'Abe Pledges to Improve Soured Ties With Russia'"
    row = rows[0]
    assert row["subject_resolved_text"] == "Shinzo Abe"
    assert row["object_head_lemma"] in ("tie", "relation")
    assert ("with", "Russia") in preps(row)
    wants = [p for p in find(seed_preds, "improve") if p["control_chain"] == "want>improve"]
    assert wants and ("with", "Russia") in preps(wants[0]) and wants[0]["object_text"] == "relations"


def test_seed_g7_threatens_sanctions_against_russia(seed_preds) -> None:
    threaten = find(seed_preds, "threaten")
    assert any(p["object_head_lemma"] == "sanction" and ("against", "Russia") in preps(p) for p in threaten)
    impose = [p for p in find(seed_preds, "impose") if p["subject_resolved_text"] == "G7"]
    assert impose and impose[0]["object_head_lemma"] == "sanction" and ("on", "Russia") in preps(impose[0])
    assert impose[0]["modality"] == "would"


def test_seed_abe_meets_putin(seed_preds) -> None:
    meets = [p for p in find(seed_preds, "meet") if p["subject_resolved_text"] == "Shinzo Abe"]
    assert any("Putin" in (p["object_text"] or "") for p in meets)
    assert any(("with", "Putin") in preps(p) for p in meets)
    assert all(p["subject_text"] in ("He", "he", "Abe") for p in meets)


def test_seed_japan_signs_on_to_sanctions(seed_preds) -> None:
    rows = [p for p in find(seed_preds, "sign") if p["particle"] == "on"]
    assert rows and rows[0]["subject_text"] == "Japan"
    assert any("sanctions" in a["text"] for a in rows[0]["prep_args"]) or "sanctions" in (rows[0]["object_text"] or "")


def test_seed_seeks_dialogue(seed_preds) -> None:
    rows = [p for p in find(seed_preds, "seek") if p["object_text"] == "Dialogue"]
    assert rows and ("with", "Putin") in preps(rows[0])
    # "Japan's PM" is resolved through the role noun written before the full name
    assert rows[0]["subject_text"] == "Japan's PM" and rows[0]["subject_resolved_text"] == "Shinzo Abe"


def test_object_control(nlp) -> None:
    row = find(preds(nlp, "The United Nations urged Iran to halt the tests."), "halt")[0]
    assert row["subject_text"] == "Iran" and row["control_chain"] == "urge>halt" and row["modality"] == "urge"
