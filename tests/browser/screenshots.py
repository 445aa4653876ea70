"""Screenshots of the site's main pages, for the tests and for the README.

``take_screenshots`` is the one function both use: the browser tests save the home, article,
actor and topic pages under ``test-output/screenshots/``; run as a script (``make
screenshots``) it builds the bundled dossier, serves it on 127.0.0.1 and refreshes the
README's image, ``docs/assets/screenshots/actor-page.png`` (the Popular Mobilization Forces
actor page in a 1280x900 window, light scheme).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import harness

REPO = Path(__file__).resolve().parents[2]
MAIN_PAGES = ("home", "article", "actor", "topic")
README_PAGE = "actor"
README_DIR = REPO / "docs" / "assets" / "screenshots"


def screenshot_name(page_name: str) -> str:
    return f"{page_name}-page.png"


README_IMAGE = README_DIR / screenshot_name(README_PAGE)  # actor-page.png


def take_screenshots(
    browser, base_url: str, out_dir: Path, names: Iterable[str] = MAIN_PAGES
) -> dict[str, Path]:
    """Save a window-sized PNG of each named page (see ``harness.PAGES``) into ``out_dir``.

    The pages load with the network closed beyond 127.0.0.1, animations stopped and the text
    caret hidden, so the same site gives the same pictures.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(**harness.CONTEXT_OPTIONS)
    harness.close_network(context, harness.RequestLog())
    saved: dict[str, Path] = {}
    try:
        page = context.new_page()
        for name in names:
            page.goto(base_url + harness.PAGES[name], wait_until="load")
            target = out_dir / screenshot_name(name)
            page.screenshot(path=str(target), animations="disabled", caret="hide")
            saved[name] = target
    finally:
        context.close()
    return saved


def build_bundled_site(site_dir: Path) -> None:
    """``mkdocs build --strict`` of the bundled dossier, as the tests' ``bundled_site`` does."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("DOSSIER_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", site_dir],
        cwd=REPO,
        env=env,
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--all",
        metavar="DIR",
        type=Path,
        help=f"save every main page ({', '.join(MAIN_PAGES)}) into DIR instead",
    )
    args = parser.parse_args(argv)
    if not harness.CHROMIUM.is_file():
        print(f"{harness.CHROMIUM} is missing: run `make browser` as root", file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dossier-screenshots-") as tmp:
        site = Path(tmp) / "site"
        build_bundled_site(site)
        with harness.serve(site) as url, sync_playwright() as playwright:
            browser = harness.launch(playwright)
            try:
                if args.all:
                    saved = take_screenshots(browser, url, args.all)
                else:
                    saved = take_screenshots(browser, url, README_DIR, [README_PAGE])
            finally:
                browser.close()
    for path in saved.values():
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(f"wrote {shown} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
