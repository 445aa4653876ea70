"""The site's search backend: Material's built-in index, or Pagefind behind Material's UI.

mkdocs.yml chooses with ``extra.search_backend``:

- ``pagefind`` (the default): after the build, the Pagefind binary shipped by the
  ``pagefind[extended]`` package indexes the built pages into ``site/pagefind/``: only each
  page's article element, without the permalink signs, the edit button and the BibTeX block.
  A reader's query downloads the few index chunks and page fragments it needs, not the whole
  index. Material's search UI stays as it is (box, results, keyboard, highlighting); its worker
  is replaced by ``docs/assets/javascripts/dossier-search-worker.js``, which speaks Material's
  worker protocol and answers from Pagefind (``overrides/main.html`` points ``__config.search``
  at it). Material's ``search`` plugin stays enabled, because Material renders the search box
  only with it, but its page-by-page indexing is switched off, so its
  ``search/search_index.json`` holds only its ``config`` (which the UI still reads) and no
  documents. Yearly listing pages are not indexed (``DIRECTORY_URLS_GLOB``). Under
  ``mkdocs serve`` Pagefind runs in the background after each build (``Background``).
- ``material``: Material's own lunr index and worker, unchanged. The whole index is
  downloaded before the first result: about 65 MB at 10,000 articles.

``build_scripts/publish.py`` (the MkDocs hook) calls ``on_config`` and ``on_post_build``.
"""

from __future__ import annotations

import atexit
import gzip
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from build_scripts.render import LISTING_CLASS

log = logging.getLogger("mkdocs.hooks.dossier.search")

CONFIG_KEY = "search_backend"
PAGEFIND = "pagefind"
MATERIAL = "material"
BACKENDS = (PAGEFIND, MATERIAL)
DEFAULT_BACKEND = PAGEFIND

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
# The pages, with directory URLs: every page is an index.html (404.html is not a page), but
# not the yearly listings (articles/2020/, actors/<id>/2020/): all-digit folders. They hold
# only titles and bylines of pages that are indexed themselves; at 10,000 articles they are
# a quarter of the pages and would fill the first results of a query with lists.
DIRECTORY_URLS_GLOB = "{index.html,**/*[!0-9]*/index.html}"
PAGEFIND_TIMEOUT_SECONDS = 1800


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
        _background.stop()  # a new build: the previous one's index is out of date
    chosen = backend(config)
    # Templates read the normalised value (overrides/main.html).
    config["extra"][CONFIG_KEY] = chosen
    if chosen != PAGEFIND:
        return config
    plugin = material_search_plugin(config)
    if plugin is None:
        raise _plugin_error(
            "extra.search_backend: pagefind needs Material's search plugin in mkdocs.yml "
            "(plugins: [search]): Material shows the search box only with it"
        )
    pagefind_binary()  # fail before the build, not after it
    # Material's plugin indexes each page in on_page_context; its on_post_build then writes
    # search_index.json with whatever it indexed, so without that handler the file holds its
    # config and no documents. Its on_config (language, separator) and on_post_build stay.
    handlers = config.plugins.events["page_context"]
    handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]
    return config


def pagefind_command(config, binary: Path, output: Path | None = None) -> list[str]:
    """Pagefind's command line: the built site into ``site/pagefind/`` (or ``output``)."""
    site = Path(config["site_dir"]).resolve()
    command = [str(binary), "--site", str(site)]
    if output is None:
        command += ["--output-subdir", OUTPUT_SUBDIR]
    else:
        command += ["--output-path", str(output)]
    command += ["--root-selector", ROOT_SELECTOR]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    if config["use_directory_urls"]:
        command += ["--glob", DIRECTORY_URLS_GLOB]
    return command


def run_pagefind(config) -> dict:
    """Index the built site into ``site/pagefind/``; return pages, words, seconds, version."""
    binary = pagefind_binary()
    site = Path(config["site_dir"]).resolve()
    start = time.perf_counter()
    try:
        result = subprocess.run(
            pagefind_command(config, binary),
            cwd=site,
            capture_output=True,
            text=True,
            timeout=PAGEFIND_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise _plugin_error(f"Pagefind could not index {site}: {error}") from error
    seconds = time.perf_counter() - start
    output = result.stdout + result.stderr
    if result.returncode != 0 or not (site / OUTPUT_SUBDIR / "pagefind-entry.json").is_file():
        raise _plugin_error(_failure(binary, site, result.returncode, output))
    return _stats(output, seconds)


def _failure(binary: Path, site: Path, code: int | None, output: str) -> str:
    tail = "\n".join(output.strip().splitlines()[-20:])
    return f"Pagefind ({binary}) failed to index {site} (exit {code}):\n{tail}"


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
        "search: Pagefind %s indexed %s pages (%s words) in %.2f s%s",
        stats["version"],
        stats["pages"],
        stats["words"],
        stats["seconds"],
        when,
    )


