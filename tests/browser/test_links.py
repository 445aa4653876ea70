"""Links: LinkChecker crawls the served site over HTTP and finds nothing broken.

It starts at the home page (and the 404 page, which nothing links to), follows every link
inside the site, checks that each page answers and that each #anchor exists on its page
(the AnchorCheck plugin), and only checks the syntax of addresses outside the site: external
URLs, and the canonical links to the published address (site_url). A second test breaks a
copy of the site on purpose to show the check sees a missing page and missing anchors.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import harness

# The bundled site gives some 160 URLs inside it (30 pages, 6 theme and style files, 120 links
# to headings); fewer would mean the crawl stopped early.
MIN_CHECKED = 100
NOT_FETCHED = {"filtered", "ignored"}  # LinkChecker's result for URLs it only parses

CONFIG = """\
[checking]
threads=4
timeout=20
# The local server answers with a "LinkChecker" header, which lifts the default throttle of
# ~3 requests a second to one host; this is then the limit.
maxrequestspersecond=1000
[filtering]
# Inside the site: everything the local server serves; the rest is parsed, not requested.
internlinks=^{internal}
checkextern=0
[AnchorCheck]
"""


@dataclass
class Crawl:
    rows: list[dict[str, str]]
    base: str
    returncode: int
    stderr: str

    @property
    def local(self) -> list[dict[str, str]]:
        return [row for row in self.rows if row["url"].startswith(self.base)]

    @property
    def broken(self) -> list[str]:
        return [f"{r['url']} ({r['result']}) linked from {r['parentname']}" for r in self.invalid]

    @property
    def invalid(self) -> list[dict[str, str]]:
        return [row for row in self.rows if row["valid"] != "True"]

    @property
    def missing_anchors(self) -> list[str]:
        return [
            f"{row['url']} linked from {row['parentname']}"
            for row in self.rows
            if "Anchor `" in (row["warningstring"] or "")
        ]


def run_linkchecker(base_url: str, start: list[str], depth: int = -1) -> Crawl:
    """Crawl from the ``start`` URLs (relative to ``base_url``) ``depth`` links deep (-1: all)."""
    # LinkChecker run as root drops to the user "nobody", who must be able to read the config.
    with tempfile.TemporaryDirectory(prefix="dossier-linkcheck-") as folder:
        os.chmod(folder, 0o755)
        config = Path(folder) / "linkcheckerrc"
        config.write_text(CONFIG.format(internal=re.escape(base_url)), encoding="utf-8")
        os.chmod(config, 0o644)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "linkcheck",
                "--config",
                str(config),
                "--no-status",
                "--verbose",  # log every URL, not only the failures: we count them
                "--output",
                "csv/utf-8",
                "--recursion-level",
                str(depth),
                *(base_url + path for path in start),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=folder,
            env=dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="en"),  # messages parsed below
        )
    # Code 1 means broken links were found (reported below); anything else is a crash.
    assert result.returncode in (0, 1), result.stderr
    table = result.stdout[result.stdout.index("urlname;") :]
    rows = [
        row
        for row in csv.DictReader(io.StringIO(table), delimiter=";")
        if row.get("result") is not None  # the closing "# Stopped checking ..." comment
    ]
    return Crawl(rows, base_url, result.returncode, result.stderr)


def test_no_broken_link_or_anchor(site_url: str, bundled_site: Path) -> None:
    # Nothing links to the 404 page: it is a start of its own.
    crawl = run_linkchecker(site_url, ["", "404.html"])
    assert crawl.broken == [], "broken links:\n" + "\n".join(crawl.broken)
    assert crawl.missing_anchors == [], "missing anchors:\n" + "\n".join(crawl.missing_anchors)
    assert crawl.returncode == 0, crawl.stderr

    checked = {row["url"] for row in crawl.local}
    assert len(checked) > MIN_CHECKED, f"only {len(checked)} URLs checked"
    assert sum("#" in url for url in checked) > MIN_CHECKED / 2, "few anchors checked"
    # Links from the home page lead to every article, actor and topic page and the main pages.
    pages = {site_url + path for path in harness.PAGES.values()}
    for folder in ("articles", "actors", "topics"):
        for page in (bundled_site / folder).glob("*/index.html"):
            pages.add(f"{site_url}{folder}/{page.parent.name}/")
    assert sorted(pages - checked) == [], "pages no link leads to"
    # Nothing outside the served site was fetched: external URLs are parsed, not requested.
    fetched_elsewhere = [
        row["url"]
        for row in crawl.rows
        if not row["url"].startswith(site_url) and row["result"] not in NOT_FETCHED
    ]
    assert fetched_elsewhere == []


def test_the_check_sees_broken_links(bundled_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(bundled_site, site)
    article = site / harness.PAGES["article"] / "index.html"
    broken = (
        '<p><a href="../../actors/nobody/">missing page</a> '
        '<a href="../../actors/iran/#no-such-heading">missing anchor</a> '
        '<a href="#nor-this-one">missing anchor here</a></p>'
    )
    html = article.read_text(encoding="utf-8")
    article.write_text(html.replace("</article>", broken + "</article>", 1), encoding="utf-8")

    with harness.serve(site) as url:
        crawl = run_linkchecker(url, [harness.PAGES["article"]], depth=1)
    assert crawl.returncode == 1
    assert [row["url"] for row in crawl.invalid] == [url + "actors/nobody/"]
    missing = sorted(row.split(" ")[0] for row in crawl.missing_anchors)
    assert missing == [
        url + "actors/iran/#no-such-heading",
        url + harness.PAGES["article"] + "#nor-this-one",
    ]
