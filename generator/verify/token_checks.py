"""Checks of an access token, the way the Gateway's CUSTOM_JWT authorizer checks it.

Pure functions: each takes plain inputs (the token or its decoded header and
claims, the discovery document, the signing keys, the authorizer's allowed
values, a clock value) and returns one :class:`~generator.verify.rows.Check`
row. Nothing here does I/O or reads the clock; the orchestration
(``generator.verify.run``) fetches, decodes once and calls these in order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from generator import authorizer, tokens
from generator.verify.rows import Check, Status, ago, iso, kind_of, listing, shorten

DEFAULT_LEEWAY = 60.0  # seconds of clock skew tolerated on exp / nbf / iat

EMULATOR_NO_TOKENS = (
    "the local Cognito emulator (moto) serves discovery and JWKS but cannot issue "
    "client_credentials tokens"
)
#: Token errors that are the client's own (the endpoint exists and answered):
#: never blamed on an emulator's missing token endpoint.
CLIENT_ERRORS = ("unauthorized", "forbidden", "scope")


@dataclass(frozen=True)
class Obtained:
    """What asking for a token gave: the token and a description of it, or
    (``token`` None) why there is none, what to do, and the kind of failure
    (``missing``: no credentials to ask with; else a ``TokenError`` kind, or
    ``error``). ``repr`` hides the token."""

    token: str | None = field(default=None, repr=False)
    detail: str = ""
    fix: str = ""
    kind: str = ""


def obtained(answer: Any, client_id: str | None = None) -> Obtained:
    """An :class:`Obtained` from a token source's answer: a TokenResponse, an
    OAuth token response mapping, or the bare access token."""
    if isinstance(answer, tokens.TokenResponse):
        token = answer.access_token
        bits = [f"{answer.token_type} token"]
        if answer.expires_in is not None:
            bits.append(f"expires in {answer.expires_in} s")
        if answer.scope:
            bits.append(f"scope {answer.scope!r}")
    elif isinstance(answer, Mapping) and isinstance(answer.get("access_token"), str):
        token = answer["access_token"]
        bits = [f"{answer.get('token_type') or 'Bearer'} token"]
    else:
        token = str(answer)
        bits = ["a token"]
    who = f" for client {client_id}" if client_id else ""
    return Obtained(token, f"obtained{who}: " + ", ".join(bits))


def check_token(got: Obtained, *, emulator: bool) -> Check:
    """A token was obtained. Not getting one is a failure, whatever the cause:
    without credentials the fix names ``--no-token`` (discovery-only checks,
    asked for explicitly), and so does a local emulator that has no token
    endpoint (one that answers, rejecting the client, fails as usual)."""
    if got.token is not None:
        return Check("token", Status.PASS, got.detail)
    no_token = "pass --no-token to check discovery and JWKS only"
    if got.kind == "missing":
        fix = f"{got.fix}; or {no_token}" if got.fix else no_token
        return Check("token", Status.FAIL, got.detail, fix)
    if emulator and got.kind not in CLIENT_ERRORS:
        return Check(
            "token",
            Status.FAIL,
            f"{EMULATOR_NO_TOKENS} (its token endpoint: {got.detail})",
            f"{no_token} against an emulator without a token endpoint",
        )
    return Check("token", Status.FAIL, got.detail, got.fix)


def decode_jwt(token: str) -> tuple[dict, dict] | None:
    """``(header, claims)`` of a signed JWT (not verified), or None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, claims = _b64json(parts[0]), _b64json(parts[1])
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims


def check_format(token: str, *, allowed_audience: Sequence[str], provider: str | None) -> Check:
    """The token is a signed JWT (not a JWE, not an opaque string)."""
    if len(token.split(".")) == 5:
        return Check(
            "token format",
            Status.FAIL,
            "the access token is encrypted (JWE); the Gateway needs a signed JWT",
            "turn off access-token encryption for the API at the provider",
        )
    decoded = decode_jwt(token)
    if decoded is None:
        return Check(
            "token format",
            Status.FAIL,
            f"the access token is not a JWT (an opaque string of {len(token)} characters)",
            _opaque_fix(allowed_audience, provider),
        )
    header = decoded[0]
    return Check(
        "token format", Status.PASS, f"a JWT (alg {header.get('alg')}, kid {header.get('kid')})"
    )


