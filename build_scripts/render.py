"""Stage 4, render: the validated dossier and its index become Markdown pages.

Pure and deterministic: the same input gives byte-identical pages, and nothing is read or
written here. Every piece of contributor text is escaped on its way into a page
(``mdtext.escape`` for metadata, ``escape_html_outside_code`` for bodies). Listing pages
link by relative ``.md`` paths so MkDocs validates every link. Publishing is ``publish``.
"""

from __future__ import annotations

import datetime
import html
import posixpath
from dataclasses import dataclass

import yaml

from build_scripts import mdtext
from build_scripts.link import Index, Mention
from build_scripts.model import Actor, Article, Dossier, Topic

ARTICLES = "articles"
ACTORS = "actors"
TOPICS = "topics"
HOME = "index.md"
LATEST_ON_HOME = 10
SENTENCES_PER_ARTICLE = 3
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


@dataclass(frozen=True)
class Page:
    path: str  # where the page goes, relative to the docs folder: "actors/iran.md"
    text: str  # the page's Markdown
    source: str  # the dossier file it is made from, relative to the dossier folder ("" if none)


def article_path(slug: str) -> str:
    return f"{ARTICLES}/{slug}.md"


def actor_path(actor_id: str) -> str:
    return f"{ACTORS}/{actor_id}.md"


def topic_path(topic_id: str) -> str:
    return f"{TOPICS}/{topic_id}.md"


def _link(text: str, from_page: str, to_page: str) -> str:
    target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return f"[{mdtext.escape(text)}]({target})"


def format_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _front_matter(title: str, description: str, boost: float | None = None) -> str:
    # Themes print these values into HTML unescaped, so escape them here.
    meta: dict[str, object] = {"title": html.escape(title, quote=False)}
    if description:
        meta["description"] = html.escape(description, quote=True)
    if boost is not None:
        meta["search"] = {"boost": boost}
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=True, width=10_000)
    return f"---\n{dumped}---\n\n"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _article_line(article: Article, from_page: str) -> str:
    """One listing line: linked title, date, author, publication, kind."""
    parts = [
        format_date(article.date),
        mdtext.escape(article.author),
        f"*{mdtext.escape(article.publication)}*",
    ]
    if article.is_opinion:
        parts.append("Opinion")
    title = _link(article.title, from_page, article_path(article.slug))
    return f"**{title}** — " + " · ".join(parts)


# --- article pages -------------------------------------------------------------------------


def link_mentions(body: str, mentions: tuple[Mention, ...], from_page: str) -> str:
    """Insert a link to the actor page at every mention, then neutralise raw HTML."""
    pieces: list[str] = []
    position = 0
    for mention in mentions:
        pieces.append(body[position : mention.start])
        target = posixpath.relpath(actor_path(mention.actor), posixpath.dirname(from_page))
        pieces.append(f"[{body[mention.start : mention.end]}]({target})")
        position = mention.end
    pieces.append(body[position:])
    return mdtext.escape_html_outside_code("".join(pieces))


def render_article(article: Article, dossier: Dossier, index: Index) -> Page:
    path = article_path(article.slug)
    lines = [_front_matter(article.title, article.summary), f"# {mdtext.escape(article.title)}", ""]
    byline = [f"By **{mdtext.escape(article.author)}**", format_date(article.date)]
    byline.append(f"*{mdtext.escape(article.publication)}*")
    if article.section:
        byline.append(mdtext.escape(article.section))
    byline.append("Opinion" if article.is_opinion else "News")
    lines += [" · ".join(byline), ""]
    if article.is_opinion:
        disclaimer = mdtext.escape(article.disclaimer)
        if article.disclaimer_cut_off:
            disclaimer += " […]\n\n    *The source cuts the disclaimer off here.*"
        lines += ['!!! opinion "Opinion"', "", f"    {disclaimer}", ""]
    body = link_mentions(article.body, index.mentions[article.slug], path)
    lines += [body.strip("\n"), ""]

    if article.topics:
        lines += ["## Topics", ""]
        for topic_id in article.topics:
            topic = dossier.topics_by_id[topic_id]
            lines.append(f"- {_link(topic.name, path, topic_path(topic_id))}")
        lines.append("")
    named = index.actors_by_article[article.slug]
    if named:
        counts = {actor_id: 0 for actor_id in named}
        for mention in index.mentions[article.slug]:
            counts[mention.actor] += 1
        lines += ["## Actors named", ""]
        for actor_id in named:
            actor = dossier.actors_by_id[actor_id]
            kind = ACTOR_KIND_LABELS[actor.kind][0].lower()
            lines.append(
                f"- {_link(actor.name, path, actor_path(actor_id))} — {kind}, "
                f"{_plural(counts[actor_id], 'mention')}"
            )
        lines.append("")
    lines += ["## Source", "", _source_line(article), ""]
    return Page(path, "\n".join(lines), article.rel)


