"""generator.plan_summary: masked summaries of real and hand-written plans."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.plan_summary import SENSITIVE, UNKNOWN, counts_line, summarize, to_json, to_markdown
from generator.ui import plan_summary_renderable

REPO = Path(__file__).resolve().parent.parent
OLD_SECRET = "old-s3cret-0f9a2b"
NEW_SECRET = "new-s3cret-7c21d4"

ROOT = """
variable "secret" {
  type      = string
  sensitive = true
}

variable "plain" {
  type = string
}

variable "second_round" {
  type = bool
}

# update of a sensitive attribute; its computed "output" copies the value unmarked
resource "terraform_data" "token" {
  input = var.secret
}

# replace forced by a sensitive list, with a nested sensitive value
resource "terraform_data" "nested" {
  input            = { name = "n", token = var.secret }
  triggers_replace = [var.secret]
}

resource "terraform_data" "plain" {
  input = var.plain
}

resource "terraform_data" "added" {
  count = var.second_round ? 1 : 0
  input = "fresh"
}

resource "terraform_data" "removed" {
  count = var.second_round ? 0 : 1
  input = "old"
}

output "secret" {
  value     = var.secret
  sensitive = true
}

output "bundle" {
  value     = { kind = "bundle", secret = var.secret }
  sensitive = true
}

output "plain" {
  value = var.plain
}
"""


def render_rich(summary: dict) -> str:
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(plan_summary_renderable(summary))
    return buf.getvalue()


def all_renderings(summary: dict) -> str:
    return "\n".join([repr(summary), to_json(summary), to_markdown(summary), render_rich(summary)])


@pytest.fixture(scope="module")
def real_plans(terraform_bin, tmp_path_factory) -> tuple[dict, dict]:
    """(first plan: all creates, second plan: every kind of change) from terraform."""
    from generator.terraform import Runner

    base = tmp_path_factory.mktemp("plan-summary")
    workdir = base / "build" / "dev"
    workdir.mkdir(parents=True)
    (workdir / "main.tf").write_text(ROOT)
    tfvars = workdir / "terraform.tfvars.json"
    tfvars.write_text(json.dumps({"secret": OLD_SECRET, "plain": "p1", "second_round": False}))
    runner = Runner(workdir, lock_file=None, plugin_cache_dir=base / "cache")
    runner.init()
    first = runner.plan(workdir / "plan.tfplan")
    first_doc = runner.show_json(first.path)
    runner.apply(first.path)
    tfvars.write_text(json.dumps({"secret": NEW_SECRET, "plain": "p2", "second_round": True}))
    second_doc = runner.show_json(runner.plan(workdir / "plan.tfplan").path)
    # show -json holds the secrets in clear: the masking below is doing real work.
    assert OLD_SECRET in json.dumps(second_doc) and NEW_SECRET in json.dumps(second_doc)
    return first_doc, second_doc


# -- real plans ------------------------------------------------------------------


@pytest.mark.terraform
def test_real_plan_actions_counts_and_outputs(real_plans):
    summary = summarize(real_plans[1], environment="dev")
    actions = {r["address"]: r["action"] for r in summary["resources"]}
    assert actions == {
        "terraform_data.nested": "replace",
        "terraform_data.removed[0]": "delete",
        "terraform_data.plain": "update",
        "terraform_data.token": "update",
        "terraform_data.added[0]": "create",
    }
    assert [r["address"] for r in summary["resources"]][:2] == [
        "terraform_data.nested",
        "terraform_data.removed[0]",
    ]
    assert summary["counts"] == {
        "create": 1,
        "update": 2,
        "replace": 1,
        "delete": 1,
        "read": 0,
        "no-op": 0,
    }
    assert summary["changes"] is True
    assert summary["warnings"] == []  # terraform_data is not a breaking type
    nested = summary["resources"][0]
    assert nested["replace_paths"] == ["triggers_replace"]
    assert nested["reason"] == "replace_because_cannot_update"
    plain = next(r for r in summary["resources"] if r["address"] == "terraform_data.plain")
    assert {a["name"]: (a["before"], a["after"]) for a in plain["attributes"]} == {
        "input": ("p1", "p2"),
        "output": ("p1", UNKNOWN),
    }
    outputs = {o["name"]: o for o in summary["outputs"]}
    assert outputs["plain"] == {
        "name": "plain",
        "action": "update",
        "sensitive": False,
        "before": "p1",
        "after": "p2",
    }
    assert outputs["secret"]["sensitive"] is True
    assert outputs["secret"]["before"] == outputs["secret"]["after"] == SENSITIVE
    assert outputs["bundle"]["after"] == SENSITIVE
    assert counts_line(summary) == (
        "Plan: 1 to create, 2 to update, 1 to replace, 1 to delete; 3 output changes."
    )


@pytest.mark.terraform
@pytest.mark.parametrize("which", [0, 1], ids=["create", "update-replace-delete"])
def test_real_plan_never_shows_a_sensitive_value(real_plans, which):
    summary = summarize(real_plans[which], environment="dev")
    text = all_renderings(summary)
    assert OLD_SECRET not in text
    assert NEW_SECRET not in text
    assert SENSITIVE in text


@pytest.mark.terraform
def test_values_derived_from_a_secret_are_masked_too(real_plans):
    """terraform_data.output copies the sensitive input without terraform's mark."""
    summary = summarize(real_plans[1], environment="dev")
    token = next(r for r in summary["resources"] if r["address"] == "terraform_data.token")
    assert {a["name"]: (a["before"], a["after"]) for a in token["attributes"]} == {
        "input": (SENSITIVE, SENSITIVE),
        "output": (SENSITIVE, UNKNOWN),
    }
    nested = summary["resources"][0]
    output = next(a for a in nested["attributes"] if a["name"] == "output")
    assert output["before"] == {"name": "n", "token": SENSITIVE}


