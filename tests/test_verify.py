"""verify: the Gateway's checks against real providers on 127.0.0.1.

nanoidp issues real client_credentials tokens (aud, client_id, scope); a
moto server emulates Cognito (discovery and JWKS, no client_credentials
tokens); a small static server serves hand-made discovery documents and
token endpoints that echo what they were sent. The pure checks are also
called directly, with a fixed clock value.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from generator import verify
from generator.emulator import free_port
from generator.tokens import ClientCredentials, TokenResponse
from generator.ui import checks_renderable
from generator.verify import Check, Status, checks, token_checks
from tests.support.idp_fixtures import (
    AUDIENCE,
    GATEWAY,
    OTHER,
    mint,
    other_key,
)
from tests.support.leaks import ECHO_CLIENT, ECHOED, PADS, leaked
from tests.support.nanoidp import KID
from tests.support.static_http import route


def doc_for(idp, **rules):
    return {"customJWTAuthorizer": {"discoveryUrl": idp.discovery_url, **rules}}


def creds(idp, client=GATEWAY, secret=None, scopes=("invoke:gateway",), **kw):
    return ClientCredentials(
        "oidc",
        idp.token_endpoint,
        client.client_id,
        secret or client.client_secret,
        scopes=tuple(scopes),
        **kw,
    )


def by_name(rows: list[Check]) -> dict[str, Check]:
    return {r.name: r for r in rows}


def failures(rows):
    return {r.name: r for r in rows if r.status is Status.FAIL}


def assert_only_failure(rows, name, *fragments):
    failed = failures(rows)
    assert list(failed) == [name], verify.format_text(rows)
    row = failed[name]
    for fragment in fragments:
        assert fragment in f"{row.detail} || {row.fix}", verify.format_text(rows)
    assert row.fix, "a failure names the likely fix"
    return row


def assert_no_secrets(rows, *secrets):
    text = verify.format_text(rows)
    for secret in secrets:
        assert secret not in text


def token_with_claims(idp, extra: dict, client=GATEWAY) -> str:
    """A real nanoidp token carrying extra claims (its 'extra' parameter)."""
    resp = requests.post(
        idp.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "scope": "invoke:gateway",
            "extra": json.dumps(extra),
        },
        auth=(client.client_id, client.client_secret),
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["access_token"]


# --------------------------------------------------------------------------
# nanoidp: passing
# --------------------------------------------------------------------------


def test_passes_with_allowed_audience(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials=creds(nanoidp), wait=10
    )
    assert verify.all_ok(rows), verify.format_text(rows)
    named = by_name(rows)
    for name in (
        "discoveryUrl",
        "authorizer rules",
        "discovery document",
        "issuer",
        "JWKS",
        "token",
        "token format",
        "signature",
        "lifetime",
        "token issuer",
        "allowedAudience",
    ):
        assert named[name].status is Status.PASS, verify.format_text(rows)
    # Members the file does not set get no row: the Gateway checks nothing there.
    assert "allowedClients" not in named
    assert "checks allowedAudience" in named["authorizer rules"].detail
    assert KID in named["signature"].detail


def test_passes_with_allowed_clients(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedClients=[GATEWAY.client_id, "another"]),
        credentials=creds(nanoidp),
        wait=10,
    )
    assert verify.all_ok(rows), verify.format_text(rows)
    assert by_name(rows)["allowedClients"].status is Status.PASS


def test_passes_with_every_rule_and_custom_claims(nanoidp):
    extra = {"department": "engineering", "teams": ["blue", "green"]}
    rules = [
        {
            "inboundTokenClaimName": "department",
            "inboundTokenClaimValueType": "STRING",
            "authorizingClaimMatchValue": {
                "claimMatchOperator": "EQUALS",
                "claimMatchValue": {"matchValueString": "engineering"},
            },
        },
        {
            "inboundTokenClaimName": "teams",
            "inboundTokenClaimValueType": "STRING_ARRAY",
            "authorizingClaimMatchValue": {
                "claimMatchOperator": "CONTAINS",
                "claimMatchValue": {"matchValueString": "green"},
            },
        },
        {
            "inboundTokenClaimName": "teams",
            "inboundTokenClaimValueType": "STRING_ARRAY",
            "authorizingClaimMatchValue": {
                "claimMatchOperator": "CONTAINS_ANY",
                "claimMatchValue": {"matchValueStringList": ["red", "blue"]},
            },
        },
    ]
    doc = doc_for(
        nanoidp,
        allowedAudience=[AUDIENCE],
        allowedClients=[GATEWAY.client_id],
        allowedScopes=["admin:gateway", "invoke:gateway"],
        customClaims=rules,
    )
    rows = verify.verify(doc, get_token=lambda: token_with_claims(nanoidp, extra), wait=10)
    assert verify.all_ok(rows), verify.format_text(rows)
    assert [r.status for r in rows if r.name.startswith("customClaims[")] == [Status.PASS] * 3
    assert "one match suffices" in by_name(rows)["allowedScopes"].detail


# --------------------------------------------------------------------------
# nanoidp: failing for the right reason
# --------------------------------------------------------------------------


def test_wrong_audience(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=["billing-api"]), credentials=creds(nanoidp), wait=10
    )
    assert_only_failure(
        rows, "allowedAudience", f"aud {AUDIENCE} is not in allowedAudience [billing-api]"
    )


def test_wrong_client(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedClients=[GATEWAY.client_id]),
        credentials=creds(nanoidp, client=OTHER),
        wait=10,
    )
    assert_only_failure(
        rows, "allowedClients", f"client_id {OTHER.client_id} is not in allowedClients"
    )


def test_token_signed_by_another_key(nanoidp):
    forged = mint(nanoidp, key_pem=other_key())
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: forged, wait=10
    )
    assert_only_failure(rows, "signature", "signed by another key", "same tenant / user pool")
    assert_no_secrets(rows, forged)


def test_token_with_a_kid_the_jwks_does_not_hold(nanoidp):
    forged = mint(nanoidp, key_pem=other_key(), kid="rotated-away")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: forged, wait=10
    )
    assert_only_failure(rows, "signature", "kid rotated-away is not in the JWKS")


def test_expired_token(nanoidp):
    now = int(time.time())
    expired = mint(nanoidp, iat=now - 7200, nbf=now - 7200, exp=now - 3600)
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: expired, wait=10
    )
    assert_only_failure(rows, "lifetime", "expired at", "fetch a new token")
    assert by_name(rows)["signature"].status is Status.PASS


def test_token_not_yet_valid(nanoidp):
    now = int(time.time())
    early = mint(nanoidp, iat=now + 3600, nbf=now + 3600, exp=now + 7200)
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: early, wait=10
    )
    assert_only_failure(rows, "lifetime", "not valid before", "clock")


def test_small_clock_skew_is_tolerated(nanoidp):
    now = int(time.time())
    skewed = mint(nanoidp, iat=now + 20, nbf=now + 20, exp=now - 20 + 3600)
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: skewed, wait=10
    )
    assert verify.all_ok(rows), verify.format_text(rows)


def test_issuer_mismatch(nanoidp):
    foreign = mint(nanoidp, iss="https://login.example.com/tenant-b")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: foreign, wait=10
    )
    assert_only_failure(
        rows,
        "token issuer",
        "another issuer",
        "https://login.example.com/tenant-b/.well-known/openid-configuration",
    )


def test_issuer_mismatch_by_a_trailing_slash(nanoidp):
    slashed = mint(nanoidp, iss=nanoidp.issuer + "/")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: slashed, wait=10
    )
    assert_only_failure(rows, "token issuer", "differ only by a trailing slash")


def test_missing_scope(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE], allowedScopes=["admin:gateway"]),
        credentials=creds(nanoidp),
        wait=10,
    )
    assert_only_failure(
        rows, "allowedScopes", "none of the token's scopes [invoke:gateway]", "admin:gateway"
    )


def test_token_without_any_scope(nanoidp):
    bare = mint(nanoidp, scope=None)
    rows = verify.verify(
        doc_for(nanoidp, allowedScopes=["invoke:gateway"]), get_token=lambda: bare, wait=10
    )
    assert_only_failure(rows, "allowedScopes", "no scope")


def test_wrong_secret(nanoidp):
    bad = "not-the-secret-4242"
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]),
        credentials=creds(nanoidp, secret=bad),
        wait=10,
    )
    row = assert_only_failure(rows, "token", "HTTP 401", "wrong client id or secret")
    assert "invalid_client" in row.detail
    assert by_name(rows)["token checks"].status is Status.SKIP
    assert_no_secrets(rows, bad)


def test_unknown_client(nanoidp):
    ghost = ClientCredentials("oidc", nanoidp.token_endpoint, "ghost", "ghost-secret-77")
    rows = verify.verify(doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials=ghost, wait=10)
    assert_only_failure(rows, "token", "wrong client id or secret")


@pytest.mark.parametrize(
    ("value_type", "operator", "value", "claim", "fragment"),
    [
        ("STRING", "EQUALS", {"matchValueString": "sales"}, "engineering", "not 'sales' (EQUALS)"),
        ("STRING", "EQUALS", {"matchValueString": "x"}, ["x"], "use inboundTokenClaimValueType STRING_ARRAY"),
        ("STRING_ARRAY", "CONTAINS", {"matchValueString": "red"}, ["blue"], "does not contain 'red'"),
        ("STRING_ARRAY", "CONTAINS", {"matchValueString": "red"}, "red", "use inboundTokenClaimValueType STRING"),
        ("STRING_ARRAY", "CONTAINS_ANY", {"matchValueStringList": ["a", "b"]}, ["c"], "contains none of [a, b]"),
        ("STRING", "EQUALS", {"matchValueString": "x"}, None, "the token has no department claim"),
    ],
)  # fmt: skip
def test_custom_claim_failures(nanoidp, value_type, operator, value, claim, fragment):
    extra = {} if claim is None else {"department": claim}
    rule = {
        "inboundTokenClaimName": "department",
        "inboundTokenClaimValueType": value_type,
        "authorizingClaimMatchValue": {"claimMatchOperator": operator, "claimMatchValue": value},
    }
    rows = verify.verify(
        doc_for(nanoidp, customClaims=[rule]),
        get_token=lambda: token_with_claims(nanoidp, extra),
        wait=10,
    )
    assert_only_failure(rows, "customClaims[0] department", fragment)


# --------------------------------------------------------------------------
# provider-specific mistakes
# --------------------------------------------------------------------------


def test_cognito_token_with_allowed_audience(nanoidp):
    # Cognito access tokens: client_id, token_use=access, no aud.
    cognito_like = mint(nanoidp, aud=None, scope="gateway-resource-server/read")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=["4f1cabcdef"]), get_token=lambda: cognito_like, wait=10
    )
    assert_only_failure(
        rows, "allowedAudience", "Cognito access tokens carry client_id and never aud",
        "use allowedClients",
    )  # fmt: skip


def test_auth0_token_requested_without_audience_is_opaque(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]),
        get_token=lambda: TokenResponse("kq3Jd9XvB2opaque-token-value", "Bearer", 86400),
        wait=10,
    )
    row = assert_only_failure(rows, "token format", "not a JWT", f"audience={AUDIENCE}")
    assert "opaque" in row.fix.lower() or "opaque" in row.detail
    assert "signature" not in by_name(rows)
    assert by_name(rows)["token checks"].status is Status.SKIP
    assert_no_secrets(rows, "kq3Jd9XvB2opaque-token-value")


def test_auth0_client_id_rule_on_a_token_with_azp(nanoidp):
    auth0_like = mint(nanoidp, client_id=None, azp=GATEWAY.client_id)
    rows = verify.verify(
        doc_for(nanoidp, allowedClients=[GATEWAY.client_id]),
        get_token=lambda: auth0_like,
        wait=10,
    )
    assert_only_failure(rows, "allowedClients", "azp", "use allowedAudience")


def test_encrypted_token(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: "a.b.c.d.e", wait=10
    )
    assert_only_failure(rows, "token format", "encrypted (JWE)")


def test_hs256_token(nanoidp):
    hs = mint(nanoidp, key_pem=b"shared-secret-of-32-bytes-or-more!!", alg="HS256")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: hs, wait=10
    )
    assert_only_failure(rows, "signature", "signed with HS256", "RS256")


def test_ps256_only_when_advertised(nanoidp, static):
    # Not advertised by nanoidp: refused.
    ps = mint(nanoidp, alg="PS256")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: ps, wait=10
    )
    assert_only_failure(rows, "signature", "signed with PS256")
    # A provider that advertises PS256 (discovery served by the static server).
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    discovery = {
        "issuer": base,
        "jwks_uri": nanoidp.jwks_uri,
        "id_token_signing_alg_values_supported": ["RS256", "PS256"],
    }
    static({"/.well-known/openid-configuration": route(200, discovery)}, port=port)
    ps = mint(nanoidp, alg="PS256", iss=base)
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": f"{base}/.well-known/openid-configuration",
            "allowedAudience": [AUDIENCE],
        }
    }
    rows = verify.verify(doc, get_token=lambda: ps, wait=10)
    assert verify.all_ok(rows), verify.format_text(rows)
    assert "PS256 signature verified" in by_name(rows)["signature"].detail


# --------------------------------------------------------------------------
# discovery, JWKS, reachability
# --------------------------------------------------------------------------


def test_discovery_url_that_breaks_the_api_pattern(nanoidp):
    doc = {"customJWTAuthorizer": {"discoveryUrl": nanoidp.issuer, "allowedAudience": [AUDIENCE]}}
    rows = verify.verify(doc, credentials=creds(nanoidp), wait=10)
    named = by_name(rows)
    assert named["discoveryUrl"].status is Status.FAIL
    assert "does not match the API pattern" in named["discoveryUrl"].detail
    assert named["discovery document"].status is Status.SKIP
    assert named["token"].status is Status.PASS
    assert named["signature"].status is Status.SKIP
    assert named["allowedAudience"].status is Status.PASS


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (route(404, {"message": "not found"}), "answered HTTP 404"),
        (route(200, body="<html>login</html>", content_type="text/html"), "served text/html, not JSON"),
        (route(200, {"issuer": "http://x"}), "has no jwks_uri"),
        (route(200, ["not", "an", "object"]), "not an object"),
    ],
)  # fmt: skip
def test_bad_discovery_documents(static, answer, fragment):
    server = static({"/.well-known/openid-configuration": answer})
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": server.url("/.well-known/openid-configuration"),
            "allowedAudience": ["x"],
        }
    }
    rows = verify.verify(doc, no_token=True, wait=5)
    named = by_name(rows)
    assert named["discovery document"].status is Status.FAIL
    assert fragment in named["discovery document"].detail
    assert named["JWKS"].status is Status.SKIP
    assert named["token"].status is Status.SKIP
    assert not verify.all_ok(rows)  # --no-token never hides a discovery failure


def test_discovery_issuer_that_is_not_the_url_base(static, nanoidp):
    server = static(
        {
            "/.well-known/openid-configuration": route(
                200, {"issuer": nanoidp.issuer, "jwks_uri": nanoidp.jwks_uri}
            )
        }
    )
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": server.url("/.well-known/openid-configuration"),
            "allowedAudience": [AUDIENCE],
        }
    }
    rows = verify.verify(doc, wait=5)
    row = by_name(rows)["issuer"]
    assert row.status is Status.FAIL
    assert f"use {nanoidp.discovery_url} as discoveryUrl" in row.fix


def test_oauth_authorization_server_metadata_with_a_path(static, nanoidp):
    """The model's discoveryUrl also takes RFC 8414 metadata: for the issuer
    ``<origin>/tenant-a`` it lives at ``<origin>/.well-known/oauth-authorization-server/tenant-a``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static(
        {
            "/.well-known/oauth-authorization-server/tenant-a": route(
                200, {"issuer": f"{base}/tenant-a", "jwks_uri": nanoidp.jwks_uri}
            )
        },
        port=port,
    )
    url = f"{base}/.well-known/oauth-authorization-server/tenant-a"
    rows = verify.verify(
        {"customJWTAuthorizer": {"discoveryUrl": url, "allowedAudience": ["x"]}}, wait=5
    )
    named = by_name(rows)
    assert named["discoveryUrl"].status is Status.PASS
    assert named["issuer"].status is Status.PASS, named["issuer"]
    assert named["JWKS"].status is Status.PASS


