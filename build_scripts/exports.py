"""Exports: citations, the article feed and the dossier as data.

Pure and deterministic like ``render``: the same dossier gives byte-identical files, nothing
is read from the clock, and nothing is written here (citeproc-py reads its bundled style and
locale once, from its own package). ``pages`` returns the site's data files as ``Page``
objects whose paths are not Markdown, so the hook publishes them as static files:

- ``bibliography.json``: every article as CSL-JSON (citeproc-py formats it);
- ``bibliography.bib``: the same as BibTeX, written with bibtexparser;
- ``feed.xml``: an Atom feed of the newest articles;
- ``dossier.json`` and ``dossier.schema.json``: the whole dossier as data, and its JSON Schema.

``cite_block`` is the "Cite this" section of an article page. docs/data.md documents every
file; keep it in step with ``DOSSIER_SCHEMA``.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexEncodingMiddleware, default_unparse_stack
from bibtexparser.model import Entry, Field
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from pylatexenc.latexencode import RULE_REGEX, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

# ``render`` as a module, its names looked up at call time: render may import this module.
from build_scripts import render
from build_scripts.link import Index
from build_scripts.model import ACTOR_KINDS, ARTICLE_KINDS, Article, Dossier

BIBLIOGRAPHY_JSON = "bibliography.json"
BIBLIOGRAPHY_BIB = "bibliography.bib"
FEED = "feed.xml"
DOSSIER_JSON = "dossier.json"
DOSSIER_SCHEMA_JSON = "dossier.schema.json"
DATA_PAGE = "data.md"  # hand-written: docs/data.md documents every file made here
DATA_PAGE_TITLE = "Data and citations"

SCHEMA_VERSION = 1  # dossier.json's "version": raise it when a field changes meaning or goes
FEED_SIZE = 50
# A style and locale citeproc-py ships (harvard1 is now called harvard-cite-them-right).
CSL_STYLE = "harvard-cite-them-right"
CSL_LOCALE = "en-GB"
OPINION_GENRE = "Op-ed"
ATOM_NS = "http://www.w3.org/2005/Atom"

# --- CSL-JSON ------------------------------------------------------------------------------


def csl_item(article: Article, index: Index | None = None) -> dict[str, Any]:
    """The article as a CSL-JSON item. Names are literal: a byline is never split by guess.

    ``index`` is accepted so every export takes the same arguments; the item needs nothing
    from it.
    """
    day = article.date
    item: dict[str, Any] = {
        "id": article.slug,
        "type": "article-newspaper",
        "title": article.title,
        "author": [{"literal": article.author}],
        "container-title": article.publication,
        "issued": {"date-parts": [[day.year, day.month, day.day]]},
    }
    if article.section:
        item["section"] = article.section
    if article.url:
        item["URL"] = article.url
    if article.is_opinion:
        item["genre"] = OPINION_GENRE
    return item


def csl_json(dossier: Dossier, index: Index | None = None) -> str:
    """Every article as a CSL-JSON list, newest first."""
    return _dumps([csl_item(article, index) for article in dossier.articles])


@functools.cache
def _csl_style() -> CitationStylesStyle:
    # The bundled style is known good: skip the (slow) RelaxNG validation.
    return CitationStylesStyle(CSL_STYLE, locale=CSL_LOCALE, validate=False)


def formatted_reference(article: Article) -> str:
    """The article's reference as plain text, as citeproc-py formats it in ``CSL_STYLE``.

    citeproc-py takes about 2 ms a reference, which is most of a 10,000-article build's
    generation time. For this one style and item type its output is a fixed pattern whenever
    no field holds quotation marks or ends in punctuation (which the style's quote and
    punctuation rules would rework), so such references are filled in directly; every other
    one goes through citeproc-py. A test checks the two agree on every fixture article.
    """
    return _patterned_reference(article) or citeproc_reference(article)


_REWORKED_RE = re.compile(r"[\"'‘’“”«»]|[.,;:!?…]$")


def _patterned_reference(article: Article) -> str | None:
    fields = (article.author, article.title, article.publication)
    if any(_REWORKED_RE.search(field) for field in fields) or not article.author:
        return None
    day = article.date
    reference = (
        f"{article.author} ({day.year}) ‘{article.title}’, {article.publication}, "
        f"{day.day} {render.MONTHS[day.month - 1]}."
    )
    if article.url:
        if _REWORKED_RE.search(article.url):
            return None
        reference += f" Available at: {article.url}."
    return reference


def citeproc_reference(article: Article) -> str:
    """The reference formatted by citeproc-py itself."""
    item = csl_item(article)
    bibliography = CitationStylesBibliography(
        _csl_style(), CiteProcJSON([item]), citeproc_formatter.plain
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    return " ".join(str(entry) for entry in bibliography.bibliography()).strip()


# --- BibTeX --------------------------------------------------------------------------------

# Unicode to LaTeX with pylatexenc's defaults (what bibtexparser's LatexEncodingMiddleware uses),
# plus: straight double quotes kept as they are (the default turns them into a closing quote),
# and TeX's input ligatures broken ("--" would print an en dash, "''" a curly quote), so a
# title prints, and parses back, as written.
_LIGATURE_RE = re.compile(r"-(?=-)|'(?=')|`(?=`)|[!?](?=`)|,(?=,)")
# Text the encoder below returns unchanged: ASCII letters, digits, space and punctuation it has
# no rule for, and hyphens, apostrophes and commas that do not make a ligature (a test checks
# this against the encoder).
_LATEX_PLAIN_RE = re.compile(r"(?!.*(?:--|''|,,))[0-9A-Za-z !\"()*+,./:;=?@\[\]|'-]*")


class _FastLatexEncoder(UnicodeToLatexEncoder):
    """pylatexenc's encoder, skipped for text it would return unchanged and run once per
    distinct text (bylines and publications repeat across thousands of entries)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._encoded: dict[str, str] = {}

    def unicode_to_latex(self, s: str) -> str:
        if _LATEX_PLAIN_RE.fullmatch(s):
            return s
        encoded = self._encoded.get(s)
        if encoded is None:
            encoded = self._encoded[s] = super().unicode_to_latex(s)
        return encoded


