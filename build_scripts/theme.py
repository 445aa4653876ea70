"""Part of publish: what the hook adds to Material's templates.

Material renders its navigation and tabs for every page (``partials/nav.html``,
``partials/tabs.html``), though for the pages outside the navigation in one folder they are
the same, byte for byte: the navigation differs from page to page only in what is active (a
page in the navigation and its sections) and in its links, which are relative to the page
(articles/a/ and articles/b/ both link ../../actors/). ``overrides/partials/nav.html`` and
``tabs.html`` call the macro of ``overrides/partials/dossier-shared.html``, which includes
Material's own partial (through the ``dossier-theme/`` name, ``prepare``) once per folder
and ``shared_key``, and reuses it for the folder's other pages. Profiled at 1,000
articles, they were about a third of the templates' time.
"""

from __future__ import annotations

import posixpath

import jinja2

THEME_PREFIX = "dossier-theme"  # the theme's own templates, under this name too
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


def prepare(env: jinja2.Environment, config) -> None:
    """``on_env``: the templates' ``dossier_shared`` and ``dossier_shared_key``, and the
    theme's templates without ``overrides/`` under ``dossier-theme/``, for the overrides that
    include the original."""
    _shared_html.clear()
    env.globals["dossier_shared"] = _shared_html
    env.globals["dossier_shared_key"] = shared_key
    own = [folder for folder in config.theme.dirs if folder != config.theme.custom_dir]
    loaders = {THEME_PREFIX: jinja2.FileSystemLoader(own)}
    env.loader = jinja2.ChoiceLoader([env.loader, jinja2.PrefixLoader(loaders)])
