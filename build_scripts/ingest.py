"""Ingest: turn the text of an article scraped from a web page into a curated article draft.

``draft_article(raw, rules, actors, topics)`` is pure: it normalises the scrape, recognises the
publication's layout from the rules in ``ingest_layouts.yml`` (or falls back to the generic
rules), drops site chrome, takes the front matter fields from the lines that state them,
finds an opinion disclaimer wherever it stands, restores paragraphs and subheadings, and
reviews the result (actors named, possible new actors, quote candidates, fields left empty).
Nothing is guessed: a field the text does not state is left empty for the curator, and every
line of the scrape is accounted for in ``Draft.pieces`` (body, metadata, or dropped and why).
``article_text`` renders the file (front matter by a YAML emitter); ``write_article`` is the
only function here that writes a file.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import difflib
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from build_scripts import mdtext
from build_scripts.link import Matcher
from build_scripts.load import MAX_FILE_BYTES, split_front_matter
from build_scripts.model import Actor, Loaded, Problem, SourceFile, Topic
from build_scripts.slugs import slugify as make_slug
from build_scripts.validate import ARTICLE_FIELDS, fold, topic_resolver, validate
from build_scripts.yamlsource import parse_yaml

RULES_FILE = Path(__file__).with_name("ingest_layouts.yml")
FRONT_MATTER_KEYS = tuple(spec.key for spec in ARTICLE_FIELDS)
REQUIRED_KEYS = tuple(spec.key for spec in ARTICLE_FIELDS if spec.required)
SLUG_MAX = 80
HEADING_MAX_WORDS = 14
HEADING_MAX_CHARS = 120
TITLE_MAX_WORDS = 30


class IngestError(Exception):
    """The scrape or the rules cannot be turned into an article; nothing is written."""


# --------------------------------------------------------------------------- rules (data)


@dataclass(frozen=True)
class Layout:
    """One publication layout's rules, compiled. ``generic`` is a Layout too."""

    name: str
    publication: str = ""
    recognise: tuple[re.Pattern[str], ...] = ()
    strip: tuple[re.Pattern[str], ...] = ()
    chrome: tuple[re.Pattern[str], ...] = ()
    end: tuple[re.Pattern[str], ...] = ()
    byline: tuple[re.Pattern[str], ...] = ()
    tags: tuple[re.Pattern[str], ...] = ()
    tag_separator: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Rules:
    layouts: tuple[Layout, ...]
    generic: Layout
    labels: tuple[tuple[str, str], ...]  # (label, kind)
    opinion_sections: frozenset[str]
    disclaimer: tuple[tuple[re.Pattern[str], ...], ...]
    disclaimer_context: tuple[re.Pattern[str], ...]
    join_after: frozenset[str]
    not_names: frozenset[str]
    demonyms: frozenset[str]
    demonym_suffixes: tuple[str, ...]
    name_particles: frozenset[str]

    def recognise(self, keys: list[str]) -> Layout | None:
        """The first layout whose every ``recognise`` pattern matches some line."""
        for layout in self.layouts:
            if layout.recognise and all(
                any(pattern.fullmatch(key) for key in keys) for pattern in layout.recognise
            ):
                return layout
        return None

    def effective(self, layout: Layout | None) -> Layout:
        """A layout's own rules followed by the generic ones."""
        generic = self.generic
        if layout is None:
            return generic
        return Layout(
            name=layout.name,
            publication=layout.publication,
            recognise=layout.recognise,
            strip=layout.strip + generic.strip,
            chrome=layout.chrome + generic.chrome,
            end=layout.end + generic.end,
            byline=layout.byline + generic.byline,
            tags=layout.tags + generic.tags,
            tag_separator=layout.tag_separator or generic.tag_separator,
        )


_LAYOUT_KEYS = {
    "name",
    "publication",
    "recognise",
    "strip",
    "chrome",
    "end",
    "byline",
    "tags",
    "tag_separator",
}
_TOP_KEYS = {"patterns", "layouts", "generic", "opinion", "structure", "review"}
_MACRO_RE = re.compile(r"\{\{([A-Z_]+)\}\}")
_FIELD_GROUPS = {"author", "date", "section", "publication", "url"}