def _source_line(article: Article) -> str:
    parts = [
        mdtext.escape(article.author),
        f"“{mdtext.escape(article.title)}”",
        f"*{mdtext.escape(article.publication)}*",
    ]
    if article.section:
        parts.append(mdtext.escape(article.section))
    parts.append(format_date(article.date))
    line = ", ".join(parts) + "."
    if article.url:
        line += f" <{article.url}>"
    else:
        line += " The source's web address is not recorded."
    return line


# --- actor and topic pages (one function renders both) -------------------------------------


def _term_page(
    path: str,
    name: str,
    label: str,
    aliases: tuple[str, ...],
    description: str,
    articles: list[Article],
    article_notes: dict[str, list[str]],
    related_heading: str,
    related: list[tuple[Actor, int]],
    source: str,
) -> Page:
    lines = [_front_matter(name, description, boost=2), f"# {mdtext.escape(name)}", ""]
    lines += [f"**{label}**", ""]
    if aliases:
        lines += ["Also called: " + ", ".join(f"*{mdtext.escape(a)}*" for a in aliases), ""]
    lines += [mdtext.escape(description), ""]
    lines += [f"## Articles ({len(articles)})", ""]
    if not articles:
        lines += ["No article in the dossier names this yet.", ""]
    for article in articles:
        lines.append(f"- {_article_line(article, path)}")
        for note in article_notes.get(article.slug, []):
            lines += ["", f"    > {note}"]
        lines.append("")
    if related:
        lines += [f"## {related_heading}", ""]
        for actor, count in related:
            lines.append(
                f"- {_link(actor.name, path, actor_path(actor.id))} — "
                f"in {_plural(count, 'article')}"
            )
        lines.append("")
    return Page(path, "\n".join(lines), source)


def _mention_notes(actor_id: str, slugs: tuple[str, ...], index: Index) -> dict[str, list[str]]:
    """Per article, the distinct sentences naming the actor, with the name in bold."""
    notes: dict[str, list[str]] = {}
    for slug in slugs:
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
                mdtext.escape(s[: mention.sentence_start])
                + f"**{mdtext.escape(s[mention.sentence_start : mention.sentence_end])}**"
                + mdtext.escape(s[mention.sentence_end :])
            )
        if hidden:
            sentences.append(f"*…and {_plural(hidden, 'more sentence')} in this article.*")
        notes[slug] = sentences
    return notes


def render_actor(actor: Actor, dossier: Dossier, index: Index) -> Page:
    slugs = index.articles_by_actor[actor.id]
    related = [
        (dossier.actors_by_id[other], count)
        for other, count in index.co_mentions[actor.id][:NEIGHBOURS_SHOWN]
    ]
    return _term_page(
        path=actor_path(actor.id),
        name=actor.name,
        label=ACTOR_KIND_LABELS[actor.kind][0],
        aliases=actor.aliases,
        description=actor.description,
        articles=[index.articles_by_slug[slug] for slug in slugs],
        article_notes=_mention_notes(actor.id, slugs, index),
        related_heading="Named alongside",
        related=related,
        source="actors.yml",
    )


def render_topic(topic: Topic, dossier: Dossier, index: Index) -> Page:
    slugs = index.articles_by_topic[topic.id]
    articles = [index.articles_by_slug[slug] for slug in slugs]
    related = [
        (dossier.actors_by_id[actor_id], count)
        for actor_id, count in index.actors_by_topic[topic.id][:NEIGHBOURS_SHOWN]
    ]
    return _term_page(
        path=topic_path(topic.id),
        name=topic.name,
        label="Topic",
        aliases=topic.aliases,
        description=topic.description,
        articles=articles,
        article_notes={a.slug: [mdtext.escape(a.summary)] for a in articles if a.summary},
        related_heading="Actors most named",
        related=related,
        source="topics.yml",
    )


