"""CoNLL reader, scorer and CLI of `python -m evaluation ner`."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation import ner

CONLL = """\
EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- O O

BRUSSELS NNP I-NP I-LOC
1996-08-22 CD I-NP O

The DT I-NP O
European NNP I-NP I-ORG
Commission NNP I-NP I-ORG
said VBD I-VP O
on IN I-PP O
Thursday NNP I-NP O
it PRP B-NP O
disagreed VBD I-VP O
with IN I-PP O
German JJ I-NP I-MISC
advice NN I-NP O
. . O O
"""


def write(tmp_path: Path) -> Path:
    path = tmp_path / "mini.conll"
    path.write_text(CONLL)
    return path


def test_reader_documents_and_spans(tmp_path: Path) -> None:
    docs = ner.read_conll(write(tmp_path))
    assert len(docs) == 2  # lines before the first -DOCSTART- are a document too
    d0 = docs[0]
    assert d0.text == "EU rejects German call .\nPeter Blackburn"
    spans = {(d0.text[s:e], t) for s, e, t in d0.gold}
    assert spans == {("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")}
    d1 = docs[1]
    assert {(d1.text[s:e], t) for s, e, t in d1.gold} == {
        ("BRUSSELS", "LOC"), ("European Commission", "ORG"), ("German", "MISC")
    }


def test_iob2_b_tag_splits_adjacent_entities(tmp_path: Path) -> None:
    path = tmp_path / "b.conll"
    path.write_text("Paris NNP x B-LOC\nLondon NNP x B-LOC\n")
    (doc,) = ner.read_conll(path)
    assert {doc.text[s:e] for s, e, _ in doc.gold} == {"Paris", "London"}


def test_score_exact_span_and_type() -> None:
    gold = [{(0, 2, "ORG"), (3, 9, "PER")}]
    pred = [{(0, 2, "ORG"), (3, 9, "LOC"), (10, 12, "MISC")}]
    r = ner.score(gold, pred)
    assert r["overall"]["correct"] == 1 and r["overall"]["gold"] == 2 and r["overall"]["predicted"] == 3
    assert abs(r["overall"]["f1"] - 2 * (1 / 3) * 0.5 / (1 / 3 + 0.5)) < 1e-9
    assert r["ORG"]["f1"] == 1.0 and r["PER"]["recall"] == 0.0


def test_label_mapping() -> None:
    assert ner.LABEL_MAP["GPE"] == "LOC" and ner.LABEL_MAP["FAC"] == "LOC"
    assert ner.LABEL_MAP["NORP"] == "MISC" and "DATE" not in ner.LABEL_MAP


def test_cli_runs_production_stage_and_writes_predictions(tmp_path: Path, capsys) -> None:
    out = tmp_path / "pred.json"
    assert ner.main([str(write(tmp_path)), "--predictions", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "overall" in printed
    rows = json.loads(out.read_text())
    assert rows and all(len(r) == 4 and r[3] in ner.TYPES for r in rows)
    docs = ner.read_conll(write(tmp_path))
    found = {(docs[i].text[s:e], t) for i, s, e, t in rows}
    assert ("Peter Blackburn", "PER") in found and ("German", "MISC") in found


def test_cli_skips_missing_file(tmp_path: Path, capsys) -> None:
    assert ner.main([str(tmp_path / "absent.conll")]) == 0
    assert "skip" in capsys.readouterr().out
