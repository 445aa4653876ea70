"""Stage 5, publish: hand rendered pages to MkDocs, or write them to a folder.

As an MkDocs hook (``hooks: [build_scripts/publish.py]`` in mkdocs.yml) it runs the pipeline
on every build, adds each page as an in-memory generated file (never written into
``docs/``), gives it an edit link to its source under the dossier folder, and watches that
folder under ``mkdocs serve``. A hand-written page in ``docs/`` at the same path wins over the
generated one. Problems fail the build with every one listed. ``mkdocs build`` keeps no
state between builds: MkDocs imports a hook module once, so everything is recomputed each time.

``mkdocs serve`` (``make serve`` runs it with ``--dirty``) is the one exception: from
``on_startup`` to ``on_shutdown`` an ``incremental.Session`` remembers what it generated,
regenerates only what an edit changes, and hands MkDocs the pages as files in a temporary
folder of its own, rewritten only when their text changes, so that ``--dirty`` rebuilds only
those pages. See build_scripts/incremental.py.

``write_folder`` writes the same pages to a folder: into a fresh temporary folder first, then
swapped into place, so a failure leaves the previous output untouched; files whose content
did not change keep their modification time.

This module is loaded by MkDocs from its file path, so it imports the package absolutely.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import posixpath
import re
import secrets
import shutil
import tempfile
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import nh3

from build_scripts.model import (
    DEFAULT_SITE_URL,
    OWN_HEADING,
    PLAIN_LINK_TEXT,
    Page,
    raw_block_spans,
    spans_of,
)
from build_scripts.pipeline import Outcome, PipelineProcessError, run_apart

if TYPE_CHECKING:
    from build_scripts.incremental import Session

log = logging.getLogger("mkdocs.hooks.dossier")
CONFIG_KEY = "dossier_dir"

# The pipeline runs in on_pre_build, before MkDocs empties the site folder, so a dossier
# with errors leaves the previous site untouched; on_files then takes that build's pages.
# Keyed by the build's config object and removed when taken: nothing outlives one build.
_pending: dict[int, Outcome] = {}

# Under ``mkdocs serve`` only (on_startup to on_shutdown): the generation's memory and the
# folder of generated pages. None for ``mkdocs build``: every build starts from scratch.
_session: Session | None = None

# What generated pages may contain after Markdown: the sanitiser's backstop behind
# validation and escaping. No script, style, iframe, form, image or event attribute.
SAFE_TAGS = frozenset(
    (
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "svg",
        "title",
        "desc",
        "g",
        "line",
        "circle",
        "text",
    )
)
SAFE_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href"},
    "th": {"align"},
    "td": {"align"},
    # The network drawings (build_scripts/network.py); no style, no script, no event.
    "svg": {"viewBox", "role", "aria-labelledby"},
    "line": {"x1", "y1", "x2", "y2", "stroke-width"},
    "circle": {"cx", "cy", "r"},
    "text": {"x", "y"},
}
SAFE_SCHEMES = {"http", "https", "mailto"}


def dossier_dir(config) -> Path:
    """The dossier folder: ``extra.dossier_dir`` (``!ENV DOSSIER_DIR``), relative to mkdocs.yml."""
    configured = config["extra"].get(CONFIG_KEY) or "dossier"
    base = Path(config.config_file_path or ".").absolute().parent
    return (base / str(configured)).resolve()


def on_startup(command, dirty):
    global _session
    on_shutdown()
    if command == "serve":
        from build_scripts.incremental import Session

        _session = Session(dirty=dirty)
        if dirty:
            # MkDocs warns on every --dirty build that navigation and links may be stale; the
            # session rebuilds what each edit changes, so the warning would only be noise (and
            # fail `serve --strict`).
            logging.getLogger("mkdocs.commands.build").addFilter(_dirty_warning)


def on_shutdown():
    global _session
    logging.getLogger("mkdocs.commands.build").removeFilter(_dirty_warning)
    if _session is not None:
        _session.close()
        _session = None


def _dirty_warning(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("A 'dirty' build is being performed")


def on_pre_build(config):
    from mkdocs.exceptions import PluginError

    root = dossier_dir(config)
    arguments = (root, config["site_name"], config["site_url"] or DEFAULT_SITE_URL)
    with _long_lived_objects():
        try:
            if _session is not None:
                outcome = _session.run(*arguments, config["use_directory_urls"])
            else:
                # mkdocs build: in a process of its own, which hands over the pages; this
                # process compiles the theme's templates meanwhile (theme.precompile).
                outcome = run_apart(
                    *arguments,
                    config["use_directory_urls"],
                    meanwhile=functools.partial(_precompile, config),
                )
        except PipelineProcessError as error:
            raise PluginError(str(error)) from error
    for problem in outcome.warnings:
        log.warning(str(problem))
    if outcome.errors:
        listing = "\n".join(str(problem) for problem in outcome.errors)
        raise PluginError(f"the dossier in {root} has {len(outcome.errors)} problem(s):\n{listing}")
    if _session is not None and _session.dirty and _session.site_changed(config):
        from mkdocs.utils import clean_directory

        log.info("dossier: mkdocs.yml or the theme changed; rebuilding every page")
        clean_directory(config["site_dir"])
    _pending[id(config)] = outcome


def _precompile(config) -> None:
    from build_scripts import theme

    try:
        theme.precompile(config)
    except Exception as error:  # only ever saves time: MkDocs compiles what it renders
        log.debug("dossier: templates not compiled ahead: %r", error)


@contextlib.contextmanager
def _long_lived_objects():
    """Python's cycle collector paused while the pipeline builds the dossier's objects, which
    live until the build ends, then those objects set aside (``gc.freeze``) so that the
    collections MkDocs' page rendering triggers do not walk them again and again. Reference
    counting frees them as usual. At 10,000 articles the collector took about 2 s of the
    pipeline's 14 s, and about 3 s more of the rest of the build."""
    gc.unfreeze()  # the previous build's (mkdocs serve), back to the collector
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# What render writes around the contributor's text is mostly raw HTML, already escaped (the
# lists, network drawings, byline, source and reference: model.RAW_BLOCK), and plain headings
# (model.OWN_HEADING). Markdown would only parse the HTML (twice: Python-Markdown's raw HTML
# block and MkDocs' anchor finder each run Python's HTML parser over the whole page) and pass
# it through, and it spends on each heading and block what it spends on a paragraph (its
# toc extension also writes the page's whole table of contents again): most of the Markdown
# work of an actor page, a fifth of an article page's. Before Markdown reads a generated page
# (on_page_markdown), each run of such blocks and headings that only blank lines separate is
# replaced by one paragraph holding a token no text can guess (it is new each run and never
# published); once Markdown is done (on_page_content) the run goes back into the page's HTML,
# before the sanitiser. Each heading gets the id the toc extension would give it (its
# ``slugify`` and ``unique``, after the ids already in the page) and its permalink, and its
# entry in the page's table of contents and anchors: the same HTML and contents, byte for
# byte (tests/unit/test_publish.py). Headings are lifted only with the toc settings this site
# uses (``permalink``, ``_toc_permalink``); with others they are left to Markdown. Only the
# page being converted has its blocks set aside.
_BLOCK_TOKEN = f"dossier-block-{secrets.token_hex(12)}-"
_BLOCK_PLACEHOLDER = re.compile(rf"<p>{_BLOCK_TOKEN}(\d+)</p>")
_LONE_RUN = f"{_BLOCK_TOKEN}0"  # a page's Markdown when all of it is one run
_HEADING_ID = re.compile(r'<h[1-6]\b[^>]*?\sid="([^"]*)"')
# A lifted piece: a raw HTML block, or a heading's level and text.
Piece = str | tuple[int, str]
# The runs, the links' HTML and the headings of the pages being converted, by path.
_blocks: dict[str, tuple[list[list[Piece]], list[str]]] = {}
_headings: dict[str, bytes] = {}  # Page.headings of the generated pages not converted yet
_bodies: dict[str, bytes] = {}  # Page.body of the generated pages not converted yet
_own: set[str] = set()  # the generated pages that are all render's (Page.own), this build


