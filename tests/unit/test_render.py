"""render: the pages made from a validated dossier and its index."""

from __future__ import annotations

import builtins
import copy
import html
import io
import os
import posixpath
import re

import markdown
import pytest
import yaml

from build_scripts.render import Page, render

ACTORS = """\
- id: northland
  name: Northland
  kind: state
  aliases: [NL]
  description: A fictional state used in tests.
- id: ada-quill
  name: Ada Quill
  kind: person
  aliases: [Quill]
  description: A fictional minister used in tests.
- id: southmark
  name: Southmark
  kind: state
  aliases: []
  description: A fictional state no article names.
"""

TOPICS = """\
- id: ferries
  name: Ferries
  aliases: [ferry servce]
  description: A fictional topic used in tests.
- id: harbours
  name: Harbours
  aliases: []
  description: Another fictional topic used in tests.
"""

NEWS = "2021-06-14-northland-opens-a-ferry-line"
OPED_CUT = "2021-06-20-why-the-ferry-matters"
OPED = "2021-06-01-a-quiet-harbour"


@pytest.fixture
def articles(article):
    """A news article, an op-ed whose disclaimer is cut off, and an op-ed whose is not."""
    return {
        f"{NEWS}.md": article(
            "Northland opened a ferry line on Monday. Minister Ada Quill cut the ribbon.",
            title="Northland opens a ferry line",
        ),
        f"{OPED_CUT}.md": article(
            "Quill was right. NL needs ferries, and Northland knows it.\n\n"
            "## Why Northland\n\nThe harbour is busy.",
            title="Why the ferry matters",
            kind="op-ed",
            author="Jane Example",
            date="2021-06-20",
            section="Local",
            url="https://example.org/gazette/ferry",
            tags=("ferry servce",),
            topics=["harbours"],
            disclaimer="The views expressed are the author's own and do not reflect those of",
            disclaimer_cut_off=True,
        ),
        f"{OPED}.md": article(
            "The harbour was quiet. Nobody came.",
            title="A quiet harbour",
            kind="op-ed",
            date="2021-06-01",
            tags=("Harbours",),
            disclaimer="Opinions are the writer's own.",
        ),
    }


@pytest.fixture
def pages(validated, articles) -> dict[str, str]:
    dossier, index = validated(articles, actors=ACTORS, topics=TOPICS)
    return {page.path: page.text for page in render(dossier, index)}


def body_of(text: str) -> str:
    """A page's Markdown without its front matter."""
    assert text.startswith("---\n")
    return text.split("\n---\n", 1)[1]


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def to_html(text: str) -> str:
    return markdown.markdown(
        body_of(text), extensions=["toc", "admonition", "tables", "footnotes", "fenced_code"]
    )


def visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def head(text: str) -> str:
    """A page from its H1 up to its first "## " heading."""
    body = body_of(text)
    return body[body.index("# ") : body.index("\n## ")].rstrip("\n") + "\n"


def section(text: str, heading: str) -> str:
    """The lines under "## heading" up to the next "## " heading, without blank ends."""
    lines = text.split("\n")
    start = lines.index(f"## {heading}") + 1
    end = next(
        (n for n in range(start, len(lines)) if lines[n].startswith("## ")),
        len(lines),
    )
    return "\n".join(lines[start:end]).strip("\n")


# --- the set of pages -----------------------------------------------------------------------


def test_every_page_is_rendered_once_at_its_path_sorted(validated, articles):
    dossier, index = validated(articles, actors=ACTORS, topics=TOPICS)
    pages = render(dossier, index)
    paths = [p.path for p in pages]
    assert paths == sorted(set(paths))
    assert {"index.md", "articles/index.md", "actors/index.md", "topics/index.md"} <= set(paths)
    sources = {p.path: p.source for p in pages}
    assert (
        sources.items()
        >= {
            f"articles/{OPED}.md": f"articles/{OPED}.md",
            f"articles/{NEWS}.md": f"articles/{NEWS}.md",
            f"articles/{OPED_CUT}.md": f"articles/{OPED_CUT}.md",
            "actors/ada-quill.md": "actors.yml",
            "actors/northland.md": "actors.yml",
            "actors/southmark.md": "actors.yml",
            "topics/ferries.md": "topics.yml",
            "topics/harbours.md": "topics.yml",
        }.items()
    )
    for folder, names in {
        "articles": {OPED, NEWS, OPED_CUT, "index"},
        "actors": {"ada-quill", "northland", "southmark", "index"},
        "topics": {"ferries", "harbours", "index"},
    }.items():
        assert {p[len(folder) + 1 : -3] for p in paths if p.startswith(f"{folder}/")} == names
    assert all(isinstance(p, Page) for p in pages)


