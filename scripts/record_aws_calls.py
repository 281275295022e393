#!/usr/bin/env python3
"""Record every AWS API call hashicorp/aws makes for modules/cognito (docs/aws-iam.md).

Runs the real provider (the filesystem mirror ``generator.plugins.find_mirror``
finds, e.g. /opt/tf-plugins) with ``TF_LOG=DEBUG`` against a local authgen
emulator (moto: Cognito, IAM, Lambda, CloudWatch Logs, STS, S3) through a
root shaped like the one authgen renders for a Cognito environment (the
module, ``data "aws_caller_identity"``, ``default_tags``, the S3 back end
with ``use_lockfile``), but with the provider configured as for AWS: no
``skip_*`` settings, so the start-up calls are made too. The root uses
``clients[].claims`` (so the pre token generation trigger exists) and a
63-character domain prefix (so the trigger's name is truncated).

Steps, each logged on its own: init; create; refresh (``plan
-refresh-only``); in-place updates (claims, client scopes and token
validity, resource-server scopes, deletion protection; tags added and
removed; new function code; a new user-pool name); import of every resource
(``state rm``, then ``import`` blocks); destroy. From each log it collects
the ``rpc.service`` / ``rpc.method`` of every "HTTP Request Sent" entry,
with the resource type (or provider start-up, or the S3 back end and the
object it touched) that made it, and checks that every request went to the
emulator.

    .venv/bin/python scripts/record_aws_calls.py            # rewrite docs/aws-iam-calls.json
    .venv/bin/python scripts/record_aws_calls.py --check    # exit 1 when it differs
    .venv/bin/python scripts/record_aws_calls.py --keep     # keep the logs (emulator secrets)

Three to four minutes on two cores. tests/test_docs_facts.py holds
docs/aws-iam-policy.json against the recording (docs/aws-iam-calls.json)
and the recording against the module; re-run this script when the module
gets a new resource type or argument, or the provider version changes.
Exit codes: 0 recorded (or current), 1 a step failed or ``--check`` found a
difference, 2 no terraform / provider mirror / moto.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run by path: find generator

from generator.errors import AuthgenError  # noqa: E402

MODULE = REPO / "modules" / "cognito"
DEFAULT_OUT = REPO / "docs" / "aws-iam-calls.json"
PROVIDER_VERSION = "5.100.0"
REGION = "us-west-2"
BUCKET = "authgen-recording-state"
STATE_KEY = "authgen/iam/recording/terraform.tfstate"
TRIGGER_ZIP = Path("trigger") / "pre-token-generation.zip"

#: rpc.service as aws-sdk-go-v2 logs it -> IAM service prefix (= botocore name).
SERVICES = {
    "Cognito Identity Provider": "cognito-idp",
    "CloudWatch Logs": "logs",
    "IAM": "iam",
    "Lambda": "lambda",
    "S3": "s3",
    "STS": "sts",
}

#: Who made a call that no resource made.
PROVIDER_START = "provider start-up"
BACKEND = "s3 back end"

# One log entry starts with its timestamp; the rest of it may span lines
# (request and response bodies).
ENTRY_START = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[Z+-][\d:]*\s+\[", re.M)


@dataclass(frozen=True)
class Request:
    """One AWS request of a TF_LOG=DEBUG log."""

    service: str  # IAM prefix, e.g. "lambda"
    operation: str  # API operation, e.g. "CreateFunction"
    by: str  # resource/data source type, PROVIDER_START, or "s3 back end: <object>"
    host: str  # where it went


class RecordingError(Exception):
    """A step failed, or the log holds something this script cannot place."""


def _field(entry: str, key: str) -> str | None:
    match = re.search(r"(?:^|\s)" + re.escape(key) + r'=("(?:[^"\\]|\\.)*"|\S+)', entry)
    return match.group(1).strip('"') if match else None


def _entries(text: str) -> Iterator[str]:
    starts = [m.start() for m in ENTRY_START.finditer(text)] + [len(text)]
    for begin, end in itertools.pairwise(starts):
        yield text[begin:end]


def _s3_object(url: str) -> str:
    path = re.sub(r"^https?://[^/]+", "", url).split("?", 1)[0]
    if path.endswith(".tflock"):
        return "lock object"
    if path.endswith(".tfstate"):
        return "state object"
    return "bucket"


def parse_log(text: str) -> list[Request]:
    """Every AWS request of a terraform TF_LOG=DEBUG log (provider and back end)."""
    found = []
    for entry in _entries(text):
        head = entry.split("\n", 1)[0]
        if "HTTP Request Sent" not in head:
            continue
        raw_service, operation = _field(entry, "rpc.service"), _field(entry, "rpc.method")
        if raw_service is None or operation is None:
            raise RecordingError(f"an AWS request without rpc.service/rpc.method: {head[:120]}")
        if raw_service not in SERVICES:
            raise RecordingError(f"unknown AWS service {raw_service!r}: add it to SERVICES")
        service = SERVICES[raw_service]
        url = _field(entry, "http.url") or ""
        host = _field(entry, "net.peer.name") or re.sub(r"^https?://([^/:]+).*", r"\1", url)
        if "provider." not in head:  # terraform itself: the S3 back end
            by = f"{BACKEND}: {_s3_object(url)}" if service == "s3" else BACKEND
        else:
            by = (
                _field(entry, "tf_resource_type")
                or _field(entry, "tf_data_source_type")
                or PROVIDER_START
            )
        found.append(Request(service, operation, by, host))
    return found


def calls_of(requests: Iterable[Request]) -> dict[str, list[str]]:
    """``{"service:Operation": [who made it, ...]}``, sorted."""
    calls: dict[str, set[str]] = {}
    for r in requests:
        calls.setdefault(f"{r.service}:{r.operation}", set()).add(r.by)
    return {k: sorted(v) for k, v in sorted(calls.items())}


def module_shape(module: Path = MODULE) -> dict[str, list[str]]:
    """``{resource type: [its arguments and blocks]}`` over ``module/*.tf``
    (``dynamic "x"`` counts as ``x``): what the recording was made for."""
    shape: dict[str, set[str]] = {}
    for tf in sorted(module.glob("*.tf")):
        with tf.open(encoding="utf-8") as f:
            parsed = hcl2.load(f)
        for block in parsed.get("resource", []):
            for rtype, named in block.items():
                for body in named.values():
                    keys = shape.setdefault(rtype.strip('"'), set())
                    for key, value in body.items():
                        if key == "dynamic":
                            keys.update(n.strip('"') for d in value for n in d)
                        elif not key.startswith("__"):
                            keys.add(key)
    return {k: sorted(v) for k, v in sorted(shape.items())}


# --------------------------------------------------------------------------
# The recording
# --------------------------------------------------------------------------

ROOT_TF = """\
# Shaped like authgen's rendered Cognito root; the provider is configured as
# for AWS (credentials from the environment), only the endpoints differ.
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{version}"
    }}
  }}

  backend "s3" {{
    bucket         = "{bucket}"
    key            = "{key}"
    region         = "{region}"
    encrypt        = true
    use_lockfile   = true
    use_path_style = true
    endpoints = {{
      s3  = "{endpoint}"
      sts = "{endpoint}"
    }}
  }}
}}

provider "aws" {{
  region = "{region}"

  default_tags {{
    tags = var.default_tags
  }}

  endpoints {{
    cognitoidp = "{endpoint}"
    iam        = "{endpoint}"
    lambda     = "{endpoint}"
    logs       = "{endpoint}"
    sts        = "{endpoint}"
  }}
}}

variable "default_tags" {{ type = map(string) }}
variable "user_pool_name" {{ type = string }}
variable "domain_prefix" {{ type = string }}
variable "deletion_protection" {{ type = bool }}
variable "resource_server" {{ type = any }}
variable "clients" {{ type = any }}

module "auth" {{
  source = "./modules/cognito"

  user_pool_name      = var.user_pool_name
  domain_prefix       = var.domain_prefix
  feature_tier        = "ESSENTIALS"
  deletion_protection = var.deletion_protection
  resource_server     = var.resource_server
  clients             = var.clients
  discovery_base_url  = "{endpoint}"
}}

data "aws_caller_identity" "current" {{}}
"""

DOMAIN_PREFIX = ("authgen-iam-recording-" + "abcdefghijklmnopqrstuvwxyz" * 2)[:63]

BASE = {
    "default_tags": {"AuthgenEnvironment": "recording", "AuthgenGateway": "iam", "team": "a"},
    "user_pool_name": "iam-recording",
    "domain_prefix": DOMAIN_PREFIX,
    "deletion_protection": False,
    "resource_server": {
        "identifier": "gateway-resource-server",
        "name": "GatewayResourceServer",
        "scopes": [
            {"name": "read", "description": "Read access"},
            {"name": "write", "description": "Write access"},
        ],
    },
    "clients": [
        {
            "name": "gateway-client",
            "scopes": ["read", "write"],
            "access_token_validity_minutes": 60,
            "claims": {"department": "engineering"},
            "list_claims": {"groups": ["admins", "ops"]},
        },
        {"name": "reader", "scopes": ["read"], "access_token_validity_minutes": 60},
    ],
}


def _changed(**changes: object) -> dict:
    values = json.loads(json.dumps(BASE))
    values.update(changes)
    return values


RETAGGED = _changed(
    default_tags={"AuthgenEnvironment": "recording", "AuthgenGateway": "iam", "owner": "b"},
)
UPDATED = {
    **RETAGGED,
    "deletion_protection": True,
    "resource_server": {
        **BASE["resource_server"],
        "scopes": [*BASE["resource_server"]["scopes"], {"name": "admin", "description": "Admin"}],
    },
    "clients": [
        {**BASE["clients"][0], "claims": {"department": "sales"}, "list_claims": {}},
        {"name": "reader", "scopes": ["read", "write"], "access_token_validity_minutes": 15},
    ],
}
UNPROTECTED = {**UPDATED, "deletion_protection": False}
RENAMED = {**UNPROTECTED, "user_pool_name": "iam-recording-renamed"}

#: (step, what it does, tfvars, terraform commands); "IMPORT" is expanded.
STEPS: list[tuple[str, str, dict | None, list[list[str]]]] = [
    ("init", "terraform init: the S3 back end", None, [["init", "-input=false"]]),
    ("create", "apply: every resource created", BASE, [["apply", "-auto-approve"]]),
    ("refresh", "plan -refresh-only: every resource read", BASE, [["plan", "-refresh-only"]]),
    ("tags", "apply: a default tag added and one removed", RETAGGED, [["apply", "-auto-approve"]]),
    (
        "update",
        "apply: claims (function environment), client scopes and token validity, "
        "a new resource-server scope, deletion protection on",
        UPDATED,
        [["apply", "-auto-approve"]],
    ),
    (
        "code",
        "apply: new function code (another zip); deletion protection off",
        UNPROTECTED,
        [["apply", "-auto-approve"]],
    ),
    (
        "rename",
        "apply: a new user_pool_name (the pool and its clients, resource server and domain "
        "replaced; role and function descriptions, role policy and invoke permission follow)",
        RENAMED,
        [["apply", "-auto-approve"]],
    ),
    ("import", "state rm, then import blocks for every resource: apply", RENAMED, [["IMPORT"]]),
    ("destroy", "destroy: every resource deleted", RENAMED, [["destroy", "-auto-approve"]]),
]


def _import_id(resource: dict) -> str:
    """The ``terraform import`` id of a resource in ``show -json``."""
    values = resource["values"]
    rtype = resource["type"]
    if rtype == "aws_cognito_user_pool_client":
        return f"{values['user_pool_id']}/{values['id']}"
    if rtype == "aws_lambda_permission":
        return f"{values['function_name']}/{values['statement_id']}"
    return str(values["id"])


def _module_resources(state: dict) -> list[dict]:
    out = []
    for child in state.get("values", {}).get("root_module", {}).get("child_modules", []):
        out += [r for r in child.get("resources", []) if r.get("mode") == "managed"]
    return out


class Recorder:
    """One root in a temp directory, terraform run against ``endpoint``."""

    def __init__(self, work: Path, endpoint: str, terraform: str, cli_config: Path) -> None:
        self.work = work
        self.root = work / "root"
        self.logs = work / "logs"
        self.endpoint = endpoint
        self.terraform = terraform
        credentials = work / "no-aws-config"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "TF_")) and k != "CHECKPOINT_DISABLE"
        }
        self.env.update(
            {
                # The emulator takes any key; nothing of the user's AWS set-up is read.
                "AWS_ACCESS_KEY_ID": "authgen-recording",
                "AWS_SECRET_ACCESS_KEY": "authgen-recording",
                "AWS_CONFIG_FILE": str(credentials),
                "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_EC2_METADATA_DISABLED": "true",
                "TF_CLI_CONFIG_FILE": str(cli_config),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
            }
        )

    def prepare(self) -> None:
        shutil.copytree(MODULE, self.root / "modules" / "cognito", ignore=_ignore_build)
        self.logs.mkdir()
        (self.root / "main.tf").write_text(
            ROOT_TF.format(
                version=PROVIDER_VERSION,
                bucket=BUCKET,
                key=STATE_KEY,
                region=REGION,
                endpoint=self.endpoint,
            ),
            encoding="utf-8",
        )

    def run(self, step: str, args: list[str], log: Path | None) -> str:
        env = dict(self.env)
        if log is not None:
            env.update(TF_LOG="DEBUG", TF_LOG_PATH=str(log))
        proc = subprocess.run(
            [self.terraform, *args, "-no-color"],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=900,
            check=False,
        )
        if log is not None:  # terraform's own report (sensitive values hidden), for --keep
            log.with_suffix(".out").write_text(proc.stdout, encoding="utf-8")
        if proc.returncode != 0:
            # terraform's error text, never the state or outputs (no secrets in it)
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise RecordingError(f"{step}: terraform {args[0]} exited {proc.returncode}:\n{tail}")
        return proc.stdout

    def step(self, name: str, tfvars: dict | None, commands: list[list[str]]) -> list[Request]:
        if tfvars is not None:
            (self.root / "terraform.tfvars.json").write_text(json.dumps(tfvars), encoding="utf-8")
        if name == "code":
            _new_code(self.root / "modules" / "cognito" / TRIGGER_ZIP)
        logs = []
        for i, args in enumerate(commands):
            if args == ["IMPORT"]:
                logs += self._reimport(name)
                continue
            log = self.logs / f"{name}-{i}.log"
            self.run(name, args, log)
            logs.append(log)
        return [r for log in logs for r in parse_log(log.read_text(encoding="utf-8"))]

    def _reimport(self, name: str) -> list[Path]:
        state = json.loads(self.run(name, ["show", "-json"], None))
        resources = _module_resources(state)
        blocks = [
            f"import {{\n  to = {r['address']}\n  id = {json.dumps(_import_id(r))}\n}}\n"
            for r in resources
        ]
        rm_log, apply_log = self.logs / f"{name}-rm.log", self.logs / f"{name}-apply.log"
        self.run(name, ["state", "rm", *[r["address"] for r in resources]], rm_log)
        imports = self.root / "imports.tf"
        imports.write_text("\n".join(blocks), encoding="utf-8")
        try:
            self.run(name, ["apply", "-auto-approve"], apply_log)
        finally:
            imports.unlink()
        return [rm_log, apply_log]

    def arns(self) -> dict[str, str]:
        """``{resource type: arn}`` of the module's resources that have one."""
        state = json.loads(self.run("names", ["show", "-json"], None))
        return {
            r["type"]: r["values"]["arn"]
            for r in _module_resources(state)
            if isinstance(r["values"].get("arn"), str)
        }


def _ignore_build(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in {".terraform", "__pycache__", "examples"}}


def _new_code(zip_path: Path) -> None:
    """Rewrite the function's zip with one more comment line in every file."""
    with zipfile.ZipFile(zip_path) as old:
        files = {info.filename: old.read(info) for info in old.infolist()}
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as new:
        for filename, data in files.items():
            if filename.endswith(".py"):
                data += b"\n# changed by scripts/record_aws_calls.py\n"
            new.writestr(filename, data)


def _terraform_version(terraform: str) -> str:
    out = subprocess.run([terraform, "version", "-json"], capture_output=True, text=True)
    return json.loads(out.stdout)["terraform_version"]


def record(keep: bool = False) -> dict:
    """Run every step against a fresh emulator; the recording document."""
    from importlib.metadata import version

    import boto3

    from generator import plugins
    from generator.emulator import start_emulator

    terraform = shutil.which("terraform")
    mirror = plugins.find_mirror("hashicorp/aws")
    if terraform is None or mirror is None:
        raise FileNotFoundError("needs terraform on PATH and a hashicorp/aws filesystem mirror")
    work = Path(tempfile.mkdtemp(prefix="authgen-iam-calls-"))
    cli_config = work / "mirror.tfrc"
    cli_config.write_text(plugins.cli_config(mirror), encoding="utf-8")
    emulator = start_emulator(log_path=work / "emulator.log")
    try:
        boto3.client(
            "s3",
            endpoint_url=emulator.url,
            region_name=REGION,
            aws_access_key_id="authgen-recording",
            aws_secret_access_key="authgen-recording",
        ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        recorder = Recorder(work, emulator.url, terraform, cli_config)
        recorder.prepare()
        steps, arns = [], {}
        for name, does, tfvars, commands in STEPS:
            print(f"record_aws_calls: {name}: {does}", file=sys.stderr)
            requests = recorder.step(name, tfvars, commands)
            elsewhere = sorted({r.host for r in requests} - {"127.0.0.1"})
            if elsewhere:
                raise RecordingError(f"{name}: requests left the emulator, to {elsewhere}")
            steps.append({"step": name, "does": does, "calls": calls_of(requests)})
            if name == "create":
                arns = recorder.arns()
    finally:
        emulator.stop()
        if keep:
            print(
                f"record_aws_calls: kept {work} (its logs hold emulator secrets)", file=sys.stderr
            )
        else:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "about": "AWS API calls of hashicorp/aws for modules/cognito, recorded with TF_LOG=DEBUG "
        "against moto by scripts/record_aws_calls.py; do not edit by hand (docs/aws-iam.md).",
        "terraform": _terraform_version(terraform),
        "provider": f"hashicorp/aws {PROVIDER_VERSION}",
        "moto": version("moto"),
        "state": {"bucket": BUCKET, "key": STATE_KEY},
        "module": module_shape(),
        "arns": dict(sorted(arns.items())),
        "steps": steps,
    }


def _comparable(doc: dict) -> dict:
    """What ``--check`` compares: everything but the moto version and the
    user pool's id (Cognito makes a new one every run)."""
    out = {k: v for k, v in doc.items() if k != "moto"}
    out["arns"] = {
        k: re.sub(r":userpool/.+$", ":userpool/<id>", v) for k, v in doc.get("arns", {}).items()
    }
    return out


def _differences(old: dict, new: dict) -> list[str]:
    """Which parts of two recordings differ (keys, and steps by name)."""
    old, new = _comparable(old), _comparable(new)
    out = [k for k in sorted(set(old) | set(new)) if k != "steps" and old.get(k) != new.get(k)]
    old_steps = {s["step"]: s for s in old.get("steps", [])}
    for step in new.get("steps", []):
        if old_steps.get(step["step"]) != step:
            out.append(f"steps.{step['step']}")
    if [s["step"] for s in old.get("steps", [])] != [s["step"] for s in new.get("steps", [])]:
        out.append("steps (their list)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the recording file")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory and logs")
    args = parser.parse_args(argv)
    try:
        doc = record(keep=args.keep)
    except (FileNotFoundError, ImportError, AuthgenError) as err:
        print(f"record_aws_calls: cannot record: {err}", file=sys.stderr)
        return 2
    except RecordingError as err:
        print(f"record_aws_calls: {err}", file=sys.stderr)
        return 1
    text = json.dumps(doc, indent=2) + "\n"
    if args.check:
        old = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        differences = _differences(old, doc)
        if differences:
            print(
                f"record_aws_calls: {args.out} differs from this run in {', '.join(differences)}",
                file=sys.stderr,
            )
            return 1
        print(f"record_aws_calls: {args.out} is current", file=sys.stderr)
        return 0
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"record_aws_calls: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
