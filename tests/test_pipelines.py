"""The pipeline files call authgen the way the CLI really works: every
`authgen ...` invocation in the GitHub workflow, the Atlantis config and the
pre-commit config parses with authgen's own argument parser."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "authgen.yml"
CALL = re.compile(r"(?:\.venv/bin/)?authgen ([^\n;|&)`>]+)")
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}|\$\{?\w+\}?")


def invocations(text: str) -> list[list[str]]:
    """The argument lists of ``authgen`` calls in ``text``; shell and workflow
    expressions become ``PLACEHOLDER``."""
    calls = []
    for match in CALL.finditer(text):
        args = EXPRESSION.sub("PLACEHOLDER", match.group(1))
        words = shlex.split(args.replace("'", " "))
        calls.append([re.sub(r".*PLACEHOLDER.*", "PLACEHOLDER", w) for w in words])
    return calls


def parses(argv: list[str]) -> None:
    parser = build_parser()
    try:
        parser.parse_args(argv)
    except SystemExit as exit_:
        pytest.fail(f"authgen {' '.join(argv)} does not parse (exit {exit_.code})")


def test_workflow_structure():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert set(workflow["jobs"]) == {"plan", "apply", "drift"}
    on = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert {"pull_request", "push", "schedule"} <= set(on)
    plan_steps = " ".join(str(s) for s in workflow["jobs"]["plan"]["steps"])
    assert "authgen changed --base" in plan_steps
    assert "plan.md" in plan_steps and "plan.json" in plan_steps
    assert "--auto-approve" in " ".join(str(s) for s in workflow["jobs"]["apply"]["steps"])
    assert "--detailed-exitcode" in " ".join(str(s) for s in workflow["jobs"]["drift"]["steps"])


@pytest.mark.parametrize(
    "path",
    [WORKFLOW, REPO / "atlantis.yaml", REPO / ".pre-commit-config.yaml"],
    ids=lambda p: p.name,
)
def test_every_authgen_call_parses(path):
    calls = invocations(path.read_text())
    assert calls, f"no authgen call found in {path.name}"
    for argv in calls:
        parses(argv)


def test_the_call_pattern_finds_flags():
    (call,) = invocations('run: .venv/bin/authgen plan "$env" --detailed-exitcode\n')
    assert call == ["plan", "PLACEHOLDER", "--detailed-exitcode"]


def test_pre_commit_config_is_valid():
    exe = Path(sys.executable).with_name("pre-commit")
    if not exe.exists() and not shutil.which("pre-commit"):
        pytest.skip("pre-commit is not installed (make setup installs it)")
    command = str(exe) if exe.exists() else "pre-commit"
    result = subprocess.run(
        [command, "validate-config", ".pre-commit-config.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
