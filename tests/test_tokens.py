"""The client_credentials grant against real HTTP servers on 127.0.0.1.

nanoidp is a real OIDC provider; the small static server answers canned
responses and records each request so its shape can be checked.
"""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import parse_qs

import jwt
import pytest
import requests

from generator import tokens
from generator.emulator import free_port
from generator.errors import VerifyError
from tests.support.idp_fixtures import AUDIENCE, GATEWAY, OTHER, POSTER, READER
from tests.support.leaks import ECHO_CLIENT, ECHOED, PADS, leaked
from tests.support.static_http import route

SECRET = "the-client-secret-9f8e7d"
OK = {"access_token": "header.payload.sig", "token_type": "Bearer", "expires_in": 3600}


# --------------------------------------------------------------------------
# nanoidp: a real provider
# --------------------------------------------------------------------------


def test_cognito_style_grant_against_nanoidp(nanoidp):
    answer = tokens.fetch_token(
        "cognito",
        nanoidp.token_endpoint,
        GATEWAY.client_id,
        GATEWAY.client_secret,
        scopes=["invoke:gateway", "read:gateway"],
        wait=10,
    )
    assert answer.token_type == "Bearer"
    assert answer.expires_in == 3600
    assert answer.scope == "invoke:gateway read:gateway"
    claims = jwt.decode(answer.access_token, options={"verify_signature": False})
    assert claims["client_id"] == GATEWAY.client_id
    assert claims["aud"] == AUDIENCE
    assert claims["scope"] == "invoke:gateway read:gateway"


def test_client_secret_post_against_nanoidp(nanoidp):
    answer = tokens.fetch_token(
        "oidc",
        nanoidp.token_endpoint,
        POSTER.client_id,
        POSTER.client_secret,
        auth_method="client_secret_post",
        scopes=["invoke:gateway"],
        wait=10,
    )
    claims = jwt.decode(answer.access_token, options={"verify_signature": False})
    assert claims["client_id"] == POSTER.client_id


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [(GATEWAY.client_id, "wrong-secret-000"), ("no-such-client", "whatever-secret-1")],
)
def test_wrong_client_or_secret_says_so(nanoidp, client_id, secret):
    with pytest.raises(tokens.TokenError) as err:
        tokens.fetch_token("oidc", nanoidp.token_endpoint, client_id, secret, wait=10)
    assert err.value.kind == "unauthorized"
    assert err.value.status == 401
    assert "wrong client id or secret" in str(err.value)
    assert secret not in str(err.value)
    assert isinstance(err.value, VerifyError)


def test_a_scope_the_client_may_not_have(nanoidp):
    with pytest.raises(tokens.TokenError) as err:
        tokens.fetch_token(
            "oidc",
            nanoidp.token_endpoint,
            READER.client_id,
            READER.client_secret,
            scopes=["invoke:gateway"],
            wait=10,
        )
    assert err.value.kind == "scope"
    assert "clients[].scopes" in err.value.fix


def test_basic_client_sending_the_secret_in_the_body_is_refused(nanoidp):
    with pytest.raises(tokens.TokenError) as err:
        tokens.fetch_token(
            "oidc",
            nanoidp.token_endpoint,
            OTHER.client_id,
            OTHER.client_secret,
            auth_method="client_secret_post",
            wait=10,
        )
    assert err.value.kind == "unauthorized"
    assert OTHER.client_secret not in str(err.value)


# --------------------------------------------------------------------------
# request shapes
# --------------------------------------------------------------------------


def test_cognito_request_shape(static):
    server = static({"/oauth2/token": route(200, {**OK, "scope": "gw/read gw/write"})})
    answer = tokens.cognito_token(
        server.url("/oauth2/token"), "client-1", SECRET, ["gw/read", "gw/write"], wait=5
    )
    assert answer.scope == "gw/read gw/write"
    (req,) = server.requests()
    assert req["method"] == "POST"
    assert req["path"] == "/oauth2/token"
    assert req["headers"]["content-type"] == "application/x-www-form-urlencoded"
    basic = base64.b64encode(f"client-1:{SECRET}".encode()).decode()
    assert req["headers"]["authorization"] == f"Basic {basic}"
    form = parse_qs(req["body"])
    assert form == {"grant_type": ["client_credentials"], "scope": ["gw/read gw/write"]}