def test_jwks_without_signing_keys(static):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static(
        {
            "/.well-known/openid-configuration": route(
                200, {"issuer": base, "jwks_uri": f"{base}/jwks"}
            ),
            "/jwks": route(200, {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}),
        },
        port=port,
    )
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": f"{base}/.well-known/openid-configuration",
            "allowedAudience": ["x"],
        }
    }
    rows = verify.verify(doc, wait=5)
    row = by_name(rows)["JWKS"]
    assert row.status is Status.FAIL
    assert "no RSA signing key" in row.detail


def test_discovery_server_that_is_down():
    url = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    rows = verify.verify(
        {"customJWTAuthorizer": {"discoveryUrl": url, "allowedAudience": ["x"]}}, wait=0.5
    )
    row = by_name(rows)["discovery document"]
    assert row.status is Status.FAIL
    assert "cannot connect to the discovery URL" in row.detail


def test_token_endpoint_that_does_not_resolve_yet(nanoidp):
    pending = ClientCredentials(
        "cognito",
        "https://my-gateway-dev.auth.us-west-2.invalid/oauth2/token",
        GATEWAY.client_id,
        GATEWAY.client_secret,
        scopes=("gw/read",),
    )
    rows = verify.verify(doc_for(nanoidp, allowedClients=["x"]), credentials=pending, wait=0.5)
    row = assert_only_failure(rows, "token", "does not resolve", "Cognito domain")
    assert "--wait" in row.fix


