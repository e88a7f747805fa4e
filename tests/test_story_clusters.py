"""The cluster task: near-duplicate articles share a story cluster, found through stored band keys."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from newswire.extract import StoryClusterer, dedup
from newswire.ingest import cluster
from newswire.warehouse import ensure_raw_tables

STORY = (
    "Japan and China agreed on Tuesday to resume high-level talks on maritime security, officials in Tokyo "
    "said. Prime Minister Shinzo Abe welcomed the decision and said Japan would meet Chinese officials in "
    "Beijing next month to discuss a hotline between the two navies and the patrols near the islands."
)
OTHER = (
    "Kenyan police arrested dozens of protesters in Nairobi on Friday after a march against new taxes turned "
    "violent. The interior ministry said officers had been attacked and promised an inquiry into the deaths "
    "of two demonstrators, while opposition leaders called for a general strike next week across the country."
)


def test_new_articles_get_clusters_and_old_ones_keep_theirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "newswire.duckdb"))
    from newswire.config import get_settings

    settings = get_settings()
    settings.work_db.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        ("old", STORY, "cluster-old"),  # clustered by an earlier run
        ("copy", STORY.replace("Tuesday", "Wednesday") + " Reuters contributed.", None),  # syndicated copy
        ("other", OTHER, None),
        ("other-copy", OTHER + " More follows.", None),
    ]
    with duckdb.connect(str(settings.work_db)) as con:
        ensure_raw_tables(con)
        for i, (article_id, body, cluster_id) in enumerate(rows):
            con.execute(
                "insert into raw.articles (article_id, body, story_cluster_id, ingested_at) "
                "values (?, ?, ?, timestamp '2024-01-01' + to_seconds(?))",
                [article_id, body, cluster_id, i],
            )
    assert cluster.assign_story_clusters(settings) == 3
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        got = dict(con.execute("select article_id, story_cluster_id from raw.articles").fetchall())
    assert got["old"] == got["copy"] == "cluster-old"  # the copy joins the existing story
    assert got["other"] == got["other-copy"] != "cluster-old"  # a new story of its own
    assert cluster.assign_story_clusters(settings) == 0  # nothing left without a cluster


def _words(seed: int, n: int = 120) -> str:
    """A synthetic body: n words drawn from a 5,000-word vocabulary (distinct stories share few shingles)."""
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str]], start: int) -> None:
    for i, (article_id, body) in enumerate(rows):
        con.execute(
            "insert into raw.articles (article_id, body, ingested_at) "
            "values (?, ?, timestamp '2024-01-01' + to_seconds(?))",
            [article_id, body, start + i],
        )


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "newswire.duckdb"))
    from newswire.config import get_settings

    settings = get_settings()
    settings.work_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.work_db)) as con:
        ensure_raw_tables(con)
    return settings


def _clusters(settings) -> dict[str, str]:
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        return dict(con.execute("select article_id, story_cluster_id from raw.articles").fetchall())


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hashed: list[str] = []
    original = StoryClusterer.minhash

    def counting(self: StoryClusterer, body: str):
        if body != dedup.FINGERPRINT_TEXT:  # the settings' fingerprint, not an article
            hashed.append(body)
        return original(self, body)

    monkeypatch.setattr(StoryClusterer, "minhash", counting)
    return hashed


def test_a_run_hashes_its_new_articles_and_their_candidates_not_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    history = [(f"h{i:03d}", _words(i)) for i in range(60)]
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, history, 0)
    assert cluster.assign_story_clusters(settings) == 60
    hashed = _count_hashing(monkeypatch)
    copy = history[17][1] + " reuters contributed to this report"
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, [("new-copy", copy), ("new-story", _words(1000))], 100)
    assert cluster.assign_story_clusters(settings) == 2
    got = _clusters(settings)
    assert got["new-copy"] == got["h017"]  # found through the stored band keys
    assert got["new-story"] == "new-story"
    # the two new bodies and the one candidate that shares a band, not the 60 of history
    assert sorted(hashed) == sorted([copy, _words(1000), history[17][1]])
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        indexed = con.execute(f"select count(distinct article_id) from {cluster.INDEXED_TABLE}").fetchone()[0]
        bands = con.execute(f"select count(*) from {cluster.BANDS_TABLE}").fetchone()[0]
    assert indexed == 62
    assert bands == 62 * len(StoryClusterer()._lsh.hashranges)


def test_runs_give_the_clusters_of_one_index_over_all_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three runs with the stored band keys assign what one in-memory clusterer does in one pass."""
    settings = _settings(tmp_path, monkeypatch)
    rng = random.Random(3)
    stories = [_words(100 + i) for i in range(25)]
    articles = []
    for i in range(90):
        base = stories[rng.randrange(len(stories))].split()
        for _ in range(rng.randrange(0, 12)):  # light edits: some copies stay near, none identical
            base[rng.randrange(len(base))] = f"edit{rng.randrange(10**6)}"
        articles.append((f"a{i:03d}", " ".join(base)))
    for run, chunk in enumerate((articles[:40], articles[40:70], articles[70:])):
        with duckdb.connect(str(settings.work_db)) as con:
            _insert(con, chunk, run * 1000)
        assert cluster.assign_story_clusters(settings) == len(chunk)
    reference = StoryClusterer()
    expected = {article_id: reference.assign(article_id, body) for article_id, body in articles}
    assert _clusters(settings) == expected
    assert len(set(expected.values())) < len(articles)  # copies did join clusters


