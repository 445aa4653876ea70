"""Command line: ``python -m build_scripts {check,render,add} [--dossier DIR]``.

``check`` runs the same pipeline as the site build and lists every problem as
``path:line: message``; ``render --out DIR`` writes the generated pages to a folder;
``add RAW`` turns a scraped article into a draft article file for review.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

from build_scripts.pipeline import Outcome, run
from build_scripts.publish import write_folder
from build_scripts.render import DEFAULT_SITE_URL


def _report(outcome: Outcome, strict: bool, only: list[str] | None = None) -> int:
    """Print problems (of the ``only`` files, when given) and return the exit status."""
    problems = outcome.problems
    if only:
        wanted = {os.path.realpath(path) for path in only}
        problems = tuple(p for p in problems if os.path.realpath(p.path) in wanted)
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if problems:
        print(
            f"{errors} error(s), {warnings} warning(s)" + (" (--strict)" if strict else ""),
            file=sys.stderr,
        )
    return 1 if failed else 0


def _summary(outcome: Outcome) -> str:
    dossier = outcome.dossier
    assert dossier is not None
    timings = ", ".join(f"{stage} {sec * 1000:.0f} ms" for stage, sec in outcome.timings.items())
    return (
        f"{len(dossier.articles)} articles, {len(dossier.actors)} actors, "
        f"{len(dossier.topics)} topics -> {len(outcome.pages)} pages ({timings})"
    )


def _iso_date(text: str) -> datetime.date:
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a real date as YYYY-MM-DD but got {text!r}")


def _add(args: argparse.Namespace) -> int:
    """``add RAW``: write a draft article from a scrape; nothing is written on any error."""
    from build_scripts import ingest
    from build_scripts.load import display_path, load
    from build_scripts.validate import validate

    try:
        raw = ingest.read_raw(args.raw)
        rules = ingest.load_rules()
        root = Path(args.dossier)
        if not root.is_dir():
            raise ingest.IngestError(f"dossier folder not found: {args.dossier}")
        loaded = load(root)
        dossier, problems = validate(loaded)
        draft = ingest.draft_article(raw, rules, dossier.actors, dossier.topics, args.date)
        name = draft.file_name
        articles = root / "articles"
        target = articles / name
        shown = display_path(target)
        if target.exists() and not args.force:
            raise ingest.IngestError(
                f"{shown} already exists (an article with the same date and slug); "
                "pass --force to replace it"
            )
        text = ingest.article_text(draft)
        preview = ingest.preview_check(text, name, shown, loaded)
        lines = ingest.summary_lines(draft, preview)
        registry_problems = [p for p in problems if not p.path.endswith(".md")]
        if registry_problems:
            lines.append(
                f"note: {len(registry_problems)} problem(s) in the registries; run check "
                "(actors and topics with problems were not matched)"
            )
        created = not articles.is_dir()
        try:
            articles.mkdir(exist_ok=True)
            ingest.write_article(target, text, force=args.force)
        except OSError as error:
            raise ingest.IngestError(f"cannot write {shown}: {error.strerror or error}") from None
        finally:
            if created and not target.exists():
                articles.rmdir()
    except ingest.IngestError as error:
        print(f"add: {error}", file=sys.stderr)
        print("add: nothing written", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    print(shown)
    return 0


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dossier",
        default=os.environ.get("DOSSIER_DIR") or "dossier",
        metavar="DIR",
        help="dossier folder (default: $DOSSIER_DIR or ./dossier)",
    )
    parser = argparse.ArgumentParser(prog="python -m build_scripts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", parents=[common], help="validate a dossier and list every problem"
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="report only these files' problems (the whole dossier is still checked)",
    )
    render_cmd = commands.add_parser(
        "render", parents=[common], help="write the generated pages to a folder"
    )
    render_cmd.add_argument("--out", required=True, metavar="DIR", help="output folder")
    render_cmd.add_argument(
        "--site-url",
        default=os.environ.get("SITE_URL") or DEFAULT_SITE_URL,
        metavar="URL",
        help="where the site is published, for the feed (default: $SITE_URL or %(default)s)",
    )
    add = commands.add_parser(
        "add",
        parents=[common],
        help="turn a scraped article into a draft article file for review",
        description="Write DIR/articles/<date>-<slug>.md from the text of a scraped article, "
        "print a review summary and, last, the path written.",
    )
    add.add_argument("raw", metavar="RAW", help="the scraped text, or - for standard input")
    add.add_argument(
        "--date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the publication date, when the text does not state it",
    )
    add.add_argument(
        "--force", action="store_true", help="replace an existing article of the same name"
    )
    args = parser.parse_args(argv)
    if args.command == "add":
        return _add(args)

    outcome = run(args.dossier, site_url=getattr(args, "site_url", DEFAULT_SITE_URL))
    if args.command == "check":
        status = _report(outcome, args.strict, args.files)
        if status == 0 and outcome.dossier is not None and not outcome.errors:
            print(f"ok: {args.dossier}: {_summary(outcome)}")
        elif status == 0:
            print(f"ok: {len(args.files)} file(s) (other files have problems: run check)")
        return status
    status = _report(outcome, strict=False)
    if status:
        print(f"nothing written to {args.out}", file=sys.stderr)
        return status
    changed = write_folder(outcome.pages, args.out)
    print(f"{args.out}: {_summary(outcome)}; {changed} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
