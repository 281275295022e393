"""The pipeline steps in order, one function per command.

Each command takes the parsed arguments and an ``Out`` (the CLI's printer)
and returns the exit code. Library modules never print; everything the user
sees goes through ``out``. Heavy imports stay inside the commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError, SpecError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.cli import Out
    from generator.spec import Spec
    from generator.terraform import Runner

PLAN_FILE = "tfplan"


# --------------------------------------------------------------------------
# Shared steps


def targets(project: Project, args: argparse.Namespace, *, cloud: bool = False) -> list[Path]:
    """The spec files a command works on: the named ones, or ``--all``.

    With ``cloud`` (commands that reach a provider), ``--all`` leaves out
    environments that target a local emulator unless AUTHGEN_ENDPOINT_URL
    says where one runs.
    """
    from generator.spec import load_all

    if getattr(args, "all", False):
        paths = load_all(project.environments)
        if not paths:
            raise AuthgenError(
                f"{display_name(project.environments)}: no environment files (*.yaml)"
            )
        if cloud and not os.environ.get("AUTHGEN_ENDPOINT_URL"):
            paths = [p for p in paths if not _targets_emulator(p)]
            if not paths:
                raise AuthgenError(
                    f"{display_name(project.environments)}: every environment targets a local "
                    "emulator (endpoint_url); set AUTHGEN_ENDPOINT_URL to where one runs, or "
                    "name an environment"
                )
        return paths
    envs = getattr(args, "env", None) or []
    if isinstance(envs, str):
        envs = [envs]
    if not envs:
        raise AuthgenError("name an environment (e.g. 'dev') or pass --all")
    return [project.spec_path(env) for env in envs]


def _targets_emulator(path: Path) -> bool:
    from generator.yaml_source import load

    data = load(path).data
    return isinstance(data, dict) and data.get("endpoint_url") is not None


def load_spec(path: Path) -> Spec:
    """A checked spec, with AUTHGEN_ENDPOINT_URL applied."""
    from generator import spec

    return spec.load(path).with_endpoint(os.environ.get("AUTHGEN_ENDPOINT_URL"))


def render_into(project: Project, spec: Spec) -> Path:
    from generator import render

    directory = project.build_dir(spec.name)
    render.write_build(directory, render.render(spec))
    return directory


def ready_runner(project: Project, spec: Spec, args: argparse.Namespace, on_line) -> Runner:
    """A runner for the environment's build directory, ``terraform init`` done
    (or skipped when nothing it depends on changed)."""
    from generator.terraform import Runner

    plugin_dir = getattr(args, "plugin_dir", None)
    runner = Runner(
        project.build_dir(spec.name),
        lock_file=project.lock_file(spec.name),
        plugin_dir=Path(plugin_dir) if plugin_dir else None,
        on_line=on_line,
    )
    runner.init(upgrade=getattr(args, "upgrade", False))
    return runner


def applied_outputs(runner: Runner, spec: Spec) -> dict[str, Any]:
    """The Terraform outputs of an applied environment (secrets included:
    callers pass them on, never print them)."""
    outputs = runner.outputs()
    if not outputs:
        raise AuthgenError(
            f"{spec.name}: Terraform has no outputs; run 'authgen apply {spec.name}' first"
        )
    return outputs


def run_lock(project: Project, spec: Spec, command: str):
    from generator.run_lock import RunLock, lock_path

    return RunLock(
        lock_path(project.build_dir(spec.name)), command=f"authgen {command} {spec.name}"
    )


def confirm(out: Out, question: str, *, action: str, expect: str = "yes") -> None:
    """Ask on a terminal; refuse without one (pipelines pass --auto-approve).

    ``action`` names what needs the answer, for the error without a terminal.
    """
    if not sys.stdin.isatty():
        raise AuthgenError(
            f"{action} needs a confirmation and stdin is not a terminal; "
            "pass --auto-approve to proceed"
        )
    answer = out.ask(f"{question} Type '{expect}' to proceed: ")
    if answer.strip() != expect:
        raise AuthgenError("cancelled; nothing was changed")


def write_authorizer(project: Project, spec: Spec, outputs: dict[str, Any]) -> tuple[Path, bool]:
    from generator import authorizer

    doc = authorizer.build(
        spec.provider,
        outputs,
        list(spec.authorizer.allowed_scopes),
        [claim.to_api() for claim in spec.authorizer.custom_claims],
    )
    path = project.resolve_inside(spec.authorizer.output)
    changed = authorizer.write(path, doc)
    return path, changed


def _rel(path: Path) -> str:
    return display_name(path)


# --------------------------------------------------------------------------
# validate / render / schema / changed


def cmd_validate(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    results, failed = [], 0
    for path in targets(project, args):
        try:
            loaded = load_spec(path)
        except SpecError as err:
            failed += 1
            for line in err.problems:
                out.err(line)
            results.append({"file": str(path), "ok": False, "problems": err.problems})
            continue
        results.append(
            {"file": str(path), "ok": True, "name": loaded.name, "provider": loaded.provider}
        )
        where = loaded.region or (loaded.auth0.domain if loaded.auth0 else "")
        out.line(f"ok  {_rel(path)}  ({loaded.provider}, gateway {loaded.gateway}, {where})")
    out.emit({"command": "validate", "results": results})
    if failed and len(results) > 1:
        out.err(f"{failed} of {len(results)} environment files have problems")
    return 1 if failed else 0


def cmd_render(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    loaded = [load_spec(path) for path in targets(project, args)]
    results = []
    for spec in loaded:
        directory = render_into(project, spec)
        results.append({"name": spec.name, "build_dir": str(directory)})
        out.line(f"rendered {spec.name} -> {_rel(directory)}/")
    out.emit({"command": "render", "results": results})
    return 0


def cmd_schema(args: argparse.Namespace, out: Out) -> int:
    import json

    from generator import spec

    out.raw(json.dumps(spec.json_schema(), indent=2) + "\n")
    return 0


def cmd_changed(args: argparse.Namespace, out: Out) -> int:
    from generator.changed import affected, changed_files

    project = Project.find()
    impact = affected(project, changed_files(project.root, args.base))
    envs = impact.environments
    if not args.include_emulated:
        envs = [e for e in envs if not _targets_emulator(project.spec_path(e))]
    for env in envs:
        out.line(env)
    for env in impact.removed:
        out.err(f"note: environments/{env}.yaml was removed; its resources stay until destroyed")
    out.emit(
        {
            "command": "changed",
            "base": args.base,
            "environments": envs,
            "removed": impact.removed,
            "reasons": {e: impact.reasons[e] for e in envs},
        }
    )
    return 0


def cmd_atlantis(args: argparse.Namespace, out: Out) -> int:
    from generator import atlantis
    from generator.spec import load_all

    project = Project.find()
    emulated = {p.stem for p in load_all(project.environments) if _targets_emulator(p)}
    out.raw(atlantis.config(project, skip=emulated))
    return 0


# --------------------------------------------------------------------------
# plan


@dataclass
class PlanOutcome:
    name: str
    changes: bool = False
    summary: dict[str, Any] | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)


def plan_environment(
    project: Project, spec: Spec, args: argparse.Namespace, on_line: Callable[[str], None]
) -> PlanOutcome:
    """render -> init -> plan -> show -json -> masked summary files.

    ``show -json`` loads the providers again (seconds for hashicorp/aws), so
    it runs only when the plan has changes; an unchanged plan's summary says so.
    """
    from generator import plan_summary

    with run_lock(project, spec, "plan"):
        directory = render_into(project, spec)
        runner = ready_runner(project, spec, args, on_line)
        result = runner.plan(directory / PLAN_FILE)
        shown = runner.show_json(result.path) if result.changes else {}
        summary = plan_summary.summarize(shown, environment=spec.name)
    files = _write_summary(directory, summary)
    return PlanOutcome(spec.name, changes=result.changes, summary=summary, files=files)


def _write_summary(directory: Path, summary: dict[str, Any]) -> list[str]:
    from generator import plan_summary
    from generator.files import atomic_write

    written = []
    for name, text in (
        ("plan.json", plan_summary.to_json(summary)),
        ("plan.md", plan_summary.to_markdown(summary)),
    ):
        atomic_write(directory / name, text)
        written.append(str(directory / name))
    return written


def cmd_plan(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    paths = targets(project, args, cloud=True)
    specs = [load_spec(path) for path in paths]  # every spec checked before any terraform
    many = len(specs) > 1
    outcomes: list[PlanOutcome]
    if many:
        outcomes = _plan_many(project, specs, args, out)
    else:
        outcomes = [plan_environment(project, specs[0], args, out.progress(specs[0].name))]
        out.done()
    for outcome in outcomes:
        if outcome.summary and not many:
            out.plan_summary(outcome.summary)
            out.line(
                f"saved plan: {_rel(project.build_dir(outcome.name) / PLAN_FILE)}; summary: "
                f"{_rel(project.build_dir(outcome.name) / 'plan.md')}"
            )
    if many:
        out.plan_table(outcomes)
    out.emit(
        {
            "command": "plan",
            "environments": [
                {
                    "name": o.name,
                    "changes": o.changes,
                    "error": o.error,
                    "counts": o.summary["counts"] if o.summary else None,
                    "warnings": o.summary["warnings"] if o.summary else [],
                    "files": o.files,
                }
                for o in outcomes
            ],
        }
    )
    if any(o.error for o in outcomes):
        return 1
    if args.detailed_exitcode and any(o.changes for o in outcomes):
        return 2
    return 0


def _plan_many(
    project: Project, specs: list[Spec], args: argparse.Namespace, out: Out
) -> list[PlanOutcome]:
    """Plan environments in parallel (bounded by the CPU count); one failure
    does not stop the others."""
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(len(specs), getattr(args, "jobs", None) or os.cpu_count() or 1))

    def one(spec: Spec) -> PlanOutcome:
        try:
            return plan_environment(project, spec, args, out.progress(spec.name))
        except AuthgenError as err:
            out.err(f"{spec.name}: error: {err}")
            return PlanOutcome(spec.name, error=str(err))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(one, specs))
    out.done()
    return outcomes


# --------------------------------------------------------------------------
# apply / destroy / authorizer


def cmd_apply(args: argparse.Namespace, out: Out) -> int:
    from generator import plan_summary
    from generator.terraform import StalePlanError

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    on_line = out.progress(spec.name)
    with run_lock(project, spec, "apply"):
        directory = render_into(project, spec)
        runner = ready_runner(project, spec, args, on_line)
        plan_path = directory / PLAN_FILE
        reviewed = plan_path.is_file() and runner.saved_plan_is_current(plan_path, destroy=False)
        for attempt in (1, 2):
            if not reviewed:
                result = runner.plan(plan_path)
                summary = plan_summary.summarize(runner.show_json(plan_path), environment=spec.name)
                _write_summary(directory, summary)
                out.done()
                out.plan_summary(summary)
                if result.changes and not args.auto_approve:
                    confirm(
                        out, f"Apply these changes to {spec.name}?", action=f"apply {spec.name}"
                    )
            else:
                out.info(f"applying the saved plan {_rel(plan_path)} (made by 'authgen plan')")
            try:
                runner.apply(plan_path)
                break
            except StalePlanError:
                if attempt == 2:
                    raise
                out.info("the saved plan is stale (the state or the spec changed); planning again")
                reviewed = False
        outputs = runner.outputs()
    out.done()
    authorizer_path, changed = write_authorizer(project, spec, outputs)
    _report_outputs(out, spec, outputs, authorizer_path, changed)
    return 0


def _report_outputs(
    out: Out, spec: Spec, outputs: dict[str, Any], path: Path, changed: bool
) -> None:
    clients = outputs.get("client_ids") or {}
    state = "written" if changed else "unchanged"
    out.line(f"authorizer file: {_rel(path)} ({state})")
    out.line(f"discovery URL:   {outputs.get('discovery_url')}")
    for name, client_id in sorted(clients.items()):
        out.line(f"client {name}: {client_id}")
    out.emit(
        {
            "command": "authorizer",
            "environment": spec.name,
            "authorizer_file": str(path),
            "changed": changed,
            "discovery_url": outputs.get("discovery_url"),
            "client_ids": clients,
        }
    )


def cmd_authorizer(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    with run_lock(project, spec, "authorizer"):
        render_into(project, spec)
        outputs = applied_outputs(ready_runner(project, spec, args, out.progress(spec.name)), spec)
    out.done()
    authorizer_path, changed = write_authorizer(project, spec, outputs)
    _report_outputs(out, spec, outputs, authorizer_path, changed)
    return 0


def cmd_destroy(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    if spec.protected and not args.force:
        raise AuthgenError(
            f"{_rel(path)}: protected: true; destroy is refused. Pass --force to lift deletion "
            "protection and destroy anyway, or set protected: false first"
        )
    if not args.auto_approve:
        confirm(
            out,
            f"Destroy every resource of {spec.name}? Callers lose access.",
            action=f"destroy {spec.name}",
            expect=spec.name,
        )
    with run_lock(project, spec, "destroy"):
        if spec.protected:
            _lift_protection(project, spec, args, out)
        render_into(project, spec)
        runner = ready_runner(project, spec, args, out.progress(spec.name))
        runner.destroy()
    out.done()
    authorizer_path = project.resolve_inside(spec.authorizer.output)
    authorizer_path.unlink(missing_ok=True)
    for leftover in ("plan.json", "plan.md", PLAN_FILE, f"{PLAN_FILE}.fingerprint.json"):
        (project.build_dir(spec.name) / leftover).unlink(missing_ok=True)
    out.line(f"destroyed {spec.name}; removed {_rel(authorizer_path)}")
    out.emit({"command": "destroy", "environment": spec.name, "removed": str(authorizer_path)})
    return 0


def _lift_protection(project: Project, spec: Spec, args: argparse.Namespace, out: Out) -> None:
    """--force on a protected environment: apply deletion protection off first."""
    unprotected = spec.model_copy(update={"protected": False})
    directory = render_into(project, unprotected)
    runner = ready_runner(project, unprotected, args, out.progress(spec.name))
    out.info(f"{spec.name} is protected: turning deletion protection off before destroying")
    runner.plan(directory / PLAN_FILE)
    runner.apply(directory / PLAN_FILE)


# --------------------------------------------------------------------------
# token / verify


def _credentials(project: Project, spec: Spec, args: argparse.Namespace, out: Out):
    """Client credentials for ``spec``: from Terraform outputs at run time, or
    ``--client-id`` with the secret in AUTHGEN_CLIENT_SECRET. Never stored."""
    from generator.verify import ClientCredentials

    client_names = [c.name for c in (spec.cognito or spec.auth0).clients]
    name = args.client or client_names[0]
    if name not in client_names:
        raise AuthgenError(
            f"--client {name!r}: no such client in {spec.name} (clients: {', '.join(client_names)})"
        )
    client = next(c for c in (spec.cognito or spec.auth0).clients if c.name == name)
    outputs: dict[str, Any] = {}
    if not (args.client_id and args.token_endpoint):
        if not project.build_dir(spec.name).is_dir():
            raise AuthgenError(
                f"{spec.name}: not applied here (no {_rel(project.build_dir(spec.name))}/); run "
                f"'authgen apply {spec.name}' first, or pass --client-id and --token-endpoint "
                "with the secret in AUTHGEN_CLIENT_SECRET"
            )
        outputs = applied_outputs(ready_runner(project, spec, args, out.progress(spec.name)), spec)
        out.done()
    if args.client_id:
        client_id = args.client_id
        secret = os.environ.get("AUTHGEN_CLIENT_SECRET")
        if not secret:
            raise AuthgenError("--client-id needs the client secret in AUTHGEN_CLIENT_SECRET")
    else:
        client_id = (outputs.get("client_ids") or {}).get(name)
        secret = (outputs.get("client_secrets") or {}).get(name)
        if not client_id or not secret:
            raise AuthgenError(
                f"{spec.name}: no id or secret for client {name!r} in the outputs; apply first"
            )
    endpoint = args.token_endpoint or outputs.get("token_endpoint")
    if spec.cognito:
        rs = spec.cognito.resource_server
        scopes = tuple(f"{rs.identifier}/{s}" for s in client.scopes)
        return ClientCredentials("cognito", endpoint, client_id, secret, scopes=scopes)
    return ClientCredentials(
        "auth0",
        endpoint,
        client_id,
        secret,
        scopes=tuple(client.scopes),
        audience=spec.auth0.api.identifier,
    )


def cmd_token(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    response = _credentials(project, spec, args, out).fetch(wait=args.wait)
    if out.json:
        out.emit(response.as_dict())
    else:
        out.raw(response.access_token + "\n")
    return 0


def cmd_verify(args: argparse.Namespace, out: Out) -> int:
    from generator import authorizer, verify

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    file = (
        Path(args.authorizer) if args.authorizer else project.resolve_inside(spec.authorizer.output)
    )
    doc = authorizer.load(file)
    try:
        creds = _credentials(project, spec, args, out)
    except AuthgenError as err:
        if args.client_id or args.client:
            raise  # a client was asked for: not having it is an error, not a skip
        creds = None
        out.info(f"no client credentials ({err}); the token checks are skipped")
    checks = verify.verify(doc, credentials=creds, wait=args.wait)
    out.verify_table(checks, title=f"authgen verify: {spec.name} ({_rel(file)})")
    out.emit(
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
