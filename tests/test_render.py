"""Rendering: golden files, determinism, the escaping filter, the writer,
and properties over generated specs.

Regenerate the golden files after an intended change with ``make golden``
(``UPDATE_GOLDEN=1 pytest tests/test_render.py``) and review the diff.
"""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator import render, spec

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = ["dev", "staging", "prod", "local"]


def load_example(name: str) -> spec.Spec:
    return spec.load(REPO / "environments" / f"{name}.yaml")


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden(name):
    files = render.render(load_example(name))
    directory = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.iterdir():
            stale.unlink()
        for file_name, text in files.items():
            (directory / file_name).write_text(text)
    expected = {p.name: p.read_text() for p in directory.iterdir()}
    assert files == expected, (
        f"rendered {name} differs from tests/golden/{name}; run 'make golden' if intended"
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_render_is_deterministic(name):
    assert render.render(load_example(name)) == render.render(load_example(name))


def test_tfvars_is_sorted_json_with_every_value():
    files = render.render(load_example("dev"))
    text = files[render.TFVARS]
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["user_pool_name"] == "gateway-user-pool"
    assert data["resource_server"]["identifier"] == "gateway-resource-server"
    assert data["clients"] == [
        {"name": "gateway-client", "scopes": ["read", "write"], "access_token_validity_minutes": 60}
    ]
    assert data["default_tags"]["AuthgenEnvironment"] == "dev"
    assert data["endpoint_url"] is None


def test_emulator_settings_only_with_an_endpoint():
    dev = render.render(load_example("dev"))["providers.tf"]
    local = render.render(load_example("local"))["providers.tf"]
    assert "skip_credentials_validation" not in dev
    assert "endpoints" not in dev
    for needle in (
        "skip_credentials_validation = true",
        "skip_requesting_account_id  = true",
        "cognitoidp = var.endpoint_url",
        "sts        = var.endpoint_url",
        "max_retries",
    ):
        assert needle in local


def test_auth0_root_uses_the_auth0_module():
    files = render.render(load_example("staging"))
    assert 'source = "../../modules/auth0"' in files["main.tf"]
    assert 'source  = "auth0/auth0"' in files["versions.tf"]
    assert "hashicorp/aws" not in "".join(files.values())
    data = json.loads(files[render.TFVARS])
    assert data["api"]["identifier"] == "gateway123"
    assert data["domain"] == "dev-example.us.auth0.com"


def test_client_claims_reach_the_modules_split_by_type(tmp_path):
    """Terraform types a map's values alike: string claims and list claims go
    to the modules as two maps, and neither key is written when empty."""
    text = (
        (REPO / "environments" / "staging.yaml")
        .read_text()
        .replace(
            '      scopes: ["invoke:gateway"]\n',
            '      scopes: ["invoke:gateway"]\n'
            "      claims: {https://example.com/team: platform, teams: [a, b]}\n",
        )
    )
    path = tmp_path / "staging.yaml"
    path.write_text(text)
    data = json.loads(render.render(spec.load(path))[render.TFVARS])
    (client,) = data["clients"]
    assert client["claims"] == {"https://example.com/team": "platform"}
    assert client["list_claims"] == {"teams": ["a", "b"]}
    plain = json.loads(render.render(load_example("dev"))[render.TFVARS])
    assert not {"claims", "list_claims"} & set(plain["clients"][0])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", '"plain"'),
        ('quo"te', '"quo\\"te"'),
        ("back\\slash", '"back\\\\slash"'),
        ("${var.x}", '"$${var.x}"'),
        ("%{ if true }", '"%%{ if true }"'),
        ("new\nline", '"new\\nline"'),
        (True, "true"),
        (3, "3"),
    ],
)
def test_hcl_filter_escapes(value, expected):
    assert render.hcl_string(value) == expected


def test_hcl_filter_refuses_collections():
    with pytest.raises(TypeError):
        render.hcl_string(["a"])


def _with_state(state: dict) -> spec.Spec:
    data = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    data["state"] = state
    spec.apply_derived(data, "dev")
    return spec.Spec.model_validate(data)


def test_s3_backend_values_go_through_the_filter():
    tricky = _with_state(
        {"backend": "s3", "bucket": "state-b", "key": 'k"${x}', "kms_key_id": "alias/k"}
    )
    backend = render.render(tricky)["backend.tf"]
    assert 'key          = "k\\"$${x}"' in backend
    assert 'kms_key_id   = "alias/k"' in backend
    assert 'region       = "us-west-2"' in backend
    assert render.required_version(tricky) == ">= 1.10.0"
    assert render.minimum_terraform_version(tricky) == "1.10.0"
    # Against AWS: no endpoint override, no dummy keys, every AWS check on.
    for emulator_only in ("endpoints", "use_path_style", "access_key", "skip_"):
        assert emulator_only not in backend


def test_required_version_is_the_runners_floor():
    """The rendered root and the runner's version check name the same floor."""
    from generator.terraform import MIN_VERSION

    local = spec.load(REPO / "environments" / "local.yaml")
    assert render.minimum_terraform_version(local) == MIN_VERSION
    assert f'required_version = ">= {MIN_VERSION}"' in render.render(local)["versions.tf"]
    # ... and the README tells users the same
    major_minor = ".".join(MIN_VERSION.split(".")[:2])
    assert f"**Terraform >= {major_minor}.**" in (REPO / "README.md").read_text()


