"""``authgen emulator [--port N]``: run the local Cognito emulator.

moto (Cognito with the operations it lacks added, IAM, Lambda, CloudWatch
Logs, STS, S3) plus what Cognito's hosted domain serves, on one base URL:
``POST /oauth2/token`` (client_credentials) issues RS256 tokens signed with
the key of the pools' JWKS, with the claims a pool's pre token generation
trigger (V3_0) adds; the trigger's code runs for real. The first stdout line
is ``AUTHGEN_ENDPOINT_URL=http://127.0.0.1:N``; it serves until SIGINT or
SIGTERM, then exits 0. Token requests are logged on stderr. moto is the
``emulator`` extra (``pip install 'authgen[emulator]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "run the local Cognito emulator with a token endpoint until SIGINT/SIGTERM"
DEFAULT_PORT = 5000  # environments/local.yaml's endpoint_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--port``."""
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}, local.yaml's endpoint_url; 0: a free "
        "port)",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Serve until a signal; the URL line first."""
    import logging

    from generator.emulator import server

    verbose = getattr(args, "verbose", False)
    logging.getLogger("werkzeug").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("generator.emulator").setLevel(logging.INFO)
    return server.serve(args.port, lambda url: report.write(f"AUTHGEN_ENDPOINT_URL={url}\n"))
