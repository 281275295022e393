"""scripts/record_aws_calls.py's log parser, on entries shaped like the
TF_LOG=DEBUG lines terraform 1.11.4 and hashicorp/aws 5.100.0 write (field
order varies, bodies span lines, values may be quoted).

The recording itself (terraform, the provider and the emulator, about three
minutes) is not run by the suite: its result, docs/aws-iam-calls.json, is
held against the policy and the module by tests/test_docs_facts.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "record_aws_calls.py"


@pytest.fixture(scope="module")
def rec():
    spec = importlib.util.spec_from_file_location("record_aws_calls_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


PROVIDER = "2026-12-02T09:38:36.069Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5:"
CORE = "2026-12-02T09:38:37.001Z [DEBUG]"

LOG = f"""\
{PROVIDER} HTTP Request Sent: rpc.method=GetCallerIdentity tf_rpc=ConfigureProvider \
rpc.service=STS net.peer.name=127.0.0.1 http.url=http://127.0.0.1:5000/
{PROVIDER} HTTP Request Sent: http.request.body="{{\\"FunctionName\\": \\"x-claims\\",
  \\"Role\\": \\"arn:aws:iam::123456789012:role/x-claims\\"}}
" tf_resource_type=aws_lambda_function rpc.service=Lambda net.peer.name=127.0.0.1 \
rpc.method=CreateFunction http.url=http://127.0.0.1:5000/2015-03-31/functions
{PROVIDER} HTTP Response Received: rpc.service=Lambda rpc.method=CreateFunction \
tf_resource_type=aws_lambda_function
{PROVIDER} HTTP Request Sent: rpc.service="CloudWatch Logs" rpc.method=DescribeLogGroups \
tf_resource_type=aws_cloudwatch_log_group net.peer.name=logs.us-west-2.amazonaws.com
{CORE} HTTP Request Sent: rpc.service=S3 rpc.method=PutObject net.peer.name=127.0.0.1 \
http.url="http://127.0.0.1:5000/b/authgen/g/e/terraform.tfstate.tflock?x-id=PutObject"
{CORE} HTTP Request Sent: rpc.service=S3 rpc.method=ListObjectsV2 net.peer.name=127.0.0.1 \
http.url="http://127.0.0.1:5000/b?list-type=2&prefix=authgen%2Fg%2Fe%2Fterraform.tfstate"
{CORE} HTTP Request Sent: rpc.service=STS rpc.method=GetCallerIdentity net.peer.name=127.0.0.1
{PROVIDER} setting endpoint: rpc.service=STS rpc.method=GetCallerIdentity
"""


def test_parses_provider_and_back_end_requests(rec):
    requests = rec.parse_log(LOG)
    assert [(r.service, r.operation, r.by, r.host) for r in requests] == [
        ("sts", "GetCallerIdentity", rec.PROVIDER_START, "127.0.0.1"),
        ("lambda", "CreateFunction", "aws_lambda_function", "127.0.0.1"),
        ("logs", "DescribeLogGroups", "aws_cloudwatch_log_group", "logs.us-west-2.amazonaws.com"),
        ("s3", "PutObject", "s3 back end: lock object", "127.0.0.1"),
        ("s3", "ListObjectsV2", "s3 back end: bucket", "127.0.0.1"),
        ("sts", "GetCallerIdentity", "s3 back end", "127.0.0.1"),
    ]


def test_groups_calls_by_who_made_them(rec):
    calls = rec.calls_of(rec.parse_log(LOG))
    assert calls["sts:GetCallerIdentity"] == [rec.PROVIDER_START, "s3 back end"]
    assert list(calls) == sorted(calls)


def test_an_unknown_service_stops_the_recording(rec):
    line = f"{PROVIDER} HTTP Request Sent: rpc.service=Kinesis rpc.method=PutRecord\n"
    with pytest.raises(rec.RecordingError, match="unknown AWS service 'Kinesis'"):
        rec.parse_log(line)


def test_module_shape_reads_arguments_and_dynamic_blocks(rec, tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_x" "this" {\n'
        "  count = 1\n"
        '  name  = "a"\n'
        '  dynamic "inner" {\n'
        "    for_each = []\n"
        "    content {}\n"
        "  }\n"
        "}\n"
        'resource "aws_x" "other" {\n'
        "  tags = {}\n"
        "}\n",
        encoding="utf-8",
    )
    assert rec.module_shape(tmp_path) == {"aws_x": ["count", "inner", "name", "tags"]}


def test_check_ignores_the_pool_id_and_moto_version_and_names_what_differs(rec):
    def doc(pool_id: str, moto: str, calls: dict) -> dict:
        return {
            "moto": moto,
            "arns": {"aws_cognito_user_pool": f"arn:aws:cognito-idp:r:1:userpool/{pool_id}"},
            "steps": [{"step": "create", "does": "apply", "calls": calls}],
        }

    calls = {"lambda:CreateFunction": ["aws_lambda_function"]}
    assert rec._differences(doc("r_a", "5.2.5", calls), doc("r_b", "5.2.6", calls)) == []
    more = {**calls, "lambda:PutFunctionConcurrency": ["aws_lambda_function"]}
    assert rec._differences(doc("r_a", "5.2.5", calls), doc("r_a", "5.2.5", more)) == [
        "steps.create"
    ]
