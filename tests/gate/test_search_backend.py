"""The search backend chosen in mkdocs.yml (``extra.search_backend``, build_scripts/search.py).

- ``dossier`` (the default): the build's own index in ``site/dossier-search/``
  (build_scripts/textindex.py), of the pages' content only; Material's ``search_index.json``
  reduced to its config; every page's ``__config`` pointing Material's search UI at the
  site's own worker, told where the index is.
- ``pagefind``: Pagefind's index in ``site/pagefind/``, of the same content, behind the same
  worker.
- ``material``: Material's full index and its own worker, as before.

What a reader meets in the browser is in tests/browser/test_dossier_search.py and
tests/browser/test_pagefind_search.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts import search, textindex

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "minimal"
ACTORS = (MINIMAL / "actors.yml").read_text(encoding="utf-8")
REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "fixtures" / "dossiers" / "hostile"
ARTICLE = "articles/2021-06-14-northland-opens-a-ferry-line/"
WORKER_URL = re.compile(r'"search": "([^"]*)"')
MATERIAL_WORKER = re.compile(r"^assets/javascripts/workers/search\.[0-9a-f]+\.min\.js$")
OWN_WORKER = f"{search.WORKER}?index={textindex.FOLDER}/"

TOPICS = """\
- id: ferries
  name: Ferries
  description: A fictional topic used in tests.
"""
TEXT = """\
---
title: "Northland opens a ferry line"
kind: news
author: "Test Writer"
date: 2021-06-14
publication: "Example Gazette"
tags: ["Ferries"]
---

Northland opened a ferry line on Monday. Minister Ada Quill cut the ribbon.

## The timetable

Boats leave the quay every hour; the zanzibarite crossing takes forty minutes.
"""


def build(
    dossier: Path,
    site: Path,
    backend: str | None,
    extra: dict[str, str] | None = None,
    options: tuple[str, ...] = ("--strict",),
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DOSSIER_DIR=str(dossier), NO_MKDOCS_2_WARNING="1", **(extra or {}))
    env.pop("DOSSIER_SEARCH_BACKEND", None)
    if backend is not None:
        env["DOSSIER_SEARCH_BACKEND"] = backend
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site), *options],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def workers(site: Path) -> set[str]:
    """The worker named by every built page's __config, as a path from the site root."""
    found = set()
    for page in site.rglob("*.html"):
        match = WORKER_URL.search(page.read_text(encoding="utf-8"))
        assert match, page
        address, mark, query = match[1].partition("?")
        if address.startswith("/"):  # 404.html: from the root of site_url (here "/")
            found.add(address.lstrip("/") + mark + query)
            continue
        resolved = os.path.normpath(os.path.join(page.parent.relative_to(site), address))
        found.add(resolved.replace(os.sep, "/") + mark + query)
    return found


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search-dossier") / "dossier"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "2021-06-14-northland-opens-a-ferry-line.md").write_text(TEXT)
    (root / "actors.yml").write_text(ACTORS)
    (root / "topics.yml").write_text(TOPICS)
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, dossier: Path) -> dict[str, Path]:
    """The small dossier built with the backend left unset, and with each one named."""
    out = tmp_path_factory.mktemp("search-sites")
    built = {}
    backends = (
        ("default", None),
        ("dossier", "dossier"),
        ("pagefind", "pagefind"),
        ("material", "material"),
    )
    for name, backend in backends:
        result = build(dossier, out / name, backend)
        assert result.returncode == 0, result.stdout + result.stderr
        built[name] = out / name
    return built


