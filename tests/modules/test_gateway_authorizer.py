"""The ``gateway_authorizer`` output of both modules: an object shaped exactly
like the ``custom_jwt_authorizer`` block of the AWS provider's
``aws_bedrockagentcore_gateway`` and ``aws_bedrockagentcore_agent_runtime``
(hashicorp/aws 6.18 or newer, not installable here: the block's argument
names below are taken from the provider's documentation of both resources),
so a gateway stack can write ``custom_jwt_authorizer { discovery_url =
module.auth.gateway_authorizer.discovery_url ... }`` for every argument.

Each argument is the snake_case name of a ``CustomJWTAuthorizerConfiguration``
member of the service model (``custom_claim`` is the provider's repeatable
block for ``customClaims``), so the object says what the authorizer file
says. The Cognito module's value after a real apply is checked in
test_cognito.py.
"""

from __future__ import annotations

import re

import pytest

from generator import service_model
from tests.modules.tfhelpers import MODULES, labelled, load_module, unquote

#: The custom_jwt_authorizer block's arguments (provider docs, r/bedrockagentcore_gateway
#: and r/bedrockagentcore_agent_runtime: "The custom_jwt_authorizer block supports").
BLOCK_ARGUMENTS = {
    "discovery_url",
    "allowed_audience",
    "allowed_clients",
    "allowed_scopes",
    "custom_claim",
}
#: The provider's block name -> the API member it sets.
API_MEMBER = {"custom_claim": "customClaims"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_block_argument_is_an_authorizer_member_of_the_api():
    members = service_model.load().members("CustomJWTAuthorizerConfiguration")
    by_snake = {_snake(m): m for m in members}
    for argument in BLOCK_ARGUMENTS:
        assert API_MEMBER.get(argument, by_snake.get(argument)) in members, argument


@pytest.mark.parametrize(
    ("name", "callers"),
    [
        ("cognito", {"allowed_audience": None, "allowed_clients": "sorted client ids"}),
        ("auth0", {"allowed_audience": "the API identifier", "allowed_clients": None}),
    ],
)
def test_the_output_is_the_block(name, callers):
    outputs = labelled(load_module(MODULES / name)["output"])
    output = outputs["gateway_authorizer"]
    assert "custom_jwt_authorizer" in unquote(output["description"])
    assert "6.18" in unquote(output["description"])
    value = output["value"]
    assert set(value) == BLOCK_ARGUMENTS
    assert value["allowed_scopes"] is None
    assert value["custom_claim"] == []
    discovery = unquote(outputs["discovery_url"]["value"])
    assert unquote(value["discovery_url"]) == discovery
    for argument, expected in callers.items():
        if expected is None:
            assert value[argument] is None, argument
    if name == "cognito":
        assert unquote(value["allowed_clients"]) == (
            "${sort([for client in aws_cognito_user_pool_client.this : client.id])}"
        )
    else:
        assert value["allowed_audience"] == ["${auth0_resource_server.this.identifier}"]


@pytest.mark.parametrize("name", ["cognito", "auth0"])
def test_the_example_passes_it_through(name):
    outputs = labelled(load_module(MODULES / name / "examples" / "basic")["output"])
    assert (
        unquote(outputs["gateway_authorizer"]["value"]) == f"${{module.{name}.gateway_authorizer}}"
    )


def test_the_readme_gateway_stack_uses_the_block_and_the_output():
    """README's stack parses as HCL, sets the block's arguments from the output's
    attributes of the same name, and pins the provider version that has the resource."""
    import hcl2

    from tests.modules.tfhelpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = [
        b for b in re.findall(r"```hcl\n(.*?)```", readme, re.S) if "gateway_authorizer" in b
    ]
    parsed = hcl2.loads(block)
    (versions,) = parsed["terraform"]
    assert ">= 6.18" in versions["required_providers"][0]["aws"]["version"]
    gateway = labelled([labelled(parsed["resource"])["aws_bedrockagentcore_gateway"]])["this"]
    jwt = gateway["authorizer_configuration"][0]["custom_jwt_authorizer"][0]
    used = {k for k in jwt if k != "dynamic" and not k.startswith("__")}
    (dynamic,) = labelled(jwt["dynamic"])
    assert used | {dynamic} == BLOCK_ARGUMENTS
    for argument in used:
        assert unquote(jwt[argument]) == f"${{module.auth.gateway_authorizer.{argument}}}"
    referenced = set(re.findall(r"module\.auth\.gateway_authorizer\.(\w+)", block))
    assert referenced == BLOCK_ARGUMENTS
