"""Checks of the authorizer file and what its discoveryUrl serves.

Pure functions: each takes plain inputs (the authorizer document, the
discovery URL, a :class:`~generator.verify.fetch.Fetched` document) and
returns one :class:`~generator.verify.rows.Check` row. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from generator import authorizer
from generator.verify.fetch import Fetched
from generator.verify.rows import Check, Status

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def authorizer_members(doc: Any) -> Mapping[str, Any]:
    """The ``customJWTAuthorizer`` object of an authorizer document ({} when absent)."""
    inner = doc.get(authorizer.ROOT_KEY) if isinstance(doc, Mapping) else None
    return inner if isinstance(inner, Mapping) else {}


def check_discovery_url(url: Any) -> Check:
    """discoveryUrl fits the API's pattern (and so can be fetched)."""
    problem = authorizer.discovery_url_problem(url)
    if problem:
        return Check(
            "discoveryUrl",
            Status.FAIL,
            problem,
            "set discoveryUrl to <issuer>/.well-known/openid-configuration "
            "(authgen authorizer ENV writes it from the discovery_url output)",
        )
    return Check("discoveryUrl", Status.PASS, f"{url} fits the API pattern")


def check_rules(doc: Mapping[str, Any]) -> Check:
    """Every other member meets the API's rules (CreateGateway would refuse it otherwise)."""
    found = [
        (path, message)
        for path, message in authorizer.problems(doc)
        if path != f"{authorizer.ROOT_KEY}.discoveryUrl"
    ]
    if found:
        return Check(
            "authorizer rules",
            Status.FAIL,
            "; ".join(authorizer.format_problems(found)),
            "fix the spec and rewrite the file (authgen authorizer ENV); CreateGateway "
            "would refuse it as it is",
        )
    members = authorizer_members(doc)
    configured = [k for k in authorizer.RULE_KEYS if k in members]
    return Check(
        "authorizer rules", Status.PASS, "meets the API rules; checks " + ", ".join(configured)
    )


def check_discovery_document(fetched: Fetched) -> Check:
    """The discovery URL served a JSON object with ``issuer`` and ``jwks_uri``."""
    if fetched.document is None:
        return Check("discovery document", Status.FAIL, fetched.problem, fetched.fix)
    doc = fetched.document
    missing = [k for k in ("issuer", "jwks_uri") if not isinstance(doc.get(k), str) or not doc[k]]
    if missing:
        return Check(
            "discovery document",
            Status.FAIL,
            f"{fetched.url} is JSON but has no {' or '.join(missing)}",
            "discoveryUrl must be the OIDC discovery document of the token issuer",
        )
    return Check(
        "discovery document", Status.PASS, f"JSON with issuer and jwks_uri ({fetched.url})"
    )


def check_issuer(url: str, issuer: str, *, emulator: bool) -> Check:
    """The discovery ``issuer`` is the one discoveryUrl belongs to (OIDC
    Discovery §4.3; for RFC 8414 metadata the issuer derived from the path).

    Auth0 publishes its issuer with a trailing slash: accepted. A local
    emulator serves a real-looking Cognito issuer from a loopback URL: the
    path (user pool id) must match.
    """
    base = authorizer.issuer_for(url)
    if issuer == base:
        return Check("issuer", Status.PASS, f"{issuer} (the base of discoveryUrl)")
    if issuer.rstrip("/") == base.rstrip("/"):
        return Check(
            "issuer",
            Status.PASS,
            f"{issuer} (the base of discoveryUrl up to a trailing slash, as Auth0 publishes it)",
        )
    if emulator and _same_path(issuer, base):
        return Check(
            "issuer",
            Status.PASS,
            f"{issuer}: served by a local emulator at {urlsplit(base).netloc}; "
            "the path (user pool id) matches",
        )
    return Check(
        "issuer",
        Status.FAIL,
        f"the discovery issuer {issuer} is not the base of discoveryUrl {base}",
        f"use {issuer.rstrip('/')}{authorizer.WELL_KNOWN_SUFFIX} as discoveryUrl (OIDC "
        "Discovery requires the issuer to serve its own document)",
    )


def check_jwks(fetched: Fetched) -> Check:
    """The JWKS holds at least one RSA signing key with a ``kid``."""
    if fetched.document is None:
        return Check("JWKS", Status.FAIL, fetched.problem, fetched.fix)
    keys = fetched.document.get("keys")
    if not isinstance(keys, list):
        return Check(
            "JWKS",
            Status.FAIL,
            f"{fetched.url} has no 'keys' list",
            "jwks_uri must serve a JSON Web Key Set",
        )
    signing = signing_keys(fetched.document)
    if not signing:
        return Check(
            "JWKS",
            Status.FAIL,
            f"{fetched.url} holds {len(keys)} key(s) but no RSA signing key with a kid",
            "the Gateway verifies RS256 signatures: the provider must publish RSA signing keys "
            "(Auth0: the API's signing algorithm RS256, not HS256)",
        )
    names = ", ".join(sorted(signing))
    return Check("JWKS", Status.PASS, f"{len(signing)} RSA signing key(s): {names}")


def signing_keys(jwks: Mapping[str, Any]) -> dict[str, dict]:
    """The RSA signing keys of a JWKS document, by ``kid``."""
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        return {}
    return {
        k["kid"]: k
        for k in keys
        if isinstance(k, dict)
        and k.get("kty") == "RSA"
        and k.get("use", "sig") == "sig"
        and isinstance(k.get("kid"), str)
        and k.get("kid")
    }


def served_by_emulator(url: Any, issuer: Any) -> bool:
    """A Cognito issuer served from a loopback discovery URL: a local emulator."""
    if not isinstance(url, str) or not isinstance(issuer, str):
        return False
    host = urlsplit(url).hostname or ""
    iss_host = urlsplit(issuer).hostname or ""
    return host in LOOPBACK_HOSTS and iss_host.startswith("cognito-idp.")


def _same_path(a: str, b: str) -> bool:
    return urlsplit(a).path.rstrip("/") == urlsplit(b).path.rstrip("/") != ""
