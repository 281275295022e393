"""``authgen apply ENV``: apply, then write the authorizer file.

The saved plan of ``authgen plan`` is applied when it still matches the
current render (that is what was reviewed); otherwise authgen plans, shows
the summary and asks (``--auto-approve`` for pipelines). A plan that turns
out stale at apply time (terraform finds the state changed after it was
made: another run applied meanwhile, e.g. while this one waited for the state
lock) is refused, nothing is applied, and the user is told to plan again:
what is applied is always a plan someone could see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import (
    PLAN_FILE,
    confirm,
    load_spec,
    ready_runner,
    refuse_local_state_in_ci,
    render_into,
    report_outputs,
    run_lock,
    state_lock_explained,
    targets,
    write_authorizer,
    write_plan_files,
)
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "apply (the saved plan when current), then write the authorizer file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--auto-approve``, ``--lock-timeout``, ``--allow-local-state``."""
    options.terraform(parser)
    options.environments(parser)
    options.auto_approve(parser)
    options.state_lock(parser)
    options.local_state(parser)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Apply under the run lock, then write and report the authorizer file."""
    from generator import plan_summary
    from generator.terraform import StalePlanError

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    refuse_local_state_in_ci(spec, args)
    progress = report.progress(spec.name)
    with run_lock(project, spec, "apply"), state_lock_explained(project, spec, args, "apply"):
        directory = render_into(project, spec)
        runner = ready_runner(project, spec, args, progress)
        plan_path = directory / PLAN_FILE
        reviewed = plan_path.is_file() and runner.saved_plan_is_current(plan_path, destroy=False)
        if not reviewed:
            result = runner.plan(plan_path)
            summary = plan_summary.summarize(runner.show_json(plan_path), environment=spec.name)
            write_plan_files(directory, summary)
            report.done()
            report.plan_summary(summary)
            if result.changes and not args.auto_approve:
                confirm(report, f"Apply these changes to {spec.name}?", action=f"apply {spec.name}")
        else:
            report.note(
                f"applying the saved plan {display_name(plan_path)} (made by 'authgen plan')"
            )
        try:
            runner.apply(plan_path)
        except StalePlanError:
            raise AuthgenError(
                f"{spec.name}: the plan {display_name(plan_path)} is stale: the state changed "
                f"after it was made (another run, or an interrupted one, applied {spec.name} "
                f"meanwhile); nothing was "
                f"applied; run 'authgen plan {spec.name}' again and review what is left to do"
            ) from None
        outputs = runner.outputs()
    report.done()
    authorizer_path, changed = write_authorizer(project, spec, outputs)
    report_outputs(report, spec, outputs, authorizer_path, changed)
    return 0
