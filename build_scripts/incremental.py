"""Serve mode only: regenerate what an edit changes, and let ``mkdocs serve --dirty`` rebuild
only those pages.

``mkdocs build`` and ``check`` never come here: they call ``pipeline.run``, which computes
everything from scratch. Under ``mkdocs serve`` the hook (``publish``) keeps one ``Session``
from ``on_startup`` to ``on_shutdown``; nothing outlives the process.

``Session.run`` is ``pipeline.run`` with memory. It calls the same stage functions, in the
same order, and gives the same ``Outcome`` (tests/serve compares the two after every kind of
edit), but reuses from the previous builds what cannot have changed:

- load: a file's parse, while its ``lstat`` (size, mtime, ctime, inode) is the same. A file
  changed less than ``SETTLE_NS`` before it was read is parsed again on every build until it
  is older: a write within the same timestamp tick would not change its lstat.
- validate: an article's problems and record, while its parse is the same object and every
  page its links named is still there (or still missing).
- link: an article's mentions, while the article is the same; the tallies across articles
  (actor and topic listings, co-mentions, events...) while no article's author, publication,
  topics, quotes, events or named actors changed.
- render: every page, while all its render function may read is the same. The function is
  called with a view of the dossier and index that holds only that (``_Cover``): other
  articles as their ``_Summary`` (no body) and related reading without its score, so a body
  edit changes no listing; anything else it reads raises ``OutOfView`` and that kind of page
  is rendered in full from then on (logged, kept in ``Pipeline.fallbacks``, and a test fails).
  bibliography.json and dossier.json are put together from each article's kept item.

All of it but the parsed files is dropped when actors.yml or topics.yml change, or a setting
(dossier folder, working directory, title, site URL, directory URLs).

``Session.publish`` writes the pages into a folder of its own under the system's temporary
folder (never under ``docs/`` or anything else ``mkdocs serve`` watches, so writing never
triggers a rebuild), and only those whose text changed: the others keep their modification
time, so ``--dirty`` does not rebuild them. ``Session.settle_outputs`` makes sure every changed
page is rebuilt even where file times are coarse, and removes the built pages of pages that
are gone (``--dirty`` never cleans the site folder). When mkdocs.yml or the theme's own files
change, the hook empties the site folder: everything is rebuilt.

Around MkDocs: ``keep_search_entries`` keeps Material's search index whole under ``--dirty``
(``theme.COMPILED`` keeps the theme's compiled templates between builds).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from build_scripts import exports, network, render
from build_scripts.link import Index, Matcher, Mention, index_from_mentions, mentions_in
from build_scripts.load import (
    ACTORS_FILE,
    ALLOWED_EXTRA,
    ARTICLES_DIR,
    TOPICS_FILE,
    _load_article,
    _load_registry,
    _unexpected,
    display_path,
    load,
)
from build_scripts.model import Article, Dossier, Loaded, Problem, SourceFile
from build_scripts.pipeline import Outcome, Stopwatch, sizes_of
from build_scripts.related import Related, related_articles
from build_scripts.validate import (
    Registries,
    assemble,
    source_lines,
    topic_resolver,
    validate_actors,
    validate_article,
    validate_topics,
)

log = logging.getLogger("mkdocs.hooks.dossier")

# A file whose ctime is this close to the moment it was read may still change within the same
# timestamp tick (a second on some file systems) without its lstat changing: not cached.
SETTLE_NS = 2_000_000_000


# --- views: what a memoised render function may read ---------------------------------------


class OutOfView(BaseException):
    """A memoised render function read something its memo key does not hold.

    A BaseException, so that no ``except Exception`` in render code can swallow it.
    """


class _OutOfSummary(OutOfView):
    """It read an article's body where it was given the article's ``_summary``."""


_ABSENT = object()  # in a view: the key is covered, and the full mapping does not have it


class _View(Mapping):
    """A read-only mapping that answers for some keys only, with the values given."""

    __slots__ = ("_data", "_name")

    def __init__(self, name: str, items: Iterable[tuple[Any, Any]]) -> None:
        self._name = name
        self._data = dict(items)

    def _look(self, key: Any) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise OutOfView(f"{self._name}[{key!r}]") from None

    def __getitem__(self, key: Any) -> Any:
        value = self._look(key)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._look(key)
        return default if value is _ABSENT else value

    def __contains__(self, key: object) -> bool:
        return self._look(key) is not _ABSENT

    def __iter__(self):
        raise OutOfView(f"iterating {self._name}")

    def __len__(self) -> int:
        raise OutOfView(f"len({self._name})")

    def __eq__(self, other: object) -> bool:
        raise OutOfView(f"comparing {self._name}")

    __hash__ = None  # type: ignore[assignment]


class _Hidden:
    """Stands in for a field a memoised render function may not read at all."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def _out(self, *args: Any, **kwargs: Any) -> Any:
        raise OutOfView(self._name)

    def __getattr__(self, attribute: str) -> Any:
        raise OutOfView(f"{self._name}.{attribute}")

    __getitem__ = __iter__ = __len__ = __contains__ = __bool__ = _out
    __eq__ = _out  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]


