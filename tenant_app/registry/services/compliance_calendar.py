"""An enterprise's compliance calendar: what falls due, from its permit and its records.

Items: permit expiry and the renewal application (《排污许可管理条例》第十四条: 60 days before),
permit execution reports (platform default from HJ 944: annual report of the past year by
31 January for permit holders; for 重点管理 also quarterly, by the 15th of the month after the
quarter) not yet on record, and open rectifications with their due dates. Later issues add
listing visits and renewals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tenant_app import clock
from tenant_app.models import ComplianceRecord, Enterprise
from tenant_app.models.records import RECTIFICATION_OUTCOMES
from tenant_app.registry.services.records import records_of

HORIZON_DAYS = 365
RENEWAL_LEAD_DAYS = 60


@dataclass(frozen=True)
class CalendarItem:
    day: date
    title: str
    kind: str  # permit_expiry | permit_renewal | execution_report | rectification
    overdue: bool
    detail: str = ""


def _quarter_due(year: int, q: int) -> date:
    month = q * 3 + 1
    return date(year + (month > 12), (month - 1) % 12 + 1, 15)


def _reports_due(e: Enterprise, filed: set[str], today: date) -> list[CalendarItem]:
    if e.permit_class not in ("key", "simplified") or not e.permit_no:
        return []
    out = []
    last_year = today.year - 1
    if str(last_year) not in filed:
        due = date(today.year, 1, 31)
        out.append(
            CalendarItem(
                due, f"提交 {last_year} 年度排污许可执行报告", "execution_report", due < today
            )
        )
    if e.permit_class == "key":
        current_q = (today.month - 1) // 3 + 1
        year, q = (today.year, current_q - 1) if current_q > 1 else (today.year - 1, 4)
        if f"{year}-Q{q}" not in filed:
            due = _quarter_due(year, q)
            out.append(
                CalendarItem(
                    due,
                    f"提交 {year} 年第 {q} 季度排污许可执行报告",
                    "execution_report",
                    due < today,
                )
            )
    return out


def _rectifications(recs: list[ComplianceRecord], today: date) -> list[CalendarItem]:
    out = []
    for r in recs:
        if r.kind == "rectification" and r.due_date and r.outcome in (None, "open", "extended"):
            out.append(
                CalendarItem(
                    r.due_date,
                    f"整改期限：{r.summary[:40]}",
                    "rectification",
                    r.due_date < today,
                    RECTIFICATION_OUTCOMES.get(r.outcome or "open", ""),
                )
            )
    return out


def compliance_calendar(e: Enterprise, today: date | None = None) -> list[CalendarItem]:
    """Items due within a year, plus anything already overdue; soonest first."""
    today = today or clock.today()
    recs = records_of(e, ["execution_report", "rectification"])
    filed = {r.period for r in recs if r.kind == "execution_report" and r.period}
    items = _reports_due(e, filed, today) + _rectifications(recs, today)
    if e.permit_valid_to is not None and e.permit_class != "not_required":
        items.append(
            CalendarItem(
                e.permit_valid_to,
                "排污许可证（登记）有效期届满",
                "permit_expiry",
                e.permit_valid_to < today,
                e.permit_no,
            )
        )
        renewal = e.permit_valid_to - timedelta(days=RENEWAL_LEAD_DAYS)
        if renewal >= today:
            items.append(
                CalendarItem(
                    renewal, "申请延续排污许可证的最后期限（届满前 60 日）", "permit_renewal", False
                )
            )
    horizon = today + timedelta(days=HORIZON_DAYS)
    return sorted(
        (i for i in items if i.overdue or today <= i.day <= horizon), key=lambda i: (i.day, i.title)
    )
