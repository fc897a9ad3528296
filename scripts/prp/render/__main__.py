"""Command line: python -m prp.render SRC PROFILE OUT [--engine pandoc|quarto] [--quarto EXE]."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from prp.render.book import render_book
from prp.render.config import RenderError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m prp.render", description=__doc__)
    parser.add_argument("src", type=Path, help="Quarto book project (render tree)")
    parser.add_argument("profile", help="Quarto profile, e.g. public or restricted")
    parser.add_argument("out", type=Path, help="output directory")
    parser.add_argument("--engine", choices=("pandoc", "quarto"), default="pandoc")
    parser.add_argument(
        "--quarto", help="Quarto executable (default: $PRP_QUARTO, else quarto on PATH)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        files = render_book(
            args.src, args.profile, args.out, engine=args.engine, quarto=args.quarto
        )
    except RenderError as exc:
        print(f"render failed: {exc}", file=sys.stderr)
        return 1
    print(f"{len(files)} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
