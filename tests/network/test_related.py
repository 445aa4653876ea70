"""related: each article's related reading, scored by the rarity of what two articles share.

The fixture dossier (tests/fixtures/dossiers/related) is six fictional articles about made-up
places. Veloria is named in all six, so it relates nothing. With N = 6 articles, an actor or
topic in 2 of them weighs log 3, in 3 of them log 2.
"""

from __future__ import annotations

import datetime
import math

import pytest
from synthetic_index import assemble, explicit, make_actor, make_article, synthetic

from build_scripts import related as related_module
from build_scripts.related import Related, reason, related_articles, related_items

TREATY = "2021-03-01-veloria-and-kestmark-sign-the-lighthouse-treaty"
INSPECTION = "2021-03-05-admiral-brecht-inspects-the-northern-light"
RAID = "2021-04-10-saltwater-brigade-raids-the-salt-pans"
PURSUIT = "2021-04-12-coast-guard-pursues-the-saltwater-brigade"
PROTEST = "2021-05-01-harbour-guild-protests-fishing-quotas"
BACKING = "2021-05-03-kestmark-fishers-back-the-harbour-guild"
RARE, COMMON = math.log(3), math.log(2)  # in 2 articles of 6, in 3


def slugs(items: tuple[Related, ...]) -> list[str]:
    return [item.slug for item in items]


def test_fixture_related_reading(related_fixture) -> None:
    dossier, index = related_fixture
    found = related_articles(dossier, index)
    assert set(found) == {article.slug for article in dossier.articles}
    # Shares the most: same rare actors and topic. Then ties at log 2, newest first.
    assert slugs(found[PURSUIT]) == [RAID, BACKING, INSPECTION, TREATY]
    assert slugs(found[RAID]) == [PURSUIT, BACKING]
    assert slugs(found[TREATY]) == [INSPECTION, BACKING, PROTEST, PURSUIT]
    assert slugs(found[INSPECTION]) == [TREATY, PURSUIT]
    assert slugs(found[PROTEST]) == [BACKING, TREATY]
    assert slugs(found[BACKING]) == [PROTEST, PURSUIT, RAID, TREATY]


def test_fixture_scores_and_what_is_shared(related_fixture) -> None:
    dossier, index = related_fixture
    found = related_articles(dossier, index)
    best = found[PROTEST][0]
    assert best == Related(
        slug=BACKING,
        score=round(RARE + COMMON + RARE, 6),
        shared_actors=("tessaly-harbour-guild", "kestmark"),  # rarest first
        shared_topics=("fisheries",),
    )
    assert found[INSPECTION][0].score == round(COMMON + RARE, 6)
    assert found[INSPECTION][0].shared_actors == ("ona-brecht",)
    assert found[INSPECTION][0].shared_topics == ("lighthouse-treaty",)
    assert found[RAID][1] == Related(BACKING, round(COMMON, 6), (), ("salt-trade",))


def test_an_actor_every_article_names_relates_nothing(related_fixture) -> None:
    dossier, index = related_fixture
    assert all("veloria" in index.actors_by_article[a.slug] for a in dossier.articles)
    found = related_articles(dossier, index)
    for items in found.values():
        for item in items:
            assert "veloria" not in item.shared_actors
            assert item.score > 0
    # The raid and the inspection share only Veloria: not related.
    assert INSPECTION not in slugs(found[RAID]) and RAID not in slugs(found[INSPECTION])


def test_limit(related_fixture) -> None:
    dossier, index = related_fixture
    assert slugs(related_articles(dossier, index, limit=1)[TREATY]) == [INSPECTION]
    assert slugs(related_articles(dossier, index, limit=2)[TREATY]) == [INSPECTION, BACKING]
    assert all(not items for items in related_articles(dossier, index, limit=0).values())


def test_seed_article_has_nothing_related(seed) -> None:
    dossier, index = seed
    assert related_articles(dossier, index) == {dossier.articles[0].slug: ()}


def test_ties_go_to_the_newer_article_then_the_slug() -> None:
    # Rows are newest first, a day apart. "b" (2 of 4 articles) outweighs "a" (3 of 4).
    dossier, index = explicit([(["a", "b"], []), (["a"], []), (["a"], []), (["b", "c"], [])])
    newest, second, third, oldest = (article.slug for article in dossier.articles)
    found = related_articles(dossier, index)
    assert slugs(found[newest]) == [oldest, second, third]
    assert found[newest][1].score == found[newest][2].score
    # On the same day, by slug.
    day = datetime.date(2021, 6, 1)
    actor = make_actor("a", "Synthactor A", "state", aliases=("Synthalias A",))
    articles = [make_article(n, day, ["Synthalias A"], []) for n in (3, 1, 2)]
    articles.append(make_article(4, day - datetime.timedelta(days=1), [], []))
    dossier, index = assemble([actor], [], articles)
    first, *others = sorted(a.slug for a in dossier.articles if a.date == day)
    assert slugs(related_articles(dossier, index)[first]) == others


# --- reasons -------------------------------------------------------------------------------


def test_reasons(related_fixture) -> None:
    dossier, index = related_fixture
    found = related_articles(dossier, index)
    assert reason(found[PROTEST][0], dossier) == (
        "also names Tessaly Harbour Guild, Kestmark; also filed under Fisheries"
    )
    assert reason(found[RAID][1], dossier) == "also filed under Salt trade"
    assert reason(found[TREATY][1], dossier) == "also names Kestmark"


