"""The error hierarchy.

``AuthgenError`` and its subclasses are user errors: they carry the one line
the user sees, and the CLI prints it and exits 1 (or ``exit_code``). Any
other exception is a bug and keeps its traceback. Constructors never print.
"""

from __future__ import annotations


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
