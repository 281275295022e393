"""The spec's ``authorizer:`` section and how it maps onto the Gateway's API.

Every member of the API's ``CustomJWTAuthorizerConfiguration`` (in the
botocore service model) has a key here: its snake_case name, recursively
(``privateEndpoint.managedVpcResource.vpcIdentifier`` is
``private_endpoint.managed_vpc_resource.vpc_identifier``), except where
:data:`SPEC_KEYS` says otherwise: a custom claim is one flat mapping
(``{claim, type, operator, value | values}``) instead of the API's three
nested objects. ``discoveryUrl`` comes from the provider's outputs;
``allowedClients`` (Cognito: client *names*, resolved to ids when the file is
written) and ``allowedAudience`` (Auth0) default to what the provider yields.

The pydantic models below hold structure and types only (unknown keys
refused). The values' rules come from the service model: :func:`problems`
turns the section into the API's shape, validates it with
:mod:`generator.service_model` plus the rules of
:func:`generator.authorizer.member_rule_issues`, and reports each problem at
the YAML key that wrote it, with the spec's key names. One mapping table
serves the conversion, the error paths, the JSON Schema
(:func:`enrich_schema`) and the test that every model member is expressible
(:func:`coverage`).

An empty list or mapping directly under ``authorizer:`` is the same as
leaving the key out (``allowed_scopes: []`` has always meant "no scopes
required").
"""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from generator import authorizer, rules, service_model
from generator.errors import AuthorizerError
from generator.yaml_source import Document, Problem

#: The API shape the section maps onto.
API_SHAPE = authorizer.SHAPE

#: Spec keys that are not the snake_case of their API member, by
#: ``(shape, member)``. ``None``: the member's object is written flat in its
#: parent's mapping.
SPEC_KEYS: dict[tuple[str, str], str | None] = {
    ("CustomClaimValidationType", "inboundTokenClaimName"): "claim",
    ("CustomClaimValidationType", "inboundTokenClaimValueType"): "type",
    ("CustomClaimValidationType", "authorizingClaimMatchValue"): None,
    ("AuthorizingClaimMatchValueType", "claimMatchOperator"): "operator",
    ("AuthorizingClaimMatchValueType", "claimMatchValue"): None,
    ("ClaimMatchValueType", "matchValueString"): "value",
    ("ClaimMatchValueType", "matchValueStringList"): "values",
}
#: Members of the API shape filled from the provider's outputs, never the spec.
FROM_PROVIDER = {"discoveryUrl": "the module's discovery_url output"}
#: Members whose spec values are resolved when the file is written.
RESOLVED = {"allowedClients": "names of the environment's clients, written as their ids"}
#: Keys of the section that are not API members.
SPEC_ONLY = {"output": "where the authorizer file is written"}


