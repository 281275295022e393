"""The identity providers authgen knows, one entry each (see ``base.py``).

``get(spec.provider)`` is how every step asks a provider-specific question.
A new provider is one new module in this package and one line in
``REGISTRY`` (plus its section model in ``spec.py``).
"""

from __future__ import annotations

from generator.errors import AuthgenError
from generator.providers import auth0, cognito, oidc
from generator.providers.base import Provider, full_scopes, section_of

#: Every provider entry, in the order messages list them.
REGISTRY: tuple[Provider, ...] = (
    cognito.PROVIDER,
    auth0.PROVIDER,
    oidc.PROVIDER,
)

_BY_NAME: dict[str, Provider] = {entry.name: entry for entry in REGISTRY}


def names() -> tuple[str, ...]:
    """The ``provider:`` values authgen supports."""
    return tuple(_BY_NAME)


def choices() -> str:
    """``"cognito or auth0"`` (``"a, b or c"`` for more), for messages."""
    known = names()
    return " or ".join(known) if len(known) < 3 else f"{', '.join(known[:-1])} or {known[-1]}"


def find(name: object) -> Provider | None:
    """The entry for ``name``, or ``None`` (for raw, unchecked data)."""
    return _BY_NAME.get(name) if isinstance(name, str) else None


def get(name: str) -> Provider:
    """The entry for ``name``; ``AuthgenError`` for a provider authgen does not know."""
    entry = find(name)
    if entry is None:
        raise AuthgenError(f"provider {name!r} is not supported; use {choices()}")
    return entry


__all__ = ["REGISTRY", "Provider", "choices", "find", "full_scopes", "get", "names", "section_of"]
