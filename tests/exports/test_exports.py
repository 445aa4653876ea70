"""Exports: CSL-JSON, BibTeX, the "Cite this" block, the Atom feed and dossier.json.

Run on the bundled seed article, on the fictional multi-article dossier in
``tests/fixtures/dossiers/exports/`` and on the hostile fixture, straight from
``exports.pages`` (no site build).
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import jsonschema
import markdown
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from build_scripts import exports
from build_scripts.pipeline import Outcome, run

REPO = Path(__file__).resolve().parent.parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "dossiers" / "exports"
HOSTILE = REPO / "tests" / "fixtures" / "dossiers" / "hostile"
SEED = "2020-04-03-us-said-to-be-planning-attacks-on-iranian-supported-iraq-militias"
SITE = "https://dossier.example.org/sub/"
ATOM = "{http://www.w3.org/2005/Atom}"
OUTPUTS = {
    "bibliography.bib",
    "bibliography.json",
    "dossier.json",
    "dossier.schema.json",
    "feed.xml",
}
# Every character BibTeX or LaTeX treats specially, and some that TeX turns into ligatures.
HOSTILE_TITLES = [
    "Budget {draft} cuts 40% & #harbour_fund \\ reserve",
    "{",
    "}",
    "}{",
    "\\",
    "Ends with a backslash \\",
    "a\\}b\\{c",
    "\\textbf{not bold} \\\\ $x$ ~ 100%",
    "Straight \"double\" and 'single' quotes -- and --- dashes, `` and '' too",
    "@comment{not a comment}, = and , commas",
    "Accents: é, Ü, ø; curly “quotes” ‘here’ — and 中文",
]


def _run(root: Path) -> Outcome:
    outcome = run(root)
    assert not outcome.errors, [str(p) for p in outcome.errors]
    assert outcome.dossier is not None and outcome.index is not None
    return outcome


@pytest.fixture(scope="module")
def seed() -> Outcome:
    return _run(REPO / "dossier")


@pytest.fixture(scope="module")
def fixture() -> Outcome:
    return _run(FIXTURE)


@pytest.fixture(scope="module")
def hostile() -> Outcome:
    return _run(HOSTILE)


def outputs(outcome: Outcome) -> dict[str, str]:
    assert outcome.dossier is not None and outcome.index is not None
    return {page.path: page.text for page in exports.pages(outcome.dossier, outcome.index, SITE)}


def decode_bibtex(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return library


# --- the seed article ----------------------------------------------------------------------


def test_seed_csl_item(seed: Outcome) -> None:
    article = seed.index.articles_by_slug[SEED]
    assert exports.csl_item(article, seed.index) == {
        "id": SEED,
        "type": "article-newspaper",
        "title": "US said to be planning attacks on Iranian-supported Iraq militias",
        "author": [{"literal": "Ken Hanly"}],
        "container-title": "Digital Journal",
        "section": "World",
        "issued": {"date-parts": [[2020, 4, 3]]},
        "genre": "Op-ed",
    }  # no URL: the seed does not record one


def test_seed_formatted_reference(seed: Outcome) -> None:
    reference = exports.formatted_reference(seed.index.articles_by_slug[SEED])
    assert reference == (
        "Ken Hanly (2020) ‘US said to be planning attacks on Iranian-supported Iraq militias’, "
        "Digital Journal, 3 April."
    )


def test_seed_bibtex(seed: Outcome) -> None:
    entry = exports.bibtex_entry(seed.index.articles_by_slug[SEED])
    assert entry.startswith(f"@article{{{SEED},\n")
    (parsed,) = decode_bibtex(entry).entries
    assert parsed.key == SEED
    assert parsed["author"] == "Ken Hanly"
    assert parsed["title"] == "US said to be planning attacks on Iranian-supported Iraq militias"
    assert parsed["journaltitle"] == parsed["journal"] == "Digital Journal"
    assert (parsed["date"], parsed["year"], parsed["note"]) == ("2020-04-03", "2020", "Op-ed")
    assert "url" not in parsed
    # The byline is one literal name, the title protected from case changes.
    assert "author = {{Ken Hanly}}" in entry
    assert "title = {{US said" in entry


def test_seed_dossier_json_quotes_and_events(seed: Outcome) -> None:
    data = json.loads(outputs(seed)["dossier.json"])
    (article,) = data["articles"]
    assert article["slug"] == SEED
    assert article["kind"] == "op-ed" and article["url"] is None and article["section"] == "World"
    bagheri = [q for q in article["quotes"] if q["speaker"] == "mohammad-hossein-bagheri"]
    assert [q["text"] for q in bagheri] == [
        "closely monitoring the activities and moves of Americans",
        "fiercest reactions",
    ]
    assert {
        "date": "2020-01",
        "precision": "month",
        "wording": "In early January",
        "summary": "The Iraq parliament votes 172 to 0 in favor of all foreign troops "
        "withdrawing from Iraq.",
        "actors": ["iraqi-parliament", "iraq"],
    } in article["events"]
    named = {actor["id"]: actor["mentions"] for actor in article["actors"]}
    assert "mohammad-hossein-bagheri" in named
    first = named["mohammad-hossein-bagheri"][0]
    assert article["body"][first["offset"] : first["end"]] == first["text"]
    assert "Mohammad Hossein Bagheri" in first["text"]


def test_seed_feed(seed: Outcome) -> None:
    root = ET.fromstring(outputs(seed)["feed.xml"])
    (entry,) = root.findall(f"{ATOM}entry")
    url = f"{SITE}articles/{SEED}/"
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.find(f"{ATOM}link").get("href") == url
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ken Hanly"
    assert root.findtext(f"{ATOM}updated") == "2020-04-03T00:00:00Z"
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert terms[-1] == "op-ed"
    assert terms[:-1] == list(seed.index.articles_by_slug[SEED].topics)


# --- every dossier -------------------------------------------------------------------------


@pytest.fixture(params=["seed", "fixture", "hostile"])
def outcome(request: pytest.FixtureRequest) -> Outcome:
    return request.getfixturevalue(request.param)


def test_pages_are_the_data_files(outcome: Outcome) -> None:
    pages = exports.pages(outcome.dossier, outcome.index, SITE)
    assert [p.path for p in pages] == sorted(OUTPUTS)
    assert all(p.source == "" and p.text.endswith("\n") for p in pages)
    by_path = {p.path: p.text for p in pages}
    assert json.loads(by_path["dossier.schema.json"]) == exports.DOSSIER_SCHEMA
    assert by_path["dossier.schema.json"] == exports.schema_json()


def test_dossier_json_validates_against_its_schema(outcome: Outcome) -> None:
    jsonschema.Draft202012Validator.check_schema(exports.DOSSIER_SCHEMA)
    text = outputs(outcome)["dossier.json"]
    data = json.loads(text)
    validator = jsonschema.Draft202012Validator(
        exports.DOSSIER_SCHEMA, format_checker=jsonschema.FormatChecker()
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert text == compact + "\n"


def test_dossier_json_ids_resolve_and_offsets_hold(outcome: Outcome) -> None:
    data = json.loads(outputs(outcome)["dossier.json"])
    actors = {actor["id"] for actor in data["actors"]}
    topics = {topic["id"] for topic in data["topics"]}
    assert [a["slug"] for a in data["articles"]] == [a.slug for a in outcome.dossier.articles]
    for article in data["articles"]:
        assert set(article["topics"]) <= topics
        assert {q["speaker"] for q in article["quotes"]} <= actors
        assert {a for e in article["events"] for a in e["actors"]} <= actors
        for named in article["actors"]:
            assert named["id"] in actors and named["mentions"]
            for m in named["mentions"]:
                assert article["body"][m["offset"] : m["end"]] == m["text"]
                start = m["sentence_offset"]
                assert m["sentence"][start : start + len(m["text"])] == m["text"]


def test_bibliography_json_loads_in_citeproc(outcome: Outcome) -> None:
    items = json.loads(outputs(outcome)["bibliography.json"])
    assert [item["id"] for item in items] == [a.slug for a in outcome.dossier.articles]
    style = CitationStylesStyle(exports.CSL_STYLE, validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    formatted = [str(entry) for entry in bibliography.bibliography()]
    assert len(formatted) == len(items)
    for article in outcome.dossier.articles:
        assert sum(article.title in entry for entry in formatted) >= 1


def test_bibtex_parses_back_to_the_articles(outcome: Outcome) -> None:
    library = decode_bibtex(outputs(outcome)["bibliography.bib"])
    assert [e.key for e in library.entries] == [a.slug for a in outcome.dossier.articles]
    for entry, article in zip(library.entries, outcome.dossier.articles, strict=True):
        assert entry.entry_type == "article"
        assert entry["title"] == article.title
        assert entry["author"] == article.author
        assert entry["journal"] == entry["journaltitle"] == article.publication
        assert entry["date"] == article.date.isoformat()
        assert ("note" in entry) == article.is_opinion
        assert ("url" in entry) == bool(article.url)


def test_feed_is_atom_newest_first(outcome: Outcome) -> None:
    root = ET.fromstring(outputs(outcome)["feed.xml"].encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    articles = outcome.dossier.articles
    assert len(entries) == min(len(articles), exports.FEED_SIZE)
    dates = [e.findtext(f"{ATOM}published") for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert root.findtext(f"{ATOM}updated") == dates[0]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith(SITE + "articles/") for i in ids)
    by_url = {f"{SITE}articles/{a.slug}/": a for a in articles}
    for entry in entries:
        article = by_url[entry.findtext(f"{ATOM}id")]
        assert entry.findtext(f"{ATOM}title") == article.title
        assert entry.findtext(f"{ATOM}summary") == article.summary
        terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
        assert terms == list(article.topics) + (["op-ed"] if article.is_opinion else [])


def test_cite_block_on_every_article(outcome: Outcome) -> None:
    for article in outcome.dossier.articles:
        block = exports.cite_block(article, outcome.index)
        assert block.startswith('## Cite this\n\n<div class="dossier-cite">\n')
        assert cited_reference(block) == exports.formatted_reference(article)
        converted = markdown.markdown(block, extensions=["toc"])
        code = re.search(r'<code class="language-bibtex">(.*?)</code>', converted, re.S)
        assert code and html.unescape(code.group(1)) == exports.bibtex_entry(article)
        assert '<a href="../../data/">Data and citations</a>.' in converted
        flat = exports.cite_block(article, outcome.index, directory_urls=False)
        assert '<a href="../data.html">Data and citations</a>.' in flat


def cited_reference(block: str) -> str:
    """The reference a "Cite this" block shows, as text."""
    return html.unescape(re.search(r'<div class="dossier-cite">\n<p>(.*?)</p>', block)[1])


def test_exports_are_deterministic(outcome: Outcome) -> None:
    again = _run(Path(outcome.dossier.root))
    assert outputs(again) == outputs(outcome)
    for first, second in zip(outcome.dossier.articles, again.dossier.articles, strict=True):
        assert exports.cite_block(first, outcome.index) == exports.cite_block(second, again.index)


def test_exports_do_not_depend_on_the_process(fixture: Outcome) -> None:
    """Byte-identical in fresh interpreters with different hash seeds."""
    script = (
        "import hashlib, sys\n"
        "from build_scripts import exports\n"
        "from build_scripts.pipeline import run\n"
        "o = run(sys.argv[1])\n"
        "for a in o.dossier.articles:\n"
        "    print(hashlib.sha256(exports.cite_block(a, o.index).encode()).hexdigest())\n"
        "for p in exports.pages(o.dossier, o.index, sys.argv[2]):\n"
        "    print(p.path, hashlib.sha256(p.text.encode()).hexdigest())\n"
    )
    results = [
        subprocess.run(
            [sys.executable, "-c", script, str(FIXTURE), SITE],
            cwd=REPO,
            env=dict(os.environ, PYTHONHASHSEED=seed),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert results[0] == results[1]
    expected = [p.path for p in exports.pages(fixture.dossier, fixture.index, SITE)]
    assert [line.split()[0] for line in results[0].splitlines()[-5:]] == expected


# --- the fictional multi-article dossier ---------------------------------------------------


def test_fixture_has_what_the_tests_need(fixture: Outcome) -> None:
    articles = fixture.dossier.articles
    assert len(articles) >= 3
    assert len({a.publication for a in articles}) >= 2
    assert any(a.is_opinion for a in articles) and not all(a.is_opinion for a in articles)
    assert any(a.quotes for a in articles) and any(a.events for a in articles)


def test_fixture_csl_items(fixture: Outcome) -> None:
    items = {item["id"]: item for item in json.loads(outputs(fixture)["bibliography.json"])}
    for article in fixture.dossier.articles:
        item = items[article.slug]
        assert item["type"] == "article-newspaper"
        assert item["author"] == [{"literal": article.author}]
        assert item["container-title"] == article.publication
        assert item.get("genre") == ("Op-ed" if article.is_opinion else None)
        assert item.get("URL") == (article.url or None)
        assert item.get("section") == (article.section or None)
    accord = items["2022-03-01-calder-and-ostmarch-sign-a-ferry-accord"]
    assert accord["URL"] == "https://example.org/courier/2022/03/01/ferry-accord"
    assert accord["issued"] == {"date-parts": [[2022, 3, 1]]}


def test_fixture_references(fixture: Outcome) -> None:
    by_slug = fixture.index.articles_by_slug
    with_url = exports.formatted_reference(
        by_slug["2022-03-01-calder-and-ostmarch-sign-a-ferry-accord"]
    )
    assert with_url == (
        "Pell Anders (2022) ‘Calder and Ostmarch sign a ferry accord’, The Calder Courier, "
        "1 March. Available at: https://example.org/courier/2022/03/01/ferry-accord."
    )
    # No URL and no section: still a reference.
    opinion = exports.formatted_reference(by_slug["2022-03-05-the-ferry-accord-is-a-mistake"])
    assert opinion == (
        "Orrin Quarrie (2022) ‘The ferry accord is a mistake’, Ostmarch Review, 5 March."
    )


def test_fixture_hostile_title_everywhere(fixture: Outcome) -> None:
    slug = "2022-03-05-budget-draft-cuts-harbour-fund"
    title = "Budget {draft} cuts 40% & #harbour_fund \\ reserve"
    article = fixture.index.articles_by_slug[slug]
    assert article.title == title
    files = outputs(fixture)
    (entry,) = [e for e in decode_bibtex(files["bibliography.bib"]).entries if e.key == slug]
    assert entry["title"] == title
    assert (
        r"\{draft\} cuts 40\% \& \#harbour\_fund {\textbackslash} reserve"
        in (files["bibliography.bib"])
    )
    items = json.loads(files["bibliography.json"])
    assert [i["title"] for i in items if i["id"] == slug] == [title]
    root = ET.fromstring(files["feed.xml"])
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert title in titles
    block = exports.cite_block(article, fixture.index)
    assert cited_reference(block).startswith("Pell Anders (2022) ‘Budget {draft}")


def test_fixture_same_day_articles_keep_the_dossier_order(fixture: Outcome) -> None:
    root = ET.fromstring(outputs(fixture)["feed.xml"])
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == [f"{SITE}articles/{a.slug}/" for a in fixture.dossier.articles]


def test_fixture_dossier_json(fixture: Outcome) -> None:
    data = json.loads(outputs(fixture)["dossier.json"])
    assert data["version"] == exports.SCHEMA_VERSION
    articles = {a["slug"]: a for a in data["articles"]}
    accord = articles["2022-03-01-calder-and-ostmarch-sign-a-ferry-accord"]
    assert accord["quotes"] == [
        {
            "speaker": "tamsin-vell",
            "text": "a timetable both shores can trust",
            "context": "On the accord",
        }
    ]
    assert [(e["date"], e["precision"]) for e in accord["events"]] == [
        ("2022-02-28", "day"),
        ("2021", "year"),
    ]
    assert [a["id"] for a in accord["actors"]][:2] == ["republic-of-calder", "ostmarch"]
    opinion = articles["2022-03-05-the-ferry-accord-is-a-mistake"]
    assert opinion["kind"] == "op-ed" and opinion["disclaimer"].startswith("The views")
    assert opinion["events"][0]["precision"] == "month"
    news = articles["2021-11-20-ostmarch-reopens-the-strait-crossing"]
    assert news["disclaimer"] is None and news["url"] is None and news["section"] is None
    assert news["tags"] == ["Ferry deal"] and news["topics"] == ["ferry-accord"]
    assert [t["id"] for t in data["topics"]] == ["ferry-accord", "harbour-finance"]


# --- BibTeX escaping -----------------------------------------------------------------------


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_bibtex_hostile_title_round_trips(seed: Outcome, title: str) -> None:
    article = dataclasses.replace(
        seed.index.articles_by_slug[SEED],
        title=title,
        author="Jane {Q} O'Neil & Sons, Jr. and Co",
        publication="The 50% Review & #Friends_",
        url="https://example.org/a%20b?x={1}&y=\\z#frag",
    )
    text = exports.bibtex_entry(article)
    (entry,) = decode_bibtex(text).entries
    assert entry["title"] == title
    assert entry["author"] == article.author
    assert entry["journal"] == article.publication
    # URLs are verbatim fields: read without LaTeX decoding, only braces and backslashes differ.
    (raw,) = bibtexparser.parse_string(text).entries
    assert raw["url"] == "https://example.org/a%20b?x=%7B1%7D&y=%5Cz#frag"
    # The citation processor takes the same text as is.
    assert title in exports.formatted_reference(article)


def test_cite_block_keeps_backticks_inside_its_code_block(seed: Outcome) -> None:
    # Text fields come out with TeX's ligatures broken ("`{}`"); URLs are written verbatim.
    article = dataclasses.replace(
        seed.index.articles_by_slug[SEED],
        title="Ticks ``` and ````` and `",
        publication="P`",
        url="https://example.org/````/```",
    )
    block = exports.cite_block(article)
    assert "`{}`{}`" in block
    converted = markdown.markdown(block)
    code = re.search(r'<code class="language-bibtex">(.*?)</code>', converted, re.S)
    assert code and html.unescape(code.group(1)) == exports.bibtex_entry(article)
    assert converted.count("<code") == 1


# --- the feed ------------------------------------------------------------------------------


def test_feed_keeps_the_newest_fifty(make_dossier) -> None:
    first = datetime.date(2021, 1, 1)
    articles = {}
    for n in range(exports.FEED_SIZE + 5):
        day = first + datetime.timedelta(days=3 * n)
        articles[f"{day.isoformat()}-synthetic-article-{n}.md"] = f"""\
            ---
            title: "Synthetic article {n}"
            kind: {"op-ed" if n % 4 == 0 else "news"}
            author: "Test Writer {n % 3}"
            date: {day.isoformat()}
            publication: "Example Gazette"
            disclaimer: "Fictional views."
            tags: ["Ferries"]
            ---

            Synthetic article {n}: Northland opened a ferry line.
            """
    outcome = _run(make_dossier(articles=articles))
    feed = exports.feed(outcome.dossier, outcome.index, "http://127.0.0.1:8000")
    root = ET.fromstring(feed)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == exports.FEED_SIZE
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    newest = exports.FEED_SIZE + 4
    assert titles == [f"Synthetic article {n}" for n in range(newest, 4, -1)]
    newest_day = first + datetime.timedelta(days=3 * newest)
    assert root.findtext(f"{ATOM}updated") == f"{newest_day.isoformat()}T00:00:00Z"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "http://127.0.0.1:8000/feed.xml"
    assert exports.feed(outcome.dossier, outcome.index, "http://127.0.0.1:8000/") == feed


@pytest.mark.parametrize("site_url", ["", "/", "articles/", "ftp://example.org/", "example.org"])
def test_feed_needs_an_absolute_site_url(seed: Outcome, site_url: str) -> None:
    with pytest.raises(ValueError, match="site_url"):
        exports.feed(seed.dossier, seed.index, site_url)


# --- docs/data.md --------------------------------------------------------------------------


def test_data_page_documents_the_schema_and_files(seed: Outcome) -> None:
    page = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([^`]+)`", page))
    schema = exports.DOSSIER_SCHEMA
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition["properties"])
    assert names - documented == set()
    assert OUTPUTS - documented == set()
    opinion = dataclasses.replace(seed.index.articles_by_slug[SEED], url="https://example.org/x")
    assert set(exports.csl_item(opinion)) - documented == set()
    assert f"now `{exports.SCHEMA_VERSION}`" in page
    assert exports.DATA_PAGE == "data.md"


@pytest.mark.parametrize("name", ["fixture", "hostile"])
def test_dossier_json_made_an_article_at_a_time_is_the_whole_data_dumped(name, request) -> None:
    outcome = request.getfixturevalue(name)
    whole = exports._dumps(exports.dossier_data(outcome.dossier, outcome.index)).encode("utf-8")
    assert exports.dossier_json_utf8(outcome.dossier, outcome.index) == whole
    assert json.loads(whole)["articles"]  # the article list is really there
