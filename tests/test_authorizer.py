"""The authorizer file: build, API rules, canonical text, atomic write, load."""

from __future__ import annotations

import copy
import json
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import authorizer, files
from generator.errors import AuthorizerError

COGNITO_URL = (
    "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123/.well-known/openid-configuration"
)
AUTH0_URL = "https://dev-example.us.auth0.com/.well-known/openid-configuration"
SECRET = "s3cr3tValue-0123456789abcdef"

COGNITO_OUTPUTS = {
    "issuer": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123",
    "discovery_url": COGNITO_URL,
    "jwks_uri": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123/.well-known/jwks.json",
    "token_endpoint": "https://my-gateway-dev.auth.us-west-2.amazoncognito.com/oauth2/token",
    "client_ids": {"zeta-client": "7zzzzzzzzzzz", "gateway-client": "4f1cabcdef"},
    "client_secrets": {"zeta-client": SECRET, "gateway-client": SECRET + "x"},
    "audiences": ["7zzzzzzzzzzz", "4f1cabcdef"],
    "scopes": ["gateway-resource-server/read"],
}
AUTH0_OUTPUTS = {
    "issuer": "https://dev-example.us.auth0.com/",
    "discovery_url": AUTH0_URL,
    "client_ids": {"gateway-m2m": "AbCdEf123"},
    "client_secrets": {"gateway-m2m": SECRET},
    "audiences": ["gateway123"],
    "scopes": ["invoke:gateway"],
}


def claim(name="department", vtype="STRING", op="EQUALS", **value):
    value = value or {"matchValueString": "engineering"}
    return {
        "inboundTokenClaimName": name,
        "inboundTokenClaimValueType": vtype,
        "authorizingClaimMatchValue": {"claimMatchOperator": op, "claimMatchValue": value},
    }


def valid_doc(**extra):
    inner = {"discoveryUrl": COGNITO_URL, "allowedClients": ["4f1cabcdef"]}
    inner.update(extra)
    return {"customJWTAuthorizer": inner}


def tf_json(outputs: dict) -> dict:
    """The shape of ``terraform output -json``."""
    return {
        name: {"sensitive": name == "client_secrets", "type": "string", "value": value}
        for name, value in outputs.items()
    }


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------


def test_build_cognito_uses_sorted_client_ids():
    doc = authorizer.build("cognito", COGNITO_OUTPUTS, None, None)
    assert doc == {
        "customJWTAuthorizer": {
            "discoveryUrl": COGNITO_URL,
            "allowedClients": ["4f1cabcdef", "7zzzzzzzzzzz"],
        }
    }


def test_build_auth0_uses_audiences():
    doc = authorizer.build("auth0", AUTH0_OUTPUTS, [], [])
    assert doc == {
        "customJWTAuthorizer": {"discoveryUrl": AUTH0_URL, "allowedAudience": ["gateway123"]}
    }


def test_build_accepts_terraform_output_json_shape():
    assert authorizer.build("cognito", tf_json(COGNITO_OUTPUTS)) == authorizer.build(
        "cognito", COGNITO_OUTPUTS
    )


def test_build_adds_scopes_and_claims_only_when_given():
    rules = [claim(), claim("teams", "STRING_ARRAY", "CONTAINS_ANY", matchValueStringList=["a"])]
    doc = authorizer.build("auth0", AUTH0_OUTPUTS, ["invoke:gateway", "invoke:gateway"], rules)
    inner = doc["customJWTAuthorizer"]
    assert inner["allowedScopes"] == ["invoke:gateway"]
    assert inner["customClaims"] == rules
    assert list(inner) == ["discoveryUrl", "allowedAudience", "allowedScopes", "customClaims"]
    for empty in (None, []):
        inner = authorizer.build("auth0", AUTH0_OUTPUTS, empty, empty)["customJWTAuthorizer"]
        assert "allowedScopes" not in inner and "customClaims" not in inner


def test_build_does_not_alias_the_callers_claims():
    rules = [claim()]
    doc = authorizer.build("cognito", COGNITO_OUTPUTS, None, rules)
    doc["customJWTAuthorizer"]["customClaims"][0]["inboundTokenClaimName"] = "changed"
    assert rules[0]["inboundTokenClaimName"] == "department"


