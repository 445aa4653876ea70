"""The dossier's data model: frozen dataclasses with every field named and typed.

Cross-references are ids (slugs); nothing here points back at anything else. The schema of
each record lives next to it as data (``ARTICLE_FIELDS`` and friends) so that validation,
documentation and tests read the same table.
"""

from __future__ import annotations

import array
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ARTICLE_KINDS = ("news", "op-ed")
# The headings render puts on every article page after the body; a body's own #anchor link
# may point at them too.
ARTICLE_SECTION_ANCHORS = (
    "topics",
    "actors-named",
    "quotes",
    "events-reported",
    "related-reading",
    "source",
    "cite-this",
)
ACTOR_KINDS = ("person", "state", "institution", "military", "armed-group", "organisation")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located at a file and line."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class Node:
    """A loaded YAML value with the line it starts on.

    ``value`` is a plain Python value for scalars (``raw`` keeps the scalar's source text and
    ``tag`` the type YAML resolved), a ``dict[str, Node]`` for mappings, a ``list[Node]`` for
    sequences.
    """

    value: Any
    line: int
    tag: str = ""
    raw: str = ""


@dataclass(frozen=True)
class SourceFile:
    """A file of the dossier as loaded: its parsed YAML (or None) and, for articles, the body."""

    path: str  # path as shown to people, relative to the working directory when possible
    rel: str  # path relative to the dossier folder, with forward slashes
    data: Node | None
    body: str = ""
    body_line: int = 1  # file line of the body's first line


@dataclass(frozen=True)
class Loaded:
    """Everything read from a dossier folder before any validation."""

    root: str
    articles: tuple[SourceFile, ...]
    actors: SourceFile | None
    topics: SourceFile | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    description: str
    path: str
    line: int
    # Names this actor shares with another actor on purpose ("Georgia"); never linked,
    # since the text alone cannot tell which actor is meant.
    shared_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    aliases: tuple[str, ...]
    description: str
    path: str
    line: int


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; shown no more precisely than known."""

    year: int
    month: int = 0  # 0: not known
    day: int = 0  # 0: not known

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def iso(self) -> str:
        """ "2020", "2020-01" or "2020-01-05"."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day)


@dataclass(frozen=True)
class Quote:
    """A passage of an article's body, attributed to an actor."""

    speaker: str  # actor id
    text: str  # occurs verbatim in the article's text
    context: str
    line: int


@dataclass(frozen=True)
class Event:
    """Something that happened, as an article reports it."""

    date: PartialDate
    wording: str  # how the article words the date ("In early January"), or ""
    summary: str
    actors: tuple[str, ...]  # actor ids
    line: int


@dataclass(frozen=True)
class Article:
    slug: str  # the file name without ".md": "2020-04-03-some-title"
    path: str
    rel: str
    title: str
    kind: str
    author: str
    date: datetime.date
    publication: str
    section: str
    url: str
    tags: tuple[str, ...]  # the source's tags, verbatim
    tag_topics: tuple[str, ...]  # topic id each tag resolves to, same order as tags
    topics: tuple[str, ...]  # every topic id of the article: tags' topics, then curator's
    disclaimer: str
    disclaimer_cut_off: bool
    summary: str
    body: str
    body_line: int
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def is_opinion(self) -> bool:
        return self.kind == "op-ed"


@dataclass(frozen=True)
class Dossier:
    """The validated dossier: articles newest first, registries in file order."""

    root: str
    articles: tuple[Article, ...]
    actors: tuple[Actor, ...]
    topics: tuple[Topic, ...]
    actors_by_id: dict[str, Actor] = field(default_factory=dict)
    topics_by_id: dict[str, Topic] = field(default_factory=dict)


# --- Rendered pages ------------------------------------------------------------------------
# What render returns and publish hands MkDocs. Here, not in render, so that the site build's
# MkDocs process can hold pages without importing the rendering and its libraries.

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"


class Page:
    """A rendered page: ``path``, where it goes, relative to the docs folder
    ("actors/iran.md"); ``text``, its Markdown (or a data file's text); ``source``, the dossier
    file it is made from, relative to the dossier folder ("" if none); ``links``, where the
    text has the links render wrote to actor pages in an article's body (``link_spans``);
    ``headings``, where it has the headings render wrote (``heading_spans``), found from
    ``own_from`` on: an article page's come after the contributor's text; ``body``, where the
    contributor's text is (one span, as ``link_spans`` records them; b"" for none), in which
    nothing is taken for a block render wrote (publish); ``own``, whether
    all of the text is render's (``own_from`` 0), which the site build converts with little or
    no Markdown (publish).

    The text is held as UTF-8 (``data``) and decoded when asked for: a str with one character
    past Latin-1 (a dash, a curly quote) takes two bytes a character, and the pages of a
    10,000-article dossier, all held until MkDocs takes them, are about 300 MB of text."""

    __slots__ = ("body", "data", "headings", "links", "own", "path", "source")

    def __init__(
        self,
        path: str,
        text: str,
        source: str,
        links: bytes = b"",
        own_from: int = 0,
        body: bytes = b"",
    ) -> None:
        self.path = path
        self.data = text.encode("utf-8")
        self.source = source
        self.links = links
        self.headings = heading_spans(text, own_from) if path.endswith(".md") else b""
        self.own = own_from == 0
        self.body = body

    @classmethod
    def of_data(cls, path: str, data: bytes, source: str) -> Page:
        """The page of a text already encoded as UTF-8."""
        page = cls.__new__(cls)
        page.path, page.data, page.source, page.links, page.headings = path, data, source, b"", b""
        page.own, page.body = True, b""
        return page

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def _key(self) -> tuple[str, bytes, str, bytes, bytes, bytes]:
        return (self.path, self.data, self.source, self.links, self.headings, self.body)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Page) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Page(path={self.path!r}, {len(self.data)} bytes, source={self.source!r})"


