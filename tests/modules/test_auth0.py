"""modules/auth0, with what runs offline.

The auth0/auth0 provider cannot be installed here, so `terraform validate`,
`plan` and `apply` cannot run (the validate test says so in its skip reason
and runs where a mirror holds the provider). What does run:

- the variables' validation rules, through Terraform itself (a root module
  holding only the module's variables.tf needs no provider);
- structural checks of the HCL with python-hcl2: resource types, the
  arguments and values the issue asks for, no argument removed in 1.x;
- every argument used checked against an allow-list taken from the
  provider's documentation of the two releases the README names.
"""

from __future__ import annotations

import json
import os
import re
import textwrap

import pytest

from generator import plugins
from tests.modules.tfhelpers import (
    CONTRACT_OUTPUTS,
    MODULES,
    Terraform,
    VariablesRoot,
    argument_paths,
    attribute_references,
    labelled,
    load_hcl,
    load_module,
    resources,
    unquote,
)

MODULE = MODULES / "auth0"

# Arguments (nested blocks as ``block.argument``) that auth0/auth0 documents
# for both v1.0.0 and v1.55.0, the oldest and newest 1.x releases when this was
# written, so the whole range ">= 1.0, < 2.0" accepts them. Taken from the
# "Schema" sections (Required and Optional; Read-Only ones are in READ_ONLY) of
#   https://registry.terraform.io/providers/auth0/auth0/1.0.0/docs/resources/<name>
#   https://registry.terraform.io/providers/auth0/auth0/1.55.0/docs/resources/<name>
# i.e. docs/resources/<name>.md of github.com/auth0/terraform-provider-auth0 at
# the tags v1.0.0 and v1.55.0, for <name> in resource_server,
# resource_server_scopes, client, client_credentials, client_grant.
# Nested blocks are listed only where the module uses them.
ALLOWED = {
    # docs/resources/resource_server.md
    "auth0_resource_server": {
        "allow_offline_access",
        "enforce_policies",
        "identifier",
        "name",
        "signing_alg",
        "signing_secret",
        "skip_consent_for_verifiable_first_party_clients",
        "token_dialect",
        "token_lifetime",
        "token_lifetime_for_web",
        "verification_location",
    },
    # docs/resources/resource_server_scopes.md
    "auth0_resource_server_scopes": {
        "resource_server_identifier",
        "scopes",
        "scopes.name",
        "scopes.description",
    },
    # docs/resources/client.md
    "auth0_client": {
        "addons",
        "allowed_clients",
        "allowed_logout_urls",
        "allowed_origins",
        "app_type",
        "callbacks",
        "client_aliases",
        "client_metadata",
        "cross_origin_auth",
        "cross_origin_loc",
        "custom_login_page",
        "custom_login_page_on",
        "description",
        "encryption_key",
        "form_template",
        "grant_types",
        "initiate_login_uri",
        "is_first_party",
        "is_token_endpoint_ip_header_trusted",
        "jwt_configuration",
        "jwt_configuration.alg",
        "jwt_configuration.lifetime_in_seconds",
        "jwt_configuration.scopes",
        "jwt_configuration.secret_encoded",
        "logo_uri",
        "mobile",
        "name",
        "native_social_login",
        "oidc_backchannel_logout_urls",
        "oidc_conformant",
        "organization_require_behavior",
        "organization_usage",
        "refresh_token",
        "require_pushed_authorization_requests",
        "sso",
        "sso_disabled",
        "web_origins",
    },
    # docs/resources/client_credentials.md
    "auth0_client_credentials": {
        "authentication_method",
        "client_id",
        "client_secret",
        "private_key_jwt",
    },
    # docs/resources/client_grant.md
    "auth0_client_grant": {"audience", "client_id", "scopes"},
    # docs/resources/action.md
    "auth0_action": {
        "code",
        "dependencies",
        "deploy",
        "name",
        "runtime",
        "secrets",
        "secrets.name",
        "secrets.value",
        "supported_triggers",
        "supported_triggers.id",
        "supported_triggers.version",
    },
    # docs/resources/trigger_action.md
    "auth0_trigger_action": {"action_id", "trigger"},
}

