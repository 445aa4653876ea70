"""The dossier search index's parts (build_scripts/textindex.py): a page's document from its
HTML, the words, the postings of two processes merged, and the files a browser reads."""

from __future__ import annotations

import base64
import json
import random

from build_scripts import textindex
from build_scripts.render import LISTING_CLASS

PAGE = f"""<h1 id="the-ferry">The <em>ferry</em> line<a class="headerlink" href="#the-ferry" \
title="Permanent link">&para;</a></h1>
<p>Northland&#x27;s ferry <a href="../x/">Ada Quill</a> opened the line &amp; the quay.</p>
<h2 id="cite-this">Cite this<a class="headerlink" href="#cite-this" \
title="Permanent link">¶</a></h2>
<p>Writer (2021) The ferry line.</p>
<pre><code class="language-bibtex">@article{{ferry, journaltitle = {{Gazette}}}}
</code></pre>
<h2 id="actors">Actors named</h2>

<ul class="{LISTING_CLASS}">
<li><a href="../../actors/quill/">Listedname Quill</a> — person</li>
</ul>

<p>Last<br>words: Sole<strong>imani</strong>.</p>
<script>alert("no")</script>"""


def test_a_pages_document_is_its_text_without_permalinks_bibtex_lists_or_scripts() -> None:
    document = textindex.page_document(PAGE, "/articles/ferry/", "MkDocs title")
    assert document["url"] == "/articles/ferry/"
    assert document["meta"]["title"] == "The ferry line"  # the heading it opens with
    content = document["content"]
    assert content == (
        "The ferry line Northland's ferry Ada Quill opened the line & the quay. Cite this "
        "Writer (2021) The ferry line. Actors named Last words: Soleimani."
    )
    for gone in ("¶", "journaltitle", "Listedname", "alert", "<", "&amp;"):
        assert gone not in content
    words = content.split(" ")
    anchors = {a["id"]: a for a in document["anchors"]}
    assert list(anchors) == ["the-ferry", "cite-this", "actors"]
    for anchor in document["anchors"]:  # each heading is where its location says
        shown = words[anchor["location"] : anchor["location"] + len(anchor["text"].split())]
        assert " ".join(shown) == anchor["text"]
    assert anchors["the-ferry"]["element"] == "h1" and anchors["actors"]["element"] == "h2"


def test_a_page_without_a_heading_keeps_mkdocs_title() -> None:
    document = textindex.page_document("<p>Only text.</p>", "/x/", "Its title")
    assert document["meta"]["title"] == "Its title" and document["anchors"] == []


def test_words_are_folded_letters_and_digits() -> None:
    assert textindex.terms("Café cafe\u0301 CAFÉ x_y ½ ﬁne İstanbul Αθήνα 東京 it's e-mail") == [
        "cafe",
        "cafe",
        "cafe",
        "x",
        "y",
        "1",
        "2",
        "fine",
        "istanbul",
        "αθηνα",
        "東京",
        "it",
        "s",
        "e",
        "mail",
    ]


def test_the_fast_count_equals_the_words() -> None:
    rng = random.Random(5)
    alphabet = "abcXYZ09 _-—’'.,;\n\té" + "\u0301"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        expected = {}
        for word in textindex.terms(text):
            key = word.encode("utf-8")
            expected[key] = expected.get(key, 0) + 1
        assert dict(textindex._counts(text)) == expected, text


def _document(text: str, title: str = "T") -> dict:
    return {"url": "/", "meta": {"title": title}, "content": text, "anchors": []}


def test_weights_count_title_words_more_and_apply_the_boost() -> None:
    weights = textindex.weights(_document("iran iran iraq", title="Iran"))
    assert weights[b"iran"] == 2 + textindex.TITLE_WEIGHT and weights[b"iraq"] == 1
    boosted = textindex.weights(_document("iran iran iraq", title="Iran"), boost=2)
    assert boosted[b"iran"] == 2 * (2 + textindex.TITLE_WEIGHT) and boosted[b"iraq"] == 2
    heavy = textindex.weights(_document("word " * 400))
    assert heavy[b"word"] == 400  # capped when it becomes a posting
    postings = textindex.Postings()
    postings.add(0, _document("word " * 400))
    assert postings.lists[b"word"][0] & 0xFF == textindex.MAX_WEIGHT