@pytest.mark.terraform
def test_real_plan_markdown(real_plans):
    md = to_markdown(summarize(real_plans[1], environment="dev"))
    assert md.startswith("<!-- authgen-plan:dev -->\n## authgen plan: `dev`\n\n")
    assert "**Plan: 1 to create, 2 to update, 1 to replace, 1 to delete; 3 output changes.**" in md
    assert (
        "| :warning: | `terraform_data.nested` | **replace** | `id`, `input`, `output`, "
        "`triggers_replace` (forces replacement) |"
    ) in md
    assert "| `plain` | update | `p1` | `p2` |" in md
    assert "| `secret` | update | _(sensitive value)_ | _(sensitive value)_ |" in md
    assert md.endswith("</details>\n")


# -- hand-written plans ------------------------------------------------------------


def change(address, actions, before=None, after=None, **extra):
    rtype, name = address.split(".")[:2]
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": extra.pop("after_unknown", {}),
            "before_sensitive": extra.pop("before_sensitive", False),
            "after_sensitive": extra.pop("after_sensitive", False),
            **extra,
        },
    }


def plan(*resource_changes, **rest):
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": list(resource_changes),
        **rest,
    }


POOL_REPLACE = change(
    "aws_cognito_user_pool.this",
    ["delete", "create"],
    {"id": "us-west-2_AbC", "name": "pool-a"},
    {"name": "pool-b"},
    after_unknown={"id": True},
    replace_paths=[["name"]],
)


def test_replacing_a_user_pool_is_flagged_loudly():
    summary = summarize(
        plan(
            change("aws_cognito_user_pool_domain.this", ["create"], None, {"domain": "x"}),
            POOL_REPLACE,
        ),
        environment="prod",
    )
    assert summary["warnings"] == [
        "aws_cognito_user_pool.this will be REPLACED (aws_cognito_user_pool): a new user pool id "
        "changes the issuer, discovery URL and JWKS, and every app client id and secret; update "
        "the Gateway authorizer and every caller. Forced by: name."
    ]
    assert summary["resources"][0]["breaking"] is True
    md = to_markdown(summary)
    caution = md.index("> [!CAUTION]")
    assert caution < md.index("**Plan:") < md.index("| | Resource |")
    assert "| :rotating_light: | `aws_cognito_user_pool.this` | **replace** |" in md
    assert "REPLACEMENT: aws_cognito_user_pool.this will be REPLACED" in render_rich(summary)