def test_reason_names_three_then_counts_the_rest(related_fixture) -> None:
    dossier, _ = related_fixture
    many = Related(
        slug=TREATY,
        score=1.0,
        shared_actors=(
            "saltwater-brigade",
            "velorian-coast-guard",
            "tessaly-harbour-guild",
            "kestmark",
            "ona-brecht",
        ),
        shared_topics=("fisheries", "salt-trade", "lighthouse-treaty", "fisheries"),
    )
    assert reason(many, dossier) == (
        "also names Saltwater Brigade, Velorian Coast Guard, Tessaly Harbour Guild and 2 more; "
        "also filed under Fisheries, Salt trade, Lighthouse treaty and 1 more"
    )


def test_related_items(related_fixture) -> None:
    dossier, index = related_fixture
    found = related_articles(dossier, index)
    items = related_items(found[PROTEST], dossier, index, f"articles/{PROTEST}.md", True)
    assert len(items) == 2
    assert items[0].startswith(
        '<li><strong><a href="../2021-05-03-kestmark-fishers-back-the-harbour-guild/">'
        "Kestmark fishers back the Harbour Guild</a></strong> — 3 May 2021"
    )
    assert items[0].endswith(
        "— also names Tessaly Harbour Guild, Kestmark; also filed under Fisheries</li>"
    )
    flat = related_items(found[PROTEST], dossier, index, f"articles/{PROTEST}.md", False)
    assert 'href="2021-05-03-kestmark-fishers-back-the-harbour-guild.html"' in flat[0]
    assert related_items((), dossier, index, f"articles/{PROTEST}.md", True) == []


def test_reason_text_is_escaped_in_html() -> None:
    dossier, index = explicit(
        [(["h", "b"], []), (["h", "b"], []), (["c"], [])],
        actors={"h": ("A<script>&\"'", "person"), "b": ("*Bold* [x](y)", "state")},
    )
    newest = dossier.articles[0].slug
    items = related_articles(dossier, index)[newest]
    text = "".join(related_items(items, dossier, index, f"articles/{newest}.md", True))
    assert "<script" not in text
    assert "A&lt;script&gt;&amp;" in text and "*Bold* [x](y)" in text


# --- at scale: exact scores, bounded search --------------------------------------------------


def brute_force(dossier, index, chosen: list[str]) -> dict[str, dict[str, float]]:
    """Every pair compared: slug -> {other slug: score} for the ``chosen`` articles."""
    total = len(dossier.articles)
    features = {
        a.slug: {("actor", x) for x in index.actors_by_article[a.slug]}
        | {("topic", t) for t in a.topics}
        for a in dossier.articles
    }
    counts: dict[tuple[str, str], int] = {}
    for own in features.values():
        for feature in own:
            counts[feature] = counts.get(feature, 0) + 1
    result = {}
    for slug in chosen:
        own = features[slug]
        scores = {
            other: round(math.fsum(math.log(total / counts[f]) for f in own & theirs), 6)
            for other, theirs in features.items()
            if other != slug
        }
        result[slug] = {other: score for other, score in scores.items() if score > 0}
    return result


def best_five(scores: dict[str, float], dossier) -> list[tuple[float, str]]:
    """Highest score first, then the newer article, then the slug."""
    date = {a.slug: a.date.toordinal() for a in dossier.articles}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], -date[item[0]], item[0]))
    return [(score, slug) for slug, score in ranked[:5]]


@pytest.mark.parametrize("skew", [0.0, 1.1])
def test_results_match_comparing_every_pair_when_nothing_is_bounded(monkeypatch, skew) -> None:
    dossier, index = synthetic(articles=400, actors=60, topics=12, skew=skew, seed=7)
    monkeypatch.setattr(related_module, "SEEDS", 1000)
    monkeypatch.setattr(related_module, "COMMON_FLOOR", 1000)
    found = related_articles(dossier, index)
    expected = brute_force(dossier, index, list(found))
    for slug, items in found.items():
        assert [(item.score, item.slug) for item in items] == best_five(expected[slug], dossier)


def test_bounded_search_lists_exact_scores_in_order() -> None:
    """With the default bounds some candidates go unseen, but what is listed is exact."""
    dossier, index = synthetic(articles=3000, actors=150, topics=20, skew=1.1, seed=11)
    found = related_articles(dossier, index)
    expected = brute_force(dossier, index, [a.slug for a in dossier.articles[::60]])
    date = {a.slug: a.date.toordinal() for a in dossier.articles}
    overlap = 0
    for slug, scores in expected.items():
        items = found[slug]
        assert len(items) == 5 and slug not in slugs(items)
        keys = [(-item.score, -date[item.slug], item.slug) for item in items]
        assert keys == sorted(keys)
        for item in items:
            assert item.score == scores[item.slug]  # exact, though the search was bounded
        overlap += len(set(slugs(items)) & {s for _, s in best_five(scores, dossier)})
    assert overlap / (5 * len(expected)) > 0.8  # seeded data: the same figure every run


def test_an_article_with_only_common_actors_still_finds_related_reading() -> None:
    # "x" and "y" are each in 60 of 120 articles: common (more than 50), never seeds.
    rows = [((["x"] if n % 2 else ["y"]) + (["z"] if n < 3 else []), []) for n in range(120)]
    dossier, index = explicit(rows)
    found = related_articles(dossier, index)
    only_common = dossier.articles[10].slug
    assert index.actors_by_article[only_common] == ("y",)
    items = found[only_common]
    assert len(items) == 5 and all(item.shared_actors == ("y",) for item in items)
    # Rare "z" (3 articles) ranks its articles first.
    first = dossier.articles[0].slug
    assert [item.shared_actors[0] for item in found[first][:2]] == ["z", "z"]