# --- indexes and home ----------------------------------------------------------------------


def render_articles_index(dossier: Dossier) -> Page:
    path = f"{ARTICLES}/index.md"
    lines = [
        _front_matter("Articles", "Every article in the dossier, newest first."),
        "# Articles",
        "",
        f"{_plural(len(dossier.articles), 'article')}, newest first.",
        "",
    ]
    year = month = None
    for article in dossier.articles:
        if article.date.year != year:
            year, month = article.date.year, None
            lines += [f"## {year}", ""]
        if article.date.month != month:
            month = article.date.month
            lines += [f"### {MONTHS[month - 1]} {year}", ""]
        lines.append(f"- {_article_line(article, path)}")
        lines.append("")
    return Page(path, "\n".join(lines), "")


def render_actors_index(dossier: Dossier, index: Index) -> Page:
    path = f"{ACTORS}/index.md"
    lines = [
        _front_matter("Actors", "The people, states and groups the articles name, by kind."),
        "# Actors",
        "",
        f"{_plural(len(dossier.actors), 'actor')}, grouped by kind.",
        "",
    ]
    for kind, (_, heading) in ACTOR_KIND_LABELS.items():
        members = sorted((a for a in dossier.actors if a.kind == kind), key=_sort_name)
        if not members:
            continue
        lines += [f"## {heading}", ""]
        for actor in members:
            count = len(index.articles_by_actor[actor.id])
            lines.append(
                f"- {_link(actor.name, path, actor_path(actor.id))} — "
                f"{mdtext.escape(actor.description)} ({_plural(count, 'article')})"
            )
        lines.append("")
    return Page(path, "\n".join(lines), "actors.yml")


def render_topics_index(dossier: Dossier, index: Index) -> Page:
    path = f"{TOPICS}/index.md"
    lines = [
        _front_matter("Topics", "The subjects the articles are filed under."),
        "# Topics",
        "",
        f"{_plural(len(dossier.topics), 'topic')}.",
        "",
    ]
    for topic in sorted(dossier.topics, key=_sort_name):
        count = len(index.articles_by_topic[topic.id])
        lines.append(
            f"- {_link(topic.name, path, topic_path(topic.id))} — "
            f"{mdtext.escape(topic.description)} ({_plural(count, 'article')})"
        )
    lines.append("")
    return Page(path, "\n".join(lines), "topics.yml")


def _sort_name(record: Actor | Topic) -> tuple[str, str]:
    return (record.name.casefold(), record.id)


def render_home(dossier: Dossier, title: str) -> Page:
    articles = dossier.articles
    opinion = sum(1 for a in articles if a.is_opinion)
    publications = len({a.publication for a in articles})
    lines = [_front_matter(title, ""), f"# {mdtext.escape(title)}", ""]
    counts = [
        _link(_plural(len(articles), "article"), HOME, f"{ARTICLES}/index.md")
        + f" ({len(articles) - opinion} news, {opinion} opinion)",
        f"from {_plural(publications, 'publication')}",
        _link(_plural(len(dossier.actors), "actor"), HOME, f"{ACTORS}/index.md"),
        _link(_plural(len(dossier.topics), "topic"), HOME, f"{TOPICS}/index.md"),
    ]
    lines += ["This dossier holds " + ", ".join(counts) + ".", ""]
    if articles:
        first, last = articles[-1].date, articles[0].date
        lines += [f"The articles run from {format_date(first)} to {format_date(last)}.", ""]
        lines += ["## Latest articles", ""]
        for article in articles[:LATEST_ON_HOME]:
            lines.append(f"- {_article_line(article, HOME)}")
            if article.summary:
                lines += ["", f"    {mdtext.escape(article.summary)}"]
            lines.append("")
    return Page(HOME, "\n".join(lines), "")


def render(dossier: Dossier, index: Index, title: str = "Research dossier") -> list[Page]:
    """Every page of the dossier, sorted by path."""
    pages = [
        render_home(dossier, title),
        render_articles_index(dossier),
        render_actors_index(dossier, index),
        render_topics_index(dossier, index),
    ]
    pages += [render_article(article, dossier, index) for article in dossier.articles]
    pages += [render_actor(actor, dossier, index) for actor in dossier.actors]
    pages += [render_topic(topic, dossier, index) for topic in dossier.topics]
    return sorted(pages, key=lambda page: page.path)
