"""Stage 3, link: find actor mentions and build the one index every page is rendered from.

Mentions are found with a single Aho-Corasick pass over each body (pyahocorasick), keeping
whole-word matches outside protected Markdown (code, headings, links, URLs), leftmost and
longest first. Aliases match exactly as written; an alias that starts with a lowercase letter
also matches capitalised (at the start of a sentence). The same ``Mention`` records drive the
links in article bodies and the listings on actor pages, so the two cannot disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain

import ahocorasick

from build_scripts import mdtext
from build_scripts.halves import Each, serially
from build_scripts.model import Actor, Article, Dossier, Event, Quote
from build_scripts.slugs import slugify


@dataclass(frozen=True)
class Mention:
    actor: str  # actor id
    article: str  # article slug
    start: int  # offsets into the article body
    end: int
    sentence: str  # plain text of the sentence the mention stands in
    sentence_start: int  # the mention's offsets within ``sentence``
    sentence_end: int


@dataclass(frozen=True)
class Index:
    """Everything the renderer needs to cross-link pages. Lists are newest article first."""

    mentions: dict[str, tuple[Mention, ...]]  # article slug -> mentions in body order
    articles_by_actor: dict[str, tuple[str, ...]]  # actor id -> article slugs
    articles_by_topic: dict[str, tuple[str, ...]]  # topic id -> article slugs
    actors_by_article: dict[str, tuple[str, ...]]  # slug -> actor ids, first mention first
    co_mentions: dict[str, tuple[tuple[str, int], ...]]  # actor -> (other actor, articles)
    actors_by_topic: dict[str, tuple[tuple[str, int], ...]]  # topic -> (actor, articles)
    articles_by_slug: dict[str, Article]
    quotes_by_actor: dict[str, tuple[tuple[str, Quote], ...]]  # actor -> (slug, quote)
    events: tuple[tuple[str, Event], ...]  # (slug, event), oldest first
    events_by_actor: dict[str, tuple[tuple[str, Event], ...]]
    events_by_topic: dict[str, tuple[tuple[str, Event], ...]]
    articles_by_author: dict[str, tuple[str, ...]]  # author slug -> article slugs
    articles_by_publication: dict[str, tuple[str, ...]]  # publication slug -> article slugs
    author_names: dict[str, str]  # author slug -> name as first written
    publication_names: dict[str, str]


class Matcher:
    """All actor names and aliases in one automaton."""

    def __init__(self, actors: tuple[Actor, ...]) -> None:
        self._automaton = ahocorasick.Automaton()
        for actor in actors:
            # Shared aliases are left out on purpose: they name more than one actor.
            for alias in (actor.name, *actor.aliases):
                variants = {alias}
                if alias[:1].islower():
                    variants.add(alias[:1].upper() + alias[1:])
                for variant in variants:
                    if variant not in self._automaton:
                        self._automaton.add_word(variant, (actor.id, len(variant)))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, actor id) of every linkable mention, in text order."""
        if self._empty:
            return []
        # (start, -end, actor): sorting puts the leftmost first, then the longest, so
        # "US Central Command" beats "US".
        candidates: list[tuple[int, int, str]] = []
        size = len(text)
        for last, (actor_id, length) in self._automaton.iter(text):
            # Whole words only (inlined: this loop runs for every match in every body).
            start, end = last + 1 - length, last + 1
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue
            if end < size and (text[end].isalnum() or text[end] == "_"):
                continue
            candidates.append((start, -end, actor_id))
        if not candidates:
            return []
        candidates.sort()
        protected = iter(mdtext.protected_spans(text))
        span = next(protected, None)
        found: list[tuple[int, int, str]] = []
        position = 0
        for start, negative_end, actor_id in candidates:
            end = -negative_end
            if start < position:
                continue
            while span is not None and span[1] <= start:
                span = next(protected, None)
            if span is not None and span[0] < end:
                continue  # overlaps code, a heading, a link or a URL
            found.append((start, end, actor_id))
            position = end
        return found


_OPEN, _CLOSE = "\x01", "\x02"  # mark the mention while the sentence becomes plain text


def mentions_in(article: Article, matcher: Matcher) -> tuple[Mention, ...]:
    body = article.body
    mentions = []
    sentences: dict[tuple[int, int], list[tuple[int, int]]] = {}  # by paragraph
    for start, end, actor_id in matcher.find(body):
        paragraph = mdtext.paragraph_bounds(body, start)
        if paragraph not in sentences:
            sentences[paragraph] = mdtext.sentence_spans(body, *paragraph)
        sent_start, sent_end = mdtext.containing_sentence(sentences[paragraph], start)
        marked = mdtext.plain(
            body[sent_start:start] + _OPEN + body[start:end] + _CLOSE + body[end:sent_end]
        )
        opened = marked.index(_OPEN)
        closed = marked.index(_CLOSE) - 1
        sentence = marked.replace(_OPEN, "").replace(_CLOSE, "")
        mentions.append(Mention(actor_id, article.slug, start, end, sentence, opened, closed))
    return tuple(mentions)


