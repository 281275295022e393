"""The four benchmarks of issue 6. Each returns a JSON-ready dict with its
measurements, the ratio it is about, its goal (if any) and whether the goal
was met; ``bench/report.py`` turns those into the Markdown table.

1. ``authgen plan`` on an unchanged environment vs a bare ``terraform plan``
   of the same rendered root (goal: ratio <= 1.10).
2. Start-up: ``authgen validate dev`` vs ``python -c pass`` (same venv).
3. ``validate`` + ``render`` of 1,000 generated specs (goal: < 2 s in all).
4. ``authgen plan --all -j N`` of 8 environments vs 8 ``authgen plan ENV``
   one after another.
5. ``authgen plan --all -j N`` of 20 environments whose state shares one S3
   bucket (on moto) vs ``plan --all -j 1`` (one after another).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import harness
from bench.harness import REPO, PlanWorkspace, Timing, authgen_cmd, run_timed, timing_stats

Progress = Callable[[str], None]

PLAN_RATIO_GOAL = 1.10
SPECS_GOAL_S = 2.0
#: Libraries the CLI should import only in the commands that use them (issue 6).
HEAVY = ("rich", "python_terraform", "boto3", "botocore", "auth0", "requests", "jwt", "moto")


def _quiet(_: str) -> None:
    pass


# --------------------------------------------------------------------------
# 1. authgen plan vs terraform plan


def bench_plan(
    ws: PlanWorkspace, rounds: int, progress: Progress = _quiet, *, profile: bool | None = None
) -> dict[str, Any]:
    """Interleaved rounds of ``authgen plan ENV`` and a bare ``terraform plan``
    of the same rendered root (with no changes, authgen makes no second
    terraform call: ``show -json`` runs only for a plan with changes). ``profile``:
    also run ``authgen plan`` once under cProfile and split its time into
    steps (None: only when the goal is missed)."""
    from generator.terraform import INIT_STAMP

    name = ws.names[0]
    build = ws.build_dir(name)
    log = ws.logs / "bench1.log"

    def authgen_plan() -> Timing:
        return run_timed([*authgen_cmd(), "plan", name], cwd=ws.project, env=ws.env, log_to=log)

    def terraform_plan() -> Timing:
        return run_timed(
            ["terraform", "plan", "-input=false", "-no-color"], cwd=build, env=ws.env, log_to=log
        )

    # authgen rewrites its init stamp only when it runs terraform init: an
    # unchanged environment must not re-init.
    stamp = build / INIT_STAMP
    stamp_before = stamp.stat().st_mtime_ns if stamp.is_file() else None
    samples = harness.interleave(
        {
            "authgen plan": authgen_plan,
            "terraform plan": terraform_plan,
        },
        rounds,
        progress,
    )
    init_skipped = stamp_before is not None and stamp.stat().st_mtime_ns == stamp_before
    authgen = timing_stats(samples["authgen plan"])
    bare = timing_stats(samples["terraform plan"])
    plan_summary = json.loads((build / "plan.json").read_text())
    value = harness.ratio(authgen["wall_s"]["median"], bare["wall_s"]["median"])
    overhead = authgen["wall_s"]["median"] - bare["wall_s"]["median"]
    met = value is not None and value <= PLAN_RATIO_GOAL
    result = {
        "id": 1,
        "name": "plan-vs-terraform",
        "title": "authgen plan (unchanged env) vs bare terraform plan",
        "environment": name,
        "rounds": rounds,
        "order": "A B per round (A: authgen plan, B: terraform plan)",
        "commands": {
            "authgen": f"authgen plan {name}",
            "baseline": "terraform plan -input=false -no-color (in build/<env>)",
        },
        "authgen": authgen,
        "baseline": bare,
        "overhead_s": round(overhead, 3),
        "authgen_init_skipped": init_skipped,
        "planned_counts": plan_summary.get("counts"),
        "ratio": value,
        "cpu_ratio": harness.ratio(authgen["cpu_s"]["median"], bare["cpu_s"]["median"]),
        "min_ratio": harness.ratio(authgen["wall_s"]["min"], bare["wall_s"]["min"]),
        "goal": {"max_ratio": PLAN_RATIO_GOAL},
        "goal_met": met,
    }
    if profile or (profile is None and not met):
        result["profile"] = profile_plan(ws, name)
        progress(f"profiled one authgen plan: {result['profile']['steps_s']}")
    return result


#: (label, file, function) of the steps of ``authgen plan`` found in a profile.
PLAN_STEPS = (
    ("terraform plan (Runner.plan)", "generator/terraform/runner.py", "plan"),
    ("terraform show -json (Runner.show_json)", "generator/terraform/runner.py", "show_json"),
    ("init check (Runner.init, skipped)", "generator/terraform/runner.py", "init"),
    ("render + write build/ (render_into)", "generator/commands/steps.py", "render_into"),
    ("plan summary (summarize)", "generator/plan_summary.py", "summarize"),
    ("plan.json + plan.md (write_plan_files)", "generator/commands/steps.py", "write_plan_files"),
    ("printing the summary (ConsoleReporter.plan_summary)", "generator/ui.py", "plan_summary"),
    ("imports (all, cumulative)", "<frozen importlib._bootstrap>", "_find_and_load"),
)


def profile_plan(ws: PlanWorkspace, name: str) -> dict[str, Any]:
    """One ``authgen plan`` under cProfile: seconds per step of PLAN_STEPS
    (cumulative, so imports overlap the others) and the Python remainder."""
    import pstats

    out = ws.logs / "authgen-plan.prof"
    cmd = authgen_cmd()
    target = cmd[1:] if cmd[0] == sys.executable else cmd
    timing = run_timed(
        [sys.executable, "-m", "cProfile", "-o", str(out), *target, "plan", name],
        cwd=ws.project,
        env=ws.env,
        log_to=ws.logs / "bench1-profile.log",
    )
    data = pstats.Stats(str(out)).stats  # {(file, line, func): (cc, nc, tt, ct, callers)}

    def cumulative(filename: str, func: str) -> float:
        return sum(
            stat[3] for (f, _, fn), stat in data.items() if f.endswith(filename) and fn == func
        )

    steps = {label: round(cumulative(f, fn), 3) for label, f, fn in PLAN_STEPS}
    terraform_s = steps[PLAN_STEPS[0][0]] + steps[PLAN_STEPS[1][0]]
    return {
        "wall_s": round(timing.wall, 3),
        "steps_s": steps,
        "python_s": round(timing.wall - terraform_s, 3),
        "note": "one run under cProfile (which slows Python code); Runner.plan includes "
        "authgen's fingerprint of the root, the rest is the terraform process",
    }


# --------------------------------------------------------------------------
# 2. start-up


def parse_importtime(stderr: str) -> dict[str, Any]:
    """``python -X importtime`` output -> total, self time per top-level
    package (largest first) and the heavy libraries that were imported."""
    per_package: dict[str, int] = defaultdict(int)
    modules: list[tuple[str, int, int]] = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s+)(\S+)", line)
        if not match:
            continue
        self_us, cumulative_us, name = int(match[1]), int(match[2]), match[4]
        per_package[name.split(".")[0]] += self_us
        if len(match[3]) == 1:  # imported at the top level, not by another module
            modules.append((name, self_us, cumulative_us))
    total = sum(per_package.values())
    top = sorted(per_package.items(), key=lambda kv: kv[1], reverse=True)[:10]
    roots = sorted(modules, key=lambda m: m[2], reverse=True)[:8]
    return {
        "total_ms": round(total / 1000, 1),
        "top_packages_self_ms": [{"package": p, "ms": round(us / 1000, 1)} for p, us in top],
        "top_level_imports_cumulative_ms": [
            {"module": m, "ms": round(cum / 1000, 1)} for m, _, cum in roots
        ],
        "heavy_imported": sorted({p for p in per_package if p in HEAVY}),
    }


def bench_startup(root: Path, rounds: int, progress: Progress = _quiet) -> dict[str, Any]:
    """``authgen validate dev`` vs ``python -c pass``, interleaved, plus one
    ``-X importtime`` run of the former."""
    from generator.spec import DEFAULTS_FILE

    project = harness.new_project(root)
    dev = REPO / "environments" / "dev.yaml"
    if not dev.is_file():
        raise harness.BenchError(f"{dev} is missing; benchmark 2 validates it")
    shutil.copy2(dev, project / "environments" / "dev.yaml")
    defaults = REPO / "environments" / DEFAULTS_FILE
    if defaults.is_file():
        shutil.copy2(defaults, project / "environments" / defaults.name)
    env = harness.base_env(root)
    python = sys.executable
    authgen = authgen_cmd()

    def validate() -> Timing:
        return run_timed([*authgen, "validate", "dev"], cwd=project, env=env)

    def bare() -> Timing:
        return run_timed([python, "-c", "pass"], cwd=project, env=env)

    validate()  # warm-up: bytecode caches and the page cache
    bare()
    samples = harness.interleave(
        {"authgen validate dev": validate, "python -c pass": bare}, rounds, _quiet
    )
    a = timing_stats(samples["authgen validate dev"])
    b = timing_stats(samples["python -c pass"])
    progress(
        f"{rounds} rounds: authgen validate dev {a['wall_s']['median'] * 1000:.0f} ms, "
        f"python -c pass {b['wall_s']['median'] * 1000:.0f} ms (medians)"
    )
    # The console script is a Python file: trace it with this interpreter.
    traced_cmd = [python, "-X", "importtime", *(authgen[1:] if authgen[0] == python else authgen)]
    traced = subprocess.run(
        [*traced_cmd, "validate", "dev"], cwd=project, env=env, capture_output=True, text=True
    )
    return {
        "id": 2,
        "name": "startup",
        "title": "start-up: authgen validate dev vs python -c pass",
        "rounds": rounds,
        "commands": {"authgen": "authgen validate dev", "baseline": f"{python} -c pass"},
        "authgen": a,
        "baseline": b,
        "difference_ms": round((a["wall_s"]["median"] - b["wall_s"]["median"]) * 1000, 1),
        "ratio": harness.ratio(a["wall_s"]["median"], b["wall_s"]["median"]),
        "importtime": parse_importtime(traced.stderr),
        "goal": None,
        "goal_met": None,
    }


# --------------------------------------------------------------------------
# 3. validate + render of many specs

#: Runs in a fresh interpreter: ``python -c WORKER DIR [--profile]``.
WORKER = "import json, sys; from bench.benchmarks import time_specs; print(json.dumps(time_specs(sys.argv[1], profile='--profile' in sys.argv)))"  # noqa: E501


def time_specs(directory: str | Path, *, profile: bool = False) -> dict[str, Any]:
    """Load (validate) and render every spec of ``directory`` in this process,
    timing the library calls: ``spec.load`` then ``render.render``. With
    ``profile``, the same loop under cProfile, and where the time went."""
    started = time.perf_counter()
    from generator import render, spec
    from generator.errors import SpecError

    import_s = time.perf_counter() - started
    paths = spec.load_all(Path(directory))
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    load_s = render_s = 0.0
    failures: list[str] = []
    rendered_files = rendered_bytes = 0
    providers: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        try:
            loaded = spec.load(path)
        except SpecError as err:
            failures.append(err.problems[0] if err.problems else str(path))
            continue
        t1 = time.perf_counter()
        files = render.render(loaded)
        t2 = time.perf_counter()
        load_s += t1 - t0
        render_s += t2 - t1
        providers[loaded.provider] += 1
        rendered_files += len(files)
        rendered_bytes += sum(len(text) for text in files.values())
        json.loads(files[render.TFVARS])  # the data file is JSON
    total_s = time.perf_counter() - started
    result: dict[str, Any] = {
        "specs": len(paths),
        "valid": len(paths) - len(failures),
        "failures": failures[:5],
        "providers": dict(providers),
        "import_s": round(import_s, 4),
        "load_s": round(load_s, 4),
        "render_s": round(render_s, 4),
        "total_s": round(total_s, 4),
        "rendered_files": rendered_files,
        "rendered_bytes": rendered_bytes,
    }
    if profiler is not None:
        profiler.disable()
        result["profile"] = _where_time_went(profiler)
    return result


def _package_of(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if f"{REPO}/" in filename:
        return filename.split(f"{REPO}/", 1)[1].split("/", 1)[0]
    return "stdlib"


def _where_time_went(profiler: Any) -> dict[str, Any]:
    import pstats

    data = pstats.Stats(profiler).stats  # {(file, line, func): (cc, nc, tt, ct, callers)}
    by_package: dict[str, float] = defaultdict(float)
    total = 0.0
    ours = []
    for (filename, line, func), (_, _, tottime, cumtime, _) in data.items():
        by_package[_package_of(filename)] += tottime
        total += tottime
        if f"{REPO}/generator/" in filename:
            ours.append((f"generator/{filename.split('/generator/')[1]}:{line}({func})", cumtime))
    top = sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)[:6]
    ours.sort(key=lambda f: f[1], reverse=True)
    return {
        "self_time_by_package": [
            {"package": p, "s": round(s, 3), "share": round(s / total, 3) if total else None}
            for p, s in top
        ],
        "generator_functions_cumulative": [{"function": f, "s": round(s, 3)} for f, s in ours[:8]],
        "note": "cProfile slows pure-Python code more than C code; shares, not seconds, matter",
    }


def bench_specs(
    root: Path,
    n: int,
    repeats: int,
    progress: Progress = _quiet,
    *,
    cli: bool = True,
    profile: bool | None = None,
) -> dict[str, Any]:
    """Generate ``n`` specs, then time ``time_specs`` in fresh interpreters
    (``repeats`` runs) and, with ``cli``, one ``authgen validate --all``.
    ``profile``: also profile the loop (None: only when the goal is missed)."""
    from bench import specgen  # here, so the worker's import timing excludes yaml

    project = harness.new_project(root)
    generated = specgen.generate(project / "environments", n)
    env = harness.base_env(root)
    runs = []
    cli_samples: list[Timing] = []
    for r in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", WORKER, str(project / "environments")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise harness.BenchError(f"benchmark 3 worker failed: {out.stderr.strip()[-500:]}")
        runs.append(json.loads(out.stdout))
        progress(f"run {r + 1}/{repeats}: load+render {runs[-1]['total_s']:.3f} s")
    if cli:
        cli_samples.append(run_timed([*authgen_cmd(), "validate", "--all"], cwd=project, env=env))
        progress(f"authgen validate --all: {cli_samples[-1].wall:.3f} s")
    totals = [run["total_s"] for run in runs]
    median_total = harness.stats(totals)["median"]
    met = median_total < SPECS_GOAL_S and all(run["valid"] == run["specs"] for run in runs)
    result: dict[str, Any] = {
        "id": 3,
        "name": "validate-render-specs",
        "title": f"validate + render of {n:,} generated specs",
        "specs": n,
        "generated_files": len(generated),
        "repeats": repeats,
        "commands": {
            "library": "spec.load(path) then render.render(spec), per file, fresh interpreter",
            "cli": "authgen validate --all",
        },
        "valid": min(run["valid"] for run in runs),
        "providers": runs[0]["providers"],
        "failures": runs[0]["failures"],
        "total_s": harness.stats(totals),
        "load_s": harness.stats([run["load_s"] for run in runs]),
        "render_s": harness.stats([run["render_s"] for run in runs]),
        "import_s": harness.stats([run["import_s"] for run in runs]),
        "per_spec_ms": round(median_total / max(1, n) * 1000, 3),
        "cli_validate_all": timing_stats(cli_samples) if cli_samples else None,
        "goal": {"max_s": SPECS_GOAL_S},
        "goal_met": met,
    }
    if profile or (profile is None and not met):
        out = subprocess.run(
            [sys.executable, "-c", WORKER, str(project / "environments"), "--profile"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        if out.returncode == 0:
            result["profile"] = json.loads(out.stdout).get("profile")
            progress("profiled the load+render loop (cProfile)")
    return result


# --------------------------------------------------------------------------
# 4. plan --all vs one after another


def bench_plan_all(
    ws: PlanWorkspace, jobs: int, rounds: int, progress: Progress = _quiet
) -> dict[str, Any]:
    """``authgen plan --all -j JOBS`` vs ``authgen plan ENV`` for each env in
    turn, interleaved per round (sequential first)."""
    log = ws.logs / "bench4.log"
    per_env: dict[str, list[float]] = defaultdict(list)

    def sequential() -> Timing:
        wall = cpu = 0.0
        for name in ws.names:
            t = run_timed([*authgen_cmd(), "plan", name], cwd=ws.project, env=ws.env, log_to=log)
            per_env[name].append(round(t.wall, 3))
            wall += t.wall
            cpu += t.cpu
        return Timing(wall, cpu)

    def parallel() -> Timing:
        return run_timed(
            [*authgen_cmd(), "plan", "--all", "-j", str(jobs)],
            cwd=ws.project,
            env=ws.env,
            log_to=log,
        )

    samples = harness.interleave(
        {"sequential": sequential, f"plan --all -j {jobs}": parallel}, rounds, progress
    )
    seq = timing_stats(samples["sequential"])
    par = timing_stats(samples[f"plan --all -j {jobs}"])
    value = harness.ratio(par["wall_s"]["median"], seq["wall_s"]["median"])
    return {
        "id": 4,
        "name": "plan-all-vs-sequential",
        "title": f"plan --all of {len(ws.names)} environments vs one after another",
        "environments": len(ws.names),
        "jobs": jobs,
        "cpu_count": os.cpu_count(),
        "rounds": rounds,
        "commands": {
            "authgen": f"authgen plan --all -j {jobs}",
            "baseline": f"authgen plan ENV, for each of the {len(ws.names)} in turn",
        },
        "authgen": par,
        "baseline": seq,
        "per_env_sequential_wall_s": dict(per_env),
        "ratio": value,
        "speedup": harness.ratio(seq["wall_s"]["median"], par["wall_s"]["median"]),
        # CPU seconds per wall second: how many CPUs each way kept busy.
        "cores_used": {
            "authgen": harness.ratio(par["cpu_s"]["median"], par["wall_s"]["median"]),
            "baseline": harness.ratio(seq["cpu_s"]["median"], seq["wall_s"]["median"]),
        },
        "ideal_speedup": min(jobs, len(ws.names), os.cpu_count() or 1),
        "goal": None,
        "goal_met": None,
    }


# --------------------------------------------------------------------------
# 5. plan --all over environments sharing S3 state


def bench_plan_all_s3(
    ws: PlanWorkspace, jobs: int, rounds: int, progress: Progress = _quiet
) -> dict[str, Any]:
    """``authgen plan --all -j JOBS`` vs ``plan --all -j 1`` over applied
    environments whose state is in one S3 bucket, interleaved per round (one
    after another first). Both run with ``--detailed-exitcode``: any change
    (drift, a lost state) fails the benchmark. Afterwards the bucket must hold
    one state object per environment and no lock object, and the build
    directories no state file."""
    log = ws.logs / "bench5.log"

    def plan_all(j: int) -> Callable[[], Timing]:
        def command() -> Timing:
            return run_timed(
                [*authgen_cmd(), "plan", "--all", "-j", str(j), "--detailed-exitcode"],
                cwd=ws.project,
                env=ws.env,
                log_to=log,
            )

        return command

    sequential, parallel = "plan --all -j 1", f"plan --all -j {jobs}"
    samples = harness.interleave(
        {sequential: plan_all(1), parallel: plan_all(jobs)}, rounds, progress
    )
    seq = timing_stats(samples[sequential])
    par = timing_stats(samples[parallel])
    objects = _bucket_keys(ws)
    states = [k for k in objects if k.endswith("terraform.tfstate")]
    locks = [k for k in objects if k.endswith(".tflock")]
    on_disk = [
        str(p.relative_to(ws.project))
        for p in ws.project.rglob("*.tfstate*")
        if p.parent.name != ".terraform"
    ]
    if len(states) != len(ws.names) or locks or on_disk:
        raise harness.BenchError(
            f"S3 state check failed: {len(states)} state objects for {len(ws.names)} "
            f"environments, lock objects {locks}, state files on disk {on_disk}"
        )
    return {
        "id": 5,
        "name": "plan-all-s3-state",
        "title": f"plan --all of {len(ws.names)} environments sharing S3 state",
        "environments": len(ws.names),
        "bucket": ws.state_bucket,
        "jobs": jobs,
        "cpu_count": os.cpu_count(),
        "rounds": rounds,
        "commands": {
            "authgen": f"authgen plan --all -j {jobs} --detailed-exitcode",
            "baseline": "authgen plan --all -j 1 --detailed-exitcode",
        },
        "authgen": par,
        "baseline": seq,
        "ratio": harness.ratio(par["wall_s"]["median"], seq["wall_s"]["median"]),
        "speedup": harness.ratio(seq["wall_s"]["median"], par["wall_s"]["median"]),
        "per_env_s": {
            "parallel": round(par["wall_s"]["median"] / len(ws.names), 2),
            "sequential": round(seq["wall_s"]["median"] / len(ws.names), 2),
        },
        "cores_used": {
            "authgen": harness.ratio(par["cpu_s"]["median"], par["wall_s"]["median"]),
            "baseline": harness.ratio(seq["cpu_s"]["median"], seq["wall_s"]["median"]),
        },
        "state_objects": len(states),
        "ideal_speedup": min(jobs, len(ws.names), os.cpu_count() or 1),
        "goal": None,
        "goal_met": None,
    }


def _bucket_keys(ws: PlanWorkspace) -> list[str]:
    """Every key in the workspace's state bucket on its moto server."""
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=ws.server.url,
        region_name="us-west-2",
        aws_access_key_id="authgen-bench",
        aws_secret_access_key="authgen-bench",
    )
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=ws.state_bucket):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys
