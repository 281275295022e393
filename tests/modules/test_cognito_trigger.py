"""The Cognito module's pre token generation handler
(modules/cognito/trigger/handler.py) with V3_0 events of the documented
shape, and the committed zip it ships in.

The handler resolves the event's client id to a name with
DescribeUserPoolClient; that call goes to a real moto server (the session's),
where the test creates the pool and clients. Each test loads the handler
afresh (its configuration and name cache live for one container, i.e. one
module load).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
import zipfile
from io import BytesIO

import pytest

from tests.modules.tfhelpers import MODULES

TRIGGER = MODULES / "cognito" / "trigger"
REGION = "us-west-2"


def load_handler(monkeypatch, endpoint: str, config: dict | str | None):
    """A fresh copy of handler.py, configured like the module configures it."""
    if config is None:
        monkeypatch.delenv("CLAIMS_BY_CLIENT", raising=False)
    else:
        text = config if isinstance(config, str) else json.dumps(config)
        monkeypatch.setenv("CLAIMS_BY_CLIENT", text)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    name = f"authgen_trigger_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, TRIGGER / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pool(moto_server):
    """A pool with two clients in moto: {"id": ..., "clients": {name: id}}."""
    boto3 = pytest.importorskip("boto3")
    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=moto_server.url)
    pool_id = idp.create_user_pool(PoolName=f"trigger-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    clients = {
        name: idp.create_user_pool_client(UserPoolId=pool_id, ClientName=name)["UserPoolClient"][
            "ClientId"
        ]
        for name in ("gateway-client", "reader")
    }
    return {"id": pool_id, "clients": clients, "idp": idp}


def v3_event(pool_id: str, client_id: str, response: dict | None = None) -> dict:
    """A V3_0 client_credentials event (developer guide, pre token generation
    trigger; Powertools' PreTokenGenerationTriggerSchemaV2AndV3)."""
    return {
        "version": "3",
        "triggerSource": "TokenGeneration_ClientCredentials",
        "region": REGION,
        "userPoolId": pool_id,
        "userName": client_id,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {
            "userAttributes": {},
            "groupConfiguration": {
                "groupsToOverride": [],
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
            "scopes": ["gateway-resource-server/read"],
        },
        "response": response if response is not None else {"claimsAndScopeOverrideDetails": None},
    }


CONFIG = {
    "gateway-client": {
        "claims": {"department": "engineering"},
        "list_claims": {"groups": ["admins", "ops"]},
    }
}


def access_claims(event: dict) -> dict:
    details = event["response"]["claimsAndScopeOverrideDetails"]
    return details["accessTokenGeneration"]["claimsToAddOrOverride"]


def test_adds_the_clients_claims_to_the_access_token(monkeypatch, moto_server, pool):
    handler = load_handler(monkeypatch, moto_server.url, CONFIG)
    event = v3_event(pool["id"], pool["clients"]["gateway-client"])
    result = handler.handler(event, None)
    assert access_claims(result) == {"department": "engineering", "groups": ["admins", "ops"]}
    # nothing else of the event changes
    assert result["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert result["request"] == v3_event(pool["id"], "x")["request"]


def test_a_client_without_claims_gets_none(monkeypatch, moto_server, pool):
    handler = load_handler(monkeypatch, moto_server.url, CONFIG)
    event = v3_event(pool["id"], pool["clients"]["reader"])
    assert handler.handler(event, None)["response"] == {"claimsAndScopeOverrideDetails": None}


def test_keeps_what_the_response_already_holds(monkeypatch, moto_server, pool):
    handler = load_handler(monkeypatch, moto_server.url, CONFIG)
    response = {
        "claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToSuppress": ["email"]},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": "acme", "department": "sales"},
                "scopesToAdd": ["extra/scope"],
            },
        }
    }
    result = handler.handler(v3_event(pool["id"], pool["clients"]["gateway-client"], response))
    details = result["response"]["claimsAndScopeOverrideDetails"]
    assert details["idTokenGeneration"] == {"claimsToSuppress": ["email"]}
    assert details["accessTokenGeneration"]["scopesToAdd"] == ["extra/scope"]
    assert access_claims(result) == {
        "tenant": "acme",
        "department": "engineering",  # the configured value wins
        "groups": ["admins", "ops"],
    }


