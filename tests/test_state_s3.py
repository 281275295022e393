"""S3 state, really run: the real terraform with its S3 back end and the real
hashicorp/aws provider against a local moto server (S3 with the conditional
writes S3-native locking uses, and Cognito), through ``authgen`` run as a real
process.

Covered: ``authgen state bootstrap`` (the hardening read back with boto3, a
second run changing nothing), apply with the state only in the bucket (no
state file on disk), a second checkout sharing it, ``plan --all`` /
drift over environments sharing one bucket, ``state show`` / ``state pull``
with secrets masked, a missing bucket, a held lock (its holder shown, and
``--lock-timeout``), and two checkouts applying one environment at once.

moto runs through tests/support/moto_plus.py (stock moto plus the Cognito
operations it lacks; ``--slow`` to make two runs overlap).
"""

from __future__ import annotations

import json
import re
import stat
import uuid
from pathlib import Path

import pytest

from tests.support.cli import (
    Result,
    cli_env,
    error_line,
    finish,
    local_spec,
    make_project,
    plain_local_spec,
    run,
    start,
)

pytestmark = [pytest.mark.terraform, pytest.mark.provider, pytest.mark.slow]

BUCKET = "authgen-state-tests"
REGION = "us-west-2"


def s3_spec(name: str, bucket: str = BUCKET, extra: str = "") -> str:
    """environments/local.yaml as ``name`` with its state in ``bucket``."""
    return plain_local_spec(name) + f"state:\n  backend: s3\n  bucket: {bucket}\n{extra}"


def state_key(name: str) -> str:
    return f"authgen/my-gateway/{name}/terraform.tfstate"


def aws(server, service: str):
    import boto3

    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def keys(s3, bucket: str = BUCKET) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def pools_named(cognito, name: str) -> list[dict]:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    return [p for p in pools if p["Name"] == name]


def no_state_on_disk(project: Path) -> None:
    """No state file under the project: terraform's ``.terraform/terraform.tfstate``
    is the back end's configuration only (no resources, no outputs)."""
    for path in project.rglob("*.tfstate*"):
        if path.name == "terraform.tfstate" and path.parent.name == ".terraform":
            doc = json.loads(path.read_text())
            assert doc["backend"]["type"] == "s3", path
            assert "resources" not in doc and "outputs" not in doc, path
            continue
        raise AssertionError(f"a state file on disk: {path}")


@pytest.fixture(scope="module")
def env(tf_cli_config, emulator) -> dict[str, str]:
    return cli_env(AUTHGEN_ENDPOINT_URL=emulator.url, TF_CLI_CONFIG_FILE=str(tf_cli_config))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("s3-project")
    return make_project(
        root / "checkout",
        {"alpha": s3_spec("alpha"), "beta": s3_spec("beta"), "gamma": s3_spec("gamma")},
    )


@pytest.fixture(scope="module")
def bootstrapped(project, env) -> tuple[Result, Result]:
    first = run(project, "state", "bootstrap", "alpha", env=env)
    second = run(project, "state", "bootstrap", "alpha", env=env)
    return first, second


@pytest.fixture(scope="module")
def applied(project, env, bootstrapped) -> Result:
    """alpha planned and applied, with CI set: S3 state is what a pipeline may apply."""
    planned = run(project, "plan", "alpha", env={**env, "CI": "true"})
    assert planned.code == 0, planned
    result = run(project, "apply", "alpha", "--auto-approve", env={**env, "CI": "true"})
    assert result.code == 0, result
    return result


# -- bootstrap ------------------------------------------------------------------


