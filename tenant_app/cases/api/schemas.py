"""Schemas of the cases API. Input schemas shape types and sizes; the rules (order, periods,
officers, the proposal, review and discussion) are the services', answered with Chinese reasons
and the rule ids."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import choice_field, date_field
from tenant_app.models.case import (
    CASE_ORIGINS,
    CASE_STAGES,
    COERCIVE_MEASURES,
    DECISION_OUTCOMES,
    MEASURE_STATUSES,
    REVIEW_VERDICTS,
    SERVICE_METHODS,
    STATEMENT_KINDS,
)

_ID = validate.Range(min=1, max=2**63 - 1)
_TEXT = validate.Length(max=8000)


class CaseQuerySchema(Schema):
    stage = choice_field(CASE_STAGES, load_default=None)
    enterprise_id = fields.Integer(load_default=None, validate=_ID)
    after = fields.Integer(load_default=None, validate=_ID)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CaseInSchema(Schema):
    enterprise_id = fields.Integer(allow_none=True, validate=_ID)
    inspection_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "据该检查的发现立案（当事人取自检查）"},
    )
    warning_id = fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={
            "description": "据企业逾期未答复、已升级或答复不足的预警立案（来源为“预警提醒后未整改”，"
            "当事人取自预警）"
        },
    )
    origin = choice_field(CASE_ORIGINS, load_default="manual")
    title = fields.String(validate=validate.Length(max=200))
    facts = fields.String(validate=_TEXT)
    officer_ids = fields.List(
        fields.Integer(validate=_ID), load_default=list, validate=validate.Length(max=20)
    )
    complex_case = fields.Boolean(load_default=False)
    public_interest = fields.Boolean(load_default=False)
    major_violation = fields.Boolean(load_default=False)


class CaseUpdateSchema(Schema):
    facts = fields.String(validate=_TEXT)
    complex_case = fields.Boolean()
    public_interest = fields.Boolean()
    major_violation = fields.Boolean()


class ViolationInSchema(Schema):
    violation_key = fields.String(
        validate=validate.Length(max=64),
        metadata={"description": "违法行为目录的键（GET …/cases/catalogue）"},
    )
    facts = fields.String(validate=_TEXT)
    list_entry = fields.String(validate=validate.Length(max=500))
    levels = fields.Dict(
        keys=fields.String(validate=validate.Length(max=64)),
        values=fields.String(validate=validate.Length(max=64)),
        metadata={"description": "裁量因素 → 档次；未给出的因素按默认档次"},
    )


class PenaltyInSchema(Schema):
    violation_id = fields.Integer(required=True, validate=_ID)
    outcome = choice_field(DECISION_OUTCOMES, required=True)
    fine = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**9))
    measures = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list)
    reason = fields.String(
        validate=_TEXT, load_default="", metadata={"description": "偏离裁量建议的理由"}
    )


class NoticeInSchema(Schema):
    penalties = fields.List(
        fields.Nested(PenaltyInSchema), required=True, validate=validate.Length(max=50)
    )


class DecisionInSchema(NoticeInSchema):
    correction_order = fields.String(validate=_TEXT, load_default="")
    correction_days = fields.Integer(allow_none=True, load_default=None)
    education_record = fields.String(validate=_TEXT, load_default="")
    police_transfer = fields.Boolean(
        load_default=False,
        metadata={"description": "移送公安机关（严重违法行为的处理选项），须写明理由"},
    )
    police_transfer_reason = fields.String(validate=_TEXT, load_default="")


class StatementInSchema(Schema):
    kind = choice_field(STATEMENT_KINDS, required=True)
    content = fields.String(validate=_TEXT, load_default="")


class AnswerInSchema(Schema):
    answer = fields.String(required=True, validate=_TEXT)
    adopted = fields.Boolean(load_default=False)


class HearingInSchema(Schema):
    hearing_date = date_field(required=True)
    hearing_place = fields.String(required=True, validate=validate.Length(max=200))


class HearingRecordInSchema(Schema):
    hearing_record = fields.String(required=True, validate=_TEXT)


class ReviewInSchema(Schema):
    verdict = choice_field(REVIEW_VERDICTS, required=True)
    opinion = fields.String(required=True, validate=_TEXT)


class DiscussionInSchema(Schema):
    discussion_record = fields.String(required=True, validate=_TEXT)


class ReasonInSchema(Schema):
    reason = fields.String(required=True, validate=_TEXT)


class ServiceInSchema(Schema):
    method = choice_field(SERVICE_METHODS, required=True)
    consent = fields.Boolean(load_default=False)


class CloseInSchema(Schema):
    note = fields.String(validate=_TEXT, load_default="")


class ViolationSchema(Schema):
    id = fields.Integer()
    violation_key = fields.String()
    title = fields.String()
    provision = fields.String()
    penalty_provision = fields.String()
    fine_min = fields.Integer()
    fine_max = fields.Integer()
    facts = fields.String()
    levels = fields.Dict()
    list_entry = fields.String()
    proposal = fields.Dict(
        metadata={"description": "裁量建议：结果、幅度、每个因素的影响与来源、规则、政策版本"}
    )
    intended_outcome = fields.String(allow_none=True)
    intended_fine = fields.Integer(allow_none=True)
    intended_measures = fields.List(fields.String())
    outcome = fields.String(allow_none=True)
    fine = fields.Integer(allow_none=True)
    measures = fields.List(fields.String())
    outside_proposal = fields.Boolean()
    profile = fields.String(allow_none=True)
    similar_far = fields.Boolean()
    reason = fields.String()


class StatementSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    content = fields.String()
    filed_on = fields.Date()
    via = fields.String()
    answer = fields.String()
    adopted = fields.Boolean(allow_none=True)
    answered_on = fields.Date(allow_none=True)


class StepSchema(Schema):
    id = fields.Integer()
    step = fields.String()
    on_date = fields.Date()
    actor_name = fields.String()
    rule_ids = fields.List(fields.String())
    note = fields.String()


class NextStepSchema(Schema):
    what = fields.String()
    due = fields.Date(allow_none=True)
    rule_id = fields.String()
    explanation = fields.String()
    provisional = fields.Boolean()
    who = fields.String()
    overdue = fields.Boolean()


class CaseSummarySchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    inspection_id = fields.Integer(allow_none=True)
    warning_id = fields.Integer(allow_none=True)
    origin = fields.String()
    title = fields.String()
    stage = fields.String()
    filed_on = fields.Date()
    limit_due = fields.Date()
    noticed_on = fields.Date(allow_none=True)
    statement_due = fields.Date(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    total_fine = fields.Integer()


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSummarySchema))
    next_after = fields.Integer(allow_none=True)
    total = fields.Integer()


class PartyViolationSchema(ViolationSchema):
    """A violation as the party sees it: without the similar-case flag (for the reviewer and
    oversight)."""

    class Meta:
        exclude = ("profile", "similar_far")


class PartyCaseSchema(CaseSummarySchema):
    """What the party sees: the notice, its rights and their deadline, its statements and the
    decision (not the bureau's internal review and discussion records)."""

    facts = fields.String()
    hearing_eligible = fields.Boolean()
    hearing_requested_on = fields.Date(allow_none=True)
    waived_on = fields.Date(allow_none=True)
    hearing_date = fields.Date(allow_none=True)
    hearing_place = fields.String()
    correction_order = fields.String()
    correction_due = fields.Date(allow_none=True)
    education_record = fields.String()
    served_on = fields.Date(allow_none=True)
    statement_deadline = fields.Dict(allow_none=True)
    violations = fields.List(fields.Nested(PartyViolationSchema))
    statements = fields.List(fields.Nested(StatementSchema))


class CaseSchema(PartyCaseSchema):
    facts = fields.String()
    typical = fields.Boolean()
    typical_note = fields.String()
    decision_no = fields.String(metadata={"description": "处罚决定书文号（作出决定时编号）"})
    violations = fields.List(fields.Nested(ViolationSchema))
    officers = fields.List(fields.Dict())
    complex_case = fields.Boolean()
    public_interest = fields.Boolean()
    major_violation = fields.Boolean()
    extended = fields.Boolean()
    hearing_notified_on = fields.Date(allow_none=True)
    hearing_held_on = fields.Date(allow_none=True)
    review_required = fields.Boolean()
    review_reasons = fields.List(fields.Dict())
    review_verdict = fields.String(allow_none=True)
    review_opinion = fields.String()
    reviewed_on = fields.Date(allow_none=True)
    discussion_required = fields.Boolean()
    discussion_reasons = fields.List(fields.Dict())
    discussed_on = fields.Date(allow_none=True)
    service_due = fields.Date(allow_none=True)
    service_method = fields.String(allow_none=True)
    service_late = fields.Boolean()
    closed_on = fields.Date(allow_none=True)
    deadlines = fields.Dict(
        metadata={"description": "每个期限的计算：规则、起算日、天数单位、政策版本、说明"}
    )
    policy_version = fields.String()
    stage_now = fields.String()
    next_steps = fields.List(fields.Nested(NextStepSchema))
    steps = fields.List(fields.Nested(StepSchema))
    police_transfer = fields.Boolean()
    police_transfer_reason = fields.String()
    similar_cases = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "类案同罚：按违法行为 id，同一违法行为、同一裁量阶次的既往决定在本单位"
            "（tenant）和全省（province）的件数、中位数、百分位、范围，本案罚款的位次（rank）"
            "及是否明显偏离（far，依 rule_id 的标准）"
        },
    )
    consequences = fields.List(
        fields.Dict(),
        metadata={
            "description": "严重违法行为决定的后果（地区政策的从重情形）：提高检查频次、启动移出正面清单、"
            "随机抽查特殊监管；每项含 kind、done、rule_ids、note"
        },
    )