def test_resolves_each_client_id_once_per_container(monkeypatch, moto_server, pool):
    handler = load_handler(monkeypatch, moto_server.url, CONFIG)
    idp = pool["idp"]
    client_id = idp.create_user_pool_client(UserPoolId=pool["id"], ClientName="gateway-client")[
        "UserPoolClient"
    ]["ClientId"]
    first = handler.handler(v3_event(pool["id"], client_id))
    # The client is gone from Cognito now: only the cached name can serve.
    idp.delete_user_pool_client(UserPoolId=pool["id"], ClientId=client_id)
    second = handler.handler(v3_event(pool["id"], client_id))
    assert (
        access_claims(first)
        == access_claims(second)
        == {
            "department": "engineering",
            "groups": ["admins", "ops"],
        }
    )
    fresh = load_handler(monkeypatch, moto_server.url, CONFIG)  # a new container asks again
    with pytest.raises(Exception, match="ResourceNotFound"):
        fresh.handler(v3_event(pool["id"], client_id))


def test_without_configuration_the_event_passes_unchanged(monkeypatch, moto_server, pool):
    handler = load_handler(monkeypatch, moto_server.url, None)
    event = v3_event(pool["id"], pool["clients"]["gateway-client"])
    assert handler.handler(json.loads(json.dumps(event))) == event


def test_an_unknown_client_id_fails_the_invocation(monkeypatch, moto_server, pool):
    """Cognito then refuses the token: better than a token without the claims
    the gateway demands."""
    handler = load_handler(monkeypatch, moto_server.url, CONFIG)
    with pytest.raises(Exception, match="ResourceNotFound"):
        handler.handler(v3_event(pool["id"], "no-such-client"))


def test_a_configuration_that_is_not_an_object_fails(monkeypatch, moto_server, pool):
    handler = load_handler(monkeypatch, moto_server.url, '["not", "an", "object"]')
    with pytest.raises(ValueError, match="JSON object keyed by client name"):
        handler.handler(v3_event(pool["id"], pool["clients"]["gateway-client"]))


# --- the committed zip ----------------------------------------------------------------


def _build_module():
    spec = importlib.util.spec_from_file_location("authgen_trigger_build", TRIGGER / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_zip_is_built_from_the_handler():
    """Fails when handler.py changed and the zip was not rebuilt
    (python3 modules/cognito/trigger/build.py)."""
    build = _build_module()
    assert (TRIGGER / "pre-token-generation.zip").read_bytes() == build.archive(), (
        "modules/cognito/trigger/pre-token-generation.zip is stale: run "
        "python3 modules/cognito/trigger/build.py and commit the zip"
    )


def test_the_zip_is_deterministic_and_holds_only_the_handler(tmp_path):
    build = _build_module()
    copy = tmp_path / "handler.py"
    copy.write_bytes((TRIGGER / "handler.py").read_bytes())
    assert build.archive(copy) == build.archive(copy)
    with zipfile.ZipFile(BytesIO(build.archive())) as archive:
        (info,) = archive.infolist()
        assert info.filename == "handler.py"
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.compress_type == zipfile.ZIP_STORED
        assert archive.read("handler.py") == (TRIGGER / "handler.py").read_bytes()
    copy.write_text(copy.read_text() + "\n# changed\n")
    assert build.archive(copy) != build.archive()


def test_build_check_reports_a_stale_zip(tmp_path):
    import shutil
    import subprocess

    work = tmp_path / "trigger"
    shutil.copytree(TRIGGER, work)
    check = [sys.executable, str(work / "build.py"), "--check"]
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0
    (work / "handler.py").write_text((work / "handler.py").read_text() + "\n# changed\n")
    stale = subprocess.run(check, capture_output=True, text=True, check=False)
    assert stale.returncode == 1
    assert "is stale" in stale.stderr
    subprocess.run([sys.executable, str(work / "build.py")], check=True, capture_output=True)
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0
