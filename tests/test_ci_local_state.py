"""Pipelines never run on state they will lose (issue 14): with ``CI`` set,
``plan`` and ``apply`` refuse an environment whose state is local, in one
line, before anything runs; ``--allow-local-state`` overrides it; ``validate``
warns. ``authgen`` runs as a real process against a real moto server; the
suite itself runs with ``CI`` unset (tests/conftest.py), so each test sets it.
(An S3-state environment planned and applied with ``CI=true`` is in
tests/test_state_s3.py.)
"""

from __future__ import annotations

import pytest

from generator.state.ci import in_ci
from tests.support.cli import cli_env, error_line, local_spec, make_project, run


def pools(server) -> list[str]:
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=server.url,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return [p["Name"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("false", False),
        ("0", False),
        ("No", False),
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
    ],
)
def test_ci_is_any_value_but_empty_or_false(value, expected):
    assert in_ci({} if value is None else {"CI": value}) is expected


def test_validate_in_ci_warns_about_local_state(tmp_path):
    project = make_project(tmp_path / "p", ["dev", "prod"])
    result = run(project, "validate", "--all", env=cli_env(CI="true"))
    assert result.code == 0, result
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result  # dev (local state); prod keeps its state in S3
    assert warnings[0].startswith("warning: environments/dev.yaml: state.backend: local state")
    assert "lost with the runner" in warnings[0]
    assert "'authgen state bootstrap dev'" in warnings[0]
    quiet = run(project, "validate", "--all", env=cli_env(CI="false"))
    assert quiet.code == 0 and "warning:" not in quiet.stderr


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_plan_and_apply_in_ci_refuse_local_state_and_create_nothing(tmp_path, fresh_moto, tf_env):
    project = make_project(tmp_path / "p", {"ephemeral": local_spec("ephemeral")})
    env = cli_env(AUTHGEN_ENDPOINT_URL=fresh_moto.url, CI="true")
    for args in (("plan", "ephemeral"), ("apply", "ephemeral", "--auto-approve")):
        result = run(project, *args, env=env)
        assert result.code == 1, result
        line = error_line(result)
        assert line.startswith(
            "error: environments/ephemeral.yaml: state.backend: local state in CI"
        )
        assert "lost with the runner when the job ends" in line
        assert "state: {backend: s3, bucket: ...}" in line
        assert "'authgen state bootstrap ephemeral'" in line and "--allow-local-state" in line
        assert result.stdout == ""
    assert pools(fresh_moto) == []
    assert not (project / "build" / "ephemeral").exists()  # refused before rendering

    # plan, then apply the saved plan (apply --auto-approve never plans)
    planned = run(project, "plan", "ephemeral", "--allow-local-state", env=env)
    assert planned.code == 0, planned
    allowed = run(project, "apply", "ephemeral", "--auto-approve", "--allow-local-state", env=env)
    assert allowed.code == 0, allowed
    assert pools(fresh_moto) == ["gateway-user-pool-ephemeral"]
    assert (project / "authorizers" / "ephemeral.json").is_file()


def test_plan_all_in_ci_refuses_each_local_state_environment(tmp_path):
    project = make_project(tmp_path / "p", ["dev", "staging"])
    result = run(project, "plan", "--all", "--json", env=cli_env(CI="true"))
    assert result.code == 1, result
    errors = {e["name"]: e["error"] for e in result.json()["environments"]}
    assert set(errors) == {"dev", "staging"}
    for name, error in errors.items():
        assert f"environments/{name}.yaml: state.backend: local state in CI" in error
    assert not (project / "build").exists()
