"""Oversight pages (issue 17 items 2 and 4): the statistics of the region's subtree with their
charts (ECharts, served locally), tables, drill-downs and XLSX exports, and the audit log
viewer. Pages only read the filters and hand them to the services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models.oversight import CORRECTION_TOPICS
from tenant_app.oversight.services import auditlog, bulletin, corrections, stats
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.refused import redisplay

bp = Blueprint("oversight", __name__, template_folder="templates", url_prefix="/oversight")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The tables below the charts that are not a chart of their own.
TABLES = {
    "most_inspected": "现场检查最多的企业（对照年度频次上限）",
    "never_inspected": "未开展现场检查的重点排污单位",
}


def _xlsx(data: bytes, name: str) -> Response:
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


def _filters() -> tuple[Any, stats.Filters, str]:
    """The request's filters; a bad one is reported and the defaults are shown instead."""
    ctx = request_context()
    try:
        return ctx, stats.parse_filters(ctx, request.args), ""
    except stats.BadFilter as exc:
        errors = "；".join(m for msgs in exc.errors.values() for m in msgs) or exc.message
        return ctx, stats.parse_filters(ctx, {}), f"{exc.message}：{errors}"


def _form_context(ctx: Any, f: stats.Filters) -> dict[str, Any]:
    from policies.vocab import INSPECTION_CATEGORIES

    return {
        "f": f,
        "regions": stats.subtree(ctx),
        "categories": INSPECTION_CATEGORIES,
        "q": f.query(),
    }


@bp.get("/")
@permission(Perm.OVERSIGHT_VIEW)
def index() -> Any:
    ctx, f, error = _filters()
    charts = [stats.chart(ctx, f, key) for key in stats.specs()]
    never_total, never_rows = stats.never_inspected_key(ctx, f, limit=20)
    return render_template(
        "oversight/index.html",
        charts=charts,
        loads=stats.most_inspected(ctx, f),
        never_total=never_total,
        never_rows=never_rows,
        tables=TABLES,
        error=error,
        **_form_context(ctx, f),
    ), (422 if error else 200)


@bp.get("/export/<key>.xlsx")
@permission(Perm.OVERSIGHT_VIEW)
def export(key: str) -> Any:
    ctx, f, error = _filters()
    if error:
        return render_template("oversight/refused.html", error=error), 422
    if key == "most_inspected":
        rows = [
            [
                r.region,
                r.name,
                r.on_site,
                r.cap if r.cap is not None else "—",
                "是" if r.over_cap else "否",
            ]
            for r in stats.most_inspected(ctx, f)
        ]
        header = ["地区", "企业", "现场检查次数", "年度频次上限", "超过上限"]
        return _xlsx(stats.xlsx(TABLES[key], header, rows), f"{key}.xlsx")
    if key == "never_inspected":
        _total, found = stats.never_inspected_key(ctx, f)
        return _xlsx(
            stats.xlsx(TABLES[key], ["地区", "企业编号", "企业"], [list(r) for r in found]),
            f"{key}.xlsx",
        )
    if key not in stats.specs():
        return render_template("oversight/refused.html", error="没有该统计表"), 404
    c = stats.chart(ctx, f, key)
    return _xlsx(stats.xlsx(c.title, c.header(), c.rows()), f"{key}.xlsx")


def _object_link(row: stats.DrillRow) -> str:
    if row.link.startswith("/") and not row.link.startswith("//"):
        return row.link  # written by the app's own deadline sources: a path of this site
    endpoint = {
        "inspection": "web.inspections.show",
        "case": "web.cases.show",
        "warning": "web.warnings.show",
    }.get(row.kind)
    if endpoint == "web.inspections.show":
        return url_for(endpoint, inspection_id=row.obj_id)
    if endpoint == "web.cases.show":
        return url_for(endpoint, case_id=row.obj_id)
    if endpoint == "web.warnings.show":
        return url_for(endpoint, warning_id=row.obj_id)
    if row.kind in ("listed", "added", "removed"):
        return url_for("web.listing.entry", entry_id=row.obj_id)
    if row.kind == "unacked_filing":
        return url_for("web.listing.inbox")
    return ""


@bp.get("/charts/<key>/rows")
@permission(Perm.OVERSIGHT_VIEW)
def rows(key: str) -> Any:
    ctx, f, error = _filters()
    if not error:
        try:
            d = stats.drill(
                ctx, f, key, request.args.get("measure", ""), request.args.get("bucket", "")
            )
        except stats.BadFilter as exc:
            error = exc.message
    if error:
        return render_template("oversight/refused.html", error=error), 422
    if request.args.get("format") == "xlsx":
        header = ["地区", "对象", "日期", d.extra_label]
        data = [
            [r.region, r.name, r.on.isoformat() if r.on else "", r.approvers or r.assignee]
            for r in d.rows
        ]
        return _xlsx(stats.xlsx(d.measure_label, header, data), f"{key}-rows.xlsx")
    title = stats.specs()[key].title
    return render_template(
        "oversight/rows.html",
        d=d,
        title=title,
        links={(r.kind, r.obj_id): _object_link(r) for r in d.rows},
        **_form_context(ctx, f),
    )


