"""Which deletions and replacements a plan would make, and whether to allow them.

Renaming a user pool, a client or a domain prefix, or changing an API
identifier, makes Terraform replace the object: delete it, then create a new
one with a new id (and a new secret). Callers holding the old ids stop
working, and for a Cognito pool under deletion protection the apply fails
half-way, after everything that depends on the pool is already gone.

``review`` reads a ``show -json`` plan document and names every delete or
replace of a type the provider guards (``Provider.guarded``: the user pool,
app clients, the domain and the resource server; Auth0's API, applications
and client grants), with the reason from Terraform's ``action_reason`` and
``replace_paths`` and the attribute values from the masked summary (never a
secret). ``Review.refused`` says whether authgen must stop before Terraform
touches anything:

* ``protected: true`` refuses any such change unless ``--allow-replace``,
  except the replacement of a *tainted* object (a create that an interrupted
  run left half-done, or one an operator marked): replacing it is how the
  environment is completed, so it is warned about and confirmed instead;
* a deletion the provider itself would refuse (``deletion_blocked``, e.g. a
  pool with deletion protection on) is refused always: it cannot succeed,
  and would break the environment on the way.

Unprotected environments (and ``--allow-replace``) get the same list as a
warning and a confirmation (``Review.needs_confirmation``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.plan_summary import SENSITIVE, UNKNOWN

if TYPE_CHECKING:
    from generator.providers import Provider

#: Terraform's ``action_reason`` values, for people.
REASONS = {
    "replace_because_tainted": "it is tainted (an earlier create failed half-way, or it was "
    "marked for replacement)",
    "replace_by_request": "its replacement was requested (-replace)",
    "replace_by_triggers": "a replace_triggered_by reference changed",
    "delete_because_no_resource_config": "it is no longer in the configuration",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_wrong_repetition": "its count/for_each changed shape",
    "delete_because_count_index": "its index is no longer in the configuration",
    "delete_because_each_key": "its key is no longer in the spec (a client removed or renamed)",
    "delete_because_no_move_target": "its moved target is gone",
}


@dataclass(frozen=True)
class Finding:
    """One guarded object the plan deletes or replaces."""

    address: str
    type: str
    what: str
    action: str
    why: str
    blocked: str | None = None
    #: Replaced because it is tainted (not a change of the spec).
    tainted: bool = False

    def __str__(self) -> str:
        verb = "replaced" if self.action == "replace" else "deleted"
        text = f"{self.address} ({self.what}) would be {verb}: {self.why}"
        return text + (f"; {self.blocked}" if self.blocked else "")

    def as_dict(self) -> dict[str, Any]:
        """The ``plan.json`` / ``--json`` form."""
        return {
            "address": self.address,
            "type": self.type,
            "what": self.what,
            "action": self.action,
            "why": self.why,
            "blocked": self.blocked,
            "tainted": self.tainted,
        }


@dataclass(frozen=True)
class Review:
    """What a plan would delete or replace, and what authgen does about it."""

    environment: str
    protected: bool
    allow_replace: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> list[Finding]:
        """Findings the provider would refuse to carry out."""
        return [f for f in self.findings if f.blocked]

    @property
    def refused(self) -> bool:
        """authgen must stop before terraform applies anything."""
        if self.blocked:
            return True
        changed = [f for f in self.findings if not f.tainted]
        return bool(changed) and self.protected and not self.allow_replace

    @property
    def needs_confirmation(self) -> bool:
        """Going ahead deletes or replaces live objects: ask (unless --auto-approve)."""
        return bool(self.findings) and not self.refused

    def way_out(self) -> str:
        """What the user can do instead, for the refusal."""
        env = self.environment
        unprotect = (
            f"set protected: false and apply that change alone ('authgen apply {env}'), then "
            "apply this change, then set protected: true again"
        )
        if self.blocked:
            return f"to go ahead: {unprotect}"
        return (
            f"to go ahead: 'authgen apply {env} --allow-replace' (callers must take the new ids "
            f"and secrets), or {unprotect}"
        )

    def refusal(self) -> str:
        """The one-line error of a refused plan."""
        count = len(self.findings)
        subject = (
            f"{self.environment} is protected and this plan"
            if self.protected
            else f"this plan of {self.environment}"
        )
        return (
            f"{subject} would delete or replace {count} live object{'s' if count != 1 else ''}: "
            + "; ".join(str(f) for f in self.findings)
            + f". Nothing was changed; {self.way_out()}"
        )

    def warning(self) -> str:
        """The loud line ``plan`` shows (and apply before asking)."""
        count = len(self.findings)
        head = (
            f"WARNING: this plan deletes or replaces {count} live object{'s' if count != 1 else ''}"
        )
        if self.refused:
            head += " and 'authgen apply' will refuse it"
        elif self.protected and all(f.tainted for f in self.findings):
            head += " of a protected environment (tainted: left half-done, to be completed)"
        elif self.protected:
            head += " of a protected environment (allowed by --allow-replace)"
        return head + ": " + "; ".join(str(f) for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The ``plan.json`` / ``--json`` form."""
        return {
            "protected": self.protected,
            "refused": self.refused,
            "findings": [f.as_dict() for f in self.findings],
            "way_out": self.way_out() if self.refused else None,
        }


def review(
    plan: Mapping[str, Any],
    summary: Mapping[str, Any],
    entry: Provider,
    *,
    environment: str,
    protected: bool,
    allow_replace: bool = False,
) -> Review:
    """The guarded deletes and replaces of a ``show -json`` plan document;
    ``summary`` is its masked summary (attribute values for the messages)."""
    attributes = {r["address"]: r.get("attributes") or [] for r in summary.get("resources") or []}
    findings = []
    for rc in plan.get("resource_changes") or []:
        kind = rc.get("type", "")
        if rc.get("mode", "managed") != "managed" or kind not in entry.guarded:
            continue
        change = rc.get("change") or {}
        actions = sorted(change.get("actions") or [])
        if "delete" not in actions:
            continue
        action = "replace" if "create" in actions else "delete"
        before = change.get("before") if isinstance(change.get("before"), Mapping) else {}
        findings.append(
            Finding(
                address=rc.get("address", ""),
                type=kind,
                what=entry.guarded[kind],
                action=action,
                why=_why(rc, action, attributes.get(rc.get("address", ""), [])),
                blocked=entry.deletion_blocked(kind, before),
                tainted=rc.get("action_reason") == "replace_because_tainted",
            )
        )
    return Review(environment, protected, allow_replace, findings)


def _why(rc: Mapping[str, Any], action: str, attributes: list[Mapping[str, Any]]) -> str:
    reason = rc.get("action_reason")
    change = rc.get("change") or {}
    paths = [p for p in change.get("replace_paths") or [] if isinstance(p, list) and p]
    if action == "replace" and paths and reason in (None, "replace_because_cannot_update"):
        shown = {a["name"]: a for a in attributes}
        parts = []
        for name in dict.fromkeys(str(p[0]) for p in paths):
            attribute = shown.get(name)
            if attribute is None:
                parts.append(name)
            elif attribute.get("after") == UNKNOWN:
                parts.append(f"{name} changes (to a new id: what it belongs to is replaced)")
            else:
                parts.append(
                    f"{name} changes {_value(attribute.get('before'))} -> "
                    f"{_value(attribute.get('after'))}"
                )
        return ", ".join(parts) + " and the provider cannot change that in place"
    if reason in REASONS:
        return REASONS[reason]
    return "the plan replaces it" if action == "replace" else "the plan deletes it"


def _value(value: Any) -> str:
    if value in (SENSITIVE, UNKNOWN):
        return str(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    return str(value)
