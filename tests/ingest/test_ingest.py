"""Ingest (``build_scripts.ingest``): a raw scrape becomes a draft article and a review.

Covers the seed against its curated file, the two further layouts, the no-loss property on
every raw fixture, disclaimers wherever they stand, structure, never inventing, the review,
hostile titles and bodies, slugs, the rules data and ``write_article``.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from build_scripts import ingest
from build_scripts.load import load, split_front_matter
from build_scripts.validate import validate

RAW = Path(__file__).resolve().parent.parent / "fixtures" / "raw"
SEED_RAW = RAW / "000_96db1b8d5fb4240f.txt"
SEED_NAME = "2020-04-03-us-said-to-be-planning-attacks-on-iranian-supported-iraq-militias.md"
HARBOUR = RAW / "news_without_disclaimer_harbour_gazette.txt"
MERIDIAN = RAW / "opinion_disclaimer_at_end_meridian_review.txt"
ALL_RAW = sorted(RAW.glob("*.txt"))

# Keys of the curated seed that need a curator's judgement; ingest never writes them:
# `topics` (further subjects), `quotes` (speaker attribution) and `events` (dating events).
CURATOR_ONLY = {"topics", "quotes", "events"}

TOPICS = """\
- id: local-transport
  name: Local transport
  aliases: [Ferry service]
  description: Ferries and buses.
- id: port-corven
  name: Port Corven
  aliases: []
  description: The town.
- id: tidal-power
  name: Tidal power
  aliases: [Tidal energy]
  description: Power from the tides.
"""
ACTORS = """\
- id: northland
  name: Northland
  kind: state
  aliases: []
  description: A fictional state.
- id: ada-quill
  name: Ada Quill
  kind: person
  aliases: [Quill]
  description: A fictional council leader.
- id: harbour-council
  name: Harbour Council
  kind: institution
  aliases: [harbour council]
  description: A fictional council.
