"""The oidc provider's spec section, presets and diagnoses
(``generator/providers/oidc.py``, ``oidc_presets.py``).

Presets are pure: the discovery URLs they derive, the token requests they
make and the rows they reword are checked here as data. The diagnoses also
run inside ``verify.verify`` against a real HTTP server on 127.0.0.1 serving
an Entra-shaped discovery document and a JWKS, with tokens signed by the key
that JWKS publishes (Entra itself cannot be reached from here).
"""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import jwt
import pytest

from generator import authorizer, providers, spec, verify
from generator.emulator import free_port
from generator.errors import SpecError
from generator.providers import oidc_presets
from generator.verify import Check, Status
from tests.support.nanoidp import rsa_key_pem
from tests.support.specs import load_problems
from tests.support.static_http import route

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def write(tmp_path: Path, section: str, name: str = "corp") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nprovider: oidc\ngateway: my-gateway\noidc:\n{section}")
    return path


def load(tmp_path: Path, section: str, name: str = "corp") -> spec.Spec:
    return spec.load(write(tmp_path, section, name))


def problems(tmp_path: Path, section: str) -> list[str]:
    return load_problems(write(tmp_path, section))


# --------------------------------------------------------------------------
# The section and the discovery URLs


@pytest.mark.parametrize(
    ("section", "url"),
    [
        (
            f"  entra: {{tenant_id: {TENANT}}}\n",
            f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration",
        ),
        (
            f"  entra: {{tenant_id: {TENANT}, version: 1}}\n",
            f"https://login.microsoftonline.com/{TENANT}/.well-known/openid-configuration",
        ),
        (
            "  okta: {domain: dev-123456.okta.com}\n",
            "https://dev-123456.okta.com/oauth2/default/.well-known/openid-configuration",
        ),
        (
            "  okta: {domain: login.example.com, authorization_server: aus1a2b3c4D5e6F7g8h9}\n",
            "https://login.example.com/oauth2/aus1a2b3c4D5e6F7g8h9/.well-known/openid-configuration",
        ),
        (
            "  keycloak: {url: https://sso.example.com/, realm: gateway}\n",
            "https://sso.example.com/realms/gateway/.well-known/openid-configuration",
        ),
        (
            "  keycloak: {url: 'https://sso.example.com/auth', realm: 'a:b'}\n",
            "https://sso.example.com/auth/realms/a%3Ab/.well-known/openid-configuration",
        ),
        (
            "  discovery_url: https://idp.example.com/.well-known/oauth-authorization-server/tenant\n",
            "https://idp.example.com/.well-known/oauth-authorization-server/tenant",
        ),
    ],
)
def test_presets_derive_the_discovery_url(tmp_path, section, url):
    loaded = load(tmp_path, section + "  audiences: [api://my-gateway]\n")
    outputs = providers.get("oidc").spec_outputs(loaded)
    assert outputs["discovery_url"] == url
    assert authorizer.discovery_url_problem(url) is None  # the API's pattern takes it


def test_the_file_carries_audiences_and_clients_as_the_api_members(tmp_path):
    loaded = load(
        tmp_path,
        "  okta: {domain: dev-1.okta.com}\n  audiences: [api://default]\n  clients: [0oa2, 0oa1]\n",
    )
    entry = providers.get("oidc")
    doc = authorizer.build("oidc", entry.spec_outputs(loaded), members=loaded.authorizer.to_api())
    assert doc == {
        "customJWTAuthorizer": {
            "discoveryUrl": "https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration",
            "allowedAudience": ["api://default"],
            "allowedClients": ["0oa1", "0oa2"],
        }
    }
    assert entry.describe(loaded) == "Okta dev-1.okta.com, authorization server default"
    assert entry.client_names(loaded) == []
    assert entry.spec_outputs(loaded).get("token_endpoint") is None  # from discovery


def test_entra_asks_the_v2_endpoint_for_the_first_audience_dot_default(tmp_path):
    loaded = load(
        tmp_path, f"  entra: {{tenant_id: {TENANT}, version: 1}}\n  audiences: [api://gw/]\n"
    )
    entry = providers.get("oidc")
    outputs = entry.spec_outputs(loaded)
    assert outputs["token_endpoint"] == (
        f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    )
    request = entry.token_request(
        loaded, None, token_endpoint=outputs["token_endpoint"], client_id="c", client_secret="s"
    )
    assert request.provider == "oidc"
    assert request.scopes == ("api://gw/.default",)
    assert request.audience is None


