"""The service-model validator: the installed botocore model, loaded for real,
and each kind of constraint it states refused with its own message."""

from __future__ import annotations

import json
import re
import shutil

import botocore
import botocore.loaders
import pytest

from generator import authorizer, service_model
from generator.errors import AuthorizerError
from generator.service_model import SERVICE

MODEL = service_model.load()


def issues(value, shape):
    return [(i.path, i.kind, i.message) for i in MODEL.validate(value, shape)]


def only(value, shape):
    found = MODEL.validate(value, shape)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------
# Loading


def test_the_model_is_botocores_own():
    """Read without importing botocore, yet the same data botocore's loader gives."""
    loader = botocore.loaders.Loader()
    assert MODEL.data == loader.load_service_model(SERVICE, "service-2")
    assert MODEL.api_version == "2023-06-05"
    assert service_model.botocore_version() == botocore.__version__


def test_read_model_picks_the_newest_api_version_and_plain_json(tmp_path):
    real = MODEL.data
    older = {**real, "metadata": {**real["metadata"], "apiVersion": "2020-01-01"}}
    (tmp_path / "2020-01-01").mkdir()
    (tmp_path / "2020-01-01" / "service-2.json").write_text(json.dumps(older))
    (tmp_path / "2023-06-05").mkdir()
    shutil.copy(MODEL.source, tmp_path / "2023-06-05" / "service-2.json.gz")
    (tmp_path / "2099-01-01").mkdir()  # a version without a service model is passed over
    (tmp_path / "2099-01-01" / "paginators-1.json").write_text("{}")
    assert service_model.read_model(tmp_path).api_version == "2023-06-05"
    (tmp_path / "2023-06-05" / "service-2.json").write_text(json.dumps(older))
    assert service_model.read_model(tmp_path).source.endswith("2023-06-05/service-2.json")


def test_a_missing_model_is_one_clear_error(tmp_path):
    with pytest.raises(AuthorizerError, match="no empty service model; authgen needs botocore"):
        service_model.read_model(tmp_path / "empty")


def test_every_pattern_under_the_authorizer_compiles_and_has_a_working_example():
    """A pattern Python cannot compile would go unchecked: none may."""
    seen, patterns = set(), {}

    def walk(name):
        if name in seen:
            return
        seen.add(name)
        shape = MODEL.shape(name)
        if "pattern" in shape:
            patterns[name] = shape["pattern"]
        for member in MODEL.members(name).values():
            walk(member)
        if shape["type"] == "list":
            walk(MODEL.item(name))
        if shape["type"] == "map":
            for part in MODEL.key_value(name):
                walk(part)

    walk(authorizer.SHAPE)
    for identifier in ("GatewayIdentifier", "AgentRuntimeId"):  # authgen attach checks these
        walk(identifier)
    assert {"DiscoveryUrl", "AllowedScopeType", "VpcIdentifier"} <= set(patterns)
    for name, pattern in patterns.items():
        assert service_model._compiled(pattern), f"{name}: {pattern!r} does not compile"
    for name, example in service_model.EXAMPLES.items():
        assert name in patterns, f"EXAMPLES names {name}, which has no pattern any more"
        assert MODEL.validate(example, name) == [], f"{name}: example {example!r}"


def test_documentation_is_plain_text():
    text = MODEL.documentation("ManagedVpcResource", "routingDomain")
    assert "<" not in text and "xref:" not in text
    assert text.startswith("An intermediate domain")
    assert MODEL.documentation("CustomJWTAuthorizerConfiguration", "privateEndpoint") == ""


# --------------------------------------------------------------------------
# One test per constraint kind


def test_type():
    assert issues(7, "AllowedScopeType") == [((), "type", "must be a string, not a number")]
    assert issues("x", "AllowedScopesType") == [((), "type", "must be a list, not a string")]
    assert issues([], "CustomClaimValidationType")[0][2] == "must be an object, not a list"
    assert issues(["a"], "TagsMap")[0][2] == "must be an object (a map), not a list"
    assert issues("yes", "Boolean") == [((), "type", "must be true or false, not a string")]
    assert only(True, "EbsVolumeInitializationRate").message == (
        "must be a whole number, not a boolean"
    )


def test_required_members():
    found = issues({"vpcIdentifier": "vpc-0123456789abcdef0"}, "ManagedVpcResource")
    assert found == [
        (("subnetIds",), "required", "is missing; the API requires it"),
        (("endpointIpAddressType",), "required", "is missing; the API requires it"),
    ]


