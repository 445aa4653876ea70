"""Stage 2, validate: turn loaded files into the typed model and report every problem.

Each record type has a field table (``ARTICLE_FIELDS``, ``ACTOR_FIELDS``, ``TOPIC_FIELDS``):
key, whether it is required, and the parser that checks it. Text fields take the scalar exactly
as typed, so YAML 1.1 surprises (``NO`` becoming false, ``1.10`` becoming 1.1) cannot change a
title or a tag. Every problem is ``path:line: message``; one bad file or record never hides
the others. It does not find mentions (``link``) or write anything.
"""

from __future__ import annotations

import datetime
import difflib
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from build_scripts import mdtext
from build_scripts.halves import Each, serially
from build_scripts.model import (
    ACTOR_KINDS,
    ARTICLE_KINDS,
    ARTICLE_SECTION_ANCHORS,
    Actor,
    Article,
    Dossier,
    Event,
    Loaded,
    Node,
    PartialDate,
    Problem,
    Quote,
    SourceFile,
    Topic,
)
from build_scripts.slugs import slugify

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ARTICLE_NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ALIAS_RE = re.compile(r"^[^\W_](?:[\w .'’&-]*[\w.])?$")
UNSAFE_TEXT_RE = re.compile(r"[<>\x00-\x08\x0b-\x1f\x7f]|&#?[A-Za-z0-9]+;")
LABEL_RE = re.compile(r"^(?:op-?ed|opinion|analysis|editorial|comment)\s*:", re.I)
RESERVED_IDS = ("index",)  # the listing page of each folder
SCALAR_TAGS = ("str", "int", "float", "bool", "timestamp", "null")
MAX_TEXT = 2000


class Invalid(Exception):
    """A field's value is wrong; the message says what was expected and what came."""


def _describe(node: Node) -> str:
    if node.tag == "map":
        return "a mapping"
    if node.tag == "seq":
        return "a list"
    return repr(node.raw)


def parse_text(node: Node) -> str:
    if node.tag not in SCALAR_TAGS or node.tag == "null":
        raise Invalid(f"expected text but got {_describe(node)}")
    text = node.raw.strip()
    if not text:
        raise Invalid("expected text but got an empty value")
    if "\n" in text:
        raise Invalid("expected one line of text but got several lines")
    if len(text) > MAX_TEXT:
        raise Invalid(f"expected at most {MAX_TEXT} characters but got {len(text)}")
    bad = UNSAFE_TEXT_RE.search(text)
    if bad:
        raise Invalid(
            f"text may not contain {bad.group(0)!r} (no HTML, entities or control characters: "
            "type the character itself)"
        )
    return text


def parse_id(node: Node) -> str:
    text = parse_text(node)
    if not ID_RE.match(text):
        raise Invalid(
            f"expected an id of lowercase letters, digits and single hyphens but got {text!r}"
        )
    if text in RESERVED_IDS:
        raise Invalid(f"{text!r} is reserved for the listing page; choose another id")
    return text


def parse_kind(choices: tuple[str, ...]) -> Callable[[Node], str]:
    def parse(node: Node) -> str:
        text = parse_text(node)
        if text not in choices:
            hint = _did_you_mean(text, choices)
            raise Invalid(f"expected one of {', '.join(choices)} but got {text!r}{hint}")
        return text

    return parse


def parse_date(node: Node) -> datetime.date:
    raw = node.raw.strip() if node.tag in SCALAR_TAGS else ""
    if not DATE_RE.match(raw):
        raise Invalid(f"expected a date as YYYY-MM-DD but got {_describe(node)}")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"expected a real calendar date but got {raw!r} (no such day)") from None


PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(node: Node) -> PartialDate:
    raw = node.raw.strip() if node.tag in SCALAR_TAGS else ""
    match = PARTIAL_DATE_RE.match(raw)
    if not match:
        raise Invalid(f"expected YYYY, YYYY-MM or YYYY-MM-DD but got {_describe(node)}")
    year, month, day = (int(part) if part else 0 for part in match.groups())
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        raise Invalid(f"expected a real calendar date but got {raw!r} (no such day)") from None
    return PartialDate(year, month, day)


