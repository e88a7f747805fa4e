"""HTML extraction: trafilatura body plus metadata from the page."""

from __future__ import annotations

from datetime import UTC, datetime

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
    assert art.published_at is not None and art.published_at.date() == datetime(2023, 5, 2, tzinfo=UTC).date()
    assert art.published_at.tzinfo is not None
    assert art.published_date_source == "meta"
    assert art.language == "en"
    assert art.url == "https://www.example.com/business/rates"


def test_html_garbage_is_empty_not_error() -> None:
    art = extract_html("<html><body></body></html>")
    assert art.body == ""
    art = extract_html("")
    assert art.body == ""
