"""nanoidp, a real OIDC test provider, in a child process on 127.0.0.1.

nanoidp (PyPI) issues client_credentials access tokens carrying ``aud``
(``oauth.audience``), ``client_id``, ``scope``, ``iss``, ``exp``/``nbf``/``iat``,
signed RS256 with a ``kid`` from its JWKS. Its configuration is a directory
with ``settings.yaml``; this helper writes one into a temporary directory
with:

- ``server.port`` / ``oauth.issuer`` on a free loopback port;
- ``oauth.audience`` and ``oauth.scopes_supported`` (the scope vocabulary);
- ``oauth.clients`` (a client authenticates with HTTP Basic unless it is
  registered ``token_endpoint_auth_method: client_secret_post``;
  ``allowed_scopes`` limits what it may request);
- ``jwt.external_keys``: an RSA key pair generated here, so tests can also
  mint tokens with the provider's own key (an expired one, say).

The server is started with ``python -m nanoidp --config DIR`` in its own
process group, waited for on its discovery URL, and stopped by process id.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator.emulator import ServerProcess, free_port, spawn, wait_http

KID = "authgen-test-key"


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    allowed_scopes: tuple[str, ...] = ()
    auth_method: str = "client_secret_basic"

    def entry(self) -> dict:
        out = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "token_endpoint_auth_method": self.auth_method,
        }
        if self.allowed_scopes:
            out["allowed_scopes"] = list(self.allowed_scopes)
        return out


@dataclass
class NanoIdp(ServerProcess):
    port: int
    process: subprocess.Popen
    config_dir: Path
    private_key_pem: bytes = field(repr=False)
    kid: str = KID
    audience: str = ""

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"


def rsa_key_pem() -> tuple[bytes, bytes]:
    """A fresh RSA key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def start_nanoidp(
    workdir: Path,
    *,
    audience: str,
    scopes: list[str],
    clients: list[Client],
    port: int | None = None,
    timeout: float = 60.0,
) -> NanoIdp:
    """Write a settings.yaml under ``workdir`` and start nanoidp on it."""
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    keys_dir = workdir / "keys"
    keys_dir.mkdir(exist_ok=True)
    private, public = rsa_key_pem()
    (workdir / "signing.pem").write_bytes(private)
    (workdir / "signing.pub.pem").write_bytes(public)
    settings = {
        "config_version": 1,
        "server": {"host": "127.0.0.1", "port": port},
        "oauth": {
            "issuer": f"http://127.0.0.1:{port}",
            "audience": audience,
            "token_expiry_minutes": 60,
            "scopes_supported": list(scopes),
            "clients": [c.entry() for c in clients],
        },
        "jwt": {
            "keys_dir": str(keys_dir),
            "external_keys": {
                "private_key": str(workdir / "signing.pem"),
                "public_key": str(workdir / "signing.pub.pem"),
                "kid": KID,
            },
        },
    }
    # JSON is YAML: no YAML writer needed.
    (workdir / "settings.yaml").write_text(json.dumps(settings, indent=2))
    process = spawn(
        [sys.executable, "-m", "nanoidp", "--config", str(workdir)],
        workdir / "nanoidp.log",
        cwd=workdir,
    )
    idp = NanoIdp(
        port=port,
        process=process,
        config_dir=workdir,
        private_key_pem=private,
        audience=audience,
    )
    try:
        wait_http(idp.discovery_url, timeout, proc=process)
    except BaseException:
        idp.stop()
        tail = (workdir / "nanoidp.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"nanoidp did not start on port {port}:\n{tail}") from None
    return idp
