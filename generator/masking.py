"""Masking known secrets in text, in every form they can take.

A client secret can reach a message, a log line or a table in more shapes than
its raw value: an endpoint that echoes the request may show it URL-encoded
(``client_secret=a%2Bb``), inside HTTP Basic credentials
(``Authorization: Basic base64(client_id:secret)``), or JSON-escaped. ``mask``
replaces each of those forms, and callers mask *before* they shorten text, so
that a cut can never leave half a secret visible.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

#: Secrets shorter than this are not masked inside longer text (a 1-3
#: character "secret" would blank out ordinary words); nothing real is so short.
MIN_SECRET_LENGTH = 4


def forms(secret: str, *, client_id: str | None = None) -> set[str]:
    """Every text form of ``secret`` worth masking.

    Raw, URL-encoded (both ``%20`` and ``+`` styles), JSON-escaped (without the
    quotes), base64 of the secret, and, when ``client_id`` is given, base64 of
    ``client_id:secret`` as sent in HTTP Basic credentials (also its
    URL-encoded-then-base64 form, RFC 6749 §2.3.1).
    """
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        return set()
    found = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
        base64.b64encode(secret.encode()).decode().rstrip("="),
    }
    if client_id is not None:
        for user, password in ((client_id, secret), (quote_plus(client_id), quote_plus(secret))):
            pair = f"{user}:{password}".encode()
            found.add(base64.b64encode(pair).decode().rstrip("="))
            found.add(base64.urlsafe_b64encode(pair).decode().rstrip("="))
    return {f for f in found if len(f) >= MIN_SECRET_LENGTH}


def mask(text: str, secrets: Iterable[str], *, client_id: str | None = None) -> str:
    """``text`` with every form of every secret replaced by ``***``.

    Longer forms are replaced first, so a form that contains another is masked
    whole. Mask before truncating.
    """
    every: set[str] = set()
    for secret in secrets:
        if secret:
            every |= forms(secret, client_id=client_id)
    for form in sorted(every, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


#: Field names whose values are secrets wherever they appear: ``ClientSecret``
#: in Cognito API bodies, ``client_secret`` in Auth0 bodies and form posts,
#: ``clientSecret``, ``AUTH0_CLIENT_SECRET=...``. Matched case-insensitively.
_SECRET_FIELD = re.compile(
    r"""(?P<key>client_?secret)     # the field name (also inside a longer one)
        (?P<close>\\*["']?)         # its closing quote, maybe JSON-escaped
        (?P<sep>\s*[:=]\s*)         # "name": value, name=value, name: value
        (?P<open>\\*["']?)          # the value's opening quote, maybe escaped
        (?P<value>[\w\-+/=.~%]+)    # the value: the characters secrets are made of
    """,
    re.IGNORECASE | re.VERBOSE,
)


#: Words that stand where a value is missing; never taken for a secret.
_NOT_A_VALUE = frozenset({"null", "none", "true", "false", "undefined", "string"})


def mask_secret_fields(text: str) -> tuple[str, list[str]]:
    """``text`` with the value of every secret-named field (``ClientSecret``,
    ``client_secret``, ...) replaced by ``***``, and the values found.

    For text nobody parsed: debug logs that print API request and response
    bodies (``TF_LOG``). Callers add the values to their known secrets, so
    that a later line holding the same value without its field name is
    masked too.
    """
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        value = match["value"]
        if len(value) < MIN_SECRET_LENGTH or value.lower() in _NOT_A_VALUE:
            return match[0]
        found.append(value)
        return match["key"] + match["close"] + match["sep"] + match["open"] + MASK

    return _SECRET_FIELD.sub(replace, text), found
