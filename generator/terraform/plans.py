"""What lets authgen skip work safely: fingerprints of a root module.

* A saved plan gets ``<plan>.fingerprint.json`` next to it: a digest of
  everything the plan was made from (the root's and its local modules'
  ``.tf`` files, variable files, the lock file, ``TF_VAR_*``). A plan is
  *current* while that digest matches; the state is not part of it, because
  terraform itself refuses a plan made from an older state ("Saved plan is
  stale"). A saved plan is used once.
* A successful init writes ``.terraform/authgen-init.json``: a digest of the
  configuration, the lock file and the plugin dir. Init is skipped while it
  matches and the installed providers are still there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.files import atomic_write

LOCK_FILE_NAME = ".terraform.lock.hcl"
#: Written under ``.terraform/`` after a successful init; see ``Runner.init``.
INIT_STAMP = Path(".terraform") / "authgen-init.json"
#: Saved next to a plan file: ``<plan>.fingerprint.json``.
FINGERPRINT_SUFFIX = ".fingerprint.json"
#: Mode of every file that may hold a secret (state, saved plans, records).
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class PlanResult:
    """A saved plan: ``changes`` is terraform's detailed exit code 2."""

    path: Path
    changes: bool
    destroy: bool
    fingerprint: str


def root_fingerprint(workdir: Path, env: Mapping[str, str]) -> str:
    """A digest of everything a plan of ``workdir`` is made from."""
    parts = config_files(workdir)
    for pattern in ("*.tfvars", "*.tfvars.json", LOCK_FILE_NAME):
        parts.extend((p.name, p.read_bytes()) for p in workdir.glob(pattern) if p.is_file())
    tf_vars = sorted((k, v) for k, v in env.items() if k.startswith("TF_VAR_"))
    parts.append(("env:TF_VAR_*", json.dumps(tf_vars).encode()))
    return _digest(parts)


def init_fingerprint(workdir: Path, plugin_dir: Path | None) -> str:
    """A digest of everything ``terraform init`` depends on."""
    parts = config_files(workdir)
    lock = workdir / LOCK_FILE_NAME
    if lock.is_file():
        parts.append((LOCK_FILE_NAME, lock.read_bytes()))
    parts.append(("plugin-dir", str(plugin_dir or "").encode()))
    return _digest(parts)


def init_is_current(workdir: Path, fingerprint: str) -> bool:
    """True when the last successful init had ``fingerprint`` and its
    providers are still installed."""
    try:
        stored = json.loads((workdir / INIT_STAMP).read_text())["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return stored == fingerprint and _providers_intact(workdir)


def write_init_stamp(workdir: Path, fingerprint: str) -> None:
    path = workdir / INIT_STAMP
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps({"fingerprint": fingerprint}) + "\n")


def clear_init_stamp(workdir: Path) -> None:
    (workdir / INIT_STAMP).unlink(missing_ok=True)


def meta_path(plan_path: Path) -> Path:
    """Where the fingerprint of the saved plan ``plan_path`` is kept."""
    return plan_path.with_name(plan_path.name + FINGERPRINT_SUFFIX)


def record_plan(plan_path: Path, fingerprint: str, *, destroy: bool) -> None:
    """Note what ``plan_path`` was made from (after terraform saved it)."""
    atomic_write(
        meta_path(plan_path),
        json.dumps({"fingerprint": fingerprint, "destroy": destroy}) + "\n",
        mode=PRIVATE_FILE,
    )


def forget_plan(plan_path: Path) -> None:
    """Remove a saved plan (it holds the prior state, secrets included) and
    its fingerprint."""
    meta_path(plan_path).unlink(missing_ok=True)
    plan_path.unlink(missing_ok=True)


def plan_is_current(plan_path: Path, fingerprint: str, *, destroy: bool | None) -> bool:
    """True when ``plan_path`` exists and was recorded with ``fingerprint``
    (and, when ``destroy`` is given, in that mode)."""
    try:
        meta = json.loads(meta_path(plan_path).read_text())
    except (OSError, ValueError):
        return False
    if not plan_path.is_file() or not isinstance(meta, dict):
        return False
    if destroy is not None and meta.get("destroy") is not destroy:
        return False
    return meta.get("fingerprint") == fingerprint


def config_files(workdir: Path) -> list[tuple[str, bytes]]:
    """(label, content) of the root's and its installed modules' ``.tf`` files."""
    parts = []
    for pattern in ("*.tf", "*.tf.json"):
        parts.extend((p.name, p.read_bytes()) for p in workdir.glob(pattern) if p.is_file())
    for key, directory in _module_dirs(workdir):
        for pattern in ("*.tf", "*.tf.json"):
            parts.extend(
                (f"module:{key}/{p.name}", p.read_bytes())
                for p in directory.glob(pattern)
                if p.is_file()
            )
    return parts


def _module_dirs(workdir: Path) -> list[tuple[str, Path]]:
    """(key, directory) of every module installed by the last init, the root excepted."""
    try:
        manifest = json.loads((workdir / ".terraform" / "modules" / "modules.json").read_text())
    except (OSError, ValueError):
        return []
    dirs = []
    for module in manifest.get("Modules") or []:
        key, directory = module.get("Key"), module.get("Dir")
        if key and directory:
            dirs.append((key, (workdir / directory).resolve()))
    return sorted(dirs)


def _providers_intact(workdir: Path) -> bool:
    """False when the lock file names providers that are not installed, or a
    provider link into the plugin cache dangles."""
    providers = workdir / ".terraform" / "providers"
    if not providers.exists():
        lock = workdir / LOCK_FILE_NAME
        return not (lock.is_file() and b'provider "' in lock.read_bytes())
    return not any(path.is_symlink() and not path.exists() for path in providers.rglob("*"))


def _digest(parts: list[tuple[str, bytes]]) -> str:
    lines = sorted(f"{label}\0{hashlib.sha256(data).hexdigest()}\n" for label, data in parts)
    return hashlib.sha256("".join(lines).encode()).hexdigest()