_LATEX_ENCODER = _FastLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(
            rule_type=RULE_REGEX,
            rule=[(re.compile('"'), '"'), (_LIGATURE_RE, r"\g<0>{}")],
        ),
        "defaults",
    ],
    unknown_char_policy="keep",  # scripts LaTeX has no macro for stay UTF-8 (biber reads it)
    unknown_char_warning=False,
)
_BIBTEX_FORMAT = bibtexparser.BibtexFormat()
_BIBTEX_FORMAT.indent = "  "
_BIBTEX_FORMAT.block_separator = "\n"


def _bibtex_library(articles: tuple[Article, ...] | list[Article]) -> Library:
    library = Library()
    for article in articles:
        library.add(
            Entry(
                "article",
                article.slug,
                [
                    Field("author", article.author),
                    Field("title", article.title),
                    Field("journaltitle", article.publication),
                    Field("journal", article.publication),
                ],
            )
        )
    encoded = LatexEncodingMiddleware(encoder=_LATEX_ENCODER).transform(library)
    by_slug = {article.slug: article for article in articles}
    for entry in encoded.entries:
        article = by_slug[entry.key]
        # One pair of braces more: the byline is one literal name, never split into first
        # and last names; the title keeps its capitals in styles that change case.
        for key in ("author", "title"):
            entry[key] = "{" + entry[key] + "}"
        entry.set_field(Field("date", article.date.isoformat()))
        entry.set_field(Field("year", str(article.date.year)))
        if article.url:
            entry.set_field(Field("url", _bibtex_url(article.url)))
        if article.is_opinion:
            entry.set_field(Field("note", OPINION_GENRE))
    return encoded


def _bibtex_url(url: str) -> str:
    """URLs are verbatim in biblatex: only characters that would unbalance the entry change."""
    return re.sub(r"[{}\\]", lambda m: quote(m.group(0), safe=""), url)


def _write_bibtex(library: Library) -> str:
    """The library as BibTeX. bibtexparser's default stack adds the braces on a deep copy of
    the library; each library here is made for this one call, so they are added in place."""
    stack = default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(library, unparse_stack=stack, bibtex_format=_BIBTEX_FORMAT)


def bibtex_entry(article: Article) -> str:
    """The article as one BibTeX ``@article`` entry (biblatex and classic BibTeX fields)."""
    return _write_bibtex(_bibtex_library([article]))


def bibtex_entries(dossier: Dossier) -> dict[str, str]:
    """Each article's BibTeX entry by slug: made once a build, for the pages and the file."""
    return {article.slug: bibtex_entry(article) for article in dossier.articles}


def bibtex(dossier: Dossier, entries: dict[str, str] | None = None) -> str:
    """Every article as BibTeX, newest first, entries separated by a blank line."""
    entries = entries or bibtex_entries(dossier)
    return "\n".join(entries[article.slug] for article in dossier.articles)


# --- the "Cite this" block -----------------------------------------------------------------


