"""``authgen init DIR``: write a new GitOps repository.

The new repository has this project's layout (DESIGN.md): ``environments/``
with a commented example per provider and shared defaults, the Terraform
modules vendored into ``modules/`` (the repository owns and reviews them; its
rendered roots use them as ``../../modules/<provider>``), a Makefile with
this project's targets driving the installed authgen, the CI workflow (the
very file authgen's own repository runs), ``atlantis.yaml`` generated for the
examples, a pre-commit config, ``.gitignore``, the spec's JSON Schema for
editors and a README stub.

Nothing is half-written: the tree is built in a temporary directory beside
``DIR`` and renamed into place at the end. A ``DIR`` that exists and is not
empty is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from generator import __version__, resources
from generator.errors import AuthgenError
from generator.yaml_source import display_name

#: One commented example environment per provider: (provider, environment name).
#: Each comes from ``scaffold/environments/<name>.yaml``. A new provider adds
#: its line and file here (issue 11's ``oidc`` provider: ("oidc", "<name>")).
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("cognito", "dev"),
    ("auth0", "staging"),
)
#: Files of ``scaffold/`` besides the examples: source -> path in the new repo.
#: (Dotfiles are stored without their dot so they do not act in this repository.)
FILES = {
    "README.md": "README.md",
    "Makefile": "Makefile",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "environments/_defaults.yaml": "environments/_defaults.yaml",
    "environments/local.yaml": "environments/local.yaml",
}
VERSION_TOKEN = "@AUTHGEN_VERSION@"
#: Terraform working files never vendored.
_IGNORED = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "tfplan", "*.tfplan"
)


def check_target(target: Path) -> None:
    """Refuse a target that is a file, or a directory with anything in it."""
    if target.is_file() or (target.exists() and not target.is_dir()):
        raise AuthgenError(f"{display_name(target)}: exists and is not a directory; name a new one")
    if target.is_dir() and any(target.iterdir()):
        raise AuthgenError(
            f"{display_name(target)}: not empty; authgen init writes a new repository into a "
            "new or empty directory (nothing was written)"
        )


def scaffold(target: Path) -> list[str]:
    """Write the repository into ``target`` (new or empty). Returns the
    repo-relative paths written, sorted."""
    check_target(target)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.authgen-init-", dir=target.parent))
    try:
        _write_tree(staging)
        written = sorted(
            p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()
        )
        if target.is_dir():
            target.rmdir()  # empty: checked above
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _write_tree(root: Path) -> None:
    source = resources.scaffold_dir()
    for name, destination in FILES.items():
        _write(root / destination, (source / name).read_text(encoding="utf-8"))
    for _provider, env in EXAMPLES:
        relative = f"environments/{env}.yaml"
        _write(root / relative, (source / relative).read_text(encoding="utf-8"))
    shutil.copytree(resources.modules_dir(), root / "modules", ignore=_IGNORED)
    workflow = root / ".github" / "workflows" / "authgen.yml"
    workflow.parent.mkdir(parents=True)
    shutil.copyfile(resources.workflow_file(), workflow)
    _write(root / "schema" / "environment.schema.json", _schema())
    _write(root / "atlantis.yaml", _atlantis(root))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(VERSION_TOKEN, __version__), encoding="utf-8", newline="\n")


def _schema() -> str:
    from generator import spec

    return json.dumps(spec.json_schema(), indent=2) + "\n"


def _atlantis(root: Path) -> str:
    from generator import atlantis
    from generator.project import Project

    project = Project(root)
    return atlantis.config(project, skip=atlantis.skips(project))
