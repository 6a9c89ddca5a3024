"""Inheritance: a child tenant's effective pack = base pack + overrides of each ancestor + its own.

Overrides are nested dicts shaped like the pack. Tables merge key by key; anything else (a list,
a scalar) replaces the inherited value whole. An override is allowed only at or below a path the
base pack lists in its top-level ``overridable`` array; ``meta`` and ``overridable`` are never
overridable. The merged result is validated again, so an override can't make the pack invalid.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import PackError
from .hooks import HookRegistry
from .schema import validate_pack

NEVER_OVERRIDABLE = ("meta", "overridable")


def is_overridable(path: str, overridable: Iterable[str]) -> bool:
    if path.split(".", 1)[0] in NEVER_OVERRIDABLE:
        return False
    return any(path == p or path.startswith(p + ".") for p in overridable)


def leaf_paths(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted path -> value for every leaf (non-table value, or an empty table)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(leaf_paths(value, path))
        else:
            out[path] = value
    return out


def check_overrides(overrides: Mapping[str, Any], overridable: Iterable[str]) -> dict[str, str]:
    """Errors (path -> reason) for every override leaf the pack doesn't allow."""
    allowed = list(overridable)
    errors: dict[str, str] = {}
    for path in leaf_paths(overrides):
        if not is_overridable(path, allowed):
            owner = path.split(".", 1)[0]
            reason = (
                f"该键不可覆盖：{owner} 由政策包固定"
                if owner in NEVER_OVERRIDABLE
                else f"该键不可覆盖，政策包只允许覆盖：{', '.join(allowed) or '（无）'}"
            )
            errors[path] = f"{reason} (not overridable)"
    return errors


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for key, value in over.items():
            out[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def merge(
    base_pack: Mapping[str, Any],
    overrides: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    registry: HookRegistry | None = None,
) -> dict[str, Any]:
    """Effective pack: ``base_pack`` with one overrides dict, or several (ancestors first, own last).

    Raises ``PackError`` (path -> reason) for a non-overridable path or an invalid merged result.
    """
    layers = [overrides] if isinstance(overrides, Mapping) else list(overrides)
    allowed = list(base_pack.get("overridable") or [])
    errors: dict[str, str] = {}
    for layer in layers:
        if not isinstance(layer, Mapping):
            raise PackError({"(root)": "覆盖值应为表 (overrides must be a table)"})
        errors.update(check_overrides(layer, allowed))
    if errors:
        raise PackError(errors)
    merged: Any = dict(base_pack)
    for layer in layers:
        merged = _deep_merge(merged, layer)
    return validate_pack(merged, registry)


def explain_sources(chain: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
    """For each effective leaf path, the label of the layer that set it last.

    ``chain`` is ordered from the base: ``[("pack", pack), ("山西省", province_overrides),
    ("own", city_overrides)]``. A layer that replaces a table-valued or list-valued key takes over
    every leaf below it.
    """
    sources: dict[str, str] = {}
    keys: list[str] = []  # the paths of ``sources``, sorted: a table's leaves sit side by side
    for label, layer in chain:
        for path in leaf_paths(layer):
            # Every path below ``path`` sorts between path + "." and path + "/" ("/" follows ".").
            lo, hi = bisect_left(keys, path + "."), bisect_left(keys, path + "/")
            for old in keys[lo:hi]:
                del sources[old]
            del keys[lo:hi]
            if path not in sources:
                insort(keys, path)
            sources[path] = label
    return dict(sorted(sources.items()))
