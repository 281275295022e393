"""Which environments a git change affects (``authgen changed --base REF``).

A pipeline plans only what a pull request can change:

* ``environments/<env>.yaml`` -> that environment, and every spec that
  ``extends`` it;
* ``environments/_defaults.yaml`` -> every environment that takes the
  shared defaults (those without ``extends``);
* ``environments/locks/<env>.terraform.lock.hcl`` -> that environment;
* ``modules/<provider>/``, ``templates/<provider>/`` and the provider's entry
  ``generator/providers/<provider>.py`` -> the environments of that
  provider; ``templates/common/`` and the renderer -> all.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator import providers
from generator.errors import AuthgenError
from generator.project import Project
from generator.spec import DEFAULTS_FILE, load_all
from generator.yaml_source import load as load_yaml

#: Package files whose change can change any rendered root.
RENDERING_CODE = {
    "generator/providers/__init__.py",
    "generator/providers/base.py",
    "generator/render.py",
    "generator/spec.py",
    "generator/rules.py",
    "generator/yaml_source.py",
}


@dataclass
class Impact:
    """The environments to plan, and those whose spec file is gone."""

    environments: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reasons: dict[str, list[str]] = field(default_factory=dict)


def changed_files(root: Path, base: str) -> list[str]:
    """Paths (relative to the repo) that differ between ``base``'s merge base
    with HEAD and the working tree, untracked files included."""

    def git(*args: str) -> str:
        try:
            result = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise AuthgenError("git is not on PATH; 'changed' needs it") from None
        if result.returncode != 0:
            detail = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            raise AuthgenError(f"git {' '.join(args)}: {detail or 'failed'}")
        return result.stdout

    prefix = git("rev-parse", "--show-prefix").strip()
    merge_base = git("merge-base", base, "HEAD").strip()
    names = git("diff", "--name-only", "--no-renames", merge_base, "--").splitlines()
    names += git("ls-files", "--others", "--exclude-standard").splitlines()
    paths = set()
    for name in names:
        if prefix and name.startswith(prefix):
            paths.add(name[len(prefix) :])
        elif not prefix:
            paths.add(name)
    return sorted(paths)


def _chain(project: Project, path: Path) -> list[str]:
    """The spec files ``path`` is built from (itself, then its ``extends``
    chain, or the shared defaults), as repo-relative POSIX paths."""
    chain: list[str] = []
    current: Path | None = path
    while current is not None and current.is_file() and len(chain) < 20:
        if not current.resolve().is_relative_to(project.root.resolve()):
            break  # outside the project: the spec is refused when loaded (spec._extended)
        relative = current.resolve().relative_to(project.root.resolve()).as_posix()
        if relative in chain:
            break
        chain.append(relative)
        data = load_yaml(current).data
        extends = data.get("extends") if isinstance(data, dict) else None
        current = current.parent / extends if isinstance(extends, str) else None
    if len(chain) == 1 and (project.environments / DEFAULTS_FILE).is_file():
        chain.append(f"environments/{DEFAULTS_FILE}")
    return chain


def _provider(project: Project, chain: list[str]) -> str | None:
    """The ``provider:`` the first file of the chain that names one says."""
    for relative in chain:
        data = load_yaml(project.root / relative).data
        if isinstance(data, dict) and isinstance(data.get("provider"), str):
            return data["provider"]
    return None


@dataclass
class Watch:
    """What one environment's rendered root depends on, as repo paths."""

    env: str
    provider: str | None
    files: list[str]
    prefixes: list[str]

    def hits(self, name: str) -> bool:
        """``name`` (a repo path) is one of the files or under one of the prefixes."""
        return name in self.files or any(name.startswith(p) for p in self.prefixes)


def watches(project: Project) -> list[Watch]:
    """One ``Watch`` per environment file, sorted by name."""
    watched = []
    for path in load_all(project.environments):
        chain = _chain(project, path)
        provider = _provider(project, chain)
        entry = providers.find(provider)
        code = set(RENDERING_CODE)
        prefixes = ["templates/common/"]
        if entry is not None:
            code.add(type(entry).__module__.replace(".", "/") + ".py")  # its registry entry
            prefixes.insert(0, f"templates/{entry.templates}/")
            if entry.module:
                prefixes.insert(0, f"{entry.module}/")
        files = [*chain, f"environments/locks/{path.stem}.terraform.lock.hcl", *sorted(code)]
        watched.append(Watch(path.stem, provider, files, prefixes))
    return watched


def affected(project: Project, files: list[str]) -> Impact:
    """Map changed repo paths to environment names."""
    impact = Impact()
    known = set()
    for watch in watches(project):
        known.add(watch.env)
        reasons = [name for name in files if watch.hits(name)]
        if reasons:
            impact.reasons[watch.env] = reasons
    for name in files:
        path = PurePosixPath(name)
        is_spec = path.parent.as_posix() == "environments" and path.suffix == ".yaml"
        if is_spec and not path.name.startswith("_") and path.stem not in known:
            impact.removed.append(path.stem)
    impact.environments = sorted(impact.reasons)
    impact.removed = sorted(impact.removed)
    return impact
