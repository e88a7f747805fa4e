"""The cluster task: near-duplicate articles share a story cluster, in one set-based update."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

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
