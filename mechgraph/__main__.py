"""Command line: ``python -m mechgraph COMMAND``: validate, figures [--check], term-links [--check] FILE...,
check-myst FILE..., linkcheck-report FILE, pdf, pack, notebooks or preview SOURCEDIR OUTDIR [OPTION...]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mechgraph.data import validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mechgraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check data/ and references.bib; one line per problem")
    check.add_argument(
        "--data", type=Path, help="the data folder (default: the nearest data/ from here upwards)"
    )
    check.add_argument("--bib", type=Path, help="the bibliography (default: the one datapackage.json names)")
    figs = sub.add_parser("figures", help="write every diagram and plot to figures/ as SVG and PNG")
    figs.add_argument("--check", action="store_true", help="only report files that are missing or stale")
    links = sub.add_parser(
        "term-links", help="glossary links in the case of their sentence, once per section"
    )
    links.add_argument("files", nargs="+", type=Path, help="MyST markdown files to rewrite in place")
    links.add_argument("--check", action="store_true", help="only list the files that would change")
    myst = sub.add_parser(
        "check-myst",
        help="check that MyST notebooks parse (front matter, fences, cell options, "
        "Python syntax); one line per problem",
    )
    myst.add_argument("files", nargs="+", type=Path, help="MyST markdown files, e.g. chapters/*.md")
    report = sub.add_parser("linkcheck-report", help="the broken links in Sphinx's linkcheck output.json")
    report.add_argument("report", type=Path, help="_build/linkcheck/_build/html/output.json")
    sub.add_parser("pdf", help="print the built book (_build/html) to _build/pdf/book.pdf with Chromium")
    sub.add_parser("pack", help="zip the built site, the PDF, the notebooks and the data into _build/pack/")
    sub.add_parser(
        "notebooks", help="the site's executed notebooks with the Colab set-up cell, into _build/notebooks/"
    )
    preview = sub.add_parser(
        "preview", help="serve the book and rebuild it on every change (sphinx-autobuild's arguments)"
    )
    preview.add_argument("autobuild_args", nargs=argparse.REMAINDER, help="SOURCEDIR OUTDIR [OPTION...]")
    args = parser.parse_args(argv)
    if args.command == "preview":
        from mechgraph.preview import main as serve

        return serve(args.autobuild_args)
    if args.command == "term-links":
        return _term_links(args.files, args.check)
    if args.command == "check-myst":
        return _check_myst(args.files)
    if args.command == "linkcheck-report":
        return _linkcheck_report(args.report)
    if args.command in ("pdf", "pack", "notebooks"):
        from importlib import import_module

        module = {"notebooks": "colab"}.get(args.command, args.command)
        try:
            import_module(f"mechgraph.{module}").build()
        except (OSError, ValueError) as err:  # a missing page or Chromium, a bad setting: one line
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0
    if args.command == "validate":
        problems = validate(args.data, args.bib)
        if problems:
            _print_problems(problems, "nothing was built")
            return 1
        print(f"{(args.data or Path('data')).as_posix().rstrip('/')}/ is valid")
        return 0
    problems = validate()
    if problems:
        _print_problems(problems, "no figure was written")
        return 1
    from mechgraph.slides import write_figures

    return write_figures(check=args.check)


#: the problems printed before the rest are counted: a screenful
SCREENFUL = 40


def _print_problems(problems: list[str], outcome: str) -> None:
    """The first screenful of problems, one line each, then how many more there are."""
    for line in problems[:SCREENFUL]:
        print(f"error: {line}", file=sys.stderr)
    if len(problems) > SCREENFUL:
        print(
            f"... and {len(problems) - SCREENFUL} more problem(s) of the same kind or others, not shown: fix these first",
            file=sys.stderr,
        )
    print(f"{len(problems)} problem(s) in the data; {outcome}.", file=sys.stderr)


def _term_links(files: list[Path], check: bool) -> int:
    from mechgraph.data import DataError, load
    from mechgraph.prose import normalise_files

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 1
    try:
        labels = load().entities["label"]
    except DataError as err:
        print("\n".join(f"error: {line}" for line in err.problems), file=sys.stderr)
        return 1
    changed = normalise_files(files, labels, check=check)
    for path, before, after in changed:
        print(f"{path}: {before} glossary links -> {after}" + (" (would change)" if check else ""))
    if not changed:
        print(f"{len(files)} file(s): glossary links already read like prose")
    return 1 if check and changed else 0


def _check_myst(files: list[Path]) -> int:
    from mechgraph.myst import notebook_problems

    problems = [line for path in files for line in notebook_problems(path)]
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the MyST files; fix them before building.", file=sys.stderr)
        return 1
    print(f"{len(files)} file(s) parse as MyST")
    return 0


def _linkcheck_report(report: Path) -> int:
    from mechgraph.linkcheck import classify

    if not report.is_file():
        print(f"error: no linkcheck report at {report}; run 'make linkcheck'", file=sys.stderr)
        return 1
    broken, refused = classify(report)
    for line in refused:
        print(f"refused (the DOI resolves; the publisher turns robots away): {line}")
    for line in broken:
        print(f"error: broken link: {line}", file=sys.stderr)
    print(f"{len(broken)} broken link(s), {len(refused)} DOI(s) refused by their publisher", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