def cite_block(
    article: Article,
    index: Index | None = None,
    entry: str | None = None,
    directory_urls: bool = True,
) -> str:
    """Markdown of an article page's "Cite this" section: its heading, then the reference, its
    BibTeX and a link to the data page as one raw HTML block (``render.raw_paragraphs``; the
    BibTeX as Python-Markdown writes a fenced code block). Made for the article's own page
    (``articles/<slug>.md``); links follow ``directory_urls`` as MkDocs' would.
    """
    entry = (entry or bibtex_entry(article)).rstrip("\n")
    path = render.article_path(article.slug)
    code = html.escape(entry, quote=False).replace('"', "&quot;")
    block = render.raw_paragraphs(
        "cite",
        [
            html.escape(formatted_reference(article), quote=False),
            "Every article's reference, the feed and the dossier as data: "
            + render.html_link(DATA_PAGE_TITLE, path, DATA_PAGE, directory_urls)
            + ".",
        ],
    )
    block.insert(2, f'<pre><code class="language-bibtex">{code}\n</code></pre>')
    return "\n".join(["## Cite this", "", *block, ""])


# --- the Atom feed -------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all; validation already keeps them out of metadata.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL_RE.sub("\ufffd", text)


def _site_root(site_url: str) -> str:
    parts = urlsplit(site_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"the feed needs the site's absolute http(s) address (site_url), got {site_url!r}"
        )
    return site_url if site_url.endswith("/") else site_url + "/"


def article_url(slug: str, site_url: str) -> str:
    """The article page's absolute address: ``<site_url>articles/<slug>/``."""
    return f"{_site_root(site_url)}{render.ARTICLES}/{slug}/"


def _timestamp(day: datetime.date) -> str:
    # Articles are dated to the day; Atom wants a time, so midnight UTC stands for the day.
    return f"{day.isoformat()}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def feed(
    dossier: Dossier, index: Index | None, site_url: str, title: str = "Research dossier"
) -> str:
    """An Atom feed of the newest ``FEED_SIZE`` articles, newest first.

    Entry ids are the articles' addresses under ``site_url``; the feed's ``updated`` is the
    newest article's date (1970-01-01 for a dossier without articles), never the clock.
    """
    root_url = _site_root(site_url)
    articles = sorted(dossier.articles, key=lambda a: a.date, reverse=True)[:FEED_SIZE]
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(root, "id", root_url + FEED)
    _sub(root, "title", title)
    _sub(root, "subtitle", f"The newest articles of the dossier, up to {FEED_SIZE}.")
    newest = articles[0].date if articles else datetime.date(1970, 1, 1)
    _sub(root, "updated", _timestamp(newest))
    _sub(root, "link", rel="self", type="application/atom+xml", href=root_url + FEED)
    _sub(root, "link", rel="alternate", type="text/html", href=root_url)
    _sub(root, "generator", "Dossier")
    for article in articles:
        url = article_url(article.slug, root_url)
        entry = _sub(root, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", article.title, type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", _timestamp(article.date))
        _sub(entry, "updated", _timestamp(article.date))
        author = _sub(entry, "author")
        _sub(author, "name", article.author)
        if article.summary:
            _sub(entry, "summary", article.summary, type="text")
        for topic_id in article.topics:
            topic = dossier.topics_by_id.get(topic_id)
            _sub(
                entry,
                "category",
                term=topic_id,
                label=topic.name if topic else topic_id,
                scheme=f"{root_url}topics/",
            )
        if article.is_opinion:
            _sub(entry, "category", term="op-ed", label="Opinion")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# --- dossier.json --------------------------------------------------------------------------


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _optional_text(description: str) -> dict[str, Any]:
    return {"type": ["string", "null"], "description": description + " null when not recorded."}


def _id(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "description": description}


