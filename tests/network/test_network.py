"""network: the actor network page and each actor's neighbourhood, drawn as inline SVG."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import nh3
import pytest
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from synthetic_index import explicit, synthetic

from build_scripts import network, publish
from build_scripts.network import (
    MAX_ACTORS,
    MAX_EDGES,
    NEIGHBOURS,
    neighbourhood,
    network_page,
    page_url,
)

DRAWING_RE = re.compile(r'<div class="dossier-network[^"]*">\n.*?\n</div>', re.S)
# What the site's sanitiser must let through for the drawings (publish.py's allowlist gets
# these added): checked below by running the pages through Python-Markdown and nh3.
SVG_TAGS = {"svg", "title", "desc", "g", "line", "circle", "text"}
SVG_ATTRIBUTES = {
    "svg": {"viewBox", "role", "aria-labelledby"},
    "line": {"x1", "y1", "x2", "y2", "stroke-width"},
    "circle": {"cx", "cy", "r"},
    "text": {"x", "y"},
}
HOSTILE = "A<script>&\"'"


def drawing(text: str) -> ET.Element:
    """The one drawing in a page's Markdown, parsed as XML (so it must be well-formed)."""
    found = DRAWING_RE.findall(text)
    assert len(found) == 1, found
    return ET.fromstring(found[0])


def nodes(root: ET.Element) -> dict[str, tuple[float, float, str, str]]:
    """Linked nodes: label text -> (cx, cy, circle class, href)."""
    found = {}
    for link in root.iter("a"):
        circle, text = link.find("circle"), link.find("text")
        assert circle is not None and text is not None
        found[text.text] = (
            float(circle.get("cx")),
            float(circle.get("cy")),
            circle.get("class"),
            link.get("href"),
        )
    return found


def lines(root: ET.Element) -> list[tuple[tuple[float, float], tuple[float, float], float]]:
    return [
        (
            (float(line.get("x1")), float(line.get("y1"))),
            (float(line.get("x2")), float(line.get("y2"))),
            float(line.get("stroke-width")),
        )
        for line in root.iter("line")
    ]


def joined(root: ET.Element, a: str, b: str) -> bool:
    """Whether a line joins the circles labelled ``a`` and ``b``."""
    found = nodes(root)
    ends = {found[a][:2], found[b][:2]}
    return any({start, end} == ends for start, end, _ in lines(root))


# --- URLs ----------------------------------------------------------------------------------

PAGES = [
    "index.md",
    "network.md",
    "actors/index.md",
    "actors/iran.md",
    "articles/2020/index.md",
    "articles/2020-04-03-us-said.md",
]


@pytest.mark.parametrize("directory_urls", [True, False])
def test_page_url_agrees_with_mkdocs(directory_urls: bool) -> None:
    for source in PAGES:
        for target in PAGES:
            from_url = File(source, "/docs", "/site", directory_urls).url
            to_url = File(target, "/docs", "/site", directory_urls).url
            expected = get_relative_url(to_url, from_url)
            assert page_url(source, target, directory_urls) == expected, (source, target)


def test_page_url_examples() -> None:
    assert page_url("network.md", "actors/iran.md", True) == "../actors/iran/"
    assert page_url("network.md", "actors/iran.md", False) == "actors/iran.html"
    assert page_url("actors/iran.md", "actors/iraq.md", True) == "../iraq/"
    assert page_url("actors/iran.md", "actors/iraq.md", False) == "iraq.html"
    assert page_url("actors/iran.md", "network.md", True) == "../../network/"
    assert page_url("index.md", "network.md", True) == "network/"


# --- the network page on the seed article ----------------------------------------------------


def test_seed_network_joins_united_states_iran_and_iraq(seed) -> None:
    dossier, index = seed
    page = network_page(dossier, index, directory_urls=True)
    assert page.path == "network.md"
    assert page.text.startswith("---\n") and "title: Actor network" in page.text
    root = drawing(page.text)
    assert root.get("class") == "dossier-network"
    svg = root.find("svg")
    assert svg is not None and svg.get("role") == "group"
    assert svg.get("viewBox") == f"0 0 {network.WIDTH} {network.HEIGHT}"
    title = svg.find("title")
    assert title is not None and svg.get("aria-labelledby") == title.get("id")
    assert svg.find("desc") is not None
    for a, b in [("United States", "Iran"), ("United States", "Iraq"), ("Iran", "Iraq")]:
        assert joined(svg, a, b), (a, b)
    # The text alternative says the same, with .md links MkDocs checks.
    assert "- [Iran](actors/iran.md) — [Iraq](actors/iraq.md): 1 article" in page.text
    assert "- [Iran](actors/iran.md) — [United States](actors/united-states.md): 1 article" in (
        page.text
    )
    assert "- [Iraq](actors/iraq.md) — [United States](actors/united-states.md): 1 article" in (
        page.text
    )


