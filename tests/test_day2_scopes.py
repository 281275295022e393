"""Scopes change with their grants in ONE apply: add a scope and grant it to
the existing client, rename a scope, remove a scope; each edit applied once.

Real CLI, real terraform and hashicorp/aws, against moto through
tests/support/moto_plus.py, which (like Cognito, unlike stock moto) refuses
an app client a scope that no resource server of its pool declares
(ScopeDoesNotExistException): so a run that updated the client before the
resource server would fail here as it does on AWS. The three edits are
steps on one environment, each a module fixture that keeps what its apply
did (so the tests may run in any order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.support.cli import Checkout, Result, cli_env, make_project, plain_local_spec, run

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]

NAME = "scoped"
IDENTIFIER = "gateway-resource-server"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, tf_cli_config, emulator) -> Checkout:
    root = make_project(
        tmp_path_factory.mktemp("scopes") / "project", {NAME: plain_local_spec(NAME)}
    )
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    return Checkout(root, env, NAME)


@pytest.fixture(scope="module")
def applied(checkout, cognito) -> Step:
    """The spec as it is (read, write), applied."""
    return _apply(checkout, cognito)


@dataclass(frozen=True)
class Step:
    """One edit applied: the run, then what Cognito declares and grants."""

    result: Result
    declared: list[str]
    granted: list[str]
    authorizer: dict


def _apply(checkout: Checkout, cognito) -> Step:
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    return Step(
        result,
        _declared(cognito),
        _granted(cognito, checkout),
        json.loads(checkout.authorizer.read_text()),
    )


def _pool_id(cognito) -> str:
    (pool,) = [
        p
        for p in cognito.list_user_pools(MaxResults=60)["UserPools"]
        if p["Name"] == f"gateway-user-pool-{NAME}"
    ]
    return pool["Id"]


def _declared(cognito) -> list[str]:
    server = cognito.describe_resource_server(UserPoolId=_pool_id(cognito), Identifier=IDENTIFIER)
    return sorted(s["ScopeName"] for s in server["ResourceServer"].get("Scopes", []))


def _granted(cognito, checkout) -> list[str]:
    doc = json.loads(checkout.authorizer.read_text())
    (client_id,) = doc["customJWTAuthorizer"]["allowedClients"]
    client = cognito.describe_user_pool_client(UserPoolId=_pool_id(cognito), ClientId=client_id)
    return sorted(client["UserPoolClient"]["AllowedOAuthScopes"])


def test_the_emulator_refuses_a_client_scope_nobody_declares(applied, cognito):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        cognito.create_user_pool_client(
            UserPoolId=_pool_id(cognito),
            ClientName="probe",
            AllowedOAuthScopes=[f"{IDENTIFIER}/undeclared"],
            AllowedOAuthFlows=["client_credentials"],
        )
    assert caught.value.response["Error"]["Code"] == "ScopeDoesNotExistException"


@pytest.fixture(scope="module")
def added(checkout, applied, cognito) -> Step:
    """A scope added and granted to the existing client, in one edit."""
    checkout.edit(
        "      - {name: write, description: Write access}\n",
        "      - {name: write, description: Write access}\n"
        "      - {name: admin, description: Administer the gateway}\n",
    )
    checkout.edit("scopes: [read, write]", "scopes: [read, write, admin]")
    return _apply(checkout, cognito)


@pytest.fixture(scope="module")
def renamed(checkout, added, cognito) -> Step:
    """The granted scope renamed, in one edit."""
    checkout.edit(
        "{name: admin, description: Administer the gateway}",
        "{name: operate, description: Operate the gateway}",
    )
    checkout.edit("scopes: [read, write, admin]", "scopes: [read, write, operate]")
    return _apply(checkout, cognito)


@pytest.fixture(scope="module")
def removed(checkout, renamed, cognito) -> Step:
    """The scope and its grant removed, in one edit."""
    checkout.edit("      - {name: operate, description: Operate the gateway}\n", "")
    checkout.edit("scopes: [read, write, operate]", "scopes: [read, write]")
    return _apply(checkout, cognito)


def test_adding_a_scope_and_granting_it_applies_in_one_change(applied, added):
    assert "Apply complete! Resources: 0 added, 2 changed, 0 destroyed." in added.result.stderr
    assert added.declared == ["admin", "read", "write"]
    assert added.granted == [f"{IDENTIFIER}/{s}" for s in ("admin", "read", "write")]
    # the same client, updated in place
    assert added.authorizer == applied.authorizer


def test_renaming_a_granted_scope_applies_in_one_change(renamed):
    assert renamed.declared == ["operate", "read", "write"]
    assert renamed.granted == [f"{IDENTIFIER}/{s}" for s in ("operate", "read", "write")]


def test_removing_a_scope_and_its_grant_applies_in_one_change(removed):
    assert removed.declared == ["read", "write"]
    assert removed.granted == [f"{IDENTIFIER}/read", f"{IDENTIFIER}/write"]


def test_a_client_holding_an_undeclared_scope_is_refused_at_validate(tmp_path):
    spec = plain_local_spec(NAME).replace("scopes: [read, write]", "scopes: [read, wrte]", 1)
    project = make_project(tmp_path / "project", {NAME: spec})
    result = run(project, "validate", NAME, env=cli_env())
    assert result.code == 1, result
    assert result.stderr.strip() == (
        f"environments/{NAME}.yaml:21:22: cognito.clients[0].scopes[1]: unknown scope 'wrte' "
        "(defined: read, write); did you mean 'write'?"
    )
