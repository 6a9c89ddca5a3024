"""Forms suited to each kind of value, for the keys the tenant's pack lets it override.

``edit_fields`` looks at every effective leaf under the pack's ``overridable`` paths and gives it
a kind: a whole number or a number with its unit, yes/no, one code of a closed vocabulary, a set
of codes (checkboxes with their words), a list of free lines, or GB/T 4754 industry codes. What
has no form of its kind (titles and notes, ordered lists, tables of lists, the quiet periods,
which have their own structured form) stays for the TOML editor.

``overrides_with`` turns the values a form sends into the tenant's new own overrides: a value
equal to what the tenant inherits is not kept as an override (so a form also takes an override
back), every other own override is kept as it was. Whether the values are allowed is the
schema's business: ``service.propose`` merges and validates them, errors by key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.overrides import is_overridable, leaf_paths
from tenant_app.policy.service import EffectivePolicy
from tenant_app.policy.services.rules import DESCRIBING
from tenant_app.policy.services.words import options_of, unit_of, vocab_of

# Edited on its own form (quiet_form.py): rows with dates, categories and industries.
QUIET_PERIODS = "inspection.quiet.periods"
INDUSTRY_CODE_KEYS = ("codes", "review_codes")
KINDS = ("int", "number", "bool", "choice", "codes", "lines", "industry_codes")


@dataclass
class EditField:
    path: str
    kind: str  # one of KINDS
    value: Any  # in force now (with the own override, if any)
    inherited: Any  # what the tenant would have without its own override
    unit: str = ""
    vocab: str | None = None
    options: tuple[str, ...] = ()

    @property
    def own(self) -> bool:
        return self.value != self.inherited


def kind_of(path: str, value: Any) -> tuple[str, str | None, tuple[str, ...]] | None:
    """(kind, vocabulary, options) of the form that edits this leaf, or None (TOML only)."""
    key = path.rsplit(".", 1)[-1]
    if key in DESCRIBING or path == QUIET_PERIODS or path.startswith(QUIET_PERIODS + "."):
        return None
    vocab = vocab_of(path)
    options = options_of(vocab) if vocab else ()
    if isinstance(value, bool):
        return "bool", None, ()
    if isinstance(value, float) or (isinstance(value, int) and unit_of(path) == "share"):
        return "number", None, ()
    if isinstance(value, int):
        return "int", None, ()
    if isinstance(value, str):
        return ("choice", vocab, options) if vocab and value in options else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if vocab == "procedure_step":
            return None  # an order, not a set: the TOML editor keeps it
        if vocab:
            return ("codes", vocab, options) if set(value) <= set(options) else None
        if key in INDUSTRY_CODE_KEYS:
            return "industry_codes", None, ()
        return "lines", None, ()
    return None


def edit_fields(
    eff: EffectivePolicy, inherited: Mapping[str, Any], overridable: list[str]
) -> dict[str, EditField]:
    """Path -> field, for every overridable leaf that has a form of its kind (pack order)."""
    before = leaf_paths(inherited)
    now = leaf_paths(eff.effective)
    out: dict[str, EditField] = {}
    for path, value in now.items():
        if not is_overridable(path, overridable):
            continue
        found = kind_of(path, value)
        if found is None:
            continue
        kind, vocab, options = found
        unit = unit_of(path)
        if path.endswith(".n"):
            sibling = now.get(path[:-2] + ".unit")
            unit = sibling if isinstance(sibling, str) else unit
        out[path] = EditField(path, kind, value, before.get(path), unit, vocab, options)
    return out


def unflatten(leaves: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in leaves.items():
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def overrides_with(
    own: Mapping[str, Any], inherited: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The own overrides after a form sent ``values`` (path -> value)."""
    before = leaf_paths(inherited)
    leaves = leaf_paths(own)
    for path, value in values.items():
        if path in before and before[path] == value:
            leaves.pop(path, None)
        else:
            leaves[path] = value
    return unflatten(leaves)