# An article without its body, for the pages that list it: an edit to a body then changes no
# listing. Every other field, and Article's properties (is_opinion), as the article has them.
_BODY_FIELDS = frozenset(("body", "body_line"))
_SUMMARY_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in _BODY_FIELDS)


def _no_body(self: Any, attribute: str) -> Any:
    if attribute in _BODY_FIELDS:
        raise _OutOfSummary(f"article.{attribute}")
    raise AttributeError(attribute)


_Summary = dataclasses.make_dataclass(
    "_Summary",
    [(f.name, f.type) for f in dataclasses.fields(Article) if f.name not in _BODY_FIELDS],
    frozen=True,
    slots=True,
    namespace={
        "__getattr__": _no_body,
        **{
            name: value
            for name, value in vars(Article).items()
            if not name.startswith("_")
            and isinstance(value, property | staticmethod | classmethod | type(_no_body))
        },
    },
)


def _no_score(self: Any, attribute: str) -> Any:
    if attribute == "score":
        raise _OutOfSummary("related.score")
    raise AttributeError(attribute)


# Related reading as a page shows it: what is shared, not the score (which every article added
# or removed changes, through the rarity of what is shared).
_RelatedShown = dataclasses.make_dataclass(
    "_RelatedShown",
    [(f.name, f.type) for f in dataclasses.fields(Related) if f.name != "score"],
    frozen=True,
    slots=True,
    namespace={"__getattr__": _no_score},
)
_RELATED_SHOWN = tuple(f.name for f in dataclasses.fields(_RelatedShown))

_INDEX_FIELDS = tuple(field.name for field in dataclasses.fields(Index))
_HIDDEN_INDEX = {name: _Hidden(f"index.{name}") for name in _INDEX_FIELDS}


class _Cover:
    """What one memoised call may read: some keys of some fields of the index, and maybe the
    dossier's articles. ``key`` is all of it (the memo key); ``index()`` and ``dossier()``
    answer for it alone. With ``summary``, articles are given as their ``_Summary``.
    """

    __slots__ = ("_articles", "_covered", "key", "related")

    def __init__(
        self,
        index: Index,
        summary: Callable[[Article], Any] | None,
        articles: Iterable[Article] | None = None,
        related: tuple[Related, ...] = (),
        **covered: Iterable[Any],
    ) -> None:
        self._articles = None if articles is None else tuple(map(summary or _same, articles))
        self.related: tuple[Any, ...] = related
        if summary is not None:
            self.related = tuple(
                _RelatedShown(*(getattr(item, name) for name in _RELATED_SHOWN)) for item in related
            )
        self._covered = {}
        for name, keys in covered.items():
            source = getattr(index, name)
            if name == "articles_by_slug" and summary is not None:
                items = tuple([(k, summary(source[k]) if k in source else _ABSENT) for k in keys])
            else:
                items = tuple([(k, source.get(k, _ABSENT)) for k in keys])
            self._covered[name] = items
        self.key = (self._articles, self.related, tuple(self._covered.items()))

    def index(self) -> Index:
        values: dict[str, Any] = dict(_HIDDEN_INDEX)
        for name, items in self._covered.items():
            values[name] = _View(f"index.{name}", items)
        return Index(**values)

    def dossier(self, dossier: Dossier) -> Dossier:
        """``dossier``'s registries, and the covered articles or none."""
        hidden = _Hidden("dossier.articles")
        return dataclasses.replace(
            dossier, articles=hidden if self._articles is None else self._articles
        )


def _same(article: Article) -> Article:
    return article


class _Asked:
    """The pages a relative link may name, remembering what was asked of them."""

    __slots__ = ("_pages", "asked")

    def __init__(self, pages: set[str]) -> None:
        self._pages = pages
        self.asked: list[tuple[object, bool]] = []

    def __contains__(self, page: object) -> bool:
        answer = page in self._pages
        self.asked.append((page, answer))
        return answer

    def __getattr__(self, attribute: str) -> Any:
        raise OutOfView(f"pages.{attribute}")

    def _out(self, *args: Any, **kwargs: Any) -> Any:
        raise OutOfView("pages")

    __iter__ = __len__ = __bool__ = __eq__ = _out  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]


