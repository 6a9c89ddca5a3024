"""Schemas of the warnings API. Input schemas shape types and sizes; the rules (which rows are
good, which step may follow which) are the services', answered in Chinese by field."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import choice_field
from tenant_app.models.warning import (
    CLOSE_REASONS,
    MONITORING_KINDS,
    WARNING_CAUSES,
    WARNING_RUNGS,
    WARNING_STATUSES,
)
from tenant_app.warnings.services.intake import FIELD_LABELS, MAX_ROWS

_ID = validate.Range(min=1, max=2**63 - 1)
_TEXT = validate.Length(max=8000)


ROW_FIELDS = (
    "；".join(f"{k}={v}" for k, v in FIELD_LABELS.items())
    + "（kind："
    + "；".join(f"{k}={v}" for k, v in MONITORING_KINDS.items())
    + "；日期 YYYY-MM-DD）"
)


class MonitoringBatchInSchema(Schema):
    batch_id = fields.String(
        required=True,
        validate=validate.Length(max=64),
        metadata={"description": "批次号：同一单位内只受理一次，重复提交返回首次结果"},
    )
    rows = fields.List(
        fields.Raw(metadata={"description": "一行（JSON 对象）：" + ROW_FIELDS}),
        required=True,
        validate=validate.Length(max=MAX_ROWS, error=f"一个批次最多 {MAX_ROWS} 行"),
        metadata={"description": "监测异常或超标数据，有误的行以 rows.<序号>.<字段> 报告"},
    )


class MonitoringBatchSchema(Schema):
    batch_id = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    resolved = fields.Integer()
    enterprises = fields.Integer()
    replayed = fields.Boolean()


class WarningQuerySchema(Schema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", *WARNING_STATUSES]),
        metadata={
            "description": "open=未办结；"
            + "；".join(f"{k}={v}" for k, v in WARNING_STATUSES.items())
        },
    )
    cause = choice_field(WARNING_CAUSES, load_default=None)
    enterprise_id = fields.Integer(load_default=None, validate=_ID)
    after = fields.Integer(load_default=None, validate=_ID)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class WarningSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    cause = choice_field(WARNING_CAUSES)
    period = fields.String()
    due_on = fields.Date()
    status = choice_field(WARNING_STATUSES)
    sent_on = fields.Date()
    answer_due = fields.Date()
    acknowledged_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    explanation = fields.String()
    measure = fields.String()
    evidence_name = fields.String()
    escalated_on = fields.Date(allow_none=True)
    rung = choice_field(WARNING_RUNGS, allow_none=True)
    escalation_reason = fields.String()
    closed_on = fields.Date(allow_none=True)
    close_reason = choice_field(CLOSE_REASONS, allow_none=True)
    officer_note = fields.String()
    rule_id = fields.String()
    policy_version = fields.String()
    facts = fields.Dict()


class WarningPageSchema(Schema):
    items = fields.List(fields.Nested(WarningSchema))
    next_after = fields.Integer(allow_none=True)
    total = fields.Integer()


class WarningReasonInSchema(Schema):
    reason = fields.String(load_default="", validate=_TEXT)


class WarningFinishInSchema(Schema):
    outcome = fields.String(
        load_default="",
        validate=validate.Length(max=16),
        metadata={"description": "resolved=经核实已整改；closed=关闭"},
    )
    note = fields.String(load_default="", validate=_TEXT)


class WarningAnswerInSchema(Schema):
    explanation = fields.String(load_default="", validate=_TEXT)
    measure = fields.String(load_default="", validate=_TEXT)
