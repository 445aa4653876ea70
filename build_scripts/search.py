"""The site's search backend: the dossier's own index or Pagefind behind Material's UI, or
Material's built-in index.

mkdocs.yml chooses with ``extra.search_backend``:

- ``dossier`` (the default): the index the build writes itself (``build_scripts/textindex.py``)
  from each page's HTML as MkDocs hands it to the hook, in whichever process makes the page
  (``OwnIndex``), into ``site/dossier-search/``: a manifest, term shards and one fragment a
  page. It indexes what the Pagefind backend indexes (the page's content without permalink
  signs, BibTeX block and generated lists; not the yearly listings) and its fragments have
  Pagefind's shape, so the same worker shows either. At 10,000 articles it costs a few
  seconds of CPU where Pagefind takes about 30, and no process of its own.
- ``pagefind``: the Pagefind binary shipped by the ``pagefind[extended]``
  package indexes the built pages into ``site/pagefind/``: only each page's article element,
  without the permalink signs, the edit button, the BibTeX block and the lists of other pages.
  A reader's query downloads the few index chunks and page fragments it needs, not the whole
  index. The index is built in shards of ``extra.search_shard_pages`` pages (``auto``: five
  shards of 400 to 2,500 pages; the variable ``DOSSIER_SEARCH_SHARD_PAGES`` overrides it),
  ``site/pagefind/0/``, ``1/``, ...,
  listed in ``site/pagefind/shards.json`` (``ShardedIndex``). Pagefind holds a page's words in
  memory until it writes its index, about half a megabyte a page: one index of 10,000 pages
  took 5 GB, a shard takes what its pages take whatever the size of the dossier. During
  ``mkdocs build`` each shard is indexed as soon as MkDocs has written its pages, on the
  second core while MkDocs renders the next ones. In the browser the first shard's
  ``pagefind.js`` loads the others with ``mergeIndex`` and ranks their results together; they
  share its WebAssembly, so a shard adds its small entry and metadata files and the chunks a
  query needs.
  Material's search UI stays as it is (box, results, keyboard, highlighting); its worker
  is replaced by ``docs/assets/javascripts/dossier-search-worker.js``, which speaks Material's
  worker protocol and answers from Pagefind, or from the dossier index when its address
  names one (``?index=dossier-search/``; ``overrides/main.html`` points ``__config.search``
  at it; both backends). With both, Material's ``search`` plugin stays enabled, because
  Material renders the search box only with it, but its page-by-page indexing is switched
  off, so its ``search/search_index.json`` holds only its ``config`` (which the UI still
  reads) and no documents. Yearly listing pages are not indexed (``indexed_page``). Under
  ``mkdocs serve`` the whole index is built in the background after each build
  (``Background``; ``OwnIndex`` for the dossier index).
- ``material``: Material's own lunr index and worker, unchanged. The whole index is
  downloaded before the first result: about 65 MB at 10,000 articles.

``build_scripts/publish.py`` (the MkDocs hook) calls ``on_config``, ``plan`` (in
``on_files``), ``on_page_content``, ``on_post_page``, ``on_build_error`` and
``on_post_build``.
"""

from __future__ import annotations

import atexit
import functools
import gzip
import json
import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from build_scripts import textindex
from build_scripts.model import LISTING_CLASS

log = logging.getLogger("mkdocs.hooks.dossier.search")

CONFIG_KEY = "search_backend"
DOSSIER = "dossier"
PAGEFIND = "pagefind"
MATERIAL = "material"
BACKENDS = (DOSSIER, PAGEFIND, MATERIAL)
DEFAULT_BACKEND = DOSSIER
# The backends that answer Material's search box with the site's own worker (WORKER).
OWN_WORKER = (DOSSIER, PAGEFIND)