def test_render_is_pure_and_deterministic(validated, articles):
    dossier, index = validated(articles, actors=ACTORS, topics=TOPICS)
    index_before = copy.deepcopy(index)
    first = render(dossier, index)
    second = render(dossier, index)
    assert first == second
    assert index == index_before


def test_render_reads_and_writes_no_files(validated, articles, monkeypatch):
    dossier, index = validated(articles, actors=ACTORS, topics=TOPICS)
    expected = render(dossier, index)

    def no_files(*args, **kwargs):
        raise AssertionError(f"render touched the file system: {args!r}")

    for module, name in [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "listdir"),
        (os, "scandir"),
        (os, "stat"),
    ]:
        monkeypatch.setattr(module, name, no_files)
    assert render(dossier, index) == expected


def test_pages_do_not_depend_on_the_order_files_were_written(validated, articles):
    dossier, index = validated(articles, actors=ACTORS, topics=TOPICS)
    reordered = dict(reversed(list(articles.items())))
    dossier2, index2 = validated(reordered, actors=ACTORS, topics=TOPICS)
    assert render(dossier, index) == render(dossier2, index2)


def test_site_title_is_the_home_page_title(validated, articles):
    dossier, index = validated(articles, actors=ACTORS, topics=TOPICS)
    (home,) = [p for p in render(dossier, index, "Ferry files") if p.path == "index.md"]
    assert front_matter(home.text) == {"title": "Ferry files"}
    assert "\n# Ferry files\n" in home.text


# --- article pages --------------------------------------------------------------------------


def test_news_article_page(pages):
    text = pages[f"articles/{NEWS}.md"]
    assert front_matter(text) == {
        "title": "Northland opens a ferry line",
        "description": "Northland opened a ferry line on Monday.",
    }
    assert head(text) == (
        "# Northland opens a ferry line\n"
        "\n"
        '<div class="dossier-byline">\n'
        '<p>By <strong><a href="../../authors/test-writer/">Test Writer</a></strong> · '
        "14 June 2021 · "
        '<em><a href="../../publications/example-gazette/">Example Gazette</a></em> · News</p>\n'
        "</div>\n"
        "\n"
        "[Northland](../actors/northland.md) opened a ferry line on Monday. "
        "Minister [Ada Quill](../actors/ada-quill.md) cut the ribbon.\n"
    )
    assert section(text, "Topics") == (
        '<ul class="dossier-listing">\n<li><a href="../../topics/ferries/">Ferries</a></li>\n</ul>'
    )
    assert section(text, "Actors named") == (
        '<ul class="dossier-listing">\n'
        ""
        '<li><a href="../../actors/northland/">Northland</a> — state, 1 mention</li>\n'
        '<li><a href="../../actors/ada-quill/">Ada Quill</a> — person, 1 mention</li>\n'
        "</ul>"
    )
    assert section(text, "Source") == (
        '<div class="dossier-source">\n'
        "<p>Test Writer, “Northland opens a ferry line”, <em>Example Gazette</em>, "
        "14 June 2021. The source's web address is not recorded.</p>\n"
        "</div>"
    )


def test_news_article_has_no_opinion_box(pages):
    text = pages[f"articles/{NEWS}.md"]
    assert "!!! opinion" not in text
    assert "admonition" not in to_html(text)


