"""Check an authorizer file and a real token the way the Gateway does.

``verify(doc, ...)`` returns one :class:`Check` row per step, each with a
status (pass / fail / skip), what was found and, for a failure, the likely
fix. Nothing here prints; ``format_text`` turns rows into plain text and
``summary`` counts them (``generator.ui`` draws them as a table).

What the Gateway's ``CUSTOM_JWT`` authorizer checks, per the AgentCore
developer guide "Configure inbound JWT authorizer"
(https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/inbound-jwt-authorizer.html):

- it fetches the public keys and endpoints through ``discoveryUrl`` (OpenID
  Connect discovery or RFC 8414 authorization server metadata: the service
  model's ``DiscoveryUrl`` pattern, checked by ``authorizer.discovery_url_problem``);
- ``allowedAudience`` is matched against the ``aud`` claim (a token is
  rejected if none of its audiences is allowed: agent-registry API reference
  of the same CustomJWTAuthorizerConfiguration shape);
- ``allowedClients`` is matched against the ``client_id`` claim;
- ``allowedScopes``: "at least one scope value in the incoming token must
  match one of the configured values" (any-of, not all-of);
- ``customClaims``: STRING claims with EQUALS, STRING_ARRAY claims with
  CONTAINS (the array holds the value) or CONTAINS_ANY (the array holds any
  of the values);
- "If more than one is used, the authorizer will verify them all."

Signature (RS256 by the JWKS key named by ``kid``; PS256 as well when the
provider advertises it), ``exp``/``nbf``/``iat`` and ``iss`` equal to the
discovery ``issuer`` are standard JWT access-token validation (RFC 9068
§4, RFC 7519 §4.1); the guide does not spell them out, so they are checked
strictly here.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from generator import authorizer, tokens
from generator.errors import AuthgenError
from generator.tokens import ClientCredentials

log = logging.getLogger(__name__)

DEFAULT_LEEWAY = 60.0  # seconds of clock skew tolerated on exp / nbf / iat
RSA_ALGORITHMS = ("RS256", "PS256")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

EMULATOR_NO_TOKENS = (
    "the local Cognito emulator (moto) serves discovery and JWKS but cannot issue "
    "client_credentials tokens"
)


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"  # not applicable here, or could not run (the reason says which)


@dataclass(frozen=True)
class Check:
    """One verification row. ``fix`` is set for failures (and some skips)."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        """Not a failure (a skip does not fail a run)."""
        return self.status is not Status.FAIL

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS


# A callable returning a TokenResponse, an OAuth token response mapping, or
# the bare access token.
TokenSource = Callable[[], "tokens.TokenResponse | Mapping[str, Any] | str"]


def all_ok(checks: Iterable[Check]) -> bool:
    """True when no row failed (the CLI exits 0 then)."""
    return all(c.ok for c in checks)


def summary(checks: Iterable[Check]) -> str:
    """``"7 passed, 1 failed, 3 skipped"``."""
    checks = list(checks)
    counts = {s: sum(1 for c in checks if c.status is s) for s in Status}
    return (
        f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped"
    )


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def verify(
    doc: Mapping[str, Any],
    *,
    get_token: TokenSource | None = None,
    credentials: ClientCredentials | None = None,
    wait: float = tokens.DEFAULT_WAIT,
    timeout: float = tokens.DEFAULT_TIMEOUT,
    leeway: float = DEFAULT_LEEWAY,
    emulator: bool | None = None,
    now: float | None = None,
) -> list[Check]:
    """Run every check against ``doc`` (an authorizer document) and a token.

    The token comes from ``get_token()`` (a TokenResponse, a token response
    mapping or the bare token string) or else from ``credentials``; with
    neither, the token rows are skipped. ``emulator`` (None: detected from
    the discovery document) marks a local Cognito emulator, which cannot
    issue client_credentials tokens:
    failing to get one there is a skip, not a failure. Connection and DNS
    errors are retried with backoff until ``wait`` seconds.
    """
    run = _Run(doc, credentials, wait, timeout, leeway, emulator, now)
    run.go(get_token)
    secrets = [credentials.client_secret] if credentials and credentials.client_secret else []
    if run.token:
        secrets.append(run.token)
    return [_scrub_row(row, secrets) for row in run.rows]


class _Run:
    def __init__(self, doc, credentials, wait, timeout, leeway, emulator, now):
        self.doc = doc
        self.credentials: ClientCredentials | None = credentials
        self.wait = wait
        self.timeout = timeout
        self.leeway = leeway
        self.emulator = emulator
        self.now = now
        self.rows: list[Check] = []
        inner = doc.get(authorizer.ROOT_KEY) if isinstance(doc, Mapping) else None
        self.inner: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
        self.discovery: dict | None = None
        self.jwks: dict[str, dict] | None = None
        self.token: str | None = None
        self.claims: dict | None = None
        self.header: dict | None = None

    def add(self, name: str, status: Status, detail: str, fix: str = "") -> None:
        self.rows.append(Check(name, status, detail, fix))
        log.debug("%s: %s: %s", name, status.value, detail)

    # -- the steps ---------------------------------------------------------

    def go(self, get_token: TokenSource | None) -> None:
        url = self.inner.get("discoveryUrl")
        url_ok = self.check_discovery_url(url)
        self.check_rules()
        if url_ok:
            self.fetch_discovery(url)
        else:
            self.add("discovery document", Status.SKIP, "skipped: discoveryUrl is not usable")
        if self.discovery is not None:
            if self.emulator is None:
                self.emulator = _looks_like_emulator(url, self.discovery.get("issuer"))
            self.check_issuer(url)
            self.fetch_jwks()
        else:
            self.add("issuer", Status.SKIP, "skipped: no discovery document")
            self.add("JWKS", Status.SKIP, "skipped: no discovery document")
        self.obtain_token(get_token)
        if self.token is None:
            self.add(
                "token checks",
                Status.SKIP,
                "skipped: no token (signature, lifetime, iss, allowedClients, allowedAudience, "
                "allowedScopes, customClaims)",
            )
            return
        if not self.check_format():
            self.add("token checks", Status.SKIP, "skipped: the token is not a signed JWT")
            return
        self.check_signature()
        self.check_lifetime()
        self.check_token_issuer()
        self.check_clients()
        self.check_audience()
        self.check_scopes()
        self.check_custom_claims()

    def check_discovery_url(self, url: Any) -> bool:
        problem = authorizer.discovery_url_problem(url)
        if problem:
            self.add(
                "discoveryUrl",
                Status.FAIL,
                problem,
                "set discoveryUrl to <issuer>/.well-known/openid-configuration "
                "(authgen authorizer ENV writes it from the discovery_url output)",
            )
            return False
        self.add("discoveryUrl", Status.PASS, f"{url} fits the API pattern")
        return True

    def check_rules(self) -> None:
        found = [
            (p, m)
            for p, m in authorizer.problems(self.doc)
            if p != f"{authorizer.ROOT_KEY}.discoveryUrl"
        ]
        if found:
            lines = authorizer.format_problems(found)
            self.add(
                "authorizer rules",
                Status.FAIL,
                "; ".join(lines),
                "fix the spec and rewrite the file (authgen authorizer ENV); CreateGateway "
                "would refuse it as it is",
            )
        else:
            configured = [k for k in authorizer.RULE_KEYS if k in self.inner]
            self.add(
                "authorizer rules",
                Status.PASS,
                "meets the API rules; checks " + ", ".join(configured),
            )

    def fetch_discovery(self, url: str) -> None:
        doc, problem = self.get_json(url, "discovery URL")
        if problem:
            self.add("discovery document", Status.FAIL, *problem)
            return
        missing = [
            k for k in ("issuer", "jwks_uri") if not isinstance(doc.get(k), str) or not doc[k]
        ]
        if missing:
            self.add(
                "discovery document",
                Status.FAIL,
                f"{url} is JSON but has no {' or '.join(missing)}",
                "discoveryUrl must be the OIDC discovery document of the token issuer",
            )
            return
        self.discovery = doc
        self.add("discovery document", Status.PASS, f"JSON with issuer and jwks_uri ({url})")

    def check_issuer(self, url: str) -> None:
        issuer = self.discovery["issuer"]
        base = authorizer.issuer_for(url)
        if issuer == base:
            self.add("issuer", Status.PASS, f"{issuer} (the base of discoveryUrl)")
        elif issuer.rstrip("/") == base.rstrip("/"):
            self.add(
                "issuer",
                Status.PASS,
                f"{issuer} (the base of discoveryUrl up to a trailing slash, as Auth0 "
                "publishes it)",
            )
        elif self.emulator and _same_path(issuer, base):
            self.add(
                "issuer",
                Status.PASS,
                f"{issuer}: served by a local emulator at {urlsplit(base).netloc}; "
                "the path (user pool id) matches",
            )
        else:
            # OpenID Connect Discovery 1.0 §4.3: the issuer MUST be identical
            # to the URL the configuration was retrieved under.
            self.add(
                "issuer",
                Status.FAIL,
                f"the discovery issuer {issuer} is not the base of discoveryUrl {base}",
                f"use {issuer.rstrip('/')}{authorizer.WELL_KNOWN_SUFFIX} as discoveryUrl (OIDC "
                "Discovery requires the issuer to serve its own document)",
            )

    def fetch_jwks(self) -> None:
        uri = self.discovery["jwks_uri"]
        doc, problem = self.get_json(uri, "JWKS URI")
        if problem:
            self.add("JWKS", Status.FAIL, *problem)
            return
        keys = doc.get("keys")
        if not isinstance(keys, list):
            self.add(
                "JWKS",
                Status.FAIL,
                f"{uri} has no 'keys' list",
                "jwks_uri must serve a JSON Web Key Set",
            )
            return
        signing = {
            k["kid"]: k
            for k in keys
            if isinstance(k, dict)
            and k.get("kty") == "RSA"
            and k.get("use", "sig") == "sig"
            and isinstance(k.get("kid"), str)
            and k.get("kid")
        }
        if not signing:
            self.add(
                "JWKS",
                Status.FAIL,
                f"{uri} holds {len(keys)} key(s) but no RSA signing key with a kid",
                "the Gateway verifies RS256 signatures: the provider must publish RSA signing keys "
                "(Auth0: the API's signing algorithm RS256, not HS256)",
            )
            return
        self.jwks = signing
        names = ", ".join(sorted(signing))
        self.add("JWKS", Status.PASS, f"{len(signing)} RSA signing key(s): {names}")

    def obtain_token(self, get_token: TokenSource | None) -> None:
        if get_token is None and self.credentials is None:
            if self.emulator:
                self.add("token", Status.SKIP, f"{EMULATOR_NO_TOKENS}; token checks skipped")
            else:
                self.add(
                    "token",
                    Status.SKIP,
                    "no client credentials given",
                    "pass a client (--client NAME, or --client-id with AUTHGEN_CLIENT_SECRET)",
                )
            return
        try:
            if get_token is not None:
                answer = get_token()
            else:
                answer = self.credentials.fetch(wait=self.wait, timeout=self.timeout)
        except AuthgenError as err:
            if self.emulator:
                self.add(
                    "token",
                    Status.SKIP,
                    f"{EMULATOR_NO_TOKENS} (its token endpoint: {_reason(err)}); "
                    "token checks skipped",
                    "run verify against a real user pool to check a token",
                )
                return
            self.add("token", Status.FAIL, _reason(err), getattr(err, "fix", ""))
            return
        if isinstance(answer, tokens.TokenResponse):
            self.token = answer.access_token
            bits = [f"{answer.token_type} token"]
            if answer.expires_in is not None:
                bits.append(f"expires in {answer.expires_in} s")
            if answer.scope:
                bits.append(f"scope {answer.scope!r}")
        elif isinstance(answer, Mapping) and isinstance(answer.get("access_token"), str):
            self.token = answer["access_token"]
            bits = [f"{answer.get('token_type') or 'Bearer'} token"]
        else:
            self.token = str(answer)
            bits = ["a token"]
        who = f" for client {self.credentials.client_id}" if self.credentials else ""
        self.add("token", Status.PASS, f"obtained{who}: " + ", ".join(bits))

    def check_format(self) -> bool:
        token = self.token
        parts = token.split(".")
        if len(parts) == 5:
            self.add(
                "token format",
                Status.FAIL,
                "the access token is encrypted (JWE); the Gateway needs a signed JWT",
                "turn off access-token encryption for the API at the provider",
            )
            return False
        header = _b64json(parts[0]) if len(parts) == 3 else None
        claims = _b64json(parts[1]) if len(parts) == 3 else None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            self.add(
                "token format",
                Status.FAIL,
                f"the access token is not a JWT (an opaque string of {len(token)} characters)",
                self._opaque_fix(),
            )
            return False
        self.header, self.claims = header, claims
        self.add(
            "token format", Status.PASS, f"a JWT (alg {header.get('alg')}, kid {header.get('kid')})"
        )
        return True

    def _opaque_fix(self) -> str:
        audiences = self.inner.get("allowedAudience") or []
        aud = audiences[0] if audiences else "<API identifier>"
        if self._provider() == "auth0" or audiences:
            return (
                "Auth0 issues an opaque access token when the request names no audience: "
                f"request it with audience={aud} (the API identifier)"
            )
        return (
            "the Gateway validates JWT access tokens only: configure the provider to issue JWTs "
            "(Auth0: request an audience)"
        )

    def check_signature(self) -> None:
        if self.jwks is None:
            self.add("signature", Status.SKIP, "skipped: no usable JWKS")
            return
        alg = self.header.get("alg")
        allowed = self._algorithms()
        if alg not in allowed:
            self.add(
                "signature",
                Status.FAIL,
                f"the token is signed with {alg}; the Gateway accepts {' or '.join(allowed)}",
                "sign access tokens with RS256 (Auth0: the API's signing algorithm; an HS256 "
                "token cannot be checked against a JWKS)",
            )
            return
        kid = self.header.get("kid")
        if not kid:
            self.add(
                "signature",
                Status.FAIL,
                "the token header has no kid, so no JWKS key can be chosen",
                "the provider must name its signing key (kid) in the token header",
            )
            return
        jwk = self.jwks.get(kid)
        if jwk is None:
            self.add(
                "signature",
                Status.FAIL,
                f"the token's kid {kid} is not in the JWKS ({', '.join(sorted(self.jwks))})",
                "the token comes from another issuer (tenant, user pool) or the keys were "
                "rotated: fetch a fresh token from the issuer of discoveryUrl",
            )
            return
        import jwt

        try:
            key = jwt.PyJWK(jwk, algorithm=alg).key
            jwt.PyJWS().decode_complete(self.token, key=key, algorithms=[alg])
        except jwt.InvalidSignatureError:
            self.add(
                "signature",
                Status.FAIL,
                f"the {alg} signature does not verify with JWKS key {kid}: the token was "
                "signed by another key",
                "the token was not issued by this discoveryUrl's issuer (or was altered): get "
                "it from the same tenant / user pool the authorizer names",
            )
            return
        except (jwt.PyJWTError, ValueError, TypeError) as err:
            self.add(
                "signature",
                Status.FAIL,
                f"the signature cannot be checked: {_short(err)}",
                "the token or the JWKS key is malformed",
            )
            return
        self.add("signature", Status.PASS, f"{alg} signature verified with JWKS key {kid}")

    def _algorithms(self) -> list[str]:
        algs = ["RS256"]
        advertised = self.discovery.get("id_token_signing_alg_values_supported") or []
        key_algs = [k.get("alg") for k in (self.jwks or {}).values()]
        if "PS256" in advertised or "PS256" in key_algs:
            algs.append("PS256")
        return algs

    def check_lifetime(self) -> None:
        now = self.now if self.now is not None else time.time()
        claims = self.claims
        exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
        for name, value in (("exp", exp), ("nbf", nbf), ("iat", iat)):
            if value is not None and (
                not isinstance(value, int | float) or isinstance(value, bool)
            ):
                self.add(
                    "lifetime",
                    Status.FAIL,
                    f"the {name} claim is {value!r}, not a number of seconds",
                    "the provider must issue NumericDate claims (RFC 7519)",
                )
                return
        if exp is None:
            self.add(
                "lifetime",
                Status.FAIL,
                "the token has no exp claim",
                "the Gateway needs expiring access tokens: configure a token lifetime",
            )
            return
        clock_fix = "check this machine's clock (NTP) if fresh tokens fail this"
        if exp < now - self.leeway:
            self.add(
                "lifetime",
                Status.FAIL,
                f"the token expired at {_iso(exp)} ({_ago(now - exp)} ago)",
                f"fetch a new token; {clock_fix}",
            )
            return
        if nbf is not None and nbf > now + self.leeway:
            self.add(
                "lifetime",
                Status.FAIL,
                f"the token is not valid before {_iso(nbf)} ({_ago(nbf - now)} from now)",
                clock_fix,
            )
            return
        if iat is not None and iat > now + self.leeway:
            self.add(
                "lifetime",
                Status.FAIL,
                f"the token was issued in the future ({_iso(iat)})",
                clock_fix,
            )
            return
        self.add(
            "lifetime",
            Status.PASS,
            f"valid until {_iso(exp)} ({_ago(exp - now)} left, leeway {self.leeway:g} s)",
        )

    def check_token_issuer(self) -> None:
        if self.discovery is None:
            self.add("token issuer", Status.SKIP, "skipped: no discovery document")
            return
        expected = self.discovery["issuer"]
        iss = self.claims.get("iss")
        if not isinstance(iss, str) or not iss:
            self.add(
                "token issuer",
                Status.FAIL,
                "the token has no iss claim",
                "the provider must name itself in iss",
            )
        elif iss == expected:
            self.add("token issuer", Status.PASS, f"iss is the discovery issuer {iss}")
        elif iss.rstrip("/") == expected.rstrip("/"):
            self.add(
                "token issuer",
                Status.FAIL,
                f"iss {iss!r} and the discovery issuer {expected!r} differ only by a trailing "
                "slash; the issuer is compared exactly",
                "point discoveryUrl at the discovery document of the issuer that signs the "
                "tokens, or make the provider publish one issuer URL in both places",
            )
        else:
            self.add(
                "token issuer",
                Status.FAIL,
                f"iss {iss} is not the discovery issuer {expected}: the token comes from "
                "another issuer",
                f"fetch the token from {expected}, or use "
                f"{iss.rstrip('/')}{authorizer.WELL_KNOWN_SUFFIX} as discoveryUrl",
            )

    def check_clients(self) -> None:
        allowed = self.inner.get("allowedClients")
        if not allowed:
            self.add("allowedClients", Status.SKIP, "not set in the authorizer file")
            return
        cid = self.claims.get("client_id")
        if cid is None:
            azp = self.claims.get("azp")
            if azp is not None:
                self.add(
                    "allowedClients",
                    Status.FAIL,
                    f"the token has no client_id claim (it names the client in azp={azp!r}), "
                    "and the Gateway matches allowedClients against client_id",
                    "this provider (Auth0) identifies clients by aud: use allowedAudience with "
                    "the API identifier instead of allowedClients",
                )
            else:
                self.add(
                    "allowedClients",
                    Status.FAIL,
                    "the token has no client_id claim to match allowedClients against",
                    "use allowedAudience (matched against aud) for this provider",
                )
            return
        if cid in allowed:
            self.add("allowedClients", Status.PASS, f"client_id {cid} is allowed")
        else:
            self.add(
                "allowedClients",
                Status.FAIL,
                f"client_id {cid} is not in allowedClients {_list(allowed)}",
                f"use a listed client, or add {cid} to the spec's clients and rewrite the file "
                "(authgen authorizer ENV)",
            )

    def check_audience(self) -> None:
        allowed = self.inner.get("allowedAudience")
        if not allowed:
            self.add("allowedAudience", Status.SKIP, "not set in the authorizer file")
            return
        aud = self.claims.get("aud")
        if aud is None:
            if self._provider() == "cognito" or "client_id" in self.claims:
                self.add(
                    "allowedAudience",
                    Status.FAIL,
                    "the token has no aud claim: Cognito access tokens carry client_id and "
                    "never aud, so allowedAudience rejects every Cognito token",
                    "use allowedClients with the app client ids instead of allowedAudience "
                    "(authgen writes allowedClients for provider: cognito)",
                )
            else:
                self.add(
                    "allowedAudience",
                    Status.FAIL,
                    "the token has no aud claim",
                    "request the token for an audience (Auth0: audience=<API identifier>) or use "
                    "allowedClients",
                )
            return
        if isinstance(aud, str):
            auds = [aud]
        elif isinstance(aud, list):
            auds = [a for a in aud if isinstance(a, str)]
        else:
            auds = []
        match = [a for a in auds if a in allowed]
        if match:
            self.add("allowedAudience", Status.PASS, f"aud {match[0]} is allowed")
        else:
            self.add(
                "allowedAudience",
                Status.FAIL,
                f"aud {_list(auds) if len(auds) != 1 else auds[0]} is not in allowedAudience "
                f"{_list(allowed)}",
                "request the token for an allowed audience (Auth0: audience=<API identifier>) "
                "or correct allowedAudience",
            )

    def check_scopes(self) -> None:
        allowed = self.inner.get("allowedScopes")
        if not allowed:
            self.add("allowedScopes", Status.SKIP, "not set in the authorizer file")
            return
        have = token_scopes(self.claims)
        if not have:
            self.add(
                "allowedScopes",
                Status.FAIL,
                "the token carries no scope (neither scope nor scp)",
                "request scopes with the token (Cognito: <resource server>/<name>; Auth0: the "
                "client grant's scopes) and grant them to the client in the spec",
            )
            return
        match = [s for s in have if s in allowed]
        if match:
            self.add(
                "allowedScopes",
                Status.PASS,
                f"token scope {match[0]} is allowed (one match suffices)",
            )
        else:
            self.add(
                "allowedScopes",
                Status.FAIL,
                f"none of the token's scopes {_list(have)} is in allowedScopes {_list(allowed)}",
                f"grant the client one of {_list(allowed)} in the spec and request it, or "
                "correct allowed_scopes",
            )

    def check_custom_claims(self) -> None:
        rules = self.inner.get("customClaims")
        if not rules:
            self.add("customClaims", Status.SKIP, "not set in the authorizer file")
            return
        if not isinstance(rules, list):
            return  # reported under "authorizer rules"
        for i, rule in enumerate(rules):
            name, status, detail, fix = check_custom_claim(rule, self.claims)
            self.add(f"customClaims[{i}] {name}".rstrip(), status, detail, fix)

    # -- helpers -----------------------------------------------------------

    def get_json(self, url: str, what: str) -> tuple[Any, tuple[str, str] | None]:
        def get() -> requests.Response:
            return requests.get(url, headers={"Accept": "application/json"}, timeout=self.timeout)

        try:
            resp = tokens.with_retry(get, url=url, wait=self.wait, what=what)
        except tokens.TokenError as err:
            return None, (err.reason, err.fix)
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
        if resp.status_code != 200:
            return None, (
                f"{url} answered HTTP {resp.status_code}",
                f"check the {what}: the host, region, user pool id or tenant in it",
            )
        try:
            doc = resp.json()
        except ValueError:
            return None, (
                f"{url} served {ctype}, not JSON",
                f"the {what} must serve JSON: check the URL",
            )
        if not isinstance(doc, dict):
            return None, (f"{url} served JSON that is not an object", f"check the {what}")
        return doc, None

    def _provider(self) -> str | None:
        if self.credentials is not None:
            return self.credentials.provider
        issuer = (self.discovery or {}).get("issuer") or (self.claims or {}).get("iss") or ""
        host = urlsplit(issuer).hostname or ""
        if host.startswith("cognito-idp."):
            return "cognito"
        if host.endswith(".auth0.com"):
            return "auth0"
        return None


def check_custom_claim(rule: Any, claims: Mapping[str, Any]) -> tuple[str, Status, str, str]:
    """``(claim name, status, detail, fix)`` for one customClaims rule against ``claims``."""
    problems = authorizer.custom_claim_problems(rule)
    name = rule.get("inboundTokenClaimName", "") if isinstance(rule, Mapping) else ""
    name = name if isinstance(name, str) else ""
    if problems:
        return (
            name,
            Status.FAIL,
            "the rule itself is invalid: " + "; ".join(authorizer.format_problems(problems)),
            "fix custom_claims in the spec",
        )
    vtype = rule["inboundTokenClaimValueType"]
    match = rule["authorizingClaimMatchValue"]
    op = match["claimMatchOperator"]
    want = match["claimMatchValue"]
    add_claim = (
        "add the claim to access tokens (Cognito: a pre token generation trigger; Auth0: an "
        "Action on the credentials exchange) or drop the rule"
    )
    if name not in claims:
        return name, Status.FAIL, f"the token has no {name} claim", add_claim
    value = claims[name]
    if vtype == "STRING":
        if not isinstance(value, str):
            return (
                name,
                Status.FAIL,
                f"{name} is {_kind(value)}, but the rule expects a STRING",
                "use inboundTokenClaimValueType STRING_ARRAY with CONTAINS / CONTAINS_ANY"
                if isinstance(value, list)
                else "the claim must be a string",
            )
        expected = want["matchValueString"]
        if value == expected:
            return name, Status.PASS, f"{name} equals {expected!r}", ""
        return (
            name,
            Status.FAIL,
            f"{name} is {value!r}, not {expected!r} (EQUALS)",
            "issue tokens with the expected value or correct the rule",
        )
    if not isinstance(value, list):
        return (
            name,
            Status.FAIL,
            f"{name} is {_kind(value)}, but the rule expects a STRING_ARRAY",
            "use inboundTokenClaimValueType STRING with EQUALS"
            if isinstance(value, str)
            else "the claim must be an array of strings",
        )
    if op == "CONTAINS":
        expected = want["matchValueString"]
        if expected in value:
            return name, Status.PASS, f"{name} contains {expected!r}", ""
        return (
            name,
            Status.FAIL,
            f"{name} {_list(value)} does not contain {expected!r} (CONTAINS)",
            "issue tokens whose claim holds the value or correct the rule",
        )
    expected_any = want["matchValueStringList"]
    hit = [v for v in expected_any if v in value]
    if hit:
        return name, Status.PASS, f"{name} contains {hit[0]!r} (CONTAINS_ANY)", ""
    return (
        name,
        Status.FAIL,
        f"{name} {_list(value)} contains none of {_list(expected_any)} (CONTAINS_ANY)",
        "issue tokens whose claim holds one of the values or correct the rule",
    )


def token_scopes(claims: Mapping[str, Any]) -> list[str]:
    """The token's scopes: ``scope`` (space-separated, Cognito / Auth0) or ``scp``."""
    for key in ("scope", "scp"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.split()
        if isinstance(value, list) and value:
            return [v for v in value if isinstance(v, str)]
    return []


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

_MARK = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}


