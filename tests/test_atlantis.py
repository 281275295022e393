"""The committed atlantis.yaml is what ``authgen atlantis`` prints, and it
autoplans on exactly what ``authgen changed`` watches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from generator.changed import matches, watches
from generator.cli import main
from generator.project import Project

REPO = Path(__file__).resolve().parent.parent


def test_committed_atlantis_config_is_current(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["atlantis"]) == 0
    printed = capsys.readouterr().out
    assert (REPO / "atlantis.yaml").read_text() == printed, "run: make atlantis"


def test_one_project_per_environment_with_remote_state_each_in_its_own_workspace():
    text = (REPO / "atlantis.yaml").read_text()
    config = yaml.safe_load(text)
    # dev and staging keep local state (lost with an Atlantis checkout); local
    # targets an emulator: all three are left out, and the header says why.
    assert [p["name"] for p in config["projects"]] == ["prod"]
    assert "#   dev: local state" in text and "#   local: targets a local emulator" in text
    prod = config["projects"][0]
    assert prod["workspace"] == "prod"
    assert "environments/prod.yaml" in prod["autoplan"]["when_modified"]
    assert matches(prod["autoplan"]["when_modified"], "modules/cognito/main.tf")
    assert not matches(prod["autoplan"]["when_modified"], "modules/auth0/main.tf")
    assert config["autodiscover"] == {"mode": "disabled"}
    steps = config["workflows"]["authgen"]
    assert {"run": "authgen apply $PROJECT_NAME --auto-approve --no-color"} in steps["apply"][
        "steps"
    ]


def test_projects_sharing_a_directory_get_workspaces_of_their_own(tmp_path, monkeypatch):
    """Two remote-state environments: same dir, distinct workspaces and names."""
    from generator import atlantis
    from generator.project import Project

    envs = tmp_path / "environments"
    envs.mkdir()
    prod = (REPO / "environments" / "prod.yaml").read_text()
    (envs / "prod.yaml").write_text(prod)
    (envs / "prod2.yaml").write_text(prod.replace("name: prod", "name: prod2"))
    config = yaml.safe_load(atlantis.config(Project(tmp_path)))
    places = [(p["dir"], p["workspace"], p["name"]) for p in config["projects"]]
    assert places == [(".", "prod", "prod"), (".", "prod2", "prod2")]


def test_atlantis_check_accepts_the_committed_file_and_refuses_a_stale_one(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(REPO)
    assert main(["atlantis", "--check", "atlantis.yaml"]) == 0
    stale = tmp_path / "atlantis.yaml"
    stale.write_text(
        (REPO / "atlantis.yaml").read_text().replace("workspace: prod", "workspace: x")
    )
    capsys.readouterr()
    assert main(["atlantis", "--check", str(stale)]) == 1
    assert "not what 'authgen atlantis' prints; regenerate it" in capsys.readouterr().err


def test_atlantis_autoplans_on_exactly_what_changed_watches():
    config = yaml.safe_load((REPO / "atlantis.yaml").read_text())
    by_name = {p["name"]: p["autoplan"]["when_modified"] for p in config["projects"]}
    for watch in watches(Project(REPO)):
        if watch.env in by_name:
            assert by_name[watch.env] == watch.patterns, watch.env
    # edits that used to plan nothing now plan every environment
    for path in ("generator/authorizer.py", "generator/project.py", "pyproject.toml"):
        assert all(matches(patterns, path) for patterns in by_name.values()), path
    assert not any(matches(patterns, "generator/ui.py") for patterns in by_name.values())


def test_json_prints_the_same_document_as_json(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["atlantis", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["command"] == "atlantis"
    assert doc["config"] == yaml.safe_load((REPO / "atlantis.yaml").read_text())


def test_an_applied_environment_whose_file_is_gone_keeps_a_failing_project(
    tmp_path, capsys, monkeypatch
):
    """Its plan step (``authgen validate $PROJECT_NAME``) fails with the
    retirement procedure in the pull request that deleted the file."""
    from generator import records, spec

    # the specs only: environments/locks/ of this checkout holds what its
    # own runs (make demo) applied, not part of the project under test
    shutil.copytree(
        REPO / "environments",
        tmp_path / "environments",
        ignore=shutil.ignore_patterns("locks"),
    )
    project = Project(tmp_path)
    records.write(project, records.of_spec(project, spec.load(tmp_path / "environments/prod.yaml")))
    (tmp_path / "environments" / "prod.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    assert main(["atlantis"]) == 0
    config = yaml.safe_load(capsys.readouterr().out)
    prod = next(p for p in config["projects"] if p["name"] == "prod")
    assert prod["autoplan"]["when_modified"] == [
        "environments/prod.yaml",
        "environments/locks/prod.*",
    ]
    assert main(["validate", "prod"]) == 1
    assert "environment 'prod' was applied" in capsys.readouterr().err
