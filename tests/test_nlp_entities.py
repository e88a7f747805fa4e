"""Entities of the NLP stage: gazetteer, general fixes, document-level linking, offsets."""

from __future__ import annotations

import pytest
from newswire_testdata import seed_article

from newswire.nlp import ArticleAnnotation, annotate_articles, document_text
from newswire.nlp.casing import truecase
from newswire.schemas import ENTITY_MENTIONS, PREDICATES, SENTENCES


def annotate(nlp, title: str | None, body: str) -> ArticleAnnotation:
    return next(annotate_articles([{"article_id": "a1", "title": title, "body": body}], nlp=nlp))


@pytest.fixture(scope="session")
def seeds(nlp) -> dict[str, ArticleAnnotation]:
    arts = [seed_article("000_"), seed_article("003_")]
    anns = list(annotate_articles(arts, nlp=nlp))
    return {"mt": anns[0], "voa": anns[1]}


def test_document_text() -> None:
    assert document_text("T", "a\n\nb") == "T\n\na\n\nb"
    assert document_text(None, "body") == "body"
    assert document_text("", "body") == "body"


def test_rows_match_schemas(seeds) -> None:
    import pyarrow as pa

    for ann in seeds.values():
        pa.Table.from_pylist(ann.sentences, schema=SENTENCES)
        pa.Table.from_pylist(ann.entity_mentions, schema=ENTITY_MENTIONS)
        pa.Table.from_pylist(ann.predicates, schema=PREDICATES)
        assert set(ann.entity_mentions[0]) == set(ENTITY_MENTIONS.names)
        assert set(ann.predicates[0]) == set(PREDICATES.names)
        assert set(ann.sentences[0]) == set(SENTENCES.names)


def test_sentences_title_and_paragraphs(nlp) -> None:
    title = "Rebels Seize Town. Army Vows Response"
    body = "The army said it would retake the town. Residents fled.\n\nTalks resume on Monday."
    ann = annotate(nlp, title, body)
    text = document_text(title, body)
    s = ann.sentences
    assert s[0]["section"] == "title" and s[0]["paragraph_no"] == 0 and s[0]["text"] == title
    assert [r["paragraph_no"] for r in s[1:]] == [1, 1, 2]
    assert all(text[r["start_char"] : r["end_char"]] == r["text"] for r in s)
    assert [r["sentence_no"] for r in s] == list(range(len(s)))


def test_truecase_preserves_length_and_names() -> None:
    proper = {"japan": ("Japan", True), "russia": ("Russia", True)}
    text = "JAPAN GET LATE WINNER AGAINST RUSSIA\nJapan beat Russia late on."
    out = truecase(text, 0, proper, lambda w: w in {"get", "late", "winner", "against"})
    assert len(out) == len(text)
    assert out.startswith("Japan get late winner against Russia\n")


def test_seed_people_and_countries(seeds) -> None:
    people = {m["canonical_text"] for a in seeds.values() for m in a.entity_mentions if m["label"] == "PERSON"}
    assert {"Shinzo Abe", "Vladimir Putin", "Xi Jinping", "Hua Chunying"} <= people
    places = {m["normalized_text"] for a in seeds.values() for m in a.entity_mentions if m["label"] == "GPE"}
    assert {"Japan", "Russia", "China", "South Korea", "Ukraine"} <= places


def test_headline_surname_is_person_and_linked(seeds) -> None:
    title = [m for m in seeds["mt"].entity_mentions if m["sentence_no"] == 0]
    abe = [m for m in title if m["text"] == "Abe"]
    assert abe and abe[0]["label"] == "PERSON" and abe[0]["canonical_text"] == "Shinzo Abe"
    assert not any("Pledges" in m["text"] for m in title)


def test_group_code_is_org(seeds) -> None:
    g7 = [m for m in seeds["voa"].entity_mentions if m["normalized_text"] == "G7"]
    assert g7 and all(m["label"] == "ORG" for m in g7)


def test_bracketed_insertion(seeds) -> None:
    hits = [m for m in seeds["voa"].entity_mentions if "[" in m["text"]]
    assert hits and hits[0]["text"] == "[Vladimir] Putin"
    assert hits[0]["label"] == "PERSON" and hits[0]["normalized_text"] == "Vladimir Putin"


def test_offsets_index_original_text(seeds) -> None:
    art = seed_article("003_")
    text = document_text(art["title"], art["body"])
    for m in seeds["voa"].entity_mentions:
        assert text[m["start_char"] : m["end_char"]] == m["text"]
    assert [m["mention_no"] for m in seeds["voa"].entity_mentions] == list(range(len(seeds["voa"].entity_mentions)))


def test_label_consistency_and_surname_link(nlp) -> None:
    body = (
        "Finance minister Maria Delgado met bankers on Monday. "
        "Delgado said rates would fall. Later, Delgado left for Madrid."
    )
    ann = annotate(nlp, None, body)
    delgado = [m for m in ann.entity_mentions if "Delgado" in m["text"]]
    assert len(delgado) == 3
    assert {m["canonical_text"] for m in delgado} == {"Maria Delgado"}
    assert {m["label"] for m in delgado} == {"PERSON"}


def test_all_caps_headline_is_recased(nlp) -> None:
    ann = annotate(nlp, "GERMANY AND FRANCE SIGN TRADE DEAL", "Germany and France signed a trade deal in Paris.")
    labels = {m["text"]: m["label"] for m in ann.entity_mentions if m["sentence_no"] == 0}
    assert labels.get("GERMANY") == "GPE" and labels.get("FRANCE") == "GPE"


def test_parallel_matches_serial(nlp) -> None:
    arts = [
        {"article_id": str(i), "title": f"Story {i}", "body": "Angela Merkel visited Paris. She met Emmanuel Macron."}
        for i in range(6)
    ]
    serial = list(annotate_articles(arts, nlp=nlp, batch_size=2))
    parallel = list(annotate_articles(arts, nlp=nlp, n_process=2, batch_size=2))
    assert [a.article_id for a in parallel] == [str(i) for i in range(6)]
    assert [a.entity_mentions for a in parallel] == [a.entity_mentions for a in serial]
    assert [a.predicates for a in parallel] == [a.predicates for a in serial]


def test_sports_results_and_events(nlp) -> None:
    body = (
        "Soccer - league results .\n"
        "Results of league soccer matches played on Saturday , with the home team first :\n"
        "Pohang 3 Ulsan 2 ( halftime 1-0 )\n"
        "Norwich City beat Leeds in the UEFA Cup match , the coach said after the game ."
    )
    ann = annotate(nlp, None, body)
    labels = {m["text"]: m["label"] for m in ann.entity_mentions}
    assert labels.get("Pohang") == "ORG" and labels.get("Ulsan") == "ORG"
    assert labels.get("UEFA Cup") == "EVENT"


def test_names_do_not_cross_lines_or_dashes(nlp) -> None:
    ann = annotate(nlp, None, "Romania - Cosmin Contra scored twice .\nLithuania\nDanius Gleveckas scored once .")
    assert all("\n" not in m["text"] and " - " not in m["text"] for m in ann.entity_mentions)
    assert any(m["text"] == "Cosmin Contra" for m in ann.entity_mentions)
