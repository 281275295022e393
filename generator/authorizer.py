"""The authorizer file: Terraform outputs -> ``authorizerConfiguration`` JSON.

The document is exactly the ``authorizerConfiguration`` value that
CreateGateway / UpdateGateway take (``{"customJWTAuthorizer": {...}}``), so
``aws bedrock-agentcore-control create-gateway --authorizer-configuration
file://authorizers/dev.json`` accepts it as is.

Pipeline steps, each with plain data in and out:

- ``build(provider, outputs, allowed_scopes, custom_claims)``: the document;
- ``check(doc)`` / ``problems(doc)``: the API's own rules;
- ``dumps(doc)``: canonical, byte-stable text; ``write(path, doc)``: atomic;
- ``load(path)``: read and check an existing file.

The per-field rules (``scope_problem``, ``custom_claim_problems``, ...) are
public so the spec validator can report the same problems against the YAML
file with a line number.

Sources of the rules (checked 2026-11):

- Service model ``bedrock-agentcore-control`` 2023-06-05 as shipped in
  botocore 1.44 (``CustomJWTAuthorizerConfiguration`` and the shapes below
  it): list ``min`` 1 everywhere; ``AllowedScopeType`` 1-255
  ``[\\x21\\x23-\\x5B\\x5D-\\x7E]+``; ``InboundTokenClaimNameType`` 1-255
  ``[A-Za-z0-9_.-:]+``; ``MatchValueString`` 1-255 ``[A-Za-z0-9_.-]+``;
  ``ClaimMatchValueType`` is a union (exactly one member).
- API reference: https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CustomJWTAuthorizerConfiguration.html
  and ``API_CustomClaimValidationType`` / ``API_ClaimMatchValueType``.
- Developer guide, "Configure inbound JWT authorizer":
  https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/inbound-jwt-authorizer.html
  (discovery URL ``^.+/\\.well-known/openid-configuration$``; EQUALS only for
  STRING, CONTAINS / CONTAINS_ANY only for STRING_ARRAY; "At least one of the
  fields is required: allowed audiences, allowed clients, allowed scopes, or
  required custom claims").
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

from generator import providers
from generator.errors import AuthorizerError
from generator.files import atomic_write

log = logging.getLogger(__name__)

ROOT_KEY = "customJWTAuthorizer"
WELL_KNOWN_SUFFIX = "/.well-known/openid-configuration"

# The keys this generator writes, in the order the API reference lists them
# (that order is also the canonical order of the file). The API knows a few
# more (advertisedScopeMapping, privateEndpoint, ...); authgen never writes
# them, and an unknown key is refused so nothing unexpected (a secret above
# all) can ride along in the file.
AUTHORIZER_KEYS = (
    "discoveryUrl",
    "allowedAudience",
    "allowedClients",
    "allowedScopes",
    "customClaims",
)
# "At least one of the fields is required for the configuration" (dev guide).
RULE_KEYS = ("allowedAudience", "allowedClients", "allowedScopes", "customClaims")
CLAIM_KEYS = ("inboundTokenClaimName", "inboundTokenClaimValueType", "authorizingClaimMatchValue")
MATCH_KEYS = ("claimMatchOperator", "claimMatchValue")
VALUE_KEYS = ("matchValueString", "matchValueStringList")

VALUE_TYPES = ("STRING", "STRING_ARRAY")
OPERATORS = ("EQUALS", "CONTAINS", "CONTAINS_ANY")
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

MAX_LEN = 255  # AllowedScopeType, InboundTokenClaimNameType, MatchValueString

# AllowedScopeType: printable ASCII without space, '"' and '\'.
_SCOPE_RE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")
# InboundTokenClaimNameType, taken literally: ".-:" is a character range
# (. / 0-9 :), so '-' is NOT in it. CloudFormation documents
# ^[A-Za-z0-9_.:/-]+$ instead; the literal model pattern is the subset both
# sources accept, so a name that passes here passes the API.
_CLAIM_NAME_RE = re.compile(r"[A-Za-z0-9_.-:]+")
# MatchValueString: letters, digits, '_', '.', '-'.
_MATCH_VALUE_RE = re.compile(r"[A-Za-z0-9_.-]+")
# Service model DiscoveryUrl: no whitespace, '?' or '#'.
_URL_FORBIDDEN_RE = re.compile(r"[\s?#]")

# Key names that must never appear in the document (defence in depth: the
# allow-list above already refuses them; this only sharpens the message).
_SECRET_KEY_RE = re.compile(
    r"secret|passw(or)?d|private[_-]?key|credential|api[_-]?key|"
    r"(access|refresh|id|bearer|auth)[_-]?token|^token$",
    re.I,
)

Problem = tuple[str, str]


# --------------------------------------------------------------------------
# Per-field rules (reused by the spec validator)
# --------------------------------------------------------------------------


def discovery_url_problem(url: Any) -> str | None:
    """What is wrong with a ``discoveryUrl`` value, or None."""
    if not isinstance(url, str) or not url:
        return "must be a non-empty string: the issuer's OIDC discovery URL"
    if not url.endswith(WELL_KNOWN_SUFFIX) or len(url) == len(WELL_KNOWN_SUFFIX):
        return (
            f"{url!r} must end in {WELL_KNOWN_SUFFIX!r} after the issuer URL "
            f"(for example https://issuer.example.com{WELL_KNOWN_SUFFIX})"
        )
    if _URL_FORBIDDEN_RE.search(url):
        return f"{url!r} must not contain whitespace, '?' or '#'"
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return f"{url!r} must be an absolute https:// URL"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (user:password@); remove them from the URL"
    return None


def _short_string_problem(value: Any, empty: str) -> str | None:
    """The rules every API string here shares: a string of 1-255 characters."""
    if not isinstance(value, str):
        return f"must be a string, not {_type_name(value)}"
    if not value:
        return f"is empty; {empty}"
    if len(value) > MAX_LEN:
        return f"is {len(value)} characters long; the API allows at most {MAX_LEN}"
    return None


def scope_problem(scope: Any) -> str | None:
    """What is wrong with one ``allowedScopes`` item, or None.

    API rule (AllowedScopeType): 1-255 characters of ``[\\x21\\x23-\\x5B\\x5D-\\x7E]``,
    i.e. printable ASCII except space, ``"`` and ``\\``.
    """
    problem = _short_string_problem(scope, "a scope has 1-255 characters")
    if problem or _SCOPE_RE.fullmatch(scope):
        return problem
    bad = _bad_chars(scope, _SCOPE_RE)
    if " " in bad:
        return (
            f"{scope!r} contains a space: list each scope as its own item "
            "(allowedScopes: [read, write], not 'read write')"
        )
    return (
        f"{scope!r} contains {_describe_chars(bad)}; a scope may use printable ASCII "
        "except space, '\"' and '\\'"
    )


def claim_name_problem(name: Any) -> str | None:
    """What is wrong with an ``inboundTokenClaimName``, or None.

    API rule (InboundTokenClaimNameType): 1-255 characters of
    ``[A-Za-z0-9_.-:]`` read literally: letters, digits, ``_ . / :``.
    """
    problem = _short_string_problem(name, "name the token claim to check (1-255 characters)")
    if problem or _CLAIM_NAME_RE.fullmatch(name):
        return problem
    return (
        f"{name!r} contains {_describe_chars(_bad_chars(name, _CLAIM_NAME_RE))}; "
        "a claim name may use letters, digits, '_', '.', '/' and ':'"
    )


def match_value_problem(value: Any) -> str | None:
    """What is wrong with a ``matchValueString`` (or one list item), or None.

    API rule (MatchValueString): 1-255 characters of ``[A-Za-z0-9_.-]``.
    """
    problem = _short_string_problem(value, "a match value has 1-255 characters")
    if problem or _MATCH_VALUE_RE.fullmatch(value):
        return problem
    return (
        f"{value!r} contains {_describe_chars(_bad_chars(value, _MATCH_VALUE_RE))}; "
        "a match value may use letters, digits, '_', '.' and '-'"
    )


def custom_claim_problems(claim: Any) -> list[Problem]:
    """Problems of one ``customClaims`` entry (API shape, camelCase).

    Returns ``(path, message)`` pairs; ``path`` is relative to the entry
    (``""`` for the entry itself, else e.g.
    ``authorizingClaimMatchValue.claimMatchOperator``).
    """
    if not isinstance(claim, Mapping):
        return [("", f"must be an object with {', '.join(CLAIM_KEYS)}, not {_type_name(claim)}")]
    out: list[Problem] = []
    out += _unknown_keys(claim, CLAIM_KEYS, "")
    out += _missing_keys(claim, CLAIM_KEYS, "")

    if "inboundTokenClaimName" in claim:
        msg = claim_name_problem(claim["inboundTokenClaimName"])
        if msg:
            out.append(("inboundTokenClaimName", msg))

    value_type = claim.get("inboundTokenClaimValueType")
    if "inboundTokenClaimValueType" in claim and value_type not in VALUE_TYPES:
        out.append(("inboundTokenClaimValueType", f"{value_type!r} must be STRING or STRING_ARRAY"))
        value_type = None

    if "authorizingClaimMatchValue" not in claim:
        return out
    match = claim["authorizingClaimMatchValue"]
    base = "authorizingClaimMatchValue"
    if not isinstance(match, Mapping):
        out.append(
            (
                base,
                "must be an object with claimMatchOperator and claimMatchValue, "
                f"not {_type_name(match)}",
            )
        )
        return out
    out += _unknown_keys(match, MATCH_KEYS, base)
    out += _missing_keys(match, MATCH_KEYS, base)

    operator = match.get("claimMatchOperator")
    if "claimMatchOperator" in match:
        if operator not in OPERATORS:
            out.append(
                (
                    f"{base}.claimMatchOperator",
                    f"{operator!r} must be EQUALS, CONTAINS or CONTAINS_ANY",
                )
            )
            operator = None
        elif value_type is not None and operator not in OPERATORS_FOR_TYPE[value_type]:
            allowed = " or ".join(OPERATORS_FOR_TYPE[value_type])
            other = "STRING_ARRAY" if value_type == "STRING" else "STRING"
            out.append(
                (
                    f"{base}.claimMatchOperator",
                    f"{operator} cannot be used with inboundTokenClaimValueType {value_type}: "
                    f"use {allowed}, or make the claim type {other}",
                )
            )

    if "claimMatchValue" not in match:
        return out
    value = match["claimMatchValue"]
    vbase = f"{base}.claimMatchValue"
    if not isinstance(value, Mapping):
        out.append(
            (
                vbase,
                "must be an object with matchValueString or matchValueStringList, "
                f"not {_type_name(value)}",
            )
        )
        return out
    out += _unknown_keys(value, VALUE_KEYS, vbase)
    present = [k for k in VALUE_KEYS if k in value]
    if len(present) != 1:
        what = "neither" if not present else "both"
        out.append(
            (vbase, f"has {what} of matchValueString and matchValueStringList; set exactly one")
        )
    if (
        operator is not None
        and len(present) == 1
        and present[0] != VALUE_KEY_FOR_OPERATOR[operator]
    ):
        want = VALUE_KEY_FOR_OPERATOR[operator]
        out.append((vbase, f"{operator} compares against {want}, not {present[0]}"))
    if "matchValueString" in value:
        msg = match_value_problem(value["matchValueString"])
        if msg:
            out.append((f"{vbase}.matchValueString", msg))
    if "matchValueStringList" in value:
        out += _string_list_problems(
            value["matchValueStringList"],
            f"{vbase}.matchValueStringList",
            match_value_problem,
            empty="is empty; the API needs at least one value",
        )
    return out


# --------------------------------------------------------------------------
# The whole document
# --------------------------------------------------------------------------


def problems(doc: Any) -> list[Problem]:
    """Every API-rule problem of an authorizer document, as (key path, message)."""
    if not isinstance(doc, Mapping):
        return [("", f'must be a JSON object {{"{ROOT_KEY}": {{...}}}}, not {_type_name(doc)}')]
    out: list[Problem] = []
    out += _unknown_keys(doc, (ROOT_KEY,), "")
    if ROOT_KEY not in doc:
        out.append((ROOT_KEY, 'is missing; the document is {"customJWTAuthorizer": {...}}'))
        return out
    inner = doc[ROOT_KEY]
    if not isinstance(inner, Mapping):
        out.append((ROOT_KEY, f"must be an object, not {_type_name(inner)}"))
        return out
    out += _unknown_keys(inner, AUTHORIZER_KEYS, ROOT_KEY)

    if "discoveryUrl" not in inner:
        out.append((f"{ROOT_KEY}.discoveryUrl", "is missing; set the issuer's OIDC discovery URL"))
    else:
        msg = discovery_url_problem(inner["discoveryUrl"])
        if msg:
            out.append((f"{ROOT_KEY}.discoveryUrl", msg))

    if not any(k in inner for k in RULE_KEYS):
        out.append(
            (
                ROOT_KEY,
                "needs at least one of allowedAudience, allowedClients, allowedScopes or "
                "customClaims (the API refuses a discovery URL alone)",
            )
        )

    for key in ("allowedAudience", "allowedClients"):
        if key in inner:
            out += _string_list_problems(inner[key], f"{ROOT_KEY}.{key}", _plain_string_problem)
    if "allowedScopes" in inner:
        out += _string_list_problems(
            inner["allowedScopes"], f"{ROOT_KEY}.allowedScopes", scope_problem
        )
    if "customClaims" in inner:
        claims = inner["customClaims"]
        path = f"{ROOT_KEY}.customClaims"
        if not isinstance(claims, list):
            out.append((path, f"must be a list, not {_type_name(claims)}"))
        elif not claims:
            out.append((path, "is empty; remove it or add at least one claim rule"))
        else:
            for i, claim in enumerate(claims):
                for sub, msg in custom_claim_problems(claim):
                    out.append((f"{path}[{i}]" + (f".{sub}" if sub else ""), msg))
    return out


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
) -> dict:
    """The authorizer document for ``provider`` from the module outputs.

    The provider's entry picks the members that name accepted tokens:
    Cognito access tokens carry ``client_id`` and no ``aud``, so Cognito gets
    ``allowedClients`` (the client ids, sorted); Auth0 tokens carry ``aud``,
    so Auth0 gets ``allowedAudience``. ``allowedScopes`` / ``customClaims``
    appear only when non-empty. The result is checked, and refused if any
    client secret from the outputs appears in it.
    """
    plain = plain_outputs(outputs)
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
    inner.update(entry.authorizer_members(plain))
    if allowed_scopes:
        inner["allowedScopes"] = list(dict.fromkeys(allowed_scopes))
    if custom_claims:
        inner["customClaims"] = copy.deepcopy(list(custom_claims))
    doc = canonical({ROOT_KEY: inner})
    check(doc)
    _refuse_secrets(doc, plain)
    return doc


def canonical(doc: Mapping[str, Any]) -> dict:
    """A copy with keys in the API's order (unknown keys kept, sorted, last)."""

    def order(obj: Any, keys: tuple[str, ...]) -> Any:
        if not isinstance(obj, Mapping):
            return copy.deepcopy(obj)
        known = [k for k in keys if k in obj]
        rest = sorted(k for k in obj if k not in keys)
        return {k: copy.deepcopy(obj[k]) for k in known + rest}

    if not isinstance(doc, Mapping):
        return copy.deepcopy(doc)
    top = order(doc, (ROOT_KEY,))
    inner = top.get(ROOT_KEY)
    if isinstance(inner, Mapping):
        inner = order(inner, AUTHORIZER_KEYS)
        claims = inner.get("customClaims")
        if isinstance(claims, list):
            new_claims = []
            for claim in claims:
                claim = order(claim, CLAIM_KEYS)
                if isinstance(claim, dict) and isinstance(
                    claim.get("authorizingClaimMatchValue"), Mapping
                ):
                    match = order(claim["authorizingClaimMatchValue"], MATCH_KEYS)
                    if isinstance(match.get("claimMatchValue"), Mapping):
                        match["claimMatchValue"] = order(match["claimMatchValue"], VALUE_KEYS)
                    claim["authorizingClaimMatchValue"] = match
                new_claims.append(claim)
            inner["customClaims"] = new_claims
        top[ROOT_KEY] = inner
    return top