def parse_records(node: Node) -> tuple[Node, ...]:
    """A list of mappings; each is checked against its own field table by the caller."""
    if node.tag != "seq":
        raise Invalid(f"expected a list but got {_describe(node)}")
    for position, element in enumerate(node.value, 1):
        if element.tag != "map":
            raise Invalid(
                f"item {position}: expected a mapping of keys but got {_describe(element)}"
            )
    return tuple(node.value)


def parse_bool(node: Node) -> bool:
    if node.tag != "bool" or node.raw not in ("true", "false"):
        raise Invalid(f"expected true or false but got {_describe(node)}")
    return node.raw == "true"


def parse_url(node: Node) -> str:
    text = parse_text(node)
    if not re.match(r"^https?://[^\s\"'`]+$", text, re.I):
        raise Invalid(f"expected an http:// or https:// address but got {text!r}")
    return text


def parse_list(item: Callable[[Node], Any]) -> Callable[[Node], tuple[Any, ...]]:
    def parse(node: Node) -> tuple[Any, ...]:
        if node.tag == "null":
            return ()
        if node.tag != "seq":
            raise Invalid(f"expected a list but got {_describe(node)}")
        values = []
        for position, element in enumerate(node.value, 1):
            try:
                values.append(item(element))
            except Invalid as error:
                raise Invalid(f"item {position}: {error}") from None
        return tuple(values)

    return parse


def parse_alias(node: Node) -> str:
    text = parse_text(node)
    if not ALIAS_RE.match(text):
        raise Invalid(
            "expected an alias of letters, digits, spaces and . - ' & only "
            f"(starting with a letter or digit) but got {text!r}"
        )
    return text


@dataclass(frozen=True)
class Field:
    key: str
    required: bool
    parse: Callable[[Node], Any]
    default: Any = None


ARTICLE_FIELDS = (
    Field("title", True, parse_text),
    Field("kind", True, parse_kind(ARTICLE_KINDS)),
    Field("author", True, parse_text),
    Field("date", True, parse_date),
    Field("publication", True, parse_text),
    Field("section", False, parse_text, ""),
    Field("url", False, parse_url, ""),
    Field("tags", True, parse_list(parse_text)),
    Field("topics", False, parse_list(parse_id), ()),
    Field("disclaimer", False, parse_text, ""),
    Field("disclaimer_cut_off", False, parse_bool, False),
    Field("summary", False, parse_text, ""),
    Field("quotes", False, parse_records, ()),
    Field("events", False, parse_records, ()),
)
QUOTE_FIELDS = (
    Field("speaker", True, parse_id),
    Field("text", True, parse_text),
    Field("context", False, parse_text, ""),
)
EVENT_FIELDS = (
    Field("date", True, parse_partial_date),
    Field("wording", False, parse_text, ""),
    Field("summary", True, parse_text),
    Field("actors", False, parse_list(parse_id), ()),
)
ACTOR_FIELDS = (
    Field("id", True, parse_id),
    Field("name", True, parse_alias),
    Field("kind", True, parse_kind(ACTOR_KINDS)),
    Field("aliases", False, parse_list(parse_alias), ()),
    Field("shared_aliases", False, parse_list(parse_alias), ()),
    Field("description", True, parse_text),
)
TOPIC_FIELDS = (
    Field("id", True, parse_id),
    Field("name", True, parse_text),
    Field("aliases", False, parse_list(parse_text), ()),
    Field("description", True, parse_text),
)


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {choice.casefold(): choice for choice in choices}
        close = [lowered[word.casefold()]] if word.casefold() in lowered else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def read_record(
    node: Node, fields: tuple[Field, ...], path: str, problems: list[Problem], what: str
) -> dict[str, Any] | None:
    """Check one mapping against a field table; return parsed values, or None if any is bad."""
    if node.tag != "map":
        problems.append(Problem(path, node.line, f"{what}: expected a mapping of keys"))
        return None
    keys = {spec.key for spec in fields}
    values: dict[str, Any] = {}
    ok = True
    for key, child in node.value.items():
        if key not in keys:
            hint = _did_you_mean(key, sorted(keys))
            problems.append(Problem(path, child.line, f"unknown key '{key}'{hint}"))
            ok = False
    for spec in fields:
        child = node.value.get(spec.key)
        if child is None or (child.tag == "null" and spec.required):
            if spec.required:
                problems.append(
                    Problem(path, node.line, f"{what}: missing required key '{spec.key}'")
                )
                ok = False
            else:
                values[spec.key] = spec.default
            continue
        if child.tag == "null":
            values[spec.key] = spec.default
            continue
        try:
            values[spec.key] = spec.parse(child)
        except Invalid as error:
            problems.append(Problem(path, child.line, f"{spec.key}: {error}"))
            ok = False
    return values if ok else None