def lift_blocks(
    markdown: str, headings: bytes = b"", text: tuple[int, int] | None = None
) -> tuple[str, list[list[Piece]]]:
    """The page's Markdown with each run of generated HTML blocks and of its ``headings``
    (``Page.headings``) replaced by a placeholder; the runs. A heading span that holds no
    whole plain heading line is left as it is, and so is what looks like a block inside
    ``text``, the span of the contributor's text (``Page.body``): code there may show such
    lines, which Markdown must keep as code."""
    # Blocks before the text, and after it (which starts with the line break after the text).
    around = [(0, len(markdown))] if text is None else [(0, text[0]), (text[1], len(markdown))]
    units: list[tuple[int, int, Piece]] = [
        (at + start, at + end, markdown[at + start : at + end])
        for at, until in around
        for start, end in raw_block_spans(markdown[at:until])
    ]
    for start, end in spans_of(headings, markdown) if headings else ():
        whole_line = start >= 0 and (end == len(markdown) or markdown[end : end + 1] == "\n")
        match = OWN_HEADING.fullmatch(markdown, start, end) if whole_line else None
        if match is not None:
            units.append((start, end, (len(match.group(1)), match.group(2))))
    if headings:
        units.sort(key=lambda unit: unit[0])
    runs: list[list[Piece]] = []
    pieces: list[str] = []
    position = 0
    for start, end, piece in units:
        if start < position:
            continue  # inside the previous one: left to Markdown
        if runs and not markdown[position:start].strip():
            runs[-1].append(piece)
        else:
            pieces += [markdown[position:start], f"\n{_BLOCK_TOKEN}{len(runs)}\n"]
            runs.append([piece])
        position = end
    if not runs:
        return markdown, runs
    pieces.append(markdown[position:])
    return "".join(pieces), runs


