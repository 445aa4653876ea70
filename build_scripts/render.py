"""Stage 4, render: the validated dossier and its index become Markdown pages.

Pure and deterministic: the same input gives byte-identical pages, and nothing is read or
written here. Every piece of contributor text is escaped on its way into a page
(``mdtext.escape`` for titles and disclaimers, ``escape_html_outside_code`` for bodies,
``html.escape`` inside raw HTML). The links render adds to an article's text go to actor
pages by relative ``.md`` paths, which MkDocs validates and rewrites. Everything else render
writes around the text, and all of a listing page (actor, topic, source, archive and index
pages, the timeline, the home page) below its title, is raw HTML blocks built here, linked by
the URLs MkDocs serves the pages at (``network.page_url``, which follows ``directory_urls``),
and plain headings (``Page.headings``): the site build sets them aside while Python-Markdown
reads the page (``publish.lift_blocks``), and a page with nothing else is not given to
Python-Markdown at all. Publishing is ``publish``.
"""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from build_scripts import exports, mdtext, network, yamlsource
from build_scripts.halves import Ends
from build_scripts.link import Index, Mention

# The page record and the HTML blocks' conventions live in model, which the site build's
# MkDocs process imports without the rendering (and its libraries): see pipeline.run_apart.
from build_scripts.model import (  # noqa: F401 (re-exported: render.Page and friends)
    DEFAULT_SITE_URL,
    LISTING_BLOCK,
    LISTING_CLASS,
    PLAIN_LINK_TEXT,
    RAW_BLOCK,
    Actor,
    Article,
    Dossier,
    Event,
    Page,
    PartialDate,
    Quote,
    Topic,
    link_spans,
)
from build_scripts.related import Related, related_articles, related_items
from build_scripts.slugs import slugify

ARTICLES = "articles"
ACTORS = "actors"
TOPICS = "topics"
HOME = "index.md"
LATEST_ON_HOME = 10
SENTENCES_PER_ARTICLE = 3
LISTING_LIMIT = 50  # articles on an actor, topic or source page; every one on archive pages
ARCHIVE_LIMIT = 200  # articles on an archive page, unless one month has more (_periods)
ARTICLES_ON_INDEX = 300  # beyond this the articles index lists its articles on archive pages
NEIGHBOURS_SHOWN = 10

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ACTOR_KIND_LABELS = {
    "person": ("Person", "People"),
    "state": ("State", "States"),
    "institution": ("Institution", "Institutions"),
    "military": ("Military", "Militaries"),
    "armed-group": ("Armed group", "Armed groups"),
    "organisation": ("Organisation", "Organisations"),
}


def article_path(slug: str) -> str:
    return f"{ARTICLES}/{slug}.md"


def actor_path(actor_id: str) -> str:
    return f"{ACTORS}/{actor_id}.md"


def topic_path(topic_id: str) -> str:
    return f"{TOPICS}/{topic_id}.md"


def relative(from_page: str, to_page: str) -> str:
    """``to_page`` relative to the folder of ``from_page`` (both docs-relative, no "..")."""
    return _relative(from_page.rpartition("/")[0], to_page)


@functools.lru_cache(maxsize=1 << 14)  # every article page links the actors from one folder
def _relative(folder: str, to_page: str) -> str:
    source = folder.split("/") if folder else []
    target = to_page.split("/")
    common = 0
    while common < len(source) and common < len(target) - 1 and source[common] == target[common]:
        common += 1
    return "../" * (len(source) - common) + "/".join(target[common:])


def format_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _front_matter(title: str, description: str, boost: float | None = None) -> str:
    # Themes print these values into HTML unescaped, so escape them here.
    meta: dict[str, object] = {"title": html.escape(title, quote=False)}
    if description:
        meta["description"] = html.escape(description, quote=True)
    if boost is not None:
        meta["search"] = {"boost": boost}
    dumped = yamlsource.dump(meta)
    return f"---\n{dumped}---\n\n"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _text(text: str) -> str:
    """Plain text for raw HTML."""
    return html.escape(text, quote=False)


def html_link(
    text: str, from_page: str, to_page: str, directory_urls: bool, anchor: str = ""
) -> str:
    """An HTML link from one page to another (at ``anchor`` if any), both given as
    docs-relative ``.md`` paths."""
    href = network.page_url(from_page, to_page, directory_urls) + (f"#{anchor}" if anchor else "")
    return _anchor(href, text)


