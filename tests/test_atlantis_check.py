"""generator.atlantis_check: Atlantis' repo-config rules, one line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator import atlantis
from generator.atlantis_check import ServerSettings, problems

REPO = Path(__file__).resolve().parent.parent
ALLOWING = ServerSettings(True, frozenset({"workflow", "apply_requirements"}))


def test_the_documented_server_settings_are_the_ones_the_generated_config_needs():
    doc = yaml.safe_load((REPO / "docs" / "atlantis-repos.yaml").read_text())
    server = ServerSettings.from_repos_yaml(doc, "github.com/acme/gateway-auth")
    assert server.allow_custom_workflows is atlantis.SERVER_SETTINGS["allow_custom_workflows"]
    assert server.allowed_overrides == set(atlantis.SERVER_SETTINGS["allowed_overrides"])
    assert problems((REPO / "atlantis.yaml").read_text(), server) == []


def test_a_server_that_allows_nothing_refuses_the_workflow_and_the_restricted_keys():
    found = problems((REPO / "atlantis.yaml").read_text(), ServerSettings())
    assert any("allow_custom_workflows: true" in p for p in found)
    assert any("projects[0].workflow: the server does not let" in p for p in found)
    assert any("projects[0].apply_requirements: the server does not let" in p for p in found)


def test_repos_yaml_entries_match_by_exact_id_or_regex_and_later_ones_win():
    doc = {
        "repos": [
            {"id": "/.*/", "allow_custom_workflows": True, "allowed_overrides": ["workflow"]},
            {"id": "github.com/acme/other", "allow_custom_workflows": False},
        ]
    }
    assert ServerSettings.from_repos_yaml(doc, "github.com/acme/x").allow_custom_workflows
    other = ServerSettings.from_repos_yaml(doc, "github.com/acme/other")
    assert other.allow_custom_workflows is False
    assert other.allowed_overrides == {"workflow"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("projects: []\n", "version: is required and must be 3"),
        ("version: 2\n", "version: 2: this checker expects version 3"),
        ("version: 3\nautomerge: 'yes'\n", "automerge: must be true or false"),
        ("version: 3\nproject: []\n", "project: not a key Atlantis knows here"),
        ("version: 3\nprojects:\n- name: a\n", "projects[0].dir: is required"),
        ("version: 3\nprojects:\n- dir: .\n  workspace: a/b\n", "cannot contain '/' or '\\'"),
        ("version: 3\nprojects:\n- dir: .\n  workspace: -x\n", "cannot start with '-'"),
        ("version: 3\nprojects:\n- dir: .\n  name: 'a b'\n", "must contain only URL-safe"),
        ("version: 3\nprojects:\n- dir: .\n  branch: main\n", "begins and ends with '/'"),
        ("version: 3\nprojects:\n- dir: .\n  branch: /ma(in/\n", "branch: not a regex"),
        (
            "version: 3\nprojects:\n- dir: .\n  apply_requirements: [reviewed]\n",
            "'reviewed' is not one of approved, mergeable, undiverged",
        ),
        ("version: 3\nprojects:\n- dir: .\n  autoplan: {when: []}\n", "autoplan.when: not a key"),
        (
            "version: 3\nprojects:\n- dir: .\n- dir: .\n  name: b\n",
            "several projects have dir '.' and workspace 'default' but not all are named",
        ),
        ("version: 3\nprojects:\n- dir: .\n  workflow: nope\n", "'nope' is defined neither"),
        ("version: 3\nautodiscover: {mode: off}\n", "autodiscover.mode"),
        (
            "version: 3\nworkflows:\n  w:\n    plan:\n      steps: [{run: {cmd: x}}]\n",
            "run.cmd: not a key of run steps",
        ),
        (
            "version: 3\nworkflows:\n  w:\n    plan:\n      steps: [{plan: {args: [x]}}]\n",
            "built-in step 'plan' takes only 'extra_args'",
        ),
        ("version: 3\nworkflows:\n  w:\n    deploy: {steps: []}\n", "w.deploy: not a key"),
        ("version: [\n", "not YAML"),
    ],
)
def test_each_rule_names_the_key_and_what_is_wrong(text, expected):
    found = problems(text, ALLOWING)
    assert any(expected in p for p in found), found


def test_same_dir_with_distinct_named_workspaces_is_fine():
    text = (
        "version: 3\nprojects:\n- {name: dev, dir: ., workspace: dev}\n"
        "- {name: prod, dir: ., workspace: prod}\n"
    )
    assert problems(text, ALLOWING) == []
