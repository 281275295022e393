"""The spec's ``authorizer:`` section against the Gateway's API model: every
member of the installed botocore model expressible, each kind of rule
reported as one line at the YAML key that broke it, and a spec using every
member turned into an authorizer file that is written, read back and taken
by botocore's own parameter validator."""

from __future__ import annotations

import copy
import json
import re
import textwrap
from pathlib import Path

import botocore.session
import jsonschema
import pytest
import yaml
from botocore.validate import ParamValidator

from generator import authorizer, authorizer_spec, service_model, spec
from generator.cli import main
from generator.errors import AuthorizerError, SpecError
from tests.support.specs import AUTH0_DEV as AUTH0
from tests.support.specs import load_problems

MODEL = service_model.load()
REPO = Path(__file__).resolve().parent.parent

COGNITO = textwrap.dedent(
    """\
    name: dev
    provider: cognito
    gateway: my-gateway
    region: us-west-2
    cognito:
      resource_server:
        identifier: gw
        name: Gateway
        scopes:
          - {name: read, description: Read access}
          - {name: write, description: Write access}
      clients:
        - name: gateway-client
          scopes: [read, write]
          claims: {department: engineering, groups: [admins, ops]}
        - name: reporting
          scopes: [read]
    """
)
HEAD_LINES = len(COGNITO.splitlines())  # the authorizer: line is HEAD_LINES + 1

#: Every member of CustomJWTAuthorizerConfiguration the spec writes.
EVERY_MEMBER = textwrap.dedent(
    """\
    authorizer:
      allowed_clients: [gateway-client]
      allowed_scopes: [gw/read, gw/write]
      advertised_scope_mapping:
        gw/read: read
      custom_claims:
        - {claim: department, value: engineering}
        - {claim: groups, type: STRING_ARRAY, operator: CONTAINS_ANY, values: [admins, ops]}
      private_endpoint:
        managed_vpc_resource:
          vpc_identifier: vpc-0123456789abcdef0
          subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
          endpoint_ip_address_type: IPV4
          security_group_ids: [sg-0123456789abcdef0]
          tags: {Team: platform}
          routing_domain: idp.internal.example.com
      private_endpoint_overrides:
        - domain: login.internal.example.com
          private_endpoint:
            self_managed_lattice_resource:
              resource_configuration_identifier: rcfg-0123456789abcdef0
      certificate_configurations:
        - s3: {uri: s3://my-bucket/ca/idp-ca.pem, bucket_owner_account_id: "123456789012"}
      allowed_workload_configuration:
        hosting_environments:
          - arn: arn:aws:bedrock-agentcore:us-west-2:123456789012:gateway/my-gateway-abcde12345
        workload_identities: [my-gateway-workload]
    """
)
OUTPUTS = {
    "discovery_url": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123/.well-known/openid-configuration",
    "client_ids": {"gateway-client": "4f1cabcdef", "reporting": "7zzzzzzzzz"},
    "client_secrets": {
        "gateway-client": "s3cr3t-value-0123456789",
        "reporting": "s3cr3t-2-0123456789",
    },
    "audiences": ["4f1cabcdef", "7zzzzzzzzz"],
}


def write_spec(tmp_path, text: str):
    env = tmp_path / "environments"
    env.mkdir(exist_ok=True)
    path = env / "dev.yaml"
    path.write_text(text)
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    return load_problems(write_spec(tmp_path, text))


# --------------------------------------------------------------------------
# Every member of the model has a spec key


def test_every_member_of_the_installed_model_is_expressible_in_the_spec():
    """Fails when a botocore upgrade brings an authorizer member (at any depth)
    that authorizer: cannot express: add a key for it in generator/authorizer_spec.py."""
    missing, unknown = authorizer_spec.coverage()
    assert missing == [], (
        f"botocore {service_model.botocore_version()} has authorizer members the spec "
        f"cannot express: {missing}"
    )
    assert unknown == [], f"spec keys the installed model does not know: {unknown}"


