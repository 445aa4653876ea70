"""publish.write_folder: pages written to a folder, atomically, touching only what changed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from build_scripts import publish
from build_scripts.publish import write_folder
from build_scripts.render import Page

PAGES = [
    Page("index.md", "# Home\n", ""),
    Page("articles/2021-06-14-a.md", "# A — “quoted”\n", "articles/2021-06-14-a.md"),
    Page("actors/northland.md", "# Northland\n", "actors.yml"),
    Page("topics/ferries.md", "# Ferries\n", "topics.yml"),
]
OLD = 1_000_000_000  # a modification time long before the test ran


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def make_old(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def test_writes_every_page_as_utf8(tmp_path):
    out = tmp_path / "out"
    assert write_folder(PAGES, out) == 4
    assert files_under(out) == {page.path: page.text.encode("utf-8") for page in PAGES}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_creates_missing_parent_folders(tmp_path):
    out = tmp_path / "a" / "b" / "out"
    write_folder(PAGES[:1], out)
    assert files_under(out) == {"index.md": b"# Home\n"}


def test_unchanged_files_keep_their_modification_time(tmp_path):
    out = tmp_path / "out"
    write_folder(PAGES, out)
    make_old(out)
    assert write_folder(PAGES, out) == 0
    assert {p.stat().st_mtime for p in out.rglob("*") if p.is_file()} == {OLD}


def test_changed_files_are_rewritten_and_only_they(tmp_path):
    out = tmp_path / "out"
    write_folder(PAGES, out)
    make_old(out)
    changed = [*PAGES[:3], Page("topics/ferries.md", "# Ferries, changed\n", "topics.yml")]
    assert write_folder(changed, out) == 1
    assert (out / "topics/ferries.md").read_text(encoding="utf-8") == "# Ferries, changed\n"
    assert (out / "topics/ferries.md").stat().st_mtime != OLD
    assert (out / "index.md").stat().st_mtime == OLD


def test_pages_no_longer_rendered_are_removed(tmp_path):
    out = tmp_path / "out"
    write_folder(PAGES, out)
    write_folder(PAGES[:2], out)
    assert sorted(files_under(out)) == ["articles/2021-06-14-a.md", "index.md"]


def test_a_page_whose_path_is_a_folder_leaves_the_previous_output_untouched(tmp_path):
    out = tmp_path / "out"
    write_folder(PAGES, out)
    make_old(out)
    before = files_under(out)
    clash = [
        Page("index.md", "# New home\n", ""),
        Page("actors", "a page where a folder must go\n", ""),
        Page("actors/northland.md", "# Northland, changed\n", "actors.yml"),
    ]
    with pytest.raises(OSError):
        write_folder(clash, out)
    assert files_under(out) == before
    assert {p.stat().st_mtime for p in out.rglob("*") if p.is_file()} == {OLD}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_midway_leaves_the_previous_output_untouched(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_folder(PAGES, out)
    before = files_under(out)
    calls = []
    original = Path.write_bytes

    def failing_write_bytes(self, data):
        calls.append(self)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write_bytes)
    new_pages = [Page(p.path, p.text + "changed\n", p.source) for p in PAGES]
    with pytest.raises(OSError, match="No space left"):
        write_folder(new_pages, out)
    assert len(calls) == 3
    assert files_under(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_first_write_creates_no_output_folder(tmp_path, monkeypatch):
    def failing_write_bytes(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", failing_write_bytes)
    with pytest.raises(OSError):
        write_folder(PAGES, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_swap_leaves_the_previous_output_in_place(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_folder(PAGES, out)
    before = files_under(out)
    calls = []
    original = os.replace

    def failing_replace(source, destination):
        calls.append((source, destination))
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return original(source, destination)

    monkeypatch.setattr(publish.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_folder([Page("index.md", "# New home\n", "")], out)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert files_under(out) == before


# --- the generated lists, lifted out of Markdown and put back into its HTML ---------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"


def _markdown_of_site():
    import markdown
    from mkdocs.config import load_config

    config = load_config(str(Path(publish.__file__).resolve().parents[1] / "mkdocs.yml"))
    return markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {}
    )


@pytest.mark.parametrize("fixture", ["hostile", "related"])
def test_lifted_blocks_give_the_same_html(fixture: str) -> None:
    from mkdocs.utils.meta import get_data

    from build_scripts.pipeline import run

    md = _markdown_of_site()
    outcome = run(FIXTURES / fixture)
    assert not outcome.errors
    lifted_pages = drawn_pages = 0
    for page in outcome.pages:
        if not page.path.endswith(".md"):
            continue
        body = get_data(page.text)[0]
        lifted, runs = publish.lift_blocks(body)
        lifted_pages += bool(runs)
        drawings = body.count('<div class="dossier-network')
        divs = body.count('<div class="dossier-')  # drawings, bylines, sources, references
        blocks = sum(len(run) for run in runs)
        assert blocks == body.count('<ul class="dossier-listing">') + divs, page.path
        assert "<svg" not in lifted, page.path
        drawn_pages += bool(drawings)
        md.reset()
        expected = md.convert(body)
        md.reset()
        assert publish.restore_blocks(md.convert(lifted), runs) == expected, page.path
    assert lifted_pages >= 3 and drawn_pages >= 2


def test_only_the_run_s_own_placeholders_are_replaced() -> None:
    lifted, lists = publish.lift_blocks(
        'Before.\n\n<ul class="dossier-listing">\n<li>One</li>\n</ul>\n\n'
        "dossier-block-0\n\nAfter.\n"
    )
    assert len(lists) == 1 and "<li>One</li>" not in lifted
    html = _markdown_of_site().convert(lifted)
    restored = publish.restore_blocks(html, lists)
    assert '<ul class="dossier-listing">\n<li>One</li>\n</ul>' in restored
    assert "<p>dossier-block-0</p>" in restored  # a contributor's text stays as it is


def test_a_page_holds_its_text_as_utf8() -> None:
    text = "# A — “quoted” ١٢ 😀\n"
    page = Page("articles/a.md", text, "articles/a.md")
    assert page.data == text.encode("utf-8") and page.text == text
    assert page == Page("articles/a.md", text, "articles/a.md")
    assert page != Page("articles/a.md", text + "x", "articles/a.md")
    assert len({page, Page("articles/a.md", text, "articles/a.md")}) == 1


class _Page:
    """What the hook reads of MkDocs' page."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        self.file = SimpleNamespace(generated_by=None, src_uri="x.md", dest_uri="x/index.html")
        self.markdown = "# X — y\n"
        self.content = None
        self.meta: dict = {}
        self.url = "x/"
        self.title = "X"