def test_seed_network_has_a_linked_node_per_actor_named(seed) -> None:
    dossier, index = seed
    page = network_page(dossier, index, directory_urls=True)
    found = nodes(drawing(page.text))
    named = [a for a in dossier.actors if index.articles_by_actor[a.id]]
    assert len(found) == len(named) == 13
    for actor in named:
        label = network._label(actor.name)
        assert found[label][2] == f"kind-{actor.kind}"
        assert found[label][3] == f"../actors/{actor.id}/"
    flat = nodes(drawing(network_page(dossier, index, directory_urls=False).text))
    assert flat["Iran"][3] == "actors/iran.html"
    # Every pair is named together once in the one article: 13 actors, 78 lines, all drawn.
    assert len(lines(drawing(page.text))) == 13 * 12 // 2
    assert "Every connection between them is drawn (78)." in page.text
    assert "[the actors index](actors/index.md)" in page.text


def test_seed_network_legend_lists_the_kinds_drawn(seed) -> None:
    dossier, index = seed
    legend = drawing(network_page(dossier, index, True).text).find("ul")
    assert legend is not None and legend.get("class") == "dossier-network-legend"
    assert ["".join(item.itertext()) for item in legend] == [
        "People",
        "States",
        "Institutions",
        "Militaries",
        "Armed groups",
    ]
    swatches = [item.find("span").get("class") for item in legend]
    assert swatches[1] == "dossier-network-swatch kind-state"


# --- weights, caps and thresholds ----------------------------------------------------------


def test_edges_are_weighted_by_articles_naming_both() -> None:
    # a and b together in three articles, a and c in one.
    dossier, index = explicit([(["a", "b"], []), (["a", "b"], []), (["a", "b", "c"], [])])
    page = network_page(dossier, index, True)
    root = drawing(page.text)
    width = {}
    found = nodes(root)
    for start, end, stroke in lines(root):
        pair = sorted(label for label, node in found.items() if node[:2] in (start, end))
        width[tuple(pair)] = stroke
    assert width[("Synthactor A", "Synthactor B")] == network.EDGE_WIDTH[1]
    assert width[("Synthactor A", "Synthactor C")] < width[("Synthactor A", "Synthactor B")]
    strongest = page.text.index("[Synthactor A](actors/a.md) — [Synthactor B](actors/b.md): 3")
    weakest = page.text.index("[Synthactor A](actors/a.md) — [Synthactor C](actors/c.md): 1")
    assert strongest < weakest
    # Circles grow with the number of articles naming the actor.
    radius = {link.findtext("text"): float(link.find("circle").get("r")) for link in root.iter("a")}
    assert radius["Synthactor A"] == radius["Synthactor B"] > radius["Synthactor C"]


def test_large_dossier_is_capped_and_says_so() -> None:
    dossier, index = synthetic(articles=1500, actors=200, skew=1.1, seed=3)
    page = network_page(dossier, index, True)
    root = drawing(page.text)
    found = nodes(root)
    drawn = lines(root)
    assert len(found) == MAX_ACTORS
    assert 0 < len(drawn) <= MAX_EDGES
    named = sum(1 for a in dossier.actors if index.articles_by_actor[a.id])
    assert f"the {MAX_ACTORS} actors named in the most articles, of {named} named at all" in (
        page.text
    )
    assert "[every actor](actors/index.md) has a page" in page.text
    # The actors shown are the most named ones.
    counts = sorted((len(v) for v in index.articles_by_actor.values()), reverse=True)
    least_shown = min(len(index.articles_by_actor[a.id]) for a in dossier.actors if a.name in found)
    assert least_shown == counts[MAX_ACTORS - 1]
    # The threshold the page states holds for every connection listed, and they match lines.
    match = re.search(r"only the (\d+) strongest connections of (\d+) are drawn: pairs named "
                      r"together in at least (\d+) articles", page.text)  # fmt: skip
    assert match, page.text[:2000]
    shown, pairs, threshold = map(int, match.groups())
    assert shown == len(drawn) < pairs
    listed = [int(n) for n in re.findall(r"^- \[.*\): (\d+) articles?$", page.text, re.M)]
    assert len(listed) == shown and min(listed) == threshold
    assert listed == sorted(listed, reverse=True)


