"""Cognito objects of an environment that its state does not hold (boto3).

Asked through the Cognito entry (``leftovers`` / ``delete_leftover``), with
the same region and endpoint Terraform uses (``region``, ``endpoint_url`` /
AUTHGEN_ENDPOINT_URL; an emulator gets the same dummy keys the rendered
provider block uses). What counts as left over:

* in each user pool of the state: app clients, resource servers and the
  domain that are not in the state (a create that completed after its run
  was killed);
* user pools tagged for this environment (``AuthgenEnvironment`` and
  ``AuthgenGateway``, authgen's default tags) that are not the state's pool
  (a pool created by a run killed before it could record it).

The claims trigger's role, function and log group are found by
``cognito_trigger_objects`` (IAM, Lambda, CloudWatch Logs), with the clients
``client`` makes.

Deleting asks Cognito to delete exactly those objects. A leftover user pool
is deleted with its domain first (Cognito refuses otherwise); one with
deletion protection on is not deleted: authgen says how to turn it off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError
from generator.leftovers import Leftover, StateResource, of_type

if TYPE_CHECKING:
    from generator.spec import Spec

log = logging.getLogger(__name__)

#: Emulator credentials: the same the rendered provider block uses.
EMULATOR_KEY = "authgen-emulator"

POOL = "user pool"
CLIENT = "app client"
SERVER = "resource server"
DOMAIN = "domain"


def client(spec: Spec, service: str = "cognito-idp") -> Any:
    """A boto3 client of ``service`` (``cognito-idp``; ``iam``, ``lambda`` and
    ``logs`` for the claims trigger) for the spec's region and endpoint."""
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {
        "region_name": spec.region,
        "config": Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10),
    }
    if spec.endpoint_url:
        options.update(
            endpoint_url=spec.endpoint_url,
            aws_access_key_id=EMULATOR_KEY,
            aws_secret_access_key=EMULATOR_KEY,
        )
    return boto3.client(service, **options)


def _where(spec: Spec) -> str:
    return f"{spec.region}" + (f" at {spec.endpoint_url}" if spec.endpoint_url else "")


