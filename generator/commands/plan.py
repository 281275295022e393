"""``authgen plan ENV | --all``: render, init, plan; a saved plan and its summary.

Per environment: ``build/ENV/tfplan`` (what ``apply`` applies, exactly),
``tfplan.basis.json`` (what it was made from), and the masked summary as
``plan.json`` and ``plan.md``. A ``retired: true`` environment plans the
destruction of all its resources, and its summary says so. With several environments
they are planned in parallel (bounded by the CPU count, ``-j``); one failure
does not stop the others and one table sums them up. Every spec is checked
before any terraform runs. Exit 2 with ``--detailed-exitcode`` when any
environment has changes, 1 when any failed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from generator.commands import direct_steps, options
from generator.commands.steps import (
    PLAN_FILE,
    load_spec,
    ready_runner,
    refuse_local_state_in_ci,
    refuse_retiring_protected,
    render_into,
    run_lock,
    state_lock_explained,
    targets,
    write_plan_files,
)
from generator.errors import AuthgenError, os_error_message
from generator.project import Project
from generator.report import PlanOutcome
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import ProgressSink, Reporter
    from generator.spec import Spec

HELP = "render, init, plan: a saved plan and its summary"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV...`` or ``--all``, ``--detailed-exitcode``, ``-j``,
    ``--lock-timeout``, ``--allow-local-state``."""
    options.terraform(parser)
    options.state_lock(parser)
    options.local_state(parser)
    options.environments(parser, many=True)
    options.discovery_wait(parser)
    parser.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when any environment has changes (drift)",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="environments planned at once (default: CPUs)"
    )


def plan_environment(
    project: Project,
    spec: Spec,
    args: argparse.Namespace,
    progress: ProgressSink,
    report: Reporter | None = None,
) -> PlanOutcome:
    """render -> init -> what the plan is made from -> plan -> show -json ->
    masked summary files.

    What the plan is made from (the state's serial and lineage, the root's
    fingerprint) is kept next to it (``plan_basis``): ``apply`` refuses the
    plan once any of it moved. A ``retired: true`` spec plans the destruction
    of everything. ``show -json`` loads the providers again (seconds for
    hashicorp/aws), so it runs only when the plan has changes; an unchanged
    plan's summary says so. Day 2 (``safety``): an earlier unfinished run is
    reported (on ``report``), a spec that moves the environment is refused
    before planning, and what the plan deletes or replaces goes into the
    summary (``protection``). A provider without Terraform resources (oidc) is
    planned without terraform (``direct_steps.plan``). In CI, local state is
    refused first (``--allow-local-state``).
    """
    from generator import plan_basis
    from generator.commands import safety

    if not direct_steps.uses_terraform(spec):
        return direct_steps.plan(project, spec, args)

    refuse_local_state_in_ci(spec, args)
    mode = "retire" if spec.retired else "apply"
    with run_lock(project, spec, "plan"), state_lock_explained(project, spec, args, "plan"):
        if spec.retired:
            refuse_retiring_protected(project, spec)
        directory = render_into(project, spec)
        runner = ready_runner(project, spec, args, progress)
        if report is not None:
            safety.unfinished_runs(spec, runner, report)
        safety.check_place(spec, runner)
        plan_path = directory / PLAN_FILE
        plan_basis.forget(plan_path)
        basis = plan_basis.capture(runner, spec.name, mode)
        result = runner.plan(plan_path, destroy=spec.retired)
        plan_basis.record(plan_path, basis)
        shown = runner.show_json(result.path) if result.changes else {}
        try:
            summary, _ = safety.summarize_and_review(spec, shown, mode)
        except AuthgenError:
            safety.forget_plan(result.path)
            raise
    files = write_plan_files(directory, summary)
    return PlanOutcome(spec.name, changes=result.changes, summary=summary, files=files)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Plan one environment (its summary) or several (one table)."""
    project = Project.find()
    paths = targets(project, args, cloud=True)
    specs = [load_spec(path) for path in paths]  # every spec checked before any terraform
    many = len(specs) > 1
    outcomes: list[PlanOutcome]
    if many:
        outcomes = _plan_many(project, specs, args, report)
    else:
        spec = specs[0]
        outcomes = [plan_environment(project, spec, args, report.progress(spec.name), report)]
        report.done()
    for outcome in outcomes:
        _warn_destructive(report, outcome)
        if outcome.summary and not many and "diff" in outcome.summary:
            direct_steps.show_plan(report, project, outcome)
        elif outcome.summary and not many:
            report.plan_summary(outcome.summary)
            build = project.build_dir(outcome.name)
            report.line(
                f"saved plan: {display_name(build / PLAN_FILE)}; summary: "
                f"{display_name(build / 'plan.md')}"
            )
    if many:
        report.plan_table(outcomes)
    report.emit(
        {
            "command": "plan",
            "environments": [
                {
                    "name": o.name,
                    "changes": o.changes,
                    "error": o.error,
                    "counts": o.summary["counts"] if o.summary else None,
                    "warnings": o.summary["warnings"] if o.summary else [],
                    "protection": o.summary.get("protection") if o.summary else None,
                    "files": o.files,
                }
                for o in outcomes
            ],
        }
    )
    if any(o.error for o in outcomes):
        return 1
    if args.detailed_exitcode and any(o.changes for o in outcomes):
        return 2
    return 0


def _plan_many(
    project: Project, specs: list[Spec], args: argparse.Namespace, report: Reporter
) -> list[PlanOutcome]:
    """Plan environments in parallel (bounded by the CPU count); one failure
    does not stop the others."""
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(len(specs), getattr(args, "jobs", None) or os.cpu_count() or 1))

    def one(spec: Spec) -> PlanOutcome:
        try:
            return plan_environment(project, spec, args, report.progress(spec.name), report)
        except AuthgenError as err:
            report.error(f"{spec.name}: error: {err}")
            return PlanOutcome(spec.name, error=str(err))
        except OSError as err:
            message = os_error_message(err)
            report.error(f"{spec.name}: error: {message}")
            return PlanOutcome(spec.name, error=message)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(one, specs))
    report.done()
    return outcomes


def _warn_destructive(report: Reporter, outcome: PlanOutcome) -> None:
    """The loud lines of a plan that deletes or replaces live objects."""
    guard = (outcome.summary or {}).get("protection") or {}
    findings = guard.get("findings") or []
    if not findings:
        return
    verdict = "apply will REFUSE it" if guard.get("refused") else "apply will ask first"
    report.error(
        f"WARNING: {outcome.name}: this plan deletes or replaces {len(findings)} live "
        f"object{'s' if len(findings) != 1 else ''}; {verdict}"
    )
    for finding in findings:
        verb = "replaced" if finding["action"] == "replace" else "deleted"
        line = f"  {finding['address']} ({finding['what']}) would be {verb}: {finding['why']}"
        report.error(line + (f"; {finding['blocked']}" if finding.get("blocked") else ""))
    if guard.get("way_out"):
        report.error(f"  {guard['way_out']}")
