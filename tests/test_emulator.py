import socket

import pytest
import requests

from generator.emulator import free_port, start_moto, wait_http
from generator.errors import AuthgenError


def test_moto_server_serves_cognito_discovery(fresh_moto):
    import boto3

    client = boto3.client("cognito-idp", region_name="us-west-2", endpoint_url=fresh_moto.url)
    pool_id = client.create_user_pool(PoolName="emulator-check")["UserPool"]["Id"]
    doc = requests.get(f"{fresh_moto.url}/{pool_id}/.well-known/openid-configuration", timeout=5)
    assert doc.status_code == 200
    assert doc.json()["issuer"].endswith(f"/{pool_id}")


def test_stop_ends_the_process(tmp_path):
    server = start_moto(log_path=tmp_path / "moto.log")
    pid = server.pid
    server.stop()
    assert server.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)


def test_wait_http_fails_at_the_deadline():
    port = free_port()
    with pytest.raises(AuthgenError, match="no answer within"):
        wait_http(f"http://127.0.0.1:{port}/", timeout=0.5)


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