def test_unknown_members():
    issue = only({"s3": {"uri": "s3://b/k", "region": "x"}}, "CertificateConfiguration")
    assert (issue.path, issue.kind) == (("s3", "region"), "unknown")
    assert issue.message == "is not allowed here; allowed keys: uri, bucketOwnerAccountId"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "has neither selfManagedLatticeResource nor managedVpcResource; set exactly one"),
        (
            {
                "selfManagedLatticeResource": {
                    "resourceConfigurationIdentifier": "rcfg-" + "a" * 17
                },
                "managedVpcResource": {
                    "vpcIdentifier": "vpc-0123456789abcdef0",
                    "subnetIds": [],
                    "endpointIpAddressType": "IPV4",
                },
            },
            "has both selfManagedLatticeResource and managedVpcResource; set exactly one",
        ),
    ],
)
def test_unions_take_exactly_one_member(value, message):
    issue = only(value, "PrivateEndpoint")
    assert (issue.path, issue.kind, issue.message) == ((), "union", message)


def test_a_one_member_union_needs_that_member():
    assert issues({}, "SelfManagedLatticeResource") == [
        ((), "union", "is empty; set resourceConfigurationIdentifier")
    ]


@pytest.mark.parametrize(
    ("value", "shape", "message"),
    [
        ("", "AllowedScopeType", "is empty; the API needs at least 1 character"),
        ("ab", "RoutingDomain", "is 2 characters long; the API needs at least 3"),
        (
            "a" * 256,
            "AllowedScopeType",
            "is 256 characters long; the API allows at most 255: shorten it",
        ),
    ],
)
def test_string_lengths(value, shape, message):
    issue = only(value, shape)
    assert (issue.kind, issue.message) == ("length", message)


@pytest.mark.parametrize(
    ("value", "shape", "message"),
    [
        (
            [],
            "AllowedScopesType",
            "is empty; the API needs at least one item: remove the key or add one",
        ),
        (
            [f"sg-{i:08d}" for i in range(7)],
            "SecurityGroupIds",
            "has 7 items; the API allows at most 5: remove 2 items",
        ),
        (
            [{"s3": {"uri": "s3://b/k"}}] * 2,
            "CertificateConfigurationList",
            "has 2 items; the API allows at most 1: remove one",
        ),
        (
            {},
            "AdvertisedScopeMappingType",
            "is empty; the API needs at least one entry: remove the key or add one",
        ),
        (
            {f"k{i}": "v" for i in range(51)},
            "TagsMap",
            "has 51 entries; the API allows at most 50: remove one",
        ),
    ],
)
def test_list_and_map_sizes(value, shape, message):
    issue = only(value, shape)
    assert (issue.kind, issue.message) == ("size", message)


def test_an_enum_names_its_values_and_the_nearest_one():
    issue = only("IPV5", "EndpointIpAddressType")
    assert (issue.kind, issue.message) == (
        "enum",
        "'IPV5' must be IPV4 or IPV6; did you mean 'IPV6'?",
    )
    assert only("EQUAL", "ClaimMatchOperatorType").message == (
        "'EQUAL' must be EQUALS, CONTAINS or CONTAINS_ANY; did you mean 'EQUALS'?"
    )


def test_a_character_class_pattern_names_the_bad_characters_and_the_allowed_ones():
    issue = only("org-id", "InboundTokenClaimNameType")
    assert issue.kind == "pattern"
    assert issue.message == (
        "'org-id' contains a character the API does not allow: '-'; "
        "use letters, digits, '.', '/', ':' and '_'"
    )
    assert only("read write", "AllowedScopeType").message == (
        "'read write' contains a character the API does not allow: a space; "
        "use printable ASCII except space, '\"' and '\\'"
    )


def test_a_structured_pattern_shows_the_pattern_and_an_example():
    issue = only("vpc-123", "VpcIdentifier")
    assert issue.kind == "pattern"
    assert issue.message == (
        "'vpc-123' does not match the API pattern vpc-(([0-9a-z]{8})|([0-9a-z]{17})); "
        "write it like vpc-0123456789abcdef0"
    )


