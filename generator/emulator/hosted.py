"""What Cognito's hosted domain serves, for the emulator: ``POST /oauth2/token``.

Only the ``client_credentials`` grant, as Cognito answers it: the app client
authenticates with HTTP Basic or with ``client_id`` / ``client_secret`` in
the form, must hold the ``client_credentials`` flow, and may ask only for its
allowed scopes (none asked: all of them). The answer is an RS256 access token
signed with the key moto publishes at every pool's JWKS, carrying Cognito's
access-token claims (``sub``, ``client_id``, ``scope``, ``token_use``,
``iss``, ``exp``, ``iat``, ``jti``, ``version``, ``auth_time``) plus what the
pool's pre token generation trigger (event version V3_0) adds: the emulator
runs that function's code for real (``trigger.Runner``). Errors are Cognito's
bodies (``{"error": "invalid_client"}`` ...) with HTTP 400.

Where Cognito's behaviour is not documented, the emulator is strict and says
so in ``error_description``: a trigger that fails, or that tries to override
a claim Cognito sets itself, fails the token request (400 invalid_request).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from generator import rules
from generator.emulator import trigger

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth2/token"
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
#: Claims a trigger cannot touch in an access token (``scope`` changes through
#: scopesToAdd / scopesToSuppress only).
RESERVED = rules.COGNITO_RESERVED_CLAIMS


class OAuthError(Exception):
    """An error answer of the token endpoint."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.description = description


def _signing_key() -> tuple[Any, str]:
    """The private key (and its kid) whose public half moto serves at every
    pool's ``/.well-known/jwks.json``."""
    import jwt
    from moto.utilities.utils import load_resource

    jwk = load_resource("cognitoidp/resources/jwks-private.json")
    return jwt.PyJWK(jwk, algorithm="RS256").key, jwk["kid"]


class TokenEndpoint:
    """WSGI middleware: ``/oauth2/token`` here, everything else to ``app`` (moto)."""

    def __init__(
        self, app: Callable, runner: trigger.Runner, clock: Callable[[], float] = time.time
    ):
        self.app = app
        self.runner = runner
        self.clock = clock
        self._key: tuple[Any, str] | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != TOKEN_PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return _respond(start_response, 405, {"error": "invalid_request"}, allow="POST")
        try:
            body = self.issue(environ)
            status = 200
        except OAuthError as err:
            body = {"error": err.error}
            if err.description:
                body["error_description"] = err.description
            status = 400
            log.info("token endpoint: %s %s", err.error, err.description)
        return _respond(start_response, status, body)

    # -- the grant ---------------------------------------------------------

    def issue(self, environ: dict) -> dict[str, Any]:
        """The token response for one request (raises OAuthError)."""
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise OAuthError(
                "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
            )
        form = _form(environ)
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError("invalid_request", "grant_type is missing")
        if grant != "client_credentials":
            raise OAuthError(
                "unsupported_grant_type", "the emulator issues client_credentials tokens only"
            )
        client_id, secret = _credentials(environ, form)
        pool, client = _find_client(client_id)
        if not (client.generate_secret and client.secret and secret):
            raise OAuthError("invalid_client")
        if not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise OAuthError("invalid_client")
        flows = client.extended_config.get("AllowedOAuthFlows") or []
        if "client_credentials" not in flows or not client.extended_config.get(
            "AllowedOAuthFlowsUserPoolClient"
        ):
            raise OAuthError("unauthorized_client")
        allowed = list(client.extended_config.get("AllowedOAuthScopes") or [])
        asked = (form.get("scope") or "").split()
        if any(s not in allowed for s in asked) or not (asked or allowed):
            raise OAuthError("invalid_scope")
        scopes = asked or allowed
        now = int(self.clock())
        lifetime = _lifetime(client.extended_config)
        claims: dict[str, Any] = {
            "sub": client.id,
            "token_use": "access",
            "scope": " ".join(scopes),
            "auth_time": now,
            "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
            "exp": now + lifetime,
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client.id,
        }
        self.apply_trigger(pool, client, scopes, form, claims)
        key, kid = self._key or _signing_key()
        self._key = (key, kid)
        import jwt

        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
        log.info(
            "token for client %s of %s: scope %r, claims %s",
            client.extended_config.get("ClientName"),
            pool.id,
            claims["scope"],
            ", ".join(sorted(claims)),
        )
        return {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}

    def apply_trigger(
        self, pool: Any, client: Any, scopes: list[str], form: dict, claims: dict
    ) -> None:
        """Run the pool's V3_0 pre token generation trigger, if any, and apply its answer."""
        config = (pool.extended_config.get("LambdaConfig") or {}).get("PreTokenGenerationConfig")
        if not config or config.get("LambdaVersion") != "V3_0" or not config.get("LambdaArn"):
            return  # V1_0 / V2_0 events do not cover client_credentials tokens
        if pool.extended_config.get("UserPoolTier") == "LITE":
            log.warning("%s: feature plan LITE runs no V3_0 trigger; no claims added", pool.id)
            return
        try:
            function = trigger.lookup(config["LambdaArn"])
            if not trigger.may_invoke(function, pool.arn):
                raise trigger.TriggerError(
                    f"{function.name}'s resource policy does not let cognito-idp.amazonaws.com "
                    f"invoke it for {pool.arn} (an aws_lambda_permission is missing)"
                )
            answer = self.runner.invoke(function, _event(pool, client, scopes, form))
        except trigger.TriggerError as err:
            raise OAuthError("invalid_request", f"PreTokenGeneration failed: {err}") from None
        details = (answer.get("response") or {}).get("claimsAndScopeOverrideDetails") or {}
        access = details.get("accessTokenGeneration") or {}
        added = access.get("claimsToAddOrOverride") or {}
        suppressed = access.get("claimsToSuppress") or []
        touched = sorted((set(added) | set(suppressed)) & RESERVED)
        touched += sorted(n for n in set(added) | set(suppressed) if n.startswith("cognito:"))
        if touched:
            raise OAuthError(
                "invalid_request",
                f"PreTokenGeneration returned claims Cognito does not let a trigger change: "
                f"{', '.join(touched)}",
            )
        for name in suppressed:
            claims.pop(name, None)
        claims.update(added)
        scope = [
            s for s in claims["scope"].split() if s not in (access.get("scopesToSuppress") or [])
        ]
        scope += [s for s in access.get("scopesToAdd") or [] if s not in scope]
        claims["scope"] = " ".join(scope)