def test_late_token_endpoint_is_waited_for(nanoidp, static):
    port = free_port()
    server = static({"/token": route(200, {"access_token": mint(nanoidp)})}, port=port, delay=1.5, wait_ready=False)  # fmt: skip
    late = ClientCredentials("oidc", server.url("/token"), "x", "late-secret-1234")
    rows = verify.verify(doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials=late, wait=60)
    assert verify.all_ok(rows), verify.format_text(rows)


# --------------------------------------------------------------------------
# moto: the local Cognito emulator
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_pool(moto_server):
    boto3 = pytest.importorskip("boto3")
    cognito = boto3.client("cognito-idp", region_name="us-west-2", endpoint_url=moto_server.url)
    pool = cognito.create_user_pool(PoolName="verify-tests")["UserPool"]["Id"]
    cognito.create_resource_server(
        UserPoolId=pool,
        Identifier="gateway-resource-server",
        Name="GatewayResourceServer",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read access"}],
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="gateway-client",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["gateway-resource-server/read"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    return moto_server, pool, client


def test_moto_discovery_jwks_and_issuer_pass_and_the_missing_token_fails(moto_pool):
    moto, pool, client = moto_pool
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": f"{moto.url}/{pool}/.well-known/openid-configuration",
            "allowedClients": [client["ClientId"]],
        }
    }
    credentials = ClientCredentials(
        "cognito",
        f"{moto.url}/oauth2/token",
        client["ClientId"],
        client["ClientSecret"],
        scopes=("gateway-resource-server/read",),
    )
    rows = verify.verify(doc, credentials=credentials, wait=5)
    named = by_name(rows)
    for name in ("discoveryUrl", "authorizer rules", "discovery document", "issuer", "JWKS"):
        assert named[name].status is Status.PASS, verify.format_text(rows)
    assert "local emulator" in named["issuer"].detail
    row = assert_only_failure(rows, "token", "cannot issue client_credentials tokens", "--no-token")
    assert "its token endpoint:" in row.detail  # what the emulator answered
    assert_no_secrets(rows, client["ClientSecret"])
    # Discovery-only checks, asked for: the same emulator passes.
    rows = verify.verify(doc, no_token=True, wait=5)
    assert verify.all_ok(rows), verify.format_text(rows)
    assert by_name(rows)["token"].status is Status.SKIP
    assert "--no-token" in by_name(rows)["token"].detail