def _documents(count: int) -> list[dict]:
    rng = random.Random(count)
    vocabulary = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "eta", "theta"]
    return [
        _document(" ".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 30))))
        for _ in range(count)
    ]


def test_two_processes_postings_merge_into_the_same_index(tmp_path) -> None:
    documents = _documents(60)
    alone = textindex.Postings()
    for number, document in enumerate(documents):
        alone.add(number, document)
    # MkDocs' process counts the first 35, the second process the rest; then MkDocs' process
    # counts two of the second's pages again (pages the child failed to write) and some late.
    first, second = textindex.Postings(), textindex.Postings()
    for number, document in enumerate(documents):
        (first if number < 35 else second).add(number, document)
    handed = second.handover()
    first.add(40, documents[40])
    first.add(36, documents[36])
    first.merge(handed)
    textindex.write_index(alone, len(documents), tmp_path / "alone")
    textindex.write_index(first, len(documents), tmp_path / "merged")
    for name in ["index.json", *(f"t/{p.name}" for p in (tmp_path / "alone" / "t").iterdir())]:
        assert (tmp_path / "alone" / name).read_bytes() == (tmp_path / "merged" / name).read_bytes()


def test_the_index_files_hold_every_posting_in_order(tmp_path) -> None:
    documents = _documents(300)
    postings = textindex.Postings()
    for number, document in enumerate(documents):
        postings.add(number, document)
    textindex.SHARD_BYTES, saved = 200, textindex.SHARD_BYTES
    try:
        stats = textindex.write_index(postings, len(documents), tmp_path)
    finally:
        textindex.SHARD_BYTES = saved
    manifest = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert manifest["format"] == textindex.FORMAT and manifest["documents"] == 300
    assert stats["shards"] == len(manifest["shards"]) > 1
    firsts = manifest["shards"]
    assert firsts == sorted(firsts, key=lambda t: t.encode("utf-16-be"))
    lengths = base64.b64decode(manifest["lengths"])
    assert len(lengths) == 300
    total = 0
    for number, document in enumerate(documents):
        words = len(document["content"].split())
        total += words
        assert abs(2 ** (lengths[number] / 15) - 1 - words) <= 0.05 * words + 1
    assert manifest["average_length"] == round(total / 300, 3)
    found: dict[str, list[tuple[int, int]]] = {}
    for number, first in enumerate(firsts):
        shard = textindex.read_shard((tmp_path / "t" / f"{number}.bin").read_bytes())
        assert next(iter(shard)) == first
        assert not set(shard) & set(found)
        found.update(shard)
    for number, document in enumerate(documents):
        for term, weight in textindex.weights(document).items():
            assert (number, weight) in found[term.decode("utf-8")]
    for term, entries in found.items():
        assert [n for n, _ in entries] == sorted({n for n, _ in entries}), term


def test_a_collector_counts_its_pages_only(tmp_path) -> None:
    numbers = {"a/index.html": 0, "b/index.html": 1, "c/index.html": 2}
    collector = textindex.Collector(numbers, tmp_path)
    collector.elsewhere.add("b/index.html")
    for uri in ("a/index.html", "b/index.html", "c/index.html", "404.html"):
        collector.add(uri, _document(f"page {uri[0]}"))
    assert sorted(collector.postings.lengths) == [0, 2]
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["0.json", "2.json"]
    kept: dict = {}
    serving = textindex.Collector(numbers, None, kept=kept)
    serving.add("a/index.html", _document("kept page"))
    assert list(kept) == ["a/index.html"]
    stats = serving.write(tmp_path / "serve")
    assert stats["documents"] == 1
    assert json.loads((tmp_path / "serve" / "f" / "0.json").read_text())["content"] == "kept page"
