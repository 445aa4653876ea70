"""Markdown source helpers shared by validate, link and render.

A fast, deliberately conservative scanner of an article body's Markdown source. It finds the
spans where an actor mention must never be linked (code, headings, links, images, reference
definitions, HTML-looking tags, bare URLs), the spans that are certainly code (where ``<`` is
literal text), the link destinations, and sentence bounds; and it escapes text for embedding
in generated Markdown. It is not a Markdown renderer: Python-Markdown does that at site build.
Where the scanner and Python-Markdown could disagree it errs on the side of not linking.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Iterator

Span = tuple[int, int]

_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
# A whole line that opens a fenced code block as Python-Markdown's fenced_code reads one:
# the fence, then {attributes} or a language with hl_lines, and nothing else. Attributes with
# a "}" inside are not taken for a fence (fenced_code refuses most of them; where it would
# not, the block is only treated as text here: its "<" are escaped, never left raw).
_FENCE_OPEN_RE = re.compile(
    r"(`{3,}|~{3,})[ \t]*(?:\{[^\n}]*\}|\.?[\w#.+-]*[ \t]*(?:hl_lines=([\"']).*?\2[ \t]*)?)"
)
_FENCE_LINE_RE = re.compile(r"^(`{3,}|~{3,})[ \t]*$", re.M)
_FENCE_START_RE = re.compile(r"^(?:```|~~~)", re.M)
# Python-Markdown needs no space after the hashes ("#Heading"), and headings may stand in
# block quotes ("> ## Heading").
_ATX_RE = re.compile(r"^(?:[ \t]*>)*[ \t]{0,3}#")
# The protected-span patterns each start with a literal ("#", "[", "<", "://") so that the
# regex engine can jump from one occurrence to the next; what stands before it on the line is
# checked in Python. They run over every body of the dossier.
_HASH_RE = re.compile(r"#[^\n]*")
_HEADING_PREFIX_RE = re.compile(r"(?:[ \t]*>)*[ \t]{0,3}")
_SETEXT_UNDERLINE_RE = re.compile(r"\n[ \t]{0,3}(?:=+|-+)[ \t]*(?=\n|\Z)")
_INDENTED_BLOCK_RE = re.compile(
    r"(?:\A|\n[ \t]*\n)((?: {4}|\t)[^\n]*(?:\n(?:[ \t]*\n)*(?: {4}|\t)[^\n]*)*)"
)
_SETEXT_RE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_INDENTED_RE = re.compile(r"^(?: {4}|\t)")
_CODE_SPAN_RE = re.compile(r"(?<![\\`])(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
_INLINE_LINK_RE = re.compile(r"\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\](?:\([^)\n]*\)|\[[^\]\n]*\])?")
_TAG_RE = re.compile(r"<[^<>\n]*>?")
_URL_REST_RE = re.compile(r"://[^\s<>\[\]]+")
_MAILTO_RE = re.compile(r"mailto:[^\s<>\[\]]+")
_SCHEME_TAIL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
_LINK_DEST_RE = re.compile(r"\]\(\s*<?([^)\s>]*)")
# A reference definition: at a line start, or after what opens a quote, list item or
# footnote there (Python-Markdown reads definitions inside those too); the label may be
# empty or run over lines, and the destination may stand on the next line.
_REF_DEST_RE = re.compile(
    r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d+[.)](?=[ \t])|\[\^[^\]\n]*\]:))*[ \t]*"
    r"\[(?!\^)[^\[\]]*\]:[ \t]*(?:\n(?:[ \t]*>)*[ \t]*)?<?(\S*?)>?(?:\s|$)",
    re.M,
)
_RAW_HTML_RE = re.compile(r"<\s*/?\s*[A-Za-z!?]|&lt;\s*/?\s*script", re.I)
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SAFE_SCHEMES = ("http", "https", "mailto")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")

# Sentence ends: . ! ? (optionally followed by closing quotes or brackets), then white space,
# then something that can start a sentence. Abbreviations in _NO_BREAK_AFTER do not end one.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]*_]*\s+(?=[\"'“‘(\[*_]*[A-Z0-9])")
_NO_BREAK_AFTER = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Rep|Sen|Gov|St|Jr|Sr|No|vs|etc|e\.g|i\.e)"
    r"|\b[A-Z](?:\.[A-Z])*)\.$"
)
# Exactly Python-Markdown's escapable characters: a backslash before any other one would show.
_ESCAPES = str.maketrans(
    {char: "\\" + char for char in "\\`*_{}[]()#+-.!"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
_SPACE_RUN_RE = re.compile(r"\s+")
_SPACE_TO_FOLD_RE = re.compile(r"\s{2,}|[^\S ]")
# Paired emphasis only: a lone "*" (2 * 3) is text in Markdown, and so is snake_case.
_EMPHASIS_RES = (
    re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)"),
)
_ESCAPED_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_BLOCK_MARKER_RE = re.compile(r"^[ \t]*(?:>[ \t]?)+|^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M)
# Stand-ins for backslash-escaped characters while markup is removed (Unicode private use).
_STAND_IN = 0xE000
# What ``plain`` acts on after the block markers: escapes, links, code, emphasis, stand-ins and
# character references.
_INLINE_MARKUP_RE = re.compile(r"[\\\[`*_&\ue000-\ue07f]")


MAX_NESTING = 16
_BRACKET_OR_BREAK_RE = re.compile(r"[\[\]]|\n\n")
_DEEP_QUOTE_RE = re.compile(rf"\n(?:[ \t]*>){{{MAX_NESTING + 1}}}")
# A list item indented by at least 9 spaces or tabs: fewer cannot nest deeper (8 tabs, 32).
_INDENTED_ITEM_RE = re.compile(r"\n([ \t]{9,})(?:[-*+]|\d+[.)])[ \t]")


def nesting_problem(text: str) -> tuple[int, str] | None:
    """(offset, message) if brackets, block quotes or lists nest deeper than ``MAX_NESTING``.

    Python-Markdown recurses on such input and can take very long or crash, so this is
    checked before anything else parses the body. Linear in the text's length.
    """
    depth = 0
    deep_enough = text.count("[") > MAX_NESTING  # else no paragraph can nest them too deep
    for match in _BRACKET_OR_BREAK_RE.finditer(text) if deep_enough else ():
        token = match.group(0)
        if token == "[":
            depth += 1
            if depth > MAX_NESTING:
                return match.start(), f"brackets nested more than {MAX_NESTING} deep"
        elif token == "]":
            depth = max(0, depth - 1)
        else:
            depth = 0  # brackets never span paragraphs
    # The first line whose block quotes or list items nest too deep; each pattern starts with
    # the line break before the line, so the regex engine jumps from one candidate to the next.
    found: list[tuple[int, int, str]] = []
    text = "\n" + text  # every line, the first too, has a line break before it
    if ">" in text:
        quote = _DEEP_QUOTE_RE.search(text)
        if quote:
            found.append((quote.start(), 0, f"block quotes nested more than {MAX_NESTING} deep"))
    for item in _INDENTED_ITEM_RE.finditer(text):
        indent = item.group(1)
        if (len(indent) + 3 * indent.count("\t")) // 2 > MAX_NESTING:  # a tab counts 4
            found.append((item.start(), 1, f"lists nested more than {MAX_NESTING} deep"))
            break
    if found:
        offset, _, message = min(found)
        return offset, message
    return None


def images(text: str) -> Iterator[int]:
    """Offsets of Markdown images outside code (a site that loads nothing from outside)."""
    code = code_spans(text)
    for match in re.finditer(r"!\[", text):
        if not _inside(match.start(), code):
            yield match.start()


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def block_code_spans(text: str) -> list[Span]:
    """Fenced code blocks, as Python-Markdown's fenced_code finds them: an opening line at
    column 0 and, below it, the first line that is the very same fence. An opening line that
    is never closed is text, and the search goes on from the next line."""
    return list(_fences(text)[0])


def unclosed_fences(text: str) -> list[int]:
    """Where the lines are that open a fenced code block and are never closed."""
    return list(_fences(text)[1])


@functools.lru_cache(maxsize=64)
def _fences(text: str) -> tuple[tuple[Span, ...], tuple[int, ...]]:
    spans: list[Span] = []
    unclosed: list[int] = []
    if "```" not in text and "~~~" not in text:
        return (), ()  # no fence: inline code only, if any
    closers: dict[str, list[int]] = {}  # fence -> where the lines that can close it start
    for match in _FENCE_LINE_RE.finditer(text):
        closers.setdefault(match.group(1), []).append(match.start())
    for candidate in _FENCE_START_RE.finditer(text):
        if spans and candidate.start() < spans[-1][1]:
            continue  # inside the block found last
        line_end = _line_end(text, candidate.start())
        opening = _FENCE_OPEN_RE.fullmatch(text, candidate.start(), line_end)
        if opening is None:
            continue
        ends = closers.get(opening.group(1), [])
        after = bisect.bisect_right(ends, line_end)  # a closing line starts below this one
        if after < len(ends):
            spans.append((candidate.start(), _line_end(text, ends[after])))
        else:
            unclosed.append(candidate.start())
    return tuple(spans), tuple(unclosed)


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def code_spans(text: str) -> list[Span]:
    """Spans that are certainly code: fenced blocks and inline code spans."""
    return list(_code_spans(text))


@functools.lru_cache(maxsize=64)
def _code_spans(text: str) -> tuple[Span, ...]:
    # Validation, linking and rendering each ask for the same body's spans in turn; a small
    # cache keyed by the text itself can never answer for another text.
    blocks, inline, _ = _code_parts(text)
    return tuple(_merge([*blocks, *inline])) if blocks else inline


@functools.lru_cache(maxsize=64)
def _code_parts(text: str) -> tuple[tuple[Span, ...], tuple[Span, ...], tuple[Span, ...]]:
    """The fenced blocks, the inline code spans outside them, and the uneven regions (see
    ``_inline_scan``). Python-Markdown takes the blocks out first and leaves a blank line on
    each side, so an inline span neither starts in a block nor runs into one: it is looked
    for with each block blanked out."""
    if "`" not in text and "~~~" not in text:
        return (), (), ()  # no fence and no code span: the common case, checked cheaply
    blocks = block_code_spans(text)
    searched = text
    for start, end in reversed(blocks):
        searched = searched[:start] + "\n" * (end - start) + searched[end:]
    inline, uneven = _inline_scan(searched)
    return tuple(blocks), tuple(inline), tuple(uneven)


def uneven_backticks(text: str) -> list[int]:
    """Where backticks start that Markdown may pair otherwise than this scanner can tell
    (see ``_inline_scan``): the rest of that paragraph is not taken for code here."""
    return [start for start, _ in _code_parts(text)[2]]


_TICKS_RE = re.compile(r"`+")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
# What Python-Markdown's tables cut a row at: "|" outside the backtick pairs it finds.
_TABLE_TOKEN_RE = re.compile(r"(\\\\)|(\\`+)|(`+)|(\\\|)|(\|)")
# A line that could be a table's separator row (in a quote or list item too).
_MAYBE_SEPARATOR_RE = re.compile(r"^[ \t>]*[|:\- \t]*-[|:\- \t]*$", re.M)


def _inline_scan(text: str) -> tuple[list[Span], list[Span]]:
    """Code spans as Python-Markdown 3.11 pairs backticks, paragraph by paragraph, and the
    regions where this scanner declines to say ("uneven").

    Markdown's pairing (``BacktickInlineProcessor``): a backtick after an odd number of
    backslashes is escaped; a run of n backticks opens a span that the first later run of
    exactly n closes; with none, the longest shorter run closes it, unless a longer run
    comes later; with no pair at all, the search goes on n characters after the run.
    Markdown pairs within a block, which a heading or quote line can end inside a
    paragraph. So this scanner gives up on the rest of a paragraph (an uneven region: not
    code, its "<" escaped, raw HTML refused and a warning given) wherever the outcome could
    depend on where that block ends: a shorter run comes first, or the search would go on
    over a line break, a "<" or a tab with backticks still to come. Every span it does find
    is code to Markdown once it stands on one line (``one_line_code``). In a paragraph that
    could hold a table, a span counts only if pairing each cell on its own, as the tables
    extension does, finds it too.
    """
    spans: list[Span] = []
    uneven: list[Span] = []
    if "`" not in text:
        return spans, uneven
    blanks = [match.start() for match in _BLANK_LINE_RE.finditer(text)] if "\n" in text else []
    start = 0
    for end in [*blanks, len(text)]:
        if text.find("`", start, end) >= 0:
            found, unsure = _pair_backticks(text, start, end)
            if "|" in text[start:end] and _MAYBE_SEPARATOR_RE.search(text, start, end):
                cells = _cell_spans(text, start, end)
                for kept, span in enumerate(found):
                    if span not in cells:  # what follows would pair differently too
                        found, unsure = found[:kept], [(span[0], end)]
                        break
            spans += found
            uneven += unsure
        start = end + 1
    return spans, uneven


def _cell_spans(text: str, start: int, end: int) -> set[Span]:
    """The code spans of ``text[start:end]`` with each line paired cell by cell."""
    spans: set[Span] = set()
    line = start
    while line < end:
        line_end = _line_end(text, line)
        cell = line
        for pipe in [*_cell_pipes(text, line, min(line_end, end)), min(line_end, end)]:
            spans.update(_pair_backticks(text, cell, pipe)[0])
            cell = pipe + 1
        line = line_end + 1
    return spans


def _cell_pipes(text: str, start: int, end: int) -> list[int]:
    """Where the tables extension would cut the row ``text[start:end]`` into cells."""
    tics: list[tuple[int, int, int, int]] = []  # size opening, size closing, first, last
    pipes: list[int] = []
    for match in _TABLE_TOKEN_RE.finditer(text, start, end):
        if match.group(2):
            ticks = len(match.group(2)) - 1
            tics.append((ticks - 1, ticks, match.start(2), match.end(2) - 1))
        elif match.group(3):
            ticks = len(match.group(3))
            tics.append((ticks, ticks, match.start(3), match.end(3) - 1))
        elif match.group(5):
            pipes.append(match.start(5))
    closing_at: dict[int, list[int]] = {}  # size -> the tics that can close a pair of it
    for at, tic in enumerate(tics):
        closing_at.setdefault(tic[1], []).append(at)
    starts: list[int] = []  # the pairs are found left to right and never overlap
    ends: list[int] = []
    at = 0
    while at < len(tics):
        size = tics[at][0]
        later = closing_at.get(size, []) if size else []
        closing = bisect.bisect_right(later, at)
        if closing < len(later):
            starts.append(tics[at][2])
            ends.append(tics[later[closing]][3])
            at = later[closing] + 1
        else:
            at += 1
    kept = []
    for pipe in pipes:
        region = bisect.bisect_right(starts, pipe) - 1
        if region < 0 or pipe > ends[region]:
            kept.append(pipe)
    return kept


def _pair_backticks(text: str, start: int, end: int) -> tuple[list[Span], list[Span]]:
    """Markdown's backtick pairing within ``text[start:end]``, one block (see _inline_scan)."""
    spans: list[Span] = []
    runs = [match.span() for match in _TICKS_RE.finditer(text, start, end)]
    run_starts = [run[0] for run in runs]
    by_size: dict[int, list[int]] = {}
    for run_start, run_end in runs:
        by_size.setdefault(run_end - run_start, []).append(run_start)
    position = start
    while True:
        tick = text.find("`", position, end)
        if tick < 0:
            return spans, []
        slash = tick
        while slash > start and text[slash - 1] == "\\":
            slash -= 1
        if tick > slash and ((tick - slash) % 2 or slash < position):
            position = tick + 1  # escaped, or its backslashes were passed over
            continue
        run_end = runs[bisect.bisect_right(run_starts, tick) - 1][1]
        size = run_end - tick
        same = by_size.get(size, [])
        closing = bisect.bisect_left(same, run_end)
        if closing < len(same):
            spans.append((tick, same[closing] + size))
            position = same[closing] + size
            continue
        following = bisect.bisect_left(run_starts, run_end)
        if following < len(runs) and runs[following][1] - runs[following][0] < size:
            return spans, [(tick, end)]  # Markdown's fallback: depends on the block's end
        position = tick + 2 * size  # where Markdown 3.11 looks next
        passed = text[run_end : min(position, end)]
        if ("\n" in passed or "<" in passed or "\t" in passed) and text.find(
            "`", run_end, end
        ) >= 0:
            # Markdown may pass over other characters: another block may start in there (and
            # drop a quote's ">"), "<" is escaped as "&lt;", a tab is expanded. Which
            # backticks it then tries is not certain.
            return spans, [(tick, end)]


