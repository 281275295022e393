"""``provider: oidc`` end to end: authgen as a real process against nanoidp, a
real OIDC provider issuing client_credentials tokens on 127.0.0.1
(tests/conftest.py's ``nanoidp`` fixture).

No terraform and no cloud credentials: every run here has a PATH without the
terraform binary and no AWS variables. Plan fetches the discovery document
and the JWKS, shows the file it would write; apply writes it; token and
verify take the token endpoint from the discovery document, the client id
from ``--client-id`` and the secret from ``AUTHGEN_CLIENT_SECRET``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import jwt
import pytest

from generator.emulator import free_port
from generator.run_lock import RunLock, lock_path
from tests.support.cli import Result, cli_env, error_line, make_project, run
from tests.support.idp_fixtures import AUDIENCE, GATEWAY, POSTER
from tests.support.nanoidp import NanoIdp
from tests.support.static_http import route

#: A PATH without terraform (it lives in /usr/local/bin here); python runs by its full path.
NO_TERRAFORM_PATH = "/usr/bin:/bin"


def spec(idp: NanoIdp, name: str = "corp", **oidc: str) -> str:
    """An oidc environment on ``idp``; ``oidc`` replaces lines of its section."""
    section = {"discovery_url": idp.discovery_url, "audiences": f"[{AUDIENCE}]", **oidc}
    lines = "".join(f"  {key}: {value}\n" for key, value in section.items() if value is not None)
    return f"name: {name}\nprovider: oidc\ngateway: my-gateway\noidc:\n{lines}"


def env(**overrides: str | None) -> dict[str, str]:
    """No terraform on PATH, no AWS credentials."""
    aws = {k: None for k in os.environ if k.startswith("AWS_")}
    return cli_env(PATH=NO_TERRAFORM_PATH, **aws, **overrides)


def authgen(project: Path, *args: str, secret: str | None = None) -> Result:
    extra = {"AUTHGEN_CLIENT_SECRET": secret} if secret else {}
    return run(project, *args, env=env(**extra), timeout=120)


def verify_as_gateway(project: Path, *, code: int) -> tuple[Result, dict[str, dict]]:
    """``verify corp --json`` with GATEWAY's id and secret, which must exit
    ``code``: the result and its rows by name."""
    result = authgen(
        project,
        "verify",
        "corp",
        "--client-id",
        GATEWAY.client_id,
        "--json",
        secret=GATEWAY.client_secret,
    )
    assert result.code == code, result
    return result, {c["name"]: c for c in result.json()["checks"]}


@pytest.fixture
def project(tmp_path, nanoidp) -> Path:
    return make_project(tmp_path / "project", {"corp": spec(nanoidp)})


def test_no_terraform_is_reachable_from_the_test_path():
    assert shutil.which("terraform", path=NO_TERRAFORM_PATH) is None
    assert Path(sys.executable).is_absolute()


def test_apply_checks_discovery_and_writes_the_authorizer_file(project, nanoidp):
    result = authgen(project, "apply", "corp", "--auto-approve", "--json")
    assert result.code == 0, result
    doc = result.json()
    assert doc["command"] == "authorizer"
    assert doc["changed"] is True
    assert doc["discovery_url"] == nanoidp.discovery_url
    assert doc["audiences"] == [AUDIENCE]
    assert {c["name"]: c["status"] for c in doc["checks"]} == {
        "discoveryUrl": "pass",
        "authorizer rules": "pass",
        "discovery document": "pass",
        "issuer": "pass",
        "JWKS": "pass",
    }
    assert doc["diff"][0] == "--- /dev/null"
    written = (project / "authorizers" / "corp.json").read_text()
    assert written == (
        "{\n"
        '  "customJWTAuthorizer": {\n'
        f'    "discoveryUrl": "{nanoidp.discovery_url}",\n'
        '    "allowedAudience": [\n'
        f'      "{AUDIENCE}"\n'
        "    ]\n"
        "  }\n"
        "}\n"
    )
    assert not (project / "build" / "corp" / ".terraform").exists()
    again = authgen(project, "apply", "corp", "--auto-approve")
    assert again.code == 0, again
    assert "authorizer file: authorizers/corp.json (unchanged)" in again.stdout


def test_plan_shows_the_file_it_would_write_and_exits_2_on_changes(project, nanoidp):
    result = authgen(project, "plan", "corp", "--detailed-exitcode")
    assert result.code == 2, result
    assert "+++ authorizers/corp.json (planned)" in result.stdout
    assert f'+    "discoveryUrl": "{nanoidp.discovery_url}",' in result.stdout
    assert "Plan: 1 to create" in result.stdout
    plan_md = (project / "build" / "corp" / "plan.md").read_text()
    assert "| `authorizers/corp.json` | create |" in plan_md
    assert "```diff" in plan_md
    assert not (project / "authorizers" / "corp.json").exists(), "plan writes no authorizer file"

    assert authgen(project, "apply", "corp", "--auto-approve").code == 0
    unchanged = authgen(project, "plan", "corp", "--detailed-exitcode", "--json")
    assert unchanged.code == 0, unchanged
    (env_doc,) = unchanged.json()["environments"]
    assert env_doc["changes"] is False and env_doc["error"] is None

    (project / "environments" / "corp.yaml").write_text(
        spec(nanoidp, audiences=f"[{AUDIENCE}, api://other]")
    )
    changed = authgen(project, "plan", "corp")
    assert changed.code == 0, changed
    assert '+      "api://other",' in changed.stdout
    assert "update" in changed.stdout and "allowedAudience" in changed.stdout


def test_plan_all_takes_oidc_environments_with_the_others(project, nanoidp):
    (project / "environments" / "corp2.yaml").write_text(spec(nanoidp, name="corp2"))
    result = authgen(project, "plan", "--all", "--json")
    assert result.code == 0, result
    names = {e["name"]: e for e in result.json()["environments"]}
    assert set(names) == {"corp", "corp2"}
    assert all(e["changes"] and e["counts"]["create"] == 1 for e in names.values())


def test_verify_passes_with_the_right_audience(project, nanoidp):
    assert authgen(project, "apply", "corp", "--auto-approve").code == 0
    result, rows = verify_as_gateway(project, code=0)
    assert rows["token"]["status"] == "pass"
    assert rows["allowedAudience"]["status"] == "pass"
    assert rows["token issuer"]["status"] == "pass"
    assert GATEWAY.client_secret not in result.stdout + result.stderr


def test_verify_fails_with_the_wrong_audience_and_says_which_one_tokens_carry(project, nanoidp):
    (project / "environments" / "corp.yaml").write_text(spec(nanoidp, audiences="[api://wrong]"))
    assert authgen(project, "apply", "corp", "--auto-approve").code == 0
    _, rows = verify_as_gateway(project, code=1)
    row = rows["allowedAudience"]
    assert row["status"] == "fail"
    assert row["detail"] == f"aud {AUDIENCE} is not in allowedAudience [api://wrong]"
    assert f"list the token's aud {AUDIENCE} under oidc.audiences" in row["fix"]


def test_verify_names_an_audience_listed_as_a_client(project, nanoidp):
    (project / "environments" / "corp.yaml").write_text(
        spec(nanoidp, audiences=None, clients=f"[{AUDIENCE}]")
    )
    assert authgen(project, "apply", "corp", "--auto-approve").code == 0
    _, rows = verify_as_gateway(project, code=1)
    row = rows["allowedClients"]
    assert row["fix"] == (
        f"{AUDIENCE} is the token's aud, not its client_id: move it from oidc.clients to "
        "oidc.audiences"
    )


def test_token_uses_the_discovery_token_endpoint_and_the_scope_flag(project, nanoidp):
    result = authgen(
        project,
        "token",
        "corp",
        "--client-id",
        GATEWAY.client_id,
        "--scope",
        "read:gateway",
        secret=GATEWAY.client_secret,
    )
    assert result.code == 0, result
    token = result.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == nanoidp.issuer
    assert claims["aud"] == AUDIENCE
    assert claims["client_id"] == GATEWAY.client_id
    assert claims["scope"] == "read:gateway"


def test_token_authenticates_by_post_when_that_is_all_the_server_offers(tmp_path, static):
    """A discovery document listing only client_secret_post: the secret goes in the form."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    discovery = {
        "issuer": base,
        "jwks_uri": f"{base}/jwks",
        "token_endpoint": f"{base}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
    }
    served = static(
        {
            "/.well-known/openid-configuration": route(200, discovery),
            "/token": route(200, {"access_token": "opaque-token-value", "token_type": "Bearer"}),
        },
        port=port,
    )
    project = make_project(
        tmp_path / "project",
        {
            "post": "name: post\nprovider: oidc\ngateway: gw\noidc:\n"
            f"  discovery_url: {served.url('/.well-known/openid-configuration')}\n"
            "  clients: [post-client]\n"
        },
    )
    result = authgen(
        project, "token", "post", "--client-id", POSTER.client_id, secret=POSTER.client_secret
    )
    assert result.code == 0, result
    assert result.stdout.strip() == "opaque-token-value"
    (request,) = [r for r in served.requests() if r["path"] == "/token"]
    assert "authorization" not in request["headers"]
    assert f"client_secret={POSTER.client_secret}" in request["body"]


