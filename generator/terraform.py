"""Run terraform on one rendered root module (``build/<env>/``).

This is the only module that imports ``python_terraform``. python-terraform
0.10.1 predates Terraform 1.x, so its command wrappers are not used: their
defaults send flags Terraform 1.x refuses or that change behaviour
(``destroy`` adds the removed ``-force``; ``plan``/``apply``/``destroy``/``init``
add ``-var-file=<a temp file holding {}>``, which only ``cmd``'s synchronous
path removes; ``init`` adds ``-reconfigure -backend=true``; ``apply`` sends
``-auto-approve=false``; ``output(name)`` fails). ``cmd(..., synchronous=False)``
leaks ``-synchronous=false`` into the command line, and ``cmd`` logs captured
stdout at debug level, which for ``output -json`` holds secrets. We
use its flag builder (``generate_cmd_string``) with explicit options for every
call, and run the command ourselves so that:

* output lines stream to ``on_line`` while they are also kept for errors;
* ``show -json`` and ``output -json`` (which print sensitive values in clear)
  are never streamed or logged;
* Ctrl-C / SIGTERM is passed to terraform, which stops gracefully and
  releases the state, and is waited for before ``Interrupted`` is raised;
* a non-zero exit is never swallowed: ``TerraformError`` carries terraform's
  ``Error:`` summaries in one line.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, Terraform

from generator.errors import Interrupted, TerraformError
from generator.files import atomic_write

log = logging.getLogger(__name__)

LOCK_FILE_NAME = ".terraform.lock.hcl"
#: Written under ``.terraform/`` after a successful init; see ``Runner.init``.
INIT_STAMP = Path(".terraform") / "authgen-init.json"
#: Saved next to a plan file: ``<plan>.fingerprint.json``.
FINGERPRINT_SUFFIX = ".fingerprint.json"
#: In the plugin cache directory: held (flock) while an init may fill it.
CACHE_LOCK_NAME = ".authgen-init.lock"

INSTALL_HINT = (
    "install Terraform (https://developer.hashicorp.com/terraform/install) and put it on PATH"
)
MIRROR_HINT = (
    "supply a mirror: set TF_PLUGIN_DIR (or pass --plugin-dir) to a directory holding the "
    "provider in Terraform's unpacked layout (<dir>/registry.terraform.io/<namespace>/<type>/"
    "<version>/<os_arch>/), or add a filesystem_mirror to a Terraform CLI config "
    "(TF_CLI_CONFIG_FILE)"
)


class TerraformFailed(TerraformError):
    """terraform ran and exited non-zero.

    ``str(err)`` is one line built from terraform's ``Error:`` summaries;
    ``stderr`` keeps terraform's whole error output for a debug log.
    """

    def __init__(self, message: str, *, command: str, returncode: int | None, stderr: str = ""):
        super().__init__(message)
        self.command = command
        self.returncode = returncode
        self.stderr = stderr


class StalePlanError(TerraformFailed):
    """The saved plan no longer matches the state or the render: plan again."""


class ProviderUnavailable(TerraformFailed):
    """init could not install a provider: registry unreachable or not in the mirror."""

    def __init__(self, message: str, *, providers: list[str], **kwargs: Any):
        super().__init__(message, **kwargs)
        self.providers = providers


@dataclass(frozen=True)
class PlanResult:
    """A saved plan: ``changes`` is terraform's detailed exit code 2."""

    path: Path
    changes: bool
    destroy: bool
    fingerprint: str


@dataclass
class _Result:
    returncode: int
    stdout: list[str]
    stderr: list[str]


class _Flags(Terraform):
    """python-terraform's command-line builder, without its state-file read."""

    def read_state_file(self, file_path=None):
        self.tfstate = None


