"""link: which words are mentions of which actor, their sentences, and the cross-index."""

from __future__ import annotations

import pytest

from build_scripts.link import Matcher

# Names chosen for the matching rules they exercise; the descriptions make no claims.
MATCHING_ACTORS = """\
- id: iran
  name: Iran
  kind: state
  aliases: []
  description: A state used in matching tests.
- id: united-states
  name: United States
  kind: state
  aliases: [US]
  description: A state used in matching tests.
- id: centcom
  name: US Central Command
  kind: military
  aliases: [Central Command]
  description: A command used in matching tests.
- id: command-post
  name: Command Post
  kind: institution
  aliases: []
  description: An office used in matching tests.
- id: harbour-board
  name: Harbour Board
  kind: institution
  aliases: [harbour board]
  description: A board used in matching tests.
"""

SLUG = "2021-06-14-matching"


@pytest.fixture
def mentions(validated, article):
    """mentions(body) -> [(actor id, matched text)] for a one-article dossier."""

    def find(body: str) -> list[tuple[str, str]]:
        _, index = validated({f"{SLUG}.md": article(body)}, actors=MATCHING_ACTORS)
        return [(m.actor, body[m.start : m.end]) for m in index.mentions[SLUG]]

    return find


@pytest.fixture
def mention_records(validated, article):
    def find(body: str):
        _, index = validated({f"{SLUG}.md": article(body)}, actors=MATCHING_ACTORS)
        return index.mentions[SLUG]

    return find


# --- what counts as a mention ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("An Iranian envoy met the Iran delegation.", [("iran", "Iran")]),
        ("Iranians and Irani and xIran and Iran2 and Iran_x.", []),
        ("Tell us about the USB port, US officials said.", [("united-states", "US")]),
        ("us, Us, USA, USS and US.", [("united-states", "US")]),
        ("IRAN, iran and Iran.", [("iran", "Iran")]),
        ("Iran's envoy and Iran-backed groups.", [("iran", "Iran"), ("iran", "Iran")]),
    ],
    ids=["demonym", "inside-words", "us-vs-usb", "acronym-case", "name-case", "punctuation"],
)
def test_matches_whole_words_exactly_as_written(mentions, body, expected):
    assert mentions(body) == expected


def test_lowercase_initial_alias_also_matches_capitalised(mentions):
    body = "The harbour board met. Harbour board members agreed. HARBOUR BOARD. The Harbour Board."
    assert mentions(body) == [
        ("harbour-board", "harbour board"),
        ("harbour-board", "Harbour board"),
        ("harbour-board", "Harbour Board"),
    ]


def test_longest_alias_wins(mentions):
    body = "US Central Command and the US met the United States Navy."
    assert mentions(body) == [
        ("centcom", "US Central Command"),
        ("united-states", "US"),
        ("united-states", "United States"),
    ]


def test_leftmost_alias_wins_over_an_overlapping_later_one(mentions):
    # "Central Command" and "Command Post" overlap on "Command": the one starting first wins.
    assert mentions("The Central Command Post opened.") == [("centcom", "Central Command")]
    assert mentions("The Command Post and the Central Command.") == [
        ("command-post", "Command Post"),
        ("centcom", "Central Command"),
    ]


# Each body names Iran once outside the protected Markdown (the first line), so a test that
# found nothing at all would fail too.
PROTECTED = {
    "atx-heading": "## Iran at sea",
    "atx-heading-closed": "### Iran at sea ###",
    "setext-heading-equals": "Iran at sea\n===========",
    "setext-heading-dashes": "Iran at sea\n-----------",
    "inline-code": "They typed `Iran` twice.",
    "double-backtick-code": "They typed ``Iran`` twice.",
    "fenced-code": "```\nIran\n```",
    "tilde-fenced-code": "~~~text\nIran\n~~~",
    "indented-code": "    Iran = 1",
    "inline-link": "See [Iran](https://example.org/iran) now.",
    "inline-link-longer-text": "See [the Iran page](https://example.org/p) now.",
    "reference-link": "See [Iran][ref] now.\n\n[ref]: https://example.org/r",
    "reference-definition": '[ref]: https://example.org/r "Iran"\n\nSee [the page][ref].',
    "reference-definition-in-list-item": '- [ref]: https://example.org/r "Iran"\n\n[the page][ref]',
    "inline-code-over-lines": "They typed `a\nIran` twice.",
    "uneven-backticks": "They typed ``a` and Iran.",
    "bare-url": "Read https://example.org/Iran/news today.",
    "bare-url-query": "Read https://example.org/search?q=Iran today.",
}


