"""generator.terraform against the real terraform binary.

Fixture roots use only what needs no download: the built-in ``terraform_data``
resource, and a fake provider ``authgen-test/fake`` in a filesystem mirror
under tmp_path (init installs it; nothing ever runs it). The plugin cache is
always under tmp_path. Events, diagnostics, stale plans and lock errors are
terraform's own ``-json`` output. Two tests use a fake ``terraform`` script on
purpose: one that is too old or not Terraform at all, and one that claims to
plan without saving a plan; both stand for binaries the runner must refuse.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from generator.errors import Interrupted, TerraformError
from generator.terraform import (
    CACHE_LOCK_NAME,
    INIT_STAMP,
    LOCK_FILE_NAME,
    MIN_VERSION,
    RECORD_NAME,
    Event,
    ProviderUnavailable,
    Runner,
    StalePlanError,
    StateLocked,
    TerraformFailed,
    TerraformVersionError,
    default_plugin_cache_dir,
)
from tests.support.cli import flock_waiters, wait_for

pytestmark = pytest.mark.terraform

REPO = Path(__file__).resolve().parent.parent
SECRET = "s3cret-value-that-must-not-leak"

DATA_ROOT = """
variable "name" {
  type    = string
  default = "one"
}

variable "secret" {
  type      = string
  sensitive = true
  default   = "@SECRET@"
}

resource "terraform_data" "this" {
  input = var.name
}

output "name" {
  value = terraform_data.this.output
}

output "secret" {
  value     = var.secret
  sensitive = true
}
""".replace("@SECRET@", SECRET)

FAKE_PROVIDER_ROOT = """
terraform {
  required_providers {
    fake = {
      source  = "authgen-test/fake"
      version = "@VERSION@"
    }
  }
}