def _key_line(node: Node, key: str) -> int:
    child = node.value.get(key) if node.tag == "map" else None
    return child.line if child else node.line


@dataclass(frozen=True)
class _Registry:
    items: list[tuple[dict[str, Any], Node]]


def _read_registry(
    source: SourceFile | None, fields: tuple[Field, ...], what: str, problems: list[Problem]
) -> _Registry:
    items: list[tuple[dict[str, Any], Node]] = []
    if source is None or source.data is None:
        return _Registry(items)
    if source.data.tag != "seq":
        problems.append(Problem(source.path, source.data.line, f"expected a list of {what}s"))
        return _Registry(items)
    seen: dict[str, int] = {}
    for node in source.data.value:
        values = read_record(node, fields, source.path, problems, what)
        if values is None:
            continue
        if values["id"] in seen:
            problems.append(
                Problem(
                    source.path,
                    _key_line(node, "id"),
                    f"duplicate {what} id '{values['id']}' (first on line {seen[values['id']]})",
                )
            )
            continue
        seen[values["id"]] = _key_line(node, "id")
        items.append((values, node))
    return _Registry(items)


def _check_aliases(
    records: list[tuple[str, list[str], str, int]], fold: bool, what: str, problems: list[Problem]
) -> dict[str, tuple[str, int]]:
    """Every name and alias belongs to one record only (``fold``: compare case-insensitively).

    Returns the owner (id, line) of each name, keyed as compared.
    """
    owner: dict[str, tuple[str, int]] = {}
    for record_id, names, path, line in records:
        for name in dict.fromkeys(names):
            key = name.casefold() if fold else name
            if key in owner and owner[key][0] != record_id:
                other_id, other_line = owner[key]
                hint = " (if both are meant, list it under shared_aliases of each)" * (
                    what == "actor"
                )
                problems.append(
                    Problem(
                        path,
                        line,
                        f"alias '{name}' of {what} '{record_id}' is already used by "
                        f"{what} '{other_id}' (line {other_line}); an alias must name one "
                        f"{what}{hint}",
                    )
                )
            else:
                owner.setdefault(key, (record_id, line))
    return owner


def _check_shared_aliases(
    actors: tuple[Actor, ...], owner: dict[str, tuple[str, int]], problems: list[Problem]
) -> None:
    declared: dict[str, list[Actor]] = {}
    for actor in actors:
        for alias in dict.fromkeys(actor.shared_aliases):
            declared.setdefault(alias, []).append(actor)
    for alias, sharing in declared.items():
        if alias in owner:
            other_id, other_line = owner[alias]
            problems.append(
                Problem(
                    sharing[0].path,
                    sharing[0].line,
                    f"shared alias '{alias}' of actor '{sharing[0].id}' is a linked alias of "
                    f"actor '{other_id}' (line {other_line}); declare it shared there too",
                )
            )
        elif len(sharing) == 1:
            problems.append(
                Problem(
                    sharing[0].path,
                    sharing[0].line,
                    f"shared alias '{alias}' of actor '{sharing[0].id}' is used by no other "
                    "actor; make it a plain alias so it is linked",
                    "warning",
                )
            )