@functools.lru_cache(maxsize=1 << 16)  # the same link stands on many pages (an actor's name)
def _anchor(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{_text(text)}</a>'


def raw_block(name: str, elements: list[str]) -> list[str]:
    """Page lines of a raw HTML block of ``elements`` (each already HTML, none a line
    ``</div>``), as a ``<div>`` of class ``dossier-<name>``: what render writes that is no
    contributor's Markdown, made without Markdown (``RAW_BLOCK``)."""
    return [f'<div class="dossier-{name}">', *elements, "</div>"]


def raw_paragraphs(name: str, paragraphs: list[str]) -> list[str]:
    """``raw_block`` of paragraphs, each already HTML."""
    return raw_block(name, [f"<p>{p}</p>" for p in paragraphs])


def _html_ul(items: list[str]) -> list[str]:
    """Lines of a plain HTML list of ``<li>`` items, which search indexes like any text
    (``html_list`` is a listing, which it does not)."""
    return ["<ul>", *items, "</ul>"]


def html_list(items: list[str]) -> list[str]:
    """Page lines of a raw HTML list of ``<li>`` items, blank lines around it for Markdown."""
    return ["", f'<ul class="{LISTING_CLASS}">', *items, "</ul>", ""]


def _article_item(
    article: Article, from_page: str, directory_urls: bool, after: str = "", below: str = ""
) -> str:
    """One listing entry: linked title, date, author, publication, kind; then ``after`` on the
    same line and ``below`` under it (both HTML)."""
    href = network.page_url(from_page, article_path(article.slug), directory_urls)
    head = _listed(
        href, article.title, article.date, article.author, article.publication, article.is_opinion
    )
    return f"<li>{head}{after}{below}</li>"


@functools.lru_cache(maxsize=1 << 16)  # an article is listed on a dozen pages or more
def _listed(
    href: str, title: str, date: datetime.date, author: str, publication: str, opinion: bool
) -> str:
    """A listing entry's linked title, date, author, publication and kind, as HTML."""
    parts = [format_date(date), _text(author), f"<em>{_text(publication)}</em>"]
    if opinion:
        parts.append("Opinion")
    return f"<strong>{_anchor(href, title)}</strong> — " + " · ".join(parts)


def _quoted(notes: list[str]) -> str:
    """HTML paragraphs as a block quote under a listing entry, "" for none."""
    return "<blockquote>" + "".join(f"<p>{n}</p>" for n in notes) + "</blockquote>" if notes else ""


# --- article pages -------------------------------------------------------------------------


def link_mentions(
    body: str, mentions: tuple[Mention, ...], from_page: str
) -> tuple[str, list[tuple[int, int]]]:
    """Insert a link to the actor page at every mention, then neutralise raw HTML. Also
    returns where the links are whose text is plain: the links the site build may make
    without Markdown (``Page.links``)."""
    pieces: list[str] = []
    position = length = 0
    offsets: list[int] = []
    for mention in mentions:
        before = body[position : mention.start]
        if before.endswith("!") and not before.endswith("\\!"):
            before = before[:-1] + "\\!"  # "!" then a link would make an image
        pieces.append(before)
        length += len(before)
        text = body[mention.start : mention.end]
        link = f"[{text}]({relative(from_page, actor_path(mention.actor))})"
        pieces.append(link)
        if PLAIN_LINK_TEXT.fullmatch(text):  # never in a heading (mdtext.protected_spans)
            offsets += [length, length + len(link)]
        length += len(link)
        position = mention.end
    pieces.append(body[position:])
    linked, moved = mdtext.escape_html_outside_code_at("".join(pieces), offsets)
    return linked, list(zip(moved[::2], moved[1::2], strict=True))


def render_article(
    article: Article,
    dossier: Dossier,
    index: Index,
    related: tuple[Related, ...] = (),
    bibtex_entry: str | None = None,
    directory_urls: bool = True,
) -> Page:
    path = article_path(article.slug)
    lines = [_front_matter(article.title, article.summary), f"# {mdtext.escape(article.title)}", ""]
    author = html_link(
        article.author, path, f"authors/{slugify(article.author)}.md", directory_urls
    )
    publication = html_link(
        article.publication, path, f"publications/{slugify(article.publication)}.md", directory_urls
    )
    byline = [f"By <strong>{author}</strong>", format_date(article.date), f"<em>{publication}</em>"]
    if article.section:
        byline.append(_text(article.section))
    byline.append("Opinion" if article.is_opinion else "News")
    lines += [*raw_paragraphs("byline", [" · ".join(byline)]), ""]
    if article.is_opinion:
        disclaimer = mdtext.escape(article.disclaimer)
        if article.disclaimer_cut_off:
            disclaimer += " […]\n\n    *The source cuts the disclaimer off here.*"
        # The comment ends the admonition even when the body starts indented.
        lines += ['!!! opinion "Opinion"', "", f"    {disclaimer}", "", "<!-- article text -->", ""]
    body, spans = link_mentions(article.body, index.mentions[article.slug], path)
    stripped = body.lstrip("\n")
    body_at = len("\n".join(lines)) + 1 - (len(body) - len(stripped))  # where body[0] would be
    lines += [stripped.rstrip("\n"), ""]
    own_from = len("\n".join(lines))  # the headings from here on are render's own

    if article.topics:
        lines.append("## Topics")
        topics = [(dossier.topics_by_id[t].name, topic_path(t)) for t in article.topics]
        lines += html_list(
            [f"<li>{html_link(name, path, to, directory_urls)}</li>" for name, to in topics]
        )
    named = index.actors_by_article[article.slug]
    if named:
        counts = {actor_id: 0 for actor_id in named}
        for mention in index.mentions[article.slug]:
            counts[mention.actor] += 1
        items = []
        for actor_id in named:
            actor = dossier.actors_by_id[actor_id]
            kind = ACTOR_KIND_LABELS[actor.kind][0].lower()
            link = html_link(actor.name, path, actor_path(actor_id), directory_urls)
            items.append(f"<li>{link} — {kind}, {_plural(counts[actor_id], 'mention')}</li>")
        lines += ["## Actors named", *html_list(items)]
    if article.quotes:
        quotes = []
        for quote in article.quotes:
            speaker = dossier.actors_by_id[quote.speaker]
            said_by = html_link(speaker.name, path, actor_path(speaker.id), directory_urls)
            quotes.append(_quote_html(quote, said_by))
        lines += ["## Quotes", "", *raw_block("quotes", quotes), ""]
    if article.events:
        events = [
            _event_item(article.slug, e, dossier, index, path, directory_urls)
            for e in article.events
        ]
        lines += ["## Events reported", "", *raw_block("events", _html_ul(events)), ""]
    if related:
        items = related_items(related, dossier, index, path, directory_urls)
        lines += ["## Related reading", *html_list(items)]
    lines += ["## Source", "", *raw_paragraphs("source", [_source_line(article)]), ""]
    lines += [exports.cite_block(article, entry=bibtex_entry, directory_urls=directory_urls), ""]
    text = "\n".join(lines)
    links = link_spans(text, [(body_at + start, body_at + end) for start, end in spans])
    shown_at = body_at + len(body) - len(stripped)  # where the text stands, blank lines cut
    body_span = link_spans(text, [(shown_at, shown_at + len(stripped.rstrip("\n")))])
    return Page(path, text, article.rel, links, own_from, body_span)


def _source_line(article: Article) -> str:
    """The "Source" section's paragraph, as HTML."""
    parts = [
        _text(article.author),
        f"“{_text(article.title)}”",
        f"<em>{_text(article.publication)}</em>",
    ]
    if article.section:
        parts.append(_text(article.section))
    parts.append(format_date(article.date))
    line = ", ".join(parts) + "."
    if article.url:
        line += f' <a href="{html.escape(article.url)}">{_text(article.url)}</a>'
    else:
        line += " The source's web address is not recorded."
    return line


# --- actor and topic pages (one function renders both) -------------------------------------


def _grouped_by_month(
    articles: list[Article], from_page: str, level: str, directory_urls: bool
) -> list[str]:
    """Articles (newest first) under year and month headings; ``level`` is the year's "##"."""
    lines: list[str] = []
    for year, of_year in _by_year(articles).items():
        lines += [f"{level} {year}", ""]
        months: dict[int, list[Article]] = {}
        for article in of_year:
            months.setdefault(article.date.month, []).append(article)
        for month, items in months.items():
            lines.append(f"{level}# {MONTHS[month - 1]} {year}")
            lines += html_list([_article_item(a, from_page, directory_urls) for a in items])
    return lines


def _by_year(articles: list[Article]) -> dict[int, list[Article]]:
    years: dict[int, list[Article]] = {}
    for article in articles:
        years.setdefault(article.date.year, []).append(article)
    return years


@dataclass(frozen=True)
class _Period:
    """One page of a listing's every article: whole years, or whole months of one year."""

    name: str  # the page's file name without ".md": "2019", "2016-2018", "2020-03-to-05"
    label: str  # "2019", "2016–2018", "March–May 2020"
    articles: list[Article]  # newest first
    one_year: bool


def _periods(articles: list[Article]) -> list[_Period]:
    """``articles`` (newest first) on pages of at most ``ARCHIVE_LIMIT``: consecutive whole
    years while they fit, and a year too big for one page on pages of consecutive whole months
    (a month bigger still gets a page of its own). So the pages grow with the dossier, not
    with the years it spans, and none holds thousands of rows."""
    periods: list[_Period] = []
    run: list[tuple[int, list[Article]]] = []  # whole years waiting for a page, newest first

    def years_page() -> None:
        newest, oldest = run[0][0], run[-1][0]
        items = [a for _, of_year in run for a in of_year]
        one = newest == oldest
        name, label = (
            (str(newest), str(newest)) if one else (f"{oldest}-{newest}", f"{oldest}–{newest}")
        )
        periods.append(_Period(name, label, items, one))
        run.clear()

    for year, of_year in _by_year(articles).items():
        if run and sum(len(items) for _, items in run) + len(of_year) > ARCHIVE_LIMIT:
            years_page()
        if len(of_year) <= ARCHIVE_LIMIT:
            run.append((year, of_year))
            continue
        months: dict[int, list[Article]] = {}
        for article in of_year:
            months.setdefault(article.date.month, []).append(article)
        pending: list[tuple[int, list[Article]]] = []
        for month, of_month in [*months.items(), (0, [])]:
            if pending and (
                month == 0 or sum(len(i) for _, i in pending) + len(of_month) > ARCHIVE_LIMIT
            ):
                last, first = pending[0][0], pending[-1][0]
                name = f"{year}-{first:02}" + ("" if first == last else f"-to-{last:02}")
                label = MONTHS[first - 1] + ("" if first == last else f"–{MONTHS[last - 1]}")
                items = [a for _, of in pending for a in of]
                periods.append(_Period(name, f"{label} {year}", items, True))
                pending = []
            pending.append((month, of_month))
    if run:
        years_page()
    return periods


def _period_links(
    periods: list[_Period], from_page: str, base: str, directory_urls: bool, lead: str = ""
) -> list[str]:
    """A raw block: the paragraph ``lead`` (HTML) if any, then a list of the archive pages,
    newest first, with how many articles each lists."""
    items = [
        f"<li>{html_link(period.label, from_page, f'{base}/{period.name}.md', directory_urls)} — "
        f"{_plural(len(period.articles), 'article')}</li>"
        for period in periods
    ]
    return [*raw_block("archive", [*([f"<p>{lead}</p>"] if lead else []), *_html_ul(items)]), ""]


def _period_pages(
    title: str, periods: list[_Period], base: str, source: str, directory_urls: bool
) -> list[Page]:
    """The archive pages of a listing whose articles do not all fit on its page."""
    pages = []
    for period in periods:
        path = f"{base}/{period.name}.md"
        heading = f"{title}: articles of {period.label}"
        lines = [_front_matter(heading, ""), f"# {mdtext.escape(heading)}", ""]
        lines += [
            *raw_paragraphs(
                "intro", [f"{_plural(len(period.articles), 'article')}, newest first."]
            ),
            "",
        ]
        grouped = _grouped_by_month(period.articles, path, "##", directory_urls)
        lines += grouped[2:] if period.one_year else grouped  # the year is in the title
        pages.append(Page(path, "\n".join(lines), source))
    return pages


def format_partial_date(date: PartialDate) -> str:
    """As precise as known, never more: "2020", "January 2020", "2 April 2020"."""
    if date.precision == "year":
        return str(date.year)
    if date.precision == "month":
        return f"{MONTHS[date.month - 1]} {date.year}"
    return format_date(datetime.date(date.year, date.month, date.day))


def _event_item(
    slug: str, event: Event, dossier: Dossier, index: Index, from_page: str, directory_urls: bool
) -> str:
    """An event as an HTML list item: when, what, who, and the article that reports it."""
    when = format_partial_date(event.date)
    if event.wording:
        when += f" (“{_text(event.wording)}”)"
    actors = ", ".join(
        html_link(dossier.actors_by_id[a].name, from_page, actor_path(a), directory_urls)
        for a in event.actors
    )
    title = index.articles_by_slug[slug].title
    source = html_link(title, from_page, article_path(slug), directory_urls)
    item = f"<li><strong>{when}</strong>: {_text(event.summary)}"
    if actors:
        item += f" — {actors}"
    return item + f" ({source})</li>"


def _quote_html(quote: Quote, said_by: str, where: str = "") -> str:
    """A quote as an HTML block quote; ``said_by`` and ``where`` are HTML."""
    attribution = f"— {said_by}"
    if quote.context:
        attribution += f", <em>{_text(quote.context)}</em>"
    if where:
        attribution += f", {where}"
    return f"<blockquote><p>“{_text(quote.text)}”</p><p>{attribution}</p></blockquote>"


def _term_page(
    path: str,
    name: str,
    label: str,
    aliases: tuple[str, ...],
    description: str,
    articles: list[Article],
    article_notes: dict[str, list[str]],
    sections: list[tuple[str, list[str]]],
    source: str,
    directory_urls: bool,
) -> list[Page]:
    """One page per actor or topic, plus per-year pages when its articles overflow."""
    lines = [_front_matter(name, description, boost=2), f"# {mdtext.escape(name)}", ""]
    about = [f"<p><strong>{_text(label)}</strong></p>"]
    if aliases:
        about.append(
            "<p>Also called: " + ", ".join(f"<em>{_text(a)}</em>" for a in aliases) + "</p>"
        )
    if description:
        about.append(f"<p>{_text(description)}</p>")
    lines += [*raw_block("about", about), ""]
    lines += [f"## Articles ({len(articles)})", ""]
    if not articles:
        lines += [*raw_paragraphs("note", ["No article in the dossier names this yet."]), ""]
    else:
        lines += html_list(
            [
                _article_item(a, path, directory_urls, below=_quoted(article_notes.get(a.slug, [])))
                for a in articles[:LISTING_LIMIT]
            ]
        )
    pages: list[Page] = []
    if len(articles) > LISTING_LIMIT:
        base = path[: -len(".md")]
        periods = _periods(articles)
        lead = f"The newest {LISTING_LIMIT} are shown above. Every article, by date:"
        lines += _period_links(periods, path, base, directory_urls, lead)
        pages = _period_pages(name, periods, base, source, directory_urls)
    for heading, section in sections:
        if section:
            lines += [f"## {heading}", "", *section, ""]
    return [Page(path, "\n".join(lines), source), *pages]


def _mention_notes(actor_id: str, slugs: tuple[str, ...], index: Index) -> dict[str, list[str]]:
    """Per article shown, the distinct sentences naming the actor, with the name in bold."""
    notes: dict[str, list[str]] = {}
    for slug in slugs[:LISTING_LIMIT]:
        sentences: list[str] = []
        hidden = 0
        seen: set[str] = set()
        for mention in index.mentions[slug]:
            if mention.actor != actor_id or mention.sentence in seen:
                continue
            seen.add(mention.sentence)
            if len(sentences) == SENTENCES_PER_ARTICLE:
                hidden += 1
                continue
            s = mention.sentence
            sentences.append(
                _text(s[: mention.sentence_start])
                + f"<strong>{_text(s[mention.sentence_start : mention.sentence_end])}</strong>"
                + _text(s[mention.sentence_end :])
            )
        if hidden:
            sentences.append(f"<em>…and {_plural(hidden, 'more sentence')} in this article.</em>")
        notes[slug] = sentences
    return notes


def _years_named(articles: list[Article]) -> str:
    """ "2021: 3 articles, 2020: 1 article" """
    counts = {year: len(items) for year, items in _by_year(articles).items()}
    return ", ".join(f"{year}: {_plural(count, 'article')}" for year, count in counts.items())


def render_actor(
    actor: Actor, dossier: Dossier, index: Index, directory_urls: bool = True
) -> list[Page]:
    path = actor_path(actor.id)
    slugs = index.articles_by_actor[actor.id]
    articles = [index.articles_by_slug[slug] for slug in slugs]
    quotes = []
    for slug, quote in index.quotes_by_actor[actor.id]:
        source = index.articles_by_slug[slug]
        where = html_link(source.title, path, article_path(slug), directory_urls)
        quotes.append(_quote_html(quote, _text(actor.name), f"{where}, {format_date(source.date)}"))
    events = [
        _event_item(slug, event, dossier, index, path, directory_urls)
        for slug, event in index.events_by_actor[actor.id]
    ]
    timeline = _html_ul(events) if events else []
    if articles:
        timeline.append(f"<p>Named in articles of {_years_named(articles)}.</p>")
    drawing = network.neighbourhood(actor.id, dossier, index, path, directory_urls)
    related = [drawing] if drawing else []
    return _term_page(
        path=path,
        name=actor.name,
        label=ACTOR_KIND_LABELS[actor.kind][0],
        aliases=actor.aliases + actor.shared_aliases,
        description=actor.description,
        articles=articles,
        article_notes=_mention_notes(actor.id, slugs, index),
        sections=[
            ("Quotes", raw_block("quotes", quotes) if quotes else []),
            ("Timeline", raw_block("timeline", timeline) if timeline else []),
            ("Named alongside", related),
        ],
        source="actors.yml",
        directory_urls=directory_urls,
    )


def render_topic(
    topic: Topic, dossier: Dossier, index: Index, directory_urls: bool = True
) -> list[Page]:
    path = topic_path(topic.id)
    articles = [index.articles_by_slug[slug] for slug in index.articles_by_topic[topic.id]]
    events = [
        _event_item(slug, event, dossier, index, path, directory_urls)
        for slug, event in index.events_by_topic[topic.id]
    ]
    timeline = _html_ul(events) if events else []
    if articles:
        timeline.append(f"<p>Articles of {_years_named(articles)}.</p>")
    related = []
    for actor_id, count in index.actors_by_topic[topic.id][:NEIGHBOURS_SHOWN]:
        name = dossier.actors_by_id[actor_id].name
        link = html_link(name, path, actor_path(actor_id), directory_urls)
        related.append(f"<li>{link} — in {_plural(count, 'article')}</li>")
    return _term_page(
        path=path,
        name=topic.name,
        label="Topic",
        aliases=topic.aliases,
        description=topic.description,
        articles=articles,
        article_notes={a.slug: [_text(a.summary)] for a in articles if a.summary},
        sections=[
            ("Timeline", raw_block("timeline", timeline) if timeline else []),
            ("Actors most named", raw_block("neighbours", _html_ul(related)) if related else []),
        ],
        source="topics.yml",
        directory_urls=directory_urls,
    )


# --- indexes, timeline, sources and home ---------------------------------------------------


def render_articles_index(dossier: Dossier, directory_urls: bool = True) -> list[Page]:
    path = f"{ARTICLES}/index.md"
    articles = list(dossier.articles)
    lines = [
        _front_matter("Articles", "Every article in the dossier, newest first."),
        "# Articles",
        "",
        *raw_paragraphs("intro", [f"{_plural(len(articles), 'article')}, newest first."]),
        "",
    ]
    if len(articles) <= ARTICLES_ON_INDEX:
        lines += _grouped_by_month(articles, path, "##", directory_urls)
        return [Page(path, "\n".join(lines), "")]
    periods = _periods(articles)
    lines += ["## By date", "", *_period_links(periods, path, ARTICLES, directory_urls)]
    lines.append("## Latest")
    lines += html_list([_article_item(a, path, directory_urls) for a in articles[:LISTING_LIMIT]])
    archive = _period_pages("Articles", periods, ARTICLES, "", directory_urls)
    return [Page(path, "\n".join(lines), ""), *archive]


def _month_anchor(year: int, month: int) -> str:
    return f"{MONTHS[month - 1].lower()}-{year}"


def render_timeline(dossier: Dossier, index: Index, directory_urls: bool = True) -> Page:
    """Events and article dates by year and month; articles are counted, events listed."""
    path = "timeline.md"
    paginated = len(dossier.articles) > ARTICLES_ON_INDEX
    intro = (
        "Events as the articles report them, dated as precisely as the articles allow, and the "
        "articles published each month."
    )
    lines = [
        _front_matter("Timeline", "Events reported in the articles, and when they appeared."),
        "# Timeline",
        "",
        *raw_paragraphs("intro", [intro]),
        "",
    ]
    events_by_month: dict[tuple[int, int], list[str]] = {}
    for slug, event in index.events:
        key = (event.date.year, event.date.month)
        item = _event_item(slug, event, dossier, index, path, directory_urls)
        events_by_month.setdefault(key, []).append(item)
    page_of: dict[tuple[int, int], str] = {}  # the archive page of each month's articles
    if paginated:
        for period in _periods(list(dossier.articles)):
            for article in period.articles:
                page_of[(article.date.year, article.date.month)] = f"{ARTICLES}/{period.name}.md"
    published: dict[tuple[int, int], int] = {}
    for article in dossier.articles:
        key = (article.date.year, article.date.month)
        published[key] = published.get(key, 0) + 1
    year = None
    for key in sorted({*events_by_month, *published}):
        if key[0] != year:
            year = key[0]
            lines += [f"## {year}", ""]
        if key[1] == 0:
            known = ["<p>Known only to the year:</p>", *_html_ul(events_by_month[key])]
            lines += [*raw_block("events", known), ""]
            continue
        lines += [f"### {MONTHS[key[1] - 1]} {key[0]}", ""]
        items = list(events_by_month.get(key, []))
        if key in published:
            target = page_of[key] if paginated else f"{ARTICLES}/index.md"
            text = f"{_plural(published[key], 'article')} published"
            link = html_link(text, path, target, directory_urls, _month_anchor(*key))
            items.append(f"<li>{link}</li>")
        lines += [*raw_block("events", _html_ul(items)), ""]
    return Page(path, "\n".join(lines), "")


def _source_pages(
    kind: str,
    heading: str,
    table: dict[str, tuple[str, ...]],
    names: dict[str, str],
    index: Index,
    directory_urls: bool = True,
) -> list[Page]:
    """An index and a page per author or per publication, with the op-ed share."""
    index_path = f"{kind}/index.md"
    lines = [_front_matter(heading, ""), f"# {heading}", ""]
    entries = []
    pages = []
    for key in sorted(table, key=lambda k: (-len(table[k]), names[k].casefold(), k)):
        articles = [index.articles_by_slug[slug] for slug in table[key]]
        opinion = sum(1 for a in articles if a.is_opinion)
        share = f"{round(100 * opinion / len(articles))}% opinion"
        path = f"{kind}/{key}.md"
        count = _plural(len(articles), "article")
        link = html_link(names[key], index_path, path, directory_urls)
        entries.append(f"<li>{link} — {count}, {share}</li>")
        about = [
            f"<p>{_plural(len(articles), 'article')} in the dossier, {share} "
            f"({opinion} op-ed, {len(articles) - opinion} news).</p>"
        ]
        if kind == "publications":
            authors = sorted({a.author for a in articles}, key=str.casefold)
            about.append("<p>Authors: " + ", ".join(_text(a) for a in authors) + ".</p>")
        body = [
            _front_matter(names[key], ""),
            f"# {mdtext.escape(names[key])}",
            "",
            *raw_block("about", about),
        ]
        body += html_list(
            [_article_item(a, path, directory_urls) for a in articles[:LISTING_LIMIT]]
        )
        if len(articles) > LISTING_LIMIT:
            periods = _periods(articles)
            lead = "Every article, by date:"
            body += _period_links(periods, path, path[:-3], directory_urls, lead)
            pages += _period_pages(names[key], periods, path[:-3], "", directory_urls)
        pages.append(Page(path, "\n".join(body), ""))
    if entries:
        lines += [*raw_block("index", _html_ul(entries)), ""]
    return [Page(index_path, "\n".join(lines), ""), *pages]


def render_actors_index(dossier: Dossier, index: Index, directory_urls: bool = True) -> Page:
    path = f"{ACTORS}/index.md"
    lines = [
        _front_matter("Actors", "The people, states and groups the articles name, by kind."),
        "# Actors",
        "",
        *raw_paragraphs("intro", [f"{_plural(len(dossier.actors), 'actor')}, grouped by kind."]),
        "",
    ]
    for kind, (_, heading) in ACTOR_KIND_LABELS.items():
        members = sorted((a for a in dossier.actors if a.kind == kind), key=_sort_name)
        if members:
            entries = [
                _index_entry(a, path, actor_path(a.id), index.articles_by_actor, directory_urls)
                for a in members
            ]
            lines += [f"## {heading}", "", *raw_block("index", _html_ul(entries)), ""]
    return Page(path, "\n".join(lines), "actors.yml")


def render_topics_index(dossier: Dossier, index: Index, directory_urls: bool = True) -> Page:
    path = f"{TOPICS}/index.md"
    entries = [
        _index_entry(t, path, topic_path(t.id), index.articles_by_topic, directory_urls)
        for t in sorted(dossier.topics, key=_sort_name)
    ]
    lines = [
        _front_matter("Topics", "The subjects the articles are filed under."),
        "# Topics",
        "",
        *raw_paragraphs("intro", [f"{_plural(len(dossier.topics), 'topic')}."]),
        "",
        *(raw_block("index", _html_ul(entries)) if entries else []),
        "",
    ]
    return Page(path, "\n".join(lines), "topics.yml")


def _index_entry(
    record: Actor | Topic,
    from_page: str,
    to_page: str,
    articles_by: dict[str, tuple[str, ...]],
    directory_urls: bool,
) -> str:
    """An actor or topic on its index: linked name, description, how many articles."""
    link = html_link(record.name, from_page, to_page, directory_urls)
    count = _plural(len(articles_by[record.id]), "article")
    return f"<li>{link} — {_text(record.description)} ({count})</li>"


def _sort_name(record: Actor | Topic) -> tuple[str, str]:
    return (record.name.casefold(), record.id)


def render_home(dossier: Dossier, title: str, directory_urls: bool = True) -> Page:
    articles = dossier.articles
    opinion = sum(1 for a in articles if a.is_opinion)
    publications = len({a.publication for a in articles})
    lines = [_front_matter(title, ""), f"# {mdtext.escape(title)}", ""]
    counts = [
        html_link(_plural(len(articles), "article"), HOME, f"{ARTICLES}/index.md", directory_urls)
        + f" ({len(articles) - opinion} news, {opinion} opinion)",
        f"from {_plural(publications, 'publication')}",
        html_link(
            _plural(len(dossier.actors), "actor"), HOME, f"{ACTORS}/index.md", directory_urls
        ),
        html_link(
            _plural(len(dossier.topics), "topic"), HOME, f"{TOPICS}/index.md", directory_urls
        ),
    ]
    about = ["This dossier holds " + ", ".join(counts) + "."]
    if articles:
        first, last = articles[-1].date, articles[0].date
        about.append(f"The articles run from {format_date(first)} to {format_date(last)}.")
    lines += [*raw_paragraphs("intro", about), ""]
    if articles:
        lines.append("## Latest articles")
        lines += html_list(
            [
                _article_item(
                    a, HOME, directory_urls, below=f"<p>{_text(a.summary)}</p>" if a.summary else ""
                )
                for a in articles[:LATEST_ON_HOME]
            ]
        )
    return Page(HOME, "\n".join(lines), "")


def render(
    dossier: Dossier,
    index: Index,
    title: str = "Research dossier",
    site_url: str = DEFAULT_SITE_URL,
    directory_urls: bool = True,
) -> list[Page]:
    """Every page and data file of the dossier, sorted by path. ``site_url`` is where the site
    is published (the feed needs absolute links); ``directory_urls`` is MkDocs' setting of that
    name, which the drawings' links (raw HTML, not rewritten by MkDocs) must follow."""
    pages = each_page(dossier, index, title, site_url, directory_urls)
    return sorted(pages, key=lambda page: page.path)


# The two shares of ``each_page``'s work.
PARTS = ("articles", "others")


def each_page(
    dossier: Dossier,
    index: Index,
    title: str = "Research dossier",
    site_url: str = DEFAULT_SITE_URL,
    directory_urls: bool = True,
    share: tuple[str, Ends] | None = None,
) -> Iterator[Page]:
    """``render``'s pages, each made when it is asked for, in the order they are made: a
    caller that passes each on (``pipeline.run_apart``) holds one at a time. ``share``: a
    part (one of ``PARTS``) and the ``halves.Ends`` of ``piece_count`` that two processes
    share, one making each part; together they make every page once, shared out as the
    processes go. The articles part makes the article pages from the first on, then what is
    left of the other pages; the others part makes the other pages from the last back, and
    never an article page (their related articles are computed once)."""
    pieces = _pieces(dossier, index, title, site_url, directory_urls)
    if share is None:
        order: Iterable[int] = range(len(pieces))
    elif share[0] == "articles":
        order = iter(share[1].front, None)
    else:
        order = iter(functools.partial(share[1].back, len(dossier.articles)), None)
    for number in order:
        yield from pieces[number]()


def piece_count(dossier: Dossier, index: Index) -> int:
    """How many pieces ``each_page``'s work is in (for ``halves.Ends``)."""
    return len(_pieces(dossier, index, "", DEFAULT_SITE_URL, True))


def _pieces(
    dossier: Dossier, index: Index, title: str, site_url: str, directory_urls: bool
) -> list[Callable[[], Iterable[Page]]]:
    """``each_page``'s work, piece by piece: every article, then every topic and actor, then
    the pages of the whole dossier, the costliest last (a process that takes pieces from the
    last back takes them first). What the pieces share is computed when first needed."""
    entries = functools.cache(lambda: exports.bibtex_entries(dossier))
    related = functools.cache(lambda: related_articles(dossier, index))

    def article_piece(article: Article) -> Callable[[], Iterable[Page]]:
        return lambda: (
            render_article(
                article,
                dossier,
                index,
                related().get(article.slug, ()),
                entries()[article.slug],
                directory_urls,
            ),
        )

    by_author, by_publication = index.articles_by_author, index.articles_by_publication
    others: list[Callable[[], Iterable[Page]]] = [
        *(
            functools.partial(render_topic, topic, dossier, index, directory_urls)
            for topic in dossier.topics
        ),
        *(
            functools.partial(render_actor, actor, dossier, index, directory_urls)
            for actor in dossier.actors
        ),
        lambda: _source_pages(
            "authors", "Authors", by_author, index.author_names, index, directory_urls
        ),
        lambda: _source_pages(
            "publications",
            "Publications",
            by_publication,
            index.publication_names,
            index,
            directory_urls,
        ),
        lambda: (render_timeline(dossier, index, directory_urls),),
        lambda: (render_topics_index(dossier, index, directory_urls),),
        lambda: (render_actors_index(dossier, index, directory_urls),),
        lambda: (
            render_home(dossier, title, directory_urls),
            *render_articles_index(dossier, directory_urls),
        ),
        lambda: exports.each_page(dossier, index, site_url, title, entries()),
        lambda: (network.network_page(dossier, index, directory_urls),),
    ]
    return [*(article_piece(article) for article in dossier.articles), *others]
