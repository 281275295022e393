"""The AgentCore control plane's own rules, read from the AWS SDK's service model.

Why this exists: the Gateway refuses an ``authorizerConfiguration`` that breaks
the rules of its API (patterns, lengths, list sizes, enums, one-of unions,
required members). AWS publishes those rules in the service model every SDK
is generated from, and botocore ships it. Reading them from there, instead of
copying them by hand, means a botocore upgrade brings new rules and new members
with it, and a test notices a member the spec cannot express yet.

botocore's own ``ParamValidator`` checks types, required members and minimums
but neither patterns nor maximums, so :meth:`ServiceModel.validate` walks the
shapes itself and applies every constraint the model states.

The model file is read straight from the installed botocore package
(``botocore/data/<service>/<api version>/service-2.json[.gz]``, the newest API
version, as botocore's loader picks it) without importing botocore: the import
costs about 80 ms, reading the file about 10 ms, and ``authgen validate`` stays
quick. ``~/.aws/models`` and ``AWS_DATA_PATH`` are not consulted: the pinned
package is the reference.

Patterns are ECMA-262 regular expressions in the model, without anchors. A
value passes here only when the *whole* value matches, and under both Python's
Unicode and ASCII readings of classes such as ``\\s`` and ``\\d``: the strictest
reading, so a value accepted here is accepted by any reading the service uses.
"""

from __future__ import annotations

import difflib
import functools
import gzip
import html
import importlib.util
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import AuthorizerError

log = logging.getLogger(__name__)

SERVICE = "bedrock-agentcore-control"

#: Names a member in messages: ``(shape name, member name) -> display name``.
Namer = Callable[[str, str], str]


def api_names(shape: str, member: str) -> str:
    """The default namer: the API's own member names."""
    return member


@dataclass(frozen=True)
class Issue:
    """One broken rule at ``path`` (member names, list indices, map keys).

    ``kind`` is the constraint kind: type, unknown, required, union, length,
    size, pattern, enum, range (or ``rule`` for authgen's rules beyond the
    model). ``key`` marks a problem with a map key rather than its value.
    """

    path: tuple[str | int, ...]
    kind: str
    message: str
    key: bool = False


