"""warehouse/report.html: a first look at the warehouse without SQL.

Three charts drawn by matplotlib as inline SVG (text as paths, so no font
files): events per day by CAMEO quad class, the actor pairs with the largest
Goldstein sums, and the most mentioned entities. The page is one self-contained
file: no scripts, stylesheets, fonts or images from anywhere else, so it opens
offline and can be mailed around. Built from the published warehouse, read-only.
"""

from __future__ import annotations

import html
import io
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from newswire.config import Settings, get_settings

log = logging.getLogger(__name__)

TOP_N = 12
#: CAMEO quad classes, in GDELT's order, with the colours used in every chart.
QUAD_CLASSES = {
    1: ("verbal cooperation", "#7fbf7b"),
    2: ("material cooperation", "#1b7837"),
    3: ("verbal conflict", "#f4a582"),
    4: ("material conflict", "#b2182b"),
}
ENTITY_COLOURS = {"PERSON": "#4477aa", "ORG": "#aa3377", "GPE": "#228833", "NORP": "#ccbb44", "LOC": "#66ccee"}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    try:
        return con.execute(sql).fetchall()
    except duckdb.CatalogException:  # marts not built yet (e.g. --ingest-only)
        return []


def report_data(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The numbers behind the charts; every chart reads only from here."""
    per_day = _rows(con, """
        select event_date, quad_class, count(*) as n
        from marts.events where event_date is not null
        group by all order by event_date, quad_class""")
    pairs = _rows(con, f"""
        with pairs as (
          select coalesce(actor1_name, actor1_code) as actor1, coalesce(actor2_name, actor2_code) as actor2,
                 sum(goldstein) as goldstein_sum, count(*) as n_events
          from marts.events
          where coalesce(actor1_name, actor1_code) is not null and coalesce(actor2_name, actor2_code) is not null
            and goldstein is not null
          group by all
        )
        select * from pairs order by abs(goldstein_sum) desc, n_events desc, actor1, actor2 limit {TOP_N}""")
    entities = _rows(con, f"""
        select canonical_name, entity_type, mention_count, article_count
        from marts.entities order by mention_count desc, article_count desc, canonical_name limit {TOP_N}""")
    totals = {}
    for table in ("articles", "events", "entities"):
        got = _rows(con, f"select count(*) from marts.{table}")
        totals[table] = got[0][0] if got else 0
    span = _rows(con, "select min(event_date), max(event_date) from marts.events")
    return {"per_day": per_day, "pairs": pairs, "entities": entities, "totals": totals,
            "first_day": span[0][0] if span else None, "last_day": span[0][1] if span else None}


# -- charts ------------------------------------------------------------------------------


def _svg(fig: Any) -> str:
    """The figure as inline SVG markup: no XML prolog, DOCTYPE, metadata or namespace URIs."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Creator": None, "Date": None,
                                                                    "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Inline SVG in HTML needs no namespace declarations (the HTML parser supplies them).
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "path"  # glyphs as paths: the page needs no font
    matplotlib.rcParams["svg.hashsalt"] = "newswire"  # stable ids: the same data gives the same file
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


def chart_events_per_day(per_day: list[tuple[Any, ...]]) -> str:
    import matplotlib.dates as mdates

    fig, ax = _figure(9, 3.4)
    if not per_day:
        _empty(ax, "no events yet")
        return _svg(fig)
    days = sorted({d for d, _, _ in per_day})
    counts = {(d, q): n for d, q, n in per_day}
    # Few, scattered days read best as one labelled bar each; many as a time axis.
    categorical = len(days) <= 31
    xs: list[Any] = list(range(len(days))) if categorical else days
    span = (days[-1] - days[0]).days if len(days) > 1 else 0
    width = 0.7 if categorical else max(0.8, span / 400)
    bottom = [0] * len(days)
    for quad, (label, colour) in QUAD_CLASSES.items():
        heights = [counts.get((d, quad), 0) for d in days]
        if any(heights):
            ax.bar(xs, heights, bottom=bottom, color=colour, label=label, width=width)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    other = [sum(n for (d2, q), n in counts.items() if d2 == d and q not in QUAD_CLASSES) for d in days]
    if any(other):
        ax.bar(xs, other, bottom=bottom, color="#999999", label="unclassified", width=width)
    if categorical:
        ax.set_xticks(xs, [d.isoformat() for d in days], rotation=30 if len(days) > 6 else 0,
                      ha="right" if len(days) > 6 else "center", fontsize=8)
    else:
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    ax.set_ylabel("events")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False, fontsize=8, ncols=5, loc="upper left", bbox_to_anchor=(0, 1.12))
    return _svg(fig)


def chart_actor_pairs(pairs: list[tuple[Any, ...]]) -> str:
    fig, ax = _figure(9, 0.35 * max(len(pairs), 3) + 0.8)
    if not pairs:
        _empty(ax, "no events with two actors yet")
        return _svg(fig)
    ordered = sorted(pairs, key=lambda r: r[2])
    labels = [f"{a1} → {a2}" for a1, a2, _, _ in ordered]
    sums = [float(s) for _, _, s, _ in ordered]
    colours = [QUAD_CLASSES[2][1] if s > 0 else QUAD_CLASSES[4][1] if s < 0 else "#999999" for s in sums]
    bars = ax.barh(labels, sums, color=colours)
    ax.bar_label(bars, labels=[f"{s:+.1f} ({n} ev.)" for (_, _, s, n) in ordered], fontsize=8, padding=3)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlabel("Goldstein sum (cooperation > 0 > conflict)")
    lo, hi = min([*sums, 0.0]), max([*sums, 0.0])
    pad = (hi - lo) * 0.25 or 1.0
    ax.set_xlim(lo - (pad if lo < 0 else 0), hi + pad)
    return _svg(fig)


