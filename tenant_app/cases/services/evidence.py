"""Evidence of a case (issue 14 item 1): the linked inspection's evidence, reused as it is (its
files and body-camera references keep their own SHA-256 and stay with the inspection), and files
collected for the case itself, uploaded through the one upload store (core/uploads.py: name
cleaned, type sniffed, size bounded, SHA-256 recorded, removed again if the transaction rolls
back). Evidence is collected before the decision (先取证、后决定): once decided the case takes
no more. Both lists feed the evidence section of the notice and the decision (SX-2)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from sqlalchemy import select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import stages
from tenant_app.cases.services.common import NotFound, _id, audit_case, record_step
from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Case, CaseEvidence, InspectionEvidence

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = (".jpg", ".jpeg", ".png", ".pdf", ".mp4")
AREA = "cases"
NOTE_MAX = 500
BEFORE_DECISION = ("investigation", "notice", "hearing", "review", "discussion", "decision")


def add_evidence(
    ctx: Context, case: Case, stream: IO[bytes] | None, filename: str, note: str = ""
) -> CaseEvidence:
    """Store one file for the case with its SHA-256; an audit entry and a case step."""
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, BEFORE_DECISION, "再补充证据")
    if stream is None or not filename:
        raise ValidationFailed.field("file", "请选择文件")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed.field("note", f"不能超过{NOTE_MAX}字")
    s = uploads.store(
        stream,
        filename,
        area=AREA,
        tenant_id=case.tenant_id,
        allowed=ALLOWED,
        max_bytes=MAX_BYTES,
        field="file",
    )
    ev = CaseEvidence(
        case_id=case.id,
        filename=s.filename,
        content_type=s.content_type,
        size=s.size,
        sha256=s.sha256,
        stored_name=s.stored_name,
        note=note,
        collected_on=ctx.today,
        uploaded_by=ctx.actor.user_id,
    )
    db.session.add(ev)
    db.session.flush()
    record_step(
        ctx,
        case,
        "evidence_added",
        detail={"evidence_id": ev.id, "sha256": s.sha256},
        note=f"{s.filename}（SHA-256 {s.sha256}）",
    )
    audit_case(
        ctx,
        case,
        "case.evidence_added",
        after={"evidence_id": ev.id, "filename": s.filename, "sha256": s.sha256, "size": s.size},
    )
    return ev


def evidence_of(case: Case) -> list[CaseEvidence]:
    return list(
        db.session.execute(
            select(CaseEvidence).where(CaseEvidence.case_id == case.id).order_by(CaseEvidence.id)
        ).scalars()
    )


def inspection_evidence(case: Case) -> list[InspectionEvidence]:
    """The linked inspection's evidence, reused by the case (not copied)."""
    if case.inspection_id is None:
        return []
    return list(
        db.session.execute(
            select(InspectionEvidence)
            .where(InspectionEvidence.inspection_id == case.inspection_id)
            .order_by(InspectionEvidence.id)
        ).scalars()
    )


def get_evidence(case: Case, evidence_id: object) -> CaseEvidence:
    oid = _id(evidence_id)
    row = (
        db.session.execute(
            select(CaseEvidence).where(CaseEvidence.id == oid, CaseEvidence.case_id == case.id)
        ).scalar_one_or_none()
        if oid
        else None
    )
    if row is None or not row.stored_name:
        raise NotFound("没有该证据文件")
    return row


def path_of(ev: CaseEvidence) -> Path:
    return uploads.path_of(ev.stored_name)