class ServiceModel:
    """One service model (the parsed ``service-2.json``) and its validator."""

    def __init__(self, data: Mapping[str, Any], *, source: str = ""):
        self.data = data
        self.shapes: Mapping[str, Any] = data["shapes"]
        self.source = source

    @property
    def api_version(self) -> str:
        return str(self.data.get("metadata", {}).get("apiVersion", ""))

    # -- reading shapes ------------------------------------------------------

    def shape(self, name: str) -> Mapping[str, Any]:
        """The definition of shape ``name``."""
        try:
            return self.shapes[name]
        except KeyError:
            raise AuthorizerError(
                f"the {SERVICE} service model ({self.source or 'botocore'}) has no shape "
                f"{name!r}; install the botocore version authgen pins (pip install -e .)"
            ) from None

    def kind(self, name: str) -> str:
        """The shape's type: structure, list, map, string, integer, ..."""
        return str(self.shape(name)["type"])

    def members(self, name: str) -> dict[str, str]:
        """A structure's members in model order: member name -> shape name."""
        return {m: d["shape"] for m, d in self.shape(name).get("members", {}).items()}

    def required(self, name: str) -> tuple[str, ...]:
        return tuple(self.shape(name).get("required", ()))

    def is_union(self, name: str) -> bool:
        return bool(self.shape(name).get("union"))

    def item(self, name: str) -> str:
        """The member shape of a list."""
        return str(self.shape(name)["member"]["shape"])

    def key_value(self, name: str) -> tuple[str, str]:
        """The key and value shapes of a map."""
        shape = self.shape(name)
        return str(shape["key"]["shape"]), str(shape["value"]["shape"])

    def documentation(self, name: str, member: str | None = None) -> str:
        """The first paragraph of the model's documentation, as plain text."""
        shape = self.shape(name)
        raw = (
            shape.get("documentation", "")
            if member is None
            else (shape.get("members", {}).get(member, {}).get("documentation", ""))
        )
        return plain_text(raw)

    # -- validating ------------------------------------------------------------

    def validate(
        self,
        value: Any,
        shape: str,
        *,
        path: tuple[str | int, ...] = (),
        names: Namer = api_names,
        shallow: bool = False,
    ) -> list[Issue]:
        """Every constraint of ``shape`` that ``value`` breaks.

        ``names`` renders member names in messages (the spec uses its own
        snake_case keys). ``shallow`` checks a container but not its items.
        """
        out: list[Issue] = []
        self._check(value, shape, path, names, out, shallow)
        return out

    def _check(self, value, name, path, names, out, shallow=False) -> None:
        shape = self.shape(name)
        kind = shape["type"]
        check = _CHECKS.get(kind)
        if check is None:
            log.warning("%s: shape %s of type %s is not checked", _fmt(path), name, kind)
            return
        check(self, value, name, shape, path, names, out, shallow)

    def _structure(self, value, name, shape, path, names, out, shallow) -> None:
        members = shape.get("members", {})
        if not isinstance(value, Mapping):
            out.append(Issue(path, "type", f"must be an object, not {type_name(value)}"))
            return
        allowed = [names(name, m) for m in members]
        for key in value:
            if key not in members:
                out.append(
                    Issue(
                        (*path, key),
                        "unknown",
                        f"is not allowed here; allowed keys: {', '.join(allowed)}",
                    )
                )
        for member in shape.get("required", ()):
            if member not in value:
                out.append(Issue((*path, member), "required", "is missing; the API requires it"))
        if shape.get("union"):
            present = [m for m in members if m in value]
            if len(present) != 1:
                out.append(Issue(path, "union", _union_message(name, members, present, names)))
        if shallow:
            return
        for member, spec in members.items():
            if member in value:
                self._check(value[member], spec["shape"], (*path, member), names, out)

    def _list(self, value, name, shape, path, names, out, shallow) -> None:
        if not isinstance(value, list):
            out.append(Issue(path, "type", f"must be a list, not {type_name(value)}"))
            return
        _size(value, shape, path, "item", out)
        if not shallow:
            for i, item in enumerate(value):
                self._check(item, shape["member"]["shape"], (*path, i), names, out)

    def _map(self, value, name, shape, path, names, out, shallow) -> None:
        if not isinstance(value, Mapping):
            out.append(Issue(path, "type", f"must be an object (a map), not {type_name(value)}"))
            return
        _size(value, shape, path, "entry", out)
        if shallow:
            return
        for key, item in value.items():
            found: list[Issue] = []
            self._check(key, shape["key"]["shape"], (*path, key), names, found)
            out.extend(
                Issue(i.path, i.kind, "key " + i.message if i.kind != "type" else i.message, True)
                for i in found
            )
            self._check(item, shape["value"]["shape"], (*path, key), names, out)

    def _string(self, value, name, shape, path, names, out, shallow) -> None:
        if not isinstance(value, str):
            out.append(Issue(path, "type", f"must be a string, not {type_name(value)}"))
            return
        low, high = shape.get("min"), shape.get("max")
        if low is not None and len(value) < low:
            message = (
                f"is empty; the API needs at least {_count(low, 'character')}"
                if not value
                else f"is {len(value)} characters long; the API needs at least {low}"
            )
            out.append(Issue(path, "length", message))
        if high is not None and len(value) > high:
            out.append(
                Issue(
                    path,
                    "length",
                    f"is {len(value)} characters long; the API allows at most {high}: shorten it",
                )
            )
        enum = shape.get("enum")
        if enum and value not in enum:
            hint = difflib.get_close_matches(value, enum, n=1)
            more = f"; did you mean '{hint[0]}'?" if hint else ""
            out.append(Issue(path, "enum", f"{_short(value)} must be {_one_of(enum)}{more}"))
        pattern = shape.get("pattern")
        if pattern and value and not _matches(pattern, value):
            out.append(Issue(path, "pattern", pattern_message(name, pattern, value)))

    def _number(self, value, name, shape, path, names, out, shallow) -> None:
        integral = shape["type"] in ("integer", "long")
        ok = isinstance(value, int) if integral else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            what = "a whole number" if integral else "a number"
            out.append(Issue(path, "type", f"must be {what}, not {type_name(value)}"))
            return
        low, high = shape.get("min"), shape.get("max")
        if low is not None and value < low:
            out.append(Issue(path, "range", f"is {value}; the API needs at least {low}"))
        if high is not None and value > high:
            out.append(Issue(path, "range", f"is {value}; the API allows at most {high}"))

    def _boolean(self, value, name, shape, path, names, out, shallow) -> None:
        if not isinstance(value, bool):
            out.append(Issue(path, "type", f"must be true or false, not {type_name(value)}"))


