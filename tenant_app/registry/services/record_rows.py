"""One compliance-record row → clean column values or errors by field, per kind.

Pages, the API and the bulk importer call ``validate_record_row(kind, row)``. The row names its
enterprise elsewhere (a URL, or the importer's ``uscc`` column resolved in one query with
``records.enterprise_ids_by_uscc``); fields another kind uses are ignored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tenant_app import clock
from tenant_app.core import row_fields as f
from tenant_app.models.records import (
    CREDIT_LISTS,
    DATE_LABELS,
    INCIDENT_LEVELS,
    RECORD_KINDS,
    RECTIFICATION_OUTCOMES,
)

COMMON = ("record_date", "ref", "summary", "source")
# Per kind: the extra columns it uses, and which of ref/summary it requires (with the label).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "penalty": ("fine_amount", "secret_discharge", "falsified_records", "evading_supervision"),
    "coercive_measure": (),
    "judicial_transfer": (),
    "criminal_judgment": (),
    "incident": ("level",),
    "complaint": ("verified",),
    "credit_listing": ("list_name", "end_date"),
    "execution_report": ("period", "due_date"),
    "emission_disclosure": ("period", "due_date"),
    "monitoring_anomaly": (),
    "rectification": ("due_date", "outcome", "closed_on"),
}
REQUIRED_TEXT: dict[str, dict[str, str]] = {
    "penalty": {"ref": "处罚决定书文号", "summary": "违法行为"},
    "coercive_measure": {"ref": "决定书文号", "summary": "强制措施内容"},
    "judicial_transfer": {"summary": "移送事由"},
    "criminal_judgment": {"ref": "判决书案号", "summary": "判决内容"},
    "incident": {"summary": "事件概况"},
    "complaint": {"summary": "投诉内容"},
    "monitoring_anomaly": {"summary": "异常情况"},
    "rectification": {"summary": "整改事项"},
}
PERIOD_RE = re.compile(r"^(?P<y>\d{4})(?:-(?:Q(?P<q>[1-4])|(?P<m>0[1-9]|1[0-2])))?$")
FIELD_LABELS = {
    "record_date": "日期",
    "ref": "文号",
    "summary": "内容",
    "source": "来源",
    "fine_amount": "罚款金额（元）",
    "secret_discharge": "恶意偷排",
    "falsified_records": "篡改、伪造台账记录",
    "evading_supervision": "逃避监管",
    "level": "事件等级",
    "verified": "查证属实",
    "list_name": "信用名单",
    "end_date": "移出日期",
    "period": "报告期",
    "due_date": "截止日期",
    "outcome": "整改结果",
    "closed_on": "整改完成日期",
}


def _period(raw: Any) -> str:
    value = f.text(raw, 16, required=True, label="报告期").upper()
    if not PERIOD_RE.match(value):
        raise f.FieldProblem(f"“{value}”不是报告期（年度 2025、季度 2025-Q3 或月度 2025-07）")
    return value


def validate_record_row(
    kind: str, row: dict[str, Any], *, today: date | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(clean values by column incl. ``kind``, errors by field). Dates may not be later than
    ``today``, the day of the act (the clock's today when not given)."""
    if kind not in RECORD_KINDS:
        return {}, {"kind": [f"未知的记录类型“{kind}”"]}
    c = f.Collector()
    c.clean["kind"] = kind
    need = REQUIRED_TEXT.get(kind, {})
    c.add("record_date", f.a_date, row.get("record_date"), required=True, label=DATE_LABELS[kind])
    c.add("ref", f.text, row.get("ref"), 64, required="ref" in need, label=need.get("ref", ""))
    c.add(
        "summary",
        f.text,
        row.get("summary"),
        1000,
        required="summary" in need,
        label=need.get("summary", ""),
    )
    c.add("source", f.text, row.get("source"), 255, required=True, label="来源（信息出处）")
    for name in KIND_FIELDS[kind]:
        value = row.get(name)
        if name == "fine_amount":
            c.add(name, f.amount, value)
        elif name in ("secret_discharge", "falsified_records", "evading_supervision", "verified"):
            c.add(name, f.boolean, False if f.blank(value) else value)
        elif name == "level":
            c.add(name, f.choice, value, INCIDENT_LEVELS, required=True, label="事件等级")
        elif name == "list_name":
            c.add(name, f.choice, value, CREDIT_LISTS, required=True, label="信用名单")
        elif name == "period":
            c.add(name, _period, value)
        elif name == "outcome":
            c.add(name, f.choice, "open" if f.blank(value) else value, RECTIFICATION_OUTCOMES)
        elif name == "due_date":
            c.add(name, f.a_date, value, required=kind == "rectification", label="整改期限")
        else:  # end_date, closed_on
            c.add(name, f.a_date, value)
    _consistency(kind, c, today or clock.today())
    return c.clean, c.errors


def _consistency(kind: str, c: f.Collector, today: date) -> None:
    v = c.clean
    start = v.get("record_date")
    if start is None:
        return
    if start > today:
        c.fail("record_date", "日期不能晚于今天")
    for name in ("end_date", "closed_on"):
        if v.get(name) and v[name] > today:
            c.fail(name, "日期不能晚于今天")
    for name, what in (
        ("end_date", "移出日期"),
        ("due_date", "截止日期"),
        ("closed_on", "完成日期"),
    ):
        # a report's due date is that of its period, which may precede the late submission
        if (
            v.get(name)
            and v[name] < start
            and kind not in ("execution_report", "emission_disclosure")
        ):
            c.fail(name, f"{what}不能早于{DATE_LABELS[kind]}")
    if kind == "rectification" and "outcome" in v:
        closed = v.get("closed_on")
        if v["outcome"] in ("completed", "late_completed") and not closed:
            c.fail("closed_on", "已完成整改的，请填写整改完成日期")
        if v["outcome"] in ("open", "overdue", "extended") and closed:
            c.fail("closed_on", "尚未完成整改的，不应填写完成日期")
        if v["outcome"] == "completed" and closed and v.get("due_date") and closed > v["due_date"]:
            c.fail("outcome", "完成日期晚于整改期限，应为“逾期后完成整改”")
