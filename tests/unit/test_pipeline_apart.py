"""pipeline.run_apart: the pipeline in a process of its own, as ``mkdocs build`` runs it.

It must give what ``run`` gives (problems, pages, sizes), say how it failed when its process
fails or dies, and leave MkDocs' process without the rendering and its libraries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts.pipeline import PipelineProcessError, run, run_apart

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "dossiers"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="run_apart is run without fork")


@pytest.mark.parametrize("root", [FIXTURES / "hostile", FIXTURES / "related", REPO / "dossier"])
def test_run_apart_gives_what_run_gives(root: Path) -> None:
    here = run(root, "Title", "https://example.org/site/", False)
    apart = run_apart(root, "Title", "https://example.org/site/", False)
    assert apart.pages and apart.pages == here.pages
    assert [page.source for page in apart.pages] == [page.source for page in here.pages]
    assert apart.problems == here.problems
    assert (
        apart.sizes
        == here.sizes
        == (
            len(here.dossier.articles),
            len(here.dossier.actors),
            len(here.dossier.topics),
        )
    )
    assert set(apart.timings) == {"load", "validate", "link", "render"}
    assert apart.dossier is None and apart.index is None  # left in the other process


def test_run_apart_returns_every_problem_and_no_page(tmp_path: Path) -> None:
    root = tmp_path / "dossier"
    shutil.copytree(FIXTURES / "minimal", root)
    article = next((root / "articles").glob("*.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("kind: news", "kind: rumour"), encoding="utf-8")
    (root / "articles" / "2021-06-15-empty.md").write_text("no front matter\n", encoding="utf-8")
    here, apart = run(root), run_apart(root)
    assert len(apart.errors) >= 2 and apart.problems == here.problems
    # Each article is read, checked and searched for mentions in one go: no index, no page.
    assert apart.pages == () and set(apart.timings) == {"load", "validate", "link"}


def test_a_failing_pipeline_process_raises_its_traceback(monkeypatch) -> None:
    import build_scripts.render

    def broken(*args, **kwargs):
        raise ValueError("rendering went wrong here")
        yield  # a generator, like each_page

    monkeypatch.setattr(build_scripts.render, "each_page", broken)
    with pytest.raises(PipelineProcessError, match=r"(?s)failed.*ValueError: rendering went wrong"):
        run_apart(FIXTURES / "minimal")


def test_a_pipeline_process_that_dies_raises(monkeypatch) -> None:
    import build_scripts.render

    def dies(*args, **kwargs):
        os._exit(3)
        yield

    monkeypatch.setattr(build_scripts.render, "each_page", dies)
    with pytest.raises(PipelineProcessError, match="ended early"):
        run_apart(FIXTURES / "minimal")


def test_mkdocs_process_imports_no_stage_and_no_rendering_library() -> None:
    # What the hook's own process imports (publish and what it calls on), in a fresh Python.
    heavy = [
        "build_scripts.load",
        "build_scripts.validate",
        "build_scripts.link",
        "build_scripts.render",
        "build_scripts.exports",
        "build_scripts.network",
        "build_scripts.related",
        "numpy",
        "networkx",
        "citeproc",
        "bibtexparser",
        "ahocorasick",
    ]
    code = (
        "import sys\n"
        "import build_scripts.publish, build_scripts.search, build_scripts.parallel\n"
        "import build_scripts.theme, build_scripts.textindex\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _articles_part(monkeypatch, action) -> None:
    """``each_page`` as it is, except that its article part runs ``action`` first."""
    import build_scripts.render

    real = build_scripts.render.each_page

    def each_page(*args):
        if ("articles",) in (share[:1] for share in args if isinstance(share, tuple)):
            action()
        yield from real(*args)

    monkeypatch.setattr(build_scripts.render, "each_page", each_page)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the article part has a process of its own


def test_the_article_process_failing_raises_its_traceback(monkeypatch) -> None:
    def fail() -> None:
        raise KeyError("an article went wrong")

    _articles_part(monkeypatch, fail)
    with pytest.raises(PipelineProcessError, match=r"(?s)failed.*KeyError: 'an article went"):
        run_apart(FIXTURES / "related")


def test_the_article_process_dying_raises(monkeypatch) -> None:
    _articles_part(monkeypatch, lambda: os._exit(3))
    with pytest.raises(PipelineProcessError, match="ended early"):
        run_apart(FIXTURES / "related")


@pytest.mark.parametrize("cpus", [1, 2, None])
def test_run_apart_gives_the_same_pages_on_any_number_of_cores(monkeypatch, cpus) -> None:
    expected = run(FIXTURES / "related").pages
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert run_apart(FIXTURES / "related").pages == expected


def test_run_on_two_cores_gives_what_one_core_gives(tmp_path: Path, monkeypatch) -> None:
    """Loading, validating and finding mentions a half in each process (halves.in_two, one
    pass for the three): the same pages and the same problems, in the same order, from either
    half."""
    from build_scripts import halves

    root = tmp_path / "dossier"
    shutil.copytree(FIXTURES / "related", root)
    articles = sorted((root / "articles").glob("*.md"))
    for broken in (articles[0], articles[-1]):  # one in each half
        text = broken.read_text(encoding="utf-8")
        broken.write_text(text.replace("kind: news", "kind: rumour"), encoding="utf-8")
    (root / "articles" / "2019-01-01-no-front-matter.md").write_text("text\n", encoding="utf-8")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    one = run(root)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(halves, "MIN_ITEMS", 0)
    used = []
    real = halves.in_two

    def counted(function, items, min_items=None):
        used.append(len(items))
        return real(function, items, min_items)

    monkeypatch.setattr("build_scripts.pipeline.in_two", counted)
    two = run(root)
    assert len(one.errors) >= 3 and two.problems == one.problems
    assert used == [len(articles) + 1]  # one pass reads, checks and searches each article
    for broken in (articles[0], articles[-1]):
        broken.write_text(broken.read_text(encoding="utf-8").replace("rumour", "news"))
    (root / "articles" / "2019-01-01-no-front-matter.md").unlink()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    one = run(root)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    used.clear()
    two = run(root)
    assert one.pages and two.pages == one.pages and two.problems == one.problems
    assert used == [len(articles)]


def test_meanwhile_runs_in_this_process_while_the_pipeline_runs() -> None:
    """``meanwhile`` (mkdocs build compiles the theme's templates there) runs once, in this
    process, and the outcome is the same."""
    ran: list[int] = []
    apart = run_apart(FIXTURES / "related", meanwhile=lambda: ran.append(os.getpid()))
    assert ran == [os.getpid()]
    assert apart.pages == run(FIXTURES / "related").pages


def test_a_shared_lap_is_split_in_proportion_and_adds_to_earlier_laps(monkeypatch) -> None:
    """The article pass's seconds go to load, validate and link by their time per article;
    a stage lapped again (validate's checks across articles) adds to what it had."""
    from build_scripts import pipeline

    now = iter([10.0, 11.0, 15.0, 15.5])
    monkeypatch.setattr(pipeline.time, "perf_counter", lambda: next(now))
    lap = pipeline.Stopwatch()  # 10.0
    lap("load")  # 1 s
    lap.shared({"load": 3.0, "validate": 1.0, "link": 4.0})  # 4 s: 1.5, 0.5, 2
    lap("validate")  # 0.5 s
    assert lap.timings == {"load": 2.5, "validate": 1.0, "link": 2.0}
    assert list(lap.timings) == ["load", "validate", "link"]
