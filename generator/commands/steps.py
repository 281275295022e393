"""Steps several commands share: which specs, load, render, a ready runner,
the run lock, a confirmation, the authorizer file, client credentials.

Steps take plain inputs and return plain results; the ones that show
something take the command's ``report``. Heavy libraries load inside the
steps that need them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError, LockError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import ProgressSink, Reporter
    from generator.run_lock import RunLock
    from generator.spec import Spec
    from generator.terraform import LockInfo, Runner
    from generator.tokens import ClientCredentials

#: The saved plan in an environment's build directory.
PLAN_FILE = "tfplan"


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
            paths = [p for p in paths if not targets_emulator(p)]
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


def targets_emulator(path: Path) -> bool:
    """The spec file sets ``endpoint_url`` (a local emulator); read without checking it."""
    from generator.yaml_source import load

    data = load(path).data
    return isinstance(data, dict) and data.get("endpoint_url") is not None


def load_spec(path: Path) -> Spec:
    """A checked spec, with AUTHGEN_ENDPOINT_URL applied."""
    from generator import spec

    return spec.load(path).with_endpoint(os.environ.get("AUTHGEN_ENDPOINT_URL"))


def render_into(project: Project, spec: Spec) -> Path:
    """Render ``spec`` into its build directory (atomically, file by file); the directory."""
    from generator import render

    directory = project.build_dir(spec.name)
    render.write_build(directory, render.render(spec))
    return directory


def ready_runner(
    project: Project,
    spec: Spec,
    args: argparse.Namespace,
    progress: ProgressSink,
    *,
    migrate_state: bool = False,
) -> Runner:
    """A runner for the environment's build directory, ``terraform init`` done
    (or skipped when nothing it depends on changed); its events go to
    ``progress``, and the binary must be at least the version the rendered
    root requires; ``--lock-timeout`` is how long it waits for a state lock.

    An S3 back end on an emulator is re-initialised as rendered
    (``-reconfigure``: a new emulator port is a new, empty back end), unless
    the back end's kind changed. When init fails for S3 state whose bucket
    does not exist, or because the back end changed, that is the one line.
    ``migrate_state``: copy the state of the previous back end into the new
    one (``authgen state migrate``).
    """
    from generator import providers
    from generator.render import minimum_terraform_version
    from generator.terraform import TerraformFailed

    module = providers.get(spec.provider).module
    if module:
        project.vendored_module(module)  # terraform init needs it: one line if missing
    directory = project.build_dir(spec.name)
    reconfigure = (
        spec.endpoint_url is not None
        and spec.state.backend == "s3"
        and initialised_backend(directory) in (None, "s3")
        and not migrate_state
    )
    try:
        return environment_runner(
            project,
            spec.name,
            args,
            progress,
            min_version=minimum_terraform_version(spec),
            reconfigure=reconfigure,
            migrate_state=migrate_state,
        )
    except TerraformFailed as err:
        missing = missing_state_bucket(spec)
        if missing:
            raise AuthgenError(missing) from None
        if any(d.summary == BACKEND_CHANGED for d in err.diagnostics):
            before = initialised_backend(directory) or "another back end"
            raise AuthgenError(
                f"{spec.name}: its state back end changed ({before} -> {spec.state.backend}) "
                f"since {display_name(directory)} was initialised; move the state there with "
                f"'authgen state migrate {spec.name}' (or, if the old state is not wanted, remove "
                f"{display_name(directory / '.terraform')} and run this again)"
            ) from None
        raise


def environment_runner(
    project: Project,
    name: str,
    args: argparse.Namespace,
    progress: ProgressSink,
    *,
    min_version: str,
    reconfigure: bool = False,
    migrate_state: bool = False,
) -> Runner:
    """``ready_runner`` by environment name (also for an environment known
    only from its record, whose root needs at least ``min_version``)."""
    from generator.terraform import Runner

    plugin_dir = getattr(args, "plugin_dir", None)
    runner = Runner(
        project.build_dir(name),
        lock_file=project.lock_file(name),
        plugin_dir=Path(plugin_dir) if plugin_dir else None,
        on_event=progress,
        min_version=min_version,
        lock_timeout=getattr(args, "lock_timeout", None),
    )
    runner.init(
        upgrade=getattr(args, "upgrade", False),
        reconfigure=reconfigure,
        migrate_state=migrate_state,
    )
    return runner


#: The summary of terraform init's error diagnostic when the back end changed
#: and neither -reconfigure nor -migrate-state was given.
BACKEND_CHANGED = "Backend configuration changed"


def initialised_backend(directory: Path) -> str | None:
    """The back end type the last ``terraform init`` in ``directory`` set up
    (from ``.terraform/terraform.tfstate``), None when there is none."""
    import json

    try:
        doc = json.loads((directory / ".terraform" / "terraform.tfstate").read_text())
    except (OSError, ValueError):
        return None
    backend = doc.get("backend") if isinstance(doc, dict) else None
    kind = backend.get("type") if isinstance(backend, dict) else None
    return kind if isinstance(kind, str) else None


def missing_state_bucket(spec: Spec) -> str | None:
    """The one line for S3 state whose bucket does not exist, else None (also
    when the bucket cannot be checked: terraform's own error stands then)."""
    if spec.state.backend != "s3":
        return None
    from generator.state import bucket

    try:
        if bucket.bucket_exists(spec):
            return None
    except AuthgenError:
        return None
    where = display_name(spec.path) if spec.path is not None else spec.name
    return (
        f"{where}: state.bucket: the S3 bucket {spec.state.bucket!r} for the state of "
        f"{spec.name} does not exist (region {spec.state.region}); create it with "
        f"'authgen state bootstrap {spec.name}', then run this again"
    )


def refuse_local_state_in_ci(spec: Spec, args: argparse.Namespace) -> None:
    """In CI, no plan or apply on local state (``generator.state.ci``) unless
    ``--allow-local-state``."""
    if getattr(args, "allow_local_state", False):
        return
    from generator.state.ci import local_state_problem

    problem = local_state_problem(spec)
    if problem:
        raise AuthgenError(problem)


@contextmanager
def state_lock_explained(
    project: Project, spec: Spec | str, args: argparse.Namespace, command: str
) -> Iterator[None]:
    """Terraform's "state locked" error as one line: who holds the lock, doing
    what, since when, its ID, and how to wait (``--lock-timeout``). ``spec``:
    the environment, or its name (one known only from its record)."""
    from generator.terraform import StateLocked

    name = spec if isinstance(spec, str) else spec.name
    try:
        yield
    except StateLocked as err:
        raise LockError(
            lock_message(
                name,
                command,
                err.lock,
                waited=getattr(args, "lock_timeout", None),
                build=display_name(project.build_dir(name)),
            )
        ) from None


def lock_message(name: str, command: str, lock: LockInfo, *, waited: str | None, build: str) -> str:
    """What to say when another run holds the state lock of environment ``name``."""
    holder = lock.who or "another run"
    doing = lock.operation.removeprefix("OperationType").lower() or "an operation"
    since = f" since {_lock_time(lock.created)}" if lock.created else ""
    ident = lock.id or "LOCK_ID"
    if waited:
        wait = f"it was still held after waiting {waited} (--lock-timeout); wait longer"
    else:
        wait = f"wait for it with --lock-timeout ('authgen {command} {name} --lock-timeout 10m')"
    return (
        f"{name}: the Terraform state is locked by {holder} ({doing}{since}, lock ID {ident}): "
        f"another run of {name} is in progress; {wait}, or, only if that run died, release "
        f"the lock with 'terraform force-unlock {ident}' in {build}"
    )


def _lock_time(created: str) -> str:
    """Terraform's lock time (``2026-12-02 06:11:13.788767646 +0000 UTC``) to the second."""
    stamp, _, rest = created.partition(".")
    if not rest:
        return created
    zone = rest.split()[-1] if len(rest.split()) > 1 else ""
    return f"{stamp} {zone}".strip()


def applied_outputs(runner: Runner, spec: Spec) -> dict[str, Any]:
    """The Terraform outputs of an applied environment (secrets included:
    callers pass them on, never print them)."""
    if spec.retired:
        raise AuthgenError(
            f"{spec.name}: retired: true; a retired environment has no resources to read "
            f"(apply retires it: 'authgen plan {spec.name}', then 'authgen apply {spec.name}')"
        )
    outputs = runner.outputs()
    if not outputs:
        raise AuthgenError(
            f"{spec.name}: Terraform has no outputs; run 'authgen apply {spec.name}' first"
        )
    return outputs


def run_lock(project: Project, spec: Spec, command: str) -> RunLock:
    """The lock that keeps a second run off the environment while ``command`` runs."""
    return environment_lock(project, spec.name, command)


def environment_lock(project: Project, name: str, command: str) -> RunLock:
    """``run_lock`` by environment name (for an environment known only from its record)."""
    from generator.run_lock import RunLock, lock_path

    return RunLock(lock_path(project.build_dir(name)), command=f"authgen {command} {name}")


def confirm(
    report: Reporter,
    question: str,
    *,
    action: str,
    expect: str = "yes",
    flag: str = "--auto-approve",
) -> None:
    """Ask on a terminal; refuse without one (pipelines pass ``flag``).

    ``action`` names what needs the answer, for the error without a terminal;
    any answer but ``expect`` cancels.
    """
    answer = report.ask(f"{question} Type '{expect}' to proceed: ")
    if answer is None:
        raise AuthgenError(
            f"{action} needs a confirmation and stdin is not a terminal; pass {flag} to proceed"
        )
    if answer.strip() != expect:
        raise AuthgenError("cancelled; nothing was changed")


def record_applied(project: Project, path: Path) -> bool:
    """Keep the record of the environment of spec file ``path`` (written
    before terraform applies, so that a partial apply is recorded too);
    whether it changed. The spec is read as its file says (no
    AUTHGEN_ENDPOINT_URL)."""
    from generator import records, spec

    return records.write(project, records.of_spec(project, spec.load(path)))


def refuse_retiring_protected(project: Project, spec: Spec) -> None:
    """A retirement is refused while the environment's record says it was last
    applied with deletion protection on (Cognito would refuse the deletion
    half-way): protection must be lifted by an apply first."""
    from generator import records

    record = records.load(project, spec.name)
    if record is not None and record.protected:
        raise AuthgenError(
            f"{display_name(spec.path or project.spec_path(spec.name))}: retired: true, but "
            f"{spec.name} was last applied with protected: true (deletion protection is on); "
            "unprotect it first: set protected: false without retired, apply that, then retire it"
        )


def write_plan_files(directory: Path, summary: dict[str, Any]) -> list[str]:
    """``plan.json`` and ``plan.md`` of a masked summary, each written
    atomically and private (0600, like the state next to them); their paths."""
    from generator import plan_summary
    from generator.files import atomic_write

    written = []
    for name, text in (
        ("plan.json", plan_summary.to_json(summary)),
        ("plan.md", plan_summary.to_markdown(summary)),
    ):
        atomic_write(directory / name, text, mode=0o600)
        written.append(str(directory / name))
    return written


def write_authorizer(project: Project, spec: Spec, outputs: dict[str, Any]) -> tuple[Path, bool]:
    """The authorizer file of ``spec`` from the outputs: its path, and
    whether its content changed."""
    from generator import authorizer

    doc = authorizer.build(
        spec.provider,
        outputs,
        members=spec.authorizer.to_api(),
        client_names=spec.authorizer.allowed_clients,
    )
    path = project.resolve_inside(spec.authorizer.output)
    changed = authorizer.write(path, doc)
    return path, changed


def report_outputs(
    report: Reporter, spec: Spec, outputs: dict[str, Any], path: Path, changed: bool
) -> None:
    """What ``apply`` and ``authorizer`` say at the end: the file, the
    discovery URL, the client ids (never a secret)."""
    clients = outputs.get("client_ids") or {}
    state = "written" if changed else "unchanged"
    report.line(f"authorizer file: {display_name(path)} ({state})")
    report.line(f"discovery URL:   {outputs.get('discovery_url')}")
    for name, client_id in sorted(clients.items()):
        report.line(f"client {name}: {client_id}")
    report.emit(
        {
            "command": "authorizer",
            "environment": spec.name,
            "authorizer_file": str(path),
            "changed": changed,
            "discovery_url": outputs.get("discovery_url"),
            "client_ids": clients,
        }
    )


def credentials(
    project: Project, spec: Spec, args: argparse.Namespace, report: Reporter
) -> ClientCredentials:
    """Client credentials for ``spec``: from Terraform outputs at run time, or
    ``--client-id`` with the secret in AUTHGEN_CLIENT_SECRET. Never stored.
    The provider's entry says what the token request asks for; ``--scope`` and
    ``--audience`` replace that. A provider without Terraform (oidc) takes the
    token endpoint from its discovery document."""
    from dataclasses import replace

    from generator import providers

    entry = providers.get(spec.provider)
    names = entry.client_names(spec)
    name = args.client or (names[0] if names else None)
    if name is not None and name not in names:
        known = ", ".join(names) or "none: pass --client-id"
        raise AuthgenError(f"--client {name!r}: no such client in {spec.name} (clients: {known})")
    secret = os.environ.get("AUTHGEN_CLIENT_SECRET") if args.client_id else None
    if args.client_id and not secret:
        raise AuthgenError("--client-id needs the client secret in AUTHGEN_CLIENT_SECRET")
    if not args.client_id and name is None:
        raise AuthgenError(
            f"{spec.name}: the spec names no client; pass --client-id with the secret in "
            "AUTHGEN_CLIENT_SECRET"
        )
    outputs: dict[str, Any] = {}
    direct_outputs = entry.spec_outputs(spec)
    if direct_outputs is not None:
        from generator import direct

        outputs = direct_outputs if args.token_endpoint else direct.outputs(spec, wait=args.wait)
    elif not (args.client_id and args.token_endpoint):
        if not project.build_dir(spec.name).is_dir():
            raise AuthgenError(
                f"{spec.name}: not applied here (no {display_name(project.build_dir(spec.name))}/);"
                f" run 'authgen apply {spec.name}' first, or pass --client-id and --token-endpoint "
                "with the secret in AUTHGEN_CLIENT_SECRET"
            )
        runner = ready_runner(project, spec, args, report.progress(spec.name))
        outputs = applied_outputs(runner, spec)
        report.done()
    if args.client_id:
        client_id = args.client_id
    else:
        client_id = (outputs.get("client_ids") or {}).get(name)
        secret = (outputs.get("client_secrets") or {}).get(name)
        if not client_id or not secret:
            raise AuthgenError(
                f"{spec.name}: no id or secret for client {name!r} in the outputs; apply first"
            )
    request = entry.token_request(
        spec,
        name,
        token_endpoint=args.token_endpoint or outputs.get("token_endpoint"),
        client_id=client_id,
        client_secret=secret,
    )
    scopes = [s for value in getattr(args, "scope", None) or [] for s in value.split()]
    if scopes:
        request = replace(request, scopes=tuple(scopes))
    if getattr(args, "audience", None):
        request = replace(request, audience=args.audience)
    methods = outputs.get("token_endpoint_auth_methods_supported")
    if (
        request.auth_method is None
        and isinstance(methods, list)
        and "client_secret_basic" not in methods
        and "client_secret_post" in methods
    ):
        request = replace(request, auth_method="client_secret_post")
    return request
