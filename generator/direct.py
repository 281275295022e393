"""Environments whose provider has no Terraform resources (``provider: oidc``).

Such an environment makes nothing at the identity provider: its result is the
authorizer file alone. So ``plan`` and ``apply`` run no terraform and need no
cloud credentials; "direct" means nothing stands between the spec and the file:

- :func:`plan` builds the authorizer document from the spec (the provider's
  ``spec_outputs`` play the part of Terraform's outputs), fetches the
  discovery document and the JWKS the way ``authgen verify`` does (the same
  rows, the same backoff on DNS and connection errors, the provider's
  diagnoses), and compares the document with the current file: the
  :class:`DirectPlan` holds the rows, the unified diff and a summary in the
  ``plan.json`` form, so pipelines and ``plan --all`` treat it like any plan;
- :func:`write` writes the file (atomically, checked against the API's
  rules: ``authorizer.write``);
- a ``retired: true`` spec plans the removal of the file instead (nothing is
  fetched: the provider may be gone already), and ``apply`` removes it;
- :func:`outputs` is what ``token`` / ``verify`` read instead of Terraform
  outputs: the spec's values plus the discovery document's ``token_endpoint``.

A discovery URL that cannot be fetched, or serves no issuer or no RSA signing
key, is one :class:`DirectError` line naming the spec key that set the URL.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import authorizer, providers
from generator.errors import AuthgenError
from generator.project import Project
from generator.spec import Spec
from generator.yaml_source import display_name

log = logging.getLogger(__name__)

DEFAULT_WAIT = 30.0  # seconds: how long plan / apply retry DNS and connection errors
DEFAULT_TIMEOUT = 10.0  # seconds per request
#: verify's rows that concern the file and what its discovery URL serves.
DISCOVERY_ROWS = ("discoveryUrl", "authorizer rules", "discovery document", "issuer", "JWKS")
#: The address the summary gives the file's "resource".
RESOURCE_TYPE = "authgen_authorizer_file"


class DirectError(AuthgenError):
    """The discovery document or its keys are not usable (one line)."""


@dataclass
class DirectPlan:
    """What ``apply`` would write for one environment, and what was checked."""

    environment: str
    path: Path
    document: dict[str, Any]
    text: str
    current: str | None
    rows: list[Any] = field(default_factory=list)
    #: A ``retired: true`` spec: the plan removes the file.
    retiring: bool = False

    @property
    def action(self) -> str:
        """``create`` (no file yet), ``update``, ``delete`` (retiring) or ``no-op``."""
        if self.retiring:
            return "no-op" if self.current is None else "delete"
        if self.current is None:
            return "create"
        return "no-op" if self.current == self.text else "update"

    @property
    def changes(self) -> bool:
        """The file would change."""
        return self.action != "no-op"

    def diff(self) -> list[str]:
        """The unified diff of the current file against the new one (no lines: no change)."""
        name = display_name(self.path)
        before = (self.current or "").splitlines(keepends=True)
        after = [] if self.retiring else self.text.splitlines(keepends=True)
        planned = "/dev/null" if self.retiring else f"{name} (planned)"
        return [
            line.rstrip("\n")
            for line in difflib.unified_diff(
                before,
                after,
                fromfile=f"{name} (current)" if self.current is not None else "/dev/null",
                tofile=planned,
            )
        ]

    def summary(self) -> dict[str, Any]:
        """The plan in the ``plan.json`` form (``plan_summary.summarize``'s
        keys), the file as the one resource, each changed member an attribute."""
        current = _parse(self.current)
        before = current.get(authorizer.ROOT_KEY, {}) if isinstance(current, Mapping) else {}
        after = {} if self.retiring else self.document[authorizer.ROOT_KEY]
        attributes = [
            {
                "name": name,
                "before": before.get(name),
                "after": after.get(name),
                "forces_replacement": False,
            }
            for name in sorted(set(before) | set(after), key=_member_order)
            if before.get(name) != after.get(name)
        ]
        counts = dict.fromkeys(("create", "update", "replace", "delete", "read", "no-op"), 0)
        counts[self.action] += 1
        resource = {
            "address": display_name(self.path),
            "type": RESOURCE_TYPE,
            "mode": "managed",
            "action": self.action,
            "attributes": attributes if self.action == "update" else [],
            "replace_paths": [],
            "reason": None,
            "importing": False,
            "breaking": False,
        }
        return {
            "format_version": 1,
            "environment": self.environment,
            "mode": "retire" if self.retiring else "apply",
            "terraform_version": None,
            "changes": self.changes,
            "counts": counts,
            "warnings": [],
            "resources": [resource] if self.changes else [],
            "outputs": [],
            "drift": [],
            "diff": self.diff(),
            "checks": [
                {"name": r.name, "status": str(r.status), "detail": r.detail, "fix": r.fix}
                for r in self.rows
            ],
        }


def document(project: Project, spec: Spec) -> tuple[Path, dict[str, Any]]:
    """The authorizer file's path and the document the spec gives (no I/O but the path check)."""
    entry = providers.get(spec.provider)
    outputs = entry.spec_outputs(spec)
    if outputs is None:
        raise AuthgenError(f"provider {spec.provider} takes its outputs from Terraform")
    doc = authorizer.build(
        spec.provider,
        outputs,
        members=spec.authorizer.to_api(),
        client_names=spec.authorizer.allowed_clients,
    )
    return project.resolve_inside(spec.authorizer.output), doc


