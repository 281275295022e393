"""``authgen attach``: the authorizer file onto a live Gateway or Runtime.

The AgentCore control plane cannot run here. The command runs as a real
process with boto3 pointed (``AUTHGEN_ENDPOINT_URL``) at
tests/support/agentcore_control.py, a small HTTP server on 127.0.0.1 that
answers GetGateway / UpdateGateway / GetAgentRuntime / UpdateAgentRuntime the
way the API describes them (an update replaces the whole configuration) and
records every request. botocore does the rest for real: the requests are
serialized from, and validated against, the installed service model.

The fixtures below set every member of the update operations' input shapes
(a test says so, and fails naming a member a newer botocore adds), so
"every setting is carried over" is checked member by member. They are what
the server holds and sends, so they are written in the wire format (a
member's ``locationName`` where the model gives one).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import attach, authorizer, service_model
from tests.support.agentcore_control import ControlPlane
from tests.support.cli import Result, cli_env, error_line, make_project, run

GATEWAY_ID = "my-gateway-abcde12345"
RUNTIME_ID = "my_agent-AbCdE12345"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/my-gateway-role"
SECRET_VALUE = "env-secret-value-7f3a9c"  # a runtime environment variable: never shown

DOCUMENT = {
    "customJWTAuthorizer": {
        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
        "allowedAudience": ["api://my-gateway"],
        "allowedScopes": ["gateway/invoke"],
    }
}
SPEC = """\
name: corp
provider: oidc
gateway: my-gateway
region: us-west-2
oidc:
  discovery_url: https://idp.example.com/.well-known/openid-configuration
  audiences: [api://my-gateway]
authorizer:
  allowed_scopes: [gateway/invoke]
"""


def gateway(**changes) -> dict:
    """A READY gateway with every UpdateGateway member set (AWS_IAM authorizer now)."""
    record = {
        "gatewayArn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:gateway/{GATEWAY_ID}",
        "gatewayId": GATEWAY_ID,
        "gatewayUrl": f"https://{GATEWAY_ID}.gateway.bedrock-agentcore.us-west-2.amazonaws.com/mcp",
        "createdAt": 1767225600,
        "updatedAt": 1767225600,
        "status": "READY",
        "statusReasons": [],
        "name": "my-gateway",
        "description": "MCP gateway, corp",
        "roleArn": ROLE,
        "protocolType": "MCP",
        "protocolConfiguration": {
            "mcp": {
                "supportedVersions": ["2025-06-18"],
                "instructions": "Use the corp tools",
                "searchType": "SEMANTIC",
                "sessionConfiguration": {"sessionTimeoutInSeconds": 3600},
                "streamingConfiguration": {"enableResponseStreaming": True},
                "disableMcpListToolsPagination": False,
            }
        },
        "authorizerType": "AWS_IAM",
        "kmsKeyArn": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/0123abcd-0123-4567-89ab-0123456789ab",
        "customTransformConfiguration": {
            "lambda": {"arn": f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:transform"}
        },
        "interceptorConfigurations": [
            {
                "interceptor": {
                    "lambda": {"arn": f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:intercept"}
                },
                "interceptionPoints": ["REQUEST", "RESPONSE"],
                "inputConfiguration": {
                    "passRequestHeaders": True,
                    "payloadFilter": {"exclude": [{"field": "RESPONSE_BODY"}]},
                },
                "responseInterceptionMode": "BUFFERED",
                "responseStreamingConfiguration": {"maxEventsPerInvocation": 100},
            }
        ],
        "policyEngineConfiguration": {
            "arn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:policy-engine/corp_policy-abcde12345",
            "mode": "ENFORCE",
        },
        "workloadIdentityDetails": {
            "workloadIdentityArn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:"
            "workload-identity-directory/default/workload-identity/my-gateway"
        },
        "exceptionLevel": "DEBUG",
        "webAclArn": f"arn:aws:wafv2:us-west-2:{ACCOUNT}:regional/webacl/corp/0123",
        "wafConfiguration": {"failureMode": "FAIL_CLOSE"},
        "domainOverride": {  # the wire name of defaultDomain is "default" (locationName)
            "default": "mcp.example.com",
            "alternateDomains": ["tools.example.com"],
        },
    }
    record.update(changes)
    return record


def runtime(**changes) -> dict:
    """A READY agent runtime with every UpdateAgentRuntime member set (no authorizer now)."""
    record = {
        "agentRuntimeArn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:runtime/{RUNTIME_ID}",
        "agentRuntimeName": "my_agent",
        "agentRuntimeId": RUNTIME_ID,
        "agentRuntimeVersion": "3",
        "createdAt": 1767225600,
        "lastUpdatedAt": 1767225600,
        "roleArn": ROLE,
        "networkConfiguration": {
            "networkMode": "VPC",
            "networkModeConfig": {
                "securityGroups": ["sg-0123456789abcdef0"],
                "subnets": ["subnet-0123456789abcdef0"],
                "requireServiceS3Endpoint": True,
            },
        },
        "status": "READY",
        "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800},
        "hooksConfiguration": {
            "build": {"warmup": {"action": {"httpPost": {"path": "/warmup", "port": 8080}}}}
        },
        "description": "the corp agent",
        "workloadIdentityDetails": {
            "workloadIdentityArn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:"
            "workload-identity-directory/default/workload-identity/my_agent"
        },
        "agentRuntimeArtifact": {
            "containerConfiguration": {
                "containerUri": f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/my-agent:v1"
            }
        },
        "protocolConfiguration": {"serverProtocol": "MCP", "port": 8000, "path": "/mcp"},
        "environmentVariables": {"LOG_LEVEL": "INFO", "UPSTREAM_TOKEN": SECRET_VALUE},
        "requestHeaderConfiguration": {"requestHeaderAllowlist": ["X-Tenant"]},
        "metadataConfiguration": {"requireMMDSV2": True},
        "filesystemConfigurations": [{"sessionStorage": {"mountPath": "/mnt/data"}}],
        "capacityProviderConfiguration": {
            "capacityProviderArn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:"
            "capacity-provider/corp_cp-AbCdE12345",
            "operatingSystemConfiguration": {"linux": {"privilegeMode": "STANDARD"}},
        },
        "platformVersion": "1.0",
        "allowedPorts": [{"port": 8000}, {"portRange": {"from": 9000, "to": 9010}}],
        "resourceConfigurations": [{"minimumMemoryInMiB": 2048}],
    }
    record.update(changes)
    return record


def update_members(operation: str) -> dict:
    model = service_model.load()
    shape = model.data["operations"][operation]["input"]["shape"]
    return model.shape(shape)["members"]


@pytest.fixture
def project(tmp_path) -> Path:
    root = make_project(tmp_path / "project", {"corp": SPEC})
    authorizer.write(root / "authorizers" / "corp.json", DOCUMENT)
    return root


@pytest.fixture
def control(tmp_path):
    """``control(**kwargs)`` starts a ControlPlane; each is stopped afterwards."""
    started = []

    def start(**kwargs) -> ControlPlane:
        kwargs.setdefault("gateways", {GATEWAY_ID: gateway()})
        kwargs.setdefault("runtimes", {RUNTIME_ID: runtime()})
        server = ControlPlane.start(tmp_path / f"control-{len(started)}", **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def attach_cli(project: Path, server: ControlPlane | None, *args: str) -> Result:
    endpoint = {"AUTHGEN_ENDPOINT_URL": server.url()} if server else {}
    return run(project, "attach", "corp", *args, env=cli_env(**endpoint), timeout=120)


def puts(server: ControlPlane) -> list[dict]:
    return [r for r in server.requests() if r["method"] == "PUT"]


# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "operation", "own"),
    [
        (gateway(), "UpdateGateway", {"gatewayIdentifier", "authorizerConfiguration"}),
        (
            runtime(),
            "UpdateAgentRuntime",
            {"agentRuntimeId", "authorizerConfiguration", "clientToken"},
        ),
    ],
    ids=["gateway", "runtime"],
)
def test_the_fixtures_set_every_member_of_the_update(record, operation, own):
    """A newer botocore with a new member fails here: add the member to the fixture."""
    missing = set(update_members(operation)) - own - set(record)
    assert not missing, f"add {sorted(missing)} to the {operation} fixture"


def test_attach_gateway_carries_every_setting_in_one_update_and_waits_for_ready(project, control):
    server = control(updating_reads=2)
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes", "--json")
    assert result.code == 0, result
    doc = result.json()
    assert doc["sent"] is True and doc["status"] == "READY" and doc["target"] == "gateway"
    (put,) = puts(server)
    assert put["path"] == f"/gateways/{GATEWAY_ID}/"
    before = gateway()
    members = update_members("UpdateGateway")
    expected = {k: v for k, v in before.items() if k in members}
    expected.update(authorizerType="CUSTOM_JWT", authorizerConfiguration=DOCUMENT)
    assert put["body"] == expected
    assert sorted(doc["carried"]) == sorted(
        set(expected) - {"authorizerType", "authorizerConfiguration"}
    )
    assert put["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 "), "botocore signed it"

    after = server.state()["gateways"][GATEWAY_ID]
    for member in set(expected) - {"authorizerType", "authorizerConfiguration"}:
        assert after[member] == before[member], f"{member} was lost"
    assert after["authorizerConfiguration"] == DOCUMENT
    assert after["status"] == "READY"
    reads = [r for r in server.requests() if r["method"] == "GET"]
    assert len(reads) == 1 + 3, "one read before, UPDATING twice, then READY"
    assert f"gateway {GATEWAY_ID}: UPDATING" in result.stderr
    assert '+  "authorizerType": "CUSTOM_JWT"' in "\n".join(doc["diff"])


def test_dry_run_shows_the_change_and_sends_nothing(project, control):
    server = control()
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--dry-run")
    assert result.code == 0, result
    assert puts(server) == []
    assert [r["method"] for r in server.requests()] == ["GET"]
    assert f"--- gateway {GATEWAY_ID} (now)" in result.stdout
    assert '-  "authorizerType": "AWS_IAM"' in result.stdout
    assert '+    "customJWTAuthorizer": {' in result.stdout
    assert "carried over unchanged: name, description, roleArn" in result.stdout
    assert "--dry-run: no UpdateGateway sent" in result.stdout


def test_a_gateway_that_does_not_come_back_ready_is_reported(project, control):
    server = control(
        outcome={
            "status": "UPDATE_UNSUCCESSFUL",
            "reasons": ["discoveryUrl could not be fetched", "allowedAudience is invalid"],
        }
    )
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes")
    assert result.code == 1, result
    line = error_line(result)
    assert line == (
        f"error: gateway {GATEWAY_ID} is UPDATE_UNSUCCESSFUL after the update: discoveryUrl "
        "could not be fetched; allowedAudience is invalid; fix the cause and run attach again "
        "(the read shows the configuration it has now)"
    )
    assert len(puts(server)) == 1


def test_waiting_is_bounded(project, control):
    server = control(updating_reads=1000)
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes", "--wait", "2")
    assert result.code == 1, result
    assert f"gateway {GATEWAY_ID} is still UPDATING after" in error_line(result)
    assert "get-gateway --gateway-identifier my-gateway-abcde12345" in error_line(result)


def test_attach_runtime_carries_every_setting_and_shows_no_values(project, control):
    server = control()
    result = attach_cli(project, server, "--runtime-id", RUNTIME_ID, "--yes", "--json")
    assert result.code == 0, result
    (put,) = puts(server)
    assert put["path"] == f"/runtimes/{RUNTIME_ID}/"
    before = runtime()
    members = update_members("UpdateAgentRuntime")
    expected = {k: v for k, v in before.items() if k in members and k != "agentRuntimeId"}
    expected["authorizerConfiguration"] = DOCUMENT
    body = dict(put["body"])  # the id is in the path
    assert len(body.pop("clientToken")) >= 33, "botocore's idempotency token"
    assert body == expected
    assert "authorizerType" not in body, "runtimes take no authorizer type"
    assert server.state()["runtimes"][RUNTIME_ID]["agentRuntimeVersion"] == "4"
    assert SECRET_VALUE not in result.stdout + result.stderr
    assert "environmentVariables" in result.json()["carried"]


def test_a_failed_runtime_update_names_its_reason(project, control):
    server = control(outcome={"status": "UPDATE_FAILED", "reasons": ["image not found"]})
    result = attach_cli(project, server, "--runtime-id", RUNTIME_ID, "--yes")
    assert result.code == 1, result
    assert f"runtime {RUNTIME_ID} is UPDATE_FAILED after the update: image not found" in (
        error_line(result)
    )


def test_a_gateway_that_already_has_the_authorizer_gets_no_update(project, control):
    server = control(
        gateways={
            GATEWAY_ID: gateway(authorizerType="CUSTOM_JWT", authorizerConfiguration=DOCUMENT)
        }
    )
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes")
    assert result.code == 0, result
    assert "already has this authorizer; nothing sent" in result.stdout
    assert puts(server) == []


def test_without_a_terminal_attach_asks_for_yes(project, control):
    server = control()
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID)
    assert result.code == 1, result
    assert error_line(result) == (
        "error: attach corp needs a confirmation and stdin is not a terminal; pass --yes to proceed"
    )
    assert puts(server) == []


def test_a_busy_gateway_is_left_alone(project, control):
    server = control(gateways={GATEWAY_ID: gateway(status="UPDATING", _updating_left=5)})
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes")
    assert result.code == 1, result
    assert error_line(result) == (
        f"error: gateway {GATEWAY_ID} is UPDATING; wait until it is READY and run attach again"
    )
    assert puts(server) == []


def test_an_unknown_gateway_is_one_line(project, control):
    server = control(gateways={})
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes")
    assert result.code == 1, result
    assert error_line(result) == (
        f"error: GetGateway gateway {GATEWAY_ID}: ResourceNotFoundException: Gateway "
        f"{GATEWAY_ID} not found; check --gateway-id and the region (--region, region: in the "
        "spec, AWS_REGION)"
    )


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        (
            "--gateway-id",
            "My_Gateway",
            "error: --gateway-id: 'My_Gateway' does not match the API pattern "
            "([0-9a-z][-]?){1,100}-[0-9a-z]{10}; write it like my-gateway-abcde12345",
        ),
        (
            "--runtime-id",
            "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/x",
            "error: --runtime-id: 'arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/x' "
            "does not match the API pattern [a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}; write it "
            "like my_agent-AbCdE12345",
        ),
    ],
)
def test_an_id_that_does_not_match_the_api_pattern_is_one_line(
    project, control, flag, value, expected
):
    server = control()
    result = attach_cli(project, server, flag, value, "--yes")
    assert result.code == 1, result
    assert error_line(result) == expected
    assert server.requests() == [], "nothing was sent"


def test_an_environment_never_applied_is_one_line(project, control):
    (project / "authorizers" / "corp.json").unlink()
    server = control()
    result = attach_cli(project, server, "--gateway-id", GATEWAY_ID, "--yes")
    assert result.code == 1, result
    assert error_line(result) == (
        "error: corp: no authorizer file authorizers/corp.json; run 'authgen apply corp' first "
        "(attach puts that file onto the gateway)"
    )
    assert server.requests() == []


def test_a_plain_http_endpoint_off_loopback_is_refused(project):
    result = run(
        project,
        "attach",
        "corp",
        "--gateway-id",
        GATEWAY_ID,
        env=cli_env(AUTHGEN_ENDPOINT_URL="http://control.example.com"),
    )
    assert result.code == 1, result
    line = result.stderr.strip()
    assert "Traceback" not in line and len(line.splitlines()) == 1, result
    assert line.startswith(
        "AUTHGEN_ENDPOINT_URL: endpoint URL 'http://control.example.com' uses "
    ), line
    assert "plain http off this machine" in line and "http only on loopback" in line


# --------------------------------------------------------------------------
# The pure steps


def test_carried_keeps_what_the_input_shape_takes_at_every_depth():
    read = gateway(
        protocolConfiguration={"mcp": {"instructions": "x", "readOnlyThing": 1}},
        statusReasons=["old"],
    )
    request = attach.update_request(attach.GATEWAY, GATEWAY_ID, read, DOCUMENT)
    assert request["protocolConfiguration"] == {"mcp": {"instructions": "x"}}
    for read_only in (
        "gatewayArn",
        "gatewayId",
        "gatewayUrl",
        "status",
        "statusReasons",
        "createdAt",
        "webAclArn",
        "workloadIdentityDetails",
    ):
        assert read_only not in request
    assert request["gatewayIdentifier"] == GATEWAY_ID


def test_wait_ready_backs_off_and_stops_at_the_deadline():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with pytest.raises(attach.AttachError, match="still UPDATING after 40 s"):
        attach.wait_ready(
            lambda: {"status": "UPDATING"},
            attach.GATEWAY,
            GATEWAY_ID,
            wait=40,
            sleep=sleep,
            clock=lambda: now[0],
        )
    assert slept == [1.0, 2.0, 4.0, 8.0, 15.0, 10.0]


def test_wait_ready_returns_the_ready_read():
    answers = iter([{"status": "UPDATING"}, {"status": "READY", "name": "gw"}])
    final = attach.wait_ready(
        lambda: next(answers), attach.GATEWAY, GATEWAY_ID, sleep=lambda s: None
    )
    assert final == {"status": "READY", "name": "gw"}


def test_the_diff_is_only_the_authorizer():
    current = gateway()
    request = attach.update_request(attach.GATEWAY, GATEWAY_ID, current, DOCUMENT)
    lines = attach.diff(attach.GATEWAY, GATEWAY_ID, current, request)
    text = "\n".join(lines)
    assert "description" not in text and "roleArn" not in text
    assert json.dumps("api://my-gateway") in text
