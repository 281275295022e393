"""What ``authgen state show`` / ``state pull`` print: secrets masked wherever
they appear (pure functions over terraform's documents, shaped as terraform
1.11 writes them), and the one line for a held state lock."""

from __future__ import annotations

import json

from generator.commands.steps import lock_message
from generator.masking import MASK
from generator.state import documents
from generator.terraform import LockInfo

SECRET = "s3cr3t-Value-0123456789abcdef"

SHOWN = {
    "format_version": "1.0",
    "terraform_version": "1.11.4",
    "values": {
        "outputs": {
            "client_ids": {"sensitive": False, "value": {"app": "client-1"}},
            "client_secrets": {"sensitive": True, "value": {"app": SECRET}},
        },
        "root_module": {
            "child_modules": [
                {
                    "address": "module.auth",
                    "resources": [
                        {
                            "address": 'module.auth.aws_cognito_user_pool_client.this["app"]',
                            "type": "aws_cognito_user_pool_client",
                            "values": {
                                "id": "client-1",
                                "client_secret": SECRET,
                                "name": "app",
                                "allowed_oauth_scopes": ["rs/read"],
                                "token_validity_units": [{"access_token": "minutes"}],
                                "logout_urls": [],
                                "description": None,
                            },
                            "sensitive_values": {
                                "client_secret": True,
                                "allowed_oauth_scopes": [False],
                                "token_validity_units": [{}],
                            },
                        },
                        {
                            "address": "module.auth.terraform_data.copy",
                            "type": "terraform_data",
                            # a secret copied into a value nobody marked
                            "values": {"id": "x", "output": f"Basic app:{SECRET}"},
                            "sensitive_values": {},
                        },
                    ],
                }
            ]
        },
    },
}

RAW = {
    "version": 4,
    "serial": 7,
    "lineage": "l-1",
    "outputs": {
        "client_secrets": {"value": {"app": SECRET}, "type": ["map", "string"], "sensitive": True},
        "client_ids": {"value": {"app": "client-1"}, "type": ["map", "string"]},
    },
    "resources": [
        {
            "module": "module.auth",
            "mode": "managed",
            "type": "aws_cognito_user_pool_client",
            "name": "this",
            "instances": [
                {
                    "index_key": "app",
                    "attributes": {
                        "id": "client-1",
                        "client_secret": SECRET,
                        "nested": [{"k": "v"}],
                    },
                    "sensitive_attributes": [
                        [
                            {"type": "get_attr", "value": "nested"},
                            {"type": "index", "value": {"value": 0, "type": "number"}},
                        ]
                    ],
                    "private": "eyJzZWNyZXQiOiJ4In0=",
                }
            ],
        }
    ],
}


def test_secrets_are_the_values_terraform_marks_sensitive():
    assert documents.secrets(SHOWN) == {SECRET}


def test_show_masks_marked_values_and_every_copy_of_a_secret():
    masked = documents.masked_show(SHOWN)
    text = json.dumps(masked)
    assert SECRET not in text
    rows = dict(documents.resource_rows(masked))
    client = dict(rows['module.auth.aws_cognito_user_pool_client.this["app"]'])
    assert client["client_secret"] == MASK
    assert client["id"] == "client-1" and client["allowed_oauth_scopes"] == '["rs/read"]'
    assert "logout_urls" not in client and "description" not in client  # empty values left out
    assert dict(rows["module.auth.terraform_data.copy"])["output"] == f"Basic app:{MASK}"
    outputs = dict(documents.output_rows(masked))
    assert outputs == {"client_ids": '{"app": "client-1"}', "client_secrets": MASK}
    assert SHOWN["values"]["outputs"]["client_secrets"]["value"] == {"app": SECRET}  # a copy


def test_pull_masks_sensitive_outputs_paths_private_data_and_known_secrets():
    masked = documents.masked_pull(RAW, {SECRET})
    assert SECRET not in json.dumps(masked)
    assert masked["outputs"]["client_secrets"]["value"] == MASK
    assert masked["outputs"]["client_ids"]["value"] == {"app": "client-1"}
    instance = masked["resources"][0]["instances"][0]
    assert instance["attributes"]["client_secret"] == MASK
    assert instance["attributes"]["nested"] == [MASK]
    assert instance["private"] == MASK
    assert (masked["serial"], masked["lineage"]) == (7, "l-1")
    assert RAW["resources"][0]["instances"][0]["attributes"]["client_secret"] == SECRET


def test_long_values_are_cut_after_masking():
    text = documents.short({"k": "x" * 500})
    assert len(text) == documents.VALUE_LIMIT and text.endswith("...")


def test_a_held_lock_is_one_line_with_holder_operation_time_id_and_how_to_wait():
    lock = LockInfo(
        id="9f0e-lock",
        operation="OperationTypeApply",
        who="runner@ci-7",
        created="2026-12-02 06:11:13.788767646 +0000 UTC",
    )
    line = lock_message("dev", "apply", lock, waited=None, build="build/dev")
    assert line == (
        "dev: the Terraform state is locked by runner@ci-7 (apply since 2026-12-02 06:11:13 "
        "UTC, lock ID 9f0e-lock): another run of dev is in progress; wait for it with "
        "--lock-timeout ('authgen apply dev --lock-timeout 10m'), or, only if that run died, "
        "release the lock with 'terraform force-unlock 9f0e-lock' in build/dev"
    )
    waited = lock_message("dev", "plan", lock, waited="5m", build="build/dev")
    assert "it was still held after waiting 5m (--lock-timeout); wait longer" in waited
    assert "\n" not in line + waited
