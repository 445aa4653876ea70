"""Part of publish: the site's own full-text search index (``extra.search_backend: dossier``).

The build already holds every page's HTML when MkDocs hands it to the hook
(``on_page_content``); this module takes its text from there, counts its words, and writes
an index a reader's browser queries piece by piece, so that nothing parses the written pages
again and no second indexer runs. ``docs/assets/javascripts/dossier-search-worker.js``
answers Material's search box from it.

What a page contributes (``page_document``): its content as Material lays it out, without
the headings' permalink signs, the BibTeX block under "Cite this" and the generated lists of
other pages (``render.LISTING_BLOCK``: their titles and sentences are indexed on the pages
they list), as in the Pagefind backend. Yearly listing pages and 404.html are not indexed
(``search.indexed_page``).

The index, in ``site/dossier-search/`` (``FOLDER``), format 1:

- ``index.json``: ``{"format": 1, "documents": N, "average_length": A, "lengths": L,
  "shards": [first term of each shard, ...]}``. ``L`` is base64 of one byte a document,
  ``round(15 * log2(1 + words))`` capped at 255: the page's length for BM25.
- ``t/<k>.bin``: shard ``k`` of the terms, gzip-compressed. Inside: a little-endian uint32
  ``n``, then ``n`` bytes of UTF-8 JSON ``{"terms": [...], "counts": [...]}``, zero bytes up
  to a multiple of four, then for each term in order ``counts[i]`` little-endian uint32
  postings ``document << 8 | weight``, by document. Terms are sorted by their UTF-16 code
  units (as JavaScript compares strings) and shards hold consecutive terms, about
  ``SHARD_BYTES`` of postings each: a query fetches the shards its words fall in.
  ``weight`` is how often the page has the term, up to 255: a word of the page's title counts
  ``TITLE_WEIGHT`` times more, and a page's ``search.boost`` (actor pages) multiplies it.
- ``f/<document>.json``: the page as a result shows it, in the shape of a Pagefind fragment:
  ``{"url": "/actors/iran/", "meta": {"title": ...}, "content": words joined by single
  spaces, "anchors": [{"element": "h2", "id": ..., "text": ..., "location": word number}]}``.

Words (``terms``), here and in the worker: the text in Unicode NFKD without combining marks,
in lower case, cut into runs of letters and digits.

Documents are numbered in the order of MkDocs' pages (``Collector``), so MkDocs' process and
the second process of ``build_scripts/parallel.py`` each count their own pages and the
second hands its counts over once (``handover`` / ``merge``); the index is the same either
way. Under ``mkdocs serve`` each page's document is kept between builds, since a rebuild
renders only the pages an edit changes, and the index is written again after each build.
"""

from __future__ import annotations

import array
import base64
import functools
import gzip
import html
import json
import math
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from build_scripts.model import LISTING_CLASS

FOLDER = "dossier-search"
MANIFEST = "index.json"
FORMAT = 1
SHARDS = "t"
FRAGMENTS = "f"
TITLE_WEIGHT = 5  # a word of the title counts as this many words of the text
SHARD_BYTES = 32 * 1024  # postings a shard holds, about (uncompressed)
MAX_WEIGHT = 255

# What is not the page's text: permalink signs, the BibTeX entry, generated lists, and any
# script or style a hand-written page carries.
# Every alternative starts with "<", so the regex engine jumps from one "<" to the next (about
# three times faster than with the listing's "^" first); the lookbehinds are that "^".
_DROPPED = re.compile(
    r'<(?:a class="headerlink"[^>]*>.*?</a>'
    r'|pre><code class="language-bibtex">.*?</code></pre>'
    r"|script\b.*?</script>|style\b.*?</style>"
    rf'|(?:(?<=\n<)|(?<=\A<))ul class="{LISTING_CLASS}">\n.*?\n</ul>(?=\n|\Z))',
    re.S | re.I,
)
_HEADING = re.compile(r'<h([1-6])\b[^>]*?\sid="([^"]*)"[^>]*>(.*?)</h\1\s*>', re.S | re.I)
# Tags that separate words; every other tag (links, emphasis) joins its text to the next.
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|figcaption|"
    r"figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|table|tbody|td|"
    r"tfoot|th|thead|tr|ul)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]+")