@pytest.mark.parametrize(
    "rtype",
    [
        "aws_cognito_user_pool_client",
        "aws_cognito_resource_server",
        "auth0_client",
        "auth0_resource_server",
    ],
)
def test_every_breaking_type_is_flagged_on_replace_only(rtype):
    replaced = summarize(
        plan(change(f"{rtype}.this", ["create", "delete"], {"a": 1}, {"a": 2})), environment="e"
    )
    assert len(replaced["warnings"]) == 1 and replaced["warnings"][0].startswith(
        f"{rtype}.this will be REPLACED"
    )
    updated = summarize(
        plan(change(f"{rtype}.this", ["update"], {"a": 1}, {"a": 2})), environment="e"
    )
    assert updated["warnings"] == []


def test_no_changes():
    summary = summarize(
        plan(
            change("terraform_data.x", ["no-op"], {"input": "a"}, {"input": "a"}), output_changes={}
        ),
        environment="dev",
    )
    assert summary["changes"] is False
    assert summary["resources"] == []
    assert summary["counts"]["no-op"] == 1
    assert counts_line(summary) == "No changes."
    assert to_markdown(summary) == (
        "<!-- authgen-plan:dev -->\n## authgen plan: `dev`\n\n"
        "**No changes.** The infrastructure matches the configuration.\n"
    )
    assert "No changes." in render_rich(summary)


def test_secret_named_attributes_are_masked_even_without_a_mark():
    summary = summarize(
        plan(
            change(
                "auth0_client.this",
                ["update"],
                {"name": "a", "client_secret": "xyzzy-unmarked", "generate_secret": True},
                {"name": "b", "client_secret": "xyzzy-unmarked-2", "generate_secret": False},
            )
        ),
        environment="dev",
    )
    attrs = {a["name"]: (a["before"], a["after"]) for a in summary["resources"][0]["attributes"]}
    assert attrs == {
        "name": ("a", "b"),
        "client_secret": (SENSITIVE, SENSITIVE),
        "generate_secret": (True, False),  # a flag, not a secret
    }
    assert "xyzzy" not in all_renderings(summary)


def test_a_mask_that_does_not_fit_the_value_masks_all_of_it():
    summary = summarize(
        plan(
            change(
                "terraform_data.x",
                ["update"],
                {"input": "plain-before"},
                {"input": ["odd-shape-secret"]},
                after_sensitive={"input": {"unexpected": True}},
            )
        ),
        environment="dev",
    )
    attr = summary["resources"][0]["attributes"][0]
    assert attr["after"] == SENSITIVE
    assert "odd-shape-secret" not in all_renderings(summary)


def test_a_secret_inside_a_longer_string_is_masked():
    summary = summarize(
        plan(
            change(
                "terraform_data.a",
                ["update"],
                {"input": "k"},
                {"input": "Bearer tok-123456"},
                after_sensitive={"input": False},
            ),
            change(
                "terraform_data.b",
                ["create"],
                None,
                {"input": "tok-123456"},
                after_sensitive={"input": True},
            ),
        ),
        environment="dev",
    )
    assert "tok-123456" not in all_renderings(summary)