@pytest.mark.parametrize("protected", PROTECTED.values(), ids=PROTECTED.keys())
def test_no_mentions_in_protected_markdown(mention_records, protected):
    body = f"Iran spoke first.\n\n{protected}\n\nThe end."
    found = mention_records(body)
    assert [(m.actor, m.start, m.end) for m in found] == [("iran", 0, 4)]


@pytest.mark.parametrize(
    "protected",
    ["<Iran>", "Read <https://example.org/Iran> today.", "a <span title=Iran> b"],
    ids=["tag", "autolink", "tag-with-attribute"],
)
def test_no_mentions_in_raw_tag_looking_text(validated, protected):
    # Validation rejects these bodies, so the matcher is asked directly.
    dossier, _ = validated(actors=MATCHING_ACTORS)
    text = f"Iran spoke first.\n\n{protected}\n"
    assert Matcher(dossier.actors).find(text) == [(0, 4, "iran")]


def test_no_mentions_in_atx_heading_without_space(mention_records):
    found = mention_records("Iran spoke first.\n\n#Iran at sea\n\nThe end.")
    assert [(m.actor, m.start) for m in found] == [("iran", 0)]


def test_no_mentions_in_heading_inside_block_quote(mention_records):
    found = mention_records("Iran spoke first.\n\n> ## Iran at sea\n\nThe end.")
    assert [(m.actor, m.start) for m in found] == [("iran", 0)]


def test_no_mentions_in_fenced_code_after_a_longer_backtick_line(mention_records):
    found = mention_records("Iran spoke first.\n\n```\nx = 1\n````\nIran\n```\n\nThe end.")
    assert [(m.actor, m.start) for m in found] == [("iran", 0)]


def test_no_mentions_in_bare_url_with_parentheses(mention_records):
    found = mention_records("Iran spoke first.\n\nSee https://example.org/wiki/Gulf_(Iran) now.")
    assert [(m.actor, m.start) for m in found] == [("iran", 0)]


# --- the sentence of each mention -----------------------------------------------------------


def test_mention_offsets_point_at_the_name_in_the_body(mention_records):
    body = "First part here. Then Iran spoke.\n\nLater the US answered."
    found = mention_records(body)
    assert [(m.start, m.end) for m in found] == [(22, 26), (45, 47)]
    assert [body[m.start : m.end] for m in found] == ["Iran", "US"]
    assert [m.article for m in found] == [SLUG, SLUG]


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("First part here. Then Iran spoke at the port. Last one.", "Then Iran spoke at the port."),
        ("Iran spoke first! Then others spoke.", "Iran spoke first!"),
        ("Was it Iran? Nobody knew.", "Was it Iran?"),
        (
            "Gen. Smith met the Iran envoy at the U.S. embassy. Later, they left.",
            "Gen. Smith met the Iran envoy at the U.S. embassy.",
        ),
        ('He said "Iran agreed." Then he left.', 'He said "Iran agreed."'),
        ("Iran spoke\nat some length. Next one.", "Iran spoke at some length."),
        ("Other paragraph.\n\nIran spoke.\n\nAnother paragraph.", "Iran spoke."),
        (
            "Read [the notes](https://example.org/n) and `code` about Iran today. Next.",
            "Read the notes and code about Iran today.",
        ),
        ("- Iran spoke in a list item.", "Iran spoke in a list item."),
        ("> Iran spoke in a quote.", "Iran spoke in a quote."),
    ],
    ids=[
        "middle",
        "exclamation",
        "question",
        "abbreviations",
        "closing-quote",
        "line-break",
        "own-paragraph",
        "markup-dropped",
        "list-item",
        "block-quote",
    ],
)
def test_mention_sentence_is_plain_text_of_its_sentence(mention_records, body, sentence):
    (mention,) = mention_records(body)
    assert mention.sentence == sentence
    assert mention.sentence[mention.sentence_start : mention.sentence_end] == "Iran"


def test_two_mentions_in_one_sentence_share_it_with_their_own_offsets(mention_records):
    (first, second) = mention_records("Before. The US and Iran met. After.")
    assert first.sentence == second.sentence == "The US and Iran met."
    assert (first.sentence_start, first.sentence_end) == (4, 6)
    assert (second.sentence_start, second.sentence_end) == (11, 15)


def test_mention_sentence_keeps_spaces_around_emphasised_name(mention_records):
    (mention,) = mention_records("The *Iran* deal was signed. Next.")
    assert mention.sentence == "The Iran deal was signed."
    assert (mention.sentence_start, mention.sentence_end) == (4, 8)


