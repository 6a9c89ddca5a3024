"""What the public sees of a tenant's positive list (no login): the current list, notices in
progress, publications and removals. Only public fields (XJ-P notice content); rows are read in
the tenant's own scope, so another tenant's entries never appear."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.core.spreadsheet import safe_row
from tenant_app.extensions import db
from tenant_app.listing.services.batches import _public_row, members
from tenant_app.listing.services.common import policy
from tenant_app.models.listing import ListingBatch, ListingEntry, ListingObjection


def list_type() -> str:
    return "生态环境监督执法正面清单"


def current_list(ctx: Context) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(ListingEntry)
        .where(ListingEntry.state.in_(("listed", "removal_pending")))
        .order_by(ListingEntry.listed_on, ListingEntry.id)
    ).scalars()
    return [
        {**_public_row(e), "listed_on": e.listed_on.isoformat() if e.listed_on else None}
        for e in rows
    ]


def notices(ctx: Context) -> list[dict[str, Any]]:
    out = []
    for b in db.session.execute(
        select(ListingBatch).where(ListingBatch.state == "notice").order_by(ListingBatch.id.desc())
    ).scalars():
        out.append(notice(ctx, b))
    return out


def archived_notices(ctx: Context) -> list[ListingBatch]:
    """Notices whose batch has been published: still reachable, as an archive (XJ-P 社会公示)."""
    return list(
        db.session.execute(
            select(ListingBatch)
            .where(
                ListingBatch.kind == "addition",
                ListingBatch.state.in_(("published", "filed")),
                ListingBatch.notice_start.is_not(None),
            )
            .order_by(ListingBatch.published_on.desc(), ListingBatch.id.desc())
        ).scalars()
    )


PUBLISHED_STATES = ("listed", "removal_pending", "expired", "removed")


def notice(ctx: Context, b: ListingBatch) -> dict[str, Any]:
    """Every field XJ-P lists (policy procedure.notice_content) and the complaint channel. While
    the batch is in notice: the entries in notice, objections taken from its first to its last
    day. Once published: the archive of the same notice (the entries it published)."""
    pol = policy(ctx, b.notice_start)
    years = pol.validity_years().answer
    archived = b.state in ("published", "filed")
    shown = PUBLISHED_STATES if archived else ("in_notice",)
    entries = [
        {
            **_public_row(e),
            "entry_id": e.id,
            "list_type": list_type(),
            "validity": f"自正式发布之日起{years}年",
        }
        for e in members(ctx, b)
        if e.state in shown
    ]
    dismissed = list(
        db.session.execute(
            select(ListingObjection).where(
                ListingObjection.batch_id == b.id,
                ListingObjection.state.in_(("dismissed", "upheld")),
            )
        ).scalars()
    )
    on = ctx.today
    return {
        "batch": b,
        "entries": entries,
        "fields": list(pol.notice_content().answer),
        "decisions": [{"state": o.state, "reason": o.reason} for o in dismissed],
        "archived": archived,
        "taking_objections": (
            b.state == "notice"
            and b.notice_start is not None
            and b.notice_end is not None
            and b.notice_start <= on <= b.notice_end
        ),
    }


def publications(ctx: Context, kind: str | None = None) -> list[dict[str, Any]]:
    stmt = (
        select(ListingBatch)
        .where(ListingBatch.state.in_(("published", "filed")))
        .order_by(ListingBatch.published_on.desc())
    )
    if kind:
        stmt = stmt.where(ListingBatch.kind == kind)
    out = []
    for b in db.session.execute(stmt).scalars():
        done = (
            ("listed", "removal_pending", "expired", "removed")
            if b.kind == "addition"
            else ("removed",)
        )
        rows = [_public_row(e) for e in members(ctx, b) if e.state in done]
        out.append({"batch": b, "entries": rows})
    return out


def xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(safe_row(header))
    for r in rows:
        ws.append(safe_row(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


LIST_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所在地",
    "所属行业",
    "排污许可证编号（登记编号）",
    "纳入日期",
    "有效期至",
]


def current_list_xlsx(ctx: Context) -> bytes:
    return xlsx(
        "正面清单",
        LIST_HEADER,
        [
            [
                r["name"],
                r["uscc"],
                r["address"],
                r["industry"],
                r["permit_no"],
                r["listed_on"],
                r["valid_until"],
            ]
            for r in current_list(ctx)
        ],
    )


def publications_xlsx(ctx: Context, kind: str | None) -> bytes:
    rows = []
    for p in publications(ctx, kind):
        b = p["batch"]
        for r in p["entries"]:
            rows.append(
                [
                    b.title,
                    "纳入" if b.kind == "addition" else "移出",
                    str(b.published_on),
                    r["name"],
                    r["uscc"],
                    r["address"],
                    r["industry"],
                    r["permit_no"],
                    r["valid_until"] or "",
                ]
            )
    return xlsx(
        "发布",
        [
            "批次",
            "类型",
            "发布日期",
            "企业名称",
            "统一社会信用代码",
            "所在地",
            "所属行业",
            "排污许可证编号（登记编号）",
            "有效期至",
        ],
        rows,
    )


def notices_xlsx(ctx: Context) -> bytes:
    rows = []
    for n in notices(ctx):
        b = n["batch"]
        for r in n["entries"]:
            rows.append(
                [
                    b.title,
                    str(b.notice_start),
                    str(b.notice_end),
                    r["name"],
                    r["address"],
                    r["uscc"],
                    r["industry"],
                    r["permit_no"],
                    r["list_type"],
                    r["validity"],
                    b.complaint_channel,
                ]
            )
    return xlsx(
        "公示",
        [
            "批次",
            "公示开始",
            "公示截止",
            "企业名称",
            "所在地",
            "统一社会信用代码",
            "所属行业",
            "排污许可证编号（登记编号）",
            "正面清单类型",
            "正面清单有效期",
            "投诉举报途径",
        ],
        rows,
    )
