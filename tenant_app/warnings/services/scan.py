"""The daily warning scan (SX-1): per tenant, set-based.

For each cause the tenant's pack configures (``Policy.warning_kinds``) one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` sends every warning now due; the unique key
(tenant_id, enterprise_id, cause, period) makes a second run the same day — or any later day —
create nothing for a cause and period already warned. Then one UPDATE per cause closes the open
warnings whose cause is gone, and the open warnings left unanswered past their answer day
escalate to the officer with the next rung of the pack's ladder proposed.

When a warning is due:

* ``permit_expiry`` — the permit's 有效期止 is within the lead time (days or working days of the
  tenant's calendar, as the pack says); period = the expiry date. Gone when the registry holds
  another expiry date (renewed) or none.
* ``execution_report`` — the annual 排污许可执行报告 of year Y-1 is due 31 January of Y (HJ 944
  platform default, as the compliance calendar says) for permit holders (重点/简化管理 with a
  permit number); due when that day is within the lead time and no report for Y-1 is on record.
  Gone when it is. A due date more than ANNUAL_LOOKBACK_DAYS past is not warned any more.
* ``emission_disclosure`` — 企业环境信息依法披露管理办法第十三条: the annual disclosure of Y-1 by
  15 March of Y, for 重点排污单位; same shape, record kind ``emission_disclosure``.
* ``monitoring_anomaly`` — at once: one warning per enterprise and day with an unresolved
  anomaly or exceedance (observed within ANOMALY_LOOKBACK_DAYS). Gone when every row of that
  day is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Integer,
    String,
    and_,
    cast,
    exists,
    literal,
    not_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select
from sqlalchemy.sql.schema import Table

from policies import Policy
from tenant_app.audit import log as audit
from tenant_app.auth.roles import Perm
from tenant_app.context import SYSTEM, Context
from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, Enterprise, EnterpriseWarning, MonitoringRecord
from tenant_app.models.warning import OPEN_STATUSES, WARNING_CAUSES
from tenant_app.notifications.services.notify import notify, staff_with
from tenant_app.policy.service import NoPack
from tenant_app.warnings.services.common import escalations_before, link_of, policy_of

ANNUAL_DUE = {"execution_report": (1, 31), "emission_disclosure": (3, 15)}
ANOMALY_LOOKBACK_DAYS = 30
PERMIT_LOOKBACK_DAYS = 90  # an already expired permit is still warned this long after
# An annual report or disclosure missed longer ago than this is a case for the officer, not a
# warning: the first scan of a new tenant must not warn every enterprise of years gone by.
ANNUAL_LOOKBACK_DAYS = 180
W: Table = EnterpriseWarning.__table__  # type: ignore[assignment]
E = Enterprise.__table__
R = ComplianceRecord.__table__
M = MonitoringRecord.__table__
COLUMNS = (
    "tenant_id",
    "enterprise_id",
    "cause",
    "period",
    "due_on",
    "status",
    "sent_on",
    "answer_due",
    "explanation",
    "measure",
    "evidence_name",
    "evidence_type",
    "escalation_reason",
    "officer_note",
    "rule_id",
    "policy_version",
    "facts",
    "created_at",
)


@dataclass
class ScanResult:
    created: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    escalated: int = 0
    warning_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "created_total": sum(self.created.values()),
            "closed": self.closed,
            "escalated": self.escalated,
        }


def horizon(policy: Policy, kind: str, today: date) -> date | None:
    """The last due date that is warned today: today plus the pack's lead time."""
    lead = policy.warning_lead_days(kind).answer
    if lead is None:
        return None
    if lead["unit"] == "workdays":
        value = policy.calendar.period_end(today, lead["n"], "workdays").value
        assert isinstance(value, date)
        return value
    return today + timedelta(days=lead["n"])


def annual_due(kind: str, until: date) -> tuple[int, date]:
    """The latest (report year, due date) of an annual obligation with its due date on or
    before ``until``."""
    month, day = ANNUAL_DUE[kind]
    due = date(until.year, month, day)
    if due > until:
        due = date(until.year - 1, month, day)
    return due.year - 1, due


