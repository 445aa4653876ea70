"""The command line: ``python -m build_scripts check|render``, run as a contributor would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts.pipeline import run

SUMMARY_RE = r"(\d+) articles, (\d+) actors, (\d+) topics -> (\d+) pages \(.*\)"
PROBLEM_RE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>\S.*)$")


def cli(repo: Path, *args: str, env: dict[str, str] | None = None):
    environment = {k: v for k, v in os.environ.items() if k != "DOSSIER_DIR"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "build_scripts", *args],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def broken(make_dossier, article):
    """A dossier whose only article has a tag that matches no topic."""
    text = article("Northland opened a ferry line.", tags=("No such topic",))
    root = make_dossier({"2021-06-14-broken.md": text}, name="broken")
    return root, root / "articles" / "2021-06-14-broken.md"


def test_check_bundled_dossier_passes(repo):
    result = cli(repo, "check")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"ok: dossier: {SUMMARY_RE}\n", result.stdout), result.stdout
    assert result.stderr == ""


def test_check_broken_dossier_lists_path_line_message_and_fails(repo, broken):
    root, bad_file = broken
    result = cli(repo, "check", "--dossier", str(root))
    assert result.returncode == 1
    assert result.stdout == ""
    problems = [PROBLEM_RE.match(line) for line in result.stderr.splitlines()]
    located = [m for m in problems if m]
    assert located, result.stderr
    assert {Path(m["path"]).resolve() for m in located} == {bad_file.resolve()}
    line_count = len(bad_file.read_text(encoding="utf-8").splitlines())
    assert all(1 <= int(m["line"]) <= line_count for m in located)
    assert result.stderr.splitlines()[-1] == f"{len(located)} error(s), 0 warning(s)"


def test_check_warnings_fail_only_with_strict(repo, make_dossier, article):
    text = article("Northland opened a ferry line.", disclaimer="Views are the writer's own.")
    root = make_dossier({"2021-06-14-news-with-disclaimer.md": text})
    relaxed = cli(repo, "check", "--dossier", str(root))
    strict = cli(repo, "check", "--strict", "--dossier", str(root))
    assert relaxed.returncode == 0, relaxed.stderr
    assert relaxed.stdout.startswith(f"ok: {root}: ")
    assert strict.returncode == 1
    assert strict.stdout == ""
    for result in (relaxed, strict):
        assert re.search(r"^.+:\d+: warning: \S", result.stderr, re.M), result.stderr


def test_render_writes_exactly_the_pipeline_pages(repo, make_dossier, tmp_path):
    root = make_dossier()
    out = tmp_path / "out"
    result = cli(repo, "render", "--out", str(out), "--dossier", str(root))
    assert result.returncode == 0, result.stderr
    expected = {page.path: page.text.encode("utf-8") for page in run(root).pages}
    # at least home, three indexes, one article, two actors and one topic
    assert len(expected) >= 8
    assert files_under(out) == expected
    summary = rf"1 articles, 2 actors, 1 topics -> {len(expected)} pages \(.*\)"
    line = rf"{re.escape(str(out))}: {summary}; {len(expected)} file\(s\) changed\n"
    assert re.fullmatch(line, result.stdout), result.stdout


def test_render_bundled_dossier_matches_pipeline(repo, tmp_path):
    out = tmp_path / "out"
    result = cli(repo, "render", "--out", str(out))
    assert result.returncode == 0, result.stderr
    expected = {page.path: page.text.encode("utf-8") for page in run(repo / "dossier").pages}
    assert files_under(out) == expected


def test_render_again_changes_nothing(repo, make_dossier, tmp_path):
    root = make_dossier()
    out = tmp_path / "out"
    cli(repo, "render", "--out", str(out), "--dossier", str(root))
    again = cli(repo, "render", "--out", str(out), "--dossier", str(root))
    assert again.returncode == 0, again.stderr
    assert again.stdout.endswith("; 0 file(s) changed\n")


def test_render_broken_dossier_writes_nothing(repo, broken, tmp_path):
    root, _ = broken
    out = tmp_path / "out"
    result = cli(repo, "render", "--out", str(out), "--dossier", str(root))
    assert result.returncode == 1
    assert PROBLEM_RE.match(result.stderr.splitlines()[0])
    assert result.stderr.splitlines()[-1] == f"nothing written to {out}"
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_render_broken_dossier_keeps_previous_output(repo, broken, make_dossier, tmp_path):
    root, _ = broken
    good = make_dossier(name="good")
    out = tmp_path / "out"
    assert cli(repo, "render", "--out", str(out), "--dossier", str(good)).returncode == 0
    before = files_under(out)
    assert cli(repo, "render", "--out", str(out), "--dossier", str(root)).returncode == 1
    assert files_under(out) == before


def test_dossier_option_selects_the_folder(repo, make_dossier):
    root = make_dossier()
    pages = len(run(root).pages)
    result = cli(repo, "check", "--dossier", str(root))
    assert result.returncode == 0, result.stderr
    summary = rf"1 articles, 2 actors, 1 topics -> {pages} pages \(.*\)"
    assert re.fullmatch(rf"ok: {re.escape(str(root))}: {summary}\n", result.stdout), result.stdout


def test_dossier_dir_environment_selects_the_folder(repo, make_dossier):
    root = make_dossier()
    pages = len(run(root).pages)
    result = cli(repo, "check", env={"DOSSIER_DIR": str(root)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"ok: {root}: 1 articles, 2 actors, 1 topics -> {pages} pages ("
    )


def test_dossier_option_wins_over_the_environment(repo, make_dossier, broken):
    root = make_dossier(name="chosen")
    broken_root, _ = broken
    result = cli(repo, "check", "--dossier", str(root), env={"DOSSIER_DIR": str(broken_root)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {root}: ")


def test_missing_dossier_folder_is_a_located_problem(repo, tmp_path):
    result = cli(repo, "check", "--dossier", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert PROBLEM_RE.match(result.stderr.splitlines()[0])
    assert str(tmp_path / "nowhere") in result.stderr.splitlines()[0]


def test_a_command_is_required(repo):
    result = cli(repo)
    assert result.returncode == 2
    assert "usage: python -m build_scripts" in result.stderr