def test_moto_without_credentials_fails_on_the_missing_credentials(moto_pool):
    moto, pool, client = moto_pool
    doc = {
        "customJWTAuthorizer": {
            "discoveryUrl": f"{moto.url}/{pool}/.well-known/openid-configuration",
            "allowedClients": [client["ClientId"]],
        }
    }
    rows = verify.verify(doc, credentials_problem="local: Terraform has no outputs", wait=5)
    assert_only_failure(
        rows, "token", "no client credentials: local: Terraform has no outputs", "--no-token"
    )


# --------------------------------------------------------------------------
# rows, secrets and output
# --------------------------------------------------------------------------


def test_rows_never_hold_the_token_or_the_secret(nanoidp):
    seen = []

    def get():
        answer = TokenResponse(mint(nanoidp), "Bearer", 3600, "invoke:gateway")
        seen.append(answer.access_token)
        return answer

    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=["other"], allowedScopes=["admin:gateway"]),
        get_token=get,
        wait=10,
    )
    assert_no_secrets(rows, *seen)
    rows = verify.verify(doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials=creds(nanoidp))
    assert_no_secrets(rows, GATEWAY.client_secret)


def test_a_callable_may_return_the_response_mapping(nanoidp):
    answer = {"access_token": mint(nanoidp), "token_type": "Bearer", "expires_in": 60}
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=lambda: answer, wait=10
    )
    assert verify.all_ok(rows), verify.format_text(rows)
    assert by_name(rows)["signature"].status is Status.PASS