def test_op_ed_page_byline_opinion_box_with_cut_off_marker_then_body(pages):
    text = pages[f"articles/{OPED_CUT}.md"]
    assert head(text) == (
        "# Why the ferry matters\n"
        "\n"
        '<div class="dossier-byline">\n'
        '<p>By <strong><a href="../../authors/jane-example/">Jane Example</a></strong> · '
        "20 June 2021 · "
        '<em><a href="../../publications/example-gazette/">Example Gazette</a></em> · '
        "Local · Opinion</p>\n"
        "</div>\n"
        "\n"
        '!!! opinion "Opinion"\n'
        "\n"
        "    The views expressed are the author's own and do not reflect those of […]\n"
        "\n"
        "    *The source cuts the disclaimer off here.*\n"
        "\n"
        "<!-- article text -->\n"
        "\n"
        "[Quill](../actors/ada-quill.md) was right. [NL](../actors/northland.md) needs ferries, "
        "and [Northland](../actors/northland.md) knows it.\n"
    )
    assert section(text, "Why Northland") == "The harbour is busy."
    assert section(text, "Source") == (
        '<div class="dossier-source">\n'
        "<p>Jane Example, “Why the ferry matters”, <em>Example Gazette</em>, Local, "
        '20 June 2021. <a href="https://example.org/gazette/ferry">'
        "https://example.org/gazette/ferry</a></p>\n"
        "</div>"
    )


def test_op_ed_disclaimer_renders_inside_the_box_before_the_first_body_paragraph(pages):
    rendered = to_html(pages[f"articles/{OPED_CUT}.md"])
    box = re.search(r'<div class="admonition opinion">(.*?)</div>', rendered, re.S)
    assert box is not None
    assert box.group(1) == (
        '\n<p class="admonition-title">Opinion</p>\n'
        "<p>The views expressed are the author's own and do not reflect those of […]</p>\n"
        "<p><em>The source cuts the disclaimer off here.</em></p>\n"
    )
    after = rendered[box.end() :]
    assert after.startswith(
        '\n<!-- article text -->\n\n<p><a href="../actors/ada-quill.md">Quill</a> was right.'
    )


def test_op_ed_without_cut_off_has_no_marker(pages):
    text = pages[f"articles/{OPED}.md"]
    assert head(text).endswith(
        '\n\n!!! opinion "Opinion"\n\n    Opinions are the writer\'s own\\.\n\n'
        "<!-- article text -->\n\nThe harbour was quiet. Nobody came.\n"
    )
    assert "[…]" not in text
    assert "cuts the disclaimer off" not in text


def test_article_without_mentions_has_no_actors_section(pages):
    text = pages[f"articles/{OPED}.md"]
    assert "## Actors named" not in text
    assert section(text, "Topics") == (
        '<ul class="dossier-listing">\n'
        '<li><a href="../../topics/harbours/">Harbours</a></li>\n</ul>'
    )


def test_article_topics_list_tag_topics_then_curated_ones(pages):
    assert section(pages[f"articles/{OPED_CUT}.md"], "Topics") == (
        '<ul class="dossier-listing">\n'
        ""
        '<li><a href="../../topics/ferries/">Ferries</a></li>\n'
        '<li><a href="../../topics/harbours/">Harbours</a></li>\n'
        "</ul>"
    )


def test_actors_named_in_first_mention_order_with_counts(pages):
    assert section(pages[f"articles/{OPED_CUT}.md"], "Actors named") == (
        '<ul class="dossier-listing">\n'
        ""
        '<li><a href="../../actors/ada-quill/">Ada Quill</a> — person, 1 mention</li>\n'
        '<li><a href="../../actors/northland/">Northland</a> — state, 2 mentions</li>\n'
        "</ul>"
    )


def test_mentions_in_body_headings_are_not_linked(pages):
    assert "\n## Why Northland\n" in pages[f"articles/{OPED_CUT}.md"]


def test_indented_first_body_paragraph_stays_out_of_the_opinion_box(validated, article):
    dossier, index = validated(
        {
            f"{OPED}.md": article(
                "    The harbour was quiet.\n\nNobody came.",
                kind="op-ed",
                date="2021-06-01",
                disclaimer="Opinions are the writer's own.",
            )
        },
        actors=ACTORS,
        topics=TOPICS,
    )
    (page,) = [p for p in render(dossier, index) if p.path == f"articles/{OPED}.md"]
    box = re.search(r'<div class="admonition opinion">(.*?)</div>', to_html(page.text), re.S)
    assert box is not None
    assert "harbour" not in box.group(1)


