"""Staff pages around inspections: annual plans (SX-3), special campaigns (SX-4), random draws
(双随机), declared conflicts of interest, self-inspection report review (XJ-S), enterprise
requests. Each form posts to a service action; refusals come back as flashed reasons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.inspections.pages.staff import (
    LABELS,
    _after,
    _names,
    _run,
    chosen_officers,
    officer_pick,
)
from tenant_app.inspections.services import annual, campaigns, draws, reports, requests, visits
from tenant_app.inspections.services.common import counties, officer_pool, rules_cited
from tenant_app.inspections.services.storage import path_of
from tenant_app.models.inspection import (
    CAMPAIGN_STATUSES,
    DRAW_STATUSES,
    PLAN_STATUSES,
    REPORT_STATUSES,
    REQUEST_STATUSES,
)
from tenant_app.registry.pickers import chosen_enterprises, enterprise_pick
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.downloads import stored_file_response
from tenant_app.ui.refused import again

bp = Blueprint(
    "inspections_admin", __name__, template_folder="../templates", url_prefix="/inspections"
)
STATUS = {
    "plan": PLAN_STATUSES,
    "campaign": CAMPAIGN_STATUSES,
    "draw": DRAW_STATUSES,
    "report": REPORT_STATUSES,
    "request": REQUEST_STATUSES,
}


CATEGORIES = ("key", "general", "special", "listed")
# The plan form's fields of the service's error keys.
PLAN_FIELDS = {
    **{f"ratios.{c}": f"ratio_{c}" for c in CATEGORIES},
    **{f"caps.{c}": f"cap_{c}" for c in CATEGORIES},
}


def _list(raw: str) -> list[str]:
    return [x.strip() for x in raw.replace("，", ",").split(",") if x.strip()]


def _picked(form: Any, name: str) -> list[str]:
    """The values of a group of boxes (or a multiple picker), each once, bounded."""
    return list(dict.fromkeys(v.strip() for v in form.getlist(name)[:500] if v.strip()))


@bp.get("/plans/")
@permission(Perm.INSPECTIONS_VIEW)
def plans() -> Any:
    return render_template(
        "inspections/plans.html",
        plans=annual.plans(),
        status=STATUS,
        labels=LABELS,
        rules=rules_cited(request_context()),
    )


@bp.post("/plans/")
@permission(Perm.INSPECTIONS_EDIT)
def create_plan() -> Any:
    f = request.form
    data = {
        "year": f.get("year"),
        "title": f.get("title"),
        "ratios": {c: f.get(f"ratio_{c}") for c in CATEGORIES if f.get(f"ratio_{c}")},
        "caps": {c: f.get(f"cap_{c}") for c in CATEGORIES if f.get(f"cap_{c}")},
    }
    ctx = request_context()
    return _run(
        lambda: annual.create_plan(ctx, data),
        _("已创建年度计划"),
        url_for(".plans"),
        again(plans, "plan", aliases=PLAN_FIELDS),
    )


@bp.post("/plans/<int:plan_id>/approve")
@permission(Perm.INSPECTIONS_APPROVE)
def approve_plan(plan_id: int) -> Any:
    ctx, plan = request_context(), annual.get_plan(plan_id)
    return _run(lambda: annual.approve_plan(ctx, plan), _("已批准年度计划"), url_for(".plans"))


@bp.post("/plans/<int:plan_id>/publish")
@permission(Perm.INSPECTIONS_EDIT)
def publish_plan(plan_id: int) -> Any:
    ctx, plan = request_context(), annual.get_plan(plan_id)
    return _run(lambda: annual.publish_plan(ctx, plan), _("已公开年度计划"), url_for(".plans"))


@bp.get("/campaigns/", endpoint="campaigns")
@permission(Perm.INSPECTIONS_VIEW)
def campaigns_page() -> Any:
    ctx = request_context()
    page = campaigns.campaigns(after=_after(request.args.get("after")))
    county_list = counties(ctx)
    named = {t.id: t.name for t in county_list}
    scope_ids = [i for c in page.items for i in (c.scope or {}).get("enterprise_ids", [])]
    named_enterprises = dict(chosen_enterprises(scope_ids))
    return render_template(
        "inspections/campaigns.html",
        page=page,
        rows=page.items,
        status=STATUS,
        scope_keys=campaigns.SCOPE_KEYS,
        rules=rules_cited(ctx),
        counties=county_list,
        county_names=named,
        enterprise_names=named_enterprises,
        typed=request.args,
        scope_chosen=chosen_enterprises(request.args.getlist("scope_enterprise_ids")),
        scope_results=enterprise_pick(request.args, "scope_enterprise_ids"),
    )


@bp.post("/campaigns/")
@permission(Perm.INSPECTIONS_EDIT)
def create_campaign() -> Any:
    f = request.form
    scope = {
        "industry_prefixes": _list(f.get("scope_industry_prefixes", "")),
        # picked, not typed: the boxes of the categories, the counties and the enterprise picker
        "categories": _picked(f, "scope_categories"),
        "county_tenant_ids": _picked(f, "scope_county_tenant_ids"),
        "enterprise_ids": _picked(f, "scope_enterprise_ids"),
    }
    if f.get("scope_key_discharger"):
        scope["key_discharger"] = True  # type: ignore[assignment]
    data = {
        "title": f.get("title"),
        "content": f.get("content"),
        "start_date": f.get("start_date"),
        "end_date": f.get("end_date"),
        "scope": scope,
    }
    ctx = request_context()
    return _run(
        lambda: campaigns.create_campaign(ctx, data),
        _("已创建专项行动，待批准"),
        url_for(".campaigns"),
        again(
            campaigns_page,
            "campaign",
            aliases={f"scope.{k}": f"scope_{k}" for k in campaigns.SCOPE_KEYS},
            fields=("scope", "scope_categories", "scope_key_discharger"),
        ),
    )


@bp.post("/campaigns/<int:campaign_id>/approve")
@permission(Perm.INSPECTIONS_EDIT)
def approve_campaign(campaign_id: int) -> Any:
    from tenant_app.inspections.services.common import get
    from tenant_app.models import Campaign

    ctx, c = request_context(), get(Campaign, campaign_id, "该专项行动")
    return _run(
        lambda: campaigns.approve_campaign(
            ctx, c, government_ref=request.form.get("government_ref", "")
        ),
        _("已批准"),
        url_for(".campaigns"),
        again(campaigns_page, f"approve-{c.id}"),
    )


@bp.post("/campaigns/<int:campaign_id>/file")
@permission(Perm.INSPECTIONS_EDIT)
def file_campaign(campaign_id: int) -> Any:
    from tenant_app.inspections.services.common import get
    from tenant_app.models import Campaign

    ctx, c = request_context(), get(Campaign, campaign_id, "该专项行动")
    f = request.form
    data = {k: f.get(k, "") for k in ("filed_with", "filed_on", "filing_ref")}
    return _run(
        lambda: campaigns.file_campaign(ctx, c, data),
        _("已备案"),
        url_for(".campaigns"),
        again(campaigns_page, f"file-{c.id}"),
    )


@bp.post("/campaigns/<int:campaign_id>/publish")
@permission(Perm.INSPECTIONS_EDIT)
def publish_campaign(campaign_id: int) -> Any:
    from tenant_app.inspections.services.common import get
    from tenant_app.models import Campaign

    ctx, c = request_context(), get(Campaign, campaign_id, "该专项行动")
    return _run(
        lambda: campaigns.publish_campaign(ctx, c), _("已向社会公开"), url_for(".campaigns")
    )


@bp.get("/draws/", endpoint="draws")
@permission(Perm.INSPECTIONS_VIEW)
def draws_page() -> Any:
    ctx = request_context()
    page = draws.draws(after=_after(request.args.get("after")))
    args = request.args
    return render_template(
        "inspections/draws.html",
        page=page,
        rows=page.items,
        status=STATUS,
        counties=counties(ctx),
        new_secret=draws.new_secret(),
        typed=args,
        conflict_officer=chosen_officers(ctx, args.getlist("user_id")),
        conflict_officer_results=officer_pick(ctx, args, "user_id"),
        conflict_enterprise=chosen_enterprises(args.getlist("enterprise_id")),
        conflict_enterprise_results=enterprise_pick(args, "enterprise_id"),
    )


@bp.post("/draws/")
@permission(Perm.INSPECTIONS_EDIT)
def commit_draw() -> Any:
    f = request.form
    data = {
        "title": f.get("title"),
        "planned_date": f.get("planned_date"),
        "filters": {
            "industry_prefixes": _list(f.get("filter_industry_prefixes", "")),
            "categories": _picked(f, "filter_categories"),
            "county_tenant_ids": _picked(f, "filter_county_tenant_ids"),
        },
        "ratios": {
            c: f.get(f"ratio_{c}")
            for c in ("key", "general", "special", "listed")
            if f.get(f"ratio_{c}")
        },
        "secret": f.get("secret"),
        "commitment": f.get("commitment"),
    }
    ctx = request_context()
    return _run(
        lambda: draws.commit_draw(ctx, data),
        _("已锁定企业库并公布其哈希和您的承诺值"),
        url_for(".draws"),
        again(
            draws_page,
            "draw",
            aliases={"commitment": "secret", **{f"ratios.{c}": f"ratio_{c}" for c in CATEGORIES}},
        ),
    )


@bp.get("/draws/<int:draw_id>/")
@permission(Perm.INSPECTIONS_VIEW)
def draw(draw_id: int) -> Any:
    d = draws.get_draw(draw_id)
    return render_template(
        "inspections/draw.html",
        d=d,
        names=_names([r["enterprise_id"] for r in d.result or []]),
        verified=draws.verify(d) if d.status == "drawn" else None,
        public=False,
        doc=draws.public_document(d),
        new_secret=draws.new_secret(),
        parties=draws.PARTY_LABELS,
    )


@bp.post("/draws/<int:draw_id>/witness")
@permission(Perm.INSPECTIONS_VIEW)
def witness_draw(draw_id: int) -> Any:
    ctx, d = request_context(), draws.get_draw(draw_id)
    data = {"secret": request.form.get("secret"), "commitment": request.form.get("commitment")}
    return _run(
        lambda: draws.commit_witness(ctx, d, data),
        _("已记录见证人承诺"),
        url_for(".draw", draw_id=d.id),
        again(draw, "witness", aliases={"commitment": "secret"}, draw_id=d.id),
    )


@bp.post("/draws/<int:draw_id>/reveal")
@permission(Perm.INSPECTIONS_VIEW)
def reveal_draw(draw_id: int) -> Any:
    ctx, d = request_context(), draws.get_draw(draw_id)
    return _run(
        lambda: draws.reveal(ctx, d, request.form.get("secret")),
        _("已揭示随机数"),
        url_for(".draw", draw_id=d.id),
        again(draw, "reveal", draw_id=d.id),
    )


@bp.post("/draws/<int:draw_id>/abandon")
@permission(Perm.INSPECTIONS_EDIT)
def abandon_draw(draw_id: int) -> Any:
    ctx, d = request_context(), draws.get_draw(draw_id)
    return _run(
        lambda: draws.abandon_draw(ctx, d, request.form.get("reason", "")),
        _("已作废该抽查"),
        url_for(".draw", draw_id=d.id),
        again(draw, "abandon", draw_id=d.id),
    )


@bp.post("/draws/<int:draw_id>/execute")
@permission(Perm.INSPECTIONS_EDIT)
def execute_draw(draw_id: int) -> Any:
    ctx, d = request_context(), draws.get_draw(draw_id)
    return _run(
        lambda: draws.execute_draw(ctx, d),
        _("已抽取，种子与结果已公开"),
        url_for(".draw", draw_id=d.id),
    )


@bp.post("/draws/<int:draw_id>/inspections")
@permission(Perm.INSPECTIONS_EDIT)
def draw_inspections(draw_id: int) -> Any:
    ctx, d = request_context(), draws.get_draw(draw_id)
    return _run(
        lambda: draws.create_inspections(ctx, d),
        _("已按抽查结果生成检查（逐项核验）"),
        url_for(".draw", draw_id=d.id),
    )


@bp.post("/conflicts")
@permission(Perm.INSPECTIONS_EDIT)
def declare_conflict() -> Any:
    f = request.form
    ctx = request_context()

    def act() -> Any:
        from tenant_app.inspections.services.common import parse_int

        return draws.declare_conflict(
            ctx,
            parse_int(f.get("user_id"), "user_id") or 0,
            parse_int(f.get("enterprise_id"), "enterprise_id") or 0,
            f.get("reason", ""),
        )

    return _run(act, _("已登记回避关系"), url_for(".draws"), again(draws_page, "conflict"))


@bp.get("/budget/", endpoint="budget")
@permission(Perm.INSPECTIONS_VIEW)
def budget_page() -> Any:
    """SX-3: one enterprise's on-site visits of the year by every level and department, against
    its cap; staff record another department's visit here."""
    # "pick" is the picker's no-JS search: the page again with what was typed, nothing chosen
    return _budget_of("" if request.args.get("pick") else request.args.get("enterprise_id", ""))