def one_line_code(text: str) -> str:
    """``text`` with each inline code span's line breaks made spaces (offsets do not move).

    A code span that runs over lines is only code to Python-Markdown if no line inside it
    starts a block of its own first (a heading, quote, list item, rule, HTML block, ...);
    on one line it is code whatever it holds, as it is to validation and escaping here.
    """
    inline = _code_parts(text)[1]
    if not any("\n" in text[start:end] for start, end in inline):
        return text  # every span on one line already: nearly every body
    pieces: list[str] = []
    position = 0
    for start, end in inline:
        pieces += [text[position:start], text[start:end].replace("\n", " ")]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


_PROTECTED_PATTERNS = (
    (_INLINE_LINK_RE, "["),
    (_TAG_RE, "<"),
)


def protected_spans(text: str) -> list[Span]:
    """Spans where a mention must not be linked. Sorted, non-overlapping."""
    spans = code_spans(text) + indented_code_spans(text) + list(_code_parts(text)[2])
    for match in _SETEXT_UNDERLINE_RE.finditer(text):  # the heading is the line above
        above = text.rfind("\n", 0, match.start()) + 1
        if text[above : match.start()].strip():
            spans.append((above, match.end()))
    # Each pattern only where its first character occurs at all: most bodies have no links,
    # and this runs over every body of the dossier.
    for pattern, needed in _PROTECTED_PATTERNS:
        if needed in text:
            spans.extend(match.span() for match in pattern.finditer(text))
    if "#" in text:  # ATX headings: "#" with nothing but indentation or ">" before it
        for match in _HASH_RE.finditer(text):
            line = text.rfind("\n", 0, match.start()) + 1
            if _HEADING_PREFIX_RE.fullmatch(text, line, match.start()):
                spans.append((line, match.end()))
    if "]:" in text:  # reference definitions, to the end of their destination's line
        spans.extend(
            (match.start(), _line_end(text, match.start(1)))
            for match in _REF_DEST_RE.finditer(text)
        )
    if "://" in text:  # bare URLs, with their scheme
        for match in _URL_REST_RE.finditer(text):
            scheme = _SCHEME_TAIL_RE.search(text, max(0, match.start() - 40), match.start())
            if scheme is not None:
                spans.append((scheme.start(), match.end()))
    if "mailto:" in text:
        spans.extend(match.span() for match in _MAILTO_RE.finditer(text))
    return _merge(spans)


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def inside_code(text: str, offset: int) -> bool:
    """Whether ``offset`` is in a fenced block or an inline code span of ``text``."""
    return _inside(offset, _code_spans(text))


