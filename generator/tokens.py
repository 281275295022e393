"""The client_credentials grant: one access token for a machine client.

- Cognito: a form POST to the token endpoint (``https://<domain>/oauth2/token``)
  with HTTP Basic client authentication and ``scope`` (space-separated).
- Auth0: auth0-python's ``GetToken.client_credentials(audience)``, which POSTs
  JSON to ``<protocol>://<domain>/oauth/token`` with the client id and secret
  in the body; the audience is the API identifier.
- Any other OIDC provider (nanoidp in the tests): a form POST with
  ``client_secret_basic`` or ``client_secret_post`` and ``audience`` and/or
  ``scope``.

Connection and DNS errors are retried with exponential backoff until the
``wait`` deadline (a new Cognito domain takes a while to resolve); anything
else fails at once with a :class:`TokenError` that says why and what to do.
:func:`with_retry`, the backoff loop, is shared with ``generator.verify`` (its
discovery and JWKS requests).

Neither the client secret nor a token ever reaches a log line or a message:
whatever a server answers is passed through :func:`generator.masking.mask`
(the secret raw, URL-encoded, JSON-escaped, and inside HTTP Basic
credentials, for an endpoint that echoes the request) before it is shortened.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from generator.errors import VerifyError
from generator.masking import mask

try:
    from urllib3.exceptions import NameResolutionError as _NameResolutionError

    _DNS_ERRORS: tuple[type[BaseException], ...] = (socket.gaierror, _NameResolutionError)
except ImportError:  # urllib3 < 2
    _DNS_ERRORS = (socket.gaierror,)

log = logging.getLogger(__name__)

DEFAULT_WAIT = 120.0  # seconds: how long to keep retrying connection/DNS errors
DEFAULT_TIMEOUT = 10.0  # seconds: per request (connect and read)
FIRST_DELAY = 0.25  # seconds: first backoff step, doubled after each attempt
MAX_DELAY = 8.0

PROVIDERS = ("cognito", "auth0", "oidc")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")

T = TypeVar("T")


class TokenError(VerifyError):
    """No token: ``reason`` says why, ``fix`` what to do, ``kind`` classifies it.

    Kinds: ``unauthorized`` (wrong client or secret), ``forbidden`` (client not
    allowed this grant / audience), ``scope``, ``dns`` and ``unreachable``
    (gave up at the deadline), ``tls``, ``timeout``, ``bad_response`` (not
    JSON, no access_token), ``http`` (any other HTTP error), ``config``
    (missing input).
    """

    def __init__(self, reason: str, fix: str, kind: str, status: int | None = None):
        self.reason = reason
        self.fix = fix
        self.kind = kind
        self.status = status
        super().__init__(f"{reason}; {fix}" if fix else reason)

    def masked(self, secrets: Iterable[str], *, client_id: str | None = None) -> TokenError:
        """The same error with every form of ``secrets`` masked in its text."""
        secrets = tuple(secrets)
        return TokenError(
            mask(self.reason, secrets, client_id=client_id),
            mask(self.fix, secrets, client_id=client_id),
            self.kind,
            self.status,
        )


@dataclass(frozen=True)
class TokenResponse:
    """The token endpoint's answer. ``repr`` never shows the token."""

    access_token: str = field(repr=False)
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The OAuth 2.0 response fields (None values left out)."""
        out: dict[str, Any] = {"access_token": self.access_token, "token_type": self.token_type}
        if self.expires_in is not None:
            out["expires_in"] = self.expires_in
        if self.scope is not None:
            out["scope"] = self.scope
        return out


@dataclass(frozen=True)
class ClientCredentials:
    """How to get a token: provider (cognito | auth0 | oidc) and one client.

    ``repr`` never shows the secret.
    """

    provider: str
    token_endpoint: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ()
    audience: str | None = None
    auth_method: str | None = None  # oidc only: client_secret_basic | client_secret_post

    def fetch(
        self, *, wait: float = DEFAULT_WAIT, timeout: float = DEFAULT_TIMEOUT
    ) -> TokenResponse:
        """One client_credentials token for this client (see :func:`fetch_token`)."""
        return fetch_token(
            self.provider,
            self.token_endpoint,
            self.client_id,
            self.client_secret,
            scopes=self.scopes,
            audience=self.audience,
            auth_method=self.auth_method,
            wait=wait,
            timeout=timeout,
        )


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def fetch_token(
    provider: str,
    token_endpoint: str,
    client_id: str,
    client_secret: str,
    *,
    scopes: Iterable[str] | None = None,
    audience: str | None = None,
    auth_method: str | None = None,
    wait: float = DEFAULT_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> TokenResponse:
    """One client_credentials token from ``provider`` (cognito | auth0 | oidc).

    ``token_endpoint`` is the module output of the same name; for Auth0 the
    scheme and host of it (or a bare domain) name the tenant.
    """
    if provider == "cognito":
        return cognito_token(
            token_endpoint, client_id, client_secret, scopes, wait=wait, timeout=timeout
        )
    if provider == "auth0":
        protocol, domain = auth0_domain(token_endpoint)
        return auth0_token(
            domain,
            client_id,
            client_secret,
            audience or "",
            protocol=protocol,
            wait=wait,
            timeout=timeout,
        )
    if provider == "oidc":
        return client_credentials(
            token_endpoint,
            client_id,
            client_secret,
            scopes=scopes,
            audience=audience,
            auth_method=auth_method or "client_secret_basic",
            wait=wait,
            timeout=timeout,
        )
    raise TokenError(
        f"provider {provider!r} is not supported", "use cognito, auth0 or oidc", "config"
    )


def cognito_token(
    token_endpoint: str,
    client_id: str,
    client_secret: str,
    scopes: Iterable[str] | None = None,
    *,
    wait: float = DEFAULT_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> TokenResponse:
    """Cognito: form POST, HTTP Basic client authentication, ``scope`` space-separated."""
    return client_credentials(
        token_endpoint,
        client_id,
        client_secret,
        scopes=scopes,
        auth_method="client_secret_basic",
        wait=wait,
        timeout=timeout,
        provider="cognito",
    )


def client_credentials(
    token_endpoint: str,
    client_id: str,
    client_secret: str,
    *,
    scopes: Iterable[str] | None = None,
    audience: str | None = None,
    auth_method: str = "client_secret_basic",
    wait: float = DEFAULT_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
    provider: str = "oidc",
) -> TokenResponse:
    """The generic OIDC client_credentials grant as a form POST (RFC 6749 §4.4)."""
    _require(token_endpoint, client_id, client_secret)
    if auth_method not in AUTH_METHODS:
        raise TokenError(
            f"token endpoint auth method {auth_method!r} is not supported",
            f"use one of {', '.join(AUTH_METHODS)}",
            "config",
        )
    form = {"grant_type": "client_credentials"}
    scope = " ".join(scopes or ())
    if scope:
        form["scope"] = scope
    if audience:
        form["audience"] = audience
    auth = None
    if auth_method == "client_secret_basic":
        auth = requests.auth.HTTPBasicAuth(client_id, client_secret)
    else:
        form["client_id"] = client_id
        form["client_secret"] = client_secret

    def post() -> requests.Response:
        return requests.post(
            token_endpoint,
            data=form,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,
        )

    with _masking(client_id, client_secret):
        response = with_retry(
            post, url=token_endpoint, wait=wait, secrets=(client_secret,), client_id=client_id
        )
        return _parse_response(response, token_endpoint, provider, client_id, client_secret)


def auth0_token(
    domain: str,
    client_id: str,
    client_secret: str,
    audience: str,
    *,
    protocol: str = "https",
    wait: float = DEFAULT_WAIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> TokenResponse:
    """Auth0 through auth0-python (``GetToken.client_credentials``).

    ``domain`` is the tenant host (``dev-x.us.auth0.com``) or ``host:port``;
    ``protocol="http"`` points it at a local test server.
    """
    from auth0.authentication import GetToken
    from auth0.authentication.exceptions import Auth0Error

    url = f"{protocol}://{domain}/oauth/token"
    _require(url if domain else "", client_id, client_secret)
    if not audience:
        raise TokenError(
            "no audience for the Auth0 token request: without one Auth0 answers with an "
            "opaque token (or the tenant's default API) that the Gateway cannot validate",
            "pass the API identifier (auth0.api.identifier, the allowedAudience) as audience",
            "config",
        )
    client = GetToken(
        domain, client_id, client_secret=client_secret, timeout=timeout, protocol=protocol
    )

    def call() -> Any:
        return client.client_credentials(audience)

    with _masking(client_id, client_secret):
        try:
            answer = with_retry(
                call, url=url, wait=wait, secrets=(client_secret,), client_id=client_id
            )
        except Auth0Error as err:
            raise _auth0_error(err, url, audience, client_id, client_secret) from None
        if not isinstance(answer, dict):
            raise TokenError(
                f"{url} answered with something that is not a JSON object",
                "check the Auth0 domain (AUTH0_DOMAIN / auth0.domain): it must be the tenant host",
                "bad_response",
            )
        return _token_from_json(answer, url)


def auth0_domain(endpoint: str) -> tuple[str, str]:
    """``(protocol, domain)`` from a token endpoint URL or a bare Auth0 domain."""
    if "://" not in endpoint:
        return "https", endpoint.strip("/")
    parts = urlsplit(endpoint)
    return parts.scheme or "https", parts.netloc


# --------------------------------------------------------------------------
# Retry with exponential backoff
# --------------------------------------------------------------------------


def with_retry(
    op: Callable[[], T],
    *,
    url: str,
    wait: float = DEFAULT_WAIT,
    secrets: Iterable[str] = (),
    client_id: str | None = None,
    what: str = "token endpoint",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``op``; retry connection and DNS errors with backoff until ``wait`` s.

    The delay starts at 0.25 s and doubles up to 8 s, never past the
    deadline; one last attempt is made at the deadline. Any other error
    propagates at once. At the deadline a :class:`TokenError` (``dns`` or
    ``unreachable``) says what happened and what to do. ``secrets`` (with
    ``client_id`` for their HTTP Basic form) are masked in any error text.
    ``sleep`` and ``clock`` (seconds, monotonic) are injected by tests.
    """
    secrets = tuple(secrets)
    start = clock()
    deadline = start + max(0.0, wait)
    delay = FIRST_DELAY
    attempt = 0
    host = urlsplit(url).netloc or url
    while True:
        attempt += 1
        try:
            return op()
        except requests.exceptions.SSLError as err:
            raise TokenError(
                f"TLS error talking to the {what} {host}: "
                + _short(mask(str(err), secrets, client_id=client_id)),
                "check the URL (https for real providers) and the system CA certificates",
                "tls",
            ) from None
        except requests.exceptions.ConnectionError as err:
            dns = _is_dns_error(err)
            now = clock()
            if now >= deadline:
                raise _unreachable(host, dns, now - start, attempt, wait, what) from None
            pause = min(delay, deadline - now)
            log.info(
                "%s: %s; retrying in %.2f s (attempt %d, waiting up to %g s)",
                host,
                "name does not resolve yet" if dns else "cannot connect",
                pause,
                attempt,
                wait,
            )
            sleep(pause)
            delay = min(delay * 2, MAX_DELAY)
        except requests.exceptions.Timeout:
            raise TokenError(
                f"the {what} {host} did not answer within the request timeout",
                "check the endpoint URL and network access (proxy, firewall)",
                "timeout",
            ) from None