# --------------------------------------------------------------------------
# Text and files
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


def _unknown_keys(obj: Mapping[str, Any], allowed: tuple[str, ...], base: str) -> list[Problem]:
    out: list[Problem] = []
    for key in obj:
        if key in allowed:
            continue
        path = f"{base}.{key}" if base else str(key)
        if isinstance(key, str) and _SECRET_KEY_RE.search(key):
            out.append(
                (
                    path,
                    "looks like a secret; secrets never belong in the authorizer file: remove it",
                )
            )
        else:
            out.append((path, f"is not allowed here; allowed keys: {', '.join(allowed)}"))
    return out


def _missing_keys(obj: Mapping[str, Any], required: tuple[str, ...], base: str) -> list[Problem]:
    return [(f"{base}.{k}" if base else k, "is missing") for k in required if k not in obj]


def _plain_string_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, not {_type_name(value)}"
    if not value:
        return "is empty"
    return None


def _string_list_problems(
    value: Any,
    path: str,
    item_problem,
    *,
    empty: str = "is empty; the API needs at least one item: remove the key or add an item",
) -> list[Problem]:
    if not isinstance(value, list):
        return [(path, f"must be a list of strings, not {_type_name(value)}")]
    if not value:
        return [(path, empty)]
    out: list[Problem] = []
    for i, item in enumerate(value):
        msg = item_problem(item)
        if msg:
            out.append((f"{path}[{i}]", msg))
    return out


def _refuse_secrets(doc: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
    """Refuse a document that contains any client secret value from the outputs."""
    secrets = _secret_values(outputs.get("client_secrets"))
    if not secrets:
        return
    for path, value in _walk_strings(doc, ""):
        if any(s in value for s in secrets):
            raise AuthorizerError(
                f"{path}: holds a client secret from the Terraform outputs; refusing to write it "
                "(secrets never belong in the authorizer file: check the spec's allowed_scopes "
                "and custom_claims)"
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


def _bad_chars(text: str, pattern: re.Pattern) -> list[str]:
    return list(dict.fromkeys(c for c in text if not pattern.fullmatch(c)))


def _describe_chars(chars: list[str]) -> str:
    shown = []
    for c in chars[:5]:
        if c == " ":
            shown.append("a space")
        elif c.isprintable():
            shown.append(repr(c))
        else:
            shown.append(f"U+{ord(c):04X}")
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    return (
        (
            "a character the API does not allow: "
            if len(chars) == 1
            else "characters the API does not allow: "
        )
        + ", ".join(shown)
        + more
    )


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)
