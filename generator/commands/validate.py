"""``authgen validate ENV... | --all``: load and check specs; nothing is written.

Every file is checked, even after one fails, and every problem of a file is
reported (one line each). An environment that was applied (it has a record,
``generator.records``) but whose spec file is gone is a problem too: named
with ``ENV``, and found by ``--all``. Across files: two environments may not
write the same authorizer file (``owners``); the other environments of the
project are loaded for that check. Exit 1 when any file has a problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import load_spec, targets
from generator.errors import SpecError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter
    from generator.spec import Spec

HELP = "load and check environment specs; writes nothing"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``ENV...`` or ``--all``."""
    options.environments(parser, many=True)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """One ``ok`` line per good file (provider, gateway, where it lives),
    the problems of the others on stderr; in CI, a warning for each
    environment whose state is local (``plan``/``apply`` refuse those)."""
    from generator import owners, providers, records
    from generator.spec import load_all
    from generator.state.ci import local_state_problem

    project = Project.find()
    orphans = {r.environment: r for r in records.orphans(project)} if args.all else {}
    # --all with no spec file left but an orphan: the orphan is the problem to report
    paths = load_all(project.environments) if orphans else targets(project, args)
    loaded: dict[Path, Spec | SpecError] = {}
    for path in paths:
        if not path.is_file() and records.load(project, path.stem) is not None:
            orphans[path.stem] = records.load(project, path.stem)
            continue
        try:
            loaded[path] = load_spec(path)
        except SpecError as err:
            loaded[path] = err
    good = [s for s in loaded.values() if not isinstance(s, SpecError)]
    shared = owners.conflicts(project, good, owners.neighbours(project, skip=paths))
    results, failed = [], 0
    for path, spec in loaded.items():
        if not isinstance(spec, SpecError) and spec.name in shared:
            spec = SpecError([shared[spec.name]])
        if isinstance(spec, SpecError):
            failed += 1
            for line in spec.problems:
                report.error(line)
            results.append({"file": str(path), "ok": False, "problems": spec.problems})
            continue
        warning = local_state_problem(spec)
        if warning:
            report.note(f"warning: {warning}")
        results.append(
            {
                "file": str(path),
                "ok": True,
                "name": spec.name,
                "provider": spec.provider,
                "state": spec.state.backend,  # pipelines act only on remote state
                "emulated": spec.endpoint_url is not None,
                "warnings": [warning] if warning else [],
            }
        )
        where = providers.get(spec.provider).describe(spec)
        report.line(f"ok  {display_name(path)}  ({spec.provider}, gateway {spec.gateway}, {where})")
    for name, record in sorted(orphans.items()):
        failed += 1
        line = records.orphan_message(project, record)
        report.error(line)
        results.append({"file": record.spec, "ok": False, "name": name, "problems": [line]})
    report.emit({"command": "validate", "results": results})
    if failed and len(results) > 1:
        report.error(f"{failed} of {len(results)} environment files have problems")
    return 1 if failed else 0
