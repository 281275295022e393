"""The error hierarchy.

``AuthgenError`` and its subclasses are user errors: they carry the one line
the user sees, and the CLI prints it and exits 1 (or ``exit_code``). Any
other exception is a bug and keeps its traceback. Constructors never print.
"""

from __future__ import annotations

import errno
import os


class AuthgenError(Exception):
    """A user-facing error: ``str(err)`` is the whole message."""

    exit_code = 1


class SpecError(AuthgenError):
    """One or more problems in an environment spec.

    ``problems`` holds one formatted line per problem, already in the
    ``file:line:col: key.path: what is wrong (what to do)`` form.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class TerraformError(AuthgenError):
    """terraform failed, is missing, or cannot be reached."""


class AuthorizerError(AuthgenError):
    """The authorizer file cannot be built or read."""


class VerifyError(AuthgenError):
    """Token fetch or verification could not run."""


class LockError(AuthgenError):
    """Another run holds the environment."""


class Interrupted(AuthgenError):
    """The user (or a signal) stopped the run; terraform was waited for."""

    exit_code = 130


#: What to do about the file system errors users meet (by errno).
_OS_HINTS = {
    errno.EROFS: "the file system is read-only; run where authgen can write",
    errno.EACCES: "check the permissions of the directory",
    errno.EPERM: "check the permissions (or an immutable attribute) of the file",
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.ENOTDIR: "a parent of this path is a file, not a directory; move it away",
    errno.EISDIR: "a directory is in the way; move it away",
    errno.ENOENT: "it does not exist",
}


def os_error_message(err: OSError) -> str:
    """One line for a file system error: the path(s), what went wrong, what to do."""
    paths = [os.fsdecode(p) for p in (err.filename, err.filename2) if p is not None]
    where = " -> ".join(_shown(p) for p in paths)
    reason = err.strerror or str(err)
    hint = _OS_HINTS.get(err.errno or 0)
    text = f"{where}: {reason}" if where else reason
    return f"{text}; {hint}" if hint else text


def _shown(path: str) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative
