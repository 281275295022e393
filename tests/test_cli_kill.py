"""``kill -9`` of authgen in the middle of an apply, end to end.

Real CLI process, real terraform and hashicorp/aws, and a moto server started
through tests/support/moto_plus.py (stock moto plus the Cognito operations it
lacks) with CreateUserPoolClient slowed down (``--slow``), so that the kill
lands while terraform waits for the app client to be created: moto answers in
milliseconds otherwise. Those are the only departures from stock moto.

What must hold: terraform does not outlive authgen (the kernel interrupts it,
it stops and saves its state), the state is consistent with what moto holds,
and running apply again either converges to exactly the spec's clients or
says which object may have been left over outside the state.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.terraform import RECORD_NAME
from tests.support.cli import (
    alive,
    apply_until_creating,
    cli_env,
    local_spec,
    make_project,
    process_tree,
    run,
)

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]

NAME = "killed"
POOL_NAME = f"gateway-user-pool-{NAME}"
CLIENT = 'module.auth.aws_cognito_user_pool_client.this["gateway-client"]'
CLIENT_CREATE_SECONDS = 4


@pytest.fixture(scope="module")
def emulator(moto_plus):
    """This module's emulator, with CreateUserPoolClient slowed down."""
    return moto_plus(f"CreateUserPoolClient={CLIENT_CREATE_SECONDS}")


def _clients(cognito) -> set[str]:
    (pool,) = [
        p for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME
    ]
    listed = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)
    return {c["ClientId"] for c in listed["UserPoolClients"]}


def _state_clients(build: Path) -> set[str]:
    state = json.loads((build / "terraform.tfstate").read_text())
    return {
        instance["attributes"]["id"]
        for resource in state["resources"]
        if resource["type"] == "aws_cognito_user_pool_client"
        for instance in resource["instances"]
    }


def _recorded(build: Path) -> list[str]:
    """What the run record says is being created (nothing when there is none)."""
    try:
        return json.loads((build / RECORD_NAME).read_text())["creating"]
    except (OSError, ValueError):
        return []


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_kill_9_mid_apply_leaves_no_terraform_running_and_a_rerun_converges_or_says_so(
    tmp_path, tf_cli_config, emulator, terraform_bin
):
    import boto3

    cognito = boto3.client("cognito-idp", region_name="us-west-2", endpoint_url=emulator.url)
    project = make_project(tmp_path / "project", {NAME: local_spec(NAME)})
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    build = project / "build" / NAME
    planned = run(project, "plan", NAME, env=env)
    assert planned.code == 0, planned
    with apply_until_creating(project, NAME, env, CLIENT, timeout=180) as applying:
        proc = applying.proc
        # authgen has recorded the creation it saw start (it reads a few times a second)
        deadline = time.monotonic() + 10
        while CLIENT not in _recorded(build):
            assert time.monotonic() < deadline, applying.stderr
            time.sleep(0.05)
        descendants = process_tree(proc.pid)
        terraform = [pid for pid in descendants if _command(pid) == "terraform"]
        assert len(terraform) == 1, [(p, _command(p)) for p in descendants]
        proc.kill()  # SIGKILL: authgen gets no chance to pass anything on
        proc.wait(timeout=30)

    # terraform (and the provider it ran) stop on their own, soon: well within
    # the time the slowed client creation and a graceful stop take.
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in descendants) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in descendants if alive(pid)] == [], "terraform outlived authgen"

    # The state terraform saved is readable, unlocked, and names only what exists.
    assert not (build / ".terraform.tfstate.lock.info").exists()
    listed = subprocess.run(
        [terraform_bin, "state", "list"], cwd=build, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert "module.auth.aws_cognito_user_pool.this" in listed.stdout.split()
    in_state = _state_clients(build)
    assert in_state <= _clients(cognito)
    assert not (project / "authorizers" / f"{NAME}.json").exists()

    # The killed apply's saved plan is stale now (it was made with no state): refused.
    refused = run(project, "apply", NAME, "--auto-approve", env=env)
    assert refused.code == 1, refused
    assert f"the saved plan build/{NAME}/tfplan is stale: a state was written since" in (
        refused.stderr
    )
    # Plan and apply again: it completes, and says an earlier run did not finish.
    replanned = run(project, "plan", NAME, env=env)
    assert replanned.code == 0, replanned
    again = run(project, "apply", NAME, "--auto-approve", env=env)
    assert again.code == 0, again
    assert "Traceback" not in replanned.stderr + again.stderr
    notes = [
        line for line in replanned.stderr.splitlines() if "An earlier run did not finish" in line
    ]
    assert len(notes) == 1, replanned
    assert f"authgen (pid {proc.pid}) was stopped during terraform apply" in notes[0]
    # (it may list the domain too, when the kill landed before authgen read
    # that its creation completed; the note says whatever is not in the state)
    creating = notes[0].split("it was creating ", 1)[1].split(": whatever of that", 1)[0]
    assert CLIENT in creating.split(", ")
    assert not (build / RECORD_NAME).exists()

    doc = json.loads((project / "authorizers" / f"{NAME}.json").read_text())
    allowed = set(doc["customJWTAuthorizer"]["allowedClients"])
    assert allowed == _state_clients(build)
    assert len(allowed) == 1  # the spec has one client
    in_moto = _clients(cognito)
    # Converged to exactly the spec's client, or the one left over is the
    # client whose creation the kill cut short, and the note above named it.
    assert allowed <= in_moto
    assert len(in_moto - allowed) <= 1, in_moto
