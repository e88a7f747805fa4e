"""Test data shared by the test modules: the seeds and a deliberately messy inbox.

Kept out of conftest.py so test modules can import it by a unique name (the e2e
folder has a conftest of its own, which would shadow `conftest`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
SEED_TEXT_DUMPS = sorted(SEEDS.glob("0*.txt"))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_mixed_inbox(inbox: Path) -> Path:
    """The seeds plus one bad input of each kind and good inputs in the other formats.

    Expected: 4 articles (two seeds, one Latin-1 text, one good JSONL line) and
    3 rejections (empty file, binary file, malformed JSONL line).
    """
    inbox.mkdir(parents=True, exist_ok=True)
    for seed in SEED_TEXT_DUMPS:
        shutil.copy(seed, inbox / seed.name)
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    latin1 = (
        "Pound Slides as Café Owners Count the Cost\n\n"
        "The pound fell to £0.85 against the euro on Monday, and café owners in Lyon and Bordeaux said "
        "imported coffee had become markedly dearer for small businesses across the region.\n\n"
        "The French finance minister said the government would meet industry groups this week to discuss "
        "relief for small firms hit by rising costs, and promised a decision before the summer.\n"
    )
    (inbox / "latin1.txt").write_bytes(latin1.encode("latin-1"))
    good = {
        "url": "https://example.invalid/a",
        "title": "Ministers Meet in Geneva",
        "text": (
            "Foreign ministers from Armenia and Azerbaijan met in Geneva on Monday for talks mediated by "
            "Switzerland, officials said. Both sides agreed to continue the negotiations next month."
        ),
        "published": "2024-02-05T10:00:00Z",
        "source": "Example Wire",
    }
    (inbox / "records.jsonl").write_text(json.dumps(good) + "\n" + '{"url": "https://example.invalid/b", "title": \n')
    return inbox


def seed_article(name_prefix: str) -> dict[str, str]:
    """A seed page through the project's own text-dump extractor, as an NLP input row."""
    import pytest

    from newswire.extract.textdump import extract_text_dump

    hits = sorted(SEEDS.glob(f"{name_prefix}*.txt"))
    if not hits:
        pytest.skip("seed files absent")
    art = extract_text_dump(hits[0].read_text(encoding="utf-8"))
    return {"article_id": hits[0].stem, "title": art.title, "body": art.body}


def isolated_stack_env(root: Path, password: str, **extra: str) -> dict[str, str]:
    """Environment for a throw-away `make up` stack under `root`, inbox seeded with seeds/.

    Nothing of the caller's Airflow configuration or warehouse leaks in; ports are free ones.
    """
    import os

    from newswire.ops import stack as ops

    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.iterdir()):
        if seed.is_file():
            shutil.copy(seed, inbox / seed.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__") and k != "NEWSWIRE_WORK_DB"}
    env.update(
        AIRFLOW_HOME=str(root / "airflow"),
        NEWSWIRE_INBOX=str(inbox),
        NEWSWIRE_WAREHOUSE=str(root / "warehouse" / "newswire.duckdb"),
        NEWSWIRE_AIRFLOW_PORT=str(ops.free_port()),
        NEWSWIRE_DBT_DOCS_PORT=str(ops.free_port()),
        NEWSWIRE_DATA_DOCS_PORT=str(ops.free_port()),
        NEWSWIRE_ADMIN_PASSWORD=password,
        **extra,
    )
    return env
