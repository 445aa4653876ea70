"""Stage 5, publish: hand rendered pages to MkDocs, or write them to a folder.

As an MkDocs hook (``hooks: [build_scripts/publish.py]`` in mkdocs.yml) it runs the pipeline
on every build, adds each page as an in-memory generated file (never written into
``docs/``), gives it an edit link to its source under the dossier folder, and watches that
folder under ``mkdocs serve``. A hand-written page in ``docs/`` at the same path wins over the
generated one. Problems fail the build with every one listed. It keeps no state between
builds: MkDocs imports a hook module once, so everything is recomputed each time.

``write_folder`` writes the same pages to a folder: into a fresh temporary folder first, then
swapped into place, so a failure leaves the previous output untouched; files whose content
did not change keep their modification time.

This module is loaded by MkDocs from its file path, so it imports the package absolutely.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import nh3

from build_scripts.pipeline import Outcome, run
from build_scripts.render import DEFAULT_SITE_URL, Page

log = logging.getLogger("mkdocs.hooks.dossier")
CONFIG_KEY = "dossier_dir"

# The pipeline runs in on_pre_build, before MkDocs empties the site folder, so a dossier
# with errors leaves the previous site untouched; on_files then takes that build's pages.
# Keyed by the build's config object and removed when taken: nothing outlives one build.
_pending: dict[int, Outcome] = {}

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


def on_pre_build(config):
    from mkdocs.exceptions import PluginError

    root = dossier_dir(config)
    outcome = run(
        root,
        config["site_name"],
        config["site_url"] or DEFAULT_SITE_URL,
        config["use_directory_urls"],
    )
    for problem in outcome.warnings:
        log.warning(str(problem))
    if outcome.errors:
        listing = "\n".join(str(problem) for problem in outcome.errors)
        raise PluginError(f"the dossier in {root} has {len(outcome.errors)} problem(s):\n{listing}")
    _pending[id(config)] = outcome


def on_files(files, config):
    from mkdocs.structure.files import File

    outcome = _pending.pop(id(config))
    root = dossier_dir(config)
    docs_dir = Path(config["docs_dir"]).resolve()
    for page in outcome.pages:
        if files.get_file_from_path(page.path) is not None:
            log.info("docs/%s is hand-written; using it instead of the generated page", page.path)
            continue
        generated = File.generated(config, page.path, content=page.text)
        if page.source:
            # Edit links point at the dossier file, relative to docs/ like every edit_uri.
            generated.edit_uri = os.path.relpath(root / page.source, docs_dir).replace(os.sep, "/")
        files.append(generated)
    assert outcome.dossier is not None
    log.info(
        "dossier: %d articles, %d actors, %d topics -> %d pages (%s)",
        len(outcome.dossier.articles),
        len(outcome.dossier.actors),
        len(outcome.dossier.topics),
        len(outcome.pages),
        ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in outcome.timings.items()),
    )
    return files


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def on_page_content(html, page, config, files):
    if page.file.generated_by is None:
        return html  # hand-written pages in docs/ are the maintainers' own
    return sanitize(html)


def on_serve(server, config, builder):
    server.watch(str(dossier_dir(config)))
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
            data = page.text.encode("utf-8")
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
