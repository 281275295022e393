"""``authgen changed``: which environments a git change affects, on a real
git repository built in tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.changed import affected, changed_files
from generator.cli import main
from generator.errors import AuthgenError
from generator.project import Project

REPO = Path(__file__).resolve().parent.parent


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if not shutil.which("git"):
        pytest.skip("git is not on PATH")
    shutil.copytree(
        REPO / "environments", tmp_path / "environments", ignore=shutil.ignore_patterns("locks")
    )
    (tmp_path / "environments" / "locks").mkdir()
    for provider in ("cognito", "auth0"):
        (tmp_path / "modules" / provider).mkdir(parents=True)
        (tmp_path / "modules" / provider / "main.tf").write_text("# module\n")
        (tmp_path / "templates" / provider).mkdir(parents=True)
        (tmp_path / "templates" / provider / "main.tf.j2").write_text("# t\n")
    (tmp_path / "templates" / "common").mkdir()
    (tmp_path / "templates" / "common" / "outputs.tf.j2").write_text("# t\n")
    (tmp_path / "README.md").write_text("readme\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "feature")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def commit(repo: Path) -> None:
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "change")


def impact_of(repo: Path):
    return affected(Project(repo), changed_files(repo, "main"))


def test_nothing_changed(repo):
    assert impact_of(repo).environments == []


def test_an_environment_file(repo):
    path = repo / "environments" / "dev.yaml"
    path.write_text(path.read_text().replace("protected: false", "protected: true"))
    commit(repo)
    assert impact_of(repo).environments == ["dev"]


def test_uncommitted_and_untracked_changes_count(repo):
    (repo / "environments" / "locks" / "prod.terraform.lock.hcl").write_text("# lock\n")
    assert impact_of(repo).environments == ["prod"]


def test_a_module_affects_its_provider_only(repo):
    (repo / "modules" / "auth0" / "main.tf").write_text("# changed\n")
    assert impact_of(repo).environments == ["staging"]
    (repo / "modules" / "cognito" / "main.tf").write_text("# changed\n")
    assert impact_of(repo).environments == ["dev", "local", "prod", "staging"]


def test_templates(repo):
    (repo / "templates" / "cognito" / "main.tf.j2").write_text("# changed\n")
    assert impact_of(repo).environments == ["dev", "local", "prod"]
    git(repo, "checkout", "--", "templates")
    (repo / "templates" / "common" / "outputs.tf.j2").write_text("# changed\n")
    assert impact_of(repo).environments == ["dev", "local", "prod", "staging"]


def test_shared_defaults_and_extends(repo):
    (repo / "environments" / "_base.yaml").write_text("gateway: base-gw\n")
    qa = (repo / "environments" / "dev.yaml").read_text().replace("name: dev", "name: qa")
    (repo / "environments" / "qa.yaml").write_text("extends: _base.yaml\n" + qa)
    commit(repo)
    git(repo, "branch", "-f", "main", "HEAD")
    (repo / "environments" / "_base.yaml").write_text("gateway: base-gw2\n")
    assert impact_of(repo).environments == ["qa"]
    commit(repo)
    git(repo, "branch", "-f", "main", "HEAD")
    (repo / "environments" / "_defaults.yaml").write_text("tags: {Team: x}\n")
    result = impact_of(repo)
    assert result.environments == ["dev", "local", "prod", "staging"]
    assert "qa" not in result.environments  # it extends, so it takes no shared defaults


def test_docs_affect_nothing_and_removed_env_is_reported(repo):
    (repo / "README.md").write_text("changed\n")
    (repo / "environments" / "local.yaml").unlink()
    result = impact_of(repo)
    assert result.environments == []
    assert result.removed == ["local"]


def test_cli(repo, capsys):
    path = repo / "environments" / "staging.yaml"
    path.write_text(path.read_text() + "protected: true\n")
    assert main(["changed", "--base", "main"]) == 0
    assert capsys.readouterr().out.split() == ["staging"]
    assert main(["changed", "--base", "main", "--json"]) == 0
    assert '"environments": [\n    "staging"\n  ]' in capsys.readouterr().out


def test_unknown_base_is_one_line(repo):
    with pytest.raises(AuthgenError, match="git merge-base nope HEAD"):
        changed_files(repo, "nope")


def test_a_provider_entry_affects_its_provider_only(repo):
    (repo / "generator" / "providers").mkdir(parents=True)
    (repo / "generator" / "providers" / "auth0.py").write_text("# entry\n")
    assert impact_of(repo).environments == ["staging"]
    (repo / "generator" / "providers" / "base.py").write_text("# protocol\n")
    assert impact_of(repo).environments == ["dev", "local", "prod", "staging"]
