"""``authgen atlantis``: print an Atlantis repo config (``atlantis.yaml``),
one project per environment with remote state (those that target an emulator
or keep local state are left out, the header says why); see
``generator.atlantis``. ``--check FILE`` says whether FILE is what it would
print and passes Atlantis' repo-config rules (``generator.atlantis_check``)
under the server settings the config needs. With ``--json``: ``{"command":
"atlantis", "config": {...}}``, the same document as JSON (which Atlantis
reads too)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "print an Atlantis repo config (atlantis.yaml)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--check FILE``."""
    parser.add_argument(
        "--check",
        metavar="FILE",
        help="check FILE (atlantis.yaml) is current and passes Atlantis' repo-config rules",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """The YAML on stdout (the JSON document with ``--json``); with
    ``--check``, one line per problem and exit 1, or an ``ok`` line."""
    from generator import atlantis

    project = Project.find()
    skip = atlantis.skips(project)
    if args.json and not args.check:
        report.emit({"command": "atlantis", "config": atlantis.document(project, skip=skip)})
        return 0
    text = atlantis.config(project, skip=skip)
    if not args.check:
        report.write(text)
        return 0
    problems = check(Path(args.check), text)
    for line in problems:
        report.error(line)
    report.emit({"command": "atlantis", "file": args.check, "problems": problems})
    if not problems:
        report.line(f"ok  {display_name(Path(args.check))}  (current; passes Atlantis' rules)")
    return 1 if problems else 0


def check(path: Path, expected: str) -> list[str]:
    """The problems of the committed ``path``: Atlantis' rules, and staleness."""
    from generator import atlantis, atlantis_check

    try:
        committed = path.read_text(encoding="utf-8")
    except OSError as err:
        raise AuthgenError(f"{display_name(path)}: cannot read it ({err.strerror})") from None
    server = atlantis_check.ServerSettings(
        allow_custom_workflows=atlantis.SERVER_SETTINGS["allow_custom_workflows"],
        allowed_overrides=frozenset(atlantis.SERVER_SETTINGS["allowed_overrides"]),
    )
    name = display_name(path)
    problems = [f"{name}: {p}" for p in atlantis_check.problems(committed, server)]
    if committed != expected:
        problems.append(f"{name}: not what 'authgen atlantis' prints; regenerate it")
    return problems
