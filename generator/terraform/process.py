"""Running one terraform command: spawning, streaming, signals.

* **Never outlives authgen.** On Linux the child asks the kernel for a
  parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGINT)``): if authgen dies,
  even by ``kill -9``, terraform gets one interrupt, stops gracefully and
  saves its state. The signal follows the *thread* that spawned the child, so
  the spawning thread waits for terraform (``plan --all``'s pool threads do).
* **Output that survives authgen.** terraform writes into two unlinked
  temporary files (in the root module's 0700 directory), which this process
  tails. A pipe would not do: once authgen is gone, terraform's next write to
  a pipe kills it with SIGPIPE (Go does that for stdout/stderr), before it
  has saved the state. The files vanish when the last process closes them.
* **One interrupt.** Ctrl-C / SIGTERM is passed to terraform once (two make
  it quit at once and may lose state), and terraform is waited for. In the
  main thread terraform runs in its own process group, so a terminal's Ctrl-C
  reaches only authgen.
* **Private files.** terraform runs with umask 077: the state, its backup and
  saved plans it writes are 0600.
* **Nothing in clear.** Every line is masked (``Scrubber``) before it becomes
  an event, is logged or is kept for an error; stdout of ``show -json`` /
  ``output -json`` (sensitive values in clear) is returned to the caller only.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import TerraformError
from generator.terraform import events
from generator.terraform.events import Diagnostic, Event
from generator.terraform.failures import INSTALL_HINT
from generator.terraform.scrub import Scrubber

log = logging.getLogger(__name__)

#: umask terraform runs with: what it creates is private to the user.
UMASK = 0o077
#: How long to wait for output before looking again.
POLL_SECONDS = 0.05
#: linux/prctl.h
PR_SET_PDEATHSIG = 1

OnEvent = Callable[[Event], None]


@dataclass
class Completed:
    """A finished terraform command. ``stdout`` is filled only when it was
    captured (``show -json``, ``output -json``); ``text`` holds the lines
    printed outside the JSON stream, masked; ``signal`` is the interrupt that
    stopped it, if any."""

    returncode: int
    stdout: str = ""
    text: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    signal: int | None = None


def command_line(binary: str, command: str, *args: str, **options: Any) -> list[str]:
    """``[binary, command, -option..., args...]`` by python-terraform's flag
    builder (``IsFlagged`` values become bare flags; None is left out)."""
    from python_terraform import Terraform

    class Flags(Terraform):
        """python-terraform's command-line builder, without its state-file read."""

        def read_state_file(self, file_path=None):
            self.tfstate = None

    return Flags(terraform_bin_path=binary).generate_cmd_string(command, *args, **options)


def flagged() -> Any:
    """python-terraform's marker for a bare flag (``-json``, ``-no-color``)."""
    from python_terraform import IsFlagged

    return IsFlagged


def run(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    command: str,
    scrub: Scrubber,
    on_event: OnEvent | None,
    capture: bool = False,
) -> Completed:
    """Run ``argv`` in ``cwd`` and wait for it.

    stdout lines that are terraform JSON messages become events; other lines
    (stderr, text before JSON mode) become ``text`` events; each goes to
    ``on_event`` as it arrives. With ``capture``, stdout is collected instead
    (unmasked, never an event). If ``on_event`` raises, or an exception
    arrives before the interrupt handler is in place, terraform gets one
    interrupt and is waited for before the exception propagates.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    log.debug("running %s", scrub(" ".join(argv)))
    with (
        tempfile.TemporaryFile(dir=cwd, prefix=".terraform-out.") as out,
        tempfile.TemporaryFile(dir=cwd, prefix=".terraform-err.") as err,
    ):
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                umask=UMASK,
                process_group=0 if in_main_thread else None,
                preexec_fn=_die_with_parent(os.getpid()),
            )
        except FileNotFoundError as error:
            raise TerraformError(
                f"cannot run {argv[0]}: {error.strerror}; {INSTALL_HINT}"
            ) from None
        except PermissionError as error:
            raise TerraformError(f"cannot run {argv[0]}: {error.strerror}") from None
        done = Completed(returncode=-1)
        captured: list[str] = []

        def deliver(stream: str, line: str) -> None:
            if capture and stream == "stdout":
                captured.append(line)
                return
            line = scrub(line)
            event = events.decode(line, command=command) if stream == "stdout" else None
            if event is None:
                event = events.text(line, command=command, stream=stream)
                done.text.append(line)
            elif event.diagnostic is not None:
                done.diagnostics.append(event.diagnostic)
            if on_event is not None:
                on_event(event)

        tails = {"stdout": _Tail(out.fileno()), "stderr": _Tail(err.fileno())}
        try:
            with _forward_signals(proc, enabled=in_main_thread) as received:
                announced = False
                while True:
                    if received and not announced:
                        announced = True
                        log.warning(
                            "%s received: waiting for terraform %s to stop and release the "
                            "state (a second interrupt stops it at once and may lose state)",
                            signal.Signals(received[0]).name,
                            command,
                        )
                    finished = proc.poll() is not None
                    got = False
                    for stream, tail in tails.items():
                        for line in tail.lines(final=finished):
                            got = True
                            deliver(stream, line)
                    if finished:
                        break
                    if not got:
                        with suppress(subprocess.TimeoutExpired):
                            proc.wait(timeout=POLL_SECONDS)
                done.returncode = proc.returncode
                done.signal = received[0] if received else None
        except BaseException:
            # on_event raised, or an interrupt arrived before our handler was in place.
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGINT)
                proc.wait()
            raise
    done.stdout = "\n".join(captured)
    return done


class _Tail:
    """Complete lines appended to a file that another process writes, read
    through our own offset (``pread``) so the writer's offset is untouched."""

    def __init__(self, fd: int):
        self.fd = fd
        self.offset = 0
        self.partial = b""

    def lines(self, *, final: bool) -> Iterator[str]:
        while True:
            chunk = os.pread(self.fd, 65536, self.offset)
            if not chunk:
                break
            self.offset += len(chunk)
            self.partial += chunk
            *complete, self.partial = self.partial.split(b"\n")
            for raw in complete:
                yield raw.decode("utf-8", errors="replace").rstrip("\r")
        if final and self.partial:
            rest, self.partial = self.partial, b""
            yield rest.decode("utf-8", errors="replace").rstrip("\r")


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A pre-exec step that makes the kernel send the child SIGINT when the
    thread that spawned it exits (Linux); None elsewhere."""
    prctl = _prctl()
    if prctl is None:
        return None

    def setup() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took hold
            os._exit(1)

    return setup


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        log.debug("prctl is not available: terraform may outlive a killed authgen")
        return None
    function.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    function.restype = ctypes.c_int
    return function


@contextmanager
def _forward_signals(proc: subprocess.Popen, *, enabled: bool) -> Iterator[list[int]]:
    """While terraform runs, pass each SIGINT / SIGTERM on to it instead of dying
    (one per signal received: a second Ctrl-C stops terraform at once)."""
    received: list[int] = []
    if not enabled:
        yield received
        return

    def forward(signum, _frame):
        received.append(signum)
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
