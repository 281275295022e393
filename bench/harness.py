"""What every benchmark needs: timing, statistics, the machine, and an isolated
workspace (a temp project, a provider mirror config, a moto server).

Nothing here touches the repository's ``build/``, ``authorizers/`` or
``environments/``: all work happens under a temp directory, the emulator
listens on 127.0.0.1 and is stopped by its process id.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import logging
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
log = logging.getLogger("bench")


class BenchError(Exception):
    """A benchmark could not run (a command failed, a tool is missing)."""


# --------------------------------------------------------------------------
# Commands and timing


def venv_bin(name: str) -> str:
    """``name`` next to the running interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed next to {sys.executable} nor on PATH")
    return found


def authgen_cmd() -> list[str]:
    """The ``authgen`` console script of this venv (``python -m generator`` as a fallback)."""
    try:
        return [venv_bin("authgen")]
    except BenchError:
        return [sys.executable, "-m", "generator"]


@dataclass
class Timing:
    """One timed command: wall seconds and the CPU seconds of it and its children."""

    wall: float
    cpu: float


def run_timed(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0,),
    log_to: Path | None = None,
) -> Timing:
    """Run ``argv`` to completion; output goes to ``log_to`` (else nowhere).

    Raises BenchError on an unexpected exit code, naming the log to read.
    CPU time is the rusage of waited-for children (terraform's providers
    included); it is exact when no other child ends meanwhile (no threads).
    """
    sink = open(log_to, "ab") if log_to else subprocess.DEVNULL  # noqa: SIM115
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if log_to:
            sink.close()
    if proc.returncode not in ok_codes:
        where = f"; see {log_to}" if log_to else ""
        raise BenchError(f"{' '.join(argv[:3])} ... exited {proc.returncode} in {cwd}{where}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def interleave(
    commands: dict[str, Callable[[], Timing]], rounds: int, progress: Callable[[str], None]
) -> dict[str, list[Timing]]:
    """Run the commands in turn (A B A B ...) for ``rounds`` rounds, so slow
    drift of the machine (other load, thermal, caches) hits all alike."""
    samples: dict[str, list[Timing]] = {name: [] for name in commands}
    for r in range(rounds):
        for name, command in commands.items():
            timing = command()
            samples[name].append(timing)
            progress(f"round {r + 1}/{rounds}: {name} {timing.wall:.3f} s")
    return samples


def stats(values: Sequence[float]) -> dict[str, Any]:
    """Median, min, max and every sample, rounded for the JSON."""
    values = list(values)
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "n": len(values),
        "samples": [round(v, 4) for v in values],
    }


def timing_stats(samples: Sequence[Timing]) -> dict[str, Any]:
    return {"wall_s": stats([t.wall for t in samples]), "cpu_s": stats([t.cpu for t in samples])}


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


# --------------------------------------------------------------------------
# Other load on the machine

#: Long-running processes the bench started (the moto server): their CPU
#: counts as ours although they are not waited for until the end.
TRACKED_PIDS: set[int] = set()


