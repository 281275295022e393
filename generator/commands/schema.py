"""``authgen schema``: print the JSON Schema of the environment spec (what
``schema/environment.schema.json`` holds and editors complete keys from)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "print the JSON Schema of the environment spec"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No flags of its own."""


def run(args: argparse.Namespace, report: Reporter) -> int:
    """The schema, 2-space indented, on stdout (with or without ``--json``)."""
    import json

    from generator import spec

    report.write(json.dumps(spec.json_schema(), indent=2) + "\n")
    return 0
