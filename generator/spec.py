"""The environment spec: YAML in, a typed, checked ``Spec`` out.

``load(path)`` reads one environment file (with ``environments/_defaults.yaml``
and any ``extends:`` chain merged under it), fills the derived defaults, checks
everything, and returns a ``Spec`` or raises ``SpecError`` holding every
problem of the file, each as ``file:line:col: key.path: what is wrong``.
Everything downstream trusts the model.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from generator import authorizer, authorizer_spec, providers, rules
from generator.authorizer_spec import AuthorizerSection, CustomClaim
from generator.errors import SpecError
from generator.providers import oidc_presets
from generator.yaml_source import Document, Mark, Problem, display_name, format_path, merge
from generator.yaml_source import load as load_yaml

DEFAULTS_FILE = "_defaults.yaml"
SCHEMA_URL = "../schema/environment.schema.json"


def _rule(check: rules.Rule, pattern: str | None = None, **field_args: Any) -> Any:
    """A validator running ``check`` plus Field metadata for the JSON Schema."""

    def validate(value: str) -> str:
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value

    extra = {"pattern": pattern} if pattern else None
    return (AfterValidator(validate), Field(json_schema_extra=extra, **field_args))


def _str(check: rules.Rule, pattern: str | None = None, **field_args: Any) -> Any:
    return Annotated[str, *_rule(check, pattern, **field_args)]


EnvName = _str(rules.env_name, rules.ENV_NAME_PATTERN)
GatewayName = _str(rules.gateway_name, rules.GATEWAY_PATTERN)
Region = _str(rules.region, rules.REGION_PATTERN)
Description = _str(rules.description, max_length=256)
DomainPrefix = _str(rules.domain_prefix, rules.DOMAIN_PREFIX_PATTERN, max_length=63)
PoolName = _str(rules.aws_pool_name, rules.AWS_NAME_PATTERN, max_length=128)
CognitoClientName = _str(rules.aws_client_name, rules.AWS_NAME_PATTERN, max_length=128)
ResourceServerName = _str(rules.aws_resource_server_name, rules.AWS_NAME_PATTERN, max_length=256)
CognitoIdentifier = _str(rules.cognito_identifier, rules.COGNITO_IDENTIFIER_PATTERN, max_length=256)
CognitoScopeName = _str(rules.cognito_scope_name, rules.COGNITO_SCOPE_PATTERN, max_length=256)
Auth0ScopeName = _str(rules.auth0_scope_name, rules.GATEWAY_SCOPE_PATTERN, max_length=255)
Hostname = _str(rules.hostname, rules.HOSTNAME_PATTERN)
EndpointUrl = _str(rules.endpoint_url)
Auth0Identifier = _str(rules.auth0_identifier, max_length=600)
Auth0ClientName = _str(rules.auth0_client_name, max_length=128)
TagKey = _str(rules.tag_key, rules.TAG_KEY_PATTERN)
TagValue = _str(rules.tag_value, rules.TAG_VALUE_PATTERN)
PlainName = _str(rules.no_control("name", 255), max_length=255)
BucketName = _str(rules.s3_bucket_name, rules.S3_BUCKET_PATTERN)
OidcDiscoveryUrl = _str(oidc_presets.discovery_url_problem)
EntraTenant = _str(oidc_presets.entra_tenant_problem)
OktaServer = _str(oidc_presets.okta_server_problem)
KeycloakUrl = _str(oidc_presets.keycloak_url_problem)
KeycloakRealm = _str(oidc_presets.keycloak_realm_problem)
OidcAudience = _str(rules.no_control("audience", 2048), max_length=2048)
OidcClientId = _str(rules.no_control("client id", 2048), max_length=2048)


def _claim_value(value: Any) -> str | tuple[str, ...]:
    """A value put into a token claim: one string, or a list of strings."""
    if isinstance(value, str):
        problem = rules.claim_value(value)
        if problem:
            raise ValueError(problem)
        return value
    if not isinstance(value, list):
        kind = "a mapping" if isinstance(value, dict) else f"{type(value).__name__} {value!r}"
        hint = "; put it in quotes" if isinstance(value, bool | int | float) else ""
        raise ValueError(f"a claim value is a string or a list of strings, not {kind}{hint}")
    if not value:
        raise ValueError("the list is empty; give it at least one string or remove the claim")
    if len(value) > rules.CLAIM_LIST_MAX:
        raise ValueError(f"the list has {len(value)} items; at most {rules.CLAIM_LIST_MAX}")
    for item in value:
        if not isinstance(item, str):
            hint = "; put it in quotes" if isinstance(item, bool | int | float) else ""
            raise ValueError(f"list item {item!r} is not a string{hint}")
        problem = rules.claim_value(item)
        if problem:
            raise ValueError(problem)
    if len(set(value)) != len(value):
        raise ValueError("the list repeats a value; list each value once")
    return tuple(value)


_CLAIM_VALUE_SCHEMA = {
    "anyOf": [
        {"type": "string", "minLength": 1, "maxLength": rules.CLAIM_VALUE_MAX},
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": rules.CLAIM_VALUE_MAX},
            "minItems": 1,
            "maxItems": rules.CLAIM_LIST_MAX,
            "uniqueItems": True,
        },
    ]
}
ClaimContent = Annotated[
    str | tuple[str, ...], PlainValidator(_claim_value), WithJsonSchema(_CLAIM_VALUE_SCHEMA)
]


def _claims_field() -> Any:
    return Field(
        default_factory=dict,
        description="Claims put into this client's access tokens: claim name -> a string or "
        "a list of strings (Cognito: a pre token generation trigger, Auth0: an Action).",
        json_schema_extra={"propertyNames": {"pattern": r"^[A-Za-z0-9_./:]{1,255}$"}},
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Scope(_Model):
    """One OAuth scope of the API."""

    name: str = Field(description="Scope name as it appears in tokens (after the identifier).")
    description: Description = Field(description="What the scope grants (1-256 characters).")


class CognitoScope(Scope):
    name: CognitoScopeName = Field(description="Scope name: printable ASCII, no space or '/'.")


class Auth0Scope(Scope):
    name: Auth0ScopeName = Field(description="Permission name, e.g. 'invoke:gateway'.")


class ResourceServer(_Model):
    """The Cognito resource server: the API whose scopes clients are granted."""

    identifier: CognitoIdentifier = Field(
        description="Prefix of every scope: '<identifier>/<name>'."
    )
    name: ResourceServerName
    scopes: list[CognitoScope] = Field(min_length=1, max_length=100)


class CognitoClient(_Model):
    """A machine-to-machine app client (client_credentials, with a secret)."""

    name: CognitoClientName
    scopes: list[str] = Field(
        min_length=1, max_length=50, description="Names from resource_server.scopes."
    )
    access_token_validity_minutes: int = Field(
        default=60, ge=5, le=1440, description="Access token lifetime, 5 minutes to 1 day."
    )
    claims: dict[str, ClaimContent] = _claims_field()


class CognitoSection(_Model):
    user_pool_name: PoolName = Field(description="Default: '<gateway>-<name>'.")
    domain_prefix: DomainPrefix = Field(
        description="Hosted domain prefix. Default: '<gateway>-<name>'."
    )
    feature_tier: Literal["LITE", "ESSENTIALS", "PLUS"] = Field(
        default="ESSENTIALS",
        description="User pool feature plan; machine-to-machine tokens work on every tier.",
    )
    resource_server: ResourceServer
    clients: list[CognitoClient] = Field(min_length=1)


class Auth0Api(_Model):
    """The Auth0 API (resource server); its identifier is the token audience."""

    name: PlainName
    identifier: Auth0Identifier = Field(description="The audience; cannot be changed later.")
    signing_alg: Literal["RS256", "PS256"] = Field(
        default="RS256", description="The Gateway verifies through JWKS, so asymmetric only."
    )
    token_lifetime: int = Field(default=86400, ge=60, le=2592000, description="Seconds.")
    scopes: list[Auth0Scope] = Field(min_length=1)


class Auth0Client(_Model):
    """A machine-to-machine application with a client grant on the API."""

    name: Auth0ClientName
    description: str = Field(default="", max_length=140)
    scopes: list[str] = Field(min_length=1, description="Names from api.scopes.")
    claims: dict[str, ClaimContent] = _claims_field()


class Auth0Section(_Model):
    domain: Hostname = Field(description="Tenant host name, e.g. dev-example.us.auth0.com.")
    api: Auth0Api
    clients: list[Auth0Client] = Field(min_length=1)


class EntraPreset(_Model):
    """Microsoft Entra ID: the tenant, and the access-token version the API's
    app registration issues (its manifest's accessTokenAcceptedVersion)."""

    tenant_id: EntraTenant = Field(
        description="The Directory (tenant) ID, a GUID (or a verified domain); not common / "
        "organizations / consumers."
    )
    version: Literal[1, 2] = Field(
        default=2,
        description="2: https://login.microsoftonline.com/<tenant>/v2.0 issues the tokens "
        "(accessTokenAcceptedVersion 2); 1: https://sts.windows.net/<tenant>/ (null or 1).",
    )


class OktaPreset(_Model):
    """An Okta custom authorization server."""

    domain: Hostname = Field(description="The Okta domain, e.g. dev-123456.okta.com.")
    authorization_server: OktaServer = Field(
        default="default", description="'default' or the authorization server's id (aus...)."
    )


class KeycloakPreset(_Model):
    """A Keycloak realm."""

    url: KeycloakUrl = Field(
        description="The server's base URL, e.g. https://sso.example.com (with /auth before "
        "Keycloak 17)."
    )
    realm: KeycloakRealm = Field(description="The realm name.")


class OidcSection(_Model):
    """Any OpenID Connect provider (no Terraform resources): where its discovery
    document is, and which tokens the Gateway accepts."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={
            "oneOf": [{"required": [key]} for key in oidc_presets.SOURCES],
            "anyOf": [{"required": ["audiences"]}, {"required": ["clients"]}],
        },
    )

    discovery_url: OidcDiscoveryUrl | None = Field(
        default=None,
        description="The provider's discovery document: <issuer>/.well-known/openid-configuration "
        "(or RFC 8414 oauth-authorization-server). Or one preset: entra, okta, keycloak.",
    )
    entra: EntraPreset | None = None
    okta: OktaPreset | None = None
    keycloak: KeycloakPreset | None = None
    audiences: list[OidcAudience] | None = Field(
        default=None,
        min_length=1,
        description="-> allowedAudience: values of the tokens' aud claim.",
    )
    clients: list[OidcClientId] | None = Field(
        default=None,
        min_length=1,
        description="-> allowedClients: values of the tokens' client_id claim.",
    )

    @property
    def source_key(self) -> str:
        """The key naming the identity provider: discovery_url or a preset."""
        return oidc_presets.source_key(self)

    @model_validator(mode="after")
    def _one_provider_and_callers(self) -> OidcSection:
        given = [key for key in oidc_presets.SOURCES if getattr(self, key) is not None]
        every = ", ".join(oidc_presets.SOURCES[:-1]) + f" or {oidc_presets.SOURCES[-1]}"
        if not given:
            raise ValueError(f"names no identity provider; set one of {every}")
        if len(given) > 1:
            raise ValueError(
                f"sets both {' and '.join(given)}; set exactly one of {every} (a preset "
                "derives the discovery URL)"
            )
        if not self.audiences and not self.clients:
            raise ValueError(
                "needs audiences (matched against aud) or clients (matched against client_id), "
                "or both; the Gateway refuses an authorizer that checks neither"
            )
        for key in ("audiences", "clients"):
            values = getattr(self, key) or []
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"{key} lists {', '.join(twice)} twice; remove one")
        return self


class LocalState(_Model):
    backend: Literal["local"] = Field(description="State in build/<name>/terraform.tfstate.")


class S3State(_Model):
    backend: Literal["s3"]
    bucket: BucketName = Field(
        description="An S3 bucket name; 'authgen state bootstrap' creates it."
    )
    key: PlainName = Field(description="Default: authgen/<gateway>/<name>/terraform.tfstate.")
    region: Region = Field(description="Default: the environment's region.")
    encrypt: bool = True
    use_lockfile: bool = Field(
        default=True, description="S3-native state locking (Terraform >= 1.10)."
    )
    kms_key_id: PlainName | None = None


class CloudState(_Model):
    backend: Literal["cloud"]
    organization: PlainName
    workspace: PlainName = Field(description="Default: <gateway>-<name>.")
    hostname: Hostname = "app.terraform.io"


State = Annotated[LocalState | S3State | CloudState, Field(discriminator="backend")]


class Spec(_Model):
    """One environment (format 1)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="authgen environment",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: Literal[1] = Field(default=1, description="Spec format version.")
    extends: str | None = Field(
        default=None,
        description="A spec file merged under this one, relative to this file and inside "
        "its directory (environments/).",
    )
    name: EnvName = Field(description="Must equal the file name without .yaml.")
    provider: Literal["cognito", "auth0", "oidc"]
    gateway: GatewayName = Field(description="Logical gateway name, used in derived names.")
    region: Region | None = Field(
        default=None, description="AWS region (required for cognito; authgen attach's default)."
    )
    protected: bool = Field(default=False, description="Deletion protection on; destroy refused.")
    retired: bool = Field(
        default=False,
        description="Plan and apply the destruction of every resource of this environment "
        "(refused while protected); afterwards the file can be deleted.",
    )
    endpoint_url: EndpointUrl | None = Field(
        default=None,
        description="Cognito only: a local emulator URL (AUTHGEN_ENDPOINT_URL overrides).",
    )
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Tags on AWS resources.")
    state: State = Field(default_factory=lambda: LocalState(backend="local"))
    cognito: CognitoSection | None = None
    auth0: Auth0Section | None = None
    oidc: OidcSection | None = None
    authorizer: AuthorizerSection

    _path: Path | None = PrivateAttr(default=None)
    _marks: dict[tuple, Mark] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """The file this spec was loaded from."""
        return self._path

    def where(self, *key: str | int) -> str:
        """``file:line:col`` of the value at ``key`` (or of its nearest written
        ancestor, e.g. the file's first line for a derived default), else the file."""
        for n in range(len(key), -1, -1):
            mark = self._marks.get(key[:n])
            if mark is not None:
                return str(mark)
        return display_name(self._path) if self._path else self.name

    @property
    def full_scopes(self) -> list[str]:
        """Every scope string as it appears in tokens."""
        return providers.full_scopes(providers.get(self.provider), self)

    def with_endpoint(self, url: str | None) -> Spec:
        """A copy pointing at ``url`` (AUTHGEN_ENDPOINT_URL); specs of providers
        that take no endpoint (auth0) are unchanged. ``url`` is checked for
        every provider (it is the endpoint of every AWS API authgen calls)."""
        if not url:
            return self
        problem = rules.endpoint_url(url)
        if problem:
            raise SpecError([f"AUTHGEN_ENDPOINT_URL: {problem}"])
        if not providers.get(self.provider).takes_endpoint_url:
            return self
        return self.evolve(endpoint_url=url)

    def evolve(self, **update: Any) -> Spec:
        """A copy with ``update`` applied (not validated again: callers pass
        checked values), still knowing the file and places it came from."""
        copy = self.model_copy(update=update)
        copy._path, copy._marks = self._path, self._marks
        return copy


# --------------------------------------------------------------------------
# Derived defaults: one place, validated like written values.


def apply_derived(data: dict[str, Any], stem: str) -> dict[tuple, str]:
    """Fill derived defaults into ``data`` in place. Returns, per filled path,
    how it was derived (for error messages)."""
    derived: dict[tuple, str] = {}
    name = data.get("name") if isinstance(data.get("name"), str) else stem
    gateway = data.get("gateway") if isinstance(data.get("gateway"), str) else None

    def fill(section: Any, path: tuple, key: str, value: str | None, how: str) -> None:
        if isinstance(section, dict) and key not in section and value is not None:
            section[key] = value
            derived[(*path, key)] = how

    base = f"derived from gateway {gateway!r} and name {name!r}"
    entry = providers.find(data.get("provider"))
    if gateway is not None and entry is not None:
        section = data.get(entry.section)
        for key, value in entry.derived_defaults(gateway, name).items():
            fill(section, (entry.section,), key, value, base)
    if "authorizer" not in data:
        data["authorizer"] = {}
    fill(
        data["authorizer"],
        ("authorizer",),
        "output",
        f"authorizers/{name}.json",
        f"derived from name {name!r}",
    )
    state = data.get("state")
    if isinstance(state, dict) and state.get("backend") == "s3":
        if gateway is not None:
            fill(state, ("state",), "key", f"authgen/{gateway}/{name}/terraform.tfstate", base)
        region = data.get("region") if isinstance(data.get("region"), str) else None
        fill(state, ("state",), "region", region, "taken from region")
    if isinstance(state, dict) and state.get("backend") == "cloud" and gateway is not None:
        fill(state, ("state",), "workspace", f"{gateway}-{name}", base)
    return derived


# --------------------------------------------------------------------------
# Loading


def load(path: Path | str) -> Spec:
    """Load, merge, derive and check one environment spec."""
    path = Path(path)
    doc = _merged_document(path)
    problems = list(doc.problems)
    spec = None
    if doc.data is not None and not isinstance(doc.data, dict):
        problems.append(
            Problem(doc.mark_for(()), (), "expected a mapping at the top (name:, provider:, ...)")
        )
    elif doc.data is not None:
        derived = apply_derived(doc.data, path.stem)
        try:
            spec = Spec.model_validate(doc.data)
        except ValidationError as err:
            problems.extend(_pydantic_problems(err, doc, derived))
        problems.extend(_cross_checks(doc.data, doc, path.stem))
    if problems:
        raise SpecError(_format(problems))
    assert spec is not None
    spec._path = path
    spec._marks = doc.marks
    return spec


def _merged_document(path: Path, seen: tuple[Path, ...] = ()) -> Document:
    """``path`` with its ``extends:`` chain, or else the directory's shared
    defaults, merged under it."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        return doc
    if "extends" in doc.data:
        parent = _extended(doc, path, seen)
    elif not seen:
        parent = _shared_defaults(path)
    else:
        parent = None
    if parent is None:
        return doc
    if not isinstance(parent.data, dict):
        if parent.data is not None:
            parent.problems.append(
                Problem(parent.mark_for(()), (), "shared defaults must be a mapping")
            )
        doc.problems = [*parent.problems, *doc.problems]
        return doc
    return merge(parent, doc)


def _extended(doc: Document, path: Path, seen: tuple[Path, ...]) -> Document | None:
    extends = doc.data["extends"]
    where = doc.mark_for(("extends",))
    base = (path.parent / extends).resolve() if isinstance(extends, str) else None
    # The chain stays in the directory of the environment file (environments/):
    # that is what `authgen changed` watches and what a review sees.
    home = (seen[0] if seen else path.resolve()).parent
    if base is not None and (Path(extends).is_absolute() or not base.is_relative_to(home)):
        doc.problems.append(
            Problem(
                where,
                ("extends",),
                f"{extends!r} is outside {display_name(home)}/; a base spec must live in the "
                "same directory as the environment files (or below it): move it there",
            )
        )
        return None
    if base is None or not base.is_file():
        doc.problems.append(
            Problem(where, ("extends",), f"no such spec file {extends!r}; fix the path")
        )
        return None
    if base in (*seen, path.resolve()):
        doc.problems.append(
            Problem(where, ("extends",), f"{extends!r} extends back to this file; remove the cycle")
        )
        return None
    parent = _merged_document(base, (*seen, path.resolve()))
    if isinstance(parent.data, dict):
        parent.data.pop("extends", None)
    return parent


def _shared_defaults(path: Path) -> Document | None:
    defaults = path.parent / DEFAULTS_FILE
    if not defaults.is_file() or defaults.resolve() == path.resolve():
        return None
    parent = load_yaml(defaults)
    for key in ("name", "extends"):
        if isinstance(parent.data, dict) and key in parent.data:
            message = f"'{key}' cannot be a shared default; set it in each environment"
            parent.problems.append(Problem(parent.key_marks.get((key,)), (key,), message))
            del parent.data[key]
    return parent


def load_all(directory: Path) -> list[Path]:
    """Every environment file of ``directory`` (``*.yaml``, not ``_*``), sorted."""
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


# --------------------------------------------------------------------------
# Problems


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class a pydantic error location points into (for key hints)."""
    import typing

    model: Any = Spec
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return model if part == loc[-1] else None
        annotation = field.annotation
        while True:
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            origin = typing.get_origin(annotation)
            if origin in (list, typing.Union) or str(origin) == "<class 'types.UnionType'>":
                annotation = args[0] if args else None
            elif origin is typing.Annotated:
                annotation = args[0]
            else:
                break
        model = annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _pydantic_problems(
    err: ValidationError, doc: Document, derived: dict[tuple, str]
) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc = tuple(
            p for p in e["loc"] if not (isinstance(p, str) and p in ("s3", "local", "cloud"))
        )
        kind = e["type"]
        value = e.get("input")
        if kind == "extra_forbidden":
            model = _model_at(loc)
            allowed = sorted(model.model_fields) if model else []
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            fix = f"did you mean '{hint[0]}'?" if hint else f"allowed here: {', '.join(allowed)}"
            problems.append(Problem(doc.mark_for(loc, key=True), loc, f"unknown key; {fix}"))
            continue
        if kind == "missing":
            problems.append(
                Problem(
                    doc.mark_for(loc[:-1]), loc[:-1], f"required key '{loc[-1]}' is missing; add it"
                )
            )
            continue
        if kind in _EXPECTED:
            message = f"expected {_EXPECTED[kind]}, got {_type_name(value)}"
            if kind == "string_type" and isinstance(value, bool | int | float):
                message += "; put it in quotes"
        elif kind in ("literal_error", "union_tag_invalid"):
            expected = e.get("ctx", {}).get("expected") or e.get("ctx", {}).get("expected_tags", "")
            options = re.findall(r"'([^']*)'|(\d+)", str(expected))
            choices = [a or b for a, b in options]
            shown = value if not isinstance(value, dict) else value.get("backend")
            hint = difflib.get_close_matches(str(shown), choices, n=1)
            message = f"{shown!r} is not one of {', '.join(choices)}"
            if hint:
                message += f"; did you mean '{hint[0]}'?"
            if kind == "union_tag_invalid":
                loc = (*loc, "backend")
        elif kind == "union_tag_not_found":
            message = "missing 'backend' (local, s3 or cloud)"
        elif kind == "value_error":
            message = str(e["ctx"]["error"])
        elif kind in ("too_short", "too_long"):
            limit = (
                e["ctx"].get("min_length") if kind == "too_short" else e["ctx"].get("max_length")
            )
            what = "at least" if kind == "too_short" else "at most"
            unit = "item" if isinstance(value, list | dict) else "character"
            message = f"needs {what} {limit} {unit}{'s' if limit != 1 else ''}"
        elif kind in ("greater_than_equal", "less_than_equal"):
            bound = e["ctx"].get("ge", e["ctx"].get("le"))
            word = "at least" if kind == "greater_than_equal" else "at most"
            message = f"{value} is out of range; must be {word} {bound}"
        elif kind in ("string_too_short", "string_too_long"):
            message = e["msg"].replace("String should have", "must have")
        else:
            message = e["msg"]
        if loc in derived:
            message += f" ({derived[loc]}; set {format_path(loc)} explicitly)"
        problems.append(Problem(doc.mark_for(loc), loc, message))
    return problems


def _get(data: Any, *path: str | int) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


class _Checker:
    """Rules across keys, run on the raw data so they report alongside the
    per-field errors; tolerant of wrong shapes (pydantic reports those)."""

    def __init__(self, data: dict[str, Any], doc: Document):
        self.data = data
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, key: bool = False) -> None:
        self.problems.append(Problem(self.doc.mark_for(path, key=key), path, message))

    def top_level(self, stem: str) -> None:
        data = self.data
        name, provider = data.get("name"), data.get("provider")
        if isinstance(name, str) and name != stem:
            self.add(
                ("name",), f"name {name!r} differs from the file name {stem!r}; rename one to match"
            )
        entry = providers.find(provider)
        if entry is not None:
            for other in providers.REGISTRY:
                if other is not entry and other.section in data:
                    fix = f"remove it or set provider: {other.name}"
                    message = f"'{other.section}' section with provider {provider}; {fix}"
                    self.add((other.section,), message, key=True)
            if entry.section not in data:
                self.add(
                    ("provider",),
                    f"provider is {provider} but there is no '{entry.section}' section; add one",
                )
        if entry is not None and entry.needs_region and data.get("region") is None:
            self.add(
                ("region",),
                f"region is required for provider {provider}; add e.g. 'region: us-west-2'",
            )
        if (
            entry is not None
            and not entry.takes_endpoint_url
            and data.get("endpoint_url") is not None
        ):
            takers = " / ".join(p.name for p in providers.REGISTRY if p.takes_endpoint_url)
            self.add(
                ("endpoint_url",),
                f"endpoint_url is for {takers} (a local emulator); remove it",
                key=True,
            )
        if data.get("retired") is True and data.get("protected") is True:
            self.add(
                ("retired",),
                "retired: true while protected: true; set protected: false and apply that first "
                "(it lifts deletion protection), then retire the environment",
            )
        state = data.get("state")
        if isinstance(state, dict) and state.get("backend") == "s3" and state.get("region") is None:
            self.add(("state",), "state.region is required (no region to take it from); add it")

    def unique(self, items: Any, path: tuple, what: str, fix: str) -> dict[str, int]:
        """Report repeated ``name`` values among ``items``; return name -> first index."""
        first: dict[str, int] = {}
        for i, item in enumerate(items if isinstance(items, list) else []):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in first:
                self.add(
                    (*path, i, "name"),
                    f"duplicate {what} '{name}' (also {path[-1]}[{first[name]}]); {fix}",
                )
            else:
                first[name] = i
        return first

    def provider_section(self, entry: providers.Provider) -> None:
        """Scopes and clients of a provider section with an API (``api_key``)."""
        section, api_key = entry.section, entry.api_key
        assert api_key is not None
        api_path = (section, api_key)
        defined = self.unique(
            _get(self.data, *api_path, "scopes"), (*api_path, "scopes"), "scope", "remove one"
        )
        identifier = _get(self.data, *api_path, "identifier")
        limit = entry.max_scope_length
        if limit is not None and isinstance(identifier, str):
            for scope, i in defined.items():
                full = entry.scope_string(identifier, scope)
                if len(full) > limit:
                    self.add(
                        (*api_path, "scopes", i, "name"),
                        f"'{full}' is longer than the {limit} characters {entry.title} allows "
                        "for a client scope; shorten the identifier or the scope name",
                    )
        clients = _get(self.data, section, "clients")
        names = self.unique(clients, (section, "clients"), "client", "rename one")
        for i, client in enumerate(clients if isinstance(clients, list) else []):
            self.client_scopes(_get(client, "scopes"), (section, "clients", i, "scopes"), defined)
        self.client_claims(entry)
        if defined:
            full = [entry.scope_string(identifier, s) for s in defined]
            held = _held_scopes(clients, lambda s: entry.scope_string(identifier, s))
            self.allowed_scopes(full, held, section)
            self.authorizer_demands(section, held)
        self.allowed_callers(entry, list(names), identifier)

    def allowed_callers(
        self, entry: providers.Provider, clients: list[str], identifier: Any
    ) -> None:
        """``allowed_clients`` / ``allowed_audience``: only the member the provider
        yields, and only values its tokens carry (client names; the API identifier)."""
        base = ("authorizer",)
        yields = entry.authorizer_keys
        for member, key in authorizer.CALLER_KEYS.items():
            if member not in yields and _get(self.data, *base, key) is not None:
                claim = authorizer.CALLER_CLAIMS
                right = " or ".join(authorizer.CALLER_KEYS[m] for m in yields)
                self.add(
                    (*base, key),
                    f"{entry.title} access tokens are matched by {' / '.join(yields)} "
                    f"({' / '.join(claim[m] for m in yields)}), not by {member} ({claim[member]}); "
                    f"remove {key}" + (f" and use {right}" if right else ""),
                    key=True,
                )
        known = {
            "allowedClients": (clients, f"a client of this environment ({entry.section}.clients"),
            "allowedAudience": (
                [identifier] if isinstance(identifier, str) else [],
                f"the audience of this API ({entry.section}.{entry.api_key}.identifier",
            ),
        }
        for member in yields:
            values, what = known.get(member, ([], ""))
            key = authorizer.CALLER_KEYS.get(member)
            listed = _get(self.data, *base, key) if key else None
            for j, value in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(value, str) and value and values and value not in values:
                    hint = difflib.get_close_matches(value, values, n=1)
                    more = f"did you mean '{hint[0]}'?" if hint else "use one of those"
                    self.add(
                        (*base, key, j), f"'{value}' is not {what}: {', '.join(values)}); {more}"
                    )

    def client_scopes(self, scopes: Any, path: tuple, defined: dict[str, int]) -> None:
        listed: set[str] = set()
        for j, scope in enumerate(scopes if isinstance(scopes, list) else []):
            if not isinstance(scope, str):
                continue
            if defined and scope not in defined:
                hint = difflib.get_close_matches(scope, list(defined), n=1)
                message = f"unknown scope '{scope}' (defined: {', '.join(defined)})"
                self.add((*path, j), message + (f"; did you mean '{hint[0]}'?" if hint else ""))
            if scope in listed:
                self.add((*path, j), f"scope '{scope}' is listed twice; remove one")
            listed.add(scope)

    def allowed_scopes(self, full: list[str], held: dict[str, set[str]], section: str) -> None:
        allowed = _get(self.data, "authorizer", "allowed_scopes")
        for j, scope in enumerate(allowed if isinstance(allowed, list) else []):
            if isinstance(scope, str) and scope not in full:
                carried = ", ".join(full)
                message = f"'{scope}' is not a scope of this environment (tokens carry: {carried})"
                self.add(("authorizer", "allowed_scopes", j), message)
            elif isinstance(scope, str) and held and not any(scope in s for s in held.values()):
                self.add(
                    ("authorizer", "allowed_scopes", j),
                    f"no client is granted '{scope}' ({', '.join(held)}); grant it under "
                    f"{section}.clients[].scopes or remove it",
                )

    def client_claims(self, entry: providers.Provider) -> None:
        """Claim names the provider will really put into a token, and what its
        way of adding them needs (the entry says: Cognito's feature tier and
        trigger configuration size)."""
        section = entry.section
        clients = _get(self.data, section, "clients")
        for i, client in enumerate(clients if isinstance(clients, list) else []):
            claims = _get(client, "claims")
            if not isinstance(claims, dict):
                continue
            for name in claims:
                path = (section, "clients", i, "claims", name)
                if not isinstance(name, str):
                    self.add(path, f"claim name {name!r} is not a string; put it in quotes", True)
                    continue
                problem = authorizer.claim_name_problem(name) or entry.claim_problem(name)
                if problem:
                    self.add(path, problem, key=True)
        section_data = self.data.get(section)
        if isinstance(section_data, dict):
            for path, message in entry.claims_problems(section_data):
                self.add(path, message)

    def authorizer_demands(self, section: str, held: dict[str, set[str]]) -> None:
        """Every custom_claims rule is met by some client's tokens, and one
        client's tokens meet every rule (and allowed_scopes) together."""
        demands = _get(self.data, "authorizer", "custom_claims")
        clients = _get(self.data, section, "clients")
        emitted = {
            c["name"]: c.get("claims") if isinstance(c.get("claims"), dict) else {}
            for c in (clients if isinstance(clients, list) else [])
            if isinstance(c, dict) and isinstance(c.get("name"), str)
        }
        narrowed = _get(self.data, "authorizer", "allowed_clients")
        if isinstance(narrowed, list) and narrowed:
            emitted = {n: c for n, c in emitted.items() if n in narrowed} or emitted
        if not isinstance(demands, list) or not demands or not emitted:
            return
        passing = set(emitted)
        reasons: dict[str, str] = {}
        broken = False
        for i, rule in enumerate(demands):
            claim = _get(rule, "claim")
            if not isinstance(claim, str) or _rule_shape(rule) is None:
                continue  # the rule itself is reported where it is wrong
            path = ("authorizer", "custom_claims", i)
            holders = {name: claims[claim] for name, claims in emitted.items() if claim in claims}
            if not holders:
                self.add(
                    path,
                    f"no client emits claim '{claim}' (clients: {', '.join(emitted)}); add it "
                    f"under {section}.clients[].claims",
                )
                broken = True
                continue
            misses = {name: _claim_miss(rule, claim, value) for name, value in holders.items()}
            if all(misses.values()):
                self.add(
                    path,
                    "no client's tokens satisfy it: "
                    + "; ".join(f"{name} {why}" for name, why in misses.items())
                    + f"; change the claim under {section}.clients[].claims or the rule",
                )
                broken = True
                continue
            for name in set(emitted) - {n for n, why in misses.items() if not why}:
                reasons.setdefault(name, f"fails custom_claims[{i}]")
            passing &= {n for n, why in misses.items() if not why}
        allowed = _get(self.data, "authorizer", "allowed_scopes")
        if isinstance(allowed, list) and allowed and held:
            for name in list(passing):
                if not held.get(name, set()) & set(allowed):
                    reasons.setdefault(name, "holds none of allowed_scopes")
                    passing.discard(name)
        if not passing and not broken:
            self.add(
                ("authorizer", "custom_claims"),
                "no one client's tokens pass every rule together (the Gateway checks them all): "
                + "; ".join(f"{name} {why}" for name, why in reasons.items())
                + f"; give one client everything under {section}.clients[]",
            )


