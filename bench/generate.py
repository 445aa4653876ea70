"""Write a synthetic dossier for benchmarks: N articles, M actors, T topics.

Everything is made up and says so: actor and topic names are built from a fixed list of
nonsense syllables, every description starts with "Synthetic", every article body opens with
"Synthetic article <n>", and the publications and authors are "Synthetic ..." too. The output
goes to a folder of its own (never the bundled ``dossier/``), and the same arguments always give
byte-identical files (``random.Random(seed)``).

What it exercises, roughly like a real dossier does:

- actors of every kind with 1-3 aliases each: short forms, acronyms ("ZDF"), and now and then a
  lowercase alias that also matches capitalised at the start of a sentence;
- topics with aliases, and article tags spelled as a topic's id, name or alias (typos too);
- articles of about 800 words with 2-5 ``##`` subheadings, mentioning a Zipf-like selection of
  actors (a few actors in most articles, most actors in a few) by name or alias, sometimes in
  headings, links or emphasis where mentions are not linked;
- dates spread over several years; about a quarter op-eds with a disclaimer.

CLI: ``python bench/generate.py OUT --articles N [--actors M] [--topics T] [--seed S]``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import itertools
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ACTOR_KINDS = ("person", "state", "institution", "military", "armed-group", "organisation")
SYLLABLES = (
    "ba", "bel", "cor", "da", "dun", "el", "fa", "fen", "gor", "ha", "ix", "ja", "kel", "lo",
    "mar", "mo", "nu", "or", "pel", "quo", "ras", "sil", "ta", "tor", "ul", "vek", "wim", "xa",
    "yor", "zel", "bri", "dro", "gla", "kru", "ple", "sna", "tri", "vo", "zu", "en",
)  # fmt: skip
FIRST_SENTENCE = (
    "Synthetic article {n} is generated text for the Dossier benchmark and reports nothing real."
)
DISCLAIMER = (
    "Synthetic disclaimer: this generated opinion piece expresses the views of nobody and is "
    "not endorsed by"
)
DISCLAIMER_FULL = DISCLAIMER + " any publication, real or imagined."
START = datetime.date(2016, 1, 1)
YEARS = 8  # dates run from 2016 to 2023
LEXICON_SIZE = 20_000
DEFAULT_ACTORS = 500
DEFAULT_TOPICS = 50


@dataclass
class SyntheticActor:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class SyntheticTopic:
    id: str
    name: str
    aliases: list[str]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings of ASCII text are valid YAML)."""
    return json.dumps(text, ensure_ascii=True)


class Words:
    """A fixed made-up vocabulary drawn with Zipf-like frequencies."""

    def __init__(self, rng: random.Random, size: int = LEXICON_SIZE) -> None:
        seen: set[str] = set()
        words: list[str] = []
        while len(words) < size:
            count = rng.choice((1, 2, 2, 2, 3, 3, 4))
            word = "".join(rng.choice(SYLLABLES) for _ in range(count))
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        # Zipf-Mandelbrot: the commonest made-up word is about 4% of the text, as "the" is.
        self.cumulative = list(itertools.accumulate(1.0 / (rank + 2.7) for rank in range(size)))
        self.rng = rng

    def take(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]


