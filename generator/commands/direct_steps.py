"""The steps of ``plan``, ``apply``, ``authorizer`` and ``destroy`` for an
environment whose provider has no Terraform resources (``provider: oidc``;
see ``generator.direct``): no terraform, no cloud credentials; the run lock,
the atomic write, the plan files and the ``--json`` documents as for the
others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.commands.steps import PLAN_FILE, confirm, run_lock, write_plan_files
from generator.project import Project
from generator.report import PlanOutcome
from generator.yaml_source import display_name

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from generator.direct import DirectPlan
    from generator.report import Reporter
    from generator.spec import Spec


def uses_terraform(spec: Spec) -> bool:
    """Whether ``spec``'s provider has a Terraform module (else these steps apply)."""
    from generator import providers

    return providers.get(spec.provider).module is not None


def plan(project: Project, spec: Spec, args: argparse.Namespace) -> PlanOutcome:
    """Check discovery and keys, compare with the current file, write
    ``plan.json`` / ``plan.md`` (the file is the one "resource")."""
    from generator import direct

    with run_lock(project, spec, "plan"):
        planned = direct.plan(project, spec, wait=getattr(args, "wait", direct.DEFAULT_WAIT))
        summary = planned.summary()
        files = write_plan_files(project.build_dir(spec.name), summary)
    return PlanOutcome(spec.name, changes=planned.changes, summary=summary, files=files)


def show_plan(report: Reporter, project: Project, outcome: PlanOutcome) -> None:
    """One environment's checks, summary and diff, and where the files are."""
    from generator.verify import Check, Status

    summary = outcome.summary or {}
    rows = [
        Check(c["name"], Status(c["status"]), c["detail"], c["fix"])
        for c in summary.get("checks", [])
    ]
    if rows:
        report.checks(rows, title=f"authgen plan: {outcome.name} (discovery and keys)")
    report.plan_summary(summary)
    for line in summary.get("diff", []):
        report.line(line)
    build = project.build_dir(outcome.name)
    does = "removes the file (retired)" if summary.get("mode") == "retire" else "writes the file"
    report.line(
        f"no Terraform for this provider: apply {does}; summary: {display_name(build / 'plan.md')}"
    )


def apply(project: Project, spec: Spec, args: argparse.Namespace, report: Reporter) -> int:
    """Check, show the diff, ask (unless ``--auto-approve``), write the file."""
    from generator import direct

    with run_lock(project, spec, "apply"):
        planned = direct.plan(project, spec, wait=getattr(args, "wait", direct.DEFAULT_WAIT))
        if planned.retiring:
            return _retire(report, spec, planned, args)
        report.checks(planned.rows, title=f"authgen apply: {spec.name} (discovery and keys)")
        for line in planned.diff():
            report.line(line)
        if planned.changes and not args.auto_approve:
            confirm(
                report,
                f"Write {display_name(planned.path)} for {spec.name}?",
                action=f"apply {spec.name}",
            )
        changed = direct.write(planned)
    report_written(report, spec, planned.path, planned.document, changed, planned)
    return 0


def _retire(report: Reporter, spec: Spec, planned: DirectPlan, args: argparse.Namespace) -> int:
    """``retired: true``: remove the authorizer file (after a question unless
    ``--auto-approve``); the spec file can go afterwards."""
    for line in planned.diff():
        report.line(line)
    if planned.changes and not args.auto_approve:
        confirm(
            report,
            f"Retire {spec.name}: remove {display_name(planned.path)}?",
            action=f"apply {spec.name}",
        )
    planned.path.unlink(missing_ok=True)
    spec_file = display_name(spec.path) if spec.path else f"environments/{spec.name}.yaml"
    report.line(
        f"retired {spec.name}: removed {display_name(planned.path)} (nothing at provider "
        f"{spec.provider} was touched); {spec_file} can now be deleted"
    )
    report.emit(
        {
            "command": "apply",
            "environment": spec.name,
            "retired": True,
            "removed": str(planned.path),
        }
    )
    return 0


def rewrite(project: Project, spec: Spec, report: Reporter) -> int:
    """``authgen authorizer``: write the file from the spec alone (no fetch)."""
    from generator import authorizer, direct

    with run_lock(project, spec, "authorizer"):
        path, doc = direct.document(project, spec)
        changed = authorizer.write(path, doc)
    report_written(report, spec, path, doc, changed, None)
    return 0


def destroy(project: Project, spec: Spec, report: Reporter) -> int:
    """Nothing exists at the provider: remove the authorizer and plan files."""
    with run_lock(project, spec, "destroy"):
        path = project.resolve_inside(spec.authorizer.output)
        path.unlink(missing_ok=True)
        _stale_plan_files(project, spec)
    report.line(
        f"removed {display_name(path)}; provider {spec.provider} has no resources to destroy "
        "(the identity provider and its clients are untouched)"
    )
    report.emit({"command": "destroy", "environment": spec.name, "removed": str(path)})
    return 0


def report_written(
    report: Reporter,
    spec: Spec,
    path: Path,
    document: dict[str, Any],
    changed: bool,
    planned: DirectPlan | None,
) -> None:
    """What ``apply`` and ``authorizer`` say at the end (the keys of the
    Terraform providers' document, plus what this provider adds)."""
    from generator import authorizer

    inner = document[authorizer.ROOT_KEY]
    report.line(f"authorizer file: {display_name(path)} ({'written' if changed else 'unchanged'})")
    report.line(f"discovery URL:   {inner['discoveryUrl']}")
    for member in ("allowedAudience", "allowedClients"):
        if inner.get(member):
            report.line(f"{member}: {', '.join(inner[member])}")
    clients = {c: c for c in inner.get("allowedClients", [])}
    doc: dict[str, Any] = {
        "command": "authorizer",
        "environment": spec.name,
        "authorizer_file": str(path),
        "changed": changed,
        "discovery_url": inner["discoveryUrl"],
        "client_ids": clients,
        "audiences": inner.get("allowedAudience", []),
    }
    if planned is not None:
        doc["diff"] = planned.diff()
        doc["checks"] = planned.summary()["checks"]
    report.emit(doc)


def _stale_plan_files(project: Project, spec: Spec) -> None:
    """Plan files describe the file before it was written: remove them."""
    for leftover in ("plan.json", "plan.md", PLAN_FILE, f"{PLAN_FILE}.fingerprint.json"):
        (project.build_dir(spec.name) / leftover).unlink(missing_ok=True)
