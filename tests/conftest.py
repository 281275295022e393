"""Fixtures shared by the whole suite.

Terraform tests use the real ``terraform`` binary; tests that need the
hashicorp/aws provider take it from a filesystem mirror on disk (the registry
is not reachable here) through a CLI config file this harness writes, and are
skipped with a stated reason where either is missing. The Cognito API is a
real moto server on a free 127.0.0.1 port, stopped by process id.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from generator import plugins
from generator.emulator import MotoServer, start_moto

REPO = Path(__file__).resolve().parent.parent
#: The test-only moto launcher (stock moto plus what it lacks here, and --slow).
MOTO_PLUS = (sys.executable, str(REPO / "tests" / "support" / "moto_plus.py"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory):
    """Fake AWS credentials, no real account; a CLI config that exists; not
    in CI whatever the machine running the suite says (tests that need CI set
    it themselves), so plan/apply behave the same on a laptop and a runner."""
    saved = dict(os.environ)
    home = tmp_path_factory.mktemp("tfhome")
    empty_rc = home / "empty.tfrc"
    empty_rc.write_text("")
    plugin_cache = home / "plugin-cache"
    plugin_cache.mkdir()
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_IN_AUTOMATION": "1",
            "TF_CLI_CONFIG_FILE": str(empty_rc),
            "CHECKPOINT_DISABLE": "1",
            # one provider cache for the session, never the user's ~/.cache
            "TF_PLUGIN_CACHE_DIR": str(plugin_cache),
        }
    )
    for var in (
        "CI",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AUTHGEN_ENDPOINT_URL",
        "TF_PLUGIN_DIR",
        "NO_COLOR",
    ):
        os.environ.pop(var, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    path = shutil.which("terraform")
    if not path:
        pytest.skip("terraform is not on PATH")
    return path


@pytest.fixture(scope="session")
def aws_mirror(terraform_bin) -> Path:
    mirror = plugins.find_mirror("hashicorp/aws")
    if mirror is None:
        pytest.skip(
            "no filesystem mirror of hashicorp/aws on this machine and the registry is "
            "unreachable; set TF_PLUGIN_DIR to a mirror directory"
        )
    return mirror


@pytest.fixture(scope="session")
def tf_cli_config(aws_mirror, tmp_path_factory) -> Path:
    """A CLI config file installing hashicorp/aws from the mirror."""
    path = tmp_path_factory.mktemp("tfcli") / "mirror.tfrc"
    path.write_text(plugins.cli_config(aws_mirror))
    return path


@pytest.fixture
def tf_env(tf_cli_config, monkeypatch) -> Path:
    """Point terraform at the mirror config for one test."""
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tf_cli_config))
    return tf_cli_config


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory) -> MotoServer:
    """One moto server for the session (tests use distinct resource names)."""
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    server = start_moto(log_path=log_path)
    yield server
    server.stop()


@pytest.fixture
def fresh_moto(tmp_path) -> MotoServer:
    """A moto server of its own, for tests that count what it holds."""
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    server = start_moto(log_path=tmp_path / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def moto_plus(tmp_path_factory):
    """``moto_plus(*slow)`` starts an emulator of this test module's own
    through tests/support/moto_plus.py (authgen's emulator: moto plus the
    Cognito operations and refusals it lacks; ``slow`` items like ``"CreateUserPoolClient=3"``
    slow an operation down; ``account`` is the AWS account it answers as,
    moto's MOTO_ACCOUNT_ID); every one started is stopped after the module."""

    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    servers: list[MotoServer] = []

    def start(*slow: str, account: str | None = None) -> MotoServer:
        launcher = list(MOTO_PLUS)
        for item in slow:
            launcher += ["--slow", item]
        log = tmp_path_factory.mktemp("moto-plus") / "moto.log"
        saved = os.environ.get("MOTO_ACCOUNT_ID")
        if account:
            os.environ["MOTO_ACCOUNT_ID"] = account  # the child inherits it
        try:
            server = start_moto(log_path=log, launcher=launcher)
        finally:
            if saved is None:
                os.environ.pop("MOTO_ACCOUNT_ID", None)
            else:
                os.environ["MOTO_ACCOUNT_ID"] = saved
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def nanoidp(tmp_path_factory):
    """nanoidp (a real OIDC provider issuing client_credentials tokens) with the
    clients of tests/support/idp_fixtures.py, one per test module."""
    from tests.support.idp_fixtures import running_nanoidp

    yield from running_nanoidp(tmp_path_factory)


@pytest.fixture
def static(tmp_path):
    """``static(routes)`` starts a recording HTTP server on 127.0.0.1 serving
    fixed answers; every one started is stopped after the test."""
    from tests.support.static_http import StaticServer

    servers = []

    def start(routes, **kwargs):
        server = StaticServer.start(tmp_path / "http", routes, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
