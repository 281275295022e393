"""Which environments a git change affects (``authgen changed --base REF``).

A pipeline plans only what a change can affect, so this fails closed: when
in doubt, an environment is affected, and whatever cannot be decided is an
error (exit 1, one line), never an empty list.

What an environment's rendered root and authorizer file depend on (its
``Watch``, the same list ``authgen atlantis`` gives Atlantis):

* ``environments/<env>.yaml``, the files it ``extends`` (or the shared
  defaults), and ``environments/locks/<env>.terraform.lock.hcl``;
* everything under ``generator/``, except the modules that cannot change
  rendered output or the authorizer file (``NO_RENDER_EFFECT``: verify,
  tokens, the terminal UI, this module, ...) and the other providers'
  entries; a new module counts until it is listed there;
* everything under ``templates/`` and ``modules/``, except the other
  providers' templates and modules;
* the package metadata (``pyproject.toml``, ``setup.py``, ``setup.cfg``,
  ``MANIFEST.in``): dependency versions and packaged data shape the output.

Patterns follow Atlantis' ``when_modified`` (Docker's ``.dockerignore``
matching): ``**`` spans directories, a leading ``!`` excludes, the last
matching pattern wins, and a pattern matching a parent directory matches
the files under it.

It is an error, with the way out in the message: a base that cannot be
resolved (the all-zero before-SHA of a new branch, a commit lost to a
force-push, a shallow clone) unless ``--all-on-unknown-base`` asks to treat
every environment as changed; an ``extends:`` base that no longer exists
(its former dependents are named); an applied environment whose spec file is
gone (``generator.records``).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from generator import providers, records
from generator.errors import AuthgenError, SpecError
from generator.project import Project
from generator.spec import DEFAULTS_FILE, load_all
from generator.yaml_source import load as load_yaml

#: Modules under generator/ whose change cannot change a rendered root or an
#: authorizer file: they check, report, run or describe. Anything else under
#: generator/ (a new module too) marks every environment (or, for a provider
#: entry, that provider's). Not listed on purpose: ``terraform/version.py``
#: (its floor is the rendered ``required_version``) and what it imports.
NO_RENDER_EFFECT = (
    "generator/__main__.py",
    "generator/atlantis.py",
    "generator/changed.py",
    "generator/cli.py",
    "generator/demo.py",
    "generator/emulator.py",
    "generator/masking.py",
    "generator/plan_basis.py",
    "generator/plan_summary.py",
    "generator/plugins.py",
    "generator/records.py",
    "generator/report.py",
    "generator/run_lock.py",
    "generator/terraform/__init__.py",
    "generator/terraform/plans.py",
    "generator/terraform/process.py",
    "generator/terraform/record.py",
    "generator/terraform/rootdir.py",
    "generator/terraform/runner.py",
    "generator/terraform/scrub.py",
    "generator/tokens.py",
    "generator/ui.py",
    "generator/verify/**",
    "generator/commands/atlantis.py",
    "generator/commands/changed.py",
    "generator/commands/destroy.py",
    "generator/commands/schema.py",
    "generator/commands/token.py",
    "generator/commands/validate.py",
    "generator/commands/verify.py",
)

#: Package metadata: dependency versions and packaged data shape the output.
PACKAGE_METADATA = ("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in")

#: A SHA that is all zeros: GitHub's ``before`` of a push that created the branch.
_ZERO_SHA = re.compile(r"0{7,40}")


class UnknownBase(AuthgenError):
    """``--base`` names no commit that can be compared with HEAD."""


@dataclass
class Impact:
    """The environments to plan, and those whose spec file is gone."""

    environments: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reasons: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Watch:
    """What one environment's rendered root and authorizer file depend on:
    ``patterns`` in Atlantis' ``when_modified`` syntax (see the module docstring)."""

    env: str
    provider: str | None
    patterns: list[str]

    def hits(self, name: str) -> bool:
        """``name`` (a repo path) matches the patterns (the last match wins)."""
        return matches(self.patterns, name)