def default_plugin_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/authgen/plugin-cache``, else ``~/.cache/authgen/plugin-cache``."""
    env = os.environ if env is None else env
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "authgen" / "plugin-cache"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".cache" / "authgen" / "plugin-cache"


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
    ``on_line``: receives terraform's output lines while it runs (never the
    output of ``show -json`` / ``output -json``).
    ``env``: the environment terraform runs with (default ``os.environ``).
    ``terraform``: the binary (default: ``terraform`` on ``PATH``).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        lock_file: Path | None,
        plugin_dir: Path | None = None,
        plugin_cache_dir: Path | None = None,
        on_line: Callable[[str], None] | None = None,
        env: Mapping[str, str] | None = None,
        terraform: str | os.PathLike | None = None,
    ):
        self.workdir = Path(workdir).resolve()
        self.lock_file = Path(lock_file).resolve() if lock_file is not None else None
        self.on_line = on_line
        self.env = dict(os.environ if env is None else env)
        if plugin_dir is None and self.env.get("TF_PLUGIN_DIR"):
            plugin_dir = Path(self.env["TF_PLUGIN_DIR"])
        self.plugin_dir = Path(plugin_dir).expanduser().resolve() if plugin_dir else None
        if plugin_cache_dir is None:
            cached = self.env.get("TF_PLUGIN_CACHE_DIR")
            plugin_cache_dir = Path(cached) if cached else default_plugin_cache_dir(self.env)
        self.plugin_cache_dir = Path(plugin_cache_dir).expanduser().resolve()
        self._terraform = terraform

    # -- init ---------------------------------------------------------------

    def init(self, *, upgrade: bool = False) -> bool:
        """``terraform init -input=false``, unless nothing it depends on changed.

        Skipped (returns False) when the ``.tf`` files of the root and its
        local modules, the lock file and the plugin dir are those of the last
        successful init and the installed providers are still there.
        ``upgrade`` passes ``-upgrade`` (newer providers within the
        constraints; the lock file is rewritten) and never skips.
        """
        self._check_workdir()
        self._copy_lock_in()
        stamp = self._init_fingerprint()
        if not upgrade and self._init_is_current(stamp):
            log.info("terraform init skipped in %s: nothing it depends on changed", self.workdir)
            return False
        stamp_path = self.workdir / INIT_STAMP
        stamp_path.unlink(missing_ok=True)
        self.plugin_cache_dir.mkdir(parents=True, exist_ok=True)
        # terraform's plugin cache is not safe for concurrent installs: two
        # inits filling an empty cache at once fail with "failed to create
        # directory ... file exists". One init at a time per cache (threads of
        # `plan --all` and other authgen processes alike).
        with _exclusive(self.plugin_cache_dir / CACHE_LOCK_NAME):
            self._run(
                "init",
                input=False,
                no_color=IsFlagged,
                plugin_dir=str(self.plugin_dir) if self.plugin_dir else None,
                upgrade=IsFlagged if upgrade else None,
            )
        self._copy_lock_out()
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(stamp_path, json.dumps({"fingerprint": self._init_fingerprint()}) + "\n")
        return True

    def _init_fingerprint(self) -> str:
        parts = self._config_files()
        lock = self.workdir / LOCK_FILE_NAME
        if lock.is_file():
            parts.append((LOCK_FILE_NAME, lock.read_bytes()))
        parts.append(("plugin-dir", str(self.plugin_dir or "").encode()))
        return _digest(parts)

    def _init_is_current(self, fingerprint: str) -> bool:
        try:
            stored = json.loads((self.workdir / INIT_STAMP).read_text())["fingerprint"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return stored == fingerprint and _providers_intact(self.workdir)

    def _copy_lock_in(self) -> None:
        if self.lock_file is None:
            return
        local = self.workdir / LOCK_FILE_NAME
        if self.lock_file.is_file():
            data = self.lock_file.read_bytes()
            if not local.is_file() or local.read_bytes() != data:
                atomic_write(local, data)
        elif local.exists():
            # The repo holds no lock file: let terraform select providers afresh.
            local.unlink()

    def _copy_lock_out(self) -> None:
        if self.lock_file is None:
            return
        local = self.workdir / LOCK_FILE_NAME
        if not local.is_file():
            return
        data = local.read_bytes()
        if self.lock_file.is_file() and self.lock_file.read_bytes() == data:
            return
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.lock_file, data)
        log.info("updated the dependency lock file %s", self.lock_file)

    # -- plan / apply / destroy ---------------------------------------------

    def plan(self, out: Path, *, destroy: bool = False) -> PlanResult:
        """``terraform plan -out=OUT -detailed-exitcode`` (``-destroy`` when asked).

        Writes the root's fingerprint next to the plan (``OUT.fingerprint.json``)
        so that ``saved_plan_is_current`` can tell whether the render changed.
        """
        self._check_workdir()
        out = Path(out).resolve()
        meta = _meta_path(out)
        meta.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        fingerprint = self.root_fingerprint()
        result = self._run(
            "plan",
            ok_codes=(0, 2),
            input=False,
            no_color=IsFlagged,
            detailed_exitcode=IsFlagged,
            destroy=IsFlagged if destroy else None,
            out=str(out),
        )
        changes = result.returncode == 2
        atomic_write(meta, json.dumps({"fingerprint": fingerprint, "destroy": destroy}) + "\n")
        return PlanResult(path=out, changes=changes, destroy=destroy, fingerprint=fingerprint)

    def saved_plan_is_current(self, plan_path: Path, *, destroy: bool | None = None) -> bool:
        """True when ``plan_path`` was made by ``plan`` from the root as it is now
        (and, when ``destroy`` is given, in that mode) and not applied since."""
        plan_path = Path(plan_path).resolve()
        try:
            meta = json.loads(_meta_path(plan_path).read_text())
        except (OSError, ValueError):
            return False
        if not plan_path.is_file() or not isinstance(meta, dict):
            return False
        if destroy is not None and meta.get("destroy") is not destroy:
            return False
        return meta.get("fingerprint") == self.root_fingerprint()

    def apply(self, plan_path: Path) -> None:
        """Apply a saved plan (a saved plan counts as approval).

        Raises ``StalePlanError`` when the plan does not match the current
        render, or terraform finds the state changed since it was made. A
        saved plan is used once: afterwards it is no longer current.
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
            self._run("apply", str(plan_path), input=False, no_color=IsFlagged)
        finally:
            _meta_path(plan_path).unlink(missing_ok=True)

    def destroy(self) -> None:
        """``terraform destroy -auto-approve`` (Terraform 1.x has no ``-force``)."""
        self._check_workdir()
        self._run("destroy", input=False, no_color=IsFlagged, auto_approve=IsFlagged)

    # -- machine output -----------------------------------------------------

    def show_json(self, plan_path: Path) -> dict[str, Any]:
        """``terraform show -json PLAN``. Holds sensitive values in clear: mask
        them (``plan_summary``) before anything is shown or written."""
        self._check_workdir()
        result = self._run(
            "show",
            str(Path(plan_path).resolve()),
            stream_stdout=False,
            json=IsFlagged,
            no_color=IsFlagged,
        )
        return _parse_json(result, "show -json")

    def outputs(self) -> dict[str, Any]:
        """The root module's outputs, ``{name: value}``, sensitive ones included.

        The values are returned to the caller only; they are never logged.
        """
        self._check_workdir()
        result = self._run("output", stream_stdout=False, json=IsFlagged, no_color=IsFlagged)
        data = _parse_json(result, "output -json")
        return {name: entry.get("value") for name, entry in data.items()}

    # -- fingerprints -------------------------------------------------------

    def root_fingerprint(self) -> str:
        """A digest of everything a plan is made from: the root's ``.tf`` and
        variable files, the lock file, the local modules' ``.tf`` files and the
        ``TF_VAR_*`` environment. The state is not part of it: terraform
        itself refuses a plan made from an older state ("Saved plan is stale")."""
        parts = self._config_files()
        for pattern in ("*.tfvars", "*.tfvars.json", LOCK_FILE_NAME):
            parts.extend(
                (p.name, p.read_bytes()) for p in self.workdir.glob(pattern) if p.is_file()
            )
        tf_vars = sorted((k, v) for k, v in self.env.items() if k.startswith("TF_VAR_"))
        parts.append(("env:TF_VAR_*", json.dumps(tf_vars).encode()))
        return _digest(parts)

    def _config_files(self) -> list[tuple[str, bytes]]:
        """(label, content) of the root's and its installed modules' ``.tf`` files."""
        parts = []
        for pattern in ("*.tf", "*.tf.json"):
            parts.extend(
                (p.name, p.read_bytes()) for p in self.workdir.glob(pattern) if p.is_file()
            )
        for key, directory in _module_dirs(self.workdir):
            for pattern in ("*.tf", "*.tf.json"):
                parts.extend(
                    (f"module:{key}/{p.name}", p.read_bytes())
                    for p in directory.glob(pattern)
                    if p.is_file()
                )
        return parts

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
        stream_stdout: bool = True,
        ok_codes: tuple[int, ...] = (0,),
        **options: Any,
    ) -> _Result:
        argv = _Flags(terraform_bin_path=self._binary()).generate_cmd_string(
            command, *args, **options
        )
        log.info("terraform %s in %s", command, self.workdir)
        log.debug("running %s", " ".join(argv))
        in_main_thread = threading.current_thread() is threading.main_thread()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=self.workdir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # Its own process group: a terminal's Ctrl-C reaches only us, and
                # we pass exactly one interrupt on (two make terraform quit at once).
                process_group=0 if in_main_thread else None,
            )
        except FileNotFoundError as err:
            raise TerraformError(f"cannot run {argv[0]}: {err.strerror}; {INSTALL_HINT}") from None
        except PermissionError as err:
            raise TerraformError(f"cannot run {argv[0]}: {err.strerror}") from None

        lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
        readers = [
            threading.Thread(target=_read_lines, args=(proc.stdout, "stdout", lines), daemon=True),
            threading.Thread(target=_read_lines, args=(proc.stderr, "stderr", lines), daemon=True),
        ]
        for reader in readers:
            reader.start()
        captured: dict[str, list[str]] = {"stdout": [], "stderr": []}
        try:
            with _forward_signals(proc, enabled=in_main_thread) as received:
                announced = False
                open_streams = len(readers)
                while open_streams:
                    if received and not announced:
                        announced = True
                        log.warning(
                            "%s received: waiting for terraform %s to stop and release the "
                            "state (a second interrupt stops it at once and may lose state)",
                            signal.Signals(received[0]).name,
                            command,
                        )
                    try:
                        stream, line = lines.get(timeout=0.2)
                    except queue.Empty:
                        continue
                    if line is None:
                        open_streams -= 1
                        continue
                    captured[stream].append(line)
                    if self.on_line is not None and (stream == "stderr" or stream_stdout):
                        self.on_line(line)
                returncode = proc.wait()
        except BaseException:
            # on_line raised, or an interrupt arrived before our handler was in place.
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGINT)
                proc.wait()
            raise
        finally:
            for reader in readers:
                reader.join(timeout=5)
        result = _Result(returncode, captured["stdout"], captured["stderr"])
        if received:
            changing = command in ("apply", "destroy")
            raise Interrupted(
                f"interrupted ({signal.Signals(received[0]).name}): terraform {command} in "
                f"{self.workdir} was stopped and waited for (exit code {returncode}); its state "
                "is saved"
                + (
                    ", but an object being created at that moment may exist outside it: run "
                    "the command again, then look for a leftover (e.g. an extra app client)"
                    if changing
                    else "; run the command again to continue"
                )
            )
        if returncode not in ok_codes:
            raise _failure(command, result, self.plugin_dir)
        return result


