"""``authgen verify ENV``: check the authorizer file, discovery, JWKS and a
real token the way the Gateway does; one row per check (see
``generator.verify``). Exit 0 only when every check ran and passed.

Fail closed: without client credentials (not applied here, outputs that
cannot be read, no ``--client-id``) the token row fails with the reason;
``--no-token`` asks for discovery-only checks instead. A client asked for by
name or id that cannot be had is an error line of its own.
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
    parser.add_argument(
        "--no-token",
        action="store_true",
        help="check the authorizer file, discovery and JWKS only (without it, a token that "
        "cannot be obtained is a failure)",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Load the file, get credentials (unless --no-token), run the checks."""
    from generator import authorizer, providers, verify

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    file = (
        Path(args.authorizer) if args.authorizer else project.resolve_inside(spec.authorizer.output)
    )
    doc = authorizer.load(file)
    client_flags = {
        "--client": args.client,
        "--client-id": args.client_id,
        "--token-endpoint": args.token_endpoint,
        "--scope": args.scope,
        "--audience": args.audience,
    }
    asked = [flag for flag, value in client_flags.items() if value]
    if args.no_token and asked:
        raise AuthgenError(
            f"--no-token leaves the token out, so {' and '.join(asked)} would be unused; "
            "drop one or the other"
        )
    creds, problem = None, None
    if not args.no_token:
        try:
            creds = credentials(project, spec, args, report)
        except AuthgenError as err:
            if args.client_id or args.client:
                raise  # a client was asked for: not having it is an error of its own
            problem = str(err)  # the token row fails with it (fail closed)
    checks = verify.verify(
        doc,
        credentials=creds,
        credentials_problem=problem,
        no_token=args.no_token,
        wait=args.wait,
        advise=providers.get(spec.provider).advisor(spec),
    )
    report.checks(checks, title=f"authgen verify: {spec.name} ({display_name(file)})")
    report.emit(
        {
            "command": "verify",
            "environment": spec.name,
            "authorizer_file": str(file),
            "ok": verify.all_ok(checks),
            "no_token": args.no_token,
            "checks": [
                {"name": c.name, "status": str(c.status), "detail": c.detail, "fix": c.fix}
                for c in checks
            ],
        }
    )
    return 0 if verify.all_ok(checks) else 1