def test_a_plain_discovery_url_asks_for_the_first_audience(tmp_path):
    loaded = load(
        tmp_path,
        "  discovery_url: https://idp.example.com/.well-known/openid-configuration\n"
        "  audiences: [gateway123, other]\n",
    )
    request = providers.get("oidc").token_request(
        loaded,
        None,
        token_endpoint="https://idp.example.com/token",
        client_id="c",
        client_secret="s",
    )
    assert (request.scopes, request.audience) == ((), "gateway123")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "  audiences: [a]\n",
            "corp.yaml:5:3: oidc: names no identity provider; set one of discovery_url, entra, "
            "okta or keycloak",
        ),
        (
            "  okta: {domain: dev-1.okta.com}\n  keycloak: {url: https://sso.example.com, realm: r}\n"
            "  audiences: [a]\n",
            "corp.yaml:5:3: oidc: sets both okta and keycloak; set exactly one of discovery_url, "
            "entra, okta or keycloak (a preset derives the discovery URL)",
        ),
        (
            "  okta: {domain: dev-1.okta.com}\n",
            "corp.yaml:5:3: oidc: needs audiences (matched against aud) or clients (matched "
            "against client_id), or both; the Gateway refuses an authorizer that checks neither",
        ),
        (
            "  okta: {domain: dev-1.okta.com}\n  audiences: []\n",
            "corp.yaml:6:14: oidc.audiences: needs at least 1 item",
        ),
        (
            "  okta: {domain: dev-1.okta.com}\n  clients: [a, b, a]\n",
            "corp.yaml:5:3: oidc: clients lists a twice; remove one",
        ),
        (
            "  entra: {tenant_id: organizations}\n  audiences: [a]\n",
            "corp.yaml:5:22: oidc.entra.tenant_id: 'organizations' is Entra's multi-tenant alias",
        ),
        (
            "  entra: {tenant_id: 'my tenant'}\n  audiences: [a]\n",
            "corp.yaml:5:22: oidc.entra.tenant_id: 'my tenant' is neither a tenant id",
        ),
        (
            f"  entra: {{tenant_id: {TENANT}, version: 3}}\n  audiences: [a]\n",
            "corp.yaml:5:69: oidc.entra.version: 3 is not one of 1, 2",
        ),
        (
            "  discovery_url: http://idp.example.com/.well-known/openid-configuration\n"
            "  audiences: [a]\n",
            "oidc.discovery_url: discovery URL 'http://idp.example.com/.well-known/"
            "openid-configuration' uses plain http; use https (http only on 127.0.0.1 / localhost)",
        ),
        (
            "  discovery_url: https://idp.example.com/oauth2/token\n  audiences: [a]\n",
            "does not match the API pattern",
        ),
        (
            "  keycloak: {url: 'https://sso.example.com/realms/x', realm: x}\n  audiences: [a]\n",
            "oidc.keycloak.url: Keycloak URL 'https://sso.example.com/realms/x' names a realm",
        ),
        (
            "  okta: {domain: dev-1.okta.com, authorization_server: 'aus/1'}\n  audiences: [a]\n",
            "oidc.okta.authorization_server: 'aus/1' is not an authorization server id",
        ),
        (
            "  okta: {domain: dev-1.okta.com, tenant: x}\n  audiences: [a]\n",
            "oidc.okta.tenant: unknown key; allowed here: authorization_server, domain",
        ),
    ],
)
def test_bad_oidc_sections_are_one_line_each(tmp_path, section, expected):
    found = problems(tmp_path, section)
    assert len(found) == 1, found
    assert expected in found[0], found[0]


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (oidc_presets.entra_tenant_problem, TENANT, None),
        (oidc_presets.entra_tenant_problem, "contoso.onmicrosoft.com", None),
        (
            oidc_presets.entra_tenant_problem,
            "Common",
            "'Common' is Entra's multi-tenant alias: its discovery document names the issuer "
            "as a template ({tenantid}) that no token carries; use your tenant id (a GUID)",
        ),
        (
            oidc_presets.entra_tenant_problem,
            "my tenant",
            "'my tenant' is neither a tenant id (a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47) "
            "nor a domain (contoso.onmicrosoft.com); use the Directory (tenant) ID",
        ),
        (oidc_presets.okta_server_problem, "default", None),
        (oidc_presets.okta_server_problem, "aus1a2b3c4D5e6F7g8h9", None),
        (
            oidc_presets.okta_server_problem,
            "aus/1",
            "'aus/1' is not an authorization server id; use 'default' or the server's id "
            "(letters and digits, e.g. aus1a2b3c4D5e6F7g8h9)",
        ),
        (oidc_presets.keycloak_realm_problem, "my-realm", None),
        (
            oidc_presets.keycloak_realm_problem,
            "my realm",
            "realm 'my realm' must not be empty or hold white space, '/', '?', '#' or '%'",
        ),
        (
            oidc_presets.keycloak_realm_problem,
            "",
            "realm '' must not be empty or hold white space, '/', '?', '#' or '%'",
        ),
    ],
)
def test_the_preset_name_rules_say_exactly_what_is_wrong(rule, value, expected):
    assert rule(value) == expected