def test_discovery_urls_of_both_well_known_names_with_an_optional_path():
    for url in (
        "https://issuer.example.com/.well-known/openid-configuration",
        "https://issuer.example.com/.well-known/oauth-authorization-server",
        "https://issuer.example.com/.well-known/oauth-authorization-server/tenant/a",
        "http://127.0.0.1:5000/us-west-2_x/.well-known/openid-configuration",
    ):
        assert issues(url, "DiscoveryUrl") == [], url
    for url in (
        "https://issuer.example.com/.well-known/jwks.json",
        "https://issuer.example.com/.well-known/openid-configuration?x=1",
        "https://issuer.example.com/.well-known/openid-configuration#top",
        "/.well-known/openid-configuration",
    ):
        assert only(url, "DiscoveryUrl").kind == "pattern", url


def test_the_whole_value_must_match_under_unicode_and_ascii_readings():
    """``[^\\s?#]`` refuses a no-break space (Unicode \\s); ``\\d{12}`` refuses
    Arabic-Indic digits (ASCII \\d): the strictest reading wins."""
    nbsp = "https://issuer.example.com/a\u00a0b/.well-known/openid-configuration"
    assert only(nbsp, "DiscoveryUrl").kind == "pattern"
    arn = "arn:aws:vpc-lattice:us-west-2:{}:resourceconfiguration/rcfg-0123456789abcdef0"
    assert issues(arn.format("123456789012"), "ResourceConfigurationIdentifier") == []
    digits = "".join(chr(0x0660 + int(d)) for d in "123456789012")
    assert only(arn.format(digits), "ResourceConfigurationIdentifier").kind == "pattern"
    # a value matching only in part is refused
    assert only("vpc-0123456789abcdef0x", "VpcIdentifier").kind == "pattern"


def test_number_ranges():
    assert only(99, "EbsVolumeInitializationRate").message == "is 99; the API needs at least 100"
    assert only(301, "EbsVolumeInitializationRate").message == "is 301; the API allows at most 300"
    assert issues(200, "EbsVolumeInitializationRate") == []


def test_map_keys_are_checked_as_keys():
    issue = only({"bad!key": "v"}, "TagsMap")
    assert (issue.path, issue.kind, issue.key) == (("bad!key",), "pattern", True)
    assert issue.message.startswith(
        "key 'bad!key' contains a character the API does not allow: '!'"
    )


def test_nested_paths_and_a_namer():
    doc = {
        "customClaims": [{"inboundTokenClaimName": "a b", "inboundTokenClaimValueType": "STRING"}]
    }
    found = MODEL.validate(
        doc, authorizer.SHAPE, path=("customJWTAuthorizer",), names=lambda s, m: m.upper()
    )
    paths = [i.path for i in found]
    assert ("customJWTAuthorizer", "discoveryUrl") in paths
    assert ("customJWTAuthorizer", "customClaims", 0, "inboundTokenClaimName") in paths
    assert ("customJWTAuthorizer", "customClaims", 0, "authorizingClaimMatchValue") in paths
    unknown = MODEL.validate({"x": 1}, "HostingEnvironment", names=lambda s, m: m.upper())
    assert unknown[0].message == "is not allowed here; allowed keys: ARN"


def test_shallow_checks_the_container_only():
    assert MODEL.validate(["", ""], "AllowedScopesType", shallow=True) == []
    assert len(MODEL.validate([], "AllowedScopesType", shallow=True)) == 1


def test_long_values_are_shortened_in_messages():
    message = only("x" * 100 + " ", "AllowedScopeType").message
    assert "x" * 57 + "'..." in message and "x" * 60 not in message


@pytest.mark.parametrize(
    ("char_class", "text"),
    [
        (r"[A-Za-z0-9_.-]", "letters, digits, '-', '.' and '_'"),
        (r"[\x21\x23-\x5B\x5D-\x7E]", "printable ASCII except space, '\"' and '\\'"),
        (r"[^\s?#]", "any character except whitespace, '#' and '?'"),
        (r"[a-z0-9-]", "lowercase letters, digits and '-'"),
    ],
)
def test_character_classes_are_described_from_themselves(char_class, text):
    assert service_model.describe_class(char_class) == text


def test_html_is_reduced_to_its_first_paragraph():
    doc = "<p>Use <code>a</code> &amp; b. See xref:x-y[the guide].</p> <p>More.</p>"
    assert service_model.plain_text(doc) == "Use a & b. See the guide."
    assert re.fullmatch(r"[^<>]*", MODEL.documentation("AdvertisedScopeMappingType"))
