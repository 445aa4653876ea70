"""Fixtures shared by every test folder.

- ``repo``: the repository root.
- ``make_dossier``: writes a small dossier folder (articles, actors.yml, topics.yml) under
  tmp_path; tests pass only what their one behaviour needs.
- ``build_site``: runs ``mkdocs build --strict`` for a dossier into a folder and returns the
  completed process (stdout/stderr kept for assertions).
- ``bundled_site``: the bundled dossier built once per test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The smallest valid dossier (two actors, one topic, one article); tests start from it.
MINIMAL = REPO / "tests" / "fixtures" / "dossiers" / "minimal"
MINIMAL_ACTORS = (MINIMAL / "actors.yml").read_text(encoding="utf-8")
MINIMAL_TOPICS = (MINIMAL / "topics.yml").read_text(encoding="utf-8")
MINIMAL_ARTICLE = (MINIMAL / "articles" / "2021-06-14-northland-opens-a-ferry-line.md").read_text(
    encoding="utf-8"
)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture
def make_dossier(tmp_path: Path) -> Callable[..., Path]:
    """make_dossier(articles={name: text}, actors=yaml, topics=yaml) -> dossier folder.

    ``articles`` defaults to one valid article; pass ``actors=None`` / ``topics=None`` to leave
    a registry out. Text is dedented, so tests can indent it.
    """

    def make(
        articles: dict[str, str | bytes] | None = None,
        actors: str | None = MINIMAL_ACTORS,
        topics: str | None = MINIMAL_TOPICS,
        name: str = "dossier",
    ) -> Path:
        root = tmp_path / name
        (root / "articles").mkdir(parents=True)
        if articles is None:
            articles = {"2021-06-14-northland-opens-a-ferry-line.md": MINIMAL_ARTICLE}
        for filename, text in articles.items():
            target = root / "articles" / filename
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_text(textwrap.dedent(text), encoding="utf-8")
        if actors is not None:
            (root / "actors.yml").write_text(textwrap.dedent(actors), encoding="utf-8")
        if topics is not None:
            (root / "topics.yml").write_text(textwrap.dedent(topics), encoding="utf-8")
        return root

    return make


def _build(
    dossier: Path | None, site_dir: Path, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env_extra or {}))
    if dossier is not None:
        env["DOSSIER_DIR"] = str(dossier)
    else:
        env.pop("DOSSIER_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def build_site() -> Callable[..., subprocess.CompletedProcess[str]]:
    """build_site(dossier_or_None, site_dir, env_extra=None): ``mkdocs build --strict`` of the
    repo's config, with ``env_extra`` added to the environment."""
    return _build


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dossier, built once with ``mkdocs build --strict``."""
    site = tmp_path_factory.mktemp("bundled") / "site"
    result = _build(None, site)
    assert result.returncode == 0, result.stderr
    return site
