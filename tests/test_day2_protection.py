"""Protection that protects: a plan that deletes or replaces the user pool, a
client, the domain or the resource server is flagged by ``plan`` and refused
by ``apply`` for ``protected: true`` before terraform touches anything;
``--allow-replace`` lets it through unless Cognito itself would refuse
(a pool under deletion protection); unprotected environments get the warning
and a confirmation.

Real CLI, real terraform and hashicorp/aws, against moto through
tests/support/moto_plus.py, which (like Cognito, unlike stock moto 5.2)
refuses DeleteUserPool while the pool's deletion protection is ACTIVE. The
tests run in file order on one environment.
"""

from __future__ import annotations

import json

import pytest

from tests.support.cli import Checkout, cli_env, error_line, make_project, plain_local_spec

# scenario: the tests are steps on one environment, in file order (tests/conftest.py)
pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow, pytest.mark.scenario]

NAME = "guarded2"
POOL = f"gateway-user-pool-{NAME}"
POOL_ADDRESS = "module.auth.aws_cognito_user_pool.this"
CLIENT_ADDRESS = 'module.auth.aws_cognito_user_pool_client.this["gateway-client"]'


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, tf_cli_config, emulator) -> Checkout:
    spec = plain_local_spec(
        NAME, **{"gateway: my-gateway\n": "gateway: my-gateway\nprotected: true\n"}
    )
    root = make_project(tmp_path_factory.mktemp("protection") / "project", {NAME: spec})
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    return Checkout(root, env, NAME)


@pytest.fixture(scope="module")
def applied(checkout):
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    return result


def _live(cognito) -> dict:
    """What moto holds for the environment: pool ids by name, client ids, domains."""
    pools = {p["Name"]: p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}
    clients, domains = {}, {}
    for pool_id in pools.values():
        listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
        clients[pool_id] = sorted(c["ClientId"] for c in listed["UserPoolClients"])
        domains[pool_id] = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain")
    return {"pools": pools, "clients": clients, "domains": domains}


def _state_serial(checkout) -> int:
    return json.loads((checkout.build / "terraform.tfstate").read_text())["serial"]


def test_the_emulator_enforces_deletion_protection(cognito):
    from botocore.exceptions import ClientError

    pool_id = cognito.create_user_pool(PoolName="probe-protected", DeletionProtection="ACTIVE")[
        "UserPool"
    ]["Id"]
    with pytest.raises(ClientError) as caught:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "deletion protection" in caught.value.response["Error"]["Message"]
    cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert "probe-protected" not in {
        p["Name"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]
    }


@pytest.fixture(scope="module")
def renamed_plan(checkout, applied):
    """``plan`` after renaming the protected pool."""
    checkout.edit(f"user_pool_name: {POOL}", "user_pool_name: renamed-pool")
    return checkout("plan", NAME, "--json")


def test_plan_flags_a_protected_rename_naming_each_resource(checkout, renamed_plan):
    result = renamed_plan
    assert result.code == 0, result
    (outcome,) = result.json()["environments"]
    guard = outcome["protection"]
    assert guard["protected"] is True and guard["refused"] is True
    found = {f["address"]: f for f in guard["findings"]}
    assert sorted(found) == sorted(
        [
            POOL_ADDRESS,
            CLIENT_ADDRESS,
            "module.auth.aws_cognito_user_pool_domain.this",
            "module.auth.aws_cognito_resource_server.this",
        ]
    )
    assert {f["action"] for f in found.values()} == {"replace"}
    pool = found[POOL_ADDRESS]
    assert pool["what"] == "user pool"
    assert pool["why"] == (
        f"name changes '{POOL}' -> 'renamed-pool' and the provider cannot change that in place"
    )
    assert "deletion protection is on" in pool["blocked"]
    assert found[CLIENT_ADDRESS]["why"].startswith("user_pool_id changes (to a new id")
    # loud on stderr, and in the pull-request comment
    assert f"WARNING: {NAME}: this plan deletes or replaces 4 live objects; apply will REFUSE" in (
        result.stderr
    )
    assert f"  {POOL_ADDRESS} (user pool) would be replaced: name changes" in result.stderr
    markdown = (checkout.build / "plan.md").read_text()
    assert "**Deletes or replaces live objects.** `authgen apply` refuses this plan." in markdown
    assert f"`{POOL_ADDRESS}` (user pool) would be replaced" in markdown


def test_apply_refuses_the_saved_plan_and_nothing_is_touched(checkout, renamed_plan, cognito):
    before, serial = _live(cognito), _state_serial(checkout)
    authorizer = checkout.authorizer.read_bytes()
    result = checkout("apply", NAME)
    assert result.code == 1, result
    line = error_line(result)
    assert line.startswith(
        f"error: {NAME} is protected and this plan would delete or replace 4 live objects: "
    )
    assert f"{POOL_ADDRESS} (user pool) would be replaced: name changes '{POOL}' -> " in line
    assert "its deletion protection is on, and Cognito refuses to delete it" in line
    assert line.endswith(
        f"Nothing was changed; to go ahead: set protected: false and apply that change alone "
        f"('authgen apply {NAME}'), then apply this change, then set protected: true again"
    )
    assert "Apply complete" not in result.stderr and "Destroying" not in result.stderr
    assert _live(cognito) == before
    assert before["pools"][POOL] in before["domains"] and before["domains"][before["pools"][POOL]]
    assert checkout.authorizer.read_bytes() == authorizer
    assert _state_serial(checkout) == serial


