"""The facts the docs state, held against botocore's models and the modules.

- ``docs/aws-iam-policy.json`` has the shape of an IAM identity policy; every
  action in it is an operation of its service's botocore model (the few IAM
  action names that are not API operation names are mapped explicitly);
  only the actions without resource-level permissions use ``*``; the policy
  and ``docs/aws-iam.md`` name the same actions.
- ``docs/aws-iam-state-bootstrap.json`` (the one-time ``authgen state
  bootstrap``) has the same shape; ``docs/aws-iam-state-bootstrap.md`` maps
  each of its actions to a real S3 operation, and every S3 call
  ``generator/state/bucket.py`` makes is one of those operations.
- The authorizer files authgen writes pass botocore's own parameter
  validator as ``authorizerConfiguration`` of CreateGateway and UpdateGateway
  (Cognito and Auth0, with ``allowedScopes`` and ``customClaims`` of every
  operator), and the length, enum and pattern rules of the model.
- ``docs/gateway.md``: every ``aws bedrock-agentcore-control`` command uses
  real flags of its operation (input members in kebab case, the way the AWS
  CLI derives them), passes the required ones and valid enum values; every
  boto3 call uses real parameter names.
- ``docs/auth0-management.md``: the listed scopes are well-formed and are
  exactly what the resource types of ``modules/auth0/main.tf`` need.

The ``bedrock-agentcore-control`` tests skip, saying why, when the installed
botocore has no model of that service.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path

import botocore
import botocore.session
import hcl2
import pytest
from botocore import xform_name
from botocore.validate import ParamValidator

from generator import authorizer

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
POLICY = DOCS / "aws-iam-policy.json"
IAM_DOC = DOCS / "aws-iam.md"
BOOTSTRAP_POLICY = DOCS / "aws-iam-state-bootstrap.json"
BOOTSTRAP_DOC = DOCS / "aws-iam-state-bootstrap.md"
BUCKET_CODE = REPO / "generator" / "state" / "bucket.py"
GATEWAY_DOC = DOCS / "gateway.md"
AUTH0_DOC = DOCS / "auth0-management.md"
AUTH0_MAIN = REPO / "modules" / "auth0" / "main.tf"

AGENTCORE = "bedrock-agentcore-control"

# IAM service prefix -> botocore service name.
SERVICE_FOR_PREFIX = {
    "cognito-idp": "cognito-idp",
    "iam": "iam",
    "lambda": "lambda",
    "logs": "logs",
    "s3": "s3",
    "sts": "sts",
}

# IAM actions whose names are not API operation names: the service and the
# operations they authorize (Service Authorization Reference). s3:ListBucket
# is the permission behind ListObjects / ListObjectsV2; iam:PassRole is no
# operation at all: IAM checks it when CreateFunction (or an
# UpdateFunctionConfiguration that changes the role) names a role.
IAM_ONLY_ACTIONS = {
    "s3:ListBucket": ("s3", ("ListObjectsV2", "ListObjects")),
    "iam:PassRole": ("lambda", ("CreateFunction", "UpdateFunctionConfiguration")),
}
# Recorded operations allowed by an action of another name.
ACTION_FOR_OPERATION = {"s3:ListObjectsV2": "s3:ListBucket", "s3:HeadObject": "s3:GetObject"}

# Actions that IAM cannot scope to a resource ARN: CreateUserPool (no pool
# exists yet), DescribeUserPoolDomain (the request names only the domain),
# ListUserPools (a listing), GetCallerIdentity (no resource at all).
STAR_ACTIONS = {
    "cognito-idp:CreateUserPool",
    "cognito-idp:DescribeUserPoolDomain",
    "cognito-idp:ListUserPools",
    "sts:GetCallerIdentity",
}
# Listings scoped to every resource of a kind in the account, not to one:
# CloudWatch Logs asks for log-group:* on DescribeLogGroups.
ACCOUNT_WIDE_ACTIONS = {"logs:DescribeLogGroups": "arn:aws:logs:*:ACCOUNT_ID:log-group:*"}
USER_POOL_ARN = re.compile(r"arn:aws:cognito-idp:[^:]+:[^:]+:userpool/\*")
S3_ARN = re.compile(r"arn:aws:s3:::[^/]+(/.+)?")
# The trigger of clients[].claims (modules/cognito/trigger.tf): role, function
# and log group named "<domain_prefix, 56 characters>-claims".
TRIGGER_ROLE_ARN = re.compile(r"arn:aws:iam::[^:]+:role/\*-claims")
TRIGGER_FUNCTION_ARN = re.compile(r"arn:aws:lambda:[^:]+:[^:]+:function:\*-claims")
TRIGGER_LOG_GROUP_ARN = re.compile(
    r"arn:aws:logs:[^:]+:[^:]+:log-group:/aws/lambda/\*-claims(:\*)?"
)
RESOURCE_PATTERN = {
    "cognito-idp": USER_POOL_ARN,
    "s3": S3_ARN,
    "iam": TRIGGER_ROLE_ARN,
    "lambda": TRIGGER_FUNCTION_ARN,
    "logs": TRIGGER_LOG_GROUP_ARN,
}
#: Statements that only the claims trigger needs start with this Sid.
CLAIMS_SID = "ClaimsTrigger"

# The recording of scripts/record_aws_calls.py, and what it is held against.
CALLS = DOCS / "aws-iam-calls.json"
RECORDER = REPO / "scripts" / "record_aws_calls.py"
COGNITO_MODULE = REPO / "modules" / "cognito"
# authgen leftovers' boto3 code: the Cognito objects, and the claims trigger's
# (IAM, Lambda, CloudWatch Logs); each client in a variable named for its
# service.
COGNITO_LEFTOVERS_CODE = REPO / "generator" / "providers" / "cognito_objects.py"
TRIGGER_LEFTOVERS_CODE = REPO / "generator" / "providers" / "cognito_trigger_objects.py"
LEFTOVERS_CODE = (COGNITO_LEFTOVERS_CODE, TRIGGER_LEFTOVERS_CODE)
LEFTOVERS_CLIENTS = {"cognito": "cognito-idp", "iam": "iam", "functions": "lambda", "logs": "logs"}
RECORDED_STEPS = [
    "init",
    "create",
    "refresh",
    "tags",
    "update",
    "code",
    "rename",
    "import",
    "destroy",
]
# Granted though no recorded run calls them, and why.
NOT_RECORDED = {
    # The provider's update path for a domain (managed-login version, custom
    # certificate): the module sets neither (docs/aws-iam.md, Domain).
    "cognito-idp:UpdateUserPoolDomain",
    # Not a call: checked on CreateFunction (test below).
    "iam:PassRole",
}
# The ARN IAM checks for a call made by a resource type: its own, or the
# resource it belongs to.
ARN_OF = {
    "aws_cognito_user_pool": "aws_cognito_user_pool",
    "aws_cognito_resource_server": "aws_cognito_user_pool",
    "aws_cognito_user_pool_client": "aws_cognito_user_pool",
    "aws_cognito_user_pool_domain": "aws_cognito_user_pool",
    "aws_iam_role": "aws_iam_role",
    "aws_iam_role_policy": "aws_iam_role",
    "aws_cloudwatch_log_group": "aws_cloudwatch_log_group",
    "aws_lambda_function": "aws_lambda_function",
    "aws_lambda_permission": "aws_lambda_function",
}
# CloudWatch Logs evaluates these against the log group's ARN without ":*",
# every other action against the ARN with it.
LOG_GROUP_TAGGING = {"logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource"}

# The AWS CLI's own options, accepted by every command.
CLI_GLOBAL_FLAGS = {
    "ca-bundle",
    "cli-auto-prompt",
    "cli-binary-format",
    "cli-connect-timeout",
    "cli-input-json",
    "cli-input-yaml",
    "cli-read-timeout",
    "color",
    "debug",
    "endpoint-url",
    "generate-cli-skeleton",
    "no-cli-auto-prompt",
    "no-cli-pager",
    "no-paginate",
    "no-sign-request",
    "no-verify-ssl",
    "output",
    "profile",
    "query",
    "region",
}

# Management API scopes each auth0 resource type needs for create, read,
# update, delete and import (see docs/auth0-management.md for the calls).
AUTH0_SCOPES_FOR_RESOURCE = {
    "auth0_resource_server": {
        "create:resource_servers",
        "read:resource_servers",
        "update:resource_servers",
        "delete:resource_servers",
    },
    "auth0_resource_server_scopes": {"read:resource_servers", "update:resource_servers"},
    "auth0_client": {"create:clients", "read:clients", "update:clients", "delete:clients"},
    "auth0_client_credentials": {"read:clients", "update:clients", "read:client_keys"},
    "auth0_client_grant": {
        "create:client_grants",
        "read:client_grants",
        "update:client_grants",
        "delete:client_grants",
    },
}
# IAM condition keys the doc names, spelled like actions.
CONDITION_KEYS = {"iam:PassedToService"}
ACTION_IN_DOC = re.compile(r"`((?:cognito-idp|iam|lambda|logs|s3|sts):[A-Za-z0-9]+)`")
SCOPE_RE = re.compile(r"(read|create|update|delete):[a-z][a-z_]*[a-z]")
SCOPES_BEGIN = "<!-- authgen:auth0-scopes:begin -->"
SCOPES_END = "<!-- authgen:auth0-scopes:end -->"

ROLE_ARN = "arn:aws:iam::123456789012:role/my-gateway-role"
GATEWAY_ID = "my-gateway-dev-abcde12345"

COGNITO_OUTPUTS = {  # as `terraform output -json` gives them
    "discovery_url": {
        "value": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123/"
        ".well-known/openid-configuration",
        "type": "string",
        "sensitive": False,
    },
    "client_ids": {
        "value": {
            "gateway-client": "4f1c2d3e5a6b7c8d9e0f1a2b3c",
            "reader": "7a8b9c0d1e2f3a4b5c6d7e8f9a",
        },
        "type": ["map", "string"],
        "sensitive": False,
    },
    "client_secrets": {
        "value": {"gateway-client": "s3cr3t-1", "reader": "s3cr3t-2"},
        "type": ["map", "string"],
        "sensitive": True,
    },
}
AUTH0_OUTPUTS = {
    "discovery_url": "https://dev-example.us.auth0.com/.well-known/openid-configuration",
    "audiences": ["gateway123"],
    "client_ids": {"gateway-m2m": "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"},
    "client_secrets": {"gateway-m2m": "another-secret"},
}
ALLOWED_SCOPES = {
    "cognito": ["gateway-resource-server/read", "gateway-resource-server/write"],
    "auth0": ["invoke:gateway", "read:gateway"],
}
CLAIMS = {
    "EQUALS": {
        "inboundTokenClaimName": "tenant",
        "inboundTokenClaimValueType": "STRING",
        "authorizingClaimMatchValue": {
            "claimMatchOperator": "EQUALS",
            "claimMatchValue": {"matchValueString": "acme"},
        },
    },
    "CONTAINS": {
        "inboundTokenClaimName": "groups",
        "inboundTokenClaimValueType": "STRING_ARRAY",
        "authorizingClaimMatchValue": {
            "claimMatchOperator": "CONTAINS",
            "claimMatchValue": {"matchValueString": "gateway-users"},
        },
    },
    "CONTAINS_ANY": {
        "inboundTokenClaimName": "https://example.com/roles",
        "inboundTokenClaimValueType": "STRING_ARRAY",
        "authorizingClaimMatchValue": {
            "claimMatchOperator": "CONTAINS_ANY",
            "claimMatchValue": {"matchValueStringList": ["admin", "operator"]},
        },
    },
}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session():
    return botocore.session.get_session()


@pytest.fixture(scope="module")
def agentcore(session):
    if AGENTCORE not in session.get_available_services():
        pytest.skip(
            f"botocore {botocore.__version__} in this venv has no {AGENTCORE} service model "
            "(CreateGateway/UpdateGateway); upgrade botocore/boto3 to check these facts"
        )
    return session.get_service_model(AGENTCORE)


def code_blocks(path: Path, *languages: str) -> list[str]:
    """Bodies of the fenced code blocks of ``path`` in one of ``languages``."""
    text = path.read_text(encoding="utf-8")
    return [
        body
        for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)
        if lang in languages
    ]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def policy() -> dict:
    return json.loads(POLICY.read_text(encoding="utf-8"))


def policy_actions() -> set[str]:
    return {a for st in policy()["Statement"] for a in as_list(st["Action"])}


def cli_commands(path: Path, service: str) -> list[tuple[str, list[str]]]:
    """``(operation, tokens after it)`` of every ``aws SERVICE OP ...`` command."""
    found = []
    for block in code_blocks(path, "bash", "sh", "shell", "console"):
        joined = re.sub(r"\\\n", " ", block)
        for line in joined.splitlines():
            line = line.strip().removeprefix("$ ")
            if not line or line.startswith("#"):
                continue
            tokens = shlex.split(line, comments=True)
            if tokens[:2] == ["aws", service] and len(tokens) > 2:
                found.append((tokens[2], tokens[3:]))
    return found


def parse_flags(tokens: list[str]) -> dict[str, str | None]:
    flags: dict[str, str | None] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        assert token.startswith("--"), f"stray argument {token!r} (flags are --name value)"
        value = None
        if i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
            value = tokens[i + 1]
            i += 1
        flags[token[2:]] = value
        i += 1
    return flags


def shape_rule_problems(value, shape, path: str = "") -> list[str]:
    """Length, enum and pattern rules of the model (ParamValidator checks types,
    required members and minimums, not patterns or maximums)."""
    out: list[str] = []
    meta = shape.metadata
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                out += shape_rule_problems(item, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{path}: {len(value)} items, the model's minimum is {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{path}: {len(value)} items, the model's maximum is {meta['max']}")
        for i, item in enumerate(value):
            out += shape_rule_problems(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "string" and isinstance(value, str):
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{path}: shorter than the model's minimum {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{path}: longer than the model's maximum {meta['max']}")
        if shape.enum and value not in shape.enum:
            out.append(f"{path}: {value!r} is not one of {shape.enum}")
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
            out.append(f"{path}: {value!r} does not match {meta['pattern']!r}")
    return out


# --------------------------------------------------------------------------
# docs/aws-iam-policy.json
# --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [POLICY, BOOTSTRAP_POLICY], ids=lambda p: p.name)
def test_policy_has_the_shape_of_an_identity_policy(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {"Version", "Statement"}
    assert doc["Version"] == "2012-10-17"
    statements = doc["Statement"]
    assert isinstance(statements, list) and statements
    sids = [st.get("Sid") for st in statements]
    assert len(set(sids)) == len(sids), f"duplicate Sid in {sids}"
    for st in statements:
        assert isinstance(st, dict)
        assert set(st) <= {"Sid", "Effect", "Action", "Resource", "Condition"}, st
        assert {"Effect", "Action", "Resource"} <= set(st), st
        assert st["Effect"] == "Allow", st
        if "Sid" in st:
            assert re.fullmatch(r"[A-Za-z0-9]+", st["Sid"]), st["Sid"]
        for key in ("Action", "Resource"):
            values = as_list(st[key])
            assert values and all(isinstance(v, str) and v for v in values), st
            assert len(set(values)) == len(values), f"duplicate {key} in {st}"
        for action in as_list(st["Action"]):
            assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), (
                f"{action!r}: name every action; no wildcards in a least-privilege policy"
            )


def test_every_action_is_an_operation_of_its_botocore_service(session):
    unknown = []
    for action in sorted(policy_actions()):
        prefix, name = action.split(":", 1)
        assert prefix in SERVICE_FOR_PREFIX, f"{action}: no botocore service mapped for {prefix!r}"
        service, operations = IAM_ONLY_ACTIONS.get(action, (SERVICE_FOR_PREFIX[prefix], (name,)))
        model = session.get_service_model(service)
        missing = [op for op in operations if op not in model.operation_names]
        if missing:
            unknown.append(f"{action}: {missing} not in {model.service_name} {model.api_version}")
    assert not unknown, "\n".join(unknown)


def test_only_actions_without_resource_level_permissions_use_star():
    for st in policy()["Statement"]:
        actions = set(as_list(st["Action"]))
        resources = as_list(st["Resource"])
        if "*" in resources:
            assert actions <= STAR_ACTIONS, f"{sorted(actions - STAR_ACTIONS)} must not use '*'"
            continue
        for action in actions:
            if action in ACCOUNT_WIDE_ACTIONS:
                assert resources == [ACCOUNT_WIDE_ACTIONS[action]], st
                continue
            prefix = action.split(":", 1)[0]
            pattern = RESOURCE_PATTERN.get(prefix)
            assert pattern is not None, f"{action}: unexpected resource-scoped service"
            for resource in resources:
                assert pattern.fullmatch(resource), f"{action} on {resource!r}"


def test_pass_role_only_passes_the_trigger_role_to_lambda():
    passing = [st for st in policy()["Statement"] if "iam:PassRole" in as_list(st["Action"])]
    assert len(passing) == 1, passing
    st = passing[0]
    # alone in its statement, so its condition restricts nothing else
    assert as_list(st["Action"]) == ["iam:PassRole"], st
    assert all(TRIGGER_ROLE_ARN.fullmatch(r) for r in as_list(st["Resource"])), st
    assert st.get("Condition") == {
        "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}
    }, st
    assert st["Sid"].startswith(CLAIMS_SID), st
    others = [x for x in policy()["Statement"] if x != st and "Condition" in x]
    assert not others, f"conditions the checks below do not evaluate: {others}"


def test_state_backend_statements_follow_terraform_s3_permissions():
    grants: dict[str, set[str]] = {}
    for st in policy()["Statement"]:
        for action in as_list(st["Action"]):
            if action.startswith("s3:"):
                for resource in as_list(st["Resource"]):
                    grants.setdefault(resource, set()).add(action)
    buckets = [r for r in grants if "/" not in r.removeprefix("arn:aws:s3:::")]
    locks = [r for r in grants if r.endswith(".tflock")]
    states = [r for r in grants if r.endswith("terraform.tfstate")]
    assert buckets and locks and states, sorted(grants)
    for r in buckets:
        assert grants[r] == {"s3:ListBucket"}, r
    for r in locks:
        assert grants[r] == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, r
        assert r.removesuffix(".tflock") in states, f"{r}: no state object next to the lock"
    for r in states:
        # Terraform never deletes the state object itself.
        assert grants[r] == {"s3:GetObject", "s3:PutObject"}, r
    # The S3 statements are separate from the Cognito ones.
    for st in policy()["Statement"]:
        prefixes = {a.split(":", 1)[0] for a in as_list(st["Action"])}
        assert len(prefixes) == 1 or "s3" not in prefixes, st


def test_iam_doc_names_exactly_the_policy_actions():
    text = IAM_DOC.read_text(encoding="utf-8")
    granted_part, _, left_out_part = text.partition("## What is not in the policy")
    assert left_out_part, "docs/aws-iam.md lost its '## What is not in the policy' section"
    named = ACTION_IN_DOC
    in_doc = set(named.findall(granted_part)) - CONDITION_KEYS
    actions = policy_actions()
    assert in_doc == actions, (
        f"only in the doc: {sorted(in_doc - actions)}; only in the policy: {sorted(actions - in_doc)}"
    )
    assert not set(named.findall(left_out_part)) & actions, "an action is both granted and left out"


# --------------------------------------------------------------------------
# docs/aws-iam-calls.json: the recorded calls, the policy and the module
# --------------------------------------------------------------------------


@functools.cache
def recorder():
    """scripts/record_aws_calls.py as a module (its parser and module_shape)."""
    spec = importlib.util.spec_from_file_location("record_aws_calls", RECORDER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def recording() -> dict:
    return json.loads(CALLS.read_text(encoding="utf-8"))


def action_of(call: str) -> str:
    """The IAM action that allows a recorded ``service:Operation``."""
    return ACTION_FOR_OPERATION.get(call, call)


def recorded_by_type() -> dict[str, set[str]]:
    """``{who made it: {IAM action, ...}}`` over every recorded step."""
    out: dict[str, set[str]] = {}
    for step in recording()["steps"]:
        for call, who in step["calls"].items():
            for by in who:
                out.setdefault(by, set()).add(action_of(call))
    return out


def recorded_actions() -> set[str]:
    return set().union(*recorded_by_type().values())


def iam_matches(pattern: str, arn: str) -> bool:
    """IAM's wildcard match of a Resource element (``*`` any run, ``?`` one character)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, arn) is not None