def test_the_dossier_index_is_the_default(sites: dict[str, Path]) -> None:
    assert (sites["default"] / textindex.FOLDER / textindex.MANIFEST).is_file()
    assert not (sites["default"] / "pagefind").exists()
    assert workers(sites["default"]) == {OWN_WORKER}
    assert files_of(sites["default"] / textindex.FOLDER) == files_of(
        sites["dossier"] / textindex.FOLDER
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_dossier_backend_writes_its_index_and_a_tiny_material_index(
    sites: dict[str, Path],
) -> None:
    site = sites["dossier"]
    manifest, postings = textindex.read_index(site)
    fragments = textindex.fragments(site)
    assert manifest["format"] == textindex.FORMAT
    assert manifest["documents"] == len(fragments) >= 5
    assert len(textindex.base64.b64decode(manifest["lengths"])) == manifest["documents"]
    # Every word of every page is found where it is, and nowhere else.
    by_url = {fragment["url"]: number for number, fragment in fragments.items()}
    article = by_url["/" + ARTICLE]
    assert [number for number, _ in postings["zanzibarite"]] == [article]
    assert article in {number for number, _ in postings["ferry"]}
    for number, fragment in fragments.items():
        words = set(textindex.terms(fragment["content"] + " " + fragment["meta"]["title"]))
        for word in words:
            assert number in {n for n, _ in postings[word]}, (word, fragment["url"])
    assert sum(len(found) for found in postings.values()) == sum(
        len(set(textindex.terms(f["content"] + " " + f["meta"]["title"])))
        for f in fragments.values()
    )
    # Material's UI still reads the index's config (language, separator); no documents.
    data = json.loads((site / "search" / "search_index.json").read_text())
    assert data["docs"] == []
    assert data["config"]["lang"] == ["en"] and "separator" in data["config"]
    assert workers(site) == {OWN_WORKER}
    assert (site / search.WORKER).is_file()
    assert not (site / "pagefind").exists()
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".dossier-search-")]


def test_both_indexes_hold_the_same_pages_titles_and_headings(sites: dict[str, Path]) -> None:
    own = {page["url"]: page for page in search.indexed_pages(sites["dossier"])}
    other = {page["url"]: page for page in search.indexed_pages(sites["pagefind"])}
    assert sorted(own) == sorted(other)
    for url, page in own.items():
        assert page["title"] == other[url]["title"], url
        assert [a["id"] for a in page["anchors"]] == [a["id"] for a in other[url]["anchors"]]


def test_pagefind_backend_writes_pagefind_and_a_tiny_material_index(
    sites: dict[str, Path],
) -> None:
    site = sites["pagefind"]
    # A small site is one shard, complete: entry, metadata, index, fragments, script, wasm.
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == {"shards": ["0/"]}
    entry = json.loads((site / "pagefind" / "0" / "pagefind-entry.json").read_text())
    assert entry["version"] == "1.5.2"
    assert entry["languages"]["en"]["page_count"] >= 5
    assert (site / "pagefind" / "0" / "pagefind.js").is_file()
    # Material's UI still reads the index's config (language, separator); no documents.
    index = site / "search" / "search_index.json"
    data = json.loads(index.read_text())
    assert data["docs"] == []
    assert data["config"]["lang"] == ["en"] and "separator" in data["config"]
    assert index.stat().st_size < 1_000
    # Every page points Material's UI at the site's own worker, which the site holds.
    assert workers(site) == {search.WORKER}
    assert (site / search.WORKER).is_file()


@pytest.mark.parametrize("backend", ["dossier", "pagefind"])
def test_the_content_is_indexed_and_not_the_chrome(sites: dict[str, Path], backend: str) -> None:
    pages = {page["url"]: page for page in search.indexed_pages(sites[backend])}
    article = pages["/" + ARTICLE]
    assert article["title"] == "Northland opens a ferry line"
    assert "zanzibarite crossing" in article["content"]
    assert any(a["id"] == "the-timetable" for a in article["anchors"])
    everything = " ".join(page["content"] for page in pages.values())
    assert "¶" not in everything  # the headings' permalinks
    # The BibTeX entry (data.md, hand-written, documents the format: it may name the fields).
    assert "@article{" not in article["content"] and "journaltitle" not in article["content"]
    assert "Cite this" in article["content"]  # the formatted citation stays
    # Navigation, table of contents, header and footer are outside the article.
    assert "Made with" not in everything and "Table of contents" not in everything
    assert "/404.html" not in pages and "/404/" not in pages
    # The search documents, split as Material splits pages: the page, then its sections.
    docs = {doc["location"]: doc for doc in search.documents(sites[backend])}
    assert docs[ARTICLE]["title"] == "Northland opens a ferry line"
    assert "Minister Ada Quill cut the ribbon" in docs[ARTICLE]["text"]
    section = docs[ARTICLE + "#the-timetable"]
    assert section["title"] == "The timetable"
    assert section["text"].startswith("Boats leave the quay every hour")