def test_coverage_notices_members_the_model_gains_at_any_depth():
    data = copy.deepcopy(MODEL.data)
    data["shapes"][authorizer.SHAPE]["members"]["tokenExchange"] = {"shape": "DiscoveryUrl"}
    data["shapes"]["ManagedVpcResource"]["members"]["ipv6Only"] = {"shape": "Boolean"}
    data["shapes"]["ClaimMatchValueType"]["members"]["matchValueRegex"] = {
        "shape": "MatchValueString"
    }
    missing, unknown = authorizer_spec.coverage(service_model.ServiceModel(data))
    assert missing == [
        "customJWTAuthorizer.customClaims[].authorizingClaimMatchValue.claimMatchValue.matchValueRegex",
        "customJWTAuthorizer.privateEndpoint.managedVpcResource.ipv6Only",
        "customJWTAuthorizer.tokenExchange",
    ]
    assert unknown == []


def test_coverage_notices_members_the_model_drops_or_reshapes():
    data = copy.deepcopy(MODEL.data)
    del data["shapes"]["ManagedVpcResource"]["members"]["routingDomain"]
    data["shapes"]["ManagedVpcResource"]["members"]["subnetIds"] = {"shape": "SubnetId"}
    missing, unknown = authorizer_spec.coverage(service_model.ServiceModel(data))
    assert unknown == ["authorizer.private_endpoint.managed_vpc_resource.routing_domain"]
    assert missing == [
        "customJWTAuthorizer.privateEndpoint.managedVpcResource.subnetIds: the model has a "
        "string, the spec's authorizer.private_endpoint.managed_vpc_resource.subnet_ids is "
        "list[str]"
    ]


def test_spec_keys_are_snake_case_of_the_api_members():
    assert authorizer_spec.snake("allowedWorkloadConfiguration") == "allowed_workload_configuration"
    assert authorizer_spec.snake("customJWTAuthorizer") == "custom_jwt_authorizer"
    assert authorizer_spec.snake("s3") == "s3"
    assert authorizer_spec.spec_path(
        (
            "customClaims",
            1,
            "authorizingClaimMatchValue",
            "claimMatchValue",
            "matchValueStringList",
            0,
        )
    ) == ("custom_claims", 1, "values", 0)
    assert authorizer_spec.spec_path(("privateEndpoint", "managedVpcResource", "tags", "Team")) == (
        "private_endpoint",
        "managed_vpc_resource",
        "tags",
        "Team",
    )


# --------------------------------------------------------------------------
# A spec with every member -> the authorizer file


def test_a_spec_with_every_member_becomes_the_apis_document(tmp_path):
    loaded = spec.load(write_spec(tmp_path, COGNITO + EVERY_MEMBER))
    members = loaded.authorizer.to_api()
    # every member but those the provider fills (allowedAudience is Auth0's)
    provider_filled = {"discoveryUrl", "allowedClients", "allowedAudience"}
    assert set(members) | provider_filled == set(MODEL.members(authorizer.SHAPE))
    doc = authorizer.build(
        "cognito", OUTPUTS, members=members, client_names=loaded.authorizer.allowed_clients
    )
    path = tmp_path / "authorizers" / "dev.json"
    authorizer.write(path, doc)
    back = json.loads(path.read_text())
    assert back == authorizer.load(path) == doc
    inner = back["customJWTAuthorizer"]
    assert list(inner) == [m for m in MODEL.members(authorizer.SHAPE) if m in inner]
    assert inner["allowedClients"] == ["4f1cabcdef"]  # gateway-client only
    assert inner["privateEndpoint"]["managedVpcResource"] == {
        "vpcIdentifier": "vpc-0123456789abcdef0",
        "subnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "endpointIpAddressType": "IPV4",
        "securityGroupIds": ["sg-0123456789abcdef0"],
        "tags": {"Team": "platform"},
        "routingDomain": "idp.internal.example.com",
    }
    assert inner["privateEndpointOverrides"][0]["privateEndpoint"] == {
        "selfManagedLatticeResource": {"resourceConfigurationIdentifier": "rcfg-0123456789abcdef0"}
    }
    assert inner["certificateConfigurations"] == [
        {"s3": {"uri": "s3://my-bucket/ca/idp-ca.pem", "bucketOwnerAccountId": "123456789012"}}
    ]
    assert inner["customClaims"][1]["authorizingClaimMatchValue"] == {
        "claimMatchOperator": "CONTAINS_ANY",
        "claimMatchValue": {"matchValueStringList": ["admins", "ops"]},
    }
    assert "s3cr3t" not in path.read_text()

    gateway = botocore.session.get_session().get_service_model(service_model.SERVICE)
    for operation in ("CreateGateway", "UpdateGateway"):
        params = {
            "name": "my-gateway-dev",
            "roleArn": "arn:aws:iam::123456789012:role/gateway",
            "authorizerType": "CUSTOM_JWT",
            "authorizerConfiguration": back,
        }
        if operation == "UpdateGateway":
            params["gatewayIdentifier"] = "my-gateway-dev-abcde12345"
        report = ParamValidator().validate(params, gateway.operation_model(operation).input_shape)
        assert not report.has_errors(), report.generate_report()


