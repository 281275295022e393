"""Helpers of the end-to-end CLI tests: a project in a temporary directory and
``authgen`` run in it as a real process.

A project is what a user's checkout holds: ``environments/*.yaml`` (copied, so
the test may edit them), ``modules/`` (a symlink to this repository's: the
rendered root modules use ``../../modules/<provider>``), and the ``build/``,
``authorizers/`` and ``environments/locks/`` that the commands write, all
under the test's temporary directory. The repository's own ``build/``,
``authorizers/`` and ``environments/locks/`` are never touched.

``authgen`` runs as ``python -m generator`` (the console script's entry point)
with the working directory in the project, stdin closed (not a terminal), and
an explicit environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, repr=False)
class Result:
    """One finished ``authgen`` run."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout as the one JSON document ``--json`` promises."""
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # shown by a failing assertion
        return (
            f"authgen {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-5000:]}"
        )


def make_project(root: Path, envs: dict[str, str] | list[str]) -> Path:
    """A project under ``root``: ``envs`` are names of this repo's environments
    to copy, or ``{name: yaml text}``."""
    (root / "environments").mkdir(parents=True)
    (root / "modules").symlink_to(REPO / "modules", target_is_directory=True)
    if isinstance(envs, dict):
        for name, text in envs.items():
            (root / "environments" / f"{name}.yaml").write_text(text)
    else:
        for name in envs:
            shutil.copyfile(
                REPO / "environments" / f"{name}.yaml", root / "environments" / f"{name}.yaml"
            )
    return root


def local_spec(name: str, **replace: str) -> str:
    """environments/local.yaml renamed to ``name`` (and its pool named after
    it), with ``{old text: new text}`` replacements."""
    text = (REPO / "environments" / "local.yaml").read_text()
    text = text.replace("name: local\n", f"name: {name}\n", 1)
    text = text.replace("gateway-user-pool-local", f"gateway-user-pool-{name}", 1)
    for old, new in replace.items():
        assert old in text, f"{old!r} is not in environments/local.yaml"
        text = text.replace(old, new, 1)
    return text


def plain_local_spec(name: str, **replace: str) -> str:
    """``local_spec`` without claims: no pre token generation trigger (Lambda,
    role, log group), only the pool, resource server, client and domain, as
    the day-2 tests count them."""
    text = local_spec(name)
    for block in (
        "      claims:\n        department: engineering\n        groups: [admins, ops]\n",
        "  custom_claims:\n    - {claim: department, value: engineering}\n"
        "    - {claim: groups, type: STRING_ARRAY, operator: CONTAINS, value: admins}\n",
    ):
        assert block in text, f"{block!r} is not in environments/local.yaml"
        text = text.replace(block, "", 1)
    for old, new in replace.items():
        assert old in text, f"{old!r} is not in environments/local.yaml"
        text = text.replace(old, new, 1)
    return text


def cli_env(**overrides: str | None) -> dict[str, str]:
    """The test session's environment with ``overrides`` (None removes a variable)."""
    env = dict(os.environ)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(
    project: Path,
    *args: str,
    env: dict[str, str],
    timeout: float = 240.0,
    log: list[Result] | None = None,
) -> Result:
    """``authgen *args`` in ``project``; appended to ``log`` when given."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)
    if log is not None:
        log.append(result)
    return result


def start(project: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    """``authgen *args`` in ``project``, started and not waited for (``finish``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, args: tuple[str, ...], timeout: float = 300.0) -> Result:
    """Wait for a run ``start`` began; its ``Result``."""
    stdout, stderr = proc.communicate(timeout=timeout)
    return Result(tuple(args), proc.returncode, stdout, stderr)


@dataclass
class Applying:
    """A running ``authgen apply`` (``apply_until_creating``): the process and
    the stderr lines read so far."""

    proc: subprocess.Popen
    lines: list[str]

    @property
    def stderr(self) -> str:
        return "".join(self.lines)


