"""`newswire eval events [PLOVER_DIR]`: event coding against the PLOVER gold standard.

The gold records (``gold_standard_records/PLOVER_GSR_CAMEO.txt``, a JSON list) are
example sentences from the CAMEO manual, each with one event: a PLOVER category,
source actors and target actors (country-style codes such as ``USA`` or ``IGO``).

Each sentence goes through the real pipeline as one JSONL article: a temporary
inbox and warehouse, the ingest steps (parse, NLP, load) and the dbt project
(seed + run), all in-process. The produced event mentions are mapped to PLOVER
categories with the ``cameo_to_plover`` seed (the most specific code listed,
else its root) and compared to the gold event of their sentence:

* category precision / recall over distinct (sentence, category) pairs;
  CAMEO 01/02 (statements, appeals) have no PLOVER category and are not scored,
  as PLOVER drops them; negated events ("did not meet") are not events;
* actors right: among sentences whose category matched, the share where the
  source (actor 1) and target (actor 2) agree with the gold actors, compared on
  the three-letter country/sector prefix of the CAMEO actor code. A gold event
  without a target (reciprocal "SRC/TAR" records) accepts a missing target or
  one of the source actors.

The gold file uses the draft PLOVER names; they are mapped to the 2021 names the
seed uses (DEMAND -> REQUEST, DISAPPROVE and INVESTIGATE -> ACCUSE, FIGHT -> ASSAULT).

``--predictions FILE`` scores a JSONL file of predictions instead of running the
pipeline: one object per event with ``id`` (the gold record id), ``category``
(or ``event_code``, mapped with the seed), ``source`` and ``target`` codes.
``--write-predictions FILE`` saves the pipeline's predictions in that format.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_DIR = Path("/work/shared/eval/events/plover")
GOLD_FILE = Path("gold_standard_records") / "PLOVER_GSR_CAMEO.txt"
SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "cameo_to_plover.csv"

#: Draft PLOVER names in the gold file -> the 2021 names of the seed.
GOLD_CATEGORY_ALIASES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
#: Gold actor codes that are not the CAMEO/ISO code of their country.
GOLD_CODE_ALIASES = {"JAP": "JPN"}

TARGETS = {"precision": 0.7, "recall": 0.5, "actors_right": 0.6}


@dataclass(frozen=True)
class GoldEvent:
    id: str
    text: str
    category: str
    sources: frozenset[str]
    targets: frozenset[str]


@dataclass(frozen=True)
class Prediction:
    id: str
    category: str | None
    event_code: str | None = None
    source: str | None = None
    target: str | None = None
    verb: str | None = None


@dataclass
class Scores:
    gold: int = 0
    predicted_pairs: int = 0
    correct_pairs: int = 0
    matched: int = 0
    actors_right: int = 0
    source_right: int = 0
    target_right: int = 0
    uncategorised: int = 0
    sentences_without_event: int = 0
    sentences_with_prediction: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    spurious: Counter[str] = field(default_factory=Counter)
    actor_errors: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 0.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def actors_right_share(self) -> float:
        return self.actors_right / self.matched if self.matched else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold_events": self.gold,
            "predicted_category_pairs": self.predicted_pairs,
            "correct_category_pairs": self.correct_pairs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "sentence_precision": round(self.correct_pairs / self.sentences_with_prediction, 4)
            if self.sentences_with_prediction
            else 0.0,
            "matched_events": self.matched,
            "actors_right": round(self.actors_right_share, 4),
            "source_right": round(self.source_right / self.matched, 4) if self.matched else 0.0,
            "target_right": round(self.target_right / self.matched, 4) if self.matched else 0.0,
            "predicted_without_plover_category": self.uncategorised,
            "gold_sentences_without_any_event": self.sentences_without_event,
            "top_confusions": [f"{g} -> {p}: {n}" for (g, p), n in self.confusions.most_common(10)],
            "top_missed_categories": [f"{c}: {n}" for c, n in self.missed.most_common(8)],
            "top_spurious_categories": [f"{c}: {n}" for c, n in self.spurious.most_common(8)],
            "actor_errors": dict(self.actor_errors.most_common()),
        }


# --------------------------------------------------------------------------
# Gold and the CAMEO -> PLOVER map
# --------------------------------------------------------------------------


def _codes(actors: Any) -> frozenset[str]:
    if not isinstance(actors, list):
        return frozenset()
    out = set()
    for actor in actors:
        code = str((actor or {}).get("code") or "").strip().upper()[:3]
        if code:
            out.add(GOLD_CODE_ALIASES.get(code, code))
    return frozenset(out)


def load_gold(plover_dir: Path) -> list[GoldEvent]:
    records = json.loads((plover_dir / GOLD_FILE).read_text(encoding="utf-8"))
    gold = []
    for r in records:
        text = (r.get("text") or "").strip()
        category = str(r.get("event") or "").upper()
        if not text or category == "DOCUMENT":
            continue
        gold.append(
            GoldEvent(
                id=r["id"],
                text=text,
                category=GOLD_CATEGORY_ALIASES.get(category, category),
                sources=_codes(r.get("source")),
                targets=_codes(r.get("target")),
            )
        )
    return gold


def load_cameo_to_plover(seed: Path = SEED) -> dict[str, str]:
    with seed.open(newline="", encoding="utf-8") as f:
        return {
            row["event_code"].strip(): row["plover_category"].strip()
            for row in csv.DictReader(f)
            if row.get("plover_category", "").strip()
        }


def plover_category(event_code: str | None, mapping: dict[str, str]) -> str | None:
    """The seed's category for the most specific listed prefix of the CAMEO code."""
    code = (event_code or "").strip()
    for n in range(len(code), 1, -1):
        if code[:n] in mapping:
            return mapping[code[:n]]
    return None


