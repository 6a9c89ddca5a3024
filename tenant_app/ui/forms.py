"""WTForms for the pages. Validation rules live in the services; forms only shape the input
(and keep text within the column sizes, so an over-long value is a field error, not a 500).

Labels and messages are Chinese msgids passed through ``lazy_gettext``: they are looked up in
the request's language when the form renders (tenant_app/translations/en has the English).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tenant_app.core.errors import ServiceError


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)]
    )
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))])
    submit = SubmitField(_l("登录"))


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名"))])
    display_name = StringField(
        _l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=64)]
    )
    password = PasswordField(
        _l("初始密码"), validators=[DataRequired(_l("请填写初始密码")), Length(max=256)]
    )
    certificate_no = StringField(_l("执法证件号"), validators=[Length(max=64)])
    enterprise_uscc = StringField(
        _l("所属企业统一社会信用代码（企业用户必填）"), validators=[Length(max=32)]
    )
    roles = SelectMultipleField(_l("角色"), choices=[])
    submit = SubmitField(_l("创建用户"))


class GrantForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)]
    )
    role = SelectField(_l("角色"), choices=[])
    submit = SubmitField(_l("授予角色"))


class TenantForm(FlaskForm):
    parent = SelectField(_l("上级"), choices=[])
    slug = StringField(
        _l("标识（网址用）"), validators=[DataRequired(_l("请填写标识")), Length(max=64)]
    )
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=128)])
    level = SelectField(
        _l("层级"),
        choices=[("province", _l("省级")), ("city", _l("地市级")), ("county", _l("县级"))],
    )
    division_code = StringField(_l("行政区划代码"), validators=[DataRequired(_l("请填写区划代码"))])
    policy_pack = StringField(_l("政策包（留空则继承上级）"), validators=[Length(max=64)])
    submit = SubmitField(_l("创建租户"))


class ConfirmForm(FlaskForm):
    """An empty form: carries the CSRF token for one-button actions."""

    submit = SubmitField(_l("确定"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("当前密码"), validators=[DataRequired(_l("请填写当前密码")), Length(max=256)]
    )
    new_password = PasswordField(
        _l("新密码"), validators=[DataRequired(_l("请填写新密码")), Length(max=256)]
    )
    submit = SubmitField(_l("修改密码"))


class DecisionForm(FlaskForm):
    """Accept or decline a role proposal, with an optional reason."""

    reason = StringField(_l("说明（可选）"), validators=[Length(max=200)])
    accept = SubmitField(_l("同意"))
    decline = SubmitField(_l("拒绝"))


def apply_errors(form: Any, exc: ServiceError) -> None:
    """A service's refusal shown on the form: each reason beside its field, the rest on top."""
    placed = False
    for name, reasons in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(reasons)
            placed = True
    if not placed:
        form.form_errors.append(exc.message)
