"""Part of publish: MkDocs builds the generated pages on two cores.

MkDocs turns every page's Markdown into HTML one page after the other
(``mkdocs/commands/build.py``, ``_populate_page``), then puts every page through the theme's
templates and writes it (``_build_page``), on one core; at 10,000 articles that is most of
the build. During ``mkdocs build`` (never under ``mkdocs serve``, whose rebuilds are
incremental) the hook forks once, after the navigation is made (``on_nav``), and the child
process takes the last half of the generated pages:

1. It renders their Markdown the way MkDocs would (``read_source``, the ``page_markdown``
   plugin events, ``Page.render``, the ``page_content`` events) and sends each page's table
   of contents, title and anchors back through a pipe while MkDocs renders the first half.
   When MkDocs reaches a page of the child's, the page's ``render`` takes those instead of
   converting again, so MkDocs checks every page's links and anchors as usual.
2. It then builds and writes those pages with MkDocs' own ``_build_page`` (templates, the
   ``page_context`` and ``post_page`` events) while MkDocs builds the first half; MkDocs'
   process keeps no HTML of them. When MkDocs reaches one, it renders an empty template
   (``WRITTEN_ELSEWHERE``) and writes nothing, and the hook's ``post_page`` waits until the
   child has written it: the search index takes the pages in MkDocs' order either way.

Step 2 needs every ``page_context`` handler to be stateless across pages; Material's search
plugin collects its index there, so with ``extra.search_backend: material`` the child does
step 1 only and sends the HTML as well (``Mode.MARKDOWN``). The warnings the child logs are
logged again by MkDocs' process, so ``--strict`` counts them.

It only ever saves time: a page the child could not render or build, or every page left when
the child is gone, is rendered and built by MkDocs' process itself. ``DOSSIER_PARALLEL_RENDER``
(or ``extra.parallel_render`` in mkdocs.yml) is ``off``, ``on`` (whatever the size), or unset:
on for sites of ``MIN_PAGES`` generated pages or more on a machine with two cores or more.
The site is byte-identical either way (tests/integration/test_parallel_render.py).
"""

from __future__ import annotations

import enum
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
# The child's share of the generated pages, by the size of their Markdown plus PAGE_BYTES a
# page. Measured at 10,000 articles, once the pipeline ran in its own process: 50% kept
# MkDocs waiting about 3 s for the child, 47% not at all (the log line says); at 1,000
# articles 47% kept it waiting 0.1-0.2 s.
CHILD_SHARE = 0.47
# What a page costs besides its Markdown (templates, writing), as bytes of Markdown: at 10,000
# articles a listing page of 4 KB takes about 1 ms, an article page of 12.6 KB about 4 ms.
PAGE_BYTES = 3000
# A page all of whose text render made (``Page.own``) mostly skips Markdown (publish): its
# bytes count this much.
OWN_SHARE = 0.4
# The template MkDocs' process renders for a page the child writes: nothing.
WRITTEN_ELSEWHERE = "dossier-written-by-the-second-process.html"

# True in the child process: the hook's post_page hands no page to the search index there.
IN_CHILD = False


class Mode(enum.Enum):
    MARKDOWN = "markdown"  # step 1 only: the child sends the HTML back
    PAGES = "pages"  # steps 1 and 2: the child writes the pages


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


def start(config, files, nav, stateless=(), own=frozenset()) -> Renderer | None:
    """Fork the child for this build's generated pages, or None where it would not pay.
    ``stateless``: ``page_context`` handlers that keep nothing across pages (the hook's);
    ``own``: the pages all of whose text render made (``Page.own``)."""
    setting = _setting(config)
    pages = [f.page for f in files.documentation_pages() if f.generated_by is not None and f.page]
    if setting == "off" or not hasattr(os, "fork") or not pages:
        return None
    if setting == "auto" and (len(pages) < MIN_PAGES or (os.cpu_count() or 1) < 2):
        return None
    sizes = [
        len(page.file.content_bytes) * (OWN_SHARE if page.file.src_uri in own else 1) + PAGE_BYTES
        for page in pages
    ]
    total, share, first = sum(sizes), 0, len(pages)
    while first > 0 and share + sizes[first - 1] <= total * CHILD_SHARE:
        first -= 1
        share += sizes[first]
    keeping = [h for h in config.plugins.events["page_context"] if h not in stateless]
    mode = Mode.MARKDOWN if keeping else Mode.PAGES
    return Renderer(config, files, nav, pages[first:], mode)


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