def _inside(offset: int, spans: list[Span] | tuple[Span, ...]) -> bool:
    return any(start <= offset < end for start, end in spans)


def outside(spans: list[Span], text_length: int) -> Iterator[Span]:
    """The complement of sorted, merged ``spans`` within ``[0, text_length)``."""
    position = 0
    for start, end in spans:
        if start > position:
            yield position, start
        position = max(position, end)
    if position < text_length:
        yield position, text_length


def line_of(text: str, offset: int) -> int:
    """0-based line index of ``offset``."""
    return text.count("\n", 0, offset)


def link_destinations(text: str) -> Iterator[tuple[int, str]]:
    """(offset, destination) of every inline link/image and reference definition outside code."""
    code = code_spans(text)
    # Each pattern only where what it needs is in the text at all (the second's "^" would
    # have the regex engine try every position).
    for pattern in (_LINK_DEST_RE, *((_REF_DEST_RE,) if "]:" in text else ())):
        for match in pattern.finditer(text):
            if not _inside(match.start(), code):
                yield match.start(1), match.group(1)


def unsafe_url(url: str) -> bool:
    """True unless the URL is relative, an anchor, or http(s)/mailto, after decoding entities."""
    cleaned = _CONTROL_RE.sub("", html.unescape(html.unescape(url)))
    match = _SCHEME_RE.match(cleaned)
    return bool(match) and match.group(1).lower() not in _SAFE_SCHEMES


