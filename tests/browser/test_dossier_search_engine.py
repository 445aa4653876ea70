"""The search worker's engine for the dossier index, in Debian's chromium, on an index written
for the purpose with build_scripts/textindex.py (its pages, Postings, write_fragment,
write_index) in shards of a few terms each, so that words fall in different shards.

A bare page starts docs/assets/javascripts/dossier-search-worker.js with ``?index=`` and
speaks Material's protocol to it (SETUP 0 -> READY 1, QUERY 2 -> RESULT 3). Its results
are compared with BM25 as the worker's comment and the index format describe it
(``reference``): every query word required, the word's exact term and the terms it starts,
which count half, in at most three shards, a light stem, ties by document number, ten pages.
The worker's words are compared with Python's ``textindex.terms``, which wrote the index.
"""

from __future__ import annotations

import base64
import json
import math
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import harness
import pytest
from playwright.sync_api import Page

from build_scripts import search as search_backend
from build_scripts import textindex

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "docs" / search_backend.WORKER
INDEX = f"{textindex.FOLDER}/"
SETUP, READY, QUERY, RESULT = 0, 1, 2, 3
K1, B = 1.2, 0.75
MAX_PAGES = 10
MAX_PREFIX_SHARDS = 3
PREFIX_FACTOR = 0.5
SHARD_BYTES = 96  # a few terms a shard

# The page that talks to the worker: send(type, data) -> the worker's answer.
PAGE = f"""<!doctype html>
<meta charset="utf-8">
<title>dossier search worker</title>
<script>
  const worker = new Worker("{search_backend.WORKER}?index={INDEX}");
  const waiting = [];
  worker.addEventListener("message", (event) => waiting.shift()?.(event.data));
  window.send = (type, data) =>
    new Promise((resolve) => {{
      waiting.push(resolve);
      worker.postMessage({{ type, data }});
    }});
</script>
"""

# Words of the pages. "pre" starts enough terms to fill more than three shards; "﨎" (U+FA0E)
# comes after "𠀀" (U+20000) in UTF-16, as JavaScript compares, before it in code points.
COMMON = ["alpha", "beta", "gamma", "delta", "epsilon", "Iraq", "forces"]
PREFIXED = [f"pre{i:03d}" for i in range(40)]
STEMMED = ["attack", "attacks", "attacked", "attacking", "attacker", "ab", "abacus"]
FOLDED = ["Café", "naïve", "İstanbul", "Ἀθῆναι", "ﬁnance", "﨎", "𠀀"]


def corpus() -> list[tuple[str, str, str]]:
    """(url, title, content HTML) of each page, the same every run."""
    rng = random.Random(2020)
    pages = []
    for n in range(44):
        title = f"Page {n} {rng.choice(COMMON)}"
        words = [
            *rng.choices(COMMON, k=rng.randrange(1, 40)),
            *rng.sample(PREFIXED, k=3),
            *rng.sample(STEMMED, k=rng.randrange(0, 3)),
            *rng.sample(FOLDED, k=rng.randrange(0, 2)),
        ]
        rng.shuffle(words)
        text = " ".join(words)
        body = f'<h1 id="top">{title}</h1><p>{text}</p><h2 id="more">More</h2><p>{text[:40]}</p>'
        pages.append((f"/p/{n}/", title, body))
    # Twins: the same score, in the order of their numbers.
    for n in (44, 45):
        pages.append((f"/p/{n}/", "Twin page", '<h1 id="twin">Twin page</h1><p>twin words</p>'))
    return pages


@pytest.fixture(scope="module")
def engine_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("dossier-engine")
    folder = site / textindex.FOLDER
    postings = textindex.Postings()
    pages = corpus()
    (folder / textindex.FRAGMENTS).mkdir(parents=True)
    for number, (url, title, body) in enumerate(pages):
        document = textindex.page_document(body, url, title)
        textindex.write_fragment(folder, number, document)
        postings.add(number, document, boost=2.0 if number % 7 == 0 else 1.0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textindex, "SHARD_BYTES", SHARD_BYTES)
        textindex.write_index(postings, len(pages), folder)
    (site / "assets" / "javascripts").mkdir(parents=True)
    shutil.copy(WORKER, site / search_backend.WORKER)
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def site_url(engine_site: Path) -> Iterator[str]:
    """This module's site (conftest's ``context`` and ``page`` open it)."""
    with harness.serve(engine_site) as url:
        yield url


