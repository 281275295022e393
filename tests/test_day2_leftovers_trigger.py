"""The claims trigger's objects left by a killed run: ``authgen leftovers``
finds the IAM role, the Lambda function and the log group of an
environment's pre token generation trigger that exist but are not in its
state, ``--delete`` deletes them, and the next apply succeeds.

End to end (real CLI, real terraform and hashicorp/aws, moto through
tests/support/moto_plus.py, boto3 against the same endpoint). moto keeps
IAM, Lambda and CloudWatch Logs objects and refuses DeleteRole while the
role has policies, as IAM does; it cannot invoke functions, which nothing
here needs.

* applied, then the role (with its policy) and the function (with its
  invoke permission) taken out of the state with ``terraform state rm``, as
  a run killed before it recorded them leaves them: both are listed with
  their reason, the log group (still in the state) is not, nor objects of
  similar names; ``--delete`` deletes the function, the role (its inline and
  a managed policy first), and the next apply creates them again;
* a first run killed after it made the role, the log group and the function:
  the apply fails on the taken names; leftovers lists the three, ``--delete``
  deletes them in that order, and the apply succeeds;
* a role and a function with the trigger's name that are not this
  environment's (tagged for another one, or not tagged by authgen) are listed
  as blocked and never deleted; without claims the trigger is not looked for.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest

from tests.support.cli import Checkout, cli_env, local_spec, make_project

# the tests of each story are its steps (listed, deleted, applied again): file order
pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow, pytest.mark.scenario]

GATEWAY = "my-gateway"
REGION = "us-west-2"
# 63 characters (Cognito's maximum): the module cuts it to 56 for the name.
LONG_PREFIX = "leftover-trigger-with-a-domain-prefix-long-enough-to-be-cut-063"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
LOGS_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
    }
)


def tags_for(env: str, gateway: str = GATEWAY) -> dict[str, str]:
    """The tags the rendered provider block's default_tags put on everything."""
    return {"ManagedBy": "authgen", "AuthgenEnvironment": env, "AuthgenGateway": gateway}


def spec_with_prefix(name: str, prefix: str) -> str:
    """environments/local.yaml (a client with claims) as ``name`` with ``prefix``."""
    pool = f"  user_pool_name: gateway-user-pool-{name}\n"
    return local_spec(name, **{pool: f"{pool}  domain_prefix: {prefix}\n"})


def trigger_of(prefix: str) -> str:
    return f"{prefix[:56]}-claims"


class Aws:
    """boto3 clients of IAM, Lambda and CloudWatch Logs at the emulator."""

    def __init__(self, url: str) -> None:
        import boto3

        options = {"region_name": REGION, "endpoint_url": url}
        self.iam = boto3.client("iam", **options)
        self.functions = boto3.client("lambda", **options)
        self.logs = boto3.client("logs", **options)

    def role(self, name: str, tags: dict[str, str] | None = None) -> str:
        listed = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
        made = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=listed)
        self.iam.put_role_policy(
            RoleName=name, PolicyName="pre-token-generation", PolicyDocument=LOGS_POLICY
        )
        return made["Role"]["Arn"]

    def function(self, name: str, role_arn: str, tags: dict[str, str] | None = None) -> str:
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("handler.py", "def handler(event, context):\n    return event\n")
        made = self.functions.create_function(
            FunctionName=name,
            Role=role_arn,
            Runtime="python3.13",
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            Tags=tags or {},
        )
        return made["FunctionArn"]

    def log_group(self, name: str, tags: dict[str, str] | None = None) -> None:
        self.logs.create_log_group(logGroupName=name, tags=tags or {})

    def roles(self) -> set[str]:
        pages = self.iam.get_paginator("list_roles").paginate()
        return {r["RoleName"] for page in pages for r in page["Roles"]}

    def function_names(self) -> set[str]:
        pages = self.functions.get_paginator("list_functions").paginate()
        return {f["FunctionName"] for page in pages for f in page["Functions"]}

    def log_groups(self) -> set[str]:
        pages = self.logs.get_paginator("describe_log_groups").paginate()
        return {g["logGroupName"] for page in pages for g in page["logGroups"]}


@pytest.fixture(scope="module")
def emulator(moto_plus):
    return moto_plus()