class _Names:
    """Unique made-up proper names and aliases (names are case-sensitive, like actors')."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self) -> str:
        return _capital("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))))

    def claim(self, text: str) -> bool:
        variants = {text, _capital(text)}
        if variants & self.used:
            return False
        self.used |= variants
        return True


def _acronym(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[:1].isupper())


def make_actors(rng: random.Random, count: int) -> list[SyntheticActor]:
    """``count`` actors of every kind, each with 1-3 unique aliases."""
    names = _Names(rng)
    actors: list[SyntheticActor] = []
    number = 0
    while len(actors) < count:
        number += 1
        kind = ACTOR_KINDS[number % len(ACTOR_KINDS)]
        a, b = names.word(), names.word()
        candidates: list[str]
        if kind == "person":
            name = f"{a} {b}"
            candidates = [b, f"{a[0]}. {b}", f"Minister {b}"]
        elif kind == "state":
            name = f"Republic of {a}ia"
            candidates = [f"{a}ia", _acronym(name) + a[0], f"the {a}ian state"]
        elif kind == "institution":
            name = f"{a} Ministry of {b}"
            candidates = [_acronym(name), f"{b} ministry", f"ministry of {b.lower()}"]
        elif kind == "military":
            name = f"{a} Defence Force"
            candidates = [_acronym(name), f"{a} forces", f"{a} army"]
        elif kind == "armed-group":
            name = f"{a} {b} Brigade"
            candidates = [f"{b} Brigade", _acronym(name), f"{a} brigades"]
        else:
            name = f"{a} Organisation for {b}"
            candidates = [_acronym(name), f"{a} Organisation", f"{b} group"]
        if not names.claim(name):
            continue
        aliases = []
        wanted = rng.randint(1, 3)
        for alias in rng.sample(candidates, len(candidates)):
            if len(aliases) < wanted and names.claim(alias):
                aliases.append(alias)
        actor_id = "-".join(name.lower().replace(".", "").split())
        actors.append(SyntheticActor(actor_id, name, kind, aliases))
    return actors


def make_topics(rng: random.Random, count: int) -> list[SyntheticTopic]:
    """``count`` topics, each with a variant spelling and a typo among its aliases."""
    topics: list[SyntheticTopic] = []
    used: set[str] = set()
    while len(topics) < count:
        words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in "ab"]
        name = f"Synthetic {words[0]} {words[1]}"
        topic_id = f"synthetic-{words[0]}-{words[1]}"
        variant = f"{words[0].capitalize()} {words[1]} affairs"
        typo = f"Synthetic {words[0]} {words[1][:-1]}{words[1][-1] * 2}"
        keys = {" ".join(s.casefold().split()) for s in (name, topic_id, variant, typo)}
        if keys & used or len(keys) < 4:
            continue
        used |= keys
        topics.append(SyntheticTopic(topic_id, name, [variant, typo]))
    return topics


def _zipf(count: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


def _pick_distinct(
    rng: random.Random, population: list, cumulative: list[float], count: int
) -> list:
    """``count`` distinct items drawn with the given cumulative weights."""
    count = min(count, len(population))
    chosen: dict[int, None] = {}
    total = cumulative[-1]
    while len(chosen) < count:
        chosen.setdefault(bisect.bisect(cumulative, rng.random() * total), None)
    return [population[index] for index in chosen]


def _sentence(rng: random.Random, words: Words) -> list[str]:
    tokens = words.take(rng.randint(8, 22))
    if len(tokens) > 10 and rng.random() < 0.5:
        tokens[rng.randint(3, len(tokens) - 4)] += ","
    return tokens


def _finish(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return _capital(text) + ("?" if len(tokens) % 17 == 0 else ".")


def article_body(
    rng: random.Random, words: Words, number: int, mentions: list[str], target_words: int
) -> str:
    """About ``target_words`` words of Markdown with subheadings; ``mentions`` are inserted."""
    sections = rng.randint(2, 5)
    sentences: list[list[str]] = [FIRST_SENTENCE.format(n=number).rstrip(".").split()]
    total = len(sentences[0])
    while total < target_words:
        tokens = _sentence(rng, words)
        sentences.append(tokens)
        total += len(tokens)
    for mention in mentions:  # never in the opening sentence
        tokens = sentences[rng.randint(1, len(sentences) - 1)]
        position = rng.randint(0, len(tokens) - 1)
        tokens[position] = mention + ("," if tokens[position].endswith(",") else "")
    texts = [" ".join(sentences[0]) + "."] + [_finish(tokens) for tokens in sentences[1:]]
    paragraphs: list[str] = []
    position = 0
    while position < len(texts):
        size = rng.randint(3, 6)
        paragraphs.append(" ".join(texts[position : position + size]))
        position += size
    # Some Markdown where mentions must not be linked, and a little everyday formatting.
    if len(paragraphs) > 2 and rng.random() < 0.5:
        index = rng.randint(1, len(paragraphs) - 1)
        label = " ".join(words.take(2))
        paragraphs[index] += f" See the [{label} notes](https://example.org/synthetic/{number})."
    if len(paragraphs) > 2 and rng.random() < 0.3:
        index = rng.randint(1, len(paragraphs) - 1)
        code = f"{number}-{rng.randint(1, 99)}"
        paragraphs[index] += f" The *{words.take(1)[0]}* figure was `{code}`."
    if rng.random() < 0.2:
        items = "\n".join(f"- {_capital(' '.join(words.take(rng.randint(3, 8))))}" for _ in "abc")
        paragraphs.insert(rng.randint(1, len(paragraphs)), items)
    if rng.random() < 0.1:
        quote = _capital(" ".join(words.take(rng.randint(8, 16))))
        paragraphs.insert(rng.randint(1, len(paragraphs)), f"> {quote}.")
    # Subheadings between paragraphs, never before the opening one.
    cuts = sorted(rng.sample(range(1, len(paragraphs)), min(sections, len(paragraphs) - 1)))
    blocks: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if cuts and index == cuts[0]:
            cuts.pop(0)
            heading = _capital(" ".join(words.take(rng.randint(2, 6))))
            if mentions and rng.random() < 0.3:
                heading += " and " + rng.choice(mentions)
            blocks.append(f"## {heading}")
        blocks.append(paragraph)
    return "\n\n".join(blocks) + "\n"


def _actors_yaml(actors: list[SyntheticActor]) -> str:
    lines = ["# Synthetic benchmark actors: made-up names, not real entities.", ""]
    for number, actor in enumerate(actors, 1):
        lines += [
            f"- id: {actor.id}",
            f"  name: {_q(actor.name)}",
            f"  kind: {actor.kind}",
            "  aliases:" + ("" if actor.aliases else " []"),
            *(f"    - {_q(alias)}" for alias in actor.aliases),
            f"  description: {_q(f'Synthetic benchmark actor {number} ({actor.kind}).')}",
            "",
        ]
    return "\n".join(lines)


def _topics_yaml(topics: list[SyntheticTopic]) -> str:
    lines = ["# Synthetic benchmark topics: made-up subjects.", ""]
    for number, topic in enumerate(topics, 1):
        lines += [
            f"- id: {topic.id}",
            f"  name: {_q(topic.name)}",
            "  aliases:",
            *(f"    - {_q(alias)}" for alias in topic.aliases),
            f"  description: {_q(f'Synthetic benchmark topic {number}.')}",
            "",
        ]
    return "\n".join(lines)


def _article_file(
    rng: random.Random,
    words: Words,
    number: int,
    actors: list[SyntheticActor],
    actor_weights: list[float],
    topics: list[SyntheticTopic],
    topic_weights: list[float],
) -> tuple[str, str]:
    day = START + datetime.timedelta(days=rng.randrange(YEARS * 365))
    title_words = words.take(rng.randint(3, 8))
    title = f"Synthetic article {number}: " + " ".join(title_words)
    slug = f"synthetic-article-{number}-" + "-".join(title_words[:4])
    named = _pick_distinct(rng, actors, actor_weights, rng.randint(3, 12))
    mentions = [
        rng.choice(actor.names) if rng.random() < 0.5 else actor.name
        for actor in named
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4)))
    ]
    opinion = rng.random() < 0.25
    tagged = _pick_distinct(rng, topics, topic_weights, rng.randint(1, 4))
    tags = [rng.choice((t.id, t.name, *t.aliases)) for t in tagged]
    extra = [t.id for t in _pick_distinct(rng, topics, topic_weights, rng.randint(0, 2))]
    lines = [
        "---",
        f"title: {_q(title)}",
        f"kind: {'op-ed' if opinion else 'news'}",
        f"author: {_q(f'Synthetic Writer {rng.randint(1, 150)}')}",
        f"date: {day.isoformat()}",
        f"publication: {_q(f'Synthetic Gazette {rng.randint(1, 40)}')}",
        f"section: {_q(rng.choice(('World', 'Politics', 'Region', 'Analysis')))}",
    ]
    if rng.random() < 0.7:
        lines.append(f"url: {_q(f'https://example.org/synthetic/{day.year}/{number}')}")
    lines += ["tags:", *(f"  - {_q(tag)}" for tag in tags)]
    if extra:
        lines += ["topics:", *(f"  - {topic_id}" for topic_id in extra)]
    if opinion:
        if rng.random() < 0.5:
            lines += [f"disclaimer: {_q(DISCLAIMER)}", "disclaimer_cut_off: true"]
        else:
            lines.append(f"disclaimer: {_q(DISCLAIMER_FULL)}")
    lines += ["---", ""]
    body = article_body(rng, words, number, mentions, rng.randint(720, 880))
    return f"{day.isoformat()}-{slug}.md", "\n".join(lines) + "\n" + body


def _guard(out: Path) -> None:
    """Refuse to write into the repository's bundled dossier or docs, or over other files."""
    repo = Path(__file__).resolve().parent.parent
    resolved = out.resolve()
    for protected in (repo / "dossier", repo / "docs"):
        if resolved == protected or protected in resolved.parents:
            raise ValueError(f"refusing to write synthetic articles into {protected}")
    if resolved.exists() and any(resolved.iterdir()):
        raise ValueError(f"{out} is not empty; give a new or empty folder")


