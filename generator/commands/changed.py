"""``authgen changed --base REF``: the environments a git change affects,
one per line (pipelines plan exactly those); see ``generator.changed``.

Fails closed: exit 1 with one line on any error, on a base git cannot
resolve (unless ``--all-on-unknown-base``, which lists every environment),
on an ``extends:`` base that is gone, and on an applied environment whose
spec file is gone. Environments that target a local emulator are left out
unless AUTHGEN_ENDPOINT_URL is set or ``--include-emulated`` is given.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from generator.commands.steps import targets_emulator
from generator.project import Project

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "list the environments a git change affects (fails closed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--base REF``, ``--all-on-unknown-base``, ``--include-emulated``."""
    parser.add_argument(
        "--base", default="origin/main", help="git ref to compare with (default origin/main)"
    )
    parser.add_argument(
        "--all-on-unknown-base",
        action="store_true",
        help="when git cannot resolve the base (a new branch's all-zero SHA, a force-push), "
        "list every environment instead of failing",
    )
    parser.add_argument(
        "--include-emulated",
        action="store_true",
        help="also list environments that target an emulator (also: AUTHGEN_ENDPOINT_URL set)",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """The affected environment names on stdout, with reasons in ``--json``."""
    from generator.changed import (
        UnknownBase,
        affected,
        changed_files,
        check_orphans,
        everything,
    )

    project = Project.find()
    check_orphans(project)
    resolved = True
    try:
        impact = affected(project, changed_files(project.root, args.base))
    except UnknownBase as err:
        if not args.all_on_unknown_base:
            raise
        report.note(f"note: {err}; --all-on-unknown-base: every environment counts as changed")
        impact, resolved = everything(project), False
    envs = impact.environments
    if not (args.include_emulated or os.environ.get("AUTHGEN_ENDPOINT_URL")):
        envs = [e for e in envs if not targets_emulator(project.spec_path(e))]
    for env in envs:
        report.line(env)
    for env in impact.removed:
        report.note(
            f"note: environments/{env}.yaml was removed; there is no record of it being applied "
            f"({project.record_file(env).relative_to(project.root)}), so nothing is left behind"
        )
    report.emit(
        {
            "command": "changed",
            "base": args.base,
            "base_resolved": resolved,
            "environments": envs,
            "removed": impact.removed,
            "reasons": {e: impact.reasons[e] for e in envs},
        }
    )
    return 0
