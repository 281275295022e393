"""What a failed terraform run means, from its diagnostics.

A non-zero exit becomes a ``TerraformFailed`` whose one-line message is built
from terraform's error diagnostics. Some diagnostics mean something the caller
acts on, and get a class of their own, recognised by the diagnostic's summary:
a stale saved plan (``StalePlanError``: plan again), a held state lock
(``StateLocked``, carrying the lock's holder), a provider that cannot be
installed (``ProviderUnavailable``). Text terraform printed outside its JSON
stream is kept whole (``stderr``) and is the message only when there is no
diagnostic.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.errors import TerraformError
from generator.terraform.events import Diagnostic, LockInfo

INSTALL_HINT = (
    "install Terraform (https://developer.hashicorp.com/terraform/install) and put it on PATH"
)
MIRROR_HINT = (
    "supply a mirror: set TF_PLUGIN_DIR (or pass --plugin-dir) to a directory holding the "
    "provider in Terraform's unpacked layout (<dir>/registry.terraform.io/<namespace>/<type>/"
    "<version>/<os_arch>/), or add a filesystem_mirror to a Terraform CLI config "
    "(TF_CLI_CONFIG_FILE)"
)

#: Diagnostic summaries with a meaning of their own.
STALE_PLAN = "Saved plan is stale"
STATE_LOCK = "Error acquiring the state lock"
PROVIDER_INSTALL = frozenset(
    {
        "Failed to query available provider packages",
        "Failed to install provider",
        "Failed to install provider from shared cache",
    }
)
#: In a provider-installation diagnostic's detail: the provider is in no
#: search location (a mirror or -plugin-dir that lacks it).
NOT_IN_MIRROR = "not found in any of the search locations"
#: ... or the registry could not be asked (terraform's getproviders errors).
UNREACHABLE = (
    "could not connect to",
    "could not query provider registry",
    "failed to request discovery document",
)
#: Longest text (outside the JSON stream) put into a one-line message.
TEXT_LIMIT = 2000


class TerraformFailed(TerraformError):
    """terraform ran and exited non-zero.

    ``str(err)`` is one line built from terraform's error diagnostics;
    ``diagnostics`` holds them all (warnings too); ``stderr`` keeps the text
    terraform printed outside its JSON stream, whole, for a debug log.
    """

    def __init__(
        self,
        message: str,
        *,
        command: str,
        returncode: int | None,
        stderr: str = "",
        diagnostics: Sequence[Diagnostic] = (),
    ):
        super().__init__(message)
        self.command = command
        self.returncode = returncode
        self.stderr = stderr
        self.diagnostics = tuple(diagnostics)


class StalePlanError(TerraformFailed):
    """The saved plan no longer matches the state or the render: plan again."""


class ProviderUnavailable(TerraformFailed):
    """init could not install a provider: registry unreachable or not in the mirror."""

    def __init__(self, message: str, *, providers: list[str], **kwargs: Any):
        super().__init__(message, **kwargs)
        self.providers = providers


class StateLocked(TerraformFailed):
    """Another run holds the state lock; ``lock`` says who, since when, doing what."""

    def __init__(self, message: str, *, lock: LockInfo, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.lock = lock


class TerraformVersionError(TerraformError):
    """The terraform binary is older than authgen needs, or not Terraform."""

    def __init__(self, message: str, *, binary: str, found: str, minimum: str):
        super().__init__(message)
        self.binary = binary
        self.found = found
        self.minimum = minimum


def classify(
    command: str,
    returncode: int,
    diagnostics: Sequence[Diagnostic],
    text: Sequence[str],
    *,
    workdir: Path,
    plugin_dir: Path | None,
) -> TerraformFailed:
    """The error for a run of ``terraform COMMAND`` that exited ``returncode``."""
    errors = [d for d in diagnostics if d.is_error]
    common: dict[str, Any] = {
        "command": command,
        "returncode": returncode,
        "stderr": "\n".join(text),
        "diagnostics": diagnostics,
    }
    summaries = {d.summary for d in errors}
    if STALE_PLAN in summaries:
        return StalePlanError(
            f"terraform {command}: the saved plan is stale (the state changed after it was "
            "made); plan again",
            **common,
        )
    locked = next((d for d in errors if d.summary == STATE_LOCK), None)
    if locked is not None:
        lock = LockInfo.from_diagnostic(locked)
        return StateLocked(_lock_message(command, lock, workdir), lock=lock, **common)
    installing = [d for d in errors if d.summary in PROVIDER_INSTALL]
    if command == "init" and installing:
        found = _provider_unavailable(installing, plugin_dir, common)
        if found is not None:
            return found
    if errors:
        reasons = list(dict.fromkeys(d.one_line() for d in errors))
        reason = "; ".join(reasons[-3:])
    else:
        reason = " ".join(" ".join(text).split()) or "no error output"
        if len(reason) > TEXT_LIMIT:
            reason = "..." + reason[-(TEXT_LIMIT - 3) :]
    return TerraformFailed(
        f"terraform {command} failed (exit code {returncode}): {reason}", **common
    )


def _lock_message(command: str, lock: LockInfo, workdir: Path) -> str:
    holder = lock.who or "another run"
    doing = lock.operation.removeprefix("OperationType").lower() or "an operation"
    since = f" since {lock.created}" if lock.created else ""
    ident = f" (lock ID {lock.id})" if lock.id else ""
    unlock = (
        f"'terraform force-unlock {lock.id}' in {workdir}"
        if lock.id
        else f"'terraform force-unlock LOCK_ID' in {workdir}"
    )
    return (
        f"terraform {command}: the state is locked by {holder} ({doing}{since}){ident}; wait "
        f"for that run to finish, or, only if it died, release the lock with {unlock}"
    )


def _provider_unavailable(
    diagnostics: list[Diagnostic], plugin_dir: Path | None, common: dict[str, Any]
) -> ProviderUnavailable | None:
    providers = provider_names(diagnostics)
    names = ", ".join(providers) or "a provider"
    details = " ".join(" ".join(d.detail.split()) for d in diagnostics)
    if NOT_IN_MIRROR in details:
        where = f"the plugin dir {plugin_dir}" if plugin_dir else "the configured mirror"
        return ProviderUnavailable(
            f"terraform init: provider {names} is not in {where}; add it there in Terraform's "
            "unpacked layout (<dir>/registry.terraform.io/<namespace>/<type>/<version>/"
            "<os_arch>/) or point TF_PLUGIN_DIR / --plugin-dir at a mirror that has it",
            providers=providers,
            **common,
        )
    if any(marker in details for marker in UNREACHABLE):
        return ProviderUnavailable(
            f"terraform init: cannot install provider {names}: the provider registry "
            f"cannot be reached; {MIRROR_HINT}",
            providers=providers,
            **common,
        )
    return None


def provider_names(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """The providers (``namespace/type``) that provider-installation
    diagnostics are about: the word after "provider" in their detail, as
    terraform names them there (``provider hashicorp/aws``,
    ``provider registry.terraform.io/hashicorp/aws``)."""
    names: list[str] = []
    for diagnostic in diagnostics:
        words = diagnostic.detail.split()
        for before, word in itertools.pairwise(words):
            if before != "provider" or "/" not in word:
                continue
            name = word.rstrip(":,.;").removeprefix("registry.terraform.io/")
            if name not in names:
                names.append(name)
    return names