def has_scheme(url: str) -> bool:
    return bool(_SCHEME_RE.match(url)) or url.startswith("//")


def heading_ids(text: str) -> set[str]:
    """The anchors Python-Markdown's toc extension gives the body's ATX headings."""
    from markdown.extensions.toc import slugify

    code = code_spans(text)  # a line inside a code span is code, even if it starts with "#"
    ids = set()
    for offset, line in _lines(text):
        if _ATX_RE.match(line) and not _inside(offset, code):
            heading = re.sub(r"^(?:[ \t]*>)*[ \t]*#+|#+[ \t]*$", "", line)
            ids.add(slugify(plain(heading), "-"))
    return ids


def raw_html(text: str) -> Iterator[int]:
    """Offsets of HTML-looking tags outside code."""
    if "<" not in text and "&" not in text:
        return  # nothing the pattern can match: most bodies
    code = code_spans(text)
    for match in _RAW_HTML_RE.finditer(text):
        if not _inside(match.start(), code):
            yield match.start()


_TAG_START_RE = re.compile(r"<[A-Za-z!?/]")
_BLOCK_OPENER_RE = re.compile(r"<(?:/?([A-Za-z][A-Za-z0-9-]*)|[!?])")


def tags_opening_lines_in_code(text: str) -> list[int]:
    """Where inline code holds what could open an HTML block (a block-level tag, a comment,
    declaration or processing instruction) within the first four columns of its line, as
    Markdown sees the line (each span on one line). After some text (an "&#" that is no
    character reference, an unfinished tag) Python-Markdown's HTML block scanner misjudges
    where lines start, and takes such a tag for the start of a raw HTML block even there."""
    inline = _code_parts(text)[1]
    if "<" not in text or not inline:
        return []
    from markdown.util import BLOCK_LEVEL_ELEMENTS

    shown = one_line_code(text)
    found = []
    for start, end in inline:
        for match in _BLOCK_OPENER_RE.finditer(shown, start, end):
            name = match.group(1)
            if name is not None and name.lower() not in BLOCK_LEVEL_ELEMENTS:
                continue
            if match.start() - shown.rfind("\n", 0, match.start()) - 1 <= 3:
                found.append(match.start())
    return found


