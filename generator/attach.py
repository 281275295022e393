"""Put an authorizer file onto a live AgentCore Gateway or Runtime.

UpdateGateway and UpdateAgentRuntime replace the *whole* configuration: a
member left out of the request is reset (a gateway loses its interceptors,
policy engine, KMS key, WAF settings, protocol configuration and
description; a runtime its environment variables, network and protocol
settings). So the change is one read and one update:

1. read the resource (GetGateway / GetAgentRuntime);
2. build the update request from what the read returned, keeping every
   member the *update operation's input shape* defines, at every depth
   (:func:`carried`): the service model in the installed botocore decides,
   so a member added to the API later is carried without a change here;
   read-only members (ARNs, status, timestamps) fall away the same way;
3. set the authorizer (``authorizerConfiguration``, and for a gateway
   ``authorizerType: CUSTOM_JWT``) and send ONE update;
4. poll the read until the status is ``READY`` again (backoff, bounded by a
   deadline), or report the failure reasons the API gives.

:class:`Target` says, as data, how a gateway and a runtime differ (operation
names, identifier member, statuses, where the failure reasons are). The
client is boto3's ``bedrock-agentcore-control``; ``AUTHGEN_ENDPOINT_URL``
points it elsewhere (a local stand-in in the tests). Nothing here prints.
"""

from __future__ import annotations

import copy
import difflib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from generator import service_model
from generator.errors import AuthgenError

log = logging.getLogger(__name__)

SERVICE = service_model.SERVICE
DEFAULT_WAIT = 300.0  # seconds: how long to wait for READY after the update
FIRST_DELAY = 1.0
MAX_DELAY = 15.0
#: Statuses in which a resource is being changed (an update would conflict).
BUSY = ("CREATING", "UPDATING", "DELETING")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class AttachError(AuthgenError):
    """The resource cannot be read or updated, or did not become READY."""


@dataclass(frozen=True)
class Target:
    """How one kind of resource is read, updated and waited for."""

    kind: str
    flag: str
    read: str
    update: str
    id_member: str
    #: Members the update always sets, besides ``authorizerConfiguration``.
    fixed: Mapping[str, str] = field(default_factory=dict)
    #: Where the read names the failure (a list of reasons, or one string).
    reasons: str = "statusReasons"
    #: The read's member holding the name people know the resource by.
    name_member: str = "name"

    def read_params(self, ident: str) -> dict[str, str]:
        """The read request for ``ident`` (the read's identifier member)."""
        member = next(iter(_model().required(_input_shape(self.read))))
        return {member: ident}

    def id_shape(self) -> str:
        """The model shape of the identifier (its pattern validates ``--gateway-id``)."""
        return _model().members(_input_shape(self.update))[self.id_member]


GATEWAY = Target(
    kind="gateway",
    flag="--gateway-id",
    read="GetGateway",
    update="UpdateGateway",
    id_member="gatewayIdentifier",
    fixed={"authorizerType": "CUSTOM_JWT"},
    reasons="statusReasons",
    name_member="name",
)
RUNTIME = Target(
    kind="runtime",
    flag="--runtime-id",
    read="GetAgentRuntime",
    update="UpdateAgentRuntime",
    id_member="agentRuntimeId",
    reasons="failureReason",
    name_member="agentRuntimeName",
)


# --------------------------------------------------------------------------
# Pure steps


def id_problem(target: Target, ident: str) -> str | None:
    """What is wrong with an identifier, by the model's pattern (None: fine)."""
    found = _model().validate(ident, target.id_shape())
    return "; ".join(i.message for i in found) or None


def carried(value: Any, shape: str) -> Any:
    """``value`` (from a read) reduced to what ``shape`` (an input shape) takes,
    at every depth; ``None`` values dropped."""
    m = _model()
    kind = m.kind(shape)
    if kind == "structure" and isinstance(value, Mapping):
        members = m.members(shape)
        return {
            k: carried(v, members[k]) for k, v in value.items() if k in members and v is not None
        }
    if kind == "list" and isinstance(value, list):
        return [carried(v, m.item(shape)) for v in value]
    if kind == "map" and isinstance(value, Mapping):
        value_shape = m.key_value(shape)[1]
        return {k: carried(v, value_shape) for k, v in value.items()}
    return copy.deepcopy(value)


