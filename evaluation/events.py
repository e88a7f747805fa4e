"""`python -m evaluation events [EVENTS_DIR]`: event coding on real news and on the PLOVER set.

Two sets under ``EVENTS_DIR`` (default ``../shared/eval/events``):

* ``conflibert-cameo/``: real headline and lead sentences with the root codes their
  coders chose; root-code precision, recall, F1 and event detection
  (``evaluation.conflibert``). This is the figure that says how the
  pipeline does on news.
* ``plover/``: the CAMEO manual's example sentences with actors and PLOVER
  categories (below). Short and stylised: a second check, not the target.

Both go through the real pipeline (``evaluation.event_runs``).

The PLOVER gold records (``gold_standard_records/PLOVER_GSR_CAMEO.txt``, a JSON list) are
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
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation import conflibert
from evaluation.event_runs import EventRow, PipelineRun, Sentence, run_sentences
from newswire.config import get_settings

log = logging.getLogger(__name__)

GOLD_FILE = Path("gold_standard_records") / "PLOVER_GSR_CAMEO.txt"
SEED = get_settings().dbt_project_dir / "seeds" / "cameo_to_plover.csv"

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


def as_sentences(gold: Sequence[GoldEvent]) -> list[Sentence]:
    """The CAMEO manual's examples are undated; a fixed date keeps date-bounded actor codes stable."""
    return [Sentence(g.id, g.text, published="2000-01-01T12:00:00Z", source="PLOVER GSR") for g in gold]


def to_predictions(events: Iterable[EventRow]) -> list[Prediction]:
    mapping = load_cameo_to_plover()
    return [
        Prediction(
            id=e.id,
            category=plover_category(e.event_code, mapping),
            event_code=e.event_code,
            source=e.actor1_code or e.actor1_country,
            target=e.actor2_code or e.actor2_country,
            verb=e.verb_lemma,
        )
        for e in events
        if not e.is_negated
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


def _run(sentences: list[Sentence], keep: Path | None, name: str) -> PipelineRun:
    # dbt logs to stdout; keep stdout for the scores (`--json` must stay parseable).
    with contextlib.redirect_stdout(sys.stderr):
        if keep:
            (keep / name).mkdir(parents=True, exist_ok=True)
            return run_sentences(sentences, keep / name)
        with tempfile.TemporaryDirectory(prefix=f"newswire-eval-{name}-") as tmp:
            return run_sentences(sentences, Path(tmp))


def _plover(args: argparse.Namespace, directory: Path) -> dict[str, Any] | None:
    if not (directory / GOLD_FILE).exists():
        print(
            f"eval events: {directory / GOLD_FILE} not found; skipping PLOVER", file=sys.stderr if args.json else None
        )
        return None
    gold = load_gold(directory)
    if args.limit:
        gold = gold[: args.limit]
    if args.predictions:
        predictions = read_predictions(args.predictions)
    else:
        predictions = to_predictions(_run(as_sentences(gold), args.keep, "plover").events)
    if args.write_predictions:
        write_predictions(predictions, args.write_predictions)
    scores = score(gold, predictions)
    if not args.json:
        print(report(scores))
    return scores.as_dict()


def _conflibert(args: argparse.Namespace, directory: Path) -> dict[str, Any] | None:
    if not (directory / conflibert.SENTENCES_FILE).exists():
        print(
            f"eval events: {directory / conflibert.SENTENCES_FILE} not found; skipping ConfliBERT",
            file=sys.stderr if args.json else None,
        )
        return None
    gold = conflibert.load_gold(directory)
    if args.limit:
        gold = gold[: args.limit]
    run = _run(conflibert.as_sentences(gold), args.keep, "conflibert")
    scores = conflibert.score(gold, conflibert.predicted_roots(run.events))
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as f:
            for err in scores.errors:
                f.write(json.dumps(err) + "\n")
    if not args.json:
        print(conflibert.report(scores))
        not_loaded = len(gold) - len(run.loaded_ids)
        if not_loaded:
            print(f"sentences not loaded: {not_loaded} ({', '.join(sorted(set(run.rejected.values())))})")
    return {**scores.as_dict(), "sentences_loaded": len(run.loaded_ids)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation events", description=__doc__.splitlines()[0])
    parser.add_argument(
        "events_dir", nargs="?", type=Path, default=None,
        help="folder holding conflibert-cameo/ and plover/ (default: ../shared/eval/events)",
    )
    parser.add_argument("--set", choices=["all", "conflibert", "plover"], default="all", dest="which")
    parser.add_argument("--predictions", type=Path, help="PLOVER: score this JSONL of predictions instead of running")
    parser.add_argument("--write-predictions", type=Path, help="PLOVER: save the pipeline's predictions as JSONL")
    parser.add_argument("--errors", type=Path, help="ConfliBERT: write the sentences coded wrong as JSONL")
    parser.add_argument("--limit", type=int, default=0, help="only the first N records of each set")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--keep", type=Path, help="run in this folder and keep the warehouses")
    args = parser.parse_args(argv)
    events_dir = args.events_dir or get_settings().shared_dir / "eval" / "events"
    started = time.perf_counter()
    results: dict[str, Any] = {}
    if args.which in ("all", "conflibert"):
        results["conflibert"] = _conflibert(args, events_dir / "conflibert-cameo")
        if not args.json:
            print()
    if args.which in ("all", "plover"):
        results["plover"] = _plover(args, events_dir / "plover")
    results["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"({results['seconds']:.0f}s)")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
