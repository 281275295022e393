"""``authgen plan --all`` end to end: several Cognito environments planned in
parallel against a moto server with the real AWS provider, one summary table;
one environment failing does not stop the others, and the exit is 1.

The failing environment is realistic: its committed lock file pins a provider
version the mirror does not hold (a teammate bumped it), so its terraform init
fails while the others plan.
"""

from __future__ import annotations

import json

import pytest

from tests.support.cli import cli_env, local_spec, make_project, run

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]

PINNED_ELSEWHERE = """\
# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.99.0"
  constraints = ">= 5.83.0, < 7.0.0"
  hashes = [
    "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  ]
}
"""


def test_plan_all_plans_in_parallel_and_one_failure_does_not_stop_the_others(
    tmp_path, tf_cli_config, moto_server
):
    project = make_project(
        tmp_path / "project",
        {name: local_spec(name) for name in ("alpha", "beta", "gamma")},
    )
    locks = project / "environments" / "locks"
    locks.mkdir()
    (locks / "gamma.terraform.lock.hcl").write_text(PINNED_ELSEWHERE)
    env = cli_env(
        TF_CLI_CONFIG_FILE=str(tf_cli_config),
        AUTHGEN_ENDPOINT_URL=moto_server.url,
        # An empty provider cache, as on a fresh CI runner: the parallel inits
        # must take turns filling it (terraform's cache is not safe otherwise).
        TF_PLUGIN_CACHE_DIR=str(tmp_path / "plugin-cache"),
    )

    result = run(project, "plan", "--all", "--detailed-exitcode", "--jobs", "3", env=env)

    assert result.code == 1, result  # an error outranks "changes present" (2)
    assert "Traceback" not in result.stderr
    # one table, one row per environment, in name order
    assert result.stdout.count("authgen plan: all environments") == 1
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ ")]
    names = [row.split("│")[1].strip() for row in rows if row.split("│")[1].strip()]
    assert names == ["alpha", "beta", "gamma"], result
    row = {row.split("│")[1].strip(): row for row in rows if row.split("│")[1].strip()}
    assert "Plan: 9 to create" in row["alpha"] and "Plan: 9 to create" in row["beta"]
    assert "error:" in row["gamma"]
    # the failing one is named, once, on stderr, with terraform's reason
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result
    assert errors[0].startswith("gamma: error: terraform init")
    assert "5.99.0" in errors[0]
    # the others planned fully: saved plans and summaries
    for name in ("alpha", "beta"):
        build = project / "build" / name
        assert (build / "tfplan").is_file()
        assert json.loads((build / "plan.json").read_text())["counts"]["create"] == 9
        assert (locks / f"{name}.terraform.lock.hcl").is_file()
    assert not (project / "build" / "gamma" / "tfplan").exists()
    assert (locks / "gamma.terraform.lock.hcl").read_text() == PINNED_ELSEWHERE
    # in parallel: both environments started before either finished planning
    lines = result.stderr.splitlines()
    first_plan = next(i for i, line in enumerate(lines) if "] Plan: " in line)
    started = {line.split("]")[0] + "]" for line in lines[:first_plan] if "Initializing" in line}
    assert {"[alpha]", "[beta]"} <= started, result


def test_upgrade_moves_a_pinned_lock_file_to_an_available_version(
    tmp_path, tf_cli_config, moto_server
):
    project = make_project(tmp_path / "project", {"gamma": local_spec("gamma")})
    locks = project / "environments" / "locks"
    locks.mkdir()
    (locks / "gamma.terraform.lock.hcl").write_text(PINNED_ELSEWHERE)
    env = cli_env(TF_CLI_CONFIG_FILE=str(tf_cli_config), AUTHGEN_ENDPOINT_URL=moto_server.url)
    pinned = run(project, "plan", "gamma", "--json", env=env)
    assert pinned.code == 1, pinned
    assert "5.99.0" in pinned.json()["error"]  # --json failures are a JSON document too
    upgraded = run(project, "plan", "gamma", "--upgrade", env=env)
    assert upgraded.code == 0, upgraded
    lock = (locks / "gamma.terraform.lock.hcl").read_text()
    assert "5.99.0" not in lock
    assert 'version     = "5.' in lock
