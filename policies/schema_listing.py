"""Schemas of the positive-list sections: screening (XJ-C), direct inclusion (XJ-D), exclusions
(XJ-X), procedure (XJ-P), listing (XJ-V), removal (XJ-R), supervision of listed enterprises (XJ-S)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from .kinds_field import KindField
from .schema_fields import (
    Bool,
    IndustryCodes,
    Int,
    List,
    Name,
    Names,
    Nested,
    RuleId,
    Str,
    StrictSchema,
    Table,
)
from .vocab import LEVELS, RECORD_TYPES, ROLES, TRIGGERS

BASIS = {"text": "出自本地区文本", "default": "文本未规定、交由地区确定，平台提供默认值"}
PERIOD_UNITS = ("workdays", "days", "months", "years")
PROCEDURE_STEPS = (
    "screening",
    "site_verification",
    "opinions",
    "commitment",
    "notice",
    "publication",
    "filing",
)
PERIOD_EVENTS = ("notice_start", "notice_end", "publication", "discovery")
NOTICE_FIELDS = (
    "name",
    "location",
    "uscc",
    "industry",
    "permit_no",
    "list_type",
    "validity",
    "complaint_channel",
)
# 公示期不少于5个工作日 (XJ-P; same floor in 环办执法〔2021〕10号): no pack or override may go lower.
NOTICE_FLOOR_WORKDAYS = 5


class Section(StrictSchema):
    rule_id = RuleId()
    basis = Name(BASIS, "依据类型")
    note = Str(required=False)


class ScreeningSchema(Section):
    conditions = Table(KindField(), min_len=1)


class DirectInclusionSchema(Section):
    discretionary = Bool()  # 可以……直接纳入: the bureau may, not must
    routes = Table(KindField(), required=False)


class ExclusionSchema(StrictSchema):
    """One XJ-X exclusion. ``tags`` are the designations the text names (重点…, …集中处置);
    ``codes`` exclude on the industry code alone and only with ``code_basis`` saying why the
    code implies the designation; ``review_codes`` only ask staff to check the designation."""

    title = Str()
    codes = IndustryCodes(required=False)
    code_basis = Str(required=False)
    review_codes = IndustryCodes(required=False)
    tags = List(Str(), required=False, unique=True)
    separate_rules = Bool(required=False, load_default=False)
    note = Str(required=False)

    @validates_schema
    def _needs_a_test(self, data: dict[str, Any], **kw: Any) -> None:
        if not data.get("codes") and not data.get("tags"):
            raise ValidationError("至少需要 codes 或 tags 之一 (needs codes or tags)", "codes")
        if data.get("codes") and not (data.get("code_basis") or "").strip():
            raise ValidationError(
                "仅凭行业代码排除须说明该代码为何必然属于所列单位 (codes need code_basis)",
                "code_basis",
            )


class ExclusionsSchema(Section):
    industries = Table(Nested(ExclusionSchema))


class PeriodSchema(StrictSchema):
    rule_id = RuleId()
    title = Str()
    unit = Name(PERIOD_UNITS, "期间单位")
    n = Int(min=1, max=3650)
    bound = Name(("min", "max"), "期限类型")  # min: may not end before; max: must be done by
    from_event = Name(PERIOD_EVENTS, "起算事件")


class ProcedureSchema(Section):
    order = Names(PROCEDURE_STEPS, "程序步骤", min_len=1)
    enterprise_may_apply = Bool()
    bureau_may_nominate = Bool()
    notice_content = Names(NOTICE_FIELDS, "公示内容", min_len=1)
    periods = Table(Nested(PeriodSchema), min_len=1)

    @validates_schema
    def _notice_floor(self, data: dict[str, Any], **kw: Any) -> None:
        notice = (data.get("periods") or {}).get("notice_min_end")
        if notice is None:
            return
        errors: dict[str, list[str]] = {}
        if notice["unit"] != "workdays":
            errors["unit"] = ["公示期应以工作日计 (notice period is in working days)"]
        elif notice["n"] < NOTICE_FLOOR_WORKDAYS:
            errors["n"] = [
                f"公示期不得少于{NOTICE_FLOOR_WORKDAYS}个工作日 (notice below the minimum)"
            ]
        if notice["bound"] != "min":
            errors["bound"] = ["公示期是最短期限，bound 应为 min"]
        if errors:
            raise ValidationError({"periods": {"notice_min_end": errors}})


class ListingSchema(Section):
    validity_years = Int(min=1, max=10)
    health_check_visits_per_year = Int(min=0, max=12)
    compiled_by = Name(LEVELS, "层级")
    filed_with = Name(LEVELS, "层级")


class ReasonSchema(StrictSchema):
    title = Str()
    note = Str(required=False)


class BanSchema(StrictSchema):
    rule_id = RuleId()
    title = Str()
    record_type = Name(RECORD_TYPES, "记录类型")
    only_malicious = Bool()
    years = Int(min=1, max=20)


class RemovalSchema(Section):
    period = Nested(PeriodSchema)
    publish = Bool()
    file = Bool()
    reasons = Table(Nested(ReasonSchema), min_len=1)
    bans = Table(Nested(BanSchema), required=False)


class SupervisionSchema(Section):
    proactive_on_site = Bool()
    special_campaign_mode = Name(("on_site", "off_site"), "检查方式")
    random_draw_mode = Name(("on_site", "off_site"), "检查方式")
    joint_requires_prior_notice = Bool()
    on_site_triggers = Names(TRIGGERS, "检查事由")
    on_site_approvers = Names(ROLES, "角色", min_len=1)
    anomaly_triggers = Names(TRIGGERS, "检查事由")
    anomaly_requires_reviewed_self_inspection = Bool()
    off_site_means = Table(List(Str(), min_len=1), required=False)
    ledger_required = Bool()

    @validates_schema
    def _disjoint(self, data: dict[str, Any], **kw: Any) -> None:
        both = set(data.get("on_site_triggers", [])) & set(data.get("anomaly_triggers", []))
        if both:
            raise ValidationError(
                f"事由 {sorted(both)} 不能同时出现在两类 (trigger in both lists)",
                "anomaly_triggers",
            )
