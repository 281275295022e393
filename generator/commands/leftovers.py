"""``authgen leftovers ENV [--delete]``: objects of ENV that exist at the
provider but not in its state, and (on request) deleting them.

A run killed while terraform was creating something (``kill -9``, a lost CI
runner) can leave an object that the API created but the state never
recorded: for Cognito an app client with a live secret, a resource server,
a domain, a whole user pool tagged for the environment, or (with claims) the
trigger's IAM role, Lambda function or log group, whose taken name stops the
next apply; for Auth0 an application, a client grant or the API. The
provider entry lists them
(``Provider.leftovers``), where the state says the environment lives.

``--delete`` deletes them after a confirmation (``--yes`` / ``--auto-approve``
for pipelines), then looks again. ``--detailed-exitcode`` exits 2 when
leftovers remain. Runs under the environment's run lock, so an apply in
progress is never mistaken for leftovers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import (
    confirm,
    load_spec,
    ready_runner,
    render_into,
    run_lock,
    targets,
)
from generator.errors import AuthgenError
from generator.project import Project

if TYPE_CHECKING:
    import argparse

    from generator.leftovers import Leftover
    from generator.report import Reporter

HELP = "list (and delete) objects of ENV that exist but are not in its state"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--delete``, ``--yes``, ``--detailed-exitcode``."""
    options.terraform(parser)
    options.environments(parser)
    parser.add_argument("--delete", action="store_true", help="delete what is found (asks first)")
    parser.add_argument(
        "--yes",
        "--auto-approve",
        dest="auto_approve",
        action="store_true",
        help="delete without asking (pipelines)",
    )
    parser.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when leftovers remain"
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """List, and with ``--delete`` delete and list again."""
    from generator import providers
    from generator.commands import safety
    from generator.unfinished import Record

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    deleted, failed = [], []
    with run_lock(project, spec, "leftovers"):
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name))
        report.done()
        target = safety.here(spec, runner, report)
        record = Record(runner.workdir)
        unfinished = record.unfinished()
        for earlier in unfinished:
            report.note(f"note: the earlier run {earlier} did not finish")
        found = safety.find_leftovers(target, runner)
        if found and args.delete:
            deletable = [item for item in found if not item.blocked]
            _show(report, found)
            if deletable and not args.auto_approve:
                confirm(
                    report,
                    f"Delete these {len(deletable)} object(s) of {spec.name}?",
                    action=f"leftovers {spec.name} --delete",
                )
            entry = providers.get(spec.provider)
            for item in deletable:
                try:
                    entry.delete_leftover(target, item)
                except AuthgenError as err:
                    failed.append(item)
                    report.error(f"could not delete {item.kind} {item.id}: {err}")
                    continue
                deleted.append(item)
                report.line(f"deleted {item.kind} {item.id}")
            found = safety.find_leftovers(target, runner)
        if not [item for item in found if not item.blocked] and unfinished:
            record.clear(unfinished)
    if not args.delete:
        _show(report, found)
    elif found:
        report.line(f"still left over: {len(found)}")
        for item in found:
            report.line(f"  {item.describe()}")
    if not found:
        report.line(f"no leftovers: every object of {spec.name} found is in its state")
    elif not args.delete:
        report.note(f"delete them with 'authgen leftovers {spec.name} --delete'")
    report.emit(
        {
            "command": "leftovers",
            "environment": spec.name,
            "leftovers": [item.as_dict() for item in found],
            "deleted": [item.as_dict() for item in deleted],
        }
    )
    if failed:
        return 1
    return 2 if found and args.detailed_exitcode else 0


def _show(report: Reporter, found: list[Leftover]) -> None:
    for item in found:
        report.line(f"leftover: {item.describe()}")