def _held_scopes(clients: Any, scope_string: Any) -> dict[str, set[str]]:
    """Client name -> the full scope strings its tokens carry."""
    return {
        c["name"]: {scope_string(s) for s in c["scopes"] if isinstance(s, str)}
        for c in (clients if isinstance(clients, list) else [])
        if isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and isinstance(c.get("scopes"), list)
    }


def _rule_shape(rule: Any) -> tuple[str, str] | None:
    """(type, operator) of a custom_claims entry when it is well formed (an
    entry the API's rules refuse is reported there, and only there)."""
    claim, value, values = _get(rule, "claim"), _get(rule, "value"), _get(rule, "values")
    if not isinstance(claim, str) or authorizer.claim_name_problem(claim):
        return None
    for item in [value] if value is not None else values if isinstance(values, list) else []:
        if authorizer.match_value_problem(item):
            return None
    kind = _get(rule, "type") or "STRING"
    operator = _get(rule, "operator") or "EQUALS"
    if (kind, operator) == ("STRING", "EQUALS") and isinstance(_get(rule, "value"), str):
        return kind, operator
    if (kind, operator) == ("STRING_ARRAY", "CONTAINS") and isinstance(_get(rule, "value"), str):
        return kind, operator
    if (kind, operator) == ("STRING_ARRAY", "CONTAINS_ANY") and isinstance(
        _get(rule, "values"), list
    ):
        return kind, operator
    return None


