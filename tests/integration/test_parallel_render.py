"""The generated pages' Markdown rendered in a second process (build_scripts/parallel.py).

The site must be the same, byte for byte, whether MkDocs renders every page itself or the
child process renders part of them: HTML, search index, sitemap, data files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from build_scripts import parallel

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize("fixture", ["hostile", "related"])
def test_the_site_is_the_same_with_and_without_the_second_process(
    build_site, tmp_path: Path, fixture: str
) -> None:
    alone = build_site(FIXTURES / fixture, tmp_path / "alone", {parallel.VARIABLE: "off"})
    assert alone.returncode == 0, alone.stderr
    assert "parallel:" not in alone.stderr
    shared = build_site(FIXTURES / fixture, tmp_path / "shared", {parallel.VARIABLE: "on"})
    assert shared.returncode == 0, shared.stderr
    assert "pages' Markdown rendered in a second process" in shared.stderr
    one, two = files_of(tmp_path / "alone"), files_of(tmp_path / "shared")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


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
