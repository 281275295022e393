"""What verify reports: one :class:`Check` row per step, and how rows word values.

Every row has a status. ``PASS`` and ``FAIL`` are what they say. ``SKIP``
means the check does not apply (the authorizer file does not set the rule),
was not asked for (``--no-token``), or could not run because an earlier row
failed; the orchestration (``generator.verify.run``) makes sure a check that
could not run for any other reason is a ``FAIL``, so "no failed row" means
"every check that applies ran and passed".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class Status(enum.StrEnum):
    """The outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"  # not applicable, not asked for, or blocked by a failed row (the detail says)


@dataclass(frozen=True)
class Check:
    """One verification row. ``fix`` is set for failures (and some skips)."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        """Not a failure (a skip does not fail a run)."""
        return self.status is not Status.FAIL

    @property
    def passed(self) -> bool:
        """The check ran and passed."""
        return self.status is Status.PASS


def all_ok(checks: Iterable[Check]) -> bool:
    """True when no row failed (the CLI exits 0 then)."""
    return all(c.ok for c in checks)


def skipped(name: str, why: str) -> Check:
    """A row for a check that could not run because an earlier one failed."""
    return Check(name, Status.SKIP, f"skipped: {why}")


# --------------------------------------------------------------------------
# Wording of values inside rows
# --------------------------------------------------------------------------


def listing(items: Iterable[Any]) -> str:
    """``[a, b]``: a list as rows show it."""
    return "[" + ", ".join(str(i) for i in items) + "]"


def kind_of(value: Any) -> str:
    """The JSON kind of a claim value, for "is an array, but ..." rows."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def iso(ts: float) -> str:
    """A NumericDate as ``2026-01-31T12:00:00Z``."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(seconds: float) -> str:
    """A duration in the unit a person would use (``90 s``, ``5 min``, ``3 h``, ``2 days``)."""
    seconds = abs(int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def shorten(value: Any, limit: int = 160) -> str:
    """``value`` as one line of at most ``limit`` characters. Text that can
    hold a secret is masked before it gets here."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
