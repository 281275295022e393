"""One run at a time per environment.

``RunLock`` takes an exclusive ``flock`` on ``build/<env>/.authgen.lock`` and
writes who holds it (pid, host, command, start time) into the file. A second
run fails at once with ``LockError`` naming the holder. The kernel drops the
lock when the holder exits or crashes, so there is never a stale lock to
clean up; the file itself is left in place (removing it would let two runs
lock two different files).

``flock`` locks are advisory and local to one machine; on a network file
system, or across CI runners, use a remote Terraform backend with state
locking as well.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.errors import LockError

log = logging.getLogger(__name__)

LOCK_NAME = ".authgen.lock"


def lock_path(build_dir: Path) -> Path:
    """The lock file of the environment whose root module is ``build_dir``."""
    return Path(build_dir) / LOCK_NAME


class RunLock:
    """``with RunLock(lock_path(build_dir), command="authgen apply dev"): ...``"""

    def __init__(self, path: Path, *, command: str):
        self.path = Path(path)
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock or raise ``LockError`` naming the holder; never waits."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this RunLock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockError(
                f"{self.path} is held by {describe(holder)}; wait for that run to finish "
                "(the lock is released when it exits)"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info, sort_keys=True) + "\n").encode(), 0)
        self._fd = fd
        log.debug("locked %s for %s", self.path, self.command)
        return self

    def release(self) -> None:
        """Drop the lock (also done by the kernel when the process ends)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        log.debug("released %s", self.path)

    @property
    def held(self) -> bool:
        """This object holds the lock now."""
        return self._fd is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def describe(holder: dict[str, Any] | None) -> str:
    """``authgen apply dev (pid 4242 on build-7, started 2025-01-01T10:00:00Z)``."""
    if not holder:
        return "another run (it has not recorded who it is yet)"
    command = holder.get("command") or "another run"
    return (
        f"{command} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"started {holder.get('started', '?')})"
    )


def _read_holder(fd: int) -> dict[str, Any] | None:
    """The holder's record; it may be a moment late, right after the holder locked."""
    for _ in range(5):
        try:
            data = json.loads(os.pread(fd, 4096, 0).decode("utf-8", errors="replace"))
        except ValueError:
            time.sleep(0.02)
            continue
        return data if isinstance(data, dict) else None
    return None
