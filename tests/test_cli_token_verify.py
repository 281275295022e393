"""authgen token / verify end to end against nanoidp, a real OIDC provider that
issues client_credentials tokens (tests/support/nanoidp.py), on 127.0.0.1.

The environment is a Cognito spec whose client's full scopes
(``<resource server>/<scope>``) are what this nanoidp knows; the client id and
the token endpoint come from the command line and the secret from
AUTHGEN_CLIENT_SECRET, so no terraform runs. (``verify`` against moto after a
real apply is in test_cli_terraform.py.) A static HTTP server that echoes the
request stands in for a misbehaving token endpoint (Cognito's HTTP Basic, and
Auth0's JSON body through auth0-python).
"""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from tests.support.cli import Result, cli_env, error_line, make_project, run
from tests.support.leaks import ECHO_CLIENT, ECHOED, leaked
from tests.support.nanoidp import Client, NanoIdp
from tests.support.static_http import route

IDENTIFIER = "gateway-api"
SCOPES = [f"{IDENTIFIER}/invoke", f"{IDENTIFIER}/read"]
AUDIENCE = "gateway-audience"
CLIENT = Client("cli-client", "cli-secret-6b1f0e93d2a74c58", tuple(SCOPES))

SPEC = f"""\
name: idp
provider: cognito
gateway: my-gateway
region: us-west-2
cognito:
  user_pool_name: gateway-user-pool
  resource_server:
    identifier: {IDENTIFIER}
    name: GatewayApi
    scopes:
      - {{name: invoke, description: Invoke}}
      - {{name: read, description: Read}}
  clients:
    - name: gateway-client
      scopes: [invoke, read]
"""

AUTH0_SPEC = """\
name: zero
provider: auth0
gateway: my-gateway
auth0:
  domain: dev-example.us.auth0.com
  api:
    name: gateway-api
    identifier: gateway123
    scopes:
      - {name: "invoke:gateway", description: Invoke the gateway}
  clients:
    - name: gateway-m2m
      scopes: ["invoke:gateway"]
"""


@pytest.fixture(scope="module")
def idp(nanoidp_factory) -> NanoIdp:
    """This file's nanoidp: one client whose scopes are the spec's full scopes."""
    return nanoidp_factory(audience=AUDIENCE, scopes=SCOPES, clients=[CLIENT])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(
        tmp_path_factory.mktemp("cli-token") / "project", {"idp": SPEC, "zero": AUTH0_SPEC}
    )


def _authgen(project: Path, idp: NanoIdp, *args: str, secret: str = CLIENT.client_secret) -> Result:
    return run(
        project,
        *args,
        "--client-id",
        CLIENT.client_id,
        "--token-endpoint",
        idp.token_endpoint,
        "--wait",
        "10",
        env=cli_env(AUTHGEN_CLIENT_SECRET=secret),
    )


def _authorizer(directory: Path, idp: NanoIdp, **rules) -> Path:
    path = directory / f"authorizer-{len(list(directory.glob('*.json')))}.json"
    doc = {"customJWTAuthorizer": {"discoveryUrl": idp.discovery_url, **rules}}
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def test_token_prints_only_the_token(project, idp):
    result = _authgen(project, idp, "token", "idp")
    assert result.code == 0, result
    token = result.stdout.removesuffix("\n")
    assert result.stdout == token + "\n" and "\n" not in token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["client_id"] == CLIENT.client_id
    assert claims["scope"] == " ".join(SCOPES)  # the client's full Cognito scopes
    assert claims["iss"] == idp.issuer
    assert CLIENT.client_secret not in result.stdout + result.stderr
    assert not (project / "build").exists()  # no terraform, nothing rendered


def test_token_json(project, idp):
    result = _authgen(project, idp, "token", "idp", "--json")
    assert result.code == 0, result
    doc = result.json()
    assert doc["token_type"] == "Bearer"
    assert doc["expires_in"] == 3600
    assert jwt.decode(doc["access_token"], options={"verify_signature": False})["client_id"] == (
        CLIENT.client_id
    )


