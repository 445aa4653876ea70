"""Fixtures for the spine's unit tests, built on the shared ``make_dossier``.

- ``article``: the text of one article file (front matter + body) from keyword values.
- ``validated``: writes a dossier with ``make_dossier``, loads and validates it, and returns
  ``(Dossier, Index)``; it fails the test if the fixture dossier itself has an error.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import pytest

from build_scripts.link import Index, build_index
from build_scripts.load import load
from build_scripts.model import Dossier
from build_scripts.validate import validate


def article_text(
    body: str,
    *,
    title: str = "A test article",
    kind: str = "news",
    author: str = "Test Writer",
    date: str = "2021-06-14",
    publication: str = "Example Gazette",
    tags: tuple[str, ...] = ("Ferries",),
    **extra: object,
) -> str:
    """One article file; its body is exactly ``body``. Text values are JSON strings (valid YAML)."""
    fields: dict[str, object] = {
        "title": title,
        "kind": kind,
        "author": author,
        "date": date,
        "publication": publication,
        "tags": list(tags),
        **extra,
    }
    lines = ["---"]
    for key, value in fields.items():
        if key == "date":
            lines.append(f"date: {value}")
        elif isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines += ["---", body]
    return "\n".join(lines) + "\n"


@pytest.fixture
def article() -> Callable[..., str]:
    return article_text


@pytest.fixture
def validated(make_dossier: Callable[..., object]) -> Callable[..., tuple[Dossier, Index]]:
    names = (f"dossier-{n}" for n in itertools.count())

    def make(articles: dict[str, str] | None = None, **registries: str) -> tuple[Dossier, Index]:
        root = make_dossier(articles, name=next(names), **registries)
        dossier, problems = validate(load(root))
        errors = [str(p) for p in problems if p.severity == "error"]
        assert not errors, "the test's own dossier is invalid:\n" + "\n".join(errors)
        return dossier, build_index(dossier)

    return make