# -- helpers ----------------------------------------------------------------


def _read_lines(pipe, stream: str, out: queue.Queue) -> None:
    try:
        for raw in iter(pipe.readline, b""):
            out.put((stream, raw.decode("utf-8", errors="replace").rstrip("\r\n")))
    finally:
        pipe.close()
        out.put((stream, None))


@contextmanager
def _forward_signals(proc: subprocess.Popen, *, enabled: bool) -> Iterator[list[int]]:
    """While terraform runs, pass SIGINT / SIGTERM on to it instead of dying."""
    received: list[int] = []
    if not enabled:
        yield received
        return

    def forward(signum, _frame):
        received.append(signum)
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (created if needed), waited for.

    flock locks belong to an open file description, so this excludes other
    threads of this process as well as other processes. Where the lock file
    cannot be made (a read-only, pre-filled cache), there is nothing to guard.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as err:
        log.debug("no lock on %s (%s): going on without it", path, err)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _parse_json(result: _Result, what: str) -> dict[str, Any]:
    try:
        data = json.loads("\n".join(result.stdout))
    except ValueError:
        raise TerraformError(f"terraform {what} did not print JSON") from None
    if not isinstance(data, dict):
        raise TerraformError(f"terraform {what} printed {type(data).__name__}, not an object")
    return data