@pytest.mark.parametrize(("backend", "waits"), [("dossier", True), ("material", False)])
def test_html_waits_for_its_templates_as_utf8_under_build(backend: str, waits: bool) -> None:
    """Between Markdown and templates a page's HTML is held as UTF-8, turned back into the
    same str for the templates, and let go once written; not with Material's search, whose
    own page_context reads it."""
    config = {"extra": {"search_backend": backend}, "site_dir": "/nonexistent"}
    page = _Page()
    html = "<h1 id='x'>X — y</h1>"
    held = publish.on_page_content(html, page, config, files=None)
    if not waits:
        assert held == html and page.markdown == "# X — y\n"
        return
    assert isinstance(held, publish.WaitingHTML) and bytes(held) == html.encode("utf-8")
    assert page.markdown == ""  # read and rendered: released, but not None (no title then)
    page.content = held
    assert publish.on_page_context({}, page, config, nav=None) == {}
    assert page.content == html and isinstance(page.content, str)
    assert publish.on_post_page("<html>", page, config) == "<html>"
    assert page.content is None


def test_reading_front_matter_leaves_no_garbage_for_the_collector() -> None:
    """The site build pauses the cycle collector while it loads a dossier, then freezes what
    is there: a YAML loader left in a cycle (with every node it made) would stay for good."""
    import gc

    from build_scripts.yamlsource import parse_yaml

    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            node, problems = parse_yaml("title: A\ntags: [x, y]\nnested: {a: 1}\n", "a.md")
            assert node is not None and problems == []
        assert gc.collect() == 0
    finally:
        gc.enable()


