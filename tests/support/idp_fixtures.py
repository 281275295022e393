"""Shared pieces of the token and verify tests: a nanoidp with known clients.

tests/conftest.py's ``nanoidp`` fixture starts one with these clients per test
module. The clients below cover the cases the tests need.
"""

from __future__ import annotations

import time
import uuid

import jwt

from tests.support.nanoidp import KID, Client, NanoIdp, rsa_key_pem

AUDIENCE = "gateway123"
SCOPES = ["invoke:gateway", "read:gateway", "admin:gateway"]

GATEWAY = Client("gateway-client", "gw-secret-5f0c2a9e71", ("invoke:gateway", "read:gateway"))
OTHER = Client("other-client", "other-secret-8d3b1c44f2", ("invoke:gateway",))
POSTER = Client(
    "post-client", "post-secret-2b7e9a11c0", ("invoke:gateway",), auth_method="client_secret_post"
)
READER = Client("reader-client", "reader-secret-c19d07b3aa", ("read:gateway",))
CLIENTS = [GATEWAY, OTHER, POSTER, READER]


def mint(
    idp: NanoIdp,
    *,
    key_pem: bytes | None = None,
    kid: str = KID,
    alg: str = "RS256",
    **claims,
) -> str:
    """A token shaped like nanoidp's, signed with its key (or ``key_pem``).

    Claims default to a valid token for GATEWAY; pass ``name=None`` to drop one.
    """
    now = int(time.time())
    payload = {
        "jti": str(uuid.uuid4()),
        "iss": idp.issuer,
        "sub": GATEWAY.client_id,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "scope": "invoke:gateway",
        "client_id": GATEWAY.client_id,
        "token_use": "access",
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key_pem or idp.private_key_pem, algorithm=alg, headers={"kid": kid})


def other_key() -> bytes:
    return rsa_key_pem()[0]