def test_a_callable_that_raises_a_user_error_is_a_failed_row(nanoidp):
    from generator.errors import VerifyError

    def get():
        raise VerifyError("no outputs for client gateway-client")

    rows = verify.verify(doc_for(nanoidp, allowedAudience=[AUDIENCE]), get_token=get, wait=10)
    assert by_name(rows)["token"].status is Status.FAIL
    assert "no outputs" in by_name(rows)["token"].detail


def test_no_token_source_is_a_failure_that_names_no_token(nanoidp):
    rows = verify.verify(doc_for(nanoidp, allowedAudience=[AUDIENCE]), wait=10)
    row = assert_only_failure(rows, "token", "no client credentials given", "--no-token")
    assert "AUTHGEN_CLIENT_SECRET" in row.fix
    assert by_name(rows)["token checks"].status is Status.SKIP


def test_credentials_that_could_not_be_read_fail_with_the_reason(nanoidp):
    problem = "dev: terraform init failed (exit code 1): Error: Failed to query available provider"
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials_problem=problem, wait=10
    )
    row = assert_only_failure(rows, "token", f"no client credentials: {problem}")
    assert "--no-token" in row.fix


def test_no_token_asks_for_discovery_only_checks(nanoidp):
    rows = verify.verify(doc_for(nanoidp, allowedAudience=[AUDIENCE]), no_token=True, wait=10)
    assert verify.all_ok(rows), verify.format_text(rows)
    named = by_name(rows)
    for name in ("discoveryUrl", "authorizer rules", "discovery document", "issuer", "JWKS"):
        assert named[name].status is Status.PASS
    assert named["token"].status is Status.SKIP
    assert "not requested: --no-token" in named["token"].detail
    assert "signature" not in named


