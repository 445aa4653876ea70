"""The patterned "Cite this" reference must be exactly what citeproc-py makes."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from build_scripts import exports
from build_scripts.pipeline import run

ROOT = Path(__file__).resolve().parents[2]
DOSSIERS = [
    "dossier",
    *(f"tests/fixtures/dossiers/{name}" for name in ("exports", "hostile", "related")),
]


def _articles():
    for folder in DOSSIERS:
        outcome = run(ROOT / folder)
        assert outcome.errors == ()
        yield from outcome.dossier.articles


def _variants(article):
    """The same article with the fields citeproc might treat specially."""
    for title in ("Why ferries?", "A “quoted” word", "Ends with a dot.", "Plain — dash 40%"):
        yield dataclasses.replace(article, title=title)
    yield dataclasses.replace(article, author="O'Brien & Søn", url="https://example.org/a?b=1")
    yield dataclasses.replace(article, date=datetime.date(2019, 12, 31), publication="Le Monde")


@pytest.mark.parametrize("article", [a for base in _articles() for a in (base, *_variants(base))])
def test_pattern_agrees_with_citeproc(article) -> None:
    patterned = exports._patterned_reference(article)
    expected = exports.citeproc_reference(article)
    assert exports.formatted_reference(article) == expected
    if patterned is not None:
        assert patterned == expected


def test_pattern_is_used_for_ordinary_articles() -> None:
    (seed,) = run(ROOT / "dossier").dossier.articles
    assert exports._patterned_reference(seed) is not None