def _list(items: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": items, "description": description}


def _record(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


_OFFSET = {"type": "integer", "minimum": 0}

DOSSIER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Dossier export",
    "description": (
        "Every article of the dossier with its metadata, the actors it names (with each "
        "mention), its quotes and the events it reports; and the actor and topic registries. "
        "Offsets count Unicode code points of the article's Markdown body."
    ),
    **_record(
        "The dossier.",
        {
            "version": {
                "const": SCHEMA_VERSION,
                "description": "The version of this format; it changes when a field changes "
                "meaning or is removed.",
            },
            "articles": _list({"$ref": "#/$defs/article"}, "Every article, newest first."),
            "actors": _list({"$ref": "#/$defs/actor"}, "The actor registry, in file order."),
            "topics": _list({"$ref": "#/$defs/topic"}, "The topic registry, in file order."),
        },
    ),
    "$defs": {
        "article": _record(
            "One article.",
            {
                "slug": _id(
                    "The article's id: its file name without .md; also its page's "
                    "address, articles/<slug>/."
                )
                | {"pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$"},
                "source": _text("The article's file, relative to the dossier folder."),
                "title": _text("The headline as published."),
                "kind": {
                    "enum": list(ARTICLE_KINDS),
                    "description": "news for reporting, op-ed for opinion.",
                },
                "author": _text("The byline, as published."),
                "date": {
                    "type": "string",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "description": "The publication date, YYYY-MM-DD.",
                },
                "publication": _text("The publisher or site."),
                "section": _optional_text("The section of the publication."),
                "url": _optional_text("The source's web address."),
                "tags": _list(
                    {"type": "string"}, "The source's own tags, verbatim (typos included)."
                ),
                "topics": _list(_id("A topic id."), "Every topic of the article, by id."),
                "summary": _text("A one-sentence summary (the curator's, or the opening one)."),
                "disclaimer": _optional_text("The publisher's opinion disclaimer, verbatim."),
                "disclaimer_cut_off": {
                    "type": "boolean",
                    "description": "True when the source cuts the disclaimer off.",
                },
                "body": _text("The article's text, in Markdown, as in the dossier file."),
                "actors": _list(
                    {"$ref": "#/$defs/named_actor"},
                    "The actors the text names, in order of first mention.",
                ),
                "quotes": _list({"$ref": "#/$defs/quote"}, "Passages attributed to actors."),
                "events": _list({"$ref": "#/$defs/event"}, "Events the article reports."),
            },
        ),
        "named_actor": _record(
            "An actor named in an article, with every mention.",
            {
                "id": _id("The actor's id in the registry."),
                "mentions": _list({"$ref": "#/$defs/mention"}, "Every mention, in text order."),
            },
        ),
        "mention": _record(
            "One mention of an actor in an article's body.",
            {
                "offset": _OFFSET | {"description": "Where the mention starts in the body."},
                "end": _OFFSET | {"description": "Where it ends (exclusive)."},
                "text": _text("The name as written: body[offset:end]."),
                "sentence": _text("The sentence it stands in, as plain text."),
                "sentence_offset": _OFFSET
                | {"description": "Where the name starts within the sentence."},
            },
        ),
        "quote": _record(
            "A passage of the article attributed to an actor.",
            {
                "speaker": _id("The speaker's actor id."),
                "text": _text("The passage, verbatim from the article's text."),
                "context": _text("What the passage is about; may be empty."),
            },
        ),
        "event": _record(
            "Something that happened, as the article reports it.",
            {
                "date": {
                    "type": "string",
                    "pattern": "^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$",
                    "description": "YYYY, YYYY-MM or YYYY-MM-DD: no more precise than known.",
                },
                "precision": {
                    "enum": ["year", "month", "day"],
                    "description": "How precisely the date is known.",
                },
                "wording": _text("How the article words the date; may be empty."),
                "summary": _text("What happened."),
                "actors": _list(_id("An actor id."), "The actors involved, by id."),
            },
        ),
        "actor": _record(
            "An actor of the registry.",
            {
                "id": _id("The actor's id; its page is actors/<id>/."),
                "name": _text("The display name."),
                "kind": {"enum": list(ACTOR_KINDS), "description": "What sort of actor it is."},
                "aliases": _list({"type": "string"}, "Other names the articles use."),
                "shared_aliases": _list(
                    {"type": "string"}, "Names shared with another actor, never linked."
                ),
                "description": _text("One neutral line about the actor."),
            },
        ),
        "topic": _record(
            "A topic of the registry.",
            {
                "id": _id("The topic's id; its page is topics/<id>/."),
                "name": _text("The display name."),
                "aliases": _list({"type": "string"}, "Other spellings, source tags included."),
                "description": _text("One neutral line about the subject."),
            },
        ),
    },
}


def _article_data(article: Article, index: Index) -> dict[str, Any]:
    mentions: dict[str, list[dict[str, Any]]] = {
        a: [] for a in index.actors_by_article[article.slug]
    }
    for mention in index.mentions[article.slug]:
        mentions.setdefault(mention.actor, []).append(
            {
                "offset": mention.start,
                "end": mention.end,
                "text": article.body[mention.start : mention.end],
                "sentence": mention.sentence,
                "sentence_offset": mention.sentence_start,
            }
        )
    return {
        "slug": article.slug,
        "source": article.rel,
        "title": article.title,
        "kind": article.kind,
        "author": article.author,
        "date": article.date.isoformat(),
        "publication": article.publication,
        "section": article.section or None,
        "url": article.url or None,
        "tags": list(article.tags),
        "topics": list(article.topics),
        "summary": article.summary,
        "disclaimer": article.disclaimer or None,
        "disclaimer_cut_off": article.disclaimer_cut_off,
        "body": article.body,
        "actors": [{"id": actor_id, "mentions": found} for actor_id, found in mentions.items()],
        "quotes": [
            {"speaker": q.speaker, "text": q.text, "context": q.context} for q in article.quotes
        ],
        "events": [
            {
                "date": e.date.iso,
                "precision": e.date.precision,
                "wording": e.wording,
                "summary": e.summary,
                "actors": list(e.actors),
            }
            for e in article.events
        ],
    }


def dossier_data(dossier: Dossier, index: Index) -> dict[str, Any]:
    """dossier.json as Python data (what ``dossier_json`` serialises)."""
    data = _dossier_parts(dossier, index)
    data["articles"] = list(data["articles"])
    return data


def _dossier_parts(dossier: Dossier, index: Index) -> dict[str, Any]:
    """``dossier_data``, with the articles as an iterator: each made when it is asked for."""
    return {
        "version": SCHEMA_VERSION,
        "articles": (_article_data(article, index) for article in dossier.articles),
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "aliases": list(a.aliases),
                "shared_aliases": list(a.shared_aliases),
                "description": a.description,
            }
            for a in dossier.actors
        ],
        "topics": [
            {"id": t.id, "name": t.name, "aliases": list(t.aliases), "description": t.description}
            for t in dossier.topics
        ],
    }