def load_rules(path: str | os.PathLike[str] = RULES_FILE) -> Rules:
    """Read and compile the layout rules; a mistake in them is an ``IngestError``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise IngestError(f"cannot read layout rules {path}: {error}") from None
    return compile_rules(data, str(path))


def compile_rules(data: Any, where: str = "layout rules") -> Rules:
    if not isinstance(data, dict):
        raise IngestError(f"{where}: expected a mapping at the top")
    _no_unknown(data, _TOP_KEYS, where)
    macros: dict[str, str] = {}
    for name, text in (data.get("patterns") or {}).items():
        macros[name] = _expand(str(text).strip(), macros, f"{where}: patterns.{name}")

    def compile_list(values: Any, what: str, *, line: bool = True) -> tuple[re.Pattern[str], ...]:
        if values is None:
            return ()
        if not isinstance(values, list):
            raise IngestError(f"{where}: {what}: expected a list of patterns")
        return tuple(_compile(str(v), macros, f"{where}: {what}", line=line) for v in values)

    def layout(entry: Any, what: str) -> Layout:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise IngestError(f"{where}: {what}: expected a mapping with a name")
        _no_unknown(entry, _LAYOUT_KEYS, f"{where}: {what}")
        name = str(entry["name"])
        byline = compile_list(entry.get("byline"), f"{name}.byline")
        for pattern in byline:
            if not set(pattern.groupindex) & _FIELD_GROUPS:
                raise IngestError(
                    f"{where}: {name}.byline: {pattern.pattern!r} names none of the groups "
                    f"{', '.join(sorted(_FIELD_GROUPS))}"
                )
        tags = compile_list(entry.get("tags"), f"{name}.tags")
        for pattern in tags:
            if "tags" not in pattern.groupindex:
                raise IngestError(f"{where}: {name}.tags: {pattern.pattern!r} has no group 'tags'")
        separator = entry.get("tag_separator")
        return Layout(
            name=name,
            publication=str(entry.get("publication") or ""),
            recognise=compile_list(entry.get("recognise"), f"{name}.recognise"),
            strip=compile_list(entry.get("strip"), f"{name}.strip", line=False),
            chrome=compile_list(entry.get("chrome"), f"{name}.chrome"),
            end=compile_list(entry.get("end"), f"{name}.end"),
            byline=byline,
            tags=tags,
            tag_separator=(
                _compile(str(separator), macros, f"{where}: {name}.tag_separator", line=False)
                if separator
                else None
            ),
        )

    layouts = tuple(layout(e, f"layouts[{i}]") for i, e in enumerate(data.get("layouts") or []))
    for entry in layouts:
        if not entry.recognise:
            raise IngestError(f"{where}: {entry.name}: a layout needs 'recognise' patterns")
    generic = layout(data.get("generic") or {"name": "generic"}, "generic")
    opinion = data.get("opinion") or {}
    review = data.get("review") or {}
    structure = data.get("structure") or {}
    groups = opinion.get("disclaimer") or []
    return Rules(
        layouts=layouts,
        generic=generic,
        labels=tuple(
            (str(label), str(kind))
            for kind, labels in (opinion.get("labels") or {}).items()
            for label in labels or ()
        ),
        opinion_sections=frozenset(fold(str(s)) for s in opinion.get("sections") or ()),
        disclaimer=tuple(compile_list(group, "opinion.disclaimer", line=False) for group in groups),
        disclaimer_context=compile_list(opinion.get("context"), "opinion.context", line=False),
        join_after=frozenset(str(w).casefold() for w in structure.get("join_after") or ()),
        not_names=frozenset(str(w) for w in review.get("not_names") or ()),
        demonyms=frozenset(str(w) for w in review.get("demonyms") or ()),
        demonym_suffixes=tuple(str(s) for s in review.get("demonym_suffixes") or ()),
        name_particles=frozenset(str(w) for w in review.get("name_particles") or ()),
    )


def _no_unknown(mapping: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise IngestError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")


def _expand(text: str, macros: dict[str, str], where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise IngestError(f"{where}: unknown pattern {{{{{name}}}}}")
        return f"(?:{macros[name]})"

    return _MACRO_RE.sub(replace, text)


def _compile(text: str, macros: dict[str, str], where: str, *, line: bool) -> re.Pattern[str]:
    expanded = _expand(text, macros, where)
    try:
        return re.compile(f"(?:{expanded})" if line else expanded, re.IGNORECASE)
    except re.error as error:
        raise IngestError(f"{where}: bad pattern {text!r}: {error}") from None


# --------------------------------------------------------------------------- text helpers

# Non-breaking and other odd spaces become a plain space; zero-width spaces and control
# characters go; every kind of line break becomes "\n". Quotes, dashes, joiners and
# non-Latin script are left alone.
_ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_ODD_SPACES += "\u202f\u205f\u3000\t"
_SPACE_TABLE = dict.fromkeys(map(ord, _ODD_SPACES), " ")
_SPACE_TABLE.update(dict.fromkeys(map(ord, "\u200b\u2060\ufeff"), None))
_SPACE_TABLE.update(
    {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85)]}
)
_SPACE_TABLE.update({c: None for c in range(0x86, 0xA0)})
_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CLOSERS = r"[\"'”’»)\]*_]*"  # closing quotes, brackets and emphasis after punctuation
_SENTENCE_END_RE = re.compile(rf"[.!?…]{_CLOSERS}$")
_PUNCT_END_RE = re.compile(rf"[.!?…,;:]{_CLOSERS}$")
_TITLE_END_RE = re.compile(rf"[.,;:]{_CLOSERS}$")
_INNER_SENTENCE_RE = re.compile(r"[.!?…][\"'”’)\]]* +[\"'“‘(]*[A-Z]")
_WORD_RE = re.compile(r"[^\W_][\w'’.-]*")


def normalise(raw: str) -> str:
    """The scrape with line breaks, odd spaces and invisible characters made plain."""
    text = raw.removeprefix("\ufeff")
    text = _BREAK_RE.sub("\n", text)
    return text.translate(_SPACE_TABLE)


def _key(line: str) -> str:
    """A line as line patterns see it: runs of spaces collapsed, trimmed."""
    return " ".join(line.split())


def _words(text: str) -> list[str]:
    return text.split()


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END_RE.search(text))


def _is_prose(text: str) -> bool:
    return ends_sentence(text) and len(_words(text)) >= 4


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line, by ``mdtext.sentence_bounds``."""
    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(text):
        # From the sentence's own start, so each call reads one sentence: linear overall.
        start, end = mdtext.sentence_bounds(text, position, len(text), position)
        if end <= position:
            end = len(text)
        spans.append((start, end))
        position = end
        while position < len(text) and text[position].isspace():
            position += 1
    return spans


