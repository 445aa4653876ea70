"""Stage 1, load: read every file of a dossier folder before anything is judged or written.

Reads ``articles/*.md`` (front matter + Markdown body), ``actors.yml`` and ``topics.yml``
into ``SourceFile`` records whose YAML keeps a line for every value. File-level problems
(unreadable, not UTF-8, too large, a symlink, an unexpected file, no front matter, broken
YAML) become located ``Problem``s; a bad file never stops the others from loading. It does not
check keys or types: that is ``validate``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from build_scripts.halves import Each, serially
from build_scripts.model import Loaded, Node, Problem, SourceFile
from build_scripts.yamlsource import parse_yaml

ARTICLES_DIR = "articles"
ACTORS_FILE = "actors.yml"
TOPICS_FILE = "topics.yml"
ALLOWED_EXTRA = ("README.md",)
MAX_FILE_BYTES = 1_000_000
FENCE = "---"


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def read_text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 text with BOM and CRLF normalised; never raise on bad content."""
    try:
        status = os.lstat(path)  # one system call for both questions
        if stat.S_ISLNK(status.st_mode):
            return None, [Problem(shown, 1, "symbolic links are not allowed in a dossier")]
        if status.st_size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    shown, 1, f"file is {status.st_size} bytes; the limit is {MAX_FILE_BYTES} bytes"
                )
            ]
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        return None, [Problem(shown, 1, f"cannot read file: {error.strerror or error}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, [
            Problem(shown, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save as UTF-8")
        ]
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Problem(shown, line, "file contains a NUL character")]
    return text, []


# A line that closes the front matter: "---" or "...", then nothing but white space.
_CLOSING_RE = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.M)


def split_front_matter(text: str, shown: str) -> tuple[str | None, str, int, list[Problem]]:
    """Return (front matter YAML, body, body's first file line, problems)."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() != FENCE:
        return None, text, 1, [Problem(shown, 1, "expected front matter starting with '---'")]
    closing = _CLOSING_RE.search(text, first_end + 1) if first_end >= 0 else None
    if closing is None:
        return None, "", 1, [Problem(shown, 1, "front matter is not closed by a '---' line")]
    yaml_text = text[first_end + 1 : max(first_end + 1, closing.start() - 1)]
    body = text[closing.end() + 1 :]
    return yaml_text, body, text.count("\n", 0, closing.start()) + 2, []


def _load_article(
    path: Path, root: Path, problems: list[Problem], shown_folder: str | None = None
) -> SourceFile:
    """``shown_folder``: ``display_path`` of the article's folder, if known."""
    if shown_folder is None:
        shown = display_path(path)
    else:
        shown = path.name if shown_folder == "." else f"{shown_folder}/{path.name}"
    rel = path.relative_to(root).as_posix()
    text, found = read_text(path, shown)
    problems.extend(found)
    if text is None:
        return SourceFile(shown, rel, None)
    yaml_text, body, body_line, found = split_front_matter(text, shown)
    problems.extend(found)
    data = None
    if yaml_text is not None:
        data, found = parse_yaml(yaml_text, shown, first_line=2)
        problems.extend(found)
        if data is None and not found:
            data = Node({}, 2, "map")  # empty front matter: validate names each missing key
    return SourceFile(shown, rel, data, body, body_line)


def _load_registry(path: Path, root: Path, problems: list[Problem]) -> SourceFile | None:
    shown = display_path(path)
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(shown, 1, "registry file is missing"))
        return None
    text, found = read_text(path, shown)
    problems.extend(found)
    if text is None:
        return SourceFile(shown, path.name, None)
    data, found = parse_yaml(text, shown)
    problems.extend(found)
    if data is None and not found:
        data = Node([], 1, "seq")  # an empty registry is an empty list
    return SourceFile(shown, path.name, data)


