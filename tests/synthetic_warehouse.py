"""A tiny synthetic raw warehouse for the dbt tests: two hand-written articles.

Two articles about Shinzo Abe, Vladimir Putin, G7 sanctions and Crimea, with
sentences, entity mentions and predicates whose character offsets agree with
the text, plus one rejected input. Test data, so it lives in tests/, not in
the product package. To try the models on it by hand::

    .venv/bin/python tests/synthetic_warehouse.py /tmp/nw.duckdb
    .venv/bin/python -m newswire.dbt_runner /tmp/nw.duckdb seed
    .venv/bin/python -m newswire.dbt_runner /tmp/nw.duckdb build
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import duckdb

from newswire.warehouse import ensure_raw_tables

__all__ = ["build_synthetic_warehouse"]




@dataclass
class _M:
    """An entity mention: surface text found in its sentence (nth occurrence)."""

    surface: str
    label: str
    canonical: str | None = None
    normalized: str | None = None
    head: str | None = None
    nth: int = 0


@dataclass
class _P:
    """A predicate: spans are surface strings found in the sentence."""

    verb: str
    lemma: str
    subject: tuple | None = None  # (surface, head lemma[, nth occurrence])
    obj: tuple | None = None
    preps: list[tuple] = field(default_factory=list)  # (prep, surface, head[, nth])
    particle: str | None = None
    negated: bool = False
    modality: str | None = None
    control: list[str] = field(default_factory=list)
    # what a pronoun subject refers to, as the NLP stage resolves it:
    # (surface, head lemma, sentences back)
    antecedent: tuple | None = None


@dataclass
class _S:
    text: str
    mentions: list[_M] = field(default_factory=list)
    predicates: list[_P] = field(default_factory=list)


def _find(text: str, surface: str, nth: int = 0) -> int:
    pos = -1
    for _ in range(nth + 1):
        pos = text.find(surface, pos + 1)
        if pos < 0:
            raise ValueError(f"{surface!r} not in {text!r}")
    return pos


def _articles() -> list[dict[str, Any]]:
    abe = "Shinzo Abe"
    putin = "Vladimir Putin"
    voa = {
        "item": "voa-japan-sanctions.html",
        "url": "https://www.voanews.com/a/japan-sanctions-russia-crimea/1874711.html",
        "publisher": "VOA",
        "wire_agency": "Reuters",
        "author": "Reuters",
        "published_at": datetime(2014, 3, 19, 9, 30, tzinfo=UTC),
        "published_date_source": "meta",
        "story_cluster_id": "cluster-voa-japan-sanctions",
        "title": _S(
            "Japan signs on to G7 sanctions against Russia over Crimea",
            [_M("Japan", "GPE"), _M("G7", "ORG"), _M("Russia", "GPE"), _M("Crimea", "GPE")],
            [
                _P(
                    "signs",
                    "sign",
                    subject=("Japan", "japan"),
                    particle="on",
                    preps=[("to", "G7 sanctions", "sanction"), ("against", "Russia", "russia")],
                )
            ],
        ),
        "paragraphs": [
            [
                _S(
                    "TOKYO (Reuters) - Japanese Prime Minister Shinzo Abe pledged on Wednesday "
                    "to improve ties with Russia despite the crisis over Crimea.",
                    [
                        _M("TOKYO", "GPE", normalized="Tokyo"),
                        _M("Reuters", "ORG"),
                        _M("Japanese", "NORP"),
                        _M(abe, "PERSON", head="abe"),
                        _M("Wednesday", "DATE"),
                        _M("Russia", "GPE"),
                        _M("Crimea", "GPE"),
                    ],
                    [
                        _P(
                            "improve",
                            "improve",
                            subject=("Japanese Prime Minister Shinzo Abe", "abe"),
                            obj=("ties", "tie"),
                            preps=[("with", "Russia", "russia")],
                            control=["pledge"],
                        )
                    ],
                ),
                _S(
                    "Abe has met Putin five times since 2013.",
                    [_M("Abe", "PERSON", canonical=abe, head="abe"), _M("Putin", "PERSON", canonical=putin)],
                    [_P("met", "meet", subject=("Abe", "abe"), obj=("Putin", "putin"))],
                ),
            ],
            [
                _S(
                    "The G7 threatened on Tuesday to impose further sanctions on Russia.",
                    [_M("G7", "ORG"), _M("Tuesday", "DATE"), _M("Russia", "GPE")],
                    [
                        _P(
                            "impose",
                            "impose",
                            subject=("The G7", "g7"),
                            obj=("further sanctions", "sanction"),
                            preps=[("on", "Russia", "russia")],
                            modality="threaten",
                            control=["threaten"],
                        )
                    ],
                ),
                _S(
                    "Japan imposed sanctions on Russia on Tuesday after Russia seized Crimea from Ukraine.",
                    [
                        _M("Japan", "GPE"),
                        _M("Russia", "GPE"),
                        _M("Tuesday", "DATE"),
                        _M("Russia", "GPE", nth=1),
                        _M("Crimea", "GPE"),
                        _M("Ukraine", "GPE"),
                    ],
                    [
                        _P(
                            "imposed",
                            "impose",
                            subject=("Japan", "japan"),
                            obj=("sanctions", "sanction"),
                            preps=[("on", "Russia", "russia")],
                        ),
                        _P(
                            "seized",
                            "seize",
                            subject=("Russia", "russia", 1),
                            obj=("Crimea", "crimea"),
                            preps=[("from", "Ukraine", "ukraine")],
                        ),
                    ],
                ),
            ],
            [
                _S(
                    "Japanese Foreign Minister Fumio Kishida did not meet Russian Foreign Minister "
                    "Sergei Lavrov in Moscow.",
                    [
                        _M("Japanese", "NORP"),
                        _M("Fumio Kishida", "PERSON", head="kishida"),
                        _M("Russian", "NORP"),
                        _M("Sergei Lavrov", "PERSON", head="lavrov"),
                        _M("Moscow", "GPE"),
                    ],
                    [
                        _P(
                            "meet",
                            "meet",
                            subject=("Japanese Foreign Minister Fumio Kishida", "kishida"),
                            obj=("Russian Foreign Minister Sergei Lavrov", "lavrov"),
                            preps=[("in", "Moscow", "moscow")],
                            negated=True,
                        )
                    ],
                ),
            ],
            [
                _S(
                    "(Reporting by Elaine Lies; Editing by Linda Sieg)",
                    [_M("Elaine Lies", "PERSON"), _M("Linda Sieg", "PERSON")],
                ),
            ],
        ],
    }
    mt = {
        "item": "moscow-times-abe-putin.json",
        "url": "https://www.themoscowtimes.com/2014/03/19/putin-and-abe-a-friendship-tested-by-crimea-a33112",
        "publisher": "The Moscow Times",
        "wire_agency": None,
        "author": "Anna Dolgov",
        "published_at": datetime(2014, 3, 19, 15, 0, tzinfo=UTC),
        "published_date_source": "json",
        "story_cluster_id": "cluster-mt-abe-putin",
        "title": _S(
            "Putin and Shinzo Abe: a friendship tested by Crimea",
            [_M("Putin", "PERSON", canonical=putin), _M(abe, "PERSON", head="abe"), _M("Crimea", "GPE")],
        ),
        "paragraphs": [
            [
                _S(
                    "Abe has met Putin five times, more than any other G7 leader.",
                    [
                        _M("Abe", "PERSON", canonical=abe, head="abe"),
                        _M("Putin", "PERSON", canonical=putin),
                        _M("G7", "ORG"),
                    ],
                    [_P("met", "meet", subject=("Abe", "abe"), obj=("Putin", "putin"))],
                ),
            ],
            [
                _S(
                    "Chinese Foreign Ministry spokeswoman Hua Chunying urged restraint on Monday.",
                    [
                        _M("Chinese", "NORP"),
                        _M("Foreign Ministry", "ORG"),
                        _M("Hua Chunying", "PERSON", head="chunying"),
                        _M("Monday", "DATE"),
                    ],
                ),
                _S(
                    "She sharply criticized Japan.",
                    [_M("Japan", "GPE")],
                    [
                        _P(
                            "criticized",
                            "criticize",
                            subject=("She", "she"),
                            obj=("Japan", "japan"),
                            antecedent=("Hua Chunying", "chunying", 1),
                        )
                    ],
                ),
            ],
            [
                _S(
                    "A Message from The Moscow Times:",
                    [_M("The Moscow Times", "ORG", normalized="The Moscow Times")],
                ),
            ],
            [
                _S(
                    "Russia has threatened to ban The Moscow Times, criminalizing our work.",
                    [_M("Russia", "GPE"), _M("The Moscow Times", "ORG")],
                    [
                        _P(
                            "ban",
                            "ban",
                            subject=("Russia", "russia"),
                            obj=("The Moscow Times", "times"),
                            modality="threaten",
                            control=["threaten"],
                        )
                    ],
                ),
            ],
        ],
    }
    return [voa, mt]


def _rows_for(article: dict[str, Any], run_id: str) -> dict[str, list[dict[str, Any]]]:
    item = article["item"]
    input_sha = sha256(item.encode()).hexdigest()
    article_id = sha256(f"{input_sha}:0".encode()).hexdigest()[:16]
    title: _S = article["title"]
    # sentence list with (section, paragraph_no, sentence)
    layout: list[tuple[str, int, _S]] = [("title", 0, title)]
    for p_no, para in enumerate(article["paragraphs"], start=1):
        layout += [("body", p_no, s) for s in para]
    body = "\n\n".join(" ".join(s.text for s in para) for para in article["paragraphs"])
    doc = title.text + "\n\n" + body

    sentences, mentions, predicates = [], [], []
    cursor = 0
    for sentence_no, (section, paragraph_no, s) in enumerate(layout):
        start = doc.index(s.text, cursor)
        cursor = start + len(s.text)
        sentences.append(
            {
                "article_id": article_id,
                "sentence_no": sentence_no,
                "section": section,
                "paragraph_no": paragraph_no,
                "start_char": start,
                "end_char": start + len(s.text),
                "text": s.text,
            }
        )
        for m in s.mentions:
            m_start = start + _find(s.text, m.surface, m.nth)
            normalized = m.normalized or m.surface
            mentions.append(
                {
                    "article_id": article_id,
                    "sentence_no": sentence_no,
                    "start_char": m_start,
                    "end_char": m_start + len(m.surface),
                    "text": m.surface,
                    "label": m.label,
                    "normalized_text": normalized,
                    "head_lemma": m.head or normalized.split()[-1].lower(),
                    "canonical_text": m.canonical or normalized,
                    "source": "model",
                }
            )

        def span(surface_head, sent=s, base=start):
            if surface_head is None:
                return None, None, None, None
            surface, head, *nth = surface_head
            pos = base + _find(sent.text, surface, nth[0] if nth else 0)
            return surface, head, pos, pos + len(surface)

        for p in s.predicates:
            v_start = start + _find(s.text, p.verb)
            subj = span(p.subject)
            ante = (None, None, None, None)
            if p.antecedent is not None:
                surface, head, back = p.antecedent
                prev = sentences[-1 - back]
                ante = span((surface, head), _S(prev["text"]), prev["start_char"])
            obj = span(p.obj)
            preps = []
            for prep, surface, head, *nth in p.preps:
                pos = start + _find(s.text, surface, nth[0] if nth else 0)
                preps.append(
                    {
                        "preposition": prep,
                        "text": surface,
                        "head_lemma": head,
                        "start_char": pos,
                        "end_char": pos + len(surface),
                    }
                )
            predicates.append(
                {
                    "article_id": article_id,
                    "sentence_no": sentence_no,
                    "verb_lemma": p.lemma,
                    "verb_text": p.verb,
                    "verb_start": v_start,
                    "verb_end": v_start + len(p.verb),
                    "particle": p.particle,
                    "is_negated": p.negated,
                    "modality": p.modality,
                    "control_chain": ">".join([*p.control, p.lemma]) if p.control else None,
                    "control_lemmas": p.control or None,
                    "voice": "active",
                    "subject_text": subj[0],
                    "subject_head_lemma": subj[1],
                    "subject_start": subj[2],
                    "subject_end": subj[3],
                    "subject_resolved_text": ante[0],
                    "subject_antecedent_start": ante[2],
                    "subject_antecedent_end": ante[3],
                    "subject_antecedent_head_lemma": ante[1],
                    "object_text": obj[0],
                    "object_head_lemma": obj[1],
                    "object_start": obj[2],
                    "object_end": obj[3],
                    "prep_args": preps,
                }
            )

    mentions.sort(key=lambda r: r["start_char"])
    for i, r in enumerate(mentions):
        r["mention_no"] = i
    for i, r in enumerate(predicates):
        r["predicate_no"] = i
    ingested = datetime(2014, 3, 20, 6, 0, tzinfo=UTC)
    articles = [
        {
            "article_id": article_id,
            "input_sha256": input_sha,
            "input_path": f"seeds/{item}",
            "item_no": 0,
            "source_format": item.rsplit(".", 1)[-1],
            "url": article["url"],
            "title": title.text,
            "body": body,
            "captions": [],
            "author": article["author"],
            "publisher": article["publisher"],
            "wire_agency": article["wire_agency"],
            "published_at": article["published_at"],
            "published_date_source": article["published_date_source"],
            "language": "en",
            "word_count": len(body.split()),
            "body_sha256": sha256(body.encode()).hexdigest(),
            "story_cluster_id": article["story_cluster_id"],
            "parser_version": "synthetic-1",
            "ingested_at": ingested,
        }
    ]
    inputs = [
        {
            "input_sha256": input_sha,
            "input_path": f"seeds/{item}",
            "size_bytes": len(doc.encode()),
            "detected_format": item.rsplit(".", 1)[-1],
            "status": "loaded",
            "articles_loaded": 1,
            "items_rejected": 0,
            "run_id": run_id,
            "seen_at": ingested,
        }
    ]
    return {
        "articles": articles,
        "inputs": inputs,
        "sentences": sentences,
        "entity_mentions": mentions,
        "predicates": predicates,
    }


def build_synthetic_warehouse(path: Path) -> Path:
    """Create (or extend) a DuckDB file at ``path`` with two synthetic articles.

    The raw tables are created by ``newswire.warehouse.ensure_raw_tables`` and
    filled with consistent rows: every mention, predicate and prep-arg offset
    points into document_text = title + "\\n\\n" + body. Also one rejected input.
    Returns the absolute path.
    """
    import pyarrow as pa

    from newswire.schemas import RAW_TABLES

    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    run_id = "synthetic-run-1"
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in RAW_TABLES}
    for article in _articles():
        for name, rows in _rows_for(article, run_id).items():
            tables[name] += rows
    bad_sha = sha256(b"").hexdigest()
    tables["inputs"].append(
        {
            "input_sha256": bad_sha,
            "input_path": "seeds/empty.txt",
            "size_bytes": 0,
            "detected_format": "text",
            "status": "rejected",
            "articles_loaded": 0,
            "items_rejected": 1,
            "run_id": run_id,
            "seen_at": datetime(2014, 3, 20, 6, 0, tzinfo=UTC),
        }
    )
    tables["rejections"].append(
        {
            "input_sha256": bad_sha,
            "input_path": "seeds/empty.txt",
            "item_no": None,
            "reason_code": "empty_file",
            "reason": "the file has no bytes",
            "run_id": run_id,
            "rejected_at": datetime(2014, 3, 20, 6, 0, tzinfo=UTC),
        }
    )
    con = duckdb.connect(str(path))
    try:
        ensure_raw_tables(con)
        for name, schema in RAW_TABLES.items():
            rows = tables[name]
            if not rows:
                continue
            arrow_table = pa.Table.from_pylist(rows, schema=schema)  # noqa: F841 - used by DuckDB
            cols = ", ".join(f'"{f.name}"' for f in schema)
            con.execute(f"insert into raw.{name} ({cols}) select {cols} from arrow_table")
        con.execute("checkpoint")
    finally:
        con.close()
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DB_PATH")
    print(build_synthetic_warehouse(Path(sys.argv[1])))
