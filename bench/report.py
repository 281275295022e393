"""The Markdown report of a bench run (what ``make bench`` prints on stdout)."""

from __future__ import annotations

from typing import Any

from bench.benchmarks import PLAN_STEPS


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _rest(result: dict[str, Any]) -> str:
    """Benchmark 1's time beyond terraform: profiled, else the median
    difference (which noise can push below zero)."""
    if result.get("profile"):
        return _s(result["profile"]["python_s"])
    rest = result["overhead_s"]
    return _s(rest) if rest >= 0 else "< 0 (noise)"


def _verdict(result: dict[str, Any]) -> str:
    met = result.get("goal_met")
    return "—" if met is None else ("met" if met else "**missed**")


def _wall(result: dict[str, Any], key: str) -> float:
    return result[key]["wall_s"]["median"]


def _row(
    num: str,
    what: str,
    authgen: str = "",
    baseline: str = "",
    ratio: str = "",
    goal: str = "",
    verdict: str = "",
) -> list[str]:
    """One table row: #, benchmark, authgen, baseline, ratio, goal, result."""
    return [num, what, authgen, baseline, ratio, goal, verdict]


def _plan_rows(result: dict[str, Any]) -> list[list[str]]:
    """Benchmark 1, and 1a: what authgen adds to terraform plan."""
    return [
        _row(
            "1",
            f"`authgen plan` of an unchanged env vs bare `terraform plan` "
            f"(median of {result['rounds']}, interleaved)",
            _s(_wall(result, "authgen")),
            _s(_wall(result, "baseline")),
            f"{result['ratio']:.2f} (CPU {result['cpu_ratio']:.2f})",
            f"≤ {result['goal']['max_ratio']:.2f}",
            _verdict(result),
        ),
        _row(
            "1a",
            "… authgen's own Python (start-up, render, init check, summary; one cProfile run)"
            if result.get("profile")
            else "… the rest (Python start-up, render, init check, summary files)",
            _rest(result),
        ),
    ]


def _startup_rows(result: dict[str, Any]) -> list[list[str]]:
    """Benchmark 2: start-up."""
    return [
        _row(
            "2",
            f"start-up: `authgen validate dev` vs `python -c pass` (median of {result['rounds']})",
            _ms(_wall(result, "authgen")),
            _ms(_wall(result, "baseline")),
            f"{result['ratio']:.1f} (+{result['difference_ms']:.0f} ms)",
            "—",
            "—",
        )
    ]


def _specs_rows(result: dict[str, Any]) -> list[list[str]]:
    """Benchmark 3, and 3a when the CLI ran over the same specs."""
    n = result["specs"]
    out = [
        _row(
            "3",
            f"validate + render of {n:,} generated specs (library calls, "
            f"median of {result['repeats']}; load {_s(result['load_s']['median'])}, "
            f"render {_s(result['render_s']['median'])})",
            _s(result["total_s"]["median"]),
            "",
            "",
            f"< {result['goal']['max_s']:.0f} s",
            _verdict(result),
        )
    ]
    if result.get("cli_validate_all"):
        out.append(
            _row(
                "3a",
                f"`authgen validate --all` over the same {n:,} (CLI, start-up included)",
                _s(_wall(result, "cli_validate_all")),
            )
        )
    return out


def _plan_all_rows(what: str):
    """Benchmarks 4 and 5 (`plan --all` against a baseline): one row whose
    description is ``what`` filled from the result."""

    def build(result: dict[str, Any]) -> list[list[str]]:
        return [
            _row(
                str(result["id"]),
                what.format(**result),
                _s(_wall(result, "authgen")),
                _s(_wall(result, "baseline")),
                f"{result['ratio']:.2f} ({result['speedup']:.2f}x faster; "
                f"ideal {result['ideal_speedup']}x)",
                "—",
                "—",
            )
        ]

    return build


#: The rows of each benchmark, by its id.
_ROWS = {
    1: _plan_rows,
    2: _startup_rows,
    3: _specs_rows,
    4: _plan_all_rows(
        "`authgen plan --all -j {jobs}` of {environments} envs vs "
        "{environments} x `authgen plan ENV` in turn"
    ),
    5: _plan_all_rows(
        "`authgen plan --all -j {jobs}` of {environments} envs "
        "sharing S3 state (moto) vs `plan --all -j 1`"
    ),
}


def rows(result: dict[str, Any]) -> list[list[str]]:
    """Table rows (#, benchmark, authgen, baseline, ratio, goal, result) of one benchmark."""
    kind = result["id"]
    if "error" in result:
        return [_row(str(kind), f"did not run: {result['error']}", verdict="**error**")]
    build = _ROWS.get(kind)
    return build(result) if build else []


