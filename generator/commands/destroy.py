"""``authgen destroy ENV``: destroy every resource of an environment.

Refused for ``protected: true`` unless ``--force``, which first applies the
environment with deletion protection off. Asks for the environment's name
unless ``--auto-approve``. The authorizer file and the plan files are
removed only after terraform succeeded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import direct_steps, options
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

HELP = "destroy every resource of ENV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--auto-approve``, ``--force``."""
    options.terraform(parser)
    options.environments(parser)
    options.auto_approve(parser)
    parser.add_argument("--force", action="store_true", help="destroy a protected environment too")


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Check protection, ask, destroy under the run lock, then clean up."""
    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
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
    if not direct_steps.uses_terraform(spec):
        return direct_steps.destroy(project, spec, report)
    with run_lock(project, spec, "destroy"):
        if spec.protected:
            _lift_protection(project, spec, args, report)
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name))
        runner.destroy()
    report.done()
    authorizer_path = project.resolve_inside(spec.authorizer.output)
    authorizer_path.unlink(missing_ok=True)
    for leftover in ("plan.json", "plan.md", PLAN_FILE, f"{PLAN_FILE}.fingerprint.json"):
        (project.build_dir(spec.name) / leftover).unlink(missing_ok=True)
    report.line(f"destroyed {spec.name}; removed {display_name(authorizer_path)}")
    report.emit({"command": "destroy", "environment": spec.name, "removed": str(authorizer_path)})
    return 0


def _lift_protection(
    project: Project, spec: Spec, args: argparse.Namespace, report: Reporter
) -> None:
    """--force on a protected environment: apply deletion protection off first."""
    unprotected = spec.model_copy(update={"protected": False})
    directory = render_into(project, unprotected)
    runner = ready_runner(project, unprotected, args, report.progress(spec.name))
    report.note(f"{spec.name} is protected: turning deletion protection off before destroying")
    runner.plan(directory / PLAN_FILE)
    runner.apply(directory / PLAN_FILE)