# Material's search plugin, under the names MkDocs registers it by.
MATERIAL_SEARCH_PLUGINS = ("material/search", "search")
# The worker Material's UI talks to with the pagefind backend: docs/ copies it into the site.
WORKER = "assets/javascripts/dossier-search-worker.js"
OUTPUT_SUBDIR = "pagefind"
# What Pagefind indexes: the page's content, as Material lays it out (partials/content.html).
ROOT_SELECTOR = "article.md-content__inner"
# Inside it, what is not the page's text: the headings' permalink sign, Material's edit
# button, the BibTeX entry under "Cite this" (its words would match every query), and the
# generated lists of other pages (render.LISTING_CLASS: listings, related reading, an
# article's actors and topics), whose titles and quoted sentences are indexed on the pages
# they list. Without them an actor's page is found by its name, aliases and description, and
# a sentence by the article it is in; Pagefind indexes about a third fewer words.
EXCLUDE_SELECTORS = (
    ".headerlink",
    ".md-content__button",
    "code.language-bibtex",
    f".{LISTING_CLASS}",
)
PAGEFIND_TIMEOUT_SECONDS = 1800
MANIFEST = "shards.json"  # in site/pagefind/: {"shards": ["0/", "1/", ...]}
SHARD_PAGES_KEY = "search_shard_pages"
SHARD_PAGES_VARIABLE = "DOSSIER_SEARCH_SHARD_PAGES"
AUTO = "auto"
# auto: five shards of 400 to 2,500 pages. Pagefind held about 0.5 GB for 1,000 article
# pages and 1.2 GB for 2,500; each shard adds about 0.1 MB to a 4-word query at 10,000
# articles (1.25 MB with 11 shards of 1,000 pages, 0.79 MB with 5 of 2,500).
AUTO_SHARDS = 5
AUTO_MIN_SHARD_PAGES = 400
AUTO_MAX_SHARD_PAGES = 2500
_planned_pages: int | None = None  # indexed pages of the build under way (plan)
# What a shard after the first keeps: the first shard's pagefind.js and WebAssembly serve all.
SHARD_FILES = ("pagefind-entry.json", "index", "fragment", "filter")


def indexed_page(dest_uri: str) -> bool:
    """Whether Pagefind indexes the built file at ``dest_uri`` ("actors/iran/index.html").

    Every page but 404.html and the yearly listings (articles/2020/, actors/<id>/2020/, or
    ``2020.html`` without directory URLs): they hold only titles and bylines of pages that are
    indexed themselves; at 10,000 articles they are a quarter of the pages and would fill the
    first results of a query with lists.
    """
    if not dest_uri.endswith(".html") or dest_uri == "404.html":
        return False
    stem = dest_uri[: -len(".html")]
    if stem == "index":
        return True
    stem = stem.removesuffix("/index")
    return not stem.rsplit("/", 1)[-1].isdigit()


def _plugin_error(message: str) -> Exception:
    from mkdocs.exceptions import PluginError

    return PluginError(message)


def backend(config) -> str:
    """The configured backend: ``extra.search_backend``, ``pagefind`` when unset."""
    value = config["extra"].get(CONFIG_KEY)
    if value is None or value == "":
        return DEFAULT_BACKEND
    chosen = str(value).strip().lower()
    if chosen not in BACKENDS:
        raise _plugin_error(
            f"extra.{CONFIG_KEY} in mkdocs.yml is {value!r}; expected one of: {', '.join(BACKENDS)}"
        )
    return chosen


def material_search_plugin(config):
    """Material's search plugin instance, or None when mkdocs.yml does not enable it."""
    for name in MATERIAL_SEARCH_PLUGINS:
        plugin = config.plugins.get(name)
        if plugin is not None:
            return plugin
    return None


