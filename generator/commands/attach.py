"""``authgen attach ENV --gateway-id ID | --runtime-id ID``: put the
environment's authorizer file onto a live AgentCore Gateway or Runtime.

Reads the resource (GetGateway / GetAgentRuntime), shows the authorizer
change as a diff and the settings carried over, and on confirmation
(``--yes`` for pipelines) sends ONE UpdateGateway / UpdateAgentRuntime
carrying every setting the read returned, then waits until the status is
READY again (``--wait``). ``--dry-run`` reads and shows, and sends nothing.
See ``generator.attach``. AWS credentials come from the usual chain;
``AUTHGEN_ENDPOINT_URL`` points the client at another endpoint.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.commands import options
from generator.commands.steps import confirm, load_spec, targets
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter

HELP = "put the authorizer file onto a live Gateway or Runtime (one update, every setting kept)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``ENV``, ``--gateway-id`` | ``--runtime-id``, ``--region``, ``--authorizer``,
    ``--dry-run``, ``--yes``, ``--wait``."""
    options.environments(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--gateway-id", metavar="ID", help="the gateway (GetGateway identifier)")
    which.add_argument("--runtime-id", metavar="ID", help="the agent runtime (agentRuntimeId)")
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="AWS region (default: the spec's region, else AWS_REGION)",
    )
    parser.add_argument(
        "--authorizer", metavar="FILE", help="the authorizer file (default: the spec's)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="read and show the change; send nothing"
    )
    parser.add_argument("--yes", action="store_true", help="send without asking (pipelines)")
    parser.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for READY after the update (default 300)",
    )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Read, diff, (confirm,) update once, wait for READY."""
    from generator import attach, authorizer

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    target = attach.GATEWAY if args.gateway_id else attach.RUNTIME
    ident = args.gateway_id or args.runtime_id
    problem = attach.id_problem(target, ident)
    if problem:
        raise AuthgenError(f"{target.flag}: {problem}")
    file = (
        Path(args.authorizer) if args.authorizer else project.resolve_inside(spec.authorizer.output)
    )
    if not file.is_file():
        raise AuthgenError(
            f"{spec.name}: no authorizer file {display_name(file)}; run 'authgen apply "
            f"{spec.name}' first (attach puts that file onto the {target.kind})"
        )
    document = authorizer.load(file)
    endpoint = os.environ.get("AUTHGEN_ENDPOINT_URL") or None
    if endpoint:
        problem = attach.endpoint_problem(endpoint)
        if problem:
            raise AuthgenError(f"AUTHGEN_ENDPOINT_URL: {problem}")
    api = attach.client(region=args.region or spec.region, endpoint_url=endpoint)

    def read() -> dict[str, Any]:
        return attach.call(api, target, target.read, ident, **target.read_params(ident))

    current = read()
    status = str(current.get("status") or "")
    label = f"{target.kind} {ident}"
    if status in attach.BUSY:
        raise AuthgenError(f"{label} is {status}; wait until it is READY and run attach again")
    request = attach.update_request(target, ident, current, document)
    lines = attach.diff(target, ident, current, request)
    kept = attach.carried_members(target, request)
    report.line(f"{label} ({current.get(target.name_member, '?')}), status {status or '?'}")
    for line in lines:
        report.line(line)
    if kept:
        report.line(f"carried over unchanged: {', '.join(kept)}")
    result: dict[str, Any] = {
        "command": "attach",
        "environment": spec.name,
        "target": target.kind,
        "id": ident,
        "authorizer_file": str(file),
        "changes": bool(lines),
        "diff": lines,
        "carried": kept,
        "dry_run": bool(args.dry_run),
        "sent": False,
        "status": status,
    }
    if not lines:
        report.line(f"{label} already has this authorizer; nothing sent")
        report.emit(result)
        return 0
    if args.dry_run:
        report.line(f"--dry-run: no {target.update} sent")
        report.emit(result)
        return 0
    if not args.yes:
        confirm(
            report,
            f"Send {target.update} to {label} ({len(kept)} settings carried over)?",
            action=f"attach {spec.name}",
            flag="--yes",
        )
    attach.call(api, target, target.update, ident, **request)
    result["sent"] = True

    def on_status(now: str, elapsed: float) -> None:
        report.note(f"{label}: {now} ({elapsed:.0f} s)")

    final = attach.wait_ready(read, target, ident, wait=args.wait, on_status=on_status)
    result["status"] = final.get("status")
    report.line(f"{label} is READY with the authorizer of {display_name(file)}")
    report.emit(result)
    return 0