def test_oidc_takes_no_endpoint_url_and_no_other_section(tmp_path):
    path = tmp_path / "corp.yaml"
    path.write_text(
        "name: corp\nprovider: oidc\ngateway: gw\nendpoint_url: http://127.0.0.1:5000\n"
        "oidc:\n  okta: {domain: dev-1.okta.com}\n  audiences: [a]\n"
        "auth0: {domain: x.auth0.com}\n"
    )
    with pytest.raises(SpecError) as caught:
        spec.load(path)
    text = "\n".join(caught.value.problems)
    assert "endpoint_url: endpoint_url is for cognito (a local emulator); remove it" in text
    assert "auth0: 'auth0' section with provider oidc; remove it or set provider: auth0" in text


def test_the_schema_says_exactly_one_source_and_some_callers():
    import jsonschema

    schema = spec.json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    base = {"name": "corp", "provider": "oidc", "gateway": "gw"}
    ok = {**base, "oidc": {"okta": {"domain": "dev-1.okta.com"}, "clients": ["a"]}}
    assert not list(validator.iter_errors(ok))
    both = {
        **base,
        "oidc": {"okta": {"domain": "d.okta.com"}, "discovery_url": "x", "clients": ["a"]},
    }
    assert list(validator.iter_errors(both))
    neither = {**base, "oidc": {"okta": {"domain": "dev-1.okta.com"}}}
    assert list(validator.iter_errors(neither))


# --------------------------------------------------------------------------
# Diagnoses as data


def section(tmp_path: Path, text: str):
    return load(tmp_path, text + "  audiences: [api://gw]\n").oidc


def fail(name: str, detail: str = "x") -> Check:
    return Check(name, Status.FAIL, detail, "generic fix")


def test_rows_that_pass_or_skip_are_left_alone(tmp_path):
    advise = oidc_presets.advisor(section(tmp_path, "  okta: {domain: dev-1.okta.com}\n"))
    row = Check("allowedAudience", Status.PASS, "aud api://gw is allowed")
    assert advise(row, members={}, discovery=None, claims={"cid": "0oa1"}) is row


def test_okta_without_client_id_points_at_cid_and_the_audience(tmp_path):
    advise = oidc_presets.advisor(section(tmp_path, "  okta: {domain: dev-1.okta.com}\n"))
    row = advise(
        fail("allowedClients", "the token has no client_id claim to match allowedClients against"),
        members={"allowedClients": ["0oa1"]},
        discovery=None,
        claims={"cid": "0oa1", "aud": "api://default", "scp": ["gw.invoke"]},
    )
    assert row.status is Status.FAIL
    assert "it names the client in cid='0oa1'" in row.fix
    assert (
        "list the token's audience under oidc.audiences (tokens carry aud api://default)" in row.fix
    )


