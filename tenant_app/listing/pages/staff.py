"""Positive-list pages for staff (issue 5): overview, screening runs, entries and their XJ-P
steps, batches, objections, the parent's filing inbox, ledgers. Enterprise pages: listing_portal.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.calendar import deadlines
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.listing.services import (
    batches,
    entries,
    filings,
    ledger,
    listed,
    objections,
    removal,
    screening,
)
from tenant_app.listing.services.common import policy
from tenant_app.models.listing import (
    BATCH_STATES,
    ENTRY_STATES,
    OBJECTION_STATES,
    ORIGINS,
    VERDICTS,
)
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.tenancy import filings as child_filings
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.labels import LISTING_STEPS
from tenant_app.ui.links import filter_args
from tenant_app.ui.refused import redisplay, refusal_text

bp = Blueprint("listing", __name__, template_folder="../templates", url_prefix="/listing")
LABELS = {
    "entry": ENTRY_STATES,
    "batch": BATCH_STATES,
    "objection": OBJECTION_STATES,
    "origin": ORIGINS,
    "verdict": VERDICTS,
    "party": entries.PARTY_TYPES,
    "ledger": ledger.KINDS,
    "step": LISTING_STEPS,
}
ENTRY_STEPS = {
    "site-verification": entries.site_verification,
    "opinions": entries.add_opinion,
    "removal": removal.start,
    "visits": listed.add_visit,
}
BATCH_STEPS = {
    "notice": batches.start_notice,
    "publication": batches.publish,
    "filing": batches.file_with_parent,
}


def _after(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _xlsx(data: bytes, name: str) -> Response:
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _fail(exc: ServiceError) -> None:
    """A refused one-button step (nothing typed to keep): the reason is flashed. Forms with
    fields call ``redisplay`` instead, so what was typed stays (tenant_app/ui/refused.py)."""
    if exc.keep:  # e.g. the entry was stopped: that stop is kept, the step is not recorded
        db.session.commit()
    else:
        db.session.rollback()
    flash(refusal_text(exc), "danger")


@bp.get("/")
@permission(Perm.LISTING_VIEW)
def index() -> Any:
    ctx = request_context()
    entry_page = entries.entries_page(ctx, after=_after(request.args.get("entries_after")))
    batch_page = batches.batches(ctx, after=_after(request.args.get("batches_after")))
    return render_template(
        "listing/index.html",
        runs=screening.runs(ctx),
        entry_page=entry_page,
        entries=entry_page.items,
        batch_page=batch_page,
        batches=batch_page.items,
        overdue=batches.overdue_batches(ctx),
        visits=listed.visits_due(ctx),
        rules=policy(ctx).listing_rule_ids(),
        labels=LABELS,
        today=ctx.today,
    )


@bp.post("/screening")
@permission(Perm.LISTING_SCREEN)
def start_run() -> Any:
    try:
        run = screening.start_run(request_context(), screening.check_date(request.form.get("on")))
        db.session.commit()
    except ServiceError as exc:
        return redisplay(index, "screening", exc)
    flash(_("已开始筛选"), "success")
    return redirect(url_for(".run", run_id=run.id))


@bp.get("/screening/<int:run_id>")
@permission(Perm.LISTING_VIEW)
def run(run_id: int) -> Any:
    ctx = request_context()
    r = screening.get_run(ctx, run_id)
    args = filter_args(request.args.to_dict())
    errors: dict[str, list[str]] = {}
    page = None
    try:
        page = screening.results(
            ctx,
            r,
            verdict=args.get("verdict") or None,
            failed=args.get("failed") or None,
            q=args.get("q") or None,
            after=_after(args.get("after")),
        )
    except ServiceError as exc:
        errors = exc.errors
    conds = list(policy(ctx, r.on_date).screening_conditions())
    return render_template(
        "listing/run.html",
        run=r,
        page=page,
        args=args,
        errors=errors,
        conds=conds,
        labels=LABELS,
        next_args=filter_args(args, drop=("after",)),
    ), (422 if errors else 200)


@bp.get("/screening/<int:run_id>/export.xlsx")
@permission(Perm.LISTING_VIEW)
def run_export(run_id: int) -> Any:
    ctx = request_context()
    r = screening.get_run(ctx, run_id)
    a = request.args
    try:
        data = screening.export_xlsx(
            ctx,
            r,
            verdict=a.get("verdict") or None,
            failed=a.get("failed") or None,
            q=a.get("q") or None,
        )
    except ServiceError as exc:
        _fail(exc)
        return redirect(url_for(".run", run_id=r.id))
    return _xlsx(data, f"screening-{r.id}.xlsx")


@bp.get("/enterprises/<int:enterprise_id>/screening")
@permission(Perm.LISTING_VIEW)
def enterprise_screening(enterprise_id: int) -> Any:
    ctx = request_context()
    e = enterprise_service.get_enterprise(enterprise_id)
    return render_template(
        "listing/screening_one.html",
        e=e,
        d=screening.decision(ctx, e),
        open_entry=entries.open_entry(ctx, e),
    )


@bp.post("/enterprises/<int:enterprise_id>/nominate")
@permission(Perm.LISTING_MANAGE)
def nominate(enterprise_id: int) -> Any:
    e = enterprise_service.get_enterprise(enterprise_id)
    try:
        entry = entries.create(request_context(), e, origin="nomination")
        db.session.commit()
    except ServiceError as exc:
        _fail(exc)
        return redirect(url_for(".enterprise_screening", enterprise_id=e.id))
    return redirect(url_for(".entry", entry_id=entry.id))


@bp.get("/entries/<int:entry_id>")
@permission(Perm.LISTING_VIEW)
def entry(entry_id: int) -> Any:
    ctx = request_context()
    en = entries.get_entry(ctx, entry_id)
    pol = policy(ctx)
    return render_template(
        "listing/entry.html",
        entry=en,
        steps=entries.steps(ctx, en),
        files=entries.attachments(ctx, en),
        visits=listed.visits_of(ctx, en) if en.listed_on else [],
        deadlines=deadlines.of_subject("listing_entry", en.id),
        labels=LABELS,
        reasons=pol.removal_reasons().answer,
        rules=pol.listing_rule_ids(),
        can_manage=can(Perm.LISTING_MANAGE),
    )


@bp.post("/entries/<int:entry_id>/<step>")
@permission(Perm.LISTING_MANAGE)
def entry_step(entry_id: int, step: str) -> Any:
    ctx = request_context()
    en = entries.get_entry(ctx, entry_id)
    fn = ENTRY_STEPS.get(step)
    try:
        if fn is None:
            if step != "renewal":
                raise ServiceError("没有该步骤")
            new = listed.renew(ctx, en)
            db.session.commit()
            return redirect(url_for(".entry", entry_id=new.id))
        fn(ctx, en, request.form.to_dict())
        db.session.commit()
        flash(_("已记录"), "success")
    except ServiceError as exc:
        return redisplay(entry, step, exc, entry_id=entry_id)
    return redirect(url_for(".entry", entry_id=entry_id))


@bp.post("/batches")
@permission(Perm.LISTING_MANAGE)
def new_batch() -> Any:
    data = {**request.form.to_dict(), "entry_ids": request.form.getlist("entry_ids")}
    try:
        b = batches.create(request_context(), data)
        db.session.commit()
    except ServiceError as exc:
        return redisplay(index, "batch", exc, fields=("entry_ids",))
    return redirect(url_for(".batch", batch_id=b.id))


@bp.get("/batches/<int:batch_id>")
@permission(Perm.LISTING_VIEW)
def batch(batch_id: int) -> Any:
    ctx = request_context()
    b = batches.get_batch(ctx, batch_id)
    return render_template(
        "listing/batch.html",
        batch=b,
        members=batches.members(ctx, b),
        deadlines=deadlines.of_subject("listing_batch", b.id),
        objections=objections.objections(ctx, b),
        labels=LABELS,
        today=ctx.today,
        can_manage=can(Perm.LISTING_MANAGE),
    )


@bp.post("/batches/<int:batch_id>/<step>")
@permission(Perm.LISTING_MANAGE)
def batch_step(batch_id: int, step: str) -> Any:
    ctx = request_context()
    b = batches.get_batch(ctx, batch_id)
    try:
        if step not in BATCH_STEPS:
            raise ServiceError("没有该步骤")
        BATCH_STEPS[step](ctx, b, request.form.to_dict())
        db.session.commit()
        flash(_("已记录"), "success")
    except ServiceError as exc:
        return redisplay(batch, step, exc, batch_id=batch_id)
    return redirect(url_for(".batch", batch_id=batch_id))


@bp.post("/objections/<int:objection_id>/decide")
@permission(Perm.LISTING_MANAGE)
def decide(objection_id: int) -> Any:
    ctx = request_context()
    o = objections.get_objection(ctx, objection_id)
    try:
        objections.decide(ctx, o, request.form.to_dict())
        db.session.commit()
        flash(_("已处理异议"), "success")
    except ServiceError as exc:
        return redisplay(batch, f"objection-{o.id}", exc, batch_id=o.batch_id)
    return redirect(url_for(".batch", batch_id=o.batch_id))


@bp.get("/filings")
@permission(Perm.FILINGS_RECEIVE)
def inbox() -> Any:
    ctx = request_context()
    rows = filings.inbox(ctx)
    return render_template(
        "listing/filings.html",
        filings=rows,
        names=child_filings.tenant_names({f.tenant_id for f in rows}),
    )


@bp.post("/filings/<int:filing_id>/ack")
@permission(Perm.FILINGS_RECEIVE)
def ack(filing_id: int) -> Any:
    ctx = request_context()
    filing = filings.get_filing(ctx, filing_id)  # 404 outside the try: never a redirect
    try:
        filings.acknowledge(ctx, filing, request.form.to_dict())
        db.session.commit()
        flash(_("已签收备案"), "success")
    except ServiceError as exc:
        return redisplay(inbox, f"ack-{filing.id}", exc)
    return redirect(url_for(".inbox"))


@bp.get("/enterprises/<int:enterprise_id>/ledger")
@permission(Perm.LISTING_VIEW)
def ledger_page(enterprise_id: int) -> Any:
    ctx = request_context()
    e = enterprise_service.get_enterprise(enterprise_id)
    if request.args.get("format") == "xlsx":
        return _xlsx(ledger.export_xlsx(ctx, e), f"ledger-{e.uscc}.xlsx")
    rows = ledger.entries_of(ctx, e)
    return render_template("listing/ledger.html", e=e, rows=rows, labels=LABELS)