def restore_blocks(html: str, runs: list[list[Piece]], page=None, permalink=None) -> str:
    """The page's HTML with its runs back where their placeholders are; with headings, the
    ``page``'s anchors and table of contents have them too (``permalink``: the toc
    extension's setting)."""
    from markdown.extensions.toc import slugify, unique

    if not runs:
        return html
    ids = set(getattr(page, "present_anchor_ids", None) or ())
    made: dict[str, tuple[int, str]] = {}

    def restore(match: re.Match[str]) -> str:
        out = []
        for piece in runs[int(match.group(1))]:
            if isinstance(piece, str):
                # Markdown ends a raw HTML block with a blank line, except at the end of the
                # page (its output is stripped); so does this.
                out += [piece, "\n\n"]
                continue
            level, text = piece
            anchor = unique(slugify(text, "-"), ids)
            made[anchor] = piece
            link = ""
            if permalink:
                sign = "&para;" if permalink is True else escape(str(permalink), quote=False)
                link = f'<a class="headerlink" href="#{anchor}" title="Permanent link">{sign}</a>'
            out += [f'<h{level} id="{anchor}">{text}{link}</h{level}>', "\n"]
        out[-1] = out[-1][:-1]  # Markdown puts a line break after the placeholder's paragraph
        return "".join(out)

    restored = _BLOCK_PLACEHOLDER.sub(restore, html).rstrip("\n")
    if made:
        page.present_anchor_ids = ids
        page.toc = _contents_with(page.toc, restored, made)
    return restored


def _contents_with(toc, html: str, made: dict[str, tuple[int, str]]):
    """The table of contents of the page's headings in ``html``, in their order: those of
    ``toc`` and those ``made``."""
    from html import unescape

    from markdown.extensions.toc import nest_toc_tokens
    from mkdocs.structure.toc import get_toc

    known: dict[str, tuple[int, str]] = {}
    items = list(toc or ())
    while items:
        item = items.pop()
        known[item.id] = (item.level, item.title)
        items += item.children
    known.update(made)
    tokens = []
    for match in _HEADING_ID.finditer(html):
        anchor = unescape(match.group(1))
        if anchor in known:
            level, title = known.pop(anchor)
            tokens.append({"level": level, "id": anchor, "name": title, "children": []})
    return get_toc(nest_toc_tokens(tokens))


