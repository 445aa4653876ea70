"""Command line: ``python -m build_scripts {check,render} [--dossier DIR]``.

``check`` runs the same pipeline as the site build and lists every problem as
``path:line: message``; ``render --out DIR`` writes the generated pages to a folder.
"""

from __future__ import annotations

import argparse
import os
import sys

from build_scripts.pipeline import Outcome, run
from build_scripts.publish import write_folder


def _report(outcome: Outcome, strict: bool) -> int:
    for problem in outcome.problems:
        print(problem, file=sys.stderr)
    errors, warnings = len(outcome.errors), len(outcome.warnings)
    failed = errors > 0 or (strict and warnings > 0)
    if outcome.problems:
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
    render_cmd = commands.add_parser(
        "render", parents=[common], help="write the generated pages to a folder"
    )
    render_cmd.add_argument("--out", required=True, metavar="DIR", help="output folder")
    args = parser.parse_args(argv)

    outcome = run(args.dossier)
    if args.command == "check":
        status = _report(outcome, args.strict)
        if status == 0:
            print(f"ok: {args.dossier}: {_summary(outcome)}")
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
