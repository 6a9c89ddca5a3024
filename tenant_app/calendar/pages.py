"""The working-day calendar: check a date or a period, and (superadmins) enter a year's
statutory holidays and make-up working days."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField

from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.calendar import years as calendar_service
from tenant_app.core.errors import ServiceError
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.tenancy.acting import request_context

bp = Blueprint("calendar", __name__, template_folder="templates", url_prefix="/calendar")
OPS = {"add-workdays": "N 个工作日后", "add-months": "N 个月后", "is-workday": "是否工作日"}


class YearForm(FlaskForm):
    year = IntegerField("年份")
    arrangement = TextAreaField("放假与调休安排")
    source = StringField("依据（通知文号）")


def _check() -> dict[str, Any] | None:
    op, raw, n = request.args.get("op"), request.args.get("date"), request.args.get("n", "0")
    if not op or not raw:
        return None
    try:
        day, amount = a_date(raw, required=True), int(n or 0)
    except FieldProblem as exc:
        return {"error": str(exc)}
    except ValueError:
        return {"error": "日期应为 YYYY-MM-DD，N 应为整数"}
    if day is None or op not in OPS or not -3650 <= amount <= 3650:
        return {"error": "不支持的计算"}
    result = calendar_service.answer(op, day, amount)
    return {
        "op": op,
        "date": raw,
        "n": amount,
        "value": result.value,
        "provisional": result.provisional,
    }


def _page(form: YearForm, errors: list[str] | None = None, status: int = 200) -> Any:
    return render_template(
        "calendar/index.html",
        years=calendar_service.entered_years(),
        form=form,
        errors=errors or [],
        check=_check(),
        ops=OPS,
        can_edit=can(Perm.CALENDAR_EDIT),
    ), status


@bp.get("/")
@permission(Perm.POLICY_VIEW)
def index() -> Any:
    return _page(YearForm())


@bp.post("/years")
@permission(Perm.CALENDAR_EDIT)
def enter_year() -> Any:
    form = YearForm()
    if not form.validate_on_submit() or not form.year.data:
        return _page(form, ["请填写年份"], 422)
    try:
        calendar_service.enter_year(
            request_context(), form.year.data, form.arrangement.data or "", form.source.data or ""
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        reasons = [r for rs in exc.errors.values() for r in rs] or [exc.message]
        return _page(form, reasons, 422)
    flash(f"已录入 {form.year.data} 年安排；涉及该年的暂定期限将自动重算", "success")
    return redirect(url_for(".index"))
