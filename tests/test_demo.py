"""``make demo`` end to end, in a copy of the project: start the emulator,
apply environments/local.yaml with the real AWS provider, write
authorizers/local.json, verify with a real token (claims included), stop the
emulator.

The demo finds the AWS provider itself (TF_CLI_CONFIG_FILE is unset for it,
so it looks for a filesystem mirror as it would on a newcomer's machine); the
test is skipped, with the reason, where no mirror exists (the registry cannot
be reached from the test machines).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import REPO, alive, cli_env, make_project

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]


def _demo_command(project: Path) -> list[str]:
    """``make demo`` from the repo's Makefile, run in the copy, with this
    interpreter's bin directory as the Makefile's BIN; else the module."""
    make = shutil.which("make")
    if make is None:
        return [sys.executable, "-m", "generator.demo"]
    return [
        make,
        "--no-print-directory",
        "-C",
        str(project),
        "-f",
        str(REPO / "Makefile"),
        "demo",
        f"BIN={Path(sys.executable).parent}",
    ]


def test_make_demo_applies_verifies_and_stops_the_emulator(tmp_path, aws_mirror):
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    project = make_project(tmp_path / "project", ["local"])
    # CI set, as on a runner: the demo's throwaway local state is allowed.
    env = cli_env(TF_CLI_CONFIG_FILE=None, TF_PLUGIN_DIR=None, AUTHGEN_ENDPOINT_URL=None, CI="true")
    proc = subprocess.run(
        _demo_command(project),
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    shown = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, shown
    assert "Traceback" not in proc.stderr

    assert f"demo: hashicorp/aws comes from the filesystem mirror {aws_mirror}" in proc.stdout
    match = re.search(r"demo: Cognito emulator on (\S+), pid (\d+)", proc.stdout)
    assert match, shown
    url, pid = match[1], int(match[2])
    assert url.startswith("http://127.0.0.1:")

    # the authorizer file, pointing at the emulator it ran against
    authorizer = project / "authorizers" / "local.json"
    doc = json.loads(authorizer.read_text())
    inner = doc["customJWTAuthorizer"]
    assert inner["discoveryUrl"].startswith(f"{url}/us-west-2_")
    assert inner["discoveryUrl"].endswith("/.well-known/openid-configuration")
    assert len(inner["allowedClients"]) == 1
    assert inner["allowedScopes"] == ["gateway-resource-server/read"]
    assert [c["inboundTokenClaimName"] for c in inner["customClaims"]] == ["department", "groups"]
    # verify ran with a real token from the emulator: every row passed, none skipped,
    # the claims the pool's trigger put into the token included
    assert re.search(r"\b\d+ passed, 0 failed, 0 skipped\b", proc.stdout), shown
    assert "SKIP" not in proc.stdout and "FAIL" not in proc.stdout
    assert "department equals 'engineering'" in proc.stdout
    assert "groups contains 'admins'" in proc.stdout
    assert "claims in gateway-client's tokens (pre token generation trigger): " in proc.stdout
    # the closing report
    assert "demo: done. Made on the emulator:" in proc.stdout
    assert f"app client ids (client_credentials, with a secret): {inner['allowedClients'][0]}" in (
        proc.stdout
    )
    assert "authorizer file: authorizers/local.json" in proc.stdout
    # the emulator was stopped, and waited for: no moto process is left
    assert proc.stdout.rstrip().endswith("demo: emulator stopped")
    assert not alive(pid)
    # everything it wrote is in the copy
    assert (project / "environments" / "locks" / "local.terraform.lock.hcl").is_file()
    assert (project / "build" / "local" / "terraform.tfstate").is_file()