def plan(
    project: Project, spec: Spec, *, wait: float = DEFAULT_WAIT, timeout: float = DEFAULT_TIMEOUT
) -> DirectPlan:
    """The document, checked against what its discovery URL serves, and the
    current file; ``DirectError`` when discovery or the keys fail."""
    from generator import verify

    path, doc = document(project, spec)
    if spec.retired:  # the file goes; what the provider serves no longer matters
        return DirectPlan(spec.name, path, doc, "", _read(path), retiring=True)
    advise = providers.get(spec.provider).advisor(spec)
    rows = [
        row
        for row in verify.verify(doc, no_token=True, wait=wait, timeout=timeout, advise=advise)
        if row.name in DISCOVERY_ROWS
    ]
    failed = [row for row in rows if not row.ok]
    if failed:
        raise DirectError(_failure_line(spec, failed[0]))
    text = authorizer.dumps(doc)
    return DirectPlan(spec.name, path, doc, text, _read(path), rows)


def write(planned: DirectPlan) -> bool:
    """Write the planned file (atomically; False when it already held this text)."""
    return authorizer.write(planned.path, planned.document)


def outputs(
    spec: Spec, *, wait: float = DEFAULT_WAIT, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """The spec's outputs plus ``issuer``, ``jwks_uri``, ``token_endpoint``
    (unless the provider fixes it) and the client authentication methods the
    discovery document names (``token_endpoint_auth_methods_supported``)."""
    entry = providers.get(spec.provider)
    values = dict(entry.spec_outputs(spec) or {})
    discovery = fetch_discovery(spec, values["discovery_url"], wait=wait, timeout=timeout)
    for key in ("issuer", "jwks_uri", "token_endpoint", "token_endpoint_auth_methods_supported"):
        if key not in values and discovery.get(key) is not None:
            values[key] = discovery[key]
    return values


def fetch_discovery(
    spec: Spec, url: str, *, wait: float = DEFAULT_WAIT, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """The discovery document at ``url`` (retrying DNS and connection errors
    up to ``wait`` s), or ``DirectError`` naming the spec key."""
    from generator.verify import Check, Status, fetch

    fetched = fetch.discovery_document(url, wait=wait, timeout=timeout)
    if fetched.document is None:
        row = Check("discovery document", Status.FAIL, fetched.problem, fetched.fix)
        raise DirectError(_failure_line(spec, row))
    return fetched.document


def _failure_line(spec: Spec, row: Any) -> str:
    """``file:line:col: oidc.<key>: <check>: <detail>; <fix>`` for a failed row
    (with the provider's diagnosis)."""
    from generator.yaml_source import format_path
    from generator.yaml_source import load as load_yaml

    entry = providers.get(spec.provider)
    advise = entry.advisor(spec)
    if advise is not None:
        row = advise(row)
    section = getattr(spec, entry.section)
    source = getattr(section, "source_key", None)  # the key that names the discovery URL
    key: tuple[str | int, ...] = (entry.section, source) if source else (entry.section,)
    where = display_name(spec.path) if spec.path else spec.name
    if spec.path is not None:
        mark = load_yaml(spec.path).mark_for(key, key=True)
        if mark is not None:
            where = str(mark)
    fix = f"; {row.fix}" if row.fix else ""
    return f"{where}: {format_path(key)}: {row.name}: {row.detail}{fix}"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        log.warning("%s: cannot read the current authorizer file (%s); it is replaced", path, err)
        return ""


def _parse(text: str | None) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return {}


def _member_order(name: str) -> tuple[int, str]:
    members = list(authorizer.model().members(authorizer.SHAPE))
    return (members.index(name) if name in members else len(members), name)
