"""The identity providers ``provider: oidc`` knows by name, and their pitfalls.

An ``oidc`` environment names its identity provider either by its discovery
URL (``oidc.discovery_url``) or by one preset:

* ``entra: {tenant_id, version}``: Microsoft Entra ID. The discovery URL is
  ``https://login.microsoftonline.com/<tenant>/.well-known/openid-configuration``
  (version 1) or ``.../<tenant>/v2.0/.well-known/openid-configuration``
  (version 2). The v1.0 document names the issuer
  ``https://sts.windows.net/<tenant>/``, not the URL it is served under: that
  is Entra's documented shape, accepted here. Which token version a caller
  gets depends on the API's app registration (``accessTokenAcceptedVersion``
  in its manifest), not on the endpoint it asks, so a v2 discovery URL with
  v1 tokens is the classic 401. Client-credentials tokens name the client in
  ``azp`` (v2) / ``appid`` (v1), never ``client_id``, and carry application
  permissions in ``roles``, never ``scp``.
* ``okta: {domain, authorization_server}``: an Okta custom authorization
  server, ``https://<domain>/oauth2/<server>/.well-known/openid-configuration``
  (Okta also serves ``.../oauth-authorization-server``; the
  ``openid-configuration`` form is the one the Gateway API's pattern, the
  Terraform AWS provider and the CDK all document). Okta access tokens name
  the client in ``cid``, not ``client_id``; the client_credentials grant needs
  a custom scope of the authorization server.
* ``keycloak: {url, realm}``: ``<url>/realms/<realm>/.well-known/openid-configuration``.
  Keycloak puts an audience into client_credentials tokens only through an
  audience mapper, and writes ``iss`` from the host name a token was asked on.

Each preset derives the discovery URL, says how to ask for a token (scope,
audience, token endpoint) and turns verify's failing rows into the fix that
provider needs (``advise``). Nothing here does I/O; rows are
``generator.verify.Check`` values, imported only when a row is advised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from generator.rules import HOSTNAME_PATTERN, Rule

ENTRA_HOST = "login.microsoftonline.com"
#: Entra's multi-tenant aliases: their discovery documents name the issuer as a
#: template (``.../{tenantid}/v2.0``) that no token carries.
ENTRA_ALIASES = ("common", "organizations", "consumers")
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: The spec keys naming the identity provider, exactly one of which is set.
SOURCES = ("discovery_url", "entra", "okta", "keycloak")

#: ``advise(row, members=..., discovery=..., claims=...) -> row``: a verify row,
#: returned as it is or with the provider's diagnosis.
Advisor = Callable[..., Any]


# --------------------------------------------------------------------------
# Value rules (the spec's validators call these)


def url_problem(value: str, what: str) -> str | None:
    """An https URL without credentials, query or fragment (plain http on loopback only)."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{what} {value!r} must be an absolute https:// URL"
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        return f"{what} {value!r} uses plain http; use https (http only on 127.0.0.1 / localhost)"
    if parts.username is not None or parts.password is not None:
        return f"{what} must not carry credentials (user:password@); remove them"
    if parts.query or parts.fragment:
        return f"{what} {value!r} must not have a query or fragment"
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"{what} {value!r} has an invalid port"
    return None


def discovery_url_problem(value: str) -> str | None:
    """The Gateway's ``DiscoveryUrl`` rules plus https (http on loopback only)."""
    from generator import authorizer

    problem = authorizer.discovery_url_problem(value)
    if problem:
        return f"{problem}; write it like https://idp.example.com/.well-known/openid-configuration"
    return url_problem(value, "discovery URL")


def _name_rule(pattern: str, problem: str) -> Rule:
    """A rule for a name: None when ``pattern`` matches the whole value, else
    ``problem`` with the value filled in (``{value!r}``)."""
    regex = re.compile(pattern)

    def rule(value: str) -> str | None:
        return None if regex.fullmatch(value) else problem.format(value=value)

    return rule


