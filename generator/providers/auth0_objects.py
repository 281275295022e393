"""Auth0 objects of an environment that its state does not hold
(auth0-python's Management API client).

Asked through the Auth0 entry (``leftovers`` / ``delete_leftover``), with the
management credentials the auth0/auth0 provider uses (``AUTH0_API_TOKEN``,
or ``AUTH0_CLIENT_ID`` and ``AUTH0_CLIENT_SECRET``) against the spec's
tenant. Auth0 objects carry no tags, so what counts as left over is decided
by name and audience:

* applications named like one of the spec's clients whose client id is not
  in the state (a create that completed after its run was killed);
* client grants for the spec's API whose client is one of the environment's
  applications (in the state or left over) and whose id is not in the state;
* the API with the spec's identifier when the state holds none (an
  identifier is unique in a tenant, so a second one cannot exist).

Paging is done here, page by page, so that a page that comes back short ends
the listing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError
from generator.leftovers import Leftover, StateResource, of_type

if TYPE_CHECKING:
    from generator.spec import Spec

log = logging.getLogger(__name__)

APPLICATION = "application"
GRANT = "client grant"
API = "API"
PER_PAGE = 100


def management(spec: Spec) -> Any:
    """An auth0-python Management API client for the spec's tenant, with the
    provider's credentials from the environment."""
    from auth0.management import ManagementClient

    assert spec.auth0 is not None
    token = os.environ.get("AUTH0_API_TOKEN")
    client_id, secret = os.environ.get("AUTH0_CLIENT_ID"), os.environ.get("AUTH0_CLIENT_SECRET")
    if token:
        return ManagementClient(domain=spec.auth0.domain, token=token, timeout=30)
    if client_id and secret:
        return ManagementClient(
            domain=spec.auth0.domain, client_id=client_id, client_secret=secret, timeout=30
        )
    raise AuthgenError(
        f"{spec.name}: listing Auth0 objects needs management credentials: set AUTH0_CLIENT_ID "
        "and AUTH0_CLIENT_SECRET (or AUTH0_API_TOKEN), as for terraform"
    )


def _call(spec: Spec, what: str, function: Any, **kwargs: Any) -> Any:
    """One Management API call; its failures become one line. Only the status
    and Auth0's ``message`` are shown, never a response body (which may hold
    client secrets)."""
    import httpx
    from auth0.management.core.api_error import ApiError
    from auth0.management.core.parse_error import ParsingError

    assert spec.auth0 is not None
    where = f"Auth0 ({spec.auth0.domain}): {what}"
    try:
        return function(**kwargs)
    except ApiError as err:
        body = err.body if isinstance(err.body, dict) else {}
        message = body.get("message") or body.get("error")
        if not message:
            message = "an answer authgen cannot read" if err.status_code == 200 else "refused"
        raise AuthgenError(f"{where}: HTTP {err.status_code}: {message}") from None
    except ParsingError:
        raise AuthgenError(
            f"{where}: an answer authgen cannot read (not the Management API?)"
        ) from None
    except httpx.HTTPError as err:
        raise AuthgenError(f"{where}: {type(err).__name__}: {err}") from None


def _paged(spec: Spec, what: str, function: Any, **kwargs: Any) -> Iterator[Any]:
    page = 0
    while True:
        items = list(
            _call(spec, what, function, page=page, per_page=PER_PAGE, **kwargs).items or []
        )
        yield from items
        if len(items) < PER_PAGE:
            return
        page += 1


def find(spec: Spec, resources: list[StateResource], api: Any = None) -> list[Leftover]:
    """Every leftover of ``spec`` in its tenant (see the module docstring)."""
    assert spec.auth0 is not None
    api = api or management(spec)
    tenant = f"tenant {spec.auth0.domain}"
    identifier = spec.auth0.api.identifier
    names = {c.name for c in spec.auth0.clients}
    state_clients = {
        str(a.get("client_id") or a.get("id")) for a in of_type(resources, "auth0_client")
    }
    state_grants = {str(a.get("id")) for a in of_type(resources, "auth0_client_grant")}
    state_apis = of_type(resources, "auth0_resource_server")
    found: list[Leftover] = []
    reason = "named like a client of this environment but not in its state (it has a live secret)"
    ours = set(state_clients)
    for client in _paged(
        spec,
        "list applications",
        api.clients.list,
        fields="client_id,name",
        include_fields=True,
    ):
        if client.name in names and client.client_id not in state_clients:
            ours.add(client.client_id)
            found.append(
                Leftover(
                    APPLICATION,
                    client.client_id,
                    client.name,
                    tenant,
                    reason,
                    {"id": client.client_id},
                )
            )
    if not state_apis:
        for server in _paged(
            spec,
            "list APIs",
            api.resource_servers.list,
            identifiers=[identifier],
        ):
            if server.identifier == identifier:
                found.append(
                    Leftover(
                        API,
                        str(server.id),
                        server.name or identifier,
                        tenant,
                        f"the API {identifier!r} exists but the state holds none",
                        {"id": str(server.id)},
                    )
                )
    after: str | None = None
    while True:
        pager = _call(
            spec,
            "list client grants",
            api.client_grants.list,
            audience=identifier,
            take=PER_PAGE,
            from_=after,
        )
        for grant in pager.items or []:
            if grant.client_id in ours and grant.id not in state_grants:
                found.append(
                    Leftover(
                        GRANT,
                        grant.id,
                        f"{grant.client_id} -> {identifier}",
                        tenant,
                        "a grant of this environment's application for its API, not in its state",
                        {"id": grant.id},
                    )
                )
        after = getattr(pager.response, "next", None)
        if not after:
            break
    return found


def delete(spec: Spec, leftover: Leftover, api: Any = None) -> None:
    """Delete one leftover that ``find`` reported."""
    api = api or management(spec)
    target = {
        APPLICATION: ("delete application", api.clients.delete),
        GRANT: ("delete client grant", api.client_grants.delete),
        API: ("delete API", api.resource_servers.delete),
    }.get(leftover.kind)
    if target is None:
        raise AuthgenError(f"do not know how to delete an Auth0 {leftover.kind}")
    what, function = target
    _call(spec, what, function, id=leftover.keys["id"])
    log.info("deleted %s %s", leftover.kind, leftover.id)
