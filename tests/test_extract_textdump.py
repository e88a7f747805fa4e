"""Text-dump extraction: the two seed pages, templates, metadata and helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswire.extract import (
    ExtractedArticle,
    detect_publisher,
    extract_text_dump,
    line_fingerprint,
    shares_from_counts,
    template_counts,
    template_shares,
)

REPO = Path(__file__).resolve().parent.parent
SEED_DIRS = [REPO / "seeds", REPO.parent / "shared" / "seeds"]


def _seed(prefix: str) -> str:
    for directory in SEED_DIRS:
        found = sorted(directory.glob(f"{prefix}_*.txt"))
        if found:
            return found[0].read_text(encoding="utf-8")
    pytest.skip(f"seed {prefix}_*.txt not found")


BOILERPLATE = [
    "newsletter",
    "Subscribers agree",
    "Dear readers",
    "undesirable",
    "support us monthly",
    "Remind me later",
    "Accessibility links",
    "Breaking News",
    "16x9 Image",
    "news agency founded in 1851",
    "XS",
    "Support The Moscow Times",
]


@pytest.fixture(scope="module")
def moscow_times() -> ExtractedArticle:
    return extract_text_dump(_seed("000"))


@pytest.fixture(scope="module")
def voa() -> ExtractedArticle:
    return extract_text_dump(_seed("003"))


def test_moscow_times_title_and_body(moscow_times: ExtractedArticle) -> None:
    art = moscow_times
    assert art.title == "Japan's Abe Pledges to Improve Soured Ties With Russia"
    assert art.body.startswith("Japanese Prime Minister Shinzo Abe said he wants to improve relations")
    assert art.body.endswith("pro-Russian rebels fought Ukrainian forces in eastern Ukraine.")
    assert "The news conference was broadcast live in Tokyo." in art.body
    for phrase in BOILERPLATE:
        assert phrase not in art.body, phrase
    paragraphs = art.body.split("\n\n")
    assert len(paragraphs) == 7


def test_moscow_times_caption_and_metadata(moscow_times: ExtractedArticle) -> None:
    art = moscow_times
    assert art.captions == [
        "Japan's Prime Minister Shinzo Abe addresses the 69th United Nations General Assembly "
        "at United Nations Headquarters in New York."
    ]
    assert "69th United Nations General Assembly" not in art.body
    assert art.publisher == "The Moscow Times"
    assert art.wire_agency is None
    assert art.language == "en"
    # nothing on the page states when it was published
    assert art.published_at is None and art.published_date_source is None


def test_voa_title_body_and_boilerplate(voa: ExtractedArticle) -> None:
    art = voa
    assert art.title == "Japan's PM Seeks Dialogue With Putin Despite G7 Threats"
    assert art.body.startswith("Japanese Prime Minister Shinzo Abe, hours after joining fellow industrial powers")
    assert art.body.endswith("while trying keep relations on an even keel.")
    for phrase in BOILERPLATE:
        assert phrase not in art.body, phrase
    assert "holds a news conference at the end of the G7 summit" not in art.body


def test_voa_caption_agency_and_date(voa: ExtractedArticle) -> None:
    art = voa
    # the caption line appears twice in the dump; it is kept once, as a caption
    assert len(art.captions) == 1
    assert art.captions[0].endswith("in Brussels, June 5, 2014.")
    assert art.wire_agency == "Reuters"
    assert art.published_at == datetime(2014, 6, 5, tzinfo=UTC)
    assert art.published_date_source == "caption"
    assert art.language == "en"


def _page(menu: list[str], story: list[str], footer: list[str]) -> str:
    return "\n".join([*menu, "", *story, "", *footer])


STORY = [
    "Flood Waters Recede in River Town",
    "",
    "Residents of the river town began returning to their homes on Monday after the flood waters receded overnight.",
    "",
    "The mayor said that the damage was less severe than feared, although several bridges remain closed.",
    "",
    "Engineers will inspect the bridges this week before they are reopened to traffic, officials said.",
]
MENU = ["Home", "World", "Business", "Sport", "Weather", "Video"]
APPEAL = [
    "Our mission is to keep you informed with stories that matter to the people who live in this valley.",
    "Local reporting costs money and every reader who chips in keeps it free for everyone in the region.",
]


def test_menu_and_footer_are_dropped() -> None:
    art = extract_text_dump(_page(MENU, STORY, ["Contact", "Privacy Policy", "© 2024 Valley Gazette"]))
    assert art.title == "Flood Waters Recede in River Town"
    assert art.body.startswith("Residents of the river town")
    assert art.body.endswith("officials said.")
    assert "Privacy Policy" not in art.body and "Home" not in art.body
    assert art.publisher == "Valley Gazette"


def test_template_counts_remove_publisher_boilerplate() -> None:
    page = _page(MENU, STORY, APPEAL)
    # Without cross-document evidence the appeal reads like prose and is kept.
    assert "every reader who chips in" in extract_text_dump(page).body
    others = [
        _page(MENU, [f"Other story number {i} is about something else entirely, said the reporter."], APPEAL)
        for i in range(5)
    ]
    shares = template_shares([*others, page])
    art = extract_text_dump(page, template_counts=shares)
    assert "every reader who chips in" not in art.body
    assert "Our mission is to keep you informed" not in art.body
    assert art.body.startswith("Residents of the river town")
    assert art.body.endswith("officials said.")


def test_template_stats_from_counts_match_shares() -> None:
    texts = [_page(MENU, [f"Story {i} text."], APPEAL) for i in range(4)]
    counts, pages = template_counts(texts)
    assert pages == 4
    assert shares_from_counts(counts, pages) == template_shares(texts)
    assert template_shares(texts)[line_fingerprint("Home")] == 1.0
    # too few pages: no evidence
    assert template_shares(texts[:2]) == {}


def test_line_fingerprint_is_stable_and_normalised() -> None:
    assert line_fingerprint("Sign up for our newsletter!") == line_fingerprint("  sign up FOR our   newsletter ")
    assert line_fingerprint("Updated 12:30") == line_fingerprint("Updated 09:45")
    assert line_fingerprint("Home") != line_fingerprint("World")
    assert len(line_fingerprint("x")) == 16


def test_dateline_and_byline() -> None:
    text = "\n".join(
        [
            "Markets",
            "Stocks Rally as Inflation Cools",
            "By Jane Doe",
            "",
            "NEW YORK, March 3, 2021 (Reuters) - U.S. stocks rose on Wednesday as data showed inflation cooling "
            "faster than economists had expected, lifting shares of technology companies.",
            "",
            "The benchmark index gained one percent by the close, its best day in more than a month, traders said.",
            "",
            "Reporting by Jane Doe; Editing by John Smith",
        ]
    )
    art = extract_text_dump(text)
    assert art.title == "Stocks Rally as Inflation Cools"
    assert art.author == "Jane Doe"
    assert art.wire_agency == "Reuters"
    assert art.published_at == datetime(2021, 3, 3, tzinfo=UTC)
    assert art.published_date_source == "dateline"
    assert art.body.startswith("NEW YORK, March 3, 2021 (Reuters) - U.S. stocks rose")


def test_date_line_under_headline() -> None:
    text = "\n".join(
        [
            "News",
            "Council Approves New Budget",
            "Nov. 19, 2019 8:03 am ET",
            "",
            "The city council approved the new budget on Tuesday after a long debate about spending on roads.",
            "",
            "The budget includes money for two new schools and a library, which residents had asked for.",
        ]
    )
    art = extract_text_dump(text)
    assert art.title == "Council Approves New Budget"
    assert art.published_date_source == "text"
    assert art.published_at == datetime(2019, 11, 19, 13, 3, tzinfo=UTC)


def test_language_detection_non_english() -> None:
    text = "\n".join(
        [
            "Startseite",
            "Politik",
            "",
            "Die Regierung hat am Montag ein neues Gesetz zum Schutz der Wälder beschlossen, "
            "das im Sommer in Kraft tritt.",
            "",
            "Nach Angaben des Ministeriums sollen damit in den nächsten Jahren mehr als eine Million Bäume gepflanzt "
            "werden.",
        ]
    )
    art = extract_text_dump(text)
    assert art.language == "de"
    assert "Startseite" not in art.body
    assert art.body.startswith("Die Regierung hat am Montag")


def test_publisher_detection() -> None:
    assert detect_publisher("Support The Moscow Times!\nStory") == "The Moscow Times"
    assert detect_publisher("Story\nCopyright © 2019 The Daily Planet. All rights reserved.") == "The Daily Planet"
    assert detect_publisher("Story only", "https://www.example-news.com/a/b") == "example-news.com"
    assert detect_publisher("Story only") is None


def test_empty_and_degenerate_input() -> None:
    art = extract_text_dump("")
    assert art.body == "" and art.title is None
    art = extract_text_dump("\n\n   \n")
    assert art.body == ""
    art = extract_text_dump("Home\nNews\nSport")
    assert isinstance(art.body, str)


def test_template_evidence_never_swallows_the_story() -> None:
    # The same page crawled repeatedly: every line is "frequent", the story must survive.
    page = _page(MENU, STORY, APPEAL)
    shares = template_shares([page] * 5)
    art = extract_text_dump(page, template_counts=shares)
    assert art.body.startswith("Residents of the river town")


def test_single_long_paragraph_story() -> None:
    paragraph = " ".join(
        f"Sentence number {i} of the story explains what happened in the town and why it matters to the forums."
        for i in range(30)
    )
    art = extract_text_dump("\n".join(["Home", "News", "", "Long Story Headline Here", "", paragraph, "", "Contact"]))
    assert art.body == paragraph
    assert art.title == "Long Story Headline Here"


def test_caption_ending_with_date_gives_caption_date() -> None:
    seed = REPO / "seeds" / "sample_03_trade.txt.gz"
    if not seed.exists():
        pytest.skip("seed sample_03_trade.txt.gz not present")
    import gzip

    art = extract_text_dump(gzip.decompress(seed.read_bytes()).decode("utf-8"))
    assert art.title == "Brazil and Argentina Sign Trade Pact at Border Summit"
    assert art.captions == [
        "The presidents of Brazil and Argentina at the border summit in Foz do Iguacu, Nov. 14, 2023."
    ]
    assert art.body.startswith("Brazil and Argentina signed an agreement on Tuesday")
    assert art.body.endswith("could lose jobs to cheaper imports.")
    assert "Related stories" not in art.body and "Mercosur leaders meet" not in art.body
    assert art.published_at == datetime(2023, 11, 14, tzinfo=UTC)
    assert art.published_date_source == "caption"


def test_wire_agency_sources() -> None:
    from newswire.extract.metadata import detect_wire_agency

    assert detect_wire_agency(["HANOI, Vietnam (AP) — U.S. Defense Secretary Mark Esper said"]) == "AP"
    assert detect_wire_agency(["By Jim Heintz, Associated Press"]) == "AP"
    assert detect_wire_agency(["Reuters is a news agency founded in 1851."]) == "Reuters"
    assert detect_wire_agency(["Copyright 2019 Agence France-Presse"]) == "AFP"
    # photo credits name the photographer's agency, not the story's
    assert detect_wire_agency(["A man walks past a store. (AP Photo/Alan Diaz, File)", "© REUTERS / POOL"]) is None
    assert detect_wire_agency(["(AP Photo/Alan Diaz)"], photo_credits=True) == "AP"
    # mentions in prose and state codes in a drop-down are not credits
    assert detect_wire_agency(["Putin told Reuters in an interview that he would stay."]) is None
    assert detect_wire_agency(["AK", "AS", "AP", "AZ"]) is None


def test_story_about_newsletters_is_not_lost() -> None:
    # Every sentence trips the boilerplate vocabulary; the fallback still returns the prose.
    story = (
        "Paid newsletter subscriptions grew fast this year as more readers chose to sign up for "
        "independent writers instead of traditional outlets across the country."
    )
    art = extract_text_dump("\n".join(["Home", "Media", "", "Newsletters Boom", "", story, "", "Contact"]))
    assert art.body == story
