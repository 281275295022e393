"""The claims trigger's objects of a Cognito environment that its state does
not hold (boto3: IAM, Lambda, CloudWatch Logs).

With ``clients[].claims`` the module (``modules/cognito/trigger.tf``) gives
the pool a pre token generation trigger: an IAM role with an inline policy,
a log group ``/aws/lambda/<name>``, a Lambda function with an invoke
permission for the pool. Role, function and log group share one name
(``trigger_name``), fixed by the environment's inputs. A run killed after AWS
created one of them but before terraform recorded it leaves an object whose
name the next apply needs: IAM answers ``EntityAlreadyExists``, Lambda
``ResourceConflictException``, CloudWatch Logs
``ResourceAlreadyExistsException``, and the environment is stuck until the
object is gone (or imported).

What counts as left over: the role, function or log group of exactly that
name that the state does not hold and that carries this environment's tags
(``AuthgenEnvironment`` and ``AuthgenGateway``: the provider's
``default_tags`` travel in the create request itself, so even an object whose
creation was cut short has them). One of that name tagged otherwise (another
environment's: IAM role names are global, so two environments with the same
domain prefix in two regions share a role name; or one authgen did not make)
is reported ``blocked``: it stops the next apply all the same, but authgen
does not delete it.

Looked for only when some client has claims: without, the environment has no
trigger, and its pipeline role need not be allowed to read IAM, Lambda or
CloudWatch Logs (the ``ClaimsTrigger`` statements of docs/aws-iam-policy.json).

Deleting: the function (its invoke permission is part of its resource
policy and goes with it); the role after its inline policies are deleted and
its managed policies detached (IAM refuses ``DeleteRole`` before); the log
group. ``find`` lists them in that order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError
from generator.leftovers import Leftover, StateResource, of_type
from generator.providers.cognito_objects import client

if TYPE_CHECKING:
    from generator.spec import Spec

log = logging.getLogger(__name__)

ROLE = "IAM role"
FUNCTION = "Lambda function"
LOG_GROUP = "log group"
#: What ``find`` reports, in the order they can be deleted.
KINDS = (FUNCTION, ROLE, LOG_GROUP)

#: modules/cognito/trigger.tf: ``substr(var.domain_prefix, 0, 56)``.
PREFIX_CHARACTERS = 56
SUFFIX = "-claims"
LOG_GROUP_PREFIX = "/aws/lambda/"

#: Error codes meaning "no such object" (IAM's, Lambda's and Logs' own).
MISSING = frozenset({"NoSuchEntity", "ResourceNotFoundException"})


def trigger_name(inputs: Mapping[str, Any]) -> str | None:
    """The name of the trigger's role, function and (after ``/aws/lambda/``)
    log group, from the module's inputs (the rendered tfvars), as
    ``modules/cognito/trigger.tf`` derives it:
    ``coalesce(var.trigger_name, "${substr(var.domain_prefix, 0, 56)}-claims")``;
    None when no client has claims (the module then makes no trigger)."""
    clients = inputs.get("clients") or []
    if not any(c.get("claims") or c.get("list_claims") for c in clients):
        return None
    return inputs.get("trigger_name") or (
        f"{str(inputs['domain_prefix'])[:PREFIX_CHARACTERS]}{SUFFIX}"
    )


def _at(spec: Spec) -> str:
    return f" at {spec.endpoint_url}" if spec.endpoint_url else ""


def _call(spec: Spec, service: str, what: str, function: Any, **kwargs: Any) -> Any:
    """One call; its failures become one line. An object that does not exist
    (any more) gives None."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return function(**kwargs)
    except ClientError as err:
        error = err.response.get("Error", {})
        if error.get("Code") in MISSING:
            return None
        message = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
        raise AuthgenError(f"{service} ({spec.region}{_at(spec)}): {what}: {message}") from None
    except BotoCoreError as err:
        raise AuthgenError(f"{service} ({spec.region}{_at(spec)}): {what}: {err}") from None


