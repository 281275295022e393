"""modules/cognito, for real: terraform init/validate/plan/apply of its example
with hashicorp/aws from the machine's mirror, against the authgen emulator
(moto plus Cognito's token endpoint) on 127.0.0.1; then what it holds, the
discovery document it serves, and a token carrying the claims the example's
pre token generation trigger adds.

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

from generator.emulator import MotoServer
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
#: The claims the example gives its first client.
CLAIMS = {"department": "engineering", "groups": ["admins", "ops"]}
TRIGGER = {
    "role": "module.cognito.aws_iam_role.this[0]",
    "policy": "module.cognito.aws_iam_role_policy.this[0]",
    "logs": "module.cognito.aws_cloudwatch_log_group.this[0]",
    "function": "module.cognito.aws_lambda_function.this[0]",
    "permission": "module.cognito.aws_lambda_permission.this[0]",
}
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
def example(terraform_bin, tf_cli_config, emulator, tmp_path_factory) -> ExampleRun:
    module = _copy_module(tmp_path_factory.mktemp("cognito-example"))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tf_cli_config)}
    tf = Terraform(terraform_bin, module / "examples" / "basic", env=env)
    return ExampleRun(tf, emulator)


# --- validate and plan -------------------------------------------------------------


def test_example_validates_without_warnings(example):
    result = example.validate
    assert result["valid"] is True
    assert result["error_count"] == 0
    assert [d["summary"] for d in result["diagnostics"]] == []


def test_plan_creates_exactly_the_module_resources(example):
    changes = {c["address"]: c["change"]["actions"] for c in example.plan["resource_changes"]}
    expected = {POOL, RESOURCE_SERVER, DOMAIN} | {CLIENT.format(n) for n in CLIENTS}
    expected |= set(TRIGGER.values())
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


def test_emulator_holds_the_pool_and_domain(example, cognito):
    outputs = example.outputs
    pool_id = outputs["issuer"].rsplit("/", 1)[1]
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert [(p["Id"], p["Name"]) for p in pools] == [(pool_id, f"{NAME}-pool")]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UserPoolTags"] == {"project": "authgen", "example": "basic"}
    assert pool["UserPoolTier"] == "ESSENTIALS"  # kept by the emulator (stock moto drops it)
    domain = cognito.describe_user_pool_domain(Domain=NAME)["DomainDescription"]
    assert domain["UserPoolId"] == pool_id


def test_emulator_holds_the_resource_server(example, cognito):
    pool_id = example.outputs["issuer"].rsplit("/", 1)[1]
    server = cognito.describe_resource_server(UserPoolId=pool_id, Identifier=IDENTIFIER)
    scopes = server["ResourceServer"]["Scopes"]
    assert sorted(s["ScopeName"] for s in scopes) == ["read", "write"]


def test_emulator_holds_the_clients(example, cognito):
    outputs = example.outputs
    pool_id = outputs["issuer"].rsplit("/", 1)[1]
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    assert sorted(c["ClientName"] for c in listed) == sorted(CLIENTS)
    for name, (scopes, minutes) in CLIENTS.items():
        client = cognito.describe_user_pool_client(
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


def test_second_plan_is_empty(example):
    """After apply nothing differs: the emulator keeps the pool's feature plan
    (stock moto 5.2 drops it), and the trigger, its role, permission and the
    pool's lambda_config read back as applied."""
    assert example.changes_after_apply == {}


# --- claims: the pre token generation trigger --------------------------------------------


def test_planned_trigger_and_lambda_config(example):
    planned = planned_resources(example.plan)
    function = planned[TRIGGER["function"]]
    assert function["function_name"] == f"{NAME}-claims"
    assert function["handler"] == "handler.handler"
    assert function["runtime"].startswith("python3.")
    assert function["timeout"] == 5
    config = json.loads(function["environment"][0]["variables"]["CLAIMS_BY_CLIENT"])
    assert config == {
        f"{NAME}-client": {
            "claims": {"department": "engineering"},
            "list_claims": {"groups": ["admins", "ops"]},
        }
    }
    assert planned[TRIGGER["role"]]["name"] == f"{NAME}-claims"
    assert json.loads(planned[TRIGGER["role"]]["assume_role_policy"])["Statement"][0][
        "Principal"
    ] == {"Service": "lambda.amazonaws.com"}
    assert planned[TRIGGER["logs"]]["name"] == f"/aws/lambda/{NAME}-claims"
    permission = planned[TRIGGER["permission"]]
    assert permission["principal"] == "cognito-idp.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    # The ARN of the function is known only after apply; the block is planned.
    (lambda_config,) = planned[POOL]["lambda_config"]
    (token_config,) = lambda_config["pre_token_generation_config"]
    assert token_config["lambda_version"] == "V3_0"


