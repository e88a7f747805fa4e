"""`python -m evaluation extraction`: main-text extraction quality on a labelled dataset.

Dataset layout (that of the article-extraction-benchmark):
``text/<key>.txt`` (browser text dumps), ``html/<key>.html.gz`` and
``ground-truth.json`` mapping key -> {"articleBody": ..., "url": ...}.
Each path is scored per page with word 4-gram shingle precision/recall/F1
and macro-averaged, so long pages do not dominate. An optional
``trafilatura-subset/`` (evaldata.json with must-contain ("with") and
must-not-contain ("without") snippets) is checked too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newswire.extract import (
    extract_html,
    extract_text_dump,
    publisher_key,
    shares_from_counts,
    template_counts,
)

logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


def shingles(text: str, k: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of word k-grams (lowercased); a shorter text is one shingle."""
    tokens = _TOKEN_RE.findall(unicodedata.normalize("NFKC", text or "").lower())
    if not tokens:
        return Counter()
    if len(tokens) < k:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + k]) for i in range(len(tokens) - k + 1))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def score_page(predicted: str, expected: str) -> Score:
    """Shingle precision/recall/F1 of one page; two empty texts agree perfectly."""
    pred, gold = shingles(predicted), shingles(expected)
    if not pred and not gold:
        return Score(1.0, 1.0, 1.0)
    overlap = sum((pred & gold).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(gold.values()) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def macro(scores: Iterable[Score]) -> Score:
    items = list(scores)
    if not items:
        return Score(0.0, 0.0, 0.0)
    n = len(items)
    return Score(
        sum(s.precision for s in items) / n,
        sum(s.recall for s in items) / n,
        sum(s.f1 for s in items) / n,
    )


def _read_html(path: Path) -> str:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8", errors="replace")


def _html_path(directory: Path, key: str) -> Path | None:
    for name in (f"{key}.html.gz", f"{key}.html", f"{key}.htm"):
        if (directory / name).exists():
            return directory / name
    return None


@dataclass
class PathResult:
    name: str
    pages: int
    score: Score
    seconds: float
    predictions: dict[str, dict[str, str]]


def evaluate_path(
    name: str,
    keys: list[str],
    load: Callable[[str], str | None],
    extract: Callable[[str, str | None], str],
    truth: dict[str, dict],
) -> PathResult:
    """Run one extraction path over every page that has input and score it."""
    scores: list[Score] = []
    predictions: dict[str, dict[str, str]] = {}
    started = time.perf_counter()
    for key in keys:
        raw = load(key)
        if raw is None:
            continue
        try:
            body = extract(raw, truth[key].get("url"))
        except Exception:
            logger.exception("%s extraction failed on %s", name, key)
            body = ""
        predictions[key] = {"articleBody": body}
        scores.append(score_page(body, truth[key].get("articleBody") or ""))
    return PathResult(name, len(scores), macro(scores), time.perf_counter() - started, predictions)


def _norm_snippet(text: str) -> str:
    """Compare snippets modulo case, quotes, spacing and invisible format characters."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf").lower()
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class SnippetResult:
    name: str
    pages: int
    with_found: int
    with_total: int
    without_absent: int
    without_total: int

    @property
    def kept(self) -> float:
        return self.with_found / self.with_total if self.with_total else 1.0

    @property
    def dropped(self) -> float:
        return self.without_absent / self.without_total if self.without_total else 1.0


def evaluate_snippets(subset_dir: Path, path: str) -> SnippetResult | None:
    """Share of must-contain snippets kept and must-not-contain snippets dropped."""
    evaldata_path = subset_dir / "evaldata.json"
    if not evaldata_path.exists():
        return None
    evaldata = json.loads(evaldata_path.read_text(encoding="utf-8"))
    result = SnippetResult(path, 0, 0, 0, 0, 0)
    for entry in evaldata.values():
        file_name = entry.get("file", "")
        stem = re.sub(r"\.html?(\.gz)?$", "", file_name)
        if path == "text":
            source = subset_dir / "text" / f"{stem}.txt"
            if not source.exists():
                continue
            body = extract_text_dump(source.read_text(encoding="utf-8", errors="replace")).body
        else:
            source_path = _html_path(subset_dir / "html", stem)
            if source_path is None:
                continue
            body = extract_html(_read_html(source_path)).body
        result.pages += 1
        norm_body = _norm_snippet(body)
        for snippet in entry.get("with", []):
            result.with_total += 1
            result.with_found += _norm_snippet(snippet) in norm_body
        for snippet in entry.get("without", []):
            result.without_total += 1
            result.without_absent += _norm_snippet(snippet) not in norm_body
    return result


def _template_evidence(
    keys: list[str], load: Callable[[str], str | None], truth: dict[str, dict]
) -> dict[str, dict[str, float]]:
    """Per-publisher template shares from the dataset's own pages (lines on >= 2 of them)."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        raw = load(key)
        if raw is not None:
            groups.setdefault(publisher_key(raw, truth[key].get("url")) or "", []).append(raw)
    evidence: dict[str, dict[str, float]] = {}
    for name, texts in groups.items():
        if name and len(texts) >= 2:
            counts, pages = template_counts(texts)
            evidence[name] = shares_from_counts(counts, pages, min_pages=2, min_count=2)
    return evidence


def _print_table(results: list[PathResult], snippets: list[SnippetResult]) -> None:
    print(f"{'path':<8} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8}")
    for r in results:
        rate = r.pages / r.seconds if r.seconds > 0 else float("inf")
        print(
            f"{r.name:<8} {r.pages:>5} {r.score.precision:>9.3f} {r.score.recall:>7.3f} {r.score.f1:>6.3f} {rate:>8.1f}"
        )
    if snippets:
        print()
        print(f"{'subset':<8} {'pages':>5} {'must-contain kept':>18} {'must-not dropped':>17}")
        for s in snippets:
            print(
                f"{s.name:<8} {s.pages:>5} {s.kept:>10.1%} ({s.with_found}/{s.with_total})"
                f" {s.dropped:>8.1%} ({s.without_absent}/{s.without_total})"
            )


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m evaluation extraction DATASET_DIR [--predictions-dir DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m evaluation extraction", description=__doc__.splitlines()[0])
    parser.add_argument("dataset_dir", type=Path)
    parser.add_argument("--predictions-dir", type=Path, default=None)
    parser.add_argument(
        "--subset-dir",
        type=Path,
        default=None,
        help="trafilatura-style snippet subset (default: DATASET_DIR/trafilatura-subset)",
    )
    parser.add_argument("--no-html", action="store_true", help="score only the text-dump path")
    parser.add_argument(
        "--template-evidence",
        action="store_true",
        help="give the text-dump path cross-document template stats of each publisher's pages in the dataset",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    dataset: Path = args.dataset_dir
    truth_path = dataset / "ground-truth.json"
    if not dataset.is_dir() or not truth_path.exists():
        print(f"extraction eval skipped: no dataset at {dataset}")
        return 0
    truth: dict[str, dict] = json.loads(truth_path.read_text(encoding="utf-8"))
    keys = sorted(truth)

    def load_text(key: str) -> str | None:
        path = dataset / "text" / f"{key}.txt"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else None

    def load_html(key: str) -> str | None:
        path = _html_path(dataset / "html", key)
        return _read_html(path) if path is not None else None

    shares_by_key: dict[str, dict[str, float]] = {}
    if args.template_evidence:
        shares_by_key = _template_evidence(keys, load_text, truth)

    def extract_text(raw: str, url: str | None) -> str:
        shares = shares_by_key.get(publisher_key(raw, url) or "") if shares_by_key else None
        return extract_text_dump(raw, url=url, template_counts=shares or None).body

    results = [evaluate_path("text", keys, load_text, extract_text, truth)]
    if not args.no_html:
        results.append(evaluate_path("html", keys, load_html, lambda raw, url: extract_html(raw, url=url).body, truth))
    snippets: list[SnippetResult] = []
    subset_dir = args.subset_dir or dataset / "trafilatura-subset"
    if subset_dir.is_dir():
        for path in ("text",) if args.no_html else ("text", "html"):
            res = evaluate_snippets(subset_dir, path)
            if res is not None and res.pages:
                snippets.append(res)
    _print_table(results, snippets)

    if args.predictions_dir is not None:
        args.predictions_dir.mkdir(parents=True, exist_ok=True)
        for r in results:
            out = args.predictions_dir / f"{r.name}.json"
            out.write_text(json.dumps(r.predictions, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