def update_request(
    target: Target, ident: str, current: Mapping[str, Any], authorizer: Mapping[str, Any]
) -> dict[str, Any]:
    """The one update: every input member the read returned, the authorizer set.

    Members bound to the URL or headers other than the identifier, and the
    idempotency token (botocore makes a fresh one), are not carried.
    """
    shape = _input_shape(target.update)
    members = _model().shape(shape).get("members", {})
    request: dict[str, Any] = {}
    for member, spec in members.items():
        if member == target.id_member or spec.get("idempotencyToken"):
            continue
        if spec.get("location") in ("uri", "querystring", "header", "headers"):
            continue
        if member in current and current[member] is not None:
            request[member] = carried(current[member], spec["shape"])
    request[target.id_member] = ident
    request.update(target.fixed)
    request["authorizerConfiguration"] = copy.deepcopy(dict(authorizer))
    return request


def carried_members(target: Target, request: Mapping[str, Any]) -> list[str]:
    """The members the request keeps from the read (not the identifier, not the authorizer)."""
    own = {target.id_member, "authorizerConfiguration", *target.fixed}
    return [k for k in request if k not in own]


def authorizer_view(target: Target, resource: Mapping[str, Any]) -> dict[str, Any]:
    """The authorizer part of a read or a request, as the diff shows it."""
    view: dict[str, Any] = {}
    for member in target.fixed:
        if resource.get(member) is not None:
            view[member] = resource[member]
    configuration = resource.get("authorizerConfiguration")
    if configuration is not None:
        view["authorizerConfiguration"] = carried(configuration, "AuthorizerConfiguration")
    return view


def diff(
    target: Target, ident: str, current: Mapping[str, Any], request: Mapping[str, Any]
) -> list[str]:
    """The unified diff of the authorizer, as read against as it will be."""
    before = _text(authorizer_view(target, current))
    after = _text(authorizer_view(target, request))
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"{target.kind} {ident} (now)",
            tofile=f"{target.kind} {ident} (after attach)",
        )
    ]


def failure_reasons(target: Target, resource: Mapping[str, Any]) -> list[str]:
    """The reasons a read gives for a failed status."""
    value = resource.get(target.reasons)
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


# --------------------------------------------------------------------------
# The service


def endpoint_problem(url: str) -> str | None:
    """``AUTHGEN_ENDPOINT_URL``: http(s)://host[:port] without credentials, query
    or fragment; plain http only on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} must be http(s)://host[:port], e.g. http://127.0.0.1:5000"
    if parts.username is not None or parts.password is not None:
        return f"{url!r} must not carry credentials"
    if parts.query or parts.fragment:
        return f"{url!r} must not have a query or fragment"
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        return f"{url!r} uses plain http; use https (http only on 127.0.0.1 / localhost)"
    return None


def client(*, region: str | None, endpoint_url: str | None) -> Any:
    """A boto3 ``bedrock-agentcore-control`` client (standard retries, bounded timeouts)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import NoRegionError

    config = Config(
        retries={"mode": "standard", "max_attempts": 4}, connect_timeout=10, read_timeout=60
    )
    try:
        return boto3.client(SERVICE, region_name=region, endpoint_url=endpoint_url, config=config)
    except NoRegionError:
        raise AttachError(
            "no AWS region for the AgentCore control plane: pass --region, set region: in the "
            "spec, or set AWS_REGION"
        ) from None


def call(api: Any, target: Target, operation: str, ident: str, **params: Any) -> dict[str, Any]:
    """One API call; botocore's errors become one line that says what to do."""
    from botocore import exceptions as bce
    from botocore import xform_name

    what = f"{operation} {target.kind} {ident}"
    try:
        answer = getattr(api, xform_name(operation))(**params)
    except bce.ClientError as err:
        error = err.response.get("Error", {})
        code = error.get("Code") or "error"
        message = error.get("Message") or str(err)
        raise AttachError(f"{what}: {code}: {message}; {_fix(target, code, operation)}") from None
    except bce.NoCredentialsError:
        raise AttachError(
            f"{what}: no AWS credentials found; attach calls the AgentCore control plane with "
            "the usual AWS chain (environment, profile, SSO, an OIDC role in CI)"
        ) from None
    except (bce.EndpointConnectionError, bce.ConnectTimeoutError, bce.ReadTimeoutError) as err:
        raise AttachError(
            f"{what}: cannot reach the AgentCore control plane ({err}); check the region, the "
            "network, and AUTHGEN_ENDPOINT_URL if set"
        ) from None
    except bce.ParamValidationError as err:
        raise AttachError(
            f"{what}: the request does not fit the installed botocore's model "
            f"({' '.join(str(err).split())}); upgrade botocore or report this"
        ) from None
    answer.pop("ResponseMetadata", None)
    return answer


def wait_ready(
    read: Callable[[], Mapping[str, Any]],
    target: Target,
    ident: str,
    *,
    wait: float = DEFAULT_WAIT,
    on_status: Callable[[str, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Read until the status is READY (backoff from 1 s doubling to 15 s,
    never past ``wait`` s); the last read. ``AttachError`` on a failed status
    (with the reasons) or at the deadline."""
    start = clock()
    delay = FIRST_DELAY
    while True:
        resource = dict(read())
        status = str(resource.get("status") or "")
        elapsed = clock() - start
        if on_status is not None:
            on_status(status, elapsed)
        if status == "READY":
            return resource
        if status not in BUSY:
            reasons = failure_reasons(target, resource)
            said = f": {'; '.join(reasons)}" if reasons else " (the API gives no reason)"
            raise AttachError(
                f"{target.kind} {ident} is {status} after the update{said}; fix the cause and "
                f"run attach again (the read shows the configuration it has now)"
            )
        left = wait - elapsed
        if left <= 0:
            raise AttachError(
                f"{target.kind} {ident} is still {status} after {elapsed:.0f} s; check it later "
                f"(aws {SERVICE} {_cli_read(target, ident)}), or wait longer with --wait"
            )
        sleep(min(delay, left))
        delay = min(delay * 2, MAX_DELAY)


# --------------------------------------------------------------------------
# Helpers


def _model() -> service_model.ServiceModel:
    return service_model.load()


def _input_shape(operation: str) -> str:
    return str(_model().data["operations"][operation]["input"]["shape"])


def _text(view: Mapping[str, Any]) -> str:
    if not view:
        return ""
    return json.dumps(view, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _cli_read(target: Target, ident: str) -> str:
    from botocore import xform_name

    member = next(iter(_model().required(_input_shape(target.read))))
    return f"{xform_name(target.read, '-')} --{xform_name(member, '-')} {ident}"


def _fix(target: Target, code: str, operation: str) -> str:
    if code == "ResourceNotFoundException":
        return f"check {target.flag} and the region (--region, region: in the spec, AWS_REGION)"
    if code in ("AccessDeniedException", "UnauthorizedException"):
        return (
            f"the caller needs bedrock-agentcore:{target.read} and "
            f"bedrock-agentcore:{target.update} on the {target.kind} (and iam:PassRole for its "
            "role)"
        )
    if code == "ConflictException":
        return f"the {target.kind} is being changed; wait until it is READY and run attach again"
    if code == "ThrottlingException":
        return "the API is throttling requests; retry in a minute"
    if code == "ValidationException":
        return f"the API refused the {operation} request as it is; see the message"
    if code == "ServiceQuotaExceededException":
        return "a service quota is reached; see the message"
    return "see the message; nothing else was sent"
