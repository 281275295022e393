"""Check an authorizer file and a real token the way the Gateway does.

``verify(doc, ...)`` returns one :class:`Check` row per step, each with a
status (pass / fail / skip), what was found and, for a failure, the likely
fix. Nothing here prints; ``format_text`` turns rows into plain text and
``summary`` counts them (``generator.ui`` draws them as a table).

The package:

- ``rows``: the :class:`Check` row, its :class:`Status`, ``all_ok``;
- ``fetch``: the discovery document and the JWKS over HTTP (with the token
  request's retry and backoff), returned as data;
- ``checks``: pure checks of the authorizer file, discovery document and JWKS;
- ``token_checks``: pure checks of the token;
- ``run``: ``verify()``, which fetches once and calls the checks in order.

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

from collections.abc import Iterable

from generator.verify.rows import Check, Status, all_ok
from generator.verify.run import TokenSource, verify
from generator.verify.token_checks import EMULATOR_NO_TOKENS, check_custom_claim, token_scopes


def summary(checks: Iterable[Check]) -> str:
    """``"7 passed, 1 failed, 3 skipped"``."""
    checks = list(checks)
    counts = {s: sum(1 for c in checks if c.status is s) for s in Status}
    return (
        f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped"
    )


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


__all__ = [
    "EMULATOR_NO_TOKENS",
    "Check",
    "Status",
    "TokenSource",
    "all_ok",
    "check_custom_claim",
    "format_text",
    "summary",
    "token_scopes",
    "verify",
]