def test_s3_backend_on_an_emulator_points_there_with_dummy_keys():
    on_emulator = _with_state({"backend": "s3", "bucket": "state-b"}).with_endpoint(
        "http://127.0.0.1:4566"
    )
    backend = render.render(on_emulator)["backend.tf"]
    assert 's3  = "http://127.0.0.1:4566"' in backend
    assert 'sts = "http://127.0.0.1:4566"' in backend
    assert f'access_key                  = "{render.EMULATOR_KEY}"' in backend
    for line in (
        "use_path_style              = true",
        "skip_credentials_validation = true",
        "skip_metadata_api_check     = true",
        "skip_region_validation      = true",
        "skip_requesting_account_id  = true",
    ):
        assert line in backend
    # The local back end has nothing to point anywhere.
    local = render.render(_with_state({"backend": "local"}).with_endpoint("http://127.0.0.1:4566"))
    assert "endpoints" not in local["backend.tf"]


def test_backend_template_inlines_values_only_through_the_hcl_filter():
    """Every ``{{ ... }}`` in the backend template that is a value (not the
    header comment) passes through ``hcl``."""
    import re

    text = (REPO / "templates" / "common" / "backend.tf.j2").read_text()
    expressions = re.findall(r"{{(.*?)}}", text)
    values = [e.strip() for e in expressions if e.strip() != "header"]
    assert values, "the template inlines no values?"
    assert all(e.endswith("| hcl") for e in values), values


def test_cloud_backend():
    cloud = render.render(_with_state({"backend": "cloud", "organization": "acme"}))["backend.tf"]
    assert 'organization = "acme"' in cloud
    assert 'name = "my-gateway-dev"' in cloud
    assert "backend" not in cloud.split("\n", 1)[1]


def test_write_build_keeps_terraform_files_and_removes_stale(tmp_path):
    keep = {
        ".terraform/providers/x": "provider",
        ".terraform.lock.hcl": "lock",
        "terraform.tfstate": "{}",
        "tfplan": "plan",
    }
    for rel, text in keep.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    files = render.render(load_example("dev"))
    render.write_build(tmp_path, {**files, "providers.tf": "old"})
    render.write_build(tmp_path, {k: v for k, v in files.items() if k != "backend.tf"})
    for rel, text in keep.items():
        assert (tmp_path / rel).read_text() == text
    assert not (tmp_path / "backend.tf").exists()
    assert (tmp_path / "providers.tf").read_text() == files["providers.tf"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_build_failure_leaves_earlier_files(tmp_path):
    files = render.render(load_example("dev"))
    render.write_build(tmp_path, files)
    before = {p.name: p.read_text() for p in tmp_path.iterdir()}
    broken = {**files, "variables.tf": None}  # writing None fails mid-way
    with pytest.raises(TypeError):
        render.write_build(tmp_path, broken)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == before


# --------------------------------------------------------------------------
# Properties: any accepted spec renders; its strings reach terraform.tfvars.json
# byte for byte and never the .tf files (which depend on structure only).

AWS_NAME = st.text(
    string.ascii_letters + string.digits + " +=,.@-_", min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s.strip())
SCOPE_NAME = st.text(
    "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"/\\'), min_size=1, max_size=20
)
IDENTIFIER = st.text(
    "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\'), min_size=1, max_size=30
)
DESCRIPTION = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() == s and s)


@st.composite
def cognito_specs(draw):
    scopes = draw(st.lists(SCOPE_NAME, min_size=1, max_size=4, unique=True))
    clients = draw(st.lists(AWS_NAME, min_size=1, max_size=3, unique=True))
    return {
        "name": "prop",
        "provider": "cognito",
        "gateway": "gw",
        "region": "us-west-2",
        "protected": draw(st.booleans()),
        "cognito": {
            "user_pool_name": draw(AWS_NAME),
            "resource_server": {
                "identifier": draw(IDENTIFIER),
                "name": draw(AWS_NAME),
                "scopes": [{"name": s, "description": draw(DESCRIPTION)} for s in scopes],
            },
            "clients": [
                {
                    "name": c,
                    "scopes": draw(st.lists(st.sampled_from(scopes), min_size=1, unique=True)),
                    "access_token_validity_minutes": draw(st.integers(5, 1440)),
                }
                for c in clients
            ],
        },
    }


@st.composite
def auth0_specs(draw):
    scopes = draw(st.lists(IDENTIFIER, min_size=1, max_size=4, unique=True))
    return {
        "name": "prop",
        "provider": "auth0",
        "gateway": "gw",
        "auth0": {
            "domain": "tenant.eu.auth0.com",
            "api": {
                "name": draw(DESCRIPTION),
                "identifier": draw(IDENTIFIER),
                "scopes": [{"name": s, "description": draw(DESCRIPTION)} for s in scopes],
            },
            "clients": [
                {
                    "name": draw(DESCRIPTION).replace("<", "").replace(">", "") or "c",
                    "scopes": scopes[:1],
                }
            ],
        },
    }


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


REFERENCE_TF = {
    provider: {k: v for k, v in render.render(load_example(example)).items() if k.endswith(".tf")}
    for provider, example in (("cognito", "dev"), ("auth0", "staging"))
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(cognito_specs(), auth0_specs()))
def test_accepted_specs_render_with_values_only_in_tfvars(tmp_path, data):
    path = tmp_path / "prop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        loaded = spec.load(path)
    except spec.SpecError as err:  # generated data may break a cross-key rule
        assert all("prop.yaml:" in line for line in err.problems)
        event("rejected by a cross-key rule")
        return
    event(f"rendered {loaded.provider}")
    files = render.render(loaded)
    tf = {k: v for k, v in files.items() if k.endswith(".tf")}
    assert tf == REFERENCE_TF[loaded.provider]
    tfvars_text = files[render.TFVARS]
    for value in _strings(data[loaded.provider]):
        assert json.dumps(value, ensure_ascii=False) in tfvars_text
