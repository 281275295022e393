"""Fixtures shared by the whole suite, and how it runs in parallel.

Terraform tests use the real ``terraform`` binary; tests that need the
hashicorp/aws provider take it from a filesystem mirror on disk (the registry
is not reachable here) through a CLI config file this harness writes, and are
skipped with a stated reason where either is missing. Cognito, S3 and Lambda
are real moto servers, OIDC is a real nanoidp, and canned HTTP answers come
from a real server: each on a free 127.0.0.1 port, stopped by process id.
Each kind is started here and nowhere else:

- stock moto: ``moto_server`` (shared by the session), ``stock_moto`` (the
  module's own), ``fresh_moto`` (the test's own);
- the authgen emulator: ``emulator`` (the module's own, as ``authgen
  emulator`` starts it; ``cognito`` is a boto3 client of it), and the
  ``moto_plus(*slow, account=...)`` factory for variants (an operation
  slowed down, another AWS account); a module that needs a slowed emulator
  overrides ``emulator`` with one from ``moto_plus``;
- nanoidp: ``nanoidp`` (the clients of tests/support/idp_fixtures.py) and the
  ``nanoidp_factory(...)`` for other clients;
- canned HTTP: ``static(routes)``.

The suite runs under pytest-xdist (``make test``: ``-n auto --dist
loadfile``, see the Makefile) in random order (pytest-randomly). Each worker
is a process of its own with its own session fixtures and temporary
directories (``tmp_path_factory`` is per worker), so servers and Terraform
working directories never meet. moto and the emulator bind a port of their
own choosing and say which (a port chosen first and bound later may be taken
by another worker's server in between: the test would talk to that one). Nothing here changes ``os.environ`` after
the session starts: tests use ``monkeypatch`` or pass an environment to the
process they start. ``pytest_collection_modifyitems`` below keeps the steps of
a ``scenario`` module in file order and hands out the modules with slow tests
first.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import plugins
from generator.emulator import MotoServer, start_emulator

REPO = Path(__file__).resolve().parent.parent
#: The test-only moto launcher (stock moto plus what it lacks here, and --slow).
MOTO_PLUS = (sys.executable, str(REPO / "tests" / "support" / "moto_plus.py"))
#: Stock moto's server, binding a port of its own choosing and announcing it.
STOCK_MOTO = (sys.executable, str(REPO / "tests" / "support" / "stock_moto.py"))


#: Where each test was collected (file order), to undo a shuffle where it must be.
_COLLECTED = pytest.StashKey[int]()
_sequence = itertools.count()


def pytest_itemcollected(item: pytest.Item) -> None:
    item.stash[_COLLECTED] = next(_sequence)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A module marked ``scenario`` (its tests are the steps of one story on
    shared state: an apply, then a refused plan, then a destroy, ...) gets its
    tests back in file order after pytest-randomly's shuffle (which runs
    before this hook), at the place the shuffle gave the module; every other
    module keeps its shuffled order. Then the modules with a slow test move to
    the front."""
    positions: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if item.get_closest_marker("scenario"):
            positions.setdefault(item.nodeid.split("::", 1)[0], []).append(index)
    for indices in positions.values():
        ordered = sorted((items[i] for i in indices), key=lambda it: it.stash[_COLLECTED])
        for index, item in zip(indices, ordered, strict=True):
            items[index] = item
    # Modules with a slow test first (in their shuffled order), quick ones
    # after: --dist loadfile hands out whole modules in this order, so the
    # quick ones fill the end instead of one worker running a long module
    # while the others are idle.
    slow = {_module(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: _module(item) not in slow)


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory):
    """Fake AWS credentials, no real account; a CLI config that exists; not
    in CI whatever the machine running the suite says (tests that need CI set
    it themselves), so plan/apply behave the same on a laptop and a runner; no
    terminal width (COLUMNS, LINES) or colour setting from the caller's
    shell: the tests that care set them."""
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
        "COLUMNS",
        "LINES",
        "FORCE_COLOR",
        "TF_LOG",
        "TF_LOG_PATH",
        "TF_DATA_DIR",
        "TF_WORKSPACE",
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
    """Stock moto shared by the session (one per xdist worker): tests that use it
    name their resources distinctly and never count what it holds."""
    yield from _stock_moto(tmp_path_factory.mktemp("moto"))


@pytest.fixture(scope="module")
def stock_moto(tmp_path_factory) -> MotoServer:
    """Stock moto of this test module's own: for tests that count what it holds
    and rely on what stock moto lacks (no token endpoint, no DeleteResourceServer)."""
    yield from _stock_moto(tmp_path_factory.mktemp("moto-module"))


@pytest.fixture
def fresh_moto(tmp_path) -> MotoServer:
    """Stock moto of this test's own, for tests that count what it holds."""
    yield from _stock_moto(tmp_path)


def _stock_moto(directory: Path) -> Iterator[MotoServer]:
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    # bound on a port it picks itself and announces (tests/support/stock_moto.py)
    server = start_emulator(log_path=directory / "moto.log", command=STOCK_MOTO)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def moto_plus(tmp_path_factory):
    """``moto_plus(*slow, account=None)`` starts an authgen emulator of this test
    module's own through tests/support/moto_plus.py (moto plus the Cognito
    operations and refusals it lacks); ``slow`` items like
    ``"CreateUserPoolClient=3"`` slow an operation down; ``account`` is the AWS
    account it answers as (moto's MOTO_ACCOUNT_ID, set in the child only: this
    process's environment is not touched). Every one started is stopped after
    the module."""
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    servers: list[MotoServer] = []

    def start(*slow: str, account: str | None = None) -> MotoServer:
        launcher = list(MOTO_PLUS)
        for item in slow:
            launcher += ["--slow", item]
        if account:
            launcher += ["--account", account]
        log = tmp_path_factory.mktemp("moto-plus") / "moto.log"
        server = start_emulator(log_path=log, command=launcher)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> MotoServer:
    """``authgen emulator`` (moto, the operations it lacks, the hosted token
    endpoint) of this test module's own, as a user starts it."""
    pytest.importorskip("moto", reason="moto is not installed (make setup)")
    server = start_emulator(log_path=tmp_path_factory.mktemp("emulator") / "emulator.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cognito(emulator):
    """A boto3 cognito-idp client of ``emulator``."""
    import boto3

    return boto3.client("cognito-idp", region_name="us-west-2", endpoint_url=emulator.url)


@pytest.fixture(scope="module")
def nanoidp_factory(tmp_path_factory):
    """``nanoidp_factory(audience=..., scopes=[...], clients=[...])`` starts a
    nanoidp (tests/support/nanoidp.py) of this test module's own with those
    clients; every one started is stopped after the module."""
    pytest.importorskip("nanoidp", reason="nanoidp is not installed (make setup)")
    from tests.support.nanoidp import start_nanoidp

    servers = []

    def start(*, audience: str, scopes: list[str], clients: list) -> object:
        server = start_nanoidp(
            tmp_path_factory.mktemp("nanoidp"), audience=audience, scopes=scopes, clients=clients
        )
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def nanoidp(nanoidp_factory):
    """nanoidp (a real OIDC provider issuing client_credentials tokens) with the
    clients of tests/support/idp_fixtures.py, one per test module."""
    from tests.support.idp_fixtures import AUDIENCE, CLIENTS, SCOPES

    return nanoidp_factory(audience=AUDIENCE, scopes=SCOPES, clients=CLIENTS)


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