def test_empty_top_level_lists_and_mappings_mean_not_set(tmp_path):
    text = COGNITO + textwrap.dedent(
        """\
        authorizer:
          allowed_scopes: []
          custom_claims: []
          advertised_scope_mapping: {}
          private_endpoint_overrides: []
        """
    )
    assert spec.load(write_spec(tmp_path, text)).authorizer.to_api() == {}


def test_allowed_clients_default_to_every_client_and_resolve_names_to_ids(tmp_path):
    loaded = spec.load(write_spec(tmp_path, COGNITO))
    every = authorizer.build("cognito", OUTPUTS, members=loaded.authorizer.to_api())
    assert every["customJWTAuthorizer"]["allowedClients"] == ["4f1cabcdef", "7zzzzzzzzz"]
    with pytest.raises(AuthorizerError, match=r"allowed_clients: no client id .* for reporting"):
        authorizer.build(
            "cognito",
            {**OUTPUTS, "client_ids": {"gateway-client": "4f1cabcdef"}},
            client_names=["reporting"],
        )


def test_each_provider_says_which_caller_members_it_yields():
    from generator import providers

    outputs = {"client_ids": {"a": "id-1"}, "audiences": ["gateway123"]}
    for entry in providers.REGISTRY:
        assert tuple(entry.authorizer_members(outputs)) == entry.authorizer_keys, entry.name
        assert set(entry.authorizer_keys) <= set(authorizer.CALLER_KEYS)


def test_an_explicit_auth0_audience_must_be_the_apis(tmp_path):
    loaded = spec.load(
        write_spec(tmp_path, AUTH0 + "authorizer:\n  allowed_audience: [gateway123]\n")
    )
    outputs = {"discovery_url": OUTPUTS["discovery_url"], "audiences": ["gateway123"]}
    doc = authorizer.build("auth0", outputs, members=loaded.authorizer.to_api())
    assert doc["customJWTAuthorizer"]["allowedAudience"] == ["gateway123"]
    with pytest.raises(AuthorizerError, match="allowed_audience: other is not among the allowed"):
        authorizer.build("auth0", outputs, members={"allowedAudience": ["other"]})
    with pytest.raises(AuthorizerError, match=r"allowed_clients: Auth0 access tokens are matched"):
        authorizer.build("auth0", {**outputs, "client_ids": {"m2m": "x"}}, client_names=["m2m"])
    with pytest.raises(AuthorizerError, match=r"allowed_audience: Cognito access tokens are match"):
        authorizer.build("cognito", OUTPUTS, members={"allowedAudience": ["4f1cabcdef"]})


# --------------------------------------------------------------------------
# Each kind of rule, one line at the key that broke it

MVR = "authorizer.private_endpoint.managed_vpc_resource"


def managed(**changes: str) -> str:
    """The authorizer section with one managed VPC resource, fields replaced."""
    fields = {
        "vpc_identifier": "vpc-0123456789abcdef0",
        "subnet_ids": "[subnet-0123456789abcdef0]",
        "endpoint_ip_address_type": "IPV4",
        **changes,
    }
    body = "".join(f"      {k}: {v}\n" for k, v in fields.items() if v is not None)
    return "authorizer:\n  private_endpoint:\n    managed_vpc_resource:\n" + body


L = HEAD_LINES + 4  # the first field line of managed()