def _toc_permalink(config) -> object | None:
    """The toc extension's ``permalink`` where the site's toc settings let publish make the
    headings (``restore_blocks``), else None."""
    settings = (config["mdx_configs"] or {}).get("toc", {})
    if "toc" not in config["markdown_extensions"] or set(settings) - {"permalink"}:
        return None
    return settings.get("permalink", False)


# The links render writes at every mention of an actor in an article's body are a fifth of the
# Markdown work of an article page: Python-Markdown splits the paragraph's text at each one
# and tries its inline patterns on every piece, then MkDocs resolves each link's target.
# Render says where they are (``Page.links``: plain text, in no heading); before Markdown
# reads the page, each becomes a word no text can guess, and once Markdown is done each word
# becomes the link's HTML, made as MkDocs makes it (the target's URL relative to the page): the
# same HTML, byte for byte (tests/unit/test_publish.py).
_LINK_TOKEN = f"dossierlink{secrets.token_hex(8)}n"
_LINK_PLACEHOLDER = re.compile(rf"{_LINK_TOKEN}(\d+)e")
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s<>]+)\)")
_links: dict[str, bytes] = {}  # Page.links of the generated pages not converted yet, by path


def lift_links(markdown: str, links: bytes, page, files) -> tuple[str, list[str]]:
    """The page's Markdown with each of its ``links`` replaced by a token; their HTML. A span
    that holds no Markdown link with plain text to a page of the site is left as it is."""
    anchors: list[str] = []
    pieces: list[str] = []
    position = 0
    folder = posixpath.dirname(page.file.src_uri)
    for start, end in spans_of(links, markdown):
        inside = position <= start and end <= len(markdown)
        match = _MARKDOWN_LINK.fullmatch(markdown, start, end) if inside else None
        if match is None or not PLAIN_LINK_TEXT.fullmatch(match.group(1)):
            continue
        target = files.get_file_from_path(
            posixpath.normpath(posixpath.join(folder, match.group(2)))
        )
        if not target:
            continue
        href = target.url_relative_to(page.file)
        pieces += [markdown[position:start], f"{_LINK_TOKEN}{len(anchors)}e"]
        anchors.append(f'<a href="{escape(href)}">{escape(match.group(1), quote=False)}</a>')
        position = end
    if not anchors:
        return markdown, anchors
    pieces.append(markdown[position:])
    return "".join(pieces), anchors


def restore_links(html: str, anchors: list[str]) -> str:
    """The page's HTML with the links' HTML back where their tokens are."""
    if not anchors:
        return html
    return _LINK_PLACEHOLDER.sub(lambda match: anchors[int(match.group(1))], html)


def on_files(files, config):
    from mkdocs.structure.files import File

    outcome = _pending.pop(id(config))
    log.info(
        "dossier: %d articles, %d actors, %d topics -> %d pages (%s)",
        *outcome.sizes,
        len(outcome.pages),
        ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in outcome.timings.items()),
    )
    _blocks.clear()
    _links.clear()
    _headings.clear()
    _bodies.clear()
    _own.clear()
    root = dossier_dir(config)
    docs_dir = Path(config["docs_dir"]).resolve()
    # Under serve, the pages are files that change only when their text does (see on_startup).
    written = _session.publish(outcome.pages) if _session is not None else {}
    # From here on only the pages are needed, each until it is a file: the dossier, its index
    # and each page's text are freed as soon as they are handed over.
    pages: list[Page | None] = list(outcome.pages)
    del outcome
    generated_files = {}
    in_docs = files.src_uris
    # Edit links point at the dossier file, relative to docs/ like every edit_uri.
    to_root = os.path.relpath(root, docs_dir).replace(os.sep, "/")
    for number, page in enumerate(pages):
        pages[number] = None
        assert page is not None
        if page.path in in_docs:
            log.info("docs/%s is hand-written; using it instead of the generated page", page.path)
            continue
        if written.get(page.path):
            generated = File.generated(config, page.path, abs_src_path=written[page.path])
        elif page.path.endswith(".md"):
            # As UTF-8, as the page held it: MkDocs decodes it when it reads the page.
            generated = File.generated(config, page.path, content=page.data)
        else:
            # A data file (JSON, BibTeX, feed) goes straight into the site folder, which MkDocs
            # has just emptied, instead of staying in memory until MkDocs copies it at the end
            # (125 MB at 10,000 articles). MkDocs copies a file onto itself as nothing.
            target = Path(config["site_dir"]) / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.data)
            generated = File.generated(config, page.path, abs_src_path=str(target))
        if page.links:
            _links[page.path] = page.links
        if page.headings:
            _headings[page.path] = page.headings
        if page.body:
            _bodies[page.path] = page.body
        if page.own:
            _own.add(page.path)
        if page.source:
            generated.edit_uri = page.source if to_root == "." else f"{to_root}/{page.source}"
        files.append(generated)
        generated_files[page.path] = generated
    if _session is not None:
        _session.settle_outputs(files, generated_files)
    from build_scripts import search

    search.plan(files, config)
    return files


