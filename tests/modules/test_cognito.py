"""modules/cognito, for real: terraform init/validate/plan/apply of its example
with hashicorp/aws from the machine's mirror, against a moto server on
127.0.0.1; then what moto holds, and the discovery document it serves.

The example is initialised, planned and applied once per module run
(``example`` fixture, each step on first use) so the whole file stays at a few
terraform invocations.
"""

from __future__ import annotations

import hmac
import json
import os
import shutil
from functools import cached_property
from pathlib import Path

import pytest
import requests

from generator.emulator import MotoServer, start_moto
from tests.modules.tfhelpers import (
    CONTRACT_OUTPUTS,
    MODULES,
    Terraform,
    changed_attributes,
    error_details,
    planned_resources,
)

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]

REGION = "us-west-2"
NAME = "authgen-modtest"  # the example's name stem
POOL = "module.cognito.aws_cognito_user_pool.this"
RESOURCE_SERVER = "module.cognito.aws_cognito_resource_server.this"
DOMAIN = "module.cognito.aws_cognito_user_pool_domain.this"
CLIENT = 'module.cognito.aws_cognito_user_pool_client.this["{}"]'
IDENTIFIER = "gateway-resource-server"
#: The example's clients: name -> (short scopes, access-token minutes).
CLIENTS = {f"{NAME}-client": (["read", "write"], 60), f"{NAME}-reader": (["read"], 15)}
UNITS = [{"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}]


def _copy_module(dest: Path) -> Path:
    """Copy modules/cognito (the example refers to it as ../..) away from the repo."""
    target = dest / "cognito"
    shutil.copytree(
        MODULES / "cognito",
        target,
        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfplan", "tfplan"),
    )
    return target


class ExampleRun:
    """examples/basic in a temporary copy, against one moto server."""

    def __init__(self, tf: Terraform, emulator: MotoServer) -> None:
        self.tf = tf
        self.emulator = emulator
        self.vars = ["-var", f"endpoint_url={emulator.url}", "-var", f"name={NAME}"]
        tf.init()

    @cached_property
    def validate(self) -> dict:
        return json.loads(self.tf("validate", "-json", "-no-color").stdout)

    @cached_property
    def plan(self) -> dict:
        return self.tf.plan_json("default.tfplan", *self.vars)

    @cached_property
    def protected_plan(self) -> dict:
        # Planned before the apply (the fixture's tests come first in the
        # file); either way the planned values are the whole configuration.
        return self.tf.plan_json("protected.tfplan", *self.vars, "-var", "deletion_protection=true")

    @cached_property
    def _applied(self) -> tuple[dict, dict]:
        """Apply the saved default plan; (outputs without secrets, secrets)."""
        assert self.plan  # the saved plan exists
        self.tf("apply", "-input=false", "-no-color", "default.tfplan")
        outputs = self.tf.outputs()
        secrets = outputs.pop("client_secrets")
        return outputs, secrets

    @property
    def outputs(self) -> dict:
        """The applied outputs except client_secrets (safe to show in a failure)."""
        return self._applied[0]

    @property
    def client_secrets(self) -> dict:
        """Never put this, or anything holding it, in an assertion."""
        return self._applied[1]

    @cached_property
    def changes_after_apply(self) -> dict[str, tuple[list[str], list[str]]]:
        """{address: (actions, changed attribute names)} of a plan made after the
        apply, for every resource it would change. The plan document holds the
        secrets (prior state), so only this summary leaves here."""
        assert self.outputs  # applied
        plan = self.tf.plan_json("after.tfplan", *self.vars, secret=True)
        return {
            c["address"]: (c["change"]["actions"], changed_attributes(c["change"]))
            for c in plan["resource_changes"]
            if c["change"]["actions"] != ["no-op"]
        }


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> MotoServer:
    """A moto server for this file only (the tests count what it holds)."""
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    server = start_moto(log_path=tmp_path_factory.mktemp("moto-cognito") / "moto.log")
    yield server
    # Teardown does not run `terraform destroy`: moto 5.2 does not implement
    # DeleteResourceServer, so a destroy fails on the resource server. What
    # the apply created lives only in this emulator process, which is stopped
    # here; the terraform state is in the test's temporary directory.
    server.stop()


@pytest.fixture(scope="module")
def example(terraform_bin, tf_cli_config, emulator, tmp_path_factory) -> ExampleRun:
    module = _copy_module(tmp_path_factory.mktemp("cognito-example"))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tf_cli_config)}
    tf = Terraform(terraform_bin, module / "examples" / "basic", env=env)
    return ExampleRun(tf, emulator)