MENTIONS_ARTICLE = """\
---
title: "Northland and Quill"
kind: news
author: "Test Writer"
date: 2021-06-14
publication: "Example Gazette"
tags: ["Ferries"]
---

Where 1 < 2, Northland opened a ferry line. The claim `x < y` of Ada Quill, 3 < 4.

## Northland in a heading

Quill, again, *Ada Quill* in emphasis and !Northland after an exclamation mark.

A setext heading naming Quill
-----------------------------

| Who | What |
| --- | ---- |
| Northland | a table cell |

    Northland in indented code stays code.
"""


@pytest.mark.parametrize("fixture", ["hostile", "related", "mentions"])
def test_lifted_links_give_the_same_html(fixture: str, make_dossier) -> None:
    """Each mention link render marks becomes, without Markdown, the HTML MkDocs makes of it;
    also after a "<" that escaping lengthened, in emphasis, after "!" and in a table."""
    from build_scripts.model import spans_of

    if fixture == "mentions":
        folder = make_dossier({"2021-06-14-northland-and-quill.md": MENTIONS_ARTICLE})
    else:
        folder = FIXTURES / fixture
    config, pages, files = _site(folder)
    lifted = 0
    for page in pages:
        if not page.links:
            continue
        for start, end in spans_of(page.links, page.text):
            link = page.text[start:end]
            assert re.fullmatch(r"\[[^\]]+\]\((\.\./)+actors/[a-z0-9-]+\.md\)", link)
        expected, _, _, none, _, _ = _rendered(config, files, page.path, b"", b"")
        got, _, _, count, _, _ = _rendered(config, files, page.path, page.links, b"")
        assert none == 0 and count == len(spans_of(page.links, page.text))
        assert got == expected, page.path
        lifted += count
    assert lifted >= 3
    if fixture == "mentions":
        (page,) = [p for p in pages if p.path == "articles/2021-06-14-northland-and-quill.md"]
        # linked: not in the headings nor the indented code
        assert lifted == page.text.count("](../actors/") >= 4
        assert page.text.index("1 &lt; 2") < page.text.index("[Quill](../actors/ada-quill.md)")