def test_mention_right_after_an_exclamation_mark_stays_a_link(validated, article):
    dossier, index = validated({f"{NEWS}.md": article("Ahoy!Northland waved.")}, actors=ACTORS)
    (page,) = [p for p in render(dossier, index) if p.path == f"articles/{NEWS}.md"]
    rendered = to_html(page.text)
    assert "<img" not in rendered
    assert '<p>Ahoy!<a href="../actors/northland.md">Northland</a> waved.</p>' in rendered


# --- actor and topic pages ------------------------------------------------------------------


def test_actor_page_lists_articles_newest_first_with_bolded_sentences(pages):
    text = pages["actors/northland.md"]
    assert front_matter(text) == {
        "title": "Northland",
        "description": "A fictional state used in tests.",
        "search": {"boost": 2},
    }
    assert head(text) == (
        "# Northland\n"
        "\n"
        '<div class="dossier-about">\n'
        "<p><strong>State</strong></p>\n"
        "<p>Also called: <em>NL</em></p>\n"
        "<p>A fictional state used in tests.</p>\n"
        "</div>\n"
    )
    assert section(text, "Articles (2)") == (
        '<ul class="dossier-listing">\n'
        ""
        f'<li><strong><a href="../../articles/{OPED_CUT}/">Why the ferry matters</a></strong>'
        " — 20 June 2021 · Jane Example · <em>Example Gazette</em> · Opinion"
        "<blockquote><p><strong>NL</strong> needs ferries, and Northland knows it.</p>"
        "</blockquote></li>\n"
        f'<li><strong><a href="../../articles/{NEWS}/">Northland opens a ferry line</a>'
        "</strong> — 14 June 2021 · Test Writer · <em>Example Gazette</em>"
        "<blockquote><p><strong>Northland</strong> opened a ferry line on Monday.</p>"
        "</blockquote></li>\n"
        "</ul>"
    )
    neighbours = section(text, "Named alongside")
    assert '<svg class="dossier-network-graph"' in neighbours  # the drawing, then its list
    assert neighbours.endswith(
        '<ul class="dossier-listing">\n'
        '<li><a href="../ada-quill/">Ada Quill</a> — person, named together in 2 articles</li>\n'
        "</ul>"
    )


def test_actor_page_shows_three_sentences_per_article_then_a_count(validated, article):
    body = " ".join(f"Northland spoke {n}." for n in ("one", "two", "three", "four", "five"))
    dossier, index = validated({f"{NEWS}.md": article(body)}, actors=ACTORS)
    (page,) = [p for p in render(dossier, index) if p.path == "actors/northland.md"]
    assert (
        "<blockquote><p><strong>Northland</strong> spoke one.</p>"
        "<p><strong>Northland</strong> spoke two.</p>"
        "<p><strong>Northland</strong> spoke three.</p>"
        "<p><em>…and 2 more sentences in this article.</em></p></blockquote>"
    ) in page.text
    assert "four" not in page.text


def test_actor_named_nowhere_says_so(pages):
    text = pages["actors/southmark.md"]
    assert (
        "\n## Articles (0)\n\n"
        '<div class="dossier-note">\n<p>No article in the dossier names this yet.</p>\n</div>\n'
    ) in text
    assert "## Named alongside" not in text


def test_topic_page(pages):
    text = pages["topics/ferries.md"]
    assert front_matter(text) == {
        "title": "Ferries",
        "description": "A fictional topic used in tests.",
        "search": {"boost": 2},
    }
    assert head(text) == (
        "# Ferries\n"
        "\n"
        '<div class="dossier-about">\n'
        "<p><strong>Topic</strong></p>\n"
        "<p>Also called: <em>ferry servce</em></p>\n"
        "<p>A fictional topic used in tests.</p>\n"
        "</div>\n"
    )
    assert section(text, "Articles (2)") == (
        '<ul class="dossier-listing">\n'
        ""
        f'<li><strong><a href="../../articles/{OPED_CUT}/">Why the ferry matters</a></strong>'
        " — 20 June 2021 · Jane Example · <em>Example Gazette</em> · Opinion"
        "<blockquote><p>Quill was right.</p></blockquote></li>\n"
        f'<li><strong><a href="../../articles/{NEWS}/">Northland opens a ferry line</a>'
        "</strong> — 14 June 2021 · Test Writer · <em>Example Gazette</em>"
        "<blockquote><p>Northland opened a ferry line on Monday.</p></blockquote></li>\n"
        "</ul>"
    )
    assert section(text, "Actors most named") == (
        '<div class="dossier-neighbours">\n'
        "<ul>\n"
        '<li><a href="../../actors/ada-quill/">Ada Quill</a> — in 2 articles</li>\n'
        '<li><a href="../../actors/northland/">Northland</a> — in 2 articles</li>\n'
        "</ul>\n"
        "</div>"
    )