def snake(member: str) -> str:
    """An API member name in snake_case: ``vpcIdentifier`` -> ``vpc_identifier``."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", member)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()


def spec_key(shape: str, member: str) -> str | None:
    """The spec key of an API member (None: written flat in its parent)."""
    if (shape, member) in SPEC_KEYS:
        return SPEC_KEYS[(shape, member)]
    return snake(member)


def spec_name(shape: str, member: str) -> str:
    """A member as the spec calls it, for messages."""
    return spec_key(shape, member) or member


# --------------------------------------------------------------------------
# The models: structure and types; the API's rules are checked by problems().


def _output(value: str) -> str:
    problem = rules.project_relative_json(value)
    if problem:
        raise ValueError(problem)
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    #: The service-model shape this mapping is written as.
    api_shape: ClassVar[str]


class CustomClaim(_Model):
    """A claim the Gateway must find in the token (customClaims)."""

    api_shape: ClassVar[str] = "CustomClaimValidationType"

    claim: str | None = Field(default=None, description="-> inboundTokenClaimName.")
    type: str = Field(default="STRING", description="-> inboundTokenClaimValueType.")
    operator: str = Field(
        default="EQUALS",
        description="-> claimMatchOperator: EQUALS for STRING; CONTAINS or CONTAINS_ANY for "
        "STRING_ARRAY.",
    )
    value: str | None = Field(
        default=None, description="-> matchValueString: for EQUALS and CONTAINS."
    )
    values: list[str] | None = Field(
        default=None, description="-> matchValueStringList: for CONTAINS_ANY."
    )

    def to_api(self) -> dict[str, Any]:
        """The CustomClaimValidationType shape of CreateGateway."""
        return _to_api(self.model_dump(exclude_none=True), self.api_shape)


class SelfManagedLatticeResource(_Model):
    """A VPC Lattice resource configuration you manage."""

    api_shape: ClassVar[str] = "SelfManagedLatticeResource"

    resource_configuration_identifier: str | None = None


class ManagedVpcResource(_Model):
    """A VPC Lattice resource gateway the Gateway manages in your VPC."""

    api_shape: ClassVar[str] = "ManagedVpcResource"

    vpc_identifier: str | None = None
    subnet_ids: list[str] | None = None
    endpoint_ip_address_type: str | None = None
    security_group_ids: list[str] | None = None
    tags: dict[str, str] | None = None
    routing_domain: str | None = None


class PrivateEndpoint(_Model):
    """How AgentCore reaches an identity provider inside a VPC (exactly one way)."""

    api_shape: ClassVar[str] = "PrivateEndpoint"

    self_managed_lattice_resource: SelfManagedLatticeResource | None = None
    managed_vpc_resource: ManagedVpcResource | None = None


class PrivateEndpointOverride(_Model):
    """One domain reached through its own private endpoint."""

    api_shape: ClassVar[str] = "PrivateEndpointOverride"

    domain: str | None = None
    private_endpoint: PrivateEndpoint | None = None


class S3Certificate(_Model):
    """A PEM-encoded private CA certificate in Amazon S3."""

    api_shape: ClassVar[str] = "S3CertificateConfiguration"

    uri: str | None = None
    bucket_owner_account_id: str | None = None


class SecretsManagerCertificate(_Model):
    """A PEM-encoded private CA certificate in AWS Secrets Manager."""

    api_shape: ClassVar[str] = "SecretsManagerCertificateConfiguration"

    secret_arn: str | None = None


class CertificateConfiguration(_Model):
    """A private CA AgentCore trusts for the identity provider's TLS (exactly one source)."""

    api_shape: ClassVar[str] = "CertificateConfiguration"

    s3: S3Certificate | None = None
    secrets_manager: SecretsManagerCertificate | None = None


class HostingEnvironment(_Model):
    """A hosting environment (an AgentCore Gateway) whose workloads may call."""

    api_shape: ClassVar[str] = "HostingEnvironment"

    arn: str | None = None


class AllowedWorkloadConfiguration(_Model):
    """Which workloads in the caller's identity chain may invoke (AgentCore Runtime targets)."""

    api_shape: ClassVar[str] = "AllowedWorkloadConfiguration"

    hosting_environments: list[HostingEnvironment] | None = None
    workload_identities: list[str] | None = None


class AuthorizerSection(_Model):
    """The authorizer file: where it goes and what the Gateway checks."""

    api_shape: ClassVar[str] = API_SHAPE

    output: Annotated[str, AfterValidator(_output)] = Field(
        description="Where the authorizer JSON goes. Default: authorizers/<name>.json."
    )
    allowed_scopes: list[str] = Field(
        default_factory=list, description="-> allowedScopes: full scope strings as in tokens."
    )
    allowed_clients: list[str] | None = Field(
        default=None,
        description="-> allowedClients (cognito): names from cognito.clients, written as their "
        "ids. Default: every client.",
    )
    allowed_audience: list[str] | None = Field(
        default=None,
        description="-> allowedAudience (auth0): the API identifier. Default: the API identifier.",
    )
    advertised_scope_mapping: dict[str, str] | None = None
    custom_claims: list[CustomClaim] = Field(default_factory=list, description="-> customClaims.")
    private_endpoint: PrivateEndpoint | None = None
    private_endpoint_overrides: list[PrivateEndpointOverride] | None = None
    certificate_configurations: list[CertificateConfiguration] | None = None
    allowed_workload_configuration: AllowedWorkloadConfiguration | None = None

    def to_api(self) -> dict[str, Any]:
        """The section's members of ``customJWTAuthorizer``, camelCase.

        Without ``allowedClients`` (names; ``authorizer.build`` resolves them
        with ``allowed_clients``) and without empty top-level lists/mappings.
        """
        unmapped: list[tuple] = []
        members = _to_api(self.model_dump(exclude_none=True), API_SHAPE, (), unmapped)
        if unmapped:
            raise AuthorizerError(f"{_format(('authorizer', *unmapped[0]))}: {_NO_MEMBER}")
        members.pop("allowedClients", None)
        return {k: v for k, v in members.items() if v not in ([], {})}