def _site(folder: Path):
    """The site's MkDocs config, and the Markdown pages of a dossier with their MkDocs files."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files

    from build_scripts.pipeline import run

    outcome = run(folder)
    assert not outcome.errors
    config = load_config(str(Path(publish.__file__).resolve().parents[1] / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    pages = [page for page in outcome.pages if page.path.endswith(".md")]
    files = Files([File.generated(config, page.path, content=page.data) for page in pages])
    return config, pages, files


def _rendered(
    config, files, path: str, links: bytes, headings: bytes, hook: bool = False, body=b""
):
    """What the hook makes of a generated page, with its links and headings lifted or not: its
    HTML, table of contents and anchors, how many links and headings it lifted, and whether it
    was made without Markdown. ``hook``: lifted by the hook's ``on_page_markdown``, which also
    lets go of the file's text (so last), knowing where the contributor's ``body`` is."""
    from mkdocs.structure.pages import Page as MkDocsPage

    page = MkDocsPage(None, files.get_file_from_path(path), config)
    page.read_source(config)
    if hook:
        publish._links[path], publish._headings[path] = links, headings
        publish._bodies[path] = body
        page.markdown = publish.on_page_markdown(page.markdown, page, config, files)
        runs, anchors = publish._blocks.pop(path, ([], []))
    else:
        page.markdown, anchors = publish.lift_links(page.markdown, links, page, files)
        page.markdown, runs = publish.lift_blocks(page.markdown, headings)
    without_markdown = "render" in vars(page)
    page.render(config, files)
    html = publish.restore_links(page.content, anchors)
    html = publish.restore_blocks(html, runs, page, publish._toc_permalink(config))
    toc = [(item.level, item.id, item.title, len(item.children)) for item in _walk(page.toc)]
    found = sum(not isinstance(piece, str) for run in runs for piece in run)
    return html, toc, page.present_anchor_ids, len(anchors), found, without_markdown


def _walk(items):
    for item in items:
        yield item
        yield from _walk(item.children)


HEADINGS_ARTICLE = MENTIONS_ARTICLE.replace(
    "## Northland in a heading",
    "## Source\n\nA heading of the body with the name of a section render adds.\n\n"
    "## Topics\n\nAnother.\n\n### Topics\n\nAnd a third.\n\n## Northland in a heading",
)


@pytest.mark.parametrize("fixture", ["hostile", "related", "headings", "bundled"])
def test_lifted_headings_give_the_same_html_and_contents(fixture: str, make_dossier) -> None:
    """Each heading render marks becomes, without Markdown, the HTML, table-of-contents entry
    and anchor Markdown and MkDocs make of it; also after body headings of the same names."""
    from build_scripts.model import OWN_HEADING, spans_of

    if fixture == "headings":
        folder = make_dossier({"2021-06-14-northland-and-quill.md": HEADINGS_ARTICLE})
    elif fixture == "bundled":
        folder = Path(publish.__file__).resolve().parents[1] / "dossier"
    else:
        folder = FIXTURES / fixture
    config, pages, files = _site(folder)
    assert publish._toc_permalink(config) is True
    lifted = 0
    for page in pages:
        spans = spans_of(page.headings, page.text)
        for start, end in spans:
            assert OWN_HEADING.fullmatch(page.text, start, end), page.path
        expected = _rendered(config, files, page.path, page.links, b"")
        got = _rendered(config, files, page.path, page.links, page.headings)
        assert expected[4] == 0 and got[4] == len(spans)
        assert got[:3] == expected[:3], page.path
        lifted += got[4]
    assert lifted >= 10
    if fixture == "headings":
        (page,) = [p for p in pages if p.path == "articles/2021-06-14-northland-and-quill.md"]
        html, toc, ids, *_ = _rendered(config, files, page.path, page.links, page.headings)
        assert {"source", "source_1", "topics", "topics_1", "topics_2"} <= ids
        assert '<h2 id="source_1">Source<a class="headerlink" href="#source_1"' in html
        assert [entry[1] for entry in toc].count("topics_2") == 1


@pytest.mark.parametrize("fixture", ["hostile", "related", "bundled"])
def test_pages_all_lifted_are_made_without_markdown_as_markdown_makes_them(
    fixture: str,
) -> None:
    """A page whose Markdown, once the hook has lifted its blocks, headings and links, is one
    placeholder skips Markdown: the same HTML, table of contents and anchors as Markdown
    makes of the whole page. Every listing page whose title is plain text is one (the others
    go through Markdown); an article page never is."""
    from build_scripts.model import OWN_HEADING

    if fixture == "bundled":
        folder = Path(publish.__file__).resolve().parents[1] / "dossier"
    else:
        folder = FIXTURES / fixture
    config, pages, files = _site(folder)
    made_without = set()
    for page in pages:
        expected = _rendered(config, files, page.path, b"", b"")
        got = _rendered(config, files, page.path, page.links, page.headings, True, page.body)
        assert got[:3] == expected[:3], page.path
        if got[5]:
            made_without.add(page.path)
    titles = {p.path: next(x for x in p.text.split("\n") if x.startswith("# ")) for p in pages}
    listings = {
        path: OWN_HEADING.fullmatch(title) is not None
        for path, title in titles.items()
        if path.split("/")[0] in ("actors", "topics", "authors", "publications")
    }
    assert {path for path, plain in listings.items() if plain} <= made_without
    assert not {path for path, plain in listings.items() if not plain} & made_without
    assert sum(listings.values()) >= 5
    if fixture == "hostile":
        assert not all(listings.values())  # titles Markdown must read: made with Markdown
    assert not {p.path for p in pages if not p.own} & made_without  # the articles


CODE_ARTICLE = MENTIONS_ARTICLE.replace(
    "## Northland in a heading",
    'Code that shows the markup of a block render writes:\n\n```html\n<div class="dossier-x">'
    '\n<b>Northland</b>\n</div>\n<ul class="dossier-listing">\n<li>x</li>\n</ul>\n```'
    "\n\n## Northland in a heading",
)


def test_what_looks_like_a_generated_block_in_the_contributors_text_stays_code(
    make_dossier,
) -> None:
    """Only render's own blocks are lifted: lines of the contributor's code that look like
    one stay code, shown as typed (the page as Markdown alone makes it), never raw HTML."""
    folder = make_dossier({"2021-06-14-northland-and-quill.md": CODE_ARTICLE})
    config, pages, files = _site(folder)
    (page,) = [p for p in pages if p.path == "articles/2021-06-14-northland-and-quill.md"]
    from mkdocs.structure.pages import Page as MkDocsPage

    alone = MkDocsPage(None, files.get_file_from_path(page.path), config)  # Markdown, no hook
    alone.read_source(config)
    alone.render(config, files)
    got = _rendered(config, files, page.path, page.links, page.headings, True, page.body)
    assert got[0] == alone.content
    assert got[3] > 0 and got[4] > 0  # its links and headings were lifted all the same
    html = got[0]
    assert "&lt;b&gt;Northland&lt;/b&gt;" in html and "<b>" not in html
    assert "&lt;ul class=&quot;dossier-listing&quot;&gt;" in html
    assert '<div class="dossier-x">' not in html and '<div class="dossier-byline">' in html
    # Without knowing where the text is, the code's lines would be taken for a block.
    _, runs = publish.lift_blocks(page.text, page.headings)
    assert any('<div class="dossier-x">' in piece for run in runs for piece in run)


def test_a_heading_span_that_holds_no_heading_line_is_left_alone() -> None:
    from build_scripts.model import link_spans

    text = "# Title\n\n## Kept\n\n## Cut short here\n\nNot a heading.\n\n## *Emphasis*\n"
    spans = [(text.index("## Kept"), text.index("## Kept") + 7)]
    spans.append((text.index("## Cut"), text.index("## Cut") + 9))  # not to the line's end
    spans.append((text.index("Not a"), text.index("Not a") + 14))
    spans.append((text.index("## *"), len(text) - 1))
    lifted, runs = publish.lift_blocks(text, link_spans(text, spans))
    assert runs == [[(2, "Kept")]]
    assert "## Kept" not in lifted and "## Cut short here\n" in lifted
    assert "## *Emphasis*" in lifted and "Not a heading." in lifted


def test_headings_and_blocks_only_blank_lines_separate_are_lifted_as_one() -> None:
    from build_scripts.model import heading_spans

    listing = '<ul class="dossier-listing">\n<li>One</li>\n</ul>'
    text = f"# Title\n\nText.\n\n## Topics\n{listing}\n\n## Source\n\n> Quoted.\n\n## End\n"
    lifted, runs = publish.lift_blocks(text, heading_spans(text))
    assert runs == [[(1, "Title")], [(2, "Topics"), listing, (2, "Source")], [(2, "End")]]
    assert "Text." in lifted and "> Quoted." in lifted and "#" not in lifted


def test_a_link_span_that_holds_no_link_is_left_alone() -> None:
    from types import SimpleNamespace

    from build_scripts.model import link_spans

    links = ["[Northland](../actors/northland.md)", "[Gone](../actors/gone.md)"]
    links.append("[*NL*](../actors/northland.md)")
    text = f"See {links[0]} and {links[1]} and {links[2]} and Quill."
    # a link, a link to no page, a link whose text Markdown changes, not a link
    spans = [(text.index(link), text.index(link) + len(link)) for link in links]
    spans.append((text.index("Quill"), len(text) - 1))
    file = SimpleNamespace(src_uri="articles/a.md")
    target = SimpleNamespace(url_relative_to=lambda other: "../../actors/northland/")
    files = SimpleNamespace(get_file_from_path=lambda path: target if "northland" in path else None)
    lifted, anchors = publish.lift_links(
        text, link_spans(text, spans), SimpleNamespace(file=file), files
    )
    assert anchors == ['<a href="../../actors/northland/">Northland</a>']
    assert "[Northland]" not in lifted and links[1] in lifted and links[2] in lifted
    assert lifted.endswith("and Quill.")
    assert publish.restore_links(lifted, anchors) == text.replace(
        "[Northland](../actors/northland.md)", anchors[0]
    )