def test_no_token_does_not_ask_for_a_token(nanoidp):
    asked = []
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]),
        get_token=lambda: asked.append(1) or mint(nanoidp),
        no_token=True,
        wait=10,
    )
    assert asked == []
    assert verify.all_ok(rows)


def test_an_emulator_that_rejects_the_client_fails_as_any_provider_would(nanoidp):
    """A local emulator *with* a token endpoint (issue 10) that answers 401 is
    a wrong secret, not a missing endpoint: no emulator wording."""
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]),
        credentials=creds(nanoidp, secret="not-the-secret-4242"),
        emulator=True,
        wait=10,
    )
    row = assert_only_failure(rows, "token", "wrong client id or secret")
    assert verify.EMULATOR_NO_TOKENS not in row.detail


def test_an_emulator_without_a_token_endpoint_fails_naming_no_token(nanoidp, static):
    server = static({"/oauth2/token": route(500, body="not implemented")})
    emulated = ClientCredentials("cognito", server.url("/oauth2/token"), "id", "emu-secret-0001")
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials=emulated, emulator=True, wait=5
    )
    assert_only_failure(rows, "token", verify.EMULATOR_NO_TOKENS, "--no-token")


@pytest.mark.parametrize(
    "case",
    ["passing", "no credentials", "unreadable outputs", "wrong secret", "opaque token",
     "expired", "no token asked", "bad discovery url", "emulator without tokens"],
)  # fmt: skip
def test_all_ok_means_every_check_that_applies_ran_and_passed(nanoidp, static, case):
    """Fail closed: a run is ok exactly when each row passed, does not apply
    (the rule is not set) or was left out on request (--no-token)."""
    doc = doc_for(nanoidp, allowedAudience=[AUDIENCE], allowedScopes=["invoke:gateway"])
    kw: dict = {}
    if case == "passing":
        kw["credentials"] = creds(nanoidp)
    elif case == "unreadable outputs":
        kw["credentials_problem"] = "dev: Terraform has no outputs"
    elif case == "wrong secret":
        kw["credentials"] = creds(nanoidp, secret="not-the-secret-4242")
    elif case == "opaque token":
        kw["get_token"] = lambda: "opaque-token-value-123456"
    elif case == "expired":
        kw["get_token"] = lambda: mint(nanoidp)
        kw["now"] = lambda: time.time() + 86400
    elif case == "no token asked":
        kw["no_token"] = True
    elif case == "bad discovery url":
        doc = {"customJWTAuthorizer": {"discoveryUrl": nanoidp.issuer, "allowedAudience": ["x"]}}
        kw["credentials"] = creds(nanoidp)
    elif case == "emulator without tokens":
        server = static({"/oauth2/token": route(500, body="not implemented")})
        kw["credentials"] = ClientCredentials(
            "cognito", server.url("/oauth2/token"), "i", "emu-s-1"
        )
        kw["emulator"] = True
    rows = verify.verify(doc, wait=5, **kw)
    ran_or_not_applicable = all(
        r.passed or r.detail.startswith(("not set in the authorizer file", "not requested:"))
        for r in rows
    )
    assert verify.all_ok(rows) is ran_or_not_applicable, verify.format_text(rows)
    assert verify.all_ok(rows) is (case in ("passing", "no token asked")), verify.format_text(rows)


