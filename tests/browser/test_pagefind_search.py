"""Search with the Pagefind backend (``extra.search_backend: pagefind``), as a reader uses it in
Debian's chromium.

Material's own search box and result list, answered by the site's worker
(docs/assets/javascripts/dossier-search-worker.js) from the Pagefind index: the reader types,
sees Material's results (pages, their sections, the words marked), opens one with Enter or a
click; a query without a match says so in Material's words; nothing is fetched from outside
127.0.0.1. Hostile text in the hostile fixture dossier shows as text in the results and never
runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import harness
import pytest
from playwright.sync_api import Page, expect

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "hostile"
PMF = "actors/popular-mobilization-forces/"
BAGHERI = "actors/mohammad-hossein-bagheri/"
PAGEFIND = {"DOSSIER_SEARCH_BACKEND": "pagefind"}


@pytest.fixture(scope="module")
def site_url(build_site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled dossier built with the Pagefind backend, served on 127.0.0.1."""
    site = tmp_path_factory.mktemp("pagefind-search") / "site"
    result = build_site(None, site, PAGEFIND)
    assert result.returncode == 0, result.stderr
    with harness.serve(site) as url:
        yield url


def search(page: Page, query: str) -> None:
    """Type a query into Material's search box key by key, once the worker is ready."""
    box = page.locator("input.md-search__input")
    box.click()
    expect(page.locator(".md-search-result__meta")).to_have_text("Type to start searching")
    box.press_sequentially(query, delay=20)


def results(page: Page):
    return page.locator("a.md-search-result__link")


def lands_on(path: str, site_url: str) -> re.Pattern[str]:
    """The page at ``path``, with search.highlight's ?h= words and a section, or not."""
    return re.compile(re.escape(site_url + path) + r"(\?h=[^#]*)?(#.*)?$")


def test_pmf_lists_the_pmf_page_first_and_enter_opens_it(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "PMF")
    first = page.locator(".md-search-result__item").first
    expect(first.locator("a.md-search-result__link").first).to_have_attribute(
        "href", re.compile(re.escape(PMF))
    )
    title = first.get_by_role("heading", name="Popular Mobilization Forces", exact=True)
    expect(title).to_be_visible()
    expect(page.locator(".md-search-result__meta")).to_have_text(
        re.compile(r"^\d+ matching documents?$")
    )
    page.locator("input.md-search__input").press("Enter")
    expect(page).to_have_url(lands_on(PMF, site_url))
    expect(page.locator("article h1")).to_have_text(re.compile(r"^Popular Mobilization Forces"))


def test_bagheri_result_click_reaches_his_page(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "Bagheri")
    result = results(page).filter(
        has=page.get_by_role("heading", name="Mohammad Hossein Bagheri", exact=True)
    )
    expect(result.first).to_be_visible()
    # Material's look: the matched word marked in the title, ?h= for search.highlight.
    expect(result.first.locator("h1 mark")).to_have_text("Bagheri")
    expect(result.first).to_have_attribute("href", re.compile(r"\?h=bagheri$"))
    result.first.click()
    expect(page).to_have_url(lands_on(BAGHERI, site_url))
    expect(page.locator("article h1")).to_have_text(re.compile(r"^Mohammad Hossein Bagheri"))
    # search.highlight marks the words on the page it opened.
    expect(page.locator("article mark").first).to_have_text(re.compile("Bagheri", re.I))


def test_sections_show_as_in_material(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "sneak attack")
    item = page.locator(".md-search-result__item").filter(
        has=page.get_by_role(
            "heading",
            name="US said to be planning attacks on Iranian-supported Iraq militias",
            exact=True,
        )
    )
    expect(item).to_have_count(1)
    section = item.locator("a.md-search-result__link").filter(
        has=page.get_by_role("heading", name=re.compile("sneak attack"))
    )
    expect(section.first).to_have_attribute(
        "href", re.compile(r"#us-accuses-iran-of-planning-a-sneak-attack$")
    )
    expect(section.first.locator("p mark").first).to_be_visible()


def test_a_query_without_match_says_so(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "zqxwvyk")
    expect(page.locator(".md-search-result__meta")).to_have_text("No matching documents")
    expect(results(page)).to_have_count(0)
    # Emptying the box brings Material's prompt back.
    page.locator("input.md-search__input").fill("")
    page.locator("input.md-search__input").press("Backspace")
    expect(page.locator(".md-search-result__meta")).to_have_text("Type to start searching")


