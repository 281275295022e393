"""Summarize a saved plan (``terraform show -json PLAN``) for people and pipelines.

Pure: ``summarize(plan, environment=...)`` turns the plan document into a
masked summary dict (the ``plan.json`` form); ``to_markdown`` / ``to_json``
render that summary (``generator.ui`` draws it on a terminal, with
``counts_line``, ``attributes_text`` and ``value_text``). Nothing here reads
or writes files.

``show -json`` prints sensitive values in clear. They are masked three ways,
so that a gap in one does not leak: the ``before_sensitive`` /
``after_sensitive`` / ``sensitive_values`` masks and the outputs' ``sensitive``
flags; any string that equals (or contains) a value found under those masks or
in a sensitive variable, wherever it appears (terraform does not mark values
derived from a sensitive one by a provider, e.g. ``terraform_data.output``);
and string values of attributes named like secrets (``client_secret``, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT_VERSION = 1
SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"

#: Resource types whose replacement hands callers new ids, and what that breaks.
BREAKING_REPLACEMENTS: dict[str, str] = {
    "aws_cognito_user_pool": (
        "a new user pool id changes the issuer, discovery URL and JWKS, and every app client "
        "id and secret; update the Gateway authorizer and every caller"
    ),
    "aws_cognito_user_pool_client": (
        "a new client id and secret; update allowedClients in the Gateway authorizer and the "
        "credentials of every caller"
    ),
    "aws_cognito_resource_server": (
        "the resource server and its scopes are recreated; app clients lose those scopes until "
        "they are updated and tokens already issued stop matching"
    ),
    "auth0_client": "a new client id and secret; update the credentials of every caller",
    "auth0_resource_server": (
        "the API is recreated with a new id; its client grants and the tokens issued for its "
        "audience stop working until they are recreated"
    ),
}

#: Display order: the dangerous first.
ACTIONS = ("replace", "delete", "update", "create", "read", "forget", "no-op")
COUNTED = ("create", "update", "replace", "delete")

_SECRET_NAME = re.compile(r"secret|passw(or)?d|private_key|credential|(^|_)token$", re.IGNORECASE)
#: Secrets shorter than this are masked only where a whole string equals them.
_MIN_SUBSTRING = 6


#: What a plan is for (``generator.plan_basis``), and its banner.
MODES = {
    "apply": None,
    "retire": (
        "Retiring {env} (retired: true): this plan destroys every resource of the environment; "
        "applying it also removes its authorizer file and its record. Afterwards the spec file "
        "can be deleted."
    ),
    "destroy": "Destroying {env}: this plan destroys every resource of the environment.",
}


def summarize(plan: Mapping[str, Any], *, environment: str, mode: str = "apply") -> dict[str, Any]:
    """The masked summary of a ``show -json`` plan document (the ``plan.json`` form);
    ``mode`` says what the plan is for (``apply``, ``retire``, ``destroy``)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not one of {sorted(MODES)}")
    secrets = _collect_secrets(plan)
    resources = []
    for rc in plan.get("resource_changes") or []:
        change = rc.get("change") or {}
        action = _action(change.get("actions") or [])
        replace_attrs = sorted(
            {str(p[0]) for p in change.get("replace_paths") or [] if isinstance(p, list) and p}
        )
        entry: dict[str, Any] = {
            "address": rc.get("address", ""),
            "type": rc.get("type", ""),
            "mode": rc.get("mode", "managed"),
            "action": action,
            "attributes": _attribute_changes(change, action, replace_attrs, secrets),
            "replace_paths": replace_attrs,
            "reason": rc.get("action_reason"),
            "importing": bool(change.get("importing")),
            "breaking": action == "replace" and rc.get("type") in BREAKING_REPLACEMENTS,
        }
        resources.append(entry)

    counts = {name: 0 for name in ("create", "update", "replace", "delete", "read", "no-op")}
    for entry in resources:
        counts[entry["action"]] = counts.get(entry["action"], 0) + 1
    changed = [r for r in resources if r["action"] != "no-op" or r["importing"]]
    changed.sort(key=lambda r: (_order(r["action"]), r["address"]))

    outputs = [o for o in _output_changes(plan, secrets) if o["action"] != "no-op"]
    warnings = [_warning(r) for r in changed if r["breaking"]]
    drift = [
        {
            "address": d.get("address", ""),
            "action": _action((d.get("change") or {}).get("actions") or []),
        }
        for d in plan.get("resource_drift") or []
    ]
    return {
        "format_version": FORMAT_VERSION,
        "environment": environment,
        "mode": mode,
        "terraform_version": plan.get("terraform_version"),
        "changes": bool(changed or outputs),
        "counts": counts,
        "warnings": warnings,
        "resources": changed,
        "outputs": outputs,
        "drift": drift,
    }


