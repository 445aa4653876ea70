"""Search with the dossier backend (``extra.search_backend: dossier``), as a reader uses it in
Debian's chromium.

Material's own search box and result list, answered by the site's worker
(docs/assets/javascripts/dossier-search-worker.js) from the index the build writes itself
(build_scripts/textindex.py, ``site/dossier-search/``): an actor's name lists the actor's page
first, a word of an article finds it with the word marked in an excerpt, the start of a word
finds it too, a query without a match says so in Material's words. Nothing of the index is
fetched before the reader types; the first query fetches index.json, the shards its words
fall in and the fragments of the pages it shows, nothing from outside 127.0.0.1, and from
the site's own folder when it is published under a path; a failed fetch is tried again at the
next query. Hostile text in the hostile fixture dossier shows as
text in the results and never runs.

The worker's ranking on an index written for the purpose, and its words against Python's
``textindex.terms``, are in test_dossier_search_engine.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import harness
import pytest
from playwright.sync_api import Page, expect
from test_pagefind_search import (
    BAGHERI,
    HOSTILE,
    HOSTILE_QUERIES,
    PMF,
    hostile_results_stay_text,
    lands_on,
    results,
    search,
    search_on_loaded_page,
)

from build_scripts import search as search_backend
from build_scripts import textindex

BACKEND = {"DOSSIER_SEARCH_BACKEND": "dossier"}
INDEX = f"{textindex.FOLDER}/"
ARTICLE = f"articles/{harness.SEED_ARTICLE}/"
ARTICLE_TITLE = "US said to be planning attacks on Iranian-supported Iraq militias"


def build(build_site, dossier: Path | None, site: Path) -> Path:
    result = build_site(dossier, site, BACKEND)
    assert result.returncode == 0, result.stderr
    assert (site / INDEX / textindex.MANIFEST).is_file(), "no dossier index was written"
    return site


@pytest.fixture(scope="module")
def dossier_site(build_site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dossier built with the dossier backend."""
    return build(build_site, None, tmp_path_factory.mktemp("dossier-search") / "site")


@pytest.fixture(scope="module")
def site_url(dossier_site: Path) -> Iterator[str]:
    """This module's site (conftest's ``context`` and ``page`` open it): the dossier build."""
    with harness.serve(dossier_site) as url:
        yield url


