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


def test_one_project_per_cloud_environment():
    config = yaml.safe_load((REPO / "atlantis.yaml").read_text())
    names = [p["name"] for p in config["projects"]]
    assert names == ["dev", "prod", "staging"]  # local targets an emulator
    staging = next(p for p in config["projects"] if p["name"] == "staging")
    assert "environments/staging.yaml" in staging["autoplan"]["when_modified"]
    assert "modules/auth0/**" in staging["autoplan"]["when_modified"]
    assert "modules/cognito/**" not in staging["autoplan"]["when_modified"]
    steps = config["workflows"]["authgen"]
    assert {"run": "authgen apply $PROJECT_NAME --auto-approve --no-color"} in steps["apply"][
        "steps"
    ]
