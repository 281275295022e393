"""authgen: declarative inbound OAuth for Amazon Bedrock AgentCore Gateway.

The command line parses arguments and prints; ``generator.commands`` runs the
steps in order. Heavy libraries (rich, python-terraform, boto3, auth0-python)
load only inside the commands that use them, so ``authgen validate`` starts
fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import threading
from typing import Any

from generator import __version__, commands
from generator.errors import AuthgenError, SpecError

#: terraform lines worth showing as progress when stderr is not a terminal.
_PROGRESS = re.compile(
    r": (Creating|Creation complete|Modifying|Modifications complete|Destroying|"
    r"Destruction complete|Still \w+|Refreshing state|Reading|Read complete)|"
    r"^(Plan:|Apply complete!|Destroy complete!|No changes\.|Initializing provider plugins)"
)

#: Console width when the output is not a terminal (and COLUMNS is unset).
PIPE_WIDTH = 160


class Out:
    """Everything the CLI shows. Human output on stdout; progress, notes and
    errors on stderr; with ``--json`` stdout holds one JSON document only."""

    def __init__(self, args: argparse.Namespace):
        self.json = bool(getattr(args, "json", False))
        self.verbose = bool(getattr(args, "verbose", False))
        self.color = not (getattr(args, "no_color", False) or os.environ.get("NO_COLOR"))
        self._tty = sys.stderr.isatty()
        self._status = None
        self._lock = threading.Lock()
        self._console = None
        self._err_console = None

    # -- plain text ---------------------------------------------------------

    def line(self, text: str = "") -> None:
        if not self.json:
            self._pause()
            print(text, flush=True)

    def raw(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def info(self, text: str) -> None:
        self._pause()
        print(text, file=sys.stderr, flush=True)

    def err(self, text: str) -> None:
        self._pause()
        print(text, file=sys.stderr, flush=True)

    def emit(self, document: Any) -> None:
        if self.json:
            print(json.dumps(document, indent=2, sort_keys=True), flush=True)

    def ask(self, prompt: str) -> str:
        self._pause()
        print(prompt, end="", file=sys.stderr, flush=True)
        return sys.stdin.readline()

    # -- rich ---------------------------------------------------------------

    def console(self, stderr: bool = False):
        from rich.console import Console

        attr = "_err_console" if stderr else "_console"
        if getattr(self, attr) is None:
            stream = sys.stderr if stderr else sys.stdout
            # Not a terminal (CI logs, a file): rich would wrap at 80 columns,
            # splitting resource addresses; give tables room unless COLUMNS says.
            width = None if stream.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
            setattr(
                self,
                attr,
                Console(
                    stderr=stderr,
                    no_color=not self.color,
                    highlight=False,
                    soft_wrap=False,
                    width=width,
                ),
            )
        return getattr(self, attr)

    def plan_summary(self, summary: dict[str, Any]) -> None:
        from generator import plan_summary

        if not self.json:
            self._pause()
            self.console().print(plan_summary.to_rich(summary))

    def plan_table(self, outcomes: list[commands.PlanOutcome]) -> None:
        from rich.table import Table
        from rich.text import Text

        from generator import plan_summary

        if self.json:
            return
        table = Table(title="authgen plan: all environments", title_justify="left")
        for column in ("Environment", "Result", "Breaking replacements"):
            table.add_column(column)
        for o in outcomes:
            if o.error:
                result, style = Text(f"error: {o.error}", style="red"), ""
            else:
                text = plan_summary.counts_line(o.summary)
                result, style = Text(text, style="yellow" if o.changes else "green"), ""
            breaking = len(o.summary["warnings"]) if o.summary else 0
            table.add_row(
                o.name, result, Text(str(breaking), style="bold red" if breaking else style)
            )
        self._pause()
        self.console().print(table)

    def verify_table(self, checks, title: str) -> None:
        from generator import verify

        if self.json:
            return
        self._pause()
        self.console().print(verify.render_table(checks, title=title))
        self.console().print(verify.summary(checks))

    # -- progress while terraform runs --------------------------------------

    def progress(self, name: str):
        """A terraform line sink for environment ``name``: a live status line
        on a terminal, selected lines on stderr elsewhere (all with -v)."""

        def on_line(line: str) -> None:
            text = line.rstrip()
            if not text:
                return
            with self._lock:
                if self._tty and not self.verbose:
                    if self._status is None:
                        self._status = self.console(stderr=True).status("")
                        self._status.start()
                    self._status.update(f"[{name}] {text[:110]}")
                elif self.verbose or _PROGRESS.search(text):
                    print(f"[{name}] {text}", file=sys.stderr, flush=True)

        return on_line

    def done(self) -> None:
        """End the live status line, if any."""
        self._pause()

    def _pause(self) -> None:
        with self._lock:
            if self._status is not None:
                self._status.stop()
                self._status = None


# --------------------------------------------------------------------------
# Parser


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    common.add_argument("--no-color", action="store_true", help="no colours (also NO_COLOR=1)")
    common.add_argument("-v", "--verbose", action="store_true", help="show all terraform output")

    tf = argparse.ArgumentParser(add_help=False)
    tf.add_argument(
        "--upgrade",
        action="store_true",
        help="let init pick newer providers within the constraints and update the lock file",
    )
    tf.add_argument(
        "--plugin-dir",
        metavar="DIR",
        help="install providers from this mirror directory only (also TF_PLUGIN_DIR)",
    )

    creds = argparse.ArgumentParser(add_help=False)
    creds.add_argument(
        "--client", metavar="NAME", help="which client of the spec (default: the first)"
    )
    creds.add_argument(
        "--client-id",
        metavar="ID",
        help="use this client id; the secret comes from AUTHGEN_CLIENT_SECRET",
    )
    creds.add_argument("--token-endpoint", metavar="URL", help="override the token endpoint")
    creds.add_argument(
        "--wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="retry DNS and connection errors this long (a new Cognito domain takes a while)",
    )

    parser = argparse.ArgumentParser(
        prog="authgen",
        description="Declarative inbound OAuth (Cognito or Auth0) for AgentCore Gateway: "
        "YAML -> Terraform -> the CUSTOM_JWT authorizer file.",
    )
    parser.add_argument("--version", action="version", version=f"authgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, func, help_text, *, many=False, parents=()):
        p = sub.add_parser(name, parents=[common, *parents], help=help_text, description=help_text)
        p.set_defaults(func=func)
        if many:
            p.add_argument("env", nargs="*", metavar="ENV", help="environment name or spec path")
            p.add_argument("--all", action="store_true", help="every environments/*.yaml")
        else:
            p.add_argument("env", metavar="ENV", help="environment name (dev) or spec path")
        return p

    command(
        "validate",
        commands.cmd_validate,
        "load and check environment specs; writes nothing",
        many=True,
    )
    command(
        "render", commands.cmd_render, "write the Terraform root module to build/ENV/", many=True
    )
    plan = command(
        "plan",
        commands.cmd_plan,
        "render, init, plan: a saved plan and its summary",
        many=True,
        parents=[tf],
    )
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when any environment has changes (drift)",
    )
    plan.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="environments planned at once (default: CPUs)"
    )
    apply = command(
        "apply",
        commands.cmd_apply,
        "apply (the saved plan when current), then write the authorizer file",
        parents=[tf],
    )
    apply.add_argument("--auto-approve", action="store_true", help="do not ask (pipelines)")
    destroy = command(
        "destroy", commands.cmd_destroy, "destroy every resource of ENV", parents=[tf]
    )
    destroy.add_argument("--auto-approve", action="store_true", help="do not ask (pipelines)")
    destroy.add_argument("--force", action="store_true", help="destroy a protected environment too")
    command(
        "authorizer",
        commands.cmd_authorizer,
        "rewrite the authorizer file from current outputs",
        parents=[tf],
    )
    command(
        "token",
        commands.cmd_token,
        "print an access token (client_credentials)",
        parents=[tf, creds],
    )
    verify = command(
        "verify",
        commands.cmd_verify,
        "check discovery, JWKS and a real token the way the Gateway does",
        parents=[tf, creds],
    )
    verify.add_argument(
        "--authorizer", metavar="FILE", help="the authorizer file (default: the spec's)"
    )
    changed = sub.add_parser(
        "changed", parents=[common], help="list the environments a git change affects"
    )
    changed.set_defaults(func=commands.cmd_changed)
    changed.add_argument(
        "--base", default="origin/main", help="git ref to compare with (default origin/main)"
    )
    changed.add_argument(
        "--include-emulated",
        action="store_true",
        help="also list environments that target an emulator",
    )
    atlantis = sub.add_parser(
        "atlantis", parents=[common], help="print an Atlantis repo config (atlantis.yaml)"
    )
    atlantis.set_defaults(func=commands.cmd_atlantis)
    schema = sub.add_parser(
        "schema", parents=[common], help="print the JSON Schema of the environment spec"
    )
    schema.set_defaults(func=commands.cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    out = Out(args)
    try:
        return args.func(args, out)
    except SpecError as err:
        out.done()
        for line in err.problems:
            out.err(line)
        out.emit({"command": args.command, "error": "invalid spec", "problems": err.problems})
        return err.exit_code
    except AuthgenError as err:
        out.done()
        out.err(f"error: {err}")
        out.emit({"command": args.command, "error": str(err), "exit_code": err.exit_code})
        return err.exit_code
    except KeyboardInterrupt:
        out.done()
        out.err("interrupted")
        out.emit({"command": args.command, "error": "interrupted", "exit_code": 130})
        return 130
