"""Make the GX Data Docs site work offline: local copies of the CSS and JS it loads from CDNs.

GX 1.x writes pages that load jQuery, Bootstrap, bootstrap-table, Font Awesome,
popper, bootstrap-datepicker and Vega from public CDNs, and its logo from S3
(with the data context id in the query string). Without the network the pages
render unstyled and the index tables stay empty, because bootstrap-table fills
them. GX's site builder has no setting for local assets, so after each build
the site is rewritten: the files come from the npm packages pinned in
``vendor/data-docs/package.json`` (installed at ``make setup``; nothing is
downloaded at run time), are copied to ``static/vendor/`` in the site, and every
page's links point there by relative path. Idempotent: rewritten pages have no
CDN links left, so a second pass changes nothing.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

#: CDN URL (regex) -> file in node_modules. Versions are those GX's templates name,
#: except popper.js (1.14.7, the version bootstrap 4.3.1 asks for).
ASSETS: tuple[tuple[str, str], ...] = (
    (r"https://code\.jquery\.com/jquery-3\.7\.1\.min\.js", "jquery/dist/jquery.min.js"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/[\d.]+/umd/popper\.min\.js",
     "popper.js/dist/umd/popper.min.js"),
    (r"https://stackpath\.bootstrapcdn\.com/bootstrap/4\.3\.1/js/bootstrap\.min\.js",
     "bootstrap/dist/js/bootstrap.min.js"),
    (r"https://maxcdn\.bootstrapcdn\.com/bootstrap/4\.3\.1/css/bootstrap\.min\.css",
     "bootstrap/dist/css/bootstrap.min.css"),
    (r"https://unpkg\.com/bootstrap-table@1\.19\.\d/dist/(bootstrap-table\.min\.(?:js|css))",
     r"bootstrap-table/dist/\1"),
    (r"https://unpkg\.com/bootstrap-table@1\.19\.\d/dist/extensions/filter-control/"
     r"(bootstrap-table-filter-control(?:\.min)?\.(?:js|css))",
     r"bootstrap-table/dist/extensions/filter-control/\1"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/(js|css)/(bootstrap-datepicker\.min\.\w+)",
     r"bootstrap-datepicker/dist/\1/\2"),
    (r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/6\.6\.0/css/all\.min\.css",
     "@fortawesome/fontawesome-free/css/all.min.css"),
    (r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@1\.1\.0/dist/css/bootstrap-prefers-dark\.css",
     "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"),
    (r"https://cdn\.jsdelivr\.net/npm/(vega|vega-lite|vega-embed)@\d+", r"\1/build/\1.min.js"),
)
#: Folders copied whole because a copied file refers into them (Font Awesome's fonts).
ASSET_DIRS = ("@fortawesome/fontawesome-free/webfonts",)
_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[\w.-]*\.amazonaws\.com/([\w.-]+?)(?:\?[^\"']*)?(?=[\"'])")
_LINK = re.compile(r"(?P<attr>\b(?:src|href))=(?P<q>[\"'])(?P<url>https?://[^\"']+)(?P=q)(?P<rest>[^>]*)")
_SRI = re.compile(r"\s+(?:integrity|crossorigin)=(?:\"[^\"]*\"|'[^']*'|\S+)")
VENDOR = Path("static") / "vendor"


class AssetsMissing(RuntimeError):
    """vendor/data-docs/node_modules lacks a file the pages need (run `make setup`)."""


def _local_file(url: str) -> str | None:
    for pattern, target in ASSETS:
        m = re.fullmatch(pattern, url)
        if m:
            return m.expand(target)
    return None


def _copy(node_modules: Path, rel: str, site: Path) -> None:
    src, dst = node_modules / rel, site / VENDOR / rel
    if not src.exists():
        raise AssetsMissing(f"{src} not found; run `make setup` (npm ci in vendor/data-docs)")
    if dst.exists() and dst.stat().st_size == src.stat().st_size:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def localize_page(html: str, page: Path, site: Path, node_modules: Path) -> tuple[str, int]:
    """`html` with its CDN links pointing at local copies (copied on the way); and how many changed."""
    changed = 0
    rel_root = os.path.relpath(site, page.parent)

    def logo(m: re.Match[str]) -> str:
        nonlocal changed
        name = m.group(1)
        local = site / "static" / "images" / name
        changed += 1
        return f"{rel_root}/static/images/{name if local.exists() else 'logo-long.png'}"

    def link(m: re.Match[str]) -> str:
        nonlocal changed
        target = _local_file(m.group("url"))
        if target is None:
            return m.group(0)  # an ordinary hyperlink (GX's docs, its newsletter): not loaded by the page
        _copy(node_modules, target, site)
        changed += 1
        rest = _SRI.sub("", m.group("rest"))  # the subresource hash named the CDN's copy
        return f"{m.group('attr')}={m.group('q')}{rel_root}/{VENDOR.as_posix()}/{target}{m.group('q')}{rest}"

    html = _LOGO.sub(logo, html)
    html = _LINK.sub(link, html)
    return html, changed


def localize_site(site: Path, node_modules: Path | None = None) -> int:
    """Rewrite every page of the Data Docs site under `site`; return the number of links changed."""
    if node_modules is None:
        from newswire.config import get_settings

        node_modules = get_settings().data_docs_assets
    if not site.is_dir():
        return 0
    for rel in ASSET_DIRS:
        _copy(node_modules, rel, site)
    total = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        new, changed = localize_page(html, page, site, node_modules)
        if changed:
            tmp = page.with_suffix(".html.tmp")
            tmp.write_text(new, encoding="utf-8")
            tmp.replace(page)
            total += changed
    log.info("Data Docs: %d links now point at local copies in %s", total, site / VENDOR)
    return total


def remote_links(html: str) -> list[str]:
    """URLs the page would load (scripts, styles, images) from another host; empty when offline-ready."""
    loaded = re.findall(r"<(?:script|img)\b[^>]*\bsrc=[\"'](https?://[^\"']+)", html)
    loaded += re.findall(r"<link\b[^>]*\bhref=[\"'](https?://[^\"']+)", html)
    return loaded