def test_token_with_a_wrong_secret_is_one_line_without_the_secret(project, idp):
    wrong = "not-the-secret-5d1a9c"
    result = _authgen(project, idp, "token", "idp", secret=wrong)
    assert result.code == 1, result
    assert result.stdout == ""
    line = error_line(result)
    assert "rejected the client credentials (HTTP 401" in line, line
    assert wrong not in result.stderr


def test_token_without_the_secret_says_where_it_goes(project, idp):
    result = run(
        project,
        "token",
        "idp",
        "--client-id",
        CLIENT.client_id,
        "--token-endpoint",
        idp.token_endpoint,
        env=cli_env(AUTHGEN_CLIENT_SECRET=None),
    )
    assert result.code == 1, result
    assert error_line(result) == (
        "error: --client-id needs the client secret in AUTHGEN_CLIENT_SECRET"
    )


def test_verify_passes_when_every_check_passes(project, idp, tmp_path):
    file = _authorizer(tmp_path, idp, allowedClients=[CLIENT.client_id], allowedScopes=SCOPES[:1])
    result = _authgen(project, idp, "verify", "idp", "--authorizer", str(file))
    assert result.code == 0, result
    assert "FAIL" not in result.stdout
    assert "0 failed" in result.stdout
    assert CLIENT.client_secret not in result.stdout + result.stderr

    as_json = _authgen(project, idp, "verify", "idp", "--authorizer", str(file), "--json")
    assert as_json.code == 0, as_json
    doc = as_json.json()
    assert doc["ok"] is True
    assert doc["authorizer_file"] == str(file)
    status = {c["name"]: c["status"] for c in doc["checks"]}
    for name in ("discovery document", "issuer", "JWKS", "token", "signature", "allowedClients"):
        assert status[name] == "pass", doc
    assert "fail" not in status.values()


def test_verify_fails_with_the_reason_on_a_wrong_audience(project, idp, tmp_path):
    file = _authorizer(tmp_path, idp, allowedAudience=["someone-else"])
    result = _authgen(project, idp, "verify", "idp", "--authorizer", str(file), "--json")
    assert result.code == 1, result
    doc = result.json()
    assert doc["ok"] is False
    failed = {c["name"]: c for c in doc["checks"] if c["status"] == "fail"}
    assert list(failed) == ["allowedAudience"], doc
    assert AUDIENCE in failed["allowedAudience"]["detail"]
    assert "someone-else" in failed["allowedAudience"]["detail"]
    assert failed["allowedAudience"]["fix"]

    human = _authgen(project, idp, "verify", "idp", "--authorizer", str(file))
    assert human.code == 1, human
    assert "FAIL" in human.stdout and "allowedAudience" in human.stdout
    assert "1 failed" in human.stdout


def test_verify_with_a_missing_authorizer_file_is_one_line(project, idp, tmp_path):
    missing = tmp_path / "nope.json"
    result = _authgen(project, idp, "verify", "idp", "--authorizer", str(missing))
    assert result.code == 1, result
    assert error_line(result).startswith(f"error: {missing}: no such file")


def test_verify_with_a_client_id_but_no_secret_fails_instead_of_skipping(project, idp, tmp_path):
    file = _authorizer(tmp_path, idp, allowedClients=[CLIENT.client_id])
    result = run(
        project,
        "verify",
        "idp",
        "--authorizer",
        str(file),
        "--client-id",
        CLIENT.client_id,
        "--token-endpoint",
        idp.token_endpoint,
        env=cli_env(AUTHGEN_CLIENT_SECRET=None),
    )
    assert result.code == 1, result
    assert error_line(result) == (
        "error: --client-id needs the client secret in AUTHGEN_CLIENT_SECRET"
    )


# --------------------------------------------------------------------------
# fail closed: a token check that cannot run is a failure unless --no-token
# --------------------------------------------------------------------------


