"""The contributor's gate: every bad input gives exact, located messages and writes nothing.

Each case is a small dossier that differs from a valid one in one behaviour, and the exact
``path:line: message`` lines ``check`` must print. Every case also runs ``render --out`` into
a folder holding a previous build and asserts that folder is untouched.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from build_scripts.__main__ import main
from build_scripts.yamlsource import SafeLoader

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "minimal"
ACTORS = (MINIMAL / "actors.yml").read_text(encoding="utf-8")
TOPICS = (MINIMAL / "topics.yml").read_text(encoding="utf-8")
A = "articles/2021-06-14-northland-opens-a-ferry-line.md"
# libyaml (used when PyYAML has it) and PyYAML's Python parser word this error differently.
YAML_CONTEXT = "in this context" if SafeLoader is getattr(yaml, "CSafeLoader", None) else "here"
SHOWN = f"dossier/{A}"


FRONT = {
    "title": '"Northland opens a ferry line"',
    "kind": "news",
    "author": '"Test Writer"',
    "date": "2021-06-14",
    "publication": '"Example Gazette"',
    "tags": '["Ferries"]',
}
BODY = "Northland opened a ferry line on Monday. Minister Ada Quill cut the ribbon.\n"


def article(body: str = BODY, drop: tuple[str, ...] = (), **changes: str) -> str:
    """A valid article (front matter lines 2-7, body text from line 10) with keys changed."""
    fields = {k: v for k, v in FRONT.items() if k not in drop}
    fields.update(changes)
    lines = [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def nested(depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = f"[{text}]"
    return f"key: {text}\n"


CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "missing_required_key": (
        {A: article(drop=("author",))},
        [f"{SHOWN}:2: front matter: missing required key 'author'"],
    ),
    "empty_front_matter_names_every_missing_key": (
        {A: "---\n---\n\n" + BODY},
        [
            f"{SHOWN}:2: front matter: missing required key '{key}'"
            for key in ("title", "kind", "author", "date", "publication", "tags")
        ],
    ),
    "tags_no_is_not_false": (
        {A: article(tags="NO")},
        [f"{SHOWN}:7: tags: expected a list but got 'NO'"],
    ),
    "unknown_tag_suggests_topic": (
        {A: article(tags='["Feries"]')},
        [f"{SHOWN}:7: tags: 'Feries' matches no topic id, name or alias (did you mean 'ferries'?)"],
    ),
    "impossible_date": (
        {"articles/2021-02-30-northland-opens-a-ferry-line.md": article(date="2021-02-30")},
        [
            "dossier/articles/2021-02-30-northland-opens-a-ferry-line.md:5: "
            "date: expected a real calendar date but got '2021-02-30' (no such day)"
        ],
    ),
    "date_not_iso": (
        {A: article(date='"14/06/2021"')},
        [f"{SHOWN}:5: date: expected a date as YYYY-MM-DD but got '14/06/2021'"],
    ),
    "date_differs_from_file_name": (
        {A: article(date="2021-06-15")},
        [f"{SHOWN}:5: date: 2021-06-15 does not match the file name's date 2021-06-14"],
    ),
    "kind_not_in_closed_list": (
        {A: article(kind="oped")},
        [f"{SHOWN}:3: kind: expected one of news, op-ed but got 'oped' (did you mean 'op-ed'?)"],
    ),
    "op_ed_without_disclaimer": (
        {A: article(kind="op-ed")},
        [f"{SHOWN}:2: an op-ed needs 'disclaimer': the publisher's opinion disclaimer, verbatim"],
    ),
    "disclaimer_cut_off_yes_is_not_a_boolean": (
        {A: article(disclaimer_cut_off="yes")},
        [
            f"{SHOWN}:8: disclaimer_cut_off: expected true or false but got 'yes'",
        ],
    ),
    "url_javascript": (
        {A: article(url='"javascript:alert(1)"')},
        [f"{SHOWN}:8: url: expected an http:// or https:// address but got 'javascript:alert(1)'"],
    ),
    "unknown_key_with_suggestion": (
        {A: article(auther='"Test Writer"')},
        [f"{SHOWN}:8: unknown key 'auther' (did you mean 'author'?)"],
    ),
    "duplicate_key_names_both_lines": (
        {A: article(body=BODY).replace("kind: news\n", 'kind: news\ntitle: "Again"\n')},
        [f"{SHOWN}:4: duplicate key 'title' (first given on line 2)"],
    ),
    "html_in_metadata": (
        {A: article(author='"<img src=x onerror=alert(1)>"')},
        [
            f"{SHOWN}:4: author: text may not contain '<' (no HTML, entities or control "
            "characters: type the character itself)"
        ],
    ),
    "entity_in_metadata": (
        {A: article(title='"&lt;/title&gt;"')},
        [
            f"{SHOWN}:2: title: text may not contain '&lt;' (no HTML, entities or control "
            "characters: type the character itself)"
        ],
    ),
    "yaml_syntax_error": (
        {A: article(title="Op-Ed: colon: inside")},
        [f"{SHOWN}:2: invalid YAML: mapping values are not allowed {YAML_CONTEXT}"],
    ),
    "no_front_matter": (
        {A: BODY},
        [f"{SHOWN}:1: expected front matter starting with '---'"],
    ),
    "unclosed_front_matter": (
        {A: "---\ntitle: x\n"},
        [f"{SHOWN}:1: front matter is not closed by a '---' line"],
    ),
    "empty_body": (
        {A: article(body="\n\n")},
        [f"{SHOWN}:9: the article has no body text"],
    ),
    "raw_html_in_body": (
        {A: article(body=BODY + "\nHello <script>alert(1)</script>\n")},
        [
            f"{SHOWN}:12: raw HTML is not allowed in an article body (write Markdown; show "
            "markup in `code`)"
        ]
        * 2,
    ),
    "event_handler_in_body": (
        {A: article(body=BODY + '\n<a href="#" onclick="x()">hi</a>\n')},
        [
            f"{SHOWN}:12: raw HTML is not allowed in an article body (write Markdown; show "
            "markup in `code`)"
        ]
        * 2,
    ),
    "javascript_link_mixed_case_and_encoded": (
        {
            A: article(
                body=BODY + "\n[a](JaVaScRiPt:alert(1)) and [b](jav&#x61;script:alert(1))\n"
                "\n[c]: vbscript:msgbox\n"
            )
        },
        [
            f"{SHOWN}:12: link to 'JaVaScRiPt:alert(1': only http, https, mailto and relative "
            "links are allowed",
            f"{SHOWN}:12: link to 'jav&#x61;script:alert(1': only http, https, mailto and "
            "relative links are allowed",
            f"{SHOWN}:14: link to 'vbscript:msgbox': only http, https, mailto and relative "
            "links are allowed",
        ],
    ),
    "data_url_image": (
        {A: article(body=BODY + "\n![x](data:image/png;base64,AAAA)\n")},
        [
            f"{SHOWN}:12: images are not allowed in an article body (the site loads nothing "
            "from outside)",
            f"{SHOWN}:12: link to 'data:image/png;base64,AAAA': only http, https, mailto and "
            "relative links are allowed",
        ],
    ),
    "brackets_nested_thousands_deep": (
        {A: article(body="[" * 5000 + "x" + "]" * 5000 + "\n")},
        [f"{SHOWN}:10: brackets nested more than 16 deep; simplify the Markdown"],
    ),
    "block_quotes_nested_deep": (
        {A: article(body=BODY + "\n" + ">" * 3000 + " x\n")},
        [f"{SHOWN}:12: block quotes nested more than 16 deep; simplify the Markdown"],
    ),
    "lists_nested_deep": (
        {A: article(body="\n".join("  " * i + "- x" for i in range(40)) + "\n")},
        [f"{SHOWN}:27: lists nested more than 16 deep; simplify the Markdown"],
    ),
    "not_utf8_names_the_line": (
        {A: article(body=BODY + "\ncaf\u00e9\n").encode("latin-1")},
        [f"{SHOWN}:12: not valid UTF-8 (byte 0xe9); save as UTF-8"],
    ),
    "nul_character": (
        {A: article(body=BODY + "\nx\x00y\n")},
        [f"{SHOWN}:12: file contains a NUL character"],
    ),
    "file_over_size_cap": (
        {A: article(body="word " * 210_000)},
        [
            f"{SHOWN}:1: file is {len(article(body='word ' * 210_000))} bytes; "
            "the limit is 1000000 bytes"
        ],
    ),
    "file_name_not_in_pattern": (
        {"articles/Northland Ferry.md": article()},
        [
            "dossier/articles/Northland Ferry.md:1: file name must be YYYY-MM-DD-slug.md "
            "(slug: lowercase letters, digits, hyphens)"
        ],
    ),
    "unknown_file_in_dossier": (
        {A: article(), "notes.txt": "hello"},
        [
            "dossier/notes.txt:1: unexpected file in the dossier folder (only articles/, "
            "actors.yml, topics.yml belong there)"
        ],
    ),
    "unknown_file_and_folder_in_articles": (
        {A: article(), "articles/draft.txt": "x", "articles/old/2020-01-01-a.md": article()},
        [
            "dossier/articles/draft.txt:1: unexpected file in articles/ (only .md article "
            "files belong there)",
            "dossier/articles/old:1: unexpected folder in articles/ (only .md article files "
            "belong there)",
        ],
    ),
    "alias_bomb_refused": (
        {
            A: article(),
            "topics.yml": 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n' + TOPICS,
        },
        ["dossier/topics.yml:1: YAML anchors and aliases (&name, *name) are not allowed"],
    ),
    "ten_thousand_deep_nesting_refused": (
        {A: article(), "topics.yml": nested(10_000)},
        ["dossier/topics.yml:1: YAML nested deeper than 20 levels"],
    ),
    # Short texts without "&" or "*" skip the event scan (yamlsource.COMPOSE_AT_ONCE): the
    # converter refuses the same nesting at the same line.
    "short_deep_flow_nesting_refused": (
        {A: article(), "topics.yml": nested(21)},
        ["dossier/topics.yml:1: YAML nested deeper than 20 levels"],
    ),
    "short_deep_block_nesting_refused": (
        {A: article(), "topics.yml": "".join(f"{'  ' * i}- k{i}:\n" for i in range(12))},
        ["dossier/topics.yml:11: YAML nested deeper than 20 levels"],
    ),
    "registry_missing": (
        {A: article(), "topics.yml": None},
        ["dossier/topics.yml:1: registry file is missing"],
    ),
    "alias_shared_by_two_actors": (
        {
            A: article(),
            "actors.yml": ACTORS + "- id: nl-airlines\n  name: NL Airlines\n  kind: organisation\n"
            "  aliases: [NL]\n  description: A fictional airline.\n",
        },
        [
            "dossier/actors.yml:11: alias 'NL' of actor 'nl-airlines' is already used by actor "
            "'northland' (line 1); an alias must name one actor (if both are meant, list it "
            "under shared_aliases of each)"
        ],
    ),
    "duplicate_actor_id": (
        {A: article(), "actors.yml": ACTORS + ACTORS.split("- id: ada-quill")[0]},
        ["dossier/actors.yml:11: duplicate actor id 'northland' (first on line 1)"],
    ),
    "reserved_actor_id": (
        {A: article(), "actors.yml": ACTORS.replace("id: ada-quill", "id: index")},
        ["dossier/actors.yml:6: id: 'index' is reserved for the listing page; choose another id"],
    ),
    "actor_kind_unknown": (
        {A: article(), "actors.yml": ACTORS.replace("kind: person", "kind: persn")},
        [
            "dossier/actors.yml:8: kind: expected one of person, state, institution, "
            "military, armed-group, organisation but got 'persn' (did you mean 'person'?)"
        ],
    ),
    "topic_alias_collides_case_insensitively": (
        {
            A: article(),
            "topics.yml": TOPICS
            + "- id: boats\n  name: Boats\n  aliases: [FERRIES]\n  description: Boats.\n",
        },
        [
            "dossier/topics.yml:5: alias 'FERRIES' of topic 'boats' is already used by topic "
            "'ferries' (line 1); an alias must name one topic"
        ],
    ),
    "unknown_curator_topic": (
        {A: article(topics="[ferrys]")},
        [f"{SHOWN}:8: topics: unknown topic id 'ferrys' (did you mean 'ferries'?)"],
    ),
    "one_bad_file_never_hides_another": (
        {
            A: article(kind="oped"),
            "articles/2021-06-15-second.md": article(date="2021-06-15", drop=("title",)),
        },
        [
            "dossier/articles/2021-06-15-second.md:2: front matter: missing required key 'title'",
            f"{SHOWN}:3: kind: expected one of news, op-ed but got 'oped' (did you mean 'op-ed'?)",
        ],
    ),
}


def _write(root: Path, files: dict[str, str | bytes | None]) -> None:
    defaults: dict[str, str | bytes | None] = {"actors.yml": ACTORS, "topics.yml": TOPICS}
    (root / "articles").mkdir(parents=True)
    for name, content in {**defaults, **files}.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOSSIER_DIR", raising=False)
    return tmp_path


def _previous_output(workdir: Path) -> Path:
    out = workdir / "out"
    out.mkdir()
    (out / "previous.md").write_text("previous build\n")
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case: str, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files, expected = CASES[case]
    _write(workdir / "dossier", files)
    started = time.perf_counter()
    assert main(["check", "--dossier", "dossier"]) == 1
    assert time.perf_counter() - started < 2, "hostile input must be refused quickly"
    lines = capsys.readouterr().err.splitlines()
    assert lines[:-1] == sorted(expected)
    assert lines[-1].startswith(f"{len(expected)} error(s)")

    out = _previous_output(workdir)
    assert main(["render", "--dossier", "dossier", "--out", "out"]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["previous.md"]
    assert (out / "previous.md").read_text() == "previous build\n"
    assert [p.name for p in workdir.iterdir() if p.name.startswith(".out")] == []


def test_symlinked_article_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(workdir / "dossier", {})
    (workdir / "elsewhere.md").write_text(article())
    os.symlink(workdir / "elsewhere.md", workdir / "dossier" / A)
    assert main(["check", "--dossier", "dossier"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{SHOWN}:1: symbolic links are not allowed in a dossier"
    )


def test_yaml_1_1_traps_keep_the_typed_text(workdir: Path) -> None:
    from build_scripts.pipeline import run

    topics = TOPICS + "- id: no\n  name: 'NO'\n  aliases: []\n  description: Norway-like.\n"
    _write(
        workdir / "dossier",
        {A: article(title="1.10", tags="[NO, Ferries]", section="on"), "topics.yml": topics},
    )
    outcome = run("dossier")
    assert outcome.errors == ()
    (loaded,) = outcome.dossier.articles
    assert (loaded.title, loaded.tags, loaded.section) == ("1.10", ("NO", "Ferries"), "on")
    assert loaded.tag_topics == ("no", "ferries")


def test_bom_and_crlf_are_normalised_and_lines_stay_right(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "\ufeff" + article(kind="oped").replace("\n", "\r\n")
    _write(workdir / "dossier", {A: text.encode("utf-8")})
    assert main(["check", "--dossier", "dossier"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{SHOWN}:3: kind: expected one of news, op-ed but got 'oped' (did you mean 'op-ed'?)"
    )


def test_warnings_pass_unless_strict(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(workdir / "dossier", {A: article(disclaimer='"Views are the author\'s own."')})
    assert main(["check", "--dossier", "dossier"]) == 0
    warning = f"{SHOWN}:8: warning: a news article has an opinion disclaimer: should kind be op-ed?"
    assert capsys.readouterr().err.splitlines()[0] == warning
    assert main(["check", "--dossier", "dossier", "--strict"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == warning


def test_declared_shared_alias_is_accepted_and_never_linked(workdir: Path) -> None:
    from build_scripts.pipeline import run

    actors = (
        ACTORS.replace("aliases: [NL]", "aliases: []\n  shared_aliases: [NL]")
        + "- id: nl-airlines\n  name: NL Airlines\n  kind: organisation\n"
        "  shared_aliases: [NL]\n  description: A fictional airline.\n"
    )
    _write(
        workdir / "dossier",
        {A: article(body="NL said so. Northland agreed.\n"), "actors.yml": actors},
    )
    outcome = run("dossier")
    assert outcome.problems == ()
    (mentions,) = outcome.index.mentions.values()
    assert [m.actor for m in mentions] == ["northland"]


def test_check_of_named_files_reports_only_theirs(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = "articles/2021-06-15-second.md"
    _write(
        workdir / "dossier",
        {A: article(kind="oped"), second: article(date="2021-06-15", drop=("title",))},
    )
    assert main(["check", "--dossier", "dossier", f"dossier/{second}"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"dossier/{second}:2: front matter: missing required key 'title'",
        "1 error(s), 0 warning(s)",
    ]
    (workdir / "dossier" / second).write_text(article(date="2021-06-15"))
    assert main(["check", "--dossier", "dossier", f"dossier/{second}"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == "ok: 1 file(s) (other files have problems: run check)\n"


def test_two_spellings_sharing_an_author_page_are_named(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        workdir / "dossier",
        {
            A: article(author='"José Díaz"'),
            "articles/2021-06-15-second.md": article(date="2021-06-15", author='"Jose Diaz"'),
        },
    )
    assert main(["check", "--dossier", "dossier"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "dossier/articles/2021-06-15-second.md:4: warning: author: 'Jose Diaz' shares the page "
        f"authors/jose-diaz with 'José Díaz' ({SHOWN}); spell them alike if they are one"
    )


RAW = "raw HTML is not allowed in an article body (write Markdown; show markup in `code`)"
UNSAFE = "link to 'javascript:alert(1)': only http, https, mailto and relative links are allowed"
# Body text where Python-Markdown reads the Markdown otherwise than a line-by-line look
# suggests. Each: the body after BODY and a blank line (so it starts on line 12), and every
# problem check reports, warnings included.
MARKDOWN_TRAPS: dict[str, tuple[str, list[str]]] = {
    "unclosed_fence_is_text": (
        "```\n<b>x</b>\n",
        [
            f"{SHOWN}:12: warning: a code fence that is never closed: Markdown shows it and what "
            "follows as text (close the block with a line holding the same fence)",
            f"{SHOWN}:13: {RAW}",
            f"{SHOWN}:13: {RAW}",
        ],
    ),
    "fence_with_words_after_the_language_is_inline_code": (
        "```python extra\n<b>x</b>\n```\n",
        [
            f"{SHOWN}:14: warning: a code fence that is never closed: Markdown shows it and "
            "what follows as text (close the block with a line holding the same fence)"
        ],
    ),
    "reference_definition_in_a_list_item": (
        "- [x]: javascript:alert(1)\n\n[c][x]\n",
        [f"{SHOWN}:12: {UNSAFE}"],
    ),
    "reference_definition_in_a_footnote": (
        "A note[^1].\n\n[^1]: [x]: javascript:alert(1)\n\n[c][x]\n",
        [f"{SHOWN}:14: {UNSAFE}"],
    ),
    "reference_definition_in_a_quote_over_two_lines": (
        "> [x]:\n> javascript:alert(1)\n\n[c][x]\n",
        [f"{SHOWN}:13: {UNSAFE}"],
    ),
    "unfinished_character_reference": (
        "AT&#T; and &#233; and &#x41;\n",
        [
            f"{SHOWN}:12: '&#' that begins no character reference (such as &#233;): Markdown "
            "may then misread the rest of the article; write &amp;# to show these characters"
        ],
    ),
    "unfinished_tag_in_code": (
        "The code `a <b` stops.\n",
        [
            f"{SHOWN}:12: an unfinished tag in inline code ('<' with no '>' after it in the "
            "code): Markdown may then misread the rest of the article; finish it or use a "
            "fenced code block"
        ],
    ),
    "tag_opening_a_line_in_code": (
        "`<div>` opens a block, and so does\n- `<p>` here.\n",
        [
            f"{SHOWN}:{line}: a tag at the start of a line in inline code: Markdown may take "
            "it for raw HTML; put some text before the code on that line"
            for line in (12, 13)
        ],
    ),
    "uneven_backticks_leave_the_paragraph_uncoded": (
        "Two ``open and one ` closes, so `<b>` is not code here.\n\nBut `<i>` is.\n",
        [
            f"{SHOWN}:12: warning: backticks that Markdown may pair otherwise than they look: "
            "the rest of this paragraph is not taken for code (give a code span the same number "
            "of backticks on both sides; escape a lone one as \\`)",
            f"{SHOWN}:12: {RAW}",
        ],
    ),
    "code_over_lines_stays_code": (
        "Code may run over lines: `a\n<div>b</div>\n# c\n> d` and the heading is none.\n",
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(MARKDOWN_TRAPS))
def test_markdown_traps_in_the_body(
    case: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, expected = MARKDOWN_TRAPS[case]
    _write(workdir / "dossier", {A: article(body=BODY + "\n" + body)})
    errors = [line for line in expected if ": warning: " not in line]
    assert main(["check", "--dossier", "dossier"]) == (1 if errors else 0)
    lines = capsys.readouterr().err.splitlines()
    if not expected:
        assert lines == []
        return
    assert sorted(lines[:-1]) == sorted(expected)
    assert lines[-1].startswith(f"{len(errors)} error(s), {len(expected) - len(errors)} warning")
