"""WARC inputs (CC-NEWS and other web archives): HTML responses in, everything else skipped or rejected.

The archives are written here with warcio's own writer: two HTML news pages, a
redirect, a PNG, a 404 page, the crawler's request record and warcinfo, and one
corrupt record between the pages, so the test sees a reader that carries on.
"""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newswire.ingest.parse import InputParser
from newswire.ingest.warc import WarcFailure, WarcPage, WarcStats, iter_warc

PARAGRAPHS = [
    "Negotiators from the two governments met in Geneva on Tuesday and agreed to extend the ceasefire "
    "along the northern border for another ninety days, officials from both delegations said.",
    "The agreement, reached after three days of talks hosted by the United Nations, also provides for "
    "the exchange of prisoners and the reopening of two crossings to humanitarian convoys.",
    "Aid groups welcomed the extension but warned that supplies in the region would run out within "
    "weeks unless the crossings opened quickly and stayed open.",
]


def _page(title: str, published_meta: str | None = None) -> bytes:
    meta = f'<meta property="article:published_time" content="{published_meta}">' if published_meta else ""
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{meta}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{paras}</article><footer>Copyright Example News</footer></body></html>"
    ).encode()


def _record(gz: bool, uri: str, rec_type: str, *, status: str | None = None, ctype: str = "text/html",
            body: bytes = b"", date: str = "2024-03-05T10:00:00Z", extra: list | None = None) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    if rec_type == "warcinfo":
        record = writer.create_warcinfo_record("test.warc", {"software": "newswire tests"})
    else:
        http = None
        if status:
            http = StatusAndHeaders(status, [("Content-Type", ctype), *(extra or [])], protocol="HTTP/1.1")
        elif rec_type == "request":
            http = StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
        record = writer.create_warc_record(
            uri, rec_type, payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
        )
    writer.write_record(record)
    return buf.getvalue()


