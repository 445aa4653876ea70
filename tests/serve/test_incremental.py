"""``mkdocs serve``: an edit regenerates and rebuilds what it changes, and nothing is stale.

Three levels, no timing assertion anywhere:

- ``incremental.Pipeline`` gives what ``pipeline.run`` gives, after every kind of edit, and
  re-renders only the pages whose inputs changed (render calls are counted);
- serve-mode builds in this process (``mkdocs.commands.build.build(..., dirty=True)`` after the
  hook's ``on_startup("serve", dirty=True)``, as ``mkdocs serve --dirty`` runs them) leave a
  site equal to a fresh build, rewriting only the pages whose Markdown changed;
- a real ``mkdocs serve --dirty`` shows an edit, on the article and on the actor page it
  affects, and rebuilds once for it.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from build_scripts import incremental, render
from build_scripts.pipeline import Outcome, run

REPO = Path(__file__).resolve().parents[2]
SERVE_URL = "http://127.0.0.1:8000/"

ACTORS = """\
- id: northland
  name: Northland
  kind: state
  aliases: [NL]
  description: A fictional state used in tests.
- id: southland
  name: Southland
  kind: state
  description: Another fictional state used in tests.
- id: ada-quill
  name: Ada Quill
  kind: person
  aliases: [Quill]
  description: A fictional minister used in tests.
"""

TOPICS = """\
- id: ferries
  name: Ferries
  aliases: [ferry servce]
  description: A fictional topic used in tests.
- id: ports
  name: Ports
  description: Another fictional topic used in tests.
