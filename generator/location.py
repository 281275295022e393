"""Where an environment lives, and refusing a spec that moves it.

Terraform cannot move an identity pool: with a new region, account, endpoint
or Auth0 tenant it plans to create a new environment there, and the old one,
clients with live secrets included, stays where it was, untracked. authgen
makes moves explicit instead.

Every rendered root records where it lives as the root output
``authgen_location`` (``{"provider": ..., "region": ..., "endpoint": ...,
"account": ...}`` for Cognito, ``{"provider": ..., "domain": ...}`` for
Auth0; the provider entry's ``location(spec)``, plus the AWS account read by
Terraform). The output lives in the Terraform state, so the record travels
with the state to any backend. Before planning, the recorded place is
compared with the spec's (``moves``); after planning, the recorded account
with the one the credentials belong to now (``account_move``). A difference
stops the run before anything is created in the new place.

An emulator on loopback counts as one place whatever its port: a restarted
emulator listens elsewhere, and what it held is gone anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator import rules

#: The root output holding the record.
OUTPUT = "authgen_location"
#: Keys in the order messages name them.
KEYS = ("provider", "account", "region", "domain", "endpoint")
LOCAL_EMULATOR = "a local emulator"
AWS = "AWS"


@dataclass(frozen=True)
class Move:
    """One key of the place that differs: ``old`` (recorded) and ``new``."""

    key: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.key} {self.old} -> {self.new}"


def recorded(outputs: Mapping[str, Any]) -> dict[str, str] | None:
    """The place recorded in the state's outputs, or None (never applied, or
    applied before authgen recorded it)."""
    value = outputs.get(OUTPUT)
    if not isinstance(value, Mapping):
        return None
    return {str(k): str(v) for k, v in value.items() if v not in (None, "")}


def normal(key: str, value: str | None) -> str:
    """The comparable form of a value (loopback emulators are one place)."""
    if key == "endpoint":
        if not value:
            return AWS
        host = urlsplit(value).hostname or ""
        return LOCAL_EMULATOR if rules.is_loopback_host(host) else value.rstrip("/")
    return value or "(none)"


def moves(old: Mapping[str, str], new: Mapping[str, str]) -> list[Move]:
    """The keys of ``new`` (the spec's place) that differ from ``old`` (the
    recorded one). Keys only one side knows are compared only for
    ``endpoint`` (absent means the provider's real endpoint)."""
    found = []
    for key in KEYS:
        if key != "endpoint" and (key not in old or key not in new):
            continue
        before, after = normal(key, old.get(key)), normal(key, new.get(key))
        if before != after:
            found.append(Move(key, before, after))
    return found


def account_move(plan: Mapping[str, Any]) -> Move | None:
    """The account change a ``show -json`` plan document reveals: the recorded
    account (before) differs from the one the credentials reach now (after)."""
    change = (plan.get("output_changes") or {}).get(OUTPUT) or {}
    before, after = change.get("before"), change.get("after")
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return None
    old, new = before.get("account"), after.get("account")
    if isinstance(old, str) and isinstance(new, str) and old and new and old != new:
        return Move("account", old, new)
    return None


def describe(place: Mapping[str, str]) -> str:
    """``region us-west-2, endpoint a local emulator`` for messages."""
    return ", ".join(f"{key} {normal(key, place.get(key))}" for key in KEYS if key in place)