@dataclasses.dataclass
class _Validated:
    """An article file as validated, and which pages its links were checked against."""

    source: SourceFile
    article: Article | None
    problems: tuple[Problem, ...]
    asked: tuple[tuple[object, bool], ...] | None  # None: it may depend on every page
    pages: set[str]  # the set it was checked against

    @classmethod
    def check(cls, source: SourceFile, registries: Registries) -> _Validated:
        asked = _Asked(registries.pages)
        found: list[Problem] = []
        try:
            article = validate_article(source, dataclasses.replace(registries, pages=asked), found)
            answers: tuple[tuple[object, bool], ...] | None = tuple(asked.asked)
        except OutOfView:
            found = []
            article = validate_article(source, registries, found)
            answers = None
        return cls(source, article, tuple(found), answers, registries.pages)

    def still(self, pages: set[str]) -> bool:
        """Whether checking against ``pages`` gives what it gave (a page added or removed
        changes only the articles whose links name it)."""
        if pages is self.pages:
            return True
        if self.asked is None or any((page in pages) != answer for page, answer in self.asked):
            return False
        self.pages = pages
        return True


# --- one generation: everything derived under one pair of registries and one set of settings --


class _Generation:
    def __init__(self, context: tuple[Any, ...], registries: tuple[Any, Any]) -> None:
        self.context = context
        self.registry_sources = registries
        self.checked: tuple[Any, ...] | None = None  # actors, topics, resolver, problems
        self.registries: Registries | None = None
        self.validated: dict[str, _Validated] = {}
        self.matcher: Matcher | None = None
        self.mentions: dict[str, tuple[Article, tuple[Mention, ...], tuple[Any, ...]]] = {}
        self.index: tuple[tuple[Any, ...], Index] | None = None  # what was tallied, the index
        self.memo: dict[Any, tuple[Any, Any]] = {}
        self.full_only: set[str] = set()  # kinds of page whose function read out of its view
        self.whole_articles: set[str] = set()  # kinds of page that read an article's body
        self.summaries: dict[str, tuple[Article, Any]] = {}
        self.slugs: set[str] = set()  # the articles of the last render