def slugify(title: str) -> str:
    """An article's file-name slug from its title."""
    return make_slug(title, SLUG_MAX, fallback="article")


# --------------------------------------------------------------------------- Markdown escaping

_INLINE_ESCAPE_RE = re.compile(r"[\\`*\[]|(?<!\w)_|_(?!\w)")
_ENTITY_RE = re.compile(r"&(?=#?\w+;)")
_TAG_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
_BLOCK_START_RE = re.compile(r"^(?:[#>+\-]|!!!)|^\d+(?=\.(?:\s|$))")


def escape_markdown(text: str, *, heading: bool = False) -> str:
    """Escape one line of plain text so Python-Markdown renders exactly these characters.

    Only what would otherwise become markup is escaped, so ordinary prose is unchanged.
    """
    text = _INLINE_ESCAPE_RE.sub(lambda m: "\\" + m.group(0), text)
    text = _ENTITY_RE.sub("&amp;", text)
    text = _TAG_START_RE.sub("&lt;", text)
    if not heading:
        match = _BLOCK_START_RE.match(text)
        if match:
            end = match.end()
            text = text[:end] + "\\" + text[end:] if match.group(0)[0].isdigit() else "\\" + text
    elif text.endswith("#"):
        text = text[:-1] + "\\#"
    return text


_UNESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!|])|&lt;|&amp;")