def test_keyboard_moves_through_results_and_escape_closes(page: Page, site_url: str) -> None:
    page.goto(site_url)
    search(page, "Bagh")
    # search.suggest completes the word from the best result; the right arrow takes it.
    expect(page.locator(".md-search__suggest")).to_have_text("Bagheri")
    box = page.locator("input.md-search__input")
    box.press("ArrowRight")
    expect(box).to_have_value("Bagheri")
    expect(results(page).first).to_be_visible()
    box.press("ArrowDown")
    expect(results(page).first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#__search")).not_to_be_checked()


def search_on_loaded_page(page: Page, url: str, query: str, requests_seen) -> int:
    """Open ``url``, wait until it is idle, search ``query`` and wait for its results; how
    many requests were made before the query."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    before = len(requests_seen.urls)
    search(page, query)
    expect(results(page).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    return before


def test_search_fetches_only_from_the_site(page: Page, site_url: str, requests_seen) -> None:
    before = search_on_loaded_page(page, site_url, "Iraq", requests_seen)
    assert requests_seen.outside == [], "requests aimed outside 127.0.0.1"
    assert requests_seen.websockets == []
    seen = requests_seen.urls
    # The record is real: the worker, then Pagefind's files, fetched for the query only.
    assert site_url + "assets/javascripts/dossier-search-worker.js" in seen[:before]
    assert not any("/pagefind/" in url for url in seen[:before]), "nothing before typing"
    typed = seen[before:]
    assert site_url + "pagefind/shards.json" in typed
    assert site_url + "pagefind/0/pagefind.js" in typed
    assert any(url.startswith(site_url + "pagefind/0/wasm.") for url in typed)
    assert any("/pagefind/0/fragment/" in url for url in typed)
    assert not any("/assets/javascripts/workers/search." in url for url in seen)


@pytest.fixture(scope="module")
def hostile_url(build_site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("hostile-search") / "site"
    # Shards of 3 pages: the queries below are answered from many shards merged.
    result = build_site(HOSTILE, site, {**PAGEFIND, "DOSSIER_SEARCH_SHARD_PAGES": "3"})
    assert result.returncode == 0, result.stderr
    with harness.serve(site) as url:
        yield url


# What would run in the result list: event attributes, script URLs, active elements.
ACTIVE_IN_RESULTS = """() => {
    const found = [];
    for (const el of document.querySelectorAll(".md-search-result *")) {
        for (const attr of el.attributes) {
            if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`);
            if (/^\\s*(javascript|data|vbscript):/i.test(attr.value)) found.push(attr.value);
        }
        if (/^(SCRIPT|IMG|IFRAME|OBJECT|EMBED|FORM|STYLE|SVG|LINK|META)$/i.test(el.tagName))
            found.push(el.tagName);
    }
    return found;
}"""


# Words of the hostile fixture's text, and the hostile text that contains them.
HOSTILE_QUERIES = [
    ("onclick", '{: onclick="alert(1)" }'),
    ("onerror", "<img src=x onerror=alert(1)>"),
    ("fenced", '<script>alert("fenced")</script>'),
]


def hostile_results_stay_text(
    page: Page, url: str, query: str, literal: str, requests_seen
) -> None:
    """Search the hostile site for ``query``: ``literal`` shows as text, nothing runs."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    search(page, query)
    expect(results(page).first).to_be_visible()
    listing = page.locator(".md-search-result__list")
    expect(listing).to_contain_text(literal)
    # The result that shows the hostile text (another page may rank first for a word of the
    # same stem: "fences" on the performance page for "fenced") marks the word searched.
    shown = results(page).filter(has_text=literal).first
    expect(shown.locator("mark").first).to_have_text(re.compile(query, re.I))
    assert page.evaluate(ACTIVE_IN_RESULTS) == []
    # The hostile title is text too.
    search_title = "Quotes \"double\" 'single' & colons: # hash --- {{ 7*7 }}"
    if query == "onclick":
        expect(listing.get_by_role("heading", name=search_title, exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    # An <img src=x> made live would have asked for "x".
    assert not any(seen.split("?")[0].endswith("/x") for seen in requests_seen.urls)
    assert dialogs == []


@pytest.mark.parametrize(("query", "literal"), HOSTILE_QUERIES)
def test_hostile_text_in_results_stays_text(
    page: Page, hostile_url: str, requests_seen, query: str, literal: str
) -> None:
    hostile_results_stay_text(page, hostile_url, query, literal, requests_seen)


def test_a_query_searches_every_shard_with_one_webassembly(
    page: Page, hostile_url: str, requests_seen
) -> None:
    before = search_on_loaded_page(page, hostile_url, "onclick", requests_seen)
    typed = requests_seen.urls[before:]
    shards = json.loads(urlopen(hostile_url + "pagefind/shards.json").read())["shards"]
    assert len(shards) > 3
    for shard in shards:
        entry = hostile_url + f"pagefind/{shard}pagefind-entry.json"
        assert any(url.split("?")[0] == entry for url in typed), shard
    wasm = [url for url in typed if "/wasm." in url]
    assert wasm and all(url.startswith(hostile_url + "pagefind/0/") for url in wasm), wasm