def validate_actors(source: SourceFile | None, problems: list[Problem]) -> tuple[Actor, ...]:
    registry = _read_registry(source, ACTOR_FIELDS, "actor", problems)
    assert source is not None or not registry.items
    actors = tuple(
        Actor(
            id=values["id"],
            name=values["name"],
            kind=values["kind"],
            aliases=values["aliases"],
            description=values["description"],
            path=source.path,
            line=node.line,
            shared_aliases=values["shared_aliases"],
        )
        for values, node in registry.items
    )
    owner = _check_aliases(
        [(a.id, [a.name, *a.aliases], a.path, a.line) for a in actors], False, "actor", problems
    )
    _check_shared_aliases(actors, owner, problems)
    return actors


def validate_topics(source: SourceFile | None, problems: list[Problem]) -> tuple[Topic, ...]:
    registry = _read_registry(source, TOPIC_FIELDS, "topic", problems)
    topics = tuple(
        Topic(
            id=values["id"],
            name=values["name"],
            aliases=values["aliases"],
            description=values["description"],
            path=source.path,
            line=node.line,
        )
        for values, node in registry.items
    )
    _check_aliases(
        [(t.id, [t.id, t.name, *t.aliases], t.path, t.line) for t in topics],
        True,
        "topic",
        problems,
    )
    return topics


def topic_resolver(topics: tuple[Topic, ...]) -> dict[str, str]:
    """Map every id, name and alias (case-folded, spaces collapsed) to its topic id."""
    table: dict[str, str] = {}
    for topic in topics:
        for name in (topic.id, topic.name, *topic.aliases):
            table.setdefault(fold(name), topic.id)
    return table


def fold(text: str) -> str:
    """How names are compared: case-folded, runs of white space as one space."""
    return " ".join(text.casefold().split())


def _check_link_target(url: str, body: str, pages: set[str]) -> str | None:
    """Why a relative link in an article body would break on the site, or None if it works."""
    if url.startswith("#"):
        anchors = {*ARTICLE_SECTION_ANCHORS, *mdtext.heading_ids(body)}
        if url[1:] not in anchors:
            return f"link to {url!r}: no heading with that anchor in this article"
        return None
    path, _, fragment = url.partition("#")
    target = posixpath.normpath(posixpath.join("articles", path))
    if fragment:
        return f"link to {url!r}: a link to another page cannot carry a #anchor"
    if target not in pages:
        return (
            f"link to {url!r}: a relative link must name an article file, actors/<id>.md or "
            "topics/<id>.md of this dossier"
        )
    return None


# A line of the body that is a level-1 heading, with the line break before it.
_LEVEL_ONE_RE = re.compile(r"\n {0,3}#(?:[ \t]|$)", re.M)


# What mdtext.html_scanner_traps finds: text after which Markdown may read the article wrong.
_SCANNER_TRAPS = {
    "charref": "'&#' that begins no character reference (such as &#233;): Markdown may then "
    "misread the rest of the article; write &amp;# to show these characters",
    "unfinished": "an unfinished tag in inline code ('<' with no '>' after it in the code): "
    "Markdown may then misread the rest of the article; finish it or use a fenced code block",
}