def test_allow_replace_cannot_replace_a_pool_under_deletion_protection(checkout, applied, cognito):
    before = _live(cognito)
    result = checkout.apply("--auto-approve", "--allow-replace")
    assert result.code == 1, result
    line = error_line(result)
    assert "Cognito refuses to delete it" in line
    assert "--allow-replace" not in line  # it cannot help here
    assert _live(cognito) == before


def test_a_protected_client_rename_needs_allow_replace(checkout, applied, cognito):
    checkout.edit("user_pool_name: renamed-pool", f"user_pool_name: {POOL}")
    checkout.edit("- name: gateway-client", "- name: gateway-caller")
    before = _live(cognito)
    refused = checkout.apply("--auto-approve")
    assert refused.code == 1, refused
    line = error_line(refused)
    assert (
        f"error: {NAME} is protected and this plan would delete or replace 1 live object: "
        f"{CLIENT_ADDRESS} (app client) would be deleted: its key is no longer in the spec "
        "(a client removed or renamed). Nothing was changed; to go ahead: "
        f"'authgen apply {NAME} --allow-replace'"
    ) in line
    assert _live(cognito) == before

    old_file = json.loads(checkout.authorizer.read_text())
    allowed = checkout.apply("--auto-approve", "--allow-replace")
    assert allowed.code == 0, allowed
    assert "WARNING: this plan deletes or replaces 1 live object of a protected environment" in (
        allowed.stderr
    )
    (new_id,) = json.loads(checkout.authorizer.read_text())["customJWTAuthorizer"]["allowedClients"]
    assert [new_id] != old_file["customJWTAuthorizer"]["allowedClients"]
    pool_id = before["pools"][POOL]
    assert _live(cognito)["clients"][pool_id] == [new_id]


def test_a_tainted_object_of_a_protected_environment_is_replaced_after_a_warning(
    checkout, applied, cognito, terraform_bin
):
    """A create an interrupted run left half-done is tainted: replacing it
    completes the environment, so protection warns instead of refusing (here
    marked by hand, as an operator would with terraform taint)."""
    import subprocess

    address = 'module.auth.aws_cognito_user_pool_client.this["gateway-caller"]'
    subprocess.run(
        [terraform_bin, "taint", address],
        cwd=checkout.build,
        env=checkout.env,
        check=True,
        capture_output=True,
    )
    (old_id,) = json.loads(checkout.authorizer.read_text())["customJWTAuthorizer"]["allowedClients"]
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    assert (
        "WARNING: this plan deletes or replaces 1 live object of a protected environment "
        f"(tainted: left half-done, to be completed): {address} (app client) would be replaced: "
        "it is tainted"
    ) in result.stderr
    (new_id,) = json.loads(checkout.authorizer.read_text())["customJWTAuthorizer"]["allowedClients"]
    assert new_id != old_id
    assert _live(cognito)["clients"][_live(cognito)["pools"][POOL]] == [new_id]


def test_unprotect_then_rename_asks_first_and_then_replaces(checkout, applied, cognito):
    # 1. protection off, alone: an in-place update, nothing to confirm
    checkout.edit("protected: true\n", "protected: false\n")
    lifted = checkout.apply("--auto-approve")
    assert lifted.code == 0, lifted
    assert "WARNING" not in lifted.stderr
    old_pool = _live(cognito)["pools"][POOL]
    assert cognito.describe_user_pool(UserPoolId=old_pool)["UserPool"]["DeletionProtection"] == (
        "INACTIVE"
    )
    # 2. the rename: plan warns, apply of the saved plan asks (and without a
    #    terminal or --auto-approve refuses), nothing touched
    checkout.edit(f"user_pool_name: {POOL}", "user_pool_name: renamed-pool")
    planned = checkout("plan", NAME)
    assert planned.code == 0, planned
    assert (
        f"WARNING: {NAME}: this plan deletes or replaces 4 live objects; apply will ask first"
        in (planned.stderr)
    )
    before = _live(cognito)
    asked = checkout("apply", NAME)
    assert asked.code == 1, asked
    assert error_line(asked) == (
        f"error: apply {NAME} (it deletes or replaces live objects) needs a confirmation and "
        "stdin is not a terminal; pass --auto-approve to proceed"
    )
    assert "WARNING: this plan deletes or replaces 4 live objects: " in asked.stderr
    assert _live(cognito) == before
    # 3. approved: the saved plan is applied; a new pool, the old one gone
    approved = checkout("apply", NAME, "--auto-approve")
    assert approved.code == 0, approved
    live = _live(cognito)
    assert POOL not in live["pools"] and "renamed-pool" in live["pools"]
    doc = json.loads(checkout.authorizer.read_text())
    assert live["pools"]["renamed-pool"] in doc["customJWTAuthorizer"]["discoveryUrl"]


def test_destroy_lifts_deletion_protection_the_spec_no_longer_asks_for(checkout, applied, cognito):
    """protected: true applied, then set back to false but not applied: the
    pool still has deletion protection on. destroy turns it off first instead
    of failing half-way (after deleting the clients) on the pool."""
    checkout.edit("protected: false\n", "protected: true\n")
    protect = checkout.apply("--auto-approve")
    assert protect.code == 0, protect
    pool_id = _live(cognito)["pools"]["renamed-pool"]
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["DeletionProtection"] == (
        "ACTIVE"
    )
    checkout.edit("protected: true\n", "protected: false\n")
    result = checkout("destroy", NAME, "--auto-approve")
    assert result.code == 0, result
    assert (
        f"{NAME} still has deletion protection on (not applied): turning deletion protection off "
        "before destroying"
    ) in result.stderr
    assert _live(cognito)["pools"] == {}
    assert not checkout.authorizer.exists()
