"""Exact duplicates (body_sha256) and story clusters (MinHash/LSH) on BBC articles."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from newswire.extract import StoryClusterer, body_sha256, extract_text_dump, normalise_body

BBC = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "bbc"


def test_body_sha256_ignores_cosmetic_differences() -> None:
    a = "The cat sat on the mat.\n\nIt was “happy”."
    b = '  the CAT sat on the   mat.\nIt was "happy".  '
    assert normalise_body(a) == normalise_body(b)
    assert body_sha256(a) == body_sha256(b)
    assert body_sha256(a) != body_sha256("The dog sat on the mat. It was happy.")
    assert len(body_sha256("")) == 64


def test_clusterer_basics() -> None:
    clusterer = StoryClusterer()
    story = " ".join(f"word{i}" for i in range(200))
    assert clusterer.assign("a1", story) == "a1"
    assert clusterer.assign("a2", story.replace("word50", "changed")) == "a1"
    assert clusterer.assign("a3", " ".join(f"other{i}" for i in range(200))) == "a3"
    # re-assigning a known article is stable
    assert clusterer.assign("a2", "anything") == "a1"
    # empty bodies never join a cluster
    assert clusterer.assign("e1", "") == "e1"
    assert clusterer.assign("e2", "") == "e2"


def test_add_existing_seeds_clusters() -> None:
    clusterer = StoryClusterer()
    story = " ".join(f"token{i}" for i in range(150))
    clusterer.add_existing("old-1", "cluster-x", story)
    assert clusterer.assign("new-1", story + " extra words at the end") == "cluster-x"
    assert len(clusterer) == 2


def _bbc_articles(category: str, n: int) -> list[str]:
    folder = BBC / category
    if not folder.is_dir():
        pytest.skip("BBC corpus not available")
    texts: dict[str, str] = {}
    for f in sorted(folder.glob("*.txt")):
        text = f.read_text(encoding="utf-8", errors="replace")
        texts.setdefault(body_sha256(text), text)  # the corpus has a few exact duplicates
        if len(texts) == n:
            break
    return list(texts.values())


def _light_edit(body: str, rng: random.Random) -> str:
    """Syndication-style edits: one paragraph dropped, a few words changed."""
    paragraphs = [p for p in body.split("\n") if p.strip()]
    if len(paragraphs) > 6:
        del paragraphs[rng.randrange(1, len(paragraphs) - 1)]
    for _ in range(3):
        k = rng.randrange(len(paragraphs))
        words = paragraphs[k].split(" ")
        words[rng.randrange(len(words))] = rng.choice(["reportedly", "also", "now", "said"])
        paragraphs[k] = " ".join(words)
    return "\n".join(paragraphs)


def _as_dump(title: str, body: str, menu: list[str], footer: list[str]) -> str:
    paragraphs = [p for p in body.split("\n") if p.strip()]
    return "\n".join([*menu, "", title, "", *paragraphs, "", *footer])


@pytest.mark.shared
def test_bbc_same_story_one_cluster_different_stories_apart() -> None:
    rng = random.Random(7)
    articles = _bbc_articles("business", 40) + _bbc_articles("politics", 40)
    clusterer = StoryClusterer()
    originals: dict[str, str] = {}
    for i, raw in enumerate(articles):
        title, _, body = raw.partition("\n")
        dump = _as_dump(title, body, ["Home", "News", "Business", "Sport"], ["Share this story", "© 2005 BBC"])
        art_id = f"orig-{i}"
        originals[art_id] = clusterer.assign(art_id, extract_text_dump(dump).body)
    # every original story is its own cluster: same-topic stories stay apart
    assert len(set(originals.values())) == len(articles)

    for i, raw in enumerate(articles):
        title, _, body = raw.partition("\n")
        edited = _light_edit(body, rng)
        dump = _as_dump(
            title,
            edited,
            ["Menu", "Top stories", "Markets"],
            ["Reporting by staff; editing by desk", "Sign up for our newsletter", "All rights reserved"],
        )
        assert clusterer.assign(f"copy-{i}", extract_text_dump(dump).body) == f"orig-{i}"
