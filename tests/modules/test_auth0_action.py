"""The Auth0 claims Action (modules/auth0/actions/claims.js), run by node.

Auth0 itself cannot run here, so the test drives the Action's exported
handler with the credentials-exchange event and api objects as Auth0
documents them (Actions triggers, "Credentials Exchange Flow": ``event.client
.client_id``, ``event.resource_server.identifier``, ``event.secrets``;
``api.accessToken.setCustomClaim(name, value)``, ``api.access.deny(code,
reason)``). The api object records the calls; that is the only stand-in.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.modules.tfhelpers import MODULES

ACTION = MODULES / "auth0" / "actions" / "claims.js"

HARNESS = """
const action = require(process.argv[2]);
const event = JSON.parse(process.argv[3]);
const calls = [];
const api = {
  accessToken: {
    setCustomClaim: (name, value) => calls.push(["setCustomClaim", name, value]),
    addScope: (scope) => calls.push(["addScope", scope]),
    removeScope: (scope) => calls.push(["removeScope", scope]),
  },
  access: { deny: (code, reason) => calls.push(["deny", code, reason]) },
  cache: { get: () => undefined, set: () => ({ type: "success" }), delete: () => ({ type: "success" }) },
};
action.onExecuteCredentialsExchange(event, api).then(
  () => process.stdout.write(JSON.stringify(calls)),
  (err) => { process.stderr.write(String(err.stack || err)); process.exit(1); },
);
"""

CONFIG = {
    "cid-1": {
        "claims": {"https://example.com/department": "engineering"},
        "list_claims": {"https://example.com/teams": ["platform", "ops"]},
    },
    "cid-2": {"claims": {"tier": "gold"}, "list_claims": {}},
}


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.skip("node is not on PATH")
    return path


def event(client_id: str = "cid-1", audience: str = "https://api.example.com/", **secrets):
    """A credentials-exchange event of the documented shape."""
    return {
        "transaction": {"requested_scopes": ["invoke:gateway"]},
        "client": {"client_id": client_id, "name": "gateway-m2m", "metadata": {}},
        "resource_server": {"identifier": audience},
        "tenant": {"id": "dev-example"},
        "request": {"ip": "192.0.2.1", "hostname": "dev-example.us.auth0.com", "method": "POST"},
        "accessToken": {"customClaims": {}, "scope": ["invoke:gateway"]},
        "secrets": {
            "CLAIMS_BY_CLIENT": json.dumps(CONFIG),
            "AUDIENCE": "https://api.example.com/",
            **secrets,
        },
    }


def run(node: str, tmp_path, evt: dict) -> list:
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    proc = subprocess.run(
        [node, str(harness), str(ACTION), json.dumps(evt)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_sets_the_clients_string_and_list_claims(node, tmp_path):
    assert run(node, tmp_path, event()) == [
        ["setCustomClaim", "https://example.com/department", "engineering"],
        ["setCustomClaim", "https://example.com/teams", ["platform", "ops"]],
    ]


def test_each_client_gets_its_own_claims(node, tmp_path):
    assert run(node, tmp_path, event("cid-2")) == [["setCustomClaim", "tier", "gold"]]


def test_a_client_without_claims_is_left_alone(node, tmp_path):
    assert run(node, tmp_path, event("someone-else")) == []


def test_an_exchange_for_another_api_is_left_alone(node, tmp_path):
    assert run(node, tmp_path, event(audience="https://other.example.com/")) == []


def test_a_configuration_that_is_not_json_denies_the_exchange(node, tmp_path):
    calls = run(node, tmp_path, event(CLAIMS_BY_CLIENT="{not json"))
    assert calls == [
        ["deny", "server_error", "the claims configuration (CLAIMS_BY_CLIENT) is not JSON"]
    ]


def test_the_handler_reads_only_documented_event_fields():
    source = ACTION.read_text()
    assert "exports.onExecuteCredentialsExchange = async (event, api)" in source
    used = {
        "event.secrets",
        "event.resource_server",
        "event.client.client_id",
        "api.accessToken.setCustomClaim",
        "api.access.deny",
    }
    for name in used:
        assert name in source
