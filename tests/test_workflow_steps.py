"""The workflow's own scripts, run the way a GitHub runner runs them.

Each test takes a step's ``run:`` text out of .github/workflows/authgen.yml
and runs it with ``bash --noprofile --norc -eo pipefail`` (what ``shell:
bash`` means on a runner) in a real git repository made by ``authgen init``,
with the step's ``env:`` filled in as GitHub would, and the real authgen
(``.venv/bin/authgen`` links to this suite's). The remote is a bare git
repository on disk. GitHub's REST API cannot run here: the sticky-comment
script runs under node against a recording stand-in for ``github`` (said
again at that test).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.cli import cli_env, run

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "authgen.yml").read_text())
ZEROS = "0" * 40

pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not on PATH")

S3_SPEC = """\
name: prod
provider: cognito
region: us-east-1
state: {backend: s3, bucket: my-state-bucket}
cognito:
  resource_server:
    identifier: api
    name: Api
    scopes: [{name: read, description: Read}]
  clients: [{name: c, scopes: [read]}]
"""


def step(job: str, name: str) -> dict:
    (found,) = [s for s in WORKFLOW["jobs"][job]["steps"] if s.get("name") == name]
    return found


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def run_step(
    repo: Path, job: str, name: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """The step's script under bash as a runner runs it; ``env`` are the
    values GitHub would put in the step's ``env:`` (every key must be given)."""
    spec = step(job, name)
    wanted = set(spec.get("env", {}))
    given = env or {}
    assert wanted <= set(given), f"give {sorted(wanted - set(given))}"
    script = repo / "build" / "step.sh"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(spec["run"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=repo,
        env=cli_env(
            GITHUB_STEP_SUMMARY=str(repo / "build" / "summary.md"),
            TF_IN_AUTOMATION="1",
            NO_COLOR="1",
            **given,
        ),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare 'GitHub' repository whose main holds a repository made by authgen init."""
    result = run(tmp_path, "init", "seed", env=cli_env())
    assert result.code == 0, result
    seed = tmp_path / "seed"
    git(seed, "init", "-q", "-b", "main")
    git(seed, "config", "user.name", "dev")
    git(seed, "config", "user.email", "dev@example.invalid")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "authgen init")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def checkout(origin: Path, where: Path) -> Path:
    """A runner's checkout (fetch-depth 0) with .venv/bin/authgen installed."""
    git(origin.parent, "clone", "-q", str(origin), str(where))
    git(where, "config", "user.name", "dev")
    git(where, "config", "user.email", "dev@example.invalid")
    (where / ".venv" / "bin").mkdir(parents=True)
    (where / ".venv" / "bin" / "authgen").symlink_to(Path(sys.executable).with_name("authgen"))
    return where


def lines(path: Path) -> list[str]:
    return path.read_text().split()


# -- choosing environments ---------------------------------------------------------


def test_a_pull_request_plans_remote_state_environments_and_skips_local_ones(origin, tmp_path):
    repo = checkout(origin, tmp_path / "pr")
    git(repo, "checkout", "-q", "-b", "feature")
    dev = repo / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace("scopes: [read, write]", "scopes: [read]"))
    (repo / "environments" / "prod.yaml").write_text(S3_SPEC)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change dev, add prod")
    done = run_step(repo, "plan", "Choose the environments to plan", {"BASE": "origin/main"})
    assert done.returncode == 0, done.stderr
    assert lines(repo / "build/ci/changed.txt") == ["dev", "prod"]
    assert lines(repo / "build/ci/targets.txt") == ["prod"]
    assert lines(repo / "build/ci/local-state.txt") == ["dev"]
    assert "::notice title=authgen: dev skipped::dev keeps its state locally" in done.stdout


def test_choosing_fails_closed_when_changed_fails(origin, tmp_path):
    """A base git cannot resolve (a new branch's all-zero before-SHA): the
    step fails with the reason instead of planning nothing and passing."""
    repo = checkout(origin, tmp_path / "main")
    done = run_step(repo, "apply", "Choose the environments to plan", {"BASE": ZEROS})
    assert done.returncode == 1
    assert f"error: --base {ZEROS}: the all-zero SHA is no commit" in done.stderr
    assert not (repo / "build/ci/targets.txt").exists()


def test_choosing_fails_when_a_changed_spec_is_invalid(origin, tmp_path):
    repo = checkout(origin, tmp_path / "pr")
    dev = repo / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace("provider: cognito", "provider: cognitoo"))
    done = run_step(repo, "plan", "Choose the environments to plan", {"BASE": "origin/main"})
    assert done.returncode == 1
    assert "environments/dev.yaml" in done.stderr


