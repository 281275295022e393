"""``authgen destroy ENV``: destroy every resource of an environment.

Nothing is destroyed that was not planned and shown: authgen plans the
destruction (``plan -destroy``), shows it (and writes ``plan.md``), asks for
the environment's name unless ``--auto-approve``, then applies exactly that
plan. Refused for ``protected: true`` unless ``--force``, which lifts
deletion protection (an apply) after the confirmation, plans again and
applies only when the same resources would go. Deletion protection that the
state still has on although the spec says ``protected: false`` (not applied
yet) is lifted the same way.

An environment is destroyed where its state says it lives: after a spec
moved it (another region, endpoint or tenant, which plan and apply refuse),
``destroy`` removes the old one so that the new one can be made.

Recovery: when the spec file is gone, the environment's record
(``generator.records``) says where its state is; authgen renders a root with
the provider and back end only and terraform plans the destruction of
everything in that state. The authorizer file, the record and the plan files
are removed only after terraform succeeded, while the run lock is held.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from generator.commands import direct_steps, options
from generator.commands.steps import (
    PLAN_FILE,
    confirm,
    environment_lock,
    environment_runner,
    load_spec,
    ready_runner,
    render_into,
    state_lock_explained,
    targets,
    write_plan_files,
)
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from generator.records import Record
    from generator.report import Reporter
    from generator.spec import Spec
    from generator.terraform import Runner

HELP = "destroy every resource of ENV (planned and shown first)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--auto-approve``, ``--force``, ``--lock-timeout``."""
    options.terraform(parser)
    options.environments(parser)
    options.auto_approve(parser)
    options.state_lock(parser)
    parser.add_argument("--force", action="store_true", help="destroy a protected environment too")


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Check protection, plan the destruction, show it, ask, apply it, clean up."""
    from generator import owners, records
    from generator.unfinished import Record as Unfinished

    project = Project.find()
    (path,) = targets(project, args)
    spec: Spec | None = None
    record: Record | None = None
    if path.is_file():
        spec = load_spec(path)
        owners.check(project, spec)
        if not direct_steps.uses_terraform(spec):
            return direct_steps.destroy(project, spec, report)
        name = spec.name
    else:
        name = path.stem
        record = records.load(project, name)
        if record is None:
            raise AuthgenError(
                f"{display_name(path)}: no such file, and there is no record of an applied "
                f"environment {name!r} ({display_name(project.record_file(name))}): nothing "
                "to destroy here; check the name"
            )
    _check_protection(project, path, spec, record, args)
    if not args.auto_approve and not report.interactive:
        raise AuthgenError(
            f"destroy {name} needs a confirmation and stdin is not a terminal; "
            "pass --auto-approve to proceed"
        )
    with (
        environment_lock(project, name, "destroy"),
        state_lock_explained(project, name, args, "destroy"),
    ):
        runner, target = _ready(project, name, spec, record, args, report)
        plan_path = project.build_dir(name) / PLAN_FILE
        shown = _plan_destroy(project, runner, plan_path, name, report)
        if shown is not None:
            if not args.auto_approve:
                question = (
                    f"Destroy {name} ({len(shown)} resources, listed above)? Callers lose access."
                )
                confirm(report, question, action=f"destroy {name}", expect=name)
            if target is not None and _needs_lifting(target, runner):
                runner = _lift_protection(project, target, args, report)
                plan_path = runner.workdir / PLAN_FILE
                again = _plan_destroy(project, runner, plan_path, name, report, show=False)
                if again != shown:
                    raise AuthgenError(
                        f"{name}: after lifting deletion protection the destruction plan differs "
                        "from the one shown (someone changed the environment meanwhile); nothing "
                        "was destroyed: run the command again"
                    )
            with Unfinished(runner.workdir).running(f"authgen destroy {name}"):
                runner.apply(plan_path)
        authorizer_path = project.resolve_inside(
            spec.authorizer.output if spec is not None else record.authorizer  # type: ignore[union-attr]
        )
        authorizer_path.unlink(missing_ok=True)
        records.remove(project, name)
        for leftover in ("plan.json", "plan.md", PLAN_FILE, f"{PLAN_FILE}.fingerprint.json"):
            (project.build_dir(name) / leftover).unlink(missing_ok=True)
    report.done()
    done = f"destroyed {name}" if shown is not None else f"nothing to destroy in {name}"
    report.line(f"{done}; removed {display_name(authorizer_path)}")
    report.emit({"command": "destroy", "environment": name, "removed": str(authorizer_path)})
    return 0


def _needs_lifting(spec: Spec, runner: Runner) -> bool:
    """Deletion protection is on: the spec says so, or the state still has it."""
    from generator.commands import safety

    return spec.protected or bool(safety.deletion_blocked(spec, runner))


def _check_protection(
    project: Project,
    path: Path,
    spec: Spec | None,
    record: Record | None,
    args: argparse.Namespace,
) -> None:
    if spec is not None and spec.protected and not args.force:
        raise AuthgenError(
            f"{display_name(path)}: protected: true; destroy is refused. Pass --force to lift "
            "deletion protection and destroy anyway, or set protected: false first"
        )
    if record is not None and record.protected:
        raise AuthgenError(
            f"{display_name(path)}: no such file, and {record.environment} was last applied "
            "with protected: true (deletion protection is on, which only its spec can lift): "
            f"restore {record.spec}, set protected: false and apply it, then destroy or retire it"
        )


def _ready(
    project: Project,
    name: str,
    spec: Spec | None,
    record: Record | None,
    args: argparse.Namespace,
    report: Reporter,
) -> tuple[Runner, Spec | None]:
    """The root to destroy from, and the spec it was rendered from: the
    spec's, pointed at where the state says the environment lives
    (``safety.here``), or, without a spec, the record's provider and back
    end only (spec ``None``)."""
    from generator import render
    from generator.commands import safety

    if spec is not None:
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(name))
        safety.unfinished_runs(spec, runner, report)
        target = safety.here(spec, runner, report)
        if target is not spec:
            render_into(project, target)
            runner = ready_runner(project, target, args, report.progress(name))
        return runner, target
    assert record is not None
    report.note(
        f"{name}: {record.spec} is gone; destroying from its record "
        f"{display_name(project.record_file(name))} ({record.provider}, state: "
        f"{record.state.get('backend')})"
    )
    files = render.recovery(record, os.environ.get("AUTHGEN_ENDPOINT_URL"))
    render.write_build(project.build_dir(name), files)
    minimum = render.recovery_minimum_version(record)
    runner = environment_runner(project, name, args, report.progress(name), min_version=minimum)
    return runner, None


def _plan_destroy(
    project: Project,
    runner: Runner,
    plan_path: Path,
    name: str,
    report: Reporter,
    *,
    show: bool = True,
) -> list[str] | None:
    """Plan the destruction; show it. The addresses it deletes, sorted, or
    ``None`` when there is nothing to destroy."""
    from generator import plan_summary

    result = runner.plan(plan_path, destroy=True)
    if not result.changes:
        if show:
            report.done()
            report.note(f"{name}: its state holds no resources; nothing to destroy")
        return None
    summary: dict[str, Any] = plan_summary.summarize(
        runner.show_json(plan_path), environment=name, mode="destroy"
    )
    if show:
        write_plan_files(project.build_dir(name), summary)
        report.done()
        report.plan_summary(summary)
    return sorted(r["address"] for r in summary["resources"] if r["action"] == "delete")


def _lift_protection(
    project: Project, spec: Spec, args: argparse.Namespace, report: Reporter
) -> Runner:
    """--force on a protected environment: apply deletion protection off
    first; the runner of that unprotected render (what destroy then uses)."""
    unprotected = spec.evolve(protected=False)
    directory = render_into(project, unprotected)
    runner = ready_runner(project, unprotected, args, report.progress(spec.name))
    why = "is protected" if spec.protected else "still has deletion protection on (not applied)"
    report.note(f"{spec.name} {why}: turning deletion protection off before destroying")
    runner.plan(directory / PLAN_FILE)
    runner.apply(directory / PLAN_FILE)
    return runner