def search_again(page: Page, query: str) -> None:
    """Empty the search box, wait for Material's prompt, type ``query``."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press("Backspace")
    expect(page.locator(".md-search-result__meta")).to_have_text("Type to start searching")
    box.press_sequentially(query, delay=20)


def first_result(page: Page):
    return page.locator(".md-search-result__item").first


@pytest.mark.parametrize(
    ("query", "path", "title"),
    [
        ("Bagheri", BAGHERI, "Mohammad Hossein Bagheri"),
        ("popular mobilization forces", PMF, "Popular Mobilization Forces"),
        ("PMF", PMF, "Popular Mobilization Forces"),
    ],
)
def test_an_actors_name_lists_the_actors_page_first_and_enter_opens_it(
    page: Page, site_url: str, query: str, path: str, title: str
) -> None:
    page.goto(site_url)
    search(page, query)
    first = first_result(page)
    expect(first.locator("a.md-search-result__link").first).to_have_attribute(
        "href", re.compile(re.escape(site_url + path) + r"\?h=")
    )
    expect(first.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.locator(".md-search-result__meta")).to_have_text(
        re.compile(r"^\d+ matching documents?$")
    )
    page.locator("input.md-search__input").press("Enter")
    expect(page).to_have_url(lands_on(path, site_url))
    expect(page.locator("article h1")).to_have_text(re.compile("^" + re.escape(title)))


def test_a_word_of_an_article_finds_it_with_the_word_marked(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "presumably")  # only in the article's text
    expect(page.locator(".md-search-result__meta")).to_have_text("1 matching document")
    item = first_result(page)
    expect(item.get_by_role("heading", name=ARTICLE_TITLE, exact=True)).to_be_visible()
    link = item.locator("a.md-search-result__link").filter(has=page.locator("p mark")).first
    expect(link).to_have_attribute("href", re.compile(re.escape(site_url + ARTICLE)))
    expect(link.locator("p mark")).to_have_text(["Presumably"])
    expect(link.locator("p")).to_contain_text("Presumably such an attack")
    link.click()
    expect(page).to_have_url(lands_on(ARTICLE, site_url))


def test_the_start_of_a_word_finds_it_and_material_suggests_the_word(
    page: Page, site_url: str
) -> None:
    page.goto(site_url)
    # "Bagh" starts "Baghdad" too, which the article names more often than Bagheri: the words
    # a query word starts count as one, so his page (his name is its title) comes first.
    search(page, "Bagh")
    expect(
        first_result(page).get_by_role("heading", name="Mohammad Hossein Bagheri", exact=True)
    ).to_be_visible()
    search_again(page, "Baghe")
    first = first_result(page)
    expect(
        first.get_by_role("heading", name="Mohammad Hossein Bagheri", exact=True)
    ).to_be_visible()
    expect(first.locator("h1 mark").first).to_have_text("Bagheri")
    expect(page.locator(".md-search__suggest")).to_have_text("Bagheri")
    # Every word is required: a second word no page has leaves none.
    search_again(page, "Baghe zqxwvyk")
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")


def test_a_query_without_match_says_so(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "zqxwvyk")
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")
    expect(results(page)).to_have_count(0)
    search_again(page, "Bagheri")
    expect(results(page).first).to_be_visible()


def shards_for(firsts: list[str], word: str) -> set[int]:
    """The shards a query word may read: the one its place in the sorted terms falls in, and
    those after it whose first term it starts (at most three in all)."""
    own = max((k for k, first in enumerate(firsts) if first <= word), default=-1)
    found = {own} if own >= 0 else set()
    for k in range(own + 1, len(firsts)):
        if not firsts[k].startswith(word) or len(found) == 3:
            break
        found.add(k)
    return found


def fetched(urls: list[str], site_url: str, folder: str) -> list[str]:
    """The files of ``folder`` in the index among ``urls``, by name, in order."""
    prefix = f"{site_url}{INDEX}{folder}"
    return [url[len(prefix) :] for url in urls if url.startswith(prefix)]


def test_typing_fetches_the_index_then_only_what_the_query_needs(
    page: Page, site_url: str, dossier_site: Path, requests_seen
) -> None:
    manifest, postings = textindex.read_index(dossier_site)
    firsts = manifest["shards"]
    # The record below means something: "iraq" is in more pages than a query shows, and it
    # and "zqxwvyk" fall in different shards (the bundled site's words fill two or more).
    assert len(postings["iraq"]) > 10
    iraq = [f"{k}.bin" for k in sorted(shards_for(firsts, "iraq"))]
    assert len(iraq) == 1 and shards_for(firsts, "iraq") != shards_for(firsts, "zqxwvyk")

    before = search_on_loaded_page(page, site_url, "Iraq", requests_seen)
    assert requests_seen.outside == [], "requests aimed outside 127.0.0.1"
    assert requests_seen.websockets == []
    seen = requests_seen.urls
    worker = f"{site_url}{search_backend.WORKER}?index={INDEX}"
    assert worker in seen[:before]
    assert not any(f"/{INDEX}" in url for url in seen[:before]), "nothing before typing"
    typed = seen[before:]
    assert fetched(typed, site_url, "").count(textindex.MANIFEST) == 1
    assert fetched(typed, site_url, "t/") == iraq
    pages = fetched(typed, site_url, "f/")
    assert len(pages) == len(set(pages)) == 10, pages
    expect(page.locator(".md-search-result__item")).to_have_count(10)
    assert not any("/pagefind/" in url for url in seen)
    assert not any("/assets/javascripts/workers/search." in url for url in seen)

    # The next query reads only the shard it needs, not index.json again.
    after_first = len(requests_seen.urls)
    search_again(page, "zqxwvyk")
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")
    page.wait_for_load_state("networkidle")
    again = requests_seen.urls[after_first:]
    assert textindex.MANIFEST not in fetched(again, site_url, "")
    assert fetched(again, site_url, "t/") == [f"{k}.bin" for k in shards_for(firsts, "zqxwvyk")]


def test_a_failed_fetch_is_tried_again_at_the_next_query(
    page: Page, site_url: str, dossier_site: Path, requests_seen
) -> None:
    manifest, _ = textindex.read_index(dossier_site)
    (shard,) = (f"{k}.bin" for k in shards_for(manifest["shards"], "bagheri"))
    failing = {f"{site_url}{INDEX}{textindex.MANIFEST}", f"{site_url}{INDEX}t/{shard}"}

    def fail_once(route) -> None:
        url = route.request.url
        if url in failing:
            failing.discard(url)
            route.abort("connectionreset")
        else:
            route.continue_()

    # The worker's requests pass through the context's routes; the last added runs first.
    page.context.route(f"{site_url}{INDEX}**", fail_once)
    page.goto(site_url)
    search(page, "Bagheri")  # index.json fails
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")
    search_again(page, "Bagheri")  # index.json comes, its shard fails
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")
    search_again(page, "Bagheri")
    expect(
        first_result(page).get_by_role("heading", name="Mohammad Hossein Bagheri")
    ).to_be_visible()
    assert failing == set()
    assert fetched(requests_seen.urls, site_url, "").count(textindex.MANIFEST) == 2
    assert fetched(requests_seen.urls, site_url, "t/").count(shard) == 2


def test_a_site_published_under_a_path_searches_its_own_index(
    page: Page, dossier_site: Path, tmp_path: Path, requests_seen
) -> None:
    (tmp_path / "index.html").write_text("another site", encoding="utf-8")
    (tmp_path / "projects").mkdir()
    (tmp_path / "projects" / "dossier").symlink_to(dossier_site, target_is_directory=True)
    with harness.serve(tmp_path) as host:
        base = f"{host}projects/dossier/"
        page.goto(base + PMF)
        search(page, "Bagheri")
        link = first_result(page).locator("a.md-search-result__link").first
        expect(link).to_have_attribute("href", re.compile(re.escape(base + BAGHERI) + r"\?h="))
        index = [url for url in requests_seen.urls if f"/{INDEX}" in url]
        assert index and all(url.startswith(base + INDEX) for url in index), index


@pytest.fixture(scope="module")
def hostile_url(build_site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = build(build_site, HOSTILE, tmp_path_factory.mktemp("hostile-dossier") / "site")
    with harness.serve(site) as url:
        yield url


@pytest.mark.parametrize(("query", "literal"), HOSTILE_QUERIES)
def test_hostile_text_in_results_stays_text(
    page: Page, hostile_url: str, requests_seen, query: str, literal: str
) -> None:
    hostile_results_stay_text(page, hostile_url, query, literal, requests_seen)
