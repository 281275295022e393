"""The command line: the one place that runs the pipeline steps in order."""

from __future__ import annotations

import argparse
import logging
import sys

from generator import __version__
from generator.errors import AuthgenError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="authgen", description=__doc__)
    parser.add_argument("--version", action="version", version=f"authgen {__version__}")
    parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        return args.func(args)
    except AuthgenError as err:
        print(f"authgen: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("authgen: interrupted", file=sys.stderr)
        return 130