# -- planning and applying ---------------------------------------------------------


def test_the_comment_lists_skipped_environments_and_failed_plans(origin, tmp_path):
    """A plan that fails does not stop the others, and fails the step."""
    repo = checkout(origin, tmp_path / "pr")
    (repo / "build/ci").mkdir(parents=True)
    (repo / "build/ci/targets.txt").write_text("nosuchenv\n")
    (repo / "build/ci/local-state.txt").write_text("dev\n")
    done = run_step(
        repo,
        "plan",
        "Plan the affected environments",
        {"AUTH0_DOMAIN": "", "AUTH0_CLIENT_ID": "", "AUTH0_CLIENT_SECRET": ""},
    )
    assert done.returncode == 1
    comment = (repo / "build/ci/plan-comment.md").read_text()
    assert comment.startswith("<!-- authgen-plan -->\n")
    assert "- `dev`: not planned, its state is local" in comment
    assert "**nosuchenv**: the plan failed; see the job log." in comment


def test_apply_refuses_an_environment_its_plan_step_did_not_plan(origin, tmp_path):
    repo = checkout(origin, tmp_path / "main")
    (repo / "build/ci").mkdir(parents=True)
    (repo / "build/ci/targets.txt").write_text("dev\n")
    done = run_step(
        repo,
        "apply",
        "Apply the saved plans of the plan step",
        {"AUTH0_DOMAIN": "", "AUTH0_CLIENT_ID": "", "AUTH0_CLIENT_SECRET": ""},
    )
    assert done.returncode == 1
    assert "::error::dev: no saved plan from the plan step" in done.stdout


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_main_plans_then_applies_exactly_that_saved_plan(
    origin, tmp_path, moto_server, tf_cli_config
):
    repo = checkout(origin, tmp_path / "main")
    (repo / "build/ci").mkdir(parents=True)
    (repo / "build/ci/targets.txt").write_text("local\n")
    creds = {"AUTH0_DOMAIN": "", "AUTH0_CLIENT_ID": "", "AUTH0_CLIENT_SECRET": ""}
    emulator = {"AUTHGEN_ENDPOINT_URL": moto_server.url, "TF_CLI_CONFIG_FILE": str(tf_cli_config)}
    planned = run_step(repo, "apply", "Plan", {**creds, **emulator})
    assert planned.returncode == 0, planned.stderr
    assert "local" in (repo / "build/summary.md").read_text()
    plan_file = repo / "build/local/tfplan"
    made = plan_file.stat().st_mtime_ns
    applied = run_step(
        repo, "apply", "Apply the saved plans of the plan step", {**creds, **emulator}
    )
    assert applied.returncode == 0, applied.stderr
    assert "applying the saved plan build/local/tfplan (made by 'authgen plan')" in applied.stderr
    assert "planning again" not in applied.stderr
    # the saved plan was applied, not a new one (it may be removed once applied)
    assert not plan_file.exists() or made == plan_file.stat().st_mtime_ns
    document = json.loads((repo / "authorizers/local.json").read_text())
    assert document["customJWTAuthorizer"]["allowedClients"]


# -- publishing ---------------------------------------------------------------------

PUBLISH = "Publish the authorizer and lock files"


def publish_env(origin: Path) -> dict[str, str]:
    return {"GH_TOKEN": "not-a-token", "BRANCH": "main", "SERVER_URL": "https://github.com"}


def push_elsewhere(origin: Path, tmp_path: Path, path: str, text: str) -> str:
    """Someone else moves main while the job runs."""
    other = tmp_path / "other"
    git(origin.parent, "clone", "-q", str(origin), str(other))
    git(other, "config", "user.name", "other")
    git(other, "config", "user.email", "other@example.invalid")
    (other / path).parent.mkdir(parents=True, exist_ok=True)
    (other / path).write_text(text)
    git(other, "add", "-A")
    git(other, "commit", "-qm", f"other: {path}")
    git(other, "push", "-q", "origin", "main")
    return git(other, "rev-parse", "HEAD")


def test_publish_rebases_onto_a_main_that_moved_during_the_job(origin, tmp_path):
    repo = checkout(origin, tmp_path / "runner")
    moved = push_elsewhere(origin, tmp_path, "environments/new.yaml", "name: new\n")
    (repo / "authorizers").mkdir()
    (repo / "authorizers/dev.json").write_text('{"customJWTAuthorizer": {}}\n')
    done = run_step(repo, "apply", PUBLISH, publish_env(origin))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "main moved during the job; rebasing onto it (attempt 1 of 5)" in done.stdout
    assert "published to main (attempt 2)" in done.stdout
    log = git(origin, "log", "--format=%s", "main").splitlines()
    assert log[:2] == [
        "authgen: authorizer and lock files after apply [skip ci]",
        "other: environments/new.yaml",
    ]
    assert git(origin, "rev-parse", "main~1") == moved
    assert git(origin, "show", "main:authorizers/dev.json") == '{"customJWTAuthorizer": {}}'


