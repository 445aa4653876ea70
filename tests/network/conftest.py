"""Fixtures for the actor network and related-reading tests.

- ``seed``: the bundled dossier (the US–Iran–Iraq article), validated and linked.
- ``related_fixture``: ``tests/fixtures/dossiers/related`` (six fictional articles about
  made-up places), validated and linked.

``synthetic_index.py`` next to this file builds larger dossiers in memory; it is importable by
name because this folder is put on ``sys.path`` (the tests run in importlib mode).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from build_scripts.link import Index, build_index
from build_scripts.load import load
from build_scripts.model import Dossier
from build_scripts.validate import validate

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

FIXTURES = HERE.parent / "fixtures" / "dossiers"


def _linked(root: Path) -> tuple[Dossier, Index]:
    dossier, problems = validate(load(root))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert not errors, f"the test dossier {root} is invalid:\n" + "\n".join(errors)
    return dossier, build_index(dossier)


@pytest.fixture(scope="session")
def seed(repo: Path) -> tuple[Dossier, Index]:
    return _linked(repo / "dossier")


@pytest.fixture(scope="session")
def related_fixture() -> tuple[Dossier, Index]:
    return _linked(FIXTURES / "related")
