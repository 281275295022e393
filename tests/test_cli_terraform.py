"""authgen plan / apply / authorizer / verify / token / destroy end to end:
the real CLI process, real terraform, hashicorp/aws from the machine's mirror,
and a moto server on 127.0.0.1 standing in for Cognito.

One checkout (``environments/local.yaml`` copied into a temporary directory)
is planned once and applied once (the ``planned`` and ``applied`` fixtures,
which keep what each run printed and wrote: later steps overwrite the files);
the tests then look at those snapshots, and run the cheap commands
(authorizer, verify, token) against the result, in any order. A provider
schema load costs several seconds, so the terraform runs are shared. The
failed destroy (stock moto has no DeleteResourceServer) runs on an
environment of its own, so no other test sees it half-destroyed. A destroy
that succeeds is in test_cli_destroy_interrupt.py, against moto plus the
missing operations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from generator.emulator import free_port
from tests.support.cli import Checkout, Result, cli_env, error_line, make_project, plain_local_spec

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]

REGION = "us-west-2"
POOL_NAME = "gateway-user-pool-local"  # environments/local.yaml
CLIENT = 'module.auth.aws_cognito_user_pool_client.this["gateway-client"]'
FINGERPRINT = "tfplan.fingerprint.json"


@dataclass(frozen=True)
class Snapshot:
    """What a step left behind, for the next step to compare with."""

    result: Result
    plan_mtime: int | None = None
    lock_bytes: bytes | None = None
    lock_mtime: int | None = None
    #: build/local/plan.json and plan.md as the step left them (None: absent)
    summary: str | None = None
    markdown: str | None = None
    #: permission bits of what the step left in the build directory, by name
    #: ("." is the directory itself)
    modes: dict[str, int] | None = None


def _snapshot(checkout: Checkout, result: Result) -> Snapshot:
    plan = checkout.build / "tfplan"
    lock = checkout.lock_file
    build = checkout.build
    return Snapshot(
        result,
        plan_mtime=plan.stat().st_mtime_ns if plan.is_file() else None,
        lock_bytes=lock.read_bytes() if lock.is_file() else None,
        lock_mtime=lock.stat().st_mtime_ns if lock.is_file() else None,
        summary=_text(build / "plan.json"),
        markdown=_text(build / "plan.md"),
        modes={
            name: (build / name).stat().st_mode & 0o777
            for name in (".", "terraform.tfstate", "plan.json", "plan.md", "tfplan", FINGERPRINT)
            if (build / name).exists()
        },
    )


def _text(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


@pytest.fixture(scope="module")
def moto_cognito(stock_moto):
    """A cognito-idp client of this file's stock moto (no token endpoint, no
    DeleteResourceServer: the tests rely on both)."""
    import boto3

    return boto3.client("cognito-idp", region_name=REGION, endpoint_url=stock_moto.url)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, tf_cli_config, stock_moto) -> Checkout:
    root = make_project(tmp_path_factory.mktemp("cli") / "project", ["local"])
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=stock_moto.url)
    return Checkout(root, env, "local")


@pytest.fixture(scope="module")
def planned(checkout) -> Snapshot:
    """``authgen plan local`` on the fresh checkout."""
    return _snapshot(checkout, checkout("plan", "local"))


@pytest.fixture(scope="module")
def applied(checkout, planned) -> Snapshot:
    """``authgen apply local`` right after the plan: the saved plan is applied
    without a question (stdin is not a terminal, no --auto-approve)."""
    result = checkout("apply", "local")
    assert result.code == 0, result
    return _snapshot(checkout, result)


def _pool(cognito, name: str = POOL_NAME) -> dict:
    pools = [p for p in cognito.list_user_pools(MaxResults=60)["UserPools"]]
    (pool,) = [p for p in pools if p["Name"] == name]
    return pool


def _client_ids(cognito, pool_id: str) -> list[str]:
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    return sorted(c["ClientId"] for c in listed["UserPoolClients"])


# --------------------------------------------------------------------------
# plan


def test_plan_writes_a_saved_plan_and_its_masked_summary(checkout, planned):
    result = planned.result
    assert result.code == 0, result
    assert "saved plan: build/local/tfplan; summary: build/local/plan.md" in result.stdout
    assert "Plan: 9 to create, 0 to update, 0 to replace, 0 to delete" in result.stdout
    # not a terminal: the table is not wrapped at 80 columns, addresses stay whole
    assert f"│ create │ {CLIENT}" in result.stdout
    # progress lines while terraform runs (stderr is not a terminal here)
    assert "[local] Plan: 9 to add, 0 to change, 0 to destroy." in result.stderr
    assert planned.plan_mtime is not None  # the saved plan was there after the plan

    summary = json.loads(planned.summary)
    assert summary["environment"] == "local"
    assert summary["changes"] is True
    assert summary["counts"]["create"] == 9
    assert {r["address"]: r["action"] for r in summary["resources"]} == {
        "module.auth.aws_cognito_user_pool.this": "create",
        "module.auth.aws_cognito_resource_server.this": "create",
        "module.auth.aws_cognito_user_pool_domain.this": "create",
        CLIENT: "create",
        # the pre token generation trigger that puts the client's claims in its tokens
        "module.auth.aws_iam_role.this[0]": "create",
        "module.auth.aws_iam_role_policy.this[0]": "create",
        "module.auth.aws_cloudwatch_log_group.this[0]": "create",
        "module.auth.aws_lambda_function.this[0]": "create",
        "module.auth.aws_lambda_permission.this[0]": "create",
    }
    markdown = planned.markdown
    assert markdown.startswith("<!-- authgen-plan:local -->\n")
    assert f"`{CLIENT}`" in markdown


def test_the_provider_lock_file_lands_in_environments_locks(checkout, planned):
    assert planned.result.code == 0, planned.result
    lock = checkout.lock_file
    assert lock.is_file()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock.read_text()
    assert (checkout.build / ".terraform.lock.hcl").read_bytes() == lock.read_bytes()


# --------------------------------------------------------------------------
# apply


def test_apply_applies_the_saved_plan_without_planning_again(checkout, planned, applied):
    result = applied.result
    assert "applying the saved plan build/local/tfplan (made by 'authgen plan')" in result.stderr
    # terraform neither planned nor initialised again ...
    assert "[local] Plan:" not in result.stderr
    assert "Initializing" not in result.stderr
    assert "[local] Apply complete! Resources: 9 added, 0 changed, 0 destroyed." in result.stderr
    # ... the plan file `plan` wrote was used up: removed (it holds the prior
    # state, secrets included) with its fingerprint ...
    assert planned.plan_mtime is not None
    assert applied.plan_mtime is None
    assert FINGERPRINT in planned.modes and FINGERPRINT not in applied.modes
    # ... and the lock file was reused as it was.
    assert applied.lock_bytes == planned.lock_bytes
    assert applied.lock_mtime == planned.lock_mtime
    assert "authorizer file: authorizers/local.json (written)" in result.stdout


def test_the_authorizer_file_holds_what_moto_holds(checkout, applied, moto_cognito, stock_moto):
    text = checkout.authorizer.read_text()
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2) + "\n"
    assert list(doc) == ["customJWTAuthorizer"]
    inner = doc["customJWTAuthorizer"]
    assert list(inner) == ["discoveryUrl", "allowedClients", "allowedScopes", "customClaims"]

    pool = _pool(moto_cognito)
    assert inner["allowedClients"] == _client_ids(moto_cognito, pool["Id"])
    assert len(inner["allowedClients"]) == 1
    assert f"client gateway-client: {inner['allowedClients'][0]}" in applied.result.stdout

    assert inner["discoveryUrl"] == (
        f"{stock_moto.url}/{pool['Id']}/.well-known/openid-configuration"
    )
    served = requests.get(inner["discoveryUrl"], timeout=10)
    assert served.status_code == 200
    discovery = served.json()
    assert discovery["issuer"].endswith(f"/{pool['Id']}")
    assert requests.get(discovery["jwks_uri"], timeout=10).json()["keys"]


def test_authorizer_reruns_are_byte_stable(checkout, applied):
    before = checkout.authorizer.read_bytes()
    mtime = checkout.authorizer.stat().st_mtime_ns
    first = checkout("authorizer", "local")
    second = checkout("authorizer", "local", "--json")
    assert first.code == 0, first
    assert "authorizer file: authorizers/local.json (unchanged)" in first.stdout
    assert second.code == 0, second
    doc = second.json()
    assert doc["command"] == "authorizer"
    assert doc["changed"] is False
    assert doc["authorizer_file"] == str(checkout.authorizer)
    assert checkout.authorizer.read_bytes() == before
    assert checkout.authorizer.stat().st_mtime_ns == mtime
    assert "Initializing" not in first.stderr + second.stderr


def test_state_saved_plans_and_the_build_dir_are_private(checkout, planned, applied):
    assert planned.modes["tfplan"] == 0o600
    assert applied.modes == {
        ".": 0o700,
        "terraform.tfstate": 0o600,
        "plan.json": 0o600,
        "plan.md": 0o600,
        # no "tfplan": used, then removed
    }
    # ... while the authorizer file (no secret) is an ordinary file
    assert checkout.authorizer.stat().st_mode & 0o777 == 0o644


@pytest.fixture(scope="module")
def logged_plan(checkout, applied) -> Result:
    """``authgen plan -v`` with TF_LOG=DEBUG: the AWS provider logs Cognito's
    answers, the client secret included, on terraform's stderr."""
    return checkout("plan", "local", "-v", TF_LOG="DEBUG")