_CHARREF_START_RE = re.compile(r"&#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F])")


def html_scanner_traps(text: str) -> list[tuple[int, str]]:
    """What makes Python-Markdown's HTML block scanner lose count of where lines start (see
    ``tags_opening_lines_in_code``), with the reason: an "&#" that begins no character
    reference, and an unfinished tag in inline code ("<" and no ">" after it in the span).
    Fenced blocks are set aside before that scanner runs."""
    found: list[tuple[int, str]] = []
    if "&#" in text:
        blocks = block_code_spans(text)
        found += [
            (match.start(), "charref")
            for match in _CHARREF_START_RE.finditer(text)
            if not _inside(match.start(), blocks)
        ]
    if "<" in text:
        for start, end in _code_parts(text)[1]:
            for match in _TAG_START_RE.finditer(text, start, end):
                if text.find(">", match.end(), end) < 0:
                    found.append((match.start(), "unfinished"))
    return sorted(found)


def indented_code_spans(text: str) -> list[Span]:
    """Indented code blocks: lines indented 4+ after a blank line, and the indented lines
    that follow them (blank lines in between included)."""
    if not ("\n    " in text or "\n\t" in text or text.startswith(("    ", "\t"))):
        return []
    return [match.span(1) for match in _INDENTED_BLOCK_RE.finditer(text)]