def unescape_markdown(text: str) -> str:
    """The inverse of ``escape_markdown``: the plain text a line of the body stands for."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "&lt;":
            return "<"
        if token == "&amp;":
            return "&"
        return match.group(1)

    return _UNESCAPE_RE.sub(replace, text)


def body_blocks(body: str) -> list[tuple[str, str]]:
    """("heading" | "paragraph", plain text) for each block of a body written by ``draft``."""
    blocks = []
    for block in body.split("\n\n"):
        block = block.strip("\n")
        if not block:
            continue
        if block.startswith("## "):
            blocks.append(("heading", unescape_markdown(block[3:])))
        else:
            blocks.append(("paragraph", unescape_markdown(block)))
    return blocks


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Piece:
    """A part of one line of the scrape and what became of it.

    ``role`` is one of: body, title, byline, tags, disclaimer, chrome, trailer, before-title,
    blank. ``rule`` names what decided it. The pieces of a line, in order, make up the line.
    """

    line: int  # 1-based line number in the scrape
    text: str
    role: str
    rule: str = ""


@dataclass(frozen=True)
class TagMatch:
    tag: str
    topic: str  # topic id, "" when no topic matches
    closest: tuple[str, ...] = ()  # names of the closest topics when none matches


@dataclass(frozen=True)
class Review:
    actors: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...]  # id, name, (alias, count)
    candidates: tuple[tuple[str, int], ...]  # (name, count)
    quotes: tuple[tuple[str, tuple[str, ...]], ...]  # (quoted passage, actor names nearby)


@dataclass(frozen=True)
class Draft:
    front: dict[str, Any]  # front matter in documented key order; "" / None where not found
    body: str  # Markdown body, ending in one newline
    layout: str  # the rules used: a layout name or "generic"
    missing: tuple[str, ...]  # required fields left empty for the curator
    notes: tuple[str, ...]  # provenance and warnings, one line each
    pieces: tuple[Piece, ...]
    tags: tuple[TagMatch, ...] = ()
    review: Review = field(default_factory=lambda: Review((), (), ()))
    joined: int = 0  # lines joined because the scrape broke a sentence
    headings: int = 0

    @property
    def file_name(self) -> str:
        date = self.front.get("date")
        if not isinstance(date, datetime.date):
            raise IngestError(
                "no publication date found in the text; pass --date YYYY-MM-DD "
                "(the date the article was published)"
            )
        title = self.front.get("title") or ""
        if not title:  # named after the text until a curator gives it a title
            digest = hashlib.sha256(self.body.encode("utf-8")).hexdigest()[:8]
            return f"{date.isoformat()}-untitled-{digest}.md"
        return f"{date.isoformat()}-{slugify(title)}.md"


@dataclass
class _Fields:
    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    byline_line: int | None = None
    notes: list[str] = field(default_factory=list)

    def offer(self, groups: dict[str, str], number: int, allowed: set[str]) -> bool:
        """Take what a matched line gives; True when it gave something new or repeated it."""
        useful = False
        for name, value in groups.items():
            if value is None or name not in allowed:
                continue
            value = _key(value).strip(" ,;|·•–—")
            parsed: Any = value
            if name == "date":
                parsed = parse_date(value)
                if parsed is None:
                    self.notes.append(f"line {number}: date {value!r} not understood; ignored")
                    continue
            elif name == "url" and not re.fullmatch(r"https?://\S+", value):
                continue
            if not value:
                continue
            if name in self.values:
                useful = useful or self.values[name] == parsed
                continue
            self.values[name] = parsed
            self.origin[name] = f"line {number}"
            if name in ("author", "date") and self.byline_line is None:
                self.byline_line = number
            useful = True
        return useful


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}


def parse_date(text: str) -> datetime.date | None:
    """A real date from "Apr 3, 2020", "3 April 2020", "Friday, 3rd April 2020" or ISO."""
    iso = re.search(r"\b(\d{4})-(\d\d)-(\d\d)\b", text)
    try:
        if iso:
            return datetime.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        words = re.findall(r"[A-Za-z]+|\d+", text)
        month = next((_MONTHS[w.lower()] for w in words if w.lower() in _MONTHS), None)
        numbers = [int(w) for w in words if w.isdigit()]
        years = [n for n in numbers if n >= 1000]
        days = [n for n in numbers if n < 100]
        if month is None or len(years) != 1 or len(days) != 1:
            return None
        return datetime.date(years[0], month, days[0])
    except ValueError:
        return None


def _match(patterns: Iterable[re.Pattern[str]], key: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.fullmatch(key)
        if match:
            return match
    return None


def _split_tags(value: str, layout: Layout) -> list[str]:
    separator = layout.tag_separator or re.compile(r" ?, ?")
    return [tag.strip() for tag in separator.split(value) if tag.strip()]


def _disclaimer_span(text: str, rules: Rules) -> tuple[int, int] | None:
    """The span of the disclaimer sentences in one line, if the line has one."""
    spans = sentences(text)
    core = [
        i
        for i, (start, end) in enumerate(spans)
        if any(all(p.search(text[start:end]) for p in group) for group in rules.disclaimer)
    ]
    if not core:
        return None
    first = last = core[0]
    while last + 1 < len(spans) and (
        last + 1 in core
        or any(p.search(text[slice(*spans[last + 1])]) for p in rules.disclaimer_context)
    ):
        last += 1
    while first > 0 and any(
        p.search(text[slice(*spans[first - 1])]) for p in rules.disclaimer_context
    ):
        first -= 1
    return spans[first][0], spans[last][1]


def _title_like(text: str) -> bool:
    return (
        bool(text)
        and not _TITLE_END_RE.search(text)
        and len(_words(text)) <= TITLE_MAX_WORDS
        and bool(re.search(r"[^\W\d_]", text))
    )


def _heading_like(text: str) -> bool:
    first = re.search(r"[^\W\d_]", text)
    return (
        not _PUNCT_END_RE.search(text)
        and len(_words(text)) <= HEADING_MAX_WORDS
        and len(text) <= HEADING_MAX_CHARS
        and first is not None
        and not first.group(0).islower()
        and text[0] not in "\"'“‘«(["
        and not _INNER_SENTENCE_RE.search(text)
    )


def _continues(previous: str, line: str, rules: Rules) -> bool:
    """True when ``line`` carries on a sentence the scrape broke at the end of ``previous``."""
    if ends_sentence(previous) or previous.endswith(":"):
        return False
    first = re.search(r"[^\W\d_]", line)
    starts_lower = first is not None and first.start() <= 2 and first.group(0).islower()
    last_word = previous.split()[-1].casefold() if previous.split() else ""
    return starts_lower or previous.endswith((",", "–", "—")) or last_word in rules.join_after


def _label(title: str, rules: Rules) -> tuple[str, str, str]:
    """(label, its kind, title without it) when the title starts with a label and a colon."""
    for label, kind in rules.labels:
        match = re.match(rf"{re.escape(label)}\s*:\s*(?=\S)", title, re.IGNORECASE)
        if match:
            return title[: match.end()].strip(), kind, title[match.end() :]
    return "", "", title


def draft_article(
    raw: str,
    rules: Rules,
    actors: tuple[Actor, ...] = (),
    topics: tuple[Topic, ...] = (),
    date: datetime.date | None = None,
) -> Draft:
    """Turn a scrape into a draft article and its review. ``date`` overrides the text's date."""
    lines = [line.strip() for line in normalise(raw).split("\n")]
    keys = [_key(line) for line in lines]
    if not any(keys):
        raise IngestError("the scrape is empty")
    recognised = rules.recognise(keys)
    layout = rules.effective(recognised)
    fields = _Fields()
    notes: list[str] = []
    # pieces[i]: what became of line i+1, left to right. Content pieces are decided later.
    pieces: list[list[Piece]] = []
    content_count = 0
    trailer_from: int | None = None
    for index, line in enumerate(lines):
        number = index + 1
        found: list[Piece] = []
        pieces.append(found)
        rest = line
        stripped = True
        while rest and stripped:
            stripped = False
            for pattern in layout.strip:
                match = pattern.match(rest)
                if match and match.end() > 0:
                    found.append(Piece(number, rest[: match.end()], "chrome", "strip"))
                    rest = rest[match.end() :].strip()
                    stripped = True
                    break
        if not rest:
            if not found:
                found.append(Piece(number, "", "blank"))
            continue
        key = _key(rest)
        if _match(layout.end, key):
            if trailer_from is None and content_count >= 2:
                trailer_from = number
            found.append(Piece(number, rest, "chrome", "end"))
            continue
        if _match(layout.chrome, key):
            found.append(Piece(number, rest, "chrome", "chrome"))
            continue
        in_trailer = trailer_from is not None
        allowed = {"publication", "url"} if in_trailer else _FIELD_GROUPS
        match = _match(layout.byline, key)
        if match and fields.offer(match.groupdict(), number, allowed):
            found.append(Piece(number, rest, "byline", "byline"))
            continue
        match = _match(layout.tags, key)
        if match and "tags" not in fields.values:
            fields.values["tags"] = _split_tags(match.group("tags"), layout)
            fields.origin["tags"] = f"line {number}"
            found.append(Piece(number, rest, "tags", "tags"))
            continue
        if in_trailer:
            found.append(Piece(number, rest, "trailer", f"after line {trailer_from}"))
            continue
        found.append(Piece(number, rest, "content"))
        content_count += 1

    disclaimer = _extract_disclaimer(pieces, rules, notes)
    publication = recognised.publication if recognised else ""
    if publication:
        stated = fields.values.get("publication", "")
        if stated and fold(stated).removeprefix("the ") != fold(publication).removeprefix("the "):
            notes.append(
                f"publication: the text also names {stated!r} ({fields.origin['publication']})"
            )
        fields.origin["publication"] = f"the recognised layout {recognised.name!r}"
        fields.values["publication"] = publication
    title, label, label_kind = _choose_title(pieces, fields, rules, notes)
    body_lines = [
        (line_pieces[0].line, " ".join(p.text for p in line_pieces if p.role == "body"))
        for line_pieces in pieces
        if any(p.role == "body" for p in line_pieces)
    ]
    blocks, joined = _structure([text for _, text in body_lines], rules)
    body = "\n\n".join(
        f"## {escape_markdown(text, heading=True)}" if kind == "heading" else escape_markdown(text)
        for kind, text in blocks
    )
    body = body + "\n" if body else ""
    if not body:
        raise IngestError("no article text found in the scrape (is it the right file?)")

    section = fields.values.get("section", "")
    kind = "news"
    reasons = []
    if label and label_kind == "op-ed":
        reasons.append(f"title label {label.rstrip(': ')!r}")
    elif label:
        notes.append(f"title: the label {label.rstrip(': ')!r} was taken off the title")
    if disclaimer:
        reasons.append("opinion disclaimer")
    if section and fold(section) in rules.opinion_sections:
        reasons.append(f"section {section!r}")
    if reasons:
        kind = "op-ed"
    found_date = fields.values.get("date")
    if date is not None:
        if found_date and found_date != date:
            notes.append(f"date: {date.isoformat()} from --date; the text says {found_date}")
        fields.values["date"] = date
        fields.origin["date"] = "--date"

    front: dict[str, Any] = {
        "title": title,
        "kind": kind,
        "author": fields.values.get("author", ""),
        "date": fields.values.get("date"),
        "publication": fields.values.get("publication", ""),
    }
    if section:
        front["section"] = section
    if fields.values.get("url"):
        front["url"] = fields.values["url"]
    front["tags"] = fields.values.get("tags") or None
    if kind == "op-ed":
        front["disclaimer"] = disclaimer
        if disclaimer and not ends_sentence(disclaimer):
            front["disclaimer_cut_off"] = True
    front = {key: front[key] for key in FRONT_MATTER_KEYS if key in front}

    missing = tuple(
        key for key in (*REQUIRED_KEYS, "disclaimer") if key in front and not front[key]
    )
    notes.extend(fields.notes)
    origin = {**fields.origin}
    if title:
        origin["title"] = "the headline"
    kind_note = "; ".join(reasons) if reasons else "no opinion label, section or disclaimer found"
    provenance = [
        f"kind: {kind} ({kind_note})",
        *(f"{key}: from {origin[key]}" for key in FRONT_MATTER_KEYS if key in origin),
    ]
    tag_matches = _match_tags(front["tags"] or [], topics)
    flat = [p for line_pieces in pieces for p in line_pieces]
    return Draft(
        front=front,
        body=body,
        layout=recognised.name if recognised else "generic",
        missing=missing,
        notes=tuple(provenance + notes),
        pieces=tuple(flat),
        tags=tag_matches,
        review=review_body(body, actors, rules),
        joined=joined,
        headings=sum(1 for kind_, _ in blocks if kind_ == "heading"),
    )


