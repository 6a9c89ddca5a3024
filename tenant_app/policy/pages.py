"""A tenant's policy page (issue 10 item 8): the effective policy grouped by rule id, each value
with the text's sentence and the layer it comes from; forms suited to each kind of overridable
value, the quiet periods (SX-10) with their calendar, the TOML editor as the expert's fallback;
the diff between two versions; and, before saving any of the three forms, a preview of what the
change would do to live data ("预览影响": the same checks, nothing saved).
"""

from __future__ import annotations

import calendar as stdcal
import re
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, SelectField, StringField, TextAreaField

from policies import PackError, Policy, available_packs, parse_toml
from tenant_app import clock
from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.calendar.years import work_calendar
from tenant_app.core.errors import ServiceError
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.policy import service as policy_service
from tenant_app.policy import values_form
from tenant_app.policy.quiet_form import QUIET_ROWS, quiet_rows_from, rows_to_periods, typed_rows
from tenant_app.policy.service import UNCHANGED, EffectivePolicy
from tenant_app.policy.services import diff as diff_service
from tenant_app.policy.services import filings as filing_service
from tenant_app.policy.services import preview as preview_service
from tenant_app.policy.services import rules as rules_service
from tenant_app.policy.services.edits import EditField, edit_fields, overrides_with
from tenant_app.policy.services.words import VOCABS, unit_of, vocab_of
from tenant_app.tenancy import filings as child_filings
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import ConfirmForm
from tenant_app.ui.labels import LABELS, policy_value

bp = Blueprint("policy", __name__, template_folder="templates", url_prefix="/policy")
CALENDAR_MONTHS = 3


class OverridesForm(FlaskForm):
    effective_from = DateField("生效日期")
    pack = SelectField("政策包", choices=[])
    overrides = TextAreaField("本级覆盖项（TOML）")
    comment = StringField("变更说明")


class QuietForm(FlaskForm):
    effective_from = DateField("生效日期")
    comment = StringField("变更说明")


class ValuesForm(FlaskForm):
    effective_from = DateField("生效日期")
    comment = StringField("变更说明")


# --- words -------------------------------------------------------------------------------


def policy_word(vocab: str | None, code: Any) -> str:
    """A code of a pack vocabulary in words (translated); the code itself when it has none."""
    text = None
    if vocab in VOCABS:
        text = VOCABS[vocab].get(str(code))
    elif vocab in LABELS:
        text = LABELS[vocab].get(str(code))
    return gettext(text) if text is not None else str(code)


def _unit_amount(value: Any, unit: str) -> str | None:
    n = f"{value:g}" if isinstance(value, float) else str(value)
    percent = f"{value * 100:g}" if isinstance(value, int | float) else n
    if unit == "share":
        return gettext("%(n)s%%", n=percent)
    if unit == "fine_share":
        return gettext("罚款数额的%(n)s%%", n=percent)
    amounts = {
        "workdays": gettext("%(n)s 个工作日", n=n),
        "days": gettext("%(n)s 日", n=n),
        "months": gettext("%(n)s 个月", n=n),
        "years": gettext("%(n)s 年", n=n),
        "yuan": gettext("%(n)s 元", n=n),
        "persons": gettext("%(n)s 人", n=n),
        "times_per_year": gettext("每年 %(n)s 次", n=n),
    }
    return amounts.get(unit)


def policy_amount(value: Any, unit: str = "", vocab: str | None = None) -> Markup:
    """A pack value in words with its unit: 5 workdays → "5 个工作日"; codes by their words
    (the vocabulary of their key, else the shared labels); lists joined; yes/no."""
    if isinstance(value, bool):
        return Markup(escape(gettext("是") if value else gettext("否")))
    if isinstance(value, int | float) and unit:
        shown = _unit_amount(value, unit)
        if shown is not None:
            return Markup(escape(shown))
    if vocab and isinstance(value, str):
        return Markup(escape(policy_word(vocab, value)))
    if vocab and isinstance(value, list) and all(isinstance(v, str) for v in value):
        if not value:
            return Markup(escape(gettext("无")))
        return Markup(escape(gettext("、"))).join(escape(policy_word(vocab, v)) for v in value)
    if (
        vocab and isinstance(value, list) and value and all(isinstance(v, list) for v in value)
    ):  # any of these sets of facts (a discretion treatment's when_any)
        return Markup(escape(gettext("或"))).join(
            Markup("（{}）").format(
                Markup(escape(gettext("、"))).join(escape(policy_word(vocab, x)) for x in group)
            )
            for group in value
        )
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        if all(v.get("kind") in ("monthly", "range") for v in value):  # quiet periods (SX-10)
            return Markup("；").join(quiet_period_words(v) for v in value)
        if all("title" in v for v in value):  # a ladder of steps
            return Markup(" → ").join(escape(v["title"]) for v in value)
    return policy_value(value)


