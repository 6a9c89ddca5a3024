"""XJ-S self-inspection reports: after a monitoring anomaly, the listed enterprise's user sends a
written report (text plus an optional PDF/image) answering one lead (a monitoring-anomaly record);
staff review it: "visit still needed" lets one on-site check of that lead be proposed
(checks.reviewed_report), "resolved, no visit needed" closes the lead, "returned" asks for more."""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services import storage
from tenant_app.inspections.services.common import cite, get, parse_int, policy_of
from tenant_app.models import ComplianceRecord, SelfInspectionReport
from tenant_app.models.inspection import REPORT_VISIT_NEEDED, REVIEW_OUTCOMES
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.tenancy.queries import Page, keyset_page


def submit(
    ctx: Context,
    summary: str,
    stream: IO[bytes] | None = None,
    filename: str = "",
    anomaly_record_id: Any = None,
) -> SelfInspectionReport:
    """By the enterprise user, for their own enterprise only (resolved from the account)."""
    e = my_enterprise(ctx)
    summary = summary.strip()
    if len(summary) < 10:
        raise ValidationFailed.field("summary", "请填写自查情况（不少于 10 字）")
    r = SelfInspectionReport(
        enterprise_id=e.id,
        summary=summary[:20000],
        submitted_by=ctx.actor.user_id,
    )
    if anomaly_record_id not in (None, ""):
        r.anomaly_record_id = _lead(ctx, r, anomaly_record_id).id
    if stream is not None and filename:
        s = storage.store(stream, filename, e.tenant_id, "self-reports")
        r.filename, r.stored_name, r.sha256, r.size = s.filename, s.stored_name, s.sha256, s.size
    db.session.add(r)
    db.session.flush()
    audit.record(
        ctx,
        "self_report.submitted",
        object_type="self_inspection_report",
        object_id=r.id,
        after={"enterprise_id": e.id, "sha256": r.sha256, "filename": r.filename},
    )
    return r


def _rule(ctx: Context) -> str:
    """The rule that asks for the reviewed self-inspection report (XJ-S): how the pack
    supervises listed enterprises."""
    return policy_of(ctx).listed_supervision().rule_id


def _lead(ctx: Context, r: SelfInspectionReport, anomaly_record_id: Any) -> ComplianceRecord:
    """The monitoring anomaly (a registry record of this enterprise) the report answers."""
    rid = parse_int(anomaly_record_id, "anomaly_record_id", required=False) or r.anomaly_record_id
    rec = (
        db.session.execute(
            select(ComplianceRecord).where(
                ComplianceRecord.id == rid,
                ComplianceRecord.enterprise_id == r.enterprise_id,
                ComplianceRecord.kind == "monitoring_anomaly",
            )
        ).scalar_one_or_none()
        if rid
        else None
    )
    if rec is None:
        raise ValidationFailed.field(
            "anomaly_record_id",
            cite(
                _rule(ctx),
                "请指明该报告所答复的在线监测数据异常线索（该企业的“在线监测数据异常”记录）",
            ),
        )
    return rec


def review(
    ctx: Context,
    r: SelfInspectionReport,
    outcome: str,
    comment: str,
    anomaly_record_id: Any = None,
) -> SelfInspectionReport:
    """XJ-S 经审核: ``visit_needed`` (仍需赴现场调查核实: unlocks one on-site visit for the lead
    it answers), ``resolved`` (问题已解决，无需现场检查: closes the lead) or ``returned``."""
    if r.status != "submitted":
        raise Conflict("该报告已审核", {"status": [r.status]})
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationFailed.field("outcome", "请选择审核结论")
    comment = comment.strip()
    if outcome == "returned" and not comment:
        raise ValidationFailed.field("comment", "退回须说明需补充的内容")
    if outcome != "returned":
        r.anomaly_record_id = _lead(ctx, r, anomaly_record_id).id
    r.status = REVIEW_OUTCOMES[outcome]
    r.reviewed_by, r.reviewed_at, r.review_comment = ctx.actor.user_id, utcnow(), comment[:1000]
    audit.record(
        ctx,
        "self_report.reviewed",
        object_type="self_inspection_report",
        object_id=r.id,
        before={"status": "submitted"},
        after={
            "status": r.status,
            "outcome": outcome,
            "lead_record_id": r.anomaly_record_id,
            "comment": r.review_comment,
            "rule_id": _rule(ctx),
        },
    )
    return r


def get_report(report_id: Any) -> SelfInspectionReport:
    return get(SelfInspectionReport, report_id, "该自查报告")


def reports(status: str | None = None, *, after: int | None = None, limit: int = 50) -> Page:
    """Newest first, keyset-paged, with how many in all."""
    stmt = select(SelfInspectionReport)
    if status:
        stmt = stmt.where(SelfInspectionReport.status == status)
    return keyset_page(stmt, SelfInspectionReport.id, after, limit, descending=True, count=True)


def leads() -> list[SelfInspectionReport]:
    """The reports whose lead still needs a visit (a new inspection can follow one up), newest
    first. All of them: these are the open leads, which the reviewers keep short."""
    return list(
        db.session.execute(
            select(SelfInspectionReport)
            .where(SelfInspectionReport.status == REPORT_VISIT_NEEDED)
            .order_by(SelfInspectionReport.id.desc())
        ).scalars()
    )


def anomalies_of(enterprise_id: int) -> list[ComplianceRecord]:
    """The enterprise's monitoring-anomaly records (the leads a report can answer), newest first."""
    return list(
        db.session.execute(
            select(ComplianceRecord)
            .where(
                ComplianceRecord.enterprise_id == enterprise_id,
                ComplianceRecord.kind == "monitoring_anomaly",
            )
            .order_by(ComplianceRecord.record_date.desc(), ComplianceRecord.id.desc())
            .limit(100)
        ).scalars()
    )


def my_anomalies(ctx: Context) -> list[ComplianceRecord]:
    return anomalies_of(my_enterprise(ctx).id)


def my_reports(ctx: Context) -> list[SelfInspectionReport]:
    e = my_enterprise(ctx)
    return list(
        db.session.execute(
            select(SelfInspectionReport)
            .where(SelfInspectionReport.enterprise_id == e.id)
            .order_by(SelfInspectionReport.id.desc())
        ).scalars()
    )