class Index:
    """The written index as the worker reads it."""

    def __init__(self, site: Path) -> None:
        folder = site / textindex.FOLDER
        self.manifest = json.loads((folder / textindex.MANIFEST).read_text(encoding="utf-8"))
        self.firsts: list[str] = self.manifest["shards"]
        self.shards = [
            textindex.read_shard((folder / textindex.SHARDS / f"{k}.bin").read_bytes())
            for k in range(len(self.firsts))
        ]
        self.lengths = [2 ** (b / 15) - 1 for b in base64.b64decode(self.manifest["lengths"])]
        self.urls = {n: page["url"] for n, page in textindex.fragments(site).items()}

    def shards_for(self, text: str, prefix: bool) -> list[int]:
        """The shard ``text`` falls in, and for a prefix the next ones it starts (at most
        three). Terms compare as JavaScript compares strings: by UTF-16 code units."""
        key = utf16(text)
        own = max((k for k, first in enumerate(self.firsts) if utf16(first) <= key), default=-1)
        found = [own] if own >= 0 else []
        if prefix:
            k = own + 1
            while k < len(self.firsts) and self.firsts[k].startswith(text):
                if len(found) == MAX_PREFIX_SHARDS:
                    break
                found.append(k)
                k += 1
        return found


def utf16(text: str) -> bytes:
    return text.encode("utf-16-be")


def lookups(word: str) -> list[tuple[str, bool]]:
    """(text, prefix): the word, the word's start from 3 letters, its stem from 5."""
    found = [(word, False)]
    if len(word) >= 3:
        found.append((word, True))
    if len(word) >= 5:
        for ending in ("ing", "es", "ed", "ly", "s"):
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                found.append((word[: -len(ending)], True))
                break
    return found


def reference(index: Index, query: str) -> list[tuple[str, float]]:
    """The best pages for ``query`` (URL, BM25 score), as the worker's comment says."""
    documents = index.manifest["documents"]
    average = index.manifest["average_length"]
    per_word = []
    for word in dict.fromkeys(textindex.terms(query)):
        matched = {}
        for text, prefix in lookups(word):
            for k in index.shards_for(text, prefix):
                for term, postings in index.shards[k].items():
                    if term.startswith(text) if prefix else term == text:
                        matched[term] = (postings, 1.0 if term == word else PREFIX_FACTOR)

        def bm25(tf: int, df: int, document: int) -> float:
            idf = math.log(1 + (documents - df + 0.5) / (df + 0.5))
            norm = 1 - B + B * index.lengths[document] / average
            return idf * tf * (K1 + 1) / (tf + K1 * norm)

        best: dict[int, float] = {}
        started: dict[int, int] = {}  # the terms the word only starts, as one term
        for postings, factor in matched.values():
            for document, tf in postings:
                if factor == 1.0:
                    best[document] = bm25(tf, len(postings), document)
                else:
                    started[document] = started.get(document, 0) + tf
        for document, tf in started.items():
            score = PREFIX_FACTOR * bm25(tf, len(started), document)
            best[document] = max(best.get(document, 0.0), score)
        per_word.append(best)
    if not per_word:
        return []
    found = set.intersection(*(set(scores) for scores in per_word))
    ranked = sorted(found, key=lambda d: (-sum(scores[d] for scores in per_word), d))
    return [
        (index.urls[d].lstrip("/"), sum(scores[d] for scores in per_word))
        for d in ranked[:MAX_PAGES]
    ]


def open_worker(page: Page, site_url: str) -> None:
    page.goto(site_url)
    answer = page.evaluate("() => send(0, {config: {}, docs: [], options: {suggest: true}})")
    assert answer == {"type": READY}


def ask(page: Page, query: str) -> dict:
    answer = page.evaluate("(query) => send(2, query)", query)
    assert answer["type"] == RESULT
    return answer["data"]


def ranked(data: dict) -> list[tuple[str, float]]:
    """Each result group's page and score (its best item scores as the page)."""
    pages = []
    for group in data["items"]:
        (page,) = [item for item in group if "#" not in item["location"]]
        pages.append((page["location"], max(item["score"] for item in group)))
    return pages


@pytest.fixture(scope="module")
def index(engine_site: Path) -> Index:
    found = Index(engine_site)
    # What the queries below need of the index to mean anything.
    assert len(found.firsts) > 10
    assert len(found.shards_for("pre", prefix=True)) == MAX_PREFIX_SHARDS
    assert sum(first.startswith("pre") for first in found.firsts) > MAX_PREFIX_SHARDS
    assert utf16("𠀀") < utf16("﨎") and "﨎" < "𠀀"
    return found


