"""``authgen emulator``'s token endpoint, over real HTTP.

The emulator runs as its own process (``authgen emulator --port N``). Pools,
clients and the pre token generation function are created with boto3
against it (the function from the Cognito module's committed zip); tokens
are fetched with requests and checked with PyJWT against the JWKS that the
pool's discovery document names. The trigger runs for real: the emulator
executes the function's handler, which asks the emulator's Cognito for the
client's name.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import uuid
import zipfile
from io import BytesIO

import jwt
import pytest
import requests

from generator.emulator import free_port
from tests.modules.tfhelpers import MODULES

REGION = "us-west-2"
ZIP = MODULES / "cognito" / "trigger" / "pre-token-generation.zip"
RS = "gateway-resource-server"


@pytest.fixture(scope="module")
def aws(emulator):
    boto3 = pytest.importorskip("boto3")
    kw = {"region_name": REGION, "endpoint_url": emulator.url}
    return {name: boto3.client(name, **kw) for name in ("cognito-idp", "lambda", "iam")}


def make_function(aws, config: dict | str, code: bytes | None = None) -> str:
    name = f"claims-{uuid.uuid4().hex[:8]}"
    role = aws["iam"].create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    text = config if isinstance(config, str) else json.dumps(config)
    return aws["lambda"].create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code or ZIP.read_bytes()},
        Timeout=5,
        Environment={"Variables": {"CLAIMS_BY_CLIENT": text}},
    )["FunctionArn"]


def make_pool(aws, function_arn: str | None = None, permit: bool = True, **pool_args) -> dict:
    """A pool (with the trigger when given), a resource server, two clients."""
    idp = aws["cognito-idp"]
    if function_arn:
        pool_args["LambdaConfig"] = {
            "PreTokenGenerationConfig": {"LambdaArn": function_arn, "LambdaVersion": "V3_0"}
        }
    pool = idp.create_user_pool(PoolName=f"p-{uuid.uuid4().hex[:8]}", **pool_args)["UserPool"]
    if function_arn and permit:
        aws["lambda"].add_permission(
            FunctionName=function_arn.rsplit(":", 1)[1],
            StatementId="cognito",
            Action="lambda:InvokeFunction",
            Principal="cognito-idp.amazonaws.com",
            SourceArn=pool["Arn"],
        )
    idp.create_resource_server(
        UserPoolId=pool["Id"],
        Identifier=RS,
        Name="RS",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "r"},
            {"ScopeName": "write", "ScopeDescription": "w"},
        ],
    )
    clients = {}
    for name, scopes, minutes in (
        ("gateway-client", ["read", "write"], 30),
        ("reader", ["read"], 5),
    ):
        clients[name] = idp.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName=name,
            GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=[f"{RS}/{s}" for s in scopes],
            AccessTokenValidity=minutes,
            TokenValidityUnits={"AccessToken": "minutes"},
        )["UserPoolClient"]
    return {"pool": pool, "clients": clients}


CONFIG = {
    "gateway-client": {
        "claims": {"department": "engineering"},
        "list_claims": {"groups": ["admins", "ops"]},
    }
}


@pytest.fixture(scope="module")
def with_claims(aws):
    return make_pool(aws, make_function(aws, CONFIG))


def post(emulator, data=None, auth=None, **kwargs) -> requests.Response:
    return requests.post(f"{emulator.url}/oauth2/token", data=data, auth=auth, timeout=30, **kwargs)


def basic(client) -> tuple[str, str]:
    return client["ClientId"], client["ClientSecret"]


def verified(emulator, pool_id: str, token: str) -> dict:
    """The token's claims after checking it the way the Gateway does: the key
    from the JWKS behind the discovery URL, RS256, the discovery issuer."""
    discovery = requests.get(
        f"{emulator.url}/{pool_id}/.well-known/openid-configuration", timeout=10
    ).json()
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token).key
    return jwt.decode(token, key, algorithms=["RS256"], issuer=discovery["issuer"])


def test_client_credentials_token_carries_cognitos_claims_and_the_triggers(emulator, with_claims):
    client = with_claims["clients"]["gateway-client"]
    response = post(emulator, {"grant_type": "client_credentials"}, basic(client))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 30 * 60
    assert response.headers["Cache-Control"] == "no-store"
    claims = verified(emulator, with_claims["pool"]["Id"], body["access_token"])
    pool_id = with_claims["pool"]["Id"]
    assert claims["iss"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert claims["sub"] == claims["client_id"] == client["ClientId"]
    assert claims["token_use"] == "access"
    assert claims["scope"] == f"{RS}/read {RS}/write"  # no scope asked: all of the client's
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert claims["auth_time"] == claims["iat"]
    assert claims["version"] == 2
    uuid.UUID(claims["jti"])
    assert "aud" not in claims
    # added by the pool's pre token generation trigger, run for real
    assert claims["department"] == "engineering"
    assert claims["groups"] == ["admins", "ops"]
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256" and header["kid"]


def test_form_credentials_and_a_narrower_scope(emulator, with_claims):
    client = with_claims["clients"]["gateway-client"]
    form = {
        "grant_type": "client_credentials",
        "client_id": client["ClientId"],
        "client_secret": client["ClientSecret"],
        "scope": f"{RS}/write",
    }
    response = post(emulator, form)
    assert response.status_code == 200, response.text
    claims = verified(emulator, with_claims["pool"]["Id"], response.json()["access_token"])
    assert claims["scope"] == f"{RS}/write"
    assert claims["department"] == "engineering"


def test_a_client_without_configured_claims_gets_none(emulator, with_claims):
    reader = with_claims["clients"]["reader"]
    response = post(emulator, {"grant_type": "client_credentials"}, basic(reader))
    assert response.status_code == 200, response.text
    claims = verified(emulator, with_claims["pool"]["Id"], response.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 5 * 60
    assert "department" not in claims and "groups" not in claims


def test_a_pool_without_a_trigger_issues_plain_tokens(emulator, aws):
    made = make_pool(aws)
    client = made["clients"]["gateway-client"]
    response = post(emulator, {"grant_type": "client_credentials"}, basic(client))
    assert response.status_code == 200, response.text
    claims = verified(emulator, made["pool"]["Id"], response.json()["access_token"])
    assert set(claims) == {
        "sub", "client_id", "scope", "token_use", "iss", "exp", "iat", "jti", "version", "auth_time",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("case", "data", "auth", "error"),
    [
        ("wrong secret", {"grant_type": "client_credentials"}, "wrong", "invalid_client"),
        ("unknown client", {"grant_type": "client_credentials"}, "unknown", "invalid_client"),
        ("no credentials", {"grant_type": "client_credentials"}, None, "invalid_client"),
        ("bad basic", {"grant_type": "client_credentials"}, "garbage", "invalid_client"),
        (
            "scope not granted",
            {"grant_type": "client_credentials", "scope": f"{RS}/admin"},
            "ok",
            "invalid_scope",
        ),
        (
            "other grant",
            {"grant_type": "authorization_code", "code": "x"},
            "ok",
            "unsupported_grant_type",
        ),
        ("no grant", {}, "ok", "invalid_request"),
    ],
)
def test_bad_requests_get_cognitos_error_bodies(emulator, with_claims, case, data, auth, error):
    client = with_claims["clients"]["gateway-client"]
    headers = {}
    if auth == "ok":
        credentials = basic(client)
    elif auth == "wrong":
        credentials = (client["ClientId"], "not-the-secret")
    elif auth == "unknown":
        credentials = ("no-such-client", "x")
    elif auth == "garbage":
        credentials = None
        headers["Authorization"] = "Basic !!!"
    else:
        credentials = None
    response = post(emulator, data, credentials, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == error


def test_json_bodies_and_get_are_refused(emulator, with_claims):
    client = with_claims["clients"]["gateway-client"]
    as_json = requests.post(
        f"{emulator.url}/oauth2/token",
        json={"grant_type": "client_credentials"},
        auth=basic(client),
        timeout=10,
    )
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    assert requests.get(f"{emulator.url}/oauth2/token", timeout=10).status_code == 405


def test_a_client_without_the_client_credentials_flow_is_unauthorized(emulator, aws, with_claims):
    idp = aws["cognito-idp"]
    client = idp.create_user_pool_client(
        UserPoolId=with_claims["pool"]["Id"], ClientName="no-flow", GenerateSecret=True
    )["UserPoolClient"]
    response = post(emulator, {"grant_type": "client_credentials"}, basic(client))
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_a_trigger_cognito_may_not_invoke_fails_the_request(emulator, aws):
    made = make_pool(aws, make_function(aws, CONFIG), permit=False)
    client = made["clients"]["gateway-client"]
    response = post(emulator, {"grant_type": "client_credentials"}, basic(client))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "aws_lambda_permission is missing" in body["error_description"]


def test_a_failing_trigger_fails_the_request_with_its_error(emulator, aws):
    made = make_pool(aws, make_function(aws, "not json"))
    client = made["clients"]["gateway-client"]
    response = post(emulator, {"grant_type": "client_credentials"}, basic(client))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "PreTokenGeneration failed" in body["error_description"]
    assert "JSONDecodeError" in body["error_description"]
    assert client["ClientSecret"] not in response.text


def _zip(source: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


def test_a_trigger_overriding_a_claim_cognito_sets_fails_the_request(emulator, aws):
    code = _zip(
        "def handler(event, context):\n"
        "    event['response'] = {'claimsAndScopeOverrideDetails': {'accessTokenGeneration':"
        " {'claimsToAddOrOverride': {'iss': 'https://evil.example'}}}}\n"
        "    return event\n"
    )
    made = make_pool(aws, make_function(aws, {}, code=code))
    response = post(
        emulator, {"grant_type": "client_credentials"}, basic(made["clients"]["reader"])
    )
    assert response.status_code == 400
    assert "does not let a trigger change: iss" in response.json()["error_description"]


def test_the_trigger_gets_the_documented_v3_event(emulator, aws):
    """A handler that echoes its event into a claim: the emulator sends the V3_0
    client_credentials shape, with aws_client_metadata as clientMetadata."""
    code = _zip(
        "import json\n"
        "def handler(event, context):\n"
        "    event['response']['claimsAndScopeOverrideDetails'] = {'accessTokenGeneration':"
        " {'claimsToAddOrOverride': {'seen': json.dumps(event)}, 'scopesToAdd': ['x/y']}}\n"
        "    return event\n"
    )
    made = make_pool(aws, make_function(aws, {}, code=code))
    client = made["clients"]["reader"]
    form = {"grant_type": "client_credentials", "aws_client_metadata": json.dumps({"team": "a"})}
    response = post(emulator, form, basic(client))
    assert response.status_code == 200, response.text
    claims = verified(emulator, made["pool"]["Id"], response.json()["access_token"])
    seen = json.loads(claims["seen"])
    assert seen["version"] == "3"
    assert seen["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert seen["userPoolId"] == made["pool"]["Id"]
    assert seen["region"] == REGION
    assert seen["callerContext"]["clientId"] == client["ClientId"]
    assert seen["request"]["scopes"] == [f"{RS}/read"]
    assert seen["request"]["clientMetadata"] == {"team": "a"}
    assert seen["response"] == {"claimsAndScopeOverrideDetails": None}
    assert claims["scope"] == f"{RS}/read x/y"


# --- the command ------------------------------------------------------------------------


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_command_prints_its_url_first_and_stops_on_a_signal(sig):
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    port = free_port()
    proc = _start("--port", str(port))
    try:
        first = proc.stdout.readline()
        assert first == f"AUTHGEN_ENDPOINT_URL=http://127.0.0.1:{port}\n"
        answer = requests.get(
            f"http://127.0.0.1:{port}/us-west-2_x/.well-known/jwks.json", timeout=10
        )
        assert answer.json()["keys"]
        os.kill(proc.pid, sig)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "Traceback" not in proc.stderr.read()


def test_a_port_in_use_is_one_line(emulator):
    proc = _start("--port", str(emulator.port))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert out == ""
    assert err.strip().splitlines() == [
        f"error: port {emulator.port} on 127.0.0.1 is in use; stop what listens there or pass "
        "--port 0 for a free port"
    ]


def test_port_zero_picks_a_free_port():
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    proc = _start("--port", "0")
    try:
        first = proc.stdout.readline()
        assert first.startswith("AUTHGEN_ENDPOINT_URL=http://127.0.0.1:")
        port = int(first.rsplit(":", 1)[1])
        assert port > 0
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_the_basic_header_is_what_requests_sends(with_claims):
    """The tests above send credentials the way authgen token does."""
    client = with_claims["clients"]["gateway-client"]
    prepared = requests.Request(
        "POST", "http://x/oauth2/token", auth=basic(client), data={"a": "b"}
    ).prepare()
    expected = base64.b64encode(f"{client['ClientId']}:{client['ClientSecret']}".encode())
    assert prepared.headers["Authorization"] == f"Basic {expected.decode()}"


def test_without_moto_the_command_says_how_to_install_it():
    """moto is the ``emulator`` extra: its absence is one line, exit 1."""
    code = (
        "import sys; sys.modules['moto'] = None\n"
        "from generator.cli import main\n"
        "sys.exit(main(['emulator', '--port', '0']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: the emulator needs moto[server]: pip install 'authgen[emulator]' "
        "(make setup installs it)"
    ]
