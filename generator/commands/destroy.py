"""``authgen destroy ENV``: destroy every resource of an environment.

Refused for ``protected: true`` unless ``--force``, which first applies the
environment with deletion protection off. Asks for the environment's name
unless ``--auto-approve``. The authorizer file and the plan files are
removed only after terraform succeeded, while the run lock is held.

An environment is destroyed where its state says it lives: after a spec
moved it (another region, endpoint or tenant, which plan and apply refuse),
``destroy`` removes the old one so that the new one can be made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import (
    PLAN_FILE,
    confirm,
    load_spec,
    ready_runner,
    render_into,
    run_lock,
    targets,
)
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter
    from generator.spec import Spec
    from generator.terraform import Runner

HELP = "destroy every resource of ENV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--auto-approve``, ``--force``."""
    options.terraform(parser)
    options.environments(parser)
    options.auto_approve(parser)
    parser.add_argument("--force", action="store_true", help="destroy a protected environment too")


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Check protection, ask, destroy under the run lock, then clean up."""
    from generator import owners
    from generator.commands import safety
    from generator.unfinished import Record

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    owners.check(project, spec)
    if spec.protected and not args.force:
        raise AuthgenError(
            f"{display_name(path)}: protected: true; destroy is refused. Pass --force to lift "
            "deletion protection and destroy anyway, or set protected: false first"
        )
    if not args.auto_approve:
        confirm(
            report,
            f"Destroy every resource of {spec.name}? Callers lose access.",
            action=f"destroy {spec.name}",
            expect=spec.name,
        )
    with run_lock(project, spec, "destroy"):
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name))
        safety.unfinished_runs(spec, runner, report)
        target = safety.here(spec, runner, report)
        if target is not spec:
            render_into(project, target)
            runner = ready_runner(project, target, args, report.progress(spec.name))
        if target.protected or safety.deletion_blocked(target, runner):
            runner = _lift_protection(project, target, args, report)
        with Record(runner.workdir).running(f"authgen destroy {spec.name}"):
            runner.destroy()
        report.done()
        authorizer_path = project.resolve_inside(spec.authorizer.output)
        authorizer_path.unlink(missing_ok=True)
        directory = project.build_dir(spec.name)
        for leftover in ("plan.json", "plan.md", PLAN_FILE, f"{PLAN_FILE}.fingerprint.json"):
            (directory / leftover).unlink(missing_ok=True)
    report.line(f"destroyed {spec.name}; removed {display_name(authorizer_path)}")
    report.emit({"command": "destroy", "environment": spec.name, "removed": str(authorizer_path)})
    return 0


def _lift_protection(
    project: Project, spec: Spec, args: argparse.Namespace, report: Reporter
) -> Runner:
    """--force on a protected environment: apply deletion protection off
    first; the runner of that unprotected render (what destroy then uses)."""
    unprotected = spec.evolve(protected=False)
    directory = render_into(project, unprotected)
    runner = ready_runner(project, unprotected, args, report.progress(spec.name))
    why = "is protected" if spec.protected else "still has deletion protection on (not applied)"
    report.note(f"{spec.name} {why}: turning deletion protection off before destroying")
    runner.plan(directory / PLAN_FILE)
    runner.apply(directory / PLAN_FILE)
    return runner
