"""Check an ``atlantis.yaml`` against Atlantis' repo-level config rules.

Atlantis reads the file from the pull request and refuses it, with a comment
on the pull request, when it breaks a rule; this module finds the same
problems before a pull request does. The rules are those of Atlantis'
documented repo-level config (``version: 3``, the keys of the top level, of a
project, of ``autoplan`` and of a workflow's steps) and of its server-side
checks: project names unique and URL-safe, projects sharing a ``dir`` and
``workspace`` all named, workspace names without path separators, and keys
the server restricts (``workflow``, ``apply_requirements``, ...) or custom
``workflows`` allowed only when the server's repo config says so
(``allowed_overrides``, ``allow_custom_workflows``).

``problems(text, server)`` returns one line per problem, ``[]`` when fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import yaml

TOP_KEYS = {
    "version",
    "projects",
    "workflows",
    "policies",
    "autodiscover",
    "automerge",
    "parallel_apply",
    "parallel_plan",
    "delete_source_branch_on_merge",
    "emoji_reaction",
    "allowed_regexp_prefixes",
    "abort_on_execution_order_fail",
    "repo_locks",
    "silence_pr_comments",
}
PROJECT_KEYS = {
    "name",
    "branch",
    "dir",
    "workspace",
    "workflow",
    "terraform_distribution",
    "terraform_version",
    "autoplan",
    "plan_requirements",
    "apply_requirements",
    "import_requirements",
    "depends_on",
    "delete_source_branch_on_merge",
    "repo_locking",
    "repo_locks",
    "execution_order_group",
    "policy_check",
    "custom_policy_check",
    "silence_pr_comments",
}
#: Project keys the server must list in ``allowed_overrides``.
RESTRICTED = {
    "workflow",
    "plan_requirements",
    "apply_requirements",
    "import_requirements",
    "delete_source_branch_on_merge",
    "repo_locking",
    "repo_locks",
    "custom_policy_check",
    "silence_pr_comments",
}
REQUIREMENTS = {"approved", "mergeable", "undiverged"}
STAGES = {"plan", "apply", "policy_check", "import", "state_rm"}
BUILTIN_STEPS = {"init", "plan", "apply", "show", "policy_check", "import", "state_rm"}
RUN_OUTPUTS = {"show", "hide", "strip_refreshing"}
BOOLEAN_TOP = (
    "automerge",
    "parallel_apply",
    "parallel_plan",
    "delete_source_branch_on_merge",
    "abort_on_execution_order_fail",
)
_SEMVER = re.compile(r"^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True)
class ServerSettings:
    """What the Atlantis server's repo config (repos.yaml) allows a repository."""

    allow_custom_workflows: bool = False
    allowed_overrides: frozenset[str] = frozenset()
    workflows: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_repos_yaml(cls, document: dict[str, Any], repo_id: str) -> ServerSettings:
        """The settings for ``repo_id`` (``github.com/org/repo``) from a parsed
        server-side repos.yaml: later matching entries win, as in Atlantis."""
        allow, overrides = False, frozenset()
        for repo in document.get("repos") or []:
            rid = str(repo.get("id", ""))
            if len(rid) > 1 and rid.startswith("/") and rid.endswith("/"):
                matches = re.search(rid[1:-1], repo_id) is not None
            else:
                matches = rid == repo_id
            if not matches:
                continue
            if "allow_custom_workflows" in repo:
                allow = bool(repo["allow_custom_workflows"])
            if "allowed_overrides" in repo:
                overrides = frozenset(repo["allowed_overrides"] or [])
        return cls(allow, overrides, frozenset(document.get("workflows") or {}))


