"""Schemas of the inspections API. Input schemas shape types and sizes; the rules (caps, quiet
periods, XJ-S, SX-4 scope, officers) are the services', answered with Chinese reasons."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from policies.vocab import TRIGGERS
from tenant_app.api.schemas import choice_field, date_field
from tenant_app.models.inspection import (
    EVIDENCE_KINDS,
    FINDING_RESULTS,
    MODES,
    OFF_SITE_SOURCES,
    REPORT_STATUSES,
    STATUSES,
)

_ID = validate.Range(min=1, max=2**63 - 1)


class InspectionInSchema(Schema):
    enterprise_id = fields.Integer(required=True, validate=_ID)
    mode = choice_field(MODES, required=True)
    trigger = choice_field({k: v for k, v in TRIGGERS.items() if k != "random_draw"}, required=True)
    planned_date = date_field(required=True)
    officer_ids = fields.List(
        fields.Integer(validate=_ID), load_default=list, validate=validate.Length(max=20)
    )
    campaign_id = fields.Integer(allow_none=True, validate=_ID)
    join_with = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "并入该检查（综合一次查），日期随之"},
    )
    data_source = choice_field(OFF_SITE_SOURCES, allow_none=True)
    title = fields.String(validate=validate.Length(max=200))
    self_report_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={
            "description": "正面清单企业因在线监测数据异常现场检查时，所跟进的审核后仍需现场核实的自查报告"
        },
    )


class CheckSchema(Schema):
    key = fields.String()
    rule_ids = fields.List(fields.String())
    ok = fields.Boolean(allow_none=True)
    blocking = fields.Boolean()
    text = fields.String()
    facts = fields.Dict()


class CheckReportSchema(Schema):
    allowed = fields.Boolean()
    checks = fields.List(fields.Nested(CheckSchema))
    requirements = fields.List(fields.Dict())
    preconditions = fields.List(fields.String())
    policy_version = fields.String()
    facts = fields.Dict()
    nearby = fields.List(fields.Dict())
    rule_ids = fields.List(fields.String())


class InspectionSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    mode = fields.String()
    trigger = fields.String()
    planned_date = fields.Date()
    status = fields.String(
        metadata={"description": "；".join(f"{k}={v}" for k, v in STATUSES.items())}
    )
    title = fields.String()
    officers = fields.List(fields.Dict())
    checklist = fields.List(fields.Dict())
    decision = fields.Dict()
    rule_ids = fields.List(fields.String())
    policy_version = fields.String()
    requirements = fields.List(fields.Dict())
    preconditions = fields.List(fields.String())
    self_report_id = fields.Integer(allow_none=True)
    joint_group_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    draw_id = fields.Integer(allow_none=True)
    data_source = fields.String(allow_none=True)
    conclusion = fields.String()
    record = fields.Dict()
    feedback_text = fields.String()
    feedback_at = fields.DateTime(allow_none=True)
    feedback_due = fields.Date(allow_none=True)
    feedback_overdue = fields.Boolean()
    feedback_read_at = fields.DateTime(allow_none=True)


class EnterpriseInspectionSchema(Schema):
    """What the enterprise user sees of its own inspection."""

    id = fields.Integer()
    mode = fields.String()
    trigger = fields.String()
    planned_date = fields.Date()
    status = fields.String()
    officers = fields.List(fields.Dict())
    conclusion = fields.String()
    feedback_text = fields.String()
    feedback_at = fields.DateTime(allow_none=True)


class InspectionPageSchema(Schema):
    items = fields.List(fields.Nested(InspectionSchema))
    next_after = fields.Integer(allow_none=True)


class InspectionQuerySchema(Schema):
    status = choice_field(STATUSES, load_default=None)
    enterprise_id = fields.Integer(load_default=None, validate=_ID)
    after = fields.Integer(load_default=None, validate=_ID)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CommentSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class ApprovalSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    user_name = fields.String()
    roles = fields.List(fields.String())
    rule_ids = fields.List(fields.String())
    verdict = fields.String()
    comment = fields.String()
    at = fields.DateTime()


class FindingInSchema(Schema):
    item_key = fields.String(required=True, validate=validate.Length(max=64))
    result = choice_field(FINDING_RESULTS, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class FindingsInSchema(Schema):
    findings = fields.List(
        fields.Nested(FindingInSchema), required=True, validate=validate.Length(min=1, max=200)
    )


class FindingSchema(Schema):
    item_key = fields.String()
    item_title = fields.String()
    result = fields.String()
    note = fields.String()


class InspectionRecordInSchema(Schema):
    location = fields.String(validate=validate.Length(max=4000))
    started_at = fields.String(validate=validate.Length(max=100))
    ended_at = fields.String(validate=validate.Length(max=100))
    present = fields.String(validate=validate.Length(max=4000))
    notice = fields.String(validate=validate.Length(max=4000))
    statement = fields.String(validate=validate.Length(max=4000))
    enterprise_opinion = fields.String(validate=validate.Length(max=4000))


class PriorNoticeInSchema(Schema):
    prior_notice = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class FinishInSchema(Schema):
    conclusion = fields.String(required=True, validate=validate.Length(max=8000))
    data_source = choice_field(OFF_SITE_SOURCES, allow_none=True, load_default=None)


class FeedbackInSchema(Schema):
    feedback_text = fields.String(required=True, validate=validate.Length(min=1, max=8000))


class EvidenceUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class EvidenceFormSchema(Schema):
    kind = choice_field({k: v for k, v in EVIDENCE_KINDS.items() if k != "bodycam"}, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))
    upload_key = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,64}$"),
        metadata={
            "description": "幂等键：每个文件取一个（16–64位字母、数字、-、_），重试时原样再传；"
            "同一检查已有此键的证据时返回该证据，不再保存第二份。也可用 Idempotency-Key 请求头"
        },
    )


class BodycamInSchema(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=255))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class EvidenceSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    reference = fields.String()
    note = fields.String()


class PlanInSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(validate=validate.Length(max=200))
    ratios = fields.Dict(keys=fields.String(), values=fields.Float())
    caps = fields.Dict(keys=fields.String(), values=fields.Integer())
    exempt_triggers = fields.List(fields.String(validate=validate.Length(max=32)))


class PlanSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    ratios = fields.Dict()
    caps = fields.Dict()
    exempt_triggers = fields.List(fields.String())
    status = fields.String()
    decision = fields.Dict()


class ScopeSchema(Schema):
    industry_prefixes = fields.List(fields.String(validate=validate.Length(max=5)))
    categories = fields.List(fields.String(validate=validate.Length(max=16)))
    county_tenant_ids = fields.List(fields.Integer(validate=_ID))
    enterprise_ids = fields.List(fields.Integer(validate=_ID))
    key_discharger = fields.Boolean()
    construction_project = fields.Boolean()


class CampaignInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content = fields.String(required=True, validate=validate.Length(max=20000))
    start_date = date_field(required=True)
    end_date = date_field(required=True)
    scope = fields.Nested(ScopeSchema, required=True)


class CampaignApproveSchema(Schema):
    government_ref = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "县级以上人民政府批准文号；主要负责人批准时留空"},
    )


class CampaignSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    scope = fields.Dict()
    content = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    status = fields.String()
    approval_kind = fields.String(allow_none=True)
    government_approval_ref = fields.String()
    filed_with = fields.String()
    filed_on = fields.Date(allow_none=True)
    filing_ref = fields.String()
    published_at = fields.DateTime(allow_none=True)
    decision = fields.Dict()


class CampaignFileSchema(Schema):
    filed_with = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "备案机关；留空为政策包 filed_with 规定的机关（默认上级部门）"},
    )
    filed_on = date_field(load_default=None)
    filing_ref = fields.String(load_default="", validate=validate.Length(max=200))


class DrawInSchema(Schema):
    title = fields.String(validate=validate.Length(max=200))
    planned_date = date_field(required=True)
    filters = fields.Nested(ScopeSchema, load_default=dict)
    ratios = fields.Dict(keys=fields.String(), values=fields.Float(), load_default=dict)
    commitment = fields.String(
        load_default=None,
        validate=validate.Length(equal=64),
        metadata={"description": "SHA-256（十六进制）of the officer's own 256-bit secret"},
    )
    secret = fields.String(
        load_default=None,
        validate=validate.Length(equal=64),
        metadata={"description": "or the secret itself (hashed, never stored until revealed)"},
    )


class CommitmentSchema(Schema):
    commitment = fields.String(load_default=None, validate=validate.Length(max=64))
    secret = fields.String(load_default=None, validate=validate.Length(max=64))


# Bodies with defaults only: the draw is looked up first, so another tenant's draw answers 404
# whatever the body (docs/decisions.md, "object before body"); the service judges the values.
class RevealSchema(Schema):
    secret = fields.String(load_default="", validate=validate.Length(max=64))


class AbandonSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class DrawSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    planned_date = fields.Date()
    seed_hash = fields.String()
    seed = fields.Method("published_seed", allow_none=True)
    status = fields.String()
    ratios = fields.Dict()
    pool = fields.Dict()
    conflicts = fields.List(fields.List(fields.Integer()))
    result = fields.List(fields.Dict())
    protocol = fields.Integer()
    pool_hash = fields.String()
    sealed_at = fields.DateTime(allow_none=True)
    contributions = fields.Method("published_contributions")

    def published_contributions(self, d: Any) -> list[Any]:
        """Commitments from the start; secrets only once drawn (docs/draws.md)."""
        from tenant_app.inspections.services.draws import public_document

        return list(public_document(d).get("contributions", []))

    def published_seed(self, d: object) -> str | None:
        """The seed is published only once the draw has run."""
        return getattr(d, "seed", None) if getattr(d, "status", "") == "drawn" else None


class ConflictInSchema(Schema):
    user_id = fields.Integer(required=True, validate=_ID)
    enterprise_id = fields.Integer(required=True, validate=_ID)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ReportInSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(max=20000))
    anomaly_record_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "所答复的线索：本企业的“在线监测数据异常”记录"},
    )


class ReportReviewSchema(Schema):
    outcome = choice_field(
        {
            "visit_needed": "审核后认为仍需现场核实",
            "resolved": "问题已解决，无需现场检查",
            "returned": "退回补充",
        },
        required=True,
    )
    anomaly_record_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "报告所答复的线索（在线监测数据异常记录）；提交时已指明的可省略"},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class ReplanInSchema(Schema):
    planned_date = date_field(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ReportSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    summary = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    status = fields.String(
        metadata={"description": "；".join(f"{k}={v}" for k, v in REPORT_STATUSES.items())}
    )
    status_label = fields.String()
    anomaly_record_id = fields.Integer(allow_none=True)
    review_comment = fields.String()
    submitted_at = fields.DateTime()


class RequestInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    preferred_date = date_field(allow_none=True)


class RequestAcceptSchema(Schema):
    mode = choice_field(MODES, load_default="on_site")
    planned_date = date_field(allow_none=True)
    officer_ids = fields.List(
        fields.Integer(validate=_ID), load_default=list, validate=validate.Length(max=20)
    )


class RequestDeclineSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RequestSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    reason = fields.String()
    preferred_date = fields.Date(allow_none=True)
    status = fields.String()
    inspection_id = fields.Integer(allow_none=True)
    answer = fields.String()


class BudgetQuerySchema(Schema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class BudgetSchema(Schema):
    year = fields.Integer()
    category = fields.String()
    cap = fields.Integer(allow_none=True)
    cap_source = fields.String()
    count = fields.Integer()
    remaining = fields.Integer(allow_none=True)
    rule_id = fields.String()
    policy_version = fields.String()
    exempt_triggers = fields.List(fields.String())
    explanation = fields.String()
    visits = fields.List(fields.Dict())


class ExternalVisitInSchema(Schema):
    enterprise_id = fields.Integer(required=True, validate=_ID)
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    visit_date = date_field(required=True)
    mode = fields.String(load_default="on_site", validate=validate.OneOf(("on_site", "off_site")))
    note = fields.String(load_default="", validate=validate.Length(max=500))