def _extract_disclaimer(pieces: list[list[Piece]], rules: Rules, notes: list[str]) -> str:
    """Split the first disclaimer out of the content (or trailer) pieces it stands in."""
    disclaimer = ""
    for line_pieces in pieces:
        for position, piece in enumerate(line_pieces):
            if piece.role not in ("content", "trailer"):
                continue
            span = _disclaimer_span(piece.text, rules)
            if span is None:
                continue
            text = piece.text[span[0] : span[1]]
            if disclaimer and text != disclaimer:
                notes.append(
                    f"line {piece.line}: a second, different disclaimer was left in place: {text!r}"
                )
                continue
            rule = "repeated" if disclaimer else "disclaimer"
            disclaimer = disclaimer or text
            before, after = piece.text[: span[0]].strip(), piece.text[span[1] :].strip()
            replaced = [Piece(piece.line, text, "disclaimer", rule)]
            if before:
                replaced.insert(0, Piece(piece.line, before, piece.role, piece.rule))
            if after:
                replaced.append(Piece(piece.line, after, piece.role, piece.rule))
            line_pieces[position : position + 1] = replaced
            break
    return disclaimer


def _choose_title(
    pieces: list[list[Piece]], fields: _Fields, rules: Rules, notes: list[str]
) -> tuple[str, str, str]:
    """Pick the headline among the content pieces and settle every content piece's role."""
    content = [p for line_pieces in pieces for p in line_pieces if p.role == "content"]
    publication = fold(fields.values.get("publication", "")).removeprefix("the ")
    first_prose = next((p.line for p in content if _is_prose(p.text)), None)
    limit = min(x for x in (fields.byline_line, first_prose, len(pieces) + 1) if x is not None)
    head = [p for p in content if p.line < limit]
    masthead = {
        id(p) for p in head if publication and fold(p.text).removeprefix("the ") == publication
    }
    candidates = [p for p in head if id(p) not in masthead and _title_like(p.text)]
    title_piece = candidates[-1] if candidates else None
    if title_piece is None and fields.byline_line is not None:
        after = [p for p in content if p.line > fields.byline_line]
        if after and _title_like(after[0].text) and not _is_prose(after[0].text):
            title_piece = after[0]
    label, label_kind, title = ("", "", "")
    if title_piece is not None:
        label, label_kind, title = _label(title_piece.text, rules)
    roles: dict[int, tuple[str, str]] = {}
    for piece in content:
        if piece is title_piece:
            roles[id(piece)] = ("title", label and f"label {label!r}")
        elif id(piece) in masthead:
            roles[id(piece)] = ("chrome", "masthead")
        elif title_piece is not None and piece.line < title_piece.line:
            if _is_prose(piece.text):
                roles[id(piece)] = ("body", "")
                notes.append(
                    f"line {piece.line}: text before the headline kept in the body; "
                    f"delete it if it is not part of the article: {piece.text[:60]!r}"
                )
            else:
                roles[id(piece)] = ("before-title", "")
        else:
            roles[id(piece)] = ("body", "")
    for line_pieces in pieces:
        for position, piece in enumerate(line_pieces):
            if id(piece) in roles:
                role, rule = roles[id(piece)]
                line_pieces[position] = Piece(piece.line, piece.text, role, rule)
    return title.strip(), label, label_kind