@pytest.mark.parametrize(
    "query",
    [
        "alpha",  # more than ten pages
        "Alpha beta",  # every word required
        "gamma epsilon delta",
        "forces iraq",
        "finance gamma",  # some of the pages of each
        "pre000 pre006",
        "pre005 pre012",  # none
        "attacks",  # the word, the terms it starts, its stem's
        "attacking",
        "attack",
        "ab",  # two letters: that word only
        "pre",  # starts terms of more than three shards: the first three are read
        "pre01",
        "pre039 alpha",
        "CAFÉ",  # the index's words have no accents
        "Cafe\u0301",
        "İSTANBUL",
        "αθηναι",
        "finance",
        "﨎",  # terms in UTF-16 order
        "𠀀",
        "twin",  # the same score: by number
        "zqxwvyk",
        "alpha zqxwvyk",
        "-- __ !",
    ],
)
def test_results_rank_as_bm25(page: Page, site_url: str, index: Index, query: str) -> None:
    open_worker(page, site_url)
    expected = reference(index, query)
    found = ranked(ask(page, query))
    assert [url for url, _ in found] == [url for url, _ in expected]
    assert [score for _, score in found] == pytest.approx([score for _, score in expected])


def test_the_queries_above_are_not_all_alike(index: Index) -> None:
    assert len(reference(index, "alpha")) == MAX_PAGES
    assert [url for url, _ in reference(index, "twin")] == ["p/44/", "p/45/"]
    assert reference(index, "ab") != reference(index, "abacus") != []
    assert reference(index, "pre") != []
    assert reference(index, "cafe") == reference(index, "CAFÉ") != []
    assert reference(index, "alpha zqxwvyk") == reference(index, "-- __ !") == []
    assert 0 < len(reference(index, "finance gamma")) < len(reference(index, "finance"))
    assert reference(index, "pre005 pre012") == [] != reference(index, "pre005")


def test_a_prefix_reads_at_most_three_shards(
    page: Page, site_url: str, index: Index, requests_seen
) -> None:
    open_worker(page, site_url)
    assert ask(page, "pre")["items"]
    shards = [url for url in requests_seen.urls if f"/{INDEX}{textindex.SHARDS}/" in url]
    expected = [f"{site_url}{INDEX}t/{k}.bin" for k in index.shards_for("pre", prefix=True)]
    assert sorted(shards) == sorted(expected)
    fragments = [url for url in requests_seen.urls if f"/{INDEX}{textindex.FRAGMENTS}/" in url]
    assert len(fragments) == MAX_PAGES


@pytest.mark.parametrize(("query", "term"), [("cafe", "cafe"), ("CAF\u00c9", "caf\u00e9")])
def test_accents_are_found_and_marked(page: Page, site_url: str, query: str, term: str) -> None:
    open_worker(page, site_url)
    data = ask(page, query)
    assert data["items"]
    for group in data["items"]:
        (item,) = [item for item in group if "#" not in item["location"]]
        # Found in the page: not listed by Material as missing, marked as written.
        assert item["terms"] == {term: True}
        assert "<mark>Café</mark>" in item["text"]


# Strings whose words the worker must cut as textindex.terms does.
TRICKY = [
    "Café crème brûlée",
    "Cafe\u0301 cre\u0300me bru\u0302le\u0301e",  # decomposed
    "½ cup, 3½ km, x² H₂O ①",
    "ﬁnance ﬂow ﬀ",
    "Ἀθῆναι ΟΔΟΣ Σίσυφος ὁδός",
    "東京都の人口 北京 서울 ﾃﾞｰﾀ",
    "İstanbul ISTANBUL ıstanbul",
    "snake_case __init__ a_b",
    "don't l’état rock'n'roll O'Neill",
    "Iran—Iraq 2019–2020 well-known",
    "Straße STRASSE ẞ",
    "ǅemal Ⅻ Ǆ",
    "Ñandú ñandu Ångström Øresund Łódź",
    "﨎 𠀀 𝐀𝐁𝐂 😀 a\u200bb soft\u00adhyphen",
    "",
    # Marks without a combining class (Arabic vowel signs, Hebrew points, Devanagari and Thai
    # vowel signs) and symbols whose compatibility form has letters.
    "كَتَبَ",
    "שָׁלוֹם",
    "हिन्दी",
    "ที่นี่",
    "Brand™ 20℃ 5㎞",
]


@pytest.fixture(scope="module")
def worker_terms(browser, site_url: str):
    """The worker's own words function, run in chromium: its source evaluated in a page."""
    context = browser.new_context(**harness.CONTEXT_OPTIONS)
    harness.close_network(context, harness.RequestLog())
    page = context.new_page()
    page.goto(site_url)
    page.evaluate(
        """async (path) => {
            const source = await (await fetch(path)).text();
            window.workerTerms = new Function(`${source}\\nreturn indexTerms;`)();
        }""",
        search_backend.WORKER,
    )
    yield lambda text: page.evaluate("(text) => workerTerms(text)", text)
    context.close()


@pytest.mark.parametrize("text", TRICKY)
def test_the_worker_cuts_words_as_the_index_does(worker_terms, text: str) -> None:
    assert worker_terms(text) == textindex.terms(text)