def _check_body(source: SourceFile, problems: list[Problem], pages: set[str]) -> None:
    body = source.body

    def at(offset: int, message: str, severity: str = "error") -> None:
        line = source.body_line + mdtext.line_of(body, offset)
        problems.append(Problem(source.path, line, message, severity))

    if not body.strip():
        problems.append(Problem(source.path, source.body_line, "the article has no body text"))
        return
    nested = mdtext.nesting_problem(body)
    if nested:
        # Nothing else may parse such a body: it is where Markdown parsers hang or crash.
        at(nested[0], f"{nested[1]}; simplify the Markdown")
        return
    for offset in mdtext.unclosed_fences(body):
        at(
            offset,
            "a code fence that is never closed: Markdown shows it and what follows as text "
            "(close the block with a line holding the same fence)",
            "warning",
        )
    for offset in mdtext.uneven_backticks(body):
        at(
            offset,
            "backticks that Markdown may pair otherwise than they look: the rest of this "
            "paragraph is not taken for code (give a code span the same number of backticks "
            "on both sides; escape a lone one as \\`)",
            "warning",
        )
    for offset in mdtext.raw_html(body):
        at(
            offset,
            "raw HTML is not allowed in an article body (write Markdown; show markup in `code`)",
        )
    for offset in mdtext.tags_opening_lines_in_code(body):
        at(
            offset,
            "a tag at the start of a line in inline code: Markdown may take it for raw HTML; "
            "put some text before the code on that line",
        )
    for offset, trap in mdtext.html_scanner_traps(body):
        at(offset, _SCANNER_TRAPS[trap])
    for offset, url in mdtext.link_destinations(body):
        if mdtext.unsafe_url(url):
            at(offset, f"link to {url!r}: only http, https, mailto and relative links are allowed")
        elif not mdtext.has_scheme(url):
            broken = _check_link_target(url, body, pages)
            if broken:
                at(offset, broken)
    for offset in mdtext.images(body):
        at(
            offset,
            "images are not allowed in an article body (the site loads nothing from outside)",
        )
    for match in _LEVEL_ONE_RE.finditer("\n" + body) if "#" in body else ():
        if mdtext.inside_code(body, match.start()):
            continue  # a line of a code span that runs over lines
        at(
            match.start(),  # the line's offset: the text searched starts with "\n"
            "a level-1 heading in the body: the title is the page's heading; use ##",
            "warning",
        )


@dataclass(frozen=True)
class Registries:
    """What an article is checked against. ``topics`` (name -> id) is None when the topic
    registry could not be read: tags are then not judged, so one broken registry does not
    flag every article."""

    topics: dict[str, str] | None
    topic_ids: list[str]
    actor_ids: list[str]
    pages: set[str]  # every page a relative link in a body may name


def _unknown_actor(actor_id: str, registries: Registries) -> str:
    return f"unknown actor id '{actor_id}'{_did_you_mean(actor_id, registries.actor_ids)}"


def _read_quotes(
    nodes: tuple[Node, ...], source: SourceFile, registries: Registries, problems: list[Problem]
) -> tuple[tuple[Quote, ...], bool]:
    quotes: list[Quote] = []
    ok = True
    if not nodes:
        return (), True
    text = " ".join(mdtext.plain(source.body).split())
    for node in nodes:
        values = read_record(node, QUOTE_FIELDS, source.path, problems, "quote")
        if values is None:
            ok = False
            continue
        if values["speaker"] not in registries.actor_ids:
            line = _key_line(node, "speaker")
            problems.append(
                Problem(
                    source.path,
                    line,
                    f"quote speaker: {_unknown_actor(values['speaker'], registries)}",
                )
            )
            ok = False
        if " ".join(values["text"].split()) not in text:
            problems.append(
                Problem(
                    source.path,
                    _key_line(node, "text"),
                    f"quote text {values['text']!r} does not occur verbatim in the article's text",
                )
            )
            ok = False
        quotes.append(Quote(values["speaker"], values["text"], values["context"], node.line))
    return tuple(quotes), ok


def _read_events(
    nodes: tuple[Node, ...], source: SourceFile, registries: Registries, problems: list[Problem]
) -> tuple[tuple[Event, ...], bool]:
    events, ok = [], True
    for node in nodes:
        values = read_record(node, EVENT_FIELDS, source.path, problems, "event")
        if values is None:
            ok = False
            continue
        for position, actor_id in enumerate(values["actors"]):
            if actor_id not in registries.actor_ids:
                line = node.value["actors"].value[position].line
                problems.append(
                    Problem(
                        source.path, line, f"event actors: {_unknown_actor(actor_id, registries)}"
                    )
                )
                ok = False
        events.append(
            Event(values["date"], values["wording"], values["summary"], values["actors"], node.line)
        )
    return tuple(events), ok


