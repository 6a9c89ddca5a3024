"""Adding and changing an enterprise's compliance records, and reading its timeline.

Each write validates the whole row (record_rows) before touching the session and is audited
in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, Enterprise
from tenant_app.models.records import (
    CREDIT_LISTS,
    INCIDENT_LEVELS,
    RECORD_KINDS,
    RECTIFICATION_OUTCOMES,
)
from tenant_app.registry.services.enterprises import MAX_ID, NotFound
from tenant_app.registry.services.record_rows import COMMON, KIND_FIELDS, validate_record_row


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v)
        for k, v in values.items()
    }


def add_record(ctx: Context, e: Enterprise, kind: str, data: dict[str, Any]) -> ComplianceRecord:
    require_action(ctx, Perm.RECORDS_EDIT)
    clean, errors = validate_record_row(kind, data, today=ctx.today)
    if errors:
        raise ServiceError("记录内容有误，请按提示修改", errors)
    rec = ComplianceRecord(
        enterprise_id=e.id, entered_by=ctx.user_id, entered_by_name=ctx.actor.name, **clean
    )
    db.session.add(rec)
    db.session.flush()
    audit.record(
        ctx,
        "record.created",
        object_type="compliance_record",
        object_id=rec.id,
        after=_plain({"enterprise_id": e.id, **clean}),
    )
    return rec


def get_record(e: Enterprise, record_id: int) -> ComplianceRecord:
    rec = None
    if 0 < record_id <= MAX_ID:
        rec = db.session.execute(
            select(ComplianceRecord).where(
                ComplianceRecord.id == record_id, ComplianceRecord.enterprise_id == e.id
            )
        ).scalar_one_or_none()
    if rec is None:
        raise NotFound("没有找到该记录")
    return rec


def record_row(rec: ComplianceRecord) -> dict[str, Any]:
    return {name: getattr(rec, name) for name in (*COMMON, *KIND_FIELDS[rec.kind])}


def update_record(ctx: Context, rec: ComplianceRecord, changes: dict[str, Any]) -> ComplianceRecord:
    """Change fields of a record (a rectification's outcome, a credit listing's exit date…);
    the kind never changes. The whole resulting row is validated again."""
    require_action(ctx, Perm.RECORDS_EDIT)
    current = record_row(rec)
    unknown = sorted(set(changes) - set(current))
    if unknown:
        raise ServiceError("提交的内容有误", {k: ["该类记录没有这个字段"] for k in unknown})
    clean, errors = validate_record_row(rec.kind, {**current, **changes}, today=ctx.today)
    if errors:
        raise ServiceError("记录内容有误，请按提示修改", errors)
    before = {k: current[k] for k in current if current[k] != clean[k]}
    if not before:
        return rec
    for k in before:
        setattr(rec, k, clean[k])
    db.session.flush()
    audit.record(
        ctx,
        "record.updated",
        object_type="compliance_record",
        object_id=rec.id,
        before=_plain(before),
        after=_plain({k: clean[k] for k in before}),
    )
    return rec


def records_of(e: Enterprise, kinds: Iterable[str] | None = None) -> list[ComplianceRecord]:
    stmt = select(ComplianceRecord).where(ComplianceRecord.enterprise_id == e.id)
    if kinds is not None:
        stmt = stmt.where(ComplianceRecord.kind.in_(list(kinds)))
    return list(
        db.session.execute(
            stmt.order_by(ComplianceRecord.record_date.desc(), ComplianceRecord.id.desc())
        ).scalars()
    )


def enterprise_ids_by_uscc(codes: Iterable[str]) -> dict[str, int]:
    """For the importer: resolve a batch of credit codes to this tenant's enterprise ids."""
    wanted = sorted(set(codes))
    out: dict[str, int] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        out.update(
            (code, id_)
            for code, id_ in db.session.execute(
                select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(chunk))
            )
        )
    return out