class CatalogueSchema(Schema):
    rule_id = fields.String()
    policy_version = fields.String(allow_none=True)
    explanation = fields.String()
    catalogue = fields.Dict(
        metadata={"description": "违法行为目录、处罚措施、裁量因素与档次、轻微违法不予处罚清单"}
    )


class MeasureInSchema(Schema):
    kind = choice_field(COERCIVE_MEASURES, required=True)
    scope = fields.String(load_default="", validate=_TEXT)
    reason = fields.String(
        required=True,
        validate=_TEXT,
        metadata={"description": "为何较轻手段不足以达到目的（审慎采取强制措施）"},
    )


class MeasureReviewInSchema(Schema):
    passed = fields.Boolean(required=True)
    opinion = fields.String(required=True, validate=_TEXT)


class MeasureApprovalInSchema(Schema):
    approved = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=_TEXT)


class MeasureSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = choice_field(COERCIVE_MEASURES)
    kind_label = fields.String()
    scope = fields.String()
    reason = fields.String()
    status = choice_field(MEASURE_STATUSES)
    status_label = fields.String()
    proposed_on = fields.Date()
    reviewed_on = fields.Date(allow_none=True)
    review_opinion = fields.String()
    approved_on = fields.Date(allow_none=True)
    approval_note = fields.String()
    rule_ids = fields.List(fields.String())


class CaseEvidenceUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class CaseEvidenceFormSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=500))


class CaseEvidenceSchema(Schema):
    """A file of the case (``source`` = ``case``) or of its inspection, reused (``inspection``)."""

    id = fields.Integer()
    source = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    reference = fields.String()
    note = fields.String()
    collected_on = fields.Date(allow_none=True)


class TypicalInSchema(Schema):
    typical = fields.Boolean(required=True)
    typical_note = fields.String(load_default="", validate=_TEXT)


class DocumentSectionSchema(Schema):
    heading = fields.String()
    paragraphs = fields.List(fields.String())


class DocumentSchema(Schema):
    kind = fields.String()
    title = fields.String()
    issuer = fields.String()
    number = fields.String(metadata={"description": "决定书文号；告知书为案件编号"})
    party = fields.List(fields.String())
    sections = fields.List(fields.Nested(DocumentSectionSchema))
    date = fields.String()
    rule_ids = fields.List(fields.String())


class FarDecisionSchema(Schema):
    """A decided fine far from its similar cases (类案同罚), for oversight."""

    case_id = fields.Integer()
    violation_id = fields.Integer(attribute="id")
    tenant_id = fields.Integer()
    violation_key = fields.String()
    title = fields.String()
    profile = fields.String(allow_none=True)
    fine = fields.Integer(allow_none=True)
    reason = fields.String()
    outside_proposal = fields.Boolean()
    similar_cases = fields.Dict()