def problems(text: str, server: ServerSettings) -> list[str]:
    """Every rule ``text`` (an atlantis.yaml) breaks, one line each."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        return [f"not YAML: {err}".replace("\n", " ")]
    if not isinstance(doc, dict):
        return ["the top level must be a mapping (version: 3, projects: ...)"]
    out: list[str] = []
    out += _unknown(doc, TOP_KEYS, "")
    version = doc.get("version")
    if version is None:
        out.append("version: is required and must be 3")
    elif version != 3 or isinstance(version, bool):
        out.append(f"version: {version!r}: this checker expects version 3")
    for key in BOOLEAN_TOP:
        if key in doc and not isinstance(doc[key], bool):
            out.append(f"{key}: must be true or false")
    out += _autodiscover(doc.get("autodiscover"))
    workflows = doc.get("workflows") or {}
    if not isinstance(workflows, dict):
        out.append("workflows: must be a mapping of workflow names to workflows")
        workflows = {}
    elif workflows and not server.allow_custom_workflows:
        out.append(
            "workflows: the server does not allow custom workflows for this repository; "
            "its repos.yaml needs 'allow_custom_workflows: true'"
        )
    for name, workflow in workflows.items():
        out += _workflow(f"workflows.{name}", workflow)
    projects = doc.get("projects") or []
    if not isinstance(projects, list):
        return [*out, "projects: must be a list"]
    for i, project in enumerate(projects):
        out += _project(f"projects[{i}]", project, server, set(workflows) | server.workflows)
    out += _names([p for p in projects if isinstance(p, dict)])
    return out


def _unknown(mapping: dict[str, Any], known: Iterable[str], where: str) -> list[str]:
    prefix = f"{where}." if where else ""
    return [
        f"{prefix}{key}: not a key Atlantis knows here" for key in mapping if key not in set(known)
    ]


def _autodiscover(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return ["autodiscover: must be a mapping (mode: auto | enabled | disabled)"]
    out = _unknown(value, {"mode", "ignore_paths"}, "autodiscover")
    if value.get("mode", "auto") not in {"auto", "enabled", "disabled"}:
        out.append(f"autodiscover.mode: {value.get('mode')!r}: use auto, enabled or disabled")
    return out


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _project(where: str, p: Any, server: ServerSettings, workflows: set[str]) -> list[str]:
    if not isinstance(p, dict):
        return [f"{where}: must be a mapping with at least 'dir'"]
    out = _unknown(p, PROJECT_KEYS, where)
    directory = p.get("dir")
    if not isinstance(directory, str) or not directory:
        out.append(f"{where}.dir: is required (a directory relative to the repo root, '.' for it)")
    elif ".." in directory:
        out.append(f"{where}.dir: cannot contain '..'")
    name = p.get("name")
    if name is not None:
        if not isinstance(name, str) or not name:
            out.append(f"{where}.name: if set, must be a non-empty string")
        elif quote_plus(name.replace("/", "-"), safe="") != name.replace("/", "-"):
            out.append(f"{where}.name: {name!r} must contain only URL-safe characters")
        elif any(c in name for c in "*?["):
            out.append(f"{where}.name: cannot contain glob characters")
    workspace = p.get("workspace")
    if workspace is not None:
        out += [f"{where}.workspace: {w}" for w in _workspace_problems(workspace)]
    branch = p.get("branch")
    if branch is not None:
        if (
            not isinstance(branch, str)
            or len(branch) < 2
            or not (branch.startswith("/") and branch.endswith("/"))
        ):
            out.append(f"{where}.branch: a regex that begins and ends with '/'")
        else:
            try:
                re.compile(branch[1:-1])
            except re.error as err:
                out.append(f"{where}.branch: not a regex: {err}")
    for key in ("plan_requirements", "apply_requirements", "import_requirements"):
        if key in p:
            if not _strings(p[key]):
                out.append(f"{where}.{key}: must be a list of strings")
            else:
                out += [
                    f"{where}.{key}: {r!r} is not one of approved, mergeable, undiverged"
                    for r in p[key]
                    if r not in REQUIREMENTS
                ]
    distribution = p.get("terraform_distribution")
    if distribution is not None and distribution not in {"terraform", "opentofu"}:
        out.append(f"{where}.terraform_distribution: use terraform or opentofu")
    version = p.get("terraform_version")
    if version is not None and not (isinstance(version, str) and _SEMVER.match(version)):
        out.append(f"{where}.terraform_version: {version!r} is not a version like 1.11.4")
    if "execution_order_group" in p and (
        not isinstance(p["execution_order_group"], int)
        or isinstance(p["execution_order_group"], bool)
    ):
        out.append(f"{where}.execution_order_group: must be an integer")
    if "depends_on" in p and not _strings(p["depends_on"]):
        out.append(f"{where}.depends_on: must be a list of project names")
    autoplan = p.get("autoplan")
    if autoplan is not None:
        if not isinstance(autoplan, dict):
            out.append(f"{where}.autoplan: must be a mapping (enabled, when_modified)")
        else:
            out += _unknown(autoplan, {"enabled", "when_modified"}, f"{where}.autoplan")
            if "enabled" in autoplan and not isinstance(autoplan["enabled"], bool):
                out.append(f"{where}.autoplan.enabled: must be true or false")
            if "when_modified" in autoplan and not _strings(autoplan["when_modified"]):
                out.append(f"{where}.autoplan.when_modified: must be a list of path patterns")
    for key in sorted(RESTRICTED & set(p)):
        if key not in server.allowed_overrides:
            out.append(
                f"{where}.{key}: the server does not let this repository set it; its "
                f"repos.yaml needs '{key}' in allowed_overrides"
            )
    workflow = p.get("workflow")
    if workflow is not None and workflow not in workflows:
        out.append(f"{where}.workflow: {workflow!r} is defined neither here nor on the server")
    return out


def _workspace_problems(workspace: Any) -> list[str]:
    if not isinstance(workspace, str):
        return ["must be a string"]
    checks = [
        (any(c in workspace for c in "/\\"), "cannot contain '/' or '\\'"),
        (".." in workspace, "cannot contain '..'"),
        (workspace == ".", "cannot be '.'"),
        (workspace.startswith("-"), "cannot start with '-'"),
        (workspace.startswith("~"), "cannot start with '~'"),
        ("$" in workspace, "cannot contain '$'"),
        (any(c.isspace() or not c.isprintable() for c in workspace), "no whitespace or controls"),
    ]
    return [message for failed, message in checks if failed]


def _workflow(where: str, workflow: Any) -> list[str]:
    if not isinstance(workflow, dict):
        return [f"{where}: must be a mapping of stages (plan, apply, ...)"]
    out = _unknown(workflow, STAGES, where)
    for stage, body in workflow.items():
        if stage not in STAGES:
            continue
        if not isinstance(body, dict):
            out.append(f"{where}.{stage}: must be a mapping with 'steps'")
            continue
        out += _unknown(body, {"steps"}, f"{where}.{stage}")
        steps = body.get("steps")
        if steps is None:
            continue
        if not isinstance(steps, list):
            out.append(f"{where}.{stage}.steps: must be a list")
            continue
        for i, step in enumerate(steps):
            out += [f"{where}.{stage}.steps[{i}]: {m}" for m in _step_problems(step)]
    return out


def _step_problems(step: Any) -> list[str]:
    if isinstance(step, str):
        if step not in BUILTIN_STEPS:
            return [f"{step!r} is not a built-in step; maybe the 'run' key is missing"]
        return []
    if not isinstance(step, dict) or len(step) != 1:
        return ["a step is a built-in name or a mapping with exactly one key"]
    ((kind, args),) = step.items()
    if kind in BUILTIN_STEPS:
        if (
            not isinstance(args, dict)
            or set(args) != {"extra_args"}
            or not _strings(args["extra_args"])
        ):
            return [f"built-in step {kind!r} takes only 'extra_args' (a list of strings)"]
        return []
    if kind not in {"run", "env", "multienv"}:
        return [f"{kind!r} is not a step type"]
    if isinstance(args, str):
        return [] if kind in {"run", "multienv"} else ["env takes name and command or value"]
    if not isinstance(args, dict):
        return [f"{kind}: takes a command string or a mapping"]
    allowed = {"command", "output", "shell", "shellArgs"}
    if kind == "env":
        allowed = {"name", "command", "value", "shell", "shellArgs"}
    out = [f"{kind}.{k}: not a key of {kind} steps" for k in args if k not in allowed]
    if "shell" in args and "command" not in args:
        out.append(f"{kind}: 'shell' only goes with 'command'")
    if "shellArgs" in args and "shell" not in args:
        out.append(f"{kind}: 'shellArgs' only goes with 'shell'")
    if kind == "env":
        if "name" not in args:
            out.append("env: needs 'name'")
        if "value" in args and "command" in args:
            out.append("env: takes 'value' or 'command', not both")
    elif not isinstance(args.get("command"), str):
        out.append(f"{kind}: needs 'command'")
    output = args.get("output")
    if kind == "run" and isinstance(output, str) and output not in RUN_OUTPUTS:
        out.append(f"run.output: {output!r}: use show, hide or strip_refreshing")
    return out


def _names(projects: list[dict[str, Any]]) -> list[str]:
    out, seen = [], set()
    for p in projects:
        name = p.get("name")
        if isinstance(name, str):
            if name in seen:
                out.append(f"projects: more than one project is named {name!r}; make names unique")
            seen.add(name)
    by_place: dict[tuple[str, str], list[Any]] = {}
    for p in projects:
        place = (str(p.get("dir", "")).strip("/") or ".", str(p.get("workspace") or "default"))
        by_place.setdefault(place, []).append(p.get("name"))
    for (directory, workspace), names in sorted(by_place.items()):
        if len(names) > 1 and any(n is None for n in names):
            out.append(
                f"projects: several projects have dir {directory!r} and workspace "
                f"{workspace!r} but not all are named; name each"
            )
    return out