def _call(spec: Spec, what: str, function: Any, *, missing_ok: bool = False, **kwargs: Any) -> Any:
    """One Cognito call; its failures become one line. With ``missing_ok`` an
    object that does not exist (any more) gives None."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return function(**kwargs)
    except ClientError as err:
        error = err.response.get("Error", {})
        if missing_ok and error.get("Code") == "ResourceNotFoundException":
            return None
        message = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
        raise AuthgenError(f"Cognito ({_where(spec)}): {what}: {message}") from None
    except BotoCoreError as err:
        raise AuthgenError(f"Cognito ({_where(spec)}): {what}: {err}") from None


def _pages(spec: Spec, cognito: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for page in cognito.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key) or []
    except (ClientError, BotoCoreError) as err:
        detail = err.response.get("Error", {}) if isinstance(err, ClientError) else {}
        message = detail.get("Message") if detail else str(err)
        raise AuthgenError(f"Cognito ({_where(spec)}): {operation}: {message}") from None


def find(spec: Spec, resources: list[StateResource], cognito: Any = None) -> list[Leftover]:
    """Every leftover of ``spec`` in its region (see the module docstring)."""
    cognito = cognito or client(spec)
    state_pools = {str(a.get("id")) for a in of_type(resources, "aws_cognito_user_pool")}
    state_clients = {str(a.get("id")) for a in of_type(resources, "aws_cognito_user_pool_client")}
    state_domains = {
        str(a.get("domain")) for a in of_type(resources, "aws_cognito_user_pool_domain")
    }
    state_servers = {
        (str(a.get("user_pool_id")), str(a.get("identifier")))
        for a in of_type(resources, "aws_cognito_resource_server")
    }
    found: list[Leftover] = []
    for pool_id in sorted(state_pools):
        described = _call(
            spec,
            "DescribeUserPool",
            cognito.describe_user_pool,
            missing_ok=True,
            UserPoolId=pool_id,
        )
        if described is None:
            continue  # gone: terraform notices on its next refresh
        pool = described["UserPool"]
        where = f"user pool {pool_id}"
        reason = "in the environment's user pool but not in its state"
        for item in _pages(
            spec, cognito, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool_id
        ):
            if item["ClientId"] not in state_clients:
                found.append(
                    Leftover(
                        CLIENT,
                        item["ClientId"],
                        item.get("ClientName", ""),
                        where,
                        reason + " (it has a live secret)",
                        {"UserPoolId": pool_id, "ClientId": item["ClientId"]},
                    )
                )
        for item in _pages(
            spec, cognito, "list_resource_servers", "ResourceServers", UserPoolId=pool_id
        ):
            if (pool_id, item["Identifier"]) not in state_servers:
                found.append(
                    Leftover(
                        SERVER,
                        item["Identifier"],
                        item.get("Name", ""),
                        where,
                        reason,
                        {"UserPoolId": pool_id, "Identifier": item["Identifier"]},
                    )
                )
        domain = pool.get("Domain")
        if domain and domain not in state_domains:
            found.append(
                Leftover(
                    DOMAIN, domain, domain, where, reason, {"UserPoolId": pool_id, "Domain": domain}
                )
            )
    found.extend(_tagged_pools(spec, cognito, state_pools))
    return found


def _tagged_pools(spec: Spec, cognito: Any, state_pools: set[str]) -> list[Leftover]:
    found = []
    for item in _pages(spec, cognito, "list_user_pools", "UserPools", MaxResults=60):
        pool_id = item["Id"]
        if pool_id in state_pools:
            continue
        described = _call(
            spec,
            "DescribeUserPool",
            cognito.describe_user_pool,
            missing_ok=True,
            UserPoolId=pool_id,
        )
        if described is None:
            continue
        pool = described["UserPool"]
        tags: Mapping[str, str] = pool.get("UserPoolTags") or {}
        if (
            tags.get("AuthgenEnvironment") != spec.name
            or tags.get("AuthgenGateway") != spec.gateway
        ):
            continue
        blocked = ""
        if pool.get("DeletionProtection") == "ACTIVE":
            blocked = (
                "deletion protection is on, so authgen leaves it; to delete it, turn protection "
                f"off (aws cognito-idp update-user-pool --user-pool-id {pool_id} "
                "--deletion-protection INACTIVE) and run this again"
            )
        found.append(
            Leftover(
                POOL,
                pool_id,
                pool.get("Name", ""),
                _where(spec),
                f"tagged for environment {spec.name!r} of gateway {spec.gateway!r} but not the "
                "pool in its state",
                {"UserPoolId": pool_id, "Domain": pool.get("Domain") or ""},
                blocked,
            )
        )
    return found


def delete(spec: Spec, leftover: Leftover, cognito: Any = None) -> None:
    """Delete one leftover that ``find`` reported (already gone is fine)."""
    if leftover.blocked:
        raise AuthgenError(f"{leftover.kind} {leftover.id} was not deleted: {leftover.blocked}")
    cognito = cognito or client(spec)
    keys = dict(leftover.keys)
    if leftover.kind == CLIENT:
        _call(
            spec, "DeleteUserPoolClient", cognito.delete_user_pool_client, missing_ok=True, **keys
        )
    elif leftover.kind == SERVER:
        _call(spec, "DeleteResourceServer", cognito.delete_resource_server, missing_ok=True, **keys)
    elif leftover.kind == DOMAIN:
        _call(
            spec, "DeleteUserPoolDomain", cognito.delete_user_pool_domain, missing_ok=True, **keys
        )
    elif leftover.kind == POOL:
        if keys.get("Domain"):
            _call(
                spec,
                "DeleteUserPoolDomain",
                cognito.delete_user_pool_domain,
                missing_ok=True,
                Domain=keys["Domain"],
                UserPoolId=keys["UserPoolId"],
            )
        _call(
            spec,
            "DeleteUserPool",
            cognito.delete_user_pool,
            missing_ok=True,
            UserPoolId=keys["UserPoolId"],
        )
    else:
        raise AuthgenError(f"do not know how to delete a Cognito {leftover.kind}")
    log.info("deleted %s %s", leftover.kind, leftover.id)
