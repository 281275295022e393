"""Masking secrets in everything the runner passes on, logs or keeps.

The runner knows some secrets (the caller passes them, and the sensitive
outputs it reads are added), and recognises others by their field name
(``ClientSecret``, ``client_secret``) in text such as ``TF_LOG`` output,
where API bodies are printed in clear. A value found that way becomes a known
secret too, so a later line holding it without its name is masked as well.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from generator.masking import MASK, forms, mask_secret_fields


class Scrubber:
    """``scrub(text)``: ``text`` with every known secret (in every form
    ``masking.forms`` lists) and every secret-named field's value masked.
    Safe to share between threads."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._forms: tuple[str, ...] = ()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Know these secrets from now on (empty and masked values are ignored)."""
        new = {s for s in secrets if isinstance(s, str) and s and s != MASK}
        with self._lock:
            if new <= self._secrets:
                return
            self._secrets |= new
            every: set[str] = set()
            for secret in self._secrets:
                every |= forms(secret)
            self._forms = tuple(sorted(every, key=len, reverse=True))

    def add_values(self, value: Any) -> None:
        """Know every string inside ``value`` (a sensitive output: a string,
        or maps and lists of them)."""
        self.add(_strings(value))

    def __call__(self, text: str) -> str:
        text, found = mask_secret_fields(text)
        if found:
            self.add(found)
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