# Read-only attributes the same pages document for both releases.
READ_ONLY = {
    "auth0_resource_server": {"id"},
    "auth0_resource_server_scopes": {"id"},
    "auth0_client": {"id", "client_id", "signing_keys"},
    "auth0_client_credentials": {"id"},
    "auth0_client_grant": {"id"},
    "auth0_action": {"id", "version_id"},
    "auth0_trigger_action": {"id"},
}

# Removed in 1.0 (MIGRATION_GUIDE.md of the provider at v1.0.0, sections
# "Resource Server Scopes", "Client Authentication Method", "Client Secret",
# "Client Secret Rotation" and "Client Grant Scopes").
REMOVED = {
    "auth0_resource_server": {"scopes"},
    "auth0_client": {
        "token_endpoint_auth_method",
        "client_secret",
        "client_secret_rotation_trigger",
    },
    "auth0_client_grant": {"scope"},
}


@pytest.fixture(scope="module")
def module():
    return load_module(MODULE)


@pytest.fixture(scope="module")
def module_resources(module):
    return resources(module)


def _value(body: dict, key: str):
    """An argument's value with string quotes removed (expressions stay ${...})."""
    value = body[key]
    if isinstance(value, list):
        return [unquote(v) for v in value]
    return unquote(value)


# --- structure ------------------------------------------------------------------------


def test_resource_types(module_resources):
    assert sorted(module_resources) == [
        ("auth0_action", "this"),
        ("auth0_client", "this"),
        ("auth0_client_credentials", "this"),
        ("auth0_client_grant", "this"),
        ("auth0_resource_server", "this"),
        ("auth0_resource_server_scopes", "this"),
        ("auth0_trigger_action", "this"),
    ]


def test_every_argument_is_documented_for_the_whole_1x_range(module_resources):
    unknown = {
        rtype: sorted(argument_paths(body) - ALLOWED[rtype])
        for (rtype, _), body in module_resources.items()
    }
    assert {k: v for k, v in unknown.items() if v} == {}


def test_no_argument_removed_in_1x(module_resources):
    used = {
        rtype: sorted(argument_paths(body) & REMOVED.get(rtype, set()))
        for (rtype, _), body in module_resources.items()
    }
    assert {k: v for k, v in used.items() if v} == {}


def test_the_checks_catch_arguments_of_0x(tmp_path):
    """The two checks above flag what a 0.x-era module would write."""
    old = tmp_path / "old.tf"
    old.write_text(
        textwrap.dedent(
            """\
            resource "auth0_resource_server" "api" {
              identifier = "x"
              scopes {
                value = "read:x"
              }
            }
            resource "auth0_client" "c" {
              name                       = "c"
              token_endpoint_auth_method = "client_secret_post"
            }
            resource "auth0_client_grant" "g" {
              client_id = "c"
              audience  = "x"
              scope     = ["read:x"]
            }
            """
        )
    )
    found = resources(load_hcl(old))
    removed = {rtype: argument_paths(body) & REMOVED[rtype] for (rtype, _), body in found.items()}
    assert removed == {
        "auth0_resource_server": {"scopes"},
        "auth0_client": {"token_endpoint_auth_method"},
        "auth0_client_grant": {"scope"},
    }
    unknown = {rtype: argument_paths(body) - ALLOWED[rtype] for (rtype, _), body in found.items()}
    assert unknown == {
        "auth0_resource_server": {"scopes", "scopes.value"},
        "auth0_client": {"token_endpoint_auth_method"},
        "auth0_client_grant": {"scope"},
    }