def test_no_actor_named() -> None:
    dossier, index = explicit([([], [])], actors={"a": ("Lonely", "person")})
    page = network_page(dossier, index, True)
    assert "No article names an actor yet." in page.text
    assert "<svg" not in page.text
    assert neighbourhood("a", dossier, index, "actors/a.md", True) == ""


def test_one_actor_alone() -> None:
    dossier, index = explicit([(["a"], [])])
    page = network_page(dossier, index, True)
    assert len(nodes(drawing(page.text))) == 1
    assert "No two of them are named in the same article." in page.text
    assert "## Strongest connections" not in page.text


# --- neighbourhoods ------------------------------------------------------------------------


def test_seed_neighbourhood_of_iran(seed) -> None:
    dossier, index = seed
    snippet = neighbourhood("iran", dossier, index, "actors/iran.md", directory_urls=True)
    root = drawing(snippet)
    assert root.get("class") == "dossier-network dossier-neighbourhood"
    svg = root.find("svg")
    assert svg.get("aria-labelledby") == "neighbourhood-iran-title"
    found = nodes(svg)
    assert found["United States"][3] == "../united-states/"
    assert found["Iraq"][3] == "../iraq/"
    assert "Iran" not in found  # the page's own actor is drawn, not linked
    centre = svg.find(".//g[@class='node centre']")
    assert centre is not None and centre.findtext("text") == "Iran"
    assert joined_to_centre(svg, "United States") and joined_to_centre(svg, "Iraq")
    assert (
        '<li><a href="../united-states/">United States</a> — state, named together in 1 article'
        "</li>" in snippet
    )
    assert '<li><a href="../iraq/">Iraq</a> — state, named together in 1 article</li>' in snippet
    assert (  # actors/iran.md is served at actors/iran/, network.md at network/
        '<div class="dossier-caption">\n'
        "<p>The actors named in the most articles with Iran; "
        '<a href="../../network/">the actor network</a> shows the whole dossier.</p>\n'
        "</div>"
    ) in snippet
    flat = neighbourhood("iran", dossier, index, "actors/iran.md", directory_urls=False)
    assert nodes(drawing(flat))["Iraq"][3] == "iraq.html"
    assert '<li><a href="iraq.html">Iraq</a>' in flat
    assert '<a href="../network.html">the actor network</a>' in flat


def joined_to_centre(svg: ET.Element, label: str) -> bool:
    centre = svg.find(".//g[@class='node centre']/circle")
    middle = (float(centre.get("cx")), float(centre.get("cy")))
    end = nodes(svg)[label][:2]
    return any({start, stop} == {middle, end} for start, stop, _ in lines(svg))


def test_neighbourhood_keeps_the_strongest_twelve_strongest_on_top() -> None:
    # "a" is named with b1..b15; with b(n) in n articles, so b15 is the strongest.
    rows = [(["a", f"b{n:02d}"], []) for n in range(1, 16) for _ in range(n)]
    dossier, index = explicit(rows)
    snippet = neighbourhood("a", dossier, index, "actors/a.md", True)
    svg = drawing(snippet).find("svg")
    found = nodes(svg)
    assert len(found) == NEIGHBOURS
    assert set(found) == {f"Synthactor B{n:02d}" for n in range(4, 16)}
    listed = re.findall(r'^<li><a href="[^"]*">Synthactor (B\d\d)</a>', snippet, re.M)
    assert listed == [f"B{n:02d}" for n in range(15, 3, -1)]
    centre = svg.find(".//g[@class='node centre']/circle")
    cx, cy = float(centre.get("cx")), float(centre.get("cy"))
    # The strongest straight above the centre, the next clockwise (to the right).
    x, y, _, href = found["Synthactor B15"]
    assert href == "../b15/" and x == cx and y < cy
    assert found["Synthactor B14"][0] > cx
    assert found["Synthactor B04"][0] < cx
    # Stronger ties are nearer the centre.

    def distance(label: str) -> float:
        x, y = found[label][:2]
        return ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5

    assert distance("Synthactor B15") < distance("Synthactor B09") < distance("Synthactor B04")


# --- escaping and sanitising ---------------------------------------------------------------


def hostile_dossier():
    return explicit(
        [(["h", "b"], []), (["h", "b", "c"], [])],
        actors={"h": (HOSTILE, "armed-group"), "b": ("Tom & Jerry <b>", "person")},
    )