def test_material_backend_keeps_materials_full_index(sites: dict[str, Path]) -> None:
    site = sites["material"]
    assert not (site / "pagefind").exists()
    assert not (site / textindex.FOLDER).exists()
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    by_location = {doc["location"]: doc for doc in docs}
    assert by_location[ARTICLE]["title"] == "Northland opens a ferry line"
    assert "zanzibarite" in by_location[ARTICLE + "#the-timetable"]["text"]
    assert search.documents(site) == docs
    (worker,) = workers(site)
    assert MATERIAL_WORKER.match(worker), worker
    assert (site / worker).is_file()


def test_an_unknown_backend_fails_the_build(dossier: Path, tmp_path: Path) -> None:
    result = build(dossier, tmp_path / "site", "lunr")
    assert result.returncode != 0
    assert "extra.search_backend in mkdocs.yml is 'lunr'" in result.stderr
    assert "dossier, pagefind, material" in result.stderr


def _config(backend: str | None):
    from mkdocs.config import load_config

    previous = os.environ.pop("DOSSIER_SEARCH_BACKEND", None)
    try:
        if backend is not None:
            os.environ["DOSSIER_SEARCH_BACKEND"] = backend
        return load_config(str(REPO / "mkdocs.yml"))
    finally:
        os.environ.pop("DOSSIER_SEARCH_BACKEND", None)
        if previous is not None:
            os.environ["DOSSIER_SEARCH_BACKEND"] = previous


def _page_indexers(config) -> list:
    plugin = search.material_search_plugin(config)
    return [h for h in config.plugins.events["page_context"] if getattr(h, "__self__", 0) is plugin]


@pytest.mark.parametrize(("backend", "chosen"), [(None, "dossier"), ("pagefind", "pagefind")])
def test_own_worker_backends_switch_off_materials_page_indexing_only(
    backend: str | None, chosen: str
) -> None:
    config = _config(backend)
    assert search.material_search_plugin(config) is not None
    assert len(_page_indexers(config)) == 1
    search.on_config(config)
    assert config["extra"]["search_backend"] == chosen
    assert _page_indexers(config) == []
    # Its config and post-build steps stay: they write the small index the UI reads.
    plugin = search.material_search_plugin(config)
    for event in ("config", "post_build"):
        assert any(getattr(h, "__self__", 0) is plugin for h in config.plugins.events[event])
    search.on_config(config)  # twice (mkdocs serve) changes nothing more
    assert _page_indexers(config) == []


def test_material_backend_leaves_materials_plugin_alone() -> None:
    config = _config("material")
    before = {event: list(handlers) for event, handlers in config.plugins.events.items()}
    search.on_config(config)
    assert config["extra"]["search_backend"] == "material"
    assert dict(config.plugins.events) == before


@pytest.mark.parametrize("backend", ["dossier", "pagefind"])
def test_hostile_text_is_indexed_as_text(tmp_path: Path, backend: str) -> None:
    site = tmp_path / "site"
    result = build(HOSTILE, site, backend)
    assert result.returncode == 0, result.stderr
    everything = " ".join(page["content"] for page in search.indexed_pages(site))
    # The index keeps the page's text, not its markup: the hostile words are there as words,
    # and the worker escapes them (the browser tests check what the reader gets).
    assert '{: onclick="alert(1)" }' in everything
    assert '<script>alert("code span")</script>' in everything
    titles = {page["title"] for page in search.indexed_pages(site)}
    assert "Quotes \"double\" 'single' & colons: # hash --- {{ 7*7 }}" in titles