@pytest.mark.parametrize(
    ("provider", "outputs", "message"),
    [
        ("cognito", {**COGNITO_OUTPUTS, "discovery_url": ""}, "discovery_url is missing"),
        ("cognito", {k: v for k, v in COGNITO_OUTPUTS.items() if k != "discovery_url"}, "apply"),
        ("cognito", {**COGNITO_OUTPUTS, "client_ids": {}}, "client_ids is missing or empty"),
        ("auth0", {**AUTH0_OUTPUTS, "audiences": []}, "audiences is missing or empty"),
        ("okta", COGNITO_OUTPUTS, "provider 'okta' is not supported"),
    ],
)
def test_build_refuses_incomplete_outputs(provider, outputs, message):
    with pytest.raises(AuthorizerError, match=message):
        authorizer.build(provider, outputs)


def test_build_checks_the_api_rules():
    with pytest.raises(AuthorizerError, match=r"customJWTAuthorizer\.allowedScopes\[0\]"):
        authorizer.build("cognito", COGNITO_OUTPUTS, ["read write"], None)
    with pytest.raises(AuthorizerError, match=r"discoveryUrl: .*does not match the API pattern"):
        authorizer.build("cognito", {**COGNITO_OUTPUTS, "discovery_url": "https://x/y"})


def test_build_never_carries_a_secret():
    text = authorizer.dumps(authorizer.build("cognito", tf_json(COGNITO_OUTPUTS)))
    assert SECRET not in text
    assert "secret" not in text.lower()


def test_build_refuses_a_secret_smuggled_in_through_the_spec():
    rules = [claim(matchValueString=SECRET)]
    with pytest.raises(AuthorizerError) as err:
        authorizer.build("cognito", COGNITO_OUTPUTS, None, rules)
    assert "customClaims[0]" in str(err.value)
    assert "client secret" in str(err.value)
    assert SECRET not in str(err.value)


# --------------------------------------------------------------------------
# API rules, each with its key path
# --------------------------------------------------------------------------

P = "customJWTAuthorizer"
CC = f"{P}.customClaims[0]"
MV = f"{CC}.authorizingClaimMatchValue"


def _mutate(doc, path, value):
    """Set (or with value=DELETE remove) a dotted/indexed path inside doc."""
    keys = path.replace("[", ".[").split(".")
    obj = doc
    for k in keys[:-1]:
        obj = obj[int(k[1:-1])] if k.startswith("[") else obj[k]
    last = keys[-1]
    if last.startswith("["):
        last = int(last[1:-1])
    if value is DELETE:
        del obj[last]
    else:
        obj[last] = value
    return doc


DELETE = object()

URL = f"{P}.discoveryUrl"
NAME = f"{CC}.inboundTokenClaimName"
VTYPE = f"{CC}.inboundTokenClaimValueType"
OP = f"{MV}.claimMatchOperator"
VAL = f"{MV}.claimMatchValue"
STR = f"{VAL}.matchValueString"
WK = "/.well-known/openid-configuration"