class Pipeline:
    """``pipeline.run`` that remembers, for one ``mkdocs serve`` process."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[tuple[int, ...], Any, tuple[Problem, ...]]] = {}
        self._generation: _Generation | None = None
        self.fallbacks: list[str] = []  # kinds of page rendered in full, and why

    def run(
        self,
        root: str | os.PathLike[str],
        title: str = "Research dossier",
        site_url: str = render.DEFAULT_SITE_URL,
        directory_urls: bool = True,
    ) -> Outcome:
        lap = Stopwatch()
        timings = lap.timings

        context = (str(root), os.getcwd(), title, site_url, directory_urls)
        if self._generation is not None and self._generation.context != context:
            self._generation = None
            self._files.clear()  # shown paths depend on the working directory
        loaded = self._load(Path(root))
        generation = self._generation_for(context, loaded)
        lap("load")
        dossier, problems = self._validate(loaded, generation)
        lap("validate")
        if any(p.severity == "error" for p in problems):
            return Outcome(
                tuple(problems), dossier=dossier, timings=timings, sizes=sizes_of(dossier)
            )
        index = self._build_index(dossier, generation)
        lap("link")
        pages = self._render(dossier, index, generation, title, site_url, directory_urls)
        lap("render")
        return Outcome(tuple(problems), tuple(pages), dossier, index, timings, sizes_of(dossier))

    def _generation_for(self, context: tuple[Any, ...], loaded: Loaded) -> _Generation:
        sources = (loaded.actors, loaded.topics)
        current = self._generation
        if current is not None:
            same = all(
                a is b or a == b for a, b in zip(current.registry_sources, sources, strict=True)
            )
            if same:
                return current
            log.info("dossier: the registries changed; regenerating everything")
        self._generation = _Generation(context, sources)
        return self._generation

    # --- load: load.load, with each file's parse kept while its lstat is unchanged ----------

    def _load(self, root: Path) -> Loaded:
        """What ``load.load(root)`` returns; the same steps, in the same order."""
        if not root.is_dir():
            return load(root)
        problems: list[Problem] = []
        seen: set[str] = set()
        articles: list[SourceFile] = []
        known = {ACTORS_FILE, TOPICS_FILE, ARTICLES_DIR, *ALLOWED_EXTRA}
        for entry in sorted(root.iterdir(), key=lambda p: p.name):
            if entry.name not in known:
                problems.append(
                    Problem(display_path(entry), 1, _unexpected(entry, "the dossier folder"))
                )
        articles_dir = root / ARTICLES_DIR
        if articles_dir.is_symlink():
            shown = display_path(articles_dir)
            problems.append(Problem(shown, 1, "symbolic links are not allowed in a dossier"))
        elif not articles_dir.is_dir():
            problems.append(
                Problem(display_path(articles_dir), 1, "the articles/ folder is missing")
            )
        else:
            for entry in sorted(articles_dir.iterdir(), key=lambda p: p.name):
                if entry.suffix == ".md" and (entry.is_file() or entry.is_symlink()):
                    articles.append(
                        self._parsed(entry, seen, problems, lambda e, f: _load_article(e, root, f))
                    )
                else:
                    problems.append(
                        Problem(display_path(entry), 1, _unexpected(entry, "articles/"))
                    )
        actors = self._parsed(
            root / ACTORS_FILE, seen, problems, lambda e, f: _load_registry(e, root, f)
        )
        topics = self._parsed(
            root / TOPICS_FILE, seen, problems, lambda e, f: _load_registry(e, root, f)
        )
        for gone in self._files.keys() - seen:
            del self._files[gone]
        return Loaded(str(root), tuple(articles), actors, topics, tuple(problems))

    def _parsed(
        self,
        path: Path,
        seen: set[str],
        problems: list[Problem],
        parse: Callable[[Path, list[Problem]], Any],
    ) -> Any:
        key = str(path)
        seen.add(key)
        started = time.time_ns()
        before = _signature(path)
        cached = self._files.get(key)
        if before is not None and cached is not None and cached[0] == before:
            problems.extend(cached[2])
            return cached[1]
        found: list[Problem] = []
        result = parse(path, found)
        problems.extend(found)
        settled = before is not None and before[2] < started - SETTLE_NS
        if settled and _signature(path) == before:
            self._files[key] = (before, result, tuple(found))
        else:
            self._files.pop(key, None)
        return result

    # --- validate: validate.validate, each article checked again only when it changed --------

    def _validate(self, loaded: Loaded, generation: _Generation) -> tuple[Dossier, list[Problem]]:
        """What ``validate.validate(loaded)`` returns; the same steps, in the same order."""
        problems = list(loaded.problems)
        if generation.checked is None:
            found: list[Problem] = []
            actors = validate_actors(loaded.actors, found)
            topics = validate_topics(loaded.topics, found)
            readable = loaded.topics is not None and loaded.topics.data is not None
            resolver = topic_resolver(topics) if readable else None
            generation.checked = (actors, topics, resolver, tuple(found))
        actors, topics, resolver, found_in_registries = generation.checked
        problems.extend(found_in_registries)
        topic_ids = [topic.id for topic in topics]
        pages = {
            *(source.rel for source in loaded.articles),
            *(f"actors/{actor.id}.md" for actor in actors),
            *(f"topics/{topic_id}.md" for topic_id in topic_ids),
        }
        if generation.registries is None or generation.registries.pages != pages:
            actor_ids = [actor.id for actor in actors]
            generation.registries = Registries(resolver, topic_ids, actor_ids, pages)
        registries = generation.registries
        articles = []
        validated: dict[str, _Validated] = {}
        for source in loaded.articles:
            entry = generation.validated.get(source.rel)
            if entry is None or entry.source is not source or not entry.still(registries.pages):
                entry = _Validated.check(source, registries)
            validated[source.rel] = entry
            problems.extend(entry.problems)
            if entry.article is not None:
                articles.append(entry.article)
        generation.validated = validated
        return assemble(loaded.root, actors, topics, articles, problems, source_lines(loaded))

    # --- link: link.build_index, mentions found again only in articles that changed ----------

    def _build_index(self, dossier: Dossier, generation: _Generation) -> Index:
        """What ``link.build_index(dossier)`` returns; the same steps, in the same order."""
        if generation.matcher is None:
            generation.matcher = Matcher(dossier.actors)
        matcher = generation.matcher
        kept: dict[str, tuple[Article, tuple[Mention, ...], tuple[Any, ...]]] = {}
        for article in dossier.articles:
            entry = generation.mentions.get(article.slug)
            if entry is None or not (entry[0] is article or entry[0] == article):
                found = mentions_in(article, matcher)
                # All that the tallies below read of the article and its mentions.
                tallied = (
                    article.slug,
                    article.author,
                    article.publication,
                    article.topics,
                    article.quotes,
                    article.events,
                    tuple(m.actor for m in found),
                )
                entry = (article, found, tallied)
            kept[article.slug] = entry
        generation.mentions = kept
        tallied = tuple(entry[2] for entry in kept.values())
        if generation.index is not None and generation.index[0] == tallied:
            # Same tallies as the last build (an edit that named no other actor, say): only the
            # articles and their mentions are new.
            return dataclasses.replace(
                generation.index[1],
                mentions={slug: entry[1] for slug, entry in kept.items()},
                articles_by_slug={article.slug: article for article in dossier.articles},
            )

        index = index_from_mentions(dossier, {slug: entry[1] for slug, entry in kept.items()})
        generation.index = (tallied, index)
        return index

    # --- render: render.render, each page rendered again only when what it reads changed ----

    def _summary(self, generation: _Generation) -> Callable[[Article], Any]:
        """The ``_Summary`` of an article, the same object while the summary is the same."""
        summaries = generation.summaries

        def summary(article: Article) -> Any:
            kept = summaries.get(article.slug)
            if kept is not None and kept[0] is article:
                return kept[1]
            made = _Summary(**{name: getattr(article, name) for name in _SUMMARY_FIELDS})
            if kept is not None and kept[1] == made:
                made = kept[1]
            summaries[article.slug] = (article, made)
            return made

        return summary

    def _memo(
        self,
        generation: _Generation,
        kind: str,
        name: Any,
        key: Any,
        cover: Callable[[Callable[[Article], Any] | None], _Cover],
        in_view: Callable[[_Cover], Any],
        in_full: Callable[[], Any],
    ) -> Any:
        """``in_view(cover)`` remembered under ``key`` and what the cover holds.

        Articles are covered as summaries unless a page of this kind once read a body; if it
        reads anything else out of its cover, it is ``in_full()`` for the rest of the
        generation (and the reason is logged and kept in ``fallbacks``).
        """
        if kind in generation.full_only:
            return in_full()
        whole = kind in generation.whole_articles
        covered = cover(None if whole else self._summary(generation))
        full_key = (key, covered.key)
        entry = generation.memo.get((kind, name))
        if entry is not None and entry[0] == full_key:
            return entry[1]
        try:
            result = in_view(covered)
        except _OutOfSummary:
            generation.whole_articles.add(kind)
            return self._memo(generation, kind, name, key, cover, in_view, in_full)
        except (OutOfView, Exception) as error:
            # Never cached: the render function reads more than this module knows of. The
            # full call gives the right result (or raises the input's own error).
            self._fall_back(generation, kind, error)
            return in_full()
        generation.memo[(kind, name)] = (full_key, result)
        return result

    def _fall_back(self, generation: _Generation, kind: str, error: BaseException) -> None:
        generation.full_only.add(kind)
        self.fallbacks.append(f"{kind}: {type(error).__name__}: {error}")
        log.info(
            "dossier: %s is regenerated in full on every rebuild (%s: %s)",
            kind,
            type(error).__name__,
            error,
        )

    def _render(
        self,
        dossier: Dossier,
        index: Index,
        generation: _Generation,
        title: str,
        site_url: str,
        directory_urls: bool,
    ) -> list[render.Page]:
        """What ``render.render(...)`` returns; the same pages, in the same order."""
        memo = functools.partial(self._memo, generation)
        all_actors = [actor.id for actor in dossier.actors]
        all_topics = [topic.id for topic in dossier.topics]
        all_slugs = [article.slug for article in dossier.articles]

        related = memo(
            "related",
            "",
            None,
            lambda s: _Cover(index, s, dossier.articles, actors_by_article=all_slugs),
            lambda c: related_articles(c.dossier(dossier), c.index()),
            lambda: related_articles(dossier, index),
        )
        entries = {
            article.slug: memo(
                "bibtex",
                article.slug,
                article,
                lambda s: _Cover(index, s),
                lambda c, a=article: exports.bibtex_entry(a),
                lambda a=article: exports.bibtex_entry(a),
            )
            for article in dossier.articles
        }
        shown, _ = network.shown_actors(dossier, index)
        pages = [
            memo(
                "network",
                "",
                directory_urls,
                lambda s: _Cover(index, s, articles_by_actor=all_actors, co_mentions=shown),
                lambda c: network.network_page(c.dossier(dossier), c.index(), directory_urls),
                lambda: network.network_page(dossier, index, directory_urls),
            ),
            *self._exports(dossier, index, generation, site_url, title, entries),
            memo(
                "home",
                "",
                (title, directory_urls),
                lambda s: _Cover(index, s, dossier.articles),
                lambda c: render.render_home(c.dossier(dossier), title, directory_urls),
                lambda: render.render_home(dossier, title, directory_urls),
            ),
            *memo(
                "articles index",
                "",
                directory_urls,
                lambda s: _Cover(index, s, dossier.articles),
                lambda c: render.render_articles_index(c.dossier(dossier), directory_urls),
                lambda: render.render_articles_index(dossier, directory_urls),
            ),
            memo(
                "actors index",
                "",
                directory_urls,
                lambda s: _Cover(index, s, articles_by_actor=all_actors),
                lambda c: render.render_actors_index(c.dossier(dossier), c.index(), directory_urls),
                lambda: render.render_actors_index(dossier, index, directory_urls),
            ),
            memo(
                "topics index",
                "",
                directory_urls,
                lambda s: _Cover(index, s, articles_by_topic=all_topics),
                lambda c: render.render_topics_index(c.dossier(dossier), c.index(), directory_urls),
                lambda: render.render_topics_index(dossier, index, directory_urls),
            ),
            render.render_timeline(dossier, index, directory_urls),
        ]
        for kind, heading, table, names in (
            ("authors", "Authors", index.articles_by_author, index.author_names),
            (
                "publications",
                "Publications",
                index.articles_by_publication,
                index.publication_names,
            ),
        ):
            pages += memo(
                kind,
                "",
                (table, names, directory_urls),
                lambda s: _Cover(index, s, articles_by_slug=all_slugs),
                lambda c, k=kind, h=heading, t=table, n=names: render._source_pages(
                    k, h, t, n, c.index(), directory_urls
                ),
                lambda k=kind, h=heading, t=table, n=names: render._source_pages(
                    k, h, t, n, index, directory_urls
                ),
            )
        for article in dossier.articles:
            slug = article.slug
            mine = related.get(slug, ())
            shown_slugs = (slug, *(item.slug for item in mine))
            pages.append(
                memo(
                    "article",
                    slug,
                    (article, entries[slug], directory_urls),
                    lambda s, n=slug, r=mine, shown=shown_slugs: _Cover(
                        index,
                        s,
                        related=r,
                        mentions=(n,),
                        actors_by_article=(n,),
                        articles_by_slug=shown,
                    ),
                    lambda c, a=article: render.render_article(
                        a, c.dossier(dossier), c.index(), c.related, entries[a.slug], directory_urls
                    ),
                    lambda a=article, r=mine: render.render_article(
                        a, dossier, index, r, entries[a.slug], directory_urls
                    ),
                )
            )
        for actor in dossier.actors:
            pages += memo(
                "actor",
                actor.id,
                (actor, directory_urls),
                lambda s, a=actor.id: self._actor_cover(a, index, s),
                lambda c, a=actor: render.render_actor(
                    a, c.dossier(dossier), c.index(), directory_urls
                ),
                lambda a=actor: render.render_actor(a, dossier, index, directory_urls),
            )
        for topic in dossier.topics:
            pages += memo(
                "topic",
                topic.id,
                (topic, directory_urls),
                lambda s, t=topic.id: self._topic_cover(t, index, s),
                lambda c, t=topic: render.render_topic(
                    t, c.dossier(dossier), c.index(), directory_urls
                ),
                lambda t=topic: render.render_topic(t, dossier, index, directory_urls),
            )
        current = set(all_slugs)
        if generation.slugs != current:  # forget what was kept for articles that are gone
            generation.slugs = current
            generation.memo = {
                key: entry
                for key, entry in generation.memo.items()
                if key[1] == "" or key[0] in ("actor", "topic") or key[1] in current
            }
            generation.summaries = {
                slug: kept for slug, kept in generation.summaries.items() if slug in current
            }
        return sorted(pages, key=lambda page: page.path)

    @staticmethod
    def _actor_cover(actor_id: str, index: Index, summary: Any) -> _Cover:
        slugs = index.articles_by_actor.get(actor_id, ())
        quoted = index.quotes_by_actor.get(actor_id, ())
        dated = index.events_by_actor.get(actor_id, ())
        ranked = index.co_mentions.get(actor_id, ())[: network.NEIGHBOURS]
        return _Cover(
            index,
            summary,
            articles_by_actor=(actor_id, *(other for other, _ in ranked)),
            articles_by_slug=dict.fromkeys(
                [*slugs, *(slug for slug, _ in quoted), *(slug for slug, _ in dated)]
            ),
            mentions=slugs[: render.LISTING_LIMIT],
            quotes_by_actor=(actor_id,),
            events_by_actor=(actor_id,),
            co_mentions=(actor_id,),
        )

    @staticmethod
    def _topic_cover(topic_id: str, index: Index, summary: Any) -> _Cover:
        slugs = index.articles_by_topic.get(topic_id, ())
        dated = index.events_by_topic.get(topic_id, ())
        return _Cover(
            index,
            summary,
            articles_by_topic=(topic_id,),
            articles_by_slug=dict.fromkeys([*slugs, *(slug for slug, _ in dated)]),
            events_by_topic=(topic_id,),
            actors_by_topic=(topic_id,),
        )

    def _exports(
        self,
        dossier: Dossier,
        index: Index,
        generation: _Generation,
        site_url: str,
        title: str,
        entries: dict[str, str],
    ) -> list[render.Page]:
        """What ``exports.pages(...)`` returns; the same files, in the same order."""
        csl = self._json_list(generation, "csl-json", "[]", exports.csl_json, (), dossier, index)
        data = self._json_list(
            generation,
            "dossier-json",
            '"articles":[]',
            exports.dossier_json,
            ("mentions", "actors_by_article"),
            dossier,
            index,
        )
        files = [
            render.Page(exports.BIBLIOGRAPHY_JSON, csl, ""),
            render.Page(exports.BIBLIOGRAPHY_BIB, exports.bibtex(dossier, entries), ""),
            render.Page(exports.FEED, exports.feed(dossier, index, site_url, title), ""),
            render.Page(exports.DOSSIER_JSON, data, ""),
            render.Page(exports.DOSSIER_SCHEMA_JSON, exports.schema_json(), ""),
        ]
        return sorted(files, key=lambda page: page.path)

    def _json_list(
        self,
        generation: _Generation,
        kind: str,
        marker: str,
        make: Callable[[Dossier, Index], str],
        per_article: tuple[str, ...],
        dossier: Dossier,
        index: Index,
    ) -> str:
        """``make(dossier, index)``: JSON with a list of one item per article, which is
        ``marker`` (an empty list) for a dossier without articles.

        Each article's item is kept: ``make`` of a dossier of that article alone (and without
        the registries' lists, each of which would be written out again), with the index
        fields ``per_article`` for it alone; the list is put together again from the items.
        Checked once per generation against ``make`` of the first two articles. If anything
        does not fit, it is ``make(dossier, index)`` from then on.
        """
        if kind in generation.full_only:
            return make(dossier, index)
        nothing = _Cover(index, None)
        bare = dataclasses.replace(dossier, articles=(), actors=(), topics=())
        try:
            skeleton = self._kept(
                generation,
                f"{kind} skeleton",
                lambda: make(dataclasses.replace(dossier, articles=()), nothing.index()),
            )
            head, tail = _split_at(skeleton, marker, kind)
            bare_head, bare_tail = _split_at(
                self._kept(generation, f"{kind} bare", lambda: make(bare, nothing.index())),
                marker,
                kind,
            )

            def item(article: Article) -> str:
                cover = _Cover(index, None, **{name: (article.slug,) for name in per_article})
                entry = generation.memo.get((kind, article.slug))
                if entry is not None and entry[0] == (article, cover.key):
                    return entry[1]
                text = make(dataclasses.replace(bare, articles=(article,)), cover.index())
                if not (text.startswith(bare_head) and text.endswith(bare_tail)):
                    raise _Unsplittable(f"{kind} of {article.slug} does not fit around it")
                made = text[len(bare_head) : len(text) - len(bare_tail)]
                generation.memo[(kind, article.slug)] = ((article, cover.key), made)
                return made

            items = [item(article) for article in dossier.articles]
            if len(items) > 1 and (f"{kind} checked", "") not in generation.memo:
                two = make(dataclasses.replace(dossier, articles=dossier.articles[:2]), index)
                if two != head + ",".join(items[:2]) + tail:
                    raise _Unsplittable(f"{kind} of two articles is not its items joined")
                generation.memo[(f"{kind} checked", "")] = ((), True)
            return head + ",".join(items) + tail
        except (OutOfView, Exception) as error:
            self._fall_back(generation, kind, error)
            return make(dossier, index)

    @staticmethod
    def _kept(generation: _Generation, kind: str, compute: Callable[[], str]) -> str:
        """``compute()`` once per generation (it reads the registries only)."""
        entry = generation.memo.get((kind, ""))
        if entry is None:
            entry = ((), compute())
            generation.memo[(kind, "")] = entry
        return entry[1]


def _split_at(text: str, marker: str, kind: str) -> tuple[str, str]:
    """``text`` split inside ``marker`` (an empty list), which must occur in it once."""
    at = text.find(marker)
    if at < 0 or text.find(marker, at + 1) >= 0:
        raise _Unsplittable(f"{marker!r} is not once in {kind} of no articles")
    cut = at + len(marker) - 1
    return text[:cut], text[cut:]


class _Unsplittable(Exception):
    """A JSON export is not a list of per-article items as ``Pipeline._json_list`` expects."""


def _signature(path: Path) -> tuple[int, ...] | None:
    """A regular file's identity and version as far as ``lstat`` tells; None for anything else."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