def _proc_stat_busy() -> tuple[float, float] | None:
    """Busy and stolen CPU seconds of the whole machine since boot."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    ticks = [int(f) for f in fields]
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (ticks + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / hz, steal / hz


def _tracked_cpu() -> float:
    total = 0.0
    hz = os.sysconf("SC_CLK_TCK")
    for pid in list(TRACKED_PIDS):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / hz  # utime, stime
    return total


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + _tracked_cpu()


class LoadMeter:
    """CPU the rest of the machine used while a benchmark ran: the whole
    machine's busy time (``/proc/stat``) minus the bench's own (itself, its
    children, the moto server). Other work on a shared machine shows here."""

    def __init__(self) -> None:
        self._start = (time.perf_counter(), _proc_stat_busy(), _own_cpu())

    def read(self) -> dict[str, Any] | None:
        wall0, machine0, own0 = self._start
        machine1 = _proc_stat_busy()
        if machine0 is None or machine1 is None:
            return None
        wall = time.perf_counter() - wall0
        busy = machine1[0] - machine0[0]
        own = _own_cpu() - own0
        if wall <= 0:
            return None
        return {
            "cores_busy": round(busy / wall, 2),
            "cores_ours": round(own / wall, 2),
            "cores_others": round(max(0.0, busy - own) / wall, 2),
            "cores_stolen": round((machine1[1] - machine0[1]) / wall, 2),
        }


# --------------------------------------------------------------------------
# The machine


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def terraform_version() -> str | None:
    binary = shutil.which("terraform")
    if binary is None:
        return None
    try:
        out = subprocess.run(
            [binary, "version", "-json"],
            capture_output=True,
            text=True,
            timeout=30,
            env=dict(os.environ, CHECKPOINT_DISABLE="1"),
        )
        return json.loads(out.stdout)["terraform_version"]
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return None


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


#: A pure-Python busy loop (about half a second) for ``cpu_scaling``.
_BUSY = "x = 0\nfor i in range(12_000_000):\n    x += i\n"


def cpu_scaling(processes: int | None = None, trials: int = 2) -> dict[str, Any]:
    """How much faster ``processes`` CPU-bound processes finish together than
    one after another: ``processes`` on a machine whose CPUs are all its own,
    about 1 where virtual CPUs share one core or a quota caps them."""
    processes = processes or os.cpu_count() or 1

    def batch(k: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _BUSY]) for _ in range(k)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    one = min(batch(1) for _ in range(trials))
    together = min(batch(processes) for _ in range(trials))
    return {
        "processes": processes,
        "one_s": round(one, 3),
        "together_s": round(together, 3),
        "throughput_x": round(processes * one / together, 2),
    }


def machine() -> dict[str, Any]:
    """Where and when the numbers were taken."""
    from generator import plugins

    mirror = plugins.find_mirror("hashicorp/aws")
    aws_versions = []
    if mirror is not None:
        aws_dir = mirror / "registry.terraform.io" / "hashicorp" / "aws"
        aws_versions = sorted(p.name for p in aws_dir.iterdir() if p.is_dir())
    dirty = _git("status", "--porcelain", "--", "generator", "templates", "modules")
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpuinfo_model(),
        "cpu_scaling": cpu_scaling(),
        "ram_gib": _ram_gib(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "terraform": terraform_version(),
        "aws_provider": ", ".join(aws_versions) or None,
        "provider_mirror": str(mirror) if mirror else None,
        "moto": _package_version("moto"),
        "pydantic": _package_version("pydantic"),
        "pyyaml": _package_version("pyyaml"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(dirty) if dirty is not None else None,
    }


# --------------------------------------------------------------------------
# Workspaces


def make_tempdir(prefix: str = "authgen-bench-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def base_env(root: Path) -> dict[str, str]:
    """The environment every benchmarked command runs with: fake AWS
    credentials, no colour, no checkpoint calls, Terraform's CLI config and
    plugin cache under ``root`` (a provider mirror when one is on disk), and
    Python's bytecode cache under ``root`` too."""
    from generator import plugins

    env = dict(os.environ)
    # CI unset: the benchmarks plan local-state environments on purpose.
    drop = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AUTHGEN_ENDPOINT_URL", "TF_PLUGIN_DIR", "CI")
    for var in (*drop, "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    rc = root / "terraform.tfrc"
    mirror = plugins.find_mirror("hashicorp/aws")
    rc.write_text(plugins.cli_config(mirror) if mirror else "")
    cache = root / "plugin-cache"
    cache.mkdir(exist_ok=True)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "authgen-bench",
            "AWS_SECRET_ACCESS_KEY": "authgen-bench",
            "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_EC2_METADATA_DISABLED": "true",
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "TF_CLI_CONFIG_FILE": str(rc),
            "TF_PLUGIN_CACHE_DIR": str(cache),
            "NO_COLOR": "1",
            # Bytecode cached as on a normal install, but under the temp dir:
            # nothing is written into the checkout.
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
    )
    return env


