"""No orphans: objects of an environment that exist in Cognito but not in its
state are found, named and (on request) deleted; a run that was killed is
reported by the next one.

End to end (real CLI, real terraform and hashicorp/aws, moto through
tests/support/moto_plus.py, boto3 against the same endpoint):

* an app client created in the environment's pool behind terraform's back,
  and a pool tagged for the environment, are listed by ``authgen leftovers``,
  deleted by ``--delete`` (after a confirmation), and a second run finds
  none; pools of other environments and untagged pools are left alone;
* ``kill -9`` of authgen (and of its terraform) while an app client is being
  created (moto's CreateUserPoolClient slowed down so the signal lands):
  the next apply says the earlier run did not finish and names what was left
  over; ``leftovers --delete`` removes it; afterwards the pool holds exactly
  the spec's client.

The unfinished-run record (``generator.unfinished``) is tested first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from generator.errors import Interrupted, TerraformError
from generator.unfinished import RECORD_NAME, Record, Run
from tests.support.cli import (
    Checkout,
    Result,
    alive,
    apply_until_creating,
    cli_env,
    error_line,
    make_project,
    plain_local_spec,
    process_tree,
)

# --------------------------------------------------------------------------
# generator.unfinished


def test_a_finished_or_failed_run_leaves_no_record(tmp_path):
    record = Record(tmp_path)
    with record.running("authgen apply x") as run:
        assert record.runs() == [run]
        assert run.alive()
        assert record.unfinished() == []  # our own run is under way
    assert not (tmp_path / RECORD_NAME).exists()
    with pytest.raises(TerraformError), record.running("authgen apply x"):
        raise TerraformError("terraform apply failed")
    assert not (tmp_path / RECORD_NAME).exists()


def test_an_interrupted_run_stays_recorded(tmp_path):
    record = Record(tmp_path)
    with pytest.raises(Interrupted), record.running("authgen apply x"):
        raise Interrupted("interrupted (SIGINT)")
    (run,) = record.runs()
    assert run.command == "authgen apply x"


def test_a_run_whose_process_is_gone_is_unfinished(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = Run("authgen apply x", dead.pid, os.uname().nodename, "2026-01-01T00:00:00Z")
    (tmp_path / RECORD_NAME).write_text(json.dumps({"runs": [gone.__dict__]}))
    record = Record(tmp_path)
    assert record.unfinished() == [gone]
    record.clear([gone])
    assert not (tmp_path / RECORD_NAME).exists()


def test_an_unreadable_record_counts_as_empty(tmp_path):
    (tmp_path / RECORD_NAME).write_text("{not json")
    assert Record(tmp_path).runs() == []


# --------------------------------------------------------------------------
# leftovers made behind terraform's back

NAME = "orphans"
POOL = f"gateway-user-pool-{NAME}"


def _cognito(emulator):
    import boto3

    return boto3.client("cognito-idp", region_name="us-west-2", endpoint_url=emulator.url)


def _pools(cognito) -> dict[str, str]:
    return {p["Id"]: p["Name"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}


def _clients(cognito, pool_id: str) -> list[str]:
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    return sorted(c["ClientId"] for c in listed["UserPoolClients"])


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, tf_cli_config, emulator) -> Checkout:
    root = make_project(
        tmp_path_factory.mktemp("leftovers") / "project", {NAME: plain_local_spec(NAME)}
    )
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=emulator.url)
    return Checkout(root, env, NAME)


@pytest.fixture(scope="module")
def strays(checkout, emulator) -> dict[str, str]:
    """Apply, then make objects behind terraform's back: a client in the
    environment's pool, a pool tagged for it, and pools it must not touch."""
    result = checkout.apply("--auto-approve")
    assert result.code == 0, result
    cognito = _cognito(emulator)
    (pool_id,) = [i for i, n in _pools(cognito).items() if n == POOL]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="gateway-client", GenerateSecret=True
    )["UserPoolClient"]
    tagged = {"ManagedBy": "authgen", "AuthgenEnvironment": NAME, "AuthgenGateway": "my-gateway"}
    stray_pool = cognito.create_user_pool(PoolName=POOL, UserPoolTags=tagged)["UserPool"]["Id"]
    elsewhere = {**tagged, "AuthgenEnvironment": "someone-else"}
    other = cognito.create_user_pool(PoolName="other-env", UserPoolTags=elsewhere)["UserPool"]["Id"]
    untagged = cognito.create_user_pool(PoolName=POOL + "-untagged")["UserPool"]["Id"]
    return {
        "pool": pool_id,
        "client": client["ClientId"],
        "secret": client["ClientSecret"],
        "stray_pool": stray_pool,
        "other": other,
        "untagged": untagged,
    }


