"""Run one Lambda handler invocation in this process (a child of the emulator).

    python lambda_bootstrap.py CODE_DIR MODULE.FUNCTION TIMEOUT_SECONDS < event.json

The handler's code directory goes first on ``sys.path``, the event comes on
stdin, and the handler's return value is written to stdout as JSON. Anything
the handler prints goes to stderr, as Lambda sends it to the function's log.
A failure exits 1 with ``{"errorType": ..., "errorMessage": ...}`` on stdout,
the shape Lambda reports. Standard library only (the handler brings its own
imports; boto3 comes from the emulator's environment).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid


class Context:
    """The parts of Lambda's context object handlers use."""

    def __init__(self, timeout: float) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = os.environ.get("AUTHGEN_FUNCTION_ARN", "")
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(argv: list[str]) -> int:
    code_dir, handler, timeout = argv[0], argv[1], float(argv[2])
    result_stream = sys.stdout
    sys.stdout = sys.stderr  # the handler's prints are log lines
    sys.path.insert(0, code_dir)
    try:
        module_name, _, function_name = handler.rpartition(".")
        function = getattr(importlib.import_module(module_name), function_name)
        event = json.load(sys.stdin)
        result = function(event, Context(timeout))
        text = json.dumps(result)
    except Exception as err:  # reported the way Lambda reports a failed invocation
        import traceback

        traceback.print_exc()
        json.dump({"errorType": type(err).__name__, "errorMessage": str(err)}, result_stream)
        return 1
    result_stream.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
