"""What both modules share: formatting, layout, the typed inputs pinned in
docs/interfaces.md, and the output contract."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.modules.tfhelpers import CONTRACT_OUTPUTS, MODULES, REPO, labelled, load_module, unquote

MODULE_NAMES = ("cognito", "auth0")
INTERFACES = REPO / "docs" / "interfaces.md"


@pytest.mark.terraform
def test_terraform_fmt_check(terraform_bin):
    proc = subprocess.run(
        [terraform_bin, "fmt", "-check", "-recursive", "-diff", "-no-color", str(MODULES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"run 'terraform fmt -recursive modules':\n{proc.stdout}"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_layout(name):
    module = MODULES / name
    for file in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (module / file).is_file(), f"{module}/{file} is missing"
    examples = [p for p in (module / "examples").iterdir() if p.is_dir()]
    assert examples, f"{module}/examples has no example"
    for example in examples:
        assert list(example.glob("*.tf")), f"{example} holds no Terraform files"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_variables_are_described_and_precisely_typed(name):
    variables = labelled(load_module(MODULES / name)["variable"])
    for var, body in variables.items():
        assert unquote(body.get("description", "")).strip(), f"variable {var} has no description"
        assert "type" in body, f"variable {var} has no type"
        assert not re.search(r"\bany\b", body["type"]), f"variable {var} is typed with any"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_outputs_are_the_contract(name):
    outputs = labelled(load_module(MODULES / name)["output"])
    assert set(outputs) == CONTRACT_OUTPUTS
    for out, body in outputs.items():
        assert unquote(body.get("description", "")).strip(), f"output {out} has no description"
    assert {o for o, b in outputs.items() if b.get("sensitive") is True} == {"client_secrets"}


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_resources_of_a_kind_are_called_this(name):
    module = load_module(MODULES / name)
    names = {
        unquote(label)
        for entry in module.get("resource", [])
        for named in entry.values()
        for label in named
    }
    assert names == {"this"}


def _interface_table(module: str) -> dict[str, tuple[str, str]]:
    """{variable: (type, default)} from the module's table in docs/interfaces.md."""
    text = INTERFACES.read_text(encoding="utf-8")
    section = text.split(f"### `modules/{module}`", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1].strip("`"), cells[2].strip("`"))
    return rows


def _squash(text: str) -> str:
    """An HCL type expression without python-hcl2's ${...} wrapper or spaces."""
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return re.sub(r"\s+", "", text)


def _default_text(value: object) -> str:
    """A parsed default as the interfaces table writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        items = {k: v for k, v in value.items() if k != "__is_block__"}
        return json.dumps(items) if items else "{}"
    return str(value)  # strings keep their quotes: "ESSENTIALS"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_inputs_match_docs_interfaces(name):
    """The renderer is written against docs/interfaces.md: same names, types,
    defaults. A change on either side must change both."""
    pinned = _interface_table(name)
    assert pinned, f"no table for modules/{name} in {INTERFACES}"
    variables = labelled(load_module(MODULES / name)["variable"])
    assert sorted(variables) == sorted(pinned)
    for var, body in variables.items():
        pinned_type, pinned_default = pinned[var]
        assert _squash(body["type"]) == _squash(pinned_type), var
        if pinned_default == "required":
            assert "default" not in body, f"{var} must be required"
        else:
            assert _default_text(body["default"]) == pinned_default, var