"""


def article(title: str, date: str, body: str, tags: str = '["Ferries"]', extra: str = "") -> str:
    front = (
        f'title: "{title}"\nkind: news\nauthor: "Test Writer"\ndate: {date}\n'
        f'publication: "Example Gazette"\ntags: {tags}\n{extra}'
    )
    return f"---\n{front}---\n\n{textwrap.dedent(body).strip()}\n"


FERRY = "2021-06-14-northland-opens-a-ferry-line.md"
OBJECTS = "2021-06-20-southland-objects.md"
OPINION = "2021-07-01-quill-on-ports.md"
HARBOUR = "2021-07-10-the-harbour-reopens.md"

ARTICLES = {
    FERRY: article(
        "Northland opens a ferry line",
        "2021-06-14",
        "Northland opened a ferry line on Monday. Minister Ada Quill cut the ribbon.",
    ),
    OBJECTS: article(
        "Southland objects to the line",
        "2021-06-20",
        """
        Southland objected to the new line. Northland said the ferries would run.

        ## What comes next

        The NL ministry will publish a timetable.
        """,
        tags='["Ferries", "Ports"]',
        extra=(
            "events:\n  - date: 2021-06\n    summary: Southland objects.\n    actors: [southland]\n"
        ),
    ),
    OPINION: article(
        "Ports matter",
        "2021-07-01",
        """
        Ada Quill wrote that ports matter more than ever. See
        [the ferry line](2021-06-14-northland-opens-a-ferry-line.md) for the start of it.
        """,
        tags='["Ports"]',
        extra=(
            'disclaimer: "The views are the author\'s own."\n'
            "quotes:\n  - speaker: ada-quill\n    text: ports matter more than ever\n"
        ),
    ).replace("kind: news", "kind: op-ed"),
    HARBOUR: article(
        "The harbour reopens",
        "2021-07-10",
        "The harbour reopened on Friday. Southland and Northland agreed on the fees.",
        tags='["Ports"]',
    ),
}


@pytest.fixture
def dossier(make_dossier) -> Path:
    return make_dossier(articles=dict(ARTICLES), actors=ACTORS, topics=TOPICS)


@pytest.fixture
def settled(monkeypatch) -> None:
    """Files count as settled at once (they are written moments before the builds here)."""
    monkeypatch.setattr(incremental, "SETTLE_NS", 0)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


def same_outcome(ours: Outcome, fresh: Outcome) -> None:
    assert ours.problems == fresh.problems
    assert [page.path for page in ours.pages] == [page.path for page in fresh.pages]
    for mine, theirs in zip(ours.pages, fresh.pages, strict=True):
        assert mine == theirs, f"{mine.path} differs from a fresh run"
    assert ours.dossier == fresh.dossier
    assert ours.index == fresh.index
    assert ours.sizes == fresh.sizes  # what the build's log line counts


def pages_of(outcome: Outcome) -> dict[str, str]:
    return {page.path: page.text for page in outcome.pages}


@pytest.fixture
def renders(monkeypatch) -> Callable[[Callable[[], object]], dict[str, int]]:
    """renders(action): how often ``action`` renders an article, actor or topic page."""
    calls = {"article": 0, "actor": 0, "topic": 0}
    for kind in calls:
        original = getattr(render, f"render_{kind}")

        def counting(*args, _original=original, _kind=kind, **kwargs):
            calls[_kind] += 1
            rendered.append(getattr(args[0], "slug", None) or args[0].id)
            return _original(*args, **kwargs)

        monkeypatch.setattr(render, f"render_{kind}", counting)

    def count(action: Callable[[], object]) -> dict[str, int]:
        for kind in calls:
            calls[kind] = 0
        rendered.clear()
        action()
        return dict(calls)

    rendered: list[str] = []
    count.rendered = rendered  # type: ignore[attr-defined]
    return count


# --- the pipeline --------------------------------------------------------------------------


def _generate_module():
    name = "dossier_bench_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being made
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_every_kind_of_edit_gives_what_a_fresh_run_gives(tmp_path, settled):
    """On a synthetic dossier big enough for archive pages, related reading and drawings."""
    root = tmp_path / "synthetic"
    _generate_module().generate(root, 120, 24, 8, seed=3)
    files = sorted((root / "articles").glob("*.md"))
    pipeline = incremental.Pipeline()

    def check() -> Outcome:
        ours = pipeline.run(root)
        same_outcome(ours, run(root))
        assert not ours.errors, ours.errors
        return ours

    first = check()
    assert len(first.pages) > 250
    assert any(
        page.path.startswith("actors/") and page.path.count("/") == 2 for page in first.pages
    )
    check()  # nothing changed

    target = files[10]
    append(target, "The curator appended this sentence.")
    check()
    edit(target, 'title: "', 'title: "Retitled: ')
    check()
    actors = (root / "actors.yml").read_text(encoding="utf-8")
    first_actor = actors.split('name: "', 1)[1].split('"', 1)[0]
    append(target, f"{first_actor} said nothing more.")  # a new mention, maybe a new actor
    check()
    edit(target, "kind: news", 'kind: op-ed\ndisclaimer: "The author\'s own views."')
    check()
    text = target.read_text(encoding="utf-8")
    topics = (root / "topics.yml").read_text(encoding="utf-8")
    topic = topics.split("- id: ", 1)[1].split("\n", 1)[0]
    if "\ntopics:\n" in text:  # the curator's topics go
        text = re.sub(r"\ntopics:\n(?:  - .*\n)+", "\ntopics: []\n", text)
    else:
        text = text.replace("\ntags:\n", f"\ntopics: [{topic}]\ntags:\n")
    target.write_text(text, encoding="utf-8")
    check()
    added = root / "articles" / "2024-01-02-a-new-article.md"
    text = files[20].read_text(encoding="utf-8")
    date = text.split("\ndate: ", 1)[1].split("\n", 1)[0]
    added.write_text(text.replace(f"date: {date}", "date: 2024-01-02"), encoding="utf-8")
    check()
    files[30].unlink()
    check()
    renamed = root / "articles" / files[40].name.replace(files[40].name[:10], "2015-12-31")
    text = files[40].read_text(encoding="utf-8")
    date = text.split("\ndate: ", 1)[1].split("\n", 1)[0]
    files[40].unlink()
    renamed.write_text(text.replace(f"date: {date}", "date: 2015-12-31"), encoding="utf-8")
    check()
    edit(root / "topics.yml", "description: ", "description: Edited. ")
    check()
    edit(root / "actors.yml", "  aliases:\n", '  aliases:\n    - "Extra alias"\n')
    check()
    assert pipeline.fallbacks == []


def test_the_fixture_dossiers_give_what_a_fresh_run_gives(repo, settled):
    folders = [*sorted((repo / "tests" / "fixtures" / "dossiers").iterdir()), repo / "dossier"]
    for folder in folders:
        pipeline = incremental.Pipeline()
        same_outcome(pipeline.run(folder), run(folder))
        same_outcome(pipeline.run(folder), run(folder))
        assert pipeline.fallbacks == [], folder


def test_an_edit_renders_again_only_the_pages_it_can_change(dossier, settled, renders):
    pipeline = incremental.Pipeline()
    runs: list[Outcome] = []
    assert renders(lambda: runs.append(pipeline.run(dossier))) == {
        "article": 4,
        "actor": 3,
        "topic": 2,
    }
    assert renders(lambda: pipeline.run(dossier)) == {"article": 0, "actor": 0, "topic": 0}

    # A sentence naming no one: the article's page and its data change, no listing does.
    append(dossier / "articles" / OBJECTS, "A timetable is expected in August.")
    counts = renders(lambda: runs.append(pipeline.run(dossier)))
    assert counts == {"article": 1, "actor": 0, "topic": 0}
    same_outcome(runs[-1], run(dossier))
    before, after = pages_of(runs[-2]), pages_of(runs[-1])
    changed = {path for path, text in after.items() if before.get(path) != text}
    assert changed == {"articles/2021-06-20-southland-objects.md", "dossier.json"}

    # A sentence naming an actor the article did not name: that actor's page, the pages that
    # show who is named with whom, and the topic's most named actors are rendered again.
    # And the articles whose related reading changes with what the article now shares.
    append(dossier / "articles" / FERRY, "Southland was not invited.")
    counts = renders(lambda: runs.append(pipeline.run(dossier)))
    assert counts == {"article": 3, "actor": 3, "topic": 1}
    assert sorted(renders.rendered) == sorted(
        [FERRY[:-3], OBJECTS[:-3], HARBOUR[:-3], "northland", "southland", "ada-quill", "ferries"]
    )
    same_outcome(runs[-1], run(dossier))
    related = "## Related reading"
    for name in (OBJECTS, HARBOUR):
        page = f"articles/{name}"
        old, new = pages_of(runs[-2])[page], pages_of(runs[-1])[page]
        assert old.split(related)[1] != new.split(related)[1]
    assert pipeline.fallbacks == []


def test_a_registry_edit_regenerates_everything(dossier, settled, renders):
    pipeline = incremental.Pipeline()
    pipeline.run(dossier)
    everything = {"article": 4, "actor": 3, "topic": 2}
    edit(dossier / "actors.yml", "description: Another fictional", "description: A second")
    assert renders(lambda: pipeline.run(dossier)) == everything
    same_outcome(pipeline.run(dossier), run(dossier))
    edit(dossier / "topics.yml", "name: Ports", "name: Harbours")
    assert renders(lambda: pipeline.run(dossier)) == everything
    same_outcome(pipeline.run(dossier), run(dossier))


def test_an_error_is_reported_as_a_fresh_run_reports_it(dossier, settled):
    pipeline = incremental.Pipeline()
    pipeline.run(dossier)
    edit(dossier / "articles" / HARBOUR, "kind: news", "kind: newz")
    broken = pipeline.run(dossier)
    same_outcome(broken, run(dossier))
    assert [str(p) for p in broken.errors] == [
        f"{dossier / 'articles' / HARBOUR}:3: kind: expected one of news, op-ed but got 'newz' "
        "(did you mean 'news'?)"
    ]
    assert broken.pages == ()
    edit(dossier / "articles" / HARBOUR, "kind: newz", "kind: news")
    same_outcome(pipeline.run(dossier), run(dossier))


def test_broken_dossiers_are_reported_as_a_fresh_run_reports_them(dossier, settled):
    pipeline = incremental.Pipeline()
    articles = dossier / "articles"

    def check() -> Outcome:
        ours = pipeline.run(dossier)
        same_outcome(ours, run(dossier))
        return ours

    assert not check().errors
    # A link to an article that is not there yet, then is, then is gone again: the article
    # that links is checked again each time, though it did not change.
    later = "2021-08-01-later.md"
    append(articles / HARBOUR, f"See [what came later]({later}).")
    assert [p.message for p in check().errors] == [
        f"link to {later!r}: a relative link must name an article file, actors/<id>.md or "
        "topics/<id>.md of this dossier"
    ]
    (articles / later).write_text(article("Later", "2021-08-01", "Later, nothing happened."))
    assert not check().errors
    (articles / later).unlink()
    assert len(check().errors) == 1
    edit(articles / HARBOUR, f"\nSee [what came later]({later}).\n", "")

    (dossier / "notes.txt").write_text("not part of a dossier")
    (articles / "drafts").mkdir()
    (articles / "2021-08-02-no-front-matter.md").write_text("Just text.\n")
    (articles / "2021-08-03-bad-yaml.md").write_text('---\ntitle: "unclosed\n---\n\nText.\n')
    (articles / "2021-08-04-latin-1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    (articles / "2021-08-05-link.md").symlink_to(articles / FERRY)
    edit(articles / OBJECTS, "actors: [southland]", "actors: [southlandd]")
    assert len(check().errors) >= 6
    edit(dossier / "actors.yml", "- id: southland", "- id: northland")
    check()
    (dossier / "topics.yml").unlink()
    check()
    (dossier / "topics.yml").write_text(TOPICS)
    edit(
        dossier / "actors.yml",
        "- id: northland\n  name: Southland",
        "- id: southland\n  name: Southland",
    )
    for name in ("notes.txt",):
        (dossier / name).unlink()
    (articles / "drafts").rmdir()
    for name in ("no-front-matter", "bad-yaml", "latin-1", "link"):
        next(articles.glob(f"*-{name}.md")).unlink()
    edit(articles / OBJECTS, "actors: [southlandd]", "actors: [southland]")
    assert not check().errors
    assert pipeline.fallbacks == []


def test_a_file_changed_just_now_is_read_again_until_it_settles(dossier, monkeypatch):
    """Within a timestamp tick a file can change without its lstat changing: a file whose
    change is that recent is parsed on every run; once settled, it is parsed once."""
    parsed: list[str] = []
    original = incremental._load_article

    def counting(path, root, problems):
        parsed.append(path.name)
        return original(path, root, problems)

    monkeypatch.setattr(incremental, "_load_article", counting)
    pipeline = incremental.Pipeline()
    monkeypatch.setattr(incremental, "SETTLE_NS", 3600 * 10**9)  # everything is recent
    pipeline.run(dossier)
    pipeline.run(dossier)
    assert parsed.count(FERRY) == 2
    monkeypatch.setattr(incremental, "SETTLE_NS", 0)
    pipeline.run(dossier)
    pipeline.run(dossier)
    assert parsed.count(FERRY) == 3


# --- serve-mode builds in this process ------------------------------------------------------


def _hook(config):
    hooks = [p for p in config.plugins.values() if hasattr(p, "_session")]
    assert len(hooks) == 1
    return hooks[0]


class Builds:
    """Serve-mode builds of one dossier into one site folder, and fresh builds to compare."""

    def __init__(self, dossier: Path, work: Path) -> None:
        self.dossier = dossier
        self.work = work
        self.site = work / "site"

    def config(self, site: Path):
        config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(site))
        config["site_url"] = SERVE_URL  # what mkdocs serve sets
        return config

    @staticmethod
    def forget_searches(config) -> None:
        """MkDocs keeps plugin instances for the whole process, and Material's search plugin
        keeps the last index it wrote under --dirty: each test starts as a new process."""
        for plugin in config.plugins.values():
            if hasattr(plugin, "search_index_prev"):
                plugin.search_index_prev = None

    def fresh(self, name: str) -> Path:
        """A clean serve-mode build (what a new ``mkdocs serve`` starts with)."""
        site = self.work / name
        config = self.config(site)
        config.plugins.on_startup(command="build", dirty=False)
        self.forget_searches(config)
        build(config, serve_url=SERVE_URL)
        config.plugins.on_shutdown()
        return site

    def start(self) -> None:
        config = self.config(self.site)
        config.plugins.on_startup(command="serve", dirty=True)
        self.forget_searches(config)
        assert _hook(config)._session is not None

    def rebuild(self) -> None:
        build(self.config(self.site), serve_url=SERVE_URL, dirty=True)

    def stop(self) -> None:
        self.config(self.site).plugins.on_shutdown()


@pytest.fixture
def builds(dossier, tmp_path, monkeypatch, settled) -> Iterator[Builds]:
    monkeypatch.setenv("DOSSIER_DIR", str(dossier))
    monkeypatch.setenv("DOSSIER_SEARCH_BACKEND", "material")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    made = Builds(dossier, tmp_path)
    yield made
    made.stop()


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site; the search index and the gzipped sitemap as their data."""
    files = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if name == "search/search_index.json":
            index = json.loads(data)
            index["docs"].sort(key=lambda doc: json.dumps(doc, sort_keys=True))
            data = json.dumps(index, sort_keys=True).encode()
        elif name.endswith(".gz"):
            data = gzip.decompress(data)
        files[name] = data
    return files