# Characters a page's text drops: zero-width space and byte-order mark (JavaScript splits
# words at the second, Python does not).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff"))


class _Marks(dict):
    """For str.translate: None (drop) for a combining mark (Unicode category M*), else the
    character itself; each character judged the first time it is seen (judging all of
    Unicode up front takes a build's process 0.15 s)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] == "M" else code
        self[code] = kept
        return kept


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower case, without accents: NFKD, without combining marks, in lower case (as the
    worker folds: ``normalize("NFKD").replace(/\\p{M}/gu, "").toLowerCase()``)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_MARKS).lower()


def terms(text: str) -> list[str]:
    """The words of ``text`` as the index holds them: runs of letters and digits of the text
    folded (``fold``)."""
    return _WORD.findall(fold(text))


def _text(fragment: str) -> str:
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", fragment)))
    return text if text.isascii() else text.translate(_INVISIBLE)


def page_document(content_html: str, url: str, title: str) -> dict:
    """A page's search document (its fragment) from the HTML of its content; its title is the
    heading it opens with, else ``title`` (MkDocs' title of the page)."""
    kept = _DROPPED.sub("", content_html)
    words: list[str] = []
    anchors = []
    position = 0
    for match in _HEADING.finditer(kept):
        words += _text(kept[position : match.start()]).split()
        heading = _text(match.group(3)).split()
        anchors.append(
            {
                "element": f"h{match.group(1)}",
                "id": html.unescape(match.group(2)),
                "text": " ".join(heading),
                "location": len(words),
            }
        )
        words += heading
        position = match.end()
    words += _text(kept[position:]).split()
    if anchors and anchors[0]["element"] == "h1" and anchors[0]["location"] == 0:
        title = anchors[0]["text"]  # the title the page shows (the home page's is not "Home")
    return {"url": url, "meta": {"title": title}, "content": " ".join(words), "anchors": anchors}


_ASCII = bytes(range(128))
# Bytes of lower-case ASCII text: letters and digits stay, everything else separates words.
_SEPARATE = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


@functools.lru_cache(maxsize=4096)
def _separates(character: str) -> bool:
    """Whether a character outside ASCII only separates words, folded or not: no letter,
    digit or mark in it or in its compatibility decomposition (a dash, a curly quote)."""
    return not any(
        c.isalnum() or unicodedata.category(c)[0] == "M"
        for c in character + unicodedata.normalize("NFKD", character)
    )


def _counts(text: str) -> Counter:
    """How often each word (UTF-8 bytes) is in ``text``: as ``terms`` finds them, by bytes
    where every character outside ASCII only separates words (most pages: three times
    faster)."""
    raw = text.lower().encode("utf-8")
    if not raw.isascii():
        outside = set(raw.translate(None, _ASCII).decode("utf-8"))
        if not all(_separates(c) for c in outside):
            return Counter(term.encode("utf-8") for term in terms(text))
    return Counter(raw.translate(_SEPARATE).split())


def weights(document: dict, boost: float = 1.0) -> Counter:
    """How much each word (UTF-8 bytes) weighs in a document: its count, title words
    ``TITLE_WEIGHT`` times more, times the page's boost; at most ``MAX_WEIGHT``."""
    counts = _counts(document["content"])
    for term in terms(document["meta"]["title"]):
        counts[term.encode("utf-8")] += TITLE_WEIGHT
    if boost != 1.0:
        for term, count in counts.items():
            counts[term] = max(1, round(count * boost))
    return counts


class Postings:
    """Term (UTF-8 bytes) -> postings (``document << 8 | weight``), and each document's
    length in words."""

    def __init__(self) -> None:
        self.lists: dict[bytes, array.array] = {}
        self.lengths: dict[int, int] = {}
        self._last = -1
        self._ordered = True  # documents came in increasing order

    def add(self, number: int, document: dict, boost: float = 1.0) -> None:
        if number in self.lengths:
            return
        if number <= self._last:
            self._ordered = False
        self._last = number
        self.lengths[number] = document["content"].count(" ") + 1 if document["content"] else 0
        lists = self.lists
        get = lists.get
        shifted = number << 8
        for term, weight in weights(document, boost).items():
            posting = shifted | (weight if weight < MAX_WEIGHT else MAX_WEIGHT)
            postings = get(term)
            if postings is None:
                lists[term] = array.array("I", (posting,))
            else:
                postings.append(posting)

    def handover(self) -> tuple:
        """What the second process sends MkDocs' process: plain bytes and numbers."""
        return (
            {term: postings.tobytes() for term, postings in self.lists.items()},
            self.lengths,
            self._ordered,
        )

    def merge(self, handed: tuple) -> None:
        """Take the second process's postings (``handover``) into these."""
        lists, lengths, ordered = handed
        first_new = min(lengths, default=None)
        if first_new is None:
            return
        if not ordered or first_new <= self._last or set(lengths) & set(self.lengths):
            self._ordered = False
        self.lengths.update(lengths)
        self._last = max(self._last, max(lengths))
        mine = self.lists
        for term, raw in lists.items():
            postings = mine.get(term)
            if postings is None:
                postings = mine[term] = array.array("I")
            postings.frombytes(raw)

    def finished(self) -> dict[bytes, array.array]:
        """The postings, each list by document with no document twice."""
        if not self._ordered:
            for term, postings in self.lists.items():
                seen: dict[int, int] = {}
                for posting in postings:
                    seen.setdefault(posting >> 8, posting)
                self.lists[term] = array.array("I", sorted(seen.values()))
            self._ordered = True
        return self.lists


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be")


def _length_byte(words: int) -> int:
    return min(255, round(15 * math.log2(1 + words)))


def write_index(postings: Postings, documents: int, folder: Path) -> dict:
    """Write ``index.json`` and the term shards into ``folder``; their statistics."""
    lists = {term.decode("utf-8"): found for term, found in postings.finished().items()}
    ordered = sorted(lists, key=_utf16) if any(not t.isascii() for t in lists) else sorted(lists)
    shards_folder = folder / SHARDS
    shards_folder.mkdir(parents=True, exist_ok=True)
    firsts: list[str] = []
    shard_terms: list[str] = []
    size = 0
    for term in ordered:
        shard_terms.append(term)
        size += 4 * len(lists[term]) + len(term) + 8
        if size >= SHARD_BYTES:
            _write_shard(shards_folder, len(firsts), shard_terms, lists)
            firsts.append(shard_terms[0])
            shard_terms, size = [], 0
    if shard_terms:
        _write_shard(shards_folder, len(firsts), shard_terms, lists)
        firsts.append(shard_terms[0])
    lengths = bytearray(documents)
    total = 0
    for number, words in postings.lengths.items():
        if number < documents:
            lengths[number] = _length_byte(words)
            total += words
    indexed = len(postings.lengths)
    manifest = {
        "format": FORMAT,
        "documents": documents,
        "average_length": round(total / indexed, 3) if indexed else 0,
        "lengths": base64.b64encode(bytes(lengths)).decode("ascii"),
        "shards": firsts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return {"documents": indexed, "terms": len(ordered), "shards": len(firsts)}


def _write_shard(folder: Path, number: int, names: list[str], lists) -> None:
    header = json.dumps(
        {"terms": names, "counts": [len(lists[name]) for name in names]},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    parts = [len(header).to_bytes(4, "little"), header, b"\0" * (-len(header) % 4)]
    for name in names:
        postings = lists[name]
        if sys.byteorder != "little":
            postings = array.array("I", postings)
            postings.byteswap()
        parts.append(postings.tobytes())
    # Level 1: postings are numbers, which level 6 compresses no better (12.1 MB of shards
    # at 10,000 articles, against 11.7) in 3.5 times the time (1.19 s against 0.34).
    data = gzip.compress(b"".join(parts), compresslevel=1, mtime=0)
    (folder / f"{number}.bin").write_bytes(data)


def write_fragment(folder: Path, number: int, document: dict) -> None:
    path = folder / FRAGMENTS / f"{number}.json"
    path.write_text(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def read_shard(data: bytes) -> dict[str, list[tuple[int, int]]]:
    """A term shard's postings, (document, weight) by term: for tests and inspection."""
    raw = gzip.decompress(data)
    length = int.from_bytes(raw[:4], "little")
    header = json.loads(raw[4 : 4 + length])
    at = 4 + length + (-length % 4)
    found = {}
    for term, count in zip(header["terms"], header["counts"], strict=True):
        postings = array.array("I")
        postings.frombytes(raw[at : at + 4 * count])
        if sys.byteorder != "little":
            postings.byteswap()
        found[term] = [(p >> 8, p & 0xFF) for p in postings]
        at += 4 * count
    return found


def read_index(site: str | Path) -> tuple[dict, dict[str, list[tuple[int, int]]]]:
    """The manifest and every term's postings of a built site: for tests and inspection."""
    folder = Path(site) / FOLDER
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    postings: dict[str, list[tuple[int, int]]] = {}
    for number in range(len(manifest["shards"])):
        postings.update(read_shard((folder / SHARDS / f"{number}.bin").read_bytes()))
    return manifest, postings


def fragments(site: str | Path) -> dict[int, dict]:
    """Every document of a built site's index, by number (for tests and inspection, and the
    pages a ``--dirty`` build does not render)."""
    folder = Path(site) / FOLDER / FRAGMENTS
    return {
        int(path.stem): json.loads(path.read_text(encoding="utf-8"))
        for path in folder.glob("*.json")
    }


class Collector:
    """One build's documents and postings.

    ``numbers`` maps each indexed page (its path in the site) to its document number: the
    order of MkDocs' pages. Each process adds the pages it renders; pages another process
    counts are ``elsewhere``. With ``fragments`` (a folder), each page's fragment is written as
    it comes; without, documents are kept (``kept``, which may outlive the collector: the
    documents of ``mkdocs serve``'s earlier builds) and written by ``write``.
    """

    def __init__(
        self,
        numbers: dict[str, int],
        fragments: Path | None,
        kept: dict[str, tuple[dict, float]] | None = None,
    ) -> None:
        self.numbers = numbers
        self.fragments = fragments
        self.postings = Postings()
        self.elsewhere: set[str] = set()
        self.kept = {} if kept is None else kept
        if fragments is not None:
            (fragments / FRAGMENTS).mkdir(parents=True, exist_ok=True)

    def add(self, dest_uri: str, document: dict, boost: float = 1.0) -> None:
        number = self.numbers.get(dest_uri)
        if number is None or dest_uri in self.elsewhere:
            return
        if self.fragments is None:
            self.kept[dest_uri] = (document, boost)
            return
        write_fragment(self.fragments, number, document)
        self.postings.add(number, document, boost)

    def write(self, folder: Path) -> dict:
        """Write the whole index into ``folder`` (fragments too, when they were kept)."""
        if self.fragments is None:
            (folder / FRAGMENTS).mkdir(parents=True, exist_ok=True)
            for uri, (document, boost) in self.kept.items():
                number = self.numbers.get(uri)
                if number is not None:
                    write_fragment(folder, number, document)
                    self.postings.add(number, document, boost)
        return write_index(self.postings, len(self.numbers), folder)


def replace_folder(staging: Path, target: Path) -> None:
    """Put a written index in place of the previous one."""
    previous = None
    if target.exists():
        previous = Path(tempfile.mkdtemp(prefix=".dossier-search-old-", dir=target.parent))
        os.replace(target, previous / "index")
    os.replace(staging, target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