# --- index pages ----------------------------------------------------------------------------


def test_home_page_counts_and_latest_articles(pages):
    text = pages["index.md"]
    assert (
        '\n<div class="dossier-intro">\n'
        '<p>This dossier holds <a href="articles/">3 articles</a> (1 news, 2 opinion), '
        'from 1 publication, <a href="actors/">3 actors</a>, <a href="topics/">2 topics</a>.</p>\n'
        "<p>The articles run from 1 June 2021 to 20 June 2021.</p>\n"
        "</div>\n"
    ) in text
    latest = text.split("## Latest articles\n", 1)[1]
    assert [m for m in re.findall(r'<a href="articles/([^/"]+)/"', latest)] == [
        OPED_CUT,
        NEWS,
        OPED,
    ]


def test_articles_index_newest_first_by_year_and_month(pages):
    assert body_of(pages["articles/index.md"]) == (
        "\n\n# Articles\n"
        "\n"
        '<div class="dossier-intro">\n'
        "<p>3 articles, newest first.</p>\n"
        "</div>\n"
        "\n"
        "## 2021\n"
        "\n"
        "### June 2021\n"
        "\n"
        '<ul class="dossier-listing">\n'
        ""
        f'<li><strong><a href="{OPED_CUT}/">Why the ferry matters</a></strong>'
        " — 20 June 2021 · Jane Example · <em>Example Gazette</em> · Opinion</li>\n"
        f'<li><strong><a href="{NEWS}/">Northland opens a ferry line</a></strong>'
        " — 14 June 2021 · Test Writer · <em>Example Gazette</em></li>\n"
        f'<li><strong><a href="{OPED}/">A quiet harbour</a></strong>'
        " — 1 June 2021 · Test Writer · <em>Example Gazette</em> · Opinion</li>\n"
        "</ul>\n"
    )


def test_actors_index_groups_by_kind(pages):
    assert (
        "\n## People\n\n"
        '<div class="dossier-index">\n'
        "<ul>\n"
        '<li><a href="ada-quill/">Ada Quill</a> — A fictional minister used in tests. '
        "(2 articles)</li>\n"
        "</ul>\n"
        "</div>\n"
        "\n## States\n\n"
        '<div class="dossier-index">\n'
        "<ul>\n"
        '<li><a href="northland/">Northland</a> — A fictional state used in tests. '
        "(2 articles)</li>\n"
        '<li><a href="southmark/">Southmark</a> — A fictional state no article names. '
        "(0 articles)</li>\n"
        "</ul>\n"
        "</div>\n"
    ) in pages["actors/index.md"]


def test_topics_index(pages):
    assert (
        '\n<div class="dossier-intro">\n<p>2 topics.</p>\n</div>\n\n'
        '<div class="dossier-index">\n'
        "<ul>\n"
        '<li><a href="ferries/">Ferries</a> — A fictional topic used in tests. (2 articles)</li>\n'
        '<li><a href="harbours/">Harbours</a> — Another fictional topic used in tests. '
        "(2 articles)</li>\n"
        "</ul>\n"
        "</div>\n"
    ) in pages["topics/index.md"]


# --- contributor text is escaped ------------------------------------------------------------

