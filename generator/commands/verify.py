"""``authgen verify ENV``: check the authorizer file, discovery, JWKS and a
real token the way the Gateway does; one row per check (see
``generator.verify``). Exit 1 when a check fails.

Without client credentials (not applied here, no ``--client-id``) the token
checks are skipped with a note, unless a client was asked for by name or id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import credentials, load_spec, targets
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "check discovery, JWKS and a real token the way the Gateway does"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, client flags, ``ENV``, ``--authorizer FILE``."""
    options.terraform(parser)
    options.credentials(parser)
    options.environments(parser)
    parser.add_argument(
        "--authorizer", metavar="FILE", help="the authorizer file (default: the spec's)"
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Load the file, get credentials (or skip the token), run the checks."""
    from generator import authorizer, verify

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    file = (
        Path(args.authorizer) if args.authorizer else project.resolve_inside(spec.authorizer.output)
    )
    doc = authorizer.load(file)
    try:
        creds = credentials(project, spec, args, report)
    except AuthgenError as err:
        if args.client_id or args.client:
            raise  # a client was asked for: not having it is an error, not a skip
        creds = None
        report.note(f"no client credentials ({err}); the token checks are skipped")
    checks = verify.verify(doc, credentials=creds, wait=args.wait)
    report.checks(checks, title=f"authgen verify: {spec.name} ({display_name(file)})")
    report.emit(
        {
            "command": "verify",
            "environment": spec.name,
            "authorizer_file": str(file),
            "ok": verify.all_ok(checks),
            "checks": [
                {"name": c.name, "status": str(c.status), "detail": c.detail, "fix": c.fix}
                for c in checks
            ],
        }
    )
    return 0 if verify.all_ok(checks) else 1
