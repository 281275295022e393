"""``authgen init DIR``: a new GitOps repository that works as this one does.

The new repository is checked the way a user would use it: ``authgen
validate --all`` and ``authgen atlantis --check`` pass in it, its pipeline
files pass the same checks as this repository's, its Makefile has this
project's targets and drives authgen, and ``authgen plan dev`` runs the real
terraform with the real hashicorp/aws provider against a moto server, using
the repository's own vendored modules.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import resources, scaffold
from tests.support.cli import cli_env, error_line, run

REPO = Path(__file__).resolve().parent.parent


def load_checks():
    spec = importlib.util.spec_from_file_location(
        "check_pipelines_init", REPO / "scripts" / "check_pipelines.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def new_repo(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("init") / "gateway-auth"
    result = run(target.parent, "init", "gateway-auth", env=cli_env())
    assert result.code == 0, result
    assert "wrote a GitOps repository into gateway-auth/" in result.stdout
    return target


def test_init_writes_the_layout_of_this_project(new_repo):
    files = {p.relative_to(new_repo).as_posix() for p in new_repo.rglob("*") if p.is_file()}
    assert {
        "README.md",
        "Makefile",
        ".gitignore",
        ".pre-commit-config.yaml",
        "atlantis.yaml",
        ".github/workflows/authgen.yml",
        "schema/environment.schema.json",
        "environments/_defaults.yaml",
        "environments/dev.yaml",
        "environments/staging.yaml",
        "environments/local.yaml",
        "modules/cognito/main.tf",
        "modules/auth0/main.tf",
    } <= files
    # one commented example per provider
    for provider, env in scaffold.EXAMPLES:
        text = (new_repo / "environments" / f"{env}.yaml").read_text()
        assert f"provider: {provider}\n" in text and text.count("#") >= 5
    # the modules are vendored whole, byte for byte
    for path in resources.modules_dir().rglob("*"):
        if path.is_file() and ".terraform" not in path.parts:
            relative = path.relative_to(resources.modules_dir())
            assert (new_repo / "modules" / relative).read_bytes() == path.read_bytes()
    # the workflow is this repository's own
    assert (new_repo / ".github/workflows/authgen.yml").read_text() == (
        REPO / ".github/workflows/authgen.yml"
    ).read_text()
    schema = json.loads((new_repo / "schema/environment.schema.json").read_text())
    assert schema == json.loads((REPO / "schema/environment.schema.json").read_text())
    assert "@AUTHGEN_VERSION@" not in (new_repo / "Makefile").read_text()


def test_validate_all_and_atlantis_check_pass_in_the_new_repository(new_repo):
    result = run(new_repo, "validate", "--all", "--json", env=cli_env())
    assert result.code == 0, result
    assert {r["name"]: r["state"] for r in result.json()["results"]} == {
        "dev": "local",
        "local": "local",
        "staging": "local",
    }
    result = run(new_repo, "atlantis", "--check", "atlantis.yaml", env=cli_env())
    assert result.code == 0, result


checks = load_checks()


@pytest.mark.parametrize("name", sorted(checks.CHECKS))
def test_the_new_repositorys_pipeline_files_pass_the_checks(new_repo, name):
    result = checks.CHECKS[name](new_repo)
    if result.skipped:
        pytest.skip(result.output)
    assert result.ok, result.output


def make_targets(makefile: Path) -> set[str]:
    names = set()
    for line in makefile.read_text().splitlines():
        match = re.match(r"^([a-z][\w -]*):(?!=)", line)
        if match:
            names.update(match.group(1).split())
    return names


def make(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``make`` in ``repo`` as a user runs it (not as a sub-make of ``make test``)."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def test_the_makefile_has_this_projects_targets_and_drives_the_installed_authgen(new_repo):
    ours = make_targets(REPO / "Makefile")
    theirs = make_targets(new_repo / "Makefile")
    # golden and bench test authgen itself; a GitOps repository has neither
    assert ours - {"golden", "bench"} <= theirs
    dry = make(new_repo, "-n", "plan", "ENV=dev", "AUTHGEN=authgen")
    assert dry.stdout.split() == ["authgen", "plan", "dev"]
    dry = make(new_repo, "-n", "setup", "AUTHGEN_PACKAGE=authgen==9.9")
    assert '"authgen==9.9"' in dry.stdout


def test_the_makefile_runs_authgen_from_its_venv(new_repo, tmp_path):
    """``make test-fast`` (validate every spec) with authgen found in .venv."""
    repo = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(new_repo), str(repo)], check=True)
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "authgen").symlink_to(Path(sys.executable).with_name("authgen"))
    result = make(repo, "test-fast", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv/bin/authgen validate --all" in result.stdout
    assert "ok  environments/dev.yaml" in result.stdout


def test_init_refuses_a_non_empty_directory_and_writes_nothing(tmp_path):
    target = tmp_path / "repo"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    result = run(tmp_path, "init", "repo", env=cli_env())
    assert result.code == 1
    assert error_line(result) == (
        "error: repo: not empty; authgen init writes a new repository into a new or empty "
        "directory (nothing was written)"
    )
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_init_refuses_a_file(tmp_path):
    (tmp_path / "repo").write_text("x")
    result = run(tmp_path, "init", "repo", env=cli_env())
    assert result.code == 1
    assert "exists and is not a directory" in error_line(result)


def test_init_into_an_empty_directory_works(tmp_path):
    (tmp_path / "repo").mkdir()
    result = run(tmp_path, "init", "repo", "--json", env=cli_env())
    assert result.code == 0, result
    assert "environments/dev.yaml" in result.json()["files"]


def test_a_failed_init_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "modules_dir", lambda: tmp_path / "missing")
    with pytest.raises(FileNotFoundError):
        scaffold.scaffold(tmp_path / "repo")
    assert list(tmp_path.iterdir()) == []


def test_plan_without_vendored_modules_is_one_line(tmp_path):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.yaml").write_text(
        (REPO / "environments" / "dev.yaml").read_text()
    )
    result = run(tmp_path, "plan", "dev", env=cli_env())
    assert result.code == 1
    assert "modules/cognito/ is missing" in error_line(result)
    assert not (tmp_path / "build" / "dev" / ".terraform").exists()


@pytest.mark.terraform
@pytest.mark.provider
@pytest.mark.slow
def test_plan_in_the_new_repository_against_the_emulator(new_repo, moto_server, tf_cli_config):
    env = cli_env(AUTHGEN_ENDPOINT_URL=moto_server.url, TF_CLI_CONFIG_FILE=str(tf_cli_config))
    result = run(new_repo, "plan", "dev", "--json", env=env)
    assert result.code == 0, result
    (planned,) = result.json()["environments"]
    assert planned["changes"] and planned["counts"]["create"] > 0
    build = new_repo / "build" / "dev"
    assert (build / "tfplan").is_file()
    assert 'source = "../../modules/cognito"' in (build / "main.tf").read_text()
    modules = json.loads((build / ".terraform" / "modules" / "modules.json").read_text())
    (auth,) = [m for m in modules["Modules"] if m["Key"] == "auth"]
    assert (build / auth["Dir"]).resolve() == (new_repo / "modules" / "cognito").resolve()
    assert (new_repo / "environments" / "locks" / "dev.terraform.lock.hcl").is_file()
