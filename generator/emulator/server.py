"""``authgen emulator``: the local Cognito emulator on one base URL.

moto's server (Cognito with the operations ``moto_extras`` adds, IAM,
Lambda, CloudWatch Logs, STS, S3, ...) and, in front of it, what Cognito's
hosted domain serves (``hosted.TokenEndpoint``: ``POST /oauth2/token``).
Everything runs in this process, so the token endpoint reads moto's state
directly. The first line on stdout is ``AUTHGEN_ENDPOINT_URL=<url>``; it
serves until SIGINT or SIGTERM, then exits 0.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from generator.errors import AuthgenError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 5000  # environments/local.yaml's endpoint_url


def ensure_moto() -> None:
    """One line when moto (the emulator's engine, an optional extra) is missing."""
    import importlib.util

    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        raise AuthgenError(
            "the emulator needs moto[server]: pip install 'authgen[emulator]' "
            "(make setup installs it)"
        )


def _listen(port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:``port`` (0: a free one)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((HOST, port))
        listener.listen(128)
    except OSError as err:
        listener.close()
        if err.errno == errno.EADDRINUSE:
            raise AuthgenError(
                f"port {port} on {HOST} is in use; stop what listens there or pass --port 0 "
                "for a free port"
            ) from None
        raise AuthgenError(f"cannot listen on {HOST}:{port}: {err.strerror or err}") from None
    return listener


def build_app(runner: Any) -> Any:
    """The WSGI application: the token endpoint in front of moto's server."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from generator.emulator.hosted import TokenEndpoint
    from generator.emulator.moto_extras import add_missing_operations

    add_missing_operations()
    moto_app = DomainDispatcherApplication(create_backend_app)
    return TokenEndpoint(moto_app, runner)


def serve(port: int = DEFAULT_PORT, on_ready: Callable[[str], None] | None = None) -> int:
    """Serve on 127.0.0.1:``port`` (0: a free port) until SIGINT/SIGTERM.

    ``on_ready(url)`` is called once the socket listens. Returns 0 after a
    signal; a port that cannot be bound is an AuthgenError.
    """
    ensure_moto()
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from generator.emulator.trigger import Runner

    listener = _listen(port)  # bound here: werkzeug would print and sys.exit on an error
    bound = listener.getsockname()[1]
    url = f"http://{HOST}:{bound}"
    runner = Runner(endpoint_url=url)
    server = make_server(
        HOST,
        bound,
        build_app(runner),
        threaded=True,
        request_handler=MotoRequestHandler,
        fd=listener.detach(),
    )
    os.environ["MOTO_PORT"] = str(bound)  # moto builds some URLs from it

    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        # No exception raised into whatever the main thread is doing: the
        # standard shutdown, from another thread, ends serve_forever cleanly.
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_ready:
            on_ready(url)
        log.info("Cognito emulator on %s (pid %d)", url, os.getpid())
        server.serve_forever(poll_interval=0.2)
        log.info("stopping the emulator")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.server_close()
        runner.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m generator.emulator.server [--port N]`` (what ``authgen emulator`` runs)."""
    import argparse

    parser = argparse.ArgumentParser(prog="authgen emulator")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)

    def ready(url: str) -> None:
        sys.stdout.write(f"AUTHGEN_ENDPOINT_URL={url}\n")
        sys.stdout.flush()

    try:
        return serve(args.port, ready)
    except AuthgenError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