def test_oidc_post_request_shape_with_audience(static):
    server = static({"/token": route(200, OK)})
    tokens.client_credentials(
        server.url("/token"),
        "client-1",
        SECRET,
        audience="api://gateway",
        scopes=["a"],
        auth_method="client_secret_post",
        wait=5,
    )
    (req,) = server.requests()
    assert "authorization" not in req["headers"]
    assert parse_qs(req["body"]) == {
        "grant_type": ["client_credentials"],
        "scope": ["a"],
        "audience": ["api://gateway"],
        "client_id": ["client-1"],
        "client_secret": [SECRET],
    }


def test_auth0_request_shape(static):
    server = static({"/oauth/token": route(200, {**OK, "expires_in": 86400})})
    answer = tokens.auth0_token(
        f"127.0.0.1:{server.port}", "m2m-client", SECRET, "gateway123", protocol="http", wait=5
    )
    assert answer.expires_in == 86400
    (req,) = server.requests()
    assert req["method"] == "POST"
    assert req["path"] == "/oauth/token"
    assert req["headers"]["content-type"] == "application/json"
    body = json.loads(req["body"])
    assert body["grant_type"] == "client_credentials"
    assert body["client_id"] == "m2m-client"
    assert body["client_secret"] == SECRET
    assert body["audience"] == "gateway123"


def test_auth0_through_fetch_token_uses_the_endpoint_host(static):
    server = static({"/oauth/token": route(200, OK)})
    tokens.fetch_token(
        "auth0", server.url("/oauth/token"), "m2m-client", SECRET, audience="gateway123", wait=5
    )
    assert [r["path"] for r in server.requests()] == ["/oauth/token"]


def test_auth0_without_audience_is_refused_before_any_request(static):
    server = static({"/oauth/token": route(200, OK)})
    with pytest.raises(tokens.TokenError, match="opaque token") as err:
        tokens.fetch_token("auth0", server.url("/oauth/token"), "m2m", SECRET, wait=5)
    assert err.value.kind == "config"
    assert server.requests() == []


@pytest.mark.parametrize(
    ("answer", "kind", "fragment"),
    [
        (route(401, {"error": "access_denied", "error_description": "Unauthorized"}), "unauthorized", "wrong client id or secret"),
        (route(403, {"error": "access_denied", "error_description": "Service not found: nope"}), "forbidden", "not an API of this tenant"),
        (route(403, {"error": "access_denied", "error_description": 'Client is not authorized to access "x"'}), "forbidden", "client grant"),
        (route(200, body="<html>hello</html>", content_type="text/html"), "bad_response", "not a JSON object"),
        (route(200, {"token_type": "Bearer"}), "bad_response", "without an access_token"),
        (route(500, body="oops", content_type="text/plain"), "http", "HTTP 500"),
    ],
)  # fmt: skip
def test_auth0_errors_say_why(static, answer, kind, fragment):
    server = static({"/oauth/token": answer})
    with pytest.raises(tokens.TokenError) as err:
        tokens.auth0_token(
            f"127.0.0.1:{server.port}", "m2m", SECRET, "gateway123", protocol="http", wait=5
        )
    assert err.value.kind == kind
    assert fragment in str(err.value)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize(
    ("answer", "kind", "fragment"),
    [
        (route(400, {"error": "invalid_client"}), "unauthorized", "wrong client id or secret"),
        (route(400, {"error": "unauthorized_client"}), "forbidden", "client_credentials flow"),
        (route(400, {"error": "invalid_scope"}), "scope", "not allowed for this client"),
        (route(400, {"error": "invalid_request", "error_description": f"bad {SECRET}"}), "http", "bad ***"),
        (route(200, body="<!doctype html>", content_type="text/html"), "bad_response", "text/html, not a JSON object"),
        (route(500, body="<html>500</html>", content_type="text/html"), "http", "HTTP 500 with text/html"),
        (route(302, body=""), "bad_response", "redirected"),
    ],
)  # fmt: skip
def test_cognito_errors_say_why(static, answer, kind, fragment):
    server = static({"/oauth2/token": answer})
    with pytest.raises(tokens.TokenError) as err:
        tokens.cognito_token(server.url("/oauth2/token"), "client-1", SECRET, ["a/b"], wait=5)
    assert err.value.kind == kind
    assert fragment in str(err.value)
    assert SECRET not in str(err.value)


