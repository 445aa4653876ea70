"""The actor network: who is named with whom, drawn as inline SVG at build time.

``network_page`` draws the actors named in the most articles and the strongest of their
co-mentions (``Index.co_mentions``: the number of articles naming both). The layout is
networkx's force-directed ``spring_layout`` with a fixed seed; ``neighbourhood`` draws one
actor and the actors named with it most on a radial layout (strongest first, clockwise from
the top, stronger ties nearer the centre), which needs no physics. Both are pure: the same
input gives byte-identical output (coordinates rounded to one decimal), with the pinned
networkx and numpy. (The force-directed layout amplifies rounding differences in the last bit
of a float a long way; a CPU architecture whose numpy sums in another order could move a few
coordinates by 0.1.)

Nothing is loaded from outside the site: the SVG is inline, its colours come from CSS classes
(``kind-<kind>``, styled by ``docs/stylesheets/network.css``) and its links are final URLs
relative to the page (``page_url``), because MkDocs does not rewrite links in raw HTML. Every
drawing comes with a text alternative in Markdown whose links are relative ``.md`` paths, so
MkDocs validates them. All text in the SVG is XML-escaped.

The SVG is wrapped in a ``<div>`` so Python-Markdown passes it through as a raw HTML block.
It has ``role="group"``, not ``role="img"``: an image's children are presentational, and the
links to actor pages inside one would be interactive controls nested in it (axe-core's
``nested-interactive``, a serious violation).
"""

from __future__ import annotations

import functools
import math
import posixpath
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

# ``render`` as a module, its names looked up when called: render.py imports this module.
from build_scripts import mdtext, render
from build_scripts.link import Index
from build_scripts.model import ACTOR_KINDS, Actor, Dossier

NETWORK = "network.md"
MAX_ACTORS = 60  # actors drawn on the network page: those named in the most articles
MAX_EDGES = 300  # connections drawn at most; the weakest are left out above this
NEIGHBOURS = 12  # actors drawn around an actor on its page
LAYOUT_SEED = 20200103
LAYOUT_ITERATIONS = 100
LAYOUT_SPACING = 2.0  # spring_layout's k times sqrt(nodes): networkx's default is 1.0

# Drawing sizes, in SVG user units (the drawing scales to the page's width). The margins leave
# room for labels; a label longer than LABEL_CHARS is shortened (the link's title keeps it all).
WIDTH, HEIGHT, MARGIN_X, MARGIN_Y = 960, 720, 110, 30
SMALL_WIDTH, SMALL_HEIGHT = 720, 400
RING = (100.0, 165.0)  # distance of the strongest and the weakest neighbour from the centre
NODE_RADIUS = (5.0, 16.0)  # smallest and largest circle
EDGE_WIDTH = (1.0, 8.0)  # thinnest and thickest line
LABEL_GAP = 4.0
LABEL_BELOW = 13.0  # from a circle's edge to the baseline of a label under it
LABEL_CHARS = 28


# --- URLs ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)  # a listing links to many pages, many listings to each
def _served_at(page: str, directory_urls: bool) -> tuple[tuple[str, ...], str, str]:
    """Where MkDocs serves a page: its URL's folders from the site root, its file name ("" with
    directory URLs, where every page is a folder's index), and the two as a URL from the root."""
    stem = page[:-3] if page.endswith(".md") else page
    if not directory_urls:
        *folders, name = stem.split("/")
        name += ".html"
    elif stem == "index":
        folders, name = [], ""
    else:
        folders, name = stem.removesuffix("/index").split("/"), ""
    return tuple(folders), name, "".join(f"{part}/" for part in folders) + name


def page_url(from_page: str, to_page: str, directory_urls: bool) -> str:
    """The URL of ``to_page`` relative to the URL ``from_page`` is served at.

    Both are paths of Markdown pages relative to the docs folder ("network.md",
    "actors/iran.md"). With directory URLs ``network.md`` is served at ``network/`` and
    ``actors/iran.md`` at ``actors/iran/``, so the link between them is ``../actors/iran/``;
    without, they are ``network.html`` and ``actors/iran.html``, linked as
    ``actors/iran.html``.
    """
    source = _served_at(from_page, directory_urls)[0]
    target, name, from_root = _served_at(to_page, directory_urls)
    if not source or not target or source[0] != target[0]:  # no folder in common: most links
        return "../" * len(source) + from_root or "./"
    common = 0
    while common < len(source) and common < len(target) and source[common] == target[common]:
        common += 1
    url = "../" * (len(source) - common) + "".join(f"{part}/" for part in target[common:]) + name
    return url or "./"