_CHECKS = {
    "structure": ServiceModel._structure,
    "list": ServiceModel._list,
    "map": ServiceModel._map,
    "string": ServiceModel._string,
    "integer": ServiceModel._number,
    "long": ServiceModel._number,
    "float": ServiceModel._number,
    "double": ServiceModel._number,
    "boolean": ServiceModel._boolean,
}


# --------------------------------------------------------------------------
# Loading


@functools.cache
def load(service: str = SERVICE) -> ServiceModel:
    """The newest API version of ``service`` in the installed botocore (cached)."""
    return read_model(botocore_data_dir() / service)


def read_model(service_dir: Path) -> ServiceModel:
    """The newest API version under ``service_dir`` (``<version>/service-2.json[.gz]``),
    picked as botocore's loader picks it (versions sorted, plain JSON before gzip)."""
    versions = sorted(p.name for p in service_dir.iterdir()) if service_dir.is_dir() else []
    for version in reversed(versions):
        for file_name in ("service-2.json", "service-2.json.gz"):
            path = service_dir / version / file_name
            if path.is_file():
                opener = gzip.open if file_name.endswith(".gz") else open
                with opener(path, "rb") as handle:
                    data = json.loads(handle.read())
                log.debug("service model %s from %s", service_dir.name, path)
                return ServiceModel(data, source=str(path))
    raise AuthorizerError(
        f"the installed botocore has no {service_dir.name} service model; authgen needs "
        "botocore 1.44.8 or newer: reinstall authgen (pip install -e .)"
    )


def botocore_data_dir() -> Path:
    """botocore's ``data`` directory, found without importing botocore."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise AuthorizerError(
            "botocore is not installed; authgen reads the AgentCore API rules from its service "
            "model: reinstall authgen (pip install -e .)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def botocore_version() -> str:
    """The installed botocore's version (for messages and the schema)."""
    from importlib import metadata

    try:
        return metadata.version("botocore")
    except metadata.PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------
# Messages


def plain_text(doc: str) -> str:
    """The first paragraph of model documentation (HTML) as one line of text."""
    if not doc:
        return ""
    first = re.split(r"</p>", doc, maxsplit=1)[0]
    first = re.sub(r"xref:[^\[\s]*\[([^\]]*)\]", r"\1", first)  # AsciiDoc cross references
    text = html.unescape(re.sub(r"<[^>]+>", "", first))
    return " ".join(text.split())


def type_name(value: Any) -> str:
    """How a JSON value is named in messages."""
    if isinstance(value, bool):
        return "a boolean"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "an object" if isinstance(value, Mapping) else type(value).__name__)


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


def _one_of(options: list[str]) -> str:
    if len(options) == 1:
        return options[0]
    return ", ".join(options[:-1]) + " or " + options[-1]


def _short(value: str, limit: int = 60) -> str:
    return repr(value) if len(value) <= limit else repr(value[: limit - 3]) + "..."