#: ``default`` or an authorization server id (letters and digits, e.g. aus1a2b3c4D5e6F7g8h9).
okta_server_problem = _name_rule(
    r"[A-Za-z0-9]{1,64}",
    "{value!r} is not an authorization server id; use 'default' or the server's id "
    "(letters and digits, e.g. aus1a2b3c4D5e6F7g8h9)",
)
#: A realm name: no white space, '/', '?', '#' or '%'.
keycloak_realm_problem = _name_rule(
    r"[^\s/?#%]{1,255}",
    "realm {value!r} must not be empty or hold white space, '/', '?', '#' or '%'",
)
_entra_tenant_shape = _name_rule(
    f"{GUID.pattern}|{HOSTNAME_PATTERN}",
    "{value!r} is neither a tenant id (a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47) "
    "nor a domain (contoso.onmicrosoft.com); use the Directory (tenant) ID",
)


def entra_tenant_problem(value: str) -> str | None:
    """A tenant id (GUID) or a verified domain, never a multi-tenant alias."""
    if value.lower() in ENTRA_ALIASES:
        return (
            f"{value!r} is Entra's multi-tenant alias: its discovery document names the issuer "
            "as a template ({tenantid}) that no token carries; use your tenant id (a GUID)"
        )
    return _entra_tenant_shape(value)


def keycloak_url_problem(value: str) -> str | None:
    """The server's base URL (with ``/auth`` for Keycloak before 17), not a realm URL."""
    problem = url_problem(value, "Keycloak URL")
    if problem:
        return problem
    if "/realms/" in f"{urlsplit(value).path}/":
        return (
            f"Keycloak URL {value!r} names a realm; write the server's base URL and the realm "
            "under keycloak.realm"
        )
    return None


# --------------------------------------------------------------------------
# Presets


class Generic:
    """A provider given by its discovery URL (``oidc.discovery_url``)."""

    key = "discovery_url"
    title = "OIDC provider"

    def discovery_url(self, section: Any) -> str:
        """The URL as written."""
        return section.discovery_url

    def describe(self, section: Any) -> str:
        """The discovery URL's host."""
        return f"OIDC provider {urlsplit(section.discovery_url).netloc}"

    def token_endpoint(self, section: Any) -> str | None:
        """None: the discovery document's ``token_endpoint``."""
        return None

    def token_defaults(self, section: Any) -> tuple[tuple[str, ...], str | None]:
        """``(scopes, audience)``: the first audience, for IdPs that issue
        JWTs only for a named audience (Auth0-like); others ignore it."""
        audiences = section.audiences or []
        return (), (audiences[0] if audiences else None)

    def issuer_shape(self, section: Any, issuer: str) -> str | None:
        """Why an issuer that is not the discovery URL's base is right (None: it is not)."""
        return None

    def hint(self, section: Any, row: Any, facts: Facts) -> str | None:
        """This provider's fix for a failing row (None: the generic ones apply)."""
        return None