def quiet_period_words(p: dict[str, Any]) -> Markup:
    """One quiet period: its days, then whom it is limited to."""
    if p.get("kind") == "monthly":
        text = gettext("每月 %(start)s–%(end)s 日", start=p.get("start_day"), end=p.get("end_day"))
    else:
        text = gettext("%(start)s 至 %(end)s", start=p.get("start"), end=p.get("end"))
    limits = []
    if p.get("industries"):
        limits.append(gettext("行业 %(codes)s", codes="、".join(p["industries"])))
    if p.get("categories"):
        limits.append("、".join(policy_word("inspection_category", c) for c in p["categories"]))
    if limits:
        text += gettext("（限%(who)s）", who="；".join(limits))
    if p.get("note"):
        text += f" {p['note']}"
    return Markup(escape(text))


_LITERAL = re.compile(r"[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9_]")


def pack_text(text: str) -> Markup:
    """A pack's own sentence (a title, a note): the keys and role codes it cites (``agency_head``,
    ``inspection.quiet.periods``) shown as literals, like every code on the page."""
    out, last = [], 0
    for m in _LITERAL.finditer(text or ""):
        if not any(c.islower() for c in m.group(0)):
            continue  # GB/T, D4417, SX-10: names, not codes
        out += [escape(text[last : m.start()]), Markup("<code>{}</code>").format(m.group(0))]
        last = m.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


def _field_name(part: tuple[str, str]) -> Markup:
    vocab, code = part
    if vocab == "index":
        return Markup(escape(gettext("第 %(n)s 项", n=code)))
    if vocab == "code":
        return Markup("<code>{}</code>").format(code)
    return Markup(escape(policy_word(vocab, code)))


def key_words(parts: list[tuple[str, str]]) -> Markup:
    return Markup(" · ").join(_field_name(p) for p in parts)


def unit_words(unit: str) -> str:
    """A field's unit, beside its input."""
    units = {
        "workdays": gettext("个工作日"),
        "days": gettext("日"),
        "months": gettext("个月"),
        "years": gettext("年"),
        "yuan": gettext("元"),
        "persons": gettext("人"),
        "times_per_year": gettext("次/年"),
        "share": gettext("比例（0.2 即 20%）"),
        "fine_share": gettext("倍（0.03 即罚款数额的 3%）"),
    }
    return units.get(unit, "")


def change_words(change: str) -> str:
    return gettext(diff_service.CHANGES.get(change, change))


@bp.app_template_global()
def policy_words() -> dict[str, Any]:
    """The helpers the policy templates use (one global, so other pages are not crowded)."""
    return {
        "word": policy_word,
        "amount": policy_amount,
        "key": key_words,
        "text": pack_text,
        "path": lambda path: key_words(rules_service.name_of(path)),
        "unit": unit_words,
        "change": change_words,
        "unit_of": unit_of,
        "vocab_of": vocab_of,
    }


# --- the page ----------------------------------------------------------------------------


def _parse_on() -> date | None:
    raw = request.args.get("on")
    try:
        return a_date(raw)
    except FieldProblem:
        flash("日期格式应为 YYYY-MM-DD，已显示今天的政策", "warning")
        return None


def _overridable(eff: EffectivePolicy) -> list[str]:
    return list(eff.effective.get("overridable") or [])


def _fields(eff: EffectivePolicy) -> dict[str, EditField]:
    return edit_fields(eff, policy_service.inherited_effective(eff), _overridable(eff))