def _fmt(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _size(value, shape, path, noun, out) -> None:
    low, high = shape.get("min"), shape.get("max")
    n = len(value)
    if low is not None and n < low:
        if n == 0:
            least = f"one {noun}" if low == 1 else _count(low, noun)
            message = f"is empty; the API needs at least {least}: remove the key or add one"
        else:
            message = f"has {_count(n, noun)}; the API needs at least {low}"
        out.append(Issue(path, "size", message))
    if high is not None and n > high:
        out.append(
            Issue(
                path,
                "size",
                f"has {_count(n, noun)}; the API allows at most {high}: remove "
                f"{_count(n - high, noun) if n - high > 1 else 'one'}",
            )
        )


def _union_message(name: str, members: Mapping, present: list[str], names: Namer) -> str:
    every = [names(name, m) for m in members]
    given = [names(name, m) for m in present]
    if len(every) == 1:
        return f"is empty; set {every[0]}"
    if len(every) == 2:
        if not given:
            return f"has neither {every[0]} nor {every[1]}; set exactly one"
        return f"has both {every[0]} and {every[1]}; set exactly one"
    if not given:
        return f"has none of {', '.join(every)}; set exactly one"
    return f"has {', '.join(given)} together; set exactly one of them"


# --------------------------------------------------------------------------
# Patterns


@functools.cache
def _compiled(pattern: str) -> tuple[re.Pattern, ...]:
    try:
        return (re.compile(pattern), re.compile(pattern, re.ASCII))
    except re.error as err:
        log.warning("pattern %r of the service model is not checked: %s", pattern, err)
        return ()


def _matches(pattern: str, value: str) -> bool:
    return all(r.fullmatch(value) for r in _compiled(pattern))


#: A pattern that is one character class repeated, e.g. ``[A-Za-z0-9_.-]+``.
_CLASS_PATTERN = re.compile(r"(\[(?:[^\]\\]|\\.)+\])[+*]")


def pattern_message(shape: str, pattern: str, value: str) -> str:
    """Why ``value`` fails ``pattern``, and what would pass."""
    whole = _CLASS_PATTERN.fullmatch(pattern)
    if whole:
        char_class = whole.group(1)
        bad = [c for c in dict.fromkeys(value) if not _matches(char_class, c)]
        if bad:
            return (
                f"{_short(value)} contains {_describe_chars(bad)}; use {describe_class(char_class)}"
            )
    example = EXAMPLES.get(shape)
    fix = f"write it like {example}" if example else "write a value of that form"
    return f"{_short(value)} does not match the API pattern {pattern}; {fix}"


def describe_class(char_class: str) -> str:
    """``[A-Za-z0-9_.-]`` -> "letters, digits, '-', '.' and '_'" (from the class itself)."""
    printable = [chr(c) for c in range(0x20, 0x7F)]
    allowed = [c for c in printable if _matches(char_class, c)]
    if char_class.startswith("[^"):
        excluded = [c for c in printable if c not in allowed]
        return "any character except " + _and(_names(excluded, whitespace=True))
    excluded = [c for c in printable if c not in allowed]
    if len(excluded) <= 5:
        return "printable ASCII except " + _and(_names(excluded))
    parts = []
    rest = set(allowed)
    for label, group in (
        ("letters", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
        ("uppercase letters", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        ("lowercase letters", "abcdefghijklmnopqrstuvwxyz"),
        ("digits", "0123456789"),
    ):
        if set(group) <= rest:
            parts.append(label)
            rest -= set(group)
    return _and(parts + _names(sorted(rest)))


def _names(chars: list[str], whitespace: bool = False) -> list[str]:
    out = []
    if whitespace and " " in chars:
        out.append("whitespace")
    for c in chars:
        if c == " ":
            if not whitespace:
                out.append("space")
        else:
            out.append(f"'{c}'")
    return out


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _describe_chars(chars: list[str]) -> str:
    shown = []
    for c in chars[:5]:
        if c == " ":
            shown.append("a space")
        elif c.isprintable():
            shown.append(f"'{c}'")
        else:
            shown.append(f"U+{ord(c):04X}")
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    lead = "a character" if len(chars) == 1 else "characters"
    return f"{lead} the API does not allow: " + ", ".join(shown) + more


#: What a value of a structured pattern looks like (a test holds each example
#: against the installed model's pattern, so none can drift from it).
EXAMPLES = {
    "DiscoveryUrl": "https://issuer.example.com/.well-known/openid-configuration",
    "VpcIdentifier": "vpc-0123456789abcdef0",
    "SubnetId": "subnet-0123456789abcdef0",
    "SecurityGroupIdentifier": "sg-0123456789abcdef0",
    "ResourceConfigurationIdentifier": "rcfg-0123456789abcdef0",
    "CertificateS3Uri": "s3://my-bucket/ca/idp-ca.pem",
    "CertificateBucketOwnerAccountId": "123456789012",
    "CertificateSecretArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:idp-ca-AbCdEf",
    "GatewayIdentifier": "my-gateway-abcde12345",
    "AgentRuntimeId": "my_agent-AbCdE12345",
}
