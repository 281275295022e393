"""``authgen state bootstrap|show|pull ENV``: an environment's Terraform state.

* ``bootstrap``: create the S3 bucket of ``state: {backend: s3}`` if it is
  missing, and harden it: versioning on, default encryption (SSE-KMS with
  ``kms_key_id``, else SSE-S3), all public access blocked, a TLS-only bucket
  policy. Idempotent: it reports what it changed, and a second run that
  nothing changed. ``--dry-run`` reads only.
* ``show``: the resources in the state with their attributes, and the
  outputs, secrets masked (``--json``: the masked ``terraform show -json``).
* ``pull``: the raw state document (``terraform state pull``) with secrets
  masked, on stdout or into ``--output FILE``. ``--raw`` keeps the secrets
  and is allowed only into a file, written with mode 0600.
* ``migrate``: after the spec's ``state:`` changed (local -> s3, say), copy
  the state kept so far (``build/ENV/terraform.tfstate``) into the new back
  end (``terraform init -migrate-state``), check that the new back end holds
  the same resources and outputs, then delete the local copy. Refused when
  the S3 key holds a state already (nothing is overwritten).

``show`` and ``pull`` work for every back end (local, s3, cloud), from any
checkout: they render the environment and initialise its back end first.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands import options
from generator.commands.steps import load_spec, ready_runner, render_into, run_lock, targets
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    from generator.report import Reporter
    from generator.spec import Spec

HELP = "the state of ENV: bootstrap its S3 bucket; show, pull (secrets masked), migrate it"

ACTIONS = {
    "bootstrap": "create and harden the S3 state bucket of ENV (idempotent)",
    "show": "list the resources and outputs in the state of ENV, secrets masked",
    "pull": "print the state document of ENV, secrets masked (--raw: into a 0600 file)",
    "migrate": "move the local state of ENV into the back end its spec names now",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One sub-command per action, each taking ``ENV`` and the common flags."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in ACTIONS.items():
        action_parser = sub.add_parser(action, help=text, description=text)
        options.common(action_parser, nested=True)
        options.environments(action_parser)
        if action == "bootstrap":
            action_parser.add_argument(
                "--dry-run", action="store_true", help="change nothing; say what would change"
            )
        else:
            options.terraform(action_parser)
        if action == "pull":
            action_parser.add_argument(
                "-o", "--output", metavar="FILE", help="write the document to FILE (mode 0600)"
            )
            action_parser.add_argument(
                "--raw",
                action="store_true",
                help="keep the secrets (only with --output; the file is created 0600)",
            )


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Run the sub-command ``args.action``."""
    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    if args.action == "bootstrap":
        return _bootstrap(spec, args, report)
    if args.action == "show":
        return _show(project, spec, args, report)
    if args.action == "migrate":
        return _migrate(project, spec, args, report)
    return _pull(project, spec, args, report)


def _bootstrap(spec: Spec, args: argparse.Namespace, report: Reporter) -> int:
    from generator.state import bucket

    result = bucket.bootstrap(spec, dry_run=args.dry_run)
    state = spec.state
    changed = result.changed
    verb = "would change" if args.dry_run else "changed"
    head = f"state bucket {state.bucket} ({state.region}) of {spec.name}"  # type: ignore[union-attr]
    if not changed:
        kept = "; ".join(f"{c.setting}: {c.wanted}" for c in result.changes[1:])
        report.line(f"{head}: nothing {verb}, already in place ({kept})")
    else:
        report.line(f"{head}:")
        for change in changed:
            if change.setting == "bucket":
                what = "would create it" if args.dry_run else "created"
                report.line(f"  bucket: {what} {change.wanted}")
            else:
                report.line(f"  {change.setting}: {change.before} -> {change.wanted}")
        count = len(changed)
        report.line(f"{count} setting{'s' if count != 1 else ''} {verb}")
    for setting, reason in result.skipped.items():
        report.note(f"{setting}: left out ({reason})")
    report.emit(
        {
            "command": "state bootstrap",
            "environment": spec.name,
            "bucket": state.bucket,  # type: ignore[union-attr]
            "region": state.region,  # type: ignore[union-attr]
            "endpoint_url": spec.endpoint_url,
            "dry_run": args.dry_run,
            "changed": bool(changed),
            "settings": [c.as_dict() for c in result.changes],
            "skipped": result.skipped,
        }
    )
    return 0


def _where(project: Project, spec: Spec) -> str:
    """Where the state of ``spec`` lives, in words."""
    state = spec.state
    if state.backend == "s3":
        return f"s3://{state.bucket}/{state.key}"  # type: ignore[union-attr]
    if state.backend == "cloud":
        return f"{state.hostname}: {state.organization}/{state.workspace}"  # type: ignore[union-attr]
    return display_name(project.build_dir(spec.name) / "terraform.tfstate")


def _ready(project: Project, spec: Spec, args: argparse.Namespace, report: Reporter, what: str):
    with run_lock(project, spec, f"state {what}"):
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name))
    report.done()
    return runner