HOSTILE = {
    "title": "*Title* [t](javascript:alert(1)) #1 & _u_",
    "author": "*Bold* [x](javascript:alert(1))",
    "publication": "`Gazette` & [p](javascript:alert(2))",
    "section": '!!! note "Section"',
    "summary": "Summary with **stars** and [s](javascript:alert(3)).",
}
HOSTILE_TOPIC = "*Ferries* [f](javascript:alert(4))"
HOSTILE_TOPIC_DESCRIPTION = "_A_ topic; see [d](javascript:alert(5)) & `code`."
HOSTILE_ACTOR_DESCRIPTION = "*A* state [a](javascript:alert(6)) __here__."


@pytest.fixture
def hostile_pages(validated, article) -> dict[str, str]:
    actors = ACTORS.replace("A fictional state used in tests.", f'"{HOSTILE_ACTOR_DESCRIPTION}"')
    topics = (
        "- id: ferries\n"
        f'  name: "{HOSTILE_TOPIC}"\n'
        "  aliases: []\n"
        f'  description: "{HOSTILE_TOPIC_DESCRIPTION}"\n'
    )
    dossier, index = validated(
        {f"{NEWS}.md": article("Northland opened a ferry line.", tags=("ferries",), **HOSTILE)},
        actors=actors,
        topics=topics,
    )
    # Markdown pages only: the data files (feed, bibliography, JSON) are tested in exports.
    return {page.path: page.text for page in render(dossier, index) if page.path.endswith(".md")}


def test_metadata_markup_is_shown_as_literal_text(hostile_pages):
    for path, text in hostile_pages.items():
        rendered = to_html(text)
        assert 'href="javascript' not in rendered, path
        assert "admonition" not in rendered, path
        for tag in ("<em>Bold", "<strong>stars", "<em>Title", "<code>Gazette", "<em>Ferries"):
            assert tag not in rendered, (path, tag)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"articles/{NEWS}.md", [*list(HOSTILE.values())[:4], HOSTILE_TOPIC]),
        ("index.md", [HOSTILE["title"], HOSTILE["author"], HOSTILE["summary"]]),
        ("articles/index.md", [HOSTILE["title"], HOSTILE["author"], HOSTILE["publication"]]),
        ("actors/northland.md", [HOSTILE["title"], HOSTILE_ACTOR_DESCRIPTION]),
        ("actors/index.md", [HOSTILE_ACTOR_DESCRIPTION]),
        ("topics/ferries.md", [HOSTILE_TOPIC, HOSTILE_TOPIC_DESCRIPTION, HOSTILE["summary"]]),
        ("topics/index.md", [HOSTILE_TOPIC, HOSTILE_TOPIC_DESCRIPTION]),
    ],
)
def test_metadata_appears_verbatim_on_each_page(hostile_pages, path, shown):
    text = visible(to_html(hostile_pages[path]))
    for value in shown:
        assert value in text, (path, value)


def test_front_matter_keeps_the_title_html_escaped(hostile_pages):
    meta = front_matter(hostile_pages[f"articles/{NEWS}.md"])
    assert meta == {
        "title": "*Title* [t](javascript:alert(1)) #1 &amp; _u_",
        "description": "Summary with **stars** and [s](javascript:alert(3)).",
    }


