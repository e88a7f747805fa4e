"""`python -m evaluation extraction` on a tiny synthetic dataset built in tmp_path."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evaluation.extraction import main, score_page, shingles

STORY = (
    "The harbour authority said on Friday that the new container terminal will open next spring, "
    "two years later than planned, because of delays in dredging the approach channel.\n\n"
    "Shipping companies had hoped to use the terminal this year and some have already moved routes "
    "to a neighbouring port, the authority said in a statement."
)
MENU = "Home\nNews\nSport\nWeather\nContact us"
FOOTER = "Sign up for our newsletter\nPrivacy Policy\n© 2024 Harbour Herald"


def _dataset(root: Path) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "html").mkdir()
    truth = {}
    for key in ("page-a", "page-b"):
        (root / "text" / f"{key}.txt").write_text(f"{MENU}\n\nTerminal Delayed\n\n{STORY}\n\n{FOOTER}\n")
        paragraphs = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
        html = (
            "<html><head><title>Terminal Delayed</title></head><body>"
            "<nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
            f"<article><h1>Terminal Delayed</h1>{paragraphs}</article>"
            "<footer>Privacy Policy</footer></body></html>"
        )
        (root / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[key] = {"articleBody": STORY, "url": f"https://herald.example/{key}"}
    (root / "ground-truth.json").write_text(json.dumps(truth))
    subset = root / "trafilatura-subset"
    (subset / "text").mkdir(parents=True)
    (subset / "text" / "herald.txt").write_text(f"{MENU}\n\n{STORY}\n\n{FOOTER}\n")
    (subset / "evaldata.json").write_text(
        json.dumps(
            {
                "x": {
                    "file": "herald.html",
                    "with": ["new container terminal will open next spring"],
                    "without": ["Sign up for our newsletter", "Privacy Policy"],
                }
            }
        )
    )
    return root


def test_shingle_scores() -> None:
    assert score_page("a b c d e", "a b c d e").f1 == 1.0
    assert score_page("", "").f1 == 1.0
    assert score_page("", "a b c d").recall == 0.0
    half = score_page("a b c d e f g", "a b c d e")
    assert half.recall == 1.0 and half.precision == pytest.approx(0.5)
    assert sum(shingles("one two").values()) == 1


def test_eval_runs_and_writes_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = _dataset(tmp_path / "ds")
    preds = tmp_path / "preds"
    assert main([str(dataset), "--predictions-dir", str(preds)]) == 0
    out = capsys.readouterr().out
    assert "text" in out and "html" in out and "F1" in out
    text_preds = json.loads((preds / "text.json").read_text())
    html_preds = json.loads((preds / "html.json").read_text())
    assert set(text_preds) == set(html_preds) == {"page-a", "page-b"}
    for key in ("page-a", "page-b"):
        assert score_page(text_preds[key]["articleBody"], STORY).f1 > 0.95
        assert score_page(html_preds[key]["articleBody"], STORY).f1 > 0.9
    # snippet subset: must-contain kept, must-not-contain dropped
    assert "100.0% (1/1)" in out and "100.0% (2/2)" in out


def test_eval_skips_missing_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope")]) == 0
    assert "skipped" in capsys.readouterr().out


def test_bench_extraction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.extraction import bench
    from benchmarks.extraction import main as bench_main

    (tmp_path / "cat").mkdir()
    for i in range(3):
        (tmp_path / "cat" / f"{i:03d}.txt").write_text(f"Headline {i}\n\n{STORY}\n")
    result = bench(tmp_path)
    assert result["articles"] == 3 and result["articles_loaded"] == 3
    assert result["newswire_articles_per_s"] > 0 and result["ratio_vs_justext_cpu"] > 0
    assert bench_main(["--corpus", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