def test_text_and_table_output(nanoidp):
    rows = verify.verify(
        doc_for(nanoidp, allowedAudience=["billing-api"]), credentials=creds(nanoidp), wait=10
    )
    text = verify.format_text(rows)
    assert "FAIL  allowedAudience" in text
    assert "fix: request the token for an allowed audience" in text
    assert text.rstrip().endswith(verify.summary(rows))
    assert verify.summary(rows) == "10 passed, 1 failed, 0 skipped"

    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(checks_renderable(rows, title="dev"))
    rendered = console.export_text()
    assert "allowedAudience" in rendered and "FAIL" in rendered


def test_check_semantics():
    assert Check("a", Status.SKIP, "x").ok
    assert not Check("a", Status.SKIP, "x").passed
    assert not Check("a", Status.FAIL, "x").ok
    assert verify.all_ok([Check("a", Status.PASS, ""), Check("b", Status.SKIP, "")])
    assert not verify.all_ok([Check("a", Status.PASS, ""), Check("b", Status.FAIL, "")])


def test_token_scopes():
    assert verify.token_scopes({"scope": "a b"}) == ["a", "b"]
    assert verify.token_scopes({"scp": ["a", "b"]}) == ["a", "b"]
    assert verify.token_scopes({"scp": "a"}) == ["a"]
    assert verify.token_scopes({"scope": ""}) == []
    assert verify.token_scopes({}) == []


# --------------------------------------------------------------------------
# the pure checks, called directly (a clock value, no I/O)
# --------------------------------------------------------------------------

NOW = 1_800_000_000.0  # a fixed clock value: 2027-01-15T08:00:00Z


@pytest.mark.parametrize(
    ("claims", "status", "fragment"),
    [
        ({"exp": NOW + 600, "iat": NOW - 10}, Status.PASS, "valid until 2027-01-15T08:10:00Z (10 min left"),
        ({"exp": NOW - 30}, Status.PASS, "leeway 60 s"),  # within the leeway
        ({"exp": NOW - 3600}, Status.FAIL, "expired at 2027-01-15T07:00:00Z (60 min ago)"),
        ({"exp": NOW + 7200, "nbf": NOW + 3600}, Status.FAIL, "not valid before"),
        ({"exp": NOW + 7200, "iat": NOW + 600}, Status.FAIL, "issued in the future"),
        ({"exp": "soon"}, Status.FAIL, "not a number of seconds"),
        ({"iat": NOW}, Status.FAIL, "no exp claim"),
    ],
)  # fmt: skip
def test_check_lifetime_against_a_clock_value(claims, status, fragment):
    row = token_checks.check_lifetime(claims, now=NOW, leeway=60)
    assert row.status is status, row
    assert fragment in row.detail, row