@pytest.fixture(scope="module")
def aws(emulator) -> Aws:
    return Aws(emulator.url)


def checkout_of(tmp_path_factory, tf_cli_config, emulator, name: str, text: str) -> Checkout:
    root = make_project(tmp_path_factory.mktemp(name) / "project", {name: text})
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    return Checkout(root, env, name)


def leftover_lines(result) -> list[str]:
    return sorted(line for line in result.stdout.splitlines() if line.startswith("leftover: "))


def state_rm(checkout: Checkout, *addresses: str) -> None:
    """``terraform state rm`` in the environment's root: what terraform
    would never have recorded had the run been killed."""
    done = subprocess.run(
        ["terraform", f"-chdir={checkout.build}", "state", "rm", *addresses],
        env=checkout.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def state_resources(checkout: Checkout) -> dict[str, dict]:
    """``{address: attributes}`` of the environment's state."""
    done = subprocess.run(
        ["terraform", f"-chdir={checkout.build}", "state", "pull"],
        env=checkout.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = {}
    for resource in json.loads(done.stdout)["resources"]:
        if resource["mode"] != "managed":
            continue
        for instance in resource["instances"]:
            address = f"{resource['module']}.{resource['type']}.{resource['name']}"
            found[address] = instance["attributes"]
    return found


# --------------------------------------------------------------------------
# applied, then taken out of the state

CUT = "trig-cut"


@pytest.fixture(scope="module")
def cut(tmp_path_factory, tf_cli_config, emulator, aws) -> dict:
    """Apply with claims, take the role, its policy, the function and its
    permission out of the state; make objects of similar names next to them."""
    checkout = checkout_of(
        tmp_path_factory, tf_cli_config, emulator, CUT, spec_with_prefix(CUT, LONG_PREFIX)
    )
    applied = checkout.apply("--auto-approve")
    assert applied.code == 0, applied
    name = trigger_of(LONG_PREFIX)
    state = state_resources(checkout)
    # the name authgen derives is the one terraform gave them
    assert state["module.auth.aws_lambda_function.this"]["function_name"] == name
    assert state["module.auth.aws_iam_role.this"]["name"] == name
    assert state["module.auth.aws_cloudwatch_log_group.this"]["name"] == f"/aws/lambda/{name}"
    arns = {
        "function": state["module.auth.aws_lambda_function.this"]["arn"],
        "role": state["module.auth.aws_iam_role.this"]["arn"],
    }
    state_rm(
        checkout,
        "module.auth.aws_lambda_permission.this[0]",
        "module.auth.aws_lambda_function.this[0]",
        "module.auth.aws_iam_role_policy.this[0]",
        "module.auth.aws_iam_role.this[0]",
    )
    # a managed policy attached by hand: deleting the role must detach it
    managed = aws.iam.create_policy(PolicyName=f"{CUT}-extra", PolicyDocument=LOGS_POLICY)
    aws.iam.attach_role_policy(RoleName=name, PolicyArn=managed["Policy"]["Arn"])
    # similar names, tagged for this environment: not the trigger's
    # (64 characters: the longest name IAM and Lambda take)
    similar_role = aws.role(f"{name}2", tags_for(CUT))
    aws.function(f"{name}2", similar_role, tags_for(CUT))
    aws.log_group(f"/aws/lambda/{name}-old", tags_for(CUT))
    return {"checkout": checkout, "name": name, "policy": managed["Policy"]["Arn"], **arns}


def test_the_trigger_objects_out_of_the_state_are_listed_with_their_reason(cut):
    checkout, name = cut["checkout"], cut["name"]
    result = checkout("leftovers", CUT, "--detailed-exitcode")
    assert result.code == 2, result
    at = checkout.env["AUTHGEN_ENDPOINT_URL"]
    reason = (
        f"named for the environment's claims trigger, tagged for environment '{CUT}' of "
        f"gateway '{GATEWAY}', but not in its state (the next apply fails on the taken name)"
    )
    account = cut["role"].split(":")[4]
    assert leftover_lines(result) == sorted(
        [
            f"leftover: Lambda function '{name}' ({cut['function']}) in {REGION} at {at}: "
            + reason,
            f"leftover: IAM role '{name}' ({cut['role']}) in account {account} at {at}: " + reason,
        ]
    )
    as_json = checkout("leftovers", CUT, "--json").json()
    assert as_json["leftovers"] == [
        {
            "kind": "Lambda function",
            "id": cut["function"],
            "name": name,
            "where": f"{REGION} at {at}",
            "reason": reason,
            "blocked": None,
        },
        {
            "kind": "IAM role",
            "id": cut["role"],
            "name": name,
            "where": f"account {account} at {at}",
            "reason": reason,
            "blocked": None,
        },
    ]


def test_delete_removes_the_function_and_the_role_with_its_policies(cut, aws):
    checkout, name = cut["checkout"], cut["name"]
    deleted = checkout("leftovers", CUT, "--delete", "--yes")
    assert deleted.code == 0, deleted
    lines = deleted.stdout.splitlines()
    assert lines.index(f"deleted Lambda function {cut['function']}") < lines.index(
        f"deleted IAM role {cut['role']}"
    )
    assert f"no leftovers: every object of {CUT} found is in its state" in deleted.stdout
    assert name not in aws.function_names()
    assert name not in aws.roles()
    # the managed policy was detached, not deleted
    assert aws.iam.get_policy(PolicyArn=cut["policy"])["Policy"]["AttachmentCount"] == 0
    # the log group in the state and every object of a similar name stay
    assert {f"/aws/lambda/{name}", f"/aws/lambda/{name}-old"} <= aws.log_groups()
    assert f"{name}2" in aws.roles()
    assert f"{name}2" in aws.function_names()


def test_the_next_apply_makes_the_trigger_again(cut, aws):
    checkout, name = cut["checkout"], cut["name"]
    applied = checkout.apply("--auto-approve")
    assert applied.code == 0, applied
    assert name in aws.function_names() and name in aws.roles()
    state = state_resources(checkout)
    assert state["module.auth.aws_lambda_function.this"]["function_name"] == name
    assert "module.auth.aws_lambda_permission.this" in state
    again = checkout("leftovers", CUT, "--json", "--detailed-exitcode")
    assert again.code == 0, again
    assert again.json()["leftovers"] == []


def test_a_log_group_out_of_the_state_is_listed_and_deleted(cut, aws):
    checkout, name = cut["checkout"], cut["name"]
    state_rm(checkout, "module.auth.aws_cloudwatch_log_group.this[0]")
    found = checkout("leftovers", CUT, "--json").json()["leftovers"]
    assert [(item["kind"], item["name"]) for item in found] == [
        ("log group", f"/aws/lambda/{name}")
    ]
    assert found[0]["id"].endswith(f":log-group:/aws/lambda/{name}")
    deleted = checkout("leftovers", CUT, "--delete", "--yes")
    assert deleted.code == 0, deleted
    assert f"deleted log group {found[0]['id']}" in deleted.stdout
    assert f"/aws/lambda/{name}" not in aws.log_groups()
    assert f"/aws/lambda/{name}-old" in aws.log_groups()
    applied = checkout.apply("--auto-approve")
    assert applied.code == 0, applied
    assert f"/aws/lambda/{name}" in aws.log_groups()


# --------------------------------------------------------------------------
# a first run killed after it made the trigger's objects

FIRST = "trig-first"


@pytest.fixture(scope="module")
def first(tmp_path_factory, tf_cli_config, emulator, aws) -> dict:
    """What a first apply killed before it wrote any state leaves: the role
    (with its policy), the log group and the function, tagged as the
    provider tags them."""
    checkout = checkout_of(
        tmp_path_factory, tf_cli_config, emulator, FIRST, spec_with_prefix(FIRST, FIRST)
    )
    name = trigger_of(FIRST)
    role = aws.role(name, tags_for(FIRST))
    aws.log_group(f"/aws/lambda/{name}", tags_for(FIRST))
    function = aws.function(name, role, tags_for(FIRST))
    return {"checkout": checkout, "name": name, "role": role, "function": function}


def test_the_apply_next_to_them_fails_on_the_taken_names(first):
    applied = first["checkout"].apply("--auto-approve")
    assert applied.code == 1, applied
    assert "Traceback" not in applied.stderr
    assert "EntityAlreadyExists" in applied.stderr or "already exists" in applied.stderr
    # the one line says where to look
    assert applied.stderr.rstrip().endswith(
        f"; if a killed or failed earlier run made that object, 'authgen leftovers {FIRST}' "
        f"lists it and 'authgen leftovers {FIRST} --delete' removes it (or import it into "
        "the state)"
    ), applied.stderr


def test_leftovers_deletes_them_in_order_and_the_apply_succeeds(first, aws):
    checkout, name = first["checkout"], first["name"]
    listed = checkout("leftovers", FIRST, "--json").json()["leftovers"]
    assert [(item["kind"], item["name"], item["blocked"]) for item in listed] == [
        ("Lambda function", name, None),
        ("IAM role", name, None),
        ("log group", f"/aws/lambda/{name}", None),
    ]
    deleted = checkout("leftovers", FIRST, "--delete", "--yes", "--json")
    assert deleted.code == 0, deleted
    doc = deleted.json()
    assert [item["kind"] for item in doc["deleted"]] == ["Lambda function", "IAM role", "log group"]
    assert doc["leftovers"] == []
    assert name not in aws.function_names()
    assert name not in aws.roles()
    assert f"/aws/lambda/{name}" not in aws.log_groups()

    applied = checkout.apply("--auto-approve")
    assert applied.code == 0, applied
    assert name in aws.function_names() and name in aws.roles()
    assert f"/aws/lambda/{name}" in aws.log_groups()
    final = checkout("leftovers", FIRST, "--json", "--detailed-exitcode")
    assert final.code == 0 and final.json()["leftovers"] == [], final


# --------------------------------------------------------------------------
# the trigger's name taken by objects that are not this environment's

TAKEN = "trig-taken"


@pytest.fixture(scope="module")
def taken(tmp_path_factory, tf_cli_config, emulator, aws) -> dict:
    checkout = checkout_of(
        tmp_path_factory, tf_cli_config, emulator, TAKEN, spec_with_prefix(TAKEN, TAKEN)
    )
    name = trigger_of(TAKEN)
    role = aws.role(name, tags_for("someone-else"))
    function = aws.function(name, role)  # no tags at all
    return {"checkout": checkout, "name": name, "role": role, "function": function}


def test_objects_of_the_name_not_tagged_for_the_environment_are_blocked(taken, aws):
    checkout, name = taken["checkout"], taken["name"]
    listed = checkout("leftovers", TAKEN, "--json").json()["leftovers"]
    blocked = (
        "it may not be this environment's, so authgen leaves it; the next apply fails on the "
        "taken name: delete it yourself if nothing uses it, or give this environment another "
        "cognito.domain_prefix"
    )
    assert listed == [
        {
            "kind": "Lambda function",
            "id": taken["function"],
            "name": name,
            "where": f"{REGION} at {checkout.env['AUTHGEN_ENDPOINT_URL']}",
            "reason": "named for the environment's claims trigger, but without authgen's tags, "
            "and not in the state",
            "blocked": blocked,
        },
        {
            "kind": "IAM role",
            "id": taken["role"],
            "name": name,
            "where": f"account {taken['role'].split(':')[4]} at "
            f"{checkout.env['AUTHGEN_ENDPOINT_URL']}",
            "reason": "named for the environment's claims trigger, but tagged for environment "
            f"'someone-else' of gateway '{GATEWAY}', and not in the state",
            "blocked": blocked,
        },
    ]
    kept = checkout("leftovers", TAKEN, "--delete", "--yes", "--detailed-exitcode")
    assert kept.code == 2, kept
    assert "deleted " not in kept.stdout
    assert "still left over: 2" in kept.stdout
    assert name in aws.roles() and name in aws.function_names()


def test_without_claims_the_trigger_is_not_looked_for(taken, aws):
    checkout = taken["checkout"]
    text = checkout.spec.read_text()
    for block in (
        "      claims:\n        department: engineering\n        groups: [admins, ops]\n",
        "  custom_claims:\n    - {claim: department, value: engineering}\n"
        "    - {claim: groups, type: STRING_ARRAY, operator: CONTAINS, value: admins}\n",
    ):
        assert block in text
        text = text.replace(block, "", 1)
    checkout.spec.write_text(text)
    result = checkout("leftovers", TAKEN, "--json", "--detailed-exitcode")
    assert result.code == 0, result
    assert result.json()["leftovers"] == []
    assert taken["name"] in aws.roles()