_NO_MEMBER = (
    "the AgentCore API model of the installed botocore has no member for this key; "
    "upgrade botocore (pip install -e . installs the version authgen needs)"
)


def _to_api(
    value: Any, shape: str, path: tuple = (), unmapped: list | None = None, flat: bool = False
) -> Any:
    """Spec data (snake_case, plain) -> the API's shape, guided by the model.

    Spec keys the model has no member for are added to ``unmapped`` (paths).
    """
    model = service_model.load()
    kind = model.kind(shape)
    if kind == "structure" and isinstance(value, dict):
        out: dict[str, Any] = {}
        for member, target in model.members(shape).items():
            key = spec_key(shape, member)
            if key is None:
                nested = _to_api(value, target, path, unmapped, flat=True)
                if nested:
                    out[member] = nested
            elif key in value:
                out[member] = _to_api(value[key], target, (*path, key), unmapped)
        if not flat and unmapped is not None:
            known = set(_fields(shape)) | (set(SPEC_ONLY) if shape == API_SHAPE else set())
            unmapped += [(*path, key) for key in value if key not in known]
        return out
    if kind == "list" and isinstance(value, list):
        return [_to_api(v, model.item(shape), (*path, i), unmapped) for i, v in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        value_shape = model.key_value(shape)[1]
        return {k: _to_api(v, value_shape, (*path, k), unmapped) for k, v in value.items()}
    return value


def _format(path: tuple) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path)
    )


# --------------------------------------------------------------------------
# The API's rules, reported against the YAML


