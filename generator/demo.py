"""``make demo``: the whole pipeline on this machine, no cloud account needed.

Starts the local Cognito emulator (``authgen emulator``: moto plus Cognito's
token endpoint) on a free loopback port, plans and applies (the saved plan)
``environments/local.yaml`` against it with the real AWS provider (from the
registry, the plugin cache, or a filesystem mirror found on disk), writes
``authorizers/local.json``, runs ``authgen verify`` (a real token from the
emulator, with the claims the pool's pre token generation trigger adds,
checked against the authorizer's scopes and claims: every row passes), stops
the emulator and says what was made.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from generator import cli, plugins
from generator.emulator import start_emulator
from generator.errors import AuthgenError
from generator.project import Project

ENV = "local"

#: moto cannot issue client_credentials tokens: discovery-only checks, said out loud.
VERIFY_FLAGS = ("--wait", "5")


def _provider_source(project: Project) -> str:
    """Make sure terraform can install hashicorp/aws; say from where."""
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if configured and Path(configured).is_file():
        return f"the CLI configuration {configured}"
    if os.environ.get("TF_PLUGIN_DIR"):
        return f"the mirror {os.environ['TF_PLUGIN_DIR']} (TF_PLUGIN_DIR)"
    mirror = plugins.find_mirror("hashicorp/aws")
    if mirror is None:
        os.environ.pop("TF_CLI_CONFIG_FILE", None)  # a missing file only makes terraform warn
        return "the Terraform registry (or the plugin cache)"
    config = project.build_dir(ENV).parent / ".demo.tfrc"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(plugins.cli_config(mirror))
    os.environ["TF_CLI_CONFIG_FILE"] = str(config)
    return f"the filesystem mirror {mirror}"


def _forget_old_emulator_state(project: Project) -> None:
    """Each demo starts a fresh emulator, so state from the last one is void."""
    build = project.build_dir(ENV)
    for name in (
        "terraform.tfstate",
        "terraform.tfstate.backup",
        "tfplan",
        "tfplan.fingerprint.json",
        "tfplan.basis.json",
    ):
        (build / name).unlink(missing_ok=True)


def _report(project: Project, spec_file: Path) -> None:
    """Say what the apply made (from the spec and the authorizer file)."""
    from generator import providers
    from generator import spec as specs

    spec = specs.load(spec_file)
    file = project.resolve_inside(spec.authorizer.output)
    relative = file.relative_to(project.root)
    inner = json.loads(file.read_text())["customJWTAuthorizer"]
    made = providers.get(spec.provider).made(spec, inner)
    lines = [
        "",
        "demo: done. Made on the emulator:",
        *(f"  {line}" for line in made),
        f"  authorizer file: {relative}",
        "  use it with: aws bedrock-agentcore-control create-gateway ... "
        f"--authorizer-type CUSTOM_JWT --authorizer-configuration file://{relative}",
        "  (it points at the emulator; for a real account: make plan ENV=dev)",
    ]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    """``make demo``: emulator up, apply and verify ``local``, emulator down; the exit code."""
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.splitlines()[0])
    parser.add_argument("--keep-running", action="store_true", help="leave the emulator running")
    args = parser.parse_args(argv)
    project = Project.find()
    spec_file = project.spec_path(ENV)
    if not spec_file.is_file():
        print(f"error: {spec_file} is missing; the demo applies it", file=sys.stderr)
        return 1
    try:
        source = _provider_source(project)
        print(f"demo: hashicorp/aws comes from {source}", flush=True)
        server = start_emulator(log_path=project.root / "build" / "demo-emulator.log")
    except AuthgenError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"demo: Cognito emulator on {server.url}, pid {server.pid}", flush=True)
    os.environ["AUTHGEN_ENDPOINT_URL"] = server.url
    try:
        _forget_old_emulator_state(project)
        # The emulator and the state both end with the demo: local state is
        # right here, also in CI (where plan/apply refuse it by default).
        for command in (
            ["plan", ENV, "--allow-local-state"],
            ["apply", ENV, "--auto-approve", "--allow-local-state"],
        ):
            code = cli.main(command)
            if code != 0:
                return code
        print(flush=True)
        code = cli.main(["verify", ENV, *VERIFY_FLAGS])
        _report(project, spec_file)
        return code
    finally:
        if args.keep_running:
            print(f"demo: the emulator keeps running: kill {server.pid}", flush=True)
        else:
            server.stop()
            print("demo: emulator stopped", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