def test_bootstrap_creates_and_hardens_the_bucket_and_reports_what_it_changed(
    bootstrapped, emulator
):
    first, _ = bootstrapped
    assert first.code == 0, first
    assert f"state bucket {BUCKET} ({REGION}) of alpha:" in first.stdout
    assert f"bucket: created in {REGION}" in first.stdout
    assert "versioning: off -> on" in first.stdout
    assert "public access: not blocked -> all blocked" in first.stdout
    # moto's new buckets have no default encryption (AWS's have SSE-S3 already).
    assert "default encryption: none -> SSE-S3 (AES256)" in first.stdout
    assert "4 settings changed" in first.stdout
    # The emulator is plain HTTP: the TLS-only policy would lock terraform out.
    assert "bucket policy: left out (a TLS-only policy would refuse every request" in first.stderr

    s3 = aws(emulator, "s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    location = s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"]
    assert location == REGION


def test_a_second_bootstrap_changes_nothing_and_says_so(bootstrapped):
    _, second = bootstrapped
    assert second.code == 0, second
    assert "nothing changed, already in place" in second.stdout
    assert "versioning: on" in second.stdout and "public access: all blocked" in second.stdout
    assert "->" not in second.stdout


def test_bootstrap_dry_run_changes_nothing(project, env, emulator):
    spec = project / "environments" / "dry.yaml"
    spec.write_text(s3_spec("dry", bucket="authgen-dry-run-bucket"))
    result = run(project, "state", "bootstrap", "dry", "--dry-run", "--json", env=env)
    assert result.code == 0, result
    doc = result.json()
    assert doc["dry_run"] is True and doc["changed"] is True
    assert [s["setting"] for s in doc["settings"] if s["changed"]] == [
        "bucket",
        "versioning",
        "default encryption",
        "public access",
    ]
    buckets = [b["Name"] for b in aws(emulator, "s3").list_buckets()["Buckets"]]
    assert "authgen-dry-run-bucket" not in buckets
    spec.unlink()


def test_bootstrap_of_an_environment_without_s3_state_is_one_line(tmp_path, env):
    project = make_project(tmp_path / "p", {"loc": local_spec("loc")})
    result = run(project, "state", "bootstrap", "loc", env=env)
    assert result.code == 1
    assert "its state is not in S3 (state.backend: local)" in error_line(result)