def test_missing_inputs_are_config_errors():
    for args in (("", "id", SECRET), ("http://x/token", "", SECRET), ("http://x/token", "id", "")):
        with pytest.raises(tokens.TokenError) as err:
            tokens.client_credentials(*args, wait=0)
        assert err.value.kind == "config"
    with pytest.raises(tokens.TokenError, match="not supported"):
        tokens.fetch_token("okta", "http://x/token", "id", SECRET)
    with pytest.raises(tokens.TokenError, match="auth method"):
        tokens.client_credentials("http://x/token", "id", SECRET, auth_method="private_key_jwt")


def test_auth0_domain():
    assert tokens.auth0_domain("https://dev-x.us.auth0.com/oauth/token") == (
        "https",
        "dev-x.us.auth0.com",
    )
    assert tokens.auth0_domain("http://127.0.0.1:8080/oauth/token") == ("http", "127.0.0.1:8080")
    assert tokens.auth0_domain("dev-x.us.auth0.com") == ("https", "dev-x.us.auth0.com")


def test_token_response_never_shows_the_token():
    answer = tokens.TokenResponse("very.secret.token", "Bearer", 60, "a b")
    assert "very.secret.token" not in repr(answer)
    assert answer.as_dict() == {
        "access_token": "very.secret.token",
        "token_type": "Bearer",
        "expires_in": 60,
        "scope": "a b",
    }
    assert tokens.TokenResponse("t").as_dict() == {"access_token": "t", "token_type": "Bearer"}


# --------------------------------------------------------------------------
# readiness and backoff
# --------------------------------------------------------------------------


def test_a_server_that_starts_late_is_waited_for(static, caplog):
    caplog.set_level(logging.INFO, logger="generator.tokens")
    port = free_port()
    static({"/token": route(200, OK)}, port=port, delay=1.5, wait_ready=False)
    answer = tokens.client_credentials(f"http://127.0.0.1:{port}/token", "id", SECRET, wait=60)
    assert answer.access_token == OK["access_token"]
    assert any("retrying" in r.getMessage() for r in caplog.records)  # it did wait


def test_a_server_that_never_starts_fails_at_the_deadline(caplog):
    caplog.set_level(logging.INFO, logger="generator.tokens")
    url = f"http://127.0.0.1:{free_port()}/token"
    with pytest.raises(tokens.TokenError) as err:
        tokens.client_credentials(url, "id", SECRET, wait=1.0)
    assert err.value.kind == "unreachable"
    assert "cannot connect to the token endpoint 127.0.0.1" in str(err.value)
    attempts = int(str(err.value).split("tried ")[1].split(" ")[0])
    assert attempts >= 2  # it retried


def test_a_refused_connection_is_retried_until_the_deadline_and_once_at_it():
    """Real refused connections, an injected clock: the attempts and pauses
    up to the deadline, and one last attempt there."""
    url = f"http://127.0.0.1:{free_port()}/token"
    clock = FakeClock(50.0)
    attempts = []

    def post():
        attempts.append(clock())
        return requests.post(url, timeout=5)

    with pytest.raises(tokens.TokenError, match=r"tried 4 times over 1\.0 s") as err:
        tokens.with_retry(post, url=url, wait=1.0, sleep=clock.sleep, clock=clock)
    assert err.value.kind == "unreachable"
    assert clock.sleeps == [0.25, 0.5, 0.25]
    assert attempts == [50.0, 50.25, 50.75, 51.0]  # the last one at the deadline


def test_a_host_that_does_not_resolve_yet():
    # .invalid never resolves (RFC 6761), like a Cognito domain minutes old.
    with pytest.raises(tokens.TokenError) as err:
        tokens.cognito_token(
            "https://my-gateway-dev.auth.us-west-2.invalid/oauth2/token", "id", SECRET, wait=0.5
        )
    assert err.value.kind == "dns"
    assert "does not resolve" in err.value.reason
    assert "Cognito domain takes a few minutes" in err.value.fix
    assert "--wait" in err.value.fix