resource "terraform_data" "this" {
  input = "x"
}
"""


def fake_root(constraint: str) -> str:
    return FAKE_PROVIDER_ROOT.replace("@VERSION@", constraint)


SLOW_ROOT = """
resource "terraform_data" "slow" {
  input = "a"

  provisioner "local-exec" {
    command = "echo $PPID > tfpid; exec sleep 300"
  }
}
"""

FAILING_ROOT = """
resource "terraform_data" "fail" {
  input = "a"

  provisioner "local-exec" {
    command = "echo provisioner-said-no >&2; exit 3"
  }
}
"""


@pytest.fixture(autouse=True)
def _no_plugin_dir(monkeypatch):
    monkeypatch.delenv("TF_PLUGIN_DIR", raising=False)


@pytest.fixture(scope="session")
def platform(terraform_bin) -> str:
    out = subprocess.run([terraform_bin, "version", "-json"], capture_output=True, check=True)
    return json.loads(out.stdout)["platform"]


@pytest.fixture(scope="session")
def fake_mirror(tmp_path_factory, platform) -> Path:
    """A filesystem mirror holding authgen-test/fake 1.0.0 and 1.1.0."""
    mirror = tmp_path_factory.mktemp("fake-mirror")
    for version in ("1.0.0", "1.1.0"):
        d = mirror / "registry.terraform.io" / "authgen-test" / "fake" / version / platform
        d.mkdir(parents=True)
        exe = d / f"terraform-provider-fake_v{version}"
        exe.write_text(f"#!/bin/sh\necho fake provider {version}\nexit 1\n")
        exe.chmod(0o755)
    return mirror


@pytest.fixture
def events() -> list[Event]:
    return []


def messages(events: list[Event]) -> list[str]:
    return [event.message for event in events]


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "plugin-cache"


@pytest.fixture
def workdir(tmp_path) -> Path:
    wd = tmp_path / "build" / "dev"
    wd.mkdir(parents=True)
    return wd


def write_root(workdir: Path, main_tf: str, tfvars: dict | None = None) -> Path:
    (workdir / "main.tf").write_text(textwrap.dedent(main_tf))
    if tfvars is not None:
        (workdir / "terraform.tfvars.json").write_text(json.dumps(tfvars, sort_keys=True))
    return workdir


@pytest.fixture
def runner(workdir, cache, events) -> Runner:
    write_root(workdir, DATA_ROOT, {"name": "one"})
    return Runner(workdir, lock_file=None, plugin_cache_dir=cache, on_event=events.append)


FAKE_SOURCE = Path("registry.terraform.io/authgen-test/fake")


def cached_provider(cache: Path, version: str, platform: str) -> Path:
    return cache / FAKE_SOURCE / version / platform / f"terraform-provider-fake_v{version}"


def installed_versions(workdir: Path) -> list[str]:
    base = workdir / ".terraform" / "providers" / FAKE_SOURCE
    return sorted(p.name for p in base.iterdir()) if base.exists() else []


def locked_version(lock: Path) -> str:
    for line in lock.read_text().splitlines():
        if line.strip().startswith("version"):
            return line.split("=")[1].strip().strip('"')
    raise AssertionError(f"no version in {lock}")


# -- init ---------------------------------------------------------------------


def test_init_runs_once_and_again_only_when_config_changes(runner, workdir, events):
    assert runner.init() is True
    assert "Terraform has been successfully initialized!" in messages(events)
    assert {e.type for e in events} >= {"version", "init_output"}  # init -json
    assert (workdir / INIT_STAMP).is_file()
    events.clear()
    assert runner.init() is False
    assert events == []
    # Values (tfvars) do not need an init; configuration does.
    (workdir / "terraform.tfvars.json").write_text('{"name": "two"}')
    assert runner.init() is False
    (workdir / "extra.tf").write_text('output "extra" {\n  value = 1\n}\n')
    assert runner.init() is True
    assert runner.init() is False
    # A wiped .terraform/ means init again.
    shutil.rmtree(workdir / ".terraform")
    assert runner.init() is True


def test_init_reruns_when_a_local_module_changes(workdir, cache, tmp_path):
    module = tmp_path / "modules" / "thing"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('output "x" {\n  value = 1\n}\n')
    write_root(workdir, 'module "thing" {\n  source = "../../modules/thing"\n}\n')
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    assert runner.init() is True
    assert runner.init() is False
    (module / "versions.tf").write_text('terraform {\n  required_version = ">= 1.0"\n}\n')
    assert runner.init() is True


def test_init_reruns_when_a_cached_provider_disappears(workdir, cache, fake_mirror, platform):
    write_root(workdir, fake_root(">= 1.0.0"))
    runner = Runner(workdir, lock_file=None, plugin_dir=fake_mirror, plugin_cache_dir=cache)
    assert runner.init() is True
    assert runner.init() is False
    shutil.rmtree(cache)
    assert runner.init() is True
    assert cached_provider(cache, "1.1.0", platform).is_file()


def test_init_reruns_when_the_plugin_dir_changes(workdir, cache, fake_mirror, tmp_path):
    other = tmp_path / "other-mirror"
    shutil.copytree(fake_mirror, other)
    write_root(workdir, fake_root(">= 1.0.0"))
    assert Runner(workdir, lock_file=None, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
    assert not Runner(
        workdir, lock_file=None, plugin_dir=fake_mirror, plugin_cache_dir=cache
    ).init()
    assert Runner(workdir, lock_file=None, plugin_dir=other, plugin_cache_dir=cache).init()


def test_plugin_cache_dir_is_created_and_filled(workdir, cache, fake_mirror, platform):
    write_root(workdir, fake_root(">= 1.0.0"))
    Runner(workdir, lock_file=None, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
    assert cached_provider(cache, "1.1.0", platform).is_file()
    # The workdir links to the shared cache instead of holding a copy.
    installed = workdir / ".terraform" / "providers" / FAKE_SOURCE / "1.1.0" / platform
    assert installed.is_symlink()
    assert installed.readlink() == cache / FAKE_SOURCE / "1.1.0" / platform


def test_inits_sharing_a_plugin_cache_take_turns(tmp_path, cache, fake_mirror, platform):
    # terraform fails ("failed to create directory ... file exists") when two
    # inits fill an empty plugin cache at once, as `plan --all` would.
    cache.mkdir(parents=True, exist_ok=True)
    holder = os.open(cache / CACHE_LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    roots = []
    for name in ("a", "b", "c"):
        root = tmp_path / name
        root.mkdir()
        write_root(root, fake_root(">= 1.0.0"))
        roots.append(root)
    errors: list[BaseException] = []

    def init(root: Path) -> None:
        try:
            Runner(root, lock_file=None, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=init, args=(root,)) for root in roots]
    try:
        for thread in threads:
            thread.start()
        # all three wait for the cache (none fills it while the lock is held)
        wait_for(lambda: flock_waiters(cache / CACHE_LOCK_NAME) == 3, "three inits waiting")
        assert all(thread.is_alive() for thread in threads)
        assert not cached_provider(cache, "1.1.0", platform).exists()
    finally:
        os.close(holder)
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert installed_versions(roots[0]) == installed_versions(roots[2]) == ["1.1.0"]


def test_plugin_cache_and_plugin_dir_from_the_environment(workdir, fake_mirror, tmp_path, platform):
    write_root(workdir, fake_root(">= 1.0.0"))
    env = dict(
        os.environ, TF_PLUGIN_CACHE_DIR=str(tmp_path / "env-cache"), TF_PLUGIN_DIR=str(fake_mirror)
    )
    runner = Runner(workdir, lock_file=None, env=env)
    assert runner.plugin_cache_dir == (tmp_path / "env-cache").resolve()
    assert runner.plugin_dir == fake_mirror.resolve()
    runner.init()
    assert cached_provider(tmp_path / "env-cache", "1.1.0", platform).is_file()


def test_plugin_cache_defaults_under_the_users_cache_dir(workdir, fake_mirror, tmp_path, platform):
    home = tmp_path / "home"
    env = {
        k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "TF_PLUGIN_CACHE_DIR")
    }
    env["HOME"] = str(home)
    write_root(workdir, fake_root(">= 1.0.0"))
    runner = Runner(workdir, lock_file=None, plugin_dir=fake_mirror, env=env)
    assert runner.plugin_cache_dir == home / ".cache" / "authgen" / "plugin-cache"
    runner.init()
    assert cached_provider(
        home / ".cache" / "authgen" / "plugin-cache", "1.1.0", platform
    ).is_file()
    assert default_plugin_cache_dir({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path(
        "/x/authgen/plugin-cache"
    )


# -- the dependency lock file --------------------------------------------------


def test_lock_file_is_written_back_to_the_repo(workdir, cache, fake_mirror, tmp_path):
    repo_lock = tmp_path / "repo" / "environments" / "locks" / "dev.terraform.lock.hcl"
    write_root(workdir, fake_root(">= 1.0.0"))
    runner = Runner(workdir, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache)
    runner.init()
    assert repo_lock.read_bytes() == (workdir / LOCK_FILE_NAME).read_bytes()
    assert locked_version(repo_lock) == "1.1.0"
    before = repo_lock.stat().st_mtime_ns
    assert runner.init() is False
    assert repo_lock.stat().st_mtime_ns == before


def test_repo_lock_file_pins_providers_in_a_fresh_build_dir(cache, fake_mirror, tmp_path):
    repo_lock = tmp_path / "repo" / "dev.terraform.lock.hcl"
    # An older run selected 1.0.0 and committed the lock file.
    first = tmp_path / "first"
    first.mkdir()
    write_root(first, fake_root("1.0.0"))
    Runner(first, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
    assert locked_version(repo_lock) == "1.0.0"

    # A clean checkout: new build dir, looser constraint, 1.1.0 available.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_root(fresh, fake_root(">= 1.0.0"))
    runner = Runner(fresh, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache)
    assert runner.init() is True
    assert installed_versions(fresh) == ["1.0.0"]
    assert locked_version(repo_lock) == "1.0.0"

    # upgrade moves to the newest allowed version and records it in the repo.
    assert runner.init(upgrade=True) is True
    assert installed_versions(fresh)[-1] == "1.1.0"
    assert locked_version(repo_lock) == "1.1.0"


def test_a_changed_repo_lock_file_means_init_again(workdir, cache, fake_mirror, tmp_path):
    repo_lock = tmp_path / "locks" / "dev.terraform.lock.hcl"
    write_root(workdir, fake_root(">= 1.0.0"))
    runner = Runner(workdir, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache)
    runner.init()
    assert runner.init() is False
    # e.g. a pull brought a lock file pinning another version
    repo_lock.write_text(
        repo_lock.read_text().replace('"1.1.0"', '"1.0.0"').split("hashes")[0] + "}\n"
    )
    assert runner.init() is True
    assert "1.0.0" in installed_versions(workdir)
    assert locked_version(repo_lock) == "1.0.0"
    assert "h1:" in repo_lock.read_text()  # terraform completed the hashes, and we kept them


def test_a_removed_repo_lock_file_lets_terraform_select_afresh(
    workdir, cache, fake_mirror, tmp_path
):
    repo_lock = tmp_path / "locks" / "dev.terraform.lock.hcl"
    write_root(workdir, fake_root(">= 1.0.0"))
    (workdir / LOCK_FILE_NAME).write_text("# a leftover from an earlier run\n")
    Runner(workdir, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
    assert locked_version(repo_lock) == "1.1.0"


def test_a_lock_file_conflicting_with_the_constraints_fails_clearly(
    workdir, cache, fake_mirror, tmp_path
):
    repo_lock = tmp_path / "dev.terraform.lock.hcl"
    write_root(workdir, fake_root("1.0.0"))
    Runner(workdir, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
    locked = repo_lock.read_bytes()
    write_root(workdir, fake_root("1.1.0"))
    with pytest.raises(TerraformFailed) as err:
        Runner(workdir, lock_file=repo_lock, plugin_dir=fake_mirror, plugin_cache_dir=cache).init()
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("terraform init failed (exit code 1): ")
    assert "authgen-test/fake" in message
    assert repo_lock.read_bytes() == locked  # a failed init writes nothing back


# -- failures of init ------------------------------------------------------------------


NULL_ROOT = """
terraform {
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "~> 3.2"
    }
  }
}
"""


def test_unreachable_registry_names_the_provider_and_the_way_out(workdir, cache):
    write_root(workdir, NULL_ROOT)
    # A refusing proxy makes the registry unreachable at once, with or without internet.
    env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, env=env)
    with pytest.raises(ProviderUnavailable) as err:
        runner.init()
    message = str(err.value)
    assert "\n" not in message
    assert "hashicorp/null" in message
    assert "TF_PLUGIN_DIR" in message and "--plugin-dir" in message
    assert "filesystem_mirror" in message
    assert err.value.providers == ["hashicorp/null"]
    # what it was built from: terraform's own diagnostic
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.summary == "Failed to query available provider packages"
    assert "registry.terraform.io" in diagnostic.detail


def test_provider_missing_from_the_plugin_dir(workdir, cache, fake_mirror):
    write_root(workdir, NULL_ROOT)
    runner = Runner(workdir, lock_file=None, plugin_dir=fake_mirror, plugin_cache_dir=cache)
    with pytest.raises(ProviderUnavailable) as err:
        runner.init()
    assert str(err.value) == (
        f"terraform init: provider hashicorp/null is not in the plugin dir {fake_mirror.resolve()}; "
        "add it there in Terraform's unpacked layout (<dir>/registry.terraform.io/<namespace>/"
        "<type>/<version>/<os_arch>/) or point TF_PLUGIN_DIR / --plugin-dir at a mirror that "
        "has it"
    )


def test_terraform_not_on_path(runner, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    runner.env["PATH"] = str(empty)
    with pytest.raises(TerraformError) as err:
        runner.init()
    assert str(err.value) == (
        "terraform is not on PATH: install Terraform "
        "(https://developer.hashicorp.com/terraform/install) and put it on PATH"
    )
    assert err.value.exit_code == 1


def test_explicit_terraform_binary(workdir, cache, tmp_path, terraform_bin):
    write_root(workdir, DATA_ROOT)
    missing = tmp_path / "no" / "terraform"
    with pytest.raises(
        TerraformError, match=r"the terraform binary .*/no/terraform does not exist"
    ):
        Runner(workdir, lock_file=None, plugin_cache_dir=cache, terraform=missing).init()
    assert Runner(workdir, lock_file=None, plugin_cache_dir=cache, terraform=terraform_bin).init()


def test_missing_workdir_is_a_clear_error(tmp_path, cache):
    runner = Runner(tmp_path / "build" / "nope", lock_file=None, plugin_cache_dir=cache)
    with pytest.raises(
        TerraformError, match=r"build/nope does not exist: render the environment first"
    ):
        runner.init()


# -- plan / apply / destroy / outputs ------------------------------------------------


def test_plan_exit_codes_apply_outputs_and_destroy(runner, workdir, events, caplog):
    caplog.set_level(logging.DEBUG)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    assert plan.changes is True and plan.destroy is False
    assert plan.path.is_file()
    planned = [e for e in events if e.type == "planned_change"]
    assert [(e.address, e.action, e.command) for e in planned] == [
        ("terraform_data.this", "create", "plan")
    ]
    summary = next(e for e in events if e.type == "change_summary")
    assert summary.message == "Plan: 1 to add, 0 to change, 0 to destroy."
    assert summary.changes == {"add": 1, "change": 0, "import": 0, "remove": 0}

    runner.apply(plan.path)
    assert any(e.message.startswith("Apply complete!") for e in events)
    started = next(e for e in events if e.type == "apply_start")
    assert (started.address, started.action, started.command) == (
        "terraform_data.this",
        "create",
        "apply",
    )
    assert runner.outputs() == {"name": "one", "secret": SECRET}

    again = runner.plan(workdir / "plan.tfplan")
    assert again.changes is False

    runner.destroy()
    assert any(e.message.startswith("Destroy complete!") for e in events)
    assert runner.outputs() == {}
    assert runner.plan(workdir / "plan.tfplan").changes is True

    # The secret went to the caller only: never to on_event, never to a log record.
    assert not [e for e in events if SECRET in repr(e)]
    assert SECRET not in caplog.text
    assert not [r for r in caplog.records if SECRET in str(r.args)]


def test_destroy_plan_then_apply(runner, workdir):
    runner.init()
    runner.apply(runner.plan(workdir / "plan.tfplan").path)
    plan = runner.plan(workdir / "destroy.tfplan", destroy=True)
    assert plan.changes and plan.destroy
    assert runner.saved_plan_is_current(plan.path, destroy=True)
    assert not runner.saved_plan_is_current(plan.path, destroy=False)
    actions = {
        r["address"]: r["change"]["actions"]
        for r in runner.show_json(plan.path)["resource_changes"]
    }
    assert actions == {"terraform_data.this": ["delete"]}
    runner.apply(plan.path)
    assert runner.outputs() == {}


def test_show_json_reads_the_saved_plan_without_streaming_it(runner, workdir, events, caplog):
    caplog.set_level(logging.DEBUG)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    events.clear()
    doc = runner.show_json(plan.path)
    assert doc["resource_changes"][0]["address"] == "terraform_data.this"
    assert SECRET in json.dumps(doc)  # show -json holds it in clear: the caller masks
    assert events == []
    assert SECRET not in caplog.text


def test_saved_plan_fingerprint_follows_the_render(runner, workdir, monkeypatch):
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    meta = workdir / "plan.tfplan.fingerprint.json"
    assert json.loads(meta.read_text()) == {"fingerprint": plan.fingerprint, "destroy": False}
    assert runner.saved_plan_is_current(plan.path)

    tfvars = workdir / "terraform.tfvars.json"
    tfvars.write_text('{"name": "two"}')
    assert not runner.saved_plan_is_current(plan.path)
    tfvars.write_text('{"name": "one"}')
    assert runner.saved_plan_is_current(plan.path)

    runner.env["TF_VAR_name"] = "three"
    assert not runner.saved_plan_is_current(plan.path)
    del runner.env["TF_VAR_name"]

    main_tf = workdir / "main.tf"
    main_tf.write_text(main_tf.read_text() + '\noutput "more" {\n  value = 2\n}\n')
    assert not runner.saved_plan_is_current(plan.path)
    with pytest.raises(StalePlanError, match=r"does not match the current render"):
        runner.apply(plan.path)
    assert runner.outputs() == {}  # nothing was applied

    # A new plan of the new render is current again, and applies.
    plan = runner.plan(workdir / "plan.tfplan")
    assert runner.saved_plan_is_current(plan.path)
    runner.apply(plan.path)
    assert runner.outputs()["more"] == 2
    # A saved plan is used once.
    assert not runner.saved_plan_is_current(plan.path)
    with pytest.raises(StalePlanError):
        runner.apply(plan.path)


def test_a_plan_file_without_fingerprint_is_not_current(runner, workdir):
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    (workdir / "plan.tfplan.fingerprint.json").unlink()
    assert not runner.saved_plan_is_current(plan.path)
    assert not runner.saved_plan_is_current(workdir / "missing.tfplan")


def test_stale_plan_is_reported_distinctly(runner, workdir):
    runner.init()
    first = runner.plan(workdir / "first.tfplan")
    second = runner.plan(workdir / "second.tfplan")
    runner.apply(first.path)
    # The render did not change, so our fingerprint still matches: terraform finds it stale.
    assert runner.saved_plan_is_current(second.path)
    with pytest.raises(StalePlanError) as err:
        runner.apply(second.path)
    assert str(err.value) == (
        "terraform apply: the saved plan is stale (the state changed after it was made); plan again"
    )
    assert [d.summary for d in err.value.diagnostics] == ["Saved plan is stale"]
    assert not runner.saved_plan_is_current(second.path)


def test_failing_apply_raises_with_terraforms_error(workdir, cache, events):
    write_root(workdir, FAILING_ROOT)
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, on_event=events.append)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    with pytest.raises(TerraformFailed) as err:
        runner.apply(plan.path)
    message = str(err.value)
    assert message == (
        "terraform apply failed (exit code 1): local-exec provisioner error "
        "(terraform_data.fail): Error running command 'echo provisioner-said-no >&2; exit 3': "
        "exit status 3. Output: provisioner-said-no"
    )
    assert err.value.returncode == 1
    # streamed as it happened, as a typed diagnostic naming the resource
    diagnostics = [e.diagnostic for e in events if e.type == "diagnostic"]
    assert [(d.severity, d.summary, d.address) for d in diagnostics] == [
        ("error", "local-exec provisioner error", "terraform_data.fail")
    ]
    assert err.value.diagnostics == tuple(diagnostics)
    assert any(e.type == "apply_errored" and e.address == "terraform_data.fail" for e in events)
    # The failed resource is tainted in the state: the next plan replaces it.
    doc = runner.show_json(runner.plan(workdir / "plan.tfplan").path)
    assert doc["resource_changes"][0]["change"]["actions"] == ["delete", "create"]


INVALID_ROOT = """
variable "size" {
  type = number
}

