"""Forms of the registry pages. They only shape input: every rule is in the services
(enterprise_rows, record_rows, enterprise_accounts), which name the field that is wrong — so
choices are not checked here either (validate_choice=False), the service says why in Chinese.

Dates and numbers are plain text fields so that whatever was typed comes back on an error.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from tenant_app.models.enterprise import (
    ENTERPRISE_TAGS,
    INTEGRITY_RATINGS,
    PERFORMANCE_GRADES,
    PERMIT_CLASSES,
    RATING_KINDS,
    SUPERVISION_CATEGORIES,
)
from tenant_app.models.records import (
    CREDIT_LISTS,
    DATE_LABELS,
    INCIDENT_LEVELS,
    RECTIFICATION_OUTCOMES,
)
from tenant_app.registry.services.enterprise_rows import BOOL_FIELDS, UNKNOWN_OK_FIELDS
from tenant_app.registry.services.record_rows import (
    COMMON,
    FIELD_LABELS,
    KIND_FIELDS,
    REQUIRED_TEXT,
)

UNKNOWN_CHOICES = [("", _l("未知")), ("1", _l("是")), ("0", _l("否"))]


def _opts(options: dict[str, str], blank: str | None = None) -> list[tuple[str, Any]]:
    head = [("", blank)] if blank is not None else []
    return head + [(k, v) for k, v in options.items()]


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EnterpriseForm(FlaskForm):
    uscc = StringField(_l("统一社会信用代码"), validators=[Length(max=40)])
    name = StringField(_l("企业名称"), validators=[Length(max=200)])
    address = StringField(_l("地址"), validators=[Length(max=255)])
    county_tenant_id = SelectField(_l("所属下级区划"), choices=[], validate_choice=False)
    industry_code = StringField(
        _l("行业代码（GB/T 4754-2017，如 C2614）"), validators=[Length(max=10)]
    )
    legal_representative = StringField(_l("法定代表人"), validators=[Length(max=64)])
    contact_phone = StringField(_l("联系电话"), validators=[Length(max=32)])
    permit_class = SelectField(
        _l("排污许可管理类别"), choices=_opts(PERMIT_CLASSES, "未填写"), validate_choice=False
    )
    permit_no = StringField(_l("许可证编号或登记编号"), validators=[Length(max=64)])
    permit_valid_from = StringField(_l("有效期起"), validators=[Length(max=20)])
    permit_valid_to = StringField(_l("有效期止"), validators=[Length(max=20)])
    permit_violating = BooleanField(_l("存在未按证排污"))
    procedures_complete = SelectField(
        _l("环保手续齐全"), choices=UNKNOWN_CHOICES, validate_choice=False
    )
    facilities_running = SelectField(
        _l("污染防治设施齐备并正常运行"), choices=UNKNOWN_CHOICES, validate_choice=False
    )
    pollutants_compliant = SelectField(
        _l("主要污染物达标排放"), choices=UNKNOWN_CHOICES, validate_choice=False
    )
    needs_monitoring = BooleanField(_l("属需开展监测的行业"), default=True)
    key_discharger = BooleanField(_l("重点排污单位"))
    online_monitoring_required = BooleanField(_l("应安装在线监控"))
    online_monitoring_installed = BooleanField(_l("已安装在线监控"))
    online_monitoring_networked = BooleanField(_l("在线监控已与生态环境部门联网"))
    supervision_category = SelectField(
        _l("监管类别"), choices=_opts(SUPERVISION_CATEGORIES), validate_choice=False
    )
    construction_project = BooleanField(_l("建设项目（施工期）"))
    tags = MultiCheckbox(_l("特殊认定"), choices=_opts(ENTERPRISE_TAGS), validate_choice=False)

    def values(self) -> dict[str, Any]:
        return {name: fld.data for name, fld in self._fields.items() if name != "csrf_token"}

    def fill(self, row: dict[str, Any]) -> None:
        """Show stored values: dates as ISO text, unknown-able facts as "", "1", "0"."""
        for name, value in row.items():
            fld = getattr(self, name, None)
            if fld is None:
                continue
            if name in UNKNOWN_OK_FIELDS:
                fld.data = "" if value is None else ("1" if value else "0")
            elif name in BOOL_FIELDS or name == "tags":
                fld.data = value
            else:
                fld.data = "" if value is None else str(value)


class RatingForm(FlaskForm):
    kind = SelectField(_l("评价类型"), choices=_opts(RATING_KINDS), validate_choice=False)
    year = StringField(_l("年度"), validators=[Length(max=8)])
    value = SelectField(
        _l("评价结果"),
        choices=[(g, g) for g in (*PERFORMANCE_GRADES, *INTEGRITY_RATINGS)],
        validate_choice=False,
    )
    source = StringField(_l("来源（如评定文件文号）"), validators=[Length(max=255)])


def _record_field(kind: str, name: str) -> Field:
    label = FIELD_LABELS[name]
    if name == "record_date":
        label = DATE_LABELS[kind]
    elif name in REQUIRED_TEXT.get(kind, {}):
        label = REQUIRED_TEXT[kind][name]
    if name in ("secret_discharge", "falsified_records", "evading_supervision", "verified"):
        return BooleanField(label)
    if name == "level":
        return SelectField(label, choices=_opts(INCIDENT_LEVELS, "请选择"), validate_choice=False)
    if name == "list_name":
        return SelectField(label, choices=_opts(CREDIT_LISTS, "请选择"), validate_choice=False)
    if name == "outcome":
        return SelectField(label, choices=_opts(RECTIFICATION_OUTCOMES), validate_choice=False)
    if name == "summary":
        return TextAreaField(label, validators=[Length(max=1000)])
    return StringField(label, validators=[Length(max=255)])


@cache
def record_form_class(kind: str) -> type[FlaskForm]:
    """A form with the common fields and those of ``kind`` (record_rows.KIND_FIELDS)."""
    attrs = {name: _record_field(kind, name) for name in (*COMMON, *KIND_FIELDS[kind])}
    attrs["field_names"] = (*COMMON, *KIND_FIELDS[kind])
    return type(f"RecordForm_{kind}", (FlaskForm,), attrs)


def record_values(form: FlaskForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in form.field_names}  # type: ignore[attr-defined]


def fill_record(form: FlaskForm, row: dict[str, Any]) -> None:
    for name, value in row.items():
        fld = getattr(form, name)
        if isinstance(value, bool) or value is None and isinstance(fld, BooleanField):
            fld.data = bool(value)
        elif isinstance(value, date | Decimal):
            fld.data = str(value)
        else:
            fld.data = "" if value is None else value


class RegisterForm(FlaskForm):
    uscc = StringField(_l("统一社会信用代码"), validators=[Length(max=40)])
    enterprise_name = StringField(_l("企业名称"), validators=[Length(max=200)])
    contact_name = StringField(_l("联系人"), validators=[Length(max=64)])
    contact_phone = StringField(_l("联系电话"), validators=[Length(max=32)])
    username = StringField(_l("登录用户名"), validators=[Length(max=64)])
    password = PasswordField(
        _l("密码（至少 10 位，含字母和数字或符号）"), validators=[Length(max=256)]
    )


class RejectForm(FlaskForm):
    reason = StringField(_l("驳回理由"), validators=[Length(max=255)])