def pagefind_binary() -> Path:
    """The Pagefind binary, found by the installed ``pagefind`` package: the
    ``PAGEFIND_BINARY_PATH`` variable, else the binary of ``pagefind-bin-extended`` (which
    ``pagefind[extended]`` installs), else ``pagefind-bin``'s, else one on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError as error:
        raise _plugin_error(
            "extra.search_backend is 'pagefind' but the pagefind package is not installed "
            "(pip install 'pagefind[extended]'), or set extra.search_backend: material"
        ) from error
    binary = get_executable()
    if binary is None or not Path(binary).is_file():
        raise _plugin_error(
            "the pagefind package found no Pagefind binary: install 'pagefind[extended]'"
        )
    return Path(binary)


def on_config(config):
    if _background is not None:
        # A new build: the previous one's index is out of date. Its thread cleans up: the
        # build does not wait for thousands of links to be removed.
        _background.stop(wait=False)
    chosen = backend(config)
    # Templates read the normalised value (overrides/main.html).
    config["extra"][CONFIG_KEY] = chosen
    shard_pages(config)  # a mistyped setting is reported whichever backend is chosen
    if chosen not in OWN_WORKER:
        return config
    plugin = material_search_plugin(config)
    if plugin is None:
        raise _plugin_error(
            f"extra.search_backend: {chosen} needs Material's search plugin in mkdocs.yml "
            "(plugins: [search]): Material shows the search box only with it"
        )
    if chosen == PAGEFIND:
        pagefind_binary()  # fail before the build, not after it
    # Material's plugin indexes each page in on_page_context; its on_post_build then writes
    # search_index.json with whatever it indexed, so without that handler the file holds its
    # config and no documents. Its on_config (language, separator) and on_post_build stay.
    handlers = config.plugins.events["page_context"]
    handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]
    return config


def shard_pages(config, pages: int | None = None) -> int:
    """Pages per shard: ``DOSSIER_SEARCH_SHARD_PAGES``, else ``extra.search_shard_pages``;
    ``auto`` (or unset) sizes them for ``pages`` indexed pages (``auto_shard_pages``)."""
    value = os.environ.get(SHARD_PAGES_VARIABLE) or (config.get("extra") or {}).get(SHARD_PAGES_KEY)
    if value is None or str(value).strip().lower() in ("", AUTO):
        return auto_shard_pages(_planned_pages if pages is None else pages)
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size < 1:
        raise _plugin_error(
            f"extra.{SHARD_PAGES_KEY} (or {SHARD_PAGES_VARIABLE}) is {value!r}; "
            f"expected {AUTO} or a whole number of pages, 1 or more"
        )
    return size


def auto_shard_pages(pages: int | None) -> int:
    """``AUTO_SHARDS`` shards of ``AUTO_MIN_SHARD_PAGES`` to ``AUTO_MAX_SHARD_PAGES`` pages
    each: more shards only once each holds the most, fewer once each would hold the least.
    A shard's pages cap the indexer's memory; the number of shards, what a reader's first
    query downloads."""
    if not pages:
        return AUTO_MAX_SHARD_PAGES
    return max(AUTO_MIN_SHARD_PAGES, min(AUTO_MAX_SHARD_PAGES, -(-pages // AUTO_SHARDS)))


def plan(files, config) -> None:
    """``on_files``: the pages this build indexes (how many, for Pagefind's ``auto`` shards;
    which, in MkDocs' order, for the dossier index)."""
    global _planned_pages
    indexed = [f for f in files.documentation_pages() if indexed_page(f.dest_uri)]
    _planned_pages = len(indexed)
    if backend(config) == DOSSIER:
        _own.plan(config, [f.dest_uri for f in indexed], {f.dest_uri: f.url for f in indexed})


def pagefind_command(binary: Path, source: Path, output: Path) -> list[str]:
    """Pagefind's command line: every HTML file under ``source`` into ``output``."""
    command = [str(binary), "--site", str(source), "--output-path", str(output)]
    command += ["--root-selector", ROOT_SELECTOR, "--glob", "**/*.html"]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    return command


def _indexers() -> int:
    """How many shards are indexed at once: one a core, up to four."""
    return max(1, min(4, os.cpu_count() or 1))


def _indexer_environment() -> dict[str, str]:
    """Pagefind's environment: with shards indexed side by side, each Pagefind on one thread
    (``RAYON_NUM_THREADS``). A 2,150-page shard took 6.4 s of CPU on one thread and 7.5 s on
    two; two shards side by side keep both cores busy for less."""
    environment = dict(os.environ)
    if _indexers() > 1:
        environment["RAYON_NUM_THREADS"] = "1"
    return environment


class ShardedIndex:
    """Pagefind's index of one build of the site, shard by shard, on threads of its own.

    ``add`` each page as MkDocs writes it; a shard is indexed as soon as its pages are all on
    disk, up to one shard a core at a time (``_indexers``): its pages are hard-linked (copied
    where links fail) into a folder of their own beside the site, at their paths in the site
    so that their URLs stay the same, and the Pagefind binary indexes that folder. ``finish``
    waits for the last shard and puts the shards and ``shards.json`` in place as
    ``site/pagefind/``, or raises what went wrong, leaving no index and no staging folder
    behind; ``cancel`` stops and cleans up.
    """

    def __init__(self, config, size: int, background: bool = False) -> None:
        self.binary = pagefind_binary()
        self.site = Path(config["site_dir"]).resolve()
        self.size = size
        self.background = background  # below MkDocs' priority (mkdocs serve)
        self.staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=self.site.parent))
        self.shards = 0
        self.stats: list[dict] = []
        self.started = time.perf_counter()
        self._pending: list[str] = []
        self._seen: set[str] = set()
        self._unwritten: str | None = None
        self._queue: queue.Queue[tuple[int, list[str]] | None] = queue.Queue()
        self._error: Exception | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[str]] = set()
        self._threads = [
            threading.Thread(target=self._work, name="pagefind", daemon=True)
            for _ in range(_indexers())
        ]
        for thread in self._threads:
            thread.start()

    def add(self, dest_uri: str, written: bool = True) -> None:
        """A page to index, by its path in the site; ``written=False`` when MkDocs writes it
        after this call (``on_post_page``): it is indexed once the next page comes, or at
        ``finish``."""
        self._seen.add(dest_uri)
        if self._unwritten is not None:
            self._take(self._unwritten)
            self._unwritten = None
        if written:
            self._take(dest_uri)
        else:
            self._unwritten = dest_uri

    def add_the_rest(self) -> None:
        """Every page in the site folder not added yet, in path order: all of them under
        ``mkdocs serve``, and under ``mkdocs build --dirty`` the pages it did not rebuild."""
        for path in sorted(self.site.rglob("*.html")):
            uri = path.relative_to(self.site).as_posix()
            searchable = indexed_page(uri) and not uri.startswith(f"{OUTPUT_SUBDIR}/")
            if searchable and uri not in self._seen:
                self.add(uri)

    def _take(self, dest_uri: str) -> None:
        self._pending.append(dest_uri)
        if len(self._pending) >= self.size:
            self._submit()

    def _submit(self) -> None:
        self._queue.put((self.shards, self._pending))
        self.shards += 1
        self._pending = []

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._cancelled.is_set() or self._error is not None:
                continue
            try:
                self._index(*job)
            except Exception as error:  # reported by finish()
                self._error = error

    def _index(self, number: int, pages: list[str]) -> None:
        source = self.staging / f"pages-{number}"
        for uri in pages:
            if self._cancelled.is_set():
                return
            target = source / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.site / uri, target)
            except OSError:
                shutil.copyfile(self.site / uri, target)
        start = time.perf_counter()
        with self._lock:
            if self._cancelled.is_set():
                return
            process = subprocess.Popen(
                pagefind_command(self.binary, source, self.staging / "out" / str(number)),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                preexec_fn=_lower_priority if self.background and os.name == "posix" else None,
                env=_indexer_environment(),
            )
            self._processes.add(process)
        try:
            output = process.communicate(timeout=PAGEFIND_TIMEOUT_SECONDS)[0] or ""
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0] or ""
        if self._cancelled.is_set():
            return
        entry = self.staging / "out" / str(number) / "pagefind-entry.json"
        if process.returncode != 0 or not entry.is_file():
            raise _plugin_error(_failure(self.binary, source, process.returncode, output))
        self.stats.append(_stats(output, time.perf_counter() - start))
        shutil.rmtree(source, ignore_errors=True)

    def finish(self) -> dict:
        """Index what is left, wait, and put the index in place; its statistics."""
        if self._unwritten is not None:
            self._take(self._unwritten)
            self._unwritten = None
        if self._pending or self.shards == 0:
            self._submit()  # an empty site still gets an (empty) index
        waited = time.perf_counter()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        waited = time.perf_counter() - waited
        try:
            if self._cancelled.is_set():
                raise _plugin_error("the Pagefind index was cancelled")
            if self._error is not None:
                raise self._error
            self._assemble()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
        stats = _combined(self.stats, time.perf_counter() - self.started)
        stats["shards"], stats["waited"] = self.shards, waited
        return stats

    def _assemble(self) -> None:
        out = self.staging / "out"
        for number in range(1, self.shards):
            for path in (out / str(number)).iterdir():
                if path.name not in SHARD_FILES and path.suffix != ".pf_meta":
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        shards = [f"{number}/" for number in range(self.shards)]
        (out / MANIFEST).write_text(json.dumps({"shards": shards}) + "\n", encoding="utf-8")
        target = self.site / OUTPUT_SUBDIR
        if target.exists():
            os.replace(target, self.staging / "previous")
        os.replace(out, target)

    def cancel(self, wait: bool = True) -> None:
        """Stop indexing. With ``wait``, also wait for the thread and remove the staging
        folder; without, whoever calls ``finish`` (which then raises) removes it."""
        self._cancelled.set()
        with self._lock:
            for process in self._processes:
                if process.poll() is None:
                    process.kill()
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join(timeout=30)
            shutil.rmtree(self.staging, ignore_errors=True)