def _opaque_fix(allowed_audience: Sequence[str], provider: str | None) -> str:
    aud = allowed_audience[0] if allowed_audience else "<API identifier>"
    if provider == "auth0" or allowed_audience:
        return (
            "Auth0 issues an opaque access token when the request names no audience: "
            f"request it with audience={aud} (the API identifier)"
        )
    return (
        "the Gateway validates JWT access tokens only: configure the provider to issue JWTs "
        "(Auth0: request an audience)"
    )


def accepted_algorithms(
    discovery: Mapping[str, Any] | None, keys: Mapping[str, Mapping[str, Any]] | None
) -> list[str]:
    """RS256, plus PS256 when the provider advertises it (discovery or key ``alg``)."""
    algs = ["RS256"]
    advertised = (discovery or {}).get("id_token_signing_alg_values_supported") or []
    key_algs = [k.get("alg") for k in (keys or {}).values()]
    if "PS256" in advertised or "PS256" in key_algs:
        algs.append("PS256")
    return algs


def check_signature(
    token: str,
    header: Mapping[str, Any],
    keys: Mapping[str, Mapping[str, Any]] | None,
    algorithms: Sequence[str],
) -> Check:
    """The signature verifies with the JWKS key named by the header's ``kid``.

    ``keys`` are the JWKS signing keys by kid (None: no usable JWKS, a skip
    since the JWKS row failed); ``algorithms`` those the Gateway accepts.
    """
    if keys is None:
        return Check("signature", Status.SKIP, "skipped: no usable JWKS")
    alg = header.get("alg")
    if alg not in algorithms:
        return Check(
            "signature",
            Status.FAIL,
            f"the token is signed with {alg}; the Gateway accepts {' or '.join(algorithms)}",
            "sign access tokens with RS256 (Auth0: the API's signing algorithm; an HS256 "
            "token cannot be checked against a JWKS)",
        )
    kid = header.get("kid")
    if not kid:
        return Check(
            "signature",
            Status.FAIL,
            "the token header has no kid, so no JWKS key can be chosen",
            "the provider must name its signing key (kid) in the token header",
        )
    jwk = keys.get(kid)
    if jwk is None:
        return Check(
            "signature",
            Status.FAIL,
            f"the token's kid {kid} is not in the JWKS ({', '.join(sorted(keys))})",
            "the token comes from another issuer (tenant, user pool) or the keys were "
            "rotated: fetch a fresh token from the issuer of discoveryUrl",
        )
    import jwt

    try:
        key = jwt.PyJWK(dict(jwk), algorithm=alg).key
        jwt.PyJWS().decode_complete(token, key=key, algorithms=[alg])
    except jwt.InvalidSignatureError:
        return Check(
            "signature",
            Status.FAIL,
            f"the {alg} signature does not verify with JWKS key {kid}: the token was "
            "signed by another key",
            "the token was not issued by this discoveryUrl's issuer (or was altered): get "
            "it from the same tenant / user pool the authorizer names",
        )
    except (jwt.PyJWTError, ValueError, TypeError) as err:
        # PyJWT's messages describe the key or the encoding, never the token's content.
        return Check(
            "signature",
            Status.FAIL,
            f"the signature cannot be checked: {shorten(err)}",
            "the token or the JWKS key is malformed",
        )
    return Check("signature", Status.PASS, f"{alg} signature verified with JWKS key {kid}")


def check_lifetime(
    claims: Mapping[str, Any], *, now: float, leeway: float = DEFAULT_LEEWAY
) -> Check:
    """``exp`` is set and not past, ``nbf`` and ``iat`` are not in the future,
    each within ``leeway`` seconds of ``now`` (seconds since the epoch)."""
    exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
    for name, value in (("exp", exp), ("nbf", nbf), ("iat", iat)):
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            return Check(
                "lifetime",
                Status.FAIL,
                f"the {name} claim is {value!r}, not a number of seconds",
                "the provider must issue NumericDate claims (RFC 7519)",
            )
    if exp is None:
        return Check(
            "lifetime",
            Status.FAIL,
            "the token has no exp claim",
            "the Gateway needs expiring access tokens: configure a token lifetime",
        )
    clock_fix = "check this machine's clock (NTP) if fresh tokens fail this"
    if exp < now - leeway:
        return Check(
            "lifetime",
            Status.FAIL,
            f"the token expired at {iso(exp)} ({ago(now - exp)} ago)",
            f"fetch a new token; {clock_fix}",
        )
    if nbf is not None and nbf > now + leeway:
        return Check(
            "lifetime",
            Status.FAIL,
            f"the token is not valid before {iso(nbf)} ({ago(nbf - now)} from now)",
            clock_fix,
        )
    if iat is not None and iat > now + leeway:
        return Check(
            "lifetime", Status.FAIL, f"the token was issued in the future ({iso(iat)})", clock_fix
        )
    return Check(
        "lifetime",
        Status.PASS,
        f"valid until {iso(exp)} ({ago(exp - now)} left, leeway {leeway:g} s)",
    )