def allows(action: str, arn: str, passed_to: str | None = None) -> bool:
    """Whether the policy, its placeholders filled in as in the recording,
    allows ``action`` on ``arn`` (``passed_to``: iam:PassedToService)."""
    rec = recording()
    account = rec["arns"]["aws_cognito_user_pool"].split(":")[4]
    for st in policy()["Statement"]:
        if action not in as_list(st["Action"]):
            continue
        condition = st.get("Condition")
        if condition is not None and condition != {
            "StringEquals": {"iam:PassedToService": passed_to}
        }:
            continue
        for resource in as_list(st["Resource"]):
            filled = resource.replace("ACCOUNT_ID", account).replace(
                "STATE_BUCKET", rec["state"]["bucket"]
            )
            if iam_matches(filled, arn):
                return True
    return False


def _client_services(tree: ast.AST) -> set[str]:
    """The services a leftovers module makes boto3 clients of: the string
    arguments of its ``client(...)`` / ``boto3.client(...)`` calls and the
    default of a ``client`` function's ``service`` parameter."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "client":
                found |= {
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                }
        elif isinstance(node, ast.FunctionDef) and node.name == "client":
            found |= {
                d.value
                for d in node.args.defaults
                if isinstance(d, ast.Constant) and isinstance(d.value, str)
            }
    return found


def leftovers_actions(session, *paths: Path) -> set[str]:
    """The actions ``authgen leftovers`` calls through boto3 (in ``paths``,
    by default all of LEFTOVERS_CODE): methods of a client variable (called,
    or handed to a helper), and operations named as strings in a call that
    involves one client (its paginators). A call or string the scan cannot
    attribute to one client fails, so the scan cannot miss a call quietly."""
    methods = {
        service: {xform_name(op): op for op in session.get_service_model(service).operation_names}
        for service in set(LEFTOVERS_CLIENTS.values())
    }
    every_method = set().union(*methods.values())
    actions: set[str] = set()
    for path in paths or LEFTOVERS_CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        services = _client_services(tree)
        assert services <= set(LEFTOVERS_CLIENTS.values()), (
            f"{path.name} uses {sorted(services)}: map that service's client variable in "
            "LEFTOVERS_CLIENTS"
        )
        attributed: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in every_method:
                owner = node.value.id if isinstance(node.value, ast.Name) else None
                assert owner in LEFTOVERS_CLIENTS, (
                    f"{path.name}:{node.lineno}: {node.attr} on {ast.unparse(node.value)}: name "
                    "the client variable as LEFTOVERS_CLIENTS does"
                )
                service = LEFTOVERS_CLIENTS[owner]
                assert node.attr in methods[service], f"{path.name}:{node.lineno}: {node.attr}"
                actions.add(f"{service}:{methods[service][node.attr]}")
            if not isinstance(node, ast.Call):
                continue
            receivers = {
                a.id for a in node.args if isinstance(a, ast.Name) and a.id in LEFTOVERS_CLIENTS
            }
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in LEFTOVERS_CLIENTS
            ):
                receivers.add(func.value.id)
            for arg in node.args:
                if isinstance(arg, ast.Constant) and arg.value in every_method:
                    assert len(receivers) == 1, (
                        f"{path.name}:{arg.lineno}: {arg.value!r} with clients {sorted(receivers)}"
                    )
                    service = LEFTOVERS_CLIENTS[next(iter(receivers))]
                    assert arg.value in methods[service], f"{path.name}:{arg.lineno}: {arg.value}"
                    actions.add(f"{service}:{methods[service][arg.value]}")
                    attributed.add(id(arg))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in every_method:
                assert id(node) in attributed, (
                    f"{path.name}:{node.lineno}: operation {node.value!r} outside a call on a client"
                )
    return actions


def module_resource_types() -> dict[str, dict]:
    """``{resource type: its first body}`` over modules/cognito/*.tf."""
    found: dict[str, dict] = {}
    for tf in sorted(COGNITO_MODULE.glob("*.tf")):
        with tf.open(encoding="utf-8") as f:
            for block in hcl2.load(f).get("resource", []):
                for rtype, named in block.items():
                    for body in named.values():
                        found.setdefault(rtype.strip('"'), body)
    return found


def claims_only_types() -> set[str]:
    """Resource types the module creates only when some client has claims."""
    return {
        rtype
        for rtype, body in module_resource_types().items()
        if "claims_enabled" in str(body.get("count", ""))
    }


def doc_sections() -> dict[str, str]:
    """``{resource type: its section of docs/aws-iam.md}`` (headings naming
    a type in backticks and parentheses)."""
    text = IAM_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.M)
    sections = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        for rtype in re.findall(r"\(`(aws_[a-z0-9_]+)`\)", heading):
            sections[rtype] = body
    return sections


def test_recording_was_made_for_the_module_as_it_is():
    rec = recording()
    assert [s["step"] for s in rec["steps"]] == RECORDED_STEPS
    assert rec["module"] == recorder().module_shape(COGNITO_MODULE), (
        "modules/cognito has other resource types or arguments than when "
        "docs/aws-iam-calls.json was recorded: run .venv/bin/python "
        "scripts/record_aws_calls.py, then grant and explain any new call in "
        "docs/aws-iam-policy.json and docs/aws-iam.md"
    )
    version = rec["provider"].rsplit(" ", 1)[1]
    assert f"**{version}**" in IAM_DOC.read_text(encoding="utf-8"), version
    # every step reached every resource type of the module (create, read,
    # update, import and destroy all ran)
    types = set(module_resource_types())
    for step in rec["steps"][1:]:
        reached = {by for who in step["calls"].values() for by in who}
        assert types <= reached, f"{step['step']}: no call by {sorted(types - reached)}"


def test_every_module_resource_type_has_its_section_and_grants():
    types = set(module_resource_types())
    assert {"aws_cognito_user_pool", "aws_lambda_function", "aws_iam_role"} <= types, types
    by_type = recorded_by_type()
    sections = doc_sections()
    granted = policy_actions()
    problems = []
    for rtype in sorted(types):
        actions = by_type.get(rtype, set())
        if not actions:
            problems.append(f"{rtype}: no call recorded; run scripts/record_aws_calls.py")
        if rtype not in sections:
            problems.append(f"{rtype}: no section '... (`{rtype}`)' in docs/aws-iam.md")
            continue
        named = set(ACTION_IN_DOC.findall(sections[rtype]))
        if actions - named:
            problems.append(f"{rtype}: its section does not name {sorted(actions - named)}")
        if actions - granted:
            problems.append(f"{rtype}: the policy does not grant {sorted(actions - granted)}")
    assert not problems, "\n".join(problems)


def test_every_recorded_call_is_allowed_on_the_resource_it_touched():
    rec = recording()
    arns = rec["arns"]
    assert set(arns) == {
        "aws_cognito_user_pool",
        "aws_iam_role",
        "aws_lambda_function",
        "aws_cloudwatch_log_group",
    }, arns
    bucket, key = rec["state"]["bucket"], rec["state"]["key"]
    s3 = {
        "bucket": f"arn:aws:s3:::{bucket}",
        "state object": f"arn:aws:s3:::{bucket}/{key}",
        "lock object": f"arn:aws:s3:::{bucket}/{key}.tflock",
    }
    problems, checked = [], 0
    for step in rec["steps"]:
        for call, who in step["calls"].items():
            action = action_of(call)
            for by in who:
                if by.startswith("s3 back end: "):
                    arn = s3[by.removeprefix("s3 back end: ")]
                elif by in ARN_OF:
                    arn = arns[ARN_OF[by]]
                    if action.startswith("logs:") and action not in LOG_GROUP_TAGGING:
                        arn += ":*"
                else:  # provider start-up, the back end's and the data source's STS call
                    assert action in STAR_ACTIONS, f"{step['step']}: {call} by {by}"
                    arn = "*"
                checked += 1
                if not allows(action, arn):
                    problems.append(f"{step['step']}: {call} by {by} on {arn}")
    # the execution role is passed to Lambda, and to nothing else
    role = arns["aws_iam_role"]
    if not allows("iam:PassRole", role, passed_to="lambda.amazonaws.com"):
        problems.append(f"iam:PassRole of {role} to lambda.amazonaws.com")
    assert not allows("iam:PassRole", role, passed_to="ec2.amazonaws.com")
    assert checked > 100, checked
    assert not problems, "\n".join(problems)


def test_the_checks_would_catch_a_name_outside_the_patterns():
    """allows() is not vacuous: another function, role or account is refused."""
    rec = recording()
    function = rec["arns"]["aws_lambda_function"]
    assert allows("lambda:UpdateFunctionCode", function)
    assert not allows("lambda:UpdateFunctionCode", function.replace("-claims", "-other"))
    assert not allows("lambda:UpdateFunctionCode", function.replace(":123456789012:", ":1:"))
    assert not allows("iam:DeleteRole", rec["arns"]["aws_iam_role"].replace("-claims", "-admin"))
    assert not allows(
        "s3:DeleteObject", f"arn:aws:s3:::{rec['state']['bucket']}/{rec['state']['key']}"
    )


def test_every_granted_action_was_recorded_or_is_explained(session):
    granted = policy_actions()
    leftovers = leftovers_actions(session)
    unexplained = granted - recorded_actions() - leftovers
    assert unexplained == NOT_RECORDED, (
        f"granted, never called: {sorted(unexplained - NOT_RECORDED)}; "
        f"NOT_RECORDED lists {sorted(NOT_RECORDED - unexplained)} though it is called"
    )


def test_every_leftovers_call_is_granted(session):
    actions = leftovers_actions(session)
    assert {
        "cognito-idp:DescribeUserPool",
        "cognito-idp:ListUserPools",
        "cognito-idp:ListUserPoolClients",
        "cognito-idp:ListResourceServers",
        "cognito-idp:DeleteUserPool",
        "cognito-idp:DeleteUserPoolClient",
        "cognito-idp:DeleteResourceServer",
        "cognito-idp:DeleteUserPoolDomain",
    } <= actions, sorted(actions)
    # the claims trigger's role, function and log group (cognito_trigger_objects)
    assert leftovers_actions(session, TRIGGER_LEFTOVERS_CODE) == {
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:DeleteRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:DetachRolePolicy",
        "iam:DeleteRole",
        "lambda:GetFunction",
        "lambda:ListTags",
        "lambda:DeleteFunction",
        "logs:DescribeLogGroups",
        "logs:ListTagsForResource",
        "logs:DeleteLogGroup",
    }
    assert actions <= policy_actions(), sorted(actions - policy_actions())
    arns = recording()["arns"]
    for action in actions:
        service = action.split(":", 1)[0]
        arn = {
            "cognito-idp": arns["aws_cognito_user_pool"],
            "iam": arns["aws_iam_role"],
            "lambda": arns["aws_lambda_function"],
            "logs": arns["aws_cloudwatch_log_group"],
        }[service]
        if service == "logs" and action not in LOG_GROUP_TAGGING:
            arn += ":*"
        assert allows(action, arn), f"{action} on {arn}"


def test_claims_only_statements_are_marked_and_hold_only_trigger_actions(session):
    trigger = claims_only_types()
    assert "aws_lambda_function" in trigger and "aws_cognito_user_pool" not in trigger, trigger
    by_type = recorded_by_type()
    trigger_actions = set().union(*(by_type[t] for t in trigger)) | {"iam:PassRole"}
    other_actions = set().union(*(a for t, a in by_type.items() if t not in trigger))
    # leftovers' calls on the trigger's objects are the trigger's too
    trigger_actions |= leftovers_actions(session, TRIGGER_LEFTOVERS_CODE)
    other_actions |= leftovers_actions(session, COGNITO_LEFTOVERS_CODE)
    only_trigger = trigger_actions - other_actions
    assert only_trigger, "no action is needed by the trigger alone?"
    for st in policy()["Statement"]:
        actions = set(as_list(st["Action"]))
        if st["Sid"].startswith(CLAIMS_SID):
            assert actions <= only_trigger, f"{st['Sid']}: {sorted(actions - only_trigger)}"
        else:
            assert not actions & only_trigger, f"{st['Sid']}: {sorted(actions & only_trigger)}"
    text = IAM_DOC.read_text(encoding="utf-8")
    claims_part = text.split("## Only with `clients[].claims`", 1)[1].split("\n## ", 1)[0]
    for rtype in trigger:
        assert f"(`{rtype}`)" in claims_part, f"{rtype} is not under 'Only with clients[].claims'"


def bootstrap_table() -> dict[str, str]:
    """``{IAM action: API operation}`` from the table in the bootstrap doc."""
    rows = re.findall(
        r"^\| `(s3:[A-Za-z]+)` \| ([A-Za-z]+) \|", BOOTSTRAP_DOC.read_text(), re.MULTILINE
    )
    return dict(rows)


def test_bootstrap_doc_maps_exactly_the_policy_actions_to_real_operations(session):
    table = bootstrap_table()
    doc = json.loads(BOOTSTRAP_POLICY.read_text(encoding="utf-8"))
    actions = {a for st in doc["Statement"] for a in as_list(st["Action"])}
    assert set(table) == actions
    model = session.get_service_model("s3")
    assert set(table.values()) <= set(model.operation_names), table
    for st in doc["Statement"]:
        assert as_list(st["Resource"]) == ["arn:aws:s3:::STATE_BUCKET"], st


def test_every_s3_call_of_the_bootstrap_is_allowed_by_its_policy(session):
    model = session.get_service_model("s3")
    method_of = {xform_name(op): op for op in model.operation_names}
    called = set(re.findall(r"\bs3\.([a-z_]+)\(", BUCKET_CODE.read_text()))
    operations = {method_of[m] for m in called}
    # HeadObject is state migrate's "is the key free?" check, allowed by the
    # pipeline policy's s3:GetObject on the state object (aws-iam.md).
    assert operations - {"HeadObject"} == set(bootstrap_table().values())


# --------------------------------------------------------------------------
# The authorizer file as CreateGateway / UpdateGateway input
# --------------------------------------------------------------------------


def gateway_params(operation: str, doc: dict) -> dict:
    params = {
        "name": "my-gateway-dev",
        "roleArn": ROLE_ARN,
        "protocolType": "MCP",
        "authorizerType": "CUSTOM_JWT",
        "authorizerConfiguration": doc,
    }
    if operation == "UpdateGateway":
        params["gatewayIdentifier"] = GATEWAY_ID
    return params


def written_doc(tmp_path: Path, provider: str, claims: list[dict]) -> dict:
    """Build the document, write it as authgen does, and read the file back."""
    outputs = COGNITO_OUTPUTS if provider == "cognito" else AUTH0_OUTPUTS
    doc = authorizer.build(provider, outputs, ALLOWED_SCOPES[provider], claims)
    path = tmp_path / f"{provider}.json"
    authorizer.write(path, doc)
    return json.loads(path.read_text(encoding="utf-8"))


CASES = [
    (provider, name, claims)
    for provider in ("cognito", "auth0")
    for name, claims in [
        ("no-claims", []),
        *[(op, [claim]) for op, claim in CLAIMS.items()],
        ("all-operators", list(CLAIMS.values())),
    ]
]


@pytest.mark.parametrize("operation", ["CreateGateway", "UpdateGateway"])
@pytest.mark.parametrize(
    ("provider", "case", "claims"), CASES, ids=[f"{p}-{c}" for p, c, _ in CASES]
)
def test_authorizer_file_passes_botocore_validation(
    agentcore, tmp_path, operation, provider, case, claims
):
    doc = written_doc(tmp_path, provider, claims)
    inner = doc["customJWTAuthorizer"]
    assert ("allowedClients" if provider == "cognito" else "allowedAudience") in inner
    assert inner["allowedScopes"] == ALLOWED_SCOPES[provider]
    assert [
        c["authorizingClaimMatchValue"]["claimMatchOperator"] for c in inner.get("customClaims", [])
    ] == [c["authorizingClaimMatchValue"]["claimMatchOperator"] for c in claims]

    input_shape = agentcore.operation_model(operation).input_shape
    params = gateway_params(operation, doc)
    report = ParamValidator().validate(params, input_shape)
    assert not report.has_errors(), report.generate_report()
    problems = shape_rule_problems(doc, input_shape.members["authorizerConfiguration"])
    assert not problems, "\n".join(problems)


def test_validator_would_catch_a_broken_document(agentcore):
    """The check above is not vacuous: botocore refuses a key the API lacks
    and a missing discoveryUrl."""
    shape = agentcore.operation_model("CreateGateway").input_shape
    bad = {"customJWTAuthorizer": {"allowedClients": ["x"], "clientSecret": "nope"}}
    report = ParamValidator().validate(gateway_params("CreateGateway", bad), shape)
    text = report.generate_report()
    assert "clientSecret" in text and "discoveryUrl" in text, text


# --------------------------------------------------------------------------
# docs/gateway.md
# --------------------------------------------------------------------------


def test_documented_cli_commands_use_real_flags(agentcore):
    commands = cli_commands(GATEWAY_DOC, AGENTCORE)
    by_cli_name = {xform_name(op, "-"): op for op in agentcore.operation_names}
    seen = {op for op, _ in commands}
    assert {"create-gateway", "update-gateway"} <= seen, f"commands documented: {sorted(seen)}"

    problems = []
    for cli_op, tokens in commands:
        if cli_op not in by_cli_name:
            problems.append(f"{cli_op}: no such operation in {AGENTCORE}")
            continue
        input_shape = agentcore.operation_model(by_cli_name[cli_op]).input_shape
        members = {xform_name(m, "-"): m for m in input_shape.members}
        flags = parse_flags(tokens)
        for flag, value in flags.items():
            if flag in CLI_GLOBAL_FLAGS:
                continue
            if flag not in members:
                problems.append(f"{cli_op} --{flag}: not a parameter (known: {sorted(members)})")
                continue
            shape = input_shape.members[members[flag]]
            if value is None:
                problems.append(f"{cli_op} --{flag}: no value")
            elif shape.type_name in ("structure", "list", "map"):
                if not value.startswith("file://"):
                    json.loads(value)  # inline JSON at least parses
            elif shape.type_name == "string":
                problems += [f"{cli_op} --{flag}{p}" for p in shape_rule_problems(value, shape)]
        if "cli-input-json" not in flags:
            required = {xform_name(m, "-") for m in input_shape.required_members}
            missing = required - set(flags)
            if missing:
                problems.append(f"{cli_op}: required flags missing: {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_documented_authorizer_flags_point_at_authorizer_files(agentcore):
    for cli_op, tokens in cli_commands(GATEWAY_DOC, AGENTCORE):
        flags = parse_flags(tokens)
        if "authorizer-configuration" in flags:
            assert flags.get("authorizer-type") == "CUSTOM_JWT", cli_op
            assert re.fullmatch(
                r"file://authorizers/[\w.-]+\.json", flags["authorizer-configuration"]
            )


def test_documented_boto3_calls_use_real_parameter_names(agentcore):
    by_method = {xform_name(op): op for op in agentcore.operation_names}
    blocks = code_blocks(GATEWAY_DOC, "python")
    assert blocks, "docs/gateway.md has no python example"
    called, problems = set(), []
    for block in blocks:
        for node in ast.walk(ast.parse(block)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in by_method:
                operation = by_method[func.attr]
                called.add(operation)
                members = set(agentcore.operation_model(operation).input_shape.members)
                required = set(agentcore.operation_model(operation).input_shape.required_members)
                names = {k.arg for k in node.keywords if k.arg is not None}
                problems += [f"{func.attr}({n}=...): not a parameter" for n in names - members]
                if all(k.arg is not None for k in node.keywords) and required - names:
                    problems.append(f"{func.attr}: required {sorted(required - names)} missing")
            # client.meta.service_model.operation_model("UpdateGateway")
            if isinstance(func, ast.Attribute) and func.attr == "operation_model":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and arg.value not in agentcore.operation_names:
                        problems.append(f"operation_model({arg.value!r}): no such operation")
        # params["..."] = ... feeds update_gateway(**params)
        update_members = set(agentcore.operation_model("UpdateGateway").input_shape.members)
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "params"
                        and isinstance(target.slice, ast.Constant)
                        and target.slice.value not in update_members
                    ):
                        problems.append(
                            f"params[{target.slice.value!r}]: not an UpdateGateway parameter"
                        )
    assert {"CreateGateway", "UpdateGateway"} <= called, sorted(called)
    assert not problems, "\n".join(problems)


def test_get_gateway_returns_what_update_gateway_requires(agentcore):
    """The documented update recipe copies GetGateway's answer into UpdateGateway:
    every required UpdateGateway member except the identifier comes back."""
    returned = set(agentcore.operation_model("GetGateway").output_shape.members)
    required = set(agentcore.operation_model("UpdateGateway").input_shape.required_members)
    assert required - returned == {"gatewayIdentifier"}


# --------------------------------------------------------------------------
# docs/auth0-management.md
# --------------------------------------------------------------------------


def documented_auth0_scopes() -> list[str]:
    text = AUTH0_DOC.read_text(encoding="utf-8")
    assert SCOPES_BEGIN in text and SCOPES_END in text, "scope markers missing"
    block = text.split(SCOPES_BEGIN, 1)[1].split(SCOPES_END, 1)[0]
    return [
        line.strip()
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("```")
    ]


def auth0_resource_types() -> set[str]:
    with AUTH0_MAIN.open(encoding="utf-8") as f:
        module = hcl2.load(f)
    return {rtype.strip('"') for block in module.get("resource", []) for rtype in block}


def test_auth0_scopes_are_well_formed():
    scopes = documented_auth0_scopes()
    assert scopes
    bad = [s for s in scopes if not SCOPE_RE.fullmatch(s)]
    assert not bad, f"not <action>:<resource>: {bad}"
    assert len(set(scopes)) == len(scopes), "a scope is listed twice"


def test_auth0_scopes_are_exactly_what_the_module_needs():
    types = auth0_resource_types()
    assert types, "no resources parsed from modules/auth0/main.tf"
    unknown = types - set(AUTH0_SCOPES_FOR_RESOURCE)
    assert not unknown, (
        f"modules/auth0 uses {sorted(unknown)}: add the Management API scopes they need to "
        "docs/auth0-management.md and to AUTH0_SCOPES_FOR_RESOURCE here"
    )
    needed = set().union(*(AUTH0_SCOPES_FOR_RESOURCE[t] for t in types))
    listed = set(documented_auth0_scopes())
    assert "read:client_keys" in listed, "without it the provider returns empty client secrets"
    assert listed == needed, (
        f"missing: {sorted(needed - listed)}; not needed: {sorted(listed - needed)}"
    )
    text = AUTH0_DOC.read_text(encoding="utf-8")
    for rtype in types:
        assert f"`{rtype}`" in text, f"{rtype} is not explained in docs/auth0-management.md"


def test_auth0_example_grant_requests_the_listed_scopes():
    quoted = set()
    for block in code_blocks(AUTH0_DOC, "bash", "sh", "shell"):
        quoted |= {m.group(0).strip('"') for m in re.finditer(r'"' + SCOPE_RE.pattern + '"', block)}
    assert quoted == set(documented_auth0_scopes())


def test_auth0_doc_names_the_credential_variables():
    text = AUTH0_DOC.read_text(encoding="utf-8")
    for name in ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_API_TOKEN"):
        assert f"`{name}`" in text, name