def _failure(binary: Path, site: Path, code: int | None, output: str) -> str:
    tail = "\n".join(output.strip().splitlines()[-20:])
    return f"Pagefind ({binary}) failed to index {site} (exit {code}):\n{tail}"


def _combined(stats: list[dict], seconds: float) -> dict:
    """The shards' statistics as one: pages summed; words of the largest shard."""
    return {
        "pages": sum(s["pages"] or 0 for s in stats),
        "words": max((s["words"] or 0 for s in stats), default=0),
        "seconds": seconds,
        "version": stats[0]["version"] if stats else "?",
    }


def _stats(output: str, seconds: float) -> dict:
    pages = re.search(r"Indexed (\d+) pages?", output)
    words = re.search(r"Indexed (\d+) words?", output)
    version = re.search(r"Running Pagefind v(\S+)", output)
    return {
        "pages": int(pages.group(1)) if pages else None,
        "words": int(words.group(1)) if words else None,
        "seconds": seconds,
        "version": version.group(1) if version else "?",
    }


def _report(stats: dict, when: str = "") -> None:
    log.info(
        "search: Pagefind %s indexed %s pages in %s shard(s) (at most %s words a shard) in "
        "%.2f s, %.2f s of it after the last page was written%s",
        stats["version"],
        stats["pages"],
        stats["shards"],
        stats["words"],
        stats["seconds"],
        stats["waited"],
        when,
    )


