"""Value rules from the APIs the spec ends up in.

Each rule takes a value and returns ``None`` when it is acceptable, else a
message that says what is wrong and what to do. The spec models use them as
validators; the JSON Schema carries the matching ``pattern`` for editors.

Sources: Amazon Cognito API reference (ResourceServerType,
ResourceServerScopeType, CreateUserPool PoolName, CreateUserPoolClient
ClientName / AllowedOAuthScopes, CreateUserPoolDomain), the Cognito developer
guide on domain prefixes, and the Auth0 Management API.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlsplit

Rule = Callable[[str], str | None]

#: Cognito PoolName, ClientName, ResourceServer Name: ``[\w\s+=,.@-]+``
#: (white space narrowed to the space character).
AWS_NAME_CHARS = r"[\w +=,.@-]"
#: Cognito resource server Identifier and AllowedOAuthScopes items.
COGNITO_IDENTIFIER_CHARS = r"[\x21\x23-\x5B\x5D-\x7E]"
#: Cognito ScopeName: the identifier set without '/'.
COGNITO_SCOPE_CHARS = r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]"
AWS_NAME_PATTERN = f"^{AWS_NAME_CHARS}+$"
COGNITO_IDENTIFIER_PATTERN = f"^{COGNITO_IDENTIFIER_CHARS}+$"
COGNITO_SCOPE_PATTERN = f"^{COGNITO_SCOPE_CHARS}+$"
DOMAIN_PREFIX_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
ENV_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?$"
GATEWAY_PATTERN = r"^(?:[0-9A-Za-z]-?){1,100}$"
REGION_PATTERN = r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$"
HOSTNAME_PATTERN = r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
TAG_KEY_PATTERN = r"^[\w\s+=.:/@-]+$"
TAG_VALUE_PATTERN = r"^[\w\s+=.:/@-]*$"
#: Scope strings the Gateway accepts in allowedScopes (1-255 characters).
GATEWAY_SCOPE_PATTERN = r"^[\x21\x23-\x5B\x5D-\x7E]{1,255}$"

RESERVED_DOMAIN_WORDS = ("aws", "amazon", "cognito")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _bad_characters(value: str, char_class: str) -> str:
    """The distinct characters of ``value`` outside ``char_class``, quoted."""
    single = re.compile(char_class, re.ASCII)
    return ", ".join(repr(c) for c in sorted({c for c in value if not single.fullmatch(c)}))


def _chars_rule(char_class: str, what: str, allowed_text: str, max_len: int) -> Rule:
    regex = re.compile(f"{char_class}+", re.ASCII)

    def rule(value: str) -> str | None:
        if not value:
            return f"{what} is empty; give it a value"
        if len(value) > max_len:
            return f"{what} is {len(value)} characters; at most {max_len} are allowed"
        if not regex.fullmatch(value):
            return (
                f"{what} {value!r} has characters that are not allowed "
                f"({_bad_characters(value, char_class)}); use {allowed_text}"
            )
        return None

    return rule


aws_pool_name = _chars_rule(
    AWS_NAME_CHARS, "user pool name", "letters, digits, spaces and + = , . @ - _", 128
)
aws_client_name = _chars_rule(
    AWS_NAME_CHARS, "client name", "letters, digits, spaces and + = , . @ - _", 128
)
aws_resource_server_name = _chars_rule(
    AWS_NAME_CHARS, "resource server name", "letters, digits, spaces and + = , . @ - _", 256
)
cognito_identifier = _chars_rule(
    COGNITO_IDENTIFIER_CHARS,
    "identifier",
    "printable ASCII without spaces, '\"' or '\\'",
    256,
)
auth0_scope_name = _chars_rule(
    COGNITO_IDENTIFIER_CHARS,
    "scope name",
    "printable ASCII without spaces, '\"' or '\\' (the Gateway's allowedScopes set)",
    255,
)
cognito_scope_name = _chars_rule(
    COGNITO_SCOPE_CHARS,
    "scope name",
    "printable ASCII without spaces, '/', '\"' or '\\'",
    256,
)


def description(value: str) -> str | None:
    """A scope description: 1-256 characters on one line."""
    if not value:
        return "description is empty; write a few words or remove the key"
    if len(value) > 256:
        return f"description is {len(value)} characters; at most 256 are allowed"
    if _CONTROL.search(value):
        return "description has a control character (newline, tab, ...); keep it on one line"
    return None


def domain_prefix(value: str) -> str | None:
    """A Cognito domain prefix: lowercase letters, digits, inner hyphens, no reserved word."""
    if not value:
        return "domain prefix is empty"
    if len(value) > 63:
        return f"domain prefix is {len(value)} characters; at most 63 are allowed"
    if not re.fullmatch(DOMAIN_PREFIX_PATTERN, value):
        if value != value.lower():
            return f"domain prefix {value!r} has capital letters; use lowercase"
        if value.startswith("-") or value.endswith("-"):
            return f"domain prefix {value!r} starts or ends with '-'; remove it"
        return (
            f"domain prefix {value!r} has characters that are not allowed "
            f"({_bad_characters(value, r'[a-z0-9-]')}); use lowercase letters, digits and '-'"
        )
    for word in RESERVED_DOMAIN_WORDS:
        if word in value:
            return (
                f"domain prefix {value!r} contains the reserved word '{word}'; Cognito refuses it"
            )
    return None


def env_name(value: str) -> str | None:
    """An environment name (also the spec file's stem)."""
    if not re.fullmatch(ENV_NAME_PATTERN, value):
        return (
            f"environment name {value!r} must be 1-32 lowercase letters, digits, '-' or '_', "
            "starting and ending with a letter or digit"
        )
    return None


def gateway_name(value: str) -> str | None:
    """A gateway name as AgentCore allows it."""
    if not re.fullmatch(GATEWAY_PATTERN, value):
        return (
            f"gateway name {value!r} must be 1-100 letters and digits, "
            "single '-' between them (the AgentCore gateway name rule)"
        )
    return None


def region(value: str) -> str | None:
    """An AWS region name such as ``us-west-2``."""
    if not re.fullmatch(REGION_PATTERN, value):
        return f"region {value!r} is not an AWS region name; write it like 'us-west-2'"
    return None


def hostname(value: str) -> str | None:
    """A bare host name (an Auth0 tenant domain): no scheme, path, port or capitals."""
    if "://" in value:
        bare = urlsplit(value).hostname or ""
        return f"domain {value!r} has a scheme; write the bare host name {bare!r}"
    if "/" in value or ":" in value:
        return f"domain {value!r} has a path or port; write the bare host name only"
    if value != value.lower():
        return f"domain {value!r} has capital letters; use lowercase"
    if not re.fullmatch(HOSTNAME_PATTERN, value):
        return f"domain {value!r} is not a host name; write it like 'dev-example.us.auth0.com'"
    return None


#: Addresses of cloud metadata services and link-local networks: an endpoint
#: there would hand credentials (or a client secret) to whatever answers.
_METADATA_NETWORKS = (
    ipaddress.ip_network("169.254.0.0/16"),  # IPv4 link-local, EC2/ECS/GCP/Azure metadata
    ipaddress.ip_network("fe80::/10"),  # IPv6 link-local
    ipaddress.ip_network("fd00:ec2::254/128"),  # EC2 instance metadata over IPv6
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba Cloud metadata
)
_METADATA_HOSTS = ("metadata", "metadata.google.internal", "instance-data")
_LOOPBACK_HOSTS = ("localhost",)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return None


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1 (IPv4-mapped forms included)."""
    host = host.lower().rstrip(".")
    if host in _LOOPBACK_HOSTS or host.endswith(".localhost"):
        return True
    address = _ip(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address is not None and address.is_loopback


def endpoint_url(value: str) -> str | None:
    """An AWS API endpoint (a local emulator): ``http(s)://host[:port][/path]``.

    No credentials, query or fragment; plain ``http`` only on loopback
    (``localhost``, 127.0.0.0/8, ::1), where nothing crosses a network;
    never a link-local or cloud metadata address. The message never repeats
    credentials found in the URL.
    """
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return f"endpoint URL {_shown(value)!r} is not a valid URL (bad host or port)"
    del port
    shown = _shown(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"endpoint URL {shown!r} must be http(s)://host[:port], e.g. http://127.0.0.1:5000"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return (
            f"endpoint URL {shown!r} carries credentials; remove them (AWS credentials come "
            "from the usual AWS chain)"
        )
    if parts.query or parts.fragment or value.rstrip().endswith(("?", "#")):
        return f"endpoint URL {shown!r} must not have a query or fragment; remove it"
    if _CONTROL.search(value) or any(c.isspace() for c in value):
        return "endpoint URL has white space or a control character; remove it"
    host = parts.hostname.lower().rstrip(".")
    address = _ip(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if host in _METADATA_HOSTS or (
        address is not None and any(address in net for net in _METADATA_NETWORKS)
    ):
        return (
            f"endpoint URL {shown!r} points at a link-local or cloud metadata address; "
            "use the emulator's loopback address (e.g. http://127.0.0.1:5000) or an https URL"
        )
    if address is None and re.fullmatch(r"(0x[0-9a-f]+|\d+)(\.(0x[0-9a-f]+|\d+))*", host):
        return (
            f"endpoint URL {shown!r} writes an IP address in a numeric shorthand; "
            "write it in dotted form"
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        return (
            f"endpoint URL {shown!r} uses plain http off this machine; use https, or http only "
            "on loopback (localhost, 127.0.0.0/8, ::1)"
        )
    return None


def _shown(value: str) -> str:
    """``value`` with any ``user:password@`` replaced by ``***@``."""
    return re.sub(r"(?<=://)[^/?#]*@", "***@", value)


def no_control(what: str, max_len: int) -> Rule:
    """A rule for free text ``what``: not blank, at most ``max_len``, no control characters."""

    def rule(value: str) -> str | None:
        if not value.strip():
            return f"{what} is empty; give it a value"
        if len(value) > max_len:
            return f"{what} is {len(value)} characters; at most {max_len} are allowed"
        if _CONTROL.search(value):
            return f"{what} has a control character (newline, tab, ...); remove it"
        return None

    return rule


def auth0_identifier(value: str) -> str | None:
    """An Auth0 API identifier (the audience): 1-600 characters, no white space."""
    if not value:
        return "API identifier is empty; it is the audience, e.g. 'https://gateway.example.com'"
    if len(value) > 600:
        return f"API identifier is {len(value)} characters; at most 600 are allowed"
    if any(c.isspace() for c in value) or _CONTROL.search(value):
        return f"API identifier {value!r} has white space; remove it"
    return None


def auth0_client_name(value: str) -> str | None:
    """An Auth0 application name: free text without ``<`` or ``>``."""
    problem = no_control("client name", 128)(value)
    if problem:
        return problem
    if "<" in value or ">" in value:
        return f"client name {value!r} has '<' or '>'; Auth0 refuses them"
    return None


def tag_key(value: str) -> str | None:
    """An AWS tag key: 1-128 allowed characters, not ``aws:``-prefixed."""
    if not value or len(value) > 128:
        return f"tag key {value!r} must be 1-128 characters"
    if value.lower().startswith("aws:"):
        return f"tag key {value!r} starts with 'aws:', which AWS reserves; rename it"
    if not re.fullmatch(TAG_KEY_PATTERN, value):
        return f"tag key {value!r} has characters AWS does not allow in tags"
    return None


def tag_value(value: str) -> str | None:
    """An AWS tag value: at most 256 allowed characters."""
    if len(value) > 256:
        return f"tag value is {len(value)} characters; at most 256 are allowed"
    if not re.fullmatch(TAG_VALUE_PATTERN, value):
        return f"tag value {value!r} has characters AWS does not allow in tags"
    return None


def project_relative_json(value: str) -> str | None:
    """The authorizer output: a relative ``.json`` path that stays inside the project."""
    if not value:
        return "output path is empty"
    if value.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", value):
        return f"output {value!r} is absolute; use a path inside the project (authorizers/...)"
    parts = re.split(r"[\\/]+", value)
    if ".." in parts:
        return f"output {value!r} leaves the project ('..'); use a path inside it"
    if _CONTROL.search(value):
        return "output path has a control character; remove it"
    if not value.endswith(".json"):
        return f"output {value!r} must end in .json"
    if parts[0] in ("build", ".terraform", ".git"):
        return f"output {value!r} is inside '{parts[0]}/', which is generated; use authorizers/"
    return None


#: An S3 bucket name (general purpose buckets): 3-63 characters of lowercase
#: letters, digits, '.' and '-', starting and ending with a letter or digit.
S3_BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
#: Prefixes and suffixes S3 reserves for its own kinds of bucket and endpoint.
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def s3_bucket_name(value: str) -> str | None:
    """A name S3 accepts for a general purpose bucket (S3's bucket naming rules)."""
    if not 3 <= len(value) <= 63:
        return f"bucket name {value!r} is {len(value)} characters; S3 needs 3 to 63"
    if value != value.lower():
        return f"bucket name {value!r} has capital letters; S3 allows lowercase only"
    if not re.fullmatch(S3_BUCKET_PATTERN, value):
        bad = _bad_characters(value, r"[a-z0-9.-]")
        if bad:
            return (
                f"bucket name {value!r} has characters S3 does not allow ({bad}); "
                "use lowercase letters, digits, '.' and '-'"
            )
        return f"bucket name {value!r} must start and end with a lowercase letter or digit"
    if ".." in value:
        return f"bucket name {value!r} has two adjacent periods; S3 refuses that"
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", value):
        return f"bucket name {value!r} looks like an IP address; S3 refuses that"
    for prefix in S3_RESERVED_PREFIXES:
        if value.startswith(prefix):
            return f"bucket name {value!r} starts with '{prefix}', which S3 reserves"
    for suffix in S3_RESERVED_SUFFIXES:
        if value.endswith(suffix):
            return f"bucket name {value!r} ends with '{suffix}', which S3 reserves"


# --------------------------------------------------------------------------
# Claims put into access tokens (clients[].claims)

#: Claims Cognito sets on access tokens itself: a pre token generation
#: trigger cannot add or override them (the developer guide's excluded claims
#: of the pre token generation trigger), plus ``scope``, which the trigger
#: changes through scopesToAdd / scopesToSuppress only.
COGNITO_RESERVED_CLAIMS = frozenset(
    {
        "acr",
        "amr",
        "at_hash",
        "aud",
        "auth_time",
        "azp",
        "c_hash",
        "client_id",
        "device_key",
        "event_id",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
        "version",
    }
)
#: Prefixes Cognito keeps for itself (cognito:groups, cognito:username, ...).
COGNITO_RESERVED_PREFIXES = ("cognito:",)

#: Claims Auth0 restricts (Auth0 docs, "Create Custom Claims", general
#: restrictions): setCustomClaim on them is ignored without an error.
AUTH0_RESTRICTED_CLAIMS = frozenset(
    {
        "acr", "act", "active", "amr", "at_hash", "ath", "attest", "aud", "auth_time",
        "authorization_details", "azp", "c_hash", "client_id", "cnf", "cty", "dest",
        "entitlements", "events", "exp", "groups", "gty", "htm", "htu", "iat",
        "internalService", "iss", "jcard", "jku", "jti", "jwe", "jwk", "kid", "may_act",
        "mky", "nbf", "nonce", "object_id", "org_id", "org_name", "orig", "origid",
        "permissions", "roles", "rph", "s_hash", "sid", "sip_callid", "sip_cseq_num",
        "sip_date", "sip_from_tag", "sip_via_branch", "sub", "sub_jwk", "toe", "txn", "typ",
        "uuid", "vot", "vtm", "x5t#S256",
    }
)  # fmt: skip
#: Namespaces Auth0 refuses for custom claims.
AUTH0_RESERVED_NAMESPACES = ("auth0.com", "webtask.io", "webtask.run")

#: A claim value (one string, or one item of a list).
CLAIM_VALUE_MAX = 1024
#: Items of one list claim.
CLAIM_LIST_MAX = 50
#: Lambda: all environment variables of a function together hold at most 4 KB;
#: the Cognito module passes every client's claims in one of them.
LAMBDA_ENVIRONMENT_BYTES = 4096


def claim_value(value: str) -> str | None:
    """One string put into a token claim (a value, or one item of a list)."""
    if not value:
        return "a claim value is empty; give it a value"
    if len(value) > CLAIM_VALUE_MAX:
        return f"a claim value is {len(value)} characters; at most {CLAIM_VALUE_MAX} are allowed"
    if _CONTROL.search(value):
        return "a claim value has a control character (newline, tab, ...); remove it"
    return None
