"""Schemas of the positive-list API (listing/api/resources.py)."""

from __future__ import annotations

from marshmallow import Schema, fields


class Out(Schema):
    class Meta:
        unknown = "include"


class ConditionOut(Schema):
    id = fields.Str()
    rule_id = fields.Str()
    title = fields.Str()
    passed = fields.Bool(allow_none=True, metadata={"description": "null：记录不全，无法判断"})
    mark = fields.Str()
    reason = fields.Str()
    records = fields.List(fields.Dict(), metadata={"description": "据以判断的记录"})


class DecisionOut(Schema):
    """One enterprise's screening (XJ-C, XJ-D, XJ-X, XJ-R bans), as the screening page shows it."""

    enterprise_id = fields.Int()
    on = fields.Str(metadata={"description": "筛选日期"})
    verdict = fields.Str(metadata={"description": "eligible/direct/not_eligible/excluded/barred"})
    verdict_label = fields.Str()
    answer = fields.Bool()
    route = fields.Str()
    rule_id = fields.Str()
    rule_ids = fields.List(fields.Str())
    policy_version = fields.Str()
    conditions = fields.List(fields.Nested(ConditionOut))
    direct_routes = fields.List(fields.Nested(ConditionOut))
    excluded_by = fields.List(fields.Dict())
    exclusions_to_review = fields.List(fields.Dict())
    bans = fields.List(fields.Dict())
    barred_until = fields.Str(allow_none=True)
    facts = fields.Dict()
    explanation = fields.Str()


class RunIn(Schema):
    on = fields.Date(load_default=None, metadata={"description": "筛选日期，默认今天"})


class RunOut(Schema):
    id = fields.Int()
    on_date = fields.Date()
    status = fields.Str()
    policy_version = fields.Str()
    total = fields.Int()
    counts = fields.Dict()
    job_id = fields.Str(allow_none=True)


class ResultQuery(Schema):
    verdict = fields.Str(load_default=None)
    failed = fields.Str(load_default=None)
    q = fields.Str(load_default=None)
    after = fields.Int(load_default=None)
    limit = fields.Int(load_default=50)


class ResultOut(Schema):
    id = fields.Int()
    enterprise_id = fields.Int()
    verdict = fields.Str()
    failed = fields.Str()
    barred_until = fields.Date(allow_none=True)
    rule_id = fields.Str()
    policy_version = fields.Str()
    decision = fields.Dict()


class ResultPage(Schema):
    items = fields.List(fields.Nested(ResultOut))
    next_after = fields.Int(allow_none=True)


class EntryOut(Schema):
    id = fields.Int()
    enterprise_id = fields.Int()
    origin = fields.Str()
    state = fields.Str()
    route = fields.Str()
    self_check = fields.Dict()
    screening = fields.Dict()
    policy_version = fields.Str()
    batch_id = fields.Int(allow_none=True)
    listed_on = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    removal_reason = fields.Str(allow_none=True)
    removal_due = fields.Date(allow_none=True)
    closed_reason = fields.Str()


class ApplyIn(Schema):
    self_check = fields.Dict(required=True, metadata={"description": "条件编号 → {ok: bool, note}"})


class NominateIn(Schema):
    enterprise_id = fields.Int(required=True)


class StepIn(Schema):
    """The fields of a step (see docs/positive-list.md): on_date, officers, record, passed;
    party_type, party, opinion, agrees; reason, discovered_on, note; visit_date, findings, advice."""

    class Meta:
        unknown = "include"


class BatchIn(Schema):
    kind = fields.Str(load_default="addition")
    title = fields.Str(required=True)
    complaint_channel = fields.Str(load_default="")
    entry_ids = fields.List(fields.Int(), required=True)


class BatchOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    state = fields.Str()
    complaint_channel = fields.Str()
    notice_start = fields.Date(allow_none=True)
    notice_min_end = fields.Date(allow_none=True)
    notice_end = fields.Date(allow_none=True)
    publication_due = fields.Date(allow_none=True)
    published_on = fields.Date(allow_none=True)
    filing_due = fields.Date(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    policy_version = fields.Str()


class ObjectionOut(Schema):
    id = fields.Int()
    batch_id = fields.Int()
    entry_id = fields.Int(allow_none=True)
    content = fields.Str()
    state = fields.Str()
    reason = fields.Str()


class FilingOut(Schema):
    id = fields.Int()
    tenant_id = fields.Int()
    batch_id = fields.Int()
    filed_on = fields.Date()
    due_date = fields.Date(allow_none=True)
    overdue = fields.Bool()
    summary = fields.Dict()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by_name = fields.Str()
    ack_note = fields.Str()


class LedgerOut(Schema):
    on_date = fields.Date()
    kind = fields.Str()
    summary = fields.Str()
    ref = fields.Str()
    actor_name = fields.Str()