def _code3(code: Any) -> str | None:
    value = str(code or "").strip().upper()
    return value[:3] or None


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def score(gold: Sequence[GoldEvent], predictions: Iterable[Prediction]) -> Scores:
    s = Scores(gold=len(gold))
    by_id: dict[str, list[Prediction]] = {}
    for p in predictions:
        if p.category is None:
            s.uncategorised += 1
            continue
        by_id.setdefault(p.id, []).append(p)
    for g in gold:
        preds = by_id.get(g.id, [])
        if not preds:
            s.sentences_without_event += 1
        categories = {p.category for p in preds}
        s.predicted_pairs += len(categories)
        s.sentences_with_prediction += bool(categories)
        for c in categories - {g.category}:
            s.confusions[(g.category, c)] += 1
            s.spurious[c] += 1
        if g.category not in categories:
            s.missed[g.category] += 1
            continue
        s.correct_pairs += 1
        s.matched += 1
        best = max(
            (p for p in preds if p.category == g.category),
            key=lambda p: sum(_actor_checks(g, p)),
        )
        source_ok, target_ok = _actor_checks(g, best)
        s.source_right += source_ok
        s.target_right += target_ok
        if source_ok and target_ok:
            s.actors_right += 1
        elif not source_ok and not target_ok:
            s.actor_errors["both wrong" if best.source else "no source"] += 1
        elif not source_ok:
            s.actor_errors["source wrong or missing"] += 1
        else:
            s.actor_errors["target wrong or missing" if g.targets else "unexpected target"] += 1
    return s


def _actor_checks(g: GoldEvent, p: Prediction) -> tuple[bool, bool]:
    src, tgt = _code3(p.source), _code3(p.target)
    source_ok = src is not None and src in g.sources
    if g.targets:
        target_ok = tgt is not None and tgt in g.targets
    else:  # no target, or reciprocal SRC/TAR actors listed as sources
        target_ok = tgt is None or tgt in g.sources
    return source_ok, target_ok


# --------------------------------------------------------------------------
# Running the pipeline
# --------------------------------------------------------------------------


def _url(record_id: str) -> str:
    return f"https://plover-gsr.invalid/{record_id}"


def write_inbox(gold: Sequence[GoldEvent], inbox: Path) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / "plover_gsr.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for g in gold:
            record = {"url": _url(g.id), "text": g.text, "published": "2000-01-01T12:00:00Z", "source": "PLOVER GSR"}
            f.write(json.dumps(record) + "\n")
    return path


def run_pipeline(gold: Sequence[GoldEvent], workdir: Path) -> list[Prediction]:
    """Ingest the sentences and build the marts in a temporary warehouse; return its events."""
    os.environ["NEWSWIRE_INBOX"] = str(workdir / "inbox")
    os.environ["NEWSWIRE_WAREHOUSE"] = str(workdir / "wh" / "newswire.duckdb")
    os.environ.pop("NEWSWIRE_WORK_DB", None)
    os.environ["NEWSWIRE_MIN_BODY_WORDS"] = "1"  # one sentence per article
    os.environ["NEWSWIRE_NLP_PROCESSES"] = "1"
    from newswire.config import get_settings
    from newswire.dbt_runner import run_dbt
    from newswire.ingest import pipeline
    from newswire.warehouse import connect

    settings = get_settings()
    write_inbox(gold, settings.inbox)
    run_id = "eval-events"
    started = time.perf_counter()
    found = pipeline.discover(run_id, settings)
    manifests = []
    for batch_no, batch in enumerate(found["batches"]):
        parsed = pipeline.parse_batch(batch, batch_no, run_id, found["template_stats_path"], settings)
        manifests.append(pipeline.annotate_batch(parsed, settings))
    pipeline.load_batches(manifests, run_id, found["duplicates"], settings)
    log.info("ingest + NLP of %d sentences: %.1fs", len(gold), time.perf_counter() - started)
    started = time.perf_counter()
    for args in (["seed"], ["run"]):
        result = run_dbt(args, db_path=settings.work_db, project_dir=settings.dbt_project_dir)
        if not result.success:
            raise RuntimeError(f"dbt {args[0]} failed: {result.exception}")
    log.info("dbt seed + run: %.1fs", time.perf_counter() - started)
    mapping = load_cameo_to_plover()
    with connect(settings) as con:
        rows = con.execute(
            """
            select a.url, em.event_code, e.actor1_code, e.actor1_country, e.actor2_code, e.actor2_country,
                   em.verb_lemma
            from marts.event_mentions as em
            join marts.events as e on em.event_id = e.event_id
            join raw.articles as a on em.article_id = a.article_id
            where not coalesce(em.is_negated, false)
            """
        ).fetchall()
        n_articles = con.execute("select count(*) from raw.articles").fetchone()[0]
    log.info("%d of %d sentences loaded as articles; %d event mentions", n_articles, len(gold), len(rows))
    prefix = _url("")
    return [
        Prediction(
            id=url[len(prefix) :],
            category=plover_category(code, mapping),
            event_code=code,
            source=a1_code or a1_country,
            target=a2_code or a2_country,
            verb=verb,
        )
        for url, code, a1_code, a1_country, a2_code, a2_country, verb in rows
        if url and url.startswith(prefix)
    ]


