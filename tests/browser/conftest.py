"""Fixtures for the tests of the site as readers meet it: in a real browser, over HTTP.

- ``chromium``: Debian's ``/usr/bin/chromium`` (``make browser`` installs it when root).
  Missing, the browser tests are skipped and say why; under ``CI=true`` they fail instead.
- ``site_url``: the bundled site (``bundled_site``) served over HTTP on 127.0.0.1, a free
  port, once per session; the server process is stopped at the end.
- ``browser``: one headless chromium per session, driven by Playwright.
- ``context`` / ``page``: a fresh browser context per test (1280x900, light scheme) in which
  every request is recorded and any request leaving 127.0.0.1 is aborted: ``requests_seen``.
- ``screenshots``: the ``screenshots`` module (also run by ``make screenshots``).

Shared code lives in ``harness.py`` and ``screenshots.py`` next to this file, importable by
name because this folder is put on ``sys.path`` (the tests run in importlib mode).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness  # noqa: E402
import screenshots as screenshots_module  # noqa: E402

UNDER_CI = os.environ.get("CI", "").strip().lower() == "true"


def _unavailable(reason: str) -> None:
    """Skip, or fail under CI=true: CI must never pass by skipping the browser tests."""
    if UNDER_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not (harness.CHROMIUM.is_file() and os.access(harness.CHROMIUM, os.X_OK)):
        _unavailable(
            f"no browser: {harness.CHROMIUM} is missing; install Debian's chromium "
            "(`make browser` does it with apt-get when run as root)"
        )
    return harness.CHROMIUM


@pytest.fixture(scope="session")
def site_url(bundled_site: Path) -> Iterator[str]:
    """Base URL (ending in "/") of the bundled site, served on 127.0.0.1."""
    with harness.serve(bundled_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: Path):
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            instance = harness.launch(playwright)
        except Error as error:
            _unavailable(f"{chromium} does not start: {str(error).splitlines()[0]}")
        yield instance
        instance.close()


@pytest.fixture
def requests_seen() -> harness.RequestLog:
    return harness.RequestLog()


@pytest.fixture
def context(browser, site_url: str, requests_seen: harness.RequestLog):
    instance = browser.new_context(**harness.CONTEXT_OPTIONS)
    harness.close_network(instance, requests_seen)
    instance.set_default_timeout(10_000)
    yield instance
    instance.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots():
    return screenshots_module