@pytest.fixture(scope="module")
def idp(emulator):
    boto3 = pytest.importorskip("boto3")
    return boto3.client("cognito-idp", region_name=REGION, endpoint_url=emulator.url)


# --- validate and plan -------------------------------------------------------------


def test_example_validates_without_warnings(example):
    result = example.validate
    assert result["valid"] is True
    assert result["error_count"] == 0
    assert [d["summary"] for d in result["diagnostics"]] == []


def test_plan_creates_exactly_the_module_resources(example):
    changes = {c["address"]: c["change"]["actions"] for c in example.plan["resource_changes"]}
    expected = {POOL, RESOURCE_SERVER, DOMAIN} | {CLIENT.format(n) for n in CLIENTS}
    assert changes == {address: ["create"] for address in expected}


def test_planned_user_pool(example):
    pool = planned_resources(example.plan)[POOL]
    assert pool["name"] == f"{NAME}-pool"
    assert pool["user_pool_tier"] == "ESSENTIALS"
    assert pool["deletion_protection"] == "INACTIVE"
    assert pool["admin_create_user_config"][0]["allow_admin_create_user_only"] is True
    assert pool["tags"] == {"project": "authgen", "example": "basic"}


def test_planned_deletion_protection_in_the_protected_variant(example):
    pool = planned_resources(example.protected_plan)[POOL]
    assert pool["deletion_protection"] == "ACTIVE"


def test_planned_resource_server_and_domain(example):
    planned = planned_resources(example.plan)
    server = planned[RESOURCE_SERVER]
    assert server["identifier"] == IDENTIFIER
    assert server["name"] == "GatewayResourceServer"
    assert sorted((s["scope_name"], s["scope_description"]) for s in server["scope"]) == [
        ("read", "Read access"),
        ("write", "Write access"),
    ]
    assert planned[DOMAIN]["domain"] == NAME