"""


@pytest.fixture(scope="module")
def rules() -> ingest.Rules:
    return ingest.load_rules()


@pytest.fixture(scope="module")
def bundled(repo: Path):
    dossier, _ = validate(load(repo / "dossier"))
    return dossier


@pytest.fixture
def registries(make_dossier):
    dossier, problems = validate(load(make_dossier(articles={}, actors=ACTORS, topics=TOPICS)))
    assert not problems
    return dossier


def draft(text: str, rules: ingest.Rules, dossier=None, **kwargs) -> ingest.Draft:
    actors = dossier.actors if dossier else ()
    topics = dossier.topics if dossier else ()
    return ingest.draft_article(text, rules, actors, topics, **kwargs)


def split(text: str) -> tuple[dict, str]:
    yaml_text, body, _, problems = split_front_matter(text, "x.md")
    assert not problems
    return yaml.safe_load(yaml_text), body


# --------------------------------------------------------------------------- the seed


def test_seed_gives_the_curated_metadata_and_body(repo, rules, bundled):
    curated, curated_body = split((repo / "dossier" / "articles" / SEED_NAME).read_text("utf-8"))
    result = draft(SEED_RAW.read_text("utf-8"), rules, bundled)
    produced, produced_body = split(ingest.article_text(result))

    assert result.file_name == SEED_NAME
    # Where the curated file differs: only the curator's keys, listed in CURATOR_ONLY.
    assert set(curated) - set(produced) == CURATOR_ONLY
    expected = {key: value for key, value in curated.items() if key not in CURATOR_ONLY}
    assert produced == expected  # title, kind, author, date, ..., disclaimer_cut_off
    assert list(produced) == list(expected)  # in the documented order
    assert produced_body == curated_body  # byte for byte


def test_seed_fields_and_what_was_dropped(rules):
    result = draft(SEED_RAW.read_text("utf-8"), rules)
    assert result.layout == "digital-journal"
    assert result.front["kind"] == "op-ed"
    assert "Op-Ed" not in result.front["title"]
    assert result.front["disclaimer"].endswith("intended to reflect those of")
    assert result.front["disclaimer_cut_off"] is True
    assert "url" not in result.front
    dropped = [(p.line, p.text) for p in result.pieces if p.role in ("chrome", "trailer")]
    assert dropped == [
        (1, "Remember meForgot password?"),
        (2, "Log in with Twitter"),
        (4, "article image"),
        (21, "More news from"),
        (22, "Latest News"),
        (23, "Top News"),
    ]
    assert result.joined == 1
    assert "In early January the Iraq parliament voted 172 to 0" in result.body
    assert "\u00a0" not in result.body
    assert "“sneak attack.”" in result.body  # curly quotes kept


# --------------------------------------------------------------------------- two more layouts


def test_news_article_of_its_own_layout(rules, registries):
    result = draft(HARBOUR.read_text("utf-8"), rules, registries)
    assert result.layout == "harbour-gazette"
    assert result.front == {
        "title": "Harbour council approves Corven–Thalassa ferry link after a year of delays",
        "kind": "news",
        "author": "Mara Lindqvist",
        "date": datetime.date(2021, 6, 14),
        "publication": "Harbour Gazette",
        "section": "Harbour",
        "url": "https://harbour-gazette.example/news/harbour/2021/06/14/"
        "corven-thalassa-ferry-link-approved",
        "tags": ["Ferry service", "Port Corven", "Local transport"],
    }
    assert result.missing == ()
    assert result.file_name == (
        "2021-06-14-harbour-council-approves-corven-thalassa-ferry-link-after-a-year-of-delays.md"
    )
    blocks = ingest.body_blocks(result.body)
    assert [text for kind, text in blocks if kind == "heading"] == [
        "What changes for passengers",
        "Dredging costs",
    ]
    body = result.body
    assert "Νίκος Καλλέργης (Nikos Kallergis)" in body  # non-Latin script kept
    assert "voted 9–2 on Monday" in body and "£1.5m – a figure" in body  # en dashes kept
    assert "from 1 July" in body and "50 minutes" in body  # NBSP and thin space: plain
    assert "the old Saltmarsh jetty" in body  # broken after "the": joined
    assert "residents of Thalassa and the outer islands" in body  # broken after "of": joined
    for chrome in ("Photo:", "Share on", "Advertisement", "Sign up", "Most read", "Lighthouse"):
        assert chrome not in body
    assert [t.topic for t in result.tags] == ["local-transport", "port-corven", "local-transport"]


def test_opinion_piece_known_only_by_its_disclaimer_at_the_end(rules):
    result = draft(MERIDIAN.read_text("utf-8"), rules)
    assert result.layout == "generic"  # no rules for this site: the fallback
    front = result.front
    assert front["kind"] == "op-ed"
    assert front["title"] == "Why Vellmark’s tidal barrage deserves a second look"
    assert front["author"] == "Daniel Okafor"
    assert front["date"] == datetime.date(2023, 3, 12)
    assert front["publication"] == "The Meridian Review"  # from its copyright line
    assert front["section"] == "Environment"
    assert front["tags"] == ["Tidal power", "Vellmark estuary", "Energy policy"]
    assert front["disclaimer"] == (
        "The views expressed in this article are the writer’s own and do not necessarily "
        "reflect the editorial position of The Meridian Review."
    )
    assert "disclaimer_cut_off" not in front
    assert "url" not in front
    assert "views expressed" not in result.body
    assert result.body.startswith("The case against the barrage rests on figures from 2009.")
    assert "Layla Haddad (ليلى حداد)" in result.body
    assert "twice the money has gone elsewhere." in result.body
    assert "Related" not in result.body and "forgot its name" not in result.body


# --------------------------------------------------------------------------- lose nothing

SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[”\"’')\]]*\s+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_SPLIT.split(text) if s.strip()]


@pytest.mark.parametrize("raw", ALL_RAW, ids=[p.name for p in ALL_RAW])
def test_every_sentence_of_the_article_text_is_in_the_body_in_order(raw, rules):
    text = raw.read_text("utf-8")
    result = draft(text, rules)
    lines = ingest.normalise(text).split("\n")
    by_line: dict[int, list[ingest.Piece]] = {}
    for piece in result.pieces:
        by_line.setdefault(piece.line, []).append(piece)

    # Every line of the scrape is accounted for, piece by piece: nothing vanishes.
    assert sorted(by_line) == list(range(1, len(lines) + 1))
    for number, line in enumerate(lines, 1):
        pieces = "".join(p.text for p in by_line[number])
        assert "".join(pieces.split()) == "".join(line.split()), number

    # Every sentence of the article text is in the body, in the order of the scrape.
    plain = "\n".join(text for _, text in ingest.body_blocks(result.body))
    position = 0
    for piece in result.pieces:
        if piece.role != "body":
            continue
        for sentence in _sentences(piece.text):
            found = plain.find(sentence, position)
            assert found >= 0, f"line {piece.line}: {sentence!r} missing or out of order"
            position = found + len(sentence)

    # What is not body is the headline, metadata, the disclaimer or chrome; prose is dropped
    # only by an explicit chrome rule, never by position (before the title, after the end).
    for piece in result.pieces:
        if piece.role == "title":
            assert piece.text.endswith(result.front["title"])
        elif piece.role == "disclaimer":
            assert piece.text == result.front["disclaimer"]
        elif piece.role in ("trailer", "before-title") or piece.rule == "masthead":
            assert not (ingest.ends_sentence(piece.text) and len(piece.text.split()) >= 6), piece
        else:
            assert piece.role in ("body", "byline", "tags", "chrome", "blank"), piece


# --------------------------------------------------------------------------- disclaimers

HEAD = "A harbour story\nBy Test Writer\n12 March 2023\n"
DISCLAIMER = (
    "The views expressed here are the author's own and do not reflect those of the Gazette."
)


@pytest.mark.parametrize(
    "body",
    [
        f"{DISCLAIMER}\nThe council met on Monday. It voted.\nThe end came later.",
        f"The council met on Monday. {DISCLAIMER} It voted.\nThe end came later.",
        f"The council met on Monday. It voted.\nThe end came later. {DISCLAIMER}",
        f"The council met on Monday. It voted.\nThe end came later.\nRelated\n{DISCLAIMER}",
    ],
    ids=["first-line", "mid-paragraph", "end-of-paragraph", "after-the-article"],
)
def test_a_disclaimer_is_found_wherever_it_stands(body, rules):
    result = draft(HEAD + body, rules)
    assert result.front["kind"] == "op-ed"
    assert result.front["disclaimer"] == DISCLAIMER
    assert "views" not in result.body
    assert [text for _, text in ingest.body_blocks(result.body)] == [
        "The council met on Monday. It voted.",
        "The end came later.",
    ]


def test_a_cut_off_disclaimer_stays_cut_off(rules):
    cut = "The opinions expressed are those of the writer and are not necessarily those of"
    result = draft(HEAD + "The council met. It voted.\n" + cut, rules)
    assert result.front["disclaimer"] == cut
    assert result.front["disclaimer_cut_off"] is True


def test_a_body_sentence_about_views_is_not_a_disclaimer(rules):
    text = HEAD + (
        "Critics say the author of the report did not consider the views of residents.\n"
        "The council met on Monday."
    )
    result = draft(text, rules)
    assert result.front["kind"] == "news"
    assert "disclaimer" not in result.front
    assert "did not consider the views of residents." in result.body


@pytest.mark.parametrize(
    ("headline", "kind", "title"),
    [
        ("Op-Ed: Ferries for all", "op-ed", "Ferries for all"),
        ("Opinion: Ferries for all", "op-ed", "Ferries for all"),
        ("Analysis: Ferries for all", "news", "Ferries for all"),
        ("Ferries for all: a plan", "news", "Ferries for all: a plan"),
    ],
)
def test_a_title_label_says_the_kind_and_leaves_the_title(headline, kind, title, rules):
    result = draft(f"{headline}\nBy Test Writer\n12 March 2023\nThe council met. It voted.", rules)
    assert (result.front["kind"], result.front["title"]) == (kind, title)


# --------------------------------------------------------------------------- structure


def test_subheadings_joins_and_spaces(rules):
    text = HEAD + (
        "The council met on Monday and voted.\n"
        "What changes\n"
        "Crossings will run four times a day.\n"
        "In early June\n"
        "the ferry ran\u00a0aground\u2009twice.\u200b\n"
        "Closing words without a stop"
    )
    blocks = ingest.body_blocks(draft(text, rules).body)
    assert blocks == [
        ("paragraph", "The council met on Monday and voted."),
        ("heading", "What changes"),
        ("paragraph", "Crossings will run four times a day."),
        ("paragraph", "In early June the ferry ran aground twice."),
        ("paragraph", "Closing words without a stop"),
    ]


def test_a_short_line_followed_by_a_short_line_is_not_a_heading(rules):
    text = HEAD + "The council met. It voted.\nLighthouse open\nFish market closed"
    blocks = ingest.body_blocks(draft(text, rules).body)
    assert [kind for kind, _ in blocks] == ["paragraph"] * 3


# --------------------------------------------------------------------------- never invent


def test_fields_not_in_the_text_are_left_empty_and_named(rules):
    text = "Ferry line opens\nThe council met on Monday. It voted for a ferry."
    result = draft(text, rules, date=datetime.date(2021, 6, 14))
    front = result.front
    assert front["author"] == "" and front["publication"] == "" and front["tags"] is None
    assert "url" not in front and "section" not in front
    assert result.missing == ("author", "publication", "tags")
    assert result.front["date"] == datetime.date(2021, 6, 14)
    summary = "\n".join(ingest.summary_lines(result))
    assert "author: (NOT FOUND: left empty for the curator)" in summary
    assert "left for the curator: author (empty: fill it in); publication" in summary


def test_no_date_means_no_file_name(rules):
    result = draft("Ferry line opens\nBy Test Writer\nThe council met on Monday.", rules)
    assert result.front["date"] is None
    with pytest.raises(ingest.IngestError, match=r"pass --date YYYY-MM-DD"):
        _ = result.file_name


def test_an_impossible_date_is_not_used(rules):
    result = draft("Ferry line opens\nBy Test Writer\n30 February 2021\nThe council met.", rules)
    assert result.front["date"] is None
    assert any("not understood" in note for note in result.notes)


def test_an_op_ed_without_a_disclaimer_leaves_it_empty(rules):
    result = draft("Opinion: Ferries\nBy Test Writer\n12 March 2023\nThe council met.", rules)
    assert result.front["disclaimer"] == ""
    assert "disclaimer" in result.missing


@pytest.mark.parametrize(
    "text",
    ["", "\n \u00a0\n", "Remember me Forgot password?\nLog in with Twitter\nMore news from\n"],
)
def test_a_scrape_without_article_text_is_refused(text, rules):
    with pytest.raises(ingest.IngestError):
        draft(text, rules)


# --------------------------------------------------------------------------- review


def test_review_lists_actors_candidates_quotes_and_tags(rules, registries):
    result = draft(HARBOUR.read_text("utf-8"), rules, registries)
    review = result.review
    actors = {actor_id: dict(aliases) for actor_id, _, aliases in review.actors}
    assert actors["ada-quill"] == {"Ada Quill": 1}
    assert actors["northland"] == {"Northland": 1}
    assert actors["harbour-council"] == {"harbour council": 1}
    candidates = dict(review.candidates)
    for name in ("Tomas Brandt", "Aegis Lines", "Νίκος Καλλέργης", "Thalassa"):
        assert name in candidates
    assert "Council" not in candidates  # capitalised only as a sentence's first word
    quotes = dict(review.quotes)
    assert quotes["“a promise kept to the islanders.”"][0] == "Ada Quill"
    assert quotes["“We are being asked to sign a blank cheque,”"] == ("Tomas Brandt (new)",)


def test_unmatched_tag_is_reported_with_the_closest_topics(rules, registries):
    text = HEAD + "The council met.\nTags: Tidal powr, Ferry service"
    result = draft(text, rules, registries)
    assert [(t.tag, t.topic) for t in result.tags] == [
        ("Tidal powr", ""),
        ("Ferry service", "local-transport"),
    ]
    assert result.tags[0].closest[0] == "Tidal power [tidal-power]"
    summary = "\n".join(ingest.summary_lines(result))
    assert "'Tidal powr' -> NO TOPIC; closest topics: Tidal power [tidal-power]" in summary


def test_seed_review_finds_actors_by_alias_and_leaves_demonyms_out(rules, bundled):
    review = draft(SEED_RAW.read_text("utf-8"), rules, bundled).review
    actors = {actor_id: dict(aliases) for actor_id, _, aliases in review.actors}
    assert actors["iraqi-parliament"] == {"Iraq parliament": 1}
    assert actors["donald-trump"] == {"Trump": 1, "President Trump": 1}
    candidates = dict(review.candidates)
    assert "Baghdad" in candidates
    for demonym_or_word in ("Iranian", "Iraqi", "Americans", "Thursday", "However", "Presumably"):
        assert demonym_or_word not in candidates
    quotes = dict(review.quotes)
    assert quotes['"fiercest reactions"'] == ("Mohammad Hossein Bagheri",)


# --------------------------------------------------------------------------- hostile input

HOSTILE_TITLES = [
    '"Quoted": a title — with colons: and # hash --- and more',
    "---",
    "# not a comment",
    "yes",
    "null",
    "1.10",
    "2021-06-14",
    "- a list?",
    "key: value",
    "[a, b] {c: d}",
    "'single' and \"double\" and `back`",
    "@at %percent !tag &anchor *alias |pipe >fold",
    "trailing colon:",
    "  spaced  ",
    "Ελληνικά και العربية",
    "back\\slash \\n not a newline",
    "…and ‘curly’ “quotes” – dashes",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_round_trip_through_the_front_matter(title, tmp_path):
    result = ingest.Draft(
        front={"title": title, "kind": "news", "tags": [title], "disclaimer": title},
        body="Text.\n",
        layout="generic",
        missing=(),
        notes=(),
        pieces=(),
    )
    text = ingest.article_text(result)
    front, body = split(text)
    assert front == {"title": title, "kind": "news", "tags": [title], "disclaimer": title}
    assert body == "\nText.\n"
    # The project's own loader reads the same text back, scalar for scalar.
    folder = tmp_path / "d"
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "2021-06-14-x.md").write_text(text, encoding="utf-8")
    loaded = load(folder)
    assert loaded.articles[0].data.value["title"].raw == title


def test_a_hostile_title_survives_the_whole_way(rules):
    headline = 'Op-Ed: "Ferries": why # and --- and key: value matter'
    result = draft(f"{headline}\nBy Test Writer\n12 March 2023\nThe council met.", rules)
    front, _ = split(ingest.article_text(result))
    assert front["title"] == '"Ferries": why # and --- and key: value matter'
    assert result.file_name == "2023-03-12-ferries-why-and-and-key-value-matter.md"


HOSTILE_LINES = [
    "# not a heading.",
    "- not a list item.",
    "1. Not a list either.",
    "> not a quote.",
    "<script>alert(1)</script> stays text.",
    "--- and *** and ___ stay.",
    "!!! note is not an admonition.",
    "[TOC] is not a table of contents.",
    "[link](javascript:alert(1)) is not a link.",
    "![image](http://example.org/x.png) is not an image.",
    "`code` and **bold** and _under_ and snake_case stay.",
    "&amp; and &copy; and AT&T stay as typed.",
    "Footnote[^1] marks stay.",
    "A back\\slash and \\* stay.",
    "3 < 4 and 5 > 2.",
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.add(tag)
        if tag == "p":
            self.paragraphs.append("")

    def handle_data(self, data: str) -> None:
        if self.paragraphs:
            self.paragraphs[-1] += data


def test_hostile_bodies_render_as_the_text_that_was_scraped(rules):
    text = HEAD + "\n".join(HOSTILE_LINES)
    result = draft(text, rules)
    assert [text for _, text in ingest.body_blocks(result.body)] == HOSTILE_LINES
    html = markdown.markdown(result.body, extensions=["toc", "admonition", "tables", "footnotes"])
    parsed = _Text()
    parsed.feed(html)
    assert parsed.tags == {"p"}  # no heading, list, quote, code, link, image or script
    assert [p.strip() for p in parsed.paragraphs] == HOSTILE_LINES


@pytest.mark.parametrize("line", HOSTILE_LINES)
def test_escaping_round_trips(line):
    assert ingest.unescape_markdown(ingest.escape_markdown(line)) == line


# --------------------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("US said to be planning attacks", "us-said-to-be-planning-attacks"),
        ("Café crème à Zürich – Straße", "cafe-creme-a-zurich-strasse"),
        ("Vellmark’s barrage: “why not?”", "vellmarks-barrage-why-not"),
        ("Corven–Thalassa", "corven-thalassa"),
        ("2020: a year", "2020-a-year"),
    ],
)
def test_slugs(title, slug):
    assert ingest.slugify(title) == slug


def test_a_title_without_latin_letters_still_gets_a_valid_slug():
    slug = ingest.slugify("Αγία Ελένη")
    assert re.fullmatch(r"article-[0-9a-f]{8}", slug)
    assert slug != ingest.slugify("ليلى حداد")


def test_long_slugs_are_cut_at_a_word():
    slug = ingest.slugify(" ".join(["harbour"] * 30))
    assert len(slug) <= 80 and not slug.endswith("-") and slug.endswith("harbour")


# --------------------------------------------------------------------------- rules data


def test_the_rules_data_has_layouts_and_a_generic_fallback(rules):
    names = [layout.name for layout in rules.layouts]
    assert names == ["digital-journal", "harbour-gazette"]
    assert all(layout.recognise and layout.publication for layout in rules.layouts)
    assert rules.generic.chrome and rules.generic.byline and rules.generic.tags


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"layouts": [{"name": "x", "recognise": ["("]}]}, r"x\.recognise: bad pattern"),
        ({"layouts": [{"name": "x"}]}, r"x: a layout needs 'recognise'"),
        ({"layouts": [{"name": "x", "recognize": ["a"]}]}, r"unknown key\(s\) recognize"),
        ({"generic": {"name": "generic", "byline": ["By (.+)"]}}, r"names none of the groups"),
        ({"generic": {"name": "generic", "tags": ["{{NOPE}}"]}}, r"unknown pattern \{\{NOPE\}\}"),
        ([1], r"expected a mapping"),
    ],
)
def test_mistakes_in_the_rules_data_are_reported(data, message):
    with pytest.raises(ingest.IngestError, match=message):
        ingest.compile_rules(data)


# --------------------------------------------------------------------------- write_article


def test_write_article_never_overwrites_without_force(tmp_path):
    target = tmp_path / "a.md"
    ingest.write_article(target, "first\n")
    with pytest.raises(ingest.IngestError, match=r"already exists.*--force"):
        ingest.write_article(target, "second\n")
    assert target.read_text() == "first\n"
    ingest.write_article(target, "third\n", force=True)
    assert target.read_text() == "third\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_write_article_leaves_nothing_behind_when_it_fails(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest.os, "replace", fail)
    with pytest.raises(OSError):
        ingest.write_article(tmp_path / "a.md", "text\n")
    assert list(tmp_path.iterdir()) == []
