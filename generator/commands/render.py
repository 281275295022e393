"""``authgen render ENV... | --all``: write the root module to ``build/ENV/``.

Every spec is checked before anything is written; nothing else runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import direct_steps, options
from generator.commands.steps import load_spec, render_into, targets
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "write the Terraform root module to build/ENV/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``ENV...`` or ``--all``."""
    options.environments(parser, many=True)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Render each environment; one line per build directory."""
    project = Project.find()
    loaded = [load_spec(path) for path in targets(project, args)]
    results = []
    for spec in loaded:
        if not direct_steps.uses_terraform(spec):
            report.line(
                f"{spec.name}: provider {spec.provider} has no Terraform resources; nothing to "
                "render (plan / apply check its discovery and write the authorizer file)"
            )
            continue
        directory = render_into(project, spec)
        results.append({"name": spec.name, "build_dir": str(directory)})
        report.line(f"rendered {spec.name} -> {display_name(directory)}/")
    report.emit({"command": "render", "results": results})
    return 0