def build_warc(gz: bool) -> bytes:
    """warcinfo, request, page A, redirect, PNG, 404, CORRUPT, page B (dated by its meta tag)."""
    a = "https://news.example.com/world/ceasefire-extended"
    b = "https://news.example.com/world/crossings-reopen"
    good_b = _record(gz, b, "response", status="200 OK", ctype="text/html; charset=utf-8",
                     body=_page("Crossings to reopen", "2024-03-04T08:30:00Z"), date="2024-03-06T12:00:00Z")
    # Corrupt: a copy of page B cut in half, so its Content-Length runs past its end.
    corrupt = good_b[: len(good_b) // 2]
    return b"".join([
        _record(gz, "", "warcinfo"),
        _record(gz, a, "request"),
        _record(gz, a, "response", status="200 OK", body=_page("Ceasefire extended")),
        _record(gz, "https://news.example.com/old", "response", status="301 Moved Permanently",
                body=b"moved", extra=[("Location", a)]),
        _record(gz, "https://news.example.com/logo.png", "response", status="200 OK", ctype="image/png",
                body=b"\x89PNG\r\n\x1a\n" + bytes(200)),
        _record(gz, "https://news.example.com/missing", "response", status="404 Not Found",
                body=_page("Page not found")),
        corrupt,
        good_b,
    ])


@pytest.fixture
def parser() -> InputParser:
    return InputParser(max_input_bytes=1_000_000, max_article_chars=100_000, min_body_words=20)


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_reader_yields_pages_counts_skips_and_resumes_after_a_corrupt_record(gz: bool) -> None:
    stats = WarcStats()
    items = list(iter_warc(io.BytesIO(build_warc(gz)), max_payload_bytes=1_000_000, stats=stats))
    pages = [i for i in items if isinstance(i, WarcPage)]
    failures = [i for i in items if isinstance(i, WarcFailure)]
    assert [p.url for p in pages] == [
        "https://news.example.com/world/ceasefire-extended",
        "https://news.example.com/world/crossings-reopen",
    ]
    assert pages[0].captured_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert dict(stats.skipped) == {"not_response": 2, "redirect": 1, "not_html": 1, "http_error": 1}
    assert [(f.record_no, f.reason_code) for f in failures] == [(7, "malformed_warc_record")]
    assert pages[1].record_no == 8


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_parser_turns_html_responses_into_articles(parser: InputParser, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(build_warc(name.endswith(".gz")))
    result = parser.parse_file(path)
    assert result.detected_format == "warc"
    assert result.status == "partial"
    assert result.items_skipped == 5
    by_url = {a["url"]: a for a in result.articles}
    assert set(by_url) == {
        "https://news.example.com/world/ceasefire-extended",
        "https://news.example.com/world/crossings-reopen",
    }
    first = by_url["https://news.example.com/world/ceasefire-extended"]
    assert first["source_format"] == "warc"
    assert first["title"] == "Ceasefire extended"
    assert "Navigation" not in first["body"] and "prisoners" in first["body"]
    # No date on the page: the capture date stands in. Page B's own date wins over its capture date.
    assert (first["published_at"], first["published_date_source"]) == (datetime(2024, 3, 5, 10, tzinfo=UTC),
                                                                        "warc_date")
    second = by_url["https://news.example.com/world/crossings-reopen"]
    assert second["published_at"].date().isoformat() == "2024-03-04"
    assert second["published_date_source"] != "warc_date"
    assert [(r["item_no"], r["reason_code"]) for r in result.rejections] == [(7, "malformed_warc_record")]


def test_archive_with_no_html_page_is_rejected_with_its_counts(parser: InputParser, tmp_path: Path) -> None:
    path = tmp_path / "assets.warc.gz"
    path.write_bytes(_record(True, "https://x.example/a.png", "response", status="200 OK", ctype="image/png",
                             body=b"\x89PNG" + bytes(50)))
    result = parser.parse_file(path)
    assert result.articles == []
    assert [r["reason_code"] for r in result.rejections] == ["no_html_records"]
    assert "not_html 1" in result.rejections[0]["reason"]


def test_a_warc_under_another_name_is_still_read_as_one(parser: InputParser, tmp_path: Path) -> None:
    path = tmp_path / "download.bin"
    path.write_bytes(build_warc(True))
    result = parser.parse_file(path)
    assert result.detected_format == "warc" and len(result.articles) == 2


def test_gzip_member_that_is_not_a_warc_record_is_rejected_and_the_rest_loads(parser: InputParser,
                                                                             tmp_path: Path) -> None:
    good = build_warc(True)
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(gzip.compress(b"not a warc record at all\r\n\r\n") + good)
    result = parser.parse_file(path)
    assert len(result.articles) == 2
    assert [(r["item_no"], r["reason_code"]) for r in result.rejections] == [
        (1, "malformed_warc_record"), (8, "malformed_warc_record")
    ]


def test_warc_inputs_land_in_duckdb_with_their_rejections(tmp_path: Path, warehouse_env: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from newswire.ingest import discover, extract, load

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "CC-NEWS-20240305.warc.gz").write_bytes(build_warc(True))
    (inbox / "crawl.warc").write_bytes(build_warc(False))
    monkeypatch.setenv("NEWSWIRE_INBOX", str(inbox))
    found = discover.discover("warc-run")
    manifests = [extract.extract_batch(b, i, "warc-run") for i, b in enumerate(found["batches"])]
    load.load_batches(manifests, "warc-run")
    from newswire.config import get_settings

    with duckdb.connect(str(get_settings().work_db), read_only=True) as con:
        articles = con.execute(
            """select regexp_extract(input_path, '[^/]+$'), item_no, url, published_date_source
            from raw.articles order by 1, 2"""
        ).fetchall()
        rejections = con.execute(
            "select regexp_extract(input_path, '[^/]+$'), item_no, reason_code from raw.rejections order by 1"
        ).fetchall()
        inputs = con.execute(
            """select regexp_extract(input_path, '[^/]+$'), detected_format, status, articles_loaded,
            items_rejected, items_skipped from raw.inputs order by 1"""
        ).fetchall()
    a, b = "https://news.example.com/world/ceasefire-extended", "https://news.example.com/world/crossings-reopen"
    assert articles == [
        ("CC-NEWS-20240305.warc.gz", 3, a, "warc_date"),
        ("CC-NEWS-20240305.warc.gz", 8, b, "meta"),
        ("crawl.warc", 3, a, "warc_date"),
        ("crawl.warc", 8, b, "meta"),
    ]
    assert rejections == [
        ("CC-NEWS-20240305.warc.gz", 7, "malformed_warc_record"),
        ("crawl.warc", 7, "malformed_warc_record"),
    ]
    assert inputs == [
        ("CC-NEWS-20240305.warc.gz", "warc", "partial", 2, 1, 5),
        ("crawl.warc", "warc", "partial", 2, 1, 5),
    ]