def _claim_miss(rule: Any, claim: str, emitted: Any) -> str:
    """Why a token carrying ``claim: emitted`` fails ``rule`` ('' when it passes)."""
    kind, operator = _rule_shape(rule) or ("", "")
    if kind == "STRING":
        if isinstance(emitted, list):
            return (
                f"emits {claim} as a list, but the rule has type STRING (use type STRING_ARRAY "
                "with CONTAINS or CONTAINS_ANY, or emit one string)"
            )
        expected = rule["value"]
        return "" if emitted == expected else f"emits {claim}: {emitted!r}, not {expected!r}"
    if not isinstance(emitted, list):
        return (
            f"emits {claim} as a string, but the rule has type STRING_ARRAY (use type STRING "
            "with EQUALS, or emit a list)"
        )
    if operator == "CONTAINS":
        expected = rule["value"]
        return "" if expected in emitted else f"emits {claim}: {list(emitted)} without {expected!r}"
    wanted = rule["values"]
    if any(v in emitted for v in wanted):
        return ""
    return f"emits {claim}: {list(emitted)} with none of {list(wanted)}"


def _cross_checks(data: dict[str, Any], doc: Document, stem: str) -> list[Problem]:
    checker = _Checker(data, doc)
    checker.top_level(stem)
    entry = providers.find(data.get("provider"))
    if entry is not None and entry.api_key and isinstance(data.get(entry.section), dict):
        checker.provider_section(entry)
    return checker.problems + authorizer_spec.problems(data.get("authorizer"), doc)


def _format(problems: list[Problem]) -> list[str]:
    ordered = sorted(problems, key=Problem.sort_key)
    lines, seen = [], set()
    for problem in ordered:
        line = str(problem)
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


#: Keys the model requires but a file may leave out (``apply_derived`` fills them).
DERIVED_KEYS = {
    "Spec": ("authorizer",),
    "CognitoSection": ("user_pool_name", "domain_prefix"),
    "AuthorizerSection": ("output",),
    "S3State": ("key", "region"),
    "CloudState": ("workspace",),
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a spec file (what ``authgen schema`` prints)."""
    schema = Spec.model_json_schema(mode="validation")
    for name, keys in DERIVED_KEYS.items():
        node = schema if name == "Spec" else schema["$defs"][name]
        node["required"] = [k for k in node.get("required", []) if k not in keys]
    authorizer_spec.enrich_schema(schema)
    return schema


__all__ = [
    "AuthorizerSection",
    "CustomClaim",
    "Mark",
    "Spec",
    "SpecError",
    "apply_derived",
    "display_name",
    "json_schema",
    "load",
    "load_all",
]