def serving(config) -> bool:
    """Whether this build is one of ``mkdocs serve``'s: MkDocs 1.6 serves from a folder it
    makes with ``tempfile.mkdtemp(prefix="mkdocs_")`` (mkdocs/commands/serve.py)."""
    site = Path(config["site_dir"]).resolve()
    return site.name.startswith("mkdocs_") and site.parent == Path(tempfile.gettempdir()).resolve()


class Background:
    """Under ``mkdocs serve``: Pagefind indexes each build without holding it back.

    MkDocs serves nothing until a build has finished (its livereload server waits), and
    Pagefind takes about 4 s at 1,000 articles and 40 s at 10,000: run after every edit, it
    would hold every page back that long. Here each build starts Pagefind into a folder of its
    own beside the site and returns; when Pagefind is done, its index replaces
    ``site/pagefind/``. A new build stops an unfinished run (``on_config``); it runs below
    MkDocs' priority. Until it is done, searches answer from the previous index
    (``mkdocs serve --dirty`` keeps it) or find nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run = 0
        self._process: subprocess.Popen[str] | None = None
        self._staging: Path | None = None
        atexit.register(self.stop)

    def start(self, config) -> None:
        binary = pagefind_binary()
        site = Path(config["site_dir"]).resolve()
        with self._lock:
            self._stop_process()
            self._run += 1
            staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site.parent))
            output = staging / OUTPUT_SUBDIR
            try:
                process = subprocess.Popen(
                    pagefind_command(config, binary, output),
                    cwd=site,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    # Below MkDocs' priority: the next edit's build comes first.
                    preexec_fn=_lower_priority if os.name == "posix" else None,
                )
            except OSError as error:
                shutil.rmtree(staging, ignore_errors=True)
                raise _plugin_error(f"Pagefind could not index {site}: {error}") from error
            self._process, self._staging = process, staging
            run = self._run
        threading.Thread(
            target=self._finish,
            args=(run, process, binary, site, staging, time.perf_counter()),
            name="pagefind",
            daemon=True,
        ).start()

    def _finish(self, run, process, binary, site: Path, staging: Path, start: float) -> None:
        output = process.communicate()[0] or ""
        seconds = time.perf_counter() - start
        try:
            with self._lock:
                if run != self._run:
                    return  # a newer build's run replaces this one
                if process.returncode != 0 or not (staging / OUTPUT_SUBDIR).is_dir():
                    log.error(_failure(binary, site, process.returncode, output))
                    return
                target = site / OUTPUT_SUBDIR
                if target.exists():
                    os.replace(target, staging / "previous")
                os.replace(staging / OUTPUT_SUBDIR, target)
            _report(_stats(output, seconds), " (in the background: mkdocs serve)")
        except OSError as error:  # the site folder went away or is being rebuilt
            log.warning("search: the Pagefind index of %s was not put in place: %s", site, error)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _stop_process(self) -> None:  # with the lock held
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
        self._process = self._staging = None

    def stop(self) -> None:
        with self._lock:
            self._run += 1
            self._stop_process()


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
    if not worker.endswith(WORKER):
        raise _plugin_error(
            f"the built pages' __config.search is {worker!r}, not {WORKER}: "
            "overrides/main.html no longer replaces Material's search worker "
            "(after a Material upgrade, check its base.html block 'config')"
        )


def on_post_build(config):
    global _background
    if backend(config) != PAGEFIND:
        return
    check_worker(config)
    if serving(config):
        if _background is None:
            _background = Background()
        _background.start(config)
        return
    _report(run_pagefind(config))


def indexed_pages(site: str | Path) -> list[dict]:
    """What Pagefind indexed, page by page: ``url`` (from the site root, with a leading
    "/"), ``title``, ``content`` (text) and ``anchors``, read from ``site/pagefind/fragment/``.
    For tests and inspection; readers' browsers fetch only the fragments of their results."""
    pages = []
    for path in sorted((Path(site) / OUTPUT_SUBDIR / "fragment").glob("*.pf_fragment")):
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

    With Material's backend, its ``search_index.json`` documents. With Pagefind, each indexed
    page split at its headings as Material splits it: the page (title, and the text before
    its first heading below the title), then one document per heading. For tests and
    inspection."""
    root = Path(site)
    if not (root / OUTPUT_SUBDIR / "pagefind-entry.json").is_file():
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