# (id, authorizer text, the expected line)
KINDS = [
    (
        "pattern",
        managed(vpc_identifier="vpc-123"),
        f"dev.yaml:{L}:23: {MVR}.vpc_identifier: 'vpc-123' does not match the API pattern "
        "vpc-(([0-9a-z]{8})|([0-9a-z]{17})); write it like vpc-0123456789abcdef0",
    ),
    (
        "pattern-characters",
        "authorizer:\n  custom_claims:\n    - {claim: 'org id', value: x}\n",
        f"dev.yaml:{HEAD_LINES + 3}:15: authorizer.custom_claims[0].claim: 'org id' contains a "
        "character the API does not allow: a space; use letters, digits, '.', '/', ':' and '_'",
    ),
    (
        "enum",
        managed(endpoint_ip_address_type="IPV5"),
        f"dev.yaml:{L + 2}:33: {MVR}.endpoint_ip_address_type: 'IPV5' must be IPV4 or IPV6; "
        "did you mean 'IPV6'?",
    ),
    (
        "required",
        managed(subnet_ids=None),
        f"dev.yaml:{L}:7: {MVR}.subnet_ids: is missing; the API requires it",
    ),
    (
        "union-both",
        managed()
        + "    self_managed_lattice_resource: {resource_configuration_identifier: rcfg-0123456789abcdef0}\n",
        f"dev.yaml:{L - 1}:5: authorizer.private_endpoint: has both self_managed_lattice_resource "
        "and managed_vpc_resource; set exactly one",
    ),
    (
        "union-neither",
        "authorizer:\n  certificate_configurations:\n    - {}\n  private_endpoint:\n"
        "    self_managed_lattice_resource: {resource_configuration_identifier: rcfg-0123456789abcdef0}\n",
        f"dev.yaml:{HEAD_LINES + 3}:7: authorizer.certificate_configurations[0]: has neither s3 "
        "nor secrets_manager; set exactly one",
    ),
    (
        "length-min",
        managed(routing_domain="ab"),
        f"dev.yaml:{L + 3}:23: {MVR}.routing_domain: is 2 characters long; the API needs at least 3",
    ),
    (
        "length-max",
        "authorizer:\n  custom_claims:\n    - {claim: c, value: " + "a" * 256 + "}\n",
        f"dev.yaml:{HEAD_LINES + 3}:25: authorizer.custom_claims[0].value: is 256 characters "
        "long; the API allows at most 255: shorten it",
    ),
    (
        "list-max",
        managed(security_group_ids="[" + ", ".join(f"sg-{i:08d}" for i in range(6)) + "]"),
        f"dev.yaml:{L + 3}:27: {MVR}.security_group_ids: has 6 items; the API allows at most 5: "
        "remove one",
    ),
    (
        "list-min",
        "authorizer:\n  allowed_workload_configuration:\n    hosting_environments: []\n",
        f"dev.yaml:{HEAD_LINES + 3}:27: authorizer.allowed_workload_configuration."
        "hosting_environments: is empty; the API needs at least one item: remove the key or add one",
    ),
    (
        "map-max",
        managed(tags="{" + ", ".join(f"k{i}: v" for i in range(51)) + "}"),
        f"dev.yaml:{L + 3}:13: {MVR}.tags: has 51 entries; the API allows at most 50: remove one",
    ),
    (
        "map-key",
        managed(tags="{'team!': platform}"),
        f"dev.yaml:{L + 3}:14: {MVR}.tags.team!: key 'team!' contains a character the API does "
        "not allow: '!'; use letters, digits, space, '+', '-', '.', '/', ':', '=', '@' and '_'",
    ),
    (
        "type",
        managed(subnet_ids="subnet-0123456789abcdef0"),
        f"dev.yaml:{L + 1}:19: {MVR}.subnet_ids: expected a list, got a string "
        "('subnet-0123456789abcdef0')",
    ),
    (
        "unknown-key",
        "authorizer:\n  private_endpoint:\n    managed_vpc: {}\n",
        f"dev.yaml:{HEAD_LINES + 3}:5: authorizer.private_endpoint.managed_vpc: unknown key; "
        "did you mean 'managed_vpc_resource'?",
    ),
    (
        "rule-advertised-scope",
        "authorizer:\n  allowed_scopes: [gw/read]\n  advertised_scope_mapping: {gw/write: write}\n",
        f"dev.yaml:{HEAD_LINES + 3}:30: authorizer.advertised_scope_mapping.gw/write: key "
        "'gw/write' is not one of allowed_scopes (gw/read); each key is a scope the Gateway "
        "validates: add it to allowed_scopes or fix the key",
    ),
    (
        "rule-certificates-need-private-endpoint",
        "authorizer:\n  certificate_configurations:\n"
        "    - secrets_manager: {secret_arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:ca'}\n",
        f"dev.yaml:{HEAD_LINES + 3}:5: authorizer.certificate_configurations: works only together "
        "with private_endpoint (the API says so); add private_endpoint or remove "
        "certificate_configurations",
    ),
    (
        "rule-no-empty-lists",
        managed(subnet_ids="[]"),
        f"dev.yaml:{L + 1}:19: {MVR}.subnet_ids: is empty; add an item",
    ),
    (
        "rule-claim-operator",
        "authorizer:\n  custom_claims:\n    - {claim: groups, operator: CONTAINS, value: x}\n",
        f"dev.yaml:{HEAD_LINES + 3}:33: authorizer.custom_claims[0].operator: operator "
        "CONTAINS cannot be used with type STRING: use EQUALS, or make the claim type "
        "STRING_ARRAY",
    ),
    (
        "allowed-clients-by-name",
        "authorizer:\n  allowed_clients: [gateway-clint]\n",
        f"dev.yaml:{HEAD_LINES + 2}:21: authorizer.allowed_clients[0]: 'gateway-clint' is not a "
        "client of this environment (cognito.clients: gateway-client, reporting); did you mean "
        "'gateway-client'?",
    ),
    (
        "no-audience-for-cognito",
        "authorizer:\n  allowed_audience: [gateway123]\n",
        f"dev.yaml:{HEAD_LINES + 2}:3: authorizer.allowed_audience: Cognito access tokens are "
        "matched by allowedClients (client_id), not by allowedAudience (aud); remove "
        "allowed_audience and use allowed_clients",
    ),
]


