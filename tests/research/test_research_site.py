"""Research depth on the built site: timeline precision, quotes, events, sources, feeds.

Built from the fictional multi-article fixture ``tests/fixtures/dossiers/exports`` (events of
year, month and day precision; quotes; two publications, one op-ed) and from the seed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest

from build_scripts.search import documents as search_documents

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "dossiers" / "exports"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, build_site) -> Path:
    out = tmp_path_factory.mktemp("research") / "site"
    result = build_site(FIXTURE, out)
    assert result.returncode == 0, result.stderr
    return out


def text_of(page: Path) -> str:
    """The visible text of a page's article, whitespace collapsed."""
    html = page.read_text()
    body = html[html.index("<article") : html.index("</article>")]
    body = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", body)
    body = re.sub(r"</?(?:a|strong|em|code|span|mark)\b[^>]*>", "", body)  # inline: no space
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_timeline_shows_each_date_only_as_precisely_as_known(site: Path) -> None:
    text = text_of(site / "timeline/index.html")
    assert (
        "2021 Known only to the year: 2021 (“Last year”): Talks on a shared timetable begin."
        in (text)
    )
    assert "March 2022 (“This month”): Ostmarch's evening crossings are cut" in text
    assert "28 February 2022 (“On Monday”): Calder and Ostmarch sign the ferry accord." in text
    assert "1 March 2022" not in text.split("March 2022 (“This month”)")[0][-40:]
    # Months come in order, and each month that has articles counts them.
    assert text.index("November 2021") < text.index("February 2022") < text.index("March 2022")
    assert "3 articles published" in text and "1 article published" in text


def test_timeline_links_each_month_to_its_articles(site: Path) -> None:
    html = (site / "timeline/index.html").read_text()
    assert 'href="../articles/#march-2022"' in html
    assert 'id="march-2022"' in (site / "articles/index.html").read_text()


def test_actor_page_lists_its_quotes_with_article_and_date(site: Path) -> None:
    text = text_of(site / "actors/tamsin-vell/index.html")
    assert (
        "“a timetable both shores can trust” — Tamsin Vell, On the accord, "
        "Calder and Ostmarch sign a ferry accord, 1 March 2022"
    ) in text


def test_actor_and_topic_pages_have_their_own_timeline(site: Path) -> None:
    actor = text_of(site / "actors/ostmarch/index.html")
    timeline = actor[actor.index("Timeline") :]
    assert timeline.index("2021 (“Last year”)") < timeline.index("28 February 2022")
    assert timeline.index("28 February 2022") < timeline.index("March 2022 (“This month”)")
    assert "Timeline" in text_of(site / "topics/ferry-accord/index.html")


def test_article_page_shows_quotes_and_events_reported(site: Path) -> None:
    text = text_of(site / "articles/2022-03-01-calder-and-ostmarch-sign-a-ferry-accord/index.html")
    assert "Quotes “a timetable both shores can trust” — Tamsin Vell, On the accord" in text
    assert "Events reported 28 February 2022 (“On Monday”)" in text
    assert (
        "Cite this" in text
        and "@article{2022-03-01-calder-and-ostmarch-sign-a-ferry-accord" in (text)
    )


def test_publication_pages_give_the_opinion_share(site: Path) -> None:
    index = text_of(site / "publications/index.html")
    assert "Ostmarch Review — 2 articles, 50% opinion" in index
    assert "The Calder Courier — 2 articles, 0% opinion" in index
    page = text_of(site / "publications/ostmarch-review/index.html")
    assert "2 articles in the dossier, 50% opinion (1 op-ed, 1 news)." in page
    assert "Authors: Ilse Marrow, Orrin Quarrie." in page


def test_author_pages_list_their_articles(site: Path) -> None:
    page = text_of(site / "authors/pell-anders/index.html")
    assert page.count("The Calder Courier") == 2
    assert page.index("Budget {draft}") < page.index("Calder and Ostmarch sign")  # newest first


def test_related_reading_says_why(site: Path) -> None:
    text = text_of(site / "articles/2022-03-05-the-ferry-accord-is-a-mistake/index.html")
    related = text[text.index("Related reading") : text.index("Source")]
    assert "also names" in related or "also filed under" in related


def test_search_entry_says_opinion_or_news(site: Path) -> None:
    docs = search_documents(site)
    by_location = {doc["location"]: doc for doc in docs}
    oped = by_location["articles/2022-03-05-the-ferry-accord-is-a-mistake/"]["text"]
    news = by_location["articles/2021-11-20-ostmarch-reopens-the-strait-crossing/"]["text"]
    assert "· Opinion" in oped and "· News" not in oped
    assert "· News" in news and "· Opinion" not in news


def test_feed_is_newest_first_and_data_files_are_published(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("atom:title", namespaces=ns) for e in feed.findall("atom:entry", ns)]
    assert len(titles) == 4 and titles[-1] == "Ostmarch reopens the strait crossing"
    data = json.loads((site / "dossier.json").read_text())
    assert len(data["articles"]) == 4
    assert json.loads((site / "bibliography.json").read_text())[0]["type"] == "article-newspaper"
    assert (site / "bibliography.bib").read_text().count("@article{") == 4


def test_seed_network_connects_the_united_states_iran_and_iraq(bundled_site: Path) -> None:
    html = (bundled_site / "network/index.html").read_text()
    assert 'Iran</a> — <a href="../actors/united-states/">United States</a>: 1 article' in html
    text = text_of(bundled_site / "network/index.html")
    for a, b in (("Iran", "United States"), ("Iraq", "United States"), ("Iran", "Iraq")):
        assert re.search(rf"\b{a} — {b}: 1 article\b", text), (a, b)