def test_mention_sentence_shows_escaped_characters_as_written(mention_records):
    (mention,) = mention_records(r"Iran rejected the \*draft\* plan. Next.")
    assert mention.sentence == "Iran rejected the *draft* plan."


# --- the index ------------------------------------------------------------------------------


def test_articles_by_actor_are_newest_first(validated, article):
    _, index = validated(
        {
            "2021-01-05-oldest.md": article("Iran spoke.", date="2021-01-05"),
            "2021-03-01-newest.md": article("Iran spoke again.", date="2021-03-01"),
            "2021-02-10-middle.md": article("Iran and the US spoke.", date="2021-02-10"),
        },
        actors=MATCHING_ACTORS,
    )
    assert index.articles_by_actor["iran"] == (
        "2021-03-01-newest",
        "2021-02-10-middle",
        "2021-01-05-oldest",
    )
    assert index.articles_by_actor["united-states"] == ("2021-02-10-middle",)
    assert index.articles_by_actor["harbour-board"] == ()


def test_actors_by_article_in_first_mention_order_without_repeats(validated, article):
    _, index = validated(
        {f"{SLUG}.md": article("The US met Iran. Iran met the US. The Harbour Board watched.")},
        actors=MATCHING_ACTORS,
    )
    assert index.actors_by_article[SLUG] == ("united-states", "iran", "harbour-board")


def test_co_mentions_count_articles_and_break_ties_by_id(validated, article):
    _, index = validated(
        {
            # Harbour Board comes before Command Post in the text, so only sorting by id
            # puts command-post first among the ties.
            "2021-03-01-a.md": article(
                "Iran, Iran and Iran. The Harbour Board and the US. US again.", date="2021-03-01"
            ),
            "2021-02-01-b.md": article("Iran and the US.", date="2021-02-01"),
            "2021-01-01-c.md": article("Iran and the Command Post.", date="2021-01-01"),
        },
        actors=MATCHING_ACTORS,
    )
    assert index.co_mentions["iran"] == (
        ("united-states", 2),
        ("command-post", 1),
        ("harbour-board", 1),
    )
    assert index.co_mentions["united-states"] == (("iran", 2), ("harbour-board", 1))
    assert index.co_mentions["centcom"] == ()


def test_co_mention_ties_go_to_the_actor_named_more_often_first(validated, article):
    _, index = validated(
        {
            "2021-03-01-a.md": article(
                "Iran met the Command Post. The Harbour Board spoke. The Harbour Board left.",
                date="2021-03-01",
            ),
        },
        actors=MATCHING_ACTORS,
    )
    # Both share one article with Iran; the Harbour Board is named twice, the Post once.
    assert index.co_mentions["iran"] == (("harbour-board", 1), ("command-post", 1))


TOPICS = """\
- id: ferries
  name: Ferries
  aliases: [ferry servce]
  description: A topic used in tests.
- id: harbours
  name: Harbours
  aliases: []
  description: A topic used in tests.
- id: weather
  name: Weather
  aliases: []
  description: A topic used in tests.
"""


def test_articles_by_topic_include_tag_resolved_and_curated_topics(validated, article):
    dossier, index = validated(
        {
            "2021-02-01-tagged.md": article(
                "Iran spoke.", date="2021-02-01", tags=("Ferry servce",), topics=["harbours"]
            ),
            "2021-01-01-curated.md": article(
                "The US spoke.", date="2021-01-01", tags=("HARBOURS",)
            ),
        },
        actors=MATCHING_ACTORS,
        topics=TOPICS,
    )
    assert dossier.articles[0].topics == ("ferries", "harbours")
    assert index.articles_by_topic == {
        "ferries": ("2021-02-01-tagged",),
        "harbours": ("2021-02-01-tagged", "2021-01-01-curated"),
        "weather": (),
    }


def test_actors_by_topic_count_articles_most_first_ties_by_id(validated, article):
    _, index = validated(
        {
            "2021-03-01-a.md": article("The US and Iran. Iran.", date="2021-03-01"),
            "2021-02-01-b.md": article("Iran and the Harbour Board.", date="2021-02-01"),
            "2021-01-01-c.md": article("The Command Post.", date="2021-01-01", tags=("Harbours",)),
        },
        actors=MATCHING_ACTORS,
        topics=TOPICS,
    )
    assert index.actors_by_topic["ferries"] == (
        ("iran", 2),
        ("harbour-board", 1),
        ("united-states", 1),
    )
    assert index.actors_by_topic["harbours"] == (("command-post", 1),)
    assert index.actors_by_topic["weather"] == ()
