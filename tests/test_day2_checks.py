"""Day-2 checks that need no emulator: endpoint hygiene, ``extends:`` inside
the project, one owner per authorizer file, every OSError one line, and the
protection review on plan documents shaped like ``terraform show -json``.

The CLI checks run ``authgen`` as a real process in a temporary project;
each failure is one line, exit 1, nothing written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import protection, providers, rules
from generator.plan_summary import summarize
from tests.support.cli import cli_env, error_line, make_project, plain_local_spec, run

# --------------------------------------------------------------------------
# endpoint hygiene


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000",
        "http://127.8.9.10:4566/",
        "http://localhost:4566",
        "http://[::1]:5000",
        "https://cognito-idp.us-east-1.amazonaws.com",
        "https://emulator.internal.example.com:8443/base",
    ],
)
def test_endpoint_urls_that_are_accepted(url):
    assert rules.endpoint_url(url) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://10.0.0.1:1", "uses plain http off this machine"),
        ("http://emulator.example.com", "uses plain http off this machine"),
        ("http://169.254.169.254", "link-local or cloud metadata address"),
        ("https://169.254.169.254/latest", "link-local or cloud metadata address"),
        ("http://[fd00:ec2::254]", "link-local or cloud metadata address"),
        ("https://[fe80::1]:443", "link-local or cloud metadata address"),
        ("http://[::ffff:169.254.169.254]", "link-local or cloud metadata address"),
        ("https://metadata.google.internal", "link-local or cloud metadata address"),
        ("https://2852039166", "numeric shorthand"),
        ("http://127.1:5000", "numeric shorthand"),
        ("https://h.example.com/?x=1", "must not have a query or fragment"),
        ("https://h.example.com/#f", "must not have a query or fragment"),
        ("ftp://h.example.com", "must be http(s)://host[:port]"),
        ("127.0.0.1:5000", "must be http(s)://host[:port]"),
        ("http://127.0.0.1:99999", "not a valid URL"),
    ],
)
def test_endpoint_urls_that_are_refused(url, says):
    assert says in rules.endpoint_url(url)


def test_credentials_in_an_endpoint_are_refused_and_never_repeated():
    message = rules.endpoint_url("https://alice:hunter2-secret@cognito.example.com")
    assert message == (
        "endpoint URL 'https://***@cognito.example.com' carries credentials; remove them (AWS "
        "credentials come from the usual AWS chain)"
    )
    assert "hunter2" not in message and "alice" not in message


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project", {"local": plain_local_spec("local")})


def test_validate_refuses_a_bad_endpoint_url_in_the_file_at_its_line(project):
    spec = project / "environments" / "local.yaml"
    spec.write_text(
        spec.read_text().replace("http://127.0.0.1:5000", "http://169.254.169.254/latest")
    )
    result = run(project, "validate", "local", env=cli_env())
    assert result.code == 1, result
    assert result.stderr.strip() == (
        "environments/local.yaml:10:15: endpoint_url: endpoint URL "
        "'http://169.254.169.254/latest' points at a link-local or cloud metadata address; use "
        "the emulator's loopback address (e.g. http://127.0.0.1:5000) or an https URL"
    )


@pytest.mark.parametrize("command", [("validate", "local"), ("plan", "local"), ("token", "local")])
def test_a_bad_authgen_endpoint_url_is_refused_before_anything_connects(project, command):
    env = cli_env(AUTHGEN_ENDPOINT_URL="https://user:pw@10.0.0.1:1")
    result = run(project, *command, env=env)
    assert result.code == 1, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "AUTHGEN_ENDPOINT_URL: endpoint URL 'https://***@10.0.0.1:1' carries credentials; "
        "remove them (AWS credentials come from the usual AWS chain)"
    )
    assert "pw@" not in result.stderr
    assert not (project / "build").exists()


def test_the_variable_is_checked_for_auth0_specs_too(tmp_path):
    root = make_project(tmp_path / "p", ["staging"])
    result = run(root, "validate", "staging", env=cli_env(AUTHGEN_ENDPOINT_URL="http://10.1.1.1"))
    assert result.code == 1, result
    assert result.stderr.startswith("AUTHGEN_ENDPOINT_URL: endpoint URL 'http://10.1.1.1' uses")


# --------------------------------------------------------------------------
# extends: stays inside environments/


@pytest.mark.parametrize("extends", ["../shared/base.yaml", "ABSOLUTE", "linked.yaml"])
def test_extends_outside_the_environments_directory_is_refused(project, tmp_path, extends):
    outside = tmp_path / "shared" / "base.yaml"
    outside.parent.mkdir()
    outside.write_text(plain_local_spec("local").replace("name: local\n", ""))
    if extends == "ABSOLUTE":
        extends = str(outside)
    if extends == "linked.yaml":  # a symbolic link that resolves outside
        (project / "environments" / "linked.yaml").symlink_to(outside)
    (tmp_path / "project" / "shared").mkdir()
    shutil.copy(outside, tmp_path / "project" / "shared" / "base.yaml")
    spec = project / "environments" / "qa.yaml"
    spec.write_text(f"extends: {extends}\nname: qa\n")
    result = run(project, "validate", "qa", env=cli_env())
    assert result.code == 1, result
    assert (
        f"environments/qa.yaml:1:10: extends: {extends!r} is outside environments/; a base spec "
        "must live in the same directory as the environment files (or below it): move it there"
    ) in result.stderr.splitlines()


def test_extends_below_the_environments_directory_is_fine(project):
    base = project / "environments" / "bases" / "cognito.yaml"
    base.parent.mkdir()
    base.write_text(plain_local_spec("local").replace("name: local\n", ""))
    (project / "environments" / "qa.yaml").write_text("extends: bases/cognito.yaml\nname: qa\n")
    result = run(project, "validate", "qa", env=cli_env())
    assert result.code == 0, result


def test_changed_does_not_crash_on_an_extends_outside_the_project(tmp_path):
    from generator.changed import affected
    from generator.project import Project

    root = make_project(tmp_path / "repo", {"local": plain_local_spec("local")})
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("provider: cognito\n")
    (root / "environments" / "qa.yaml").write_text(f"extends: {outside}\nname: qa\n")
    impact = affected(Project(root), ["environments/qa.yaml"])
    assert impact.environments == ["qa"]


# --------------------------------------------------------------------------
# one owner per authorizer file


@pytest.fixture
def shared_file(tmp_path) -> Path:
    other = plain_local_spec(
        "other", **{"authorizer:\n": "authorizer:\n  output: authorizers/local.json\n"}
    )
    return make_project(tmp_path / "project", {"local": plain_local_spec("local"), "other": other})


def test_validate_all_refuses_two_environments_with_one_authorizer_file(shared_file):
    result = run(shared_file, "validate", "--all", env=cli_env())
    assert result.code == 1, result
    assert result.stderr.splitlines() == [
        # local's file is the derived default: the line is that of its authorizer section
        "environments/local.yaml:23:3: authorizer.output: authorizers/local.json is also the "
        "authorizer file of 'other' (environments/other.yaml); each environment needs its own "
        "file (set authorizer.output, default authorizers/<name>.json)",
        "environments/other.yaml:23:11: authorizer.output: authorizers/local.json is also the "
        "authorizer file of 'local' (environments/local.yaml); each environment needs its own "
        "file (set authorizer.output, default authorizers/<name>.json)",
        "2 of 2 environment files have problems",
    ]


def test_validate_of_one_environment_looks_at_the_others(shared_file):
    result = run(shared_file, "validate", "local", env=cli_env())
    assert result.code == 1, result
    assert "is also the authorizer file of 'other'" in result.stderr


@pytest.mark.parametrize(
    "command",
    [("apply", "other", "--auto-approve"), ("authorizer", "other"), ("destroy", "other")],
)
def test_commands_that_write_the_file_refuse_before_anything_runs(shared_file, command):
    (shared_file / "authorizers").mkdir()
    owned = shared_file / "authorizers" / "local.json"
    owned.write_text('{"customJWTAuthorizer": {}}\n')
    env = cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9")
    result = run(
        shared_file, *command, "--auto-approve" if command[0] == "destroy" else "-v", env=env
    )
    assert result.code == 1, result
    assert "is also the authorizer file of 'local'" in result.stderr
    assert owned.read_text() == '{"customJWTAuthorizer": {}}\n'
    assert not (shared_file / "build").exists()


# --------------------------------------------------------------------------
# every OSError is one line


def test_a_file_where_the_build_directory_belongs_is_one_line(project):
    (project / "build").write_text("not a directory\n")
    for command in (("render", "local"), ("plan", "local", "--json")):
        result = run(project, *command, env=cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9"))
        assert result.code == 1, result
        line = error_line(result)
        assert line.startswith("error: build/local: Not a directory; ")
        assert line.endswith("a parent of this path is a file, not a directory; move it away")
        if "--json" in command:
            doc = result.json()
            assert doc["error"] == line.removeprefix("error: ") and doc["exit_code"] == 1


@pytest.fixture
def immutable(project):
    """build/local/ made immutable with chattr +i: even root cannot create a
    file there (the suite runs as root, so chmod would not stop it)."""
    target = project / "build" / "local"
    target.mkdir(parents=True)
    if not shutil.which("chattr"):
        pytest.skip("chattr is not installed")
    made = subprocess.run(["chattr", "+i", str(target)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i does not work here: {made.stderr.strip()}")
    yield target
    subprocess.run(["chattr", "-i", str(target)], check=True)


def test_a_build_directory_nobody_may_write_is_one_line(project, immutable):
    for command in (("render", "local"), ("apply", "local", "--auto-approve", "--json")):
        result = run(project, *command, env=cli_env(AUTHGEN_ENDPOINT_URL="http://127.0.0.1:9"))
        assert result.code == 1, result
        line = error_line(result)
        assert line.startswith(("error: build/local: ", "error: build/local/")), line
        assert "Operation not permitted" in line
        if "--json" in command:
            assert result.json()["exit_code"] == 1
    assert os.listdir(immutable) == []


# --------------------------------------------------------------------------
# protection.review on plan documents


POOL = "module.auth.aws_cognito_user_pool.this"
CLIENT = 'module.auth.aws_cognito_user_pool_client.this["c"]'


def _change(address, kind, actions, *, before=None, after=None, reason=None, paths=None):
    change = {"actions": actions, "before": before, "after": after, "after_unknown": {}}
    if paths:
        change["replace_paths"] = paths
    rc = {"address": address, "type": kind, "mode": "managed", "change": change}
    if reason:
        rc["action_reason"] = reason
    return rc


def _plan(*changes):
    return {"resource_changes": list(changes)}


def _review(plan, **kwargs):
    kwargs.setdefault("protected", True)
    return protection.review(
        plan,
        summarize(plan, environment="prod"),
        providers.get("cognito"),
        environment="prod",
        **kwargs,
    )


RENAME = _change(
    POOL,
    "aws_cognito_user_pool",
    ["delete", "create"],
    before={"name": "old", "deletion_protection": "INACTIVE"},
    after={"name": "new", "deletion_protection": "INACTIVE"},
    reason="replace_because_cannot_update",
    paths=[["name"]],
)
REMOVED_CLIENT = _change(
    CLIENT,
    "aws_cognito_user_pool_client",
    ["delete"],
    before={"name": "c"},
    reason="delete_because_each_key",
)


def test_a_protected_rename_is_refused_with_the_attribute_and_the_way_out():
    review = _review(_plan(RENAME))
    assert review.refused and not review.needs_confirmation
    assert review.refusal() == (
        "prod is protected and this plan would delete or replace 1 live object: "
        f"{POOL} (user pool) would be replaced: name changes 'old' -> 'new' and the provider "
        "cannot change that in place. Nothing was changed; to go ahead: 'authgen apply prod "
        "--allow-replace' (callers must take the new ids and secrets), or set protected: false "
        "and apply that change alone ('authgen apply prod'), then apply this change, then set "
        "protected: true again"
    )


def test_allow_replace_and_unprotected_plans_are_confirmed_instead():
    assert _review(_plan(RENAME), allow_replace=True).needs_confirmation
    unprotected = _review(_plan(RENAME, REMOVED_CLIENT), protected=False)
    assert not unprotected.refused and unprotected.needs_confirmation
    assert unprotected.warning() == (
        "WARNING: this plan deletes or replaces 2 live objects: "
        f"{POOL} (user pool) would be replaced: name changes 'old' -> 'new' and the provider "
        f"cannot change that in place; {CLIENT} (app client) would be deleted: its key is no "
        "longer in the spec (a client removed or renamed)"
    )


def test_a_pool_under_deletion_protection_is_refused_even_with_allow_replace():
    guarded = json.loads(json.dumps(RENAME))
    guarded["change"]["before"]["deletion_protection"] = "ACTIVE"
    for kwargs in ({"allow_replace": True}, {"protected": False}):
        review = _review(_plan(guarded), **kwargs)
        assert review.refused
        assert "--allow-replace" not in review.way_out()


def test_updates_creates_and_unguarded_types_are_not_findings():
    plan = _plan(
        _change(POOL, "aws_cognito_user_pool", ["update"], before={}, after={}),
        _change(CLIENT, "aws_cognito_user_pool_client", ["create"], after={}),
        _change("terraform_data.x", "terraform_data", ["delete"], before={}),
    )
    review = _review(plan)
    assert review.findings == [] and not review.refused and not review.needs_confirmation


def test_auth0_guards_the_api_applications_and_grants():
    assert set(providers.get("auth0").guarded) == {
        "auth0_resource_server",
        "auth0_client",
        "auth0_client_grant",
    }
    plan = _plan(
        _change(
            'module.auth.auth0_client_grant.this["m"]',
            "auth0_client_grant",
            ["delete"],
            before={},
            reason="delete_because_each_key",
        )
    )
    review = protection.review(
        plan,
        summarize(plan, environment="s"),
        providers.get("auth0"),
        environment="s",
        protected=True,
    )
    assert [f.what for f in review.findings] == ["client grant"] and review.refused


def test_replacing_a_tainted_object_is_confirmed_not_refused():
    """An interrupted create leaves the object tainted; replacing it completes
    the environment, so a protected one asks instead of refusing (unless the
    provider itself would refuse the delete)."""
    tainted = _change(
        CLIENT,
        "aws_cognito_user_pool_client",
        ["delete", "create"],
        before={},
        after={},
        reason="replace_because_tainted",
    )
    review = _review(_plan(tainted))
    assert not review.refused and review.needs_confirmation
    (finding,) = review.findings
    assert finding.tainted and finding.why.startswith("it is tainted")
    assert review.warning().startswith(
        "WARNING: this plan deletes or replaces 1 live object of a protected environment "
        "(tainted: left half-done, to be completed): "
    )
    assert _review(_plan(tainted, RENAME)).refused  # a spec change still is refused