def serving(config) -> bool:
    """Whether this build is one of ``mkdocs serve``'s: MkDocs 1.6 serves from a folder it
    makes with ``tempfile.mkdtemp(prefix="mkdocs_")`` (mkdocs/commands/serve.py)."""
    return _serves_from(str(config["site_dir"]))


@functools.lru_cache(maxsize=8)
def _serves_from(site_dir: str) -> bool:  # asked once a page: resolved once a folder
    site = Path(site_dir).resolve()
    return site.name.startswith("mkdocs_") and site.parent == Path(tempfile.gettempdir()).resolve()


class Background:
    """Under ``mkdocs serve``: Pagefind indexes each build without holding it back.

    MkDocs serves nothing until a build has finished (its livereload server waits), and
    Pagefind takes about 3 s at 1,000 articles and 30 s at 10,000: run after every edit, it
    would hold every page back that long. Here each build starts a ``ShardedIndex`` of the
    whole site, below MkDocs' priority, and returns; when it is done, its index replaces
    ``site/pagefind/``. A new build cancels an unfinished one (``on_config``). Until it is
    done, searches answer from the previous index (``mkdocs serve --dirty`` keeps it) or find
    nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: ShardedIndex | None = None
        atexit.register(self.stop)

    def start(self, config) -> None:
        with self._lock:
            self._stop_current(wait=False)
            index = ShardedIndex(config, shard_pages(config), background=True)
            self._current = index
        threading.Thread(target=self._finish, args=(index,), name="pagefind", daemon=True).start()

    def _finish(self, index: ShardedIndex) -> None:
        try:
            index.add_the_rest()  # here, not in the build: the site is read off its thread
            stats = index.finish()
        except Exception as error:
            with self._lock:
                if self._current is index:
                    log.error("search: %s", error)
            return
        _report(stats, " (in the background: mkdocs serve)")

    def _stop_current(self, wait: bool = True) -> None:  # with the lock held
        if self._current is not None:
            self._current.cancel(wait)
        self._current = None

    def stop(self, wait: bool = True) -> None:
        with self._lock:
            self._stop_current(wait)


_background: Background | None = None


def _lower_priority() -> None:
    os.nice(10)


_CONFIG_SCRIPT = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)


def check_worker(config) -> None:
    """The built pages point Material's UI at the Pagefind worker (overrides/main.html)."""
    page = Path(config["site_dir"]) / "index.html"
    if not page.is_file():
        return
    match = _CONFIG_SCRIPT.search(page.read_text(encoding="utf-8"))
    worker = json.loads(match.group(1)).get("search", "") if match else ""
    address, _, query = worker.partition("?")
    wanted = f"index={textindex.FOLDER}/" if backend(config) == DOSSIER else ""
    if not address.endswith(WORKER) or query != wanted:
        raise _plugin_error(
            f"the built pages' __config.search is {worker!r}, not {WORKER}"
            f"{'?' + wanted if wanted else ''}: "
            "overrides/main.html no longer replaces Material's search worker "
            "(after a Material upgrade, check its base.html block 'config')"
        )