def _budget_of(raw: str) -> Any:
    from tenant_app.inspections.services.common import parse_int

    data = None
    if raw:
        eid = parse_int(raw, "enterprise_id")
        data = visits.enterprise_budget(request_context(), eid)
    return render_template(
        "inspections/budget.html",
        budget=data,
        enterprise_id=raw,
        labels=LABELS,
        chosen=chosen_enterprises(request.args.get("enterprise_id", "")),
        results=enterprise_pick(request.args, "enterprise_id"),
        q=request.args.get("enterprise_id_q", ""),
    )


@bp.post("/budget/external")
@permission(Perm.INSPECTIONS_EDIT)
def record_external_visit() -> Any:
    f = request.form
    data = {k: f.get(k, "") for k in ("enterprise_id", "department", "visit_date", "mode", "note")}
    ctx = request_context()
    return _run(
        lambda: visits.record_external(ctx, data),
        _("已登记其他部门的检查"),
        url_for(".budget", enterprise_id=data["enterprise_id"]),
        again(_budget_of, "external", fields=data, raw=data["enterprise_id"]),
    )


@bp.get("/self-reports/", endpoint="reports")
@permission(Perm.INSPECTIONS_VIEW)
def reports_page() -> Any:
    page = reports.reports(after=_after(request.args.get("after")))
    rows = page.items
    leads = {r.id: reports.anomalies_of(r.enterprise_id) for r in rows if r.status == "submitted"}
    return render_template(
        "inspections/reports.html",
        page=page,
        rows=rows,
        status=STATUS,
        leads=leads,
        rules=rules_cited(request_context()),
    )