def test_every_constraint_kind_has_a_case():
    kinds = {"pattern", "enum", "required", "union", "length", "list", "map", "type", "unknown"}
    assert kinds | {"rule"} <= {case.split("-")[0] for case, _, _ in KINDS}


@pytest.mark.parametrize(("case", "text", "expected"), KINDS, ids=[k[0] for k in KINDS])
def test_each_rule_kind_is_one_line_at_its_yaml_key(tmp_path, case, text, expected):
    found = problems_of(tmp_path, COGNITO + text)
    assert len(found) == 1, found
    assert found[0].endswith("environments/" + expected), found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "authorizer:\n  allowed_clients: [m2m]\n",
            "authorizer.allowed_clients: Auth0 access tokens are matched by allowedAudience (aud), "
            "not by allowedClients (client_id); remove allowed_clients and use allowed_audience",
        ),
        (
            "authorizer:\n  allowed_audience: [gateway124]\n",
            "authorizer.allowed_audience[0]: 'gateway124' is not the audience of this API "
            "(auth0.api.identifier: gateway123); did you mean 'gateway123'?",
        ),
    ],
)
def test_auth0_callers_are_checked_against_the_api(tmp_path, text, expected):
    found = problems_of(tmp_path, AUTH0 + text)
    assert len(found) == 1 and found[0].endswith(expected), found