def _compact(data: Any) -> str:
    # Compact: Python's C encoder only runs without indentation (ten times faster), and the
    # files are for programs; any JSON tool pretty-prints them.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _dumps(data: Any) -> str:
    return _compact(data) + "\n"


def _dumps_utf8(mapping: dict[str, Any]) -> bytes:
    """``_dumps(mapping)`` as UTF-8, the items of an iterator value encoded one at a time, so
    that neither the whole data nor the whole text is ever held (dossier.json is 120 MB of
    text at 10,000 articles, twice that as a str with one character past Latin-1)."""
    out = io.BytesIO()
    out.write(b"{")
    for number, key in enumerate(sorted(mapping)):
        out.write(b"," if number else b"")
        out.write(_compact(key).encode("utf-8") + b":")
        value = mapping[key]
        if isinstance(value, Iterator):
            out.write(b"[")
            for position, item in enumerate(value):
                out.write(b"," if position else b"")
                out.write(_compact(item).encode("utf-8"))
            out.write(b"]")
        else:
            out.write(_compact(value).encode("utf-8"))
    out.write(b"}\n")
    return out.getvalue()


def dossier_json(dossier: Dossier, index: Index) -> str:
    """Every article's metadata, actors and mentions, quotes and events; the registries."""
    return dossier_json_utf8(dossier, index).decode("utf-8")


def dossier_json_utf8(dossier: Dossier, index: Index) -> bytes:
    """``dossier_json`` as UTF-8, made one article at a time."""
    return _dumps_utf8(_dossier_parts(dossier, index))


def schema_json() -> str:
    """``DOSSIER_SCHEMA`` as published in dossier.schema.json."""
    return _dumps(DOSSIER_SCHEMA)


# --- all of it -----------------------------------------------------------------------------


def pages(
    dossier: Dossier,
    index: Index,
    site_url: str,
    title: str = "Research dossier",
    entries: dict[str, str] | None = None,
) -> list[render.Page]:
    """The site's data files, sorted by path. ``site_url`` must be absolute (for the feed)."""
    return list(each_page(dossier, index, site_url, title, entries))


def each_page(
    dossier: Dossier,
    index: Index,
    site_url: str,
    title: str = "Research dossier",
    entries: dict[str, str] | None = None,
) -> Iterator[render.Page]:
    """``pages``, each made when it is asked for: a caller that passes each on holds one at a
    time (they are 125 MB at 10,000 articles)."""
    makers: dict[str, Callable[[], str | bytes]] = {
        BIBLIOGRAPHY_JSON: lambda: csl_json(dossier, index),
        BIBLIOGRAPHY_BIB: lambda: bibtex(dossier, entries),
        FEED: lambda: feed(dossier, index, site_url, title),
        DOSSIER_JSON: lambda: dossier_json_utf8(dossier, index),
        DOSSIER_SCHEMA_JSON: schema_json,
    }
    for path in sorted(makers):
        made = makers[path]()
        if isinstance(made, bytes):
            yield render.Page.of_data(path, made, "")
        else:
            yield render.Page(path, made, "")