# A link text that Markdown shows exactly as typed: the only links ``Page.links`` records and
# publish makes without Markdown.
PLAIN_LINK_TEXT = re.compile(r"[^\\`*_\[\]()<>&!#|~{}\n\"=+^$@%]+")


def link_spans(text: str, spans: list[tuple[int, int]]) -> bytes:
    """``Page.links`` of ``text``: each span (start, end) counted back from the text's end, in
    characters, so it still holds once MkDocs has cut the front matter off."""
    size = len(text)
    return array.array("I", [size - i for span in spans for i in span]).tobytes()


# A heading render writes (a page's title, levels 1 to 6) whose text Markdown shows exactly as
# typed: no character Markdown or HTML reads, no space at either end. ``Page.headings`` records
# where each is, and the site build makes its HTML without Markdown (publish).
HEADING_TEXT = r"[^\s\\`*_\[\]<>&#|~{}](?:[^\n\\`*_\[\]<>&#|~{}]*[^\s\\`*_\[\]<>&#|~{}])?"
OWN_HEADING = re.compile(rf"^(#{{1,6}}) ({HEADING_TEXT})$", re.M)


def heading_spans(text: str, start: int = 0) -> bytes:
    """``Page.headings`` of a page's ``text``: its plain headings from ``start`` on, as
    ``link_spans`` records spans."""
    if "\n#" not in text:
        return b""
    # Each line that starts with "#", found by ``str.find``: several times faster than letting
    # the pattern's "^" try every position of the page.
    spans = []
    if start == 0 or text[start - 1] == "\n":
        match = OWN_HEADING.match(text, start)
        if match:
            spans.append(match.span())
    line = text.find("\n#", start)
    while line >= 0:
        match = OWN_HEADING.match(text, line + 1)
        if match:
            spans.append(match.span())
        line = text.find("\n#", line + 1)
    return link_spans(text, spans)


def spans_of(links: bytes, text: str) -> list[tuple[int, int]]:
    """The spans ``link_spans`` recorded, as (start, end) in ``text``: the same text, or what
    MkDocs keeps of it after its front matter."""
    counts = array.array("I")
    counts.frombytes(links)
    return [(len(text) - counts[i], len(text) - counts[i + 1]) for i in range(0, len(counts), 2)]


LISTING_CLASS = "dossier-listing"  # search indexes the pages listed, not the lists
# One such list in a page's Markdown or HTML (``render.html_list``: one item a line).
LISTING_BLOCK = re.compile(rf'^<ul class="{LISTING_CLASS}">\n.*?\n</ul>$', re.S | re.M)
# Every raw HTML block render writes, each already escaped: the lists, the network drawings
# (``network.py``) and an article page's byline, source and reference (``render.raw_paragraphs``),
# each a ``<div class="dossier-...">`` of one element a line. ``publish`` keeps them out of
# Markdown's way.
RAW_BLOCK = re.compile(
    rf'^(?:<ul class="{LISTING_CLASS}">\n.*?\n</ul>'
    r'|<div class="dossier-[^"\n]*">\n.*?\n</div>)$',
    re.S | re.M,
)
# A block's first line (the lookbehinds are RAW_BLOCK's "^": a pattern that starts with "<"
# lets the regex engine jump from one "<" to the next).
_BLOCK_OPENING = re.compile(
    rf'<(?:(?<=\n<)|(?<=\A<))(?:(ul) class="{LISTING_CLASS}"|(div) class="dossier-[^"\n]*")>\n'
)


def raw_block_spans(text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``RAW_BLOCK.finditer(text)``, each block's end found by ``str.find``:
    several times faster than the pattern's ``.*?``, which tries its end after every
    character (this runs over every generated page of the site)."""
    position = 0
    while (opening := _BLOCK_OPENING.search(text, position)) is not None:
        closing = f"\n</{opening.group(1) or opening.group(2)}>"
        end = text.find(closing, opening.end())
        while end >= 0 and text[end + len(closing) : end + len(closing) + 1] not in ("", "\n"):
            end = text.find(closing, end + 1)
        if end < 0:  # never closed: no block starts here
            position = opening.start() + 1
            continue
        position = end + len(closing)
        yield opening.start(), position
