"""authgen installs from a wheel and works outside its checkout.

The test builds the project the way a release would (``python -m build``:
an sdist, then the wheel from that sdist, so MANIFEST.in and setup.py's build
step are both exercised) from a copy of the repository's files, installs the
wheel into a fresh venv (dependencies from PyPI), and then, far from this
checkout, runs the installed ``authgen init``, ``validate --all`` and ``plan``
in the new repository with the real terraform and hashicorp/aws provider
against a moto server.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from generator import __version__

REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.terraform, pytest.mark.provider]


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600):
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, (
        f"{args} -> {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the repository's files (tracked and new,
    nothing git ignores), so the checkout itself is not touched."""
    source = tmp_path_factory.mktemp("src") / "authgen"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", dist, source, cwd=source)
    (built,) = dist.glob("authgen-*.whl")
    return built


def test_the_wheel_carries_templates_modules_workflow_and_scaffold(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "generator/_data/templates/cognito/main.tf.j2" in names
    assert "generator/_data/templates/common/backend.tf.j2" in names
    assert "generator/_data/modules/cognito/main.tf" in names
    assert "generator/_data/modules/auth0/examples/basic/main.tf" in names
    assert "generator/_data/.github/workflows/authgen.yml" in names
    assert "generator/scaffold/Makefile" in names
    assert "generator/scaffold/environments/dev.yaml" in names
    # every subpackage of the checkout (a wheel without them imports nothing)
    for init in (REPO / "generator").rglob("__init__.py"):
        assert init.relative_to(REPO).as_posix() in names
    assert not any(n.startswith(("tests/", "bench/", "scripts/")) for n in names)
    assert not any(".terraform/" in n or n.endswith(".tfstate") for n in names)


def test_setup_ships_what_generator_resources_expects():
    """setup.py cannot import the package it builds: it keeps its own list."""
    from generator import resources

    tree = ast.parse((REPO / "setup.py").read_text())
    (shipped,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SHIPPED"
    ]
    assert shipped == resources.SHIPPED


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; returns its bin directory."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=True).create(home)
    sh(home / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=home.parent)
    return home / "bin"


def test_installed_authgen_scaffolds_validates_and_plans_against_the_emulator(
    installed, tmp_path, moto_server, tf_cli_config
):
    authgen = installed / "authgen"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIRTUAL_ENV", "PYTHON")) and k != "PYTHONPATH"
    }
    env.update(
        PATH=f"{installed}{os.pathsep}{env['PATH']}",
        AUTHGEN_ENDPOINT_URL=moto_server.url,
        TF_CLI_CONFIG_FILE=str(tf_cli_config),
    )
    version = sh(authgen, "--version", cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"authgen {__version__}"
    # the installed package, not this checkout
    where = sh(
        installed / "python",
        "-c",
        "import generator; print(generator.__file__)",
        cwd=tmp_path,
        env=env,
    )
    assert str(REPO) not in where.stdout and str(installed.parent) in where.stdout

    sh(authgen, "init", "gateway-auth", cwd=tmp_path, env=env)
    repo = tmp_path / "gateway-auth"
    validated = sh(authgen, "validate", "--all", cwd=repo, env=env)
    assert "ok  environments/dev.yaml" in validated.stdout
    assert "ok  environments/staging.yaml" in validated.stdout
    sh(authgen, "atlantis", "--check", "atlantis.yaml", cwd=repo, env=env)

    planned = sh(authgen, "plan", "dev", "--json", cwd=repo, env=env)
    (outcome,) = json.loads(planned.stdout)["environments"]
    assert outcome["error"] is None and outcome["counts"]["create"] > 0
    assert (repo / "build" / "dev" / "tfplan").is_file()
    modules = json.loads((repo / "build/dev/.terraform/modules/modules.json").read_text())
    (auth,) = [m for m in modules["Modules"] if m["Key"] == "auth"]
    assert (repo / "build" / "dev" / auth["Dir"]).resolve() == (repo / "modules/cognito").resolve()
