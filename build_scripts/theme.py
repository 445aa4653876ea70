"""Part of publish: what the hook adds to Material's templates.

Material renders its navigation, tabs, header, palette toggle, search dialog and config
script for every page, though for the pages outside the navigation in one folder they are
the same, byte for byte, but for the title in the header: the navigation differs from page to
page only in what is active (a page in the navigation and its sections), and all of them in
their links, which are relative to the page (articles/a/ and articles/b/ both link
../../actors/). ``overrides/partials/nav.html``, ``tabs.html``, ``header.html``,
``palette.html`` and ``search.html`` call the template function ``shared_partial``, which
renders Material's own partial (through the ``dossier-theme/`` name, ``prepare``) once per
folder and ``shared_key`` and reuses it for the folder's other pages (the header with each
page's title put in); ``overrides/main.html`` does the same for the config block. Profiled at
1,000 articles, they were about half of the templates' time.

MkDocs makes a new Jinja environment for every build, and the second process of
``parallel.py`` one more, and each compiled every template it rendered: a quarter of the
templates' time at 1,000 articles, in each process. ``COMPILED`` keeps them compiled for the
process (under ``mkdocs serve``, between builds), and ``mkdocs build`` compiles them while the
dossier pipeline runs in its own process (``precompile``), before the second process is
forked, so neither compiles them again. Jinja checks each template's source against its
checksum, so an edited template is compiled afresh.
"""

from __future__ import annotations

import posixpath
import re

import jinja2
import jinja2.meta
from markupsafe import Markup

THEME_PREFIX = "dossier-theme"  # the theme's own templates, under this name too
# The partials shared_partial renders, by a computed name.
SHARED_PARTIALS = (
    *(f"{THEME_PREFIX}/partials/{name}.html" for name in ("nav", "tabs", "palette", "header")),
    "partials/dossier-search-dialog.html",
)
_shared_html: dict[tuple[str, str], str] = {}  # this build's partials, by shared_key
_in_nav: set[str] = set()  # the pages in the navigation, by source path


def navigation_is(nav) -> None:
    """``on_nav``: the pages in this build's navigation."""
    _in_nav.clear()
    _in_nav.update(page.file.src_uri for page in nav.pages)


def shared_key(page, partial: str) -> tuple[str, str] | None:
    """Under which key a page's ``partial`` (nav, tabs) is rendered once for many pages, or
    None where the page renders its own (a page in the navigation, or no page: 404.html)."""
    if page is None or page.file.src_uri in _in_nav:
        return None
    return (partial, posixpath.dirname(page.url.rstrip("/")))


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates, by name and source checksum, in this process's memory."""

    def __init__(self) -> None:
        self._store: dict[str, tuple[str, bytes]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        stored = self._store.get(bucket.key)
        if stored is not None and stored[0] == bucket.checksum:
            bucket.bytecode_from_string(stored[1])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = (bucket.checksum, bucket.bytecode_to_string())


COMPILED = TemplateCache()


# Partials that show the page's title, by the text the title follows (Material's header): they
# are made once a folder with the title cut out, and each page gets its own in.
_TITLED = {
    "header": re.compile(r'data-md-component="header-topic">\s*<span class="md-ellipsis">\s*')
}
_NOT_SHARED = ""  # a titled partial whose title was not where it should be: made for every page


@jinja2.pass_context
def shared_partial(context: jinja2.runtime.Context, partial: str, name: str = "") -> Markup:
    """The templates' ``dossier_shared_partial``: the ``partial`` (Material's own, or the
    template ``name``) as ``{% include %}`` renders it for the page, made once for the pages
    that share it (``shared_key``)."""
    page = context.get("page")
    key = shared_key(page, partial)
    shared = _shared_html.get(key) if key is not None else None
    if isinstance(shared, tuple):
        return Markup(shared[0] + _shown_title(page) + shared[1])
    if shared:
        return Markup(shared)
    template = context.environment.get_template(name or f"{THEME_PREFIX}/partials/{partial}.html")
    html = template.render(context.get_all())
    if key is not None and shared is None:
        _shared_html[key] = (
            _without_title(html, _TITLED[partial], _shown_title(page))
            if partial in _TITLED
            else html
        )
    return Markup(html)


def _shown_title(page) -> str:
    """The page's title as Material's header prints it."""
    meta = getattr(page, "meta", None)
    return str(meta["title"] if meta and meta.get("title") else page.title)


def _without_title(html: str, before: re.Pattern[str], title: str) -> tuple[str, str] | str:
    """The partial's HTML before and after the title, where it follows ``before`` (once), or
    ``_NOT_SHARED``."""
    found = list(before.finditer(html))
    if len(found) != 1 or not html.startswith(title, found[0].end()):
        return _NOT_SHARED
    at = found[0].end()
    return html[:at], html[at + len(title) :]


def prepare(env: jinja2.Environment, config) -> None:
    """``on_env``: the templates' ``dossier_shared_partial``, ``dossier_shared`` and
    ``dossier_shared_key``, and the theme's templates without ``overrides/`` under
    ``dossier-theme/``, for the overrides that include the original; templates compiled once
    (``COMPILED``)."""
    _shared_html.clear()
    env.globals["dossier_shared"] = _shared_html
    env.globals["dossier_shared_key"] = shared_key
    env.globals["dossier_shared_partial"] = shared_partial
    _load_with(env, config)


def _load_with(env: jinja2.Environment, config) -> None:
    own = [folder for folder in config.theme.dirs if folder != config.theme.custom_dir]
    loaders = {THEME_PREFIX: jinja2.FileSystemLoader(own)}
    env.loader = jinja2.ChoiceLoader([env.loader, jinja2.PrefixLoader(loaders)])
    env.bytecode_cache = COMPILED


def precompile(config, names: tuple[str, ...] = ("main.html", "404.html")) -> int:
    """Compile into ``COMPILED`` the templates ``names`` and every template they name (in
    ``extends``, ``include``, ``import``), with the partials shared_partial renders;
    how many. A template named by a computed expression elsewhere is compiled when first
    rendered, as before."""
    env = config.theme.get_env()
    _load_with(env, config)
    todo = [*names, *SHARED_PARTIALS]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
            env.get_template(name)
        except jinja2.TemplateNotFound:
            continue
        named = jinja2.meta.find_referenced_templates(env.parse(source))
        todo += [found for found in named if found]
    return len(seen)