def spec_path(api_path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """An API path under ``customJWTAuthorizer`` -> the key path under ``authorizer``."""
    model = service_model.load()
    shape: str | None = API_SHAPE
    out: list[str | int] = []
    for part in api_path:
        kind = model.kind(shape) if shape else None
        if kind == "structure" and isinstance(part, str) and part in model.members(shape):
            key = spec_key(shape, part)
            if key is not None:
                out.append(key)
            shape = model.members(shape)[part]
        elif kind == "list":
            out.append(part)
            shape = model.item(shape)
        elif kind == "map":
            out.append(part)
            shape = model.key_value(shape)[1]
        else:
            out.append(part)
            shape = None
    return tuple(out)


def problems(raw: Any, doc: Document, base: tuple[str, ...] = ("authorizer",)) -> list[Problem]:
    """The API's rules broken by the ``authorizer:`` section, at their YAML keys.

    Runs once the section's structure and types are right (pydantic reports
    those); the section is turned into the API's shape and checked with the
    service model and authgen's rules between members.
    """
    try:
        section = AuthorizerSection.model_validate(raw)
    except ValidationError:
        return []
    model = service_model.load()
    unmapped: list[tuple] = []
    members = _to_api(section.model_dump(exclude_none=True), API_SHAPE, (), unmapped)
    members = {k: v for k, v in members.items() if v not in ([], {})}
    out = [Problem(doc.mark_for((*base, *p), key=True), (*base, *p), _NO_MEMBER) for p in unmapped]
    found: list[service_model.Issue] = []
    shapes = model.members(API_SHAPE)
    for member, value in members.items():
        found += model.validate(
            value,
            shapes[member],
            path=(member,),
            names=spec_name,
            # names, not ids: only the list itself is the API's (its ids are
            # checked when the file is written)
            shallow=member in RESOLVED,
        )
    found += authorizer.member_rule_issues(members, names=spec_name)
    for issue in found:
        path = (*base, *spec_path(issue.path))
        out.append(Problem(doc.mark_for(path, key=issue.key), path, issue.message))
    return out


# --------------------------------------------------------------------------
# Coverage: every model member has a spec key


def _unwrap(annotation: Any) -> Any:
    """``X | None`` / ``Annotated[X, ...]`` -> ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, type(int | None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


_SCALARS = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (float, int),
    "double": (float, int),
}


def coverage(model: service_model.ServiceModel | None = None) -> tuple[list[str], list[str]]:
    """``(API members the spec cannot express, spec keys the model does not know)``.

    Walks ``CustomJWTAuthorizerConfiguration`` recursively alongside the
    pydantic models: every member needs a spec key of the same kind
    (object, list, map, string, ...), nested objects a model written for
    that shape. Both lists are empty when the spec covers the model exactly.
    """
    model = model or service_model.load()
    missing: list[str] = []
    unknown: list[str] = []
    seen: set[tuple[str, type]] = set()

    def walk(shape: str, cls: type[_Model], api: str, spec: str) -> None:
        if (shape, cls) in seen:
            return
        seen.add((shape, cls))
        if getattr(cls, "api_shape", None) != shape:
            missing.append(f"{api}: the spec's {cls.__name__} is written for another shape")
            return
        used: set[str] = set()
        members_of(shape, cls, api, spec, used)
        skip = set(SPEC_ONLY) if cls is AuthorizerSection else set()
        for key in cls.model_fields:
            if key not in used and key not in skip:
                unknown.append(f"{spec}.{key}")

    def members_of(shape: str, cls: type[_Model], api: str, spec: str, used: set[str]) -> None:
        for member, target in model.members(shape).items():
            where = f"{api}.{member}"
            if shape == API_SHAPE and member in FROM_PROVIDER:
                continue
            key = spec_key(shape, member)
            if key is None:
                if model.kind(target) == "structure":
                    members_of(target, cls, where, spec, used)
                else:
                    missing.append(f"{where}: written flat, but it is a {model.kind(target)}")
                continue
            if key not in cls.model_fields:
                missing.append(where)
                continue
            used.add(key)
            annotation = cls.model_fields[key].annotation
            kind_of(target, annotation, where, f"{spec}.{key}")

    def kind_of(shape: str, annotation: Any, api: str, spec: str) -> None:
        kind = model.kind(shape)
        annotation = _unwrap(annotation)
        origin = typing.get_origin(annotation)
        if kind == "structure":
            if isinstance(annotation, type) and issubclass(annotation, _Model):
                walk(shape, annotation, api, spec)
                return
        elif kind == "list":
            if origin is list:
                kind_of(model.item(shape), typing.get_args(annotation)[0], f"{api}[]", f"{spec}[]")
                return
        elif kind == "map":
            if origin is dict:
                key_shape, value_shape = model.key_value(shape)
                key_type, value_type = typing.get_args(annotation)
                kind_of(key_shape, key_type, f"{api}{{key}}", f"{spec}{{key}}")
                kind_of(value_shape, value_type, f"{api}{{}}", f"{spec}{{}}")
                return
        elif annotation in _SCALARS.get(kind, ()):
            return
        missing.append(f"{api}: the model has a {kind}, the spec's {spec} is {annotation!r}")

    walk(API_SHAPE, AuthorizerSection, "customJWTAuthorizer", "authorizer")
    return missing, unknown


# --------------------------------------------------------------------------
# JSON Schema: the model's rules and documentation for editors


def model_classes() -> list[type[_Model]]:
    """Every model class of the section, the section first."""
    found: list[type[_Model]] = []

    def visit(cls: type[_Model]) -> None:
        if cls in found:
            return
        found.append(cls)
        for field in cls.model_fields.values():
            for inner in _classes_in(field.annotation):
                visit(inner)

    visit(AuthorizerSection)
    return found


def _classes_in(annotation: Any) -> list[type[_Model]]:
    if isinstance(annotation, type) and issubclass(annotation, _Model):
        return [annotation]
    return [c for arg in typing.get_args(annotation) for c in _classes_in(arg)]


def _fields(shape: str) -> dict[str, tuple[str, str]]:
    """Spec key -> ``(owner shape, member)`` of one model class, flat members followed."""
    model = service_model.load()
    out: dict[str, tuple[str, str]] = {}
    for member, target in model.members(shape).items():
        key = spec_key(shape, member)
        if key is None:
            out.update(_fields(target))
        else:
            out[key] = (shape, member)
    return out


def enrich_schema(schema: dict[str, Any]) -> None:
    """Add the model's rules and documentation to the section's JSON Schema (in place).

    Per key: the member's pattern (anchored: the whole value must match),
    lengths, list and map sizes, enum, and its documentation where the key has
    no description of its own; per object: the model's required members and
    unions (exactly one of). Top-level list/map minimums are left out: an
    empty one there means "not set".
    """
    model = service_model.load()
    defs = schema.get("$defs", {})
    for cls in model_classes():
        node = defs.get(cls.__name__)
        if node is None:
            continue
        top = cls is AuthorizerSection
        if "description" not in node and model.documentation(cls.api_shape):
            node["description"] = model.documentation(cls.api_shape)
        fields = _fields(cls.api_shape)
        required = list(node.get("required", []))
        for key, prop in node.get("properties", {}).items():
            if key not in fields:
                continue
            owner, member = fields[key]
            target = model.members(owner)[member]
            _constrain(prop, target, model, top=top)
            if "description" not in prop:
                text = model.documentation(owner, member) or model.documentation(target)
                prop["description"] = f"-> {member}: {text}" if text else f"-> {member}."
            spec_field = cls.model_fields[key]
            no_default = spec_field.is_required() or spec_field.default is None
            if member in model.required(owner) and no_default and key not in required:
                required.append(key)
        if required:
            node["required"] = required
        for owner in dict.fromkeys(o for o, _ in fields.values()):
            keys = [k for k, (o, _) in fields.items() if o == owner]
            if model.is_union(owner) and len(keys) > 1:
                node.setdefault("allOf", []).append({"oneOf": [{"required": [k]} for k in keys]})
            elif model.is_union(owner):
                node["required"] = sorted({*node.get("required", []), *keys})
        defs[cls.__name__] = _sorted(node)


def _sorted(node: Any, parent: str = "") -> Any:
    """Keys sorted as pydantic sorts its schema (property order kept)."""
    if isinstance(node, dict):
        keys = node if parent == "properties" else sorted(node)
        return {k: _sorted(node[k], k) for k in keys}
    if isinstance(node, list):
        return [_sorted(v, parent) for v in node]
    return node


def _constrain(
    node: dict[str, Any], shape: str, model: service_model.ServiceModel, top: bool = False
) -> None:
    if "anyOf" in node:
        for branch in node["anyOf"]:
            if branch.get("type") != "null":
                _constrain(branch, shape, model, top)
        return
    if "$ref" in node:
        return
    spec = model.shape(shape)
    kind = spec["type"]
    low, high = spec.get("min"), spec.get("max")
    if kind == "string":
        if "pattern" in spec:
            node["pattern"] = f"^(?:{spec['pattern']})$"
        if low is not None:
            node["minLength"] = low
        if high is not None:
            node["maxLength"] = high
        if "enum" in spec:
            node["enum"] = list(spec["enum"])
    elif kind == "list":
        if low is not None and not top:
            node["minItems"] = low
        if high is not None:
            node["maxItems"] = high
        if isinstance(node.get("items"), dict):
            _constrain(node["items"], model.item(shape), model)
    elif kind == "map":
        if low is not None and not top:
            node["minProperties"] = low
        if high is not None:
            node["maxProperties"] = high
        key_shape, value_shape = model.key_value(shape)
        names: dict[str, Any] = {"type": "string"}
        _constrain(names, key_shape, model)
        if len(names) > 1:
            node["propertyNames"] = names
        if isinstance(node.get("additionalProperties"), dict):
            _constrain(node["additionalProperties"], value_shape, model)