def matches(patterns: list[str], name: str) -> bool:
    """Docker's ``.dockerignore`` matching, as Atlantis applies it to
    ``when_modified``: the last pattern that matches ``name`` or one of its
    parent directories decides; ``!`` patterns exclude."""
    parts = PurePosixPath(name).parts
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    matched = False
    for pattern in patterns:
        negative = pattern.startswith("!")
        regex = _regex(pattern[1:] if negative else pattern)
        if any(regex.fullmatch(c) for c in candidates):
            matched = not negative
    return matched


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    """``*`` within a path element, ``**`` across elements, ``?`` one character."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out))


# -- git ---------------------------------------------------------------------


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise AuthgenError("git is not on PATH; 'changed' needs it") from None


def _git_out(root: Path, *args: str) -> str:
    result = _git(root, *args)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise AuthgenError(f"git {' '.join(args)}: {lines[-1] if lines else 'failed'}")
    return result.stdout


_WAY_OUT = (
    "pass a base git can resolve (e.g. origin/main, fetched with its history), or "
    "--all-on-unknown-base to treat every environment as changed"
)


def merge_base(root: Path, base: str) -> str:
    """The commit ``base`` and HEAD share; ``UnknownBase`` when there is none."""
    if _ZERO_SHA.fullmatch(base):
        raise UnknownBase(
            f"--base {base}: the all-zero SHA is no commit (a push that created a branch has "
            f"no before-commit); {_WAY_OUT}"
        )
    resolved = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if resolved.returncode != 0:
        _git_out(root, "rev-parse", "--git-dir")  # not a repository at all: git's own line
        raise UnknownBase(
            f"--base {base}: not a commit in this repository (not fetched, a shallow clone, or "
            f"lost to a force-push); {_WAY_OUT}"
        )
    found = _git(root, "merge-base", resolved.stdout.strip(), "HEAD")
    if found.returncode != 0 or not found.stdout.strip():
        raise UnknownBase(
            f"--base {base}: it shares no history with HEAD (rewritten by a force-push, or a "
            f"shallow clone); {_WAY_OUT}"
        )
    return found.stdout.strip()


def changed_files(root: Path, base: str) -> list[str]:
    """Paths (relative to the project) that differ between ``base``'s merge
    base with HEAD and the working tree, untracked files included."""
    prefix = _git_out(root, "rev-parse", "--show-prefix").strip()
    common = merge_base(root, base)
    names = _git_out(root, "diff", "--name-only", "--no-renames", common, "--").splitlines()
    names += _git_out(root, "ls-files", "--others", "--exclude-standard").splitlines()
    paths = set()
    for name in names:
        if prefix and name.startswith(prefix):
            paths.add(name[len(prefix) :])
        elif not prefix:
            paths.add(name)
    return sorted(paths)


# -- what an environment depends on -------------------------------------------


def _chain(project: Project, path: Path, missing: dict[str, list[str]]) -> list[str]:
    """The spec files ``path`` is built from (itself, then its ``extends``
    chain, or the shared defaults), as repo-relative POSIX paths. A base that
    does not exist is noted in ``missing`` (base -> dependents)."""
    chain: list[str] = []
    current: Path | None = path
    while current is not None and len(chain) < 20:
        if not current.is_file():
            relative = _relative(project, current)
            missing.setdefault(relative, []).append(path.stem)
            break
        if not current.resolve().is_relative_to(project.root.resolve()):
            break  # outside the project: the spec is refused when loaded (spec._extended)
        relative = _relative(project, current)
        if relative in chain:
            break
        chain.append(relative)
        doc = load_yaml(current)
        if doc.data is None and doc.problems:  # cannot tell what it extends: fail closed
            raise SpecError([str(problem) for problem in doc.problems])
        data = doc.data
        extends = data.get("extends") if isinstance(data, dict) else None
        current = current.parent / extends if isinstance(extends, str) else None
    if len(chain) == 1 and (project.environments / DEFAULTS_FILE).is_file():
        chain.append(f"environments/{DEFAULTS_FILE}")
    return chain


def _relative(project: Project, path: Path) -> str:
    resolved = path.resolve()
    root = project.root.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)


def _provider(project: Project, chain: list[str]) -> str | None:
    """The ``provider:`` the first file of the chain that names one says."""
    for relative in chain:
        data = load_yaml(project.root / relative).data
        if isinstance(data, dict) and isinstance(data.get("provider"), str):
            return data["provider"]
    return None


def _code_patterns(provider: str | None) -> list[str]:
    """generator/, templates/, modules/ and the package metadata, minus what
    cannot affect an environment of ``provider`` (``None``: unknown, so
    nothing provider-specific is left out)."""
    patterns = ["generator/**", *(f"!{p}" for p in NO_RENDER_EFFECT)]
    entry = providers.find(provider)
    others = [e for e in providers.REGISTRY if entry is not None and e is not entry]
    patterns += [f"!{type(e).__module__.replace('.', '/')}.py" for e in others]
    patterns += ["templates/**", *(f"!templates/{e.templates}/**" for e in others if e.templates)]
    patterns += ["modules/**", *(f"!{e.module}/**" for e in others if e.module)]
    patterns += list(PACKAGE_METADATA)
    return patterns


def watches(project: Project) -> list[Watch]:
    """One ``Watch`` per environment file, sorted by name; ``AuthgenError``
    naming the dependents when an ``extends:`` base is gone."""
    watched, missing = [], {}
    for path in load_all(project.environments):
        chain = _chain(project, path, missing)
        provider = _provider(project, chain)
        lock = f"environments/locks/{path.stem}.terraform.lock.hcl"
        watched.append(Watch(path.stem, provider, [*chain, lock, *_code_patterns(provider)]))
    if missing:
        base, dependents = sorted(missing.items())[0]
        more = f" (and {len(missing) - 1} more missing bases)" if len(missing) > 1 else ""
        raise AuthgenError(
            f"{base}: no such file, but {', '.join(sorted(dependents))} "
            f"extend{'s' if len(dependents) == 1 else ''} it (deleted or renamed?){more}; restore "
            "it, or point their 'extends:' at the file that replaces it"
        )
    return watched


def check_orphans(project: Project) -> None:
    """``AuthgenError`` (one line, the procedure) when an applied environment's
    spec file is gone."""
    orphans = records.orphans(project)
    if orphans:
        line = records.orphan_message(project, orphans[0])
        if len(orphans) > 1:
            line += f" (also: {', '.join(r.environment for r in orphans[1:])})"
        raise AuthgenError(line)


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


def everything(project: Project) -> Impact:
    """Every environment, for a base that cannot be compared (``--all-on-unknown-base``)."""
    names = [watch.env for watch in watches(project)]
    return Impact(environments=names, reasons={n: ["(unknown base)"] for n in names})