@pytest.fixture(scope="module")
def listed(checkout, strays) -> tuple[Result, Result]:
    """``leftovers`` before anything is deleted: the text and the JSON runs."""
    return (
        checkout("leftovers", NAME, "--detailed-exitcode"),
        checkout("leftovers", NAME, "--json"),
    )


@pytest.fixture(scope="module")
def deleted(checkout, strays, listed, emulator) -> dict:
    """``leftovers --delete`` without a terminal (refused), then with --yes;
    what Cognito held after each."""
    cognito = _cognito(emulator)
    refused = checkout("leftovers", NAME, "--delete")
    after_refusal = _clients(cognito, strays["pool"])
    result = checkout("leftovers", NAME, "--delete", "--yes")
    return {
        "refused": refused,
        "clients_after_refusal": after_refusal,
        "result": result,
        "clients": _clients(cognito, strays["pool"]),
        "pools": _pools(cognito),
        "second": checkout("leftovers", NAME, "--detailed-exitcode", "--json"),
    }


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_leftovers_names_what_the_state_does_not_hold(checkout, strays, listed):
    result, as_json = listed
    assert result.code == 2, result
    lines = [line for line in result.stdout.splitlines() if line.startswith("leftover: ")]
    assert sorted(lines) == sorted(
        [
            f"leftover: app client 'gateway-client' ({strays['client']}) in user pool "
            f"{strays['pool']}: in the environment's user pool but not in its state (it has a "
            "live secret)",
            f"leftover: user pool '{POOL}' ({strays['stray_pool']}) in us-west-2 at "
            f"{checkout.env['AUTHGEN_ENDPOINT_URL']}: tagged for environment '{NAME}' of gateway "
            "'my-gateway' but not the pool in its state",
        ]
    )
    assert f"delete them with 'authgen leftovers {NAME} --delete'" in result.stderr
    assert strays["secret"] not in result.stdout + result.stderr

    doc = as_json.json()
    assert sorted(item["id"] for item in doc["leftovers"]) == sorted(
        [strays["client"], strays["stray_pool"]]
    )
    assert doc["deleted"] == []


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_delete_asks_first_then_deletes_exactly_the_leftovers(checkout, strays, deleted):
    refused = deleted["refused"]
    assert refused.code == 1, refused
    assert error_line(refused) == (
        f"error: leftovers {NAME} --delete needs a confirmation and stdin is not a terminal; "
        "pass --auto-approve to proceed"
    )
    assert strays["client"] in deleted["clients_after_refusal"]

    result = deleted["result"]
    assert result.code == 0, result
    assert f"deleted app client {strays['client']}" in result.stdout
    assert f"deleted user pool {strays['stray_pool']}" in result.stdout
    assert f"no leftovers: every object of {NAME} found is in its state" in result.stdout
    state_client = json.loads(checkout.authorizer.read_text())["customJWTAuthorizer"][
        "allowedClients"
    ]
    assert deleted["clients"] == state_client
    pools = deleted["pools"]
    assert strays["stray_pool"] not in pools
    assert strays["other"] in pools and strays["untagged"] in pools


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_a_second_run_finds_none(deleted):
    result = deleted["second"]
    assert result.code == 0, result
    assert result.json()["leftovers"] == []


