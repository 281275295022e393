"""Moves are explicit: an environment applied in one place (region, endpoint,
AWS account) is not silently re-created in another.

End to end (real CLI, real terraform and hashicorp/aws, moto through
tests/support/moto_plus.py): apply in us-west-2; a spec that says us-east-1
is refused by plan and apply with nothing created there; credentials that
reach another AWS account (a second moto server answering as another
account, moto's MOTO_ACCOUNT_ID) are refused after planning, with nothing
created there; ``destroy`` removes the environment where it lives, after
which the apply in the new region goes ahead. The tests run in file order.
The pure comparison (``generator.location``) is tested first.
"""

from __future__ import annotations

import json

import pytest

from generator import location
from tests.support.cli import Checkout, cli_env, error_line, make_project, plain_local_spec

NAME = "mover"
POOL = f"gateway-user-pool-{NAME}"
OTHER_ACCOUNT = "210987654321"

# scenario: the end-to-end tests are steps on one environment, in file order
# (tests/conftest.py): applied, moves refused, destroyed, applied elsewhere
pytestmark = pytest.mark.scenario


# --------------------------------------------------------------------------
# generator.location


def test_a_region_change_is_a_move():
    old = {"provider": "cognito", "region": "us-west-2", "account": "123456789012"}
    new = {"provider": "cognito", "region": "us-east-1"}
    assert [str(m) for m in location.moves(old, new)] == ["region us-west-2 -> us-east-1"]


def test_an_emulator_on_another_loopback_port_is_the_same_place():
    old = {"provider": "cognito", "region": "us-west-2", "endpoint": "http://127.0.0.1:5000"}
    new = {"provider": "cognito", "region": "us-west-2", "endpoint": "http://localhost:6111/"}
    assert location.moves(old, new) == []


@pytest.mark.parametrize(
    ("old_endpoint", "new_endpoint", "shown"),
    [
        (None, "http://127.0.0.1:5000", "endpoint AWS -> a local emulator"),
        ("http://127.0.0.1:5000", None, "endpoint a local emulator -> AWS"),
        ("https://a.example.com", "https://b.example.com/", "endpoint https://a.example.com -> "),
    ],
)
def test_endpoint_moves(old_endpoint, new_endpoint, shown):
    old = {"provider": "cognito", "region": "us-west-2"}
    new = dict(old)
    if old_endpoint:
        old["endpoint"] = old_endpoint
    if new_endpoint:
        new["endpoint"] = new_endpoint
    (move,) = location.moves(old, new)
    assert str(move).startswith(shown)


def test_a_tenant_or_provider_change_is_a_move():
    old = {"provider": "auth0", "domain": "a.eu.auth0.com"}
    assert [
        str(m) for m in location.moves(old, {"provider": "auth0", "domain": "b.us.auth0.com"})
    ] == ["domain a.eu.auth0.com -> b.us.auth0.com"]
    moved = location.moves(old, {"provider": "cognito", "region": "us-west-2"})
    assert [m.key for m in moved] == ["provider"]


def test_the_record_is_read_from_the_outputs():
    assert location.recorded({}) is None
    assert location.recorded({"authgen_location": {"provider": "cognito", "endpoint": None}}) == {
        "provider": "cognito"
    }


def test_an_account_move_shows_in_the_plans_output_change():
    plan = {
        "output_changes": {
            "authgen_location": {
                "before": {"account": "111111111111", "region": "us-west-2"},
                "after": {"account": "222222222222", "region": "us-west-2"},
            }
        }
    }
    assert str(location.account_move(plan)) == "account 111111111111 -> 222222222222"
    unknown = {"output_changes": {"authgen_location": {"before": None, "after": {"account": "1"}}}}
    assert location.account_move(unknown) is None
    assert location.account_move({}) is None


# --------------------------------------------------------------------------
# end to end


def _pools(emulator, region: str) -> list[str]:
    import boto3

    cognito = boto3.client("cognito-idp", region_name=region, endpoint_url=emulator.url)
    return sorted(p["Name"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"])


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, tf_cli_config, emulator) -> Checkout:
    root = make_project(
        tmp_path_factory.mktemp("moves") / "project", {NAME: plain_local_spec(NAME)}
    )
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    return Checkout(root, env, NAME)


@pytest.fixture(scope="module")
def applied(checkout, emulator):
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    assert _pools(emulator, "us-west-2") == [POOL]
    return result


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_a_region_change_is_refused_by_plan_and_apply_with_nothing_created(
    checkout, applied, emulator
):
    authorizer = checkout.authorizer.read_bytes()
    # a saved plan from before the edit: apply gets as far as the move check
    saved = checkout("plan", NAME)
    assert saved.code == 0, saved
    checkout.edit("region: us-west-2", "region: us-east-1")
    expected = (
        f"error: {NAME}: the spec moves this environment (region us-west-2 -> us-east-1). "
        "authgen does not move an environment in place: terraform would create a new one there "
        "and leave the old one, live client secrets included, outside its state. Nothing was "
        f"changed. Destroy it where it lives first ('authgen destroy {NAME}' destroys it at "
        "provider cognito, account 123456789012, region us-west-2, endpoint a local emulator), "
        "then plan and apply again"
    )
    for command in (("plan", NAME), ("apply", NAME, "--auto-approve")):
        result = checkout(*command, "--json")
        assert result.code == 1, result
        assert error_line(result) == expected
        assert result.json()["error"] == expected.removeprefix("error: ")
        assert "Plan:" not in result.stderr  # refused before terraform planned
    assert _pools(emulator, "us-east-1") == []
    assert _pools(emulator, "us-west-2") == [POOL]
    assert checkout.authorizer.read_bytes() == authorizer


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_credentials_of_another_account_are_refused_after_planning(checkout, applied, moto_plus):
    other = moto_plus(account=OTHER_ACCOUNT)
    checkout.edit("region: us-east-1", "region: us-west-2")
    try:
        result = checkout("plan", NAME, AUTHGEN_ENDPOINT_URL=other.url)
    finally:
        checkout.edit("region: us-west-2", "region: us-east-1")
    assert result.code == 1, result
    assert error_line(result) == (
        f"error: {NAME}: the environment lives in AWS account 123456789012 but the credentials "
        f"reach account {OTHER_ACCOUNT}; terraform would create it anew there. Nothing was "
        "changed. Use credentials for account 123456789012, or destroy it there first (with "
        f"those credentials: 'authgen destroy {NAME}')"
    )
    assert _pools(other, "us-west-2") == []
    assert not (checkout.build / "tfplan").exists()  # no saved plan to apply by mistake


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_destroy_removes_it_where_it_lives_then_the_new_region_applies(checkout, applied, emulator):
    destroyed = checkout("destroy", NAME, "--auto-approve")
    assert destroyed.code == 0, destroyed
    assert (
        f"{NAME} lives at provider cognito, account 123456789012, region us-west-2, endpoint a "
        "local emulator (the spec says region us-west-2 -> us-east-1): working there"
    ) in destroyed.stderr
    assert _pools(emulator, "us-west-2") == []
    assert not checkout.authorizer.exists()

    moved = checkout.apply("--auto-approve")
    assert moved.code == 0, moved
    assert _pools(emulator, "us-east-1") == [POOL]
    outputs = json.loads(checkout.authorizer.read_text())["customJWTAuthorizer"]
    assert "/us-east-1_" in outputs["discoveryUrl"]