def _row(
    tid: int, cause: str, today: date, answer_due: date, d: Any, facts: dict[str, Any]
) -> dict[str, Any]:
    """The constant columns of one cause's warnings, as SQL literals."""
    return {
        "tenant_id": literal(tid, Integer),
        "cause": literal(cause, String),
        "status": literal("sent", String),
        "sent_on": literal(today, Date),
        "answer_due": literal(answer_due, Date),
        "explanation": literal("", String),
        "measure": literal("", String),
        "evidence_name": literal("", String),
        "evidence_type": literal("", String),
        "escalation_reason": literal("", String),
        "officer_note": literal("", String),
        "rule_id": literal(d.rule_id, String),
        "policy_version": literal(str(d.policy_version or ""), String),
        "facts": literal({**facts, "explanation": d.explanation}, JSON),
    }


def _source(
    ctx: Context, policy: Policy, cause: str, today: date, answer_due: date
) -> Select[Any] | None:
    """The SELECT of every warning of ``cause`` due today, in COLUMNS order."""
    tid = ctx.tenant_id
    assert tid is not None
    until = horizon(policy, cause, today)
    if until is None:
        return None
    d = policy.warning_lead_days(cause)
    at = literal(ctx.at, W.c.created_at.type)
    if cause == "permit_expiry":
        c = _row(tid, cause, today, answer_due, d, {"horizon": until.isoformat()})
        return select(
            c["tenant_id"],
            E.c.id,
            c["cause"],
            cast(E.c.permit_valid_to, String(32)),
            E.c.permit_valid_to,
            *(c[k] for k in COLUMNS[5:17]),
            at,
        ).where(
            E.c.tenant_id == tid,
            E.c.permit_valid_to.is_not(None),
            E.c.permit_valid_to <= until,
            E.c.permit_valid_to >= today - timedelta(days=PERMIT_LOOKBACK_DAYS),
            E.c.permit_class.is_distinct_from("not_required"),
        )
    if cause in ANNUAL_DUE:
        year, due = annual_due(cause, until)
        if due < today - timedelta(days=ANNUAL_LOOKBACK_DAYS):
            return None
        c = _row(tid, cause, today, answer_due, d, {"horizon": until.isoformat(), "year": year})
        who = (
            and_(E.c.permit_class.in_(("key", "simplified")), E.c.permit_no != "")
            if cause == "execution_report"
            else E.c.key_discharger.is_(True)
        )
        filed = exists().where(
            R.c.tenant_id == tid,
            R.c.enterprise_id == E.c.id,
            R.c.kind == cause,
            R.c.period == str(year),
        )
        return select(
            c["tenant_id"],
            E.c.id,
            c["cause"],
            literal(str(year), String),
            literal(due, Date),
            *(c[k] for k in COLUMNS[5:17]),
            at,
        ).where(E.c.tenant_id == tid, who, not_(filed))
    if cause == "monitoring_anomaly":
        c = _row(tid, cause, today, answer_due, d, {"lookback_days": ANOMALY_LOOKBACK_DAYS})
        return (
            select(
                c["tenant_id"],
                M.c.enterprise_id,
                c["cause"],
                cast(M.c.observed_on, String(32)),
                M.c.observed_on,
                *(c[k] for k in COLUMNS[5:17]),
                at,
            )
            .where(
                M.c.tenant_id == tid,
                M.c.resolved_on.is_(None),
                M.c.observed_on >= today - timedelta(days=ANOMALY_LOOKBACK_DAYS),
                M.c.observed_on <= until,
            )
            .group_by(M.c.enterprise_id, M.c.observed_on)
        )
    return None


def _gone(cause: str, tid: int) -> Any:
    """The condition under which an open warning's cause no longer holds."""
    if cause == "permit_expiry":
        return not_(
            exists().where(
                E.c.tenant_id == tid,
                E.c.id == W.c.enterprise_id,
                E.c.permit_valid_to == W.c.due_on,
            )
        )
    if cause in ANNUAL_DUE:
        return exists().where(
            R.c.tenant_id == tid,
            R.c.enterprise_id == W.c.enterprise_id,
            R.c.kind == cause,
            R.c.period == W.c.period,
        )
    return not_(
        exists().where(
            M.c.tenant_id == tid,
            M.c.enterprise_id == W.c.enterprise_id,
            M.c.observed_on == W.c.due_on,
            M.c.resolved_on.is_(None),
        )
    )


def _insert(source: Select[Any]) -> Any:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(W)
        .from_select(list(COLUMNS), source)
        .on_conflict_do_nothing(index_elements=["tenant_id", "enterprise_id", "cause", "period"])
        .returning(W.c.id, W.c.enterprise_id, W.c.cause)
    )


