"""authgen: declarative inbound OAuth for Amazon Bedrock AgentCore Gateway.

The command line is the one place that runs the pipeline steps in order and
the only place that prints. Heavy libraries load inside the commands that
use them, so ``authgen validate`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import AuthgenError, SpecError
from generator.project import Project
from generator.yaml_source import display_name

log = logging.getLogger("authgen")


# --------------------------------------------------------------------------
# Output helpers (the only printing in the package)


class Out:
    """Where the CLI writes: human lines on stdout, or one JSON document."""

    def __init__(self, args: argparse.Namespace):
        self.json = getattr(args, "json", False)
        self.color = not (getattr(args, "no_color", False) or os.environ.get("NO_COLOR"))
        self.color = self.color and sys.stdout.isatty()

    def line(self, text: str = "") -> None:
        if not self.json:
            print(text, flush=True)

    def err(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def emit(self, document: Any) -> None:
        if self.json:
            print(json.dumps(document, indent=2, sort_keys=True))


# --------------------------------------------------------------------------
# Commands


def _specs(project: Project, args: argparse.Namespace) -> list[Path]:
    if getattr(args, "all", False):
        from generator.spec import load_all

        paths = load_all(project.environments)
        if not paths:
            raise AuthgenError(f"{project.environments}: no environment files (*.yaml)")
        return paths
    envs = args.env or []
    if not envs:
        raise AuthgenError("name an environment (e.g. 'dev') or pass --all")
    return [project.spec_path(env) for env in envs]


def _load(path: Path):
    from generator import spec

    loaded = spec.load(path)
    return loaded.with_endpoint(os.environ.get("AUTHGEN_ENDPOINT_URL"))


def cmd_validate(args: argparse.Namespace, out: Out) -> int:
    project = Project.find()
    results, failed = [], 0
    for path in _specs(project, args):
        try:
            loaded = _load(path)
        except SpecError as err:
            failed += 1
            for line in err.problems:
                out.err(line)
            results.append({"file": str(path), "ok": False, "problems": err.problems})
            continue
        results.append(
            {"file": str(path), "ok": True, "name": loaded.name, "provider": loaded.provider}
        )
        where = loaded.region or (loaded.auth0.domain if loaded.auth0 else "")
        out.line(
            f"ok  {display_name(path)}  ({loaded.provider}, gateway {loaded.gateway}, {where})"
        )
    out.emit({"command": "validate", "results": results})
    if failed and len(results) > 1:
        out.err(f"{failed} of {len(results)} environment files have problems")
    return 1 if failed else 0


def cmd_render(args: argparse.Namespace, out: Out) -> int:
    from generator import render

    project = Project.find()
    loaded = [_load(path) for path in _specs(project, args)]
    results = []
    for spec in loaded:
        directory = project.build_dir(spec.name)
        render.write_build(directory, render.render(spec))
        results.append({"name": spec.name, "build_dir": str(directory)})
        out.line(f"rendered {spec.name} -> {os.path.relpath(directory)}/")
    out.emit({"command": "render", "results": results})
    return 0


def cmd_changed(args: argparse.Namespace, out: Out) -> int:
    from generator.changed import affected, changed_files

    project = Project.find()
    impact = affected(project, changed_files(project.root, args.base))
    for env in impact.environments:
        out.line(env)
    for env in impact.removed:
        out.err(f"note: environments/{env}.yaml was removed; its resources stay until destroyed")
    out.emit(
        {
            "command": "changed",
            "base": args.base,
            "environments": impact.environments,
            "removed": impact.removed,
            "reasons": impact.reasons,
        }
    )
    return 0


def cmd_schema(args: argparse.Namespace, out: Out) -> int:
    from generator import spec

    print(json.dumps(spec.json_schema(), indent=2, sort_keys=False))
    return 0


# --------------------------------------------------------------------------
# Parser


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    common.add_argument("--no-color", action="store_true", help="no colours (also NO_COLOR=1)")
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")

    parser = argparse.ArgumentParser(
        prog="authgen",
        description="Declarative inbound OAuth (Cognito or Auth0) for AgentCore Gateway.",
    )
    parser.add_argument("--version", action="version", version=f"authgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help_text: str, envs: str = "one") -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func)
        if envs == "many":
            p.add_argument("env", nargs="*", metavar="ENV", help="environment name or spec path")
            p.add_argument("--all", action="store_true", help="every environments/*.yaml")
        return p

    command("validate", cmd_validate, "load and check environment specs; writes nothing", "many")
    command("render", cmd_render, "write the Terraform root module to build/ENV/", "many")
    changed = command("changed", cmd_changed, "list the environments a git change affects")
    changed.add_argument("--base", default="origin/main", help="git ref to compare with")
    command("schema", cmd_schema, "print the JSON Schema of the environment spec")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(message)s",
    )
    out = Out(args)
    try:
        return args.func(args, out)
    except SpecError as err:
        for line in err.problems:
            out.err(line)
        return err.exit_code
    except AuthgenError as err:
        out.err(f"error: {err}")
        return err.exit_code
    except KeyboardInterrupt:
        out.err("interrupted")
        return 130