def build_index(dossier: Dossier, each: Each = serially) -> Index:
    """The index of a validated dossier. ``each`` maps the finding of each article's mentions
    (``halves.in_two``: on two cores)."""
    matcher = Matcher(dossier.actors)
    found = each(lambda article: mentions_in(article, matcher), dossier.articles)
    slugs = [article.slug for article in dossier.articles]
    return index_from_mentions(dossier, dict(zip(slugs, found, strict=True)))


def index_from_mentions(dossier: Dossier, found_in: dict[str, tuple[Mention, ...]]) -> Index:
    """The index, given every article's mentions (``mentions_in``) by slug."""
    mentions: dict[str, tuple[Mention, ...]] = {}
    actors_by_article: dict[str, tuple[str, ...]] = {}
    articles_by_actor: dict[str, list[str]] = defaultdict(list)
    articles_by_topic: dict[str, list[str]] = defaultdict(list)
    # Per actor, the actors named (and mentioned) in each article naming it; per topic, the
    # actors named in each article filed under it.
    named_with: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    mentioned_with: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # tie-break
    named_under: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    quotes_by_actor: dict[str, list[tuple[str, Quote]]] = defaultdict(list)
    events: list[tuple[str, Event]] = []
    by_author: dict[str, list[str]] = defaultdict(list)
    by_publication: dict[str, list[str]] = defaultdict(list)
    author_names: dict[str, str] = {}
    publication_names: dict[str, str] = {}
    for article in dossier.articles:  # newest first, so every list below is too
        for quote in article.quotes:
            quotes_by_actor[quote.speaker].append((article.slug, quote))
        events.extend((article.slug, event) for event in article.events)
        for name, table, names in (
            (article.author, by_author, author_names),
            (article.publication, by_publication, publication_names),
        ):
            key = slugify(name)
            table[key].append(article.slug)
            names.setdefault(key, name)
        found = found_in[article.slug]
        mentions[article.slug] = found
        mentioned = tuple(m.actor for m in found)
        named = tuple(dict.fromkeys(mentioned))  # first mention first
        actors_by_article[article.slug] = named
        for actor_id in named:
            articles_by_actor[actor_id].append(article.slug)
            named_with[actor_id].append(named)
            mentioned_with[actor_id].append(mentioned)
        for topic_id in article.topics:
            articles_by_topic[topic_id].append(article.slug)
            named_under[topic_id].append(named)
    # Counted once per actor or topic over all its articles (Counter's C loop): for an actor,
    # the articles that name it with each other actor, and how often those name the other;
    # itself is taken out.
    pair_counts = {a: Counter(chain.from_iterable(of)) for a, of in named_with.items()}
    pair_mentions = {a: Counter(chain.from_iterable(of)) for a, of in mentioned_with.items()}
    for actor_id, counts in pair_counts.items():
        del counts[actor_id], pair_mentions[actor_id][actor_id]
    topic_actor_counts = {t: Counter(chain.from_iterable(of)) for t, of in named_under.items()}
    # Oldest first; within a day, the order of articles (newest first) then of the file.
    events.sort(key=lambda item: item[1].date.sort_key)
    events_by_actor: dict[str, list[tuple[str, Event]]] = defaultdict(list)
    events_by_topic: dict[str, list[tuple[str, Event]]] = defaultdict(list)
    articles = {article.slug: article for article in dossier.articles}
    for slug, event in events:
        for actor_id in event.actors:
            events_by_actor[actor_id].append((slug, event))
        for topic_id in articles[slug].topics:
            events_by_topic[topic_id].append((slug, event))
    return Index(
        quotes_by_actor={a.id: tuple(quotes_by_actor.get(a.id, ())) for a in dossier.actors},
        events=tuple(events),
        events_by_actor={a.id: tuple(events_by_actor.get(a.id, ())) for a in dossier.actors},
        events_by_topic={t.id: tuple(events_by_topic.get(t.id, ())) for t in dossier.topics},
        articles_by_author={k: tuple(v) for k, v in sorted(by_author.items())},
        articles_by_publication={k: tuple(v) for k, v in sorted(by_publication.items())},
        author_names=author_names,
        publication_names=publication_names,
        mentions=mentions,
        articles_by_actor={a.id: tuple(articles_by_actor.get(a.id, ())) for a in dossier.actors},
        articles_by_topic={t.id: tuple(articles_by_topic.get(t.id, ())) for t in dossier.topics},
        actors_by_article=actors_by_article,
        co_mentions={
            a.id: _ranked(pair_counts.get(a.id, Counter()), pair_mentions.get(a.id, Counter()))
            for a in dossier.actors
        },
        actors_by_topic={
            t.id: _ranked(topic_actor_counts.get(t.id, Counter())) for t in dossier.topics
        },
        articles_by_slug=articles,
    )


def _ranked(
    counts: Counter[str], tie_break: Counter[str] | None = None
) -> tuple[tuple[str, int], ...]:
    """Most frequent first; ties by ``tie_break`` (more first), then by id, so the order never
    depends on input order."""
    weights = tie_break or Counter()
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], -weights[item[0]], item[0])))