def banner(summary: Mapping[str, Any]) -> str | None:
    """The line that says a plan retires or destroys the environment (``None``
    for an ordinary plan)."""
    text = MODES.get(summary.get("mode", "apply"))
    return text.format(env=summary["environment"]) if text else None


def counts_line(summary: Mapping[str, Any]) -> str:
    """``Plan: 1 to create, 0 to update, 1 to replace, 0 to delete.`` or ``No changes.``"""
    if not summary["changes"]:
        return "No changes."
    counts = summary["counts"]
    line = ", ".join(f"{counts.get(action, 0)} to {action}" for action in COUNTED)
    extra = [f"{counts[a]} to {a}" for a in ("read", "forget") if counts.get(a)]
    if extra:
        line += ", " + ", ".join(extra)
    outputs = len(summary["outputs"])
    if outputs:
        line += f"; {outputs} output change{'s' if outputs != 1 else ''}"
    return f"Plan: {line}."


def to_json(summary: Mapping[str, Any]) -> str:
    """``plan.json``: the summary, sorted keys, 2-space indent, trailing newline."""
    return json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_markdown(summary: Mapping[str, Any]) -> str:
    """``plan.md``: GitHub markdown for a pull-request comment."""
    env = summary["environment"]
    out = [f"<!-- authgen-plan:{env} -->", f"## authgen plan: `{_md_code(env)}`", ""]
    if banner(summary):
        out += ["> [!WARNING]", f"> **{_md_text(banner(summary) or '')}**", ""]
    guard = summary.get("protection") or {}
    if guard.get("findings"):
        verdict = (
            "`authgen apply` refuses this plan."
            if guard.get("refused")
            else "`authgen apply` asks before it goes ahead (or takes `--auto-approve`)."
        )
        out += ["> [!CAUTION]", f"> **Deletes or replaces live objects.** {verdict}"]
        out += [f"> - {_md_text(_finding_text(f))}" for f in guard["findings"]]
        if guard.get("way_out"):
            out.append(f"> {_md_text(guard['way_out'][:1].upper() + guard['way_out'][1:])}.")
        out.append("")
    for warning in summary["warnings"]:
        out += ["> [!CAUTION]", f"> **Breaking replacement.** {_md_text(warning)}", ""]
    if not summary["changes"]:
        out += ["**No changes.** The infrastructure matches the configuration.", ""]
    else:
        unchanged = summary["counts"].get("no-op", 0)
        out += [f"**{counts_line(summary)}** ({unchanged} unchanged)", ""]
    if summary["resources"]:
        out += ["| | Resource | Action | Changed attributes |", "| --- | --- | --- | --- |"]
        for r in summary["resources"]:
            mark = ":rotating_light:" if r["breaking"] else _MD_MARK.get(r["action"], "")
            action = f"**{r['action']}**" if r["action"] in ("replace", "delete") else r["action"]
            if r["importing"]:
                action += " (import)"
            out.append(f"| {mark} | `{_md_code(r['address'])}` | {action} | {_md_attributes(r)} |")
        out.append("")
    if summary["outputs"]:
        out += ["### Output changes", "", "| Output | Action | Before | After |"]
        out.append("| --- | --- | --- | --- |")
        for o in summary["outputs"]:
            out.append(
                f"| `{_md_code(o['name'])}` | {o['action']} | {_md_value(o['before'])} "
                f"| {_md_value(o['after'])} |"
            )
        out.append("")
    detailed = [r for r in summary["resources"] if r["attributes"]]
    if detailed:
        out += ["<details><summary>Attribute changes</summary>", ""]
        for r in detailed:
            out.append(f"- `{_md_code(r['address'])}` ({r['action']})")
            for a in r["attributes"]:
                forced = " (forces replacement)" if a["forces_replacement"] else ""
                out.append(
                    f"  - `{_md_code(a['name'])}`: {_md_value(a['before'])} -> "
                    f"{_md_value(a['after'])}{forced}"
                )
        out += ["", "</details>", ""]
    if summary.get("diff"):  # a provider without Terraform: the authorizer file itself
        out += ["<details><summary>Authorizer file</summary>", "", "```diff"]
        out += [line.replace("```", "` ` `") for line in summary["diff"]]
        out += ["```", "", "</details>", ""]
    if summary["drift"]:
        out += ["### Changed outside Terraform", ""]
        out += [f"- `{_md_code(d['address'])}` ({d['action']})" for d in summary["drift"]]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _finding_text(finding: Mapping[str, Any]) -> str:
    verb = "replaced" if finding.get("action") == "replace" else "deleted"
    text = f"`{_md_code(finding.get('address', ''))}` ({finding.get('what')}) would be {verb}: "
    text += str(finding.get("why", ""))
    return text + (f"; {finding['blocked']}" if finding.get("blocked") else "")


