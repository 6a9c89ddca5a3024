"""Schemas of the enforcement API (issue 15). Input schemas shape types and sizes; the rules are
the services', answered in Chinese by field. Amounts are strings in yuan with at most two
decimals ("1000.50"), or integers in fen where the field says ``_fen``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from policies.vocab import VIOLATION_FLAGS
from tenant_app.api.schemas import choice_field, date_field
from tenant_app.models.enforcement import (
    APPLICATION_KINDS,
    APPLICATION_STATUSES,
    EDUCATION_KINDS,
    LADDER_ORIGINS,
    LADDER_RUNGS,
    PAYMENT_SOURCES,
    PAYMENT_STATES,
    REVIEW_KINDS,
    REVIEW_OUTCOMES,
)

_TEXT = validate.Length(max=8000)
_ID = validate.Range(min=1, max=2**63 - 1)


class EnfPartSchema(Schema):
    seq = fields.Integer()
    due_on = fields.Date()
    amount_fen = fields.Integer()
    paid_fen = fields.Integer()
    settled_on = fields.Date(allow_none=True)
    late_days = fields.Integer()
    paused_days = fields.Integer(
        metadata={"description": "逾期天数中复议或诉讼期间不计加处罚款的天数（第七十三条第三款）"}
    )


class EnfFineStateSchema(Schema):
    case_id = fields.Integer()
    on = fields.Date(metadata={"description": "计算日"})
    fine_fen = fields.Integer()
    due_on = fields.Date(metadata={"description": "法定缴纳期限（第六十七条第三款）"})
    due_explanation = fields.String()
    arrangement = fields.String(metadata={"description": "已批准的安排：deferral/instalments 或空"})
    parts = fields.List(fields.Nested(EnfPartSchema))
    paid_fen = fields.Integer()
    surcharge_fen = fields.Integer(metadata={"description": "加处罚款（不超过罚款数额）"})
    surcharge_raw_fen = fields.Integer(metadata={"description": "按日累计、未封顶的数额"})
    cap_fen = fields.Integer()
    capped = fields.Boolean()
    outstanding_fen = fields.Integer()
    state = choice_field(PAYMENT_STATES)
    enforcement_on = fields.Date(allow_none=True)
    rule_ids = fields.List(fields.String())
    surcharge_explanation = fields.String()
    review_open = fields.Boolean(metadata={"description": "行政复议或行政诉讼尚未结束"})
    review_explanation = fields.String()
    decided_fine_fen = fields.Integer(
        metadata={"description": "原决定的罚款；fine_fen 为复议、诉讼变更或撤销后应缴的罚款"}
    )


class EnfApplicationSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = choice_field(APPLICATION_KINDS)
    reasons = fields.String()
    defer_until = fields.Date(allow_none=True)
    parts = fields.Integer(allow_none=True)
    proof_name = fields.String()
    status = choice_field(APPLICATION_STATUSES)
    filed_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    decided_role = fields.String()
    decision_note = fields.String()
    rule_ids = fields.List(fields.String())


class EnfApplicationInSchema(Schema):
    kind = fields.String(load_default="", validate=validate.Length(max=16))
    reasons = fields.String(load_default="", validate=_TEXT)
    defer_until = date_field(load_default=None)
    parts = fields.Integer(load_default=None, validate=validate.Range(min=0, max=1000))
    proof_name = fields.String(load_default="", validate=validate.Length(max=255))
    proof_type = fields.String(
        load_default="",
        metadata={"description": "application/pdf、image/jpeg 或 image/png"},
        validate=validate.Length(max=100),
    )
    proof_base64 = fields.String(
        load_default="",
        validate=validate.Length(max=7 * 1024 * 1024),
        metadata={"description": "困难证明材料，Base64 编码，解码后不超过 5 MB"},
    )


class EnfDecisionInSchema(Schema):
    approve = fields.Boolean(load_default=False)
    note = fields.String(load_default="", validate=_TEXT)


class EnfPaymentSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    paid_on = fields.Date()
    amount_fen = fields.Integer()
    source = choice_field(PAYMENT_SOURCES)
    reference = fields.String()
    note = fields.String()


class EnfPaymentInSchema(Schema):
    paid_on = date_field(load_default="")
    amount = fields.String(
        load_default="", validate=validate.Length(max=32), metadata={"description": "金额（元）"}
    )
    reference = fields.String(load_default="", validate=validate.Length(max=64))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class EnfImportRowSchema(Schema):
    decision_no = fields.String(load_default="", validate=validate.Length(max=64))
    paid_on = fields.String(load_default="", validate=validate.Length(max=20))
    amount = fields.String(load_default="", validate=validate.Length(max=32))
    reference = fields.String(load_default="", validate=validate.Length(max=64))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class EnfImportInSchema(Schema):
    rows = fields.List(
        fields.Nested(EnfImportRowSchema), required=True, validate=validate.Length(min=1, max=5000)
    )


class EnfImportResultSchema(Schema):
    rows = fields.Integer()
    total = fields.String()
    cases = fields.List(fields.Integer())


class EnfNoteInSchema(Schema):
    note = fields.String(load_default="", validate=_TEXT)


class EnfRungSchema(Schema):
    id = fields.String()
    title = fields.String()
    proposable = fields.Boolean()


class EnfHistorySchema(Schema):
    day = fields.Date()
    rung = choice_field(LADDER_RUNGS)
    title = fields.String()
    detail = fields.String()


class EnfProposalSchema(Schema):
    rung = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    rule_id = fields.String()
    explanation = fields.String()


class EnfLadderSchema(Schema):
    enterprise_id = fields.Integer()
    rungs = fields.List(fields.Nested(EnfRungSchema))
    position = fields.String(allow_none=True)
    since = fields.Date()
    recent = fields.Dict(keys=fields.String(), values=fields.Integer())
    history = fields.List(fields.Nested(EnfHistorySchema))
    proposal = fields.Nested(EnfProposalSchema, allow_none=True)


class EnfLadderQuerySchema(Schema):
    flags = fields.List(
        choice_field(VIOLATION_FLAGS), load_default=list, validate=validate.Length(max=30)
    )


class EnfStepInSchema(Schema):
    origin = choice_field(LADDER_ORIGINS, load_default="manual")
    origin_ref = fields.String(load_default="", validate=validate.Length(max=64))
    finding = fields.String(load_default="", validate=_TEXT)
    flags = fields.List(
        fields.String(validate=validate.Length(max=40)),
        load_default=list,
        validate=validate.Length(max=30),
    )
    rung = fields.String(load_default="", validate=validate.Length(max=32))
    deviation_reason = fields.String(load_default="", validate=_TEXT)
    document_title = fields.String(load_default="", validate=validate.Length(max=200))
    document_body = fields.String(load_default="", validate=_TEXT)


class EnfStepSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    on_date = fields.Date()
    origin = choice_field(LADDER_ORIGINS)
    origin_ref = fields.String()
    finding = fields.String()
    flags = fields.List(fields.String())
    proposed_rung = fields.String()
    proposal_reason = fields.String()
    rung = choice_field(LADDER_RUNGS)
    deviation_reason = fields.String()
    document_title = fields.String()
    document_body = fields.String()
    rule_ids = fields.List(fields.String())


class EnfEventInSchema(Schema):
    kind = fields.String(load_default="", validate=validate.Length(max=16))
    topic = fields.String(load_default="", validate=validate.Length(max=200))
    held_on = date_field(load_default="")
    materials = fields.String(load_default="", validate=_TEXT)
    invited = fields.List(
        fields.Integer(validate=_ID), load_default=list, validate=validate.Length(max=500)
    )
    present = fields.List(
        fields.Integer(validate=_ID), load_default=list, validate=validate.Length(max=500)
    )


class EnfEventSchema(Schema):
    id = fields.Integer()
    kind = choice_field(EDUCATION_KINDS)
    topic = fields.String()
    held_on = fields.Date()
    materials = fields.String()
    invited = fields.Integer()
    present = fields.Integer()


class EnfReviewSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = choice_field(REVIEW_KINDS)
    filed_on = fields.Date()
    body = fields.String()
    ended_on = fields.Date(allow_none=True)
    outcome = fields.String(
        allow_none=True,
        metadata={"description": "、".join(f"{k}（{v}）" for k, v in REVIEW_OUTCOMES.items())},
    )
    changed_fine_fen = fields.Integer(allow_none=True)
    note = fields.String()
    end_note = fields.String()
    rule_ids = fields.List(fields.String())


class EnfReviewInSchema(Schema):
    kind = fields.String(load_default="", validate=validate.Length(max=16))
    filed_on = date_field(load_default="")
    body = fields.String(load_default="", validate=validate.Length(max=200))
    note = fields.String(load_default="", validate=_TEXT)


class EnfReviewEndInSchema(Schema):
    ended_on = date_field(load_default="")
    outcome = fields.String(load_default="", validate=validate.Length(max=16))
    changed_fine = fields.String(
        load_default="",
        validate=validate.Length(max=32),
        metadata={"description": "变更后的罚款（元），仅 outcome=changed 时"},
    )
    note = fields.String(load_default="", validate=_TEXT)
