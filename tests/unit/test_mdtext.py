"""mdtext: escaping, plain text, sentences, raw HTML and link safety."""

from __future__ import annotations

import html
import random
import re

import markdown
import pytest

from build_scripts import mdtext

# The extensions the site renders with (mkdocs.yml plus MkDocs' built-in ones).
EXTENSIONS = ["toc", "admonition", "tables", "footnotes", "fenced_code"]


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def visible(fragment: str) -> str:
    """The text a reader sees in an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


# --- escape ---------------------------------------------------------------------------------

TRICKY = [
    "*Bold* [x](javascript:alert(1))",
    "_under_ __double__ ***triple***",
    "# not a heading",
    "1. not a list",
    "- not a list either",
    "+ nor this",
    "> not a quote",
    '!!! note "not an admonition"',
    "[^1] is not a footnote",
    "![not an image](x.png)",
    "<b>not bold</b> <script>alert(1)</script>",
    "<!-- not a comment -->",
    "<https://example.org/not-an-autolink>",
    "&amp; &lt; &#42; & && &",
    "back\\slash \\* \\\\ ` `` ``` `code`",
    "{curly} (round) [square]",
    "a | b | c",
    "--- *** ___",
    "snake_case_name and 2 * 3 - 1 + 4 = 6.",
    "C# ##",
    "Ends with a backslash \\",
    "Trailing #",
]


@pytest.mark.parametrize("text", TRICKY)
def test_escape_renders_as_exactly_the_original_text(text):
    rendered = to_html(mdtext.escape(text))
    assert visible(rendered).strip() == text
    assert re.fullmatch(r"<p>.*</p>", rendered, re.S), rendered


def test_escape_round_trip_on_random_strings_of_special_characters():
    alphabet = "*_[]()#`\\<>&{}!+-. |~:=abc1\"'"
    generator = random.Random(20210614)
    failures = []
    for _ in range(400):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(1, 24)))
        shown = visible(to_html(mdtext.escape(text)))
        if shown.strip() != " ".join(text.split()):
            failures.append((text, mdtext.escape(text), shown))
    assert failures == []


def test_escape_output_exactly():
    assert mdtext.escape("*a* [b](c) #1 <i> & x!") == r"\*a\* \[b\]\(c\) \#1 &lt;i&gt; &amp; x\!"


def test_escape_collapses_white_space_but_keeps_one_space_at_the_ends():
    assert mdtext.escape("  a\n\tb   c ") == " a b c "


def test_escaped_pieces_can_be_joined_around_markup():
    rendered = to_html("**" + mdtext.escape("*x*") + "**" + mdtext.escape(" and _y_"))
    assert rendered == "<p><strong>*x*</strong> and _y_</p>"


# --- plain ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("**Bold** and _italic_ and ***both***", "Bold and italic and both"),
        ("[link text](https://example.org/a) and ![alt](x.png)", "link text and alt"),
        ("[reference text][ref] here", "reference text here"),
        ("a `code span` and ``more code``", "a code span and more code"),
        ("AT&amp;T &lt;b&gt; &#42;", "AT&T <b> *"),
        ("first line\nsecond   line", "first line second line"),
        ("> quoted text", "quoted text"),
        ("- item text", "item text"),
        ("3. numbered item", "numbered item"),
        (r"not \[a link\]\(x\) \# \+ \- \!", "not [a link](x) # + - !"),
        ("snake_case_name", "snake_case_name"),
        ("  padded  ", "padded"),
    ],
)
def test_plain(source, text):
    assert mdtext.plain(source) == text


def test_plain_keeps_backslash_escaped_asterisks():
    assert mdtext.plain(r"an \*escaped\* \_word\_") == "an *escaped* _word_"


def test_plain_keeps_an_escaped_number_at_the_start_of_a_line():
    assert to_html(r"1986\. A good year.") == "<p>1986. A good year.</p>"
    assert mdtext.plain(r"1986\. A good year.") == "1986. A good year."


def test_plain_keeps_a_lone_asterisk_that_markdown_shows():
    assert to_html("2 * 3 = 6") == "<p>2 * 3 = 6</p>"
    assert mdtext.plain("2 * 3 = 6") == "2 * 3 = 6"


# --- sentences ------------------------------------------------------------------------------


def sentence_at(text: str, word: str, start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    bounds = mdtext.sentence_bounds(text, start, end, text.index(word, start))
    return text[slice(*bounds)]


PARAGRAPH = (
    "Gen. Smith met Dr. Jones in the U.S. capital. "
    'Mr. Brown said "Stop." Was it true? It was! '
    "Prices rose 3.5 per cent, e.g. for bread. Then nothing."
)


@pytest.mark.parametrize(
    ("word", "sentence"),
    [
        ("Smith", "Gen. Smith met Dr. Jones in the U.S. capital."),
        ("capital", "Gen. Smith met Dr. Jones in the U.S. capital."),
        ("Brown", 'Mr. Brown said "Stop."'),
        ("Was", "Was it true?"),
        ("It was", "It was!"),
        ("Prices", "Prices rose 3.5 per cent, e.g. for bread."),
        ("nothing", "Then nothing."),
    ],
)
def test_sentence_bounds(word, sentence):
    assert sentence_at(PARAGRAPH, word) == sentence


def test_sentence_bounds_stay_inside_the_given_range():
    text = "Outside one. Inside starts here. Inside ends. Outside two."
    start, end = text.index("Inside"), text.index(" Outside two")
    assert sentence_at(text, "starts", start, end) == "Inside starts here."
    assert sentence_at(text, "ends", start, end) == "Inside ends."


def test_lowercase_after_a_full_stop_does_not_start_a_sentence():
    assert sentence_at("It cost 3 min. more than planned. Next.", "more") == (
        "It cost 3 min. more than planned."
    )


@pytest.mark.parametrize(
    ("body", "first"),
    [
        ("First one. Second one.", "First one."),
        ("## A heading\n\nFirst one. Second one.", "First one."),
        ("```\ncode. Here.\n```\n\nFirst one. Second.", "First one."),
        ("\n\n  **Bold** start of [a link](https://example.org). Next.", "Bold start of a link."),
        ("Gen. Smith spoke in the U.S. today. Then left.", "Gen. Smith spoke in the U.S. today."),
        ("Only one sentence without a stop", "Only one sentence without a stop"),
        ("", ""),
        ("## Only a heading", ""),
    ],
)
def test_first_sentence(body, first):
    assert mdtext.first_sentence(body) == first


def test_first_sentence_skips_setext_heading():
    assert mdtext.first_sentence("A heading\n=========\n\nFirst one. Second.") == "First one."


def test_first_sentence_of_paragraph_right_under_a_heading():
    body = "## A heading\nFirst one. Second.\n\nLater paragraph."
    assert to_html(body) == '<h2 id="a-heading">A heading</h2>\n<p>First one. Second.</p>\n' + (
        "<p>Later paragraph.</p>"
    )
    assert mdtext.first_sentence(body) == "First one."


# --- raw HTML -------------------------------------------------------------------------------


def test_escape_html_outside_code_exact():
    source = "<script>alert(1)</script> and `a < b` and <b>x</b>"
    assert mdtext.escape_html_outside_code(source) == (
        "&lt;script>alert(1)&lt;/script> and `a < b` and &lt;b>x&lt;/b>"
    )


def test_escape_html_outside_code_renders_tags_as_text_and_keeps_code():
    source = "Say <script>alert(1)</script> and `a < b`.\n\n```\nif a < b:\n```"
    rendered = to_html(mdtext.escape_html_outside_code(source))
    assert "<script" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<code>a &lt; b</code>" in rendered
    assert "<pre><code>if a &lt; b:\n</code></pre>" in rendered
    assert "&amp;lt;" not in rendered


def test_escape_html_outside_code_keeps_indented_code():
    rendered = to_html(mdtext.escape_html_outside_code("Text.\n\n    if a < b:\n\nMore."))
    assert "<pre><code>if a &lt; b:\n</code></pre>" in rendered


# --- link safety ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x61;script:alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&colon;alert(1)",
        " java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_unsafe_urls(url):
    assert mdtext.unsafe_url(url) is True


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/a",
        "https://example.org/a?b=c#d",
        "HTTPS://EXAMPLE.ORG/",
        "mailto:someone@example.org",
        "../actors/northland.md",
        "relative/page.md",
        "/absolute/path",
        "#x",
        "",
    ],
)
def test_safe_urls(url):
    assert mdtext.unsafe_url(url) is False


def test_inline_code_spans_are_what_markdown_makes_code() -> None:
    """On one paragraph of backticks, backslashes and words, the spans found are the code
    Python-Markdown renders, unless the scanner declines to say (an uneven region)."""
    rng = random.Random(11)
    alphabet = ["`", "``", "```", "\\", "\\\\", "a", " ", "x y", "~", "|"]
    compared = 0
    for _ in range(6_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))).strip()
        spans, uneven = mdtext._inline_scan(text)
        if uneven or not text:
            continue
        ours = [_code_text(text[start:end]) for start, end in spans]
        made = re.findall(r"<code>(.*?)</code>", to_html("x " + text))
        assert [html.unescape(code) for code in made] == ours, repr(text)
        compared += 1
    assert compared > 4_000


def test_table_cells_are_cut_where_the_tables_extension_cuts_them() -> None:
    from markdown.extensions.tables import TableProcessor

    splitter = TableProcessor(markdown.Markdown(extensions=["tables"]).parser, {})
    rng = random.Random(3)
    alphabet = ["`", "``", "```", "\\", "\\\\", "|", "\\|", "a", " "]
    for _ in range(20_000):
        row = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        cells, position = [], 0
        for pipe in [*mdtext._cell_pipes(row, 0, len(row)), len(row)]:
            cells.append(row[position:pipe])
            position = pipe + 1
        assert cells == splitter._split(row), repr(row)


def _code_text(span: str) -> str:
    """What Markdown shows of a code span: the text between its backtick runs, stripped."""
    ticks = len(span) - len(span.lstrip("`"))
    return span[ticks:-ticks].strip()


# Pieces of hostile Markdown: block openers, fences, tags, references, tables.
HOSTILE_PIECES = [
    "`",
    "``",
    "```",
    "~~~",
    "```py",
    "\n",
    "\n",
    "\n\n",
    "    ",
    "  ",
    "# ",
    "> ",
    "- ",
    "1. ",
    "!!! note",
    "---",
    "===",
    "[^1]: ",
    "[^1]",
    "[x]: javascript:alert(1)",
    "[c][x]",
    "[c](javascript:x)",
    "<b>x</b>",
    "<section>",
    "</section>",
    "<!-- c -->",
    "<script>alert(1)</script>",
    "a",
    " b ",
    "|",
    "\\",
    "*",
    "_",
    "{",
    "}",
    '"',
    "x | y\n--|--\n",
    "<",
    "&lt;",
    "&",
    "\t",
    "\\`",
    "&#x;",
    "&#65;",
    "| `a | b` |",
]
RAW_IN_OUTPUT = re.compile(
    r"<(?:b|i|script|span|iframe|section|details)\b|<!--|href=\"javascript", re.I
)


@pytest.mark.parametrize("seed", range(4))
def test_what_validation_lets_through_reaches_markdown_as_text_or_code(seed: int) -> None:
    """Random hostile bodies: whenever validation's body checks find nothing, escaping and
    Python-Markdown leave no tag, comment or javascript: link of the text in the HTML.
    Tags are mostly put inside backticks, over lines, after block openers, in tables."""
    rng = random.Random(seed)
    accepted = 0
    for _ in range(5_000):
        parts = []
        for _ in range(rng.randint(1, 30)):
            piece = rng.choice(HOSTILE_PIECES)
            if piece.startswith("<") and rng.random() < 0.7:
                ticks = "`" * rng.choice((1, 1, 1, 2, 3))
                around = rng.choice(("", "", "\n", "\n# ", "\n> ", "|"))
                piece = ticks + piece + around + ticks
            parts.append(piece)
        text = "".join(parts)
        if (
            any(mdtext.raw_html(text))
            or any(mdtext.unsafe_url(url) for _, url in mdtext.link_destinations(text))
            or mdtext.tags_opening_lines_in_code(text)
            or mdtext.html_scanner_traps(text)
        ):
            continue  # refused: validation names it
        accepted += 1
        rendered = to_html(mdtext.escape_html_outside_code(text))
        assert not RAW_IN_OUTPUT.search(rendered), (text, rendered)
    assert accepted > 800


# Code that runs over lines, whose lines Markdown would otherwise read as blocks of their own.
OVER_LINES = {
    "html_block": "Text `a\n<div>x</div>` more.",
    "script": "Text `a\n<script>alert(1)</script>` more.",
    "heading": "Text `a\n# <b>x</b>` more.",
    "quote": "Text `a\n> b <i>c</i>` more.",
    "rule": "Text `a\nb <b>x</b>\n---\nc` d",
    "heading_above": "# T `a\nb <b>x</b>` more",
    "admonition": "Text `a\n!!! note\n    <b>x</b>` more.",
    "list": "- `a\n- <b>x</b>` more.",
    "comment": "Text `a\n<!-- c -->` more.",
    "reference": "Text `a\n[x]: javascript:alert(1)\n` and [click][x].",
}


@pytest.mark.parametrize("name", sorted(OVER_LINES))
def test_code_over_lines_is_code_to_markdown(name: str) -> None:
    text = OVER_LINES[name]
    assert not any(mdtext.raw_html(text))
    rendered = to_html(mdtext.escape_html_outside_code(text))
    code = re.findall(r"<code>(.*?)</code>", rendered, re.S)
    assert len(code) == 1 and "\n" not in code[0], rendered
    assert not RAW_IN_OUTPUT.search(rendered), rendered
    assert ("<h1" in rendered) == (name == "heading_above"), rendered


def test_fences_are_what_fenced_code_takes() -> None:
    text = "~~~\n```\n<b>\n```\n```python extra\nx\n```{ .a }\ny\n```{ .a }\n"
    assert mdtext.block_code_spans(text) == [(4, 15)]  # the ``` block; ~~~ never closes
    assert mdtext.unclosed_fences(text) == [0, 34, 46]  # "```python extra" opens nothing
    assert mdtext.block_code_spans("```py\n<b>\n```  ") == [(0, 15)]


@pytest.mark.parametrize(
    "text",
    [
        "a<b `x<y` c<d e",
        "plain",
        "<<",
        "```\n<a>\n```\n<b> end",
        "    <indented>\n\n<p> and `<code>` then <",
        "",
    ],
)
def test_escape_html_outside_code_at_follows_every_offset(text: str) -> None:
    escaped, moved = mdtext.escape_html_outside_code_at(text, list(range(len(text) + 1)))
    assert escaped == mdtext.escape_html_outside_code(text)
    assert moved[-1] == len(escaped)
    assert moved == sorted(set(moved))
    for offset, now in enumerate(moved[:-1]):
        character = text[offset]
        assert escaped[now] == character or (character == "<" and escaped[now : now + 4] == "&lt;")
