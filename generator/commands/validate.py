"""``authgen validate ENV... | --all``: load and check specs; nothing is written.

Every file is checked, even after one fails, and every problem of a file is
reported (one line each). An environment that was applied (it has a record,
``generator.records``) but whose spec file is gone is a problem too: named
with ``ENV``, and found by ``--all``. Exit 1 when any file has a problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import load_spec, targets
from generator.errors import SpecError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "load and check environment specs; writes nothing"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``ENV...`` or ``--all``."""
    options.environments(parser, many=True)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """One ``ok`` line per good file (provider, gateway, where it lives),
    the problems of the others on stderr."""
    from generator import providers, records
    from generator.spec import load_all

    project = Project.find()
    results, failed = [], 0
    orphans = {r.environment: r for r in records.orphans(project)} if args.all else {}
    # --all with no spec file left but an orphan: the orphan is the problem to report
    paths = load_all(project.environments) if orphans else targets(project, args)
    for path in paths:
        if not path.is_file() and records.load(project, path.stem) is not None:
            orphans[path.stem] = records.load(project, path.stem)
            continue
        try:
            loaded = load_spec(path)
        except SpecError as err:
            failed += 1
            for line in err.problems:
                report.error(line)
            results.append({"file": str(path), "ok": False, "problems": err.problems})
            continue
        results.append(
            {
                "file": str(path),
                "ok": True,
                "name": loaded.name,
                "provider": loaded.provider,
                "state": loaded.state.backend,  # pipelines act only on remote state
                "emulated": loaded.endpoint_url is not None,
            }
        )
        where = providers.get(loaded.provider).describe(loaded)
        report.line(
            f"ok  {display_name(path)}  ({loaded.provider}, gateway {loaded.gateway}, {where})"
        )
    for name, record in sorted(orphans.items()):
        failed += 1
        line = records.orphan_message(project, record)
        report.error(line)
        results.append({"file": record.spec, "ok": False, "name": name, "problems": [line]})
    report.emit({"command": "validate", "results": results})
    if failed and len(results) > 1:
        report.error(f"{failed} of {len(results)} environment files have problems")
    return 1 if failed else 0
