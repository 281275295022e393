"""``Runner``: the terraform verbs authgen uses, for one root module.

A thin facade: each verb builds its command line, runs it (``process``),
reads its events (``events``) and turns a failure into an error
(``failures``); what may be skipped is decided by fingerprints (``plans``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Interrupted, TerraformError
from generator.terraform import plans, process, rootdir, version
from generator.terraform.events import DIAGNOSTIC, Diagnostic, Event
from generator.terraform.failures import (
    INSTALL_HINT,
    StalePlanError,
    TerraformFailed,
    classify,
)
from generator.terraform.plans import PlanResult
from generator.terraform.record import RunRecord
from generator.terraform.scrub import Scrubber

log = logging.getLogger(__name__)

#: Verbs that read or change infrastructure (and so the state).
_OPERATIONS = ("plan", "apply", "destroy")
#: Hook actions that create an object.
_CREATES = ("create", "replace")
#: Credentials terraform gets from the environment, masked like known secrets
#: (from 8 characters: placeholder values such as "testing" are not masked).
SECRET_ENV = (
    "AUTH0_CLIENT_SECRET",
    "AUTH0_API_TOKEN",
    "AUTHGEN_CLIENT_SECRET",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
_SECRET_ENV_MIN = 8


@dataclass(frozen=True)
class StateSnapshot:
    """Which state a plan is made from: terraform's ``serial`` (bumped by every
    write) and ``lineage`` (the identity of one state's history)."""

    serial: int
    lineage: str


class Runner:
    """terraform for one root module directory.

    ``lock_file``: the environment's dependency lock file kept in the repo
    (e.g. ``environments/locks/dev.terraform.lock.hcl``); copied into the
    workdir before init and back when init changed it. ``None``: the
    workdir's own lock file is used as is.
    ``plugin_dir``: a provider mirror for air-gapped runners (default:
    ``TF_PLUGIN_DIR``), passed as ``-plugin-dir``.
    ``plugin_cache_dir``: the shared provider cache (default:
    ``TF_PLUGIN_CACHE_DIR``, else ``~/.cache/authgen/plugin-cache``).
    ``on_event``: receives every ``Event`` of init/plan/apply/destroy while
    terraform runs (and the text lines of show/output's stderr), masked;
    never the output of ``show -json`` / ``output -json``.
    ``env``: the environment terraform runs with (default ``os.environ``).
    ``terraform``: the binary (default: ``terraform`` on ``PATH``).
    ``min_version``: the oldest Terraform accepted (default ``MIN_VERSION``).
    ``secrets``: known secrets, masked in every event, log line and error
    (sensitive outputs the runner reads, and the credentials of ``SECRET_ENV``
    in ``env``, are added).
    ``lock_timeout``: how long plan, apply and destroy wait for a state lock
    another run holds (terraform's ``-lock-timeout``, e.g. ``5m``); None:
    not at all (a held lock is ``StateLocked`` at once).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        lock_file: Path | None,
        plugin_dir: Path | None = None,
        plugin_cache_dir: Path | None = None,
        on_event: process.OnEvent | None = None,
        env: Mapping[str, str] | None = None,
        terraform: str | os.PathLike | None = None,
        min_version: str = version.MIN_VERSION,
        secrets: Iterable[str] = (),
        lock_timeout: str | None = None,
    ):
        self.workdir = Path(workdir).resolve()
        self.lock_timeout = lock_timeout
        self.lock_file = Path(lock_file).resolve() if lock_file is not None else None
        self.on_event = on_event
        self.env = dict(os.environ if env is None else env)
        if plugin_dir is None and self.env.get("TF_PLUGIN_DIR"):
            plugin_dir = Path(self.env["TF_PLUGIN_DIR"])
        self.plugin_dir = Path(plugin_dir).expanduser().resolve() if plugin_dir else None
        if plugin_cache_dir is None:
            cached = self.env.get("TF_PLUGIN_CACHE_DIR")
            default = rootdir.default_plugin_cache_dir(self.env)
            plugin_cache_dir = Path(cached) if cached else default
        self.plugin_cache_dir = Path(plugin_cache_dir).expanduser().resolve()
        self.min_version = min_version
        self.scrub = Scrubber(secrets)
        self.scrub.add(
            value for name in SECRET_ENV if len(value := self.env.get(name, "")) >= _SECRET_ENV_MIN
        )
        #: The record of an earlier run here that did not finish, once seen.
        self.earlier_run: RunRecord | None = None
        self._terraform = terraform
        self._log_secrets_known = False

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Mask these too from now on (e.g. client secrets read elsewhere)."""
        self.scrub.add(secrets)

    def version(self) -> str:
        """The Terraform version, checked against ``min_version``."""
        return version.check(self._binary(), self._environment(), self.min_version)

    # -- init ---------------------------------------------------------------

    def init(
        self, *, upgrade: bool = False, reconfigure: bool = False, migrate_state: bool = False
    ) -> bool:
        """``terraform init -input=false -json``, unless nothing it depends on changed.

        Skipped (returns False) when the ``.tf`` files of the root and its
        local modules, the lock file and the plugin dir are those of the last
        successful init and the installed providers are still there.
        ``upgrade`` passes ``-upgrade`` (newer providers within the
        constraints; the lock file is rewritten) and never skips.
        ``reconfigure`` passes ``-reconfigure``: a changed back end is taken
        as it is, without moving state (for an emulator whose port changed).
        ``migrate_state`` passes ``-migrate-state -force-copy``: the state of
        the back end used so far is copied into the new one (never skips).
        terraform refuses ``-migrate-state`` with ``-json``, so that init runs
        without it: its output arrives as text events, an error as text.
        """
        self._check_workdir()
        rootdir.copy_lock_in(self.lock_file, self.workdir)
        stamp = plans.init_fingerprint(self.workdir, self.plugin_dir)
        if not (upgrade or migrate_state) and plans.init_is_current(self.workdir, stamp):
            log.info("terraform init skipped in %s: nothing it depends on changed", self.workdir)
            return False
        plans.clear_init_stamp(self.workdir)
        self.plugin_cache_dir.mkdir(parents=True, exist_ok=True)
        # terraform's plugin cache is not safe for concurrent installs: two
        # inits filling an empty cache at once fail with "failed to create
        # directory ... file exists". One init at a time per cache (threads of
        # `plan --all` and other authgen processes alike).
        with rootdir.exclusive(self.plugin_cache_dir / rootdir.CACHE_LOCK_NAME):
            self._run(
                "init",
                input=False,
                no_color=process.flagged(),
                json=None if migrate_state else process.flagged(),
                plugin_dir=str(self.plugin_dir) if self.plugin_dir else None,
                upgrade=process.flagged() if upgrade else None,
                reconfigure=process.flagged() if reconfigure else None,
                migrate_state=process.flagged() if migrate_state else None,
                force_copy=process.flagged() if migrate_state else None,
            )
        rootdir.copy_lock_out(self.lock_file, self.workdir)
        plans.write_init_stamp(self.workdir, plans.init_fingerprint(self.workdir, self.plugin_dir))
        return True

    # -- plan / apply / destroy ---------------------------------------------

    def plan(self, out: Path, *, destroy: bool = False) -> PlanResult:
        """``terraform plan -out=OUT -detailed-exitcode -json`` (``-destroy`` when asked).

        Writes the root's fingerprint next to the plan (``OUT.fingerprint.json``)
        so that ``saved_plan_is_current`` can tell whether the render changed.
        A plan that leaves no saved plan behind is an error, never "no changes";
        a plan that fails leaves none.
        """
        self._check_workdir()
        out = Path(out).resolve()
        plans.forget_plan(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fingerprint = self.root_fingerprint()
        try:
            done = self._run(
                "plan",
                ok_codes=(0, 2),
                input=False,
                no_color=process.flagged(),
                json=process.flagged(),
                detailed_exitcode=process.flagged(),
                destroy=process.flagged() if destroy else None,
                lock_timeout=self.lock_timeout,
                out=str(out),
            )
        except BaseException:
            # terraform saves a plan that failed, too (it cannot be applied,
            # and it holds the prior state): nothing of it is kept.
            plans.forget_plan(out)
            raise
        if not out.is_file() or out.stat().st_size == 0:
            raise TerraformFailed(
                f"terraform plan exited {done.returncode} but saved no plan in {out}: the result "
                "cannot be trusted (is this terraform real?); nothing was applied",
                command="plan",
                returncode=done.returncode,
                stderr="\n".join(done.text),
                diagnostics=done.diagnostics,
            )
        rootdir.protect(self.workdir, out)
        plans.record_plan(out, fingerprint, destroy=destroy)
        return PlanResult(
            path=out, changes=done.returncode == 2, destroy=destroy, fingerprint=fingerprint
        )

    def saved_plan_is_current(self, plan_path: Path, *, destroy: bool | None = None) -> bool:
        """True when ``plan_path`` was made by ``plan`` from the root as it is now
        (and, when ``destroy`` is given, in that mode) and not applied since."""
        return plans.plan_is_current(
            Path(plan_path).resolve(), self.root_fingerprint(), destroy=destroy
        )

    def apply(self, plan_path: Path) -> None:
        """Apply a saved plan (a saved plan counts as approval).

        Raises ``StalePlanError`` when the plan does not match the current
        render, or terraform finds the state changed since it was made. A
        saved plan is used once: it is removed afterwards (it embeds the prior
        state, secrets included).
        """
        self._check_workdir()
        plan_path = Path(plan_path).resolve()
        if not self.saved_plan_is_current(plan_path):
            raise StalePlanError(
                f"the saved plan {plan_path} does not match the current render of "
                f"{self.workdir} (or was already applied); plan again",
                command="apply",
                returncode=None,
            )
        try:
            self._run(
                "apply",
                str(plan_path),
                changes=True,
                input=False,
                no_color=process.flagged(),
                json=process.flagged(),
                lock_timeout=self.lock_timeout,
            )
        finally:
            plans.forget_plan(plan_path)

    def destroy(self) -> None:
        """``terraform destroy -auto-approve -json`` (Terraform 1.x has no ``-force``)."""
        self._run(
            "destroy",
            changes=True,
            input=False,
            no_color=process.flagged(),
            json=process.flagged(),
            auto_approve=process.flagged(),
            lock_timeout=self.lock_timeout,
        )

    # -- machine output -----------------------------------------------------

    def show_json(self, plan_path: Path) -> dict[str, Any]:
        """``terraform show -json PLAN``. Holds sensitive values in clear: mask
        them (``plan_summary``) before anything is shown or written."""
        done = self._run(
            "show",
            str(Path(plan_path).resolve()),
            capture=True,
            json=process.flagged(),
            no_color=process.flagged(),
        )
        return _parse_json(done, "show -json")

    def outputs(self) -> dict[str, Any]:
        """The root module's outputs, ``{name: value}``, sensitive ones included.

        The values are returned to the caller only; they are never logged, and
        the sensitive ones are masked in everything this runner passes on.
        """
        done = self._run("output", capture=True, json=process.flagged(), no_color=process.flagged())
        data = _parse_json(done, "output -json")
        for entry in data.values():
            if isinstance(entry, dict) and entry.get("sensitive"):
                self.scrub.add_values(entry.get("value"))
        return {name: entry.get("value") for name, entry in data.items()}

    def state_json(self) -> dict[str, Any]:
        """``terraform show -json`` of the current state (``values`` with
        ``sensitive_values``). Holds sensitive values in clear: mask them
        (``generator.state.documents``) before anything is shown."""
        done = self._run("show", capture=True, json=process.flagged(), no_color=process.flagged())
        return _parse_json(done, "show -json")

    def pull_state(self) -> str | None:
        """``terraform state pull``: the raw state document as terraform
        prints it, None when there is no state yet. Holds secrets in clear;
        never streamed or logged."""
        done = self._run("state", "pull", capture=True)
        text = done.stdout.strip()
        if not text:
            return None
        _parse_json(done, "state pull")  # it must be one JSON object
        return text + "\n"

    def state(self) -> dict[str, Any]:
        """The raw state document (``terraform state pull``) parsed, ``{}``
        when there is none. Holds secrets in clear: it is returned to the
        caller only, never streamed, logged or printed."""
        done = self._run("state", "pull", capture=True)
        if not done.stdout.strip():
            return {}
        return _parse_json(done, "state pull")

    def state_snapshot(self) -> StateSnapshot | None:
        """The serial and lineage of the current state (``terraform state pull``,
        any back end), or ``None`` while there is no state yet. The state
        itself holds secrets: it is parsed here and dropped, never streamed,
        logged or returned."""
        data = self.state()
        if not data:
            return None
        try:
            return StateSnapshot(serial=int(data["serial"]), lineage=str(data["lineage"]))
        except (ValueError, KeyError, TypeError):
            raise TerraformError(
                "terraform state pull did not print a state with a serial and a lineage"
            ) from None

    # -- fingerprints -------------------------------------------------------

    def root_fingerprint(self) -> str:
        """A digest of everything a plan is made from (see ``plans``)."""
        return plans.root_fingerprint(self.workdir, self.env)

    # -- running terraform --------------------------------------------------

    def _check_workdir(self) -> None:
        if not self.workdir.is_dir():
            raise TerraformError(f"{self.workdir} does not exist: render the environment first")

    def _binary(self) -> str:
        if self._terraform is not None:
            path = Path(self._terraform)
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
            raise TerraformError(f"the terraform binary {path} does not exist or is not executable")
        found = shutil.which("terraform", path=self.env.get("PATH", os.defpath))
        if found is None:
            raise TerraformError(f"terraform is not on PATH: {INSTALL_HINT}")
        return found

    def _environment(self) -> dict[str, str]:
        env = dict(self.env)
        env["TF_PLUGIN_CACHE_DIR"] = str(self.plugin_cache_dir)
        env.setdefault("TF_IN_AUTOMATION", "1")
        env.setdefault("TF_INPUT", "0")
        return env

    def _run(
        self,
        command: str,
        *args: str,
        ok_codes: tuple[int, ...] = (0,),
        changes: bool = False,
        capture: bool = False,
        **options: Any,
    ) -> process.Completed:
        """Run ``terraform COMMAND``; raise on a non-zero exit or an interrupt.

        ``changes``: the command changes infrastructure; a ``RunRecord`` of
        the objects being created is kept while it runs.
        """
        self._check_workdir()
        binary = self._binary()
        env = self._environment()
        version.check(binary, env, self.min_version)
        if command in _OPERATIONS:
            self._report_earlier_run(command)
            self._learn_secrets_for_logs()
        argv = process.command_line(binary, command, *args, **options)
        log.info("terraform %s in %s", command, self.workdir)
        rootdir.protect(self.workdir)
        record = RunRecord.begin(self.workdir, command) if changes else None
        try:
            done = process.run(
                argv,
                cwd=self.workdir,
                env=env,
                command=command,
                scrub=self.scrub,
                on_event=self._handler(record),
                capture=capture,
            )
        finally:
            rootdir.protect(self.workdir)
            creating = list(record.creating) if record else []
            if record is not None:
                record.remove()
        if done.signal is not None:
            raise _interrupted(command, self.workdir, done, creating, changes=changes)
        if done.returncode not in ok_codes:
            raise classify(
                command,
                done.returncode,
                done.diagnostics,
                done.text,
                workdir=self.workdir,
                plugin_dir=self.plugin_dir,
            )
        return done

    def _handler(self, record: RunRecord | None) -> process.OnEvent | None:
        """The event sink for one run: keeps ``record`` up to date, then
        passes the event on to ``on_event``."""
        if record is None:
            return self.on_event
        on_event = self.on_event

        def handle(event: Event) -> None:
            if event.address and event.action in _CREATES:
                if event.type == "apply_start":
                    record.create_started(event.address)
                elif event.type == "apply_complete":
                    record.create_completed(event.address)
            if on_event is not None:
                on_event(event)

        return handle

    def _report_earlier_run(self, command: str) -> None:
        """Say so (a warning event and a log line) when an earlier run here was
        killed before it could report how terraform ended, then drop its record."""
        earlier = RunRecord.left_over(self.workdir)
        if earlier is None:
            return
        self.earlier_run = earlier
        detail = earlier.describe()
        log.log(
            logging.INFO if self.on_event else logging.WARNING,
            "%s: an earlier run did not finish: %s",
            self.workdir,
            detail,
        )
        if self.on_event is not None:
            diagnostic = Diagnostic("warning", "An earlier run did not finish", detail)
            self.on_event(
                Event(
                    type=DIAGNOSTIC,
                    message=f"Warning: An earlier run did not finish: {detail}",
                    level="warn",
                    command=command,
                    diagnostic=diagnostic,
                )
            )
        earlier.remove()

    def _learn_secrets_for_logs(self) -> None:
        """With ``TF_LOG`` set, terraform's debug output holds API bodies in
        clear: learn the sensitive outputs first, so they are masked there
        even where no field name gives them away."""
        if self._log_secrets_known or not self.env.get("TF_LOG"):
            return
        self._log_secrets_known = True
        try:
            self.outputs()
        except TerraformError as err:
            log.debug("no outputs to learn secrets from: %s", err)


def _interrupted(
    command: str, where: Path, done: process.Completed, creating: list[str], *, changes: bool
) -> Interrupted:
    name = signal.Signals(done.signal).name
    text = (
        f"interrupted ({name}): terraform {command} in {where} was stopped and waited for "
        f"(exit code {done.returncode}); its state is saved"
    )
    if changes and creating:
        text += (
            f", but {', '.join(creating)} was being created at that moment and may exist "
            "outside it: run the command again, then look for a leftover (e.g. an extra app "
            "client)"
        )
    elif changes:
        text += (
            ", but an object being created at that moment may exist outside it: run the "
            "command again, then look for a leftover (e.g. an extra app client)"
        )
    else:
        text += "; run the command again to continue"
    return Interrupted(text)


def _parse_json(done: process.Completed, what: str) -> dict[str, Any]:
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise TerraformError(f"terraform {what} did not print JSON") from None
    if not isinstance(data, dict):
        raise TerraformError(f"terraform {what} printed {type(data).__name__}, not an object")
    return data
