"""Run the stages in order: load -> validate -> link -> render.

The site build (``publish``'s MkDocs hook), ``check`` and ``render --out`` all call ``run``,
so what a contributor's check accepts is exactly what the site publishes. Nothing here
writes files.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from build_scripts.link import Index, build_index
from build_scripts.load import load
from build_scripts.model import Dossier, Problem
from build_scripts.render import DEFAULT_SITE_URL, Page, render
from build_scripts.validate import validate

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
    lap = Stopwatch()
    timings = lap.timings

    loaded = load(root)
    lap("load")
    dossier, problems = validate(loaded)
    lap("validate")
    if any(p.severity == "error" for p in problems):
        return Outcome(tuple(problems), dossier=dossier, timings=timings)
    index = build_index(dossier)
    lap("link")
    pages = render(dossier, index, title, site_url, directory_urls)
    lap("render")
    return Outcome(tuple(problems), tuple(pages), dossier, index, timings)
