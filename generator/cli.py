"""authgen: declarative inbound OAuth for Amazon Bedrock AgentCore Gateway.

The command line builds the parser from ``generator.commands`` (one module
per command), makes the reporter (``generator.ui``, the only place that
prints) and runs the command. Heavy libraries (rich, python-terraform, boto3,
auth0-python) load only inside the commands that use them, so ``authgen
validate`` starts fast.
"""

from __future__ import annotations

import argparse
import logging

from generator import __version__, commands
from generator.commands import options
from generator.errors import AuthgenError, SpecError, os_error_message


def build_parser() -> argparse.ArgumentParser:
    """The ``authgen`` parser: one subcommand per ``commands.COMMANDS`` entry,
    each with the common flags (``--json``, ``--no-color``, ``-v``) first."""
    parser = argparse.ArgumentParser(
        prog="authgen",
        description="Declarative inbound OAuth (Cognito, Auth0 or any OIDC provider) for "
        "AgentCore Gateway: YAML -> Terraform -> the CUSTOM_JWT authorizer file.",
    )
    parser.add_argument("--version", action="version", version=f"authgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands.COMMANDS:
        sub_parser = sub.add_parser(
            commands.name(command), help=command.HELP, description=command.HELP
        )
        options.common(sub_parser)
        command.add_arguments(sub_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``authgen`` with ``argv`` (default: the process arguments); the exit code.

    User errors (``AuthgenError``) become one line on stderr (and the
    ``--json`` error document), exit 1 or their own code; Ctrl-C exits 130.
    Anything else is a bug and keeps its traceback.
    """
    from generator.ui import ConsoleReporter

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    report = ConsoleReporter.from_args(args)
    command = commands.by_name()[args.command]
    try:
        return command.run(args, report)
    except SpecError as err:
        report.done()
        for line in err.problems:
            report.error(line)
        report.emit({"command": args.command, "error": "invalid spec", "problems": err.problems})
        return err.exit_code
    except AuthgenError as err:
        report.done()
        report.error(f"error: {err}")
        report.emit({"command": args.command, "error": str(err), "exit_code": err.exit_code})
        return err.exit_code
    except OSError as err:
        # Read-only build/, a full disk, permission denied: one line naming
        # the path; the traceback only with -v (it may still be a bug).
        logging.getLogger(__name__).info("file system error", exc_info=True)
        report.done()
        message = os_error_message(err)
        report.error(f"error: {message}")
        report.emit({"command": args.command, "error": message, "exit_code": 1})
        return 1
    except KeyboardInterrupt:
        report.done()
        report.error("interrupted")
        report.emit({"command": args.command, "error": "interrupted", "exit_code": 130})
        return 130