def test_tf_log_output_is_shown_with_v_and_masked(logged_plan):
    result = logged_plan
    assert result.code == 0, result
    assert "[DEBUG]" in result.stderr  # terraform's debug log came through
    # DescribeUserPoolClient's answer, with the secret's value masked
    assert '"ClientSecret": "***"' in result.stderr
    # -v shows every event, not only progress
    assert "[local] Terraform 1." in result.stderr


# --------------------------------------------------------------------------
# verify / token against the emulator


def test_verify_against_moto_fails_closed_on_the_missing_token(checkout, applied):
    """moto has no token endpoint: verify cannot check a token, so it fails
    (exit 1) and says to ask for discovery-only checks explicitly."""
    result = checkout("verify", "local", "--wait", "5", "--json")
    assert result.code == 1, result
    doc = result.json()
    assert doc["ok"] is False
    failed = {c["name"]: c for c in doc["checks"] if c["status"] == "fail"}
    assert list(failed) == ["token"], doc
    assert "cannot issue client_credentials tokens" in failed["token"]["detail"]
    assert "--no-token" in failed["token"]["fix"]


def test_verify_against_moto_with_no_token_passes(checkout, applied):
    result = checkout("verify", "local", "--wait", "5", "--no-token")
    assert result.code == 0, result
    assert "SKIP" in result.stdout and "--no-token" in result.stdout
    assert "FAIL" not in result.stdout

    as_json = checkout("verify", "local", "--wait", "5", "--no-token", "--json")
    assert as_json.code == 0, as_json
    doc = as_json.json()
    assert doc["ok"] is True
    status = {c["name"]: c["status"] for c in doc["checks"]}
    assert status["discovery document"] == "pass"
    assert status["issuer"] == "pass"
    assert status["JWKS"] == "pass"
    assert status["token"] == "skip"