_parallel = None  # parallel.Renderer of this mkdocs build, from on_nav to on_post_build


def on_nav(nav, config, files):
    global _parallel
    from build_scripts import theme

    theme.navigation_is(nav)
    if _session is None:  # mkdocs build: serve's rebuilds are incremental already
        from build_scripts import parallel

        _parallel = parallel.start(config, files, nav, stateless=(on_page_context,), own=_own)
    return nav


def on_env(env, config, files):
    from build_scripts import theme

    theme.prepare(env, config)
    if _parallel is not None:
        _parallel.rendered_all(env)
    if _session is not None and _session.dirty:
        from build_scripts.incremental import keep_search_entries

        keep_search_entries(config, files)
    return env


# Made once: nh3.clean would convert these sets for every page.
_CLEANER = nh3.Cleaner(
    tags=SAFE_TAGS,
    attributes=SAFE_ATTRIBUTES,
    url_schemes=SAFE_SCHEMES,
    link_rel=None,
    strip_comments=True,
)


def sanitize(html: str) -> str:
    return _CLEANER.clean(html)


def on_page_markdown(markdown, page, config, files):
    # Read: MkDocs keeps the page's Markdown; the file's copy is no longer needed. A page of
    # the second process's keeps the file's copy (UTF-8) instead, should MkDocs' process have
    # to build it after all (parallel.Renderer._build_here reads it again).
    building = _session is None and page.file.generated_by is not None
    if building and (_parallel is None or not _parallel.takes(page)):
        page.file.content_string = ""
    if page.file.generated_by is None:
        return markdown
    links = _links.pop(page.file.src_uri, b"")
    headings = _headings.pop(page.file.src_uri, b"")
    body = _bodies.pop(page.file.src_uri, b"")
    if _parallel is not None and _parallel.converts(page):
        return markdown  # the second process lifts what it converts; here it is only a spare
    anchors: list[str] = []
    text = spans_of(body, markdown)[0] if body else None  # the contributor's text
    if links:  # first: its spans are counted from the end of the page's Markdown
        before = len(markdown)
        markdown, anchors = lift_links(markdown, links, page, files)
        if text is not None:  # the links are in the text: only its end moves
            text = (text[0], text[1] + len(markdown) - before)
    # Then the headings, which come after the links: their spans still hold.
    if _toc_permalink(config) is None:
        headings = b""
    markdown, runs = lift_blocks(markdown, headings, text)
    if runs or anchors:
        _blocks[page.file.src_uri] = (runs, anchors)
    if len(runs) == 1 and markdown.strip() == _LONE_RUN and "render" not in vars(page):
        page.render = _without_markdown(page)
    return markdown


def _without_markdown(page):
    """The ``render`` of a page whose Markdown, once lifted, is one placeholder and nothing
    else (most pages render makes: every heading and block of theirs is lifted): what
    MkDocs' own would make of it, without Markdown. ``on_page_content`` does the rest."""

    def render(config, files) -> None:
        from mkdocs.structure.toc import get_toc

        del page.render  # once: a later build of the page renders it as usual
        page.content = f"<p>{_LONE_RUN}</p>"
        page.toc = get_toc([])
        page._title_from_render = None
        page.present_anchor_ids = set()
        page.links_to_anchors = {}

    return render