def test_verify_without_obtainable_credentials_exits_1_with_the_reason(project, idp, tmp_path):
    file = _authorizer(tmp_path, idp, allowedClients=[CLIENT.client_id])
    result = run(
        project, "verify", "idp", "--authorizer", str(file), "--json", "--wait", "10",
        env=cli_env(AUTHGEN_CLIENT_SECRET=None),
    )  # fmt: skip
    assert result.code == 1, result
    doc = result.json()
    assert doc["ok"] is False and doc["no_token"] is False
    failed = {c["name"]: c for c in doc["checks"] if c["status"] == "fail"}
    assert list(failed) == ["token"], doc
    assert "no client credentials: idp: not applied here" in failed["token"]["detail"]
    assert "--no-token" in failed["token"]["fix"]
    status = {c["name"]: c["status"] for c in doc["checks"]}
    assert status["discovery document"] == status["JWKS"] == "pass"

    human = run(
        project, "verify", "idp", "--authorizer", str(file), "--wait", "10",
        env=cli_env(AUTHGEN_CLIENT_SECRET=None),
    )  # fmt: skip
    assert human.code == 1, human
    assert "FAIL" in human.stdout and "1 failed" in human.stdout


def test_verify_no_token_checks_discovery_only_and_passes(project, idp, tmp_path):
    file = _authorizer(tmp_path, idp, allowedClients=[CLIENT.client_id])
    result = run(
        project, "verify", "idp", "--authorizer", str(file), "--no-token", "--json",
        "--wait", "10", env=cli_env(AUTHGEN_CLIENT_SECRET=None),
    )  # fmt: skip
    assert result.code == 0, result
    doc = result.json()
    assert doc["ok"] is True and doc["no_token"] is True
    status = {c["name"]: c["status"] for c in doc["checks"]}
    assert status["discovery document"] == status["issuer"] == status["JWKS"] == "pass"
    assert status["token"] == "skip"
    assert "signature" not in status
    assert not (project / "build").exists()  # no outputs read, no terraform


def test_verify_no_token_with_a_client_flag_is_one_line(project, idp, tmp_path):
    file = _authorizer(tmp_path, idp, allowedClients=[CLIENT.client_id])
    result = _authgen(project, idp, "verify", "idp", "--authorizer", str(file), "--no-token")
    assert result.code == 1, result
    assert error_line(result) == (
        "error: --no-token leaves the token out, so --client-id and --token-endpoint would be "
        "unused; drop one or the other"
    )


# --------------------------------------------------------------------------
# an endpoint that echoes the request: no form of the secret in any output
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "path", "echo"), [("idp", "/oauth2/token", "json"), ("zero", "/oauth/token", "text")]
)
def test_an_echoed_secret_reaches_no_output(project, idp, static, tmp_path, env, path, echo):
    server = static({path: route(400, echo=echo)})
    file = _authorizer(tmp_path, idp, allowedClients=[ECHO_CLIENT])
    flags = ["--client-id", ECHO_CLIENT, "--token-endpoint", server.url(path), "--wait", "5"]
    secret_env = cli_env(AUTHGEN_CLIENT_SECRET=ECHOED)
    runs = [
        run(project, "token", env, *flags, env=secret_env),
        run(project, "token", env, *flags, "--json", "-v", env=secret_env),
        run(project, "verify", env, "--authorizer", str(file), *flags, env=secret_env),
        run(
            project,
            "verify",
            env,
            "--authorizer",
            str(file),
            *flags,
            "--json",
            "-v",
            env=secret_env,
        ),
    ]
    assert len(server.requests()) == 4  # each run sent the secret and had it echoed
    for result in runs:
        assert result.code == 1, result
        assert leaked(result.stdout + result.stderr) == [], result
    # the echo is shown, masked: the user sees what the endpoint said
    token_json = runs[1].json()
    assert "***" in token_json["error"], token_json
    verify_json = runs[3].json()
    (token_row,) = [c for c in verify_json["checks"] if c["name"] == "token"]
    assert token_row["status"] == "fail" and "***" in token_row["detail"], token_row