@dataclass(frozen=True)
class TimelineEvent:
    day: date
    kind: str
    title: str
    detail: str
    record: ComplianceRecord | None
    source: str = ""
    case_id: int | None = None  # an enforcement case's filing or decision (issue 14 item 9)
    order_id: int | None = None  # a correction order and its verification (issue 15)
    link: str = ""  # issue 15: a ladder document, a fine's payment page (the staff's or party's)


def _describe(r: ComplianceRecord) -> str:
    parts = [r.ref, r.summary]
    if r.kind == "penalty":
        if r.fine_amount is not None:
            parts.append(f"罚款 {r.fine_amount} 元")
        flags = [
            n
            for n, on in (
                ("恶意偷排", r.secret_discharge),
                ("篡改伪造台账", r.falsified_records),
                ("逃避监管", r.evading_supervision),
            )
            if on
        ]
        if flags:
            parts.append("恶意违法：" + "、".join(flags))
    if r.kind == "incident" and r.level:
        parts.append(f"{INCIDENT_LEVELS.get(r.level, r.level)}突发环境事件")
    if r.kind == "complaint":
        parts.append("查证属实" if r.verified else "未查证属实")
    if r.period:
        parts.append(f"报告期 {r.period}")
    if r.kind == "rectification" and r.due_date:
        parts.append(
            f"期限 {r.due_date.isoformat()}，{RECTIFICATION_OUTCOMES.get(r.outcome or 'open')}"
        )
    return "；".join(p for p in parts if p)


def timeline(e: Enterprise, *, party: bool = False) -> list[TimelineEvent]:
    """Every dated event of every record, newest first (a credit stay gives its entry and its
    exit; a rectification its order and its completion)."""
    events: list[TimelineEvent] = []
    for r in records_of(e):
        label = RECORD_KINDS[r.kind]
        if r.kind == "credit_listing":
            name = CREDIT_LISTS.get(r.list_name or "", "")
            events.append(TimelineEvent(r.record_date, r.kind, f"列入{name}", _describe(r), r))
            if r.end_date:
                events.append(TimelineEvent(r.end_date, r.kind, f"移出{name}", r.source, r))
            continue
        events.append(TimelineEvent(r.record_date, r.kind, label, _describe(r), r))
        if r.kind == "rectification" and r.closed_on:
            events.append(
                TimelineEvent(
                    r.closed_on,
                    r.kind,
                    "整改完成",
                    RECTIFICATION_OUTCOMES.get(r.outcome or "", ""),
                    r,
                )
            )
    events += case_events(e, party=party)
    events += order_events(e, party=party)
    events += enforcement_events(e, party=party)
    events.sort(key=lambda ev: (ev.day, ev.record.id if ev.record else 0), reverse=True)
    return events


def order_events(e: Enterprise, *, party: bool = False) -> list[TimelineEvent]:
    """The enterprise's correction orders (within the scope, issue 15): each order with its
    deadline, and its verification with the outcome. The party sees a decision's order once the
    decision is served, as on its own pages."""
    from tenant_app.models import Case, CorrectionOrder
    from tenant_app.models.rectification import ORDER_STATUSES, VERIFY_METHODS

    rows = db.session.execute(
        select(CorrectionOrder)
        .where(CorrectionOrder.enterprise_id == e.id)
        .order_by(CorrectionOrder.id)
    ).scalars()
    events: list[TimelineEvent] = []
    for o in rows:
        if party and o.case_id is not None:
            case = db.session.get(Case, o.case_id)
            if case is None or case.served_on is None:
                continue
        source = f"责令改正 #{o.id}"
        events.append(
            TimelineEvent(
                o.issued_on,
                "correction_order",
                "责令改正",
                f"{o.content[:80]}（限 {o.due_on} 前改正）",
                None,
                source,
                order_id=o.id,
            )
        )
        if o.verified_on:
            events.append(
                TimelineEvent(
                    o.verified_on,
                    "correction_order",
                    "整改核查",
                    f"{VERIFY_METHODS.get(o.verify_method or '', '')}：{ORDER_STATUSES[o.status]}",
                    None,
                    source,
                    order_id=o.id,
                )
            )
    return events