# -- building the summary ----------------------------------------------------


def _action(actions: list[str]) -> str:
    if sorted(actions) == ["create", "delete"]:
        return "replace"
    if len(actions) == 1:
        return actions[0]
    return "-".join(actions) or "no-op"


def _order(action: str) -> int:
    return ACTIONS.index(action) if action in ACTIONS else len(ACTIONS)


def _warning(resource: Mapping[str, Any]) -> str:
    text = (
        f"{resource['address']} will be REPLACED ({resource['type']}): "
        f"{BREAKING_REPLACEMENTS[resource['type']]}."
    )
    if resource["replace_paths"]:
        text += " Forced by: " + ", ".join(resource["replace_paths"]) + "."
    return text


def _attribute_changes(
    change: Mapping[str, Any], action: str, replace_attrs: list[str], secrets: set[str]
) -> list[dict[str, Any]]:
    if action in ("no-op", "delete", "read", "forget"):
        return []
    before = change.get("before") if isinstance(change.get("before"), dict) else {}
    after = change.get("after") if isinstance(change.get("after"), dict) else {}
    unknown = change.get("after_unknown")
    unknown_keys = (
        {k for k, v in unknown.items() if _has_true(v)} if isinstance(unknown, dict) else set()
    )
    result = []
    for name in sorted(set(before) | set(after) | unknown_keys):
        b, a, u = before.get(name), after.get(name), _sub(unknown, name)
        if not _has_true(u) and b == a:
            continue
        if action == "create" and a is None and not _has_true(u):
            continue
        result.append(
            {
                "name": name,
                "before": _mask(b, _sub(change.get("before_sensitive"), name), None, secrets, name),
                "after": _mask(a, _sub(change.get("after_sensitive"), name), u, secrets, name),
                "forces_replacement": name in replace_attrs,
            }
        )
    return result


def _output_changes(plan: Mapping[str, Any], secrets: set[str]) -> list[dict[str, Any]]:
    planned = (plan.get("planned_values") or {}).get("outputs") or {}
    prior = ((plan.get("prior_state") or {}).get("values") or {}).get("outputs") or {}
    configured = ((plan.get("configuration") or {}).get("root_module") or {}).get("outputs") or {}
    result = []
    for name, oc in sorted((plan.get("output_changes") or {}).items()):
        sensitive = (
            oc.get("before_sensitive") is True
            or oc.get("after_sensitive") is True
            or any(
                bool((src.get(name) or {}).get("sensitive")) for src in (planned, prior, configured)
            )
        )
        if sensitive:
            before = None if oc.get("before") is None else SENSITIVE
            after = None if oc.get("after") is None and not oc.get("after_unknown") else SENSITIVE
        else:
            before = _mask(oc.get("before"), oc.get("before_sensitive"), None, secrets, name)
            after = _mask(
                oc.get("after"), oc.get("after_sensitive"), oc.get("after_unknown"), secrets, name
            )
        result.append(
            {
                "name": name,
                "action": _action(oc.get("actions") or []),
                "sensitive": sensitive,
                "before": before,
                "after": after,
            }
        )
    return result


# -- masking -----------------------------------------------------------------


def _mask(value: Any, sensitive: Any, unknown: Any, secrets: set[str], key: Any = None) -> Any:
    """``value`` with sensitive leaves replaced by SENSITIVE and unknown ones by UNKNOWN.

    Fails closed: a sensitive mask whose shape does not fit the value masks all of it.
    """
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    if (
        isinstance(key, str)
        and _SECRET_NAME.search(key)
        and isinstance(value, (str, dict, list))
        and value
    ):
        return SENSITIVE
    if isinstance(value, dict):
        if _has_true(sensitive) and not isinstance(sensitive, dict):
            return SENSITIVE
        masked = {
            k: _mask(v, _sub(sensitive, k), _sub(unknown, k), secrets, k) for k, v in value.items()
        }
        if isinstance(unknown, dict):
            masked.update({k: UNKNOWN for k, u in unknown.items() if u is True and k not in value})
        return masked
    if isinstance(value, list):
        if _has_true(sensitive) and not isinstance(sensitive, list):
            return SENSITIVE
        return [
            _mask(v, _sub(sensitive, i), _sub(unknown, i), secrets) for i, v in enumerate(value)
        ]
    if _has_true(sensitive):
        return SENSITIVE
    if isinstance(value, str) and _is_secret(value, secrets):
        return SENSITIVE
    return value


