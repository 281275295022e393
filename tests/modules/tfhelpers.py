"""Helpers for the module tests: run terraform, read its JSON, read HCL.

Secrets: ``terraform output -json`` and ``show -json`` of a plan made after an
apply hold client secrets. Their stdout is never put into an error message,
and tests assert on values derived from them, never on the raw documents.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "modules"

#: The module output contract (DESIGN.md, docs/interfaces.md): exactly these.
CONTRACT_OUTPUTS = frozenset(
    {
        "issuer",
        "discovery_url",
        "jwks_uri",
        "token_endpoint",
        "client_ids",
        "client_secrets",
        "audiences",
        "scopes",
        "gateway_authorizer",
    }
)

#: Terraform's meta-arguments and blocks: not provider arguments.
META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
)


class TerraformFailed(AssertionError):
    """A terraform command exited non-zero (message: the command and its stderr)."""


@dataclass
class Terraform:
    """``terraform`` in one working directory with a fixed environment."""

    binary: str
    cwd: Path
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    timeout: float = 300.0

    def __call__(
        self, *args: str, secret: bool = False, check: bool = True
    ) -> subprocess.CompletedProcess:
        """Run ``terraform *args``. With ``secret`` the stdout (which may hold
        secrets) is left out of any error message."""
        proc = subprocess.run(
            [self.binary, *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and proc.returncode != 0:
            shown = proc.stderr[-6000:] if secret else (proc.stdout[-4000:] + proc.stderr[-6000:])
            raise TerraformFailed(
                f"terraform {' '.join(args)} exited {proc.returncode} in {self.cwd}:\n{shown}"
            )
        return proc

    def init(self) -> None:
        self("init", "-input=false", "-no-color")

    def plan_json(self, plan_file: str, *args: str, secret: bool = False) -> dict:
        """``plan -out`` then ``show -json`` of that plan."""
        self("plan", "-input=false", "-no-color", f"-out={plan_file}", *args)
        return json.loads(self("show", "-json", "-no-color", plan_file, secret=secret).stdout)

    def outputs(self) -> dict:
        """``output -json`` as {name: value} (holds secrets: never print it)."""
        raw = json.loads(self("output", "-json", "-no-color", secret=True).stdout)
        return {name: entry["value"] for name, entry in raw.items()}


def diagnostics(json_lines: str) -> list[dict]:
    """The diagnostics of a ``-json`` (machine-readable UI) run."""
    found = []
    for line in json_lines.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("type") == "diagnostic":
            found.append(message["diagnostic"])
    return found


def error_details(json_lines: str) -> list[str]:
    """First line of the detail (a validation's error_message) of each error."""
    return [
        (d.get("detail") or d["summary"]).splitlines()[0]
        for d in diagnostics(json_lines)
        if d["severity"] == "error"
    ]


def planned_resources(plan: dict) -> dict[str, dict]:
    """{address: planned values} for every resource of the plan, all modules."""
    found: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            found[resource["address"]] = resource["values"]
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return found


def changed_attributes(change: dict) -> list[str]:
    """Top-level attribute names a resource change alters (values not returned)."""
    before = change.get("before") or {}
    after = change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    names = set(before) | set(after)
    return sorted(n for n in names if before.get(n) != after.get(n) or unknown.get(n) is True)


# --- HCL ------------------------------------------------------------------------


def load_hcl(path: Path) -> dict:
    """A .tf file as python-hcl2 (v8) reads it: strings keep their quotes,
    expressions are ``${...}``, blocks carry ``__is_block__``."""
    options = hcl2.SerializationOptions(with_comments=False)
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=options)


def load_module(directory: Path) -> dict[str, list]:
    """All top-level blocks of the module's *.tf files, merged by block type."""
    merged: dict[str, list] = {}
    for path in sorted(directory.glob("*.tf")):
        for kind, entries in load_hcl(path).items():
            merged.setdefault(kind, []).extend(entries)
    return merged


def unquote(text: str) -> str:
    if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == '"':
        return json.loads(text)
    return text


def labelled(entries: list[dict]) -> dict[str, dict]:
    """{label: body} of one-label blocks (variable, output, module)."""
    return {unquote(label): body for entry in entries for label, body in entry.items()}


def resources(module: dict[str, list]) -> dict[tuple[str, str], dict]:
    """{(type, name): body} of the module's resource blocks."""
    found = {}
    for entry in module.get("resource", []):
        for rtype, named in entry.items():
            for name, body in named.items():
                found[(unquote(rtype), unquote(name))] = body
    return found


def argument_paths(body: dict, prefix: str = "") -> set[str]:
    """Provider arguments a resource body sets, nested blocks as ``block.arg``.

    Meta-arguments are left out; a ``dynamic "x"`` block counts as block ``x``
    with the arguments of its ``content``.
    """
    paths: set[str] = set()
    for key, value in body.items():
        if key == "__is_block__" or (not prefix and key in META_ARGUMENTS):
            continue
        if key == "dynamic":
            for entry in value:
                for block_name, dynamic in entry.items():
                    name = unquote(block_name)
                    paths.add(prefix + name)
                    for content in dynamic.get("content", []):
                        paths |= argument_paths(content, f"{prefix}{name}.")
            continue
        paths.add(prefix + key)
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
        ):
            for block in value:
                paths |= argument_paths(block, f"{prefix}{key}.")
    return paths


def attribute_references(text: str, resource_type: str) -> set[str]:
    """Attributes read as ``<resource_type>.<name>[key].<attribute>`` in HCL text."""
    pattern = re.compile(rf"\b{re.escape(resource_type)}\.\w+(?:\[[^\]]*\])?\.(\w+)")
    return set(pattern.findall(text))


class VariablesRoot:
    """A root module holding only a module's ``variables.tf``.

    Planning it evaluates every ``validation`` block against the given inputs
    without any provider (so it runs offline for Auth0 too, in well under a
    second). The rules are the module's own file, copied unchanged.
    """

    def __init__(self, terraform: Terraform, module: Path) -> None:
        self.tf = terraform
        (terraform.cwd / "variables.tf").write_text(
            (module / "variables.tf").read_text(encoding="utf-8"), encoding="utf-8"
        )
        self._count = 0

    def errors(self, inputs: dict) -> list[str]:
        """The validation error messages for ``inputs`` ([] when valid)."""
        self._count += 1
        var_file = self.tf.cwd / f"case{self._count}.tfvars.json"
        var_file.write_text(json.dumps(inputs, indent=2, sort_keys=True), encoding="utf-8")
        proc = self.tf(
            "plan",
            "-input=false",
            "-no-color",
            "-json",
            "-lock=false",
            f"-var-file={var_file.name}",
            check=False,
        )
        found = error_details(proc.stdout)
        if proc.returncode != 0 and not found:
            raise TerraformFailed(f"plan failed without diagnostics:\n{proc.stderr[-4000:]}")
        return found
