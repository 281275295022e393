"""A small HTTP server in a child process on 127.0.0.1, for the token/verify tests.

It answers fixed routes (status, content type, body) and appends every
request it sees (method, path, headers, body) to a JSON-lines file, so a test
can check the shape of what a client sent. ``delay`` makes it bind its port
only after that many seconds (a server that "starts late"). An ``echo`` route
answers with the request's own headers and body in its error text, as some
misbehaving endpoints do (``?pad=N`` puts N filler characters in front, to
move the echoed secret across a message's truncation point).

Used from tests::

    with StaticServer.start(tmp_path, {"/token": route(json={...})}) as srv:
        srv.url("/token"); srv.requests()

Run as a program (what ``start`` does)::

    python tests/support/static_http.py CONFIG.json

From the test suite it imports only ``tests/support/loopback.py`` (which
imports nothing from it), so it runs by path.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run by path: the repository root makes tests.support importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.loopback import READY, LoopbackServer, RecordingHandler, serve


def route(
    status: int = 200,
    json_body: Any = None,
    *,
    body: str | None = None,
    content_type: str | None = None,
    echo: str | None = None,
) -> dict:
    """One canned answer: a JSON body (``json_body``) or raw text (``body``).

    ``echo="json"`` answers ``{"error": "invalid_request", "error_description":
    <the request's headers and body>}``; ``echo="text"`` the same text as
    text/plain.
    """
    if echo is not None:
        ctype = "application/json" if echo == "json" else "text/plain"
        return {"status": status, "echo": echo, "body": "", "content_type": ctype}
    if json_body is not None:
        return {
            "status": status,
            "body": json.dumps(json_body),
            "content_type": content_type or "application/json",
        }
    return {"status": status, "body": body or "", "content_type": content_type or "text/plain"}


class StaticServer(LoopbackServer):
    """A running server process; stop it with ``stop()`` (by process group id)."""

    @classmethod
    def start(
        cls,
        workdir: Path,
        routes: dict[str, dict],
        *,
        port: int | None = None,
        delay: float = 0.0,
        wait_ready: bool = True,
        timeout: float = 15.0,
    ) -> StaticServer:
        return cls.launch(
            __file__,
            workdir,
            "http",
            {"routes": routes, "delay": delay},
            port=port,
            wait_ready=wait_ready,
            timeout=timeout,
        )


# --------------------------------------------------------------------------
# The server program
# --------------------------------------------------------------------------


def _echo(answer: dict, request: BaseHTTPRequestHandler, body: str) -> str:
    """The request's headers and body as an error answer (see ``route``)."""
    query = request.path.partition("?")[2]
    pad = next(
        (int(v) for k, _, v in (p.partition("=") for p in query.split("&")) if k == "pad"), 0
    )
    auth = request.headers.get("Authorization")
    said = f"Authorization: {auth}; " if auth else ""
    text = f"{'x' * pad}you sent {said}body {body}"
    if answer["echo"] == "json":
        return json.dumps({"error": "invalid_request", "error_description": text})
    return text


def _serve(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text())
    routes: dict[str, dict] = config["routes"]
    record = Path(config["record"])

    class Handler(RecordingHandler):
        def _answer(self) -> None:
            body = self.read_body()
            path = self.request_path()
            self.record_to(record, body)
            answer = routes.get(path)
            if path == READY:
                answer = route(200, body="ready")
            if answer is None:
                answer = route(404, {"error": "not_found"})
            data = (_echo(answer, self, body) if answer.get("echo") else answer["body"]).encode()
            self.send(answer["status"], answer["content_type"], data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

    # bind late on purpose when asked (a server that "starts late")
    serve(int(config["port"]), Handler, bind_after=float(config.get("delay") or 0))


if __name__ == "__main__":
    _serve(sys.argv[1])
