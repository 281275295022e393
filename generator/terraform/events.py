"""Terraform's machine-readable event stream, as typed values.

With ``-json``, ``terraform init`` (>= 1.9), ``plan``, ``apply`` and
``destroy`` print one JSON object per line on stdout: progress (``apply_start``,
``apply_complete``, ``change_summary``, ...), messages (``log``,
``init_output``) and diagnostics (``severity``, ``summary``, ``detail``,
``address``). ``decode`` turns a line into an ``Event``; anything that is not
such an object (text terraform prints before JSON mode starts, ``TF_LOG``
output on stderr) becomes an event of type ``text`` holding the line whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: ``Event.type`` of a line printed outside terraform's JSON stream.
TEXT = "text"
#: ``Event.type`` of a diagnostic (an error or a warning).
DIAGNOSTIC = "diagnostic"
#: Longest detail kept in a one-line rendering of a diagnostic.
DETAIL_LIMIT = 300


@dataclass(frozen=True)
class Diagnostic:
    """One of terraform's diagnostics: ``severity`` is ``error`` or ``warning``;
    ``address`` names the resource it is about, when terraform says."""

    severity: str
    summary: str
    detail: str = ""
    address: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def one_line(self) -> str:
        """``summary (address): first paragraph of the detail``, in one line."""
        text = self.summary + (f" ({self.address})" if self.address else "")
        paragraph = self.detail.strip().split("\n\n")[0]
        detail = " ".join(paragraph.split())
        if detail:
            if len(detail) > DETAIL_LIMIT:
                detail = detail[: DETAIL_LIMIT - 3] + "..."
            text += ": " + detail
        return text


@dataclass(frozen=True)
class Event:
    """One event of a terraform run.

    ``type`` is terraform's own (``version``, ``init_output``, ``log``,
    ``planned_change``, ``change_summary``, ``refresh_start``,
    ``apply_start``, ``apply_progress``, ``apply_complete``,
    ``apply_errored``, ``provision_*``, ``outputs``, ``diagnostic``, ...) or
    ``text`` for a line outside the JSON stream (``stream`` says which).
    ``message`` is terraform's ``@message`` (for a diagnostic its one-line
    rendering; for text the line), with known secrets already masked.
    ``code`` is ``init_output``'s ``message_code``; ``kind`` is the most
    specific of the two, what a display filters on.
    """

    type: str
    message: str
    level: str = "info"
    command: str = ""
    address: str | None = None
    action: str | None = None
    code: str | None = None
    changes: Mapping[str, int] | None = None
    diagnostic: Diagnostic | None = None
    stream: str = "stdout"

    @property
    def kind(self) -> str:
        return self.code or self.type


@dataclass(frozen=True)
class LockInfo:
    """Who holds a state lock, as terraform reports it (every backend's lock
    error carries the same block: ID, path, operation, who, version, created).
    ``reason`` is the backend's error message (e.g. "resource temporarily
    unavailable", a conditional-write failure for an S3 lock file)."""

    id: str = ""
    path: str = ""
    operation: str = ""
    who: str = ""
    version: str = ""
    created: str = ""
    info: str = ""
    reason: str = ""

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> LockInfo:
        """The lock block of an ``Error acquiring the state lock`` diagnostic.

        Terraform puts the lock's fields in the diagnostic's detail only, as
        ``Key: value`` lines under ``Lock Info:`` (its ``LockInfo.String``);
        they are read field by field, by name.
        """
        fields: dict[str, str] = {}
        in_block = False
        for line in diagnostic.detail.splitlines():
            key, sep, value = line.strip().partition(":")
            if not in_block:
                if key == "Error message" and sep:
                    fields["reason"] = value.strip()
                in_block = line.strip() == "Lock Info:"
                continue
            if not sep:
                break
            fields[key.strip().lower()] = value.strip()
        known = {name: fields.get(name, "") for name in cls.__dataclass_fields__}
        return cls(**known)

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def decode(line: str, *, command: str) -> Event | None:
    """The event a stdout line of ``terraform COMMAND -json`` carries, or None
    when the line is not one of terraform's JSON messages."""
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return None
    kind = data["type"]
    resource = _resource(data)
    diagnostic = _diagnostic(data.get("diagnostic"))
    message = str(data.get("@message", ""))
    if diagnostic is not None:
        label = "Error" if diagnostic.is_error else "Warning"
        message = f"{label}: {diagnostic.one_line()}"
    changes = data.get("changes") if kind == "change_summary" else None
    return Event(
        type=kind,
        message=message,
        level=str(data.get("@level", "info")),
        command=command,
        address=(diagnostic.address if diagnostic else None) or resource.get("addr"),
        action=resource.get("action"),
        code=data.get("message_code") if isinstance(data.get("message_code"), str) else None,
        changes=(
            {k: v for k, v in changes.items() if isinstance(v, int)}
            if isinstance(changes, dict)
            else None
        ),
        diagnostic=diagnostic,
    )


def text(line: str, *, command: str, stream: str) -> Event:
    """An event holding a line terraform printed outside its JSON stream."""
    return Event(type=TEXT, message=line, command=command, stream=stream)


def _resource(data: dict[str, Any]) -> dict[str, Any]:
    """``addr`` and ``action`` of a hook or change event (empty otherwise)."""
    for key in ("hook", "change"):
        block = data.get(key)
        if isinstance(block, dict):
            resource = block.get("resource")
            found = {"action": block.get("action")}
            if isinstance(resource, dict):
                found["addr"] = resource.get("addr")
            return found
    return {}


def _diagnostic(block: Any) -> Diagnostic | None:
    if not isinstance(block, dict):
        return None
    return Diagnostic(
        severity=str(block.get("severity", "error")),
        summary=str(block.get("summary", "")),
        detail=str(block.get("detail") or ""),
        address=block.get("address") or None,
    )
