"""The rendered roots as Terraform sees them: ``terraform fmt -check`` for
every example, and ``terraform init`` + ``validate`` of the Cognito roots
with the hashicorp/aws provider from the machine's mirror. The auth0/auth0
provider cannot be had here, so the Auth0 root is checked with fmt only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from generator import render, spec

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = ["dev", "staging", "prod", "local"]

pytestmark = pytest.mark.terraform


def rendered_project(tmp_path: Path, name: str) -> Path:
    """A project in tmp_path: build/<name>/ rendered, modules/ linked to the repo's."""
    (tmp_path / "modules").symlink_to(REPO / "modules")
    directory = tmp_path / "build" / name
    render.write_build(directory, render.render(spec.load(REPO / "environments" / f"{name}.yaml")))
    return directory


def terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["terraform", *args], cwd=cwd, capture_output=True, text=True, check=False, env=os.environ
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_rendered_output_is_terraform_fmt_clean(terraform_bin, tmp_path, name):
    directory = rendered_project(tmp_path, name)
    result = terraform("fmt", "-check", "-diff", cwd=directory)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.provider
@pytest.mark.parametrize("name", ["dev", "local"])
def test_rendered_cognito_root_validates(tf_env, tmp_path, name):
    directory = rendered_project(tmp_path, name)
    init = terraform("init", "-input=false", "-backend=false", "-no-color", cwd=directory)
    assert init.returncode == 0, init.stderr
    result = terraform("validate", "-no-color", cwd=directory)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
