"""Related reading: for each article, the articles sharing the most actors and topics with it.

Two articles are related by what they share: each shared actor and topic counts by its rarity,
``log(N / df)`` for a dossier of N articles of which df name the actor (or are filed under the
topic). An actor every article names scores nothing; one only two articles name scores most.
Candidates with no score are never listed. Ties go to the newer article, then by slug.

Comparing every pair of articles would take 10,000² steps, so candidates come from an inverted
index (actor or topic -> articles) instead, with bounded work per article: only its ``SEEDS``
rarest actors and topics that are not common look for candidates. Common means named in (or
filed under) more than ``max(COMMON_FLOOR, COMMON_SHARE * N)`` articles, so an article has at
most ``SEEDS`` times that many candidates; an article whose every actor and topic is common
looks among that many articles nearest it in the dossier's order that share its rarest one.
Every candidate is then scored exactly on all it shares, common actors and topics included,
in one matrix product over an actor-and-topic by article incidence matrix (one byte per
pair: 3.5 MB for 350 actors and topics in 10,000 articles). Only the search for candidates is
bounded: a candidate sharing nothing but common actors and topics can be missed.

``reason`` says why in a few words ("also names PMF, Iran; also filed under US in Iraq").
Pure and deterministic, like ``render``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from build_scripts import render
from build_scripts.link import Index
from build_scripts.model import Dossier

LIMIT = 5
SEEDS = 8  # an article's rarest actors and topics that generate its candidates
COMMON_SHARE = 0.05  # an actor or topic in more than this share of articles is common...
COMMON_FLOOR = 50  # ...unless it is in at most this many: small dossiers have none
TOLERANCE = 1e-9  # scores closer than this are equal
NAMES_SHOWN = 3  # names in a reason before "and N more"


@dataclass(frozen=True)
class Related:
    slug: str  # the related article
    score: float  # the rarity of what the two share (higher is closer)
    # What both name (actor ids) and are filed under (topic ids), rarest first, ties by id;
    # not what every article of the dossier shares, which scores nothing.
    shared_actors: tuple[str, ...]
    shared_topics: tuple[str, ...]


def related_articles(
    dossier: Dossier, index: Index, limit: int = LIMIT
) -> dict[str, tuple[Related, ...]]:
    """Every article's slug -> up to ``limit`` related articles, closest first."""
    articles = dossier.articles
    total = len(articles)
    result: dict[str, tuple[Related, ...]] = {a.slug: () for a in articles}
    if total < 2 or limit < 1:
        return result

    # Features (actors and topics) numbered rarest first, so sorting numbers sorts by rarity.
    # A posting list holds the positions of the articles with the feature, in dossier order.
    found_in: dict[tuple[str, str], list[int]] = {}
    for position, article in enumerate(articles):
        for actor_id in index.actors_by_article.get(article.slug, ()):
            found_in.setdefault(("actor", actor_id), []).append(position)
        for topic_id in dict.fromkeys(article.topics):
            found_in.setdefault(("topic", topic_id), []).append(position)
    names = sorted(found_in, key=lambda key: (len(found_in[key]), key))
    postings = [np.asarray(found_in[key], dtype=np.intp) for key in names]
    counts = [len(posting) for posting in postings]
    weights = np.log(total / np.asarray(counts, dtype=np.float64))
    weight = weights.tolist()
    # Which article has which feature, one row per feature: scores candidates in one product.
    incidence = np.zeros((len(names), total), dtype=np.uint8)
    features: list[list[int]] = [[] for _ in articles]
    for number, posting in enumerate(postings):
        incidence[number, posting] = 1
        for position in found_in[names[number]]:
            features[position].append(number)  # ascending: rarest first
    common = max(COMMON_FLOOR, int(COMMON_SHARE * total))
    # Newer first, then by slug: the tie-break, as one integer per article.
    order = sorted(range(total), key=lambda i: (-articles[i].date.toordinal(), articles[i].slug))
    rank = [0] * total
    for place, position in enumerate(order):
        rank[position] = place

    for position, own in enumerate(features):
        # A feature only this article has, or every article has, scores nothing.
        useful = [f for f in own if 1 < counts[f] < total]
        if not useful:
            continue
        seeds = [f for f in useful if counts[f] <= common][:SEEDS]
        if len(seeds) > 1:
            merged = np.sort(np.concatenate([postings[f] for f in seeds]))
            candidates = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
        elif seeds:
            candidates = postings[seeds[0]]
        else:  # every feature is common: look near the article, by the rarest
            candidates = _window(postings[useful[0]], position, common)
        candidates = candidates[candidates != position]
        if not candidates.size:
            continue
        # Exact scores: the weights of every useful feature the candidate shares.
        rows = np.asarray(useful, dtype=np.intp)
        scores = weights[rows] @ incidence.take(rows, 0).take(candidates, 1).astype(np.float64)
        if candidates.size > limit:
            bar = np.partition(scores, candidates.size - limit)[candidates.size - limit]
            keep = np.flatnonzero(scores >= bar - TOLERANCE)  # ties at the bar too
            candidates, scores = candidates[keep], scores[keep]
        # Rounded, so sums of the same weights in another order still tie.
        found = candidates.tolist()
        rounded = [-round(score, 9) for score in scores.tolist()]
        best = sorted(zip(rounded, [rank[c] for c in found], found, strict=True))[:limit]
        mine = set(own)
        chosen: list[Related] = []
        for _, _, other in best:
            shared = [f for f in features[other] if f in mine and weight[f] > 0]
            kinds = [names[f] for f in shared]
            chosen.append(
                Related(
                    slug=articles[other].slug,
                    score=round(math.fsum(weight[f] for f in shared), 6),
                    shared_actors=tuple(name for kind, name in kinds if kind == "actor"),
                    shared_topics=tuple(name for kind, name in kinds if kind == "topic"),
                )
            )
        result[articles[position].slug] = tuple(chosen)
    return result


def _window(posting: np.ndarray, position: int, size: int) -> np.ndarray:
    """The posting list, or its ``size`` entries nearest ``position`` when it is longer."""
    if len(posting) <= size:
        return posting
    middle = int(np.searchsorted(posting, position))
    start = max(0, min(middle - size // 2, len(posting) - size))
    return posting[start : start + size]


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    hidden = len(names) - NAMES_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def reason(related: Related, dossier: Dossier) -> str:
    """Why an article is related, in plain text (not escaped for Markdown).

    "also names Popular Mobilization Forces, Iran; also filed under US in Iraq": actors' and
    topics' display names, rarest first, at most ``NAMES_SHOWN`` of each then "and N more".
    """
    parts = []
    if related.shared_actors:
        actors = [dossier.actors_by_id[a].name for a in related.shared_actors]
        parts.append("also names " + _listed(actors))
    if related.shared_topics:
        topics = [dossier.topics_by_id[t].name for t in related.shared_topics]
        parts.append("also filed under " + _listed(topics))
    return "; ".join(parts)


def related_items(
    items: tuple[Related, ...], dossier: Dossier, index: Index, page: str, directory_urls: bool
) -> list[str]:
    """The related articles of the article page at ``page`` as HTML list items.

    Each is the listing entry used across the site (linked title, date, author, publication)
    followed by the escaped reason. No list or heading around them: the page adds its own.
    """
    return [
        render._article_item(
            index.articles_by_slug[item.slug],
            page,
            directory_urls,
            after=f" — {html.escape(reason(item, dossier), quote=False)}",
        )
        for item in items
    ]
