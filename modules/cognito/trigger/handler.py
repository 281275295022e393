"""Pre token generation trigger (event version V3_0) of modules/cognito.

Puts the claims configured for an app client into the access tokens Cognito
issues to it, machine-to-machine (client_credentials) tokens included: V3_0
is the event version that covers those, on the ESSENTIALS and PLUS feature
plans.

Configuration is data, never code: the environment variable
CLAIMS_BY_CLIENT holds a JSON object keyed by app client *name*, with the
module's two claim maps of each client (string claims, list claims):
``{"gateway-client": {"claims": {"department": "engineering"},
"list_claims": {"groups": ["admins"]}}}``.
Names, because the module creates this function before the user pool (the
pool's lambda_config needs the function's ARN) and the app clients, and
their ids, only after the pool. The event names the client by id
(``callerContext.clientId``); DescribeUserPoolClient turns the id into the
name once per container (the role may call it on its own pool only).

The handler only adds claims (``claimsToAddOrOverride`` of the access
token); everything else in the response is kept as Cognito sent it.
"""

from __future__ import annotations

import json
import logging
import os

log = logging.getLogger()
log.setLevel(logging.INFO)

CONFIG_VARIABLE = "CLAIMS_BY_CLIENT"

_client_names: dict[tuple[str, str], str] = {}  # (pool id, client id) -> client name
_cognito = None
_config = None


def configuration() -> dict:
    """The claims by client name, read once per container."""
    global _config
    if _config is None:
        raw = os.environ.get(CONFIG_VARIABLE) or "{}"
        parsed = json.loads(raw)
        if not isinstance(parsed, dict):
            raise ValueError(f"{CONFIG_VARIABLE} must be a JSON object keyed by client name")
        _config = parsed
    return _config


def client_name(pool_id: str, client_id: str) -> str:
    """The app client's name (DescribeUserPoolClient, cached per container)."""
    global _cognito
    key = (pool_id, client_id)
    if key not in _client_names:
        if _cognito is None:
            import boto3

            _cognito = boto3.client("cognito-idp")
        answer = _cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        _client_names[key] = answer["UserPoolClient"]["ClientName"]
    return _client_names[key]


def handler(event: dict, context: object = None) -> dict:
    """Add the client's configured claims to the access token; return the event."""
    claims_by_client = configuration()
    client_id = (event.get("callerContext") or {}).get("clientId")
    if not claims_by_client or not client_id:
        return event
    name = client_name(event["userPoolId"], client_id)
    entry = claims_by_client.get(name) or {}
    claims = {**(entry.get("claims") or {}), **(entry.get("list_claims") or {})}
    if not claims:
        return event
    response = event.get("response") or {}
    details = response.get("claimsAndScopeOverrideDetails") or {}
    access = details.get("accessTokenGeneration") or {}
    added = dict(access.get("claimsToAddOrOverride") or {})
    added.update(claims)
    access["claimsToAddOrOverride"] = added
    details["accessTokenGeneration"] = access
    response["claimsAndScopeOverrideDetails"] = details
    event["response"] = response
    log.info(
        "%s: client %s gets claims %s",
        event.get("triggerSource"),
        name,
        ", ".join(sorted(claims)),
    )
    return event
