"""scripts/module_docs.py: the README tables are current, and the script
renders, checks and rewrites them as documented."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import pytest

from tests.modules.tfhelpers import REPO

SCRIPT = REPO / "scripts" / "module_docs.py"


@pytest.fixture(scope="module")
def module_docs():
    spec = importlib.util.spec_from_file_location("module_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_module_readmes_are_current():
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def small_module(tmp_path):
    module = tmp_path / "mod"
    module.mkdir()
    (module / "versions.tf").write_text(
        textwrap.dedent(
            """\
            terraform {
              required_version = ">= 1.5"
              required_providers {
                aws = {
                  source  = "hashicorp/aws"
                  version = ">= 5.83, < 7.0"
                }
              }
            }
            """
        )
    )
    (module / "variables.tf").write_text(
        textwrap.dedent(
            """\
            variable "name" {
              description = "Name of the <thing> | pipe"
              type        = string
            }

            variable "items" {
              description = "Items"
              type = list(object({
                name  = string
                count = optional(number, 1)
              }))
              default = []
            }

            variable "tier" {
              description = "Tier"
              type        = string
              default     = "ESSENTIALS"
            }
            """
        )
    )
    (module / "outputs.tf").write_text(
        textwrap.dedent(
            """\
            output "id" {
              description = "The id"
              value       = "x"
            }

            output "secret" {
              description = "The secret"
              value       = "y"
              sensitive   = true
            }
            """
        )
    )
    (module / "README.md").write_text(
        "# mod\n\nProse stays.\n\n<!-- BEGIN_TF_DOCS -->\nold\n<!-- END_TF_DOCS -->\n\nTail.\n"
    )
    return module


def test_tables(module_docs, small_module):
    tables = module_docs.render_tables(module_docs.read_module(small_module))
    assert "| terraform | `>= 1.5` |" in tables
    assert "| aws (hashicorp/aws) | `>= 5.83, < 7.0` |" in tables
    rows = [line for line in tables.splitlines() if line.startswith("| `")]
    # Required inputs first, then by name; outputs by name.
    assert rows == [
        "| `name` | Name of the &lt;thing&gt; \\| pipe | `string` | n/a | yes |",
        "| `items` | Items | `list(object({name = string, count = optional(number, 1)}))` "
        "| `[]` | no |",
        '| `tier` | Tier | `string` | `"ESSENTIALS"` | no |',
        "| `id` | The id | no |",
        "| `secret` | The secret | yes |",
    ]


def test_write_then_check(module_docs, small_module):
    readme = small_module / "README.md"
    assert module_docs.main(["--check", str(small_module)]) == 1
    assert "old" in readme.read_text()  # --check changes nothing
    assert module_docs.main([str(small_module)]) == 0
    text = readme.read_text()
    assert text.startswith("# mod\n\nProse stays.\n\n<!-- BEGIN_TF_DOCS -->\n## Requirements")
    assert text.endswith("<!-- END_TF_DOCS -->\n\nTail.\n")
    assert "old" not in text
    assert module_docs.main(["--check", str(small_module)]) == 0
    # A changed description makes the README stale again.
    variables = small_module / "variables.tf"
    variables.write_text(variables.read_text().replace('"Tier"', '"Feature tier"'))
    assert module_docs.main(["--check", str(small_module)]) == 1


def test_missing_markers_are_an_error(module_docs, small_module, capsys):
    (small_module / "README.md").write_text("# mod\n")
    assert module_docs.main([str(small_module)]) == 1
    assert "BEGIN_TF_DOCS" in capsys.readouterr().err


def test_not_a_module_is_an_error(module_docs, tmp_path, capsys):
    assert module_docs.main([str(tmp_path)]) == 1
    assert "no *.tf files" in capsys.readouterr().err