def test_wait_zero_tries_once():
    calls = []

    def op():
        calls.append(1)
        raise requests.exceptions.ConnectionError("refused")

    with pytest.raises(tokens.TokenError):
        tokens.with_retry(op, url="http://127.0.0.1:1/token", wait=0)
    assert len(calls) == 1


class FakeClock:
    """A monotonic clock that moves only when ``sleep`` is called: injected
    into with_retry (nothing global is patched)."""

    def __init__(self, start: float = 0.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_is_exponential_and_stops_at_the_deadline():
    clock = FakeClock(1000.0)

    def op():
        raise requests.exceptions.ConnectionError("refused")

    with pytest.raises(tokens.TokenError, match=r"tried 6 times over 5\.0 s"):
        tokens.with_retry(
            op, url="http://127.0.0.1:1/token", wait=5, sleep=clock.sleep, clock=clock
        )
    sleeps = clock.sleeps
    assert sleeps == [0.25, 0.5, 1.0, 2.0, 1.25]


def test_backoff_delay_is_capped():
    clock = FakeClock()

    def op():
        raise requests.exceptions.ConnectionError("refused")

    with pytest.raises(tokens.TokenError):
        tokens.with_retry(
            op, url="http://127.0.0.1:1/token", wait=120, sleep=clock.sleep, clock=clock
        )
    sleeps = clock.sleeps
    assert max(sleeps) == tokens.MAX_DELAY
    assert sum(sleeps) == pytest.approx(120)


def test_other_errors_are_not_retried():
    calls = []

    def op():
        calls.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError):
        tokens.with_retry(op, url="http://127.0.0.1:1/token", wait=30)
    assert len(calls) == 1


def test_nothing_secret_is_logged(nanoidp, static, caplog):
    caplog.set_level(logging.DEBUG)
    answer = tokens.fetch_token(
        "oidc", nanoidp.token_endpoint, GATEWAY.client_id, GATEWAY.client_secret, wait=10
    )
    with pytest.raises(tokens.TokenError):
        tokens.fetch_token("oidc", nanoidp.token_endpoint, GATEWAY.client_id, SECRET, wait=10)
    with pytest.raises(tokens.TokenError):
        tokens.client_credentials(f"http://127.0.0.1:{free_port()}/t", "id", SECRET, wait=0.3)
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (GATEWAY.client_secret, SECRET, answer.access_token):
        assert secret not in text


# --------------------------------------------------------------------------
# an endpoint that echoes the request: no form of the secret gets through
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "echo", "proof"),
    [
        ("basic", "json", "Authorization: Basic ***"),
        ("post", "json", "client_secret=***"),
        ("auth0", "text", '"client_secret": "***"'),
    ],
)
def test_an_echoing_endpoint_never_shows_the_secret(static, caplog, call, echo, proof):
    caplog.set_level(logging.DEBUG)
    server = static({"/oauth2/token": route(400, echo=echo), "/oauth/token": route(400, echo=echo)})
    messages = []
    for pad in PADS:
        with pytest.raises(tokens.TokenError) as err:
            if call == "auth0":
                # auth0-python's URL takes no query: the audience, sent before the
                # secret, moves it across the cut instead.
                tokens.auth0_token(
                    f"127.0.0.1:{server.port}",
                    ECHO_CLIENT,
                    ECHOED,
                    "a" * (pad + 1),
                    protocol="http",
                    wait=5,
                )
            else:
                tokens.client_credentials(
                    server.url(f"/oauth2/token?pad={pad}"),
                    ECHO_CLIENT,
                    ECHOED,
                    auth_method="client_secret_basic" if call == "basic" else "client_secret_post",
                    wait=5,
                )
        messages.append(str(err.value))
    # The server did echo the secret (in the form this client sent it) ...
    sent = server.requests()[0]
    assert leaked(json.dumps(sent)), "the echo server saw no secret: the test proves nothing"
    # ... and the unpadded answer shows it masked in place,
    assert proof in messages[0], messages[0]
    # while no message, however it was cut, and no log line holds any piece of it.
    for message in messages:
        assert leaked(message) == [], message
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert leaked(logs) == []
