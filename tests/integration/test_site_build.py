"""The real site: ``mkdocs build --strict`` of the repository's configuration.

Most checks read the bundled dossier's site, built once per session (``bundled_site``).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from build_scripts.search import documents as search_documents

SEED = "2020-04-03-us-said-to-be-planning-attacks-on-iranian-supported-iraq-militias"
SEED_PAGE = f"articles/{SEED}/index.html"
CHROME = (
    "Remember me",
    "Log in with Twitter",
    "article image",
    "More about",
    "More news from",
    "Latest News",
    "Top News",
    "Op-Ed:",
)
# contributing.md documents the format and quotes the chrome it tells contributors to drop.
DOCUMENTATION = ("contributing/",)

ARTICLE = """\
---
title: "Southmark opens a ferry line"
kind: news
author: "Test Writer"
date: 2021-07-01
publication: "Example Gazette"
tags: ["Ferries"]
---

Northland watched as Southmark opened a ferry line.
"""
BROKEN_ARTICLE = ARTICLE.replace('tags: ["Ferries"]', 'tags: ["No such topic"]')
ARTICLE_NAME = "2021-07-01-southmark-opens-a-ferry-line"


def page_url(path: str) -> str:
    """The site-relative URL of a built file: 'a/b/index.html' -> 'a/b/'."""
    return path.removesuffix("index.html")


def resolve(from_path: str, href: str) -> str:
    """A relative href on the page at ``from_path``, as a site-relative URL without anchor."""
    joined = urljoin("http://site.invalid/" + page_url(from_path), href)
    parts = urlsplit(joined)
    assert parts.netloc == "site.invalid", href
    return parts.path.lstrip("/")


def html_pages(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(site.rglob("*.html"))
    }


def main_content(page: str) -> str:
    match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', page, re.S)
    assert match, "no main content"
    return match.group(1)


def search_docs(site: Path) -> list[dict]:
    """The search documents of whichever backend built the site (Material's shape)."""
    return search_documents(site)


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


# --- the build itself -----------------------------------------------------------------------


def test_strict_build_of_bundled_dossier_has_no_warnings(build_site, tmp_path):
    result = build_site(None, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"^\s*WARNING\b", output, re.M), output
    assert (tmp_path / "site" / SEED_PAGE).is_file()


def test_dossier_dir_selects_another_dossier_and_docs_stay_untouched(
    build_site, make_dossier, tmp_path, repo
):
    root = make_dossier({f"{ARTICLE_NAME}.md": ARTICLE})
    docs_before = files_of(repo / "docs")
    site = tmp_path / "site"
    result = build_site(root, site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site / "articles" / ARTICLE_NAME / "index.html").is_file()
    assert (site / "actors" / "northland" / "index.html").is_file()
    assert not (site / SEED_PAGE).exists()
    assert not (site / "actors" / "iran").exists()
    assert files_of(repo / "docs") == docs_before


def test_generated_pages_are_not_in_docs(bundled_site, repo):
    docs = repo / "docs"
    assert (bundled_site / SEED_PAGE).is_file()
    assert not (docs / "articles" / f"{SEED}.md").exists()
    for folder in ("actors", "topics"):
        assert not (docs / folder).exists(), folder


def test_dossier_with_an_error_fails_the_build_and_writes_no_site(
    build_site, make_dossier, tmp_path
):
    root = make_dossier({f"{ARTICLE_NAME}.md": BROKEN_ARTICLE})
    site = tmp_path / "site"
    result = build_site(root, site)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    located = re.findall(rf"^(\S*articles/{ARTICLE_NAME}\.md):(\d+): (\S.*)$", output, re.M)
    assert located, output
    bad_file = (root / "articles" / f"{ARTICLE_NAME}.md").resolve()
    assert all(Path(path).resolve() == bad_file for path, _, _ in located)
    assert not site.exists()


def test_dossier_with_an_error_leaves_the_previous_site_in_place(
    build_site, make_dossier, tmp_path
):
    good = make_dossier({f"{ARTICLE_NAME}.md": ARTICLE}, name="good")
    broken = make_dossier({f"{ARTICLE_NAME}.md": BROKEN_ARTICLE}, name="broken")
    site = tmp_path / "site"
    assert build_site(good, site).returncode == 0
    before = files_of(site)
    assert build_site(broken, site).returncode != 0
    assert files_of(site) == before


# --- the seed article -----------------------------------------------------------------------


def test_seed_article_shows_disclaimer_in_the_opinion_box_before_the_body(bundled_site):
    content = main_content((bundled_site / SEED_PAGE).read_text(encoding="utf-8"))
    box = re.search(r'<div class="admonition opinion">(.*?)</div>', content, re.S)
    assert box, content[:2000]
    assert '<p class="admonition-title">Opinion</p>' in box.group(1)
    assert (
        "<p>This opinion article was written by an independent writer. The opinions and views "
        "expressed herein are those of the author and are not necessarily intended to reflect "
        "those of […]</p>"
    ) in box.group(1)
    assert "The source cuts the disclaimer off here." in box.group(1)
    before, after = content[: box.start()], content[box.end() :]
    assert "badly hit by the coronavirus" not in before
    first_paragraph = re.search(r"<p>(.*?)</p>", after, re.S)
    assert first_paragraph
    assert re.sub(r"<[^>]*>", "", first_paragraph.group(1)).startswith(
        "The United States and Iran both badly hit by the coronavirus"
    )


def test_no_site_chrome_in_any_page(bundled_site):
    found = [
        (path, chrome)
        for path, text in html_pages(bundled_site).items()
        if not path.startswith(DOCUMENTATION)
        for chrome in CHROME
        if chrome in text
    ]
    assert found == []


def test_no_site_chrome_in_the_search_index(bundled_site):
    entries = [
        doc for doc in search_docs(bundled_site) if not doc["location"].startswith(DOCUMENTATION)
    ]
    assert any(doc["location"].startswith(f"articles/{SEED}/") for doc in entries)
    found = [
        (doc["location"], chrome)
        for doc in entries
        for chrome in CHROME
        if chrome in doc["title"] or chrome in doc["text"]
    ]
    assert found == []


def test_chrome_check_sees_the_documentation_page(bundled_site):
    # The exclusion above is not hiding a broken check: the documentation page has them.
    text = (bundled_site / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "More about" in text and "Op-Ed:" in text


def test_every_actor_named_by_the_seed_links_back_to_it(bundled_site):
    content = main_content((bundled_site / SEED_PAGE).read_text(encoding="utf-8"))
    section = re.search(r'<h2 id="actors-named">.*?</h2>\s*<ul[^>]*>(.*?)</ul>', content, re.S)
    assert section, "no 'Actors named' section"
    actor_urls = [resolve(SEED_PAGE, href) for href in re.findall(r'href="([^"]+)"', section[1])]
    body = content[: content.index('<h2 id="topics">')]
    linked_in_body = {
        url
        for url in (resolve(SEED_PAGE, h) for h in re.findall(r'href="([^"#]+)"', body))
        if url.startswith("actors/")
    }
    assert "actors/popular-mobilization-forces/" in actor_urls
    assert set(actor_urls) == linked_in_body
    for url in actor_urls:
        actor_page = f"{url}index.html"
        assert (bundled_site / actor_page).is_file(), url
        actor_content = main_content((bundled_site / actor_page).read_text(encoding="utf-8"))
        targets = {resolve(actor_page, h) for h in re.findall(r'href="([^"#]+)', actor_content)}
        assert page_url(SEED_PAGE) in targets, url


def test_tag_typo_resolves_to_the_us_in_iraq_topic(bundled_site):
    topic = bundled_site / "topics" / "us-in-iraq" / "index.html"
    assert topic.is_file()
    assert re.search(r"<h1[^>]*>US in Iraq", topic.read_text(encoding="utf-8"))
    assert [p for p in bundled_site.rglob("*") if "ib-iraq" in p.name] == []


def test_search_index_finds_the_pmf_actor_page_by_its_alias(bundled_site):
    entries = [
        doc
        for doc in search_docs(bundled_site)
        if doc["location"] == "actors/popular-mobilization-forces/"
    ]
    assert len(entries) == 1
    assert entries[0]["title"] == "Popular Mobilization Forces"
    assert "PMF" in entries[0]["text"]


# --- nothing from outside -------------------------------------------------------------------

EXTERNAL = re.compile(r"""^\s*["']?\s*(?:https?:)?//""", re.I)
ATTRIBUTE = r"\s*=\s*([\"']?[^\"'\s>]*)"
LOADS = [
    re.compile(r"<script\b[^>]*\bsrc" + ATTRIBUTE, re.I),
    re.compile(r"<(?:img|iframe|source|video|audio|embed|input)\b[^>]*\bsrc" + ATTRIBUTE, re.I),
    re.compile(r"<object\b[^>]*\bdata" + ATTRIBUTE, re.I),
    re.compile(r"@import\s+(?:url\()?\s*([\"']?[^\"'\s;)]*)", re.I),
    re.compile(r"url\(\s*([\"']?[^\"'\s)]*)", re.I),
]
LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
# <link> relations that name another address without loading it.
NOT_LOADED = {"canonical", "alternate", "prev", "next", "author", "license", "help"}


def external_loads(text: str) -> list[str]:
    found = [
        match.group(0)
        for pattern in LOADS
        for match in pattern.finditer(text)
        if EXTERNAL.match(match.group(1))
    ]
    for tag in LINK_TAG.findall(text):
        rel = re.search(r"\brel\s*=\s*[\"']?([^\"'>]*)", tag, re.I)
        href = re.search(r"\bhref" + ATTRIBUTE, tag, re.I)
        relations = set(rel.group(1).lower().split()) if rel else set()
        if href and EXTERNAL.match(href.group(1)) and not relations <= NOT_LOADED:
            found.append(tag)
    return found


def test_external_load_check_catches_each_kind():
    samples = [
        '<script src="https://cdn.example.org/x.js"></script>',
        "<link rel=stylesheet href=//fonts.example.org/css>",
        '<link href="https://fonts.example.org/x.woff2" rel="preload">',
        "<img alt='' src='http://example.org/i.png'>",
        "<style>@import url(https://example.org/a.css);</style>",
        "<style>@import 'https://example.org/b.css';</style>",
        '<div style="background: url(https://example.org/c.png)"></div>',
    ]
    assert [len(external_loads(s)) > 0 for s in samples] == [True] * len(samples)
    assert external_loads('<a href="https://example.org/">a plain link</a>') == []
    assert external_loads('<script src="../assets/x.js"></script>') == []
    assert external_loads('<link rel="canonical" href="https://example.org/a/">') == []


@pytest.mark.parametrize("suffix", [".html", ".css"])
def test_built_site_loads_nothing_from_outside(bundled_site, suffix):
    files = sorted(bundled_site.rglob(f"*{suffix}"))
    assert files
    found = {
        path.relative_to(bundled_site).as_posix(): loads
        for path in files
        if (loads := external_loads(path.read_text(encoding="utf-8")))
    }
    assert found == {}