def test_attributes_read_are_documented():
    text = "\n".join(p.read_text() for p in sorted(MODULE.glob("*.tf")))
    for rtype in ALLOWED:
        read = attribute_references(text, rtype)
        assert read <= ALLOWED[rtype] | READ_ONLY[rtype], (rtype, read)
    # auth0_client no longer exports client_secret: the secret comes from
    # auth0_client_credentials.
    secrets = labelled(load_module(MODULE)["output"])["client_secrets"]["value"]
    assert "auth0_client_credentials.this" in secrets
    assert "auth0_client.this" not in secrets
    assert "client_secret" not in attribute_references(text, "auth0_client")


def test_resource_server(module_resources):
    server = module_resources[("auth0_resource_server", "this")]
    assert _value(server, "identifier") == "${var.api.identifier}"
    assert _value(server, "name") == "${var.api.name}"
    assert _value(server, "signing_alg") == "${var.api.signing_alg}"
    assert _value(server, "token_lifetime") == "${var.api.token_lifetime}"
    assert server["allow_offline_access"] is False
    assert server["skip_consent_for_verifiable_first_party_clients"] is True


def test_scopes_live_in_their_own_resource(module_resources):
    scopes = module_resources[("auth0_resource_server_scopes", "this")]
    assert (
        _value(scopes, "resource_server_identifier") == "${auth0_resource_server.this.identifier}"
    )
    (dynamic,) = scopes["dynamic"]
    assert unquote(next(iter(dynamic))) == "scopes"
    assert unquote(next(iter(dynamic.values()))["for_each"]) == "${var.api.scopes}"


def test_clients_are_machine_to_machine(module_resources):
    client = module_resources[("auth0_client", "this")]
    assert _value(client, "for_each") == "${local.clients}"
    assert _value(client, "app_type") == "non_interactive"
    assert _value(client, "grant_types") == ["client_credentials"]
    assert client["is_first_party"] is True
    assert client["oidc_conformant"] is True
    assert [unquote(j["alg"]) for j in client["jwt_configuration"]] == ["RS256"]


def test_client_credentials_post_the_secret(module_resources):
    creds = module_resources[("auth0_client_credentials", "this")]
    assert _value(creds, "for_each") == "${local.clients}"
    assert _value(creds, "authentication_method") == "client_secret_post"
    assert _value(creds, "client_id") == "${auth0_client.this[each.key].client_id}"


def test_grant_gives_the_client_its_scopes_on_the_api(module_resources):
    grant = module_resources[("auth0_client_grant", "this")]
    assert _value(grant, "for_each") == "${local.clients}"
    assert _value(grant, "audience") == "${auth0_resource_server.this.identifier}"
    assert _value(grant, "scopes") == "${each.value.scopes}"
    assert _value(grant, "depends_on") == ["${auth0_resource_server_scopes.this}"]
    (precondition,) = grant["lifecycle"][0]["precondition"]
    assert "local.scope_names" in precondition["condition"]


def test_outputs(module):
    outputs = labelled(module["output"])
    assert set(outputs) == CONTRACT_OUTPUTS
    assert {n for n, o in outputs.items() if o.get("sensitive") is True} == {"client_secrets"}
    assert unquote(outputs["issuer"]["value"]) == "${local.issuer}"
    locals_ = {k: v for entry in module["locals"] for k, v in entry.items()}
    assert unquote(locals_["issuer"]) == "https://${var.domain}/"
    assert unquote(outputs["token_endpoint"]["value"]) == "${local.issuer}oauth/token"
    assert unquote(outputs["discovery_url"]["value"]) == (
        "${local.issuer}.well-known/openid-configuration"
    )
    assert unquote(outputs["jwks_uri"]["value"]) == "${local.issuer}.well-known/jwks.json"
    assert outputs["audiences"]["value"] == ["${auth0_resource_server.this.identifier}"]
    assert "read:client_keys" in unquote(outputs["client_secrets"]["description"])


def test_versions_pin_the_1x_range(module):
    (terraform,) = module["terraform"]
    assert unquote(terraform["required_version"]) == ">= 1.5"
    (providers,) = terraform["required_providers"]
    auth0 = providers["auth0"]
    assert unquote(auth0["source"]) == "auth0/auth0"
    assert unquote(auth0["version"]) == ">= 1.0, < 2.0"