resource "terraform_data" "a" {
  input = var.size

  lifecycle {
    precondition {
      condition     = var.size > 10
      error_message = "The size must be more than 10: raise it."
    }
  }
}

resource "terraform_data" "b" {
  input = var.size

  lifecycle {
    precondition {
      condition     = var.size > 20
      error_message = "The size must be more than 20."
    }
  }
}
"""


def test_diagnostics_name_resources_and_warnings_do_not_fail(workdir, cache, events):
    # an undeclared variable in tfvars: a warning; two failed preconditions: errors
    write_root(workdir, INVALID_ROOT, {"size": 5, "undeclared": "x"})
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, on_event=events.append)
    runner.init()
    with pytest.raises(TerraformFailed) as err:
        runner.plan(workdir / "plan.tfplan")
    found = sorted((d.severity, d.summary, d.detail) for d in err.value.diagnostics)
    assert found == [
        ("error", "Resource precondition failed", "The size must be more than 10: raise it."),
        ("error", "Resource precondition failed", "The size must be more than 20."),
        ("warning", "Value for undeclared variable", found[2][2]),
    ]
    assert 'variable named "undeclared"' in found[2][2]
    message = str(err.value)
    assert "\n" not in message
    assert message == (
        "terraform plan failed (exit code 1): Resource precondition failed: The size must be "
        "more than 10: raise it.; Resource precondition failed: The size must be more than 20."
    ) or message == (
        "terraform plan failed (exit code 1): Resource precondition failed: The size must be "
        "more than 20.; Resource precondition failed: The size must be more than 10: raise it."
    )
    assert "undeclared" not in message  # a warning is not the failure
    warning = next(e for e in events if e.level == "warn")
    assert warning.type == "diagnostic"
    assert warning.message.startswith("Warning: Value for undeclared variable: ")
    assert not (workdir / "plan.tfplan").exists()

    # The same warning on a plan that succeeds is an event, not an error.
    events.clear()
    write_root(workdir, INVALID_ROOT, {"size": 50, "undeclared": "x"})
    assert runner.plan(workdir / "plan.tfplan").changes is True
    assert [e.diagnostic.summary for e in events if e.diagnostic] == [
        "Value for undeclared variable"
    ]


def processes_in(directory: Path) -> list[int]:
    """Process ids whose working directory is ``directory`` (terraform, its provisioners)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if Path(os.readlink(proc / "cwd")) == directory:
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc")
def test_an_exception_in_on_event_stops_terraform(workdir, cache):
    write_root(workdir, SLOW_ROOT)
    Runner(workdir, lock_file=None, plugin_cache_dir=cache).init()
    plan = Runner(workdir, lock_file=None, plugin_cache_dir=cache).plan(workdir / "plan.tfplan")

    def on_event(event: Event) -> None:
        if event.type == "provision_start":
            raise RuntimeError("the progress display broke")

    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, on_event=on_event)
    with pytest.raises(RuntimeError, match="progress display broke"):
        runner.apply(plan.path)
    assert processes_in(workdir) == []  # terraform (and its provisioner) stopped and reaped
    assert not (workdir / ".terraform.tfstate.lock.info").exists()
    # stopped, not waited for: the provisioner (300 s) never finished, so the
    # resource is not in the state as created
    plain = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    doc = plain.show_json(plain.plan(workdir / "again.tfplan").path)
    actions = {r["address"]: r["change"]["actions"] for r in doc["resource_changes"]}
    assert actions["terraform_data.slow"] in (["delete", "create"], ["create"])


