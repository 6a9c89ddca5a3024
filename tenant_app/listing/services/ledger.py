"""台账 per enterprise (XJ-S: every on- and off-site check is recorded in the ledger).

Other issues (inspections) append with ``add_entry(ctx, …)``; it writes in the caller's transaction and
tenant, so the line commits or rolls back with the check it records.
"""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.core.spreadsheet import safe_row
from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.models.listing import LedgerEntry

KINDS = {
    "listing": "纳入程序",
    "site_verification": "现场核查",
    "commitment": "守法承诺",
    "notice": "社会公示",
    "publication": "正式发布",
    "filing": "备案",
    "visit": "体检式帮扶",
    "removal": "移出",
    "on_site_check": "现场检查",
    "off_site_check": "非现场检查",
    "expiry": "有效期届满",
    "objection": "公示异议",
    "stopped": "终止纳入程序",
    "case_filed": "行政处罚立案",
    "penalty_decision": "行政处罚决定",
    "correction_order": "责令改正",
    "rectification_help": "整改帮扶",
    "rectification_verified": "整改核查",
}


def add_entry(
    ctx: Context, enterprise: Enterprise, kind: str, when: date, summary: str, ref: str = ""
) -> LedgerEntry:
    """Append one line to ``enterprise``'s ledger, recorded by the context's actor. ``kind``: a
    KINDS key (an unknown kind is kept as given so a new check type never fails the caller's
    transaction)."""
    row = LedgerEntry(
        enterprise_id=enterprise.id,
        kind=kind[:32],
        on_date=when,
        summary=summary,
        ref=ref[:128],
        actor_name=ctx.actor.name[:64],
    )
    db.session.add(row)
    return row


def entries_of(ctx: Context, enterprise: Enterprise) -> list[LedgerEntry]:
    return list(
        db.session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.enterprise_id == enterprise.id)
            .order_by(LedgerEntry.on_date, LedgerEntry.id)
        ).scalars()
    )


def export_xlsx(ctx: Context, enterprise: Enterprise) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(safe_row([f"{enterprise.name}（{enterprise.uscc}）正面清单监督执法台账"]))
    ws.append(["日期", "类别", "内容", "关联", "记录人"])
    for e in entries_of(ctx, enterprise):
        ws.append(
            safe_row(
                [e.on_date.isoformat(), KINDS.get(e.kind, e.kind), e.summary, e.ref, e.actor_name]
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