def test_both_a_discovery_url_and_a_preset_is_one_line(tmp_path, nanoidp):
    text = spec(nanoidp) + "  entra: {tenant_id: 72f988bf-86f1-41af-91ab-2d7cd011db47}\n"
    project = make_project(tmp_path / "project", {"corp": text})
    for command in (("validate", "corp"), ("plan", "corp"), ("apply", "corp", "--auto-approve")):
        result = authgen(project, *command)
        assert result.code == 1, result
        (line,) = [x for x in result.stderr.splitlines() if x.strip()]
        assert line == (
            "environments/corp.yaml:5:3: oidc: sets both discovery_url and entra; set exactly one "
            "of discovery_url, entra, okta or keycloak (a preset derives the discovery URL)"
        )
    assert not (project / "authorizers").exists()


def test_an_unreachable_discovery_url_is_one_line_and_keeps_the_earlier_file(project, nanoidp):
    assert authgen(project, "apply", "corp", "--auto-approve").code == 0
    earlier = (project / "authorizers" / "corp.json").read_bytes()
    (project / "environments" / "corp.yaml").write_text(
        spec(nanoidp, discovery_url="http://127.0.0.1:9/.well-known/openid-configuration")
    )
    for command in (("plan", "corp"), ("apply", "corp", "--auto-approve")):
        result = authgen(project, *command, "--wait", "1")
        assert result.code == 1, result
        line = error_line(result)
        assert line.startswith(
            "error: environments/corp.yaml:5:3: oidc.discovery_url: discovery document: "
            "cannot connect to the discovery URL 127.0.0.1:9"
        ), line
    assert (project / "authorizers" / "corp.json").read_bytes() == earlier


