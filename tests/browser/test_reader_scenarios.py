"""The bundled site as a reader meets it, in Debian's chromium over HTTP on 127.0.0.1.

Each test is one thing a reader does: search, open the seed article, follow a mention or a
topic, switch the colour scheme, read on a phone-sized screen. Every request the pages make is
recorded and any leaving 127.0.0.1 is aborted (see conftest.py); one test asserts there are
none. Screenshots of the main pages go to test-output/screenshots/.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import harness
import pytest
from playwright.sync_api import Locator, Page, expect

ARTICLE_URL = re.compile(re.escape(harness.PAGES["article"]) + "$")
ARTICLE_TITLE = "US said to be planning attacks on Iranian-supported Iraq militias"
FIRST_WORDS = "The United States and Iran both badly hit by the coronavirus"
DISCLAIMER = "This opinion article was written by an independent writer."


def heading(text: str) -> re.Pattern[str]:
    """A heading's text: ``text`` and the permalink sign the theme appends."""
    return re.compile(rf"^{re.escape(text)}¶?$")


def open_page(page: Page, site_url: str, name: str) -> None:
    page.goto(site_url + harness.PAGES[name])
    expect(page.locator("article h1")).to_be_visible()


def listed_articles(content: Locator) -> Locator:
    """The entries of an actor or topic page's "Articles (N)" list."""
    return content.locator("h2[id^='articles'] + ul > li")


def search(page: Page, query: str) -> None:
    """Type a query into Material's search box the way a reader does, key by key."""
    box = page.locator("input.md-search__input")
    box.click()
    # Keys typed before the search worker is ready are dropped: wait for its prompt first.
    expect(page.locator(".md-search-result__meta")).to_have_text("Type to start searching")
    box.press_sequentially(query, delay=20)


def search_and_open(page: Page, query: str, title: str) -> None:
    search(page, query)
    result = page.locator("a.md-search-result__link").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )
    expect(result.first).to_be_visible()
    result.first.click()


@pytest.mark.parametrize(
    ("query", "title", "path"),
    [
        ("PMF", "Popular Mobilization Forces", "actors/popular-mobilization-forces/"),
        ("Bagheri", "Mohammad Hossein Bagheri", "actors/mohammad-hossein-bagheri/"),
    ],
    ids=["PMF", "Bagheri"],
)
def test_search_reaches_the_actor_page(
    page: Page, site_url: str, query: str, title: str, path: str
) -> None:
    open_page(page, site_url, "home")
    search_and_open(page, query, title)
    # search.highlight adds ?h=<query> to the result's address.
    expect(page).to_have_url(re.compile(re.escape(site_url + path) + r"(\?h=[^#]*)?(#.*)?$"))
    expect(page.locator("article h1")).to_have_text(heading(title))


def test_seed_article_shows_opinion_label_and_disclaimer_first(page: Page, site_url: str) -> None:
    open_page(page, site_url, "article")
    content = page.locator("article.md-content__inner")
    expect(content.locator("h1")).to_have_text(heading(ARTICLE_TITLE))
    byline = content.locator(":scope > h1 + .dossier-byline > p")
    expect(byline).to_contain_text("Ken Hanly")
    expect(byline).to_have_text(re.compile(r"· Opinion$"))

    notice = content.locator(":scope > .admonition.opinion")
    expect(notice).to_have_count(1)
    expect(notice.locator(".admonition-title")).to_have_text("Opinion")
    expect(notice).to_contain_text(DISCLAIMER)
    expect(notice).to_contain_text("The source cuts the disclaimer off here.")

    # The disclaimer comes right after the byline, before the body's first paragraph,
    # both in the document and on the screen.
    first_paragraph = content.locator(":scope > .admonition.opinion + p")
    expect(first_paragraph).to_contain_text(FIRST_WORDS)
    expect(content.locator(":scope > h1 + .dossier-byline + .admonition.opinion")).to_have_count(1)
    notice_box, paragraph_box = notice.bounding_box(), first_paragraph.bounding_box()
    assert notice_box and paragraph_box
    assert notice_box["y"] + notice_box["height"] <= paragraph_box["y"]


def test_actor_mention_leads_to_the_actor_page_with_the_sentence(page: Page, site_url: str) -> None:
    open_page(page, site_url, "article")
    mention = page.locator(
        "article.md-content__inner > p a[href$='actors/mohammad-hossein-bagheri/']"
    ).first
    mention_text = mention.inner_text()
    paragraph_text = mention.locator("xpath=..").inner_text()
    mention.click()

    expect(page).to_have_url(site_url + "actors/mohammad-hossein-bagheri/")
    content = page.locator("article.md-content__inner")
    expect(content.locator("h1")).to_have_text(heading("Mohammad Hossein Bagheri"))
    entry = listed_articles(content).filter(
        has=page.get_by_role("link", name=ARTICLE_TITLE, exact=True)
    )
    expect(entry).to_have_count(1)
    # The sentence of the mention is quoted under the article, the mention in bold.
    quoted = entry.locator("blockquote p").filter(
        has=page.locator("strong", has_text=re.compile(f"^{re.escape(mention_text)}$"))
    )
    expect(quoted.first).to_be_visible()
    sentence = quoted.first.inner_text().strip()
    assert sentence.startswith("On Thursday, Iranian military chief of staff")
    assert sentence in paragraph_text

    entry.get_by_role("link", name=ARTICLE_TITLE, exact=True).click()
    expect(page).to_have_url(ARTICLE_URL)