def chart_entities(entities: list[tuple[Any, ...]]) -> str:
    fig, ax = _figure(9, 0.35 * max(len(entities), 3) + 0.8)
    if not entities:
        _empty(ax, "no entities yet")
        return _svg(fig)
    ordered = list(reversed(entities))
    names = [f"{name} ({etype})" for name, etype, _, _ in ordered]
    counts = [int(m) for _, _, m, _ in ordered]
    bars = ax.barh(names, counts, color=[ENTITY_COLOURS.get(t, "#999999") for _, t, _, _ in ordered])
    ax.bar_label(bars, labels=[f"{m} in {a} art." for _, _, m, a in ordered], fontsize=8, padding=3)
    ax.set_xlabel("mentions")
    ax.set_xlim(0, max(counts) * 1.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _svg(fig)


# -- page --------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 62rem;
       padding: 0 1rem; color: #222; }
h1 { margin-bottom: .2rem; } .meta { color: #666; margin-top: 0; }
.totals { display: flex; gap: 2rem; margin: 1rem 0 2rem; }
.totals div { font-size: .9rem; color: #555; } .totals b { display: block; font-size: 1.6rem; color: #222; }
section { margin-bottom: 2.5rem; } svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .85rem; margin-top: .5rem; }
th, td { border-bottom: 1px solid #eee; padding: .2rem .6rem; text-align: left; }
details summary { cursor: pointer; color: #555; font-size: .9rem; }
footer { color: #666; font-size: .85rem; border-top: 1px solid #ddd; padding-top: .8rem; }
"""


def render_html(data: dict[str, Any], *, links: dict[str, str] | None = None, generated_at: datetime) -> str:
    t = data["totals"]
    span = ""
    if data.get("first_day"):
        span = f"events from {data['first_day']} to {data['last_day']}"
    link_html = " · ".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
                           for text, href in (links or {}).items())
    day_rows: dict[Any, dict[int, int]] = {}
    for day, quad, n in data["per_day"]:
        day_rows.setdefault(day, {})[quad] = n
    sections = [
        ("Events per day", "By CAMEO quad class; the day is the event's date as coded (marts.events.event_date).",
         chart_events_per_day(data["per_day"]),
         _table(["day", *(label for label, _ in QUAD_CLASSES.values()), "all"],
                [[d, *(q.get(k, 0) for k in QUAD_CLASSES), sum(q.values())] for d, q in day_rows.items()])),
        ("Actor pairs by Goldstein sum",
         f"The {TOP_N} source → target pairs with the largest summed Goldstein scores, either sign "
         "(marts.events).", chart_actor_pairs(data["pairs"]),
         _table(["source actor", "target actor", "Goldstein sum", "events"],
                [[a1, a2, f"{s:+.1f}", n] for a1, a2, s, n in data["pairs"]])),
        ("Top entities", f"The {TOP_N} most mentioned entities (marts.entities).", chart_entities(data["entities"]),
         _table(["entity", "type", "mentions", "articles"], [list(r) for r in data["entities"]])),
    ]
    body = "\n".join(
        f"<section><h2>{html.escape(title)}</h2><p class=\"meta\">{html.escape(note)}</p>{svg}"
        f"<details><summary>The numbers</summary>{table}</details></section>"
        for title, note, svg, table in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Newswire report</title><style>{_CSS}</style></head>
<body>
<h1>Newswire report</h1>
<p class="meta">Generated {generated_at:%Y-%m-%d %H:%M} UTC from the published warehouse. {html.escape(span)}</p>
<div class="totals"><div><b>{t['articles']}</b>articles</div><div><b>{t['events']}</b>events</div>
<div><b>{t['entities']}</b>entities</div></div>
{body}
<footer>{link_html}</footer>
</body></html>
"""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    """The data behind a chart, for readers who want exact numbers (and for screen readers)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _relative(target: str | Path | None, start: Path) -> str | None:
    if not target:
        return None
    import os

    return Path(os.path.relpath(Path(target), start)).as_posix()


def write_report(settings: Settings | None = None, *, warehouse: Path | None = None,
                 out: Path | None = None) -> Path:
    """Build report.html from the published warehouse (or `warehouse`); return its path."""
    settings = settings or get_settings()
    db = warehouse or settings.warehouse
    out = out or settings.report_path
    with duckdb.connect(str(db), read_only=True) as con:
        data = report_data(con)
    links = {}
    for text, target in (("dbt docs", settings.docs_dir / "index.html"),
                         ("GX data docs", _data_docs(settings))):
        rel = _relative(target, out.parent) if target and Path(target).exists() else None
        if rel:
            links[text] = rel
    page = render_html(data, links=links, generated_at=datetime.now(tz=UTC))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    log.info("report written: %s (%d events, %d entities)", out, data["totals"]["events"], data["totals"]["entities"])
    return out


def _data_docs(settings: Settings) -> Path | None:
    index = settings.gx_site_dir / "index.html"
    return index if index.exists() else None


def main(argv: list[str] | None = None) -> int:
    """`newswire report`: rebuild the report from the published warehouse."""
    print(write_report())
    return 0
