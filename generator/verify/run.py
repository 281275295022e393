"""``verify()``: fetch once, run every check in order, mask what is secret.

The order is the Gateway's: the authorizer file itself, its discovery
document and issuer, the JWKS, then one token and each rule against it. A
check whose input is missing because an earlier row failed is a skip; a
token that cannot be had is a failure (fail closed) unless the caller asked
for discovery-only checks (``no_token``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from generator import tokens
from generator.errors import AuthgenError
from generator.masking import mask
from generator.verify import checks, fetch, token_checks
from generator.verify.rows import Check, Status, skipped
from generator.verify.token_checks import Obtained

log = logging.getLogger(__name__)

#: A callable returning a TokenResponse, an OAuth token response mapping, or
#: the bare access token.
TokenSource = Callable[[], "tokens.TokenResponse | Mapping[str, Any] | str"]

#: ``advise(row, *, members, discovery, claims) -> row``: a provider's diagnosis
#: of a row (``Provider.advisor``), given what verify saw.
Advisor = Callable[..., Check]

TOKEN_ROWS = (
    "signature, lifetime, iss, allowedClients, allowedAudience, allowedScopes, customClaims"
)


def verify(
    doc: Mapping[str, Any],
    *,
    get_token: TokenSource | None = None,
    credentials: tokens.ClientCredentials | None = None,
    credentials_problem: str | None = None,
    no_token: bool = False,
    wait: float = tokens.DEFAULT_WAIT,
    timeout: float = tokens.DEFAULT_TIMEOUT,
    leeway: float = token_checks.DEFAULT_LEEWAY,
    emulator: bool | None = None,
    now: Callable[[], float] = time.time,
    advise: Advisor | None = None,
) -> list[Check]:
    """Every check of ``doc`` (an authorizer document) and a token, as rows.

    The token comes from ``get_token()`` (a TokenResponse, a token response
    mapping or the bare token string) or else from ``credentials``. With
    neither, the token row fails, saying ``credentials_problem`` (why the
    caller has none) or that none were given. ``no_token`` leaves the token
    out on purpose (discovery-only checks): its rows are skips. ``emulator``
    (None: detected from the discovery document) marks a local Cognito
    emulator. DNS and connection errors are retried with backoff until
    ``wait`` seconds; ``now`` is the clock the token's lifetime is checked
    against. ``advise`` (the provider's ``advisor``) rewords rows with the
    provider's known pitfalls, given the authorizer members, the discovery
    document and the token's claims. No row holds the client secret or the
    token, in any form.
    """
    members = checks.authorizer_members(doc)
    url = members.get("discoveryUrl")
    rows = [checks.check_discovery_url(url), checks.check_rules(doc)]

    discovery: dict[str, Any] | None = None
    if rows[0].passed:
        fetched = fetch.discovery_document(url, wait=wait, timeout=timeout)
        rows.append(checks.check_discovery_document(fetched))
        discovery = fetched.document if rows[-1].passed else None
    else:
        rows.append(skipped("discovery document", "discoveryUrl is not usable"))

    keys: dict[str, dict] | None = None
    if discovery is None:
        rows += [
            skipped("issuer", "no discovery document"),
            skipped("JWKS", "no discovery document"),
        ]
    else:
        if emulator is None:
            emulator = checks.served_by_emulator(url, discovery["issuer"])
        rows.append(checks.check_issuer(url, discovery["issuer"], emulator=emulator))
        fetched = fetch.jwks(discovery["jwks_uri"], wait=wait, timeout=timeout)
        rows.append(checks.check_jwks(fetched))
        keys = checks.signing_keys(fetched.document) if rows[-1].passed else None

    secrets = [credentials.client_secret] if credentials else []
    client_id = credentials.client_id if credentials else None

    def done(rows: list[Check], claims: Mapping[str, Any] | None = None) -> list[Check]:
        if advise is not None:
            rows = [advise(r, members=members, discovery=discovery, claims=claims) for r in rows]
        return _masked(rows, secrets, client_id)

    if no_token:
        rows += [
            Check("token", Status.SKIP, "not requested: --no-token (discovery-only checks)"),
            Check("token checks", Status.SKIP, f"not requested: --no-token ({TOKEN_ROWS})"),
        ]
        return done(rows)

    got = _obtain(get_token, credentials, credentials_problem, wait=wait, timeout=timeout)
    if got.token:
        secrets.append(got.token)
    rows.append(token_checks.check_token(got, emulator=bool(emulator)))
    if got.token is None:
        rows.append(skipped("token checks", f"no token ({TOKEN_ROWS})"))
        return done(rows)

    decoded = token_checks.decode_jwt(got.token)
    rows += token_rows(
        got.token,
        members,
        discovery,
        keys,
        provider=credentials.provider if credentials else None,
        now=now(),
        leeway=leeway,
    )
    return done(rows, decoded[1] if decoded else None)


def token_rows(
    token: str,
    members: Mapping[str, Any],
    discovery: Mapping[str, Any] | None,
    keys: Mapping[str, Mapping[str, Any]] | None,
    *,
    provider: str | None,
    now: float,
    leeway: float = token_checks.DEFAULT_LEEWAY,
) -> list[Check]:
    """The rows of the token checks, in the Gateway's order (pure: no I/O).

    ``members`` is the authorizer's ``customJWTAuthorizer`` object,
    ``discovery`` the discovery document and ``keys`` the JWKS signing keys
    (None where those rows failed), ``provider`` the credentials' provider
    when known, ``now`` the clock value the lifetime is checked against.
    """
    issuer = discovery["issuer"] if discovery else None
    provider = token_checks.guess_provider(provider, issuer, None)
    audiences = members.get("allowedAudience") or []
    rows = [token_checks.check_format(token, allowed_audience=audiences, provider=provider)]
    decoded = token_checks.decode_jwt(token)
    if not rows[0].passed or decoded is None:
        return [*rows, skipped("token checks", "the token is not a signed JWT")]

    header, claims = decoded
    provider = token_checks.guess_provider(provider, issuer, claims.get("iss"))
    rows += [
        token_checks.check_signature(
            token, header, keys, token_checks.accepted_algorithms(discovery, keys)
        ),
        token_checks.check_lifetime(claims, now=now, leeway=leeway),
        token_checks.check_token_issuer(claims, issuer),
    ]
    # A member the file does not set gets no row: the Gateway checks nothing
    # there (the "authorizer rules" row lists the members that are checked).
    if members.get("allowedClients"):
        rows.append(token_checks.check_clients(claims, members["allowedClients"]))
    if members.get("allowedAudience"):
        rows.append(
            token_checks.check_audience(claims, members["allowedAudience"], provider=provider)
        )
    if members.get("allowedScopes"):
        rows.append(token_checks.check_scopes(claims, members["allowedScopes"]))
    rules = members.get("customClaims")
    if isinstance(rules, list):  # anything else is reported under "authorizer rules"
        rows += [token_checks.check_custom_claim(r, claims, i) for i, r in enumerate(rules)]
    return rows


def _obtain(
    get_token: TokenSource | None,
    credentials: tokens.ClientCredentials | None,
    problem: str | None,
    *,
    wait: float,
    timeout: float,
) -> Obtained:
    """Ask for one token; a user error becomes an :class:`Obtained` without one."""
    if get_token is None and credentials is None:
        if problem:
            return Obtained(
                detail=f"no client credentials: {problem}",
                fix="make the client's id and secret readable (see the detail)",
                kind="missing",
            )
        return Obtained(
            detail="no client credentials given",
            fix="pass a client (--client NAME, or --client-id with AUTHGEN_CLIENT_SECRET)",
            kind="missing",
        )
    try:
        if get_token is not None:
            answer = get_token()
        else:
            answer = credentials.fetch(wait=wait, timeout=timeout)
    except AuthgenError as err:
        return Obtained(
            detail=getattr(err, "reason", None) or str(err),
            fix=getattr(err, "fix", ""),
            kind=getattr(err, "kind", "error"),
        )
    return token_checks.obtained(answer, credentials.client_id if credentials else None)


def _masked(rows: list[Check], secrets: list[str], client_id: str | None) -> list[Check]:
    """The rows with every form of every secret masked, logged at debug level."""
    out = []
    for row in rows:
        detail = mask(row.detail, secrets, client_id=client_id)
        fix = mask(row.fix, secrets, client_id=client_id)
        if (detail, fix) != (row.detail, row.fix):
            row = Check(row.name, row.status, detail, fix)
        log.debug("%s: %s: %s", row.name, row.status.value, row.detail)
        out.append(row)
    return out
