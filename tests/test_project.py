"""Project layout helpers."""

from __future__ import annotations

import pytest

from generator.errors import AuthgenError
from generator.project import Project


def test_find_walks_up_to_the_project(tmp_path):
    (tmp_path / "environments").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert Project.find(deep).root == tmp_path.resolve()


def test_spec_path_takes_names_and_paths(tmp_path):
    project = Project(tmp_path)
    assert project.spec_path("dev") == tmp_path / "environments" / "dev.yaml"
    assert str(project.spec_path("other/x.yaml")) == "other/x.yaml"


def test_a_symlink_out_of_the_project_is_refused(tmp_path):
    root = tmp_path / "project"
    (root / "authorizers").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "authorizers" / "out").symlink_to(tmp_path / "elsewhere")
    project = Project(root)
    assert (
        project.resolve_inside("authorizers/dev.json")
        == (root / "authorizers" / "dev.json").resolve()
    )
    with pytest.raises(AuthgenError, match="resolves outside the project"):
        project.resolve_inside("authorizers/out/dev.json")
