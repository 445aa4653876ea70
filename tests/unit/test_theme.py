"""theme: the templates are compiled once a process (``precompile``, ``COMPILED``)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from mkdocs.config import load_config

from build_scripts import theme

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def config():
    return load_config(str(REPO / "mkdocs.yml"))


def _compiling(env: jinja2.Environment, compiled: list[str]) -> None:
    """Record in ``compiled`` the name of every template ``env`` compiles."""
    real = env.compile

    def compile(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(source, name, filename, raw, defer_init)

    env.compile = compile


def test_precompiled_templates_are_not_compiled_again(config, monkeypatch) -> None:
    monkeypatch.setattr(theme, "COMPILED", theme.TemplateCache())
    assert theme.precompile(config) > 20  # main.html, base.html and Material's partials
    env = config.theme.get_env()
    theme.prepare(env, config)
    compiled: list[str] = []
    _compiling(env, compiled)
    names = [
        "main.html",
        "404.html",
        "partials/header.html",
        "partials/toc.html",
        "partials/nav.html",
        f"{theme.THEME_PREFIX}/partials/nav.html",
        f"{theme.THEME_PREFIX}/partials/tabs.html",
    ]
    for name in names:
        env.get_template(name)
    assert compiled == []


def test_an_edited_template_is_compiled_afresh(config, monkeypatch, tmp_path) -> None:
    """The cache knows a template by its source: another source under the same name is
    compiled, and renders as itself."""
    monkeypatch.setattr(theme, "COMPILED", theme.TemplateCache())
    for text, shown in (("first {{ 1 + 1 }}", "first 2"), ("second {{ 2 + 2 }}", "second 4")):
        (tmp_path / "page.html").write_text(text, encoding="utf-8")
        for compiles in (["page.html"], []):  # a new environment each time, as MkDocs makes
            env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
            env.bytecode_cache = theme.COMPILED
            compiled: list[str] = []
            _compiling(env, compiled)
            assert env.get_template("page.html").render() == shown
            assert compiled == compiles


def test_a_header_whose_title_is_not_where_expected_is_made_for_every_page() -> None:
    before = theme._TITLED["header"]
    html = '<div data-md-component="header-topic">\n  <span class="md-ellipsis">\n    A title\n'
    assert theme._without_title(html, before, "A title") == (html[: html.index("A title")], "\n")
    assert theme._without_title(html, before, "Another") == theme._NOT_SHARED
    assert theme._without_title(html + html, before, "A title") == theme._NOT_SHARED