def case_events(e: Enterprise, *, party: bool = False) -> list[TimelineEvent]:
    """The enterprise's enforcement cases (within the scope): each filing and each decision.
    The party itself sees a case only once it was told of it (the notice), as on its case
    pages."""
    from tenant_app.models import Case

    rows = db.session.execute(
        select(Case).where(Case.enterprise_id == e.id).order_by(Case.id)
    ).scalars()
    events: list[TimelineEvent] = []
    for c in rows:
        if party and c.noticed_on is None:
            continue
        source = f"行政处罚案件 #{c.id}"
        events.append(
            TimelineEvent(c.filed_on, "case", "行政处罚立案", c.title, None, source, c.id)
        )
        if c.decided_on:
            detail = f"罚款合计 {c.total_fine} 元" if c.total_fine else "不予行政处罚"
            if c.police_transfer:
                detail += "；移送公安机关"
            events.append(
                TimelineEvent(c.decided_on, "case", "行政处罚决定", detail, None, source, c.id)
            )
    return events


def enforcement_events(e: Enterprise, *, party: bool = False) -> list[TimelineEvent]:
    """Issue 15: the guidance letters and reasoned warnings it was given (SX-0), the 普法
    activities it attended (SX-2), its fine payments and the decisions on its deferral or
    instalment applications (SX-13). Links go to the staff's or the party's pages."""
    from tenant_app.models import (
        Case,
        EducationAttendance,
        EducationEvent,
        FinePayment,
        LadderStep,
        PaymentApplication,
        Tenant,
    )
    from tenant_app.models.enforcement import APPLICATION_KINDS, APPLICATION_STATUSES

    slug = db.session.execute(select(Tenant.slug).where(Tenant.id == e.tenant_id)).scalar_one()
    side = f"/{slug}/enterprise/enforcement" if party else f"/{slug}/enforcement"
    events: list[TimelineEvent] = []
    for st in db.session.execute(
        select(LadderStep).where(LadderStep.enterprise_id == e.id).order_by(LadderStep.id)
    ).scalars():
        if st.document_body:
            events.append(
                TimelineEvent(
                    st.on_date,
                    "ladder",
                    st.document_title,
                    st.finding,
                    None,
                    "渐进式执法",
                    link=f"{side}/steps/{st.id}/document",
                )
            )
    for ev in db.session.execute(
        select(EducationEvent)
        .join(EducationAttendance, EducationAttendance.event_id == EducationEvent.id)
        .where(EducationAttendance.enterprise_id == e.id, EducationAttendance.present.is_(True))
    ).scalars():
        events.append(
            TimelineEvent(ev.held_on, "education", "参加普法活动", ev.topic, None, "普法")
        )
    fined = {
        c.id: c
        for c in db.session.execute(
            select(Case).where(Case.enterprise_id == e.id, Case.total_fine > 0)
        ).scalars()
    }
    if fined:
        for p in db.session.execute(
            select(FinePayment).where(FinePayment.case_id.in_(fined))
        ).scalars():
            c = fined[p.case_id]
            page = f"{side}/cases/{c.id}" + ("" if party else "/payment")
            events.append(
                TimelineEvent(
                    p.paid_on,
                    "payment",
                    "缴纳罚款",
                    f"{Decimal(p.amount_fen) / 100:,.2f} 元",
                    None,
                    c.decision_no or c.title,
                    link=page,
                )
            )
        for a in db.session.execute(
            select(PaymentApplication).where(
                PaymentApplication.case_id.in_(fined), PaymentApplication.decided_on.is_not(None)
            )
        ).scalars():
            c = fined[a.case_id]
            assert a.decided_on is not None
            page = f"{side}/cases/{c.id}" + ("" if party else "/payment")
            events.append(
                TimelineEvent(
                    a.decided_on,
                    "payment",
                    APPLICATION_KINDS[a.kind],
                    APPLICATION_STATUSES[a.status],
                    None,
                    c.decision_no or c.title,
                    link=page,
                )
            )
    return events
