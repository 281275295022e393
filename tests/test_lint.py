"""Style is part of the suite, so CI holds it: ruff on the Python code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PATHS = ["generator", "tests", "bench", "scripts"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("ruff")
    command = [str(exe)] if exe.exists() else [shutil.which("ruff") or "ruff"]
    return subprocess.run(
        [*command, *args, *[p for p in PATHS if (REPO / p).exists()]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("args", [("check",), ("format", "--check")], ids=["check", "format"])
def test_ruff(args):
    result = ruff(*args)
    assert result.returncode == 0, result.stdout + result.stderr