def test_token_against_moto_fails_in_one_line(checkout, applied):
    result = checkout("token", "local", "--wait", "1")
    assert result.code == 1, result
    assert result.stdout == ""
    assert "oauth2/token answered HTTP 500" in error_line(result)


# --------------------------------------------------------------------------
# a second plan after the apply


@pytest.fixture(scope="module")
def replanned(checkout, applied) -> tuple[Snapshot, Snapshot]:
    """A spec change planned from a fresh build directory (as a CI checkout
    with the committed lock file would), verbose, with --detailed-exitcode
    and --json. Returns the snapshots before and after."""
    spec = checkout.root / "environments" / "local.yaml"
    original = spec.read_text()
    spec.write_text(original.replace("scopes: [read, write]", "scopes: [read]"))
    before = _snapshot(checkout, applied.result)
    for leftover in (".terraform", ".terraform.lock.hcl"):
        path = checkout.build / leftover
        if path.is_dir():
            import shutil

            shutil.rmtree(path)
        else:
            path.unlink()
    try:
        result = checkout("plan", "local", "--detailed-exitcode", "--json", "-v")
    finally:
        spec.write_text(original)
    return before, _snapshot(checkout, result)


def test_detailed_exitcode_is_2_with_changes_and_json_parses(checkout, replanned):
    _, after = replanned
    result = after.result
    assert result.code == 2, result
    doc = result.json()  # stdout holds the JSON document only
    (env,) = doc["environments"]
    assert env["name"] == "local"
    assert env["changes"] is True
    assert env["error"] is None
    assert env["counts"]["update"] >= 1
    assert env["files"] == [str(checkout.build / "plan.json"), str(checkout.build / "plan.md")]
    summary = json.loads(after.summary)
    client = next(r for r in summary["resources"] if r["address"] == CLIENT)
    assert client["action"] == "update"
    assert "allowed_oauth_scopes" in {a["name"] for a in client["attributes"]}


