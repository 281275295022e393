"""What was reviewed is what is applied, and environments retire on purpose:
end to end with the real CLI process, real terraform and hashicorp/aws against
a moto server (tests/support/moto_plus.py: stock moto plus the Cognito
operations it lacks, DeleteResourceServer and TagResource among them, without
which no destroy can succeed and no tag drift can be made here).

One project in a real git repository, two environments, each applied once:

* ``reviewed``: a saved plan made stale behind authgen's back (a tag added in
  the emulator, recorded by ``terraform apply -refresh-only``) is refused by
  ``apply --auto-approve`` and nothing changes; a plan whose spec changed
  afterwards is refused too; at a terminal (a pseudo-terminal here) a stale
  plan is planned again, shown and applied only on "yes".
* ``retiree``: ``retired: true`` plans the destruction (the summary and
  plan.md say so) and its apply destroys everything, removes the authorizer
  file and the record.
* then ``reviewed`` loses its spec file in a commit: ``changed`` and
  ``validate --all`` fail naming it and the procedure; ``destroy`` works from
  the record without the spec.

The tests in a section run in file order on shared state.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Result, cli_env, error_line, make_project, plain_local_spec, run

# scenario: the tests are steps on one environment, in file order (tests/conftest.py)
pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow, pytest.mark.scenario]

REGION = "us-west-2"
ENVS = ("reviewed", "retiree")


@pytest.fixture(scope="module")
def env(tf_cli_config, emulator) -> dict[str, str]:
    return cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory, env) -> Path:
    """The project, in a git repository, with every environment planned and
    applied (their records and authorizer files committed, as the pipeline's
    commit-back does)."""
    root = make_project(
        tmp_path_factory.mktemp("integrity") / "project", {n: plain_local_spec(n) for n in ENVS}
    )
    (root / ".gitignore").write_text("build/\n")
    for name in ENVS:
        for command in (("plan", name), ("apply", name, "--auto-approve")):
            result = run(root, *command, env=env)
            assert result.code == 0, result
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "applied")
    return root


def _pool(cognito, name: str) -> dict | None:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    found = [p for p in pools if p["Name"] == f"gateway-user-pool-{name}"]
    return found[0] if found else None


def _tag_pool(cognito, name: str, value: str) -> None:
    """A change made outside Terraform: a tag on the pool."""
    pool = _pool(cognito, name)
    assert pool is not None
    arn = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"]
    cognito.tag_resource(ResourceArn=arn, Tags={"ChangedBy": value})


def _client(cognito, name: str) -> dict:
    pool = _pool(cognito, name)
    assert pool is not None
    (listed,) = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)[
        "UserPoolClients"
    ]
    return cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=listed["ClientId"])[
        "UserPoolClient"
    ]


def _edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "environments" / f"{name}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# --------------------------------------------------------------------------
# the record of an applied environment


def test_apply_records_where_the_environment_lives_without_secrets(project, env, cognito):
    record = project / "environments" / "locks" / "reviewed.applied.json"
    assert json.loads(record.read_text()) == {
        "authorizer": "authorizers/reviewed.json",
        "endpoint_url": "http://127.0.0.1:5000",  # as the spec file says, not the test's port
        "environment": "reviewed",
        "format": 1,
        "gateway": "my-gateway",
        "location": {"region": REGION},
        "protected": False,
        "provider": "cognito",
        "spec": "environments/reviewed.yaml",
        "state": {"backend": "local"},
    }
    secret = _client(cognito, "reviewed")["ClientSecret"]
    assert secret not in record.read_text()
    # the saved plan was used up, its basis with it
    assert not (project / "build" / "reviewed" / "tfplan.basis.json").exists()


# --------------------------------------------------------------------------
# reviewed = applied


@pytest.fixture(scope="module")
def stale(project, env, cognito, terraform_bin) -> dict:
    """A reviewed plan (scopes [read, write] -> [read]), then drift recorded
    behind authgen's back: a tag added to the pool in the emulator and
    ``terraform apply -refresh-only`` run by hand in the build directory."""
    _edit(project, "reviewed", "scopes: [read, write]", "scopes: [read]")
    planned = run(project, "plan", "reviewed", env=env)
    assert planned.code == 0, planned
    build = project / "build" / "reviewed"
    basis = json.loads((build / "tfplan.basis.json").read_text())
    _tag_pool(cognito, "reviewed", "someone-else")
    subprocess.run(
        [terraform_bin, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"],
        cwd=build,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    state = json.loads((build / "terraform.tfstate").read_text())
    assert state["serial"] > basis["serial"], "the refresh did not record the drift"
    return {"basis": basis, "serial": state["serial"], "state": (build / "terraform.tfstate")}


def test_a_plan_made_stale_by_a_refresh_is_refused_and_nothing_changes(
    project, env, cognito, stale
):
    state_before = stale["state"].read_bytes()
    authorizer_before = (project / "authorizers" / "reviewed.json").read_bytes()
    result = run(project, "apply", "reviewed", "--auto-approve", env=env)
    assert result.code == 1, result
    assert error_line(result) == (
        "error: reviewed: the saved plan build/reviewed/tfplan is stale: the state moved since "
        f"it was made (serial {stale['serial']}, was {stale['basis']['serial']}): another apply, "
        "or a refresh that recorded changes made outside Terraform; run 'authgen plan reviewed' "
        "again and review it before applying"
    )
    assert "Apply complete" not in result.stderr and "Plan:" not in result.stderr
    # nothing changed: the client keeps both scopes, the drift stays, state and file as they were
    client = _client(cognito, "reviewed")
    assert sorted(client["AllowedOAuthScopes"]) == [
        "gateway-resource-server/read",
        "gateway-resource-server/write",
    ]
    pool = _pool(cognito, "reviewed")
    tags = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"]
    assert tags["ChangedBy"] == "someone-else"
    assert stale["state"].read_bytes() == state_before
    assert (project / "authorizers" / "reviewed.json").read_bytes() == authorizer_before
    # refused again on a second try: a stale plan never becomes current
    again = run(project, "apply", "reviewed", "--auto-approve", env=env)
    assert again.code == 1 and "is stale" in error_line(again)


def test_a_plan_whose_spec_changed_afterwards_is_refused(project, env, stale):
    spec = project / "environments" / "reviewed.yaml"
    original = spec.read_text()
    planned = run(project, "plan", "reviewed", env=env)  # current again (serial moved)
    assert planned.code == 0, planned
    spec.write_text(original.replace("scopes: [read]", "scopes: [read, write]"))
    try:
        result = run(project, "apply", "reviewed", "--auto-approve", env=env)
    finally:
        spec.write_text(original)
    assert result.code == 1, result
    assert error_line(result).startswith(
        "error: reviewed: the saved plan build/reviewed/tfplan is stale: the rendered root "
        "module changed since it was made (the spec, its shared defaults, the templates, the "
        "modules or the provider lock file); run 'authgen plan reviewed' again"
    )


def test_auto_approve_without_a_saved_plan_refuses_before_terraform(project, env):
    (project / "build" / "reviewed" / "tfplan.basis.json").unlink(missing_ok=True)
    result = run(project, "apply", "reviewed", "--auto-approve", env=env)
    assert result.code == 1, result
    assert error_line(result) == (
        "error: reviewed: no saved plan to apply (build/reviewed/tfplan); --auto-approve applies "
        "only a plan 'authgen plan reviewed' saved: plan, review build/reviewed/plan.md, then apply"
    )
    assert "[reviewed]" not in result.stderr  # terraform never ran


def _at_a_terminal(project: Path, env: dict[str, str], answer: str, *args: str) -> Result:
    """authgen with stdin on a pseudo-terminal (so it may ask) and ``answer``
    typed in advance; stdout and stderr captured as usual."""
    master, slave = pty.openpty()
    try:
        os.write(master, answer.encode())
        proc = subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=project,
            env=env,
            stdin=slave,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    return Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)


def test_at_a_terminal_a_stale_plan_is_planned_again_shown_and_asked(
    project, env, cognito, stale, terraform_bin
):
    build = project / "build" / "reviewed"
    planned = run(project, "plan", "reviewed", env=env)
    assert planned.code == 0, planned
    _tag_pool(cognito, "reviewed", "someone-else-again")
    subprocess.run(
        [terraform_bin, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"],
        cwd=build,
        env=env,
        check=True,
        capture_output=True,
    )
    declined = _at_a_terminal(project, env, "no\n", "apply", "reviewed")
    assert declined.code == 1, declined
    assert "is stale: the state moved since it was made" in declined.stderr
    assert "Planning again here instead:" in declined.stderr
    assert "Plan: 0 to create, 2 to update" in declined.stdout  # the new plan was shown
    # the answer's echo goes to the terminal, so the error follows the question on stderr
    assert declined.stderr.endswith(
        "Apply these changes to reviewed? Type 'yes' to proceed: "
        "error: cancelled; nothing was changed\n"
    )
    assert not (build / "tfplan.basis.json").exists()  # a declined plan is no reviewed plan
    assert len(_client(cognito, "reviewed")["AllowedOAuthScopes"]) == 2

    accepted = _at_a_terminal(project, env, "yes\n", "apply", "reviewed")
    assert accepted.code == 0, accepted
    assert "authorizer file: authorizers/reviewed.json (unchanged)" in accepted.stdout
    assert _client(cognito, "reviewed")["AllowedOAuthScopes"] == ["gateway-resource-server/read"]


# --------------------------------------------------------------------------
# retirement


def test_retiring_a_protected_environment_is_refused_before_terraform(project, env):
    """The record says the last apply had deletion protection on (written by
    hand here: a protected apply is covered elsewhere)."""
    record_path = project / "environments" / "locks" / "retiree.applied.json"
    original = record_path.read_text()
    record_path.write_text(original.replace('"protected": false', '"protected": true'))
    _edit(project, "retiree", "gateway: my-gateway\n", "gateway: my-gateway\nretired: true\n")
    try:
        result = run(project, "plan", "retiree", env=env)
    finally:
        record_path.write_text(original)
    assert result.code == 1, result
    assert error_line(result) == (
        "error: environments/retiree.yaml: retired: true, but retiree was last applied with "
        "protected: true (deletion protection is on); unprotect it first: set protected: false "
        "without retired, apply that, then retire it"
    )
    assert "[retiree]" not in result.stderr


@pytest.fixture(scope="module")
def retirement_plan(project, env) -> Result:
    spec = project / "environments" / "retiree.yaml"
    if "retired: true" not in spec.read_text():
        _edit(project, "retiree", "gateway: my-gateway\n", "gateway: my-gateway\nretired: true\n")
    result = run(project, "plan", "retiree", "--detailed-exitcode", env=env)
    assert result.code == 2, result
    return result


def test_retired_plans_the_destruction_and_says_so(project, retirement_plan, cognito):
    out = retirement_plan.stdout
    assert "Retiring retiree (retired: true): this plan destroys every resource" in out
    assert "Plan: 0 to create, 0 to update, 0 to replace, 4 to delete" in out
    markdown = (project / "build" / "retiree" / "plan.md").read_text()
    assert "> **Retiring retiree (retired: true): this plan destroys every resource" in markdown
    summary = json.loads((project / "build" / "retiree" / "plan.json").read_text())
    assert summary["mode"] == "retire"
    assert {r["action"] for r in summary["resources"]} == {"delete"}
    assert _pool(cognito, "retiree") is not None  # planned, not applied


def test_applying_the_retirement_destroys_and_removes_the_files(
    project, env, retirement_plan, cognito
):
    result = run(project, "apply", "retiree", "--auto-approve", env=env)
    assert result.code == 0, result
    assert result.stdout.strip().splitlines()[-1] == (
        "retired retiree: its resources are destroyed; removed authorizers/retiree.json; "
        "environments/retiree.yaml can now be deleted"
    )
    assert _pool(cognito, "retiree") is None
    assert not (project / "authorizers" / "retiree.json").exists()
    assert not (project / "environments" / "locks" / "retiree.applied.json").exists()
    # afterwards the file can be deleted: nothing reports it
    (project / "environments" / "retiree.yaml").unlink()
    assert run(project, "validate", "--all", env=env).code == 0


def test_a_retired_environment_has_no_outputs_to_read(project, env, retirement_plan):
    spec = project / "environments" / "retired-copy.yaml"
    spec.write_text(plain_local_spec("retired-copy") + "retired: true\n")
    try:
        result = run(project, "authorizer", "retired-copy", env=env)
    finally:
        spec.unlink()
    assert result.code == 1, result
    assert "retired-copy: retired: true; a retired environment has no resources" in (
        error_line(result)
    )


# --------------------------------------------------------------------------
# a spec file deleted while its environment lives


@pytest.fixture(scope="module")
def orphaned(project, env) -> Path:
    """``reviewed`` (applied, its record committed) loses its spec file in a commit."""
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", "what the tests above changed")
    (project / "environments" / "reviewed.yaml").unlink()
    git(project, "add", "-A")
    git(project, "commit", "-qm", "remove reviewed.yaml")
    return project


ORPHAN_LINE = (
    "environments/reviewed.yaml: environment 'reviewed' was applied (see "
    "environments/locks/reviewed.applied.json) but its spec file is gone (deleted or renamed), "
    "which would leave its resources running untracked; restore environments/reviewed.yaml, "
    "set 'retired: true', apply it (that destroys them), then delete the file (or run 'authgen "
    "destroy reviewed', which works from the record)"
)


def test_changed_fails_naming_a_deleted_environment(orphaned, env):
    result = run(orphaned, "changed", "--base", "HEAD~1", env=env)
    assert result.code == 1, result
    assert error_line(result) == f"error: {ORPHAN_LINE}"
    assert result.stdout == ""


def test_validate_all_fails_on_it_with_the_procedure(orphaned, env):
    result = run(orphaned, "validate", "--all", env=env)
    assert result.code == 1, result
    assert ORPHAN_LINE in result.stderr.splitlines()
    named = run(orphaned, "validate", "reviewed", env=env)
    assert named.code == 1, named
    assert ORPHAN_LINE in named.stderr


def test_destroy_works_from_the_record_without_the_spec(orphaned, env, cognito):
    assert _pool(cognito, "reviewed") is not None
    result = run(orphaned, "destroy", "reviewed", "--auto-approve", env=env)
    assert result.code == 0, result
    assert "environments/reviewed.yaml is gone; destroying from its record" in result.stderr
    assert "Destroying reviewed: this plan destroys every resource" in result.stdout
    assert "Plan: 0 to create, 0 to update, 0 to replace, 4 to delete" in result.stdout
    assert "destroyed reviewed; removed authorizers/reviewed.json" in result.stdout
    assert _pool(cognito, "reviewed") is None
    assert not (orphaned / "authorizers" / "reviewed.json").exists()
    assert not (orphaned / "environments" / "locks" / "reviewed.applied.json").exists()
    # nothing is orphaned any more
    assert run(orphaned, "changed", "--base", "HEAD~1", env=env).code == 0
