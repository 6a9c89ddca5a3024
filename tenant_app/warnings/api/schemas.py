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
from tenant_app.warnings.services.intake import MAX_ROWS

_ID = validate.Range(min=1, max=2**63 - 1)
_TEXT = validate.Length(max=8000)


class MonitoringRowSchema(Schema):
    """One anomaly or exceedance. Values are checked by the service (Chinese reasons by row and
    field); here only their size is bounded."""

    uscc = fields.Raw(metadata={"description": "统一社会信用代码（18 位）"})
    permit_no = fields.Raw(
        load_default=None, metadata={"description": "排污许可证编号（可选，须与名录一致）"}
    )
    point = fields.Raw(metadata={"description": "监测点位"})
    pollutant = fields.Raw(metadata={"description": "监测因子"})
    kind = fields.Raw(
        metadata={"description": "；".join(f"{k}={v}" for k, v in MONITORING_KINDS.items())}
    )
    observed_on = fields.Raw(metadata={"description": "发现日期 YYYY-MM-DD", "format": "date"})
    value = fields.Raw(load_default=None, metadata={"description": "监测值"})
    limit_value = fields.Raw(load_default=None, metadata={"description": "标准限值"})
    unit = fields.Raw(load_default=None)
    note = fields.Raw(load_default=None)
    resolved_on = fields.Raw(
        load_default=None,
        metadata={
            "description": "恢复正常日期：与已收到的同一异常匹配时将其关闭",
            "format": "date",
        },
    )


class MonitoringBatchInSchema(Schema):
    batch_id = fields.String(
        required=True,
        validate=validate.Length(max=64),
        metadata={"description": "批次号：同一单位内只受理一次，重复提交返回首次结果"},
    )
    rows = fields.List(
        fields.Dict(keys=fields.String(validate=validate.Length(max=32)), values=fields.Raw()),
        required=True,
        validate=validate.Length(max=MAX_ROWS),
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
    reason = fields.String(required=True, validate=_TEXT)


class WarningFinishInSchema(Schema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["resolved", "closed"]),
        metadata={"description": "resolved=经核实已整改；closed=关闭"},
    )
    note = fields.String(required=True, validate=_TEXT)


class WarningAnswerInSchema(Schema):
    explanation = fields.String(required=True, validate=_TEXT)
    measure = fields.String(required=True, validate=_TEXT)