RULE_CASES = [
    # (path to change, new value, path reported, message pattern); the path
    # reported is the path changed unless given
    (URL, DELETE, None, "is missing"),
    (URL, 42, None, "must be a string, not a number"),
    (URL, "https://x.example.com/", None, "does not match the API pattern"),
    (URL, WK, None, "does not match the API pattern"),
    (URL, f"https://x.example.com/a b{WK}", None, "does not match the API pattern"),
    (URL, f"https://x.example.com{WK}?x=1", None, "does not match the API pattern"),
    (URL, "https://x.example.com/.well-known/jwks.json", None, "write it like https://"),
    (URL, f"https://u:p@x.example.com{WK}", None, "credentials"),
    (URL, f"ftp://x.example.com{WK}", None, "absolute https"),
    (f"{P}.allowedClients", [], None, "at least one item"),
    (f"{P}.allowedClients", "abc", None, "must be a list"),
    (f"{P}.allowedClients", [""], f"{P}.allowedClients[0]", "is empty"),
    (f"{P}.allowedClients", [7], f"{P}.allowedClients[0]", "must be a string"),
    (f"{P}.allowedAudience", [], None, "at least one item"),
    (f"{P}.allowedScopes", [], None, "at least one item"),
    (f"{P}.allowedScopes", [""], f"{P}.allowedScopes[0]", "is empty"),
    (f"{P}.allowedScopes", ["a" * 256], f"{P}.allowedScopes[0]", "at most 255"),
    (f"{P}.allowedScopes", ["read write"], f"{P}.allowedScopes[0]", "space"),
    (f"{P}.allowedScopes", ['say"hi'], f"{P}.allowedScopes[0]", "'\"'"),
    (f"{P}.allowedScopes", ["a\\b"], f"{P}.allowedScopes[0]", "allow: '\\\\'"),
    (f"{P}.allowedScopes", ["café"], f"{P}.allowedScopes[0]", "'é'"),
    (f"{P}.allowedScopes", ["tab\there"], f"{P}.allowedScopes[0]", "U\\+0009"),
    (f"{P}.customClaims", [], None, "is empty"),
    (f"{P}.customClaims", {}, None, "must be a list"),
    (CC, "x", None, "must be an object"),
    (NAME, DELETE, None, "is missing"),
    (NAME, "", None, "is empty"),
    (NAME, "x" * 256, None, "at most 255"),
    (NAME, "org-id", None, "'-'"),
    (NAME, "a b", None, "a space"),
    (VTYPE, DELETE, None, "is missing"),
    (VTYPE, "NUMBER", None, "STRING or STRING_ARRAY"),
    (MV, DELETE, None, "is missing"),
    (MV, [], None, "must be an object"),
    (OP, DELETE, None, "is missing"),
    (OP, "STARTS_WITH", None, "EQUALS, CONTAINS or CONTAINS_ANY"),
    (OP, "CONTAINS", None, "CONTAINS cannot be used with inboundTokenClaimValueType STRING"),
    (VAL, DELETE, None, "is missing"),
    (VAL, {}, None, "neither"),
    (VAL, {"matchValueString": "a", "matchValueStringList": ["a"]}, None, "both"),
    (VAL, {"matchValueStringList": ["a"]}, None, "EQUALS compares against matchValueString"),
    (STR, "", None, "is empty"),
    (STR, "a:b", None, "':'"),
    (STR, "v" * 256, None, "at most 255"),
    (f"{VAL}.extra", 1, None, "not allowed"),
    (f"{MV}.extra", 1, None, "not allowed"),
    (f"{CC}.extra", 1, None, "not allowed"),
    (
        f"{P}.privateEndpoint",
        {},
        None,
        "has neither selfManagedLatticeResource nor managedVpcResource",
    ),
    (f"{P}.tokenEndpoint", "https://x", None, "not allowed here; allowed keys: discoveryUrl, "),
    (f"{P}.clientSecret", "x", None, "looks like a secret"),
    (f"{P}.client_secret", "x", None, "looks like a secret"),
    (f"{P}.accessToken", "x", None, "looks like a secret"),
    (P, "x", None, "must be an object"),
    (P, DELETE, None, "is missing"),
    ("privateKey", "x", None, "looks like a secret"),
    ("other", {}, None, "not allowed here"),
]


@pytest.mark.parametrize(("path", "value", "where", "fragment"), RULE_CASES)
def test_every_api_rule_is_reported_with_its_key_path(path, value, where, fragment):
    where = where or path
    doc = valid_doc(customClaims=[claim()])
    _mutate(doc, path, value)
    found = authorizer.problems(doc)
    assert any(p == where and re_search(fragment, m) for p, m in found), found
    with pytest.raises(AuthorizerError) as err:
        authorizer.check(doc)
    assert where in str(err.value)


def re_search(fragment: str, text: str) -> bool:
    import re

    return re.search(fragment, text) is not None


