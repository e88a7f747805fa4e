"""Root codes on real news: the ConfliBERT CAMEO sentences (``eval/events/conflibert-cameo``).

200 headline and lead sentences from 35 agencies, each with the CAMEO root codes
most of its 7-27 coders chose (empty: no event). There are no actors, so this set
scores what the pipeline says happened, sentence by sentence:

* root-code precision and recall over (sentence, root code) pairs, and their F1;
* event detection: the share of sentences where "is there an event" is answered
  as the coders did (some predicted code vs none);
* a confusion table of root codes (gold row, predicted column; ``-`` is "no code").

Following the set's README, a reporting verb's 01 that the coders chose only
because the sentence ends in "X said" is already dropped from the gold codes, as
GDELT and PETRARCH do; a pipeline that codes that 01 besides the reported event
loses precision here. Negated events ("did not attack") are not events.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.event_runs import EventRow, Sentence

SENTENCES_FILE = "sentences.jsonl"
TARGETS = {"f1": 0.55, "precision": 0.55, "detection": 0.75}
NONE = "-"


@dataclass(frozen=True)
class GoldSentence:
    id: str
    text: str
    root_codes: frozenset[str]


@dataclass
class Scores:
    sentences: int = 0
    predicted: int = 0
    gold: int = 0
    correct: int = 0
    detection_right: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def detection(self) -> float:
        return self.detection_right / self.sentences if self.sentences else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "gold_codes": self.gold,
            "predicted_codes": self.predicted,
            "correct_codes": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "event_detection": round(self.detection, 4),
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(self.confusion.items())},
        }


def load_gold(directory: Path) -> list[GoldSentence]:
    out = []
    with (directory / SENTENCES_FILE).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out.append(GoldSentence(r["id"], r["text"], frozenset(r.get("root_codes") or ())))
    return out


def as_sentences(gold: Sequence[GoldSentence]) -> list[Sentence]:
    """The set has no dates (2009-2020): records carry none, as a bare sentence would."""
    return [Sentence(g.id, g.text, source="ConfliBERT CAMEO") for g in gold]


def predicted_roots(events: Iterable[EventRow]) -> dict[str, set[str]]:
    by_id: dict[str, set[str]] = {}
    for e in events:
        if not e.is_negated and e.event_root_code:
            by_id.setdefault(e.id, set()).add(e.event_root_code)
    return by_id


def score(gold: Sequence[GoldSentence], predicted: dict[str, set[str]]) -> Scores:
    s = Scores()
    for g in gold:
        pred = predicted.get(g.id, set())
        s.sentences += 1
        s.gold += len(g.root_codes)
        s.predicted += len(pred)
        hits = pred & g.root_codes
        s.correct += len(hits)
        s.detection_right += bool(pred) == bool(g.root_codes)
        for code in hits:
            s.confusion[(code, code)] += 1
        missed = sorted(g.root_codes - pred)
        extra = sorted(pred - g.root_codes)
        for code in missed:
            for other in extra or [NONE]:
                s.confusion[(code, other)] += 1
        if not missed:
            for other in extra:
                s.confusion[(NONE, other)] += 1
        if missed or extra:
            s.errors.append({"id": g.id, "gold": sorted(g.root_codes), "predicted": sorted(pred), "text": g.text})
    return s


def confusion_table(s: Scores) -> str:
    codes = [*sorted({c for pair in s.confusion for c in pair if c != NONE}), NONE]
    rows = [c for c in codes if any(s.confusion[(c, p)] for p in codes)]
    cols = [c for c in codes if any(s.confusion[(g, c)] for g in codes)]
    lines = ["gold\\pred " + " ".join(f"{c:>3}" for c in cols)]
    for g in rows:
        cells = " ".join(f"{s.confusion[(g, p)] or '.':>3}" for p in cols)
        lines.append(f"{g:>9} {cells}")
    return "\n".join(lines)


def report(s: Scores) -> str:
    return "\n".join(
        [
            f"ConfliBERT CAMEO sentences: {s.sentences} ({s.gold} gold root codes)",
            f"root-code precision: {s.precision:.3f}  (target >= {TARGETS['precision']})  "
            f"{s.correct}/{s.predicted}",
            f"root-code recall:    {s.recall:.3f}  {s.correct}/{s.gold}",
            f"root-code F1:        {s.f1:.3f}  (target >= {TARGETS['f1']})",
            f"event detection:     {s.detection:.3f}  (target >= {TARGETS['detection']})  "
            f"{s.detection_right}/{s.sentences}",
            "confusion of root codes (rows gold, columns predicted, '-' none):",
            confusion_table(s),
        ]
    )
