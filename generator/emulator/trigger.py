"""Run a user pool's pre token generation trigger the way Cognito would.

The function is the one ``terraform apply`` created in the emulator (moto
keeps its zip); its code is unpacked once per code hash and its handler runs
in a child Python process with the function's environment variables, a
V3_0 event on stdin, and the emulator as every AWS endpoint (so a handler
that calls back, e.g. DescribeUserPoolClient, talks to the same emulator).
moto cannot invoke functions itself (that needs a container runtime); this
runs the same code without one, with the local Python instead of Lambda's
runtime image.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
#: Cognito gives a trigger 5 seconds; a Python child needs some of that to start.
COGNITO_TIMEOUT = 5.0


class TriggerError(Exception):
    """The trigger could not run or failed; the message says which and why."""


@dataclass(frozen=True)
class Function:
    """What the emulator needs of a Lambda function to run it."""

    arn: str
    name: str
    region: str
    handler: str
    timeout: float
    environment: dict[str, str]
    code_sha256: str
    code: bytes


def lookup(arn: str) -> Function:
    """The function ``arn`` names, from moto's Lambda backend."""
    from moto.awslambda.models import lambda_backends

    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "lambda" or parts[5] != "function":
        raise TriggerError(f"{arn} is not a Lambda function ARN")
    region, account, name = parts[3], parts[4], parts[6]
    try:
        fn = lambda_backends[account][region].get_function(name, None)
    except Exception as err:  # moto raises its own not-found errors
        raise TriggerError(f"Lambda function {arn} does not exist ({err})") from None
    return Function(
        arn=arn,
        name=fn.function_name,
        region=region,
        handler=fn.handler or "",
        timeout=float(fn.timeout or 3),
        environment=dict(fn.environment_vars or {}),
        code_sha256=fn.code_sha_256,
        code=fn.code_bytes or b"",
    )


def may_invoke(function: Function, pool_arn: str) -> bool:
    """Whether the function's resource policy lets Cognito invoke it for this pool
    (what ``aws_lambda_permission`` grants)."""
    from moto.awslambda.models import lambda_backends

    account = function.arn.split(":")[4]
    try:
        wire = json.loads(lambda_backends[account][function.region].get_policy(function.name))
        policy = json.loads(wire["Policy"]) if "Policy" in wire else wire
    except Exception:  # no policy at all: moto raises its ResourceNotFound
        return False
    for statement in policy.get("Statement") or []:
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        action = statement.get("Action")
        source = (statement.get("Condition") or {}).get("ArnLike", {}).get("AWS:SourceArn")
        if (
            statement.get("Effect") == "Allow"
            and service == "cognito-idp.amazonaws.com"
            and action in ("lambda:InvokeFunction", "lambda:*")
            and source in (None, pool_arn)
        ):
            return True
    return False


class Runner:
    """Unpacks function code (once per hash) and runs invocations."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._root = Path(tempfile.mkdtemp(prefix="authgen-emulator-code-"))
        self._lock = threading.Lock()

    def close(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)

    def _code_dir(self, function: Function) -> Path:
        directory = self._root / function.code_sha256.replace("/", "_").replace("+", "-")
        with self._lock:
            if not directory.is_dir():
                staging = Path(tempfile.mkdtemp(dir=self._root))
                try:
                    with zipfile.ZipFile(BytesIO(function.code)) as archive:
                        archive.extractall(staging)
                except zipfile.BadZipFile:
                    shutil.rmtree(staging, ignore_errors=True)
                    raise TriggerError(f"the code of {function.name} is not a zip") from None
                staging.rename(directory)
        return directory

    def invoke(self, function: Function, event: dict[str, Any]) -> dict[str, Any]:
        """The handler's answer to ``event`` (raises TriggerError)."""
        code_dir = self._code_dir(function)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            **function.environment,
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "authgen-emulator",
            "AWS_SECRET_ACCESS_KEY": "authgen-emulator",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AUTHGEN_FUNCTION_ARN": function.arn,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "_HANDLER": function.handler,
        }
        timeout = min(function.timeout, COGNITO_TIMEOUT)
        try:
            proc = subprocess.run(
                [sys.executable, str(BOOTSTRAP), str(code_dir), function.handler, str(timeout)],
                input=json.dumps(event),
                capture_output=True,
                text=True,
                env=env,
                cwd=code_dir,
                timeout=timeout + 10,  # the child's own start-up is not the function's time
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TriggerError(f"{function.name} did not answer within {timeout:g} s") from None
        for line in proc.stderr.splitlines():
            log.info("[%s] %s", function.name, line)
        try:
            answer = json.loads(proc.stdout or "null")
        except ValueError:
            answer = None
        if proc.returncode != 0:
            message = answer.get("errorMessage") if isinstance(answer, dict) else None
            kind = answer.get("errorType") if isinstance(answer, dict) else "error"
            raise TriggerError(f"{function.name} failed: {kind}: {message or proc.stderr[-300:]}")
        if not isinstance(answer, dict):
            raise TriggerError(f"{function.name} returned {type(answer).__name__}, not the event")
        return answer
