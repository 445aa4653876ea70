"""Synthetic dossiers in memory, linked by the real ``build_index``: for scale and edge tests.

Everything is made up and says so: actors are "Synthactor 001", topics "Synthetic topic 01",
article bodies "Synthetic article 12 names Synthactor 003, Synthactor 120." The same arguments
always give the same dossier (``random.Random(seed)``).

- ``synthetic(articles, actors, ...)``: actors and topics picked at random per article.
  ``skew`` 0 picks uniformly (every actor in about as many articles: the worst case for
  related reading); 1.1 is Zipf-like, as in real dossiers (a few actors in most articles).
- ``explicit(rows, actors=...)``: one article per row of (actor ids, topic ids), newest first,
  for tests that need exact co-mentions. Actor ids are "a", "b"...; names are given or made.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from build_scripts.link import Index, build_index
from build_scripts.model import ACTOR_KINDS, Actor, Article, Dossier, Topic

START = datetime.date(2016, 1, 1)


def make_actor(
    actor_id: str, name: str, kind: str, line: int = 1, aliases: tuple[str, ...] = ()
) -> Actor:
    return Actor(actor_id, name, kind, aliases, "Synthetic actor.", "actors.yml", line)


def make_topic(topic_id: str, name: str, line: int = 1) -> Topic:
    return Topic(topic_id, name, (), "Synthetic topic.", "topics.yml", line)


def make_article(
    n: int, date: datetime.date, names: Sequence[str], topics: Sequence[str]
) -> Article:
    slug = f"{date.isoformat()}-synthetic-article-{n:05d}"
    body = f"Synthetic article {n} names " + ", ".join(names) + ".\n" if names else "Nothing.\n"
    return Article(
        slug=slug,
        path=f"articles/{slug}.md",
        rel=f"articles/{slug}.md",
        title=f"Synthetic article {n}",
        kind="news",
        author="Synthetic Writer",
        date=date,
        publication="Synthetic Gazette",
        section="",
        url="",
        tags=(),
        tag_topics=(),
        topics=tuple(topics),
        disclaimer="",
        disclaimer_cut_off=False,
        summary="",
        body=body,
        body_line=1,
    )


def assemble(
    actors: Sequence[Actor], topics: Sequence[Topic], articles: Sequence[Article]
) -> tuple[Dossier, Index]:
    ordered = sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)  # newest first
    dossier = Dossier(
        root="synthetic",
        articles=tuple(ordered),
        actors=tuple(actors),
        topics=tuple(topics),
        actors_by_id={a.id: a for a in actors},
        topics_by_id={t.id: t for t in topics},
    )
    return dossier, build_index(dossier)


def synthetic(
    articles: int,
    actors: int,
    topics: int = 50,
    actors_per_article: int = 8,
    topics_per_article: int = 3,
    skew: float = 0.0,
    seed: int = 0,
) -> tuple[Dossier, Index]:
    rng = random.Random(seed)
    actor_records = [
        make_actor(f"synthactor-{n:03d}", f"Synthactor {n:03d}", ACTOR_KINDS[n % 6], n)
        for n in range(1, actors + 1)
    ]
    topic_records = [
        make_topic(f"synthetic-topic-{n:02d}", f"Synthetic topic {n:02d}", n)
        for n in range(1, topics + 1)
    ]
    actor_weights = [1 / (rank**skew) for rank in range(1, actors + 1)]
    topic_weights = [1 / (rank**skew) for rank in range(1, topics + 1)]
    made = []
    for n in range(1, articles + 1):
        named = _distinct(rng, actor_records, actor_weights, min(actors_per_article, actors))
        filed = _distinct(rng, topic_records, topic_weights, min(topics_per_article, topics))
        date = START + datetime.timedelta(days=rng.randrange(8 * 365))
        made.append(make_article(n, date, [a.name for a in named], [t.id for t in filed]))
    return assemble(actor_records, topic_records, made)


def explicit(
    rows: Sequence[tuple[Sequence[str], Sequence[str]]],
    actors: dict[str, tuple[str, str]] | None = None,
) -> tuple[Dossier, Index]:
    """rows[0] is the newest article (one day apart); ``actors``: id -> (name, kind).

    Bodies name each actor by its alias "Synthalias <ID>", so any display name works, even
    one the linker could not match in text.
    """
    ids = sorted({a for named, _ in rows for a in named} | set(actors or {}))
    given = actors or {}
    actor_records = [
        make_actor(
            a,
            *given.get(a, (f"Synthactor {a.upper()}", ACTOR_KINDS[n % 6])),
            line=n,
            aliases=(f"Synthalias {a.upper()}",),
        )
        for n, a in enumerate(ids, start=1)
    ]
    by_id = {a.id: a for a in actor_records}
    topic_ids = sorted({t for _, filed in rows for t in filed})
    topic_records = [make_topic(t, f"Synthetic topic {t}", n) for n, t in enumerate(topic_ids, 1)]
    last = START + datetime.timedelta(days=len(rows))
    made = [
        make_article(
            n, last - datetime.timedelta(days=n), [by_id[a].aliases[0] for a in named], filed
        )
        for n, (named, filed) in enumerate(rows)
    ]
    return assemble(actor_records, topic_records, made)


def _distinct(rng: random.Random, records: Sequence, weights: list[float], count: int) -> list:
    chosen: dict[int, None] = {}
    while len(chosen) < count:
        chosen[rng.choices(range(len(records)), weights)[0]] = None
    return [records[i] for i in chosen]