def test_okta_token_without_a_scope(tmp_path):
    advise = oidc_presets.advisor(section(tmp_path, "  okta: {domain: dev-1.okta.com}\n"))
    row = advise(fail("token", "a requested scope is not allowed (HTTP 400 invalid_scope: ...)"))
    assert "custom scopes it defines" in row.fix and "--scope" in row.fix


def test_entra_v1_issuer_is_a_known_shape_and_v2_with_v1_tokens_names_the_manifest(tmp_path):
    v1 = section(tmp_path, f"  entra: {{tenant_id: {TENANT}, version: 1}}\n")
    issuer_row = fail("issuer", "the discovery issuer ... is not the base of discoveryUrl ...")
    row = oidc_presets.advisor(v1)(
        issuer_row, discovery={"issuer": f"https://sts.windows.net/{TENANT}/"}
    )
    assert row.status is Status.PASS
    assert "Entra's v1.0 issuer for this tenant" in row.detail

    v2 = section(tmp_path, f"  entra: {{tenant_id: {TENANT}}}\n")
    row = oidc_presets.advisor(v2)(
        issuer_row, discovery={"issuer": f"https://sts.windows.net/{TENANT}/"}
    )
    assert row.status is Status.FAIL, "a v1 issuer under a v2 URL is not a known shape"
    row = oidc_presets.advisor(v2)(
        fail("token issuer"),
        discovery={"issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0"},
        claims={"iss": f"https://sts.windows.net/{TENANT}/"},
    )
    assert "accessTokenAcceptedVersion" in row.fix and "oidc.entra.version: 1" in row.fix


def test_entra_with_a_domain_learns_the_tenant_id_from_the_issuer(tmp_path):
    advise = oidc_presets.advisor(
        section(tmp_path, "  entra: {tenant_id: contoso.onmicrosoft.com}\n")
    )
    row = advise(
        fail("issuer"), discovery={"issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0"}
    )
    assert row.fix.endswith(f"set oidc.entra.tenant_id: {TENANT} so discoveryUrl and issuer agree")


def test_entra_roles_instead_of_scopes_and_guid_audiences(tmp_path):
    advise = oidc_presets.advisor(section(tmp_path, f"  entra: {{tenant_id: {TENANT}}}\n"))
    row = advise(fail("allowedScopes"), claims={"roles": ["Gateway.Invoke"]})
    assert "carry application permissions in roles, never scp" in row.fix
    app = "6e74172b-be56-4843-9ff4-e66a39bb12e3"
    row = advise(
        fail("allowedAudience"),
        members={"allowedAudience": ["api://gw"]},
        claims={"aud": app, "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0"},
    )
    assert f"list {app} under oidc.audiences" in row.fix
    row = advise(
        fail("token", "rejected (HTTP 401 invalid_client: AADSTS7000215: Invalid client secret)")
    )
    assert "not its Secret ID" in row.fix


def test_keycloak_without_an_audience_needs_a_mapper(tmp_path):
    advise = oidc_presets.advisor(
        section(tmp_path, "  keycloak: {url: https://sso.example.com, realm: gw}\n")
    )
    row = advise(fail("allowedAudience"), claims={"aud": "account", "azp": "gw-client"})
    assert "Audience protocol mapper" in row.fix
    row = advise(
        fail("token issuer"),
        discovery={"issuer": "https://sso.example.com/realms/gw"},
        claims={"iss": "http://keycloak:8080/realms/gw"},
    )
    assert "KC_HOSTNAME" in row.fix and "keycloak:8080" in row.fix


def test_a_client_id_listed_as_an_audience(tmp_path):
    advise = oidc_presets.advisor(
        section(
            tmp_path, "  discovery_url: https://idp.example.com/.well-known/openid-configuration\n"
        )
    )
    row = advise(
        fail("allowedAudience"),
        members={"allowedAudience": ["gw-client"]},
        claims={"client_id": "gw-client"},
    )
    assert (
        row.fix
        == "gw-client is the token's client_id, not its aud: move it from oidc.audiences to oidc.clients"
    )


# --------------------------------------------------------------------------
# Diagnoses inside verify, against a real HTTP server


def _jwk(public_pem: bytes, kid: str) -> dict:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_pem)
    numbers = key.public_numbers()

    def b64(n: int) -> str:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return {"kty": "RSA", "use": "sig", "kid": kid, "n": b64(numbers.n), "e": b64(numbers.e)}


