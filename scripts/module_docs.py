#!/usr/bin/env python3
"""Generate the requirements, inputs and outputs tables of the Terraform module READMEs.

A small stand-in for terraform-docs: it reads a module's ``*.tf`` files with
python-hcl2 and rewrites what lies between the ``<!-- BEGIN_TF_DOCS -->`` and
``<!-- END_TF_DOCS -->`` markers of the module's ``README.md``; the rest of the
README is left alone.

    python scripts/module_docs.py            # rewrite modules/*/README.md
    python scripts/module_docs.py --check    # exit 1 when a README is out of date
    python scripts/module_docs.py modules/cognito

Exit codes: 0 current (or rewritten), 1 out of date (``--check``) or a module
that cannot be read, 2 bad usage.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

import hcl2

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODULES = ("modules/cognito", "modules/auth0")


class DocsError(Exception):
    """A module or README that cannot be processed; the message says why."""


# --- reading HCL ------------------------------------------------------------


def _load(path: Path) -> dict:
    options = hcl2.SerializationOptions(with_comments=False)
    try:
        with path.open(encoding="utf-8") as handle:
            return hcl2.load(handle, serialization_options=options)
    except Exception as err:  # python-hcl2 raises lark errors of several kinds
        raise DocsError(f"{path}: cannot parse: {err}") from err


def _unquote(text: str) -> str:
    """The value of an HCL string literal as python-hcl2 returns it (quoted)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text[1:-1]
    return text


def _expression(text: str) -> str:
    """python-hcl2 wraps expressions as ``${...}``; return the bare expression."""
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1]
    return text


def _literal(value: object) -> str:
    """An HCL-looking rendering of a parsed value (used for defaults)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return _expression(value)
        return json.dumps(_unquote(value))
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [f"{_unquote(k)} = {_literal(v)}" for k, v in value.items() if k != "__is_block__"]
        return "{" + ", ".join(items) + "}" if items else "{}"
    return str(value)


def _blocks(doc: dict, kind: str) -> list[tuple[str, dict]]:
    """``(label, body)`` of every top-level block of ``kind`` (variable, output)."""
    found = []
    for entry in doc.get(kind, []):
        for label, body in entry.items():
            found.append((_unquote(label), body))
    return found


def read_module(module: Path) -> dict:
    """Requirements, variables and outputs of the module in ``module``."""
    files = sorted(module.glob("*.tf"))
    if not files:
        raise DocsError(f"{module}: no *.tf files; is this a Terraform module?")
    variables, outputs, requirements = [], [], []
    for path in files:
        doc = _load(path)
        for name, body in _blocks(doc, "variable"):
            variables.append(
                {
                    "name": name,
                    "description": _unquote(body.get("description", '""')),
                    "type": _expression(body["type"]) if "type" in body else "any",
                    "required": "default" not in body,
                    "default": _literal(body["default"]) if "default" in body else None,
                }
            )
        for name, body in _blocks(doc, "output"):
            outputs.append(
                {
                    "name": name,
                    "description": _unquote(body.get("description", '""')),
                    "sensitive": body.get("sensitive") is True,
                }
            )
        for block in doc.get("terraform", []):
            if "required_version" in block:
                requirements.append(("terraform", _unquote(block["required_version"])))
            for providers in block.get("required_providers", []):
                for local_name, spec in providers.items():
                    if local_name == "__is_block__":
                        continue
                    if not isinstance(spec, dict):
                        raise DocsError(
                            f"{path}: required_providers.{local_name} must be an object"
                        )
                    source = _unquote(spec.get("source", f'"hashicorp/{local_name}"'))
                    version = _unquote(spec.get("version", '""')) or "any"
                    requirements.append((f"{local_name} ({source})", version))
    variables.sort(key=lambda v: (not v["required"], v["name"]))
    outputs.sort(key=lambda o: o["name"])
    return {"requirements": requirements, "variables": variables, "outputs": outputs}


# --- rendering ----------------------------------------------------------------


def _cell(text: str) -> str:
    """Prose for a table cell: HTML-escaped (descriptions say things like
    ``<pool id>``), pipes escaped, line breaks kept."""
    text = html.escape(text.strip(), quote=False)
    return text.replace("|", "\\|").replace("\n", "<br>")


def _code(text: str) -> str:
    """A code span for a table cell (no HTML escaping: code spans are literal)."""
    return "`" + " ".join(text.split()).replace("|", "\\|") + "`"


def render_tables(info: dict) -> str:
    lines = ["## Requirements", "", "| Name | Version |", "| --- | --- |"]
    lines += [f"| {_cell(name)} | {_code(version)} |" for name, version in info["requirements"]]
    lines += ["", "## Inputs", ""]
    if info["variables"]:
        lines += [
            "| Name | Description | Type | Default | Required |",
            "| --- | --- | --- | --- | :---: |",
        ]
        for var in info["variables"]:
            default = "n/a" if var["required"] else _code(var["default"])
            lines.append(
                f"| {_code(var['name'])} | {_cell(var['description'])} | {_code(var['type'])} "
                f"| {default} | {'yes' if var['required'] else 'no'} |"
            )
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if info["outputs"]:
        lines += ["| Name | Description | Sensitive |", "| --- | --- | :---: |"]
        for out in info["outputs"]:
            lines.append(
                f"| {_code(out['name'])} | {_cell(out['description'])} "
                f"| {'yes' if out['sensitive'] else 'no'} |"
            )
    else:
        lines.append("No outputs.")
    return "\n".join(lines) + "\n"


def updated_readme(readme_text: str, tables: str, readme: Path) -> str:
    """``readme_text`` with the span between the markers replaced by ``tables``."""
    if readme_text.count(BEGIN) != 1 or readme_text.count(END) != 1:
        raise DocsError(f"{readme}: needs exactly one {BEGIN} and one {END} line")
    head, rest = readme_text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    if head and not head.endswith("\n"):
        raise DocsError(f"{readme}: {BEGIN} must start a line")
    return f"{head}{BEGIN}\n{tables}{END}{tail}"


def process(module: Path, check: bool) -> bool:
    """Bring one README up to date (or, with ``check``, only compare).

    Returns True when the README was already current.
    """
    tables = render_tables(read_module(module))
    readme = module / "README.md"
    if not readme.is_file():
        raise DocsError(f"{readme}: missing; add a README.md with {BEGIN} / {END} markers")
    text = readme.read_text(encoding="utf-8")
    new_text = updated_readme(text, tables, readme)
    if new_text == text:
        return True
    if not check:
        readme.write_text(new_text, encoding="utf-8")
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules",
        nargs="*",
        type=Path,
        help=f"module directories (default: {' '.join(DEFAULT_MODULES)})",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 when a README is out of date"
    )
    args = parser.parse_args(argv)
    modules = args.modules or [REPO / m for m in DEFAULT_MODULES]
    stale = []
    try:
        for module in modules:
            if not process(module, args.check):
                stale.append(module / "README.md")
    except DocsError as err:
        print(f"module_docs: {err}", file=sys.stderr)
        return 1
    for readme in stale:
        if args.check:
            print(
                f"module_docs: {readme} is out of date; run 'python scripts/module_docs.py'",
                file=sys.stderr,
            )
        else:
            print(f"module_docs: updated {readme}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
