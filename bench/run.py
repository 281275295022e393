"""``make bench``: run the benchmarks of issue 6 side by side in one run.

Prints a Markdown table (machine, date, numbers, goals) on stdout, progress on
stderr, and writes the whole result as JSON to ``bench/results/latest.json``.
All work happens in a temp directory; the moto server it starts listens on
127.0.0.1 and is stopped by its process id. See bench/README.md.

    .venv/bin/python bench/run.py            # everything (about 4-5 minutes)
    .venv/bin/python bench/run.py --quick    # fewer rounds, 4 environments
    .venv/bin/python bench/run.py --only 2,3 # just start-up and the 1,000 specs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import benchmarks, harness, report
from generator.errors import AuthgenError

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
FULL = {
    "plan_rounds": 4,
    "startup_rounds": 20,
    "spec_repeats": 3,
    "envs": 8,
    "plan_all_rounds": 1,
    "s3_envs": 20,
}
QUICK = {
    "plan_rounds": 2,
    "startup_rounds": 8,
    "spec_repeats": 1,
    "envs": 4,
    "plan_all_rounds": 1,
    "s3_envs": 6,
}
#: The one bucket the environments of benchmark 5 share (on moto).
S3_BUCKET = "authgen-bench-state"
ALL = {1, 2, 3, 4, 5}


def _selection(text: str) -> set[int]:
    try:
        chosen = {int(part) for part in text.replace(" ", "").split(",") if part}
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers, e.g. 1 or 2,3") from None
    if not chosen or not chosen <= ALL:
        raise argparse.ArgumentTypeError(f"{text!r}: benchmarks are numbered 1 to 5")
    return chosen


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.splitlines()[0].strip("`: ")
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds; 4 environments in 4")
    parser.add_argument(
        "--only",
        type=_selection,
        metavar="N[,N]",
        help="run only these benchmarks (1 plan, 2 start-up, 3 specs, 4 plan --all, "
        "5 plan --all with S3 state)",
    )
    parser.add_argument("--rounds", type=int, metavar="N", help="rounds of benchmark 1")
    parser.add_argument("--startup-rounds", type=int, metavar="N", help="rounds of benchmark 2")
    parser.add_argument("--specs", type=int, default=1000, metavar="N", help="specs in 3")
    parser.add_argument("--repeats", type=int, metavar="N", help="runs of benchmark 3")
    parser.add_argument("--envs", type=int, metavar="N", help="environments in 4 (default 8)")
    parser.add_argument(
        "--s3-envs", type=int, metavar="N", help="environments sharing S3 state in 5 (default 20)"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="plan --all -j N in 4 and 5 (default: CPUs)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile benchmarks 1 and 3 even when their goals are met (default: when missed)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="the JSON result file")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, state)")
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    args.rounds = args.rounds or preset["plan_rounds"]
    args.startup_rounds = args.startup_rounds or preset["startup_rounds"]
    args.repeats = args.repeats or preset["spec_repeats"]
    args.envs = args.envs or preset["envs"]
    args.s3_envs = args.s3_envs or preset["s3_envs"]
    args.plan_all_rounds = preset["plan_all_rounds"]
    args.jobs = args.jobs or os.cpu_count() or 1
    args.only = args.only or ALL
    for name in ("rounds", "startup_rounds", "specs", "repeats", "envs", "s3_envs", "jobs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def progress_for(number: int | str):
    def progress(text: str) -> None:
        print(f"[bench {number}] {text}", file=sys.stderr, flush=True)

    return progress


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    doc: dict = {
        "schema": 1,
        "machine": harness.machine(),
        "options": {
            "quick": args.quick,
            "only": sorted(args.only),
            "plan_rounds": args.rounds,
            "startup_rounds": args.startup_rounds,
            "specs": args.specs,
            "spec_repeats": args.repeats,
            "envs": args.envs,
            "s3_envs": args.s3_envs,
            "jobs": args.jobs,
        },
        "benchmarks": [],
    }
    root = harness.make_tempdir()
    progress_for("*")(f"working in {root}")
    results: dict[int, dict] = {}

    def attempt(number: int, func) -> None:
        progress = progress_for(number)
        t0 = time.perf_counter()
        meter = harness.LoadMeter()
        try:
            results[number] = func(progress)
        except (harness.BenchError, AuthgenError, OSError) as err:
            progress(f"failed: {err}")
            results[number] = {"id": number, "error": str(err)}
        results[number]["seconds"] = round(time.perf_counter() - t0, 1)
        results[number]["load"] = load = meter.read()
        others = f"; other processes kept {load['cores_others']:.2f} CPUs busy" if load else ""
        progress(f"done in {results[number]['seconds']:.0f} s{others}")

    # Profile a missed goal to show where the time went; --quick only with --profile.
    profile = True if args.profile else (False if args.quick else None)
    workspace = None
    try:
        # The fast, CPU-only benchmarks first, before a moto server runs.
        if 2 in args.only:
            attempt(
                2,
                lambda p: benchmarks.bench_startup(root / "startup", args.startup_rounds, p),
            )
        if 3 in args.only:
            attempt(
                3,
                lambda p: benchmarks.bench_specs(
                    root / "specs", args.specs, args.repeats, p, profile=profile
                ),
            )
        if args.only & {1, 4}:
            progress = progress_for("setup")
            envs = args.envs if 4 in args.only else 1
            try:
                (root / "plan").mkdir()
                workspace = harness.plan_workspace(
                    root / "plan", envs, jobs=args.jobs, progress=progress
                )
                doc["plan_setup_s"] = workspace.setup_s
                progress(f"{envs} environments applied in {workspace.setup_s['total']:.0f} s")
            except (harness.BenchError, AuthgenError, OSError) as err:
                progress(f"failed: {err}")
                for number in sorted(args.only & {1, 4}):
                    results[number] = {"id": number, "error": f"set-up failed: {err}"}
            if workspace is not None:
                if 1 in args.only:
                    attempt(
                        1,
                        lambda p: benchmarks.bench_plan(workspace, args.rounds, p, profile=profile),
                    )
                if 4 in args.only:
                    attempt(
                        4,
                        lambda p: benchmarks.bench_plan_all(
                            workspace, args.jobs, args.plan_all_rounds, p
                        ),
                    )
        if workspace is not None:
            workspace.stop()
            workspace = None
        if 5 in args.only:
            progress = progress_for("setup 5")
            try:
                (root / "s3").mkdir()
                workspace = harness.plan_workspace(
                    root / "s3",
                    args.s3_envs,
                    jobs=args.jobs,
                    progress=progress,
                    state_bucket=S3_BUCKET,
                )
                doc["s3_setup_s"] = workspace.setup_s
                progress(
                    f"{args.s3_envs} environments applied with S3 state in "
                    f"{workspace.setup_s['total']:.0f} s"
                )
            except (harness.BenchError, AuthgenError, OSError) as err:
                progress(f"failed: {err}")
                results[5] = {"id": 5, "error": f"set-up failed: {err}"}
            if workspace is not None:
                attempt(
                    5,
                    lambda p: benchmarks.bench_plan_all_s3(
                        workspace, args.jobs, args.plan_all_rounds, p
                    ),
                )
    finally:
        if workspace is not None:
            workspace.stop()
        if args.keep:
            progress_for("*")(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    doc["benchmarks"] = [results[n] for n in sorted(results)]
    doc["duration_s"] = round(time.perf_counter() - started, 1)
    return doc


def write_result(doc: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        doc = run(args)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    write_result(doc, args.out)
    sys.stdout.write(report.markdown(doc))
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 1 if any("error" in b for b in doc["benchmarks"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