def _pages(
    spec: Spec, service: str, aws: Any, operation: str, key: str, **kwargs: Any
) -> Iterator[Any]:
    """The items under ``key`` of every page; nothing when the object the
    listing belongs to does not exist."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for page in aws.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key) or []
    except ClientError as err:
        error = err.response.get("Error", {})
        if error.get("Code") in MISSING:
            return
        message = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
        raise AuthgenError(
            f"{service} ({spec.region}{_at(spec)}): {operation}: {message}"
        ) from None
    except BotoCoreError as err:
        raise AuthgenError(f"{service} ({spec.region}{_at(spec)}): {operation}: {err}") from None


def _row(
    spec: Spec,
    kind: str,
    arn: str,
    name: str,
    where: str,
    tags: Mapping[str, str],
    keys: Mapping[str, str],
) -> Leftover:
    """A leftover when ``tags`` say it is this environment's; else a blocked
    row saying whose it looks like and why the next apply fails."""
    trigger = "named for the environment's claims trigger"
    if tags.get("AuthgenEnvironment") == spec.name and tags.get("AuthgenGateway") == spec.gateway:
        reason = (
            f"{trigger}, tagged for environment {spec.name!r} of gateway {spec.gateway!r}, but "
            "not in its state (the next apply fails on the taken name)"
        )
        return Leftover(kind, arn, name, where, reason, dict(keys))
    if tags.get("AuthgenEnvironment"):
        owner = (
            f"tagged for environment {tags['AuthgenEnvironment']!r} of gateway "
            f"{tags.get('AuthgenGateway', '')!r}"
        )
    else:
        owner = "without authgen's tags"
    reason = f"{trigger}, but {owner}, and not in the state"
    blocked = (
        "it may not be this environment's, so authgen leaves it; the next apply fails on the "
        "taken name: delete it yourself if nothing uses it, or give this environment another "
        "cognito.domain_prefix"
    )
    return Leftover(kind, arn, name, where, reason, dict(keys), blocked)


def find(spec: Spec, inputs: Mapping[str, Any], resources: list[StateResource]) -> list[Leftover]:
    """The trigger's function, role and log group that exist but are not in
    the state (see the module docstring); ``inputs`` are the module's
    (the Cognito entry's tfvars)."""
    name = trigger_name(inputs)
    if name is None:
        return []
    found: list[Leftover] = []
    functions = {str(a.get("function_name")) for a in of_type(resources, "aws_lambda_function")}
    if name not in functions:
        found.extend(_function(spec, name))
    roles = {str(a.get("name")) for a in of_type(resources, "aws_iam_role")}
    if name not in roles:
        found.extend(_role(spec, name))
    group = f"{LOG_GROUP_PREFIX}{name}"
    groups = {str(a.get("name")) for a in of_type(resources, "aws_cloudwatch_log_group")}
    if group not in groups:
        found.extend(_log_group(spec, group))
    return found


def _function(spec: Spec, name: str) -> list[Leftover]:
    functions = client(spec, "lambda")
    got = _call(spec, "Lambda", "GetFunction", functions.get_function, FunctionName=name)
    if got is None:
        return []
    arn = got["Configuration"]["FunctionArn"]
    # GetFunction includes the tags only for a caller explicitly allowed
    # lambda:ListTags (Lambda API reference): ask ListTags itself, which that
    # permission allows, so a missing permission is an error, not "no tags".
    listed = _call(spec, "Lambda", "ListTags", functions.list_tags, Resource=arn)
    if listed is None:
        return []  # deleted meanwhile
    where = f"{spec.region}{_at(spec)}"
    tags = listed.get("Tags") or {}
    return [_row(spec, FUNCTION, arn, name, where, tags, {"FunctionName": name})]


def _role(spec: Spec, name: str) -> list[Leftover]:
    iam = client(spec, "iam")
    got = _call(spec, "IAM", "GetRole", iam.get_role, RoleName=name)
    if got is None:
        return []
    role = got["Role"]
    tags = {t["Key"]: t["Value"] for t in role.get("Tags") or []}
    account = role["Arn"].split(":")[4]
    where = f"account {account}{_at(spec)}"  # IAM roles have no region
    return [_row(spec, ROLE, role["Arn"], name, where, tags, {"RoleName": name})]


def _log_group(spec: Spec, group: str) -> list[Leftover]:
    logs = client(spec, "logs")
    for item in _pages(
        spec, "CloudWatch Logs", logs, "describe_log_groups", "logGroups", logGroupNamePrefix=group
    ):
        if item.get("logGroupName") != group:
            continue  # a longer name with this prefix: another group
        # the tagging actions take the group's ARN without the ":*"
        arn = item.get("logGroupArn") or str(item.get("arn", "")).removesuffix(":*")
        listed = _call(
            spec,
            "CloudWatch Logs",
            "ListTagsForResource",
            logs.list_tags_for_resource,
            resourceArn=arn,
        )
        if listed is None:
            return []  # deleted meanwhile
        where = f"{spec.region}{_at(spec)}"
        tags = listed.get("tags") or {}
        return [_row(spec, LOG_GROUP, arn, group, where, tags, {"logGroupName": group})]
    return []


def delete(spec: Spec, leftover: Leftover) -> None:
    """Delete one leftover that ``find`` reported (already gone is fine)."""
    if leftover.blocked:
        raise AuthgenError(f"{leftover.kind} {leftover.id} was not deleted: {leftover.blocked}")
    keys = dict(leftover.keys)
    if leftover.kind == FUNCTION:
        functions = client(spec, "lambda")
        _call(spec, "Lambda", "DeleteFunction", functions.delete_function, **keys)
    elif leftover.kind == ROLE:
        _delete_role(spec, keys["RoleName"])
    elif leftover.kind == LOG_GROUP:
        logs = client(spec, "logs")
        _call(spec, "CloudWatch Logs", "DeleteLogGroup", logs.delete_log_group, **keys)
    else:
        raise AuthgenError(f"do not know how to delete a Cognito trigger's {leftover.kind}")
    log.info("deleted %s %s", leftover.kind, leftover.id)


def _delete_role(spec: Spec, name: str) -> None:
    """The role's inline policies, its managed policies (detached, not
    deleted: they may serve others), then the role."""
    iam = client(spec, "iam")
    for policy in list(
        _pages(spec, "IAM", iam, "list_role_policies", "PolicyNames", RoleName=name)
    ):
        _call(
            spec,
            "IAM",
            "DeleteRolePolicy",
            iam.delete_role_policy,
            RoleName=name,
            PolicyName=policy,
        )
    for attached in list(
        _pages(spec, "IAM", iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
    ):
        _call(
            spec,
            "IAM",
            "DetachRolePolicy",
            iam.detach_role_policy,
            RoleName=name,
            PolicyArn=attached["PolicyArn"],
        )
    _call(spec, "IAM", "DeleteRole", iam.delete_role, RoleName=name)
