"""The provider registry (``generator/providers``): every entry answers the
questions the pipeline asks, the answers match what the rest of the suite
checks end to end (golden renders, authorizer files, token requests), and
no provider branch is left outside the entries."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from generator import providers, spec
from generator.errors import AuthgenError, AuthorizerError
from generator.providers import auth0, cognito, oidc

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dev() -> spec.Spec:
    return spec.load(REPO / "environments" / "dev.yaml")


@pytest.fixture(scope="module")
def staging() -> spec.Spec:
    return spec.load(REPO / "environments" / "staging.yaml")


def test_the_registry_knows_cognito_auth0_and_oidc_in_order():
    assert providers.names() == ("cognito", "auth0", "oidc")
    assert providers.get("cognito") is cognito.PROVIDER
    assert providers.get("auth0") is auth0.PROVIDER
    assert providers.get("oidc") is oidc.PROVIDER
    assert providers.choices() == "cognito, auth0 or oidc"


@pytest.mark.parametrize("name", ["okta", "", None, 3])
def test_an_unknown_provider_is_not_found(name):
    assert providers.find(name) is None


def test_get_of_an_unknown_provider_is_one_user_error():
    with pytest.raises(
        AuthgenError, match=r"^provider 'okta' is not supported; use cognito, auth0 or oidc$"
    ):
        providers.get("okta")


@pytest.mark.parametrize("entry", providers.REGISTRY, ids=lambda e: e.name)
def test_every_entry_has_its_section_module_and_templates(entry):
    assert entry.section in spec.Spec.model_fields
    if entry.module is not None:
        assert (REPO / "templates" / entry.templates).is_dir()
        assert (REPO / entry.module / "main.tf").is_file()
    else:  # no Terraform: nothing to render, the spec gives the outputs
        assert entry.templates is None
    (section_model,) = [
        t
        for t in typing.get_args(spec.Spec.model_fields[entry.section].annotation)
        if t is not type(None)
    ]
    if entry.api_key is not None:
        assert entry.api_key in section_model.model_fields
    for key in entry.derived_defaults("gw", "dev"):
        assert key in section_model.model_fields


def test_scope_strings(dev, staging):
    assert cognito.PROVIDER.scope_string("gw", "read") == "gw/read"
    assert auth0.PROVIDER.scope_string("gateway123", "invoke:gateway") == "invoke:gateway"
    assert providers.full_scopes(providers.get("cognito"), dev) == dev.full_scopes


def test_derived_defaults():
    assert cognito.PROVIDER.derived_defaults("My_Gateway", "Dev") == {
        "user_pool_name": "My_Gateway-Dev",
        "domain_prefix": "my-gateway-dev",
    }
    assert auth0.PROVIDER.derived_defaults("gw", "dev") == {}


def test_tfvars_carry_the_section(dev, staging):
    cognito_vars = providers.get("cognito").tfvars(dev)
    assert cognito_vars["region"] == "us-west-2"
    assert cognito_vars["default_tags"]["ManagedBy"] == "authgen"
    assert [c["name"] for c in cognito_vars["clients"]] == ["gateway-client"]
    auth0_vars = providers.get("auth0").tfvars(staging)
    assert set(auth0_vars) == {"domain", "api", "clients"}
    assert auth0_vars["api"]["identifier"] == "gateway123"


def test_the_claims_triggers_name_is_the_modules(dev):
    """cognito_trigger_objects.trigger_name follows modules/cognito/trigger.tf
    (the end-to-end leftovers tests hold it against what terraform names)."""
    from generator.providers.cognito_trigger_objects import trigger_name

    trigger_tf = (REPO / "modules" / "cognito" / "trigger.tf").read_text()
    assert 'coalesce(var.trigger_name, "${substr(var.domain_prefix, 0, 56)}-claims")' in trigger_tf
    local = spec.load(REPO / "environments" / "local.yaml")
    inputs = providers.get("cognito").tfvars(local)
    assert "trigger_name" not in inputs  # authgen leaves the module's default
    assert trigger_name(inputs) == f"{local.cognito.domain_prefix}-claims"
    assert trigger_name(providers.get("cognito").tfvars(dev)) is None  # no claims, no trigger
    long = {"domain_prefix": "a" * 63, "clients": [{"list_claims": {"groups": ["x"]}}]}
    assert trigger_name(long) == "a" * 56 + "-claims"
    assert trigger_name({**long, "trigger_name": "chosen"}) == "chosen"
    assert trigger_name({**long, "clients": [{"claims": {}, "list_claims": {}}]}) is None


def test_authorizer_members_pick_clients_or_audience():
    members = cognito.PROVIDER.authorizer_members({"client_ids": {"b": "id-2", "a": "id-1"}})
    assert members == {"allowedClients": ["id-1", "id-2"]}
    assert auth0.PROVIDER.authorizer_members({"audiences": "gateway123"}) == {
        "allowedAudience": ["gateway123"]
    }
    with pytest.raises(AuthorizerError, match="client_ids is missing or empty"):
        cognito.PROVIDER.authorizer_members({"audiences": ["x"]})
    with pytest.raises(AuthorizerError, match="audiences is missing or empty"):
        auth0.PROVIDER.authorizer_members({"client_ids": {"a": "id"}})


def test_token_requests(dev, staging):
    request = providers.get("cognito").token_request(
        dev,
        "gateway-client",
        token_endpoint="https://x.example/oauth2/token",
        client_id="cid",
        client_secret="s3cret",
    )
    assert request.provider == "cognito"
    assert request.scopes == ("gateway-resource-server/read", "gateway-resource-server/write")
    assert request.audience is None
    assert "s3cret" not in repr(request)
    request = providers.get("auth0").token_request(
        staging,
        "gateway-m2m",
        token_endpoint="https://dev-example.us.auth0.com/oauth/token",
        client_id="cid",
        client_secret="s3cret",
    )
    assert request.provider == "auth0"
    assert request.scopes == ("invoke:gateway",)
    assert request.audience == "gateway123"


def test_client_names_and_descriptions(dev, staging):
    assert providers.get("cognito").client_names(dev) == ["gateway-client"]
    assert providers.get("auth0").client_names(staging) == ["gateway-m2m"]
    assert providers.get("cognito").describe(dev) == "us-west-2"
    assert providers.get("auth0").describe(staging) == "dev-example.us.auth0.com"


def test_what_was_made(dev, staging):
    lines = providers.get("cognito").made(dev, {"allowedClients": ["abc"]})
    assert lines[-1] == "app client ids (client_credentials, with a secret): abc"
    assert "resource server 'gateway-resource-server', scopes: read, write" in lines
    lines = providers.get("auth0").made(staging, {"allowedAudience": ["gateway123"]})
    assert lines[0] == "API 'gateway-api', permissions: invoke:gateway, read:gateway"
    assert lines[-1] == "audience: gateway123"


#: A branch on a provider name or a section attribute outside the entries.
BRANCH = re.compile(
    r"""(==|!=)\s*["'](cognito|auth0)["']|\bin\s*\(["'](cognito|auth0)["']|\bspec\.(cognito|auth0)\b"""
)
#: Token request mechanics and verify's diagnoses: being split by issue 13's
#: verify work (generator/tokens.py, generator/verify/); not entries yet.
NOT_YET = {"token.py", "tokens.py", "verify.py", "verify"}


def test_no_provider_branches_outside_the_entries():
    package = REPO / "generator"
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in {"providers", *NOT_YET}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if BRANCH.search(line):
                found.append(f"generator/{relative}:{number}: {line.strip()}")
    assert found == [], "ask providers.get(spec.provider) instead:\n" + "\n".join(found)