def _sub(mask: Any, key: Any) -> Any:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return mask.get(key)
    if isinstance(mask, list) and isinstance(key, int) and 0 <= key < len(mask):
        return mask[key]
    return None


def _has_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_has_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_has_true(v) for v in mask)
    return False


def _is_secret(text: str, secrets: set[str]) -> bool:
    return text in secrets or any(len(s) >= _MIN_SUBSTRING and s in text for s in secrets)


def _collect_secrets(plan: Mapping[str, Any]) -> set[str]:
    """Every string terraform holds as sensitive anywhere in the plan document."""
    found: set[str] = set()

    def under(value: Any, mask: Any) -> None:
        if mask is True:
            found.update(_strings(value))
        elif isinstance(mask, dict) and isinstance(value, dict):
            for k, v in value.items():
                under(v, mask.get(k))
        elif isinstance(mask, list) and isinstance(value, list):
            for v, m in zip(value, mask, strict=False):
                under(v, m)
        elif _has_true(mask):  # shape mismatch: take it all
            found.update(_strings(value))

    for key in ("resource_changes", "resource_drift"):
        for rc in plan.get(key) or []:
            change = rc.get("change") or {}
            under(change.get("before"), change.get("before_sensitive"))
            under(change.get("after"), change.get("after_sensitive"))
    for name, oc in (plan.get("output_changes") or {}).items():
        del name
        under(oc.get("before"), oc.get("before_sensitive"))
        under(oc.get("after"), oc.get("after_sensitive"))
    for values in (
        plan.get("planned_values") or {},
        (plan.get("prior_state") or {}).get("values") or {},
    ):
        for output in (values.get("outputs") or {}).values():
            if output.get("sensitive"):
                found.update(_strings(output.get("value")))
        for resource in _module_resources(values.get("root_module") or {}):
            under(resource.get("values"), resource.get("sensitive_values"))
    declared = ((plan.get("configuration") or {}).get("root_module") or {}).get("variables") or {}
    for name, variable in (plan.get("variables") or {}).items():
        if (declared.get(name) or {}).get("sensitive"):
            found.update(_strings(variable.get("value")))
    found.discard("")
    return found


def _module_resources(module: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _module_resources(child)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield json.dumps(value)


# -- rendering helpers -------------------------------------------------------

_MD_MARK = {
    "create": ":heavy_plus_sign:",
    "update": ":pencil2:",
    "replace": ":warning:",
    "delete": ":x:",
    "read": ":mag:",
}
_MAX_ATTRIBUTES = 8
_MAX_VALUE = 120


#: On a create every attribute is new, so the tables name the resource instead.
_IDENTIFYING = ("name", "domain", "identifier")


def _attribute_names(resource: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, note) pairs, the list cut at ``_MAX_ATTRIBUTES`` with a ``+N more`` entry."""
    if resource["action"] == "create":
        known = {a["name"]: a["after"] for a in resource["attributes"]}
        for key in _IDENTIFYING:
            if isinstance(known.get(key), str) and known[key] not in (SENSITIVE, UNKNOWN):
                return [(key, f" = {known[key]}")]
        return [("", "new")]
    names = [
        (a["name"], " (forces replacement)" if a["forces_replacement"] else "")
        for a in resource["attributes"]
    ]
    if len(names) > _MAX_ATTRIBUTES:
        names = [*names[:_MAX_ATTRIBUTES], ("", f"+{len(names) - _MAX_ATTRIBUTES} more")]
    return names


def _md_attributes(resource: Mapping[str, Any]) -> str:
    return ", ".join(
        (f"`{_md_code(name)}`" if name else "") + _md_text(note)
        for name, note in _attribute_names(resource)
    )


def attributes_text(resource: Mapping[str, Any]) -> str:
    """The changed attributes of a summary resource in one plain line."""
    return ", ".join(name + note for name, note in _attribute_names(resource))


def value_text(value: Any) -> str:
    """An output value in one plain line, cut at ``_MAX_VALUE`` characters."""
    if value is None:
        return "-"
    text = (
        value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    )
    text = " ".join(text.split())
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def _md_value(value: Any) -> str:
    if value is None:
        return "-"
    if value in (SENSITIVE, UNKNOWN):
        return f"_{value}_"
    return f"`{_md_code(value_text(value))}`"


def _md_code(text: str) -> str:
    """Text for inside a code span in a table cell."""
    return str(text).replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _md_text(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
