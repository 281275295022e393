"""``authgen apply ENV``: apply exactly the reviewed plan, then write the
authorizer file.

Reviewed = applied. The saved plan of ``authgen plan`` is applied as it is,
and only while nothing it was made from moved (``plan_basis``: the state's
serial and lineage, the rendered root, what the plan is for). A stale plan
is refused in one line saying why and to plan again, before terraform runs;
at a terminal without ``--auto-approve`` authgen instead shows a new plan and
asks. ``--auto-approve`` never applies a plan that was not saved by ``authgen
plan``: with no saved plan it refuses (pipelines plan first); a person at a
terminal without it gets a fresh plan and a question.

Before terraform applies anything (``safety``): an earlier unfinished run is
reported, a spec that moves the environment is refused, and a plan that
deletes or replaces live objects is refused for ``protected: true`` (unless
``--allow-replace``) and asked about otherwise (unless ``--auto-approve``).

The environment's record (``generator.records``) is written before terraform
applies, and the run is recorded as unfinished until terraform returns
(``generator.unfinished``). The authorizer file is written while the run
lock is held. A ``retired: true`` spec applies its saved destruction plan,
then removes the authorizer file and the record: afterwards the spec file
can go. In CI, local state is refused first (``--allow-local-state``);
terraform's own "saved plan is stale" (another run applied while this one
waited for the state lock) is the same one line as a stale basis.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from generator import plan_basis
from generator.commands import direct_steps, options
from generator.commands.steps import (
    PLAN_FILE,
    confirm,
    load_spec,
    ready_runner,
    record_applied,
    refuse_local_state_in_ci,
    refuse_retiring_protected,
    render_into,
    report_outputs,
    run_lock,
    state_lock_explained,
    targets,
    write_authorizer,
    write_plan_files,
)
from generator.errors import AuthgenError
from generator.project import Project
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse

    from generator.report import Reporter
    from generator.spec import Spec
    from generator.terraform import Runner

HELP = "apply the saved plan (refused when stale), then write the authorizer file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Init flags, ``ENV``, ``--auto-approve``, ``--lock-timeout``, ``--allow-local-state``."""
    options.terraform(parser)
    options.environments(parser)
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="apply the saved plan without asking (pipelines); never plans on its own",
    )
    parser.add_argument(
        "--allow-replace",
        action="store_true",
        help="let a protected environment delete or replace resources (new ids and secrets)",
    )
    options.state_lock(parser)
    options.local_state(parser)
    options.discovery_wait(parser)


def run(args: argparse.Namespace, report: Reporter) -> int:
    """Apply the reviewed plan under the run lock, then write and report the
    authorizer file (or, for a retired environment, remove it)."""
    from generator import owners
    from generator.commands import safety

    project = Project.find()
    (path,) = targets(project, args)
    spec = load_spec(path)
    owners.check(project, spec)
    if not direct_steps.uses_terraform(spec):
        return direct_steps.apply(project, spec, args, report)
    refuse_local_state_in_ci(spec, args)
    mode = "retire" if spec.retired else "apply"
    with run_lock(project, spec, "apply"), state_lock_explained(project, spec, args, "apply"):
        if spec.retired:
            refuse_retiring_protected(project, spec)
        plan_path = project.build_dir(spec.name) / PLAN_FILE
        if plan_basis.load(plan_path) is None:
            _refuse_without_a_saved_plan(spec, plan_path, args, report)
        render_into(project, spec)
        runner = ready_runner(project, spec, args, report.progress(spec.name))
        safety.unfinished_runs(spec, runner, report)
        safety.check_place(spec, runner)
        _reviewed_plan(project, spec, runner, plan_path, mode, args, report)
        if mode == "apply":
            record_applied(project, path)
        _apply(spec, runner, plan_path)
        if mode == "retire":
            return _retired(project, spec, report)
        outputs = runner.outputs()
        report.done()
        authorizer_path, changed = write_authorizer(project, spec, outputs)
    report_outputs(report, spec, outputs, authorizer_path, changed)
    return 0


def _refuse_without_a_saved_plan(
    spec: Spec, plan_path: Path, args: argparse.Namespace, report: Reporter
) -> None:
    """No saved plan: only a person at a terminal may plan and confirm here."""
    if args.auto_approve:
        raise AuthgenError(
            f"{spec.name}: no saved plan to apply ({display_name(plan_path)}); "
            f"--auto-approve applies only a plan 'authgen plan {spec.name}' saved: plan, "
            f"review build/{spec.name}/plan.md, then apply"
        )
    if not report.interactive:
        raise AuthgenError(
            f"{spec.name}: no saved plan to apply and stdin is not a terminal to confirm a new "
            f"one; run 'authgen plan {spec.name}', review build/{spec.name}/plan.md, then "
            f"'authgen apply {spec.name}' (pipelines: --auto-approve)"
        )