def test_readme_names_the_documented_releases():
    readme = (MODULE / "README.md").read_text()
    assert "v1.0.0" in readme and "v1.55.0" in readme


def test_example_passes_every_output_through():
    example = load_module(MODULE / "examples" / "basic")
    calls = labelled(example["module"])
    assert list(calls) == ["auth0"]
    assert unquote(calls["auth0"]["source"]) == "../.."
    outputs = labelled(example["output"])
    assert set(outputs) == CONTRACT_OUTPUTS
    assert outputs["client_secrets"]["sensitive"] is True
    provider = labelled(example["provider"])["auth0"]
    # Management credentials come from the environment, never from files.
    assert not {"client_id", "client_secret", "api_token"} & set(provider)


# --- terraform ---------------------------------------------------------------------------


@pytest.mark.terraform
def test_validate_with_the_provider(terraform_bin, tmp_path):
    mirror = plugins.find_mirror("auth0/auth0")
    if mirror is None:
        pytest.skip(
            "terraform validate needs the auth0/auth0 provider, which cannot be installed "
            "here (no registry access and no filesystem mirror holds it); the module is "
            "checked structurally and against the provider docs instead"
        )
    config = tmp_path / "auth0.tfrc"
    config.write_text(plugins.cli_config(mirror, ("auth0/auth0",)))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config)}
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        textwrap.dedent(
            f"""\
            module "auth0" {{
              source  = {json.dumps(str(MODULE))}
              domain  = "dev-example.us.auth0.com"
              api     = {{ name = "a", identifier = "a", scopes = [{{ name = "s", description = "d" }}] }}
              clients = [{{ name = "c", scopes = ["s"] }}]
            }}
            """
        )
    )
    tf = Terraform(terraform_bin, root, env=env)
    tf.init()
    assert json.loads(tf("validate", "-json", "-no-color").stdout)["valid"] is True


# --- input checks (Terraform evaluates the module's own validation blocks) ------------

VALID = {
    "domain": "dev-example.us.auth0.com",
    "api": {
        "name": "gateway-api",
        "identifier": "gateway123",
        "signing_alg": "RS256",
        "scopes": [
            {"name": "invoke:gateway", "description": "Invoke the gateway"},
            {"name": "read:gateway", "description": "Read the gateway"},
        ],
    },
    "clients": [{"name": "gateway-m2m", "scopes": ["invoke:gateway"]}],
}


def _with(**changes) -> dict:
    return {**json.loads(json.dumps(VALID)), **changes}


def _api(**changes) -> dict:
    return {**VALID["api"], **changes}


INVALID = {
    "domain with scheme": (_with(domain="https://dev-example.us.auth0.com"), "domain must be"),
    "domain with path": (_with(domain="dev-example.us.auth0.com/x"), "domain must be"),
    "domain upper case": (_with(domain="Dev.Auth0.com"), "domain must be"),
    "name with angle bracket": (_with(api=_api(name="<api>")), "api.name must be"),
    "name too long": (_with(api=_api(name="a" * 201)), "api.name must be"),
    "identifier too long": (_with(api=_api(identifier="a" * 601)), "api.identifier"),
    "identifier with space": (_with(api=_api(identifier="a b")), "api.identifier"),
    "HS256": (_with(api=_api(signing_alg="HS256")), "api.signing_alg must be RS256 or PS256"),
    "lifetime zero": (_with(api=_api(token_lifetime=0)), "api.token_lifetime must be"),
    "lifetime over 30 days": (
        _with(api=_api(token_lifetime=2592001)),
        "api.token_lifetime must be",
    ),
    "no scopes": (_with(api=_api(scopes=[])), "api.scopes must list"),
    "scope with space": (
        _with(api=_api(scopes=[{"name": "a b", "description": "d"}])),
        "api.scopes[*].name must be",
    ),
    "duplicate scope": (
        _with(api=_api(scopes=[{"name": "a", "description": "d"}] * 2)),
        "api.scopes names must be unique",
    ),
    "no clients": (_with(clients=[]), "clients must list at least one"),
    "duplicate client": (
        _with(clients=[{"name": "c", "scopes": ["invoke:gateway"]}] * 2),
        "clients names must be unique",
    ),
    "long description": (
        _with(clients=[{"name": "c", "description": "x" * 141, "scopes": ["invoke:gateway"]}]),
        "description must be at most 140",
    ),
    "client without scopes": (_with(clients=[{"name": "c", "scopes": []}]), "at least one scope"),
}


