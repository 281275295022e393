"""The state as ``authgen state show`` and ``authgen state pull`` give it:
secrets masked.

Terraform says which values are secret in ``terraform show -json``: every
resource carries ``sensitive_values`` (a tree shaped like its ``values``,
``true`` where the provider schema or the configuration marks a value
sensitive, e.g. an app client's ``client_secret``), and every output its
``sensitive`` flag. ``secrets`` collects the strings found there; masking
then replaces those paths *and* every other occurrence of those strings
(in any of the forms ``generator.masking`` knows), so a secret copied into
another attribute or output is masked too. The raw state of ``terraform state
pull`` is masked with the same secrets, plus its own sensitive marks
(outputs' ``sensitive``, instances' ``sensitive_attributes``), and each
instance's ``private`` blob (provider data, opaque) is replaced.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from generator.masking import MASK, mask

#: Longest value ``state show`` prints on one line (after masking).
VALUE_LIMIT = 160


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every resource of ``show -json``'s module tree, depth first."""
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _resources(child)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _marked(value: Any, marks: Any) -> Iterator[Any]:
    """The values of ``value`` where ``marks`` (a ``sensitive_values`` tree) is true."""
    if marks is True:
        yield value
    elif isinstance(marks, dict) and isinstance(value, dict):
        for key, mark in marks.items():
            yield from _marked(value.get(key), mark)
    elif isinstance(marks, list) and isinstance(value, list):
        for item, mark in zip(value, marks, strict=False):
            yield from _marked(item, mark)


def _hide(value: Any, marks: Any) -> Any:
    """``value`` with the parts ``marks`` flags replaced by ``MASK``."""
    if marks is True:
        return None if value is None else MASK
    if isinstance(marks, dict) and isinstance(value, dict):
        return {key: _hide(item, marks.get(key)) for key, item in value.items()}
    if isinstance(marks, list) and isinstance(value, list):
        padded = [*marks, *([None] * (len(value) - len(marks)))]
        return [_hide(item, mark) for item, mark in zip(value, padded, strict=False)]
    return value


def _mask_strings(value: Any, secrets: set[str]) -> Any:
    """Every string in ``value`` (keys too) with each secret masked."""
    if isinstance(value, str):
        return mask(value, secrets) if secrets else value
    if isinstance(value, dict):
        return {_mask_strings(k, secrets): _mask_strings(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_strings(item, secrets) for item in value]
    return value


def secrets(shown: dict[str, Any]) -> set[str]:
    """The secret strings in a ``terraform show -json`` document of the state."""
    values = shown.get("values") or {}
    found: set[str] = set()
    for resource in _resources(values.get("root_module") or {}):
        for value in _marked(resource.get("values"), resource.get("sensitive_values")):
            found.update(_strings(value))
    for output in (values.get("outputs") or {}).values():
        if output.get("sensitive"):
            found.update(_strings(output.get("value")))
    return {s for s in found if s}


def masked_show(shown: dict[str, Any]) -> dict[str, Any]:
    """``terraform show -json`` of the state with every secret masked."""
    known = secrets(shown)
    doc = copy.deepcopy(shown)
    values = doc.get("values") or {}
    for resource in _resources(values.get("root_module") or {}):
        resource["values"] = _hide(resource.get("values"), resource.get("sensitive_values"))
    for output in (values.get("outputs") or {}).values():
        if output.get("sensitive"):
            output["value"] = MASK
    return _mask_strings(doc, known)


def masked_pull(raw: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """The raw state (``terraform state pull``) with ``known`` secrets, sensitive
    outputs, the instances' ``sensitive_attributes`` and ``private`` masked."""
    doc = copy.deepcopy(raw)
    for output in (doc.get("outputs") or {}).values():
        if isinstance(output, dict) and output.get("sensitive"):
            output["value"] = MASK
    for resource in doc.get("resources") or []:
        for instance in resource.get("instances") or []:
            for path in instance.get("sensitive_attributes") or []:
                _mask_path(instance.get("attributes"), path)
            if instance.get("private"):
                instance["private"] = MASK
    return _mask_strings(doc, known)


def _mask_path(attributes: Any, path: Any) -> None:
    """Mask the value at a state ``sensitive_attributes`` path (a list of
    ``get_attr`` / ``index`` steps), when it is there."""
    if not isinstance(path, list) or not path:
        return
    parent, key = attributes, None
    for n, step in enumerate(path):
        if not isinstance(step, dict):
            return
        if step.get("type") == "get_attr":
            key = step.get("value")
        elif step.get("type") == "index":
            index = step.get("value")
            key = index.get("value") if isinstance(index, dict) else index
        else:
            return
        if n < len(path) - 1:
            try:
                parent = parent[key]
            except (KeyError, IndexError, TypeError):
                return
    try:
        if parent[key] is not None:
            parent[key] = MASK
    except (KeyError, IndexError, TypeError):
        return


def resource_rows(masked: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(address, [(attribute, value text), ...])`` per resource of a masked
    ``show -json`` document: the attributes that hold a value, nested ones as
    compact JSON, each at most ``VALUE_LIMIT`` characters."""
    values = masked.get("values") or {}
    rows = []
    for resource in _resources(values.get("root_module") or {}):
        attributes = []
        for name, value in sorted((resource.get("values") or {}).items()):
            if value in (None, "", [], {}):
                continue
            attributes.append((name, short(value)))
        rows.append((str(resource.get("address")), attributes))
    return rows


def output_rows(masked: dict[str, Any]) -> list[tuple[str, str]]:
    """``(output, value text)`` of a masked ``show -json`` document."""
    outputs = (masked.get("values") or {}).get("outputs") or {}
    return [(name, short(entry.get("value"))) for name, entry in sorted(outputs.items())]


def short(value: Any) -> str:
    """A value on one line: strings as they are, the rest as compact JSON,
    cut to ``VALUE_LIMIT`` characters (values are masked before this)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 3] + "..."