def validate_article(
    source: SourceFile, registries: Registries, problems: list[Problem]
) -> Article | None:
    """Check one article against the registries; None if anything is wrong with it."""
    topics, topic_ids, pages = registries.topics, registries.topic_ids, registries.pages
    name = source.rel.rsplit("/", 1)[-1]
    name_match = ARTICLE_NAME_RE.match(name)
    if not name_match:
        problems.append(
            Problem(
                source.path,
                1,
                "file name must be YYYY-MM-DD-slug.md (slug: lowercase letters, digits, hyphens)",
            )
        )
    if source.data is not None or source.body:
        _check_body(source, problems, pages)
    if source.data is None:
        return None
    values = read_record(source.data, ARTICLE_FIELDS, source.path, problems, "front matter")
    if values is None:
        return None
    data = source.data
    ok = name_match is not None
    if name_match and name_match.group(1) != values["date"].isoformat():
        problems.append(
            Problem(
                source.path,
                _key_line(data, "date"),
                f"date: {values['date'].isoformat()} does not match the file name's date "
                f"{name_match.group(1)}",
            )
        )
        ok = False
    if topics is None:
        return None
    tag_topics = []
    for position, tag in enumerate(values["tags"]):
        topic_id = topics.get(fold(tag))
        if topic_id is None:
            line = data.value["tags"].value[position].line
            hint = _did_you_mean(tag, [*topics.keys()])
            problems.append(
                Problem(
                    source.path, line, f"tags: '{tag}' matches no topic id, name or alias{hint}"
                )
            )
            ok = False
        tag_topics.append(topic_id)
    for position, topic_id in enumerate(values["topics"]):
        if topic_id not in topic_ids:
            line = data.value["topics"].value[position].line
            hint = _did_you_mean(topic_id, topic_ids)
            problems.append(
                Problem(source.path, line, f"topics: unknown topic id '{topic_id}'{hint}")
            )
            ok = False
    if values["kind"] == "op-ed" and not values["disclaimer"]:
        problems.append(
            Problem(
                source.path,
                data.line,
                "an op-ed needs 'disclaimer': the publisher's opinion disclaimer, verbatim",
            )
        )
        ok = False
    if values["disclaimer_cut_off"] and not values["disclaimer"]:
        problems.append(
            Problem(
                source.path,
                _key_line(data, "disclaimer_cut_off"),
                "disclaimer_cut_off is set but there is no disclaimer",
            )
        )
        ok = False
    if LABEL_RE.match(values["title"]):
        problems.append(
            Problem(
                source.path,
                _key_line(data, "title"),
                f"title starts with a label ({values['title'].split(':')[0]!r}): drop it from the "
                "title; kind says whether the piece is opinion",
                "warning",
            )
        )
    if values["kind"] == "news" and values["disclaimer"]:
        problems.append(
            Problem(
                source.path,
                _key_line(data, "disclaimer"),
                "a news article has an opinion disclaimer: should kind be op-ed?",
                "warning",
            )
        )
    quotes, quotes_ok = _read_quotes(values["quotes"], source, registries, problems)
    events, events_ok = _read_events(values["events"], source, registries, problems)
    if not (ok and quotes_ok and events_ok and name_match):
        return None
    summary = values["summary"] or mdtext.first_sentence(source.body)
    all_topics = tuple(dict.fromkeys([*(t for t in tag_topics if t), *values["topics"]]))
    return Article(
        slug=name[: -len(".md")],
        path=source.path,
        rel=source.rel,
        title=values["title"],
        kind=values["kind"],
        author=values["author"],
        date=values["date"],
        publication=values["publication"],
        section=values["section"],
        url=values["url"],
        tags=values["tags"],
        tag_topics=tuple(tag_topics),
        topics=all_topics,
        disclaimer=values["disclaimer"],
        disclaimer_cut_off=values["disclaimer_cut_off"],
        summary=summary,
        body=source.body,
        body_line=source.body_line,
        quotes=quotes,
        events=events,
    )


