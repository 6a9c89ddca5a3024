"""Marshmallow schemas of the registry API. Input schemas only shape types and sizes; the rules
(credit code, catalog, dates, per-kind fields) are the services', with Chinese reasons."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import choice_field, date_field
from tenant_app.models.enterprise import (
    ACCOUNT_STATUSES,
    ENTERPRISE_TAGS,
    PERMIT_CLASSES,
    RATING_KINDS,
    SUPERVISION_CATEGORIES,
)
from tenant_app.models.records import (
    CREDIT_LISTS,
    INCIDENT_LEVELS,
    RECORD_KINDS,
    RECTIFICATION_OUTCOMES,
)
from tenant_app.registry.services.industry_names import industry_name


class EnterpriseInSchema(Schema):
    uscc = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "统一社会信用代码（18 位，GB 32100 校验）"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(validate=validate.Length(max=255))
    county_tenant_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=2**62),
        metadata={"description": "下级租户（区县）的 id"},
    )
    industry_code = fields.String(
        allow_none=True,
        validate=validate.Length(max=5),
        metadata={"description": "GB/T 4754-2017，如 C2614 或 2614"},
    )
    legal_representative = fields.String(validate=validate.Length(max=64))
    contact_phone = fields.String(validate=validate.Length(max=32))
    permit_class = choice_field(PERMIT_CLASSES, allow_none=True)
    permit_no = fields.String(validate=validate.Length(max=64))
    permit_valid_from = date_field(allow_none=True)
    permit_valid_to = date_field(allow_none=True)
    permit_violating = fields.Boolean()
    procedures_complete = fields.Boolean(allow_none=True, metadata={"description": "null = 未知"})
    facilities_running = fields.Boolean(allow_none=True)
    pollutants_compliant = fields.Boolean(allow_none=True)
    needs_monitoring = fields.Boolean()
    key_discharger = fields.Boolean()
    online_monitoring_required = fields.Boolean()
    online_monitoring_installed = fields.Boolean()
    online_monitoring_networked = fields.Boolean()
    supervision_category = choice_field(SUPERVISION_CATEGORIES)
    construction_project = fields.Boolean()
    tags = fields.List(choice_field(ENTERPRISE_TAGS), validate=validate.Length(max=10))


class EnterpriseSchema(Schema):
    id = fields.Integer()
    uscc = fields.String()
    name = fields.String()
    address = fields.String()
    county_tenant_id = fields.Integer(allow_none=True)
    industry_code = fields.String(allow_none=True)
    industry_name = fields.Method("_industry_name", allow_none=True)
    legal_representative = fields.String()
    contact_phone = fields.String()
    permit_class = fields.String(allow_none=True)
    permit_no = fields.String()
    permit_valid_from = fields.Date(allow_none=True)
    permit_valid_to = fields.Date(allow_none=True)
    permit_violating = fields.Boolean()
    procedures_complete = fields.Boolean(allow_none=True)
    facilities_running = fields.Boolean(allow_none=True)
    pollutants_compliant = fields.Boolean(allow_none=True)
    needs_monitoring = fields.Boolean()
    key_discharger = fields.Boolean()
    online_monitoring_required = fields.Boolean()
    online_monitoring_installed = fields.Boolean()
    online_monitoring_networked = fields.Boolean()
    supervision_category = fields.String()
    construction_project = fields.Boolean()
    tags = fields.List(fields.String())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _industry_name(self, e: Any) -> str | None:
        return industry_name(e.industry_code)


class EnterprisePageSchema(Schema):
    items = fields.List(fields.Nested(EnterpriseSchema))
    next_after = fields.Integer(
        allow_none=True, metadata={"description": "下一页的 after；null 为最后一页"}
    )


class EnterpriseQuerySchema(Schema):
    q = fields.String(
        validate=validate.Length(max=200), metadata={"description": "名称片段（或信用代码）"}
    )
    uscc = fields.String(validate=validate.Length(max=18), metadata={"description": "信用代码前缀"})
    industry = fields.String(
        validate=validate.Length(max=5), metadata={"description": "行业代码前缀，如 C26"}
    )
    category = choice_field(SUPERVISION_CATEGORIES)
    county_id = fields.Integer(validate=validate.Range(min=1, max=2**62))
    permit_expires_from = fields.Date()
    permit_expires_to = fields.Date()
    after = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class RecordInSchema(Schema):
    kind = choice_field(RECORD_KINDS, required=True)
    record_date = date_field(required=True)
    ref = fields.String(validate=validate.Length(max=64))
    summary = fields.String(validate=validate.Length(max=1000))
    source = fields.String(
        required=True,
        validate=validate.Length(min=1, max=255),
        metadata={"description": "信息来源（出处）"},
    )
    # apispec writes a Decimal's Range as strings, which breaks the OpenAPI document: say it as numbers.
    fine_amount = fields.Decimal(
        allow_none=True,
        as_string=True,
        validate=validate.Range(min=0, max=999999999999),
        metadata={"minimum": 0, "maximum": 999999999999},
    )
    secret_discharge = fields.Boolean()
    falsified_records = fields.Boolean()
    evading_supervision = fields.Boolean()
    level = choice_field(INCIDENT_LEVELS, allow_none=True)
    verified = fields.Boolean()
    list_name = choice_field(CREDIT_LISTS, allow_none=True)
    end_date = date_field(allow_none=True)
    period = fields.String(
        allow_none=True,
        validate=validate.Length(max=16),
        metadata={"description": "2025、2025-Q3 或 2025-07"},
    )
    due_date = date_field(allow_none=True)
    outcome = choice_field(RECTIFICATION_OUTCOMES, allow_none=True)
    closed_on = date_field(allow_none=True)


class RecordPatchSchema(RecordInSchema):
    class Meta:
        exclude = ("kind",)


class RecordSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    kind = fields.String()
    record_date = fields.Date()
    ref = fields.String()
    summary = fields.String()
    source = fields.String()
    fine_amount = fields.Decimal(as_string=True, allow_none=True)
    secret_discharge = fields.Boolean()
    falsified_records = fields.Boolean()
    evading_supervision = fields.Boolean()
    level = fields.String(allow_none=True)
    verified = fields.Boolean()
    list_name = fields.String(allow_none=True)
    end_date = fields.Date(allow_none=True)
    period = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    entered_by_name = fields.String()
    created_at = fields.DateTime()


class RecordQuerySchema(Schema):
    kind = choice_field(RECORD_KINDS)


class RatingInSchema(Schema):
    kind = choice_field(RATING_KINDS, required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    value = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "绩效分级 A–D，或诚信评价名称"},
    )
    source = fields.String(required=True, validate=validate.Length(min=1, max=255))


class RatingSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    year = fields.Integer()
    value = fields.String()
    source = fields.String()


class AccountSchema(Schema):
    id = fields.Integer()
    uscc = fields.String()
    enterprise_name = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    username = fields.Function(lambda a: a.user.username)
    status = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class AccountPageSchema(Schema):
    items = fields.List(fields.Nested(AccountSchema))
    next_after = fields.Integer(allow_none=True)


class AccountQuerySchema(Schema):
    status = choice_field(ACCOUNT_STATUSES, load_default="pending")
    after = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class RejectSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255))


class EnterprisePatchSchema(EnterpriseInSchema):
    """PATCH: any subset of the fields (used with partial=True)."""
