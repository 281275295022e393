"""``authgen changed --base REF``: the environments a git change affects,
one per line (pipelines plan exactly those); see ``generator.changed``.

Environments that target a local emulator are left out unless
``--include-emulated``; removed environment files are noted on stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands.steps import targets_emulator
from generator.project import Project

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "list the environments a git change affects"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--base REF``, ``--include-emulated``."""
    parser.add_argument(
        "--base", default="origin/main", help="git ref to compare with (default origin/main)"
    )
    parser.add_argument(
        "--include-emulated",
        action="store_true",
        help="also list environments that target an emulator",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """The affected environment names on stdout, with reasons in ``--json``."""
    from generator.changed import affected, changed_files

    project = Project.find()
    impact = affected(project, changed_files(project.root, args.base))
    envs = impact.environments
    if not args.include_emulated:
        envs = [e for e in envs if not targets_emulator(project.spec_path(e))]
    for env in envs:
        report.line(env)
    for env in impact.removed:
        report.note(
            f"note: environments/{env}.yaml was removed; its resources stay until destroyed"
        )
    report.emit(
        {
            "command": "changed",
            "base": args.base,
            "environments": envs,
            "removed": impact.removed,
            "reasons": {e: impact.reasons[e] for e in envs},
        }
    )
    return 0
