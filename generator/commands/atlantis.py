"""``authgen atlantis``: print an Atlantis repo config (``atlantis.yaml``),
one project per environment that does not target an emulator; see
``generator.atlantis``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands.steps import targets_emulator
from generator.project import Project

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "print an Atlantis repo config (atlantis.yaml)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No flags of its own."""


def run(args: argparse.Namespace, report: Reporter) -> int:
    """The YAML on stdout (with or without ``--json``)."""
    from generator import atlantis
    from generator.spec import load_all

    project = Project.find()
    emulated = {p.stem for p in load_all(project.environments) if targets_emulator(p)}
    report.write(atlantis.config(project, skip=emulated))
    return 0