def test_hostile_names_are_escaped_everywhere() -> None:
    dossier, index = hostile_dossier()
    texts = [
        network_page(dossier, index, True).text,
        neighbourhood("h", dossier, index, "actors/h.md", True),
        neighbourhood("b", dossier, index, "actors/b.md", True),
    ]
    for text in texts:
        assert "<script" not in text and "<b>" not in text
        root = drawing(text)  # well-formed XML despite the names
        labels = {t.text for t in root.iter("text")}
        titles = {t.text for t in root.iter("title")}
        assert HOSTILE in labels and "Tom & Jerry <b>" in labels
        assert any(HOSTILE in title for title in titles)
    page = texts[0]
    assert "[A&lt;script&gt;&amp;\"'](actors/h.md)" in page
    assert r"[Tom &amp; Jerry &lt;b&gt;](actors/b.md)" in page


def render_like_the_site(text: str) -> str:
    """Markdown with the site's extensions, then the sanitiser with the SVG allowlist added."""
    body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
    html = markdown.markdown(body, extensions=["toc", "admonition", "tables", "footnotes"])
    attributes = {tag: set(names) for tag, names in publish.SAFE_ATTRIBUTES.items()}
    for tag, names in SVG_ATTRIBUTES.items():
        attributes[tag] = attributes.get(tag, set()) | names
    return nh3.clean(
        html,
        tags=set(publish.SAFE_TAGS) | SVG_TAGS,
        attributes=attributes,
        url_schemes=publish.SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def test_drawings_survive_markdown_and_the_sanitiser_intact(seed) -> None:
    dossier, index = seed
    for text in (
        network_page(dossier, index, True).text,
        neighbourhood("iran", dossier, index, "actors/iran.md", True),
    ):
        html = render_like_the_site(text)
        # Python-Markdown passes the block through as raw HTML: not wrapped, not escaped.
        assert '<p><div class="dossier-network' not in html
        before = drawing(text)
        after = ET.fromstring(re.search(r'<div class="dossier-network.*?</div>', html, re.S)[0])
        assert [(e.tag, e.attrib) for e in after.iter()] == [
            (e.tag, e.attrib) for e in before.iter()
        ]


def test_hostile_names_stay_text_through_the_sanitiser() -> None:
    dossier, index = hostile_dossier()
    html = render_like_the_site(network_page(dossier, index, True).text)
    assert "<script" not in html and "<b>" not in html
    assert "A&lt;script&gt;&amp;\"'" in html


# --- determinism ---------------------------------------------------------------------------


def test_output_is_byte_identical_on_repeated_runs(seed, related_fixture) -> None:
    for dossier, index in (seed, related_fixture):
        first = network_page(dossier, index, True)
        assert network_page(dossier, index, True) == first
        for actor in dossier.actors:
            path = f"actors/{actor.id}.md"
            assert neighbourhood(actor.id, dossier, index, path, True) == neighbourhood(
                actor.id, dossier, index, path, True
            )


SCRIPT = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
from synthetic_index import synthetic
from build_scripts.network import network_page, neighbourhood
dossier, index = synthetic(articles=600, actors=90, skew=1.1, seed=5)
digest = hashlib.sha256(network_page(dossier, index, True).text.encode())
for actor in dossier.actors:
    digest.update(neighbourhood(actor.id, dossier, index, f"actors/{actor.id}.md", True).encode())
print(digest.hexdigest())
"""


def test_output_is_byte_identical_across_processes() -> None:
    """Another process, another string hash seed: the same bytes (no set or dict order leaks)."""
    here = str(Path(__file__).resolve().parent)
    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, here], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    dossier, index = synthetic(articles=600, actors=90, skew=1.1, seed=5)
    digest = hashlib.sha256(network_page(dossier, index, True).text.encode())
    for actor in dossier.actors:
        path = f"actors/{actor.id}.md"
        digest.update(neighbourhood(actor.id, dossier, index, path, True).encode())
    digests.add(digest.hexdigest())
    assert len(digests) == 1


def test_coordinates_have_one_decimal(seed) -> None:
    dossier, index = seed
    text = network_page(dossier, index, True).text
    numbers = re.findall(r' (?:x1|y1|x2|y2|cx|cy|r|x|y|stroke-width)="([^"]+)"', text)
    assert numbers and all(re.fullmatch(r"-?\d+\.\d", n) for n in numbers)
    assert "-0.0" not in numbers