@contextmanager
def apply_until_creating(
    project: Path,
    name: str,
    env: dict[str, str],
    address: str,
    *,
    timeout: float,
    stdout: Path | None = None,
) -> Iterator[Applying]:
    """Start ``authgen apply NAME --auto-approve`` and return once terraform
    says it is creating ``address`` (a line of its stderr with the address
    and ``Creating...``; asserted within ``timeout`` seconds, the stderr so
    far as the message). A thread keeps reading stderr into ``lines``; stdout
    goes to the file ``stdout`` (discarded when None). On leaving, the
    process is killed if it still runs, and reaped."""
    with open(stdout, "w") if stdout else nullcontext(subprocess.DEVNULL) as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "apply", name, "--auto-approve"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
    running = Applying(proc, [])
    creating = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            running.lines.append(line)
            if address in line and "Creating..." in line:
                creating.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert creating.wait(timeout=timeout), running.stderr
        yield running
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(timeout=10)


def error_line(result: Result) -> str:
    """The one ``error:`` line of a failed run, after checking there is exactly
    one and no traceback."""
    assert "Traceback" not in result.stderr, result
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result
    return errors[0]


def process_tree(pid: int) -> list[int]:
    """``pid``'s descendants now (Linux ``/proc``), children first."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.append(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def flock_waiters(path: Path) -> int:
    """How many ``flock`` requests wait for the lock on ``path`` right now
    (Linux ``/proc/locks``: a blocked request is listed with ``->``)."""
    st = os.stat(path)
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    count = 0
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" not in fields or "FLOCK" not in fields:
            continue
        # "N: -> FLOCK ADVISORY WRITE PID MAJ:MIN:INODE START END"
        if fields[fields.index("FLOCK") + 4] == wanted:
            count += 1
    return count


def wait_for(condition, what: str, timeout: float = 60.0, *, proc=None) -> None:
    """Poll ``condition()`` until it is true. The deadline only keeps a broken
    run from hanging the suite (it is no speed goal); ``proc``, when given,
    must not exit meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process exited before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.05)


@dataclass
class Checkout:
    """A project directory with one environment, and ``authgen`` run in it with
    a fixed environment (``checkout("apply", "x")``); every run is kept in
    ``runs`` (tests that look for leaked secrets read them all)."""

    root: Path
    env: dict[str, str]
    name: str
    runs: list[Result] | None = None

    def __post_init__(self) -> None:
        if self.runs is None:
            self.runs = []

    def __call__(self, *args: str, **env: str | None) -> Result:
        environment = dict(self.env)
        for key, value in env.items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = value
        return run(self.root, *args, env=environment, log=self.runs)

    @property
    def spec(self) -> Path:
        return self.root / "environments" / f"{self.name}.yaml"

    @property
    def build(self) -> Path:
        return self.root / "build" / self.name

    @property
    def authorizer(self) -> Path:
        return self.root / "authorizers" / f"{self.name}.json"

    @property
    def lock_file(self) -> Path:
        """The committed provider lock file of the environment."""
        return self.root / "environments" / "locks" / f"{self.name}.terraform.lock.hcl"

    def apply(self, *flags: str, **env: str | None) -> Result:
        """What a person or a pipeline does: ``plan``, then ``apply`` the saved
        plan with ``flags``. When the plan fails, its result (apply does not
        run); else the apply's, with the plan's output before its own (the
        notes a plan prints, e.g. about an unfinished run, are the run's)."""
        planned = self("plan", self.name, **env)
        if planned.code != 0:
            return planned
        applied = self("apply", self.name, *flags, **env)
        return Result(
            applied.args,
            applied.code,
            planned.stdout + applied.stdout,
            planned.stderr + applied.stderr,
        )

    def edit(self, old: str, new: str) -> None:
        """Replace ``old`` (which must be there, once) by ``new`` in the spec."""
        text = self.spec.read_text()
        assert text.count(old) == 1, f"{old!r} is not in {self.spec} exactly once:\n{text}"
        self.spec.write_text(text.replace(old, new))
