"""XJ-S self-inspection reports: after a monitoring anomaly, the listed enterprise's user sends a
written report (text plus an optional PDF/image); staff review it. Only an accepted report lets
an on-site check of a listed enterprise for a monitoring anomaly be proposed (checks.py)."""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy import select

from ...clock import utcnow
from ...extensions import db
from ...models import SelfInspectionReport
from .. import audit
from ..enterprise_accounts import my_enterprise
from ..errors import Conflict, ValidationFailed
from . import storage
from .common import get, user_id


def submit(
    summary: str,
    stream: IO[bytes] | None = None,
    filename: str = "",
    anomaly_record_id: int | None = None,
) -> SelfInspectionReport:
    """By the enterprise user, for their own enterprise only (resolved from the account)."""
    e = my_enterprise()
    summary = summary.strip()
    if len(summary) < 10:
        raise ValidationFailed.field("summary", "请填写自查情况（不少于 10 字）")
    r = SelfInspectionReport(
        enterprise_id=e.id,
        summary=summary[:20000],
        submitted_by=user_id(),
        anomaly_record_id=anomaly_record_id,
    )
    if stream is not None and filename:
        s = storage.store(stream, filename, e.tenant_id, "self-reports")
        r.filename, r.stored_name, r.sha256, r.size = s.filename, s.stored_name, s.sha256, s.size
    db.session.add(r)
    db.session.flush()
    audit.record(
        "self_report.submitted",
        object_type="self_inspection_report",
        object_id=r.id,
        after={"enterprise_id": e.id, "sha256": r.sha256, "filename": r.filename},
    )
    return r


def review(r: SelfInspectionReport, accept: bool, comment: str) -> SelfInspectionReport:
    if r.status != "submitted":
        raise Conflict("该报告已审核", {"status": [r.status]})
    if not accept and not comment.strip():
        raise ValidationFailed.field("comment", "退回须说明需补充的内容")
    r.status = "accepted" if accept else "returned"
    r.reviewed_by, r.reviewed_at, r.review_comment = user_id(), utcnow(), comment.strip()[:1000]
    audit.record(
        "self_report.reviewed",
        object_type="self_inspection_report",
        object_id=r.id,
        before={"status": "submitted"},
        after={"status": r.status, "comment": r.review_comment, "rule_id": "XJ-S"},
    )
    return r


def get_report(report_id: Any) -> SelfInspectionReport:
    return get(SelfInspectionReport, report_id, "该自查报告")


def reports(status: str | None = None) -> list[SelfInspectionReport]:
    stmt = select(SelfInspectionReport).order_by(SelfInspectionReport.id.desc()).limit(200)
    if status:
        stmt = stmt.where(SelfInspectionReport.status == status)
    return list(db.session.execute(stmt).scalars())


def my_reports() -> list[SelfInspectionReport]:
    e = my_enterprise()
    return list(
        db.session.execute(
            select(SelfInspectionReport)
            .where(SelfInspectionReport.enterprise_id == e.id)
            .order_by(SelfInspectionReport.id.desc())
        ).scalars()
    )