def test_clustered_articles_without_band_keys_are_indexed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warehouse from before the index (or restored from the published catalog) still finds its copies."""
    settings = _settings(tmp_path, monkeypatch)
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, [("old", STORY), ("other", OTHER)], 0)
        con.execute("update raw.articles set story_cluster_id = 'cluster-' || article_id")
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, [("copy", STORY + " More follows.")], 10)
    assert cluster.assign_story_clusters(settings) == 1
    assert _clusters(settings)["copy"] == "cluster-old"
    hashed = _count_hashing(monkeypatch)
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, [("copy-2", OTHER + " Reporting by the desk.")], 20)
    assert cluster.assign_story_clusters(settings) == 1
    assert _clusters(settings)["copy-2"] == "cluster-other"
    # the new body and its one candidate: the backfill happened once, in the first run
    assert sorted(hashed) == sorted([OTHER + " Reporting by the desk.", OTHER])


def test_a_deleted_article_is_no_candidate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quarantine deletes from raw, not from the index: its stale keys must not bring its cluster back."""
    settings = _settings(tmp_path, monkeypatch)
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, [("gone", STORY)], 0)
    assert cluster.assign_story_clusters(settings) == 1
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("delete from raw.articles where article_id = 'gone'")
        _insert(con, [("copy", STORY + " More follows.")], 10)
    assert cluster.assign_story_clusters(settings) == 1
    assert _clusters(settings)["copy"] == "copy"


def test_keys_made_with_other_settings_are_dropped_and_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed hash scheme or banding would make every stored key miss: the index is rebuilt instead."""
    settings = _settings(tmp_path, monkeypatch)
    with duckdb.connect(str(settings.work_db)) as con:
        _insert(con, [("old", STORY), ("other", OTHER)], 0)
    assert cluster.assign_story_clusters(settings) == 2
    monkeypatch.setattr(StoryClusterer, "index_fingerprint", lambda self: "settings-of-a-new-release")
    hashed = _count_hashing(monkeypatch)
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute(f"insert into {cluster.BANDS_TABLE} values (42, 'old')")  # a key the old settings made
        _insert(con, [("copy", STORY + " More follows.")], 10)
    assert cluster.assign_story_clusters(settings) == 1
    assert _clusters(settings)["copy"] == "old"
    assert sorted(hashed) == sorted([STORY, OTHER, STORY + " More follows.", STORY])  # re-indexed, then the candidate
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        assert con.execute(f"select fingerprint from {cluster.META_TABLE}").fetchall() == [
            ("settings-of-a-new-release",)
        ]
        assert con.execute(f"select count(*) from {cluster.BANDS_TABLE} where band_key = 42").fetchone()[0] == 0
        assert con.execute(f"select count(*) from {cluster.INDEXED_TABLE}").fetchone()[0] == 3


def test_the_index_fingerprint_follows_the_settings() -> None:
    assert StoryClusterer().index_fingerprint() == StoryClusterer().index_fingerprint()
    assert StoryClusterer(threshold=0.6).index_fingerprint() != StoryClusterer().index_fingerprint()
    assert StoryClusterer(shingle_size=4).index_fingerprint() != StoryClusterer().index_fingerprint()
    assert StoryClusterer(num_perm=64).index_fingerprint() != StoryClusterer().index_fingerprint()