def format_text(checks: Iterable[Check]) -> str:
    """Plain text, one line per row plus an indented ``fix:`` line where set."""
    checks = list(checks)
    width = max((len(c.name) for c in checks), default=0)
    lines = []
    for c in checks:
        lines.append(f"{_MARK[c.status]}  {c.name.ljust(width)}  {c.detail}")
        if c.fix and c.status is not Status.PASS:
            lines.append(f"{'':4}  {'':{width}}  fix: {c.fix}")
    lines.append(summary(checks))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _looks_like_emulator(url: Any, issuer: Any) -> bool:
    """A Cognito issuer served from a loopback discovery URL: moto's signature."""
    if not isinstance(url, str) or not isinstance(issuer, str):
        return False
    host = urlsplit(url).hostname or ""
    iss_host = urlsplit(issuer).hostname or ""
    return host in LOOPBACK_HOSTS and iss_host.startswith("cognito-idp.")


def _same_path(a: str, b: str) -> bool:
    return urlsplit(a).path.rstrip("/") == urlsplit(b).path.rstrip("/") != ""


def _b64json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        return None


def _reason(err: BaseException) -> str:
    return getattr(err, "reason", None) or str(err)


def _scrub_row(row: Check, secrets: list[str]) -> Check:
    detail, fix = row.detail, row.fix
    for secret in secrets:
        if secret:
            detail = detail.replace(secret, "***")
            fix = fix.replace(secret, "***")
    if (detail, fix) == (row.detail, row.fix):
        return row
    return Check(row.name, row.status, detail, fix)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ago(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def _list(items: Iterable[Any]) -> str:
    return "[" + ", ".join(str(i) for i in items) + "]"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _short(value: Any, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = [
    "EMULATOR_NO_TOKENS",
    "Check",
    "Status",
    "all_ok",
    "check_custom_claim",
    "format_text",
    "summary",
    "token_scopes",
    "verify",
]