def test_serve_builds_are_told_apart_by_mkdocs_temporary_folder(tmp_path: Path) -> None:
    import tempfile

    temporary = Path(tempfile.gettempdir())
    assert search.serving({"site_dir": str(temporary / "mkdocs_ab12cd")})
    assert not search.serving({"site_dir": str(tmp_path / "site")})
    assert not search.serving({"site_dir": str(temporary / "site")})


def test_under_serve_pagefind_indexes_in_the_background(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    import shutil
    import time

    site = tmp_path / "site"
    shutil.copytree(sites["pagefind"], site)
    shutil.rmtree(site / "pagefind")
    config = {"site_dir": str(site), "use_directory_urls": True}
    background = search.Background()
    try:
        background.start(config)
        background.start(config)  # a newer build's run replaces the first
        deadline = time.monotonic() + 60
        while not (site / "pagefind" / "shards.json").is_file():
            assert time.monotonic() < deadline, "no index after 60 s"
            time.sleep(0.1)
        pages = {page["url"] for page in search.indexed_pages(site)}
        assert "/" + ARTICLE in pages
    finally:
        background.stop()
    time.sleep(0.5)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pagefind-")] == []


def test_shards_index_the_same_pages_as_one_index(tmp_path: Path) -> None:
    one, many = tmp_path / "one", tmp_path / "many"
    assert build(HOSTILE, one, "pagefind").returncode == 0
    result = build(HOSTILE, many, "pagefind", {search.SHARD_PAGES_VARIABLE: "3"})
    assert result.returncode == 0, result.stderr
    shards = json.loads((many / "pagefind" / search.MANIFEST).read_text())["shards"]
    assert shards == [f"{n}/" for n in range(len(shards))] and len(shards) > 3
    assert json.loads((one / "pagefind" / search.MANIFEST).read_text())["shards"] == ["0/"]
    # The same pages with the same text, whichever shard holds them.
    assert search.indexed_pages(many) == search.indexed_pages(one)
    # Shards after the first hold no script and no WebAssembly: the first shard's serve all.
    for shard in shards[1:]:
        names = {p.name for p in (many / "pagefind" / shard).iterdir()}
        kept = {n for n in names if n in search.SHARD_FILES or n.endswith(".pf_meta")}
        assert names == kept and "pagefind-entry.json" in names, names
    assert (many / "pagefind" / "0" / "pagefind.js").is_file()
    assert f"in {len(shards)} shard(s)" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pagefind-")]


@pytest.mark.parametrize(
    ("uri", "indexed"),
    [
        ("index.html", True),
        ("actors/iran/index.html", True),
        ("actors/iran.html", True),
        ("articles/index.html", True),
        ("articles/2020/index.html", False),
        ("actors/iran/2020/index.html", False),
        ("actors/iran/2020.html", False),
        ("404.html", False),
        ("bibliography.json", False),
    ],
)
def test_which_pages_are_indexed(uri: str, indexed: bool) -> None:
    assert search.indexed_page(uri) is indexed


def test_a_shard_size_that_is_not_a_number_fails_the_build(dossier: Path, tmp_path: Path) -> None:
    result = build(dossier, tmp_path / "site", None, {search.SHARD_PAGES_VARIABLE: "many"})
    assert result.returncode != 0
    assert "expected auto or a whole number of pages, 1 or more" in result.stderr


@pytest.mark.parametrize(
    ("pages", "size"),
    [(None, 2500), (0, 2500), (1, 400), (1751, 400), (2001, 401), (10751, 2151), (40000, 2500)],
)
def test_auto_shards_are_five_of_400_to_2500_pages(pages, size) -> None:
    assert search.auto_shard_pages(pages) == size


@pytest.mark.parametrize(("value", "size"), [(None, 2151), ("", 2151), ("Auto", 2151), ("7", 7)])
def test_the_shard_setting(monkeypatch, value, size) -> None:
    monkeypatch.delenv(search.SHARD_PAGES_VARIABLE, raising=False)
    config = {"extra": {search.SHARD_PAGES_KEY: value}}
    assert search.shard_pages(config, pages=10751) == size


class _ServedPage:
    """What OwnIndex reads of a MkDocs page."""

    def __init__(self, uri: str, text: str) -> None:
        from types import SimpleNamespace

        self.file = SimpleNamespace(dest_uri=f"{uri}index.html")
        self.url = uri
        self.title = uri.strip("/").title()
        self.meta: dict = {}
        self.html = f"<h1 id='t'>{self.title}</h1><p>{text}</p>"


def test_under_serve_the_dossier_index_keeps_every_page_between_builds(tmp_path: Path) -> None:
    """mkdocs serve renders only what an edit changes: the index is written after each build
    from every page's latest document, without the pages gone, on a thread of its own."""
    import tempfile
    import time

    site = Path(tempfile.mkdtemp(prefix="mkdocs_"))  # where mkdocs serve builds
    staged = {p for p in site.parent.iterdir() if p.name.startswith(".dossier-search-")}
    config = {"site_dir": str(site), "extra": {"search_backend": "dossier"}}
    own = search.OwnIndex()

    def build(pages: list[_ServedPage], rendered: list[_ServedPage]) -> dict[str, str]:
        before = (
            (site / textindex.FOLDER / textindex.MANIFEST).stat().st_mtime_ns
            if (site / textindex.FOLDER / textindex.MANIFEST).exists()
            else None
        )
        own.plan(config, [page.file.dest_uri for page in pages])
        for page in rendered:
            own.add(page, page.html)
        own.finish(config)
        manifest = site / textindex.FOLDER / textindex.MANIFEST
        deadline = time.monotonic() + 30
        while not manifest.exists() or manifest.stat().st_mtime_ns == before:
            assert time.monotonic() < deadline, "no index after 30 s"
            time.sleep(0.05)
        with own._lock:  # the writer is done
            return {f["url"]: f["content"] for f in textindex.fragments(site).values()}

    try:
        one, two, three = (_ServedPage(f"p{n}/", f"word{n} shared") for n in (1, 2, 3))
        assert build([one, two, three], [one, two, three]) == {
            "/p1/": "P1 word1 shared",
            "/p2/": "P2 word2 shared",
            "/p3/": "P3 word3 shared",
        }
        two.html = "<h1 id='t'>P2</h1><p>edited zanzibarite</p>"
        # Only the edited page is rendered; the third page is gone.
        found = build([one, two], [two])
        assert found == {"/p1/": "P1 word1 shared", "/p2/": "P2 edited zanzibarite"}
        _, postings = textindex.read_index(site)
        assert "zanzibarite" in postings and "word3" not in postings and "word2" not in postings
    finally:
        import shutil

        shutil.rmtree(site, ignore_errors=True)
    after = {p for p in site.parent.iterdir() if p.name.startswith(".dossier-search-")}
    assert after <= staged  # no staging folder left behind


def test_a_dirty_build_keeps_the_pages_it_does_not_render(dossier: Path, tmp_path: Path) -> None:
    """``mkdocs build --dirty`` renders no unchanged hand-written page: the dossier index
    takes their documents from the index in place, and is the same as a full build's."""
    site = tmp_path / "site"
    assert build(dossier, site, "dossier").returncode == 0
    clean = files_of(site / textindex.FOLDER)
    assert any(f["url"] == "/contributing/" for f in textindex.fragments(site).values())
    result = build(dossier, site, "dossier", options=("--dirty",))
    assert result.returncode == 0, result.stderr
    assert files_of(site / textindex.FOLDER) == clean