def test_publish_fails_clearly_when_main_changed_the_same_file(origin, tmp_path):
    repo = checkout(origin, tmp_path / "runner")
    moved = push_elsewhere(origin, tmp_path, "authorizers/dev.json", '{"theirs": 1}\n')
    (repo / "authorizers").mkdir()
    (repo / "authorizers/dev.json").write_text('{"ours": 1}\n')
    done = run_step(repo, "apply", PUBLISH, publish_env(origin))
    assert done.returncode == 1
    assert "::error::main changed the same authorizer or lock files" in done.stdout
    assert git(origin, "rev-parse", "main") == moved  # nothing half-pushed
    assert not (repo / ".git" / "rebase-merge").exists()


def test_publish_with_nothing_new_pushes_nothing(origin, tmp_path):
    repo = checkout(origin, tmp_path / "runner")
    before = git(origin, "rev-parse", "main")
    done = run_step(repo, "apply", PUBLISH, publish_env(origin))
    assert done.returncode == 0, done.stderr
    assert "authorizer and lock files unchanged" in done.stdout
    assert git(origin, "rev-parse", "main") == before


def test_drift_skips_local_state_and_checks_nothing_when_none_is_remote(origin, tmp_path):
    repo = checkout(origin, tmp_path / "runner")
    done = run_step(
        repo,
        "drift",
        "Plan every environment with remote state (exit 2 = drift)",
        {"AUTH0_DOMAIN": "", "AUTH0_CLIENT_ID": "", "AUTH0_CLIENT_SECRET": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "::notice title=authgen: dev skipped::" in done.stdout
    assert "local skipped" not in done.stdout  # the emulator environment is not a candidate
    assert "no environment with remote state: nothing to check" in done.stdout


# -- the sticky comment ---------------------------------------------------------------

COMMENT_HARNESS = r"""
// Runs the workflow's github-script body the way actions/github-script does
// (an async function of require, github, context, core). GitHub's REST API
// cannot run here: `github` is a stand-in that records calls.
const fs = require('fs');
const [scriptFile, commentsFile] = process.argv.slice(2);
const comments = JSON.parse(fs.readFileSync(commentsFile, 'utf8'));
const calls = [];
const github = {
  paginate: async (fn, args) => { calls.push(['list', args.issue_number]); return comments; },
  rest: { issues: {
    listComments: () => {},
    updateComment: async (args) => { calls.push(['update', args.comment_id]); },
    createComment: async (args) => { calls.push(['create', args.issue_number]); },
  } },
};
const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const body = fs.readFileSync(scriptFile, 'utf8');
new AsyncFunction('require', 'github', 'context', 'core', body)(require, github, context, {})
  .then(() => console.log(JSON.stringify(calls)), (e) => { console.error(e); process.exit(1); });
"""


def post_comment(tmp_path: Path, comments: list[dict]) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    script = step("comment", "Post the plans as one sticky comment")["with"]["script"]
    (tmp_path / "script.js").write_text(script)
    (tmp_path / "comments.json").write_text(json.dumps(comments))
    (tmp_path / "harness.js").write_text(COMMENT_HARNESS)
    (tmp_path / "plan-comment.md").write_text("<!-- authgen-plan -->\nplans\n")
    done = subprocess.run(
        [node, "harness.js", "script.js", "comments.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


MARKED = "<!-- authgen-plan -->\nold plans"


def test_the_sticky_comment_is_the_bots_own(tmp_path):
    calls = post_comment(
        tmp_path,
        [
            {"id": 1, "body": MARKED, "user": {"login": "mallory", "type": "User"}},
            {"id": 2, "body": MARKED, "user": {"login": "github-actions[bot]", "type": "Bot"}},
        ],
    )
    assert calls == [["list", 7], ["update", 2]]


def test_a_comment_someone_else_marked_is_never_updated(tmp_path):
    calls = post_comment(
        tmp_path,
        [
            {"id": 1, "body": MARKED, "user": {"login": "mallory", "type": "User"}},
            {"id": 3, "body": "hello", "user": {"login": "github-actions[bot]", "type": "Bot"}},
        ],
    )
    assert calls == [["list", 7], ["create", 7]]