# --- publishing to MkDocs ---------------------------------------------------------------------


class Session:
    """One ``mkdocs serve`` process: the pipeline's memory and the folder of generated pages."""

    def __init__(self, dirty: bool) -> None:
        self.dirty = dirty
        self.pipeline = Pipeline()
        _sweep_folders()
        self.folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        self._written: dict[str, str] = {}  # page path -> text in the folder
        self._targets: dict[str, str] = {}  # page path -> its file in the folder
        self._in_memory: set[str] = set()  # pages MkDocs could not read back from a file as is
        self._changed: set[str] = set()  # pages written by the last publish
        self._outputs: dict[str, str] = {}  # page path -> its built file, as of the last build
        self._site: list[Any] | None = None  # mkdocs.yml and the theme's own files, last build

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def site_changed(self, config: Any) -> bool:
        """Whether mkdocs.yml or the theme's custom_dir changed since the last build.

        ``--dirty`` rebuilds only the pages whose source changed, but these change every page:
        the hook then empties the site folder so that everything is built again.
        """
        fingerprint: list[Any] = []
        if config.config_file_path and os.path.isfile(config.config_file_path):
            with open(config.config_file_path, "rb") as handle:
                fingerprint.append(handle.read())
        custom = config.theme.custom_dir
        if custom and os.path.isdir(custom):
            for folder, _, names in sorted(os.walk(custom)):
                for name in sorted(names):
                    fingerprint.append((folder, name, _signature(Path(folder, name))))
        changed = self._site is not None and self._site != fingerprint
        self._site = fingerprint
        return changed

    def run(self, root: Path, title: str, site_url: str, directory_urls: bool) -> Outcome:
        return self.pipeline.run(root, title, site_url, directory_urls)

    def publish(self, pages: Iterable[render.Page]) -> dict[str, str | None]:
        """Write the pages whose text changed; page path -> its file (None: keep in memory)."""
        files: dict[str, str | None] = {}
        changed: set[str] = set()
        written = self._written
        for page in pages:
            path, text = page.path, page.text
            target = self._targets.get(path)
            if target is None:
                target = self._targets[path] = os.path.join(self.folder, *path.split("/"))
            if written.get(path) != text:
                # MkDocs reads a Markdown file with universal newlines and drops a leading BOM.
                if path.endswith(".md") and ("\r" in text or text[:1] == "\ufeff"):
                    self._in_memory.add(path)
                else:
                    self._in_memory.discard(path)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as handle:
                        handle.write(text.encode("utf-8"))
                written[path] = text
                changed.add(path)
            files[path] = None if path in self._in_memory else target
        for gone in written.keys() - files.keys():
            del written[gone]
            self._in_memory.discard(gone)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._targets.pop(gone))
        self._changed = changed
        return files

    def settle_outputs(self, files: Any, generated: dict[str, Any]) -> None:
        """Make MkDocs rebuild every changed page, and under ``--dirty`` remove the built
        output of the pages that are gone.

        MkDocs rebuilds a page when its source is newer than its output. A file system that
        keeps times to the second could give both the same time; the source is then dated
        after the output. ``generated``: page path -> the File given to MkDocs.
        """
        # Pages not handed to MkDocs last time may have an older built file (a hand-written
        # page's, say): theirs must be rebuilt too.
        fresh = generated.keys() - self._outputs.keys() if self._outputs else set()
        for path in self._changed | fresh:
            file = generated.get(path)
            if file is None or not file.abs_src_path or not os.path.isfile(file.abs_dest_path):
                continue
            built = os.stat(file.abs_dest_path).st_mtime_ns
            if os.stat(file.abs_src_path).st_mtime_ns <= built:
                later = built + SETTLE_NS
                os.utime(file.abs_src_path, ns=(later, later))
        gone = self._outputs.keys() - generated.keys()
        if self.dirty and gone:
            in_use = {file.abs_dest_path for file in files}
            for path in gone:
                if self._outputs[path] not in in_use:
                    _remove_output(self._outputs[path])
        self._outputs = {path: file.abs_dest_path for path, file in generated.items()}


