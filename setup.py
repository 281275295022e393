"""Build step: ship DESIGN.md's top-level ``templates/`` and ``modules/`` (and
the GitHub workflow ``authgen init`` copies) inside the wheel.

The repository keeps them at its root, where the rendered roots of this very
repository reach ``../../modules/<provider>``; a wheel can only carry files
inside its packages. So ``build_py`` copies them into ``generator/_data/`` of
the build tree (never into the source tree), and ``generator.resources``
looks there first. Editable installs (``make setup``) skip the copy: they run
from the checkout, which has the directories already.

All metadata is in pyproject.toml; this file only adds the build step.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Kept in step with generator.resources.SHIPPED (a test compares them).
SHIPPED = ("templates", "modules", ".github/workflows/authgen.yml")
#: Never shipped: Terraform working files left by local runs of the examples.
IGNORED = shutil.ignore_patterns(
    ".terraform", "*.tfstate", "*.tfstate.*", "*.tfplan", "tfplan", "__pycache__", "*.pyc"
)


class BuildPyWithData(build_py):
    """``build_py`` plus a copy of SHIPPED into ``generator/_data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "generator" / "_data"
        shutil.rmtree(target, ignore_errors=True)
        for relative in SHIPPED:
            source = ROOT / relative
            if not source.exists():
                raise SystemExit(f"setup.py: {relative} is missing; build from a full checkout")
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, destination, ignore=IGNORED)
            else:
                shutil.copy2(source, destination)


setup(cmdclass={"build_py": BuildPyWithData})