def test_a_fresh_build_dir_inits_from_the_committed_lock_file(checkout, replanned):
    before, after = replanned
    assert "[local] Initializing provider plugins..." in after.result.stderr
    assert after.lock_bytes == before.lock_bytes
    assert after.lock_mtime == before.lock_mtime
    assert (checkout.build / ".terraform.lock.hcl").read_bytes() == before.lock_bytes


def test_no_client_secret_in_any_output_or_file(
    checkout, applied, logged_plan, replanned, moto_cognito
):
    pool = _pool(moto_cognito)
    (client_id,) = _client_ids(moto_cognito, pool["Id"])
    secret = moto_cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client_id)[
        "UserPoolClient"
    ]["ClientSecret"]
    assert len(secret) >= 20
    # The check means something: terraform holds the secret (state, outputs).
    assert secret in (checkout.build / "terraform.tfstate").read_text()
    # The cheap commands, run here so that this test needs no other to have run
    # (other tests may have run more: every run is checked).
    for args in (
        ("authorizer", "local"),
        ("verify", "local", "--wait", "5", "--json"),
        ("verify", "local", "--wait", "5", "--no-token"),
        ("token", "local", "--wait", "1"),
    ):
        checkout(*args)
    # Every authgen run of this file (plan, apply, authorizer, verify, token,
    # the verbose plan whose prior state holds the secret, the plan with
    # TF_LOG=DEBUG whose log holds Cognito's answers) ...
    ran = {result.args[0] for result in checkout.runs}
    assert ran >= {"plan", "apply", "authorizer", "verify", "token"}
    assert len(checkout.runs) >= 8
    for result in checkout.runs:
        assert secret not in result.stdout, f"secret on stdout of authgen {result.args}"
        assert secret not in result.stderr, f"secret on stderr of authgen {result.args}"
    # ... and every file authgen writes outside terraform's own.
    for path in (
        checkout.build / "plan.json",
        checkout.build / "plan.md",
        checkout.authorizer,
    ):
        assert secret not in path.read_text(), f"secret in {path}"


# --------------------------------------------------------------------------
# failures after an apply


def test_a_plan_against_a_dead_endpoint_leaves_nothing_to_apply(checkout, applied):
    before = checkout.authorizer.read_bytes()
    state = (checkout.build / "terraform.tfstate").read_bytes()
    dead = f"http://127.0.0.1:{free_port()}"
    result = checkout("plan", "local", AUTHGEN_ENDPOINT_URL=dead)
    assert result.code == 1, result
    line = error_line(result)
    assert line.startswith("error: terraform plan failed (exit code 1): ")
    assert dead.removeprefix("http://") in line
    assert result.stdout == ""
    # the failed plan is no saved plan: apply --auto-approve refuses, terraform never runs
    applied_again = checkout("apply", "local", "--auto-approve", AUTHGEN_ENDPOINT_URL=dead)
    assert applied_again.code == 1, applied_again
    assert "no saved plan to apply" in error_line(applied_again)
    assert checkout.authorizer.read_bytes() == before
    assert (checkout.build / "terraform.tfstate").read_bytes() == state


@pytest.fixture(scope="module")
def doomed(tmp_path_factory, tf_cli_config, stock_moto) -> Checkout:
    """An environment of its own (no claims: fewer resources), planned and
    applied, for the destroy that fails half-way."""
    root = make_project(
        tmp_path_factory.mktemp("cli-doomed") / "project", {"doomed": plain_local_spec("doomed")}
    )
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=stock_moto.url)
    doomed = Checkout(root, env, "doomed")
    result = doomed.apply("--auto-approve")
    assert result.code == 0, result
    return doomed


def test_a_failed_destroy_keeps_the_authorizer_file(doomed, moto_cognito):
    """Stock moto has no DeleteResourceServer: applying the destruction plan
    fails there, half-way."""
    before = doomed.authorizer.read_bytes()
    result = doomed("destroy", "doomed", "--auto-approve")
    assert result.code == 1, result
    assert "Destroying doomed: this plan destroys every resource" in result.stdout  # shown first
    line = error_line(result)
    assert line.startswith("error: terraform apply failed (exit code 1): ")
    assert "DeleteResourceServer" in line
    assert doomed.authorizer.read_bytes() == before
    assert (doomed.root / "environments" / "locks" / "doomed.applied.json").is_file()
    assert "destroyed doomed" not in result.stdout
    # the pool is still there (its resource server blocks it)
    assert _pool(moto_cognito, "gateway-user-pool-doomed")