def _calendar(eff: EffectivePolicy) -> list[dict[str, Any]]:
    """The next months as weeks of days, each day with the quiet periods that cover it for some
    enterprise (Policy.quiet_period with the industry and category left open)."""
    policy = Policy(eff.effective, eff.version_label, calendar=work_calendar())
    if not ((eff.effective.get("inspection") or {}).get("quiet") or {}).get("periods"):
        return []
    months = []
    year, month = eff.on.year, eff.on.month
    for _ in range(CALENDAR_MONTHS):
        weeks = []
        for week in stdcal.Calendar().monthdatescalendar(year, month):
            days: list[dict[str, Any] | None] = []
            for d in week:
                if d.month != month:
                    days.append(None)
                    continue
                q = policy.quiet_period(d)
                days.append({"day": d, "quiet": q.details.get("periods") if q.answer else []})
            weeks.append(days)
        months.append({"year": year, "month": month, "weeks": weeks})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _diff() -> tuple[diff_service.VersionDiff | None, dict[str, list[str]]]:
    wanted = request.args.get("to") or request.args.get("from")
    try:
        return diff_service.version_diff(
            request_context(), request.args.get("to"), request.args.get("from")
        ), {}
    except ServiceError as exc:
        return None, (exc.errors if wanted else {})


def _page(
    form: OverridesForm,
    quiet: QuietForm,
    values: ValuesForm,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    quiet_rows: list[dict[str, Any]] | None = None,
    typed: dict[str, Any] | None = None,
    preview: preview_service.Preview | None = None,
) -> Any:
    on = _parse_on()
    try:
        eff = policy_service.effective_policy(g.tenant, on)
    except ServiceError as exc:
        return render_template("policy/missing.html", message=exc.message), 200
    query = (request.args.get("q") or "").strip()[:100]
    cards = rules_service.rule_cards(eff)
    shown = rules_service.matching(cards, query)
    can_edit = can(Perm.POLICY_EDIT)
    fields = _fields(eff) if can_edit else {}
    if typed is None:
        typed = values_form.typed(fields)
    categories = list((eff.effective.get("inspection") or {}).get("categories") or {})
    rows = quiet_rows if quiet_rows is not None else quiet_rows_from(eff.effective)
    diff, diff_errors = _diff()
    history = policy_service.history(g.tenant)
    filed = filing_service.of_versions(history)
    return render_template(
        "policy/show.html",
        eff=eff,
        cards=shown,
        cards_total=len(cards),
        query=query,
        fields=fields,
        typed=typed,
        own=eff.layers[-1].overrides if eff.layers else {},
        form=form,
        quiet=quiet,
        values=values,
        errors=errors or {},
        history=history,
        filed=filed,
        filed_with=child_filings.tenant_names({f.parent_tenant_id for f in filed.values()}),
        categories=categories,
        quiet_rows=rows + [{}] * max(0, QUIET_ROWS - len(rows)),
        months=_calendar(eff),
        diff=diff,
        diff_errors=diff_errors,
        diff_from=request.args.get("from", ""),
        diff_to=request.args.get("to", ""),
        preview=preview,
        today=clock.today(),
        can_edit=can_edit,
        can_pick_pack=can(Perm.POLICY_EDIT_ANY),
        field_name=values_form.name,
    ), status


def _forms() -> tuple[OverridesForm, QuietForm, ValuesForm]:
    form, quiet, values = OverridesForm(prefix="o"), QuietForm(prefix="q"), ValuesForm(prefix="k")
    form.pack.choices = [("", "（不变）")] + [(p, p) for p in available_packs()]
    if request.method == "GET":
        today = clock.today()
        form.effective_from.data = quiet.effective_from.data = today
        values.effective_from.data = today
        try:
            eff = policy_service.effective_policy(g.tenant, with_sources=False)
            form.overrides.data = _toml_of(eff.layers[-1].overrides if eff.layers else {})
        except ServiceError:
            pass
    return form, quiet, values


