"""Schemas of the inspection sections: categories and caps (SX-3), approval (SX-5), quiet periods
(SX-10), special campaigns (SX-4), warnings (SX-1), feedback (SX-6), enforcement ladder (SX-0), discretion
(SX-11/12/13, XJ-T/H) and generic obligations (SX-2/6/7/8/14/15, SX-O, XJ-A)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .schema_cases import FactorsField, GradesField, grade_errors
from .schema_fields import (
    KEY_RE,
    Bool,
    Date,
    IndustryCodes,
    Int,
    List,
    Name,
    Names,
    Nested,
    Num,
    RuleId,
    Str,
    StrictSchema,
    Table,
    check_re,
)
from .schema_listing import Section
from .vocab import CONSEQUENCES, LEVELS, OUTCOMES, ROLES, TRIGGERS, VIOLATION_FLAGS


class CategorySchema(StrictSchema):
    title = Str()
    ratio = Num(min=0, max=1)  # share of the category drawn in the annual plan (SX-3)
    note = Str(required=False)


class CapsSchema(Section):
    per_year = Table(Int(min=0, max=366))  # category -> on-site inspections per enterprise per year
    exempt_triggers = Names(TRIGGERS, "检查事由")


class LevelRouteSchema(StrictSchema):
    title = Str()
    roles = Names(ROLES, "角色", min_len=1)


class ApprovalSchema(Section):
    levels = Table(Nested(LevelRouteSchema), min_len=1)

    @validates_schema
    def _levels(self, data: dict[str, Any], **kw: Any) -> None:
        bad = {
            k: {"key": [f"未知的层级（应为 {', '.join(LEVELS)} 之一）"]}
            for k in data["levels"]
            if k not in LEVELS
        }
        if bad:
            raise ValidationError({"levels": bad})


class QuietPeriodSchema(StrictSchema):
    id = Str()
    kind = Name(("monthly", "range"), "安静期类型")
    start_day = Int(required=False, min=1, max=31)
    end_day = Int(required=False, min=1, max=31)
    start = Date(required=False)
    end = Date(required=False)
    industries = IndustryCodes(required=False)
    categories = List(Str(), required=False, unique=True)
    note = Str(required=False)

    @validates_schema
    def _shape(self, data: dict[str, Any], **kw: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not check_re(data["id"], KEY_RE):
            errors["id"] = ["编号只能含字母、数字、_、-"]
        if data["kind"] == "monthly":
            lo, hi, other = "start_day", "end_day", ("start", "end")
        else:
            lo, hi, other = "start", "end", ("start_day", "end_day")
        for name in (lo, hi):
            if data.get(name) is None:
                errors[name] = [f"{data['kind']} 类型安静期需要 {name} (required for this kind)"]
        for name in other:
            if data.get(name) is not None:
                errors[name] = [
                    f"{data['kind']} 类型安静期不能有 {name} (not allowed for this kind)"
                ]
        if not errors and data[lo] > data[hi]:
            errors[lo] = [f"开始不能晚于结束（{data[lo]} > {data[hi]}）(start after end)"]
        if errors:
            raise ValidationError(errors)


class QuietSchema(Section):
    approvers = Names(ROLES, "角色", min_len=1)
    periods = List(Nested(QuietPeriodSchema), required=False)

    @validates_schema
    def _unique_ids(self, data: dict[str, Any], **kw: Any) -> None:
        seen: set[str] = set()
        for i, p in enumerate(data.get("periods") or []):
            if p["id"] in seen:
                raise ValidationError(
                    {"periods": {i: {"id": [f"重复的编号“{p['id']}” (duplicate id)"]}}}
                )
            seen.add(p["id"])


FILED_WITH = ("parent", "government")


class SpecialCampaignSchema(Section):
    approving_roles = Names(ROLES, "角色", min_len=1)
    approving_levels = Names(LEVELS, "层级", min_len=1)
    external_approvers = List(Str(), required=False)
    blanket_scope_forbidden = Bool()
    required_fields = Names(("scope", "content", "start", "end"), "方案要素", min_len=1)
    filed = Bool()
    published = Bool()
    # A scope reaching at least this share of the tenant's enterprises counts as blanket
    # (全覆盖、无差别检查); the text gives no number, so the pack says it (basis default).
    blanket_share = fields.Float(
        required=False,
        load_default=1.0,
        validate=validate.Range(
            min=0.01, max=1.0, error="应在 0.01 与 1 之间 (between 0.01 and 1)"
        ),
    )
    # With whom a campaign is filed (备案): the parent tenant's department, or the own level's
    # government; the text says only 按照规定备案.
    filed_with = Name(FILED_WITH, "备案对象", required=False, load_default="parent")


class WarningKindSchema(StrictSchema):
    title = Str()
    lead_days = Int(min=0, max=365)
    # How lead_days are counted back from the due date: calendar days (default) or working days
    # of the tenant's calendar (issue 16).
    unit = Name({"days", "workdays"}, "提前量单位", required=False, load_default="days")
    note = Str(required=False)


# The rungs an unanswered warning escalates along (issue 16): the core knows what each one does;
# the pack says which apply and in which order.
WARNING_RUNGS = {"guidance", "reasoned_warning", "inspection_lead"}


class WarningRungSchema(StrictSchema):
    id = Name(WARNING_RUNGS, "升级措施")
    title = Str()


class WarningsSchema(Section):
    kinds = Table(Nested(WarningKindSchema), min_len=1)
    # Working days the enterprise has to answer a warning before it escalates to the officer.
    answer_workdays = Int(min=1, max=60, required=False, load_default=10)
    escalation = List(Nested(WarningRungSchema), required=False)


class FeedbackSchema(Section):
    # Working days after an inspection ends within which the enterprise gets its feedback; the
    # texts say 及时反馈 without a number, so without this section the platform default applies.
    workdays = Int(min=1, max=60)


class InspectionSchema(StrictSchema):
    categories = Table(Nested(CategorySchema), min_len=1)
    caps = Nested(CapsSchema)
    approval = Nested(ApprovalSchema)
    quiet = Nested(QuietSchema, required=False)
    special_campaign = Nested(SpecialCampaignSchema, required=False)
    warnings = Nested(WarningsSchema, required=False)
    feedback = Nested(FeedbackSchema, required=False)

    @validates_schema
    def _categories_known(self, data: dict[str, Any], **kw: Any) -> None:
        known = set(data["categories"])
        msg = f"未知的监管类别（应为 {', '.join(sorted(known))} 之一）(unknown category)"
        bad_caps = {k: {"key": [msg]} for k in data["caps"]["per_year"] if k not in known}
        if bad_caps:
            raise ValidationError({"caps": {"per_year": bad_caps}})
        periods = (data.get("quiet") or {}).get("periods") or []
        for i, p in enumerate(periods):
            if set(p.get("categories") or []) - known:
                raise ValidationError({"quiet": {"periods": {i: {"categories": [msg]}}}})


# What a ladder rung is on the platform (issue 15): where the history of an enterprise comes from
# for each rung, so a pack names its rungs with these ids (its titles are its own).
LADDER_KINDS = {
    "education": "普法宣传",
    "guidance": "教育引导",
    "reasoned_warning": "告诫说理",
    "penalty": "行政处罚",
    "rectification": "监督整改",
}


class LadderStepSchema(StrictSchema):
    id = Name(LADDER_KINDS, "阶梯步骤")
    title = Str()
    # May the system propose this rung for a new finding (issue 15 item 4)? Education is done
    # by the bureau for many enterprises at once, supervised rectification follows a penalty.
    proposable = Bool(required=False)


class EnforcementSchema(Section):
    ladder = List(Nested(LadderStepSchema), min_len=1)
    # issue 15 item 4: the rung proposed for a first minor finding, the rung a serious violation
    # (SX-11) goes straight to, and how many years of history count.
    first_rung = Str(required=False)
    serious_rung = Str(required=False)
    lookback_years = Int(min=1, max=10, required=False)
    serious_flags = Names(VIOLATION_FLAGS, "严重违法情节", required=False)

    @validates_schema
    def _unique(self, data: dict[str, Any], **kw: Any) -> None:
        ids = [s["id"] for s in data["ladder"]]
        for i, sid in enumerate(ids):
            if sid in ids[:i]:
                raise ValidationError(
                    {"ladder": {i: {"id": [f"重复的编号“{sid}” (duplicate id)"]}}}
                )
        proposable = {s["id"] for s in data["ladder"] if s.get("proposable")}
        for key in ("first_rung", "serious_rung"):
            if key in data and data[key] not in proposable:
                raise ValidationError(
                    {key: [f"“{data[key]}”不是本包阶梯中可建议的步骤 (not a proposable rung)"]}
                )


class TreatmentSchema(StrictSchema):
    rule_id = RuleId()
    title = Str()
    when_any = List(Names(VIOLATION_FLAGS, "违法情节", min_len=1), min_len=1)  # OR of ANDs
    outcome = Name(OUTCOMES, "处理结果")
    consequences = Names(CONSEQUENCES, "后续措施", required=False)
    priority = Int(min=0, max=1000)


class SimilarCasesSchema(StrictSchema):
    """类案同罚 (issue 14 item 3): a decision outside the [low, high] percentiles of past
    decisions for the same violation and profile is "far"; fewer than ``min_count`` decide
    nothing."""

    rule_id = RuleId()
    basis = Name(("text", "default"), "依据类型")
    low_percentile = Int(min=0, max=50)
    high_percentile = Int(min=50, max=100)
    min_count = Int(min=1, max=1000)
    note = Str(required=False)


class PolicyFilingSchema(StrictSchema):
    """A subordinate tenant's change of these keys is filed with its ancestor of level
    ``filed_with`` (SX-12: 细化量化裁量要素、拓展“轻微违法行为不予处罚”事项清单，并报省生态环境厅备案).
    Filing is not approval: the version is in force from its date; the ancestor acknowledges it."""

    rule_id = RuleId()
    title = Str()
    filed_with = Name(LEVELS, "层级")
    keys = List(Str(), unique=True)


class DiscretionSchema(Section):
    benchmark = Str()
    minor_violation_list = List(Str(), required=False, unique=True)
    fine_deferral_allowed = Bool()
    coercive_measures_sparingly = Bool()
    # The region's rule for coercive and heavy measures (issue 14 item 6); the discretion rule
    # when the text has none of its own.
    coercive_rule_id = RuleId(required=False)
    always = Names(CONSEQUENCES, "后续措施", required=False)
    treatments = Table(Nested(TreatmentSchema), required=False)
    # The benchmark's factors and grades (issue 14, schema_cases.py): the officer records a level
    # of each factor per violation; the points put the proposal in a grade of the range.
    factors = FactorsField
    grades = GradesField
    similar = Nested(SimilarCasesSchema, required=False)
    filing = Nested(PolicyFilingSchema, required=False)

    @validates_schema
    def _grades(self, data: dict[str, Any], **kw: Any) -> None:
        if errors := grade_errors(data.get("grades") or {}):
            raise ValidationError({"grades": errors})
        if data.get("factors") and not data.get("grades"):
            raise ValidationError({"grades": ["设置了裁量因素就须设置裁量阶次"]})


class ObligationSchema(StrictSchema):
    rule_id = RuleId()
    title = Str()
    applies_to = Name(("inspection", "listing", "penalty", "publicity", "oversight"), "适用环节")
    note = Str(required=False)


ObligationsField = Table(Nested(ObligationSchema), required=False)