# --------------------------------------------------------------------------
# kill -9 in the middle of a create

KILLED = "killed"
CREATE_SECONDS = 4


@pytest.fixture(scope="module")
def slow_emulator(moto_plus):
    return moto_plus(f"CreateUserPoolClient={CREATE_SECONDS}")


@pytest.fixture(scope="module")
def killed(tmp_path_factory, tf_cli_config, slow_emulator) -> Checkout:
    root = make_project(
        tmp_path_factory.mktemp("killed") / "project", {KILLED: plain_local_spec(KILLED)}
    )
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=slow_emulator.url)
    return Checkout(root, env, KILLED)


def _received(emulator, operation: str, timeout: float) -> bool:
    """moto_plus logged that ``operation`` came in (it is answering it slowly)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f"moto_plus: {operation} received" in emulator.log_path.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def _kill_mid_create(checkout: Checkout, emulator) -> list[int]:
    """Start ``apply``, SIGKILL authgen and everything it started once moto
    is in the middle of creating the app client; the killed pids."""
    planned = checkout("plan", KILLED)
    assert planned.code == 0, planned
    with apply_until_creating(
        checkout.root, KILLED, checkout.env, "aws_cognito_user_pool_client.this", timeout=300
    ) as applying:
        assert _received(emulator, "CreateUserPoolClient", timeout=60), applying.stderr
        # terraform runs in its own process group and would outlive authgen;
        # kill it too (the harshest case: it cannot save what is in flight)
        victims = [applying.proc.pid, *process_tree(applying.proc.pid)]
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
    return victims


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_after_kill_9_the_next_run_names_the_leftover_and_delete_cleans_up(killed, slow_emulator):
    import time

    cognito = _cognito(slow_emulator)
    victims = _kill_mid_create(killed, slow_emulator)
    deadline = time.monotonic() + 60  # SIGKILL is delivered asynchronously
    while any(alive(pid) for pid in victims) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in victims)
    assert (killed.build / RECORD_NAME).is_file()
    # moto completes the create it was asked for (as Cognito does)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pools = _pools(cognito)
        if pools and all(_clients(cognito, p) for p in pools):
            break
        time.sleep(0.5)
    made = {p: _clients(cognito, p) for p in _pools(cognito)}
    assert made and all(made.values()), made

    rerun = killed.apply("--auto-approve")
    assert "Traceback" not in rerun.stderr
    assert f"warning: the earlier run 'authgen apply {KILLED}' (pid {victims[0]}" in rerun.stderr
    assert "did not finish (killed or crashed)" in rerun.stderr
    named = [line for line in rerun.stderr.splitlines() if line.startswith("  leftover: ")]
    assert named, rerun
    orphan_ids = {i for ids in made.values() for i in ids} | set(made)
    assert all(any(i in line for i in orphan_ids) for line in named), named
    assert f"delete them with 'authgen leftovers {KILLED} --delete'" in rerun.stderr

    cleaned = killed("leftovers", KILLED, "--delete", "--yes")
    assert cleaned.code == 0, cleaned
    assert "no leftovers" in cleaned.stdout
    if rerun.code != 0:  # the rerun could not complete next to the leftovers: now it can
        again = killed.apply("--auto-approve")
        assert again.code == 0, again

    doc = json.loads(killed.authorizer.read_text())["customJWTAuthorizer"]
    pools = _pools(cognito)
    assert list(pools.values()) == [f"gateway-user-pool-{KILLED}"]
    (pool_id,) = pools
    assert _clients(cognito, pool_id) == doc["allowedClients"]
    assert len(doc["allowedClients"]) == 1
    assert not (killed.build / RECORD_NAME).exists()
    final = killed("leftovers", KILLED, "--json")
    assert final.code == 0 and final.json()["leftovers"] == [], final
    assert "did not finish" not in final.stderr
