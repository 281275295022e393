"""The record of an applied environment: what outlives its spec file.

A spec file can be deleted or renamed while its state still holds live
resources (a user pool, clients with secrets). Nothing would then say that
they exist, where their state is, or how to destroy them. So ``authgen
apply`` keeps a small committed record per environment,
``environments/locks/<env>.applied.json`` (next to its provider lock file, so
the pipeline that commits one commits the other), written before terraform
applies and removed only when the environment is destroyed or retired:

* ``authgen changed`` and ``authgen validate --all`` fail on a record whose
  spec file is gone (an orphan), naming the environment and the procedure;
* ``authgen destroy ENV`` works from the record when the spec is gone
  (``render.recovery``: a root with the provider and back end only, so that
  terraform plans the destruction of everything in the state).

The record holds no secrets: the provider, where the environment lives
(``location``: a region, a tenant domain; ``endpoint_url`` as the spec file
wrote it), the state back end and its settings, the authorizer file, and
whether it was applied with deletion protection. It is written only when its
content changes (byte-stable: no timestamps).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError
from generator.files import atomic_write
from generator.yaml_source import display_name

if TYPE_CHECKING:
    from generator.project import Project
    from generator.spec import Spec

#: The record file format.
FORMAT = 1
#: ``<env>.applied.json`` in ``environments/locks/``.
SUFFIX = ".applied.json"


@dataclass(frozen=True)
class Record:
    """One applied environment (see the module docstring)."""

    environment: str
    spec: str
    provider: str
    gateway: str
    protected: bool
    location: dict[str, Any]
    endpoint_url: str | None
    state: dict[str, Any]
    authorizer: str
    format: int = field(default=FORMAT)

    def to_json(self) -> str:
        """The file's text: sorted keys, 2-space indent, a trailing newline."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def of_spec(project: Project, spec: Spec) -> Record:
    """The record of ``spec`` as its file says (load it without
    AUTHGEN_ENDPOINT_URL: an emulator's port does not belong in a committed file)."""
    from generator import providers

    return Record(
        environment=spec.name,
        spec=_relative(project, spec.path) if spec.path else f"environments/{spec.name}.yaml",
        provider=spec.provider,
        gateway=spec.gateway,
        protected=spec.protected,
        location=providers.get(spec.provider).provider_values(spec),
        endpoint_url=spec.endpoint_url,
        state=spec.state.model_dump(mode="json"),
        authorizer=spec.authorizer.output,
    )


def write(project: Project, record: Record) -> bool:
    """Keep ``record`` (atomically); False when the file already said exactly that."""
    path = project.record_file(record.environment)
    text = record.to_json()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    return True


def load(project: Project, name: str) -> Record | None:
    """The record of environment ``name``, or ``None`` when it has none;
    one line naming the file when it cannot be read."""
    path = project.record_file(name)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a format {FORMAT} record")
        record = Record(**data)
        if record.environment != name:
            raise ValueError(f"it is the record of {record.environment!r}")
    except (OSError, ValueError, TypeError) as err:
        raise AuthgenError(
            f"{display_name(path)}: not a readable environment record ({err}); restore it from "
            "git (it says where the environment's state is)"
        ) from None
    return record


def remove(project: Project, name: str) -> None:
    """The environment is gone (destroyed or retired): drop its record."""
    project.record_file(name).unlink(missing_ok=True)


def names(project: Project) -> list[str]:
    """The environments that have a record, sorted."""
    directory = project.environments / "locks"
    return sorted(p.name[: -len(SUFFIX)] for p in directory.glob(f"*{SUFFIX}") if p.is_file())


def orphans(project: Project) -> list[Record]:
    """Records (applied, not destroyed) whose spec file is gone."""
    found = []
    for name in names(project):
        record = load(project, name)
        if record is not None and not (project.root / record.spec).is_file():
            found.append(record)
    return found


def orphan_message(project: Project, record: Record) -> str:
    """The one line for an orphan: what is wrong and the procedure."""
    name = record.environment
    where = display_name(project.record_file(name))
    return (
        f"{record.spec}: environment {name!r} was applied (see {where}) but its spec file is "
        "gone (deleted or renamed), which would leave its resources running untracked; "
        f"restore {record.spec}, set 'retired: true', apply it (that destroys them), then "
        f"delete the file (or run 'authgen destroy {name}', which works from the record)"
    )


def _relative(project: Project, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)