def test_a_discovery_url_without_rsa_keys_is_refused(tmp_path, static):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    served = static(
        {
            "/.well-known/openid-configuration": route(
                200, {"issuer": base, "jwks_uri": f"{base}/jwks"}
            ),
            "/jwks": route(200, {"keys": [{"kty": "oct", "kid": "hs", "k": "c2VjcmV0"}]}),
        },
        port=port,
    )
    project = make_project(
        tmp_path / "project",
        {
            "corp": "name: corp\nprovider: oidc\ngateway: gw\noidc:\n"
            f"  discovery_url: {served.url('/.well-known/openid-configuration')}\n"
            "  audiences: [x]\n"
        },
    )
    result = authgen(project, "apply", "corp", "--auto-approve")
    assert result.code == 1, result
    line = error_line(result)
    assert "oidc.discovery_url: JWKS: " in line and "no RSA signing key" in line, line
    assert not (project / "authorizers" / "corp.json").exists()


def test_apply_without_a_terminal_asks_for_auto_approve(project):
    result = authgen(project, "apply", "corp")
    assert result.code == 1, result
    assert "pass --auto-approve" in error_line(result)
    assert not (project / "authorizers" / "corp.json").exists()


def test_a_second_run_on_the_environment_is_refused(project):
    with RunLock(lock_path(project / "build" / "corp"), command="authgen apply corp"):
        result = authgen(project, "apply", "corp", "--auto-approve")
    assert result.code == 1, result
    assert "is held by" in error_line(result)
    assert "authgen apply corp" in error_line(result)