@pytest.fixture
def entra_like(static):
    """A server shaped like Entra's v1.0 discovery: the issuer is sts.windows.net."""
    private, public = rsa_key_pem()
    port = free_port()
    base = f"http://127.0.0.1:{port}/{TENANT}"
    server = static(
        {
            f"/{TENANT}/.well-known/openid-configuration": route(
                200,
                {
                    "issuer": f"https://sts.windows.net/{TENANT}/",
                    "jwks_uri": f"http://127.0.0.1:{port}/keys",
                    "token_endpoint": f"{base}/oauth2/token",
                },
            ),
            "/keys": route(200, {"keys": [_jwk(public, "k1")]}),
        },
        port=port,
    )
    return server, f"{base}/.well-known/openid-configuration", private


def _token(private: bytes, **claims) -> str:
    now = int(time.time())
    body = {"iat": now, "nbf": now, "exp": now + 600, **claims}
    return jwt.encode(body, private, algorithm="RS256", headers={"kid": "k1"})


def test_verify_accepts_the_entra_v1_issuer_shape_and_checks_the_token_against_it(
    tmp_path, entra_like
):
    _, url, private = entra_like
    v1 = section(tmp_path, f"  entra: {{tenant_id: {TENANT}, version: 1}}\n")
    doc = {"customJWTAuthorizer": {"discoveryUrl": url, "allowedAudience": ["api://gw"]}}
    token = _token(
        private, iss=f"https://sts.windows.net/{TENANT}/", aud="api://gw", appid="cli-app"
    )
    rows = {
        r.name: r
        for r in verify.verify(
            doc, get_token=lambda: token, wait=5, advise=oidc_presets.advisor(v1)
        )
    }
    assert rows["issuer"].status is Status.PASS
    assert "Entra's v1.0 issuer" in rows["issuer"].detail
    assert rows["token issuer"].status is Status.PASS
    assert rows["allowedAudience"].status is Status.PASS

    without = {r.name: r for r in verify.verify(doc, get_token=lambda: token, wait=5)}
    assert without["issuer"].status is Status.FAIL, "without the preset the shape is not known"


def test_verify_names_the_manifest_setting_for_a_v1_token_under_a_v2_authorizer(
    tmp_path, entra_like, static
):
    """The v2.0 discovery document, the v1.0 token: iss and client claim differ."""
    server, _, private = entra_like
    issuer = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    v2_server = static(
        {
            "/v2/.well-known/openid-configuration": route(
                200, {"issuer": issuer, "jwks_uri": server.url("/keys")}
            )
        }
    )
    v2 = section(tmp_path, f"  entra: {{tenant_id: {TENANT}}}\n")
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": v2_server.url("/v2/.well-known/openid-configuration"),
            "allowedClients": ["cli-app"],
        }
    }
    token = _token(
        private, iss=f"https://sts.windows.net/{TENANT}/", aud="api://gw", appid="cli-app"
    )
    rows = {
        r.name: r
        for r in verify.verify(
            doc, get_token=lambda: token, wait=5, advise=oidc_presets.advisor(v2)
        )
    }
    assert rows["token issuer"].status is Status.FAIL
    assert "accessTokenAcceptedVersion" in rows["token issuer"].fix
    assert rows["allowedClients"].status is Status.FAIL
    assert "it names the client in appid='cli-app'" in rows["allowedClients"].fix


def test_the_readme_oidc_example_is_a_valid_spec_and_each_commented_preset_too(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (example,) = [
        b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "provider: oidc" in b
    ]
    (tmp_path / "corp.yaml").write_text(example)
    loaded = spec.load(tmp_path / "corp.yaml")
    assert loaded.oidc.source_key == "discovery_url"
    for preset in ("entra", "okta", "keycloak"):
        line = re.search(rf"  # ({preset}: \{{.*?\}})", example).group(1)
        text = re.sub(r"  discovery_url: .*\n", f"  {line}\n", example)
        (tmp_path / "corp.yaml").write_text(text)
        assert spec.load(tmp_path / "corp.yaml").oidc.source_key == preset