def _structure(texts: list[str], rules: Rules) -> tuple[list[tuple[str, str]], int]:
    """Join broken sentences, then tell subheadings from paragraphs."""
    parts: list[list[str]] = []
    joins = 0
    for text in texts:
        if parts and _continues(parts[-1][-1], text, rules):
            parts[-1].append(text)
            joins += 1
        else:
            parts.append([text])
    joined = [" ".join(group) for group in parts]
    blocks: list[tuple[str, str]] = []
    for index, text in enumerate(joined):
        following = joined[index + 1] if index + 1 < len(joined) else None
        is_heading = (
            following is not None
            and _heading_like(text)
            and (ends_sentence(following) or len(_words(following)) > HEADING_MAX_WORDS)
        )
        blocks.append(("heading" if is_heading else "paragraph", text))
    return blocks, joins


def _match_tags(tags: list[str], topics: tuple[Topic, ...]) -> tuple[TagMatch, ...]:
    """Each tag's topic by ``validate.topic_resolver``; for a tag with none, the closest."""
    resolver = topic_resolver(topics)
    matches = []
    for tag in tags:
        topic_id = resolver.get(fold(tag), "")
        closest: tuple[str, ...] = ()
        if not topic_id:
            ranked = sorted(
                topics,
                key=lambda topic: (
                    -max(
                        difflib.SequenceMatcher(None, fold(tag), fold(name)).ratio()
                        for name in (topic.id, topic.name, *topic.aliases)
                    )
                ),
            )
            closest = tuple(f"{topic.name} [{topic.id}]" for topic in ranked[:3])
        matches.append(TagMatch(tag, topic_id, closest))
    return tuple(matches)


# --------------------------------------------------------------------------- review

_QUOTE_RE = re.compile(r"“[^“”\n]+”|\"[^\"\n]+\"")


@dataclass(frozen=True)
class _Run:
    """A run of capitalised words in the body: a possible name."""

    start: int
    end: int
    words: tuple[str, ...]
    at_sentence_start: bool


