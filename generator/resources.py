"""Where authgen's own files are: the root-module templates, the Terraform
modules and the files ``authgen init`` writes.

The repository keeps DESIGN.md's layout (``templates/`` and ``modules/`` at
its root, next to ``generator/``), which a wheel cannot reach. So the build
step in ``setup.py`` copies them into the package as ``generator/_data/``
when a wheel is built. An installed authgen (``pip install``, ``pipx
install``) finds them there; a source checkout (``make setup`` installs it
editable, the tests import it in place) has no ``_data/`` and uses the
checkout's own directories. Nothing else in authgen knows which case it is.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import AuthgenError

PACKAGE_DIR = Path(__file__).resolve().parent
#: Written by setup.py's build step into wheels; absent in a source checkout.
INSTALLED_DATA = PACKAGE_DIR / "_data"
#: A source checkout: the repository root around the package.
SOURCE_ROOT = PACKAGE_DIR.parent

#: Repository paths that the build step copies into ``_data/`` (DESIGN.md's
#: layout on the left, the same relative path inside ``_data/``).
SHIPPED = ("templates", "modules", ".github/workflows/authgen.yml")


def data_root() -> Path:
    """The directory holding ``templates/``, ``modules/`` and the shipped
    workflow: ``generator/_data`` when installed, else the source checkout."""
    if (INSTALLED_DATA / "templates").is_dir():
        return INSTALLED_DATA
    if (SOURCE_ROOT / "templates").is_dir() and (SOURCE_ROOT / "modules").is_dir():
        return SOURCE_ROOT
    raise AuthgenError(
        f"authgen's templates and modules are missing from its installation ({PACKAGE_DIR}); "
        "reinstall authgen from a wheel or a source checkout (pip install --force-reinstall)"
    )


def templates_dir() -> Path:
    """The Jinja2 templates of the per-environment root module."""
    return data_root() / "templates"


def modules_dir() -> Path:
    """authgen's Terraform modules (``cognito/``, ``auth0/``), the ones
    ``authgen init`` vendors into a new repository."""
    return data_root() / "modules"


def workflow_file() -> Path:
    """The GitHub Actions workflow shipped with authgen (this repository's own)."""
    return data_root() / ".github" / "workflows" / "authgen.yml"


def scaffold_dir() -> Path:
    """The files only ``authgen init`` writes (Makefile, README stub, examples, ...).
    They live inside the package, so they ship as ordinary package data."""
    return PACKAGE_DIR / "scaffold"
