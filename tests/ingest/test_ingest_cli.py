"""``python -m build_scripts add RAW [--dossier DIR] [--date D] [--force]``.

The command writes one draft article, prints the review and, last, the path; it refuses to
overwrite, writes nothing on any error, and ``check`` fails on a draft with empty fields until
a person fills them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts.__main__ import main

RAW = Path(__file__).resolve().parent.parent / "fixtures" / "raw"
SEED_RAW = RAW / "000_96db1b8d5fb4240f.txt"
SEED_NAME = "2020-04-03-us-said-to-be-planning-attacks-on-iranian-supported-iraq-militias.md"
MERIDIAN = RAW / "opinion_disclaimer_at_end_meridian_review.txt"
NO_BYLINE = "Ferry line opens\nThe council met on Monday. It voted for a ferry.\n"


@pytest.fixture
def bundled_copy(repo: Path, tmp_path: Path) -> Path:
    """A copy of the bundled dossier; the curated seed article is in it."""
    return Path(shutil.copytree(repo / "dossier", tmp_path / "dossier"))


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "articles").iterdir())}


def test_add_writes_the_seed_prints_the_review_and_last_the_path(bundled_copy, capsys):
    (bundled_copy / "articles" / SEED_NAME).unlink()
    assert main(["add", str(SEED_RAW), "--dossier", str(bundled_copy)]) == 0
    out = capsys.readouterr().out.splitlines()
    target = bundled_copy / "articles" / SEED_NAME
    assert out[-1] == target.as_posix()
    assert target.is_file()
    assert "layout: digital-journal" in out
    assert "  Council of Representatives of Iraq [iraqi-parliament]: 'Iraq parliament' x1" in out
    assert "check: the file passes" in out
    assert any(line.startswith("quote candidates (3)") for line in out)
    capsys.readouterr()
    assert main(["check", "--dossier", str(bundled_copy)]) == 0


def test_add_refuses_to_overwrite_and_writes_nothing(bundled_copy, capsys):
    before = listing(bundled_copy)
    assert main(["add", str(SEED_RAW), "--dossier", str(bundled_copy)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"articles/{SEED_NAME} already exists" in captured.err
    assert "pass --force to replace it" in captured.err
    assert captured.err.endswith("add: nothing written\n")
    assert listing(bundled_copy) == before


def test_add_force_replaces_the_file(bundled_copy, capsys):
    target = bundled_copy / "articles" / SEED_NAME
    assert main(["add", str(SEED_RAW), "--dossier", str(bundled_copy), "--force"]) == 0
    assert "quotes:" not in target.read_text(encoding="utf-8")  # the curator's keys are gone
    assert sorted(p.name for p in target.parent.iterdir()) == [SEED_NAME]  # no temp file left


def test_add_without_a_date_asks_for_one_and_writes_nothing(make_dossier, tmp_path, capsys):
    dossier = make_dossier()
    raw = tmp_path / "raw.txt"
    raw.write_text(NO_BYLINE, encoding="utf-8")
    before = listing(dossier)
    assert main(["add", str(raw), "--dossier", str(dossier)]) == 1
    err = capsys.readouterr().err
    assert "no publication date found in the text; pass --date YYYY-MM-DD" in err
    assert listing(dossier) == before


def test_empty_fields_fail_check_with_located_messages(make_dossier, tmp_path, capsys):
    dossier = make_dossier()
    raw = tmp_path / "raw.txt"
    raw.write_text(NO_BYLINE, encoding="utf-8")
    assert main(["add", str(raw), "--dossier", str(dossier), "--date", "2021-06-15"]) == 0
    out = capsys.readouterr().out.splitlines()
    target = dossier / "articles" / "2021-06-15-ferry-line-opens.md"
    assert out[-1] == target.as_posix()
    text = target.read_text(encoding="utf-8")
    assert "author: ''\n" in text and "publication: ''\n" in text and "tags: null\n" in text
    assert "url" not in text
    assert main(["check", "--dossier", str(dossier)]) == 1
    err = capsys.readouterr().err.splitlines()
    shown = target.as_posix()
    assert f"{shown}:2: front matter: missing required key 'tags'" in err
    assert f"{shown}:4: author: expected text but got an empty value" in err
    assert f"{shown}:6: publication: expected text but got an empty value" in err
    # The review named the same fields and predicted the same messages.
    assert any(line.startswith("left for the curator: author (empty") for line in out)
    assert f"  {shown}:4: author: expected text but got an empty value" in out


def test_add_reads_standard_input(make_dossier, repo):
    dossier = make_dossier()
    result = subprocess.run(
        [sys.executable, "-m", "build_scripts", "add", "-", "--dossier", str(dossier)],
        input=MERIDIAN.read_bytes(),
        capture_output=True,
        cwd=repo,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.decode("utf-8").splitlines()[-1]
    assert last.endswith(
        "articles/2023-03-12-why-vellmarks-tidal-barrage-deserves-a-second-look.md"
    )
    text = Path(last).read_text(encoding="utf-8")
    assert "kind: op-ed\n" in text and "url:" not in text


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing-raw", "cannot read"),
        ("not-utf8", "is not valid UTF-8"),
        ("no-dossier", "dossier folder not found"),
        ("empty", "the scrape is empty"),
    ],
)
def test_errors_write_nothing(setup, message, make_dossier, tmp_path, capsys):
    dossier = make_dossier()
    raw = tmp_path / "raw.txt"
    raw.write_text(NO_BYLINE, encoding="utf-8")
    where = dossier
    if setup == "missing-raw":
        raw = tmp_path / "nope.txt"
    elif setup == "not-utf8":
        raw.write_bytes("Ferry line opens\n12 March 2023\nCaf\xe9 au lait.\n".encode("latin-1"))
    elif setup == "no-dossier":
        where = tmp_path / "missing"
    elif setup == "empty":
        raw.write_text("\n\n", encoding="utf-8")
    before = listing(dossier)
    assert main(["add", str(raw), "--dossier", str(where), "--date", "2021-06-15"]) == 1
    err = capsys.readouterr().err
    assert message in err and err.endswith("add: nothing written\n")
    assert listing(dossier) == before
    assert not (tmp_path / "missing").exists()


def test_a_bad_date_option_is_refused(make_dossier, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["add", str(SEED_RAW), "--dossier", str(make_dossier()), "--date", "2021-02-30"])
    assert exit_info.value.code == 2
    assert "expected a real date as YYYY-MM-DD but got '2021-02-30'" in capsys.readouterr().err


def test_add_creates_the_articles_folder_only_when_it_writes(tmp_path, repo, capsys):
    dossier = tmp_path / "d"
    dossier.mkdir()
    for name in ("actors.yml", "topics.yml"):
        shutil.copy(repo / "dossier" / name, dossier / name)
    raw = tmp_path / "raw.txt"
    raw.write_text(NO_BYLINE, encoding="utf-8")
    assert main(["add", str(raw), "--dossier", str(dossier)]) == 1  # no date
    assert not (dossier / "articles").exists()
    assert main(["add", str(raw), "--dossier", str(dossier), "--date", "2021-06-15"]) == 0
    assert [p.name for p in (dossier / "articles").iterdir()] == ["2021-06-15-ferry-line-opens.md"]