def review_body(body: str, actors: tuple[Actor, ...], rules: Rules) -> Review:
    """Actors named (by alias), capitalised names that match no actor, quotes near names."""
    matcher = Matcher(actors)
    names = {actor.id: actor.name for actor in actors}
    mentions = matcher.find(body)
    counts: dict[str, dict[str, int]] = {}
    for start, end, actor_id in mentions:
        aliases = counts.setdefault(actor_id, {})
        aliases[body[start:end]] = aliases.get(body[start:end], 0) + 1
    found = tuple(
        (actor_id, names[actor_id], tuple(sorted(aliases.items(), key=lambda a: -a[1])))
        for actor_id, aliases in counts.items()
    )
    protected = mdtext.protected_spans(body)
    runs = _candidate_runs(body, protected, mentions, actors, rules)
    candidates: dict[str, int] = {}
    for run in runs:
        name = body[run.start : run.end]
        candidates[name] = candidates.get(name, 0) + 1
    named_spans = [(start, end, names[actor_id]) for start, end, actor_id in mentions]
    named_spans += [(run.start, run.end, f"{body[run.start : run.end]} (new)") for run in runs]
    named_spans.sort()
    named_starts = [start for start, _, _ in named_spans]
    inside_protected = _SpanSet(protected)
    spans = _sentence_spans(body, protected)
    span_starts = [start for start, _ in spans]
    quotes = []
    for match in _QUOTE_RE.finditer(body):
        if inside_protected.contains(match.start()):
            continue
        index = bisect.bisect_right(span_starts, match.start()) - 1
        sentence = spans[index] if index >= 0 else (match.start(), match.end())
        last = max(sentence[1], match.end())
        first_index = bisect.bisect_left(named_starts, sentence[0])
        last_index = bisect.bisect_left(named_starts, last)
        near = sorted(
            (min(abs(start - match.end()), abs(end - match.start())), name)
            for start, end, name in named_spans[first_index:last_index]
            if not match.start() <= start < match.end()
        )
        named = tuple(dict.fromkeys(name for _, name in near))
        if named:
            quotes.append((unescape_markdown(match.group(0)), named))
    ranked = tuple(sorted(candidates.items(), key=lambda item: (-item[1], item[0])))
    return Review(found, ranked, tuple(quotes))


def _candidate_runs(
    body: str,
    protected: list[tuple[int, int]],
    mentions: list[tuple[int, int, str]],
    actors: tuple[Actor, ...],
    rules: Rules,
) -> list[_Run]:
    """Runs of capitalised words outside headings, links and actor mentions.

    A run's first word is dropped when it is capitalised only because a sentence starts
    there; demonyms, month and day names and a lone word right next to a mention ("Minister"
    before "Ada Quill") are left out.
    """
    states = [actor.name for actor in actors if actor.kind == "state"]
    demonyms = set(rules.demonyms)
    for state in states:
        for suffix in rules.demonym_suffixes:
            demonyms |= {state + suffix, state[:-1] + suffix}
    blocked = _SpanSet([*protected, *((s, e) for s, e, _ in mentions)])
    mention_edges = {s for s, _, _ in mentions} | {e for _, e, _ in mentions}
    starts = set()
    for start, end in _sentence_spans(body, protected):
        first = re.search(r"[^\W_]", body[start:end])
        if first:
            starts.add(start + first.start())

    def name_like(word: str) -> bool:
        first = word[0]
        return first.isupper() or (first.isalpha() and not first.islower())

    raw_runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    previous_end, closed = -2, True
    for match in _WORD_RE.finditer(body):
        text = match.group(0)
        word = re.sub(r"(?:['’]s?|\.)+$", "", text)
        start, end = match.start(), match.start() + len(word)
        inside = blocked.contains(start)
        continues = not closed and body[previous_end:start] == " "
        if (
            inside
            or not word
            or not (name_like(word) or (continues and word in rules.name_particles))
        ):
            if current:
                raw_runs.append(current)
            current, closed = [], True
        else:
            if not continues and current:
                raw_runs.append(current)
                current = []
            current.append((start, end, word))
            closed = text != word  # a possessive or a full stop ends the name
        previous_end = match.end()
    if current:
        raw_runs.append(current)
    mid_sentence = {word for run in raw_runs for start, _, word in run if start not in starts}
    runs = []
    for run in raw_runs:
        at_start = run[0][0] in starts
        if at_start and run[0][2] not in mid_sentence:
            run = run[1:]
        while run and run[0][2] in rules.name_particles:
            run = run[1:]
        while run and run[-1][2] in rules.name_particles:
            run = run[:-1]
        words = tuple(word for _, _, word in run)
        if not words or all(word in rules.not_names for word in words):
            continue
        if len(words) == 1:
            start, end = run[0][0], run[0][1]
            if words[0] in demonyms or start - 1 in mention_edges or end + 1 in mention_edges:
                continue
        runs.append(_Run(run[0][0], run[-1][1], words, at_start))
    return runs


class _SpanSet:
    """Spans merged and sorted, for ``contains(offset)`` by binary search."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def contains(self, offset: int) -> bool:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ends[index]


def _sentence_spans(body: str, protected: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of every sentence outside the protected spans, in order."""
    spans: list[tuple[int, int]] = []
    for start, end in mdtext.outside(protected, len(body)):
        for para_start, para_end in _paragraphs(body, start, end):
            text = body[para_start:para_end]
            spans.extend((para_start + s, para_start + e) for s, e in sentences(text))
    return spans


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    position = start
    while position < end:
        p_start, p_end = mdtext.paragraph_bounds(text, position)
        p_start, p_end = max(p_start, start), min(p_end, end)
        if p_end > p_start:
            yield p_start, p_end
        position = max(p_end + 2, position + 1)


# --------------------------------------------------------------------------- output


