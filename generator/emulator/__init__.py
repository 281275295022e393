"""The local Cognito emulator on 127.0.0.1, and local server processes.

``authgen emulator`` (``server.py``) is moto plus what moto lacks
(``moto_extras.py``) plus Cognito's hosted token endpoint (``hosted.py``),
which runs a pool's pre token generation trigger for real (``trigger.py``).
``start_emulator`` runs it as a child process for ``make demo`` and the
tests; ``start_moto`` runs a stock moto server. Each child runs in its own
process group, on a free loopback port, and is stopped by its process id.
moto is imported only by the emulator process itself, never here.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import AuthgenError

log = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers (any HTTP status), with backoff.

    Raises AuthgenError at the deadline, or at once when ``proc`` exits.
    """
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        if proc is not None and proc.poll() is not None:
            code = proc.returncode
            raise AuthgenError(f"{url}: the server exited with code {code} before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() >= deadline:
            raise AuthgenError(f"{url}: no answer within {timeout:g} s")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)


class ServerProcess:
    """A local server run as a child process in its own process group:
    ``stop()`` (or leaving the ``with`` block) ends it by process id,
    SIGTERM first, SIGKILL when it does not go. Classes using it hold the
    child in ``process``."""

    process: subprocess.Popen
    _stopped: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn(
    command: Sequence[str],
    log_path: Path | None,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen:
    """Start a server child in its own process group (so ``ServerProcess.stop``
    can end it and its children), stdout and stderr appended to ``log_path``
    (discarded when None), no stdin. OSError propagates."""
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    finally:
        if log_path:
            out.close()


@dataclass
class MotoServer(ServerProcess):
    """A running moto server; use as a context manager or call ``stop()``."""

    port: int
    process: subprocess.Popen
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


#: The command that runs a moto server; ``-H HOST -p PORT`` are appended.
MOTO_SERVER = (sys.executable, "-m", "moto.server")


def start_moto(
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 30.0,
    launcher: Sequence[str] | None = None,
) -> MotoServer:
    """Start ``python -m moto.server`` on 127.0.0.1 and wait until it answers.

    ``launcher`` replaces that command (it must take moto's ``-H HOST -p PORT``
    and run moto's server), e.g. a test launcher that adds operations moto
    lacks.
    """
    port = port or free_port()
    command = [*(launcher or MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)]
    env = dict(os.environ, MOTO_PORT=str(port))
    try:
        process = spawn(command, log_path, env=env)
    except OSError as err:
        raise AuthgenError(f"cannot start the moto server: {err.strerror or err}") from None
    server = MotoServer(port=port, process=process, log_path=log_path)
    try:
        wait_http(f"{server.url}/moto-api/", timeout, proc=process)
    except AuthgenError as err:
        server.stop()
        hint = " (is moto installed? run 'make setup')" if process.returncode == 1 else ""
        raise AuthgenError(f"moto server did not start: {err}{hint}") from None
    log.info("moto server on %s (pid %d)", server.url, server.pid)
    return server


#: The command that runs the authgen emulator; ``--port N`` is appended.
EMULATOR = (sys.executable, "-m", "generator", "emulator")


def start_emulator(
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 30.0,
    command: Sequence[str] = EMULATOR,
) -> MotoServer:
    """Start ``authgen emulator`` on 127.0.0.1 and wait until it answers. Stop
    it with ``stop()`` or a ``with`` block.

    Without ``port`` (and with a ``log_path``) the emulator binds a free port
    itself (``--port 0``) and the port is read from the line it announces in
    its log (``AUTHGEN_ENDPOINT_URL=...``): nothing else can take the port
    between choosing and binding it, as with processes starting servers side
    by side (parallel test workers). ``command`` replaces ``authgen emulator``
    with a launcher that takes ``--port N`` and runs the same server.
    """
    announced = port is None and log_path is not None
    if not announced:
        port = port or free_port()
    offset = _size(log_path)
    try:
        process = spawn([*command, "--port", str(0 if announced else port)], log_path)
    except OSError as err:
        raise AuthgenError(f"cannot start the emulator: {err.strerror or err}") from None
    server = MotoServer(port=port or 0, process=process, log_path=log_path)
    try:
        if announced:
            server.port = _announced_port(Path(log_path), offset, timeout, process)
        wait_http(f"{server.url}/moto-api/", timeout, proc=process)
    except AuthgenError as err:
        server.stop()
        raise AuthgenError(f"the emulator did not start: {err}") from None
    log.info("emulator on %s (pid %d)", server.url, server.pid)
    return server


#: What the emulator prints once its socket listens (``server.main``).
_ANNOUNCEMENT = "AUTHGEN_ENDPOINT_URL=http://127.0.0.1:"


def _size(path: Path | None) -> int:
    try:
        return Path(path).stat().st_size if path else 0
    except OSError:
        return 0


def _announced_port(log_path: Path, offset: int, timeout: float, proc: subprocess.Popen) -> int:
    """The port the emulator announced in ``log_path`` after ``offset`` (what
    an earlier run appended before it is not read)."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            with open(log_path, "rb") as fh:
                fh.seek(offset)
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        for line in text.splitlines():
            if line.startswith(_ANNOUNCEMENT) and line[len(_ANNOUNCEMENT) :].isdigit():
                return int(line[len(_ANNOUNCEMENT) :])
        if proc.poll() is not None:
            raise AuthgenError(f"the server exited with code {proc.returncode} before it listened")
        if time.monotonic() >= deadline:
            raise AuthgenError(f"no port announced within {timeout:g} s (see {log_path})")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
