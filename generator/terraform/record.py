"""A record of a terraform run that changes infrastructure, left in the root
module while it runs: ``.authgen-run.json``.

terraform never outlives authgen (it gets an interrupt when authgen dies, and
saves its state), but an object whose creation was under way at that moment
may exist in the cloud without being in the state: terraform stops waiting
for the API call, the API completes it. An app client created that way has a
live secret and nothing tracks it. The record lists every object whose
creation started and has not completed (from terraform's ``apply_start`` /
``apply_complete`` events). authgen removes it when it sees terraform finish;
one that is still there at the next run means authgen was killed, and that
run says which objects may have been left over.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.files import atomic_write
from generator.terraform.plans import PRIVATE_FILE

log = logging.getLogger(__name__)

RECORD_NAME = ".authgen-run.json"


@dataclass
class RunRecord:
    """The record of one run: ``creating`` lists addresses whose creation
    started and has not completed (yet)."""

    path: Path
    command: str = ""
    pid: int = 0
    started: str = ""
    creating: list[str] = field(default_factory=list)

    @classmethod
    def begin(cls, workdir: Path, command: str) -> RunRecord:
        """Write a fresh record for ``terraform COMMAND`` run by this process."""
        record = cls(
            workdir / RECORD_NAME,
            command=command,
            pid=os.getpid(),
            started=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        record._save()
        return record

    @classmethod
    def left_over(cls, workdir: Path) -> RunRecord | None:
        """The record of an earlier run that did not finish (its process is
        gone), or None. A record of a live process is someone's current run."""
        path = workdir / RECORD_NAME
        try:
            data = json.loads(path.read_text())
            pid = int(data["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if pid != os.getpid() and _alive(pid):
            return None
        return cls(
            path,
            command=str(data.get("command", "")),
            pid=pid,
            started=str(data.get("started", "")),
            creating=[str(a) for a in data.get("creating") or []],
        )

    def create_started(self, address: str) -> None:
        if address not in self.creating:
            self.creating.append(address)
            self._save()

    def create_completed(self, address: str) -> None:
        if address in self.creating:
            self.creating.remove(address)
            self._save()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def describe(self) -> str:
        """One paragraph for the next run: what did not finish, what may be left over."""
        text = (
            f"authgen (pid {self.pid}) was stopped during terraform {self.command} "
            f"(started {self.started}) and could not report how it ended"
        )
        if not self.creating:
            return text + "; nothing was being created at that moment"
        return (
            text + f"; it was creating {', '.join(self.creating)}: whatever of that is not in the "
            "state now exists outside it (e.g. an app client with a live secret); find it "
            "and delete it, or import it"
        )

    def _save(self) -> None:
        try:
            atomic_write(
                self.path,
                json.dumps(
                    {
                        "command": self.command,
                        "pid": self.pid,
                        "started": self.started,
                        "creating": self.creating,
                    }
                )
                + "\n",
                mode=PRIVATE_FILE,
            )
        except OSError as err:  # the run itself matters more than its record
            log.warning("cannot write %s: %s", self.path, err)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill()
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]