def test_front_matter_loads_back_to_the_escaped_values() -> None:
    import html
    import random

    import yaml

    from build_scripts.render import _front_matter

    rng = random.Random(7)
    pieces = [*"ab \"'#:-{}[]&*!|>%@`\\\t\n\r", "\u2028", "\x85", "é", "—", "😀", "\ufeff"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        front = _front_matter(text, text[::-1], boost=2)
        assert front.startswith("---\n") and front.endswith("\n---\n\n")
        loaded = yaml.safe_load(front[len("---\n") : -len("---\n\n")])
        expected = {"title": html.escape(text, quote=False), "search": {"boost": 2}}
        if text:
            expected["description"] = html.escape(text[::-1], quote=True)
        assert loaded == expected, repr(text)


# --- archive pages: every article of a long listing -----------------------------------------

ARCHIVED = {  # date -> how many articles; newest first they fill pages of at most 3
    "2021-06-2": 3,  # June 2021 alone fills a page (2021 has 5: too many for one page)
    "2021-05-1": 1,  # May and April 2021 share one
    "2021-04-1": 1,
    "2020-03-1": 1,  # 2020 and 2019 share one
    "2019-02-1": 1,
}


@pytest.fixture
def archived(validated, article, monkeypatch) -> dict[str, str]:
    from build_scripts import render as rendering

    monkeypatch.setattr(rendering, "LISTING_LIMIT", 2)
    monkeypatch.setattr(rendering, "ARCHIVE_LIMIT", 3)
    monkeypatch.setattr(rendering, "ARTICLES_ON_INDEX", 2)
    files = {}
    for key, count in ARCHIVED.items():
        year, month, day = key.split("-")
        for number in range(count):
            date = f"{year}-{month}-{int(day) + number:02}"
            files[f"{date}-report-{number}.md"] = article(
                f"Northland reported on {date}.", title=f"Report of {date}", date=date
            )
    dossier, index = validated(files, actors=ACTORS, topics=TOPICS)
    return {page.path: page.text for page in render(dossier, index)}


def served(page: str) -> str:
    """Where MkDocs serves a docs-relative ``.md`` page with directory URLs, from the site root:
    ``articles/index.md`` at ``articles/``, ``actors/northland/2021-06.md`` at
    ``actors/northland/2021-06/``, ``index.md`` at the root itself ("")."""
    stem = page.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
    return stem if not stem or stem.endswith("/") else stem + "/"


def lands_on(from_page: str, href: str) -> str:
    """The site path (as ``served`` gives it) that a relative ``href`` on ``from_page`` opens;
    the fragment is kept."""
    url, hash_, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join("/" + served(from_page), url))
    target = joined.lstrip("/") + ("/" if url.endswith("/") and joined != "/" else "")
    return target + hash_ + fragment


@pytest.mark.parametrize(
    ("listing", "base"),
    [
        ("actors/northland.md", "actors/northland"),
        ("authors/test-writer.md", "authors/test-writer"),
        ("topics/ferries.md", "topics/ferries"),
        ("articles/index.md", "articles"),
    ],
)
def test_a_long_listing_puts_every_article_on_archive_pages_of_whole_years_or_months(
    archived, listing, base
):
    names = ["2021-06", "2021-04-to-05", "2019-2020"]
    titles = {
        "2021-06": ["Report of 2021-06-04", "Report of 2021-06-03", "Report of 2021-06-02"],
        "2021-04-to-05": ["Report of 2021-05-01", "Report of 2021-04-01"],
        "2019-2020": ["Report of 2020-03-01", "Report of 2019-02-01"],
    }
    links = re.findall(
        r'^<li><a href="([^"]+)">([^<]+)</a> — (\d+) articles?</li>$', archived[listing], re.M
    )
    shown = [(label, lands_on(listing, href), int(count)) for href, label, count in links]
    assert shown == [
        ("June 2021", served(f"{base}/2021-06.md"), 3),
        ("April–May 2021", served(f"{base}/2021-04-to-05.md"), 2),
        ("2019–2020", served(f"{base}/2019-2020.md"), 2),
    ]
    period = re.compile(rf"{base}/\d{{4}}(-\d{{4}}|-\d\d(-to-\d\d)?)?\.md")
    archive = sorted(path for path in archived if period.fullmatch(path))
    assert archive == sorted(f"{base}/{name}.md" for name in names)
    for name in names:
        text = archived[f"{base}/{name}.md"]
        listed = re.findall(r'<a href="[^"]*">(Report of [^<]*)</a>', text)
        assert listed == titles[name]
        headings = re.findall(r"^#+ .*$", body_of(text), re.M)
        if name == "2019-2020":  # years under the title, then their months
            assert headings[1:] == ["## 2020", "### March 2020", "## 2019", "### February 2019"]
        else:
            assert all(h.startswith("### ") for h in headings[1:])


def test_the_timeline_links_each_month_to_the_archive_page_holding_it(archived):
    timeline = archived["timeline.md"]
    for month, page in [("june-2021", "2021-06"), ("april-2021", "2021-04-to-05")]:
        (target,) = re.findall(rf'<a href="([^"]*#{month})">', timeline)
        assert target == f"../articles/{page}/#{month}"  # timeline.md is served at timeline/
        assert lands_on("timeline.md", target) == f"articles/{page}/#{month}"
        assert f"### {month.replace('-', ' ').title()}" in archived[f"articles/{page}.md"]