def test_verify_reads_the_injected_clock(nanoidp):
    token = mint(nanoidp)  # valid for an hour from the real clock
    doc = doc_for(nanoidp, allowedAudience=[AUDIENCE])
    later = verify.verify(doc, get_token=lambda: token, now=lambda: time.time() + 7200, wait=10)
    assert_only_failure(later, "lifetime", "expired at")
    assert verify.all_ok(verify.verify(doc, get_token=lambda: token, wait=10))


def test_check_issuer_cases():
    url = "https://idp.example.com/t/.well-known/openid-configuration"
    assert checks.check_issuer(url, "https://idp.example.com/t", emulator=False).passed
    assert checks.check_issuer(url, "https://idp.example.com/t/", emulator=False).passed
    row = checks.check_issuer(url, "https://other.example.com/t", emulator=False)
    assert row.status is Status.FAIL and "other.example.com/t/.well-known" in row.fix
    local = "http://127.0.0.1:5000/us-west-2_x/.well-known/openid-configuration"
    moto_issuer = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_x"
    assert checks.served_by_emulator(local, moto_issuer)
    assert checks.check_issuer(local, moto_issuer, emulator=True).passed
    assert not checks.check_issuer(local, moto_issuer, emulator=False).passed


def test_check_token_words_each_kind_of_missing_token():
    got = token_checks.Obtained("t.o.k", "obtained: a token")
    assert token_checks.check_token(got, emulator=False).passed
    assert "t.o.k" not in repr(got)
    missing = token_checks.Obtained(
        detail="no client credentials given", fix="pass a client", kind="missing"
    )
    row = token_checks.check_token(missing, emulator=True)
    assert row.status is Status.FAIL and row.detail == "no client credentials given"
    assert row.fix == "pass a client; or pass --no-token to check discovery and JWKS only"
    down = token_checks.Obtained(detail="HTTP 500", fix="check it", kind="http")
    assert verify.EMULATOR_NO_TOKENS in token_checks.check_token(down, emulator=True).detail
    assert token_checks.check_token(down, emulator=False).fix == "check it"


def test_check_custom_claim_rows_are_named_by_index_and_claim():
    rule = {
        "inboundTokenClaimName": "team",
        "inboundTokenClaimValueType": "STRING",
        "authorizingClaimMatchValue": {
            "claimMatchOperator": "EQUALS",
            "claimMatchValue": {"matchValueString": "blue"},
        },
    }
    row = verify.check_custom_claim(rule, {"team": "blue"}, 2)
    assert (row.name, row.status) == ("customClaims[2] team", Status.PASS)
    assert verify.check_custom_claim(rule, {"team": "red"}).status is Status.FAIL


def test_signing_keys_keep_rsa_signing_keys_with_a_kid():
    keys = [
        {"kty": "RSA", "kid": "a", "use": "sig"},
        {"kty": "RSA", "kid": "b"},
        {"kty": "RSA", "kid": "c", "use": "enc"},
        {"kty": "EC", "kid": "d"},
        {"kty": "RSA"},
    ]
    assert sorted(checks.signing_keys({"keys": keys})) == ["a", "b"]
    assert checks.signing_keys({"keys": "nope"}) == {}


# --------------------------------------------------------------------------
# a token endpoint that echoes the request: no form of the secret in a row
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "method", "proof"),
    [
        ("cognito", None, "Authorization: Basic ***"),
        ("oidc", "client_secret_post", "client_secret=***"),
    ],
)
def test_rows_and_logs_hold_no_form_of_an_echoed_secret(
    nanoidp, static, caplog, provider, method, proof
):
    caplog.set_level(logging.DEBUG)
    server = static({"/oauth2/token": route(400, echo="json")})
    texts = []
    for pad in PADS:
        echoing = ClientCredentials(
            provider,
            server.url(f"/oauth2/token?pad={pad}"),
            ECHO_CLIENT,
            ECHOED,
            auth_method=method,
        )
        rows = verify.verify(
            doc_for(nanoidp, allowedAudience=[AUDIENCE]), credentials=echoing, wait=5
        )
        assert by_name(rows)["token"].status is Status.FAIL
        texts.append(verify.format_text(rows))
    assert proof in texts[0], texts[0]
    for text in texts:
        assert leaked(text) == [], text
    assert leaked("\n".join(r.getMessage() for r in caplog.records)) == []
