"""NER evaluation on CoNLL-2003 files: exact span-and-type precision/recall/F1.

Each -DOCSTART- document becomes one text (tokens joined by single spaces,
sentences by newlines) and goes through ``annotate_articles`` exactly as the
ingest DAG runs it, so the score measures the production extraction code, not
a bare model. spaCy labels are mapped to the four CoNLL types.

Usage: python -m evaluation.ner [CONLL_FILE] [--predictions FILE] [--bare]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

LOG = logging.getLogger(__name__)

TYPES = ("PER", "LOC", "ORG", "MISC")
LABEL_MAP = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}

Entity = tuple[int, int, str]  # start_char, end_char, CoNLL type


@dataclass
class ConllDoc:
    """One document: its text and gold entities as character spans."""

    text: str
    gold: set[Entity] = field(default_factory=set)


def _default_file() -> Path:
    from newswire.config import get_settings

    return get_settings().shared_dir / "eval" / "ner" / "conll2003" / "eng.testa"


def read_conll(path: Path) -> list[ConllDoc]:
    """Parse an IOB1/IOB2 CoNLL-2003 file into documents with character-offset gold spans.

    Lines before the first -DOCSTART- form a document of their own (eng.testa
    has its first marker at the end of the file).
    """
    docs: list[ConllDoc] = []
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []

    def close_doc() -> None:
        if current:
            sentences.append(list(current))
            current.clear()
        if sentences:
            docs.append(_build_doc(sentences))
            sentences.clear()

    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("-DOCSTART-"):
                close_doc()
                continue
            if not line:
                if current:
                    sentences.append(list(current))
                    current.clear()
                continue
            parts = line.split()
            current.append((parts[0], parts[-1]))
    close_doc()
    return docs


def _build_doc(sentences: list[list[tuple[str, str]]]) -> ConllDoc:
    pieces: list[str] = []
    gold: set[Entity] = set()
    pos = 0
    for si, sent in enumerate(sentences):
        if si:
            pieces.append("\n")
            pos += 1
        ent_start = ent_end = -1
        ent_type = ""
        for ti, (word, tag) in enumerate(sent):
            if ti:
                pieces.append(" ")
                pos += 1
            start, end = pos, pos + len(word)
            pieces.append(word)
            pos = end
            prefix, _, typ = tag.partition("-")
            begins = tag != "O" and (prefix == "B" or typ != ent_type or ent_start < 0)
            if ent_start >= 0 and (tag == "O" or begins):
                gold.add((ent_start, ent_end, ent_type))
                ent_start = -1
                ent_type = ""
            if tag != "O":
                if ent_start < 0:
                    ent_start, ent_type = start, typ
                ent_end = end
        if ent_start >= 0:
            gold.add((ent_start, ent_end, ent_type))
    return ConllDoc("".join(pieces), gold)


def predict(docs: list[ConllDoc], *, bare: bool = False, n_process: int = 1) -> Iterator[set[Entity]]:
    """Predicted CoNLL entities per document, via the production NLP stage (or the bare model)."""
    if bare:
        import spacy

        from newswire.nlp.pipeline import DEFAULT_MODEL

        nlp = spacy.load(DEFAULT_MODEL)
        for doc in nlp.pipe((d.text for d in docs), batch_size=32):
            yield {(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in doc.ents if e.label_ in LABEL_MAP}
        return
    from newswire.nlp import annotate_articles

    articles = ({"article_id": str(i), "title": None, "body": d.text} for i, d in enumerate(docs))
    for ann in annotate_articles(articles, n_process=n_process, batch_size=16):
        yield {
            (m["start_char"], m["end_char"], LABEL_MAP[m["label"]])
            for m in ann.entity_mentions
            if m["label"] in LABEL_MAP
        }


def score(gold: Iterable[set[Entity]], pred: Iterable[set[Entity]]) -> dict[str, dict[str, float]]:
    """Exact-match P/R/F1 overall and per type."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for _, _, t in g:
            n_gold[t] += 1
        for _, _, t in p:
            n_pred[t] += 1
        for _, _, t in g & p:
            tp[t] += 1
    out: dict[str, dict[str, float]] = {}
    for t in (*TYPES, "overall"):
        if t == "overall":
            a, g_, p_ = sum(tp.values()), sum(n_gold.values()), sum(n_pred.values())
        else:
            a, g_, p_ = tp[t], n_gold[t], n_pred[t]
        prec = a / p_ if p_ else 0.0
        rec = a / g_ if g_ else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[t] = {"precision": prec, "recall": rec, "f1": f1, "gold": g_, "predicted": p_, "correct": a}
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI: score the NLP stage's entities against a CoNLL-2003 file."""
    ap = argparse.ArgumentParser(prog="python -m evaluation ner", description="NER span/type P/R/F1 on CoNLL-2003")
    ap.add_argument("conll_file", nargs="?", type=Path, default=None)
    ap.add_argument("--predictions", type=Path, help="write [doc_index, start, end, type] JSON here")
    ap.add_argument("--bare", action="store_true", help="score the bare spaCy model instead (reference)")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    path = args.conll_file or _default_file()
    if not path.exists():
        print(f"skip: CoNLL file not found: {path}")
        return 0
    docs = read_conll(path)
    if args.limit:
        docs = docs[: args.limit]
    t0 = time.perf_counter()
    preds = list(predict(docs, bare=args.bare, n_process=args.n_process))
    elapsed = time.perf_counter() - t0
    result = score((d.gold for d in docs), preds)
    print(f"{path}: {len(docs)} documents, {'bare model' if args.bare else 'newswire NLP stage'}, {elapsed:.1f}s")
    print(f"{'type':8} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}")
    for t in (*TYPES, "overall"):
        r = result[t]
        print(f"{t:8} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['gold']:6d} {r['predicted']:6d}")
    if args.predictions:
        rows = [[i, s, e, t] for i, p in enumerate(preds) for s, e, t in sorted(p)]
        args.predictions.write_text(json.dumps(rows))
        print(f"wrote {len(rows)} predictions to {args.predictions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