def check_token_issuer(claims: Mapping[str, Any], issuer: str | None) -> Check:
    """``iss`` equals the discovery ``issuer`` exactly (None: no discovery document)."""
    if issuer is None:
        return Check("token issuer", Status.SKIP, "skipped: no discovery document")
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        return Check(
            "token issuer",
            Status.FAIL,
            "the token has no iss claim",
            "the provider must name itself in iss",
        )
    if iss == issuer:
        return Check("token issuer", Status.PASS, f"iss is the discovery issuer {iss}")
    if iss.rstrip("/") == issuer.rstrip("/"):
        return Check(
            "token issuer",
            Status.FAIL,
            f"iss {iss!r} and the discovery issuer {issuer!r} differ only by a trailing "
            "slash; the issuer is compared exactly",
            "point discoveryUrl at the discovery document of the issuer that signs the "
            "tokens, or make the provider publish one issuer URL in both places",
        )
    return Check(
        "token issuer",
        Status.FAIL,
        f"iss {iss} is not the discovery issuer {issuer}: the token comes from another issuer",
        f"fetch the token from {issuer}, or use "
        f"{iss.rstrip('/')}{authorizer.WELL_KNOWN_SUFFIX} as discoveryUrl",
    )


def check_clients(claims: Mapping[str, Any], allowed: Sequence[str] | None) -> Check:
    """allowedClients: the ``client_id`` claim is one of them."""
    if not allowed:
        return Check("allowedClients", Status.SKIP, "not set in the authorizer file")
    cid = claims.get("client_id")
    if cid is None:
        azp = claims.get("azp")
        if azp is not None:
            return Check(
                "allowedClients",
                Status.FAIL,
                f"the token has no client_id claim (it names the client in azp={azp!r}), "
                "and the Gateway matches allowedClients against client_id",
                "this provider (Auth0) identifies clients by aud: use allowedAudience with "
                "the API identifier instead of allowedClients",
            )
        return Check(
            "allowedClients",
            Status.FAIL,
            "the token has no client_id claim to match allowedClients against",
            "use allowedAudience (matched against aud) for this provider",
        )
    if cid in allowed:
        return Check("allowedClients", Status.PASS, f"client_id {cid} is allowed")
    return Check(
        "allowedClients",
        Status.FAIL,
        f"client_id {cid} is not in allowedClients {listing(allowed)}",
        f"use a listed client, or add {cid} to the spec's clients and rewrite the file "
        "(authgen authorizer ENV)",
    )


def check_audience(
    claims: Mapping[str, Any], allowed: Sequence[str] | None, *, provider: str | None
) -> Check:
    """allowedAudience: one of the token's ``aud`` values is allowed.

    ``provider`` (cognito | auth0 | None) words the fix for a token without aud.
    """
    if not allowed:
        return Check("allowedAudience", Status.SKIP, "not set in the authorizer file")
    aud = claims.get("aud")
    if aud is None:
        if provider == "cognito" or "client_id" in claims:
            return Check(
                "allowedAudience",
                Status.FAIL,
                "the token has no aud claim: Cognito access tokens carry client_id and "
                "never aud, so allowedAudience rejects every Cognito token",
                "use allowedClients with the app client ids instead of allowedAudience "
                "(authgen writes allowedClients for provider: cognito)",
            )
        return Check(
            "allowedAudience",
            Status.FAIL,
            "the token has no aud claim",
            "request the token for an audience (Auth0: audience=<API identifier>) or use "
            "allowedClients",
        )
    if isinstance(aud, str):
        auds = [aud]
    elif isinstance(aud, list):
        auds = [a for a in aud if isinstance(a, str)]
    else:
        auds = []
    match = [a for a in auds if a in allowed]
    if match:
        return Check("allowedAudience", Status.PASS, f"aud {match[0]} is allowed")
    shown = listing(auds) if len(auds) != 1 else auds[0]
    return Check(
        "allowedAudience",
        Status.FAIL,
        f"aud {shown} is not in allowedAudience {listing(allowed)}",
        "request the token for an allowed audience (Auth0: audience=<API identifier>) "
        "or correct allowedAudience",
    )