def on_page_content(html, page, config, files):
    from build_scripts import search

    if page.file.generated_by is not None:  # hand-written pages in docs/ are the maintainers'
        runs, anchors = _blocks.pop(page.file.src_uri, ([], []))
        html = restore_blocks(restore_links(html, anchors), runs, page, _toc_permalink(config))
        html = sanitize(html)
    search.on_page_content(html, page, config)
    if _waits_as_utf8(config):
        # Rendered: MkDocs and the templates no longer read it ("", not None: MkDocs takes
        # None for a page not read yet, and gives it no title).
        page.markdown = ""
        return WaitingHTML(html.encode("utf-8"))
    return html


class WaitingHTML(bytes):
    """A page's HTML as UTF-8 while it waits for its templates (``mkdocs build``).

    MkDocs renders every page's Markdown before it puts any page through the templates, so
    it holds the HTML of every page at once: that is the peak of its memory (about 900 MB at
    10,000 articles). A str with one character past Latin-1 (a dash, a curly quote) takes two
    bytes a character, UTF-8 one for most. ``on_page_context`` turns it back into the str the
    templates read, and ``on_post_page`` lets go of it once the page is written. Only where no
    plugin reads ``page.content`` in between: with ``search_backend: material`` Material's
    search plugin does, in its own ``on_page_context``."""

    __slots__ = ()


def _waits_as_utf8(config) -> bool:
    from build_scripts import search

    return _session is None and search.backend(config) in search.OWN_WORKER


def on_page_context(context, page, config, nav):
    if isinstance(page.content, WaitingHTML):
        page.content = page.content.decode("utf-8")
    return context


def on_serve(server, config, builder):
    server.watch(str(dossier_dir(config)))
    if _session is not None and not _session.dirty:
        log.info(
            "dossier: every edit rebuilds every page; `mkdocs serve --dirty` (as `make serve` "
            "runs it) rebuilds only the pages an edit changes"
        )
    return server


def write_folder(pages: tuple[Page, ...] | list[Page], out: str | os.PathLike[str]) -> int:
    """Write pages under ``out`` atomically; return how many files changed."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    changed = 0
    try:
        for page in pages:
            destination = staging / page.path
            destination.parent.mkdir(parents=True, exist_ok=True)
            previous = target / page.path
            data = page.data
            if previous.is_file() and previous.read_bytes() == data:
                shutil.copy2(previous, destination)  # keeps the old modification time
            else:
                destination.write_bytes(data)
                changed += 1
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(old / target.name, target)  # put the previous output back
                shutil.rmtree(old, ignore_errors=True)
                raise
            shutil.rmtree(old)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


# Search: the backend chosen by extra.search_backend (build_scripts/search.py does the work).
def on_config(config):
    from build_scripts import search

    return search.on_config(config)


def on_post_build(config):
    global _parallel
    from build_scripts import search

    handed = None
    if _parallel is not None:
        handed = _parallel.close()
        _parallel = None
    _blocks.clear()
    _links.clear()
    _headings.clear()
    _bodies.clear()
    _own.clear()
    search.on_post_build(config, handed)


def on_post_page(output, page, config):
    from build_scripts import parallel, search

    if parallel.IN_CHILD:  # the second process writes pages; MkDocs' process indexes them
        return output
    written = False
    if _parallel is not None:
        output, written = _parallel.post_page(output, page, config)
    search.on_post_page(output, page, config, written=written)
    if _waits_as_utf8(config):
        page.content = None  # written (after this call): no other page reads it
    return output


def on_build_error(error):
    global _parallel
    from build_scripts import search

    if _parallel is not None:
        _parallel.kill()
        _parallel = None
    _blocks.clear()
    _links.clear()
    _headings.clear()
    _bodies.clear()
    search.on_build_error()
