"""``authgen token ENV``: print an access token (client_credentials).

stdout holds the token and nothing else, so ``TOKEN=$(authgen token dev)``
works; ``--json`` prints the whole token response instead. The client id
and secret come from the Terraform outputs at run time (or ``--client-id``
with ``AUTHGEN_CLIENT_SECRET``) and are never stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import credentials, load_spec, targets
from generator.project import Project

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "print an access token (client_credentials)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, client flags, ``ENV``."""
    options.terraform(parser)
    options.credentials(parser)
    options.environments(parser)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Fetch one token (retrying DNS and connection errors up to ``--wait``)."""
    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    response = credentials(project, spec, args, report).fetch(wait=args.wait)
    report.line(response.access_token)
    report.emit(response.as_dict())
    return 0
