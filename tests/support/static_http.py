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

This file imports nothing from the test suite, so it runs by path.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.emulator import ServerProcess, spawn


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


@dataclass
class StaticServer(ServerProcess):
    """A running server process; stop it with ``stop()`` (by process group id)."""

    port: int
    process: subprocess.Popen
    record: Path

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
        from generator.emulator import free_port, wait_http

        port = port or free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / f"http-{port}.json"
        record = workdir / f"http-{port}.requests.jsonl"
        config.write_text(
            json.dumps({"port": port, "routes": routes, "delay": delay, "record": str(record)})
        )
        process = spawn(
            [sys.executable, str(Path(__file__).resolve()), str(config)],
            workdir / f"http-{port}.log",
        )
        server = cls(port=port, process=process, record=record)
        if wait_ready:
            try:
                wait_http(server.url("/__ready__"), timeout, proc=process)
            except BaseException:
                server.stop()
                raise
        return server

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self) -> list[dict]:
        """Every request seen so far (the readiness probe left out)."""
        if not self.record.exists():
            return []
        rows = [json.loads(line) for line in self.record.read_text().splitlines() if line]
        return [r for r in rows if r["path"] != "/__ready__"]


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

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            path = self.path.split("?", 1)[0]
            with record.open("a") as fh:
                fh.write(
                    json.dumps(
                        {
                            "method": self.command,
                            "path": path,
                            "query": self.path[len(path) + 1 :],
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                    + "\n"
                )
            answer = routes.get(path)
            if path == "/__ready__":
                answer = route(200, body="ready")
            if answer is None:
                answer = route(404, {"error": "not_found"})
            data = (_echo(answer, self, body) if answer.get("echo") else answer["body"]).encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", answer["content_type"])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, fmt: str, *args: Any) -> None:
            sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if config.get("delay"):
        time.sleep(float(config["delay"]))  # bind late on purpose
    server = ThreadingHTTPServer(("127.0.0.1", int(config["port"])), Handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    _serve(sys.argv[1])