@pytest.fixture(scope="module")
def variables_root(terraform_bin, tmp_path_factory) -> VariablesRoot:
    work = tmp_path_factory.mktemp("auth0-variables")
    return VariablesRoot(Terraform(terraform_bin, work), MODULE)


@pytest.mark.terraform
def test_valid_inputs_pass_validation(variables_root):
    assert variables_root.errors(VALID) == []
    edge = _with(
        api=_api(signing_alg="PS256", token_lifetime=2592000, identifier="https://api.example/"),
        clients=[{"name": "c", "description": "x" * 140, "scopes": ["read:gateway"]}],
    )
    assert variables_root.errors(edge) == []


@pytest.mark.terraform
@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_input_is_refused_with_its_message(variables_root, case):
    inputs, message = INVALID[case]
    errors = variables_root.errors(inputs)
    assert len(errors) == 1, errors
    assert message in errors[0]


def test_defaults_match_the_interface(module):
    variables = labelled(module["variable"])
    api_type = re.sub(r"\s+", "", variables["api"]["type"])
    assert 'signing_alg=optional(string,"RS256")' in api_type
    assert "token_lifetime=optional(number,86400)" in api_type


# --- claims: the credentials-exchange Action ---------------------------------------------


def test_claims_action_runs_on_the_credentials_exchange(module_resources):
    action = module_resources[("auth0_action", "this")]
    assert _value(action, "count") == "${local.claims_enabled ? 1 : 0}"
    assert _value(action, "runtime") == "${var.claims_action_runtime}"
    assert action["deploy"] is True
    assert _value(action, "code") == '${file("${path.module}/actions/claims.js")}'
    (trigger,) = action["supported_triggers"]
    assert (unquote(trigger["id"]), unquote(trigger["version"])) == ("credentials-exchange", "v2")
    secrets = {unquote(s["name"]): s["value"] for s in action["secrets"]}
    assert set(secrets) == {"CLAIMS_BY_CLIENT", "AUDIENCE"}
    # data keyed by client id, never code generated from the spec
    assert "auth0_client.this[name].client_id" in secrets["CLAIMS_BY_CLIENT"]
    assert "jsonencode" in secrets["CLAIMS_BY_CLIENT"]
    assert unquote(secrets["AUDIENCE"]) == "${auth0_resource_server.this.identifier}"


def test_claims_action_is_bound_without_owning_the_trigger(module_resources):
    binding = module_resources[("auth0_trigger_action", "this")]
    assert _value(binding, "trigger") == "credentials-exchange"
    assert _value(binding, "action_id") == "${auth0_action.this[0].id}"
    assert ("auth0_trigger_actions", "this") not in module_resources