@pytest.mark.parametrize(
    ("vtype", "op", "value", "fragment"),
    [
        ("STRING_ARRAY", "EQUALS", {"matchValueString": "a"}, "EQUALS cannot be used with"),
        ("STRING", "CONTAINS_ANY", {"matchValueStringList": ["a"]}, "CONTAINS_ANY cannot be used"),
        (
            "STRING_ARRAY",
            "CONTAINS",
            {"matchValueStringList": ["a"]},
            "CONTAINS compares against matchValueString",
        ),
        (
            "STRING_ARRAY",
            "CONTAINS_ANY",
            {"matchValueString": "a"},
            "CONTAINS_ANY compares against matchValueStringList",
        ),
        ("STRING_ARRAY", "CONTAINS_ANY", {"matchValueStringList": []}, "at least one item"),
        ("STRING_ARRAY", "CONTAINS_ANY", {"matchValueStringList": "a"}, "must be a list"),
        (
            "STRING_ARRAY",
            "CONTAINS_ANY",
            {"matchValueStringList": ["ok", "not ok"]},
            r"matchValueStringList\[1\]",
        ),
    ],
)
def test_operator_type_and_value_compatibility(vtype, op, value, fragment):
    found = authorizer.custom_claim_problems(claim("teams", vtype, op, **value))
    assert any(re_search(fragment, f"{p}: {m}") for p, m in found), found


@pytest.mark.parametrize(
    "rule",
    [
        claim(),
        claim("teams", "STRING_ARRAY", "CONTAINS", matchValueString="admins"),
        claim("teams", "STRING_ARRAY", "CONTAINS_ANY", matchValueStringList=["a", "b-c", "d_e.f"]),
        claim("https://example.com/roles", "STRING_ARRAY", "CONTAINS", matchValueString="x"),
        claim("cognito:groups", "STRING_ARRAY", "CONTAINS", matchValueString="admins"),
    ],
)
def test_valid_claims_pass(rule):
    assert authorizer.custom_claim_problems(rule) == []
    authorizer.check(valid_doc(customClaims=[rule]))


def test_a_document_needs_at_least_one_rule():
    doc = {"customJWTAuthorizer": {"discoveryUrl": COGNITO_URL}}
    with pytest.raises(AuthorizerError, match="needs at least one of allowedAudience"):
        authorizer.check(doc)


def test_check_reports_every_problem_on_one_line():
    doc = valid_doc(allowedScopes=["a b", ""], allowedClients=[])
    with pytest.raises(AuthorizerError) as err:
        authorizer.check(doc)
    message = str(err.value)
    assert "\n" not in message
    assert "allowedScopes[0]" in message and "allowedScopes[1]" in message
    assert "allowedClients" in message
    assert len(err.value.problems) == 3


def test_non_object_documents_are_refused():
    for doc in (None, [], "x"):
        assert authorizer.problems(doc)[0][1].startswith("must be a JSON object")


# --------------------------------------------------------------------------
# the per-field rules (reused by the spec validator)
# --------------------------------------------------------------------------

SCOPE_ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\')


@given(st.text(alphabet=SCOPE_ALPHABET, min_size=1, max_size=255))
def test_any_scope_of_the_api_alphabet_passes(scope):
    assert authorizer.scope_problem(scope) is None


@given(
    st.text(alphabet=SCOPE_ALPHABET, max_size=20),
    st.sampled_from([" ", '"', "\\", "é", "\x7f", "\n"]),
    st.text(alphabet=SCOPE_ALPHABET, max_size=20),
)
def test_any_scope_with_a_forbidden_character_fails(before, bad, after):
    assert authorizer.scope_problem(before + bad + after)


def test_scope_edges():
    assert authorizer.scope_problem("a" * 255) is None
    assert authorizer.scope_problem("!#[]~") is None
    assert authorizer.scope_problem("gateway-resource-server/read") is None
    assert "at most 255" in authorizer.scope_problem("a" * 256)
    assert "must be a string" in authorizer.scope_problem(None)


@given(st.text(alphabet="ABCxyz019_./:", min_size=1, max_size=255))
def test_claim_names_of_the_literal_api_pattern_pass(name):
    assert authorizer.claim_name_problem(name) is None


