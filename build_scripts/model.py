"""The dossier's data model: frozen dataclasses with every field named and typed.

Cross-references are ids (slugs); nothing here points back at anything else. The schema of
each record lives next to it as data (``ARTICLE_FIELDS`` and friends) so that validation,
documentation and tests read the same table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

ARTICLE_KINDS = ("news", "op-ed")
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