@pytest.mark.parametrize("client_name", sorted(CLIENTS))
def test_planned_client(example, client_name):
    client = planned_resources(example.plan)[CLIENT.format(client_name)]
    scopes, minutes = CLIENTS[client_name]
    assert client["name"] == client_name
    assert client["allowed_oauth_flows"] == ["client_credentials"]
    assert client["allowed_oauth_flows_user_pool_client"] is True
    assert client["generate_secret"] is True
    assert sorted(client["allowed_oauth_scopes"]) == [f"{IDENTIFIER}/{s}" for s in scopes]
    assert client["supported_identity_providers"] == ["COGNITO"]
    assert client["explicit_auth_flows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["access_token_validity"] == minutes
    assert client["id_token_validity"] == minutes
    assert client["token_validity_units"] == UNITS
    assert client["enable_token_revocation"] is True
    assert client["prevent_user_existence_errors"] == "ENABLED"


def test_clients_depend_explicitly_on_the_resource_server(example):
    module = example.plan["configuration"]["root_module"]["module_calls"]["cognito"]["module"]
    (client,) = [r for r in module["resources"] if r["type"] == "aws_cognito_user_pool_client"]
    assert client["depends_on"] == ["aws_cognito_resource_server.this"]


def test_planned_outputs_follow_the_contract(example):
    outputs = example.plan["planned_values"]["outputs"]
    assert set(outputs) == CONTRACT_OUTPUTS
    assert {n for n, o in outputs.items() if o["sensitive"]} == {"client_secrets"}
    # Known before apply, so a reviewer sees them in the plan:
    assert outputs["scopes"]["value"] == [f"{IDENTIFIER}/read", f"{IDENTIFIER}/write"]
    assert outputs["token_endpoint"]["value"] == f"{example.emulator.url}/oauth2/token"


# --- apply against moto -----------------------------------------------------------------


def test_apply_outputs(example):
    outputs = example.outputs
    assert set(outputs) | {"client_secrets"} == CONTRACT_OUTPUTS
    pool_id = outputs["issuer"].rsplit("/", 1)[1]
    assert pool_id.startswith(f"{REGION}_")
    assert outputs["issuer"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    base = f"{example.emulator.url}/{pool_id}/.well-known"
    assert outputs["discovery_url"] == f"{base}/openid-configuration"
    assert outputs["jwks_uri"] == f"{base}/jwks.json"
    assert set(outputs["client_ids"]) == set(CLIENTS)
    assert outputs["audiences"] == [outputs["client_ids"][n] for n in CLIENTS]
    assert outputs["scopes"] == [f"{IDENTIFIER}/read", f"{IDENTIFIER}/write"]


def test_apply_outputs_a_secret_per_client(example):
    secret_lengths = {name: len(secret or "") for name, secret in example.client_secrets.items()}
    assert set(secret_lengths) == set(CLIENTS)
    assert all(length > 0 for length in secret_lengths.values()), "a client secret is empty"


def test_emulator_holds_the_pool_and_domain(example, idp):
    outputs = example.outputs
    pool_id = outputs["issuer"].rsplit("/", 1)[1]
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    assert [(p["Id"], p["Name"]) for p in pools] == [(pool_id, f"{NAME}-pool")]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UserPoolTags"] == {"project": "authgen", "example": "basic"}
    # moto 5.2 drops UserPoolTier (see test_second_plan_changes_only_what_moto_drops).
    domain = idp.describe_user_pool_domain(Domain=NAME)["DomainDescription"]
    assert domain["UserPoolId"] == pool_id


def test_emulator_holds_the_resource_server(example, idp):
    pool_id = example.outputs["issuer"].rsplit("/", 1)[1]
    server = idp.describe_resource_server(UserPoolId=pool_id, Identifier=IDENTIFIER)
    scopes = server["ResourceServer"]["Scopes"]
    assert sorted(s["ScopeName"] for s in scopes) == ["read", "write"]


def test_emulator_holds_the_clients(example, idp):
    outputs = example.outputs
    pool_id = outputs["issuer"].rsplit("/", 1)[1]
    listed = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    assert sorted(c["ClientName"] for c in listed) == sorted(CLIENTS)
    for name, (scopes, minutes) in CLIENTS.items():
        client = idp.describe_user_pool_client(
            UserPoolId=pool_id, ClientId=outputs["client_ids"][name]
        )["UserPoolClient"]
        # Taken out first, so that no failing assertion below can show it.
        emulator_secret = client.pop("ClientSecret", "")
        assert client["ClientName"] == name
        assert client["AllowedOAuthFlows"] == ["client_credentials"]
        assert client["AllowedOAuthFlowsUserPoolClient"] is True
        assert sorted(client["AllowedOAuthScopes"]) == [f"{IDENTIFIER}/{s}" for s in scopes]
        assert client["SupportedIdentityProviders"] == ["COGNITO"]
        assert client["AccessTokenValidity"] == minutes
        assert client["TokenValidityUnits"] == {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "days",
        }
        assert client["EnableTokenRevocation"] is True
        assert client["PreventUserExistenceErrors"] == "ENABLED"
        # The output's secret is the emulator's, compared without showing either.
        same = hmac.compare_digest(emulator_secret, example.client_secrets[name] or "")
        assert same, f"client_secrets[{name!r}] differs from the emulator's secret"


def test_discovery_url_is_served_with_the_issuer(example):
    outputs = example.outputs
    response = requests.get(outputs["discovery_url"], timeout=10)
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == outputs["issuer"]
    assert document["jwks_uri"] == outputs["jwks_uri"]
    keys = requests.get(outputs["jwks_uri"], timeout=10).json()["keys"]
    assert keys and all(k["kty"] == "RSA" for k in keys)


def test_second_plan_changes_only_what_moto_drops(example):
    """After apply a plan is empty, but for user_pool_tier, which moto 5.2 does
    not store (AWS does): that attribute alone shows as a change."""
    assert example.changes_after_apply == {POOL: (["update"], ["user_pool_tier"])}


# --- the cross-variable rule ----------------------------------------------------------


def test_client_scope_missing_from_the_resource_server_fails_the_plan(
    terraform_bin, tf_cli_config, emulator, tmp_path
):
    """The one cross-variable rule is a precondition (Terraform >= 1.5 cannot
    compare two variables in a validation block): the plan stops on it."""
    _copy_module(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    call = {
        "user_pool_name": "precondition-pool",
        "domain_prefix": "precondition",
        "resource_server": {
            "identifier": IDENTIFIER,
            "name": "GatewayResourceServer",
            "scopes": [{"name": "read", "description": "Read access"}],
        },
        "clients": [{"name": "c", "scopes": ["read", "admin"]}],
    }
    provider = {
        "region": REGION,
        "access_key": "testing",
        "secret_key": "testing",
        "skip_credentials_validation": True,
        "skip_requesting_account_id": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
        "max_retries": 1,
        "endpoints": {"cognitoidp": emulator.url, "sts": emulator.url},
    }
    document = {
        "provider": {"aws": provider},
        "module": {"cognito": {"source": "../cognito", **call}},
    }
    (root / "main.tf.json").write_text(json.dumps(document, indent=2))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tf_cli_config)}
    tf = Terraform(terraform_bin, root, env=env)
    tf.init()
    proc = tf("plan", "-input=false", "-no-color", "-json", check=False)
    assert proc.returncode == 1
    assert error_details(proc.stdout) == [
        'Client "c" asks for scopes ["admin"] that resource_server.scopes does not declare; '
        "declare them there or remove them from the client."
    ]