class Entra(Generic):
    """Microsoft Entra ID (``oidc.entra``)."""

    key = "entra"
    title = "Microsoft Entra ID"

    def discovery_url(self, section: Any) -> str:
        """``.../<tenant>/.well-known/...`` (v1) or ``.../<tenant>/v2.0/.well-known/...`` (v2)."""
        entra = section.entra
        version = "/v2.0" if entra.version == 2 else ""
        return f"https://{ENTRA_HOST}/{entra.tenant_id}{version}/.well-known/openid-configuration"

    def describe(self, section: Any) -> str:
        """The tenant and the token version."""
        return f"Entra ID tenant {section.entra.tenant_id}, v{section.entra.version}.0 tokens"

    def token_endpoint(self, section: Any) -> str:
        """The v2.0 endpoint for both versions (as MSAL does): the token's
        version follows the API's registration, and the v1.0 endpoint wants
        ``resource`` instead of ``scope``."""
        return f"https://{ENTRA_HOST}/{section.entra.tenant_id}/oauth2/v2.0/token"

    def token_defaults(self, section: Any) -> tuple[tuple[str, ...], str | None]:
        """``scope=<first audience>/.default``: how Entra's client_credentials
        grant names the API (its Application ID URI or application id)."""
        audiences = section.audiences or []
        if not audiences:
            return (), None
        return (f"{audiences[0].rstrip('/')}/.default",), None

    def v1_issuer(self, section: Any) -> str:
        return f"https://sts.windows.net/{section.entra.tenant_id}/"

    def issuer_shape(self, section: Any, issuer: str) -> str | None:
        """v1.0: ``https://sts.windows.net/<tenant>/``, Entra's documented v1 issuer."""
        if section.entra.version == 1 and issuer.lower() == self.v1_issuer(section).lower():
            return (
                "Entra's v1.0 issuer for this tenant (the v1.0 discovery document names "
                "sts.windows.net; v1.0 tokens carry the same iss)"
            )
        return None

    def hint(self, section: Any, row: Any, facts: Facts) -> str | None:
        entra = section.entra
        claims = facts.claims or {}
        iss = str(claims.get("iss") or "")
        if row.name == "issuer":
            issuer = str((facts.discovery or {}).get("issuer") or "")
            found = GUID.search(issuer)
            if found and found.group(0).lower() != entra.tenant_id.lower():
                return (
                    f"the issuer names the tenant by its id {found.group(0)}: set "
                    f"oidc.entra.tenant_id: {found.group(0)} so discoveryUrl and issuer agree"
                )
        if row.name == "token issuer":
            if iss.startswith("https://sts.windows.net/") and entra.version == 2:
                return (
                    "Entra issued a v1.0 token (iss sts.windows.net): the API's app registration "
                    "has accessTokenAcceptedVersion null or 1 in its manifest "
                    "(api.requestedAccessTokenVersion in Microsoft Graph); set it to 2, or set "
                    "oidc.entra.version: 1"
                )
            if iss.endswith("/v2.0") and entra.version == 1:
                return (
                    "Entra issued a v2.0 token (iss .../v2.0): the API's app registration has "
                    "accessTokenAcceptedVersion 2; set oidc.entra.version: 2, or set it to 1"
                )
        if row.name == "allowedAudience":
            aud = _audiences(claims)
            if aud and any(GUID.fullmatch(a) for a in aud) and iss.endswith("/v2.0"):
                return (
                    f"Entra v2.0 access tokens carry the API's application (client) id "
                    f"{aud[0]} in aud, not its Application ID URI: list {aud[0]} under "
                    "oidc.audiences"
                )
        if row.name == "allowedScopes" and "roles" in claims and "scp" not in claims:
            return (
                "Entra client_credentials tokens carry application permissions in roles, never "
                "scp: remove authorizer.allowed_scopes and add a custom_claims rule "
                "{claim: roles, type: STRING_ARRAY, operator: CONTAINS, value: <role>}"
            )
        if row.name == "token":
            detail = row.detail
            if "AADSTS7000215" in detail:
                return (
                    "Entra refused the secret: set AUTHGEN_CLIENT_SECRET to the secret's Value "
                    "(shown once when it was created), not its Secret ID"
                )
            if "AADSTS700016" in detail:
                return (
                    "no application with this client id in the tenant: check --client-id and "
                    "oidc.entra.tenant_id"
                )
            if "AADSTS1002012" in detail or "invalid_scope" in detail or "AADSTS70011" in detail:
                return (
                    "Entra's client_credentials grant takes scope=<Application ID URI>/.default "
                    "(e.g. --scope api://my-gateway/.default); the first of oidc.audiences is "
                    "used when --scope is not given"
                )
        if row.name == "discovery document" and "HTTP 400" in row.detail:
            return (
                "Entra answers HTTP 400 for an unknown tenant: check oidc.entra.tenant_id "
                f"{entra.tenant_id!r}"
            )
        return None


