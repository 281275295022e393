"""generator.masking: every form of a known secret is masked, before truncation."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, urlencode

from generator.masking import MASK, forms, mask, mask_secret_fields

SECRET = "s3cr3t+value/with=odd&chars"


def test_the_raw_secret_is_masked():
    assert mask(f"error: {SECRET} rejected", [SECRET]) == f"error: {MASK} rejected"


def test_url_encoded_forms_are_masked():
    body = urlencode({"client_secret": SECRET, "grant_type": "client_credentials"})
    assert SECRET not in body  # the echo holds only the encoded form
    masked = mask(body, [SECRET])
    assert quote(SECRET, safe="") not in masked
    assert "client_secret=***" in masked


def test_basic_credentials_echoed_by_an_endpoint_are_masked():
    header = "Basic " + base64.b64encode(f"my-client:{SECRET}".encode()).decode()
    masked = mask(f"echo: Authorization: {header}", [SECRET], client_id="my-client")
    assert base64.b64encode(f"my-client:{SECRET}".encode()).decode().rstrip("=") not in masked
    assert "Authorization: Basic ***" in masked


def test_json_escaped_forms_are_masked():
    secret = 'quote"and\\backslash'
    text = json.dumps({"client_secret": secret})
    assert mask(text, [secret]) == '{"client_secret": "***"}'


def test_tiny_and_empty_secrets_do_not_blank_ordinary_text():
    assert forms("") == set()
    assert mask("a normal sentence", ["", "a"]) == "a normal sentence"


def test_masking_before_truncation_leaves_no_fragment():
    text = "x" * 50 + SECRET
    shortened = mask(text, [SECRET])[:53]
    assert SECRET[:5] not in shortened


# A line of TF_LOG=DEBUG output of the AWS provider (shape as captured from a
# real plan against the emulator; the values here are made up).
TF_LOG_BODY = (
    '  | {"UserPoolClient": {"UserPoolId": "us-west-2_8a2e", "ClientName": "gateway-client", '
    '"ClientId": "48ee07803d5041ebb5cf15552b", "ClientSecret": "f7ee22bc-07e3-4091-9166-b8c0", '
    '"RefreshTokenValidity": 30}}'
)


def test_secret_named_fields_are_masked_and_their_values_returned():
    masked, found = mask_secret_fields(TF_LOG_BODY)
    assert found == ["f7ee22bc-07e3-4091-9166-b8c0"]
    assert '"ClientSecret": "***"' in masked
    assert '"ClientId": "48ee07803d5041ebb5cf15552b"' in masked  # ids are not secrets


def test_secret_fields_in_escaped_json_forms_and_env_lines():
    escaped = r'http.response.body="{\"client_secret\":\"abcd-1234-efgh\",\"x\":1}"'
    masked, found = mask_secret_fields(escaped)
    assert found == ["abcd-1234-efgh"]
    assert r"\"client_secret\":\"***\"" in masked
    for line, value in (
        ("client_secret=abc%2B123def&grant_type=client_credentials", "abc%2B123def"),
        ("AUTH0_CLIENT_SECRET=s3cr3tvalue", "s3cr3tvalue"),
        ("clientSecret: s3cr3tvalue", "s3cr3tvalue"),
    ):
        masked, found = mask_secret_fields(line)
        assert found == [value] and value not in masked, line


def test_names_and_placeholders_are_not_taken_for_secrets():
    for line in (
        '[DEBUG] ReferenceTransformer: "module.auth.output.client_secrets (expand)"',
        "client_secret = (sensitive value)",
        '"ClientSecret": null',
        '"client_secret": "***"',
    ):
        assert mask_secret_fields(line) == (line, []), line