@given(st.text(alphabet="ABCxyz019_.-", min_size=1, max_size=255))
def test_match_values_of_the_api_pattern_pass(value):
    assert authorizer.match_value_problem(value) is None


def test_field_rules_say_what_is_allowed():
    assert "use letters, digits, '.', '/', ':' and '_'" in authorizer.claim_name_problem("a-b")
    assert "use letters, digits, '-', '.' and '_'" in authorizer.match_value_problem("a/b")
    assert "printable ASCII except space, '\"' and '\\'" in authorizer.scope_problem("a b")
    assert authorizer.discovery_url_problem(COGNITO_URL) is None
    assert (
        authorizer.discovery_url_problem("http://127.0.0.1:5000/p/.well-known/openid-configuration")
        is None
    )


@pytest.mark.parametrize(
    ("url", "issuer"),
    [
        (COGNITO_URL, COGNITO_OUTPUTS["issuer"]),
        (AUTH0_URL, "https://dev-example.us.auth0.com"),
        ("https://as.example.com/.well-known/oauth-authorization-server", "https://as.example.com"),
        (
            "https://as.example.com/.well-known/oauth-authorization-server/tenant/a",
            "https://as.example.com/tenant/a",
        ),
        ("https://x.example.com/not-discovery", "https://x.example.com/not-discovery"),
    ],
)
def test_the_issuer_of_a_discovery_url(url, issuer):
    assert authorizer.issuer_for(url) == issuer


def test_custom_claim_problem_paths_are_relative():
    found = authorizer.custom_claim_problems(claim(vtype="STRING", op="CONTAINS_ANY"))
    paths = {p for p, _ in found}
    assert "authorizingClaimMatchValue.claimMatchOperator" in paths
    assert all(not p.startswith("customJWTAuthorizer") for p in paths)
    assert authorizer.custom_claim_problems("x") == [("", "must be an object, not a string")]


# --------------------------------------------------------------------------
# canonical text
# --------------------------------------------------------------------------


def test_dumps_is_two_space_json_with_a_trailing_newline():
    text = authorizer.dumps(authorizer.build("cognito", COGNITO_OUTPUTS))
    assert text == (
        "{\n"
        '  "customJWTAuthorizer": {\n'
        f'    "discoveryUrl": "{COGNITO_URL}",\n'
        '    "allowedClients": [\n'
        '      "4f1cabcdef",\n'
        '      "7zzzzzzzzzzz"\n'
        "    ]\n"
        "  }\n"
        "}\n"
    )


def test_dumps_is_byte_stable_whatever_the_key_order():
    rules = [claim(), claim("teams", "STRING_ARRAY", "CONTAINS_ANY", matchValueStringList=["a"])]
    doc = authorizer.build("cognito", COGNITO_OUTPUTS, ["gw/read"], rules)
    shuffled = json.loads(json.dumps(doc, sort_keys=True))
    for c in shuffled["customJWTAuthorizer"]["customClaims"]:
        c["authorizingClaimMatchValue"] = dict(
            reversed(list(c["authorizingClaimMatchValue"].items()))
        )
    assert list(shuffled["customJWTAuthorizer"]) != list(doc["customJWTAuthorizer"])
    assert authorizer.dumps(shuffled) == authorizer.dumps(doc)
    reordered_outputs = dict(reversed(list(COGNITO_OUTPUTS.items())))
    reordered_outputs["client_ids"] = dict(reversed(list(COGNITO_OUTPUTS["client_ids"].items())))
    again = authorizer.build("cognito", reordered_outputs, ["gw/read"], copy.deepcopy(rules))
    assert authorizer.dumps(again) == authorizer.dumps(doc)


# --------------------------------------------------------------------------
# write / load
# --------------------------------------------------------------------------


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_creates_the_directory_and_the_file(tmp_path):
    path = tmp_path / "authorizers" / "dev.json"
    doc = authorizer.build("cognito", COGNITO_OUTPUTS)
    assert authorizer.write(path, doc) is True
    assert path.read_text() == authorizer.dumps(doc)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert _leftovers(path.parent) == []