def _reviewed_plan(
    project: Project,
    spec: Spec,
    runner: Runner,
    plan_path: Path,
    mode: str,
    args: argparse.Namespace,
    report: Reporter,
) -> None:
    """Make sure ``plan_path`` is a plan someone saw: the saved one while it
    is current; else, at a terminal without --auto-approve, a new one shown
    and confirmed. Refuses otherwise, before terraform changes anything."""
    saved = plan_basis.load(plan_path)
    current = plan_basis.capture(runner, spec.name, mode)
    if saved is not None:
        why = plan_basis.stale_reason(saved, current)
        if why is None and not runner.saved_plan_is_current(plan_path, destroy=spec.retired):
            why = "terraform's own record of it does not match the rendered root"
        if why is None:
            report.note(
                f"applying the saved plan {display_name(plan_path)} (made by 'authgen plan')"
            )
            _review(spec, runner, plan_path, mode, args, report)
            return
        stale = (
            f"{spec.name}: the saved plan {display_name(plan_path)} is stale: {why}; run "
            f"'authgen plan {spec.name}' again and review it before applying"
        )
        if args.auto_approve or not report.interactive:
            raise AuthgenError(stale)
        report.note(f"{stale}. Planning again here instead:")
    _plan_and_confirm(project, spec, runner, plan_path, mode, current, args, report)


def _review(
    spec: Spec,
    runner: Runner,
    plan_path: Path,
    mode: str,
    args: argparse.Namespace,
    report: Reporter,
) -> None:
    """The saved plan, checked again for what it deletes or replaces: refused
    for a protected environment without --allow-replace, asked about
    otherwise (``safety.before_apply``)."""
    from generator.commands import safety

    shown = runner.show_json(plan_path)
    _, review = safety.summarize_and_review(spec, shown, mode, allow_replace=args.allow_replace)
    report.done()
    # refused or not confirmed here: the saved plan stays (it is still the
    # reviewed one; e.g. --allow-replace or --auto-approve may apply it next)
    safety.before_apply(report, spec, review, args)


def _plan_and_confirm(
    project: Project,
    spec: Spec,
    runner: Runner,
    plan_path: Path,
    mode: str,
    basis: plan_basis.Basis,
    args: argparse.Namespace,
    report: Reporter,
) -> None:
    """A new plan made from ``basis`` (what the state and root are now),
    shown; applied only on 'yes' (at a terminal)."""
    from generator.commands import safety

    result = runner.plan(plan_path, destroy=spec.retired)
    shown = runner.show_json(plan_path) if result.changes else {}
    try:
        summary, review = safety.summarize_and_review(
            spec, shown, mode, allow_replace=args.allow_replace
        )
        write_plan_files(project.build_dir(spec.name), summary)
        report.done()
        report.plan_summary(summary)
        asked = safety.before_apply(report, spec, review, args)
        if result.changes and not asked:
            verb = "Retire" if mode == "retire" else "Apply these changes to"
            confirm(report, f"{verb} {spec.name}?", action=f"apply {spec.name}")
    except AuthgenError:
        plan_basis.forget(plan_path)  # refused or declined: not a reviewed plan
        raise
    plan_basis.record(plan_path, basis)


def _apply(spec: Spec, runner: Runner, plan_path: Path) -> None:
    """Apply the saved plan, recorded as running until terraform returns
    (a killed run is named by the next one); the plan is used up whatever
    happens. A failure on a taken name (an object a killed run made and
    never recorded) says how ``authgen leftovers`` finds it."""
    from generator import leftovers
    from generator.terraform import StalePlanError, TerraformFailed
    from generator.unfinished import Record

    try:
        with Record(plan_path.parent).running(f"authgen apply {spec.name}"):
            runner.apply(plan_path)
    except StalePlanError:
        raise AuthgenError(
            f"{spec.name}: the saved plan {display_name(plan_path)} is stale: the state changed "
            f"after it was made (another run, or an interrupted one, applied {spec.name} "
            f"meanwhile); nothing was applied; run 'authgen plan {spec.name}' again and review "
            "it before applying"
        ) from None
    except TerraformFailed as err:
        errors = [d.one_line() for d in err.diagnostics if d.is_error] or [str(err)]
        if not leftovers.name_taken(errors):
            raise
        raise TerraformFailed(
            str(err) + leftovers.taken_name_hint(spec.name),
            command=err.command,
            returncode=err.returncode,
            stderr=err.stderr,
            diagnostics=err.diagnostics,
        ) from None
    finally:
        plan_basis.forget(plan_path)


def _retired(project: Project, spec: Spec, report: Reporter) -> int:
    """After a retirement: the authorizer file, the record and the plan files go."""
    from generator import records

    authorizer_path = project.resolve_inside(spec.authorizer.output)
    authorizer_path.unlink(missing_ok=True)
    records.remove(project, spec.name)
    for leftover in ("plan.json", "plan.md", PLAN_FILE):
        (project.build_dir(spec.name) / leftover).unlink(missing_ok=True)
    report.done()
    spec_file = display_name(spec.path) if spec.path else f"environments/{spec.name}.yaml"
    report.line(
        f"retired {spec.name}: its resources are destroyed; removed "
        f"{display_name(authorizer_path)}; {spec_file} can now be deleted"
    )
    report.emit(
        {
            "command": "apply",
            "environment": spec.name,
            "retired": True,
            "removed": str(authorizer_path),
        }
    )
    return 0