def check_scopes(claims: Mapping[str, Any], allowed: Sequence[str] | None) -> Check:
    """allowedScopes: at least one of the token's scopes is allowed (any-of)."""
    if not allowed:
        return Check("allowedScopes", Status.SKIP, "not set in the authorizer file")
    have = token_scopes(claims)
    if not have:
        return Check(
            "allowedScopes",
            Status.FAIL,
            "the token carries no scope (neither scope nor scp)",
            "request scopes with the token (Cognito: <resource server>/<name>; Auth0: the "
            "client grant's scopes) and grant them to the client in the spec",
        )
    match = [s for s in have if s in allowed]
    if match:
        return Check(
            "allowedScopes", Status.PASS, f"token scope {match[0]} is allowed (one match suffices)"
        )
    return Check(
        "allowedScopes",
        Status.FAIL,
        f"none of the token's scopes {listing(have)} is in allowedScopes {listing(allowed)}",
        f"grant the client one of {listing(allowed)} in the spec and request it, or "
        "correct allowed_scopes",
    )


def check_custom_claim(rule: Any, claims: Mapping[str, Any], index: int = 0) -> Check:
    """customClaims[index]: the token's claim matches the rule (EQUALS for a
    STRING claim, CONTAINS / CONTAINS_ANY for a STRING_ARRAY claim)."""
    raw_name = rule.get("inboundTokenClaimName", "") if isinstance(rule, Mapping) else ""
    name = raw_name if isinstance(raw_name, str) else ""
    row = f"customClaims[{index}] {name}".rstrip()
    problems = authorizer.custom_claim_problems(rule)
    if problems:
        return Check(
            row,
            Status.FAIL,
            "the rule itself is invalid: " + "; ".join(authorizer.format_problems(problems)),
            "fix custom_claims in the spec",
        )
    vtype = rule["inboundTokenClaimValueType"]
    match = rule["authorizingClaimMatchValue"]
    op = match["claimMatchOperator"]
    want = match["claimMatchValue"]
    if name not in claims:
        return Check(
            row,
            Status.FAIL,
            f"the token has no {name} claim",
            "add the claim to access tokens (Cognito: a pre token generation trigger; Auth0: "
            "an Action on the credentials exchange) or drop the rule",
        )
    value = claims[name]
    if vtype == "STRING":
        if not isinstance(value, str):
            return Check(
                row,
                Status.FAIL,
                f"{name} is {kind_of(value)}, but the rule expects a STRING",
                "use inboundTokenClaimValueType STRING_ARRAY with CONTAINS / CONTAINS_ANY"
                if isinstance(value, list)
                else "the claim must be a string",
            )
        expected = want["matchValueString"]
        if value == expected:
            return Check(row, Status.PASS, f"{name} equals {expected!r}")
        return Check(
            row,
            Status.FAIL,
            f"{name} is {value!r}, not {expected!r} (EQUALS)",
            "issue tokens with the expected value or correct the rule",
        )
    if not isinstance(value, list):
        return Check(
            row,
            Status.FAIL,
            f"{name} is {kind_of(value)}, but the rule expects a STRING_ARRAY",
            "use inboundTokenClaimValueType STRING with EQUALS"
            if isinstance(value, str)
            else "the claim must be an array of strings",
        )
    if op == "CONTAINS":
        expected = want["matchValueString"]
        if expected in value:
            return Check(row, Status.PASS, f"{name} contains {expected!r}")
        return Check(
            row,
            Status.FAIL,
            f"{name} {listing(value)} does not contain {expected!r} (CONTAINS)",
            "issue tokens whose claim holds the value or correct the rule",
        )
    expected_any = want["matchValueStringList"]
    hit = [v for v in expected_any if v in value]
    if hit:
        return Check(row, Status.PASS, f"{name} contains {hit[0]!r} (CONTAINS_ANY)")
    return Check(
        row,
        Status.FAIL,
        f"{name} {listing(value)} contains none of {listing(expected_any)} (CONTAINS_ANY)",
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


def guess_provider(known: str | None, issuer: Any, iss: Any) -> str | None:
    """cognito | auth0 | None: ``known`` (the credentials' provider) when set,
    else from the issuer's host (discovery ``issuer``, else the ``iss`` claim)."""
    if known:
        return known
    url = issuer if isinstance(issuer, str) and issuer else iss if isinstance(iss, str) else ""
    host = urlsplit(url).hostname or ""
    if host.startswith("cognito-idp."):
        return "cognito"
    if host.endswith(".auth0.com"):
        return "auth0"
    return None


def _b64json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        return None