@dataclass(frozen=True)
class Listing:
    """A dossier folder as listed, before any article is read: its article files, its
    registries (read) and the problems found so far, each kind in the order ``load`` gives
    them. ``read`` reads one article file (``_load_article``)."""

    root: Path
    entries: tuple[tuple[Path, bool], ...]  # articles/ by name: (entry, whether an article)
    shown_folder: str
    actors: SourceFile | None
    topics: SourceFile | None
    folder_problems: tuple[Problem, ...]  # the dossier folder's, then the articles folder's
    registry_problems: tuple[Problem, ...]

    @property
    def articles(self) -> list[Path]:
        return [entry for entry, is_article in self.entries if is_article]

    @property
    def article_rels(self) -> list[str]:
        """Each article's path relative to the dossier folder (``SourceFile.rel``)."""
        return [f"{ARTICLES_DIR}/{entry.name}" for entry in self.articles]

    def read(self, entry: Path, problems: list[Problem]) -> SourceFile:
        return _load_article(entry, self.root, problems, self.shown_folder)

    def unexpected(self) -> Iterator[Problem]:
        """The problem of each entry of articles/ that is no article."""
        for entry, is_article in self.entries:
            if not is_article:
                yield Problem(display_path(entry), 1, _unexpected(entry, "articles/"))


def list_dossier(root: str | os.PathLike[str]) -> Listing:
    """List a dossier folder and read its registries; read no article."""
    root_path = Path(root)
    problems: list[Problem] = []
    entries: list[tuple[Path, bool]] = []
    shown_folder = ""
    if not root_path.is_dir():
        problems.append(Problem(display_path(root_path), 1, "dossier folder not found"))
        return Listing(root_path, (), shown_folder, None, None, tuple(problems), ())
    known = {ACTORS_FILE, TOPICS_FILE, ARTICLES_DIR, *ALLOWED_EXTRA}
    for entry in sorted(root_path.iterdir(), key=lambda p: p.name):
        if entry.name not in known:
            problems.append(
                Problem(display_path(entry), 1, _unexpected(entry, "the dossier folder"))
            )
    articles_dir = root_path / ARTICLES_DIR
    if articles_dir.is_symlink():
        problems.append(
            Problem(display_path(articles_dir), 1, "symbolic links are not allowed in a dossier")
        )
    elif not articles_dir.is_dir():
        problems.append(Problem(display_path(articles_dir), 1, "the articles/ folder is missing"))
    else:
        # The folder's listing says which entries are files (os.scandir: no call per file).
        with os.scandir(articles_dir) as listing:
            kinds = sorted((e.name, e.is_file() or e.is_symlink()) for e in listing)
        entries = [(articles_dir / name, file and _suffix(name) == ".md") for name, file in kinds]
        shown_folder = display_path(articles_dir)
    found: list[Problem] = []
    actors = _load_registry(root_path / ACTORS_FILE, root_path, found)
    topics = _load_registry(root_path / TOPICS_FILE, root_path, found)
    return Listing(
        root_path, tuple(entries), shown_folder, actors, topics, tuple(problems), tuple(found)
    )


def load(root: str | os.PathLike[str], each: Each = serially) -> Loaded:
    """Load a dossier folder. Problems are collected; nothing raises on bad content. ``each``
    maps the reading of each article (``halves.in_two``: on two cores)."""
    listing = list_dossier(root)

    def loaded(entry: Path) -> tuple[SourceFile, list[Problem]]:
        found: list[Problem] = []
        return listing.read(entry, found), found

    read = iter(each(loaded, listing.articles))
    unexpected = iter(listing.unexpected())
    problems = list(listing.folder_problems)
    articles: list[SourceFile] = []
    for _, is_article in listing.entries:  # in name order, as both iterators give them
        if is_article:
            source, found = next(read)
            articles.append(source)
            problems.extend(found)
        else:
            problems.append(next(unexpected))
    problems.extend(listing.registry_problems)
    return Loaded(
        str(listing.root), tuple(articles), listing.actors, listing.topics, tuple(problems)
    )


def _suffix(name: str) -> str:
    """``Path(name).suffix``, without making a path: a name's last dot on, unless the dot
    starts or ends it."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _unexpected(entry: Path, where: str) -> str:
    what = "folder" if entry.is_dir() else "file"
    allowed = (
        "only .md article files"
        if where == "articles/"
        else "only articles/, actors.yml, topics.yml"
    )
    return f"unexpected {what} in {where} ({allowed} belong there)"