def test_sensitive_outputs_and_unknown_values():
    doc = plan(
        output_changes={
            "client_secrets": {
                "actions": ["create"],
                "before": None,
                "after": {"a": "out-secret-1"},
                "after_unknown": False,
                "before_sensitive": False,
                "after_sensitive": True,
            },
            "issuer": {
                "actions": ["create"],
                "before": None,
                "after_unknown": True,
                "before_sensitive": False,
                "after_sensitive": False,
            },
            "by_config": {
                "actions": ["update"],
                "before": "cfg-old-secret",
                "after": "cfg-new-secret",
                "after_unknown": False,
                "before_sensitive": False,
                "after_sensitive": False,
            },
            "same": {"actions": ["no-op"], "before": 1, "after": 1, "after_unknown": False},
        },
        configuration={"root_module": {"outputs": {"by_config": {"sensitive": True}}}},
    )
    summary = summarize(doc, environment="dev")
    outputs = {o["name"]: (o["action"], o["before"], o["after"]) for o in summary["outputs"]}
    assert outputs == {
        "by_config": ("update", SENSITIVE, SENSITIVE),
        "client_secrets": ("create", None, SENSITIVE),
        "issuer": ("create", None, UNKNOWN),
    }
    assert summary["changes"] is True
    text = all_renderings(summary)
    assert (
        "out-secret-1" not in text and "cfg-old-secret" not in text and "cfg-new-secret" not in text
    )
    assert "| `issuer` | create | - | _(known after apply)_ |" in to_markdown(summary)


def test_sensitive_variables_are_masked_wherever_they_appear():
    doc = plan(
        change("terraform_data.x", ["create"], None, {"input": "var-secret-value"}),
        variables={"token": {"value": "var-secret-value"}, "name": {"value": "visible"}},
        configuration={"root_module": {"variables": {"token": {"sensitive": True}, "name": {}}}},
    )
    assert "var-secret-value" not in all_renderings(summarize(doc, environment="dev"))


def test_drift_read_and_markdown_escaping():
    doc = plan(
        change("terraform_data.pipe", ["update"], {"input": "a|b"}, {"input": "c|d"}),
        {**change("data.aws_region.current", ["read"]), "mode": "data", "type": "aws_region"},
        resource_drift=[
            change("terraform_data.pipe", ["update"], {"input": "z"}, {"input": "a|b"})
        ],
    )
    summary = summarize(doc, environment="dev")
    assert summary["drift"] == [{"address": "terraform_data.pipe", "action": "update"}]
    assert summary["counts"]["read"] == 1
    md = to_markdown(summary)
    assert "`a\\|b` -> `c\\|d`" in md
    assert "### Changed outside Terraform\n\n- `terraform_data.pipe` (update)" in md
    assert (
        counts_line(summary)
        == "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 1 to read."
    )


def test_summarize_is_pure_and_json_is_stable():
    doc = plan(POOL_REPLACE)
    frozen = copy.deepcopy(doc)
    summary = summarize(doc, environment="dev")
    assert doc == frozen
    text = to_json(summary)
    assert text.endswith("}\n")
    assert json.loads(text) == summary
    assert to_json(summarize(doc, environment="dev")) == text
    assert summary["format_version"] == 1 and summary["environment"] == "dev"


def test_long_attribute_lists_are_cut():
    before = {f"attr{i:02d}": 0 for i in range(12)}
    after = {f"attr{i:02d}": i + 1 for i in range(12)}
    summary = summarize(
        plan(change("terraform_data.x", ["update"], before, after)), environment="dev"
    )
    assert len(summary["resources"][0]["attributes"]) == 12
    assert "`attr07`, +4 more |" in to_markdown(summary)


def test_a_create_is_named_not_listed_attribute_by_attribute():
    after = {"name": "gateway-client", **{f"attr{i:02d}": i for i in range(12)}}
    summary = summarize(
        plan(change("aws_cognito_user_pool_client.this", ["create"], None, after)),
        environment="dev",
    )
    assert len(summary["resources"][0]["attributes"]) == 13  # plan.json keeps them all
    row = next(line for line in to_markdown(summary).splitlines() if "| create |" in line)
    assert row.endswith("| `name` = gateway-client |")
    assert "attr00" not in row  # the values stay in the collapsed details block
    nameless = summarize(
        plan(change("terraform_data.x", ["create"], None, {"input": 1})), environment="dev"
    )
    assert "| new |" in to_markdown(nameless)


def test_rich_is_imported_only_when_rendering():
    code = "import sys, generator.plan_summary; sys.exit('rich' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
