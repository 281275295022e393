"""The committed atlantis.yaml is what ``authgen atlantis`` prints."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_committed_atlantis_config_is_current(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["atlantis"]) == 0
    printed = capsys.readouterr().out
    assert (REPO / "atlantis.yaml").read_text() == printed, "run: authgen atlantis > atlantis.yaml"


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
    assert "modules/cognito/**" in prod["autoplan"]["when_modified"]
    assert "modules/auth0/**" not in prod["autoplan"]["when_modified"]
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
