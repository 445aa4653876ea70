"""Run the stages in order: load -> validate -> link -> render.

The work done once per article (reading it, checking it, finding its mentions) is done for
each article in one go, on two cores, after the registries are loaded and checked; then the
checks across articles, the index and the pages (``_checked``).

The site build (``publish``'s MkDocs hook), ``check`` and ``render --out`` all call ``run``,
so what a contributor's check accepts is exactly what the site publishes. Nothing here
writes files.

``mkdocs build`` calls ``run_apart``: the same ``run``, in a process of its own that hands the
pages over one at a time and exits, so that MkDocs' process never holds the dossier, its index
or the libraries that render them (about 60 MB at 1,000 articles, of a build that peaked at
150 MB). The stages are imported when they run, for the same reason.
"""

from __future__ import annotations

import functools
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from build_scripts.halves import in_two
from build_scripts.model import DEFAULT_SITE_URL, Article, Dossier, Page, Problem

if TYPE_CHECKING:
    from build_scripts.link import Index, Mention

DEFAULT_TITLE = "Research dossier"


class Stopwatch:
    """``lap("load")`` records the seconds since the previous lap under that stage's name
    (added to what the stage has already)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._clock
        self._clock = now

    def shared(self, parts: dict[str, float]) -> None:
        """Record the seconds since the previous lap under several stages, shared among them
        in proportion to ``parts`` (each stage's own time within the lap)."""
        now = time.perf_counter()
        total = sum(parts.values())
        for stage, part in parts.items():
            share = part / total if total > 0 else 1 / len(parts)
            self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._clock) * share
        self._clock = now


@dataclass(frozen=True)
class Outcome:
    problems: tuple[Problem, ...]
    pages: tuple[Page, ...] = ()
    dossier: Dossier | None = None
    index: Index | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # Articles, actors and topics: what the dossier holds, also when ``dossier`` is not kept.
    sizes: tuple[int, int, int] = (0, 0, 0)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity != "error")


def run(
    root: str | os.PathLike[str],
    title: str = DEFAULT_TITLE,
    site_url: str = DEFAULT_SITE_URL,
    directory_urls: bool = True,
) -> Outcome:
    """Load, validate, link and render a dossier. Pages are empty when there is any error."""
    from build_scripts.link import index_from_mentions
    from build_scripts.render import render

    lap = Stopwatch()
    dossier, problems, mentions = _checked(root, lap)
    sizes = sizes_of(dossier)
    if any(p.severity == "error" for p in problems):
        return Outcome(tuple(problems), dossier=dossier, timings=lap.timings, sizes=sizes)
    index = index_from_mentions(dossier, mentions)
    lap("link")
    pages = render(dossier, index, title, site_url, directory_urls)
    lap("render")
    return Outcome(tuple(problems), tuple(pages), dossier, index, lap.timings, sizes)


def _checked(
    root: str | os.PathLike[str], lap: Stopwatch
) -> tuple[Dossier, list[Problem], dict[str, tuple[Mention, ...]]]:
    """Load and validate a dossier, and find every valid article's mentions: what
    ``load.load``, ``validate.validate`` and ``link.build_index``'s search for mentions give,
    with the same stage functions, but each article is read, checked and searched in one go,
    on two cores (``halves.in_two``). A forked process sends back each article's record and
    mentions, never its parsed YAML, and there is one fork where three stages would make
    three. The registries come first: every article is checked against them.

    Timings: the article pass's seconds are shared among load, validate and link in
    proportion to each one's time per article."""
    from build_scripts.link import Matcher, mentions_in
    from build_scripts.load import list_dossier
    from build_scripts.validate import (
        assemble,
        check_registries,
        page_name_lines,
        validate_article,
    )

    listing = list_dossier(root)
    problems = [*listing.folder_problems, *listing.unexpected()]
    problems.extend(listing.registry_problems)
    lap("load")
    actors, topics, registries = check_registries(
        listing.actors, listing.topics, listing.article_rels, problems
    )
    matcher = Matcher(actors)
    lap("validate")
    clock = time.perf_counter

    def checked(entry):
        found: list[Problem] = []
        start = clock()
        source = listing.read(entry, found)
        read = clock()
        article = validate_article(source, registries, found)
        valid = clock()
        mentions = () if article is None else mentions_in(article, matcher)
        lines = page_name_lines(source) if article is not None else None
        return article, mentions, lines, found, (read - start, valid - read, clock() - valid)

    articles: list[Article] = []
    mentions: dict[str, tuple[Mention, ...]] = {}
    lines: dict[str, dict[str, int]] = {}
    took = [0.0, 0.0, 0.0]
    for article, found_mentions, found_lines, found, seconds in in_two(checked, listing.articles):
        problems.extend(found)
        took = [a + b for a, b in zip(took, seconds, strict=True)]
        if article is not None:
            articles.append(article)
            mentions[article.slug] = found_mentions
            lines[article.path] = found_lines
    lap.shared(dict(zip(("load", "validate", "link"), took, strict=True)))
    dossier, problems = assemble(
        str(listing.root), actors, topics, articles, problems, lines.__getitem__
    )
    lap("validate")
    return dossier, problems, mentions


def sizes_of(dossier: Dossier) -> tuple[int, int, int]:
    return (len(dossier.articles), len(dossier.actors), len(dossier.topics))


