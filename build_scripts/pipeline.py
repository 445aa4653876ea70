"""Run the stages in order: load -> validate -> link -> render.

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
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from build_scripts.model import DEFAULT_SITE_URL, Dossier, Page, Problem

if TYPE_CHECKING:
    from build_scripts.link import Index

DEFAULT_TITLE = "Research dossier"


class Stopwatch:
    """``lap("load")`` records the seconds since the previous lap under that stage's name."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._clock
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
    from build_scripts.link import build_index
    from build_scripts.render import render

    lap = Stopwatch()
    dossier, problems = _validated(root, lap)
    sizes = _sizes(dossier)
    if any(p.severity == "error" for p in problems):
        return Outcome(tuple(problems), dossier=dossier, timings=lap.timings, sizes=sizes)
    index = build_index(dossier)
    lap("link")
    pages = render(dossier, index, title, site_url, directory_urls)
    lap("render")
    return Outcome(tuple(problems), tuple(pages), dossier, index, lap.timings, sizes)


def _validated(root: str | os.PathLike[str], lap: Stopwatch) -> tuple[Dossier, list[Problem]]:
    from build_scripts.load import load
    from build_scripts.validate import validate

    loaded = load(root)
    lap("load")
    dossier, problems = validate(loaded)
    lap("validate")
    return dossier, problems


def _sizes(dossier: Dossier) -> tuple[int, int, int]:
    return (len(dossier.articles), len(dossier.actors), len(dossier.topics))


class PipelineProcessError(RuntimeError):
    """``run_apart``'s process failed: its traceback, or how it ended."""


def run_apart(
    root: str | os.PathLike[str],
    title: str = DEFAULT_TITLE,
    site_url: str = DEFAULT_SITE_URL,
    directory_urls: bool = True,
) -> Outcome:
    """``run`` in a forked process; the same outcome without the dossier and index.

    The process sends its problems once validated, then each page as soon as it is rendered,
    never holding them all, then the timings; it writes nothing. Where there is no fork this
    is ``run``. Raises ``PipelineProcessError`` when the process fails or dies."""
    if not hasattr(os, "fork"):
        return run(root, title, site_url, directory_urls)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the process: run, send, and leave without running anything else
        code = 0
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                _send_run(out, root, title, site_url, directory_urls)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    try:
        with os.fdopen(read, "rb") as source:
            return _receive_run(source)
    finally:
        os.waitpid(pid, 0)


def _send_run(out, root, title: str, site_url: str, directory_urls: bool) -> None:
    import gc

    gc.disable()  # everything made here lives until the process exits
    send = functools.partial(pickle.dump, file=out, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        from build_scripts.link import build_index
        from build_scripts.render import each_page

        lap = Stopwatch()
        dossier, problems = _validated(root, lap)
        send(("problems", (tuple(problems), _sizes(dossier))))
        if any(p.severity == "error" for p in problems):
            send(("timings", lap.timings))
            return
        index = build_index(dossier)
        lap("link")
        for page in each_page(dossier, index, title, site_url, directory_urls):
            send(("page", page))
        lap("render")
        send(("timings", lap.timings))
    except BaseException:
        send(("failed", traceback.format_exc()))
        raise


def _receive_run(source) -> Outcome:
    problems: tuple[Problem, ...] = ()
    sizes = (0, 0, 0)
    pages: list[Page] = []
    while True:
        try:
            kind, value = pickle.load(source)
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            message = f"the dossier pipeline's process ended early ({error!r})"
            raise PipelineProcessError(message) from error
        if kind == "problems":
            problems, sizes = value
        elif kind == "page":
            pages.append(value)
        elif kind == "failed":
            raise PipelineProcessError(f"the dossier pipeline failed:\n{value}")
        else:  # "timings": the last
            pages.sort(key=lambda page: page.path)
            return Outcome(problems, tuple(pages), timings=value, sizes=sizes)
