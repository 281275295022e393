"""The record of an applied environment (``generator.records``) and the root
authgen renders from it when the spec is gone (``render.recovery``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import records, render, spec
from generator.errors import AuthgenError
from generator.project import Project

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def layout(tmp_path) -> Project:
    """The project layout (``generator.project.Project``) of a copy of this
    repository's spec files (environments/locks/ of this checkout holds what
    its own runs, such as make demo, applied: not part of the project under
    test)."""
    shutil.copytree(
        REPO / "environments",
        tmp_path / "environments",
        ignore=shutil.ignore_patterns("locks"),
    )
    return Project(tmp_path)


def _record(layout: Project, name: str) -> records.Record:
    return records.of_spec(layout, spec.load(layout.spec_path(name)))


def test_a_record_says_where_the_environment_lives(layout):
    record = _record(layout, "prod")
    assert json.loads(record.to_json()) == {
        "authorizer": "authorizers/prod.json",
        "endpoint_url": None,
        "environment": "prod",
        "format": 1,
        "gateway": "my-gateway",
        "location": {"region": "us-east-1"},
        "protected": True,
        "provider": "cognito",
        "spec": "environments/prod.yaml",
        "state": {
            "backend": "s3",
            "bucket": "my-company-terraform-state",
            "encrypt": True,
            "key": "authgen/my-gateway/prod/terraform.tfstate",
            "kms_key_id": None,
            "region": "us-east-1",
            "use_lockfile": True,
        },
    }
    assert _record(layout, "staging").location == {"domain": "dev-example.us.auth0.com"}


def test_writing_is_byte_stable_and_loading_gives_it_back(layout):
    record = _record(layout, "dev")
    assert records.write(layout, record) is True
    path = layout.record_file("dev")
    assert path == layout.root / "environments" / "locks" / "dev.applied.json"
    mtime = path.stat().st_mtime_ns
    assert records.write(layout, record) is False
    assert path.stat().st_mtime_ns == mtime
    assert records.load(layout, "dev") == record
    assert records.names(layout) == ["dev"]
    assert records.load(layout, "staging") is None


def test_an_unreadable_record_is_one_line(layout):
    path = layout.record_file("dev")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(AuthgenError, match=r"locks/dev.applied.json: not a readable environment"):
        records.load(layout, "dev")
    path.write_text(_record(layout, "prod").to_json())
    with pytest.raises(AuthgenError, match="it is the record of 'prod'"):
        records.load(layout, "dev")


def test_orphans_are_records_whose_spec_file_is_gone(layout):
    for name in ("dev", "staging"):
        records.write(layout, _record(layout, name))
    assert records.orphans(layout) == []
    (layout.root / "environments" / "staging.yaml").unlink()
    (orphan,) = records.orphans(layout)
    assert orphan.environment == "staging"
    line = records.orphan_message(layout, orphan)
    assert line.startswith("environments/staging.yaml: environment 'staging' was applied")
    assert "set 'retired: true', apply it (that destroys them), then delete the file" in line
    assert "\n" not in line


def test_the_recovery_root_has_the_provider_and_back_end_only(layout):
    record = _record(layout, "prod")
    files = render.recovery(record)
    assert sorted(files) == sorted([*render.RECOVERY, render.TFVARS])
    text = "".join(files.values())
    assert 'module "' not in text and 'output "' not in text
    assert 'bucket       = "my-company-terraform-state"' in files["backend.tf"]
    assert 'variable "user_pool_name"' not in files["variables.tf"]
    assert json.loads(files[render.TFVARS]) == {"region": "us-east-1", "endpoint_url": None}
    assert "endpoints" not in files["providers.tf"]
    emulated = render.recovery(record, "http://127.0.0.1:5000")
    assert "cognitoidp = var.endpoint_url" in emulated["providers.tf"]
    assert json.loads(emulated[render.TFVARS])["endpoint_url"] == "http://127.0.0.1:5000"


def test_the_auth0_recovery_root_takes_only_the_domain(layout):
    files = render.recovery(_record(layout, "staging"), "http://127.0.0.1:5000")
    assert json.loads(files[render.TFVARS]) == {"domain": "dev-example.us.auth0.com"}
    assert 'variable "api"' not in files["variables.tf"]
    assert 'provider "auth0"' in files["providers.tf"]


def test_the_ordinary_render_is_unchanged_by_the_recovery_switch(layout):
    files = render.render(spec.load(layout.spec_path("dev")))
    assert 'variable "user_pool_name"' in files["variables.tf"]
    assert 'module "auth"' in files["main.tf"]


def test_validate_all_reports_an_orphan_even_when_no_spec_file_is_left(layout, capsys, monkeypatch):
    from generator.cli import main

    records.write(layout, _record(layout, "dev"))
    for path in (layout.root / "environments").glob("*.yaml"):
        path.unlink()
    monkeypatch.chdir(layout.root)
    assert main(["validate", "--all"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("environments/dev.yaml: environment 'dev' was applied")
