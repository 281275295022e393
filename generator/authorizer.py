"""The authorizer file: Terraform outputs -> ``authorizerConfiguration`` JSON.

The document is exactly the ``authorizerConfiguration`` value that
CreateGateway / UpdateGateway take (``{"customJWTAuthorizer": {...}}``), so
``aws bedrock-agentcore-control create-gateway --authorizer-configuration
file://authorizers/dev.json`` accepts it as is.

Pipeline steps, each with plain data in and out:

- ``build(provider, outputs, members=...)``: the document;
- ``check(doc)`` / ``problems(doc)``: the API's own rules;
- ``dumps(doc)``: canonical, byte-stable text; ``write(path, doc)``: atomic;
- ``load(path)``: read and check an existing file.

Where the rules come from:

- The service model ``bedrock-agentcore-control`` shipped with the installed
  botocore (:mod:`generator.service_model`): every member of
  ``CustomJWTAuthorizerConfiguration`` and the shapes below it, with their
  types, required members, lengths, list and map sizes, patterns, enums and
  unions. Nothing of that is copied here.
- Rules the model does not state, each named where it is checked
  (:func:`member_rule_issues`): the developer guide "Configure inbound JWT
  authorizer"
  (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/inbound-jwt-authorizer.html)
  for "at least one of allowed audiences, allowed clients, allowed scopes or
  custom claims" and EQUALS only for STRING, CONTAINS / CONTAINS_ANY only for
  STRING_ARRAY; the Terraform AWS provider and CDK constructs for which value
  member each operator compares against; the model's own documentation for
  ``advertisedScopeMapping`` keys (scopes of ``allowedScopes``) and
  ``certificateConfigurations`` (only together with ``privateEndpoint``); and
  authgen's own: an absolute http(s) discovery URL without credentials, and no
  secret in the file.

The same checks serve the spec (``generator.authorizer_spec`` reports them
against the YAML with the spec's snake_case keys) and ``authgen verify``.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator import providers, service_model
from generator.errors import AuthorizerError
from generator.files import atomic_write
from generator.service_model import Issue, Namer, api_names, type_name

log = logging.getLogger(__name__)

ROOT_KEY = "customJWTAuthorizer"
#: The model shape of the document's ``customJWTAuthorizer`` value.
SHAPE = "CustomJWTAuthorizerConfiguration"
WELL_KNOWN_SUFFIX = "/.well-known/openid-configuration"

# "At least one of the fields is required for the configuration" (dev guide).
RULE_KEYS = ("allowedAudience", "allowedClients", "allowedScopes", "customClaims")
# Dev guide: STRING -> EQUALS; STRING_ARRAY -> CONTAINS or CONTAINS_ANY.
OPERATORS_FOR_TYPE = {"STRING": ("EQUALS",), "STRING_ARRAY": ("CONTAINS", "CONTAINS_ANY")}
# Which ClaimMatchValueType member each operator takes (EQUALS / CONTAINS
# compare one string, CONTAINS_ANY a list), as the Terraform AWS provider and
# the CDK constructs document it.
VALUE_KEY_FOR_OPERATOR = {
    "EQUALS": "matchValueString",
    "CONTAINS": "matchValueString",
    "CONTAINS_ANY": "matchValueStringList",
}
VALUE_KEYS = ("matchValueString", "matchValueStringList")
# The file's key order is the model's member order, except where files
# written before the model order was used put the operator first.
_ORDER = {"AuthorizingClaimMatchValueType": ("claimMatchOperator", "claimMatchValue")}

# Key names that must never appear in the document (defence in depth: the
# model already refuses unknown keys; this only sharpens the message).
_SECRET_KEY_RE = re.compile(
    r"secret|passw(or)?d|private[_-]?key|credential|api[_-]?key|"
    r"(access|refresh|id|bearer|auth)[_-]?token|^token$",
    re.I,
)
_WELL_KNOWN_RE = re.compile(
    r"(?P<base>.*?)/\.well-known/(?:openid-configuration|oauth-authorization-server)(?P<rest>/.*)?"
)

Problem = tuple[str, str]


def model() -> service_model.ServiceModel:
    """The installed AgentCore control-plane service model (cached)."""
    return service_model.load()


# --------------------------------------------------------------------------
# Per-field rules (verify reuses them)
# --------------------------------------------------------------------------


def _shape_problem(shape: str, value: Any) -> str | None:
    found = model().validate(value, shape)
    return "; ".join(i.message for i in found) or None


def discovery_url_problem(url: Any) -> str | None:
    """What is wrong with a ``discoveryUrl`` value, or None.

    The model's ``DiscoveryUrl`` pattern, then authgen's own: an absolute
    http(s) URL without credentials.
    """
    return _shape_problem("DiscoveryUrl", url) or _url_problem(url)


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return f"{url!r} must be an absolute https:// URL"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (user:password@); remove them from the URL"
    return None


def issuer_for(url: str) -> str:
    """The issuer a discovery URL belongs to.

    ``<issuer>/.well-known/openid-configuration`` (OpenID Connect Discovery
    §4) or, with a path after the well-known name, the RFC 8414 §3.1 form
    ``<origin>/.well-known/oauth-authorization-server/<path>`` whose issuer
    is ``<origin>/<path>``.
    """
    match = _WELL_KNOWN_RE.fullmatch(url)
    if not match:
        return url
    return match["base"] + (match["rest"] or "")


def scope_problem(scope: Any) -> str | None:
    """What is wrong with one ``allowedScopes`` item (model shape AllowedScopeType), or None."""
    return _shape_problem("AllowedScopeType", scope)


def claim_name_problem(name: Any) -> str | None:
    """What is wrong with an ``inboundTokenClaimName`` (InboundTokenClaimNameType), or None."""
    return _shape_problem("InboundTokenClaimNameType", name)


def match_value_problem(value: Any) -> str | None:
    """What is wrong with a ``matchValueString`` (or one list item), or None."""
    return _shape_problem("MatchValueString", value)


def custom_claim_problems(claim: Any) -> list[Problem]:
    """Problems of one ``customClaims`` entry (API shape, camelCase).

    Returns ``(path, message)`` pairs; ``path`` is relative to the entry
    (``""`` for the entry itself, else e.g.
    ``authorizingClaimMatchValue.claimMatchOperator``).
    """
    found = model().validate(claim, "CustomClaimValidationType")
    if isinstance(claim, Mapping):
        found += claim_rule_issues(claim)
    return [(_fmt(i.path, empty=""), i.message) for i in found]


# --------------------------------------------------------------------------
# Rules beyond the model
# --------------------------------------------------------------------------


def claim_rule_issues(
    claim: Mapping[str, Any], *, path: tuple = (), names: Namer = api_names
) -> list[Issue]:
    """Operator, claim type and value member fit together (dev guide, TF provider, CDK)."""
    match = claim.get("authorizingClaimMatchValue")
    if not isinstance(match, Mapping):
        return []
    vtype = claim.get("inboundTokenClaimValueType")
    operator = match.get("claimMatchOperator")
    if operator not in VALUE_KEY_FOR_OPERATOR:
        return []  # the model reports a wrong or missing operator
    out: list[Issue] = []
    base = (*path, "authorizingClaimMatchValue")
    op_name = names("AuthorizingClaimMatchValueType", "claimMatchOperator")
    type_key = names("CustomClaimValidationType", "inboundTokenClaimValueType")
    if vtype in OPERATORS_FOR_TYPE and operator not in OPERATORS_FOR_TYPE[vtype]:
        allowed = " or ".join(OPERATORS_FOR_TYPE[vtype])
        other = "STRING_ARRAY" if vtype == "STRING" else "STRING"
        out.append(
            Issue(
                (*base, "claimMatchOperator"),
                "rule",
                f"{op_name} {operator} cannot be used with {type_key} {vtype}: "
                f"use {allowed}, or make the claim {type_key} {other}",
            )
        )
    value = match.get("claimMatchValue")
    present = [k for k in VALUE_KEYS if isinstance(value, Mapping) and k in value]
    want = VALUE_KEY_FOR_OPERATOR[operator]
    if len(present) == 1 and present[0] != want:
        out.append(
            Issue(
                (*base, "claimMatchValue"),
                "rule",
                f"{op_name} {operator} compares against {names('ClaimMatchValueType', want)}, "
                f"not {names('ClaimMatchValueType', present[0])}",
            )
        )
    return out


def member_rule_issues(
    inner: Mapping[str, Any], *, path: tuple = (), names: Namer = api_names
) -> list[Issue]:
    """The rules between members that the model states only in prose.

    Tolerant of wrong shapes: the model reports those.
    """
    out: list[Issue] = []

    def name(member: str) -> str:
        return names(SHAPE, member)

    # authgen: the model sets no length for a client id or an audience, but an
    # empty one can never match a token.
    for member in ("allowedAudience", "allowedClients"):
        values = inner.get(member)
        for i, value in enumerate(values if isinstance(values, list) else []):
            if value == "":
                out.append(
                    Issue(
                        (*path, member, i),
                        "rule",
                        "is empty; no token carries an empty value: remove it",
                    )
                )

    claims = inner.get("customClaims")
    for i, claim in enumerate(claims if isinstance(claims, list) else []):
        if isinstance(claim, Mapping):
            out += claim_rule_issues(claim, path=(*path, "customClaims", i), names=names)

    # DESIGN.md: every list present has at least one item. The model says so
    # for most lists; for the rest (subnetIds, securityGroupIds, ...) an empty
    # list would only blur "not set".
    out += _empty_lists(inner, SHAPE, path)

    # Model documentation: "Each key is a scope from allowedScopes".
    mapping = inner.get("advertisedScopeMapping")
    scopes = inner.get("allowedScopes")
    scopes = [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
    for key in mapping if isinstance(mapping, Mapping) else ():
        if key not in scopes:
            listed = f" ({', '.join(scopes)})" if scopes else " (none are set)"
            out.append(
                Issue(
                    (*path, "advertisedScopeMapping", key),
                    "rule",
                    f"key {key!r} is not one of {name('allowedScopes')}{listed}; each key is a "
                    f"scope the Gateway validates: add it to {name('allowedScopes')} or fix the "
                    "key",
                    key=True,
                )
            )

    # Model documentation: "You can use this only together with privateEndpoint."
    if "certificateConfigurations" in inner and "privateEndpoint" not in inner:
        out.append(
            Issue(
                (*path, "certificateConfigurations"),
                "rule",
                f"works only together with {name('privateEndpoint')} (the API says so); "
                f"add {name('privateEndpoint')} or remove {name('certificateConfigurations')}",
            )
        )
    return out


def _empty_lists(value: Any, shape: str, path: tuple, required: bool = False) -> list[Issue]:
    m = model()
    kind = m.kind(shape)
    if kind == "list" and isinstance(value, list):
        if not value and m.shape(shape).get("min", 0) < 1:
            fix = "add an item" if required else "remove the key or add an item"
            return [Issue(path, "rule", f"is empty; {fix}")]
        return [i for n, v in enumerate(value) for i in _empty_lists(v, m.item(shape), (*path, n))]
    if kind == "structure" and isinstance(value, Mapping):
        members, needed = m.members(shape), m.required(shape)
        return [
            i
            for k, v in value.items()
            if k in members
            for i in _empty_lists(v, members[k], (*path, k), k in needed)
        ]
    if kind == "map" and isinstance(value, Mapping):
        value_shape = m.key_value(shape)[1]
        return [i for k, v in value.items() for i in _empty_lists(v, value_shape, (*path, k))]
    return []


# --------------------------------------------------------------------------
# The whole document
# --------------------------------------------------------------------------


def issues(doc: Any) -> list[Issue]:
    """Every rule an authorizer document breaks, with API key paths."""
    if not isinstance(doc, Mapping):
        return [
            Issue(
                (), "type", f'must be a JSON object {{"{ROOT_KEY}": {{...}}}}, not {type_name(doc)}'
            )
        ]
    out: list[Issue] = []
    for key in doc:
        if key != ROOT_KEY:
            out.append(_unknown(key, (key,), f"allowed keys: {ROOT_KEY}"))
    if ROOT_KEY not in doc:
        out.append(
            Issue(
                (ROOT_KEY,),
                "required",
                'is missing; the document is {"customJWTAuthorizer": {...}}',
            )
        )
        return out
    inner = doc[ROOT_KEY]
    for issue in model().validate(inner, SHAPE, path=(ROOT_KEY,)):
        if issue.kind == "unknown" and _SECRET_KEY_RE.search(str(issue.path[-1])):
            issue = _unknown(issue.path[-1], issue.path, "")
        out.append(issue)
    if not isinstance(inner, Mapping):
        return out
    if not any(k in inner for k in RULE_KEYS):
        out.append(
            Issue(
                (ROOT_KEY,),
                "rule",
                "needs at least one of allowedAudience, allowedClients, allowedScopes or "
                "customClaims (the API refuses a discovery URL alone)",
            )
        )
    url = inner.get("discoveryUrl")
    if isinstance(url, str) and not any(i.path == (ROOT_KEY, "discoveryUrl") for i in out):
        problem = _url_problem(url)
        if problem:
            out.append(Issue((ROOT_KEY, "discoveryUrl"), "rule", problem))
    out += member_rule_issues(inner, path=(ROOT_KEY,))
    return out


def problems(doc: Any) -> list[Problem]:
    """Every API-rule problem of an authorizer document, as (key path, message)."""
    return [(_fmt(i.path), i.message) for i in issues(doc)]


def check(doc: Any) -> None:
    """Raise AuthorizerError naming every broken rule (key path and what to do)."""
    found = problems(doc)
    if found:
        raise _error(found)


def format_problems(found: Iterable[Problem], source: str | None = None) -> list[str]:
    """One line per problem: ``[source: ]path: message``."""
    prefix = f"{source}: " if source else ""
    return [f"{prefix}{path or '(document)'}: {msg}" for path, msg in found]


# --------------------------------------------------------------------------
# Building from Terraform outputs
# --------------------------------------------------------------------------


def plain_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """``terraform output -json`` entries (``{"value": ..., "type": ...}``) -> plain values.

    Already-plain values pass through unchanged.
    """
    plain: dict[str, Any] = {}
    for name, entry in outputs.items():
        if (
            isinstance(entry, Mapping)
            and "value" in entry
            and "type" in entry
            and set(entry) <= {"value", "type", "sensitive"}
        ):
            plain[name] = entry["value"]
        else:
            plain[name] = entry
    return plain


def build(
    provider: str,
    outputs: Mapping[str, Any],
    allowed_scopes: list[str] | None = None,
    custom_claims: list[dict] | None = None,
    *,
    members: Mapping[str, Any] | None = None,
    client_names: list[str] | None = None,
) -> dict:
    """The authorizer document for ``provider`` from the module outputs.

    ``members`` are the spec's API members, camelCase (``AuthorizerSection.to_api()``);
    ``allowed_scopes`` / ``custom_claims`` add those two (empty means absent).
    The provider's entry picks the members that name accepted tokens
    (Cognito tokens carry ``client_id`` and no ``aud``: ``allowedClients``, the
    client ids; Auth0 tokens carry ``aud``: ``allowedAudience``). The spec may
    narrow them: ``client_names`` to those clients' ids, ``allowedAudience`` in
    ``members`` to some of the audiences; a member the provider does not yield,
    or a value it does not, is refused. The result is checked, and refused if
    any client secret from the outputs appears in it.
    """
    plain = plain_outputs(outputs)
    spec_members = {k: v for k, v in (members or {}).items() if v not in (None, [], {})}
    if allowed_scopes:
        spec_members["allowedScopes"] = list(allowed_scopes)
    if custom_claims:
        spec_members["customClaims"] = list(custom_claims)
    for derived in ("discoveryUrl", "allowedClients"):
        if derived in spec_members:
            raise ValueError(f"{derived} comes from the outputs, not from members")
    url = plain.get("discovery_url")
    if not isinstance(url, str) or not url:
        raise AuthorizerError(
            "outputs: discovery_url is missing or empty; apply the environment first "
            "(authgen apply ENV) so Terraform has outputs"
        )
    inner: dict[str, Any] = {"discoveryUrl": url}
    entry = providers.find(provider)
    if entry is None:
        raise AuthorizerError(f"provider {provider!r} is not supported; use {providers.choices()}")
    callers = entry.authorizer_members(plain)
    audience = spec_members.pop("allowedAudience", None)
    if client_names:
        callers = _narrowed(callers, "allowedClients", _client_ids(plain, client_names), entry)
    if audience is not None:
        callers = _narrowed(callers, "allowedAudience", [str(a) for a in audience], entry)
    inner.update(callers)
    if "allowedScopes" in spec_members:
        spec_members["allowedScopes"] = list(dict.fromkeys(spec_members["allowedScopes"]))
    inner.update(copy.deepcopy(spec_members))
    doc = canonical({ROOT_KEY: inner})
    check(doc)
    _refuse_secrets(doc, plain)
    return doc


#: The token claim each caller member is matched against (developer guide).
CALLER_CLAIMS = {"allowedClients": "client_id", "allowedAudience": "aud"}
#: The spec key of each caller member.
CALLER_KEYS = {"allowedClients": "allowed_clients", "allowedAudience": "allowed_audience"}


def _client_ids(plain: Mapping[str, Any], names: list[str]) -> list[str]:
    """The ids of the clients ``names`` (the module contract's ``client_ids`` output)."""
    ids = plain.get("client_ids")
    ids = ids if isinstance(ids, Mapping) else {}
    missing = [n for n in names if n not in ids]
    if missing:
        raise AuthorizerError(
            f"authorizer.allowed_clients: no client id in the Terraform outputs for "
            f"{', '.join(missing)}; apply the environment first (authgen apply ENV)"
        )
    return [str(ids[n]) for n in names]


def _narrowed(callers: dict, member: str, wanted: list[str], entry: Any) -> dict:
    """``callers`` with ``member`` narrowed to ``wanted``, which must be among
    the values the provider yields (a token carrying anything else never comes)."""
    key = CALLER_KEYS[member]
    if member not in callers:
        (yields,) = list(callers) or ["nothing"]
        raise AuthorizerError(
            f"authorizer.{key}: {entry.title} access tokens are matched by {yields} "
            f"({CALLER_CLAIMS.get(yields, yields)}), not by {member} ({CALLER_CLAIMS[member]}); "
            f"remove {key}"
        )
    other = [v for v in wanted if v not in callers[member]]
    if other:
        raise AuthorizerError(
            f"authorizer.{key}: {', '.join(other)} is not among the {member} this environment "
            f"yields ({', '.join(callers[member])}); tokens would never carry it"
        )
    return {**callers, member: sorted(set(wanted))}


def canonical(doc: Mapping[str, Any]) -> dict:
    """A copy in the API's member order, map keys sorted (unknown keys kept, sorted, last)."""
    if not isinstance(doc, Mapping):
        return copy.deepcopy(doc)
    top = _ordered(doc, (ROOT_KEY,))
    if isinstance(top.get(ROOT_KEY), Mapping):
        top[ROOT_KEY] = _canonical(top[ROOT_KEY], SHAPE)
    return top


def _canonical(value: Any, shape: str) -> Any:
    m = model()
    kind = m.kind(shape)
    if kind == "structure" and isinstance(value, Mapping):
        members = m.members(shape)
        ordered = _ordered(value, _ORDER.get(shape, tuple(members)))
        return {k: _canonical(v, members[k]) if k in members else v for k, v in ordered.items()}
    if kind == "list" and isinstance(value, list):
        return [_canonical(v, m.item(shape)) for v in value]
    if kind == "map" and isinstance(value, Mapping):
        value_shape = m.key_value(shape)[1]
        return {k: _canonical(value[k], value_shape) for k in sorted(value, key=str)}
    return copy.deepcopy(value)


def _ordered(obj: Mapping[str, Any], keys: tuple[str, ...]) -> dict:
    known = [k for k in keys if k in obj]
    rest = sorted((k for k in obj if k not in keys), key=str)
    return {k: copy.deepcopy(obj[k]) for k in known + rest}


# --------------------------------------------------------------------------
# --------------------------------------------------------------------------


def dumps(doc: Mapping[str, Any]) -> str:
    """Canonical text: 2-space indent, API key order, trailing newline."""
    return json.dumps(canonical(doc), indent=2, ensure_ascii=False) + "\n"


def write(path: str | os.PathLike, doc: Mapping[str, Any]) -> bool:
    """Check ``doc`` and write it to ``path`` atomically.

    A temporary file in the same directory is written, fsynced and renamed
    over ``path`` with ``os.replace``. On any failure the earlier file is
    untouched and no temporary file remains. Returns False (and touches
    nothing) when the file already holds exactly this text.
    """
    path = Path(path)
    check(doc)
    data = dumps(doc).encode("utf-8")
    try:
        if path.read_bytes() == data:
            log.info("%s is up to date", path)
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass  # nothing to compare with; the write below reports a bad directory
    except IsADirectoryError:
        raise AuthorizerError(
            f"{path}: is a directory; choose a file name for authorizer.output"
        ) from None
    except OSError as err:
        raise AuthorizerError(
            f"{path}: cannot read the current file: {err.strerror or err}"
        ) from None

    try:
        atomic_write(path, data)
    except OSError as err:
        raise AuthorizerError(
            f"{path}: cannot write the authorizer file: {err.strerror or err}; "
            "the earlier file (if any) is unchanged"
        ) from None
    log.info("wrote %s", path)
    return True


def load(path: str | os.PathLike) -> dict:
    """Read and check an authorizer file; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthorizerError(
            f"{path}: no such file; run 'authgen apply ENV' or 'authgen authorizer ENV' "
            "to create it"
        ) from None
    except IsADirectoryError:
        raise AuthorizerError(f"{path}: is a directory, not an authorizer file") from None
    except UnicodeDecodeError:
        raise AuthorizerError(
            f"{path}: is not UTF-8 text; regenerate it with 'authgen authorizer ENV'"
        ) from None
    except OSError as err:
        raise AuthorizerError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise AuthorizerError(
            f"{path}:{err.lineno}:{err.colno}: not valid JSON ({err.msg}); "
            "regenerate it with 'authgen authorizer ENV'"
        ) from None
    found = problems(doc)
    if found:
        raise _error(found, source=str(path))
    return doc


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _error(found: list[Problem], source: str | None = None) -> AuthorizerError:
    lines = format_problems(found, source)
    err = AuthorizerError("; ".join(lines))
    err.problems = lines  # type: ignore[attr-defined]
    return err


def _unknown(key: Any, path: tuple, allowed: str) -> Issue:
    if isinstance(key, str) and _SECRET_KEY_RE.search(key):
        message = "looks like a secret; secrets never belong in the authorizer file: remove it"
    else:
        message = f"is not allowed here; {allowed}"
    return Issue(path, "unknown", message)


def _fmt(path: tuple, empty: str = "") -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or empty


def _refuse_secrets(doc: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
    """Refuse a document that contains any client secret value from the outputs."""
    secrets = _secret_values(outputs.get("client_secrets"))
    if not secrets:
        return
    for path, value in _walk_strings(doc, ""):
        if any(s in value for s in secrets):
            raise AuthorizerError(
                f"{path}: holds a client secret from the Terraform outputs; refusing to write it "
                "(secrets never belong in the authorizer file: check the values under the "
                "spec's authorizer:)"
            )


def _secret_values(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, str):
        if len(value) >= 8:  # a short string would match by accident
            found.add(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            found |= _secret_values(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= _secret_values(v)
    return found


def _walk_strings(obj: Any, path: str):
    if isinstance(obj, str):
        yield path or "(document)", obj
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from _walk_strings(k, f"{path}.{k}" if path else str(k))
            yield from _walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_strings(v, f"{path}[{i}]")