class OwnIndex:
    """The dossier index (``textindex``) of each build.

    ``mkdocs build``: each page's document is counted as its HTML is made (``add``, in
    whichever process makes it: parallel.py's second process hands its counts over at the end,
    ``finish``) and its fragment written into a staging folder beside the site, which becomes
    ``site/dossier-search/`` once the index is written. ``mkdocs serve``: rebuilds render only
    the pages an edit changes, so every page's document is kept between builds, and after
    each build the whole index is written again on a thread of its own and put in place.
    """

    def __init__(self) -> None:
        self.collector: textindex.Collector | None = None
        self.staging: Path | None = None
        self.kept: dict[str, tuple[dict, float]] = {}  # mkdocs serve: every page's document
        self.urls: dict[str, str] = {}  # this build's pages' URLs, by path in the site
        self.serving = False
        self._lock = threading.Lock()  # one index written at a time (mkdocs serve)
        self._latest = 0  # the newest serve build: an older one's index is not put in place

    def plan(self, config, indexed: list[str], urls: dict[str, str] | None = None) -> None:
        """The pages this build indexes (paths in the site, in MkDocs' order) and their URLs."""
        self.cancel()
        numbers = {uri: number for number, uri in enumerate(indexed)}
        self.urls = urls or {}
        self.serving = serving(config)
        if self.serving:
            for uri in [uri for uri in self.kept if uri not in numbers]:
                del self.kept[uri]  # pages no longer in the site
            self.collector = textindex.Collector(numbers, None, kept=self.kept)
            return
        site = Path(config["site_dir"]).resolve()
        site.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".dossier-search-", dir=site.parent))
        self.collector = textindex.Collector(numbers, self.staging)

    def add(self, page, html: str) -> None:
        """``on_page_content``: the page's document, from its HTML."""
        collector = self.collector
        uri = page.file.dest_uri
        if collector is None or uri not in collector.numbers or uri in collector.elsewhere:
            return
        url = "/" + page.url.lstrip("/")
        document = textindex.page_document(html, url, page.title or "")
        boost = (page.meta.get("search") or {}).get("boost", 1) if page.meta else 1
        collector.add(uri, document, float(boost))

    def elsewhere(self, dest_uri: str, counted: bool = True) -> None:
        """A page the other process counts (``counted``), or, after all, this one."""
        if self.collector is not None:
            if counted:
                self.collector.elsewhere.add(dest_uri)
            else:
                self.collector.elsewhere.discard(dest_uri)

    def handover(self):
        """In parallel.py's second process: its counts, for MkDocs' process (``finish``)."""
        return None if self.collector is None else self.collector.postings.handover()

    def finish(self, config, handed=None) -> None:
        collector, self.collector = self.collector, None
        if collector is None:  # a build without pages
            self.plan(config, [])
            collector, self.collector = self.collector, None
        if handed:
            collector.postings.merge(handed)
        target = Path(config["site_dir"]).resolve() / textindex.FOLDER
        if not self.serving:
            staging, self.staging = self.staging, None
            started = time.perf_counter()
            try:
                self._keep_unbuilt(collector, target)
                stats = collector.write(staging)
                textindex.replace_folder(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            _report_own(stats, time.perf_counter() - started)
            return
        self._latest += 1
        collector.kept = dict(collector.kept)  # as this build leaves them
        threading.Thread(
            target=self._write_in_background,
            args=(collector, target, self._latest),
            name="dossier-search",
            daemon=True,
        ).start()

    def _keep_unbuilt(self, collector, target: Path) -> None:
        """``mkdocs build --dirty`` does not render the hand-written pages that did not change:
        their documents come from the index in place (by URL; at weight 1, which is what a
        hand-written page has). A page found nowhere is left out."""
        counted = collector.postings.lengths
        missing = {u: n for u, n in collector.numbers.items() if n not in counted}
        if not missing or not (target / textindex.FRAGMENTS).is_dir():
            return
        previous = {f["url"]: f for f in textindex.fragments(target.parent).values()}
        for uri in missing:
            document = previous.get("/" + self.urls.get(uri, "").lstrip("/"))
            if document is not None:
                collector.elsewhere.discard(uri)
                collector.add(uri, document)

    def _write_in_background(self, collector, target: Path, build: int) -> None:
        with self._lock:
            if build != self._latest:
                return  # a newer build writes its own
            started = time.perf_counter()
            staging = Path(tempfile.mkdtemp(prefix=".dossier-search-", dir=target.parent.parent))
            try:
                stats = collector.write(staging)
                if build == self._latest:
                    textindex.replace_folder(staging, target)
            except Exception as error:  # the next build tries again
                log.error("search: the dossier index was not written: %s", error)
                return
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        _report_own(stats, time.perf_counter() - started, " (mkdocs serve)")

    def cancel(self) -> None:
        self.collector = None
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _report_own(stats: dict, seconds: float, when: str = "") -> None:
    log.info(
        "search: dossier index of %d pages, %d words in %d shards, written in %.2f s%s",
        stats["documents"],
        stats["terms"],
        stats["shards"],
        seconds,
        when,
    )


_own = OwnIndex()


def elsewhere(dest_uri: str, counted: bool = True) -> None:
    """parallel.py: a page the second process counts for the dossier index, or not after all."""
    _own.elsewhere(dest_uri, counted)


def handover():
    """parallel.py's second process: what it counted for the dossier index."""
    return _own.handover()


def on_page_content(html: str, page, config) -> None:
    """Every page's HTML, as MkDocs hands it to the hook: the dossier index counts it."""
    if backend(config) == DOSSIER:
        _own.add(page, html)


_building: ShardedIndex | None = None


def on_post_page(output: str, page, config, written: bool = False) -> None:
    """``mkdocs build``: hand each page to the sharded index as MkDocs writes it (after this
    call), or as it is (``written``: the second process wrote it, see parallel.py)."""
    global _building
    if backend(config) != PAGEFIND or serving(config):
        return
    if _building is None:
        _building = ShardedIndex(config, shard_pages(config))
    if indexed_page(page.file.dest_uri):
        _building.add(page.file.dest_uri, written=written)


def on_build_error() -> None:
    global _building
    _own.cancel()
    if _building is not None:
        _building.cancel()
        _building = None


def on_post_build(config, handed=None):
    """After the build: the index, of the chosen backend; ``handed``: what the second process
    of parallel.py counted (the dossier index)."""
    global _background, _building
    chosen = backend(config)
    if chosen in OWN_WORKER:
        check_worker(config)
    if chosen == DOSSIER:
        _own.finish(config, handed)
        return
    if chosen != PAGEFIND:
        return
    if serving(config):
        if _background is None:
            _background = Background()
        _background.start(config)
        return
    building, _building = _building, None
    if building is None:  # a site without pages
        building = ShardedIndex(config, shard_pages(config))
    building.add_the_rest()
    _report(building.finish())


def indexed_pages(site: str | Path) -> list[dict]:
    """What the dossier index or Pagefind indexed, page by page: ``url`` (from the site root,
    with a leading "/"), ``title``, ``content`` (text) and ``anchors``, read from the
    fragments (``site/dossier-search/f/``, ``site/pagefind/*/fragment/``). For tests and
    inspection; readers' browsers fetch only the fragments of their results."""
    if (Path(site) / textindex.FOLDER / textindex.MANIFEST).is_file():
        return sorted(
            (
                {
                    "url": fragment["url"],
                    "title": fragment["meta"]["title"],
                    "content": fragment["content"],
                    "anchors": fragment["anchors"],
                }
                for fragment in textindex.fragments(site).values()
            ),
            key=lambda page: page["url"],
        )
    pages = []
    for path in sorted((Path(site) / OUTPUT_SUBDIR).glob("*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        fragment = json.loads(data)
        pages.append(
            {
                "url": fragment["url"],
                "title": fragment.get("meta", {}).get("title", ""),
                "content": fragment.get("content", ""),
                "anchors": fragment.get("anchors", []),
            }
        )
    return sorted(pages, key=lambda page: page["url"])


_HEADING = re.compile(r"h[1-6]", re.I)
_SPACE = re.compile(r"[\r\n\s]+")


def documents(site: str | Path) -> list[dict]:
    """The built site's search documents in the shape of Material's index, whichever backend
    built it: ``location`` (from the site root, "#id" for a section), ``title``, ``text``.

    With Material's backend, its ``search_index.json`` documents. With the dossier index or
    Pagefind, each indexed page split at its headings as Material splits it: the page (title,
    and the text before its first heading below the title), then one document per heading.
    For tests and inspection."""
    root = Path(site)
    own = (root / textindex.FOLDER / textindex.MANIFEST).is_file()
    if not own and not (root / OUTPUT_SUBDIR / MANIFEST).is_file():
        index = root / "search" / "search_index.json"
        return json.loads(index.read_text(encoding="utf-8"))["docs"]
    docs = []
    for page in indexed_pages(root):
        words = _SPACE.split(page["content"])
        location = page["url"].lstrip("/")
        headings = sorted(
            (a for a in page["anchors"] if _HEADING.fullmatch(a["element"]) and a.get("id")),
            key=lambda anchor: anchor["location"],
        )
        title = headings.pop(0) if headings and headings[0]["element"].lower() == "h1" else None
        parts = [(location, page["title"], title, headings[0]["location"] if headings else None)]
        for number, heading in enumerate(headings):
            end = headings[number + 1]["location"] if number + 1 < len(headings) else None
            parts.append((f"{location}#{heading['id']}", heading["text"], heading, end))
        for where, name, heading, end in parts:
            start = heading["location"] + len(heading["text"].split()) if heading else 0
            text = " ".join(words[start:end]).strip()
            docs.append({"location": where, "title": name, "text": text})
    return docs