def _unreachable(
    host: str, dns: bool, waited: float, attempts: int, wait: float, what: str
) -> TokenError:
    tried = f"tried {attempts} time{'s' if attempts != 1 else ''} over {waited:.1f} s"
    if dns:
        return TokenError(
            f"the {what} host {host} does not resolve ({tried})",
            "a new Cognito domain takes a few minutes to appear in DNS: retry later or with a "
            f"longer --wait (now {wait:g} s); if it persists, check the host name (Cognito "
            "domain prefix and region, AUTH0_DOMAIN)",
            "dns",
        )
    return TokenError(
        f"cannot connect to the {what} {host} ({tried})",
        f"check the {what} URL and that the server is up",
        "unreachable",
    )


def _is_dns_error(err: BaseException) -> bool:
    """Whether a requests ConnectionError was a name-resolution failure."""
    seen: set[int] = set()
    stack: list[Any] = [err]
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, _DNS_ERRORS):
            return True
        if isinstance(cur, BaseException):
            stack.extend([cur.__cause__, cur.__context__, getattr(cur, "reason", None)])
            stack.extend(a for a in cur.args if isinstance(a, BaseException))
    text = str(err)
    return (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or ("getaddrinfo failed" in text)
    )


# --------------------------------------------------------------------------
# Responses and errors
# --------------------------------------------------------------------------


