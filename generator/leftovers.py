"""Objects of an environment that exist at the provider but not in its state.

Terraform tracks what it created in the state. An object whose creation was
under way when a run was killed (or crashed) can exist at the provider
without being in the state: the API call completed after terraform stopped
waiting. An app client made that way holds a live secret, and nothing
tracks it. The provider entries know how to find such objects
(``Provider.leftovers``) and delete them (``Provider.delete_leftover``);
this module holds what they share: the state's resources and the
``Leftover`` they report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StateResource:
    """One managed resource instance in the state: its address, type and
    attributes (which may hold secrets: never print them)."""

    address: str
    type: str
    attributes: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Leftover:
    """An object at the provider that the state does not hold.

    ``kind`` names it for people ("app client"), ``id`` / ``name`` identify
    it, ``where`` says where it is ("user pool us-west-2_x"), ``reason`` why
    it counts as left over, ``keys`` what deleting it needs, and ``blocked``
    (when set) why authgen will not delete it and what to do instead.
    """

    kind: str
    id: str
    name: str
    where: str
    reason: str
    keys: Mapping[str, str] = field(default_factory=dict)
    blocked: str = ""

    def describe(self) -> str:
        """One line: ``app client 'gateway-client' (id 4f1c...) in user pool ...: reason``."""
        name = f" {self.name!r}" if self.name and self.name != self.id else ""
        text = f"{self.kind}{name} ({self.id}) in {self.where}: {self.reason}"
        return text + (f"; {self.blocked}" if self.blocked else "")

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "where": self.where,
            "reason": self.reason,
            "blocked": self.blocked or None,
        }


def state_resources(state: Mapping[str, Any] | str | bytes | None) -> list[StateResource]:
    """The managed resource instances of a raw state document (``terraform
    state pull``, format version 4); empty for no state."""
    if isinstance(state, str | bytes):
        state = json.loads(state) if state.strip() else None
    if not isinstance(state, Mapping):
        return []
    found = []
    for resource in state.get("resources") or []:
        if resource.get("mode") != "managed":
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        base = f"{prefix}{resource.get('type')}.{resource.get('name')}"
        for instance in resource.get("instances") or []:
            key = instance.get("index_key")
            address = base if key is None else f"{base}[{json.dumps(key)}]"
            found.append(
                StateResource(address, str(resource.get("type")), instance.get("attributes") or {})
            )
    return found


def of_type(resources: list[StateResource], kind: str) -> list[Mapping[str, Any]]:
    """The attributes of every resource of type ``kind``."""
    return [r.attributes for r in resources if r.type == kind]


#: Error codes and phrases with which AWS (IAM, Lambda, CloudWatch Logs,
#: Cognito) and Auth0 refuse to create an object whose name is taken.
NAME_TAKEN = (
    "EntityAlreadyExists",
    "ResourceAlreadyExistsException",
    "ResourceConflictException",
    "already exist",
    "Domain already associated",
)


def name_taken(messages: Iterable[str]) -> bool:
    """Whether one of an apply's error messages says an object's name is
    taken: what an object left by a killed run does to the next apply."""
    return any(marker in message for message in messages for marker in NAME_TAKEN)


def taken_name_hint(environment: str) -> str:
    """What to do when an apply failed on a taken name."""
    return (
        f"; if a killed or failed earlier run made that object, 'authgen leftovers "
        f"{environment}' lists it and 'authgen leftovers {environment} --delete' removes it "
        "(or import it into the state)"
    )