class Okta(Generic):
    """An Okta custom authorization server (``oidc.okta``)."""

    key = "okta"
    title = "Okta"

    def discovery_url(self, section: Any) -> str:
        """``https://<domain>/oauth2/<server>/.well-known/openid-configuration``."""
        okta = section.okta
        return f"https://{okta.domain}/oauth2/{okta.authorization_server}/.well-known/openid-configuration"

    def describe(self, section: Any) -> str:
        """The domain and the authorization server."""
        okta = section.okta
        return f"Okta {okta.domain}, authorization server {okta.authorization_server}"

    def token_defaults(self, section: Any) -> tuple[tuple[str, ...], str | None]:
        """Nothing: the authorization server fixes the audience, and its custom
        scopes are not known here (``--scope``)."""
        return (), None

    def hint(self, section: Any, row: Any, facts: Facts) -> str | None:
        okta = section.okta
        claims = facts.claims or {}
        if row.name == "token":
            detail = row.detail
            if "invalid_scope" in detail or "no scope" in detail.lower():
                return (
                    "an Okta custom authorization server grants client_credentials only for "
                    "custom scopes it defines, with an access policy rule allowing this client: "
                    "pass --scope <scope>"
                )
            if "unauthorized_client" in detail:
                return (
                    "the Okta app may not use client_credentials: make it an API Services app "
                    "(or enable the Client Credentials grant) and allow it in the authorization "
                    "server's access policy"
                )
        if row.name == "allowedAudience":
            aud = _audiences(claims)
            if aud:
                return (
                    f"the authorization server {okta.authorization_server!r} issues aud "
                    f"{aud[0]} (its Audience setting; api://default for the default server): "
                    "list it under oidc.audiences"
                )
        if row.name == "issuer":
            issuer = str((facts.discovery or {}).get("issuer") or "")
            host = urlsplit(issuer).hostname
            if host and host != okta.domain:
                return (
                    f"the authorization server's Issuer setting names {host} (a custom URL "
                    f"domain or the Okta URL): set oidc.okta.domain: {host}"
                )
        if row.name == "discovery document" and "HTTP 404" in row.detail:
            return (
                f"no authorization server {okta.authorization_server!r} at {okta.domain}: use "
                "'default' or the server's id (Security > API in the Okta admin console)"
            )
        return None


class Keycloak(Generic):
    """A Keycloak realm (``oidc.keycloak``)."""

    key = "keycloak"
    title = "Keycloak"

    def discovery_url(self, section: Any) -> str:
        """``<url>/realms/<realm>/.well-known/openid-configuration``."""
        kc = section.keycloak
        realm = quote(kc.realm, safe="")
        return f"{kc.url.rstrip('/')}/realms/{realm}/.well-known/openid-configuration"

    def describe(self, section: Any) -> str:
        """The realm and the server."""
        kc = section.keycloak
        return f"Keycloak realm {kc.realm} at {urlsplit(kc.url).netloc}"

    def token_defaults(self, section: Any) -> tuple[tuple[str, ...], str | None]:
        """Nothing: Keycloak sets the audience through mappers, not the request."""
        return (), None

    def hint(self, section: Any, row: Any, facts: Facts) -> str | None:
        kc = section.keycloak
        claims = facts.claims or {}
        if row.name == "allowedAudience":
            aud = _audiences(claims)
            if not aud or aud == ["account"]:
                return (
                    "Keycloak puts an audience into client_credentials tokens only through an "
                    "Audience protocol mapper (a client scope with 'Included Client Audience' or "
                    "'Included Custom Audience'); 'account' alone comes from the default roles"
                )
        if row.name == "allowedClients" and "client_id" not in claims:
            return (
                "this Keycloak names the client in azp: Keycloak 22 and later add client_id to "
                "service-account tokens (the service_account client scope), older ones write "
                "clientId; or list the token's aud under oidc.audiences instead"
            )
        if row.name == "token issuer":
            expected = urlsplit(str((facts.discovery or {}).get("issuer") or "")).netloc
            got = urlsplit(str(claims.get("iss") or "")).netloc
            if expected and got and expected != got:
                return (
                    f"Keycloak writes iss from the host a token was requested on ({got}): ask for "
                    f"tokens through {expected}, or set Keycloak's hostname option (KC_HOSTNAME)"
                )
        if row.name == "token" and "unauthorized_client" in row.detail:
            return (
                "the Keycloak client may not use client_credentials: turn on Client "
                "authentication and Service accounts roles for it"
            )
        if row.name == "discovery document" and "HTTP 404" in row.detail:
            return (
                f"no realm {kc.realm!r} at {kc.url} (Keycloak before version 17 serves under "
                f"/auth: set oidc.keycloak.url to {kc.url.rstrip('/')}/auth)"
            )
        return None


PRESETS: dict[str, Generic] = {p.key: p for p in (Generic(), Entra(), Okta(), Keycloak())}


def preset_of(section: Any) -> Generic:
    """The preset a section uses (the one of ``SOURCES`` it sets)."""
    return PRESETS[source_key(section)]