class PipelineProcessError(RuntimeError):
    """``run_apart``'s process failed: its traceback, or how it ended."""


def run_apart(
    root: str | os.PathLike[str],
    title: str = DEFAULT_TITLE,
    site_url: str = DEFAULT_SITE_URL,
    directory_urls: bool = True,
    meanwhile: Callable[[], None] | None = None,
) -> Outcome:
    """``run`` in a forked process; the same outcome without the dossier and index.

    The process sends its problems once validated, then each page as soon as it is rendered,
    never holding them all, then the timings; it writes nothing. On two cores or more it
    renders the article pages in a second process of its own, forked once the dossier is
    linked, while it renders the others (``render.PARTS``), and whichever is done first
    takes over what the other has not started (``halves.Ends``); each sends its pages here.
    ``meanwhile`` runs in this process while it waits (in a thread; it must not fork). Where
    there is no fork this is ``run`` (and ``meanwhile`` runs first). Raises
    ``PipelineProcessError`` when a process fails or dies."""
    if not hasattr(os, "fork"):
        if meanwhile is not None:
            meanwhile()
        return run(root, title, site_url, directory_urls)
    main_read, main_write = os.pipe()
    side_read, side_write = os.pipe()
    side = side_write if (os.cpu_count() or 1) >= 2 else None
    arguments = (root, title, site_url, directory_urls)
    pid = _forked(
        lambda out: _send_run(out, side, *arguments), main_write, close=(main_read, side_read)
    )
    os.close(side_write)
    received: dict[str, dict] = {}
    reader = threading.Thread(target=lambda: received.update(side=_received(side_read)))
    reader.start()
    helper = threading.Thread(target=meanwhile) if meanwhile is not None else None
    if helper is not None:
        helper.start()
    try:
        main = _received(main_read)
    finally:
        os.waitpid(pid, 0)
        reader.join()
        if helper is not None:
            helper.join()
    side_got = received.get("side", {"pages": []})
    for got in (main, side_got):
        if "failed" in got:
            raise PipelineProcessError(f"the dossier pipeline failed:\n{got['failed']}")
    if "timings" not in main or (main["timings"][1] and "done" not in side_got):
        ended = main.get("ended") or side_got.get("ended") or "no error"
        raise PipelineProcessError(f"the dossier pipeline's process ended early ({ended})")
    pages = main["pages"] + side_got["pages"]
    pages.sort(key=lambda page: page.path)
    problems, sizes = main["problems"]
    return Outcome(problems, tuple(pages), timings=main["timings"][0], sizes=sizes)


def _forked(work: Callable[[BinaryIO], None], fd: int, close: tuple[int, ...] = ()) -> int:
    """A forked process that closes ``close``, runs ``work`` with the pipe ``fd`` as a binary
    file and exits without running anything else; its pid. Here ``fd`` is closed."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            for other in close:
                os.close(other)
            with os.fdopen(fd, "wb") as out:
                work(out)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(fd)
    return pid


def _sender(out: BinaryIO) -> Callable[[str, object], None]:
    return lambda kind, value: pickle.dump((kind, value), out, pickle.HIGHEST_PROTOCOL)


def _send_run(
    out: BinaryIO, side: int | None, root, title: str, site_url: str, directory_urls: bool
) -> None:
    import gc

    gc.disable()  # everything made here lives until the process exits
    send = _sender(out)
    try:
        from build_scripts.halves import Ends
        from build_scripts.link import index_from_mentions
        from build_scripts.render import each_page, piece_count

        lap = Stopwatch()
        dossier, problems, mentions = _checked(root, lap)
        send("problems", (tuple(problems), sizes_of(dossier)))
        errors = any(p.severity == "error" for p in problems)
        if errors and side is not None:
            os.close(side)  # no second process: its pipe ends here
        if errors:
            send("timings", (lap.timings, False))
            return
        index = index_from_mentions(dossier, mentions)
        lap("link")
        pages = functools.partial(each_page, dossier, index, title, site_url, directory_urls)
        split = side is not None
        if side is not None:
            ends = Ends(piece_count(dossier, index))
            pid = _forked(
                lambda to: _send_pages(to, pages(("articles", ends))), side, (out.fileno(),)
            )
        for page in pages(("others", ends)) if split else pages():
            send("page", page)
        if split:
            os.waitpid(pid, 0)
        lap("render")
        send("timings", (lap.timings, split))
    except BaseException:
        send("failed", traceback.format_exc())
        raise


def _send_pages(out: BinaryIO, pages: Iterator[Page]) -> None:
    send = _sender(out)
    try:
        for page in pages:
            send("page", page)
        send("done", None)
    except BaseException:
        send("failed", traceback.format_exc())
        raise


def _received(fd: int) -> dict:
    """What a process sent through the pipe ``fd``, until it closed it: ``pages``, and the
    last value of each other kind; ``ended`` if what came last was cut off."""
    got: dict = {"pages": []}
    with os.fdopen(fd, "rb") as source:
        while True:
            try:
                kind, value = pickle.load(source)
            except EOFError:
                return got
            except (OSError, pickle.UnpicklingError) as error:
                got["ended"] = repr(error)
                return got
            if kind == "page":
                got["pages"].append(value)
            else:
                got[kind] = value