# -- signals -------------------------------------------------------------------

APPLY_SCRIPT = """
import sys
from pathlib import Path

from generator.errors import AuthgenError
from generator.terraform import Runner

workdir, log_path, cache, plan = (Path(a) for a in sys.argv[1:5])
with open(log_path, "w", buffering=1) as log:
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, on_event=lambda e: log.write(e.message + "\\n"))
    try:
        runner.apply(plan)
    except AuthgenError as err:
        print(f"authgen: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_apply_is_passed_to_terraform_and_waited_for(
    workdir, cache, tmp_path, signum
):
    write_root(workdir, SLOW_ROOT + 'resource "terraform_data" "quick" {\n  input = "b"\n}\n')
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")

    script = tmp_path / "apply.py"
    script.write_text(APPLY_SCRIPT)
    log = tmp_path / "apply.log"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(workdir), str(log), str(cache), str(plan.path)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        tfpid_file = workdir / "tfpid"
        while not (tfpid_file.exists() and tfpid_file.read_text().strip()):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the provisioner never started"
            time.sleep(0.05)
        tfpid = int(tfpid_file.read_text())
        os.kill(proc.pid, signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    name = signal.Signals(signum).name
    assert f"{name} received: waiting for terraform apply to stop" in stderr  # the log line
    assert stderr.splitlines()[-1].startswith(
        f"authgen: interrupted ({name}): terraform apply in {workdir} was stopped and waited for"
    )
    assert "Traceback" not in stderr
    # terraform got the signal (it says so), stopped, and was reaped before we exited.
    log_text = log.read_text()
    assert "Interrupt received." in log_text or "Stopping operation..." in log_text
    assert not Path(f"/proc/{tfpid}").exists()
    assert processes_in(workdir) == []
    # The state is consistent and unlocked: what finished is recorded, the rest
    # re-planned (the provisioner's 300 s were not waited for: slow is not created).
    assert not (workdir / ".terraform.tfstate.lock.info").exists()
    doc = runner.show_json(runner.plan(workdir / "plan.tfplan").path)
    actions = {r["address"]: r["change"]["actions"] for r in doc["resource_changes"]}
    assert actions["terraform_data.quick"] == ["no-op"]
    assert actions["terraform_data.slow"] in (["delete", "create"], ["create"])


def test_interrupted_is_exit_130():
    assert Interrupted("x").exit_code == 130


# -- the real AWS provider from the machine's mirror ------------------------------------

AWS_ROOT = """
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}
"""


@pytest.mark.provider
def test_air_gapped_init_from_the_aws_mirror(workdir, cache, aws_mirror, tmp_path, monkeypatch):
    write_root(workdir, AWS_ROOT)
    repo_lock = tmp_path / "locks" / "dev.terraform.lock.hcl"
    monkeypatch.setenv("TF_PLUGIN_DIR", str(aws_mirror))
    runner = Runner(workdir, lock_file=repo_lock, plugin_cache_dir=cache)
    assert runner.plugin_dir == aws_mirror.resolve()
    assert runner.init() is True
    assert 'provider "registry.terraform.io/hashicorp/aws"' in repo_lock.read_text()
    assert runner.init() is False


@pytest.mark.provider
def test_init_through_a_cli_config_filesystem_mirror(workdir, cache, tf_env, tmp_path):
    write_root(workdir, AWS_ROOT)
    repo_lock = tmp_path / "locks" / "dev.terraform.lock.hcl"
    runner = Runner(workdir, lock_file=repo_lock, plugin_cache_dir=cache)
    assert runner.plugin_dir is None
    assert runner.init() is True
    assert 'provider "registry.terraform.io/hashicorp/aws"' in repo_lock.read_text()
    assert any(
        p.is_symlink() for p in (cache / "registry.terraform.io" / "hashicorp" / "aws").rglob("*")
    )


# -- secrets at rest ----------------------------------------------------------------

UMASK_ROOT = (
    DATA_ROOT
    + """