def _parse_response(
    response: requests.Response, url: str, provider: str, client_id: str, secret: str
) -> TokenResponse:
    status = response.status_code
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    try:
        body = response.json()
    except ValueError:
        body = None
    if status >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        desc = body.get("error_description") if isinstance(body, dict) else None
        said = _masked_said(status, error, desc, client_id, secret)
        raise _http_error(status, error, said, url, provider, ctype)
    if 300 <= status < 400:
        raise TokenError(
            f"{url} redirected (HTTP {status}) instead of answering",
            "use the token endpoint URL itself (Cognito: https://<domain>/oauth2/token)",
            "bad_response",
            status,
        )
    if not isinstance(body, dict):
        raise TokenError(
            f"{url} answered HTTP {status} with {ctype}, not a JSON object",
            "check the token endpoint URL: it must be the provider's OAuth 2.0 token endpoint",
            "bad_response",
            status,
        )
    return _token_from_json(body, url)


def _token_from_json(body: dict, url: str) -> TokenResponse:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenError(
            f"{url} answered without an access_token",
            "check that the client may use the client_credentials grant",
            "bad_response",
        )
    expires = body.get("expires_in")
    try:
        expires = int(expires) if expires is not None else None
    except (TypeError, ValueError):
        expires = None
    scope = body.get("scope")
    return TokenResponse(
        access_token=token,
        token_type=str(body.get("token_type") or "Bearer"),
        expires_in=expires,
        scope=scope if isinstance(scope, str) else None,
    )