def escape_html_outside_code(text: str) -> str:
    """Turn every ``<`` outside code into ``&lt;`` so no raw HTML can pass through Markdown.

    Inside code ``<`` is shown as typed; each inline code span is put on one line
    (``one_line_code``) so that Markdown can only read it as code. Should the scanner take
    a list's continuation for indented code, the ``<`` it leaves is harmless: validation
    has refused tag-like text everywhere but fenced and inline code, and the sanitiser
    stands behind both.
    """
    return escape_html_outside_code_at(text, [])[0]


def escape_html_outside_code_at(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """``escape_html_outside_code``, and where each of ``offsets`` (ascending) is in what it
    returns."""
    if "`" in text:
        text = one_line_code(text)
    if "<" not in text:  # most bodies
        return text, list(offsets)
    pieces: list[str] = []
    position = shift = 0
    moved: list[int] = []
    waiting = iter(offsets)
    offset = next(waiting, None)
    for start, end in [*_merge(code_spans(text) + indented_code_spans(text)), (len(text), None)]:
        counted = position  # "<" before here, from position on, are in shift
        while offset is not None and offset <= start:
            shift += 3 * text.count("<", counted, offset)
            counted = offset
            moved.append(offset + shift)
            offset = next(waiting, None)
        shift += 3 * text.count("<", counted, start)
        pieces.append(text[position:start].replace("<", "&lt;"))
        if end is None:
            break
        while offset is not None and offset < end:  # in code: nothing there moves
            moved.append(offset + shift)
            offset = next(waiting, None)
        pieces.append(text[start:end])
        position = end
    return "".join(pieces), moved


def paragraph_bounds(text: str, offset: int) -> Span:
    """The block of non-blank lines around ``offset``."""
    start = text.rfind("\n\n", 0, offset)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", offset)
    return start, len(text) if end < 0 else end


def sentence_spans(text: str, start: int, end: int) -> list[Span]:
    """The sentences of ``text[start:end]`` in order, each without the space after it; the
    next one starts where the space ends."""
    spans = []
    sentence_start = start
    for match in _SENTENCE_END_RE.finditer(text, start, end):
        if _NO_BREAK_AFTER.search(text, max(start, match.start() - 12), match.start() + 1):
            continue
        spans.append((sentence_start, match.start() + len(match.group(0).rstrip())))
        sentence_start = match.end()
    spans.append((sentence_start, end))
    return spans


def containing_sentence(spans: list[Span], offset: int) -> Span:
    """Of ``sentence_spans``, the sentence that ``offset`` (or the space after it) is in."""
    later = bisect.bisect_right(spans, offset, key=lambda span: span[0])
    return spans[max(later - 1, 0)]


def sentence_bounds(text: str, start: int, end: int, offset: int) -> Span:
    """The sentence of ``text[start:end]`` that contains ``offset``."""
    return containing_sentence(sentence_spans(text, start, end), offset)


def first_sentence(text: str) -> str:
    """The opening sentence of the first paragraph, as plain text; headings are skipped."""
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        while lines and (
            not lines[0].strip()
            or _ATX_RE.match(lines[0])
            or (len(lines) > 1 and _SETEXT_RE.match(lines[1]))
        ):
            lines = lines[2:] if len(lines) > 1 and _SETEXT_RE.match(lines[1]) else lines[1:]
        paragraph = "\n".join(lines).strip()
        if not paragraph or _FENCE_RE.match(paragraph) or _INDENTED_RE.match(lines[0]):
            continue
        start, end = sentence_bounds(paragraph, 0, len(paragraph), 0)
        return plain(paragraph[start:end])
    return ""


def plain(markdown: str) -> str:
    """Inline Markdown to plain text: link text kept, markup and line breaks dropped.

    Block markers (quote, list) go first, then escaped characters are set aside so that
    ``\\*`` stays a star, then links, code and paired emphasis are unwrapped.
    """
    text = _BLOCK_MARKER_RE.sub("", markdown)
    if not _INLINE_MARKUP_RE.search(text):
        return " ".join(text.split())  # nothing below would change it: most sentences
    text = _ESCAPED_RE.sub(lambda m: chr(_STAND_IN + ord(m.group(1))), text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"!?\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = _CODE_SPAN_RE.sub(lambda m: m.group(2).strip(), text)
    for pattern in _EMPHASIS_RES:
        previous = None
        while previous != text:  # nested emphasis: ***a** b*
            previous, text = text, pattern.sub(r"\2", text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group(0)) - _STAND_IN), text)
    return " ".join(html.unescape(text).split())


def escape(text: str) -> str:
    """Escape plain text for inline Markdown: it renders as exactly these characters.

    Runs of white space become one space; leading and trailing space is kept, so escaped
    pieces can be joined around markup.
    """
    if _SPACE_TO_FOLD_RE.search(text):
        text = _SPACE_RUN_RE.sub(" ", text)
    return text.translate(_ESCAPES)
