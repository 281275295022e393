"""The root module's directory and what surrounds a run in it: the dependency
lock file kept in the repo, the shared plugin cache, and the modes of files
that hold secrets.

Terraform state, its backup and saved plans hold client secrets in clear
(a saved plan embeds the prior state). terraform runs with umask 077, so the
files it creates are 0600; ``protect`` brings files made before that (or by
an older authgen) to 0600 and the root module's directory to 0700.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from generator.files import atomic_write
from generator.terraform.plans import LOCK_FILE_NAME, PRIVATE_FILE

log = logging.getLogger(__name__)

#: In the plugin cache directory: held (flock) while an init may fill it.
CACHE_LOCK_NAME = ".authgen-init.lock"
#: Mode of a root module's directory (it holds state and saved plans).
PRIVATE_DIR = 0o700
#: Files terraform keeps state in, relative to the root module.
STATE_FILES = (
    "terraform.tfstate",
    "terraform.tfstate.backup",
    "errored.tfstate",
    ".terraform/terraform.tfstate",
)


def default_plugin_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/authgen/plugin-cache``, else ``~/.cache/authgen/plugin-cache``."""
    env = os.environ if env is None else env
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "authgen" / "plugin-cache"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".cache" / "authgen" / "plugin-cache"


def protect(workdir: Path, *files: Path) -> None:
    """``workdir`` (and its ``.terraform``) 0700; its state files and ``files``
    (saved plans) 0600.
    Files that do not exist, or that belong to someone else, are left alone."""
    _chmod(workdir, PRIVATE_DIR)
    _chmod(workdir / ".terraform", PRIVATE_DIR)
    for path in (*(workdir / name for name in STATE_FILES), *files):
        _chmod(path, PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass
    except OSError as err:
        log.debug("cannot make %s mode %o: %s", path, mode, err)


def copy_lock_in(lock_file: Path | None, workdir: Path) -> None:
    """The repo's lock file into the root module (or, without one, none)."""
    if lock_file is None:
        return
    local = workdir / LOCK_FILE_NAME
    if lock_file.is_file():
        data = lock_file.read_bytes()
        if not local.is_file() or local.read_bytes() != data:
            atomic_write(local, data)
    elif local.exists():
        # The repo holds no lock file: let terraform select providers afresh.
        local.unlink()


def copy_lock_out(lock_file: Path | None, workdir: Path) -> None:
    """The root module's lock file back to the repo, when init changed it."""
    if lock_file is None:
        return
    local = workdir / LOCK_FILE_NAME
    if not local.is_file():
        return
    data = local.read_bytes()
    if lock_file.is_file() and lock_file.read_bytes() == data:
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(lock_file, data)
    log.info("updated the dependency lock file %s", lock_file)


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (created if needed), waited for.

    flock locks belong to an open file description, so this excludes other
    threads of this process as well as other processes. Where the lock file
    cannot be made (a read-only, pre-filled cache), there is nothing to guard.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as err:
        log.debug("no lock on %s (%s): going on without it", path, err)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
