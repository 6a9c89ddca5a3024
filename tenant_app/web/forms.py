"""WTForms for the pages. Validation rules live in the services; forms only shape the input."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码")])
    submit = SubmitField("登录")


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名")])
    display_name = StringField("姓名", validators=[DataRequired("请填写姓名")])
    password = PasswordField("初始密码", validators=[DataRequired("请填写初始密码")])
    certificate_no = StringField("执法证件号")
    roles = SelectMultipleField("角色", choices=[])
    submit = SubmitField("创建用户")


class GrantForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名")])
    role = SelectField("角色", choices=[])
    submit = SubmitField("授予角色")


class TenantForm(FlaskForm):
    parent = SelectField("上级", choices=[])
    slug = StringField("标识（网址用）", validators=[DataRequired("请填写标识")])
    name = StringField("名称", validators=[DataRequired("请填写名称")])
    level = SelectField("层级", choices=[("province", "省级"), ("city", "地市级"), ("county", "县级")])
    division_code = StringField("行政区划代码", validators=[DataRequired("请填写区划代码")])
    policy_pack = StringField("政策包（留空则继承上级）")
    submit = SubmitField("创建租户")


class ConfirmForm(FlaskForm):
    """An empty form: carries the CSRF token for one-button actions."""

    submit = SubmitField("确定")
