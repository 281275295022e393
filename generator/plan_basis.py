"""What a saved plan was made from, so that ``apply`` applies exactly what was
reviewed.

``authgen plan`` reads the state's serial and lineage (``terraform state
pull``) and the fingerprint of the rendered root just before terraform plans,
and keeps them next to the saved plan as ``<plan>.basis.json``. ``authgen
apply`` reads them again and compares before terraform runs: a plan whose
state moved on (another apply, a refresh that recorded drift), whose state is
a different one (lineage), or whose root changed (the spec, its defaults, the
templates, the modules, the lock file) is stale, and applying it would apply
something nobody reviewed, so apply refuses it in one line. Terraform's own
check ("Saved plan is stale") stays as the second line of defence.

A basis also says what the plan is for (``mode``): changes (``apply``), the
retirement of the environment (``retire``), or ``authgen destroy``
(``destroy``), so that a plan made for one is never applied for another.
A saved plan is used once: apply forgets the basis whatever happens.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.files import atomic_write

if TYPE_CHECKING:
    from generator.terraform import Runner

#: Next to a saved plan: ``<plan>.basis.json``.
BASIS_SUFFIX = ".basis.json"
#: What a plan is for.
MODES = ("apply", "retire", "destroy")
_MODE_WORDS = {
    "apply": "apply changes",
    "retire": "retire the environment",
    "destroy": "destroy the environment",
}


@dataclass(frozen=True)
class Basis:
    """What one plan was made from (``serial``/``lineage`` are ``None`` when
    there was no state yet)."""

    environment: str
    mode: str
    fingerprint: str
    serial: int | None
    lineage: str | None

    def to_json(self) -> str:
        """The file's text: sorted keys, a trailing newline."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def path_of(plan_path: Path) -> Path:
    """Where the basis of the saved plan ``plan_path`` is kept."""
    return plan_path.with_name(plan_path.name + BASIS_SUFFIX)


def capture(runner: Runner, environment: str, mode: str) -> Basis:
    """The basis a plan made now would have: the state's serial and lineage
    and the root's fingerprint (``runner`` is initialised)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {MODES}")
    snapshot = runner.state_snapshot()
    return Basis(
        environment=environment,
        mode=mode,
        fingerprint=runner.root_fingerprint(),
        serial=snapshot.serial if snapshot else None,
        lineage=snapshot.lineage if snapshot else None,
    )


def record(plan_path: Path, basis: Basis) -> None:
    """Keep ``basis`` next to the saved plan (after terraform saved it)."""
    atomic_write(path_of(plan_path), basis.to_json())


def load(plan_path: Path) -> Basis | None:
    """The basis of the saved plan, or ``None`` when there is no saved plan
    with a basis (never planned, already applied, or made by an older authgen)."""
    if not Path(plan_path).is_file():
        return None
    try:
        data = json.loads(path_of(plan_path).read_text())
        basis = Basis(**data)
    except (OSError, ValueError, TypeError):
        return None
    return basis if basis.mode in MODES else None


def forget(plan_path: Path) -> None:
    """The saved plan is used (or discarded): it is no longer a reviewed plan."""
    path_of(plan_path).unlink(missing_ok=True)


def stale_reason(saved: Basis, current: Basis) -> str | None:
    """Why a plan made from ``saved`` must not be applied now that things
    are ``current``; ``None`` when nothing it was made from changed."""
    if saved.mode != current.mode:
        return (
            f"it was made to {_MODE_WORDS[saved.mode]}, but this run would "
            f"{_MODE_WORDS[current.mode]}"
        )
    if saved.fingerprint != current.fingerprint:
        return (
            "the rendered root module changed since it was made (the spec, its shared defaults, "
            "the templates, the modules or the provider lock file)"
        )
    if saved.lineage is None and current.lineage is not None:
        return f"a state was written since it was made (serial {current.serial})"
    if saved.lineage is not None and current.lineage is None:
        return "the state it was made from is gone"
    if saved.lineage != current.lineage:
        return (
            f"the state is a different one (lineage {current.lineage}, the plan was made from "
            f"{saved.lineage})"
        )
    if saved.serial != current.serial:
        return (
            f"the state moved since it was made (serial {current.serial}, was {saved.serial}): "
            "another apply, or a refresh that recorded changes made outside Terraform"
        )
    return None
