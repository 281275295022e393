"""Loading good specs: the examples, derived defaults, shared defaults and
``extends``, the endpoint override, and the JSON Schema."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator import spec
from generator.errors import SpecError

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = ["dev", "staging", "prod", "local"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_load(name):
    loaded = spec.load(REPO / "environments" / f"{name}.yaml")
    assert loaded.name == name
    assert loaded.path == REPO / "environments" / f"{name}.yaml"


def test_dev_is_the_reference_setup():
    dev = spec.load(REPO / "environments" / "dev.yaml")
    assert dev.provider == "cognito"
    assert dev.cognito.user_pool_name == "gateway-user-pool"
    assert dev.cognito.resource_server.identifier == "gateway-resource-server"
    assert [s.name for s in dev.cognito.resource_server.scopes] == ["read", "write"]
    assert [c.name for c in dev.cognito.clients] == ["gateway-client"]
    assert dev.full_scopes == ["gateway-resource-server/read", "gateway-resource-server/write"]


def test_staging_is_auth0():
    staging = spec.load(REPO / "environments" / "staging.yaml")
    assert staging.auth0.domain == "dev-example.us.auth0.com"
    assert staging.auth0.api.identifier == "gateway123"
    assert staging.full_scopes == ["invoke:gateway", "read:gateway"]


def test_prod_is_protected_with_s3_state():
    prod = spec.load(REPO / "environments" / "prod.yaml")
    assert prod.protected is True
    assert prod.state.backend == "s3"
    assert prod.state.key == "authgen/my-gateway/prod/terraform.tfstate"
    assert prod.state.region == prod.region


def test_local_targets_an_emulator():
    local = spec.load(REPO / "environments" / "local.yaml")
    assert local.endpoint_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_name_the_schema_for_editors(name):
    first = (REPO / "environments" / f"{name}.yaml").read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema={spec.SCHEMA_URL}"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


MINIMAL = textwrap.dedent(
    """\
    name: {name}
    provider: cognito
    gateway: {gateway}
    region: eu-west-1
    cognito:
      resource_server:
        identifier: api
        name: Api
        scopes: [{{name: read, description: Read}}]
      clients:
        - {{name: c1, scopes: [read]}}
    """
)


def test_derived_defaults(tmp_path):
    loaded = spec.load(write(tmp_path, "qa.yaml", MINIMAL.format(name="qa", gateway="Orders-GW")))
    assert loaded.cognito.user_pool_name == "Orders-GW-qa"
    assert loaded.cognito.domain_prefix == "orders-gw-qa"
    assert loaded.authorizer.output == "authorizers/qa.json"
    assert loaded.cognito.feature_tier == "ESSENTIALS"
    assert loaded.cognito.clients[0].access_token_validity_minutes == 60


def test_derived_values_are_validated_like_written_ones(tmp_path):
    path = write(tmp_path, "qa.yaml", MINIMAL.format(name="qa", gateway="aws-gw"))
    with pytest.raises(SpecError) as err:
        spec.load(path)
    (line,) = err.value.problems
    assert (
        "cognito.domain_prefix: domain prefix 'aws-gw-qa' contains the reserved word 'aws'" in line
    )
    assert (
        "derived from gateway 'aws-gw' and name 'qa'; set cognito.domain_prefix explicitly" in line
    )


def test_shared_defaults_merge_under_each_environment(tmp_path):
    write(
        tmp_path,
        "_defaults.yaml",
        """\
        gateway: shared-gw
        region: eu-west-1
        tags: {Team: platform}
        cognito:
          resource_server:
            identifier: api
            name: Api
            scopes: [{name: read, description: Read}]
          clients:
            - {name: c1, scopes: [read]}
        """,
    )
    path = write(
        tmp_path,
        "qa.yaml",
        """\
        name: qa
        provider: cognito
        tags: {Env: qa}
        cognito:
          user_pool_name: qa-pool
        """,
    )
    loaded = spec.load(path)
    assert loaded.gateway == "shared-gw"
    assert loaded.tags == {"Team": "platform", "Env": "qa"}
    assert loaded.cognito.user_pool_name == "qa-pool"
    assert loaded.cognito.resource_server.identifier == "api"
    assert spec.load_all(tmp_path) == [path]


def test_errors_point_at_the_file_that_wrote_the_value(tmp_path):
    write(tmp_path, "_defaults.yaml", "gateway: shared-gw\nregion: nowhere\n")
    path = write(
        tmp_path,
        "qa.yaml",
        """\
        name: qa
        provider: cognito
        cognito:
          resource_server:
            identifier: api
            name: Api
            scopes: [{name: read, description: Read}]
          clients:
            - {name: c1, scopes: [nope]}
        """,
    )
    with pytest.raises(SpecError) as err:
        spec.load(path)
    text = "\n".join(err.value.problems)
    assert "_defaults.yaml:2:9: region: region 'nowhere' is not an AWS region name" in text
    assert "qa.yaml:9:27: cognito.clients[0].scopes[0]: unknown scope 'nope'" in text


def test_name_cannot_be_a_shared_default(tmp_path):
    write(tmp_path, "_defaults.yaml", "name: shared\n")
    path = write(tmp_path, "qa.yaml", MINIMAL.format(name="qa", gateway="gw"))
    with pytest.raises(SpecError, match="'name' cannot be a shared default"):
        spec.load(path)


def test_extends_chain(tmp_path):
    write(
        tmp_path, "base.yaml", MINIMAL.format(name="base", gateway="gw").replace("name: base\n", "")
    )
    path = write(tmp_path, "qa.yaml", "extends: base.yaml\nname: qa\nregion: us-east-2\n")
    loaded = spec.load(path)
    assert loaded.region == "us-east-2"
    assert loaded.gateway == "gw"
    assert loaded.extends == "base.yaml"


def test_extends_cycle_and_missing(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    with pytest.raises(SpecError, match="extends back to this file"):
        spec.load(tmp_path / "a.yaml")
    write(tmp_path, "c.yaml", "extends: nope.yaml\nname: c\n")
    with pytest.raises(SpecError, match=r"extends: no such spec file 'nope\.yaml'"):
        spec.load(tmp_path / "c.yaml")


def test_endpoint_override(tmp_path):
    dev = spec.load(REPO / "environments" / "dev.yaml")
    assert dev.endpoint_url is None
    moved = dev.with_endpoint("http://127.0.0.1:4566")
    assert moved.endpoint_url == "http://127.0.0.1:4566"
    assert moved.path == dev.path
    with pytest.raises(SpecError, match="AUTHGEN_ENDPOINT_URL: endpoint URL 'ftp://x'"):
        dev.with_endpoint("ftp://x")
    staging = spec.load(REPO / "environments" / "staging.yaml")
    assert staging.with_endpoint("http://127.0.0.1:4566") is staging


def test_custom_claims_convert_to_the_api_shape(tmp_path):
    text = MINIMAL.format(name="qa", gateway="gw").replace(
        "scopes: [read]}", "scopes: [read], claims: {dept: eng, groups: [admins], roles: [b]}}"
    ) + textwrap.dedent(
        """\
        authorizer:
          custom_claims:
            - {claim: dept, value: eng}
            - {claim: groups, type: STRING_ARRAY, operator: CONTAINS, value: admins}
            - {claim: roles, type: STRING_ARRAY, operator: CONTAINS_ANY, values: [a, b]}
        """
    )
    loaded = spec.load(write(tmp_path, "qa.yaml", text))
    api = [claim.to_api() for claim in loaded.authorizer.custom_claims]
    assert api[0] == {
        "inboundTokenClaimName": "dept",
        "inboundTokenClaimValueType": "STRING",
        "authorizingClaimMatchValue": {
            "claimMatchOperator": "EQUALS",
            "claimMatchValue": {"matchValueString": "eng"},
        },
    }
    assert api[1]["authorizingClaimMatchValue"]["claimMatchOperator"] == "CONTAINS"
    assert api[2]["authorizingClaimMatchValue"]["claimMatchValue"] == {
        "matchValueStringList": ["a", "b"]
    }


def test_committed_schema_is_current():
    committed = json.loads((REPO / "schema" / "environment.schema.json").read_text())
    assert committed == spec.json_schema(), "run 'make schema' and commit the result"


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_validate_against_the_schema(name):
    schema = spec.json_schema()
    data = yaml.safe_load((REPO / "environments" / f"{name}.yaml").read_text())
    jsonschema.validate(data, schema)


def test_schema_rejects_what_the_loader_rejects():
    schema = spec.json_schema()
    data = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    data["cognito"]["domain_prefix"] = "Bad_Prefix"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    data["unknown"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
