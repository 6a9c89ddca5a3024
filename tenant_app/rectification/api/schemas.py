"""Schemas of the rectification API. Input schemas shape types and sizes; the rules (deadline
range, milestones no later than the deadline, which step may follow which) are the services',
answered in Chinese by field."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tenant_app.models.rectification import (
    ENTRY_KINDS,
    EXTENSION_STATUSES,
    ORDER_SOURCES,
    ORDER_STATUSES,
    OUTCOMES,
    VERIFY_METHODS,
)

_ID = validate.Range(min=1, max=2**63 - 1)
_TEXT = validate.Length(max=8000)


def _desc(d: dict[str, str]) -> str:
    return "；".join(f"{k}={v}" for k, v in d.items())


class RectOrderQuerySchema(Schema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", *ORDER_STATUSES]),
        metadata={"description": "open=未办结；" + _desc(ORDER_STATUSES)},
    )
    source = fields.String(
        load_default=None,
        validate=validate.OneOf(list(ORDER_SOURCES)),
        metadata={"description": _desc(ORDER_SOURCES)},
    )
    enterprise_id = fields.Integer(load_default=None, validate=_ID)
    overdue = fields.Boolean(load_default=False, metadata={"description": "只看已逾期的"})
    after = fields.Integer(load_default=None, validate=_ID)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RectEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": _desc(ENTRY_KINDS)})
    text = fields.String()
    day = fields.Date()
    author_id = fields.Integer(allow_none=True)
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class RectMilestoneSchema(Schema):
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD，不晚于改正期限"})
    text = fields.String(required=True, validate=validate.Length(max=500))


class RectExtensionSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    reasons = fields.String()
    asked_until = fields.Date(allow_none=True, metadata={"description": "企业希望延长至"})
    filed_on = fields.Date()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    status = fields.String(metadata={"description": _desc(EXTENSION_STATUSES)})
    old_due_on = fields.Date(metadata={"description": "申请时的改正期限"})
    new_due_on = fields.Date(allow_none=True, metadata={"description": "准予延期后的改正期限"})
    deadline_text = fields.String()
    decision_note = fields.String()
    decided_on = fields.Date(allow_none=True)
    rule_ids = fields.List(fields.String())


class RectOrderSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    source = fields.String(metadata={"description": _desc(ORDER_SOURCES)})
    case_id = fields.Integer(allow_none=True)
    warning_id = fields.Integer(allow_none=True)
    content = fields.String()
    days = fields.Integer()
    day_unit = fields.String(metadata={"description": "workdays=工作日；days=自然日"})
    issued_on = fields.Date()
    due_on = fields.Date()
    provisional = fields.Boolean()
    deadline_text = fields.String()
    rule_ids = fields.List(fields.String())
    policy_version = fields.String()
    status = fields.String(metadata={"description": _desc(ORDER_STATUSES)})
    plan_measures = fields.String()
    plan_responsible = fields.String()
    plan_milestones = fields.List(fields.Nested(RectMilestoneSchema))
    overdue_on = fields.Date(allow_none=True)
    overdue_justified = fields.Boolean()
    overdue_reason = fields.String()
    removal = fields.Dict()
    inspection_id = fields.Integer(allow_none=True)
    verify_method = fields.String(allow_none=True)
    verified_on = fields.Date(allow_none=True)
    verification_note = fields.String()
    entries = fields.List(fields.Nested(RectEntrySchema))
    extensions = fields.List(fields.Nested(RectExtensionSchema))


class RectOrderPageSchema(Schema):
    items = fields.List(fields.Nested(RectOrderSchema))
    next_after = fields.Integer(allow_none=True)
    total = fields.Integer()


class RectWarningOrderInSchema(Schema):
    content = fields.String(load_default="", validate=_TEXT)
    finding = fields.String(load_default="", validate=_TEXT)
    days = fields.Integer(load_default=None, allow_none=True)


class RectPlanInSchema(Schema):
    measures = fields.String(load_default="", validate=_TEXT)
    responsible = fields.String(load_default="", validate=validate.Length(max=200))
    milestones = fields.List(fields.Dict(), load_default=list, validate=validate.Length(max=50))


class RectTextInSchema(Schema):
    text = fields.String(load_default="", validate=_TEXT)


class RectReasonInSchema(Schema):
    reason = fields.String(load_default="", validate=_TEXT)


class RectProgressFormSchema(Schema):
    text = fields.String(load_default="", validate=_TEXT)


class RectProgressUploadSchema(Schema):
    file = fields.Raw(load_default=None, metadata={"type": "string", "format": "binary"})


class RectVisitInSchema(Schema):
    planned_date = fields.String(load_default="", validate=validate.Length(max=10))
    officer_ids = fields.List(fields.Integer(validate=_ID), load_default=list)


class RectVerifyInSchema(Schema):
    method = fields.String(load_default="", metadata={"description": _desc(VERIFY_METHODS)})
    outcome = fields.String(load_default="", metadata={"description": "、".join(OUTCOMES)})
    note = fields.String(load_default="", validate=_TEXT)


class RectExtensionFormSchema(Schema):
    reasons = fields.String(load_default="", validate=_TEXT)
    asked_until = fields.String(
        load_default="",
        validate=validate.Length(max=10),
        metadata={"description": "YYYY-MM-DD，可空"},
    )


class RectExtensionDecisionInSchema(Schema):
    grant = fields.Boolean(load_default=False)
    days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=10000),
        metadata={"description": "自现行期限起延长的天数（按政策包的期限单位）；与 until 只填一项"},
    )
    until = fields.String(
        load_default="",
        validate=validate.Length(max=10),
        metadata={"description": "延长至 YYYY-MM-DD"},
    )
    note = fields.String(load_default="", validate=_TEXT)
