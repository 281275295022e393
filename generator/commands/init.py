"""``authgen init DIR``: scaffold a new GitOps repository into a new or empty
directory (a non-empty one is refused, nothing written); see
``generator.scaffold`` for what the repository holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "scaffold a new GitOps repository (environments, modules, Makefile, CI)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``DIR``: a new or empty directory."""
    parser.add_argument("dir", metavar="DIR", help="a new or empty directory")


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Write the repository; list what is in it and what to do next."""
    from generator import scaffold

    target = Path(args.dir)
    written = scaffold.scaffold(target)
    name = display_name(target)
    examples = ", ".join(f"{env} ({provider})" for provider, env in scaffold.EXAMPLES)
    report.line(f"wrote a GitOps repository into {name}/ ({len(written)} files):")
    report.line(f"  environments/   {examples}, local (emulator), _defaults.yaml")
    report.line("  modules/        cognito, auth0 (vendored: yours to review and change)")
    report.line("  Makefile, .github/workflows/authgen.yml, atlantis.yaml,")
    report.line("  .pre-commit-config.yaml, .gitignore, schema/environment.schema.json, README.md")
    report.line("next:")
    report.line(f"  cd {name} && git init && authgen validate --all")
    report.line("  give environments remote state before a pipeline applies them (README.md)")
    report.emit({"command": "init", "directory": str(target), "files": written})
    return 0