def _show(project: Project, spec: Spec, args: argparse.Namespace, report: Reporter) -> int:
    from generator.state import documents

    runner = _ready(project, spec, args, report, "show")
    masked = documents.masked_show(runner.state_json())
    resources = documents.resource_rows(masked)
    outputs = documents.output_rows(masked)
    where = _where(project, spec)
    if not resources and not outputs:
        report.line(f"state of {spec.name} ({where}): empty (nothing applied yet)")
    else:
        managed = [a for a, _ in resources if not f".{a}".split("[")[0].count(".data.")]
        data = len(resources) - len(managed)
        also = f" (and {data} data source{'s' if data != 1 else ''})" if data else ""
        report.line(f"state of {spec.name} ({where}): {len(managed)} resources{also}")
        for address, attributes in resources:
            report.line()
            report.line(address)
            width = max((len(name) for name, _ in attributes), default=0)
            for name, value in attributes:
                report.line(f"  {name.ljust(width)}  {value}")
        if outputs:
            report.line()
            report.line("outputs")
            width = max(len(name) for name, _ in outputs)
            for name, value in outputs:
                report.line(f"  {name.ljust(width)}  {value}")
    report.emit(
        {
            "command": "state show",
            "environment": spec.name,
            "state": where,
            "values": masked.get("values"),
        }
    )
    return 0


def _pull(project: Project, spec: Spec, args: argparse.Namespace, report: Reporter) -> int:
    from generator.state import documents

    if args.raw and not args.output:
        raise AuthgenError(
            "--raw keeps the secrets in the state: it writes only into a file; add --output FILE "
            "(created with mode 0600), never stdout"
        )
    runner = _ready(project, spec, args, report, "pull")
    text = runner.pull_state()
    if text is None:
        raise AuthgenError(
            f"{spec.name}: there is no state yet ({_where(project, spec)}); "
            f"run 'authgen apply {spec.name}' first"
        )
    raw = json.loads(text)
    if not args.raw:
        masked = documents.masked_pull(raw, documents.secrets(runner.state_json()))
        text = json.dumps(masked, indent=2) + "\n"
    if not args.output:
        report.write(text)
        return 0
    target = Path(args.output)
    _write_private(target, text)
    kind = "raw (secrets in clear)" if args.raw else "masked"
    report.note(
        f"wrote the {kind} state of {spec.name} (serial {raw.get('serial')}) to "
        f"{display_name(target)} (mode 0600)"
    )
    return 0


def _write_private(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically, mode 0600 from the start."""
    from generator.files import atomic_write

    old_umask = os.umask(0o077)
    try:
        if target.exists():
            os.chmod(target, 0o600)  # atomic_write keeps the mode of the file it replaces
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch(mode=0o600)
        atomic_write(target, text)
    finally:
        os.umask(old_umask)


def _migrate(project: Project, spec: Spec, args: argparse.Namespace, report: Reporter) -> int:
    from generator.commands.steps import missing_state_bucket

    directory = project.build_dir(spec.name)
    local = directory / "terraform.tfstate"
    where = _where(project, spec)
    if spec.state.backend == "local":
        raise AuthgenError(
            f"{spec.name}: its spec keeps the state locally (state.backend: local); set "
            "state: {backend: s3, bucket: ...} (or cloud) first, then migrate"
        )
    if not local.is_file():
        raise AuthgenError(
            f"{spec.name}: there is no local state to move ({display_name(local)} does not "
            "exist); nothing to migrate"
        )
    before = json.loads(local.read_text())
    if spec.state.backend == "s3":
        from generator.state import bucket

        missing = missing_state_bucket(spec)
        if missing:
            raise AuthgenError(missing)
        if bucket.state_exists(spec):
            raise AuthgenError(
                f"{spec.name}: {where} holds a state already; nothing was moved (the local "
                f"state stays in {display_name(local)}). Compare them ('authgen state pull "
                f"{spec.name}') and remove the one that is not wanted by hand"
            )
    with run_lock(project, spec, "state migrate"):
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name), migrate_state=True)
        after = runner.state()
        if _content(after) != _content(before):
            raise AuthgenError(
                f"{spec.name}: the state in {where} does not hold what {display_name(local)} "
                "holds after the move; the local state is kept: check both before going on"
            )
        for name in ("terraform.tfstate", "terraform.tfstate.backup"):
            (directory / name).unlink(missing_ok=True)
    report.done()
    count = len([r for r in after.get("resources") or [] if r.get("mode") == "managed"])
    report.line(
        f"moved the state of {spec.name} ({count} resources) from {display_name(local)} to "
        f"{where}; the local copy is deleted"
    )
    report.emit(
        {
            "command": "state migrate",
            "environment": spec.name,
            "from": str(local),
            "to": where,
            "resources": count,
        }
    )
    return 0


def _content(state: dict) -> tuple[str, str]:
    """What a state holds, apart from its lineage and serial (a move starts anew)."""
    return (
        json.dumps(state.get("resources") or [], sort_keys=True),
        json.dumps(state.get("outputs") or {}, sort_keys=True),
    )
