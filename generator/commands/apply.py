"""``authgen apply ENV``: apply, then write the authorizer file.

The saved plan of ``authgen plan`` is applied when it still matches the
current render and state (that is what was reviewed); otherwise authgen
plans, shows the summary and asks (``--auto-approve`` for pipelines). A
saved plan that turns out stale at apply time is planned again once.
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
    report_outputs,
    run_lock,
    targets,
    write_authorizer,
    write_plan_files,
)
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "apply (the saved plan when current), then write the authorizer file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--auto-approve``."""
    options.terraform(parser)
    options.environments(parser)
    options.auto_approve(parser)
    options.discovery_wait(parser)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Apply under the run lock, then write and report the authorizer file."""
    from generator import plan_summary
    from generator.terraform import StalePlanError

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    if not direct_steps.uses_terraform(spec):
        return direct_steps.apply(project, spec, args, report)
    progress = report.progress(spec.name)
    with run_lock(project, spec, "apply"):
        directory = render_into(project, spec)
        runner = ready_runner(project, spec, args, progress)
        plan_path = directory / PLAN_FILE
        reviewed = plan_path.is_file() and runner.saved_plan_is_current(plan_path, destroy=False)
        for attempt in (1, 2):
            if not reviewed:
                result = runner.plan(plan_path)
                summary = plan_summary.summarize(runner.show_json(plan_path), environment=spec.name)
                write_plan_files(directory, summary)
                report.done()
                report.plan_summary(summary)
                if result.changes and not args.auto_approve:
                    confirm(
                        report, f"Apply these changes to {spec.name}?", action=f"apply {spec.name}"
                    )
            else:
                report.note(
                    f"applying the saved plan {display_name(plan_path)} (made by 'authgen plan')"
                )
            try:
                runner.apply(plan_path)
                break
            except StalePlanError:
                if attempt == 2:
                    raise
                report.note(
                    "the saved plan is stale (the state or the spec changed); planning again"
                )
                reviewed = False
        outputs = runner.outputs()
    report.done()
    authorizer_path, changed = write_authorizer(project, spec, outputs)
    report_outputs(report, spec, outputs, authorizer_path, changed)
    return 0
