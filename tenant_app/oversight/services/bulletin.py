"""The oversight bulletin (稽查通报, issue 17 item 3): for a period and a subtree, every chart's
figures, the most and never inspected enterprises, and the findings per child region (the
correction items assigned to it in the period with their state); a print view and a DOCX."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import SHANGHAI
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models.oversight import CORRECTION_STATUSES, CORRECTION_TOPICS, CorrectionItem
from tenant_app.oversight.services import stats


@dataclass
class RegionFindings:
    name: str
    items: list[CorrectionItem] = field(default_factory=list)


@dataclass
class Bulletin:
    title: str
    f: stats.Filters
    charts: list[stats.Chart]
    loads: list[stats.EnterpriseLoad]
    never_total: int
    regions: list[RegionFindings]


def _utc(day: Any) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC)


def build(ctx: Context, f: stats.Filters) -> Bulletin:
    require_action(ctx, Perm.OVERSIGHT_VIEW)
    charts = [stats.chart(ctx, f, key) for key in stats.specs()]
    never_total, _rows = stats.never_inspected_key(ctx, f, limit=1)
    tenant_bucket = stats.bucket_of(f)
    names = dict(stats.bucket_names(f))
    regions = {b: RegionFindings(n) for b, n in names.items()}
    items = db.session.execute(
        select(CorrectionItem)
        .where(
            CorrectionItem.tenant_id.in_(f.region_ids),
            CorrectionItem.issued_at >= _utc(f.start),
            CorrectionItem.issued_at < _utc(f.end + timedelta(days=1)),
        )
        .order_by(CorrectionItem.tenant_id, CorrectionItem.id)
    ).scalars()
    for item in items:
        regions[tenant_bucket.get(item.tenant_id, stats.SELF)].items.append(item)
    title = f"{f.region.name}稽查通报（{f.start.isoformat()} 至 {f.end.isoformat()}）"
    return Bulletin(
        title,
        f,
        charts,
        stats.most_inspected(ctx, f, limit=10),
        never_total,
        [r for r in regions.values()],
    )


def docx(b: Bulletin) -> bytes:
    """The bulletin as an editable DOCX: each chart as its table of figures."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    out = Docx()
    style = out.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    p = out.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(b.title)
    run.bold, run.font.size = True, Pt(18)

    def table(header: list[str], rows: list[list[Any]]) -> None:
        t = out.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = str(text)
        for r in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, r, strict=True):
                cell.text = str(value)

    out.add_heading("一、统计情况", level=1)
    for c in b.charts:
        out.add_heading(c.title, level=2)
        out.add_paragraph(c.note)
        if c.snapshot_at is not None:
            at = c.snapshot_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            out.add_paragraph(
                f"取自各地每日期限提醒运行（最早一次更新于 {at}）。"
                if c.snapshot_kind == "overdue"
                else f"整月数据取自 {at} 的统计快照，其余为实时数据。"
            )
        elif c.snapshot_kind == "overdue":
            out.add_paragraph("各地尚未运行每日期限提醒，暂无逾期事项数据。")
        totals = ["合计", *(c.totals[k] for k, _l in c.measures), *("" for _p in c.percent)]
        table(c.header(), [*c.rows(), totals])
    out.add_heading("现场检查最多的企业（对照年度频次上限）", level=2)
    table(
        ["地区", "企业", "现场检查次数", "年度频次上限"],
        [[r.region, r.name, r.on_site, r.cap if r.cap is not None else "—"] for r in b.loads],
    )
    out.add_paragraph(f"未开展现场检查的重点排污单位：{b.never_total} 家。")
    out.add_heading("二、各地区发现的问题及整改", level=1)
    for region in b.regions:
        out.add_heading(region.name, level=2)
        if not region.items:
            out.add_paragraph("本期未下达内部纠错事项。")
            continue
        table(
            ["问题类别", "发现的问题", "整改期限", "状态"],
            [
                [
                    CORRECTION_TOPICS.get(i.topic, i.topic),
                    i.finding,
                    i.due_on.isoformat(),
                    CORRECTION_STATUSES.get(i.status, i.status),
                ]
                for i in region.items
            ],
        )
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
