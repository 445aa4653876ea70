"""MkDocs hook used by ``bench/run.py --page-types``: where a full build spends its time.

Added after ``build_scripts/publish.py`` in a throw-away config that inherits the repository's
``mkdocs.yml``. It marks the build's phases (files and the dossier pipeline, navigation,
Markdown rendering, templates, post-build) and sums, per page type (the page's first folder:
articles, actors, topics; index pages apart), the time spent rendering Markdown
(``on_pre_page`` -> ``on_page_content``), the template (``on_page_context`` ->
``on_post_page``) and writing (``on_post_page`` -> the next page's ``on_page_context``). The
figures go as JSON to the file named by ``DOSSIER_BENCH_TIMING_OUT``. Never used by the site.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict

from mkdocs.plugins import event_priority

_OUT = os.environ.get("DOSSIER_BENCH_TIMING_OUT", "")
_IMPORTED = time.perf_counter()
_marks: dict[str, float] = {}
_types: dict[str, dict[str, float]] = defaultdict(
    lambda: {"pages": 0, "markdown": 0.0, "template": 0.0, "write": 0.0}
)
_started: dict[int, float] = {}
_previous: tuple[str, float] | None = None


def _kind(page) -> str:
    uri = page.file.src_uri
    if uri == "index.md" or uri.endswith("/index.md"):
        return "index pages"
    return uri.split("/", 1)[0] if "/" in uri else "other pages"


def _mark(name: str) -> None:
    _marks.setdefault(name, time.perf_counter())


def on_config(config):
    _mark("config")
    return config


@event_priority(100)  # before the dossier's hook runs its pipeline here
def on_pre_build(config):
    _mark("pre_build")


def on_files(files, config):
    _mark("files")
    return files


def on_nav(nav, config, files):
    _mark("nav")
    return nav


def on_pre_page(page, config, files):
    _started[id(page)] = time.perf_counter()
    return page


def on_page_content(html, page, config, files):
    stats = _types[_kind(page)]
    stats["pages"] += 1
    stats["markdown"] += time.perf_counter() - _started.pop(id(page), time.perf_counter())
    return html


def on_env(env, config, files):
    _mark("env")
    return env


def on_page_context(context, page, config, nav):
    global _previous
    now = time.perf_counter()
    _mark("first_page_context")
    if _previous is not None:
        _types[_previous[0]]["write"] += now - _previous[1]
        _previous = None
    _started[id(page)] = now
    return context


def on_post_page(output, page, config):
    global _previous
    now = time.perf_counter()
    kind = _kind(page)
    _types[kind]["template"] += now - _started.pop(id(page), now)
    _previous = (kind, now)
    _marks["last_post_page"] = now
    return output


def on_post_build(config):
    _mark("post_build")
    if not _OUT:
        return
    steps = (
        ("config", "pre_build", "config"),
        ("pre_build", "files", "dossier pipeline, clean site, gather files"),
        ("files", "nav", "navigation"),
        ("nav", "env", "Markdown of every page"),
        ("env", "first_page_context", "static files, theme templates"),
        ("first_page_context", "last_post_page", "page templates and writes"),
        ("last_post_page", "post_build", "anchor checks, search index"),
    )
    phases = {
        label: _marks[end] - _marks[start]
        for start, end, label in steps
        if start in _marks and end in _marks
    }
    phases["hook import -> config"] = _marks.get("config", _IMPORTED) - _IMPORTED
    with open(_OUT, "w", encoding="utf-8") as handle:
        json.dump({"phases": phases, "types": dict(_types)}, handle, indent=1)