def test_the_cli_prints_each_problem_on_one_line_and_exits_1(tmp_path, monkeypatch, capsys):
    (tmp_path / "modules").mkdir()
    write_spec(tmp_path, COGNITO + managed(vpc_identifier="vpc-1", endpoint_ip_address_type="V4"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "dev"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"environments/dev.yaml:{L}:23: {MVR}.vpc_identifier: ")
    assert lines[1].startswith(f"environments/dev.yaml:{L + 2}:33: {MVR}.endpoint_ip_address_type")
    assert "Traceback" not in captured.err + captured.out


def test_rules_and_type_errors_of_other_sections_are_reported_together(tmp_path):
    text = COGNITO.replace("region: us-west-2", "region: oregon") + managed(vpc_identifier="x")
    found = problems_of(tmp_path, text)
    assert any("region 'oregon'" in line for line in found)
    assert any(f"{MVR}.vpc_identifier: 'x' does not match" in line for line in found)


# --------------------------------------------------------------------------
# The JSON Schema carries the model's rules


def test_the_schema_takes_every_member_and_refuses_what_the_model_refuses():
    schema = spec.json_schema()
    good = yaml.safe_load(COGNITO + EVERY_MEMBER)
    jsonschema.validate(good, schema)
    for change in (
        lambda d: d["authorizer"]["private_endpoint"]["managed_vpc_resource"].update(
            vpc_identifier="vpc-1"
        ),
        lambda d: d["authorizer"]["private_endpoint"].update(self_managed_lattice_resource={}),
        lambda d: d["authorizer"]["private_endpoint"]["managed_vpc_resource"].pop("subnet_ids"),
        lambda d: d["authorizer"]["custom_claims"][0].update(values=["a"]),
        lambda d: d["authorizer"]["custom_claims"][0].update(type="NUMBER"),
        lambda d: d["authorizer"].update(allowed_scopes=["a b"]),
        lambda d: d["authorizer"]["certificate_configurations"].append({"s3": {"uri": "s3://b/k"}}),
    ):
        bad = copy.deepcopy(good)
        change(bad)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_schema_descriptions_come_from_the_model_documentation():
    props = spec.json_schema()["$defs"]["ManagedVpcResource"]["properties"]
    assert props["vpc_identifier"]["description"] == (
        "-> vpcIdentifier: " + MODEL.documentation("ManagedVpcResource", "vpcIdentifier")
    )
    top = spec.json_schema()["$defs"]["AuthorizerSection"]["properties"]
    assert top["allowed_scopes"]["description"].startswith("-> allowedScopes")
    assert "minItems" not in top["allowed_scopes"]  # allowed_scopes: [] means "not set"


# --------------------------------------------------------------------------
# The README says what authgen does

README = REPO / "README.md"


def test_the_readmes_whole_api_example_is_a_valid_spec(tmp_path):
    text = README.read_text(encoding="utf-8").split("**The whole authorizer API.**", 1)[1]
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = spec.load(
        write_spec(tmp_path, COGNITO.replace("gw", "gateway-resource-server") + block)
    )
    members = set(loaded.authorizer.to_api())
    assert members == set(MODEL.members(authorizer.SHAPE)) - {
        "discoveryUrl",
        "allowedClients",
        "allowedAudience",
        "customClaims",
    }


def test_the_readmes_example_error_line_is_what_validate_prints(tmp_path):
    quoted = re.search(r"\(`(environments/dev\.yaml:24:23: [^`]*)`\)", README.read_text()).group(1)
    dev = (REPO / "environments" / "dev.yaml").read_text()
    write_spec(tmp_path, dev + managed(vpc_identifier="vpc-123").split("authorizer:\n", 1)[1])
    with pytest.raises(SpecError) as err:
        spec.load(tmp_path / "environments" / "dev.yaml")
    assert [line.split("environments/", 1)[1] for line in err.value.problems] == [
        quoted.split("environments/", 1)[1]
    ]


def test_a_key_the_installed_model_lacks_is_refused_not_dropped(tmp_path, monkeypatch):
    """An older botocore (1.44.0 has no certificateConfigurations) must not
    silently drop a spec key. Simulated with the real model minus that member:
    the only substitute in this file, since two botocore versions cannot be
    installed side by side."""
    data = copy.deepcopy(MODEL.data)
    del data["shapes"][authorizer.SHAPE]["members"]["certificateConfigurations"]
    older = service_model.ServiceModel(data)
    path = write_spec(tmp_path, COGNITO + EVERY_MEMBER)
    loaded = spec.load(path)
    monkeypatch.setattr(service_model, "load", lambda service=service_model.SERVICE: older)
    found = problems_of(tmp_path, COGNITO + EVERY_MEMBER)
    assert [line.split("dev.yaml:", 1)[1] for line in found] == [
        f"{HEAD_LINES + 22}:3: authorizer.certificate_configurations: the AgentCore API model "
        "of the installed botocore has no member for this key; upgrade botocore "
        "(pip install -e . installs the version authgen needs)"
    ]
    with pytest.raises(AuthorizerError, match=r"authorizer\.certificate_configurations: the Agent"):
        loaded.authorizer.to_api()