def generate(
    out_dir: str | Path,
    n_articles: int,
    n_actors: int = DEFAULT_ACTORS,
    n_topics: int = DEFAULT_TOPICS,
    seed: int = 0,
) -> dict:
    """Write a synthetic dossier into ``out_dir`` (new or empty); return what was written."""
    if n_articles < 1 or n_actors < 3 or n_topics < 1:
        raise ValueError("need at least 1 article, 3 actors and 1 topic")
    out = Path(out_dir)
    _guard(out)
    rng = random.Random(seed)
    words = Words(rng)
    actors = make_actors(rng, n_actors)
    topics = make_topics(rng, n_topics)
    # Zipf over a shuffled order, so the most-named actors are of every kind.
    popularity = rng.sample(actors, len(actors))
    topic_order = rng.sample(topics, len(topics))
    articles = out / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (out / "actors.yml").write_text(_actors_yaml(actors), encoding="utf-8")
    (out / "topics.yml").write_text(_topics_yaml(topics), encoding="utf-8")
    body_bytes = 0
    actor_weights, topic_weights = _zipf(len(popularity), 1.1), _zipf(len(topic_order), 0.8)
    for number in range(1, n_articles + 1):
        name, text = _article_file(
            rng, words, number, popularity, actor_weights, topic_order, topic_weights
        )
        (articles / name).write_text(text, encoding="utf-8")
        body_bytes += len(text.encode("utf-8"))
    return {
        "root": str(out),
        "articles": n_articles,
        "actors": len(actors),
        "aliases": sum(len(actor.aliases) for actor in actors),
        "topics": len(topics),
        "article_bytes": body_bytes,
        "seed": seed,
        "top_actor": popularity[0].name,
    }


def synthetic_actors(count: int, seed: int = 0) -> list[SyntheticActor]:
    """Actors as the generator makes them, without writing anything (for matcher benchmarks)."""
    return make_actors(random.Random(seed), count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder to write (new or empty)")
    parser.add_argument("--articles", type=int, required=True, metavar="N")
    parser.add_argument("--actors", type=int, default=DEFAULT_ACTORS, metavar="M")
    parser.add_argument("--topics", type=int, default=DEFAULT_TOPICS, metavar="T")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        summary = generate(args.out, args.articles, args.actors, args.topics, args.seed)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