def _masked_said(status: int | None, error: Any, desc: Any, client_id: str, secret: str) -> str:
    """``HTTP 400 invalid_request: <description>``: what the server said, with
    the secret masked in every form *before* it is shortened."""
    error = error if isinstance(error, str) else None
    desc = desc if isinstance(desc, str) else ""
    said = f"HTTP {status}" + (f" {error}" if error else "") + (f": {desc}" if desc else "")
    return _short(mask(said, (secret,), client_id=client_id))


def _http_error(
    status: int, error: Any, said: str, url: str, provider: str, ctype: str
) -> TokenError:
    error = error if isinstance(error, str) else None
    if status == 401 or error == "invalid_client":
        return TokenError(
            f"the token endpoint rejected the client credentials ({said})",
            "wrong client id or secret: check --client-id / AUTHGEN_CLIENT_SECRET or re-read the "
            "Terraform outputs (authgen apply ENV), and that the client has a secret",
            "unauthorized",
            status,
        )
    if error == "unauthorized_client":
        fix = (
            "enable the client_credentials flow for this app client (the cognito module does so "
            "for clients listed in the spec)"
            if provider == "cognito"
            else "allow the client_credentials grant for this client at the provider"
        )
        return TokenError(
            f"the client may not use client_credentials ({said})", fix, "forbidden", status
        )
    if error == "invalid_scope":
        return TokenError(
            f"a requested scope is not allowed for this client ({said})",
            "request only scopes granted to the client (clients[].scopes in the spec; Cognito "
            "scopes are <resource server identifier>/<name>)",
            "scope",
            status,
        )
    if error is None and (ctype != "application/json" or status >= 500):
        return TokenError(
            f"{url} answered HTTP {status} with {ctype}",
            "check the token endpoint URL; a server error may also be temporary: retry later",
            "http",
            status,
        )
    return TokenError(
        f"the token request failed ({said})",
        "check the token endpoint, the client and its grants at the provider",
        "http",
        status,
    )


def _auth0_error(err: Any, url: str, audience: str, client_id: str, secret: str) -> TokenError:
    status = getattr(err, "status_code", None)
    code = getattr(err, "error_code", None)
    code = code if isinstance(code, str) and code != "a0.sdk.internal.unknown" else None
    message = str(getattr(err, "message", "") or "")
    said = _masked_said(status, code, message, client_id, secret)
    if status == 401 or code == "invalid_client":
        return TokenError(
            f"Auth0 rejected the client credentials ({said})",
            "wrong client id or secret: check --client-id / AUTHGEN_CLIENT_SECRET or re-read "
            "the Terraform outputs",
            "unauthorized",
            status,
        )
    if status == 403:
        lowered = message.lower()
        if "service not found" in lowered:
            fix = (
                f"the audience {audience!r} is not an API of this tenant: use the API identifier "
                "(auth0.api.identifier)"
            )
        else:
            fix = (
                f"grant the client access to the API {audience!r} (a client grant: list the client "
                "under auth0.clients with its scopes and apply)"
            )
        return TokenError(f"Auth0 refused the token request ({said})", fix, "forbidden", status)
    if status == 429:
        return TokenError(
            f"Auth0 rate-limited the token request ({said})",
            "wait a minute and retry",
            "http",
            status,
        )
    return TokenError(
        f"the Auth0 token request to {url} failed ({said})",
        "check AUTH0_DOMAIN / auth0.domain, the client and the audience",
        "http",
        status,
    )


def _require(url: str, client_id: str, client_secret: str) -> None:
    if not url:
        raise TokenError(
            "no token endpoint",
            "pass --token-endpoint or apply the environment so the token_endpoint output exists",
            "config",
        )
    if not client_id:
        raise TokenError(
            "no client id", "pass --client-id or pick a client with --client NAME", "config"
        )
    if not client_secret:
        raise TokenError(
            "no client secret",
            "set AUTHGEN_CLIENT_SECRET or apply the environment so Terraform holds the secret",
            "config",
        )


@contextmanager
def _masking(client_id: str, secret: str) -> Iterator[None]:
    """Mask the secret in any TokenError leaving the block (a second net under
    the masking each message already had before it was shortened)."""
    try:
        yield
    except TokenError as err:
        raise err.masked((secret,), client_id=client_id) from None


def _short(value: Any, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