# --- SVG pieces ----------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with one decimal, the same on every run ("-0.0" never appears)."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return "0.0" if text == "-0.0" else text


def _scaled(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high <= low:
        return (out_low + out_high) / 2
    return out_low + (value - low) / (high - low) * (out_high - out_low)


def _radius(count: int, most: int) -> float:
    """Circle radius by the number of articles naming the actor: grows with its square root."""
    small, large = NODE_RADIUS
    return small + (large - small) * math.sqrt(count / most) if most else small


def _edge_width(weight: int, strongest: int) -> float:
    thin, thick = EDGE_WIDTH
    return thin + (thick - thin) * math.sqrt(weight / strongest) if strongest > 1 else thin


def _svg_open(width: int, height: int, label_id: str, title: str, desc: str) -> str:
    return (
        f'<svg class="dossier-network-graph" viewBox="0 0 {width} {height}" role="group" '
        f"aria-labelledby={quoteattr(label_id)}>"
        f"<title id={quoteattr(label_id)}>{escape(title)}</title>"
        f"<desc>{escape(desc)}</desc>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, width: float) -> str:
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        f'stroke-width="{_num(width)}"/>'
    )


def _label(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _node(
    actor: Actor,
    href: str | None,
    title: str,
    x: float,
    y: float,
    r: float,
    label: tuple[float, float, str],
) -> str:
    """A circle and its label: a link to the actor's page, or a plain group if ``href`` is None.

    The ``<title>`` names the link (full name first, as the label shows it) and is its tooltip.
    """
    lx, ly, anchor = label
    inner = (
        f"<title>{escape(title)}</title>"
        f'<circle class={quoteattr("kind-" + actor.kind)} cx="{_num(x)}" cy="{_num(y)}" '
        f'r="{_num(r)}"/>'
        f'<text class="{anchor}" x="{_num(lx)}" y="{_num(ly)}">{escape(_label(actor.name))}</text>'
    )
    if href is None:
        return f'<g class="node centre">{inner}</g>'
    return f"<a href={quoteattr(href)}>{inner}</a>"


def _legend(kinds: Iterable[str]) -> str:
    present = set(kinds)
    items = "".join(
        f"<li><span class={quoteattr('dossier-network-swatch kind-' + kind)}></span>"
        f"{escape(render.ACTOR_KIND_LABELS[kind][1])}</li>"
        for kind in ACTOR_KINDS
        if kind in present
    )
    return f'<ul class="dossier-network-legend">{items}</ul>'


def _md_link(text: str, from_page: str, to_page: str) -> str:
    target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return f"[{mdtext.escape(text)}]({target})"


def _pair_line(a: Actor, b: Actor, weight: int, from_page: str) -> str:
    first, second = sorted((a, b), key=_name_key)
    return (
        f"- {_md_link(first.name, from_page, render.actor_path(first.id))} — "
        f"{_md_link(second.name, from_page, render.actor_path(second.id))}: "
        f"{_plural(weight, 'article')}"
    )


def _name_key(actor: Actor) -> tuple[str, str]:
    return (actor.name.casefold(), actor.id)


# --- the network page ----------------------------------------------------------------------


def _strongest_edges(shown: list[str], index: Index) -> tuple[list[tuple[str, str, int]], int, int]:
    """(edges drawn strongest first, their least weight, every pair among ``shown``).

    Edges are the pairs of shown actors named together, ``(a, b, weight)`` with ``a < b``.
    When there are more than ``MAX_EDGES`` the weakest go: the drawn ones are those at or above
    the least weight that keeps at most ``MAX_EDGES`` (all edges tied at the top weight are cut
    at ``MAX_EDGES`` by the order of their ids).
    """
    members = set(shown)
    edges = [
        (actor_id, other, weight)
        for actor_id in shown
        for other, weight in index.co_mentions.get(actor_id, ())
        if other in members and actor_id < other
    ]
    edges.sort(key=lambda edge: (-edge[2], edge[0], edge[1]))
    total = len(edges)
    if total > MAX_EDGES:
        cut = edges[MAX_EDGES][2] + 1  # the first left out sets the bar
        kept = [edge for edge in edges if edge[2] >= cut]
        edges = kept or edges[:MAX_EDGES]
    threshold = edges[-1][2] if edges else 0
    return edges, threshold, total


def _layout(nodes: list[str], edges: list[tuple[str, str, int]]) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]², the same for the same graph on every run.

    networkx's force-directed ``spring_layout`` (seeded) places actors named together near each
    other. A few actors named in most articles pull everything into a dense core, so each
    position is then moved along its direction from the centre to the square root of its rank
    by distance: the actors spread evenly over the drawing, and who lies towards whom, and
    nearer the middle, stays as the layout found it.
    """
    import networkx as nx  # imported here: only the network page needs it

    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    graph = nx.Graph()
    graph.add_nodes_from(nodes)  # sorted: the layout depends on the order
    strongest = max((weight for _, _, weight in edges), default=1)
    for a, b, weight in edges:
        graph.add_edge(a, b, pull=weight / strongest)
    positions = nx.spring_layout(
        graph,
        k=LAYOUT_SPACING / math.sqrt(len(nodes)),
        weight="pull",
        iterations=LAYOUT_ITERATIONS,
        seed=LAYOUT_SEED,
        method="force",
    )
    xs = [float(positions[node][0]) for node in nodes]
    ys = [float(positions[node][1]) for node in nodes]
    cx, cy = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    distances = [math.hypot(x - cx, y - cy) for x, y in zip(xs, ys, strict=True)]
    by_distance = sorted(range(len(nodes)), key=lambda n: (distances[n], n))
    for rank, n in enumerate(by_distance, start=1):
        if distances[n] > 0:
            stretch = math.sqrt(rank / len(nodes)) / distances[n]
            xs[n], ys[n] = cx + (xs[n] - cx) * stretch, cy + (ys[n] - cy) * stretch
    x_low, x_high, y_low, y_high = min(xs), max(xs), min(ys), max(ys)
    return {
        node: (_scaled(x, x_low, x_high, 0.0, 1.0), _scaled(y, y_low, y_high, 0.0, 1.0))
        for node, x, y in zip(nodes, xs, ys, strict=True)
    }


def shown_actors(dossier: Dossier, index: Index) -> tuple[list[str], int]:
    """(ids of the actors drawn, how many actors are named at all), most named first."""
    named = [
        (len(index.articles_by_actor.get(actor.id, ())), actor.id)
        for actor in dossier.actors
        if index.articles_by_actor.get(actor.id)
    ]
    named.sort(key=lambda item: (-item[0], item[1]))
    return [actor_id for _, actor_id in named[:MAX_ACTORS]], len(named)


def network_svg(
    dossier: Dossier,
    index: Index,
    shown: list[str],
    edges: list[tuple[str, str, int]],
    from_page: str,
    directory_urls: bool,
) -> str:
    """The network drawing: a ``<div>`` holding the SVG and the legend of kinds."""
    nodes = sorted(shown)
    positions = _layout(nodes, edges)
    counts = {actor_id: len(index.articles_by_actor[actor_id]) for actor_id in nodes}
    most = max(counts.values())
    strongest = max((weight for _, _, weight in edges), default=1)

    def point(actor_id: str) -> tuple[float, float]:
        x, y = positions[actor_id]
        return (
            MARGIN_X + x * (WIDTH - 2 * MARGIN_X),
            MARGIN_Y + y * (HEIGHT - 2 * MARGIN_Y - LABEL_BELOW - NODE_RADIUS[1]),
        )

    desc = (
        f"{_plural(len(nodes), 'actor')} as circles, coloured by kind and sized by the number "
        f"of articles naming them; {_plural(len(edges), 'line')} join actors named in the "
        "same articles, thicker for more articles. Each circle links to the actor's page."
    )
    parts = [
        '<div class="dossier-network">',
        _svg_open(WIDTH, HEIGHT, "network-title", "Actor network", desc),
        '<g class="edges">',
    ]
    # Weakest first, so the strongest lines are drawn on top.
    for a, b, weight in reversed(edges):
        (x1, y1), (x2, y2) = point(a), point(b)
        parts.append(_line(x1, y1, x2, y2, _edge_width(weight, strongest)))
    parts.append('</g><g class="nodes">')
    for actor_id in nodes:
        actor = dossier.actors_by_id[actor_id]
        x, y = point(actor_id)
        r = _radius(counts[actor_id], most)
        parts.append(
            _node(
                actor,
                page_url(from_page, render.actor_path(actor_id), directory_urls),
                f"{actor.name}: named in {_plural(counts[actor_id], 'article')}",
                x,
                y,
                r,
                (x, y + r + LABEL_BELOW, "label-middle"),
            )
        )
    parts += ["</g></svg>", _legend(dossier.actors_by_id[a].kind for a in nodes), "</div>"]
    return "\n".join(parts)


def network_page(dossier: Dossier, index: Index, directory_urls: bool) -> render.Page:
    """``network.md``: the drawing, then the same network as text."""
    path = NETWORK
    shown, named = shown_actors(dossier, index)
    edges, threshold, pairs = _strongest_edges(shown, index)
    actors_index = f"{render.ACTORS}/index.md"
    lines = [
        render._front_matter(
            "Actor network",
            "Which actors the articles name together: a drawing of the co-mentions, "
            "with the strongest connections listed.",
        ),
        "# Actor network",
        "",
        "Each circle is an actor, coloured by kind and sized by the number of articles naming "
        "it; a line joins two actors named in the same articles, thicker the more articles "
        "name both. Select a circle to open the actor's page.",
        "",
    ]
    if not shown:
        lines += ["No article names an actor yet.", ""]
        return render.Page(path, "\n".join(lines), "")
    if len(shown) < named:
        scope = (
            f"The drawing shows the {_plural(len(shown), 'actor')} named in the most articles, "
            f"of {named} named at all; {_md_link('every actor', path, actors_index)} has a page."
        )
    else:
        scope = (
            f"The drawing shows {'all ' if named > 1 else ''}{_plural(named, 'actor')} the "
            f"articles name; {_md_link('the actors index', path, actors_index)} lists every "
            "actor by kind."
        )
    if not edges:
        links = "No two of them are named in the same article."
    elif len(edges) < pairs:
        links = (
            f"To keep it readable, only the {_plural(len(edges), 'strongest connection')} of "
            f"{pairs} are drawn: pairs named together in at least {_plural(threshold, 'article')}."
        )
    else:
        links = f"Every connection between them is drawn ({len(edges)})."
    lines += [f"{scope} {links}", ""]
    lines += [network_svg(dossier, index, shown, edges, path, directory_urls), ""]
    actors = dossier.actors_by_id
    if edges:
        lines += [
            "## Strongest connections",
            "",
            "The connections drawn above, strongest first, with the number of articles naming "
            "both actors.",
            "",
        ]
        lines += [_pair_line(actors[a], actors[b], weight, path) for a, b, weight in edges]
        lines.append("")
    lines += [
        "## Actors shown",
        "",
        "By kind, with the number of articles naming each.",
        "",
    ]
    for kind in ACTOR_KINDS:
        members = sorted((actors[a] for a in shown if actors[a].kind == kind), key=_name_key)
        if members:
            listed = ", ".join(
                f"{_md_link(actor.name, path, render.actor_path(actor.id))} "
                f"({len(index.articles_by_actor[actor.id])})"
                for actor in members
            )
            lines.append(f"- **{render.ACTOR_KIND_LABELS[kind][1]}:** {listed}")
    lines.append("")
    return render.Page(path, "\n".join(lines), "")


# --- one actor's neighbourhood -------------------------------------------------------------


def neighbourhood(
    actor_id: str, dossier: Dossier, index: Index, from_page: str, directory_urls: bool
) -> str:
    """Markdown for an actor page: the actor and the ``NEIGHBOURS`` actors named with it most.

    A small drawing, the actor in the middle and its neighbours around it (strongest at the
    top, then clockwise; the stronger the tie, the nearer and the thicker the line), then the
    same as a list: the drawing shows nothing the list does not. "" when no other actor is
    named with this one. No heading: the page adds its own.
    """
    ranked = index.co_mentions.get(actor_id, ())[:NEIGHBOURS]
    if not ranked:
        return ""
    actors = dossier.actors_by_id
    centre = actors[actor_id]
    cx, cy = SMALL_WIDTH / 2, SMALL_HEIGHT / 2
    strongest = ranked[0][1]
    counts = {a: len(index.articles_by_actor.get(a, ())) for a in (actor_id, *dict(ranked))}
    most = max(counts.values())
    near, far = RING

    title = f"{centre.name} and the actors named with it most"
    desc = (
        f"{centre.name} in the middle; around it, the {_plural(len(ranked), 'actor')} named "
        f"in the most articles with it, the strongest at the top and then clockwise, nearer "
        "and joined by a thicker line the more articles name both. Each circle links to the "
        "actor's page."
    )
    edges: list[str] = []
    nodes: list[str] = []
    for position, (other, weight) in enumerate(ranked):
        angle = -math.pi / 2 + 2 * math.pi * position / len(ranked)
        distance = near + (far - near) * (1 - weight / strongest)
        x, y = cx + distance * math.cos(angle), cy + distance * math.sin(angle)
        r = _radius(counts[other], most)
        edges.append(_line(cx, cy, x, y, _edge_width(weight, strongest)))
        nodes.append(
            _node(
                actors[other],
                page_url(from_page, render.actor_path(other), directory_urls),
                f"{actors[other].name}: named with {centre.name} in {_plural(weight, 'article')}",
                x,
                y,
                r,
                _side_label(x, y, r, angle),
            )
        )
    r = _radius(counts[actor_id], most)
    nodes.append(
        _node(
            centre,
            None,  # this page
            f"{centre.name}: named in {_plural(counts[actor_id], 'article')}",
            cx,
            cy,
            r,
            (cx, cy + r + LABEL_BELOW, "label-middle"),
        )
    )
    drawing = [
        '<div class="dossier-network dossier-neighbourhood">',
        _svg_open(SMALL_WIDTH, SMALL_HEIGHT, f"neighbourhood-{actor_id}-title", title, desc),
        '<g class="edges">',
        *reversed(edges),  # weakest first, so the strongest lines are drawn on top
        '</g><g class="nodes">',
        *nodes,
        "</g></svg>",
        _legend(actors[a].kind for a in counts),
        "</div>",
    ]
    whole = render.html_link("the actor network", from_page, NETWORK, directory_urls)
    caption = (
        f"The actors named in the most articles with {escape(centre.name)}; "
        f"{whole} shows the whole dossier."
    )
    lines = ["\n".join(drawing), "", *render.raw_paragraphs("caption", [caption])]
    items = []
    for other, weight in ranked:
        actor = actors[other]
        kind = render.ACTOR_KIND_LABELS[actor.kind][0].lower()
        link = render.html_link(actor.name, from_page, render.actor_path(other), directory_urls)
        items.append(f"<li>{link} — {kind}, named together in {_plural(weight, 'article')}</li>")
    lines += render.html_list(items)
    return "\n".join(lines)


def _side_label(x: float, y: float, r: float, angle: float) -> tuple[float, float, str]:
    """A neighbour's label outside its circle, away from the centre."""
    cos, sin = math.cos(angle), math.sin(angle)
    if abs(cos) < 0.3:  # near the top or the bottom: centred above or below
        return (
            (x, y + r + LABEL_BELOW, "label-middle") if sin > 0 else (x, y - r - 6, "label-middle")
        )
    if cos > 0:
        return (x + r + LABEL_GAP, y + 4, "label-start")
    return (x - r - LABEL_GAP, y + 4, "label-end")


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return render._plural(count, word, plural)