def test_the_pool_runs_the_trigger_with_v3(example, cognito, emulator):
    import boto3

    pool_id = example.outputs["issuer"].rsplit("/", 1)[1]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    config = pool["LambdaConfig"]["PreTokenGenerationConfig"]
    assert config["LambdaVersion"] == "V3_0"
    lam = boto3.client("lambda", region_name=REGION, endpoint_url=emulator.url)
    function = lam.get_function(FunctionName=f"{NAME}-claims")["Configuration"]
    assert config["LambdaArn"] == function["FunctionArn"]
    # Cognito may invoke it for this pool only ...
    (statement,) = json.loads(lam.get_policy(FunctionName=f"{NAME}-claims")["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == pool["Arn"]
    # ... and the function may read this pool's client names and write its logs.
    iam = boto3.client("iam", region_name=REGION, endpoint_url=emulator.url)
    policy = iam.get_role_policy(RoleName=f"{NAME}-claims", PolicyName="pre-token-generation")
    statements = policy["PolicyDocument"]["Statement"]
    assert {
        "Effect": "Allow",
        "Action": "cognito-idp:DescribeUserPoolClient",
        "Resource": pool["Arn"],
    } in statements
    assert function["Role"].endswith(f":role/{NAME}-claims")


def test_a_token_from_the_module_carries_the_clients_claims(example):
    """The module's outputs are enough to get a token (token_endpoint, client
    id and secret) and check it (jwks_uri, issuer), as the gateway would."""
    import jwt

    outputs = example.outputs
    for name in CLIENTS:
        response = requests.post(
            outputs["token_endpoint"],
            data={"grant_type": "client_credentials"},
            auth=(outputs["client_ids"][name], example.client_secrets[name]),
            timeout=30,
        )
        assert response.status_code == 200, response.json().get("error")
        token = response.json()["access_token"]
        key = jwt.PyJWKClient(outputs["jwks_uri"]).get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=outputs["issuer"])
        assert claims["client_id"] == outputs["client_ids"][name]
        expected = CLAIMS if name == f"{NAME}-client" else {}
        assert {k: claims[k] for k in ("department", "groups") if k in claims} == expected


# --- the cross-variable rule ----------------------------------------------------------


def _plan_module_call(call: dict, terraform_bin, tf_cli_config, emulator, tmp_path):
    """``terraform plan -json`` of a root module that calls a copy of
    modules/cognito with ``call``, its aws provider pointed at the emulator.
    Returns the finished process (check=False: the caller reads the exit code)."""
    _copy_module(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    provider = {
        "region": REGION,
        "access_key": "testing",
        "secret_key": "testing",
        "skip_credentials_validation": True,
        "skip_requesting_account_id": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
        "max_retries": 1,
        "endpoints": {
            service: emulator.url for service in ("cognitoidp", "iam", "lambda", "logs", "sts")
        },
    }
    document = {
        "provider": {"aws": provider},
        "module": {"cognito": {"source": "../cognito", **call}},
    }
    (root / "main.tf.json").write_text(json.dumps(document, indent=2))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tf_cli_config)}
    tf = Terraform(terraform_bin, root, env=env)
    tf.init()
    return tf("plan", "-input=false", "-no-color", "-json", check=False)


def test_client_scope_missing_from_the_resource_server_fails_the_plan(
    terraform_bin, tf_cli_config, emulator, tmp_path
):
    """The one cross-variable rule is a precondition (Terraform >= 1.5 cannot
    compare two variables in a validation block): the plan stops on it."""
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
    proc = _plan_module_call(call, terraform_bin, tf_cli_config, emulator, tmp_path)
    assert proc.returncode == 1
    assert error_details(proc.stdout) == [
        'Client "c" asks for scopes ["admin"] that resource_server.scopes does not declare; '
        "declare them there or remove them from the client."
    ]


def test_claims_on_the_lite_tier_fail_the_plan(terraform_bin, tf_cli_config, emulator, tmp_path):
    """LITE pools run no V3_0 trigger: a precondition stops the plan before
    Cognito would (authgen validate says the same earlier)."""
    call = {
        "user_pool_name": "lite-pool",
        "domain_prefix": "lite",
        "feature_tier": "LITE",
        "resource_server": {
            "identifier": IDENTIFIER,
            "name": "GatewayResourceServer",
            "scopes": [{"name": "read", "description": "Read access"}],
        },
        "clients": [{"name": "c", "scopes": ["read"], "claims": {"department": "x"}}],
    }
    proc = _plan_module_call(call, terraform_bin, tf_cli_config, emulator, tmp_path)
    assert proc.returncode == 1
    assert error_details(proc.stdout) == [
        'Clients ["c"] have claims, which need a V3_0 pre token generation trigger: set '
        "feature_tier to ESSENTIALS or PLUS (LITE cannot add claims to client_credentials "
        "tokens), or remove the claims."
    ]


def test_apply_outputs_the_gateway_authorizer_block(example):
    """``gateway_authorizer`` is the custom_jwt_authorizer block: the discovery URL
    and every client id (Cognito tokens carry client_id, no aud)."""
    outputs = example.outputs
    assert outputs["gateway_authorizer"] == {
        "discovery_url": outputs["discovery_url"],
        "allowed_audience": None,
        "allowed_clients": sorted(outputs["client_ids"].values()),
        "allowed_scopes": None,
        "custom_claim": [],
    }