_BOX = re.compile(r"^[│╷╵]\s?")
_ERROR = re.compile(r"^Error: (.+)$")
_WARNING = re.compile(r"^Warning: ")
_WITH = re.compile(r"^\s+with (.+?),?$")


def error_summaries(stderr: str) -> list[str]:
    """terraform's ``Error:`` blocks, each as ``summary (address): first detail paragraph``."""
    blocks: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for raw in stderr.splitlines():
        line = _BOX.sub("", raw)
        match = _ERROR.match(line)
        if match:
            current = {"summary": match[1].strip(), "body": []}
            blocks.append(current)
        elif _WARNING.match(line):
            current = None
        elif current is not None:
            current["body"].append(line)
    summaries: list[str] = []
    for block in blocks:
        address = None
        paragraphs: list[list[str]] = [[]]
        for line in block["body"]:
            match = _WITH.match(line)
            if match:
                address = match[1]
            elif not line.strip():
                paragraphs.append([])
            else:
                paragraphs[-1].append(line)
        detail = next(
            (" ".join(p) for p in paragraphs if p and not p[0][:1].isspace()),
            "",
        )
        text = block["summary"] + (f" ({address})" if address else "")
        if detail:
            detail = " ".join(detail.split())
            text += ": " + (detail if len(detail) <= 300 else detail[:297] + "...")
        if text not in summaries:
            summaries.append(text)
    return summaries


