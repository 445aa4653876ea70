"""The generated pages built in a second process (build_scripts/parallel.py).

The site must be the same, byte for byte, whether MkDocs builds every page itself or the
child process renders and writes part of them (or, with Material's search, renders part of
them): HTML, search index, sitemap, data files; and when the child fails on pages, or dies,
MkDocs' process builds what it left.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from build_scripts import parallel

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "dossiers"


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def assert_same_files(one: Path, two: Path) -> None:
    first, second = files_of(one), files_of(two)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize(
    ("fixture", "backend", "done"),
    [
        ("hostile", "dossier", "built"),
        ("related", "dossier", "built"),
        ("hostile", "pagefind", "built"),
        ("related", "pagefind", "built"),
        ("hostile", "material", "rendered"),
    ],
)
def test_the_site_is_the_same_with_and_without_the_second_process(
    build_site, tmp_path: Path, fixture: str, backend: str, done: str
) -> None:
    env = {"DOSSIER_SEARCH_BACKEND": backend}
    alone = build_site(FIXTURES / fixture, tmp_path / "alone", {**env, parallel.VARIABLE: "off"})
    assert alone.returncode == 0, alone.stderr
    assert "parallel:" not in alone.stderr
    shared = build_site(FIXTURES / fixture, tmp_path / "shared", {**env, parallel.VARIABLE: "on"})
    assert shared.returncode == 0, shared.stderr
    assert f"pages {done} in a second process" in shared.stderr
    assert "Page skipped" not in shared.stderr
    assert_same_files(tmp_path / "alone", tmp_path / "shared")


def build_in_process(dossier: Path, site: Path, monkeypatch) -> None:
    """``mkdocs build --strict`` in this process, so that the child inherits a patched MkDocs."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("DOSSIER_DIR", str(dossier))
    monkeypatch.setenv(parallel.VARIABLE, "on")
    monkeypatch.chdir(REPO)
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(site), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


@pytest.mark.parametrize(
    "failure",
    ["some pages fail", "the child dies", "some fail rendering", "the child dies handing over"],
)
def test_what_the_child_does_not_write_mkdocs_builds(
    build_site, tmp_path: Path, monkeypatch, failure: str
) -> None:
    """Step 2 (writing) or step 1 (rendering) fails in the child, or the child dies after
    step 1 without handing its search counts over: the site, search index included, is the
    same all the same."""
    import mkdocs.commands.build

    from build_scripts import search

    alone = build_site(FIXTURES / "related", tmp_path / "alone", {parallel.VARIABLE: "off"})
    assert alone.returncode == 0, alone.stderr
    real_build, real_render = mkdocs.commands.build._build_page, parallel._render
    done: list[str] = []

    def fail(page) -> None:
        if parallel.IN_CHILD:
            done.append(page.file.src_uri)
            if failure == "the child dies" and len(done) == 3:
                os._exit(1)
            if failure.startswith("some") and len(done) % 2:
                raise RuntimeError("a page failed in the second process")

    def failing_build(page, *args, **kwargs):
        fail(page)
        return real_build(page, *args, **kwargs)

    def failing_render(page, *args, **kwargs):
        result = real_render(page, *args, **kwargs)
        fail(page)  # after page_content: the child counted the page for search
        return result

    def dying_handover():
        os._exit(1)

    if failure.endswith("handing over"):
        monkeypatch.setattr(search, "handover", dying_handover)
    elif failure.endswith("rendering"):
        monkeypatch.setattr(parallel, "_render", failing_render)
    else:
        monkeypatch.setattr(mkdocs.commands.build, "_build_page", failing_build)
    build_in_process(FIXTURES / "related", tmp_path / "shared", monkeypatch)
    assert_same_files(tmp_path / "alone", tmp_path / "shared")


@pytest.mark.parametrize(
    ("value", "setting"),
    [(None, "auto"), ("", "auto"), ("on", "on"), ("OFF", "off"), (True, "on"), (False, "off")],
)
def test_the_setting(monkeypatch, value, setting) -> None:
    monkeypatch.delenv(parallel.VARIABLE, raising=False)
    assert parallel._setting({"extra": {parallel.CONFIG_KEY: value}}) == setting


def test_an_unknown_setting_is_an_error(monkeypatch) -> None:
    from mkdocs.exceptions import PluginError

    monkeypatch.setenv(parallel.VARIABLE, "sometimes")
    with pytest.raises(PluginError, match="expected on, off or auto"):
        parallel._setting({"extra": {}})


def test_partials_rendered_once_a_folder_are_the_same_as_rendered_for_each_page(
    build_site, tmp_path: Path, monkeypatch
) -> None:
    """Material's navigation, tabs, header (with each page's title put in), palette toggle,
    search dialog and the config block, rendered once for the pages outside the navigation in
    one folder (theme.shared_key), give the site Material gives rendering them page by page."""
    from build_scripts import theme

    shared = build_site(FIXTURES / "related", tmp_path / "shared", {parallel.VARIABLE: "off"})
    assert shared.returncode == 0, shared.stderr
    keys: list = []
    monkeypatch.setattr(theme, "shared_key", _recording(theme.shared_key, keys))
    monkeypatch.setenv(parallel.VARIABLE, "off")
    build_in_process(FIXTURES / "related", tmp_path / "each", monkeypatch)
    assert_same_files(tmp_path / "shared", tmp_path / "each")
    # The keys the shared build would have used: many pages, few folders, every partial.
    found = [key for key in keys if key is not None]
    assert {partial for partial, _ in found} == {
        "nav",
        "tabs",
        "header",
        "palette",
        "search",
        "config",
    }
    assert len(found) > len(set(found))  # rendered once, used again
    assert None in keys  # the pages in the navigation render their own


def _recording(shared_key, keys: list):
    """shared_key that records what it would answer, and answers None (every page its own)."""

    def each_page(page, partial):
        keys.append(shared_key(page, partial))
        return None

    return each_page