def new_project(root: Path, *, modules: bool = False) -> Path:
    """An empty project checkout under ``root`` (``environments/``; a copy of
    the repo's ``modules/`` when the rendered roots will be planned)."""
    project = root / "project"
    (project / "environments").mkdir(parents=True)
    if modules:
        shutil.copytree(
            REPO / "modules",
            project / "modules",
            ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "examples", "*.md"),
        )
    return project


@dataclass
class PlanWorkspace:
    """A temp project of ``names`` Cognito environments, applied against one
    moto server, ready for ``authgen plan`` and bare ``terraform plan``."""

    root: Path
    project: Path
    env: dict[str, str]
    names: list[str]
    server: Any = None
    state_bucket: str | None = None
    logs: Path = field(init=False)
    setup_s: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.logs = self.root / "logs"
        self.logs.mkdir(exist_ok=True)

    def build_dir(self, name: str) -> Path:
        return self.project / "build" / name

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            TRACKED_PIDS.discard(self.server.pid)
            self.server = None


def plan_workspace(
    root: Path,
    n: int,
    *,
    jobs: int,
    progress: Callable[[str], None],
    state_bucket: str | None = None,
) -> PlanWorkspace:
    """Generate ``n`` plannable specs, start moto, render, init and apply them.

    ``state_bucket``: the environments keep their state in that one S3 bucket
    on the moto server (made by ``authgen state bootstrap``), a key each.

    Init runs through authgen's own ``Runner`` (so its init stamp and lock
    file are what ``authgen plan`` expects and later inits are skipped); the
    first init fills the shared plugin cache alone, the rest run ``jobs`` at
    a time. Apply is a plain ``terraform apply -auto-approve`` (setup, untimed).
    """
    from bench import specgen
    from generator.emulator import start_moto
    from generator.terraform import Runner

    if shutil.which("terraform") is None:
        raise BenchError("terraform is not on PATH")
    env = base_env(root)
    project = new_project(root, modules=True)
    paths = specgen.plannable(project / "environments", n, state_bucket=state_bucket)
    names = [p.stem for p in paths]
    ws = PlanWorkspace(root=root, project=project, env=env, names=names, state_bucket=state_bucket)
    started = time.perf_counter()
    # The test suite's moto launcher: stock moto forgets a pool's feature plan
    # (UserPoolTier), so every plan after apply would show a change and the
    # "unchanged environment" of benchmark 1 would not be unchanged.
    launcher = [sys.executable, str(REPO / "tests" / "support" / "moto_plus.py")]
    ws.server = start_moto(log_path=ws.logs / "moto.log", launcher=launcher)
    TRACKED_PIDS.add(ws.server.pid)
    env["AUTHGEN_ENDPOINT_URL"] = ws.server.url
    progress(f"moto server on {ws.server.url} (pid {ws.server.pid})")
    try:
        if state_bucket:
            run_timed(
                [*authgen_cmd(), "state", "bootstrap", names[0]],
                cwd=project,
                env=env,
                log_to=ws.logs / "bootstrap.log",
            )
            progress(f"state bucket {state_bucket} bootstrapped on moto")
        run_timed(
            [*authgen_cmd(), "render", "--all"],
            cwd=project,
            env=env,
            log_to=ws.logs / "render.log",
        )

        def init(name: str) -> None:
            Runner(
                ws.build_dir(name),
                lock_file=project / "environments" / "locks" / f"{name}.terraform.lock.hcl",
                env=env,
            ).init()

        def apply(name: str) -> None:
            run_timed(
                ["terraform", "apply", "-auto-approve", "-input=false", "-no-color"],
                cwd=ws.build_dir(name),
                env=env,
                log_to=ws.logs / f"apply-{name}.log",
            )

        init(names[0])
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(init, names[1:]))
            ws.setup_s["init"] = round(time.perf_counter() - started, 1)
            progress(f"{n} environments rendered and initialised; applying against moto")
            list(pool.map(apply, names))
        ws.setup_s["total"] = round(time.perf_counter() - started, 1)
    except BaseException:
        ws.stop()
        raise
    return ws
