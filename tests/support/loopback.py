"""What the recording test servers (``static_http.py``, ``agentcore_control.py``)
share: one HTTP server program in a child process on 127.0.0.1, started on a
free port, stopped by process group id.

Both halves live here:

- the test's side, :class:`LoopbackServer`: write the program's JSON config
  (with its ``port`` and the ``record`` file), run the program by path, wait
  until ``/__ready__`` answers (stopping the child if it never does), build
  URLs, read back the requests it recorded; ``stop()`` comes from
  :class:`generator.emulator.ServerProcess`;
- the program's side, :class:`RecordingHandler` (read a body, append the
  request to the JSON-lines record, send an answer) and :func:`serve` (serve
  until SIGTERM).

Every file a server writes is named ``<stem>-<port>.<what>`` in its workdir
(``.requests.jsonl``, ``.log``, and the config). This file imports nothing
from the test suite (the programs run by path and import it).
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
from typing import Any, TypeVar

from generator.emulator import ServerProcess, free_port, spawn, wait_http

#: The route a started program answers once it listens (never recorded by
#: :meth:`LoopbackServer.requests`).
READY = "/__ready__"

_S = TypeVar("_S", bound="LoopbackServer")


@dataclass
class LoopbackServer(ServerProcess):
    """A running server program; ``stop()`` ends it by process group id."""

    port: int
    process: subprocess.Popen
    record: Path
    config: Path

    @classmethod
    def launch(
        cls: type[_S],
        program: str | Path,
        workdir: Path,
        stem: str,
        config: dict[str, Any],
        *,
        port: int | None = None,
        config_suffix: str = ".json",
        wait_ready: bool = True,
        timeout: float = 15.0,
    ) -> _S:
        """Run ``python PROGRAM CONFIG`` on ``port`` (a free one when None).

        ``config`` is written to ``workdir/<stem>-<port><config_suffix>`` with
        ``port`` and ``record`` (the requests file) added; the program's
        output goes to ``<stem>-<port>.log``. With ``wait_ready`` it returns
        once the program answers, or stops it and raises (AuthgenError from
        ``wait_http``).
        """
        port = port or free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        config_path = workdir / f"{stem}-{port}{config_suffix}"
        record = workdir / f"{stem}-{port}.requests.jsonl"
        config_path.write_text(
            json.dumps({**config, "port": port, "record": str(record)}, indent=2)
        )
        process = spawn(
            [sys.executable, str(Path(program).resolve()), str(config_path)],
            workdir / f"{stem}-{port}.log",
        )
        server = cls(port=port, process=process, record=record, config=config_path)
        if wait_ready:
            try:
                wait_http(server.url(READY), timeout, proc=process)
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
        return [r for r in rows if r["path"] != READY]


# --------------------------------------------------------------------------
# The program's side


class RecordingHandler(BaseHTTPRequestHandler):
    """A request handler that records what it is sent; subclasses answer."""

    protocol_version = "HTTP/1.1"

    def read_body(self) -> str:
        """The request body as text (empty when there is none)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace") if length else ""

    def request_path(self) -> str:
        """The request path without its query."""
        return self.path.split("?", 1)[0]

    def record_to(self, record: Path, body: Any) -> None:
        """Append this request (method, path, query, headers, ``body``) to
        the JSON-lines ``record``."""
        route = self.request_path()
        with record.open("a") as fh:
            fh.write(
                json.dumps(
                    {
                        "method": self.command,
                        "path": route,
                        "query": self.path[len(route) + 1 :],
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                + "\n"
            )

    def send(
        self, status: int, content_type: str, data: bytes, headers: dict[str, str] | None = None
    ) -> None:
        """Answer with ``data`` and its length (and any extra ``headers``)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {fmt % args}\n")


def serve(port: int, handler: type[BaseHTTPRequestHandler], *, bind_after: float = 0.0) -> None:
    """Serve ``handler`` on 127.0.0.1:``port`` until SIGTERM (a clean exit 0).

    ``bind_after`` seconds pass before the port is bound (a server that
    starts late, on purpose).
    """
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if bind_after:
        time.sleep(bind_after)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    finally:
        server.server_close()
