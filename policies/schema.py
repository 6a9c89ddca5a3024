"""The marshmallow schema of a pack.toml, and ``validate_pack`` (errors by dotted key path)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validate, validates_schema

from . import conditions  # noqa: F401  (registers the built-in rule kinds)
from .errors import PackError
from .hooks import REGISTRY, HookRegistry
from .kinds_field import CURRENT_REGISTRY
from .schema_cases import CasesSchema
from .schema_fields import KEY_RE, Date, Int, List, Name, Nested, Str, StrictSchema
from .schema_inspection import (
    DiscretionSchema,
    EnforcementSchema,
    InspectionSchema,
    ObligationsField,
)
from .schema_listing import (
    DirectInclusionSchema,
    ExclusionsSchema,
    ListingSchema,
    ProcedureSchema,
    RemovalSchema,
    ScreeningSchema,
    SupervisionSchema,
)
from .schema_national import NationalSchema, extension_errors
from .vocab import LEVELS, TRIGGERS

# Top-level sections; every one but meta/overridable may contain overridable paths. ``national``
# (the national layer the loader puts under every regional pack, schema_national.py) is not
# among them: no tenant override reaches national law, and a region changes it only in its own
# pack.toml, within each rule's mode (national_layer.inherit).
SECTIONS = (
    "screening",
    "direct_inclusion",
    "exclusions",
    "procedure",
    "listing",
    "removal",
    "supervision",
    "inspection",
    "enforcement",
    "discretion",
    "obligations",
    "cases",
    "reminders",
    "rectification",
)


class MetaSchema(StrictSchema):
    id = Str(validate=validate.Regexp(KEY_RE, error="包编号只能含字母、数字、_、-"))
    name = Str()
    version = Str()
    level = Name(LEVELS, "层级")
    division_code = Str(
        validate=validate.Regexp(r"^\d{6}$", error="行政区划代码应为6位数字 (GB/T 2260)")
    )
    source_file = Str()
    source_title = Str()
    doc_no = Str(required=False)
    effective_from = Date()
    note = Str(required=False)


class RemindersSchema(StrictSchema):
    """Staff reminders (issue 16 item 3): how many working days before a deadline the "due
    soon" reminder comes; a person may choose another number on their own page."""

    rule_id = Str()
    basis = Name(("text", "default"), "依据类型")
    lead_workdays = Int(min=0, max=30)
    note = Str(required=False)


class RectificationSchema(StrictSchema):
    """Correction orders and their rectification (NL-28, SX-14/15, issue 15): the days the
    officer sets are counted in ``unit`` (working or calendar days) from the day the order is
    made; ``default_days`` when the officer sets none, never more than ``max_days``; an
    extension (延期整改) moves the deadline by at most ``extension_max_days`` in ``unit``; the
    verification visit's trigger (its cap follows ``inspection.caps.exempt_triggers``); the
    removal reason an unjustified overdue order of a listed enterprise starts (XJ-R), if any."""

    rule_id = Str()
    basis = Name(("text", "default"), "依据类型")
    unit = Name(("workdays", "days"), "期限单位")
    default_days = Int(min=1, max=365)
    max_days = Int(min=1, max=730)
    # 延期整改: the most a deadline may be extended by at once, in ``unit`` (default_days if unset).
    extension_max_days = Int(min=1, max=365, required=False)
    verify_trigger = Name(TRIGGERS, "检查事由")
    overdue_removal_reason = Str(required=False)
    note = Str(required=False)


class PackSchema(StrictSchema):
    meta = Nested(MetaSchema)
    overridable = List(Str(), unique=True)
    screening = Nested(ScreeningSchema)
    direct_inclusion = Nested(DirectInclusionSchema)
    exclusions = Nested(ExclusionsSchema)
    procedure = Nested(ProcedureSchema)
    listing = Nested(ListingSchema)
    removal = Nested(RemovalSchema)
    supervision = Nested(SupervisionSchema)
    inspection = Nested(InspectionSchema)
    enforcement = Nested(EnforcementSchema, required=False)
    discretion = Nested(DiscretionSchema)
    obligations = ObligationsField
    cases = Nested(CasesSchema, required=False)  # the violation catalogue (issue 14)
    national = Nested(NationalSchema, required=False)
    reminders = Nested(RemindersSchema, required=False)  # issue 16 item 3
    rectification = Nested(RectificationSchema, required=False)  # issue 15 items 1-2

    @validates_schema
    def _national_lists_kept(self, data: dict[str, Any], **kw: Any) -> None:
        """A regional list extending a national one (discretion.minor_violation_list) keeps
        every national item, whichever layer last replaced it."""
        if errors := extension_errors(data):
            raise ValidationError(errors)

    @validates_schema
    def _overridable_paths(self, data: dict[str, Any], **kw: Any) -> None:
        errors: dict[int, list[str]] = {}
        for i, path in enumerate(data.get("overridable") or []):
            head = path.split(".", 1)[0]
            if head not in SECTIONS or not all(path.split(".")):
                errors[i] = [f"“{path}”不是可覆盖的键路径（应以 {', '.join(SECTIONS)} 之一开头）"]
            elif lookup(data, path) is _MISSING:
                errors[i] = [f"“{path}”在本包中不存在 (path not in pack)"]
        if errors:
            raise ValidationError({"overridable": errors})


_MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """Value at a dotted path in nested dicts, or ``_MISSING``."""
    cur = data
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return _MISSING
        cur = cur[part]
    return cur


def flatten_errors(messages: Any, prefix: str = "", folded: bool = False) -> dict[str, str]:
    """Marshmallow's nested error dict -> {"a.b.c": "reason"} (Dict ``key``/``value`` and
    ``_schema`` levels folded into their parent path). Right inside a folded Dict level a
    ``value`` is a field of that name (a national rule's ``value``), not another Dict level."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for k, v in messages.items():
            wrapper = k == "_schema" or (k in ("value", "key") and not folded)
            path = prefix if wrapper else (f"{prefix}.{k}" if prefix else str(k))
            for p, msg in flatten_errors(v, path, wrapper and k != "_schema").items():
                out[p] = f"{out[p]}; {msg}" if p in out else msg
    elif isinstance(messages, list):
        texts = [m for m in messages if isinstance(m, str)]
        if texts:
            out[prefix or "(root)"] = "; ".join(texts)
        for m in messages:
            if not isinstance(m, str):
                out.update(flatten_errors(m, prefix))
    else:
        out[prefix or "(root)"] = str(messages)
    return out


def validate_pack(data: Any, registry: HookRegistry | None = None) -> dict[str, Any]:
    """Validated copy of a pack dict (TOML-loaded); raises ``PackError`` with key paths."""
    if not isinstance(data, dict):
        raise PackError({"(root)": "政策包应为表 (pack must be a table)"})
    token = CURRENT_REGISTRY.set(registry or REGISTRY)
    try:
        return PackSchema().load(data)
    except ValidationError as exc:
        raise PackError(flatten_errors(exc.messages)) from None
    finally:
        CURRENT_REGISTRY.reset(token)
