"""HTML extraction: trafilatura body plus metadata from the page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswire.extract import extract_html

PARAS = [
    "LONDON, May 2, 2023 (Reuters) - Britain's central bank raised interest rates on Thursday for the twelfth "
    "time in a row, saying inflation was taking longer to fall than it had expected.",
    "The decision was widely expected by economists, who said the bank had little choice after figures showed "
    "prices rising faster than wages for another month.",
    "Markets now expect at least one more increase before the end of the summer, traders said.",
]

PAGE = f"""<!doctype html>
<html lang="en"><head>
<title>Bank raises rates again | Example News</title>
<meta property="og:title" content="Bank raises rates again">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2023-05-02T09:30:00+01:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li></ul></nav></header>
<main><article>
<h1>Bank raises rates again</h1>
<p class="byline">By Jane Doe</p>
<figure><img src="/bank.jpg"><figcaption>The central bank building in London, May 2, 2023.</figcaption></figure>
{"".join(f"<p>{p}</p>" for p in PARAS)}
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Celebrity wedding photos</a></li>
<li><a href="/b">Ten best beaches</a></li></ul></aside></main>
<footer><p>© 2023 Example News. All rights reserved.</p><a href="/privacy">Privacy Policy</a></footer>
</body></html>"""


def test_html_body_and_metadata() -> None:
    art = extract_html(PAGE, url="https://www.example.com/business/rates")
    assert art.title == "Bank raises rates again"
    assert art.body.startswith("LONDON, May 2, 2023 (Reuters)")
    assert art.body.rstrip().endswith("traders said.")
    for noise in ("Privacy Policy", "Ten best beaches", "All rights reserved", "Home"):
        assert noise not in art.body
    assert art.author == "Jane Doe"
    assert art.publisher == "Example News"
    assert art.wire_agency == "Reuters"
    # full timestamp from the meta tag, converted to UTC
    assert art.published_at == datetime(2023, 5, 2, 8, 30, tzinfo=UTC)
    assert art.captions == ["The central bank building in London, May 2, 2023."]
    assert "central bank building" not in art.body
    assert art.published_date_source == "meta"
    assert art.language == "en"
    assert art.url == "https://www.example.com/business/rates"


def test_html_garbage_is_empty_not_error() -> None:
    art = extract_html("<html><body></body></html>")
    assert art.body == ""
    art = extract_html("")
    assert art.body == ""


def test_html_seed_sample() -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "sample_01_talks.html"
    if not seed.exists():
        pytest.skip("seed sample_01_talks.html not present")
    art = extract_html(seed.read_text(encoding="utf-8"))
    assert art.title == "Germany and France Urge New Talks on Black Sea Grain Route"
    assert art.body.startswith("BERLIN")
    assert "Subscribe" not in art.body
    assert art.publisher == "Newswire Sample Desk"
    assert art.published_at == datetime(2023, 7, 21, 9, 30, tzinfo=UTC)


def test_html_without_paragraph_markup_still_yields_story() -> None:
    story = " ".join(
        f"Paragraph sentence {i} tells readers what the council decided about the new bridge on Monday."
        for i in range(4)
    )
    page = f"<html><body><div>Home</div><div>News</div><div><span>{story}</span></div><div>Contact</div></body></html>"
    art = extract_html(page)
    assert "council decided about the new bridge" in art.body
    assert len(art.body.split()) >= 60


def test_visible_text_fallback_reads_page_like_a_dump() -> None:
    from lxml import html as lxml_html

    from newswire.extract.html import _fallback

    story = " ".join(
        f"Paragraph sentence {i} tells readers what the council decided about the new bridge on Monday."
        for i in range(4)
    )
    page = (
        "<html><body><script>var x = 1;</script><div>Home</div><div>News</div>"
        f"<div><span>{story}</span></div><div>Contact</div></body></html>"
    )
    art = _fallback(lxml_html.fromstring(page), None)
    assert art.body == story