PAGE_NAME_KEYS = ("author", "publication")


def page_name_lines(source: SourceFile) -> dict[str, int]:
    """The lines of the keys an article's author and publication pages are named from, as
    ``check_page_names`` names them."""
    data = source.data
    return {key: _key_line(data, key) if data else 1 for key in PAGE_NAME_KEYS}


def check_page_names(
    articles: list[Article], problems: list[Problem], lines: Callable[[str], dict[str, int]]
) -> None:
    """Authors and publications get a page named after their slug: two spellings with one
    slug ("José Díaz", "Jose Diaz") share a page. Usually one person; say so, in case not.
    ``lines``: an article's ``page_name_lines``, by its path."""
    for key in PAGE_NAME_KEYS:
        first: dict[str, tuple[str, Article]] = {}
        for article in sorted(articles, key=lambda a: (a.date, a.slug)):
            name = getattr(article, key)
            slug = slugify(name)
            if slug not in first:
                first[slug] = (name, article)
            elif first[slug][0] != name:
                problems.append(
                    Problem(
                        article.path,
                        lines(article.path)[key],
                        f"{key}: {name!r} shares the page {key}s/{slug} with {first[slug][0]!r} "
                        f"({first[slug][1].path}); spell them alike if they are one",
                        "warning",
                    )
                )


def check_registries(
    actors_source: SourceFile | None,
    topics_source: SourceFile | None,
    article_rels: Iterable[str],
    problems: list[Problem],
) -> tuple[tuple[Actor, ...], tuple[Topic, ...], Registries]:
    """The registries' actors and topics, and what each article is checked against."""
    actors = validate_actors(actors_source, problems)
    topics = validate_topics(topics_source, problems)
    readable = topics_source is not None and topics_source.data is not None
    resolver = topic_resolver(topics) if readable else None
    topic_ids = [topic.id for topic in topics]
    pages = {
        *article_rels,
        *(f"actors/{actor.id}.md" for actor in actors),
        *(f"topics/{topic_id}.md" for topic_id in topic_ids),
    }
    return actors, topics, Registries(resolver, topic_ids, [actor.id for actor in actors], pages)


def validate(loaded: Loaded, each: Each = serially) -> tuple[Dossier, list[Problem]]:
    """Check everything; return the valid part of the dossier and every problem found.
    ``each`` maps the checking of each article (``halves.in_two``: on two cores)."""
    problems = list(loaded.problems)
    article_rels = (source.rel for source in loaded.articles)
    actors, topics, registries = check_registries(
        loaded.actors, loaded.topics, article_rels, problems
    )

    def validated(source: SourceFile) -> tuple[Article | None, list[Problem]]:
        found: list[Problem] = []
        return validate_article(source, registries, found), found

    articles = []
    for article, found in each(validated, loaded.articles):
        problems.extend(found)
        if article is not None:
            articles.append(article)
    return assemble(loaded.root, actors, topics, articles, problems, source_lines(loaded))


def source_lines(loaded: Loaded) -> Callable[[str], dict[str, int]]:
    """``page_name_lines`` of each loaded article, by its path (for ``check_page_names``)."""
    sources = {source.path: source for source in loaded.articles}
    return lambda path: page_name_lines(sources[path])


def assemble(
    root: str,
    actors: tuple[Actor, ...],
    topics: tuple[Topic, ...],
    articles: list[Article],
    problems: list[Problem],
    lines: Callable[[str], dict[str, int]],
) -> tuple[Dossier, list[Problem]]:
    """The last step of validation: articles newest first, the checks across articles, the
    dossier, and the problems in file and line order. ``lines``: as ``check_page_names``."""
    articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    check_page_names(articles, problems, lines)
    dossier = Dossier(
        root=root,
        articles=tuple(articles),
        actors=actors,
        topics=topics,
        actors_by_id={actor.id: actor for actor in actors},
        topics_by_id={topic.id: topic for topic in topics},
    )
    problems.sort(key=lambda p: (p.path, p.line, p.message))
    return dossier, problems