def article_text(draft: Draft) -> str:
    """The article file: front matter by the YAML emitter, then the body."""
    front = yaml.safe_dump(
        draft.front, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    return f"---\n{front}---\n\n{draft.body}"


def preview_check(text: str, name: str, shown: str, loaded: Loaded) -> list[Problem]:
    """What ``check`` will say about the new file, by the validator itself.

    The file is validated as if it stood in the loaded dossier as ``articles/<name>`` (in place
    of any file of that name); only the problems located in it are returned.
    """
    problems: list[Problem] = []
    yaml_text, body, body_line, found = split_front_matter(text, shown)
    problems.extend(found)
    data = None
    if yaml_text is not None:
        data, found = parse_yaml(yaml_text, shown, first_line=2)
        problems.extend(found)
    rel = f"articles/{name}"
    source = SourceFile(shown, rel, data, body, body_line)
    others = tuple(article for article in loaded.articles if article.rel != rel)
    _, found = validate(dataclasses.replace(loaded, articles=(*others, source), problems=()))
    problems.extend(problem for problem in found if problem.path == shown)
    return sorted(problems, key=lambda p: (p.line, p.message))


def summary_lines(draft: Draft, problems: list[Problem] | None = None) -> list[str]:
    """The review summary, one line per entry."""
    front = draft.front
    out = [f"layout: {draft.layout}"]
    for key in FRONT_MATTER_KEYS:
        value = front.get(key)
        if key not in front:
            if key in ("section", "url"):
                why = "never guessed" if key == "url" else "optional"
                out.append(f"{key}: not in the text; key left out ({why})")
            continue
        if value in ("", None, []):
            shown = "(NOT FOUND: left empty for the curator)"
        elif key == "tags":
            shown = ", ".join(value)
        elif isinstance(value, bool):
            shown = str(value).lower()
        elif isinstance(value, datetime.date):
            shown = value.isoformat()
        else:
            shown = str(value)
        out.append(f"{key}: {shown}")
    out.append(
        f"body: {draft.body.count(chr(10) * 2) + 1} blocks, {draft.headings} subheading(s), "
        f"{draft.joined} broken line(s) joined"
    )
    out.append("how each field was found:")
    out += [f"  {note}" for note in draft.notes]
    dropped = [p for p in draft.pieces if p.role in ("chrome", "trailer", "before-title")]
    out.append(f"dropped as site chrome ({len(dropped)}):")
    out += [f"  line {p.line}: {p.text[:70]!r} ({p.rule or p.role})" for p in dropped]
    out.append("tags -> topics:")
    if not draft.tags:
        out.append("  (no tags)")
    for match in draft.tags:
        if match.topic:
            out.append(f"  {match.tag!r} -> {match.topic}")
        else:
            closest = ", ".join(match.closest) or "the registry has no topics"
            out.append(
                f"  {match.tag!r} -> NO TOPIC; closest topics: {closest}. Add the tag as an "
                "alias of one in topics.yml, or add a topic"
            )
    review = draft.review
    out.append(f"actors found ({len(review.actors)}):")
    for actor_id, name, aliases in review.actors:
        shown = ", ".join(f"{alias!r} x{count}" for alias, count in aliases)
        out.append(f"  {name} [{actor_id}]: {shown}")
    out.append(
        f"new actor candidates, capitalised names matching no actor ({len(review.candidates)}):"
    )
    out += [f"  {name} x{count}" for name, count in review.candidates]
    out.append(f"quote candidates ({len(review.quotes)}):")
    out += [f"  {quote} -- near: {', '.join(names)}" for quote, names in review.quotes]
    left = [f"{key} (empty: fill it in)" for key in draft.missing]
    left += ["topics, quotes, events (optional: the curator's judgement)"]
    out.append("left for the curator: " + "; ".join(left))
    if problems is not None:
        errors = [p for p in problems if p.severity == "error"]
        if problems:
            out.append(f"check will report ({len(errors)} error(s)) until these are fixed:")
            out += [f"  {problem}" for problem in problems]
        else:
            out.append("check: the file passes")
    return out


def read_raw(source: str) -> str:
    """The scrape's text from a file, or from standard input when ``source`` is "-"."""
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise IngestError(f"cannot read {source}: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"{source} is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise IngestError(
            f"{source} is not valid UTF-8 (byte {error.start}); save the scrape as UTF-8"
        ) from None
    if "\x00" in text:
        raise IngestError(f"{source} contains a NUL character; is it a text file?")
    return text


def write_article(path: str | os.PathLike[str], text: str, force: bool = False) -> None:
    """Write the file whole or not at all; without ``force``, never replace an existing one.

    The text goes to a temporary file in the same folder, which then replaces the target in
    one step (``os.replace``). Without ``force`` the target is first created exclusively, so
    an article that appeared in the meantime is not overwritten either.
    """
    target = Path(path)
    exists = IngestError(
        f"{target} already exists (an article with the same date and slug); "
        "pass --force to replace it"
    )
    if not force and (target.exists() or target.is_symlink()):
        raise exists
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=".add-", suffix=".tmp")
    temporary = Path(name)
    reserved = False
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if not force:
            try:
                with open(target, "x", encoding="utf-8"):
                    reserved = True
            except FileExistsError:
                raise exists from None
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        if reserved:
            target.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
