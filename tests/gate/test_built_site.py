"""Built-site guarantees: no executable contributor content, a page for everything, and
byte-identical output whatever the file order, hash seed or time zone."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts.publish import sanitize
from build_scripts.search import documents as search_documents

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "dossiers" / "hostile"
DANGEROUS_TAGS = {"iframe", "object", "embed", "img", "form", "base", "meta", "link", "style"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}
SCHEME_RE = re.compile(r"^\s*([a-z][a-z0-9+.-]*)\s*:", re.I)


class _Scanner(HTMLParser):
    """Collects what would execute: script elements, on* attributes, bad URL schemes."""

    def __init__(self, allow_head: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.allow_head = allow_head
        self.findings: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value:
                scheme = SCHEME_RE.match(html.unescape(value).replace("\t", "").replace("\n", ""))
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    self.findings.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
            src = dict(attrs).get("src") or ""
            if not self.allow_head or (src and "assets/javascripts/" not in src):
                self.findings.append(f"<script src={src!r}>")
        elif tag in DANGEROUS_TAGS and not self.allow_head:
            self.findings.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def executable_content(markup: str, whole_page: bool) -> list[str]:
    scanner = _Scanner(allow_head=whole_page)
    scanner.feed(markup)
    findings = scanner.findings
    # The theme's own inline scripts are allowed; contributor text must never be in one.
    findings += [f"inline script mentions {s[:60]!r}" for s in scanner.scripts if "alert" in s]
    return findings


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, build_site) -> Path:
    site = tmp_path_factory.mktemp("hostile") / "site"
    result = build_site(HOSTILE, site)
    assert result.returncode == 0, result.stderr
    return site


def test_no_executable_content_in_any_page(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) >= 11
    found = {
        str(page.relative_to(hostile_site)): executable_content(page.read_text(), True)
        for page in pages
    }
    assert {page: items for page, items in found.items() if items} == {}


@pytest.fixture(scope="module")
def hostile_material_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile dossier with Material's own search index, whose text is HTML."""
    site = tmp_path_factory.mktemp("hostile-material") / "site"
    _build(HOSTILE, site, DOSSIER_SEARCH_BACKEND="material")
    return site


def test_no_executable_content_in_search_index(hostile_material_site: Path) -> None:
    # Pagefind's index holds text, which the search worker escapes: see
    # tests/browser/test_pagefind_search.py for the hostile text in the results.
    index = hostile_material_site / "search" / "search_index.json"
    docs = json.loads(index.read_text())["docs"]
    assert any("onclick" in doc["text"] for doc in docs), "the hostile text must be indexed"
    for doc in docs:
        for field in ("title", "text"):
            assert executable_content(doc[field], False) == [], (doc["location"], field)


def test_hostile_text_stays_literal(hostile_site: Path) -> None:
    page = (hostile_site / "articles/2021-06-14-quotes-colons-and-hashes/index.html").read_text()
    assert "{{ 7*7 }}" in page and "{% if true %}x{% endif %}" in page
    assert "{: onclick=&quot;alert(1)&quot; }" in page or '{: onclick="alert(1)" }' in page
    assert '--8&lt;-- "/etc/passwd"' in page and "root:x:0:0" not in page
    assert "<code>&lt;script&gt;alert(&quot;code span&quot;)&lt;/script&gt;</code>" in page or (
        '<code>&lt;script&gt;alert("code span")&lt;/script&gt;</code>' in page
    )
    # Code over lines: no line of it starts an HTML block or a heading.
    assert "<code>a &lt;details open&gt;over lines&lt;/details&gt; # not a heading</code>" in page
    assert "<title>Quotes \"double\" 'single' &amp; colons: # hash --- {{ 7*7 }} - " in page
    assert '<meta name="description" content="The Harbour Board met Ada Quill.">' in page


def test_sanitizer_backstop_removes_what_escaping_missed() -> None:
    dirty = (
        '<p onclick="x()">a<script>alert(1)</script><a href="JaVaScRiPt:alert(1)">b</a>'
        '<a href="jav&#x61;script:alert(1)">c</a><iframe src="x"></iframe>'
        '<img src=x onerror=alert(1)><a href="../actors/x/" class="k">d</a></p>'
    )
    assert sanitize(dirty) == '<p>a<a>b</a><a>c</a><a href="../actors/x/" class="k">d</a></p>'


def _dossier_files(root: Path) -> list[str]:
    return sorted(p.name[: -len(".md")] for p in (root / "articles").glob("*.md"))


def _ids(registry: Path) -> list[str]:
    return re.findall(r"^- id: (\S+)$", registry.read_text(), re.M)


@pytest.mark.parametrize("which", ["bundled", "hostile"])
def test_census_every_file_has_its_page_everywhere(
    which: str, repo: Path, bundled_site: Path, hostile_site: Path
) -> None:
    root, site = (repo / "dossier", bundled_site) if which == "bundled" else (HOSTILE, hostile_site)
    index = (site / "articles" / "index.html").read_text()
    sitemap = (site / "sitemap.xml").read_text()
    search = {doc["location"] for doc in search_documents(site)}
    slugs = _dossier_files(root)
    assert slugs
    for slug in slugs:
        assert (site / "articles" / slug / "index.html").is_file(), slug
        assert index.count(f'href="{slug}/"') == 1, slug
        assert f"/articles/{slug}/</loc>" in sitemap or f"articles/{slug}/</loc>" in sitemap, slug
        assert f"articles/{slug}/" in search, slug
    built = sorted(p.name for p in (site / "articles").iterdir() if p.is_dir())
    assert built == slugs, "exactly one page per article file, and no other"
    for folder, registry in (("actors", "actors.yml"), ("topics", "topics.yml")):
        ids = _ids(root / registry)
        assert ids
        assert sorted(p.name for p in (site / folder).iterdir() if p.is_dir()) == sorted(ids)


def _build(dossier: Path, site: Path, **env: str) -> None:
    environment = dict(
        os.environ,
        DOSSIER_DIR=str(dossier),
        NO_MKDOCS_2_WARNING="1",
        SOURCE_DATE_EPOCH="1600000000",
    )
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr


def _copy_in_order(source: Path, target: Path, reverse: bool) -> None:
    """Copy a dossier creating its files in a chosen order (directory order follows it)."""
    (target / "articles").mkdir(parents=True)
    files = sorted(p for p in source.rglob("*") if p.is_file())
    for path in reversed(files) if reverse else files:
        shutil.copyfile(path, target / path.relative_to(source))


def _tree(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


def test_build_is_byte_identical_whatever_order_seed_or_zone(tmp_path: Path) -> None:
    _copy_in_order(HOSTILE, tmp_path / "a", reverse=False)
    _copy_in_order(HOSTILE, tmp_path / "b", reverse=True)
    _build(tmp_path / "a", tmp_path / "site-a", PYTHONHASHSEED="1", TZ="UTC")
    _build(tmp_path / "b", tmp_path / "site-b", PYTHONHASHSEED="4242", TZ="Pacific/Kiritimati")
    first, second = _tree(tmp_path / "site-a"), _tree(tmp_path / "site-b")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