_PROVIDER = re.compile(r"(?:for provider|installing|provider) ((?:[\w.-]+/){1,2}[\w.-]+)")
_UNREACHABLE = re.compile(
    r"could not connect|no such host|connection refused|network is unreachable|i/o timeout"
    r"|proxyconnect|TLS handshake|context deadline exceeded|Client\.Timeout|dial tcp",
    re.IGNORECASE,
)


def _failure(command: str, result: _Result, plugin_dir: Path | None) -> TerraformFailed:
    stderr = "\n".join(result.stderr)
    summaries = error_summaries(stderr)
    flat = " ".join(stderr.split())
    common = {"command": command, "returncode": result.returncode, "stderr": stderr}
    if any(s.startswith("Saved plan is stale") for s in summaries):
        return StalePlanError(
            f"terraform {command}: the saved plan is stale (the state changed after it was "
            "made); plan again",
            **common,
        )
    if command == "init" and re.search(
        r"Failed to (query available provider packages|install provider)", flat
    ):
        providers = list(
            dict.fromkeys(p.removeprefix("registry.terraform.io/") for p in _PROVIDER.findall(flat))
        )
        names = ", ".join(providers) or "a provider"
        if "not found in any of the search locations" in flat:
            where = f"the plugin dir {plugin_dir}" if plugin_dir else "the configured mirror"
            return ProviderUnavailable(
                f"terraform init: provider {names} is not in {where}; add it there in Terraform's "
                "unpacked layout (<dir>/registry.terraform.io/<namespace>/<type>/<version>/"
                "<os_arch>/) or point TF_PLUGIN_DIR / --plugin-dir at a mirror that has it",
                providers=providers,
                **common,
            )
        if _UNREACHABLE.search(flat):
            return ProviderUnavailable(
                f"terraform init: cannot install provider {names}: the provider registry "
                f"cannot be reached; {MIRROR_HINT}",
                providers=providers,
                **common,
            )
    if summaries:
        reason = "; ".join(summaries[-3:])
    else:
        tail = [line.strip() for line in (result.stderr or result.stdout) if line.strip()]
        reason = " / ".join(tail[-3:]) or "no error output"
    return TerraformFailed(
        f"terraform {command} failed (exit code {result.returncode}): {reason}", **common
    )


def _module_dirs(workdir: Path) -> list[tuple[str, Path]]:
    """(key, directory) of every module installed by the last init, the root excepted."""
    try:
        manifest = json.loads((workdir / ".terraform" / "modules" / "modules.json").read_text())
    except (OSError, ValueError):
        return []
    dirs = []
    for module in manifest.get("Modules") or []:
        key, directory = module.get("Key"), module.get("Dir")
        if key and directory:
            dirs.append((key, (workdir / directory).resolve()))
    return sorted(dirs)


def _providers_intact(workdir: Path) -> bool:
    """False when the lock file names providers that are not installed, or a
    provider link into the plugin cache dangles."""
    providers = workdir / ".terraform" / "providers"
    if not providers.exists():
        lock = workdir / LOCK_FILE_NAME
        return not (lock.is_file() and b'provider "' in lock.read_bytes())
    return not any(path.is_symlink() and not path.exists() for path in providers.rglob("*"))


def _digest(parts: list[tuple[str, bytes]]) -> str:
    lines = sorted(f"{label}\0{hashlib.sha256(data).hexdigest()}\n" for label, data in parts)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _meta_path(plan_path: Path) -> Path:
    return plan_path.with_name(plan_path.name + FINGERPRINT_SUFFIX)
