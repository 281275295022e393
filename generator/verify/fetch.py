"""The two documents verify reads over HTTP: the OIDC discovery document and the JWKS.

Each fetch returns a :class:`Fetched` (the JSON object, or what went wrong
and what to do); nothing here judges the content, that is
``generator.verify.checks``. Connection and DNS errors are retried with the
same exponential backoff as the token request (``tokens.with_retry``) until
the ``wait`` deadline: a new Cognito domain or a local server still starting
is waited for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from generator import tokens


@dataclass(frozen=True)
class Fetched:
    """One JSON object fetched from ``url``, or why there is none.

    ``document`` is set when the URL served a JSON object; otherwise
    ``problem`` says what happened and ``fix`` what to do.
    """

    url: str
    document: dict[str, Any] | None = None
    problem: str = ""
    fix: str = ""


def discovery_document(
    url: str, *, wait: float = tokens.DEFAULT_WAIT, timeout: float = tokens.DEFAULT_TIMEOUT
) -> Fetched:
    """The OIDC discovery document at ``url`` (the authorizer's discoveryUrl)."""
    return get_json(url, "discovery URL", wait=wait, timeout=timeout)


def jwks(
    uri: str, *, wait: float = tokens.DEFAULT_WAIT, timeout: float = tokens.DEFAULT_TIMEOUT
) -> Fetched:
    """The JSON Web Key Set at ``uri`` (the discovery document's jwks_uri)."""
    return get_json(uri, "JWKS URI", wait=wait, timeout=timeout)


def get_json(
    url: str,
    what: str,
    *,
    wait: float = tokens.DEFAULT_WAIT,
    timeout: float = tokens.DEFAULT_TIMEOUT,
) -> Fetched:
    """GET ``url`` and parse a JSON object; ``what`` names the URL in messages.

    Connection and DNS errors are retried until ``wait`` seconds; an HTTP
    status other than 200, a body that is not JSON, or JSON that is not an
    object is a problem at once.
    """

    def get() -> requests.Response:
        return requests.get(url, headers={"Accept": "application/json"}, timeout=timeout)

    try:
        resp = tokens.with_retry(get, url=url, wait=wait, what=what)
    except tokens.TokenError as err:
        return Fetched(url, problem=err.reason, fix=err.fix)
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    if resp.status_code != 200:
        return Fetched(
            url,
            problem=f"{url} answered HTTP {resp.status_code}",
            fix=f"check the {what}: the host, region, user pool id or tenant in it",
        )
    try:
        document = resp.json()
    except ValueError:
        return Fetched(
            url,
            problem=f"{url} served {ctype}, not JSON",
            fix=f"the {what} must serve JSON: check the URL",
        )
    if not isinstance(document, dict):
        return Fetched(
            url, problem=f"{url} served JSON that is not an object", fix=f"check the {what}"
        )
    return Fetched(url, document=document)