def _toml_of(data: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(data) if data else ""


def _previewing() -> bool:
    return request.form.get("action") == "preview"


@bp.get("/")
@permission(Perm.POLICY_VIEW)
def show() -> Any:
    form, quiet, values = _forms()
    return _page(form, quiet, values)


@bp.post("/")
@permission(Perm.POLICY_EDIT)
def save() -> Any:
    form, quiet, values = _forms()
    if not form.validate_on_submit() or form.effective_from.data is None:
        return _page(form, quiet, values, {"effective_from": ["请填写生效日期"]}, 422)
    try:
        overrides = parse_toml(form.overrides.data or "")
    except PackError as exc:
        return _page(form, quiet, values, {k: [v] for k, v in exc.errors.items()}, 422)
    pack: Any = form.pack.data if form.pack.data else UNCHANGED
    return _save_or_preview(
        (form, quiet, values), overrides, form.effective_from.data, form.comment.data or "", pack
    )


@bp.post("/quiet")
@permission(Perm.POLICY_EDIT)
def save_quiet() -> Any:
    form, quiet, values = _forms()
    rows, row_errors = rows_to_periods(request.form)
    if not quiet.validate_on_submit() or quiet.effective_from.data is None:
        row_errors.setdefault("effective_from", []).append("请填写生效日期")
    if row_errors:
        return _page(form, quiet, values, row_errors, 422, quiet_rows=typed_rows(request.form))
    eff = policy_service.effective_policy(g.tenant, quiet.effective_from.data)
    own = dict(eff.layers[-1].overrides if eff.layers else {})
    inspection = dict(own.get("inspection") or {})
    inspection["quiet"] = {**(inspection.get("quiet") or {}), "periods": rows}
    own["inspection"] = inspection
    return _save_or_preview(
        (form, quiet, values),
        own,
        quiet.effective_from.data,
        quiet.comment.data or "安静期设置",
        quiet_rows=typed_rows(request.form),
    )


@bp.post("/values")
@permission(Perm.POLICY_EDIT)
def save_values() -> Any:
    """The rule cards' fields: each overridable value in a form of its kind."""
    form, quiet, values = _forms()
    on = values.effective_from.data if values.validate_on_submit() else None
    if on is None:
        return _page(form, quiet, values, {"effective_from": ["请填写生效日期"]}, 422)
    try:
        eff = policy_service.effective_policy(g.tenant, on)
    except ServiceError as exc:
        return _page(form, quiet, values, exc.errors or {"": [exc.message]}, exc.status)
    fields = _fields(eff)
    typed = values_form.typed(fields, request.form)
    parsed, errors = values_form.parse(fields, request.form)
    if errors:
        return _page(form, quiet, values, errors, 422, typed=typed)
    own = eff.layers[-1].overrides if eff.layers else {}
    overrides = overrides_with(own, policy_service.inherited_effective(eff), parsed)
    return _save_or_preview(
        (form, quiet, values),
        overrides,
        on,
        values.comment.data or "",
        typed=typed,
    )


def _save_or_preview(
    forms: tuple[OverridesForm, QuietForm, ValuesForm],
    overrides: dict[str, Any],
    effective_from: date,
    comment: str,
    pack: Any = UNCHANGED,
    quiet_rows: list[dict[str, Any]] | None = None,
    typed: dict[str, Any] | None = None,
) -> Any:
    again: dict[str, Any] = {"quiet_rows": quiet_rows, "typed": typed}
    try:
        if _previewing():
            result = preview_service.preview(
                request_context(), overrides=overrides, effective_from=effective_from, pack=pack
            )
            db.session.rollback()  # a preview writes nothing
            return _page(*forms, preview=result, **again)
        version = policy_service.save_version(
            request_context(),
            overrides=overrides,
            effective_from=effective_from,
            comment=comment,
            pack=pack,
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(*forms, exc.errors or {"": [exc.message]}, exc.status, **again)
    flash(
        f"已保存第 {version.number} 版，自 {version.effective_from.isoformat()} 起生效", "success"
    )
    return redirect(url_for(".show"))


@bp.get("/filings")
@permission(Perm.FILINGS_RECEIVE)
def filings() -> Any:
    """Subordinate tenants' policy versions filed with this tenant (the pack's filed keys)."""
    rows = filing_service.inbox(request_context())
    return render_template(
        "policy/filings.html",
        filings=rows,
        names=child_filings.tenant_names({f.tenant_id for f in rows}),
    )


@bp.post("/filings/<int:filing_id>/ack")
@permission(Perm.FILINGS_RECEIVE)
def filing_ack(filing_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ctx = request_context()
    try:
        filing = filing_service.get_filing(ctx, filing_id)
    except ServiceError:
        abort(404)
    try:
        filing_service.acknowledge(ctx, filing, request.form.get("note", ""))
        db.session.commit()
        flash(gettext("已签收政策备案"), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for(".filings"))
