"""``authgen apply ENV``: apply, then write the authorizer file.

The saved plan of ``authgen plan`` is applied when it still matches the
current render and state (that is what was reviewed); otherwise authgen
plans, shows the summary and asks (``--auto-approve`` for pipelines). A
saved plan that turns out stale at apply time is planned again once.

Before terraform applies anything (``safety``): a spec that moves the
environment is refused; a plan that deletes or replaces live objects is
refused for ``protected: true`` (unless ``--allow-replace``) and asked about
otherwise (unless ``--auto-approve``). The authorizer file is written while
the run lock is held.
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
    parser.add_argument(
        "--allow-replace",
        action="store_true",
        help="let a protected environment delete or replace resources (new ids and secrets)",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Apply under the run lock, then write and report the authorizer file."""
    from generator import owners, plan_summary
    from generator.commands import safety
    from generator.terraform import StalePlanError
    from generator.unfinished import Record

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    owners.check(project, spec)
    progress = report.progress(spec.name)
    with run_lock(project, spec, "apply"):
        directory = render_into(project, spec)
        runner = ready_runner(project, spec, args, progress)
        safety.unfinished_runs(spec, runner, report)
        safety.check_place(spec, runner)
        plan_path = directory / PLAN_FILE
        reviewed = plan_path.is_file() and runner.saved_plan_is_current(plan_path, destroy=False)
        for attempt in (1, 2):
            if not reviewed:
                result = runner.plan(plan_path)
                shown = runner.show_json(plan_path)
                summary = plan_summary.summarize(shown, environment=spec.name)
                review = safety.review_plan(spec, shown, summary, allow_replace=args.allow_replace)
                write_plan_files(directory, summary)
                report.done()
                report.plan_summary(summary)
                asked = safety.before_apply(report, spec, review, args)
                if result.changes and not args.auto_approve and not asked:
                    confirm(
                        report, f"Apply these changes to {spec.name}?", action=f"apply {spec.name}"
                    )
            else:
                report.note(
                    f"applying the saved plan {display_name(plan_path)} (made by 'authgen plan')"
                )
                shown = runner.show_json(plan_path)
                summary = plan_summary.summarize(shown, environment=spec.name)
                review = safety.review_plan(spec, shown, summary, allow_replace=args.allow_replace)
                report.done()
                safety.before_apply(report, spec, review, args)
            try:
                with Record(directory).running(f"authgen apply {spec.name}"):
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