def _render(page: Page, config, files, mode: Mode) -> dict:
    """Step 1 for one page, in the child: what MkDocs' process needs of it."""
    config._current_page = page
    try:
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(
            page.markdown, page=page, config=config, files=files
        )
        page.render(config, files)  # the hook's own, for a page it makes without Markdown
        if mode is Mode.PAGES:  # first: the hook's page_content completes the contents
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=files
            )
        links = page.links_to_anchors
        result = {
            "toc": page.toc,
            "title": page._title_from_render,
            "anchors": page.present_anchor_ids,
            "links": None if links is None else {f.src_uri: v for f, v in links.items()},
        }
        if mode is Mode.MARKDOWN:
            result["content"] = page.content
        return result
    finally:
        config._current_page = None


def _child(config, files, nav, pages: list[Page], mode: Mode, out) -> None:
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import InclusionLevel

    global IN_CHILD
    IN_CHILD = True
    capture = _Capture()
    for name in ("mkdocs", ""):
        logger = logging.getLogger(name)
        logger.handlers = [capture] if name == "mkdocs" else []
    rendered = []
    for page in pages:
        try:
            result = _render(page, config, files, mode)
            rendered.append(page)
        except Exception as error:  # MkDocs' process renders it, and reports what fails
            result = {"error": repr(error)}
        result["log"] = capture.take()
        pickle.dump(("rendered", page.file.src_uri, result), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    # What the dossier search index counted of these pages (in page_content), before any page
    # is written: MkDocs' process counts the pages the child fails to write (_build_here)
    # only when it has not got this.
    from build_scripts import search

    pickle.dump(("handover", "", search.handover()), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    if mode is not Mode.PAGES:
        return
    # The navigation shows its pages' titles and metadata on every page: MkDocs' process
    # reads them when it renders them, so the child does too.
    for item in nav.pages:
        if item.markdown is None:
            _populate_page(item, config, files)
    env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for page in rendered:
        try:
            # Generated files always count as modified, so a --dirty build builds them too.
            _build_page(
                page, config, doc_files, nav, env, excluded=page.file.inclusion.is_excluded()
            )
            result = {"log": capture.take()}
        except Exception as error:  # MkDocs' process builds it, and reports what fails
            capture.take()
            result = {"error": repr(error), "log": []}
        page.content = None  # written: the child holds no more of it than MkDocs would
        pickle.dump(("written", page.file.src_uri, result), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def _relog(result: dict | None) -> None:
    for name, level, message in (result or {}).get("log", []):
        logging.getLogger(name).log(level, message)


class _SkippedByMkDocs(logging.Filter):
    """MkDocs logs "Page skipped ... Generated empty output" for a page whose template gave
    nothing: the child's pages, which the child wrote."""

    def __init__(self, uris: set[str]) -> None:
        super().__init__()
        self.uris = uris

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if not message.startswith("Page skipped: '"):
            return True
        return message[len("Page skipped: '") :].split("'", 1)[0] not in self.uris


class Renderer:
    """The child process, and the pages whose ``render`` and building take its results."""

    def __init__(self, config, files, nav, pages: list[Page], mode: Mode) -> None:
        self.files = files
        self.nav = nav
        self.mode = mode
        self.env = None
        self.rendered: dict[str, dict] = {}
        self.written: dict[str, dict] = {}
        self.handover: dict[str, object] = {}  # "": the child's search counts
        self.finished = False
        self.ended = 0.0  # when the child was done
        self.condition = threading.Condition()
        self.pages = len(pages)
        self.given = {page.file.src_uri for page in pages}
        self.by_child: set[str] = set()  # the pages the child writes, once MkDocs knows it
        self.templates: dict[str, str] = {}  # their own templates, should MkDocs build them
        self.waited = {"rendered": 0.0, "written": 0.0}  # how long MkDocs' process waited
        self.skipped = _SkippedByMkDocs(set())  # the pages the child has written
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: render, send, and leave without running anything else
            code = 0
            try:
                os.close(read)
                with os.fdopen(write, "wb") as out:
                    _child(config, files, nav, pages, mode, out)
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
        logging.getLogger("mkdocs.commands.build").addFilter(self.skipped)

    def _read(self, source) -> None:
        try:
            with source:
                while True:
                    step, uri, result = pickle.load(source)
                    with self.condition:
                        getattr(self, step)[uri] = result
                        self.condition.notify_all()
        except (EOFError, OSError, pickle.UnpicklingError):
            pass  # the child is done, or gone: its remaining pages are built here
        finally:
            with self.condition:
                self.finished = True
                self.ended = time.perf_counter()
                self.condition.notify_all()

    def _take(self, step: str, uri: str) -> dict | None:
        started = time.perf_counter()
        results = getattr(self, step)
        with self.condition:
            self.condition.wait_for(lambda: uri in results or self.finished)
            result = results.pop(uri, None)
        self.waited[step] += time.perf_counter() - started
        _relog(result)
        return None if result is None or "error" in result else result

    def _renderer(self, page: Page):
        def render(config, files) -> None:
            from build_scripts import search

            del page.render  # from now on the page renders as MkDocs' own
            result = self._take("rendered", page.file.src_uri)
            if result is None:
                page.render(config, files)
                return
            page.content = result.get("content", "")
            page.toc = result["toc"]
            page._title_from_render = result["title"]
            page.present_anchor_ids = result["anchors"]
            if result["links"] is not None:
                page.links_to_anchors = {
                    self.files.get_file_from_path(uri): links
                    for uri, links in result["links"].items()
                }
            if self.mode is Mode.PAGES:
                search.elsewhere(page.file.dest_uri)  # counted in the child's page_content
                self.templates[page.file.src_uri] = page.meta.get("template", "main.html")
                page.meta["template"] = WRITTEN_ELSEWHERE
                self.by_child.add(page.file.src_uri)

        return render

    def takes(self, page: Page) -> bool:
        """Whether the page is one of those given to the child (which may still fail on it)."""
        return page.file.src_uri in self.given

    def converts(self, page: Page) -> bool:
        """Whether the child converts the page's Markdown and writes it, sending back no HTML
        (``Mode.PAGES``): MkDocs' process converts it only if the child fails on it."""
        return self.mode is Mode.PAGES and page.file.src_uri in self.given

    def rendered_all(self, env) -> None:
        """``on_env``: every page is rendered; MkDocs builds them next with ``env``."""
        import jinja2

        self.env = env
        if self.mode is Mode.PAGES:
            env.loader = jinja2.ChoiceLoader(
                [jinja2.DictLoader({WRITTEN_ELSEWHERE: ""}), env.loader]
            )

    def post_page(self, output: str, page: Page, config) -> tuple[str, bool]:
        """``on_post_page``: the page's HTML for MkDocs to write, and whether it is written
        already. For a page of the child's, wait until the child has written it; if the child
        could not, build it here."""
        uri = page.file.src_uri
        if uri not in self.by_child:
            return output, False
        self.by_child.discard(uri)
        page.meta["template"] = self.templates.pop(uri)
        if self._take("written", uri) is not None:
            self.skipped.uris.add(uri)
            return "", True
        return self._build_here(page, config), False

    def _build_here(self, page: Page, config) -> str:
        """What ``_build_page`` would have made of the page, had its template been its own."""
        from mkdocs.commands.build import get_context
        from mkdocs.structure.files import InclusionLevel

        from build_scripts import search

        if "" not in self.handover:  # the child's counts never came: count the page here
            search.elsewhere(page.file.dest_uri, counted=False)
        if not page.markdown:  # let go of after rendering (the hook): its file still has it
            template = page.meta["template"]
            page.read_source(config)  # (which reads the metadata again)
            page.meta["template"] = template
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=self.files
            )
        Page.render(page, config, self.files)
        page.content = config.plugins.on_page_content(
            page.content, page=page, config=config, files=self.files
        )
        doc_files = self.files.documentation_pages(inclusion=InclusionLevel.is_included)
        context = get_context(self.nav, doc_files, config, page)
        template = self.env.get_template(page.meta["template"])
        context = config.plugins.on_page_context(context, page=page, config=config, nav=self.nav)
        return template.render(context)

    def close(self):
        """After the pages are built: wait for the child and its reader; what the child
        counted for the search index (``search.handover``), or None."""
        logging.getLogger("mkdocs.commands.build").removeFilter(self.skipped)
        self.reader.join()
        os.waitpid(self.pid, 0)
        what = "built" if self.mode is Mode.PAGES else "rendered"
        log.info(
            "parallel: %d pages %s in a second process (waited for it: %.2f s rendering, "
            "%.2f s writing; it was done %.2f s before this process)",
            self.pages,
            what,
            self.waited["rendered"],
            self.waited["written"],
            time.perf_counter() - self.ended,
        )
        return self.handover.get("")

    def kill(self) -> None:
        logging.getLogger("mkdocs.commands.build").removeFilter(self.skipped)
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