def source_key(section: Any) -> str:
    """The one key of ``SOURCES`` the section sets."""
    for key in SOURCES:
        if getattr(section, key, None) is not None:
            return key
    raise ValueError("the oidc section names no identity provider")


# --------------------------------------------------------------------------
# Diagnoses


class Facts:
    """What a diagnosis may look at: the authorizer members, the discovery
    document and the token's claims (None where verify did not get them)."""

    def __init__(
        self,
        members: Mapping[str, Any] | None,
        discovery: Mapping[str, Any] | None,
        claims: Mapping[str, Any] | None,
    ):
        self.members = members or {}
        self.discovery = discovery
        self.claims = claims


def advisor(section: Any) -> Advisor:
    """``advise(row, *, members, discovery, claims) -> row`` for ``section``'s provider.

    A failing row gets the provider's fix (or the generic one for ``aud`` vs
    ``client_id`` confusion); the discovery ``issuer`` row passes when the
    issuer has a documented shape of the provider (Entra v1.0).
    """
    preset = preset_of(section)

    def advise(
        row: Any,
        *,
        members: Mapping[str, Any] | None = None,
        discovery: Mapping[str, Any] | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> Any:
        from generator.verify import Check, Status

        if row.status is not Status.FAIL:
            return row
        facts = Facts(members, discovery, claims)
        issuer = (discovery or {}).get("issuer")
        if row.name == "issuer" and isinstance(issuer, str):
            why = preset.issuer_shape(section, issuer)
            if why:
                return Check(row.name, Status.PASS, f"{issuer}: {why}")
        fix = preset.hint(section, row, facts) or _generic_hint(row, facts)
        return Check(row.name, row.status, row.detail, fix) if fix else row

    return advise


#: Claims naming the client, in the order providers use them.
CLIENT_CLAIMS = ("client_id", "cid", "azp", "appid", "clientId")


def _generic_hint(row: Any, facts: Facts) -> str | None:
    """``aud`` vs ``client_id`` confusion, whatever the provider; an unknown host."""
    if row.name == "discovery document" and "does not resolve" in row.detail:
        return (
            "check the host name of the discovery URL (oidc.discovery_url, or the preset's "
            "domain / url) and this machine's DNS"
        )
    claims = facts.claims or {}
    members = facts.members
    aud = _audiences(claims)
    named = {k: claims[k] for k in CLIENT_CLAIMS if isinstance(claims.get(k), str)}
    if row.name == "allowedClients":
        allowed = [str(v) for v in members.get("allowedClients") or []]
        moved = [v for v in allowed if v in aud]
        if moved:
            return (
                f"{moved[0]} is the token's aud, not its client_id: move it from oidc.clients "
                "to oidc.audiences"
            )
        if "client_id" not in claims:
            other = next(((k, v) for k, v in named.items() if k != "client_id"), None)
            said = f" (it names the client in {other[0]}={other[1]!r})" if other else ""
            more = f" (tokens carry aud {aud[0]})" if aud else ""
            return (
                f"the token has no client_id claim{said}, and the Gateway matches allowedClients "
                f"against client_id only: list the token's audience under oidc.audiences{more} "
                "instead of oidc.clients, or make the provider add a client_id claim"
            )
    if row.name == "allowedAudience":
        allowed = [str(v) for v in members.get("allowedAudience") or []]
        moved = [(k, v) for k, v in named.items() if v in allowed]
        if moved:
            claim, value = moved[0]
            where = (
                "move it from oidc.audiences to oidc.clients"
                if claim == "client_id"
                else f"list the token's aud {aud[0]} under oidc.audiences instead"
                if aud
                else "ask the provider for an audience (a mapper, or --audience)"
            )
            return f"{value} is the token's {claim}, not its aud: {where}"
        if not aud:
            return (
                "the token has no aud: ask the provider for an audience (--audience for "
                "Auth0-like servers, an audience mapper elsewhere), or match the client with "
                "oidc.clients (client_id) instead"
            )
        return (
            f"list the token's aud {aud[0]} under oidc.audiences, or request a token for one "
            "of them (--audience / --scope)"
        )
    return None


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [a for a in aud if isinstance(a, str)]
    return []