@bp.post("/self-reports/<int:report_id>/review")
@permission(Perm.INSPECTIONS_EDIT)
def review_report(report_id: int) -> Any:
    ctx, r = request_context(), reports.get_report(report_id)
    return _run(
        lambda: reports.review(
            ctx,
            r,
            request.form.get("outcome", ""),
            request.form.get("comment", ""),
            request.form.get("anomaly_record_id") or None,
        ),
        _("已审核"),
        url_for(".reports"),
        again(reports_page, f"review-{r.id}"),
    )


@bp.get("/self-reports/<int:report_id>/file")
@permission(Perm.INSPECTIONS_VIEW)
def report_file(report_id: int) -> Any:

    r = reports.get_report(report_id)
    if not r.stored_name:
        from tenant_app.inspections.services.common import NotFound

        raise NotFound("该报告没有附件")
    return stored_file_response(path_of(r.stored_name), "", r.filename)


@bp.get("/requests/", endpoint="requests")
@permission(Perm.INSPECTIONS_VIEW)
def requests_page() -> Any:
    page = requests.open_requests(after=_after(request.args.get("after")))
    return render_template(
        "inspections/requests.html",
        page=page,
        rows=page.items,
        status=STATUS,
        officers=officer_pool(request_context()),
    )


@bp.post("/requests/<int:request_id>/accept")
@permission(Perm.INSPECTIONS_EDIT)
def accept_request(request_id: int) -> Any:
    ctx, r = request_context(), requests.get_request(request_id)
    data = {
        "mode": request.form.get("mode", "on_site"),
        "planned_date": request.form.get("planned_date"),
        "officer_ids": request.form.getlist("officer_ids"),
    }
    return _run(
        lambda: requests.accept(ctx, r, data),
        _("已安排检查"),
        url_for(".requests"),
        again(requests_page, f"accept-{r.id}", fields=("officer_ids",)),
    )


@bp.post("/requests/<int:request_id>/decline")
@permission(Perm.INSPECTIONS_EDIT)
def decline_request(request_id: int) -> Any:
    ctx, r = request_context(), requests.get_request(request_id)
    return _run(
        lambda: requests.decline(ctx, r, request.form.get("answer", "")),
        _("已答复"),
        url_for(".requests"),
        again(requests_page, f"decline-{r.id}"),
    )
