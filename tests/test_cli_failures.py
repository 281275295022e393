"""authgen's failures end to end, the ones that need no emulator: each exits 1
with one clear line on stderr, never a traceback, and leaves nothing
half-written. (A dead endpoint, a failed destroy and SIGINT are in
test_cli_terraform.py and test_cli_destroy_interrupt.py: they need an apply.)
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.run_lock import RunLock, lock_path
from generator.terraform import CACHE_LOCK_NAME
from tests.support.cli import (
    cli_env,
    error_line,
    flock_waiters,
    local_spec,
    make_project,
    run,
    wait_for,
)

BAD_SPEC = """\
name: broken
provider: cognito
gateway: my-gateway
region: us-west-2
cognito:
  user_pool_name: gateway-user-pool
  resource_server:
    identifier: gateway-resource-server
    name: GatewayResourceServer
    scopes:
      - {name: read, description: Read access}
  clients:
    - name: gateway-client
      scopes: [read, admin]
"""


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project", {"local": local_spec("local"), "broken": BAD_SPEC})


def _written(project: Path) -> list[str]:
    """Everything under the project except what make_project put there."""
    return sorted(
        str(p.relative_to(project))
        for p in project.rglob("*")
        if p.is_file() and p.parent.name != "environments" and "modules" not in p.parts
    )


@pytest.mark.terraform
def test_terraform_missing_is_one_line(project, tmp_path, terraform_bin):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = cli_env(PATH=str(empty), AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9")
    for command in (["plan", "local"], ["destroy", "local", "--auto-approve"]):
        result = run(project, *command, env=env)
        assert result.code == 1, result
        assert result.stderr == (
            "error: terraform is not on PATH: install Terraform "
            "(https://developer.hashicorp.com/terraform/install) and put it on PATH\n"
        )
        assert result.stdout == ""
    assert not (project / "authorizers").exists()
    assert not (project / "environments" / "locks").exists()


def test_a_fake_old_terraform_is_refused_not_taken_for_no_changes(project, tmp_path):
    """A ``terraform`` on PATH that prints "Terraform v0.12.0" (a stand-in for
    an old or fake binary, on purpose) must not make a drift check pass."""
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    fake = fake_bin / "terraform"
    fake.write_text('#!/bin/sh\necho "Terraform v0.12.0"\n')
    fake.chmod(0o755)
    env = cli_env(
        PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9",
    )
    result = run(project, "plan", "local", "--detailed-exitcode", env=env)
    assert result.code == 1, result
    line = error_line(result)
    assert line == (
        f"error: {fake} is not Terraform >= 1.9.0: 'terraform version -json' printed "
        "'Terraform v0.12.0' (exit code 0), not Terraform's version JSON; install Terraform "
        "(https://developer.hashicorp.com/terraform/install) and put it on PATH"
    )
    assert result.stdout == ""
    assert not (project / "build" / "local" / "tfplan").exists()
    assert not (project / "build" / "local" / "plan.json").exists()


@pytest.mark.terraform
def test_unreachable_registry_names_the_provider_and_the_way_out(project, tmp_path, terraform_bin):
    # No mirror in the CLI config, an empty provider cache, and a refusing
    # proxy: the registry cannot be reached, with or without internet.
    empty_rc = tmp_path / "empty.tfrc"
    empty_rc.write_text("")
    env = cli_env(
        TF_CLI_CONFIG_FILE=str(empty_rc),
        TF_PLUGIN_CACHE_DIR=str(tmp_path / "cache"),
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY=None,
        no_proxy=None,
        AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9",
    )
    result = run(project, "plan", "local", env=env)
    assert result.code == 1, result
    line = error_line(result)
    assert line.startswith("error: terraform init: cannot install provider hashicorp/aws: ")
    assert "TF_PLUGIN_DIR" in line and "--plugin-dir" in line
    assert not (project / "build" / "local" / "tfplan").exists()
    assert not (project / "environments" / "locks").exists()


def test_a_second_run_on_the_same_environment_fails_fast_naming_the_holder(project):
    env = cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9")
    holder = RunLock(lock_path(project / "build" / "local"), command="authgen apply local")
    with holder:
        # Each run returns while the lock is still held: a run that waited for
        # it would never return (run's timeout would end the test).
        results = [
            run(project, "apply", "local", "--auto-approve", env=env, timeout=120),
            run(project, "plan", "local", env=env, timeout=120),
            run(project, "destroy", "local", "--auto-approve", env=env, timeout=120),
        ]
        assert holder.held
    for result in results:
        assert result.code == 1, result
        line = error_line(result)
        assert f"is held by authgen apply local (pid {os.getpid()} on " in line
        assert "wait for that run to finish" in line
    # nothing rendered while the other run holds the environment
    assert _written(project) == ["build/local/.authgen.lock"]


def test_bad_spec_exits_1_naming_file_and_key_and_writes_nothing(project):
    env = cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9")
    for command in (
        ["validate", "broken"],
        ["render", "broken"],
        ["plan", "broken"],
        ["apply", "broken", "--auto-approve"],
        ["destroy", "broken", "--auto-approve"],
        ["plan", "local", "broken"],  # one bad spec stops the whole run before terraform
    ):
        result = run(project, *command, env=env)
        assert result.code == 1, result
        assert "Traceback" not in result.stderr
        assert (
            "environments/broken.yaml:14:22: cognito.clients[0].scopes[1]: "
            in result.stderr.splitlines()[0]
        ), result
        assert "admin" in result.stderr
    assert not (project / "build").exists()
    assert _written(project) == []


def test_unknown_environment_is_one_line(project):
    result = run(project, "plan", "nosuch", env=cli_env())
    assert result.code == 1, result
    assert result.stderr == "environments/nosuch.yaml: no such file\n"
    assert not (project / "build").exists()


def test_destroy_without_a_terminal_or_auto_approve_is_refused_before_anything(project):
    result = run(
        project, "destroy", "local", env=cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9")
    )
    assert result.code == 1, result
    assert error_line(result) == (
        "error: destroy local needs a confirmation and stdin is not a terminal; "
        "pass --auto-approve to proceed"
    )
    assert not (project / "build").exists()


def test_plan_all_with_only_emulated_environments_and_no_endpoint(project):
    (project / "environments" / "broken.yaml").unlink()
    result = run(project, "plan", "--all", env=cli_env(AUTHGEN_ENDPOINT_URL=None))
    assert result.code == 1, result
    assert error_line(result) == (
        "error: environments: every environment targets a local emulator (endpoint_url); "
        "set AUTHGEN_ENDPOINT_URL to where one runs, or name an environment"
    )
    assert not (project / "build").exists()


def test_token_before_any_apply_says_to_apply(project):
    result = run(project, "token", "local", env=cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9"))
    assert result.code == 1, result
    assert error_line(result) == (
        "error: local: not applied here (no build/local/); run 'authgen apply local' first, "
        "or pass --client-id and --token-endpoint with the secret in AUTHGEN_CLIENT_SECRET"
    )
    assert result.stdout == ""


@pytest.mark.terraform
def test_sigint_during_plan_all_starts_no_further_environment(tmp_path, terraform_bin):
    """--jobs 1 over three environments; Ctrl-C while the first one runs: the
    other two never start, and the exit is 130."""
    project = make_project(tmp_path / "project", {n: local_spec(n) for n in ("a", "b", "c")})
    cache = tmp_path / "cache"
    cache.mkdir()
    empty_rc = tmp_path / "empty.tfrc"
    empty_rc.write_text("")
    env = cli_env(
        AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9",
        TF_PLUGIN_CACHE_DIR=str(cache),
        # once it may run, the first environment's init fails at once
        TF_CLI_CONFIG_FILE=str(empty_rc),
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY=None,
        no_proxy=None,
    )
    # Hold the plugin cache's init lock, so the first environment waits in
    # init (rendered, lock taken) until the test lets it go.
    holder = os.open(cache / CACHE_LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "plan", "--all", "--jobs", "1"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # the first environment is rendered and its init waits for the cache
        wait_for(
            lambda: flock_waiters(cache / CACHE_LOCK_NAME) == 1,
            "the first environment waiting for the plugin cache",
            proc=proc,
        )
        assert not (project / "build" / "b").exists()
        proc.send_signal(signal.SIGINT)
        # Not a measurement: a moment for the main thread to take the
        # interrupt (and cancel the queued environments) before the first
        # environment may go on; no state of the process shows that it has.
        time.sleep(0.5)
    finally:
        os.close(holder)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "interrupted"
    assert not (project / "build" / "b").exists()
    assert not (project / "build" / "c").exists()
