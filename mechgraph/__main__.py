"""Command line: ``python -m mechgraph validate | figures [--check] | pdf | pack``."""
from __future__ import annotations

import argparse
import sys

from pathlib import Path

from mechgraph.data import BIB_PATH, DATA_DIR, validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mechgraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check data/ and references.bib; one line per problem")
    check.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    check.add_argument("--bib", type=Path, default=BIB_PATH, help="the bibliography (default: references.bib)")
    figs = sub.add_parser("figures", help="write every diagram and plot to figures/ as SVG and PNG")
    figs.add_argument("--check", action="store_true", help="only report files that are missing or stale")
    sub.add_parser("pdf", help="print the built book (_build/html) to _build/pdf/book.pdf with Chromium")
    sub.add_parser("pack", help="zip the built site, the PDF, the notebooks and the data into _build/pack/")
    args = parser.parse_args(argv)
    if args.command in ("pdf", "pack"):
        from importlib import import_module
        try:
            import_module(f"mechgraph.{args.command}").build()
        except FileNotFoundError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0
    if args.command == "validate":
        problems = validate(args.data, args.bib)
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        if problems:
            print(f"{len(problems)} problem(s) in the data; nothing was built.", file=sys.stderr)
            return 1
        print("data/ is valid")
        return 0
    from mechgraph.slides import write_figures
    return write_figures(check=args.check)


if __name__ == "__main__":
    sys.exit(main())