def _pulumi_arguments() -> dict[str, set[str]]:
    """Argument paths of each resource type in the pulumi-auth0 package's
    schema (its generated ``<Resource>Args`` classes, read with ``ast``
    without importing pulumi). pulumi-auth0 is generated from the
    auth0/auth0 Terraform provider and keeps its argument names."""
    import ast
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("pulumi_auth0")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pulumi-auth0 is not installed (make setup)")
    package = Path(next(iter(spec.submodule_search_locations)))

    def classes(path: Path) -> dict[str, dict[str, str]]:
        """{ClassName: {argument: annotation text}} of the *Args classes."""
        found = {}
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Args"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        found[node.name] = {
                            a.arg: ast.unparse(a.annotation) if a.annotation else ""
                            for a in item.args.kwonlyargs
                        }
        return found

    nested = classes(package / "_inputs.py")

    def paths(arguments: dict[str, str], prefix: str = "") -> set[str]:
        out = set()
        for name, annotation in arguments.items():
            out.add(prefix + name)
            match = re.search(r"'(\w+Args)'", annotation)
            if match and match[1] in nested and not prefix:
                out |= paths(nested[match[1]], f"{name}.")
        return out

    schema = {}
    for rtype in ALLOWED:
        module_name = rtype.removeprefix("auth0_")
        class_name = "".join(part.title() for part in module_name.split("_")) + "Args"
        schema[rtype] = paths(classes(package / f"{module_name}.py")[class_name])
    return schema


def test_every_argument_exists_in_the_pulumi_auth0_schema(module_resources):
    schema = _pulumi_arguments()
    assert schema["auth0_action"] >= {"code", "supported_triggers.id", "secrets.value"}
    unknown = {
        rtype: sorted(argument_paths(body) - schema[rtype])
        for (rtype, _), body in module_resources.items()
    }
    assert {k: v for k, v in unknown.items() if v} == {}


def test_the_pulumi_check_catches_a_wrong_argument(tmp_path):
    wrong = tmp_path / "wrong.tf"
    wrong.write_text(
        textwrap.dedent(
            """\
            resource "auth0_action" "a" {
              name = "a"
              code = "x"
              supported_triggers {
                id      = "credentials-exchange"
                version = "v2"
              }
              secret {
                name  = "A"
                value = "b"
              }
            }
            resource "auth0_trigger_actions" "t" {
              trigger = "credentials-exchange"
              action_id = "x"
            }
            """
        )
    )
    schema = _pulumi_arguments()
    found = resources(load_hcl(wrong))
    action = found[("auth0_action", "a")]
    assert argument_paths(action) - schema["auth0_action"] == {
        "secret",
        "secret.name",
        "secret.value",
    }


CLAIMS_INVALID = {
    "restricted claim name": (
        {"name": "c", "scopes": ["invoke:gateway"], "list_claims": {"groups": ["a"]}},
        "is one Auth0 restricts",
    ),
    "auth0 namespace": (
        {"name": "c", "scopes": ["invoke:gateway"], "claims": {"https://x.auth0.com/team": "a"}},
        "is one Auth0 restricts",
    ),
    "name with a hyphen": (
        {"name": "c", "scopes": ["invoke:gateway"], "claims": {"cost-center": "a"}},
        "must be 1-255 letters",
    ),
    "name in both maps": (
        {
            "name": "c",
            "scopes": ["invoke:gateway"],
            "claims": {"t": "a"},
            "list_claims": {"t": ["a"]},
        },
        "appears in both",
    ),
    "empty list": (
        {"name": "c", "scopes": ["invoke:gateway"], "list_claims": {"t": []}},
        "must hold 1-50",
    ),
}


@pytest.mark.terraform
@pytest.mark.parametrize("case", sorted(CLAIMS_INVALID))
def test_invalid_claims_are_refused_with_their_message(variables_root, case):
    client, message = CLAIMS_INVALID[case]
    errors = variables_root.errors(_with(clients=[client]))
    assert len(errors) == 1, errors
    assert message in errors[0]


@pytest.mark.terraform
def test_valid_claims_pass_validation(variables_root):
    client = {
        "name": "c",
        "scopes": ["invoke:gateway"],
        "claims": {"https://example.com/department": "engineering"},
        "list_claims": {"teams": ["platform", "ops"]},
    }
    assert variables_root.errors(_with(clients=[client], claims_action_runtime="node22")) == []
    assert variables_root.errors(_with(claims_action_runtime="node12")) == [
        "claims_action_runtime must be node22 (or node18 on tenants that still run it)."
    ]