def test_bootstrap_with_a_kms_key_sets_sse_kms_and_the_tls_only_policy(emulator):
    """The library's bootstrap with the S3 client pointed at moto while the spec
    targets AWS (no endpoint_url): that is the path on which the TLS-only bucket
    policy is written (on a plain-HTTP endpoint it is left out). A statement
    already in the policy is kept. This bucket is never used by terraform:
    moto evaluates a Deny statement's condition without request context."""
    from generator.spec import Spec
    from generator.state import bucket

    kms = aws(emulator, "kms")
    key_arn = kms.create_key(Description="state")["KeyMetadata"]["Arn"]
    name = "authgen-kms-policy-bucket"
    data = {
        "name": "kmsenv",
        "provider": "cognito",
        "gateway": "my-gateway",
        "region": REGION,
        "state": {
            "backend": "s3",
            "bucket": name,
            "key": "k/terraform.tfstate",
            "region": REGION,
            "kms_key_id": key_arn,
        },
        "cognito": {
            "user_pool_name": "p",
            "domain_prefix": "my-gateway-kmsenv",
            "resource_server": {
                "identifier": "rs",
                "name": "RS",
                "scopes": [{"name": "read", "description": "Read"}],
            },
            "clients": [{"name": "c", "scopes": ["read"]}],
        },
        "authorizer": {"output": "authorizers/kmsenv.json"},
    }
    spec = Spec.model_validate(data)
    s3 = aws(emulator, "s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    theirs = {
        "Sid": "TheirOwn",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:DeleteBucket",
        "Resource": f"arn:aws:s3:::{name}",
    }
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]})
    )

    result = bucket.bootstrap(spec, s3)
    assert [c.setting for c in result.changed] == [
        "versioning",
        "default encryption",
        "public access",
        "bucket policy",
    ]
    assert result.skipped == {}
    rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": key_arn,
    }
    assert rule["BucketKeyEnabled"] is True
    policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["TheirOwn"] == theirs
    ours = by_sid[bucket.POLICY_SID]
    assert ours["Effect"] == "Deny" and ours["Principal"] == "*" and ours["Action"] == "s3:*"
    assert ours["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert sorted(ours["Resource"]) == [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]

    again = bucket.bootstrap(spec, s3)
    assert again.changed == []
    assert len(json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"]) == 2


# -- apply, plan, drift with the state in the bucket ------------------------------


def test_apply_keeps_the_state_in_the_bucket_only(project, applied, emulator):
    s3 = aws(emulator, "s3")
    assert state_key("alpha") in keys(s3)
    assert f"{state_key('alpha')}.tflock" not in keys(s3)  # released after the run
    state = json.loads(s3.get_object(Bucket=BUCKET, Key=state_key("alpha"))["Body"].read())
    types = sorted(r["type"] for r in state["resources"] if r["mode"] == "managed")
    assert types == [
        "aws_cognito_resource_server",
        "aws_cognito_user_pool",
        "aws_cognito_user_pool_client",
        "aws_cognito_user_pool_domain",
    ]
    no_state_on_disk(project)
    assert json.loads((project / "authorizers" / "alpha.json").read_text())["customJWTAuthorizer"]


def test_a_second_checkout_plans_nothing_from_the_shared_state(tmp_path, applied, env):
    other = make_project(tmp_path / "runner-2", {"alpha": s3_spec("alpha")})
    result = run(other, "plan", "alpha", "--detailed-exitcode", env={**env, "CI": "true"})
    assert result.code == 0, result
    assert "No changes" in result.stdout or "no changes" in result.stdout.lower()
    no_state_on_disk(other)


def test_plan_all_and_drift_work_with_environments_sharing_the_bucket(project, applied, env):
    result = run(project, "plan", "--all", "--detailed-exitcode", "--json", env=env)
    assert result.code == 2, result  # beta and gamma are not applied yet
    by_name = {e["name"]: e for e in result.json()["environments"]}
    assert by_name["alpha"]["changes"] is False and by_name["alpha"]["error"] is None
    for name in ("beta", "gamma"):
        assert by_name[name]["changes"] is True and by_name[name]["counts"]["create"] == 4
    no_state_on_disk(project)


def test_state_show_and_pull_mask_the_client_secret(project, applied, env, tmp_path):
    raw_file = tmp_path / "raw.json"
    raw = run(project, "state", "pull", "alpha", "--raw", "-o", str(raw_file), env=env)
    assert raw.code == 0, raw
    assert stat.S_IMODE(raw_file.stat().st_mode) == 0o600
    state = json.loads(raw_file.read_text())
    secret = state["outputs"]["client_secrets"]["value"]["gateway-client"]
    client_id = state["outputs"]["client_ids"]["value"]["gateway-client"]
    assert len(secret) > 8

    show = run(project, "state", "show", "alpha", env=env)
    assert show.code == 0, show
    assert f"state of alpha (s3://{BUCKET}/{state_key('alpha')}): 4 resources" in show.stdout
    assert 'module.auth.aws_cognito_user_pool_client.this["gateway-client"]' in show.stdout
    assert re.search(r"client_secret\s+\*\*\*", show.stdout)
    assert client_id in show.stdout

    shown_json = run(project, "state", "show", "alpha", "--json", env=env)
    pulled = run(project, "state", "pull", "alpha", env=env)
    assert pulled.code == 0 and shown_json.code == 0
    masked = json.loads(pulled.stdout)
    assert masked["outputs"]["client_secrets"]["value"] == "***"
    assert masked["serial"] == state["serial"] and masked["lineage"] == state["lineage"]
    for result in (show, shown_json, pulled):
        assert secret not in result.stdout + result.stderr, result.args


def test_state_pull_raw_to_stdout_is_refused(project, applied, env):
    result = run(project, "state", "pull", "alpha", "--raw", env=env)
    assert result.code == 1
    assert "--raw keeps the secrets" in error_line(result)
    assert result.stdout == ""


# -- errors --------------------------------------------------------------------


def test_a_missing_bucket_is_one_line_naming_it_and_bootstrap(tmp_path, env, emulator):
    project = make_project(tmp_path / "p", {"nobucket": s3_spec("nobucket", "authgen-no-such")})
    result = run(project, "plan", "nobucket", env=env)
    assert result.code == 1, result
    line = error_line(result)
    assert "state.bucket: the S3 bucket 'authgen-no-such'" in line
    assert "does not exist" in line and "'authgen state bootstrap nobucket'" in line
    assert not pools_named(aws(emulator, "cognito-idp"), "gateway-user-pool-nobucket")


def test_a_held_lock_names_its_holder_and_how_to_wait(tmp_path, env, emulator, bootstrapped):
    """A lock object as terraform writes it (S3-native locking), held by
    "another runner": plan fails at once naming it; with --lock-timeout it
    waits, then says it waited; once released, plan works."""
    name = "locked"
    project = make_project(tmp_path / "p", {name: s3_spec(name)})
    s3 = aws(emulator, "s3")
    lock_id = str(uuid.uuid4())
    lock = {
        "ID": lock_id,
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "runner@ci-host-7",
        "Version": "1.11.4",
        "Created": "2026-12-01T10:00:00.123456789Z",
        "Path": f"{BUCKET}/{state_key(name)}",
    }
    s3.put_object(Bucket=BUCKET, Key=f"{state_key(name)}.tflock", Body=json.dumps(lock).encode())

    result = run(project, "plan", name, env=env)
    assert result.code == 1, result
    line = error_line(result)
    assert f"{name}: the Terraform state is locked by runner@ci-host-7 (apply since" in line
    assert f"lock ID {lock_id}" in line
    assert f"'authgen plan {name} --lock-timeout 10m'" in line
    assert f"'terraform force-unlock {lock_id}'" in line

    waited = run(project, "plan", name, "--lock-timeout", "2s", env=env)
    assert waited.code == 1, waited
    assert "it was still held after waiting 2s (--lock-timeout)" in error_line(waited)

    s3.delete_object(Bucket=BUCKET, Key=f"{state_key(name)}.tflock")
    free = run(project, "plan", name, env=env)
    assert free.code == 0, free


def test_lock_timeout_takes_durations_only(tmp_path, env):
    project = make_project(tmp_path / "p", {"alpha": s3_spec("alpha")})
    result = run(project, "plan", "alpha", "--lock-timeout", "soon", env=env)
    assert result.code == 2
    assert "'soon' is not a duration; write it like 30s, 5m or 1h30m" in result.stderr


# -- two checkouts at once -----------------------------------------------------


def _race(tmp_path: Path, env: dict[str, str], name: str, *flags: str) -> list[Result]:
    """Two checkouts (two CI runners) each plan NAME (one after the other:
    both plans see the same empty state), then ``authgen apply NAME
    --auto-approve FLAGS`` in both, started together."""
    checkouts = [make_project(tmp_path / f"runner-{i}", {name: s3_spec(name)}) for i in (1, 2)]
    for checkout in checkouts:
        planned = run(checkout, "plan", name, env=env)
        assert planned.code == 0, planned
    args = ("apply", name, "--auto-approve", *flags)
    procs = [start(checkout, *args, env=env) for checkout in checkouts]
    results = [finish(proc, args) for proc in procs]
    for checkout in checkouts:
        no_state_on_disk(checkout)
    return results


def _state_and_cloud_agree(tmp_path: Path, env, server, name: str) -> None:
    """Exactly one user pool exists, the state holds it, a fresh plan (from a
    third checkout) creates nothing."""
    pools = pools_named(aws(server, "cognito-idp"), f"gateway-user-pool-{name}")
    assert len(pools) == 1, pools
    state = json.loads(
        aws(server, "s3").get_object(Bucket=BUCKET, Key=state_key(name))["Body"].read()
    )
    (pool,) = [r for r in state["resources"] if r["type"] == "aws_cognito_user_pool"]
    assert pool["instances"][0]["attributes"]["id"] == pools[0]["Id"]
    fresh = make_project(tmp_path / "fresh", {name: s3_spec(name)})
    again = run(fresh, "plan", name, "--detailed-exitcode", env=env)
    assert again.code == 0, again


@pytest.fixture
def slow_emulator(moto_plus, tf_cli_config):
    """A moto of its own whose CreateUserPool takes 10 s: the first apply holds
    the state lock that long, so the two runs overlap."""
    server = moto_plus("CreateUserPool=10")
    env = cli_env(AUTHGEN_ENDPOINT_URL=server.url, TF_CLI_CONFIG_FILE=str(tf_cli_config), CI="true")
    project = make_project(Path(server.log_path).parent / "boot", {"race": s3_spec("race")})
    boot = run(project, "state", "bootstrap", "race", env=env)
    assert boot.code == 0, boot
    return server, env


def test_two_checkouts_applying_at_once_never_both_act(tmp_path, slow_emulator):
    server, env = slow_emulator
    results = _race(tmp_path, env, "race")
    assert sorted(r.code for r in results) == [0, 1], results
    winner = next(r for r in results if r.code == 0)
    loser = next(r for r in results if r.code == 1)
    assert "authorizer file: authorizers/race.json (written)" in winner.stdout
    line = error_line(loser)
    if "locked by" in line:
        # Terraform's lock info: who, doing what, since when, its ID; how to wait.
        assert re.search(r"locked by \S+@\S+ \((plan|apply) since \d{4}-\d\d-\d\d ", line), line
        assert re.search(r"lock ID [0-9a-f-]{36}", line), line
        assert "--lock-timeout" in line
    else:  # it got the lock only after the winner's apply
        assert "is stale" in line and "run 'authgen plan race' again" in line, line
    _state_and_cloud_agree(tmp_path, env, server, "race")


def test_two_checkouts_waiting_for_the_lock_still_act_once(tmp_path, slow_emulator):
    """With --lock-timeout the second run waits instead of failing: it then
    plans nothing, or finds its plan stale and says to plan again."""
    server, env = slow_emulator
    results = _race(tmp_path, env, "waits", "--lock-timeout", "3m")
    assert 0 in [r.code for r in results], results
    for result in results:
        if result.code != 0:
            assert result.code == 1, result
            line = error_line(result)
            assert "is stale" in line and "run 'authgen plan waits' again" in line, line
        else:
            assert "Traceback" not in result.stderr
    _state_and_cloud_agree(tmp_path, env, server, "waits")


# -- moving local state into the bucket -------------------------------------------


def test_local_state_moves_into_the_bucket_with_state_migrate(
    tmp_path, env, emulator, bootstrapped
):
    name = "moving"
    project = make_project(tmp_path / "p", {name: plain_local_spec(name)})
    planned = run(project, "plan", name, env=env)
    assert planned.code == 0, planned
    applied_locally = run(project, "apply", name, "--auto-approve", env=env)
    assert applied_locally.code == 0, applied_locally
    spec = project / "environments" / f"{name}.yaml"
    spec.write_text(s3_spec(name))

    changed = run(project, "plan", name, env=env)
    assert changed.code == 1, changed
    line = error_line(changed)
    assert "its state back end changed (local -> s3)" in line
    assert f"'authgen state migrate {name}'" in line

    moved = run(project, "state", "migrate", name, env=env)
    assert moved.code == 0, moved
    assert f"moved the state of {name} (4 resources) from build/{name}/terraform.tfstate" in (
        moved.stdout
    )
    assert state_key(name) in keys(aws(emulator, "s3"))
    no_state_on_disk(project)
    again = run(project, "plan", name, "--detailed-exitcode", env=env)
    assert again.code == 0, again  # the same resources: nothing to create
    assert len(pools_named(aws(emulator, "cognito-idp"), f"gateway-user-pool-{name}")) == 1

    nothing = run(project, "state", "migrate", name, env=env)
    assert nothing.code == 1
    assert "there is no local state to move" in error_line(nothing)
