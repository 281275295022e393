"""One owner per authorizer file.

Each environment writes its authorizer file on apply and deletes it on
destroy. Two environments naming the same ``authorizer.output`` would
overwrite (or delete) each other's file, and a Gateway would silently trust
the wrong pool's clients. ``validate`` refuses that (naming both environments
and the file); ``apply``, ``authorizer`` and ``destroy`` check it again
before they touch anything, because they load only their own spec.

Files are compared after resolving them inside the project, so
``authorizers/a.json`` and ``./authorizers/../authorizers/a.json`` are the
same file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import AuthgenError, SpecError
from generator.yaml_source import display_name

if TYPE_CHECKING:
    from generator.project import Project
    from generator.spec import Spec

log = logging.getLogger(__name__)


def _file(project: Project, spec: Spec) -> Path | None:
    try:
        return project.resolve_inside(spec.authorizer.output)
    except AuthgenError:
        return None  # reported by the spec check or the command that writes it


def neighbours(project: Project, skip: Iterable[Path] = ()) -> list[Spec]:
    """The other environments of the project that load cleanly (those that
    do not are reported when they are validated themselves)."""
    from generator.spec import load, load_all

    skipped = {Path(p).resolve() for p in skip}
    found = []
    for path in load_all(project.environments):
        if path.resolve() in skipped:
            continue
        try:
            found.append(load(path))
        except SpecError:
            log.debug("%s does not load; left out of the authorizer file check", path)
    return found


def conflicts(
    project: Project, specs: Iterable[Spec], others: Iterable[Spec] = ()
) -> dict[str, str]:
    """``{environment name: problem line}`` for each of ``specs`` whose
    authorizer file another environment (of ``specs`` or ``others``) also names."""
    everyone = [*specs, *others]
    owners: dict[Path, list[Spec]] = {}
    for spec in everyone:
        file = _file(project, spec)
        if file is not None:
            owners.setdefault(file, []).append(spec)
    problems: dict[str, str] = {}
    for spec in specs:
        file = _file(project, spec)
        rivals = [s for s in owners.get(file, []) if s is not spec and s.name != spec.name]
        if file is None or not rivals:
            continue
        named = ", ".join(
            f"'{s.name}' ({display_name(s.path) if s.path else s.name})" for s in rivals
        )
        where = spec.where("authorizer", "output")
        if spec.path and not where.startswith(display_name(spec.path)):
            where += f": environment '{spec.name}' takes it from there (extends)"
        problems[spec.name] = (
            f"{where}: authorizer.output: "
            f"{display_name(file)} is also the authorizer file of {named}; each environment "
            "needs its own file (set authorizer.output, default authorizers/<name>.json)"
        )
    return problems


def check(project: Project, spec: Spec) -> None:
    """``SpecError`` when another environment of the project writes the same
    authorizer file as ``spec``."""
    skip = [spec.path] if spec.path else []
    problem = conflicts(project, [spec], neighbours(project, skip)).get(spec.name)
    if problem:
        raise SpecError([problem])