@bp.get("/audit")
@permission(Perm.AUDIT_VIEW)
def audit_log() -> Any:
    ctx = request_context()
    error = ""
    try:
        f = auditlog.parse(ctx, request.args)
    except stats.BadFilter as exc:
        errors = "；".join(m for msgs in exc.errors.values() for m in msgs) or exc.message
        error, f = f"{exc.message}：{errors}", auditlog.AuditFilters()
    if request.args.get("format") == "xlsx" and not error:
        header = ["时间", "地区", "操作人", "操作", "对象类型", "对象编号", "来源地址"]
        names = {r.id: r.name for r in stats.subtree(ctx)}
        data = [
            [
                e.at.isoformat(),
                names.get(e.tenant_id, ""),
                e.actor_name,
                e.action,
                e.object_type,
                e.object_id,
                e.ip,
            ]
            for e in auditlog.export_rows(ctx, f)
        ]
        return _xlsx(stats.xlsx("操作日志", header, data), "audit-log.xlsx")
    page = auditlog.page(ctx, f)
    return render_template(
        "oversight/audit.html",
        page=page,
        f=f,
        q=f.query(),
        regions=stats.subtree(ctx),
        region_names={r.id: r.name for r in stats.subtree(ctx)},
        error=error,
    ), (422 if error else 200)


# ----------------------------------------------------------------- bulletin and correction items


@bp.get("/bulletin")
@permission(Perm.OVERSIGHT_VIEW)
def bulletin_print() -> Any:
    ctx, f, error = _filters()
    b = bulletin.build(ctx, f)
    return render_template(
        "oversight/bulletin.html",
        b=b,
        error=error,
        topics=CORRECTION_TOPICS,
        **_form_context(ctx, f),
    ), (422 if error else 200)


@bp.get("/bulletin.docx")
@permission(Perm.OVERSIGHT_VIEW)
def bulletin_docx() -> Any:
    ctx, f, error = _filters()
    if error:
        return render_template("oversight/refused.html", error=error), 422
    return Response(
        bulletin.docx(bulletin.build(ctx, f)),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": "attachment; filename=bulletin.docx"},
    )


@bp.get("/corrections/")
@permission(Perm.DASHBOARD_VIEW)
def corrections_index() -> Any:
    ctx = request_context()
    can_issue = can(Perm.CORRECTIONS_ISSUE)
    children = [r for r in stats.subtree(ctx) if r.id != ctx.tenant_id] if can_issue else []
    return render_template(
        "oversight/corrections.html",
        issued=corrections.issued(ctx) if can_issue else [],
        received=corrections.received(ctx),
        children=children,
        names={r.id: r.name for r in stats.subtree(ctx)},
        topics=CORRECTION_TOPICS,
        can_issue=can_issue,
    )


@bp.post("/corrections/")
@permission(Perm.CORRECTIONS_ISSUE)
def corrections_issue() -> Any:
    ctx = request_context()
    try:
        item = corrections.issue(ctx, request.form.to_dict())
    except ServiceError as exc:
        return redisplay(corrections_index, "issue", exc)
    db.session.commit()
    flash(_("已下达内部纠错事项"))
    return redirect(url_for("web.oversight.correction", correction_id=item.id))


@bp.get("/corrections/<int:correction_id>")
@permission(Perm.DASHBOARD_VIEW)
def correction(correction_id: int) -> Any:
    ctx = request_context()
    try:
        item = corrections.get(ctx, correction_id)
    except corrections.NotFound:
        abort(404)
    return render_template(
        "oversight/correction.html",
        item=item,
        names={r.id: r.name for r in stats.subtree(ctx)},
        topics=CORRECTION_TOPICS,
        mine=item.tenant_id == ctx.tenant_id,
        issuer=item.issuer_tenant_id == ctx.tenant_id,
    )


@bp.post("/corrections/<int:correction_id>/answer")
@permission(Perm.CORRECTIONS_ANSWER)
def correction_answer(correction_id: int) -> Any:
    ctx = request_context()
    try:
        item = corrections.get(ctx, correction_id)
        corrections.answer(ctx, item, request.form.to_dict())
    except corrections.NotFound:
        abort(404)
    except ServiceError as exc:
        return redisplay(correction, "answer", exc, correction_id=correction_id)
    db.session.commit()
    flash(_("已报送整改情况"))
    return redirect(url_for("web.oversight.correction", correction_id=correction_id))


@bp.post("/corrections/<int:correction_id>/close")
@permission(Perm.CORRECTIONS_ISSUE)
def correction_close(correction_id: int) -> Any:
    ctx = request_context()
    try:
        item = corrections.get(ctx, correction_id)
        corrections.close(ctx, item, request.form.to_dict())
    except corrections.NotFound:
        abort(404)
    except ServiceError as exc:
        return redisplay(correction, "close", exc, correction_id=correction_id)
    db.session.commit()
    flash(_("已核销") if item.status == "closed" else _("已退回重新整改"))
    return redirect(url_for("web.oversight.correction", correction_id=correction_id))
