"""generator.masking: every form of a known secret is masked, before truncation."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, urlencode

from generator.masking import MASK, forms, mask

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
