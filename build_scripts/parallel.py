"""Part of publish: MkDocs renders the generated pages' Markdown on two cores.

MkDocs turns every page's Markdown into HTML one page after the other
(``mkdocs/commands/build.py``, ``_populate_page``), on one core, and at 10,000 articles that is
about half of the build. During ``mkdocs build`` (never under ``mkdocs serve``, whose rebuilds
are incremental) the hook forks once, after the navigation is made (``on_nav``): the child
process renders the last half of the generated pages, the same way MkDocs would
(``read_source``, the ``page_markdown`` plugin events, ``Page.render``), and sends each result
back through a pipe while MkDocs renders the first part. When MkDocs reaches a page of the
child's, the page's ``render`` takes the child's result (the HTML, its table of contents,
title and anchors) instead of converting again; everything else (``page_content`` events such
as the sanitiser, templates, writing) stays in MkDocs' own process and order. The warnings the
child's rendering logs are logged again by MkDocs' process, so ``--strict`` counts them.

It only ever saves time: a page the child could not render, or every page left when the child
is gone, is rendered by MkDocs itself. ``DOSSIER_PARALLEL_RENDER`` (or
``extra.parallel_render`` in mkdocs.yml) is ``off``, ``on`` (whatever the size), or unset:
on for sites of ``MIN_PAGES`` generated pages or more on a machine with two cores or more.
The site is byte-identical either way (tests/integration/test_parallel_render.py).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
import time

from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.dossier.parallel")

VARIABLE = "DOSSIER_PARALLEL_RENDER"
CONFIG_KEY = "parallel_render"
MIN_PAGES = 200
# The child's share of the Markdown to render, by size: MkDocs' process also sanitises every
# page and takes in the child's results; at 10,000 articles 55% kept it waiting 4 s for the
# child, 50% not at all (the log line says how long it waited).
CHILD_SHARE = 0.5


def _setting(config) -> str:
    value = os.environ.get(VARIABLE) or (config.get("extra") or {}).get(CONFIG_KEY)
    if value is None or value == "" or value == "auto":
        return "auto"
    if value is True or str(value).lower() in ("on", "true", "1", "yes"):
        return "on"
    if value is False or str(value).lower() in ("off", "false", "0", "no"):
        return "off"
    from mkdocs.exceptions import PluginError

    raise PluginError(f"{VARIABLE} (or extra.{CONFIG_KEY}) is {value!r}; expected on, off or auto")


def start(config, files) -> Renderer | None:
    """Fork the child for this build's generated pages, or None where it would not pay."""
    setting = _setting(config)
    pages = [f.page for f in files.documentation_pages() if f.generated_by is not None and f.page]
    if setting == "off" or not hasattr(os, "fork") or not pages:
        return None
    if setting == "auto" and (len(pages) < MIN_PAGES or (os.cpu_count() or 1) < 2):
        return None
    sizes = [len(page.file.content_string) for page in pages]
    total, share, first = sum(sizes), 0, len(pages)
    while first > 0 and share + sizes[first - 1] <= total * CHILD_SHARE:
        first -= 1
        share += sizes[first]
    return Renderer(config, files, pages[first:])


class _Capture(logging.Handler):
    """In the child: keeps what rendering logs, to be logged again by MkDocs' process."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))

    def take(self) -> list[tuple[str, int, str]]:
        taken, self.records = self.records, []
        return taken


def _child(config, files, pages: list[Page], out) -> None:
    capture = _Capture()
    for name in ("mkdocs", ""):
        logger = logging.getLogger(name)
        logger.handlers = [capture] if name == "mkdocs" else []
    for page in pages:
        uri = page.file.src_uri
        config._current_page = page
        try:
            page.read_source(config)
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=files
            )
            Page.render(page, config, files)
            links = page.links_to_anchors
            result = {
                "content": page.content,
                "toc": page.toc,
                "title": page._title_from_render,
                "anchors": page.present_anchor_ids,
                "links": None if links is None else {f.src_uri: v for f, v in links.items()},
            }
        except Exception as error:  # MkDocs' process renders it, and reports what fails
            result = {"error": repr(error)}
        result["log"] = capture.take()
        pickle.dump((uri, result), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


class Renderer:
    """The child process, and the pages whose ``render`` takes its results."""

    def __init__(self, config, files, pages: list[Page]) -> None:
        self.files = files
        self.results: dict[str, dict] = {}
        self.finished = False
        self.condition = threading.Condition()
        self.pages = len(pages)
        self.waited = 0.0  # seconds MkDocs' process waited for the child's results
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: render, send, and leave without running anything else
            code = 0
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:
                    _child(config, files, pages, out)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self.reader = threading.Thread(
            target=self._read, args=(os.fdopen(read, "rb"),), name="parallel-render", daemon=True
        )
        self.reader.start()
        for page in pages:
            page.render = self._renderer(page)  # this page's render: the child's result

    def _read(self, source) -> None:
        try:
            with source:
                while True:
                    uri, result = pickle.load(source)
                    with self.condition:
                        self.results[uri] = result
                        self.condition.notify_all()
        except (EOFError, OSError, pickle.UnpicklingError):
            pass  # the child is done, or gone: its remaining pages render here
        finally:
            with self.condition:
                self.finished = True
                self.condition.notify_all()

    def _renderer(self, page: Page):
        def render(config, files) -> None:
            del page.render  # from now on the page renders as MkDocs' own
            uri = page.file.src_uri
            started = time.perf_counter()
            with self.condition:
                self.condition.wait_for(lambda: uri in self.results or self.finished)
                result = self.results.pop(uri, None)
            self.waited += time.perf_counter() - started
            for name, level, message in (result or {}).get("log", []):
                logging.getLogger(name).log(level, message)
            if result is None or "error" in result:
                page.render(config, files)
                return
            page.content = result["content"]
            page.toc = result["toc"]
            page._title_from_render = result["title"]
            page.present_anchor_ids = result["anchors"]
            if result["links"] is not None:
                page.links_to_anchors = {
                    self.files.get_file_from_path(uri): links
                    for uri, links in result["links"].items()
                }

        return render

    def close(self) -> None:
        """After the pages are rendered: wait for the child and its reader."""
        self.reader.join()
        os.waitpid(self.pid, 0)
        log.info(
            "parallel: %d pages' Markdown rendered in a second process (%.2f s waited for it)",
            self.pages,
            self.waited,
        )

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
