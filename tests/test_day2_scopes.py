"""Scopes change with their grants in ONE apply: add a scope and grant it to
the existing client, rename a scope, remove a scope; each edit applied once.

Real CLI, real terraform and hashicorp/aws, against moto through
tests/support/moto_plus.py, which (like Cognito, unlike stock moto) refuses
an app client a scope that no resource server of its pool declares
(ScopeDoesNotExistException): so a run that updated the client before the
resource server would fail here as it does on AWS. The tests run in file
order on one environment.
"""

from __future__ import annotations

import json

import pytest

from tests.support.cli import Checkout, cli_env, make_project, plain_local_spec

# scenario: the tests are steps on one environment, in file order (tests/conftest.py)
pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow, pytest.mark.scenario]

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
def applied(checkout):
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    return result


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


def test_adding_a_scope_and_granting_it_applies_in_one_change(checkout, applied, cognito):
    client_before = json.loads(checkout.authorizer.read_text())
    checkout.edit(
        "      - {name: write, description: Write access}\n",
        "      - {name: write, description: Write access}\n"
        "      - {name: admin, description: Administer the gateway}\n",
    )
    checkout.edit("scopes: [read, write]", "scopes: [read, write, admin]")
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    assert "Apply complete! Resources: 0 added, 2 changed, 0 destroyed." in result.stderr
    assert _declared(cognito) == ["admin", "read", "write"]
    assert _granted(cognito, checkout) == [f"{IDENTIFIER}/{s}" for s in ("admin", "read", "write")]
    # the same client, updated in place
    assert json.loads(checkout.authorizer.read_text()) == client_before


def test_renaming_a_granted_scope_applies_in_one_change(checkout, applied, cognito):
    checkout.edit(
        "{name: admin, description: Administer the gateway}",
        "{name: operate, description: Operate the gateway}",
    )
    checkout.edit("scopes: [read, write, admin]", "scopes: [read, write, operate]")
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    assert _declared(cognito) == ["operate", "read", "write"]
    assert _granted(cognito, checkout) == [
        f"{IDENTIFIER}/{s}" for s in ("operate", "read", "write")
    ]


def test_removing_a_scope_and_its_grant_applies_in_one_change(checkout, applied, cognito):
    checkout.edit("      - {name: operate, description: Operate the gateway}\n", "")
    checkout.edit("scopes: [read, write, operate]", "scopes: [read, write]")
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    assert _declared(cognito) == ["read", "write"]
    assert _granted(cognito, checkout) == [f"{IDENTIFIER}/read", f"{IDENTIFIER}/write"]


def test_a_client_holding_an_undeclared_scope_is_refused_at_validate(checkout, applied):
    checkout.edit("scopes: [read, write]", "scopes: [read, wrte]")
    try:
        result = checkout("validate", NAME)
    finally:
        checkout.edit("scopes: [read, wrte]", "scopes: [read, write]")
    assert result.code == 1, result
    assert result.stderr.strip() == (
        f"environments/{NAME}.yaml:21:22: cognito.clients[0].scopes[1]: unknown scope 'wrte' "
        "(defined: read, write); did you mean 'write'?"
    )