def test_write_unchanged_content_leaves_the_file_alone(tmp_path):
    path = tmp_path / "dev.json"
    doc = authorizer.build("cognito", COGNITO_OUTPUTS)
    authorizer.write(path, doc)
    os.utime(path, (1_000_000, 1_000_000))
    assert authorizer.write(path, copy.deepcopy(doc)) is False
    assert path.stat().st_mtime == 1_000_000


def test_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text("{}\n")
    path.chmod(0o640)
    authorizer.write(path, authorizer.build("cognito", COGNITO_OUTPUTS))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.fixture
def earlier(tmp_path):
    path = tmp_path / "dev.json"
    authorizer.write(path, authorizer.build("auth0", AUTH0_OUTPUTS))
    return path, path.read_bytes()


class _FailingOs:
    """``os`` as generator.files sees it, with one function failing (no space
    left): only that module's name is replaced, never the ``os`` module."""

    def __init__(self, failing: str):
        self.failing = failing

    def __getattr__(self, name: str):
        if name == self.failing:

            def boom(*args, **kwargs):
                raise OSError(28, "No space left on device")

            return boom
        return getattr(os, name)


@pytest.mark.parametrize("failing", ["fsync", "replace", "chmod"])
def test_a_failed_write_leaves_the_earlier_file_and_no_temp_file(earlier, monkeypatch, failing):
    path, before = earlier
    monkeypatch.setattr(files, "os", _FailingOs(failing))
    with pytest.raises(
        AuthorizerError, match=r"dev\.json: cannot write .*No space left.*unchanged"
    ):
        authorizer.write(path, authorizer.build("cognito", COGNITO_OUTPUTS))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []


def test_a_serialisation_failure_leaves_the_earlier_file(earlier, monkeypatch):
    path, before = earlier

    def boom(doc):
        raise TypeError("not serialisable")

    monkeypatch.setattr(authorizer, "dumps", boom)
    with pytest.raises(TypeError):
        authorizer.write(path, authorizer.build("cognito", COGNITO_OUTPUTS))
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []


def test_an_invalid_document_is_never_written(earlier):
    path, before = earlier
    with pytest.raises(AuthorizerError, match="allowedClients"):
        authorizer.write(path, valid_doc(allowedClients=[]))
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []


def test_write_where_the_directory_is_a_file(tmp_path):
    blocker = tmp_path / "authorizers"
    blocker.write_text("not a directory")
    with pytest.raises(AuthorizerError, match=r"authorizers/dev\.json: cannot write"):
        authorizer.write(blocker / "dev.json", authorizer.build("cognito", COGNITO_OUTPUTS))
    assert blocker.read_text() == "not a directory"


def test_write_onto_a_directory(tmp_path):
    (tmp_path / "dev.json").mkdir()
    with pytest.raises(AuthorizerError, match="is a directory"):
        authorizer.write(tmp_path / "dev.json", authorizer.build("cognito", COGNITO_OUTPUTS))


def test_load_round_trips_byte_for_byte(tmp_path):
    path = tmp_path / "dev.json"
    doc = authorizer.build("cognito", COGNITO_OUTPUTS, ["gw/read"], [claim()])
    authorizer.write(path, doc)
    loaded = authorizer.load(path)
    assert loaded == doc
    assert authorizer.dumps(loaded).encode() == path.read_bytes()


def test_load_names_the_file(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(AuthorizerError, match=r"nope\.json: no such file; run 'authgen apply"):
        authorizer.load(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "customJWTAuthorizer": {,\n}\n')
    with pytest.raises(AuthorizerError, match=r"broken\.json:2:\d+: not valid JSON"):
        authorizer.load(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(valid_doc(allowedScopes=["a b"])))
    with pytest.raises(
        AuthorizerError, match=r"wrong\.json: customJWTAuthorizer\.allowedScopes\[0\]"
    ):
        authorizer.load(wrong)
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps(valid_doc(client_secret=SECRET)))
    with pytest.raises(AuthorizerError) as err:
        authorizer.load(secret)
    assert "looks like a secret" in str(err.value) and SECRET not in str(err.value)