def test_json_failure_document(project):
    (project / "environments" / "corp.yaml").write_text(
        "name: corp\nprovider: oidc\ngateway: gw\noidc:\n"
        "  discovery_url: http://127.0.0.1:9/.well-known/openid-configuration\n"
        "  clients: [a]\n"
    )
    result = authgen(project, "plan", "corp", "--json", "--wait", "0")
    assert result.code == 1, result
    document = result.json()
    assert document["command"] == "plan" and document["exit_code"] == 1
    assert "oidc.discovery_url: discovery document: cannot connect" in document["error"]


def test_render_destroy_and_authorizer_know_there_is_no_terraform(project, nanoidp):
    rendered = authgen(project, "render", "corp")
    assert rendered.code == 0, rendered
    assert "no Terraform resources; nothing to render" in rendered.stdout
    assert not (project / "build" / "corp" / "main.tf").exists()

    rewritten = authgen(project, "authorizer", "corp")  # from the spec alone
    assert rewritten.code == 0, rewritten
    assert json.loads((project / "authorizers" / "corp.json").read_text()) == {
        "customJWTAuthorizer": {
            "discoveryUrl": nanoidp.discovery_url,
            "allowedAudience": [AUDIENCE],
        }
    }
    destroyed = authgen(project, "destroy", "corp", "--auto-approve")
    assert destroyed.code == 0, destroyed
    assert "has no resources to destroy" in destroyed.stdout
    assert not (project / "authorizers" / "corp.json").exists()


def test_verify_without_a_client_fails_closed_and_no_token_checks_discovery_only(project):
    assert authgen(project, "apply", "corp", "--auto-approve").code == 0
    closed = authgen(project, "verify", "corp", "--json")
    assert closed.code == 1, closed
    token = {c["name"]: c for c in closed.json()["checks"]}["token"]
    assert token["status"] == "fail"
    assert "pass --client-id with the secret in AUTHGEN_CLIENT_SECRET" in token["detail"]

    discovery_only = authgen(project, "verify", "corp", "--no-token", "--json")
    assert discovery_only.code == 0, discovery_only
    statuses = {c["name"]: c["status"] for c in discovery_only.json()["checks"]}
    assert statuses["JWKS"] == "pass" and statuses["token"] == "skip"

    both = authgen(project, "verify", "corp", "--no-token", "--scope", "x")
    assert both.code == 1
    assert "--no-token leaves the token out, so --scope would be unused" in error_line(both)


def test_retired_plans_the_removal_and_apply_removes_the_file(project, nanoidp):
    """``retired: true`` for an environment that made nothing at the
    provider: plan shows the file going (without fetching anything: the
    provider may be gone already), apply removes it."""
    applied = authgen(project, "apply", "corp", "--auto-approve")
    assert applied.code == 0, applied
    path = project / "authorizers" / "corp.json"
    assert path.is_file()
    spec_file = project / "environments" / "corp.yaml"
    spec_file.write_text(
        spec_file.read_text().replace(
            nanoidp.discovery_url, "http://127.0.0.1:9/.well-known/openid-configuration"
        )
        + "retired: true\n"
    )
    planned = authgen(project, "plan", "corp", "--detailed-exitcode", "--json")
    assert planned.code == 2, planned
    (entry,) = planned.json()["environments"]
    assert entry["counts"]["delete"] == 1 and entry["changes"] is True
    summary = json.loads((project / "build" / "corp" / "plan.json").read_text())
    assert summary["mode"] == "retire"
    assert summary["resources"][0]["action"] == "delete"
    assert path.is_file()  # plan changes nothing

    asked = authgen(project, "apply", "corp")
    assert asked.code == 1 and path.is_file(), asked

    retired = authgen(project, "apply", "corp", "--auto-approve")
    assert retired.code == 0, retired
    assert not path.exists()
    assert "retired corp: removed authorizers/corp.json" in retired.stdout
    again = authgen(project, "plan", "corp", "--detailed-exitcode")
    assert again.code == 0, again  # nothing left to remove
