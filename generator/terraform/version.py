"""The Terraform version check: ``terraform version -json``, once per binary.

authgen drives ``init`` through ``init -json``, which arrived in Terraform
1.9, so that is the floor; the rendered root modules say the same in
``required_version`` (``generator.render``), which terraform enforces itself.
An older binary, or something on PATH that is not Terraform (no JSON from
``version -json``), is refused before it runs anything, in one line naming
what it is and what is needed: an old or fake terraform must never make a
plan look like "No changes".
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from generator.terraform.failures import INSTALL_HINT, TerraformVersionError

#: The oldest Terraform authgen runs (``init -json``).
MIN_VERSION = "1.9.0"

_lock = threading.Lock()
#: (real path, mtime, size) of a binary -> the version it reported.
_seen: dict[tuple[str, int, int], Reported] = {}


def parse(version: str) -> tuple[int, ...] | None:
    """``"1.11.4"`` -> ``(1, 11, 4, 1)``; a pre-release (``1.10.0-rc1``) sorts
    before its release (last item 0). None when it is not such a version."""
    core, dash, _ = version.strip().removeprefix("v").partition("-")
    parts = core.split(".")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    return (*numbers, 0 if dash else 1)


@dataclass(frozen=True)
class Reported:
    """What ``terraform version -json`` said: ``version`` when it printed
    Terraform's version JSON, else None and ``printed`` (its first line)."""

    version: str | None
    printed: str
    returncode: int | None


def installed(binary: str, env: dict[str, str]) -> Reported:
    """What ``binary`` reports in ``terraform version -json``, asked once per
    binary (path, size and modification time) and process."""
    path = Path(binary)
    try:
        stat = path.stat()
    except OSError:
        return _ask(binary, env)  # the run below says why it cannot start
    key = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _seen:
            return _seen[key]
    reported = _ask(binary, env)
    with _lock:
        _seen[key] = reported
    return reported


def check(binary: str, env: dict[str, str], minimum: str = MIN_VERSION) -> str:
    """The version of ``binary``, after making sure it is Terraform and at
    least ``minimum``; else ``TerraformVersionError`` naming both."""
    need = parse(minimum)
    if need is None:
        raise ValueError(f"not a version: {minimum!r}")
    reported = installed(binary, env)
    found = reported.version
    if found is None:
        raise TerraformVersionError(
            f"{binary} is not Terraform >= {minimum}: 'terraform version -json' printed "
            f"{reported.printed!r} (exit code {reported.returncode}), not Terraform's version "
            f"JSON; {INSTALL_HINT}",
            binary=binary,
            found=reported.printed,
            minimum=minimum,
        )
    have = parse(found)
    if have is None or have < need:
        raise TerraformVersionError(
            f"terraform {found} at {binary} is too old: authgen needs Terraform >= {minimum}; "
            "install a newer one (https://developer.hashicorp.com/terraform/install)",
            binary=binary,
            found=found,
            minimum=minimum,
        )
    return found


def _ask(binary: str, env: dict[str, str]) -> Reported:
    # No update check (it would reach checkpoint-api.hashicorp.com).
    env = {**env, "CHECKPOINT_DISABLE": "1"}
    try:
        done = subprocess.run(
            [binary, "version", "-json"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except OSError as err:
        raise TerraformVersionError(
            f"cannot run {binary}: {err.strerror}; {INSTALL_HINT}",
            binary=binary,
            found="",
            minimum=MIN_VERSION,
        ) from None
    except subprocess.TimeoutExpired:
        return Reported(None, "nothing within 60 s", None)
    out = done.stdout.decode("utf-8", errors="replace")
    printed = next((line.strip() for line in out.splitlines() if line.strip()), "nothing")
    try:
        data = json.loads(out)
        found = data["terraform_version"]
    except (ValueError, KeyError, TypeError):
        return Reported(None, printed, done.returncode)
    if not isinstance(found, str) or parse(found) is None:
        return Reported(None, printed, done.returncode)
    return Reported(found, printed, done.returncode)
