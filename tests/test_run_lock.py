"""generator.run_lock: one run per environment, across processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator.errors import LockError
from generator.run_lock import LOCK_NAME, RunLock, describe, lock_path

REPO = Path(__file__).resolve().parent.parent

HOLD_SCRIPT = """
import sys
from pathlib import Path

from generator.errors import LockError
from generator.run_lock import RunLock

try:
    lock = RunLock(Path(sys.argv[1]), command=sys.argv[2]).acquire()
except LockError as err:
    print(f"authgen: {err}", file=sys.stderr)
    sys.exit(err.exit_code)
print("locked", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def path(tmp_path) -> Path:
    return lock_path(tmp_path / "build" / "dev")


@pytest.fixture
def holder(tmp_path, path):
    """Start a second process that holds the lock until its stdin closes."""
    script = tmp_path / "hold.py"
    script.write_text(HOLD_SCRIPT)
    procs: list[subprocess.Popen] = []

    def start(command: str = "authgen apply dev") -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(path), command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            pipe.close()


def test_lock_path_is_in_the_build_dir(tmp_path):
    assert lock_path(tmp_path / "build" / "dev") == tmp_path / "build" / "dev" / LOCK_NAME


def test_holder_is_recorded_and_cleared(path):
    with RunLock(path, command="authgen plan dev") as lock:
        assert lock.held
        info = json.loads(path.read_text())
        assert info["pid"] == os.getpid()
        assert info["host"] == socket.gethostname()
        assert info["command"] == "authgen plan dev"
        assert info["started"].endswith("Z")
    assert not lock.held
    assert path.exists() and path.read_text() == ""
    # Free again.
    with RunLock(path, command="authgen apply dev"):
        pass


def test_a_second_lock_fails_fast_naming_the_holder(path):
    with RunLock(path, command="authgen apply dev") as first:
        # In a thread, so that a lock that waited would fail the test, not hang
        # it: it must raise while the first lock is still held.
        raised: list[BaseException] = []

        def second() -> None:
            try:
                RunLock(path, command="authgen plan dev").acquire()
            except BaseException as caught:
                raised.append(caught)

        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the second lock waited for the first"
        assert first.held
    (error,) = raised
    assert isinstance(error, LockError)
    message = str(error)
    assert message.startswith(f"{path} is held by authgen apply dev (pid {os.getpid()} on ")
    assert message.endswith("; wait for that run to finish (the lock is released when it exits)")
    assert error.exit_code == 1


def test_another_process_holding_the_lock_is_named(path, holder):
    proc = holder("authgen apply dev")
    assert proc.stdout.readline() == "locked\n"
    with pytest.raises(LockError) as err:
        RunLock(path, command="authgen plan dev").acquire()
    assert f"held by authgen apply dev (pid {proc.pid} on {socket.gethostname()}, started " in str(
        err.value
    )
    # The holder ends normally: the lock is free.
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0
    with RunLock(path, command="authgen plan dev"):
        pass


def test_a_second_process_fails_while_we_hold_the_lock(path, holder):
    with RunLock(path, command="authgen apply dev"):
        proc = holder("authgen destroy dev")
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 1
    assert stderr.startswith(f"authgen: {path} is held by authgen apply dev (pid {os.getpid()} ")


def test_a_crashed_holder_releases_the_lock(path, holder):
    proc = holder()
    assert proc.stdout.readline() == "locked\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    with RunLock(path, command="authgen apply dev") as lock:
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not lock.held


def test_release_is_idempotent_and_reacquire_is_refused(path):
    lock = RunLock(path, command="authgen apply dev").acquire()
    with pytest.raises(RuntimeError):
        lock.acquire()
    lock.release()
    lock.release()


def test_describe_without_a_record():
    assert describe(None) == "another run (it has not recorded who it is yet)"
    assert describe({"command": "authgen apply dev", "pid": 7, "host": "h", "started": "t"}) == (
        "authgen apply dev (pid 7 on h, started t)"
    )
