"""The kind-specific fields of the policy page's rule cards: form strings ⇄ values.

Each field is posted as ``v-<dotted path>``; a checkbox list also sends ``present-<path>`` so that
ticking nothing is told apart from a field that was not on the form. ``parse`` turns what was
typed into typed values (errors by the key path, in Chinese, like the schema's); ``typed``
gives back what the form shows: what was typed after an error, else the value in force.
Whether a value is allowed (ranges, the notice floor, …) is left to the schema, which the
service runs when it merges the overrides.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from tenant_app.policy.services.edits import EditField

MAX_LINES = 200
MAX_LINE = 200


def name(path: str) -> str:
    return f"v-{path}"


def _shown(f: EditField, value: Any) -> str | list[str]:
    if f.kind == "bool":
        return "true" if value else "false"
    if f.kind == "codes":
        return [str(v) for v in value or []]
    if f.kind == "lines":
        return "\n".join(value or [])
    if f.kind == "industry_codes":
        return ", ".join(value or [])
    if f.kind == "number" and isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def typed(
    fields: dict[str, EditField], form: MultiDict[str, str] | None = None
) -> dict[str, str | list[str]]:
    """Path -> what the field shows (strings, or the ticked codes of a checkbox list)."""
    out: dict[str, str | list[str]] = {}
    for path, f in fields.items():
        if form is not None and f.kind == "codes" and f"present-{path}" in form:
            out[path] = form.getlist(name(path))
        elif form is not None and f.kind != "codes" and name(path) in form:
            out[path] = form.get(name(path), "")
        else:
            out[path] = _shown(f, f.value)
    return out


def _one(f: EditField, form: MultiDict[str, str]) -> Any:
    raw = (form.get(name(f.path)) or "").strip()
    if f.kind == "int":
        if not raw.lstrip("-").isdigit() or len(raw) > 9:
            raise ValueError("应为整数")
        return int(raw)
    if f.kind == "number":
        try:
            number = float(raw.replace("，", "."))
        except ValueError:
            raise ValueError("应为数字") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("应为数字")
        return number
    if f.kind == "bool":
        if raw not in ("true", "false"):
            raise ValueError("请选择是或否")
        return raw == "true"
    if f.kind == "choice":
        if raw not in f.options:
            raise ValueError("请从列表中选择")
        return raw
    if f.kind == "codes":
        picked = form.getlist(name(f.path))
        unknown = [c for c in picked if c not in f.options]
        if unknown:
            raise ValueError("请从列表中选择")
        return [c for c in f.options if c in picked]  # the vocabulary's order
    if f.kind == "industry_codes":
        return list(
            dict.fromkeys(c.strip().upper() for c in raw.replace("，", ",").split(",") if c.strip())
        )
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > MAX_LINES or any(len(line) > MAX_LINE for line in lines):
        raise ValueError(f"最多 {MAX_LINES} 行，每行不超过 {MAX_LINE} 字")
    return list(dict.fromkeys(lines))


def parse(
    fields: dict[str, EditField], form: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(path -> value for every field on the form, path -> reasons)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for path, f in fields.items():
        on_form = f"present-{path}" in form if f.kind == "codes" else name(path) in form
        if not on_form:
            continue
        try:
            values[path] = _one(f, form)
        except ValueError as exc:
            errors[path] = [str(exc)]
    return values, errors
