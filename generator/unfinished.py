"""A record of runs that change an environment and did not finish.

``build/<env>/.authgen-unfinished.json`` lists the ``apply`` / ``destroy``
runs under way: an entry is added before terraform starts changing anything
and removed when authgen sees terraform finish (succeeded or failed: either
way terraform recorded what it did). An entry whose process is gone means
that run was killed or crashed (``kill -9``, a lost CI runner, an interrupt
while a create was in flight): an object may have been created at the
provider without reaching the state. The next run on the environment says so
and lists what it can see left over (``generator.leftovers``); the entry is
cleared once a listing finds nothing, or ``authgen leftovers ENV --delete``
removed what it found.

Commands use the record only while they hold the environment's run lock, so
no other authgen run on this machine is changing it at the same time.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import Interrupted, TerraformError
from generator.files import atomic_write

log = logging.getLogger(__name__)

RECORD_NAME = ".authgen-unfinished.json"


@dataclass(frozen=True)
class Run:
    """One run that started changing the environment."""

    command: str
    pid: int
    host: str
    started: str

    def alive(self) -> bool:
        """The run's process still runs on this host (another host's run
        cannot be checked and counts as not running)."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return True
        return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]

    def __str__(self) -> str:
        return f"'{self.command}' (pid {self.pid} on {self.host}, started {self.started})"


class Record:
    """The record file of one environment's build directory."""

    def __init__(self, build_dir: Path):
        self.path = Path(build_dir) / RECORD_NAME

    def runs(self) -> list[Run]:
        """Every run listed (an unreadable record counts as empty)."""
        try:
            data = json.loads(self.path.read_text())
            return [Run(**entry) for entry in data.get("runs", [])]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, TypeError, AttributeError) as err:
            log.warning("ignoring the unreadable run record %s: %s", self.path, err)
            return []

    def unfinished(self) -> list[Run]:
        """Runs that did not finish: listed, and their process is gone."""
        return [run for run in self.runs() if not run.alive()]

    def clear(self, runs: list[Run]) -> None:
        """Forget ``runs`` (their leftovers were looked for and dealt with)."""
        self._save([run for run in self.runs() if run not in runs])

    @contextmanager
    def running(self, command: str) -> Iterator[Run]:
        """List this run while the block changes the environment.

        The entry is removed when the block ends normally or with a terraform
        error (terraform finished and recorded what it did); it stays when the
        run is interrupted or dies another way, so the next run looks for
        leftovers.
        """
        run = Run(
            command=command,
            pid=os.getpid(),
            host=socket.gethostname(),
            started=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        self._save([*self.runs(), run])
        try:
            yield run
        except Interrupted:
            raise
        except TerraformError:
            self.clear([run])
            raise
        else:
            self.clear([run])

    def _save(self, runs: list[Run]) -> None:
        if not runs:
            self.path.unlink(missing_ok=True)
            return
        document = {"runs": [asdict(run) for run in runs]}
        atomic_write(self.path, json.dumps(document, indent=2, sort_keys=True) + "\n")