def test_topic_link_leads_to_the_topic_page(page: Page, site_url: str) -> None:
    open_page(page, site_url, "article")
    # The source tags the article "US ib Iraq" (sic); the dossier files it under "US in Iraq".
    topics = page.locator("article.md-content__inner h2#topics + ul")
    topics.get_by_role("link", name="US in Iraq", exact=True).click()

    expect(page).to_have_url(site_url + "topics/us-in-iraq/")
    content = page.locator("article.md-content__inner")
    expect(content.locator("h1")).to_have_text(heading("US in Iraq"))
    expect(content.locator("h1 + .dossier-about > p").first).to_have_text("Topic")
    expect(content).to_contain_text("Also called: US ib Iraq")
    listed = listed_articles(content).get_by_role("link", name=ARTICLE_TITLE, exact=True)
    expect(listed).to_have_count(1)


def _scheme(page: Page) -> str | None:
    return page.locator("body").get_attribute("data-md-color-scheme")


def _background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_light_dark_toggle(page: Page, site_url: str) -> None:
    open_page(page, site_url, "home")
    assert _scheme(page) == "default"
    light = _background(page)

    page.get_by_title("Switch to dark mode").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    dark = _background(page)
    assert dark != light
    expect(page.get_by_title("Switch to light mode")).to_be_visible()

    # The choice is remembered from page to page.
    open_page(page, site_url, "actor")
    assert _scheme(page) == "slate"
    page.get_by_title("Switch to light mode").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    assert _background(page) == light


PHONE_PAGES = ["home", "article", "actor", "topic", "articles-index", "actors-index"]


def test_phone_width_has_no_horizontal_scrolling(browser, site_url: str) -> None:
    context = browser.new_context(
        **{**harness.CONTEXT_OPTIONS, "viewport": {"width": 375, "height": 812}},
        is_mobile=True,
        has_touch=True,
    )
    harness.close_network(context, harness.RequestLog())
    try:
        page = context.new_page()
        too_wide = {}
        for name in PHONE_PAGES:
            open_page(page, site_url, name)
            widths = page.evaluate(
                """() => {
                    const root = document.documentElement;
                    window.scrollTo(1000, 0);
                    return {
                        viewport: root.clientWidth,
                        content: Math.max(root.scrollWidth, document.body.scrollWidth),
                        scrolled: window.scrollX,
                    };
                }"""
            )
            assert widths["viewport"] == 375, widths
            if widths["content"] > widths["viewport"] or widths["scrolled"] != 0:
                too_wide[name] = widths
        assert not too_wide, f"pages wider than a 375-pixel screen: {too_wide}"
    finally:
        context.close()


def test_no_request_leaves_the_machine(page: Page, site_url: str, requests_seen) -> None:
    for name in ("home", "article", "actor", "topic"):
        open_page(page, site_url, name)
        page.wait_for_load_state("networkidle")
    open_page(page, site_url, "home")
    search(page, "Iran")
    expect(page.locator("a.md-search-result__link").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert requests_seen.outside == [], "requests aimed outside 127.0.0.1"
    assert requests_seen.websockets == []
    # The record is real: it holds the pages, the theme's files and the search index.
    seen = set(requests_seen.urls)
    for name in ("home", "article", "actor", "topic"):
        assert site_url + harness.PAGES[name] in seen
    assert site_url + "search/search_index.json" in seen
    assert any(url.endswith(".js") for url in seen)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_screenshots_of_the_main_pages(browser, site_url: str, repo: Path, screenshots) -> None:
    out = repo / "test-output" / "screenshots"
    saved = screenshots.take_screenshots(browser, site_url, out)
    assert sorted(saved) == sorted(screenshots.MAIN_PAGES)
    for path in saved.values():
        assert _png_size(path) == (1280, 900)
        assert path.stat().st_size > 10_000  # a page, not a blank window
    # The README's image is made by the same function, for the same page and window.
    readme_image = screenshots.README_IMAGE
    assert readme_image.name == saved[screenshots.README_PAGE].name
    assert readme_image.is_file(), "run `make screenshots` to create the README image"
    assert _png_size(readme_image) == (1280, 900)
    assert readme_image.stat().st_size < 300_000
