"""``authgen authorizer ENV``: rewrite the authorizer file from the current
Terraform outputs (after a hand edit, a lost file, or a change of
``authorizer:`` in the spec that needs no apply). For a provider without
Terraform resources (oidc) the spec alone gives the file (nothing is fetched).
An environment applied before authgen kept records (``generator.records``)
gets its record here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import direct_steps, options
from generator.commands.steps import (
    applied_outputs,
    load_spec,
    ready_runner,
    record_applied,
    render_into,
    report_outputs,
    run_lock,
    targets,
    write_authorizer,
)
from generator.project import Project

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "rewrite the authorizer file from current outputs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``."""
    options.terraform(parser)
    options.environments(parser)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Read the outputs and write the file under the run lock, then report."""
    from generator import owners

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    owners.check(project, spec)
    if not direct_steps.uses_terraform(spec):
        return direct_steps.rewrite(project, spec, report)
    with run_lock(project, spec, "authorizer"):
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name))
        outputs = applied_outputs(runner, spec)
        if not project.record_file(spec.name).is_file():
            record_applied(project, path)
        report.done()
        authorizer_path, changed = write_authorizer(project, spec, outputs)
    report_outputs(report, spec, outputs, authorizer_path, changed)
    return 0
