"""modules/cognito input checks: Terraform evaluates the module's own
validation blocks (a root holding only its variables.tf needs no provider, so
each case takes a few hundredths of a second)."""

from __future__ import annotations

import json

import pytest

from tests.modules.tfhelpers import MODULES, Terraform, VariablesRoot

pytestmark = pytest.mark.terraform

VALID = {
    "user_pool_name": "gateway-user-pool",
    "domain_prefix": "my-gateway-dev",
    "resource_server": {
        "identifier": "gateway-resource-server",
        "name": "GatewayResourceServer",
        "scopes": [
            {"name": "read", "description": "Read access"},
            {"name": "write", "description": "Write access"},
        ],
    },
    "clients": [{"name": "gateway-client", "scopes": ["read", "write"]}],
}


def _with(**changes) -> dict:
    return {**json.loads(json.dumps(VALID)), **changes}


def _scopes(*names: str) -> dict:
    return {
        **VALID["resource_server"],
        "scopes": [{"name": n, "description": "d"} for n in names],
    }


INVALID = {
    "pool name with a slash": (_with(user_pool_name="pool/1"), "user_pool_name must be"),
    "pool name too long": (_with(user_pool_name="p" * 129), "user_pool_name must be"),
    "prefix upper case": (_with(domain_prefix="My-Gateway"), "domain_prefix must be 1-63"),
    "prefix trailing hyphen": (_with(domain_prefix="gateway-"), "domain_prefix must be 1-63"),
    "prefix too long": (_with(domain_prefix="a" * 64), "domain_prefix must be 1-63"),
    "prefix reserved word": (_with(domain_prefix="my-cognito-dev"), "reserved words"),
    "tier lower case": (_with(feature_tier="essentials"), "feature_tier must be"),
    "identifier with space": (
        _with(resource_server={**VALID["resource_server"], "identifier": "a b"}),
        "resource_server.identifier must be",
    ),
    "no scopes": (_with(resource_server=_scopes()), "resource_server.scopes must list"),
    "scope with slash": (_with(resource_server=_scopes("a/b")), "scopes[*].name must be"),
    "duplicate scope": (_with(resource_server=_scopes("read", "read")), "must be unique"),
    "no clients": (_with(clients=[]), "clients must list at least one"),
    "duplicate client": (
        _with(clients=[{"name": "c", "scopes": ["read"]}, {"name": "c", "scopes": ["read"]}]),
        "clients names must be unique",
    ),
    "client without scopes": (
        _with(clients=[{"name": "c", "scopes": []}]),
        "at least one scope",
    ),
    "validity too short": (
        _with(clients=[{"name": "c", "scopes": ["read"], "access_token_validity_minutes": 4}]),
        "access_token_validity_minutes must be",
    ),
    "validity over a day": (
        _with(clients=[{"name": "c", "scopes": ["read"], "access_token_validity_minutes": 1441}]),
        "access_token_validity_minutes must be",
    ),
    "validity fractional": (
        _with(clients=[{"name": "c", "scopes": ["read"], "access_token_validity_minutes": 7.5}]),
        "access_token_validity_minutes must be",
    ),
    "emulator URL without scheme": (
        _with(discovery_base_url="127.0.0.1:5000"),
        "discovery_base_url must be",
    ),
    "claim Cognito sets itself": (
        _with(clients=[{"name": "c", "scopes": ["read"], "claims": {"client_id": "x"}}]),
        "is one Cognito sets itself",
    ),
    "cognito: claim prefix": (
        _with(
            clients=[{"name": "c", "scopes": ["read"], "list_claims": {"cognito:groups": ["a"]}}]
        ),
        "is one Cognito sets itself",
    ),
    "claim name with a hyphen": (
        _with(clients=[{"name": "c", "scopes": ["read"], "claims": {"cost-center": "a"}}]),
        "must be 1-255 letters",
    ),
    "claim in both maps": (
        _with(
            clients=[
                {"name": "c", "scopes": ["read"], "claims": {"t": "a"}, "list_claims": {"t": ["a"]}}
            ]
        ),
        "appears in both",
    ),
    "empty claim list": (
        _with(clients=[{"name": "c", "scopes": ["read"], "list_claims": {"t": []}}]),
        "must hold 1-50",
    ),
    "empty claim value": (
        _with(clients=[{"name": "c", "scopes": ["read"], "claims": {"t": ""}}]),
        "Claim values must be 1-1024",
    ),
    "trigger name with a space": (_with(trigger_name="my trigger"), "trigger_name must be"),
}


@pytest.fixture(scope="module")
def variables_root(terraform_bin, tmp_path_factory) -> VariablesRoot:
    work = tmp_path_factory.mktemp("cognito-variables")
    return VariablesRoot(Terraform(terraform_bin, work), MODULES / "cognito")


def test_valid_inputs_pass_validation(variables_root):
    assert variables_root.errors(VALID) == []
    edge = _with(
        clients=[
            {"name": "a", "scopes": ["read"], "access_token_validity_minutes": 5},
            {"name": "b", "scopes": ["write"], "access_token_validity_minutes": 1440},
        ],
        discovery_base_url="http://127.0.0.1:5000",
        feature_tier="LITE",
        deletion_protection=True,
    )
    assert variables_root.errors(edge) == []
    with_claims = _with(
        clients=[
            {
                "name": "a",
                "scopes": ["read"],
                "claims": {"department": "engineering", "https://example.com/x": "y"},
                "list_claims": {"groups": ["admins", "ops"]},
            }
        ],
        trigger_name="gateway_claims-1",
    )
    assert variables_root.errors(with_claims) == []


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_input_is_refused_with_its_message(variables_root, case):
    inputs, message = INVALID[case]
    errors = variables_root.errors(inputs)
    assert len(errors) == 1, errors
    assert message in errors[0]
