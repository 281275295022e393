"""Auth0 leftovers, offline: ``generator.providers.auth0_objects`` with the
real auth0-python Management API client against a real HTTP server on
127.0.0.1 that answers like the Management API (canned pages).

Mocked, and why: no Auth0 tenant can be reached from here (no internet), and
the auth0/auth0 Terraform provider cannot be installed, so no state is made
by terraform; the state resources are written as terraform would hold them.
What is real: auth0-python's requests (paths, query parameters, bearer
token, paging) and its parsing of the answers, and the deletes it sends.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from generator import spec as specs
from generator.leftovers import StateResource
from generator.providers import auth0_objects
from tests.support.cli import REPO
from tests.support.static_http import route

IDENTIFIER = "gateway123"  # environments/staging.yaml


@pytest.fixture
def staging():
    return specs.load(REPO / "environments" / "staging.yaml")


def _api(server):
    from auth0.management.client import Auth0

    return Auth0(base_url=server.url("/api/v2"), token="test-management-token", max_retries=0)


def _state(with_api: bool = True) -> list[StateResource]:
    resources = [
        StateResource(
            'module.auth.auth0_client.this["gateway-m2m"]', "auth0_client", {"client_id": "c-state"}
        ),
        StateResource(
            'module.auth.auth0_client_grant.this["gateway-m2m"]',
            "auth0_client_grant",
            {"id": "cgr_state", "client_id": "c-state"},
        ),
    ]
    if with_api:
        resources.append(
            StateResource(
                "module.auth.auth0_resource_server.this",
                "auth0_resource_server",
                {"id": "rs-state", "identifier": IDENTIFIER},
            )
        )
    return resources


def _page(key: str, items: list[dict]) -> dict:
    """A page as the Management API answers with include_totals (what
    auth0-python asks for and parses)."""
    return route(json_body={key: items, "start": 0, "limit": 100, "total": len(items)})


ROUTES = {
    "/api/v2/clients": _page(
        "clients",
        [
            {"client_id": "c-state", "name": "gateway-m2m"},
            {"client_id": "c-orphan", "name": "gateway-m2m"},
            {"client_id": "c-other", "name": "someone-elses-app"},
        ],
    ),
    "/api/v2/client-grants": route(
        json_body={
            "client_grants": [
                {"id": "cgr_state", "client_id": "c-state", "audience": IDENTIFIER},
                {"id": "cgr_orphan", "client_id": "c-orphan", "audience": IDENTIFIER},
                {"id": "cgr_other", "client_id": "c-other", "audience": IDENTIFIER},
            ]
        }
    ),
    "/api/v2/resource-servers": _page(
        "resource_servers", [{"id": "rs-live", "identifier": IDENTIFIER, "name": "gateway-api"}]
    ),
    "/api/v2/clients/c-orphan": route(204, body=""),
    "/api/v2/client-grants/cgr_orphan": route(204, body=""),
}


def test_an_application_and_its_grant_outside_the_state_are_found(static, staging):
    server = static(ROUTES)
    found = auth0_objects.find(staging, _state(), api=_api(server))
    assert [(f.kind, f.id, f.name) for f in found] == [
        ("application", "c-orphan", "gateway-m2m"),
        ("client grant", "cgr_orphan", f"c-orphan -> {IDENTIFIER}"),
    ]
    assert all(f.where == "tenant dev-example.us.auth0.com" for f in found)
    requests = server.requests()
    assert {r["path"] for r in requests} == {"/api/v2/clients", "/api/v2/client-grants"}
    assert all(r["headers"]["authorization"] == "Bearer test-management-token" for r in requests)
    grants = next(r for r in requests if r["path"] == "/api/v2/client-grants")
    assert parse_qs(grants["query"])["audience"] == [IDENTIFIER]


def test_the_api_counts_only_when_the_state_holds_none(static, staging):
    server = static(ROUTES)
    found = auth0_objects.find(staging, _state(with_api=False), api=_api(server))
    assert ("API", "rs-live") in [(f.kind, f.id) for f in found]
    query = next(r for r in server.requests() if r["path"] == "/api/v2/resource-servers")["query"]
    assert parse_qs(query)["identifiers"] == [IDENTIFIER]


def test_delete_sends_one_delete_per_leftover(static, staging):
    server = static(ROUTES)
    api = _api(server)
    for leftover in auth0_objects.find(staging, _state(), api=api):
        auth0_objects.delete(staging, leftover, api=api)
    deletes = [(r["method"], r["path"]) for r in server.requests() if r["method"] == "DELETE"]
    assert deletes == [
        ("DELETE", "/api/v2/clients/c-orphan"),
        ("DELETE", "/api/v2/client-grants/cgr_orphan"),
    ]


def test_a_refusal_is_one_line_naming_the_tenant(static, staging):
    from generator.errors import AuthgenError

    server = static(
        {"/api/v2/clients": route(403, {"statusCode": 403, "message": "Insufficient scope"})}
    )
    with pytest.raises(AuthgenError) as caught:
        auth0_objects.find(staging, _state(), api=_api(server))
    assert str(caught.value) == (
        "Auth0 (dev-example.us.auth0.com): list applications: HTTP 403: Insufficient scope"
    )


def test_without_management_credentials_it_says_which_to_set(staging, monkeypatch):
    from generator.errors import AuthgenError

    for var in ("AUTH0_API_TOKEN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(AuthgenError, match="set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET"):
        auth0_objects.management(staging)


def test_an_answer_that_is_not_the_management_api_is_one_line_without_its_body(static, staging):
    from generator.errors import AuthgenError

    server = static({"/api/v2/clients": route(json_body=[{"client_secret": "s3cr3t-value"}])})
    with pytest.raises(AuthgenError) as caught:
        auth0_objects.find(staging, _state(), api=_api(server))
    assert str(caught.value) == (
        "Auth0 (dev-example.us.auth0.com): list applications: an answer authgen cannot read "
        "(not the Management API?)"
    )
