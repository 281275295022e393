"""``authgen changed``: which environments a git change affects, on a real
git repository built in tmp_path."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.changed import NO_RENDER_EFFECT, UnknownBase, affected, changed_files, matches
from generator.cli import main
from generator.project import Project

REPO = Path(__file__).resolve().parent.parent
ALL = ["dev", "local", "prod", "staging"]
COGNITO = ["dev", "local", "prod"]


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


def test_docs_affect_nothing_and_a_removed_env_is_reported(repo):
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


# --------------------------------------------------------------------------
# fail closed: a base that cannot be compared


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def _lost_commit(repo: Path) -> str:
    """A commit that existed and is gone, as after a force-push: made, reset
    away, and pruned from the object store."""
    (repo / "README.md").write_text("soon lost\n")
    commit(repo)
    lost = _head(repo)
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    git(repo, "reflog", "expire", "--expire=now", "--all")
    git(repo, "gc", "-q", "--prune=now")
    with pytest.raises(subprocess.CalledProcessError):
        git(repo, "cat-file", "-e", lost)
    return lost


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0" * 40, "the all-zero SHA is no commit (a push that created a branch has no"),
        ("nope", "not a commit in this repository (not fetched, a shallow clone, or lost"),
    ],
    ids=["all-zero before-SHA", "no such ref"],
)
def test_a_base_git_cannot_resolve_fails_in_one_line(repo, capsys, base, expected):
    assert main(["changed", "--base", base]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: --base {base}: {expected}")
    assert line.endswith("or --all-on-unknown-base to treat every environment as changed")


def test_a_commit_lost_to_a_force_push_fails(repo, capsys):
    lost = _lost_commit(repo)
    assert main(["changed", "--base", lost]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: --base {lost}: not a commit in this repository" in captured.err


def test_a_base_without_common_history_fails(repo, capsys):
    git(repo, "checkout", "-q", "--orphan", "rewritten")
    commit(repo)
    with pytest.raises(UnknownBase, match="--base main: it shares no history with HEAD"):
        changed_files(repo, "main")


def test_all_on_unknown_base_lists_every_environment(repo, capsys, monkeypatch):
    assert main(["changed", "--base", "0" * 40, "--all-on-unknown-base"]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["dev", "prod", "staging"]  # local targets an emulator
    assert "every environment counts as changed" in captured.err
    monkeypatch.setenv("AUTHGEN_ENDPOINT_URL", "http://127.0.0.1:9")
    assert main(["changed", "--base", "nope", "--all-on-unknown-base", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["base_resolved"] is False
    assert doc["environments"] == ["dev", "local", "prod", "staging"]


def test_outside_a_git_repository_fails(tmp_path, capsys, monkeypatch):
    (tmp_path / "environments").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["changed", "--base", "main"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: git rev-parse --show-prefix: fatal: not a git repo")


def test_a_spec_that_does_not_parse_fails(repo, capsys):
    (repo / "environments" / "dev.yaml").write_text("name: [dev\n")
    assert main(["changed", "--base", "main"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("environments/dev.yaml:")


# --------------------------------------------------------------------------
# fail closed: a dependency or an environment vanished


def test_a_deleted_extends_base_names_its_former_dependents(repo, capsys):
    (repo / "environments" / "_base.yaml").write_text("gateway: base-gw\n")
    for name in ("qa", "uat"):
        spec = (
            (repo / "environments" / "dev.yaml").read_text().replace("name: dev", f"name: {name}")
        )
        (repo / "environments" / f"{name}.yaml").write_text("extends: _base.yaml\n" + spec)
    commit(repo)
    git(repo, "branch", "-f", "main", "HEAD")
    (repo / "environments" / "_base.yaml").unlink()
    assert main(["changed", "--base", "main"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: environments/_base.yaml: no such file, but qa, uat extend it (deleted or "
        "renamed?); restore it, or point their 'extends:' at the file that replaces it\n"
    )


def test_an_applied_environment_whose_file_is_gone_fails_naming_it(repo, capsys):
    from generator import records, spec

    project = Project(repo)
    records.write(project, records.of_spec(project, spec.load(repo / "environments/prod.yaml")))
    commit(repo)
    git(repo, "branch", "-f", "main", "HEAD")
    git(repo, "mv", "environments/prod.yaml", "environments/production.yaml")
    assert main(["changed", "--base", "main"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(
        "error: environments/prod.yaml: environment 'prod' was applied (see "
        "environments/locks/prod.applied.json) but its spec file is gone (deleted or renamed)"
    )
    assert "restore environments/prod.yaml, set 'retired: true', apply it" in line


def test_a_removed_file_without_a_record_is_a_note(repo, capsys):
    (repo / "environments" / "staging.yaml").unlink()
    assert main(["changed", "--base", "main"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "environments/staging.yaml was removed; there is no record of it being applied" in (
        captured.err
    )


# --------------------------------------------------------------------------
# dependencies: generator/, templates/, modules/, package metadata


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("generator/authorizer.py", ALL),
        ("generator/project.py", ALL),
        ("generator/files.py", ALL),
        ("generator/commands/apply.py", ALL),
        ("generator/commands/steps.py", ALL),
        ("generator/a_new_module.py", ALL),
        ("generator/scaffold/anything.txt", ALL),
        ("generator/providers/cognito.py", COGNITO),
        ("generator/providers/auth0.py", ["staging"]),
        ("generator/tokens.py", []),
        ("generator/verify/checks.py", []),
        ("generator/terraform/runner.py", []),
        ("generator/terraform/version.py", ALL),
        ("generator/ui.py", []),
        ("generator/commands/verify.py", []),
        ("templates/README.md", ALL),
        ("templates/auth0/main.tf.j2", ["staging"]),
        ("modules/README.md", ALL),
        ("modules/cognito/examples/basic/main.tf", COGNITO),
        ("pyproject.toml", ALL),
        ("setup.py", ALL),
        ("tests/test_changed.py", []),
        ("docs/interfaces.md", []),
        ("environments/locks/dev.applied.json", []),
    ],
)
def test_what_a_code_change_marks(repo, path, expected):
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# changed\n")
    assert impact_of(repo).environments == expected


def test_every_excluded_module_is_outside_what_renders_and_writes_the_authorizer():
    """The modules NO_RENDER_EFFECT leaves out are not imported (at module
    level, transitively) by the code that renders a root or builds the
    authorizer file."""
    import ast

    def imports(module: str) -> set[str]:
        path = REPO / (module.replace(".", "/") + ".py")
        if not path.is_file():
            path = REPO / module.replace(".", "/") / "__init__.py"
        tree = ast.parse(path.read_text())
        found = set()
        for node in tree.body:  # module level only (not TYPE_CHECKING, not functions)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        return {m for m in found if m.startswith("generator") and _exists(m)}

    def _exists(module: str) -> bool:
        base = REPO / module.replace(".", "/")
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()

    seen: set[str] = set()
    todo = ["generator.render", "generator.authorizer", "generator.spec"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(imports(module))
    files = {m.replace(".", "/") + ".py" for m in seen}
    excluded = {p for p in files if matches(list(NO_RENDER_EFFECT), p)}
    assert excluded == set(), f"excluded but used to render: {sorted(excluded)}"
    assert "generator/providers/cognito.py" in files  # the walk found the rendering code


def test_matching_follows_atlantis_when_modified():
    """Docker's .dockerignore matching, which Atlantis applies to when_modified."""
    assert matches(["modules/**"], "modules/cognito/main.tf")
    assert matches(["modules/cognito"], "modules/cognito/main.tf")  # a parent directory
    assert matches(["modules/*"], "modules/cognito/main.tf")  # modules/cognito matches
    assert not matches(["generator/*.py"], "generator/providers/x.py")
    assert matches(["generator/*.py"], "generator/spec.py")
    assert not matches(["generator/**", "!generator/ui.py"], "generator/ui.py")
    assert matches(["generator/**", "!generator/ui.py", "generator/ui.py"], "generator/ui.py")
    assert matches(["a?c"], "abc") and not matches(["a?c"], "a/c")
    assert not matches([], "anything")


def test_a_provider_entry_affects_its_provider_only(repo):
    (repo / "generator" / "providers").mkdir(parents=True)
    (repo / "generator" / "providers" / "auth0.py").write_text("# entry\n")
    assert impact_of(repo).environments == ["staging"]
    (repo / "generator" / "providers" / "base.py").write_text("# protocol\n")
    assert impact_of(repo).environments == ["dev", "local", "prod", "staging"]