def same_site(site: Path, fresh: Path) -> None:
    ours, theirs = site_files(site), site_files(fresh)
    assert sorted(ours) == sorted(theirs)
    stale = [name for name in ours if ours[name] != theirs[name]]
    assert stale == [], f"differ from a fresh build: {stale}"


def written_since(site: Path, before: dict[str, int]) -> set[str]:
    return {
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file()
        and before.get(path.relative_to(site).as_posix()) != path.stat().st_mtime_ns
    }


def mtimes(site: Path) -> dict[str, int]:
    return {
        path.relative_to(site).as_posix(): path.stat().st_mtime_ns
        for path in site.rglob("*")
        if path.is_file()
    }


def output_of(page: str) -> str:
    """Where MkDocs writes a generated page (directory URLs)."""
    if not page.endswith(".md"):
        return page
    stem = page[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")] + "index.html"
    return f"{stem}/index.html"


# Written by every build, --dirty or not.
EVERY_BUILD = {"404.html", "sitemap.xml", "sitemap.xml.gz", "search/search_index.json"}


def changed_pages(dossier: Path, before: dict[str, str]) -> set[str]:
    after = pages_of(run(dossier, site_url=SERVE_URL))
    return {path for path in after.keys() | before.keys() if after.get(path) != before.get(path)}


def test_an_edit_rebuilds_exactly_the_pages_it_changes_and_none_is_stale(builds, dossier):
    objects, ferry = dossier / "articles" / OBJECTS, dossier / "articles" / FERRY
    original = {name: (dossier / "articles" / name).read_text() for name in (OBJECTS, FERRY)}
    append(objects, "A timetable is expected in August.")
    edited = builds.fresh("fresh-edited")
    append(ferry, "Southland was not invited.")
    named = builds.fresh("fresh-named")
    for name, text in original.items():
        (dossier / "articles" / name).write_text(text)
    initial = builds.fresh("fresh-initial")

    builds.start()
    builds.rebuild()
    same_site(builds.site, initial)

    # A sentence naming no one: the article's page, and dossier.json.
    pages = pages_of(run(dossier, site_url=SERVE_URL))
    before = mtimes(builds.site)
    append(objects, "A timetable is expected in August.")
    builds.rebuild()
    affected = changed_pages(dossier, pages)
    assert affected == {"articles/2021-06-20-southland-objects.md", "dossier.json"}
    assert written_since(builds.site, before) == EVERY_BUILD | {output_of(p) for p in affected}
    same_site(builds.site, edited)

    # A sentence naming another actor: its page, the pages that show who is named with whom,
    # the indexes that count articles, the network...: whatever changed, and only that.
    pages = pages_of(run(dossier, site_url=SERVE_URL))
    before = mtimes(builds.site)
    append(ferry, "Southland was not invited.")
    builds.rebuild()
    affected = changed_pages(dossier, pages)
    assert {
        "articles/2021-06-14-northland-opens-a-ferry-line.md",
        "actors/southland.md",
        "actors/northland.md",
        "actors/ada-quill.md",
        "actors/index.md",
        "topics/ferries.md",
        "network.md",
    } <= affected
    assert written_since(builds.site, before) == EVERY_BUILD | {output_of(p) for p in affected}
    same_site(builds.site, named)


def test_a_removed_article_leaves_no_page_behind(builds, dossier):
    removed = (dossier / "articles" / HARBOUR).read_text()
    (dossier / "articles" / HARBOUR).unlink()
    fresh = builds.fresh("fresh")
    (dossier / "articles" / HARBOUR).write_text(removed)
    builds.start()
    builds.rebuild()
    assert (builds.site / "articles" / HARBOUR[:-3] / "index.html").is_file()

    (dossier / "articles" / HARBOUR).unlink()
    builds.rebuild()
    assert not (builds.site / "articles" / HARBOUR[:-3]).exists()
    same_site(builds.site, fresh)


def test_a_registry_edit_rebuilds_what_it_changes(builds, dossier):
    builds.start()
    builds.rebuild()
    edit(dossier / "actors.yml", "name: Southland", "name: Southern Land")
    edit(dossier / "topics.yml", "description: Another fictional", "description: A second")
    builds.rebuild()
    builds.stop()
    same_site(builds.site, builds.fresh("fresh"))


def test_an_error_leaves_the_previous_site_and_is_reported(builds, dossier, caplog):
    builds.start()
    builds.rebuild()
    before = site_files(builds.site), mtimes(builds.site)

    edit(dossier / "articles" / HARBOUR, "kind: news", "kind: newz")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        builds.rebuild()
    assert (
        f"{dossier / 'articles' / HARBOUR}:3: kind: expected one of news, op-ed but got 'newz'"
        in caplog.text
    )
    assert (site_files(builds.site), mtimes(builds.site)) == before

    append(dossier / "articles" / OBJECTS, "A timetable is expected in August.")
    with pytest.raises(Abort):
        builds.rebuild()  # still broken: nothing of the other edit is published yet
    assert (site_files(builds.site), mtimes(builds.site)) == before

    edit(dossier / "articles" / HARBOUR, "kind: newz", "kind: news")
    builds.rebuild()
    builds.stop()
    same_site(builds.site, builds.fresh("fresh"))


def test_the_page_cache_is_outside_the_watched_folders_and_goes_with_the_session(builds, dossier):
    builds.start()
    builds.rebuild()
    session = _hook(builds.config(builds.site))._session
    folder = Path(session.folder).resolve()
    for watched in (REPO / "docs", dossier, REPO):
        assert not folder.is_relative_to(watched.resolve())
    assert (folder / "articles" / FERRY).is_file()
    builds.stop()
    assert not folder.exists()


def test_a_new_session_removes_the_folders_of_killed_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / f"dossier-serve-{int(gone.stdout)}-abc"
    alive = tmp_path / f"dossier-serve-{os.getpid()}-def"
    for folder in (dead, alive):
        (folder / "articles").mkdir(parents=True)
    session = incremental.Session(dirty=True)
    try:
        assert not dead.exists()
        assert alive.is_dir()
        assert Path(session.folder).parent == tmp_path
    finally:
        session.close()
    assert not Path(session.folder).exists()


# --- a real mkdocs serve --dirty --------------------------------------------------------------


def sessions(pid: int | str = "*") -> set[str]:
    """The page folders of serve sessions (of process ``pid``) under the temporary folder.

    Other processes (a parallel test run) may have sessions of their own: a test looks only
    at its own server's."""
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"dossier-serve-{pid}-*")}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def _wait(condition: Callable[[], bool], seconds: float, what: str, server, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if server.poll() is not None:
            pytest.fail(f"mkdocs serve exited while waiting for {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def test_mkdocs_serve_dirty_shows_an_edit_and_rebuilds_once_for_it(dossier, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = dict(os.environ, DOSSIER_DIR=str(dossier), NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "--dirty",
        "--dev-addr",
        f"127.0.0.1:{port}",
    ]
    with log.open("wb") as output:
        server = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        page = f"{base}/articles/{FERRY[:-3]}/"
        actor = f"{base}/actors/southland/"
        _wait(lambda: _get(page)[0] == 200, 300, "first build", server, log)
        time.sleep(1.0)  # let the watcher take its first look
        text = log.read_text()
        rebuilds, reloads = text.count("Detected file changes"), text.count("Reloading browsers")
        assert "A 'dirty' build is being performed" not in text

        marker = f"Marker{uuid.uuid4().hex[:10]}"
        append(dossier / "articles" / FERRY, f"Southland was not invited, {marker} said.")
        _wait(lambda: marker in _get(page)[1], 120, "the edit on the article page", server, log)
        assert marker in _get(actor)[1]  # the actor it newly names lists the sentence

        time.sleep(4.0)  # a reload loop would rebuild again within this
        text = log.read_text()
        assert text.count("Detected file changes") == rebuilds + 1
        assert text.count("Reloading browsers") == reloads + 1
        assert "Traceback" not in text and "ERROR" not in text
    finally:
        try:
            os.killpg(server.pid, signal.SIGINT)  # mkdocs serve cleans up on Ctrl-C
            server.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    assert sessions(server.pid) == set(), "mkdocs serve left its page folder behind"
