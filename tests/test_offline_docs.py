"""GX Data Docs without the network: every CDN asset GX's templates load has a local copy.

The browser proof (network blocked, styled page, filled tables, screenshot) is in
tests/e2e/test_e2e_ui.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from newswire.config import get_settings
from newswire.docs import data_docs

NODE_MODULES = get_settings().data_docs_assets
pytestmark = pytest.mark.skipif(not NODE_MODULES.is_dir(), reason="vendor/data-docs not installed (npm ci)")


def _gx_template_loads() -> set[str]:
    import great_expectations

    templates = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
    urls: set[str] = set()
    for tpl in templates.glob("*.j2"):
        text = tpl.read_text()
        urls |= set(re.findall(r"<script[^>]*\bsrc=\"(https?://[^\"]+)\"", text))
        urls |= set(re.findall(r"<link[^>]*\bhref=\"(https?://[^\"]+)\"", text))
    return urls


def test_every_asset_gx_loads_from_a_cdn_has_a_local_copy() -> None:
    urls = _gx_template_loads()
    assert len(urls) >= 12, urls  # jQuery, Bootstrap, bootstrap-table, Font Awesome, Vega, ...
    for url in sorted(urls):
        local = data_docs._local_file(url)
        assert local is not None, f"no local copy mapped for {url}"
        assert (NODE_MODULES / local).is_file(), f"{url} -> {local} is not in {NODE_MODULES}"


def test_a_built_site_loads_nothing_from_other_hosts(tmp_path: Path) -> None:
    import great_expectations as gx

    from newswire.validation.runner import validate_frames

    frame = pd.DataFrame({"article_id": ["a", "b", "c"], "word_count": [120, 300, 45]})
    suite = [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="article_id", meta={"blocking": True}),
        gx.expectations.ExpectColumnValuesToBeBetween(column="word_count", min_value=1, meta={"blocking": False}),
    ]
    summary = validate_frames("raw", {"articles": frame}, {"articles": suite}, gx_root=tmp_path / "gx",
                              run_id="offline-test", raise_on_failure=True)
    assert summary.success
    site = tmp_path / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 3, pages  # index, suite, validation result
    for page in pages:
        html = page.read_text()
        assert data_docs.remote_links(html) == [], page
        for ref in re.findall(r"(?:src|href)=\"([^\"]*static/vendor/[^\"]+)\"", html):
            assert (page.parent / ref).resolve().is_file(), f"{page}: {ref} missing"
    assert (site / "static" / "vendor" / "@fortawesome" / "fontawesome-free" / "webfonts").is_dir()
    # A second pass finds nothing left to change.
    assert data_docs.localize_site(site) == 0