def scan(ctx: Context, today: date | None = None, *, notify_each: bool = True) -> ScanResult:
    """Send, close and escalate the tenant's warnings as of ``today`` (the context's day)."""
    today = today or ctx.today
    by_system = replace(ctx, actor=SYSTEM)
    tid = ctx.tenant_id
    assert tid is not None, "the warning scan runs for one tenant"
    try:
        policy = policy_of(ctx, today)
    except NoPack:  # the platform tenant, or a region before its pack is chosen: nothing to warn
        return ScanResult()
    kinds = policy.warning_kinds().answer
    answer_due = policy.warning_answer_due(today).answer
    result = ScanResult()
    for cause in kinds:
        if cause not in WARNING_CAUSES:
            continue
        source = _source(ctx, policy, cause, today, answer_due)
        if source is None:
            continue
        rows = db.session.execute(_insert(source)).all()
        result.created[cause] = len(rows)
        result.warning_ids.extend(r[0] for r in rows[:1000])
        if notify_each:
            for wid, eid, _c in rows:
                notify(
                    by_system,
                    kind="warning",
                    title=f"预警提醒：{kinds[cause]['title']}",
                    link=link_of(ctx, wid),
                    enterprise_id=eid,
                    payload={"warning_id": wid, "cause": cause},
                )
    for cause in WARNING_CAUSES:
        closed = db.session.execute(
            update(W)
            .where(
                W.c.tenant_id == tid,
                W.c.cause == cause,
                W.c.status.in_(OPEN_STATUSES),
                _gone(cause, tid),
            )
            .values(status="closed", close_reason="cause_gone", closed_on=today)
            .returning(W.c.id, W.c.enterprise_id, W.c.period)
            .execution_options(synchronize_session=False)
        ).all()
        for wid, eid, period in closed:
            audit.record(
                by_system,
                "warning.closed",
                object_type="warning",
                object_id=wid,
                after={
                    "cause": cause,
                    "period": period,
                    "enterprise_id": eid,
                    "close_reason": "cause_gone",
                },
            )
        result.closed += len(closed)
    result.escalated = escalate_overdue(by_system, policy, today)
    audit.record(
        by_system,
        "warnings.scanned",
        object_type="tenant",
        object_id=tid,
        after={
            **result.as_dict(),
            "day": today,
            "rule_id": policy.warning_kinds().rule_id,
            "policy_version": str(policy.version_id or ""),
            "first_ids": result.warning_ids[:100],
        },
    )
    return result


def escalate_overdue(ctx: Context, policy: Policy, today: date) -> int:
    """Open warnings neither answered nor escalated whose answer day has passed escalate to the
    officer, each with the next rung for its enterprise and the reason."""
    overdue = list(
        db.session.execute(
            select(EnterpriseWarning)
            .where(
                EnterpriseWarning.tenant_id == ctx.tenant_id,
                EnterpriseWarning.status.in_(("sent", "acknowledged")),
                EnterpriseWarning.answer_due < today,
            )
            .order_by(EnterpriseWarning.id)
        ).scalars()
    )
    for w in overdue:
        reason = f"预警于{w.sent_on}发出，答复期限{w.answer_due}已过，企业未答复。"
        escalate_one(ctx, policy, w, today, reason)
    return len(overdue)


def escalate_one(
    ctx: Context, policy: Policy, w: EnterpriseWarning, today: date, reason: str
) -> EnterpriseWarning:
    before = escalations_before(w.enterprise_id)
    d = policy.warning_next_rung(before)
    rung = (d.answer or {}).get("id")
    prior = {"status": w.status}
    w.status, w.escalated_on, w.rung = "escalated", today, rung
    w.escalation_reason = f"{reason}{d.explanation}"
    w.facts = {
        **(w.facts or {}),
        "escalation": {
            "rule_id": d.rule_id,
            "policy_version": str(d.policy_version or ""),
            "facts": d.facts,
            "rung": rung,
            "reason": reason,
        },
    }
    audit.record(
        ctx,
        "warning.escalated",
        object_type="warning",
        object_id=w.id,
        before=prior,
        after={
            "rung": rung,
            "reason": w.escalation_reason,
            "rule_id": d.rule_id,
            "policy_version": str(d.policy_version or ""),
        },
    )
    notify(
        ctx,
        kind="warning_escalated",
        title=f"预警逾期未答复，建议：{(d.answer or {}).get('title', '—')}",
        link=link_of(ctx, w.id, staff=True),
        users=staff_with(ctx, Perm.WARNINGS_EDIT),
        payload={"warning_id": w.id, "rung": rung, "enterprise_id": w.enterprise_id},
    )
    return w