FOLDER_PREFIX = "dossier-serve-"


def _sweep_folders() -> None:
    """Remove the page folders of serve processes that are gone without cleaning up (killed:
    ``on_shutdown`` never ran). Each folder's name holds its process id."""
    if os.name != "posix":
        return  # elsewhere os.kill(pid, 0) is no question
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)  # still running (or not ours to judge): keep it
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _remove_output(output: str) -> None:
    """Remove a built page and the folders it leaves empty (``name/index.html``)."""
    try:
        os.unlink(output)
    except FileNotFoundError:
        return
    if os.path.basename(output) == "index.html":
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(output))  # only when empty


# --- MkDocs and Material under --dirty --------------------------------------------------------


def keep_search_entries(config: Any, files: Any) -> None:
    """Under ``--dirty``, give Material's search index the entries of every page not rebuilt.

    Material's search plugin indexes the pages a build renders; under ``--dirty`` it merges the
    previous index in, assuming one page was rebuilt, and drops every previous entry whose
    location starts with that page's (all of them, for the home page). Here, before any page is
    rendered, its new index starts with the previous entries of the pages this build will not
    render (and that still exist), and it is given no previous index to merge.
    """
    from mkdocs.structure.files import InclusionLevel

    for plugin in config.plugins.values():
        if type(plugin).__module__ != "material.plugins.search.plugin":
            continue
        index = getattr(plugin, "search_index", None)
        previous = getattr(plugin, "search_index_prev", None)
        if index is None or previous is None or not getattr(previous, "entries", None):
            continue  # nothing indexed before (the first build, or another search backend)
        current: set[str] = set()
        rebuilt: set[str] = set()
        for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
            url = "" if file.url in (".", "./") else file.url  # as Page.url has it
            current.add(url)
            if file.is_modified():
                rebuilt.add(url)
        index.entries = [
            entry
            for entry in previous.entries
            if (page := entry["location"].split("#", 1)[0]) in current and page not in rebuilt
        ]
        plugin.search_index_prev = None
