"""Where things live in a project checkout (see DESIGN.md's layout)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import AuthgenError


@dataclass(frozen=True)
class Project:
    """A checkout: ``environments/``, ``modules/``, ``build/``, ``authorizers/``."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest directory at or above ``start`` (default: the cwd) that
        holds ``environments/`` or ``modules/``; else ``start`` itself."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "environments").is_dir() or (candidate / "modules").is_dir():
                return cls(candidate)
        return cls(here)

    @property
    def environments(self) -> Path:
        """``environments/``: one spec file per environment."""
        return self.root / "environments"

    def build_dir(self, name: str) -> Path:
        """``build/<name>/``: the rendered root module, plans and local state of ``name``."""
        return self.root / "build" / name

    def vendored_module(self, relative: str) -> Path:
        """The repository's own (vendored) module ``relative`` (e.g.
        ``modules/cognito``) that rendered roots use as ``../../<relative>``;
        an error naming the fix when it is missing."""
        path = self.root / relative
        if not (path / "main.tf").is_file():
            raise AuthgenError(
                f"{relative}/ is missing in {self.root}: rendered roots use the repository's "
                "own modules; copy them from a repository made by 'authgen init' "
                "(authgen init /tmp/new && cp -r /tmp/new/modules .)"
            )
        return path

    def lock_file(self, name: str) -> Path:
        """The provider lock file kept in the repo, so pipelines commit it."""
        return self.environments / "locks" / f"{name}.terraform.lock.hcl"

    def record_file(self, name: str) -> Path:
        """The record of an applied environment (``generator.records``), kept
        next to its lock file so that pipelines commit both."""
        return self.environments / "locks" / f"{name}.applied.json"

    def spec_path(self, env: str) -> Path:
        """``dev`` -> ``environments/dev.yaml``; a path is taken as it is."""
        if env.endswith((".yaml", ".yml")) or "/" in env:
            return Path(env)
        return self.environments / f"{env}.yaml"

    def resolve_inside(self, relative: str) -> Path:
        """A project-relative path, refusing anything that resolves outside."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise AuthgenError(
                f"{relative!r} resolves outside the project (through a symbolic link?); "
                "point authorizer.output at a path inside it"
            )
        return path
