"""Input files to article rows: formats, JSON records and per-item rejections."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from newswire_testdata import SEED_TEXT_DUMPS

from newswire.ingest.parse import InputParser, detect_format, make_article_id

BODY = (
    "Officials from both countries met in Vienna on Monday to discuss the next round of talks, "
    "and said they expected to sign an agreement on water rights before the end of the year."
)


@pytest.fixture
def parser() -> InputParser:
    return InputParser(max_input_bytes=1_000_000, max_article_chars=100_000, min_body_words=10)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.txt", "Hello", "text"),
        ("a.html", "<p>x</p>", "html"),
        ("a.HTM.gz", "<p>x</p>", "html"),
        ("a.json", "{}", "json"),
        ("a.jsonl", "{}\n{}", "jsonl"),
        ("a.ndjson.gz", "{}", "jsonl"),
        ("page", "<!DOCTYPE html><html>", "html"),
        ("data.dat", '{"a": 1}', "json"),
        ("a.txt", "Plain words <b> here", "text"),
    ],
)
def test_detect_format(name: str, content: str, expected: str) -> None:
    assert detect_format(Path(name), content) == expected


def test_jsonl_keeps_good_lines_and_rejects_bad_ones(parser: InputParser, tmp_path: Path) -> None:
    good = {"url": "u", "title": "T", "text": BODY, "published": "2024-02-05T10:00:00Z", "source": "Wire"}
    path = tmp_path / "x.jsonl"
    path.write_text(
        json.dumps(good) + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n" + json.dumps([1, 2]) + "\n"
    )
    result = parser.parse_file(path)
    assert result.status == "partial"
    assert len(result.articles) == 1
    art = result.articles[0]
    assert art["body"] == BODY  # taken as given
    assert art["publisher"] == "Wire"
    assert art["published_at"].isoformat() == "2024-02-05T10:00:00+00:00"
    assert art["published_date_source"] == "json"
    assert art["article_id"] == make_article_id(result.input_sha256, 1)
    reasons = {(r["item_no"], r["reason_code"]) for r in result.rejections}
    assert reasons == {(2, "malformed_json"), (3, "missing_text"), (4, "malformed_record")}


def test_json_array_of_records(parser: InputParser, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"text": BODY, "title": "A"}, {"text": BODY + " More.", "title": "B"}]))
    result = parser.parse_file(path)
    assert [a["title"] for a in result.articles] == ["A", "B"]
    assert len({a["article_id"] for a in result.articles}) == 2


def test_malformed_json_document_is_rejected_with_position(parser: InputParser, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"text": "abc",')
    result = parser.parse_file(path)
    assert result.status == "rejected"
    assert result.rejections[0]["reason_code"] == "malformed_json"
    assert "line 1" in result.rejections[0]["reason"]


def test_short_body_is_rejected(parser: InputParser, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"text": "Too short."}) + "\n")
    result = parser.parse_file(path)
    assert result.rejections[0]["reason_code"] == "body_too_short"


@pytest.mark.parametrize("seed", SEED_TEXT_DUMPS, ids=lambda p: p.name)
def test_gzipped_seed_parses_like_the_plain_one(parser: InputParser, tmp_path: Path, seed: Path) -> None:
    gz = tmp_path / (seed.name + ".gz")
    gz.write_bytes(gzip.compress(seed.read_bytes()))
    plain = parser.parse_file(seed).articles[0]
    zipped = parser.parse_file(gz).articles[0]
    assert zipped["title"] == plain["title"]
    assert zipped["body"] == plain["body"]
    assert zipped["source_format"] == "text"


def test_input_file_is_never_modified(parser: InputParser, tmp_path: Path) -> None:
    seed = SEED_TEXT_DUMPS[0]
    copy = tmp_path / seed.name
    copy.write_bytes(seed.read_bytes())
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    parser.parse_file(copy)
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before


def test_html_page_yields_title_and_metadata(parser: InputParser) -> None:
    page = Path(__file__).resolve().parent.parent / "seeds" / "sample_01_talks.html"
    art = parser.parse_file(page).articles[0]
    assert art["title"] == "Germany and France Urge New Talks on Black Sea Grain Route"
    assert art["source_format"] == "html"
    assert art["published_at"] is not None and art["published_at"].year == 2023
    assert "Sign up for our newsletter" not in art["body"]
    assert "Most read" not in art["body"]