def read_predictions(path: Path) -> list[Prediction]:
    mapping = load_cameo_to_plover()
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        category = r.get("category") or plover_category(r.get("event_code"), mapping)
        category = GOLD_CATEGORY_ALIASES.get(str(category).upper(), str(category).upper()) if category else None
        out.append(
            Prediction(
                id=r["id"],
                category=category,
                event_code=r.get("event_code"),
                source=r.get("source"),
                target=r.get("target"),
            )
        )
    return out


def write_predictions(predictions: Iterable[Prediction], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for p in predictions:
            f.write(
                json.dumps(
                    {
                        "id": p.id,
                        "category": p.category,
                        "event_code": p.event_code,
                        "source": p.source,
                        "target": p.target,
                        "verb": p.verb,
                    }
                )
                + "\n"
            )


def report(s: Scores) -> str:
    d = s.as_dict()
    lines = [
        f"PLOVER gold events:        {s.gold}",
        f"category precision:        {s.precision:.3f}  (target >= {TARGETS['precision']})  "
        f"{s.correct_pairs}/{s.predicted_pairs} predicted (sentence, category) pairs",
        f"category recall:           {s.recall:.3f}  (target >= {TARGETS['recall']})  {s.correct_pairs}/{s.gold}",
        f"category F1:               {s.f1:.3f}",
        f"sentence-level precision:  {d['sentence_precision']:.3f}  (sentences whose predicted categories "
        "include the gold one / sentences with a prediction)",
        f"actors right (matched):    {s.actors_right_share:.3f}  (target >= {TARGETS['actors_right']})  "
        f"{s.actors_right}/{s.matched}; source {d['source_right']:.3f}, target {d['target_right']:.3f}",
        f"sentences with no event:   {s.sentences_without_event}",
        f"events without PLOVER category (CAMEO 01/02, unscored): {s.uncategorised}",
        "top confusions (gold -> predicted): " + ", ".join(d["top_confusions"][:6]),
        "most missed gold categories:        " + ", ".join(d["top_missed_categories"][:6]),
        "actor errors:                       " + ", ".join(f"{k}: {v}" for k, v in d["actor_errors"].items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newswire eval events", description=__doc__.splitlines()[0])
    parser.add_argument("plover_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--predictions", type=Path, help="score this JSONL of predictions instead of running")
    parser.add_argument("--write-predictions", type=Path, help="save the pipeline's predictions as JSONL")
    parser.add_argument("--limit", type=int, default=0, help="only the first N gold records")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--keep", type=Path, help="run in this folder and keep the warehouse")
    args = parser.parse_args(argv)

    gold_path = args.plover_dir / GOLD_FILE
    if not gold_path.exists():
        print(f"eval events: {gold_path} not found; skipping")
        return 0
    gold = load_gold(args.plover_dir)
    if args.limit:
        gold = gold[: args.limit]
    started = time.perf_counter()
    if args.predictions:
        predictions = read_predictions(args.predictions)
    else:
        # dbt logs to stdout; keep stdout for the scores (`--json` must stay parseable).
        with contextlib.redirect_stdout(sys.stderr):
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                predictions = run_pipeline(gold, args.keep)
            else:
                with tempfile.TemporaryDirectory(prefix="newswire-eval-events-") as tmp:
                    predictions = run_pipeline(gold, Path(tmp))
    if args.write_predictions:
        write_predictions(predictions, args.write_predictions)
    scores = score(gold, predictions)
    if args.json:
        print(json.dumps({**scores.as_dict(), "seconds": round(time.perf_counter() - started, 1)}, indent=2))
    else:
        print(report(scores))
        print(f"({time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
