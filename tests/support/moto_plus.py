"""A test launcher: the authgen emulator (``generator.emulator.server``), plus
``--slow`` for tests that need moto to take its time.

The emulator itself adds the Cognito operations stock moto lacks
(``generator/emulator/moto_extras.py``) and the hosted token endpoint. This
launcher only adds, for tests:

``--slow OPERATION=SECONDS`` (repeatable) makes moto sleep that long before it
handles OPERATION (e.g. ``CreateUserPoolClient=3``), after printing
``moto_plus: OPERATION received`` to its log. The tests use it to land a
signal while terraform is in the middle of an apply; moto answers so fast
that otherwise the apply is over before the signal arrives.

``--account ID`` makes moto answer as that AWS account (moto's
``MOTO_ACCOUNT_ID``, set in this process before moto is imported), so the
test process never changes its own environment for it.

Run by path, as ``generator.emulator.start_emulator(command=...)`` does (with
``--port 0`` the server binds a free port and announces it, as ``authgen
emulator`` does)::

    python tests/support/moto_plus.py [--slow Op=SECONDS ...] [--account ID] --port PORT

It imports nothing from the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run by path: find generator


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def slow_down(delays: dict[str, float]) -> None:
    """Sleep before handling each named Cognito operation."""
    from moto.cognitoidp.responses import CognitoIdpResponse

    for operation, seconds in delays.items():
        method = _snake(operation)
        original = getattr(CognitoIdpResponse, method)

        def slowed(
            self: Any, _original: Any = original, _seconds: float = seconds, _name: str = operation
        ) -> Any:
            # Tests wait for this line (in the server's log) to know the
            # request is in, before they interrupt the client that sent it.
            print(f"moto_plus: {_name} received; answering in {_seconds:g} s", file=sys.stderr)
            sys.stderr.flush()
            time.sleep(_seconds)
            return _original(self)

        setattr(CognitoIdpResponse, method, slowed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--slow", action="append", default=[], metavar="OPERATION=SECONDS")
    parser.add_argument("--account", default=None, metavar="ID")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=0)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    delays = {}
    for item in args.slow:
        operation, _, seconds = item.partition("=")
        delays[operation] = float(seconds)
    if args.account:
        os.environ["MOTO_ACCOUNT_ID"] = args.account  # read when moto is imported, below
    from generator.emulator import moto_extras, server

    moto_extras.add_missing_operations()
    slow_down(delays)
    return server.main(["--port", str(args.port)])


if __name__ == "__main__":
    raise SystemExit(main())