def machine_line(m: dict[str, Any]) -> str:
    parts = [
        f"{m['cpu_count']} CPUs ({m['cpu_model']})",
        f"{m['ram_gib']} GiB RAM" if m.get("ram_gib") else None,
        m.get("os"),
        m.get("python"),
        f"Terraform {m['terraform']}" if m.get("terraform") else "no terraform",
        f"hashicorp/aws {m['aws_provider']}" if m.get("aws_provider") else None,
        f"moto {m['moto']}" if m.get("moto") else None,
    ]
    return ", ".join(p for p in parts if p)


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    commit = m.get("commit") or "unknown"
    if m.get("uncommitted_changes"):
        commit += " + uncommitted changes"
    lines = [
        "## authgen benchmarks",
        "",
        f"- Date: {m['date']} (run took {doc['duration_s']:.0f} s"
        + (", --quick" if doc["options"].get("quick") else "")
        + ")",
        f"- Machine: {machine_line(m)}",
        f"- Commit: {commit}",
        "",
        "| # | Benchmark | authgen | Baseline | Ratio | Goal | Result |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for result in doc["benchmarks"]:
        for row in rows(result):
            lines.append("| " + " | ".join(row) + " |")
    notes = notes_for(doc)
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def notes_for(doc: dict[str, Any]) -> list[str]:
    notes = []
    for result in doc["benchmarks"]:
        kind = result["id"] if "error" not in result else None
        if kind == 1:
            counts = result.get("planned_counts") or {}
            changed = {k: v for k, v in counts.items() if v}
            notes.append(
                f"- 1: both sides plan the same applied root against moto; the plan shows "
                f"{changed or 'no changes'} (tests/support/moto_plus.py keeps the feature plan). "
                f"Ratio of the fastest runs {result['min_ratio']:.2f}, of median CPU times "
                f"{result['cpu_ratio']:.2f}; authgen's terraform init was "
                f"{'skipped' if result['authgen_init_skipped'] else 'NOT skipped'}."
            )
            profile = result.get("profile")
            if profile:
                steps = profile["steps_s"]
                (plan, _, _), (show, _, _), *rest = PLAN_STEPS
                python = ", ".join(
                    f"{label.split(' (')[0]} {steps[label]:.2f} s" for label, _, _ in rest
                )
                notes.append(
                    f"- 1: one `authgen plan` under cProfile: {profile['wall_s']:.2f} s = "
                    f"terraform plan {steps[plan]:.2f} s + show -json {steps[show]:.2f} s + "
                    f"Python {profile['python_s']:.2f} s ({python})."
                )
        elif kind == 2:
            it = result["importtime"]
            top = ", ".join(f"{p['package']} {p['ms']:.0f}" for p in it["top_packages_self_ms"][:6])
            heavy = ", ".join(it["heavy_imported"]) or "none"
            notes.append(
                f"- 2: `-X importtime`: {it['total_ms']:.0f} ms of imports; self time by package "
                f"(ms): {top}. Heavy libraries imported by `validate`: {heavy}."
            )
        elif kind == 3:
            profile = result.get("profile")
            if result.get("valid") != result.get("specs"):
                notes.append(f"- 3: only {result['valid']} of {result['specs']} specs were valid")
            if profile:
                shares = ", ".join(
                    f"{p['package']} {p['share']:.0%}" for p in profile["self_time_by_package"][:5]
                )
                notes.append(f"- 3: profile of the loop, self time by package: {shares}.")
        elif kind == 4:
            used = result["cores_used"]
            notes.append(
                f"- 4: CPUs kept busy (CPU s / wall s): {used['authgen']:.2f} by `plan --all`, "
                f"{used['baseline']:.2f} one after another."
            )
        elif kind == 5:
            used = result["cores_used"]
            per = result["per_env_s"]
            notes.append(
                f"- 5: every run planned no changes (`--detailed-exitcode`); the bucket "
                f"`{result['bucket']}` held {result['state_objects']} state objects and no lock "
                f"object afterwards, no state file on disk. Per environment: "
                f"{per['parallel']:.2f} s in parallel, {per['sequential']:.2f} s one after "
                f"another; CPUs kept busy {used['authgen']:.2f} vs {used['baseline']:.2f}."
            )
    scaling = doc["machine"].get("cpu_scaling")
    if scaling:
        notes.append(
            f"- Machine check: {scaling['processes']} CPU-bound Python processes together ran "
            f"{scaling['throughput_x']:.2f}x as fast as one (ideal {scaling['processes']}x)."
        )
    loads = [
        f"{r['id']}: {r['load']['cores_others']:.2f}"
        for r in doc["benchmarks"]
        if r.get("load") and "error" not in r
    ]
    if loads:
        busy = any(r.get("load") and r["load"]["cores_others"] >= 0.25 for r in doc["benchmarks"])
        notes.append(
            "- Other processes' CPU use during each benchmark (CPUs busy): "
            + ", ".join(loads)
            + (". A shared machine: take single results with care." if busy else ".")
        )
    return notes
