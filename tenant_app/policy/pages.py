"""A tenant's effective policy: where each value comes from, its history, and the edit forms
(own overrides as TOML for any overridable key; a structured form for quiet periods, SX-10)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField

from policies import PackError, available_packs, parse_toml
from policies.overrides import leaf_paths
from tenant_app import clock
from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.policy import service as policy_service
from tenant_app.policy.quiet_form import QUIET_ROWS, quiet_rows_from, rows_to_periods, typed_rows
from tenant_app.tenancy.acting import request_context

bp = Blueprint("policy", __name__, template_folder="templates", url_prefix="/policy")


class OverridesForm(FlaskForm):
    effective_from = DateField("生效日期")
    pack = SelectField("政策包", choices=[])
    overrides = TextAreaField("本级覆盖项（TOML）")
    comment = StringField("变更说明")


class QuietForm(FlaskForm):
    effective_from = DateField("生效日期")
    comment = StringField("变更说明")


def _toml_of(data: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(data) if data else ""


def _source_of(path: str, sources: dict[str, str]) -> str:
    """The layer that set this leaf, or the nearest table above it that a layer replaced."""
    probe = path
    while probe:
        if probe in sources:
            return sources[probe]
        probe = probe.rpartition(".")[0]
    return "政策包"


def _parse_on() -> date | None:
    raw = request.args.get("on")
    try:
        return a_date(raw)
    except FieldProblem:
        flash("日期格式应为 YYYY-MM-DD，已显示今天的政策", "warning")
        return None


def _page(
    form: OverridesForm,
    quiet: QuietForm,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    quiet_rows: list[dict[str, Any]] | None = None,
) -> Any:
    on = _parse_on()
    try:
        eff = policy_service.effective_policy(g.tenant, on)
    except ServiceError as exc:
        return render_template("policy/missing.html", message=exc.message), 200
    own = eff.layers[-1].overrides if eff.layers else {}
    leaves = leaf_paths(eff.effective)
    sources = {path: _source_of(path, eff.sources) for path in leaves}
    categories = list((eff.effective.get("inspection") or {}).get("categories") or {})
    rows = quiet_rows if quiet_rows is not None else quiet_rows_from(eff.effective)
    return render_template(
        "policy/show.html",
        eff=eff,
        leaves=leaves,
        sources=sources,
        own=own,
        form=form,
        quiet=quiet,
        errors=errors or {},
        history=policy_service.history(g.tenant),
        categories=categories,
        quiet_rows=rows + [{}] * max(0, QUIET_ROWS - len(rows)),
        today=clock.today(),
        can_edit=can(Perm.POLICY_EDIT),
        can_pick_pack=can(Perm.POLICY_EDIT_ANY),
    ), status


def _forms() -> tuple[OverridesForm, QuietForm]:
    form, quiet = OverridesForm(prefix="o"), QuietForm(prefix="q")
    form.pack.choices = [("", "（不变）")] + [(p, p) for p in available_packs()]
    if request.method == "GET":
        today = clock.today()
        form.effective_from.data = quiet.effective_from.data = today
        try:
            eff = policy_service.effective_policy(g.tenant)
            form.overrides.data = _toml_of(eff.layers[-1].overrides if eff.layers else {})
        except ServiceError:
            pass
    return form, quiet


@bp.get("/")
@permission(Perm.POLICY_VIEW)
def show() -> Any:
    form, quiet = _forms()
    return _page(form, quiet)


@bp.post("/")
@permission(Perm.POLICY_EDIT)
def save() -> Any:
    form, quiet = _forms()
    if not form.validate_on_submit() or form.effective_from.data is None:
        return _page(form, quiet, {"effective_from": ["请填写生效日期"]}, 422)
    try:
        overrides = parse_toml(form.overrides.data or "")
    except PackError as exc:
        return _page(form, quiet, {k: [v] for k, v in exc.errors.items()}, 422)
    kwargs: dict[str, Any] = {}
    if form.pack.data:
        kwargs["pack"] = form.pack.data
    return _save(form, quiet, overrides, form.effective_from.data, form.comment.data or "", kwargs)


@bp.post("/quiet")
@permission(Perm.POLICY_EDIT)
def save_quiet() -> Any:
    form, quiet = _forms()
    rows, row_errors = rows_to_periods(request.form)
    if not quiet.validate_on_submit() or quiet.effective_from.data is None:
        row_errors.setdefault("effective_from", []).append("请填写生效日期")
    if row_errors:
        return _page(form, quiet, row_errors, 422, quiet_rows=typed_rows(request.form))
    eff = policy_service.effective_policy(g.tenant, quiet.effective_from.data)
    own = dict(eff.layers[-1].overrides if eff.layers else {})
    inspection = dict(own.get("inspection") or {})
    inspection["quiet"] = {**(inspection.get("quiet") or {}), "periods": rows}
    own["inspection"] = inspection
    return _save(
        form,
        quiet,
        own,
        quiet.effective_from.data,
        quiet.comment.data or "安静期设置",
        {},
        quiet_rows=typed_rows(request.form),
    )


def _save(
    form: OverridesForm,
    quiet: QuietForm,
    overrides: dict[str, Any],
    effective_from: date,
    comment: str,
    kwargs: dict[str, Any],
    quiet_rows: list[dict[str, Any]] | None = None,
) -> Any:
    try:
        version = policy_service.save_version(
            request_context(),
            overrides=overrides,
            effective_from=effective_from,
            comment=comment,
            **kwargs,
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        errors = exc.errors or {"": [exc.message]}
        return _page(form, quiet, errors, exc.status, quiet_rows=quiet_rows)
    flash(
        f"已保存第 {version.number} 版，自 {version.effective_from.isoformat()} 起生效", "success"
    )
    return redirect(url_for(".show"))