def _event(pool: Any, client: Any, scopes: list[str], form: dict) -> dict[str, Any]:
    """The V3_0 pre token generation event of a client_credentials request."""
    metadata = {}
    raw = form.get("aws_client_metadata")
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise OAuthError("invalid_request", "aws_client_metadata is not JSON") from None
        if isinstance(parsed, dict):
            metadata = {str(k): str(v) for k, v in parsed.items()}
    return {
        "version": "3",
        "triggerSource": "TokenGeneration_ClientCredentials",
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": client.id,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client.id},
        "request": {
            "userAttributes": {},
            "groupConfiguration": {
                "groupsToOverride": [],
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
            "scopes": list(scopes),
            "clientMetadata": metadata,
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def _form(environ: dict) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
    parsed = parse_qs(raw, keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _credentials(environ: dict, form: dict[str, str]) -> tuple[str, str]:
    """(client id, secret) from HTTP Basic, else from the form."""
    header = environ.get("HTTP_AUTHORIZATION") or ""
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client") from None
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise OAuthError("invalid_client")
        if form.get("client_id") and form["client_id"] != client_id:
            raise OAuthError("invalid_client")
        return client_id, secret
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    raise OAuthError("invalid_client")


def _find_client(client_id: str) -> tuple[Any, Any]:
    """(user pool, app client) holding ``client_id``, in any account and region."""
    from moto.cognitoidp.models import cognitoidp_backends

    for regions in list(cognitoidp_backends.values()):
        for backend in list(regions.values()):
            for pool in list(backend.user_pools.values()):
                client = pool.clients.get(client_id)
                if client is not None:
                    return pool, client
    raise OAuthError("invalid_client")


def _lifetime(config: dict[str, Any]) -> int:
    """The access token lifetime of the client, in seconds (Cognito's default 1 h)."""
    validity = config.get("AccessTokenValidity")
    unit = (config.get("TokenValidityUnits") or {}).get("AccessToken") or "hours"
    if not validity:
        return 3600
    return int(validity) * UNIT_SECONDS.get(unit, 3600)


def _respond(start_response: Callable, status: int, body: dict, **headers: str) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed"}[status]
    extra = [(k.title(), v) for k, v in headers.items()]
    start_response(
        f"{status} {reason}",
        [
            ("Content-Type", "application/json;charset=UTF-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
            *extra,
        ],
    )
    return [data]
