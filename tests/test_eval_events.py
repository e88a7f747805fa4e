"""`python -m evaluation events`: scoring rules, the predictions file, skipping, and a small real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import conflibert as cb
from evaluation import events as ev

EVENTS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "events"
PLOVER = EVENTS / "plover"
CONFLIBERT = EVENTS / "conflibert-cameo"

GOLD = [
    ev.GoldEvent("g1", "Japan met Russia.", "CONSULT", frozenset({"JPN"}), frozenset({"RUS"})),
    ev.GoldEvent("g2", "Israel and the Palestinians agreed.", "AGREE", frozenset({"ISR", "PSE"}), frozenset()),
    ev.GoldEvent("g3", "Rebels attacked a town.", "ASSAULT", frozenset({"SDN"}), frozenset({"SDN"})),
]


def test_category_precision_recall_and_actors() -> None:
    predictions = [
        ev.Prediction("g1", "CONSULT", "040", "JPNGOV", "RUS"),  # right, actors right
        ev.Prediction("g1", "CONSULT", "043", "JPN", None),  # same pair again: counted once
        ev.Prediction("g1", None, "010", "JPN", None),  # statement: no PLOVER category, unscored
        ev.Prediction("g2", "AGREE", "030", "ISR", "PSE"),  # reciprocal: target among the sources
        ev.Prediction("g2", "ACCUSE", "111", "ISR", None),  # wrong category
    ]
    s = ev.score(GOLD, predictions)
    assert (s.correct_pairs, s.predicted_pairs, s.gold) == (2, 3, 3)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.matched == 2 and s.actors_right == 2
    assert s.uncategorised == 1
    assert s.sentences_without_event == 1
    assert s.confusions[("AGREE", "ACCUSE")] == 1
    assert s.missed["ASSAULT"] == 1


def test_actor_mismatch_is_counted_against_matched_events_only() -> None:
    s = ev.score(GOLD, [ev.Prediction("g1", "CONSULT", "040", "RUS", "JPN")])
    assert s.matched == 1 and s.actors_right == 0
    assert s.actor_errors["both wrong"] == 1


def test_cameo_codes_map_to_plover_with_the_seed() -> None:
    mapping = ev.load_cameo_to_plover()
    assert ev.plover_category("043", mapping) == "CONSULT"
    assert ev.plover_category("1711", mapping) == ev.plover_category("171", mapping) == "COERCE"
    assert ev.plover_category("010", mapping) is None  # statements are dropped by PLOVER
    assert ev.plover_category(None, mapping) is None


def test_skips_cleanly_when_the_dataset_is_absent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ev.main([str(tmp_path / "missing")]) == 0
    assert "skipping" in capsys.readouterr().out


@pytest.mark.shared
def test_predictions_file_is_scored_without_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not (PLOVER / ev.GOLD_FILE).exists():
        pytest.skip("PLOVER gold records absent")
    gold = ev.load_gold(PLOVER)
    assert len(gold) == 322 and all(g.category != "DOCUMENT" for g in gold)
    assert {"REQUEST", "ACCUSE"} <= {g.category for g in gold}  # draft names mapped to 2021 ones
    path = tmp_path / "preds.jsonl"
    perfect = [{"id": g.id, "category": g.category, "source": min(g.sources) if g.sources else None,
                "target": min(g.targets) if g.targets else None} for g in gold]
    path.write_text("\n".join(json.dumps(p) for p in perfect) + "\n")
    assert ev.main([str(EVENTS), "--set", "plover", "--predictions", str(path), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)["plover"]
    assert scores["precision"] == scores["recall"] == 1.0
    assert scores["actors_right"] > 0.95


@pytest.mark.slow
@pytest.mark.shared
def test_a_few_sentences_through_the_real_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    if not (PLOVER / ev.GOLD_FILE).exists():
        pytest.skip("PLOVER gold records absent")
    for key in ("NEWSWIRE_INBOX", "NEWSWIRE_WAREHOUSE", "NEWSWIRE_NLP_PROCESSES"):
        monkeypatch.setenv(key, "")  # run_pipeline overwrites them; monkeypatch restores them afterwards
    out = tmp_path / "preds.jsonl"
    assert ev.main([str(EVENTS), "--limit", "12", "--json", "--keep", str(tmp_path / "run"),
                    "--write-predictions", str(out)]) == 0
    both = json.loads(capsys.readouterr().out)
    scores = both["plover"]
    assert scores["gold_events"] == 12
    assert scores["predicted_category_pairs"] > 0
    assert out.exists() and out.read_text().strip()
    if both["conflibert"] is not None:
        # one-sentence records load through the product path (the record floor, not the page floor)
        assert both["conflibert"]["sentences_loaded"] == both["conflibert"]["sentences"] == 12


def test_conflibert_root_codes_precision_recall_detection_and_confusion() -> None:
    gold = [
        cb.GoldSentence("s1", "A bomber killed five.", frozenset({"18"})),
        cb.GoldSentence("s2", "The minister spoke.", frozenset({"01"})),
        cb.GoldSentence("s3", "Stocks fell.", frozenset()),
        cb.GoldSentence("s4", "X met Y and attacked Z.", frozenset({"04", "19"})),
    ]
    predicted = {"s1": {"19"}, "s2": {"01"}, "s3": {"01"}, "s4": {"04"}}
    s = cb.score(gold, predicted)
    assert (s.correct, s.predicted, s.gold) == (2, 4, 4)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.detection == pytest.approx(3 / 4)  # s3 predicts an event where coders saw none
    assert s.confusion[("18", "19")] == 1 and s.confusion[("-", "01")] == 1 and s.confusion[("19", "-")] == 1
    assert "gold\\pred" in cb.confusion_table(s)


def test_conflibert_negated_events_are_not_events() -> None:
    rows = [
        ev.EventRow("s1", "190", "19", "ISR", "ISR", None, None, "attack", True),
        ev.EventRow("s1", "010", "01", "ISR", "ISR", None, None, "say", False),
    ]
    assert cb.predicted_roots(rows) == {"s1": {"01"}}


@pytest.mark.shared
def test_conflibert_gold_is_read_from_shared() -> None:
    if not (CONFLIBERT / cb.SENTENCES_FILE).exists():
        pytest.skip("ConfliBERT sentences absent")
    gold = cb.load_gold(CONFLIBERT)
    assert len(gold) == 200 and sum(bool(g.root_codes) for g in gold) == 90
