"""Claims end to end, on the authgen emulator: ``authgen apply`` of
environments/local.yaml (a client with claims; an authorizer demanding a
scope and two claims) with the real terraform and hashicorp/aws, then
``authgen token`` and ``authgen verify`` as real processes.

The token comes from the emulator's token endpoint, with the claims the
pool's pre token generation trigger adds (its code, from the function the
apply created, run for real). verify passes every row; against an
authorizer file demanding a value the token lacks it fails, exit 1, with
the fix.
"""

from __future__ import annotations

import json

import jwt
import pytest
import requests

from tests.support.cli import Checkout, cli_env, make_project

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, tf_cli_config, emulator) -> Checkout:
    root = make_project(tmp_path_factory.mktemp("claims") / "project", ["local"])
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    return Checkout(root, env, "local")


@pytest.fixture(scope="module")
def applied(checkout):
    """environments/local.yaml, planned and applied on this module's emulator."""
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    return result


def test_token_carries_the_clients_claims_and_verifies_against_the_jwks(checkout, applied):
    result = checkout("token", "local", "--wait", "5")
    assert result.code == 0, result
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # the token and nothing else
    doc = json.loads((checkout.root / "authorizers" / "local.json").read_text())
    inner = doc["customJWTAuthorizer"]
    discovery = requests.get(inner["discoveryUrl"], timeout=10).json()
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=["RS256"], issuer=discovery["issuer"])
    assert claims["client_id"] in inner["allowedClients"]
    assert claims["token_use"] == "access"
    assert claims["scope"].split() == [
        "gateway-resource-server/read",
        "gateway-resource-server/write",
    ]
    assert claims["department"] == "engineering"
    assert claims["groups"] == ["admins", "ops"]


def test_verify_passes_every_row(checkout, applied):
    result = checkout("verify", "local", "--wait", "5", "--json")
    assert result.code == 0, result
    doc = result.json()
    assert doc["ok"] is True
    status = {c["name"]: c["status"] for c in doc["checks"]}
    assert set(status.values()) == {"pass"}, status
    for name in (
        "token",
        "signature",
        "token issuer",
        "allowedClients",
        "allowedScopes",
        "customClaims[0] department",
        "customClaims[1] groups",
    ):
        assert status[name] == "pass", name


@pytest.mark.parametrize(
    ("claim", "expected_detail", "expected_fix"),
    [
        (
            {
                "inboundTokenClaimName": "department",
                "inboundTokenClaimValueType": "STRING",
                "authorizingClaimMatchValue": {
                    "claimMatchOperator": "EQUALS",
                    "claimMatchValue": {"matchValueString": "sales"},
                },
            },
            "department is 'engineering', not 'sales' (EQUALS)",
            "issue tokens with the expected value or correct the rule",
        ),
        (
            {
                "inboundTokenClaimName": "costcenter",
                "inboundTokenClaimValueType": "STRING",
                "authorizingClaimMatchValue": {
                    "claimMatchOperator": "EQUALS",
                    "claimMatchValue": {"matchValueString": "cc1"},
                },
            },
            "the token has no costcenter claim",
            "pre token generation trigger",
        ),
    ],
)
def test_verify_fails_against_a_value_the_token_lacks(
    checkout, applied, tmp_path, claim, expected_detail, expected_fix
):
    doc = json.loads((checkout.root / "authorizers" / "local.json").read_text())
    doc["customJWTAuthorizer"]["customClaims"] = [claim]
    demanding = tmp_path / "demanding.json"
    demanding.write_text(json.dumps(doc, indent=2) + "\n")
    result = checkout("verify", "local", "--wait", "5", "--authorizer", str(demanding), "--json")
    assert result.code == 1, result
    checks = {c["name"]: c for c in result.json()["checks"]}
    row = checks[f"customClaims[0] {claim['inboundTokenClaimName']}"]
    assert row["status"] == "fail"
    assert row["detail"] == expected_detail
    assert expected_fix in row["fix"]
    assert checks["signature"]["status"] == "pass"
    human = checkout("verify", "local", "--wait", "5", "--authorizer", str(demanding))
    assert human.code == 1
    assert "FAIL" in human.stdout and "fix:" in human.stdout


def test_verify_fails_when_the_scope_is_not_granted(checkout, applied, tmp_path):
    doc = json.loads((checkout.root / "authorizers" / "local.json").read_text())
    doc["customJWTAuthorizer"]["allowedScopes"] = ["gateway-resource-server/admin"]
    demanding = tmp_path / "scopes.json"
    demanding.write_text(json.dumps(doc))
    result = checkout("verify", "local", "--wait", "5", "--authorizer", str(demanding), "--json")
    assert result.code == 1, result
    row = next(c for c in result.json()["checks"] if c["name"] == "allowedScopes")
    assert row["status"] == "fail"
    assert "is in allowedScopes [gateway-resource-server/admin]" in row["detail"]
    assert "grant the client one of" in row["fix"]