resource "terraform_data" "umask" {
  input = var.name

  provisioner "local-exec" {
    command = "umask > umask.txt"
  }
}
"""
)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_secret_files_are_private_and_a_saved_plan_is_used_once(workdir, cache):
    write_root(workdir, UMASK_ROOT, {"name": "one"})
    workdir.chmod(0o755)
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    assert mode(workdir) == 0o700
    assert mode(plan.path) == 0o600  # it embeds the prior state
    assert mode(workdir / "plan.tfplan.fingerprint.json") == 0o600
    runner.apply(plan.path)
    # terraform (and what it runs) has umask 077
    assert (workdir / "umask.txt").read_text().strip() == "0077"
    assert mode(workdir / "terraform.tfstate") == 0o600
    # the saved plan is gone once applied, with its fingerprint
    assert not plan.path.exists()
    assert not (workdir / "plan.tfplan.fingerprint.json").exists()

    # A state made readable by someone else (an older authgen) is private again.
    (workdir / "terraform.tfstate").chmod(0o644)
    (workdir / "terraform.tfvars.json").write_text('{"name": "two"}')
    second = runner.plan(workdir / "plan.tfplan")
    assert mode(workdir / "terraform.tfstate") == 0o600
    runner.apply(second.path)
    assert mode(workdir / "terraform.tfstate.backup") == 0o600
    assert not second.path.exists()
    # no output files of terraform are left behind in the directory
    assert sorted(p.name for p in workdir.glob(".terraform-*")) == []


def test_a_failed_plan_leaves_no_saved_plan(workdir, cache):
    write_root(workdir, INVALID_ROOT, {"size": 1})
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    runner.init()
    with pytest.raises(TerraformFailed):
        runner.plan(workdir / "plan.tfplan")
    # terraform saves an errored plan (with the prior state); the runner removes it
    assert not (workdir / "plan.tfplan").exists()
    assert not (workdir / "plan.tfplan.fingerprint.json").exists()


KNOWN = "known-secret-from-the-outputs"
LEARNED = "learned-secret-1234"
TALKING_ROOT = """
resource "terraform_data" "talk" {
  input = "x"

  provisioner "local-exec" {
    command = "printf '%s\\\\n' '{\\"ClientSecret\\": \\"@LEARNED@\\"}' 'again: @LEARNED@' 'known: @KNOWN@'; exit 4"
  }
}
""".replace("@LEARNED@", LEARNED).replace("@KNOWN@", KNOWN)


def test_known_and_secret_named_values_are_masked_everywhere(workdir, cache, events, caplog):
    """Provisioner output and TF_LOG lines carry secrets in clear here on
    purpose: events, the error, its diagnostics and the logs must not."""
    caplog.set_level(logging.DEBUG)
    write_root(workdir, TALKING_ROOT)
    env = dict(os.environ, TF_LOG="DEBUG")
    runner = Runner(
        workdir,
        lock_file=None,
        plugin_cache_dir=cache,
        on_event=events.append,
        env=env,
        secrets=[KNOWN],
    )
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    with pytest.raises(TerraformFailed) as err:
        runner.apply(plan.path)
    every = [
        repr(events),
        str(err.value),
        err.value.stderr,
        repr(err.value.diagnostics),
        caplog.text,
    ]
    for text in every:
        assert KNOWN not in text
        assert LEARNED not in text
    # ... and the check means something: the lines were there, masked.
    said = [e.message for e in events if e.type == "provision_progress"]
    assert any('{"ClientSecret": "***"}' in m for m in said), said
    assert any(m.endswith("again: ***") for m in said), said
    assert any(m.endswith("known: ***") for m in said), said
    assert any(e.type == "text" and e.stream == "stderr" for e in events)  # TF_LOG
    assert "known: ***" in str(err.value)


def test_sensitive_outputs_read_become_known_secrets(runner, workdir, events):
    runner.init()
    runner.apply(runner.plan(workdir / "plan.tfplan").path)
    assert runner.scrub(f"said {SECRET}") == f"said {SECRET}"  # not known yet
    assert runner.outputs()["secret"] == SECRET
    assert runner.scrub(f"said {SECRET}") == "said ***"


# -- state locks -----------------------------------------------------------------


def test_a_held_state_lock_names_its_holder(workdir, cache, terraform_bin):
    write_root(workdir, SLOW_ROOT)
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    runner.init()
    holder = subprocess.Popen(
        [terraform_bin, "apply", "-auto-approve", "-input=false", "-json"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        info_file = workdir / ".terraform.tfstate.lock.info"
        while not (workdir / "tfpid").exists():
            assert holder.poll() is None
            assert time.monotonic() < deadline, "the holder never started its provisioner"
            time.sleep(0.05)
        held = json.loads(info_file.read_text())  # terraform's own record of the lock
        with pytest.raises(StateLocked) as err:
            runner.plan(workdir / "plan.tfplan")
    finally:
        holder.send_signal(signal.SIGINT)
        holder.wait(timeout=60)
    lock = err.value.lock
    assert lock.id == held["ID"]
    assert lock.who == held["Who"]
    assert lock.operation == "OperationTypeApply"
    assert lock.version == held["Version"]
    assert lock.path == "terraform.tfstate"
    assert lock.created.startswith(held["Created"][:10])  # the same day, another format
    assert lock.reason  # the backend's own words
    assert isinstance(err.value, TerraformFailed)
    assert str(err.value) == (
        f"terraform plan: the state is locked by {held['Who']} (apply since {lock.created}) "
        f"(lock ID {held['ID']}); wait for that run to finish, or, only if it died, release "
        f"the lock with 'terraform force-unlock {held['ID']}' in {workdir}"
    )
    assert not (workdir / "plan.tfplan").exists()


# -- the Terraform version -----------------------------------------------------------


def fake_terraform(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "fakebin" / "terraform"
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def test_a_fake_old_terraform_is_refused_naming_both_versions(workdir, cache, tmp_path):
    write_root(workdir, DATA_ROOT)
    fake = fake_terraform(tmp_path, 'echo "Terraform v0.12.0"\necho ran >> "$0.log"\n')
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, terraform=fake)
    with pytest.raises(TerraformVersionError) as err:
        runner.init()
    assert str(err.value) == (
        f"{fake} is not Terraform >= {MIN_VERSION}: 'terraform version -json' printed "
        "'Terraform v0.12.0' (exit code 0), not Terraform's version JSON; install Terraform "
        "(https://developer.hashicorp.com/terraform/install) and put it on PATH"
    )
    assert err.value.found == "Terraform v0.12.0" and err.value.minimum == MIN_VERSION
    assert err.value.exit_code == 1
    # asked once (version -json) and never run for init
    assert Path(f"{fake}.log").read_text() == "ran\n"
    assert not (workdir / ".terraform").exists()


def test_an_older_terraform_is_refused(workdir, cache, tmp_path):
    write_root(workdir, DATA_ROOT)
    fake = fake_terraform(tmp_path, """echo '{"terraform_version": "1.8.5", "platform": "x"}'\n""")
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, terraform=fake)
    with pytest.raises(TerraformVersionError) as err:
        runner.plan(workdir / "plan.tfplan")
    assert str(err.value) == (
        f"terraform 1.8.5 at {fake} is too old: authgen needs Terraform >= {MIN_VERSION}; "
        "install a newer one (https://developer.hashicorp.com/terraform/install)"
    )


def test_a_root_may_need_more_than_the_floor(workdir, cache, terraform_bin):
    write_root(workdir, DATA_ROOT)
    installed = Runner(workdir, lock_file=None, plugin_cache_dir=cache).version()
    assert (
        installed
        == json.loads(
            subprocess.run([terraform_bin, "version", "-json"], capture_output=True).stdout
        )["terraform_version"]
    )
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, min_version="99.0.0")
    with pytest.raises(TerraformVersionError, match=rf"^terraform {installed} at .* >= 99\.0\.0;"):
        runner.init()


def test_the_version_is_asked_once_per_binary(workdir, cache, tmp_path, terraform_bin):
    write_root(workdir, DATA_ROOT)
    wrapper = fake_terraform(tmp_path, f'echo "$*" >> "$0.log"\nexec {terraform_bin} "$@"\n')
    for _ in range(2):
        runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, terraform=wrapper)
        runner.init()
        runner.plan(workdir / "plan.tfplan")
    calls = Path(f"{wrapper}.log").read_text().splitlines()
    assert calls.count("version -json") == 1
    assert [c.split()[0] for c in calls if c != "version -json"] == ["init", "plan", "plan"]


def test_a_plan_that_saves_no_plan_is_an_error_not_no_changes(workdir, cache, tmp_path):
    # A terraform that says it is 1.11.4 and "plans" with exit code 0 (no
    # changes) without writing the plan file.
    write_root(workdir, DATA_ROOT)
    fake = fake_terraform(
        tmp_path,
        'if [ "$1" = version ]; then echo \'{"terraform_version": "1.11.4"}\'; fi\nexit 0\n',
    )
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, terraform=fake)
    with pytest.raises(TerraformFailed) as err:
        runner.plan(workdir / "plan.tfplan")
    assert str(err.value).startswith(
        f"terraform plan exited 0 but saved no plan in {workdir / 'plan.tfplan'}: "
    )
    assert not runner.saved_plan_is_current(workdir / "plan.tfplan")


# -- terraform never outlives authgen -------------------------------------------------

KILLED_SCRIPT = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.terraform import Runner

workdir, cache, plan, where = sys.argv[1:5]
runner = Runner(Path(workdir), lock_file=None, plugin_cache_dir=Path(cache))
if where == "thread":  # as plan --all's pool does
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(runner.apply, Path(plan)).result()
else:
    runner.apply(Path(plan))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
@pytest.mark.parametrize("where", ["main", "thread"])
def test_terraform_stops_and_saves_state_when_authgen_is_killed(
    workdir, cache, tmp_path, events, where
):
    from tests.support.cli import alive

    write_root(workdir, SLOW_ROOT + 'resource "terraform_data" "quick" {\n  input = "b"\n}\n')
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(workdir), str(cache), str(plan.path), where],
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stderr=subprocess.PIPE,
        text=True,
    )
    tfpid_file = workdir / "tfpid"
    record_file = workdir / RECORD_NAME

    def creating() -> list[str]:
        try:
            return json.loads(record_file.read_text())["creating"]
        except (OSError, ValueError):
            return []

    try:
        deadline = time.monotonic() + 60
        # terraform is in the provisioner, and authgen has seen it start (it
        # reads terraform's events a few times a second)
        while not (tfpid_file.exists() and "terraform_data.slow" in creating()):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the provisioner never started"
            time.sleep(0.05)
        while not tfpid_file.read_text().strip():
            time.sleep(0.05)
        tfpid = int(tfpid_file.read_text())
        proc.kill()  # SIGKILL: authgen cannot pass anything on
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # terraform got its interrupt from the kernel, stopped (not after the
    # provisioner's 300 s) and took its provisioner with it
    deadline = time.monotonic() + 45
    while alive(tfpid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(tfpid), "terraform outlived the authgen that started it"
    # its provisioner's shell goes with it (it may take a moment to be reaped)
    while processes_in(workdir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_in(workdir) == []
    # ... having saved what it finished, and released the lock
    state = json.loads((workdir / "terraform.tfstate").read_text())
    assert "quick" in {r["name"] for r in state["resources"]}
    assert not (workdir / ".terraform.tfstate.lock.info").exists()
    # The run left its record: the next run says what was being created.
    record = json.loads((workdir / RECORD_NAME).read_text())
    assert record["command"] == "apply" and record["pid"] == proc.pid
    # (quick may still be listed: the kill can land before authgen read its
    # apply_complete event; it is in the state, which the note allows for)
    assert "terraform_data.slow" in record["creating"]
    assert set(record["creating"]) <= {"terraform_data.slow", "terraform_data.quick"}
    again = Runner(workdir, lock_file=None, plugin_cache_dir=cache, on_event=events.append)
    replanned = again.plan(workdir / "plan.tfplan")
    (warning,) = [e for e in events if e.level == "warn"]
    assert warning.diagnostic.summary == "An earlier run did not finish"
    assert f"authgen (pid {proc.pid}) was stopped during terraform apply" in warning.message
    assert f"it was creating {', '.join(record['creating'])}: whatever of that is not in the " in (
        warning.message
    )
    assert again.earlier_run.creating == record["creating"]
    assert not (workdir / RECORD_NAME).exists()  # said once
    doc = again.show_json(replanned.path)
    actions = {r["address"]: r["change"]["actions"] for r in doc["resource_changes"]}
    assert actions["terraform_data.quick"] == ["no-op"]
    assert actions["terraform_data.slow"] in (["delete", "create"], ["create"])


def test_an_interrupt_names_what_was_being_created(workdir, cache, tmp_path):
    """In-process: the Interrupted error of an apply names the object whose
    creation was cut short (from terraform's apply_start events)."""
    write_root(workdir, SLOW_ROOT)
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache)
    runner.init()
    plan = runner.plan(workdir / "plan.tfplan")
    script = tmp_path / "apply.py"
    script.write_text(APPLY_SCRIPT)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(workdir),
            str(tmp_path / "log"),
            str(cache),
            str(plan.path),
        ],
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (workdir / "tfpid").exists():
            assert proc.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert (
        "its state is saved, but terraform_data.slow was being created at that moment and may "
        "exist outside it" in stderr
    )
    assert not (workdir / RECORD_NAME).exists()  # reported here, not left for the next run


def test_credentials_in_the_environment_are_known_secrets(workdir, cache):
    write_root(workdir, DATA_ROOT)
    env = dict(os.environ, AUTH0_CLIENT_SECRET="auth0-management-secret", AWS_SESSION_TOKEN="x")
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=cache, env=env)
    assert runner.scrub("got auth0-management-secret back") == "got *** back"
    assert runner.scrub("token x") == "token x"  # too short to be a real credential
