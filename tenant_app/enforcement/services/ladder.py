"""The progressive ladder per enterprise (SX-0: 普法宣传—教育引导—告诫说理—行政处罚—监督整改).

The history is read from where each rung's acts live: 普法 events it attended
(``education_attendance``), guidance letters and reasoned warnings (``ladder_steps``, and SX-1
warnings that escalated to those rungs), penalties (decided cases with a fine and imported
penalty records), supervised rectification (correction orders under SX-15, and imported
compliance records of kind rectification). On a new
finding the pack proposes the next rung (``Policy.ladder_proposal``: serious violations per
SX-11 straight to penalty); the officer records what the bureau does, and a choice other than
the proposal needs a written reason (kept and audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from policies import Decision
from policies.vocab import VIOLATION_FLAGS
from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.enforcement.services.common import get, policy_of, text
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    ComplianceRecord,
    CorrectionOrder,
    EducationAttendance,
    EducationEvent,
    Enterprise,
    EnterpriseWarning,
    LadderStep,
)
from tenant_app.models.enforcement import DOCUMENT_RUNGS, LADDER_ORIGINS
from tenant_app.models.rectification import ORDER_STATUSES
from tenant_app.notifications.services.notify import notify
from tenant_app.rectification.services.orders import link_of as order_link
from tenant_app.rectification.services.orders import party_sees


@dataclass(frozen=True)
class Rung:
    """One act of an enterprise's history as a rung of the ladder."""

    day: date
    rung: str
    title: str
    detail: str
    link: str = ""


def since(ctx: Context) -> date:
    """The first day of the history that counts (the pack's lookback, SX-0)."""
    years = int(policy_of(ctx).enforcement_ladder().details.get("lookback_years") or 3)
    today = ctx.today
    if today.month == 2 and today.day == 29:
        return date(today.year - years, 2, 28)
    return today.replace(year=today.year - years)


def history(
    ctx: Context, e: Enterprise, *, party: bool = False, start: date | None = None
) -> list[Rung]:
    """The enterprise's acts on the ladder, newest first (``start``: only from that day)."""
    slug = ctx.tenant.slug if ctx.tenant else ""
    start = start or date(1900, 1, 1)
    out: list[Rung] = []
    for ev, present in db.session.execute(
        select(EducationEvent, EducationAttendance.present)
        .join(EducationAttendance, EducationAttendance.event_id == EducationEvent.id)
        .where(EducationAttendance.enterprise_id == e.id, EducationEvent.held_on >= start)
    ).all():
        if present:
            out.append(Rung(ev.held_on, "education", "参加普法活动", ev.topic))
    for s in db.session.execute(
        select(LadderStep).where(LadderStep.enterprise_id == e.id, LadderStep.on_date >= start)
    ).scalars():
        if s.rung in DOCUMENT_RUNGS:
            link = (
                f"/{slug}/enforcement/steps/{s.id}/document"
                if not party
                else (f"/{slug}/enterprise/enforcement/steps/{s.id}/document")
            )
            out.append(Rung(s.on_date, s.rung, s.document_title or s.rung, s.finding, link))
    for w in db.session.execute(
        select(EnterpriseWarning).where(
            EnterpriseWarning.enterprise_id == e.id,
            EnterpriseWarning.escalated_on >= start,
            EnterpriseWarning.rung.in_(DOCUMENT_RUNGS),
        )
    ).scalars():
        assert w.escalated_on is not None and w.rung is not None
        out.append(Rung(w.escalated_on, w.rung, "预警升级", "" if party else w.escalation_reason))
    for c in db.session.execute(
        select(Case).where(
            Case.enterprise_id == e.id, Case.decided_on >= start, Case.total_fine > 0
        )
    ).scalars():
        assert c.decided_on is not None
        link = f"/{slug}/cases/{c.id}/" if not party else f"/{slug}/enterprise/cases/{c.id}/"
        out.append(
            Rung(c.decided_on, "penalty", c.decision_no or c.title, f"罚款 {c.total_fine} 元", link)
        )
    for r in db.session.execute(
        select(ComplianceRecord).where(
            ComplianceRecord.enterprise_id == e.id,
            ComplianceRecord.kind.in_(("penalty", "rectification")),
            ComplianceRecord.record_date >= start,
        )
    ).scalars():
        out.append(Rung(r.record_date, r.kind, r.ref or r.kind_label, r.summary or r.source))
    orders = select(CorrectionOrder).where(
        CorrectionOrder.enterprise_id == e.id, CorrectionOrder.issued_on >= start
    )
    for o in db.session.execute(party_sees(orders) if party else orders).scalars():
        out.append(
            Rung(
                o.issued_on,
                "rectification",
                "责令改正",
                f"{ORDER_STATUSES.get(o.status, o.status)}（{o.content[:40]}）",
                order_link(ctx, o.id, staff=not party),
            )
        )
    out.sort(key=lambda x: x.day, reverse=True)
    return out


def counts(rungs: list[Rung]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rungs:
        out[r.rung] = out.get(r.rung, 0) + 1
    return out


def _flags(raw: Any) -> frozenset[str]:
    if raw is None or raw == "":
        return frozenset()
    items = raw if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    flags = frozenset(str(f) for f in items)
    unknown = sorted(flags - set(VIOLATION_FLAGS))
    if unknown:
        raise ValidationFailed.field("flags", "未知的违法情节：" + "、".join(unknown))
    return flags


def proposal(ctx: Context, e: Enterprise, flags: Any = ()) -> Decision:
    """SX-0 with SX-11: the rung proposed for a new finding of ``e`` with these facts."""
    require_action(ctx, Perm.ENFORCEMENT_VIEW)
    recent = history(ctx, e, start=since(ctx))
    return policy_of(ctx).ladder_proposal(counts(recent), _flags(flags))


def position(ctx: Context, e: Enterprise, *, party: bool = False) -> dict[str, Any]:
    """What the ladder pages show: the rungs with the enterprise's acts on each, its position
    (the highest rung reached within the lookback) and the whole history."""
    policy = policy_of(ctx)
    ladder = policy.enforcement_ladder()
    all_rungs = history(ctx, e, party=party)
    start = since(ctx)
    recent = counts([r for r in all_rungs if r.day >= start])
    reached = [s["id"] for s in ladder.answer if recent.get(s["id"])]
    return {
        "ladder": ladder,
        "history": all_rungs,
        "recent": recent,
        "since": start,
        "position": reached[-1] if reached else None,
    }


def record(ctx: Context, e: Enterprise, data: dict[str, Any]) -> LadderStep:
    """What the bureau does on a new finding: the proposal is computed here again (never taken
    from the form); a different choice needs ``deviation_reason``; a guidance letter or a
    reasoned warning needs its document text."""
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    policy = policy_of(ctx)
    origin = str(data.get("origin") or "manual")
    if origin not in LADDER_ORIGINS:
        raise ValidationFailed.field("origin", "请选择发现问题的来源")
    finding = text(data.get("finding"), "finding", "发现的问题")
    flags = _flags(data.get("flags"))
    prop = proposal(ctx, e, flags)
    rungs = {s["id"]: s for s in policy.enforcement_ladder().answer}
    chosen = str(data.get("rung") or "")
    if chosen not in rungs or not rungs[chosen]["proposable"]:
        raise ValidationFailed.field("rung", "请选择本次采取的措施")
    proposed = (prop.answer or {}).get("id", "")
    reason = text(
        data.get("deviation_reason"), "deviation_reason", "另选措施的理由", required=False
    )
    if proposed and chosen != proposed and not reason:
        raise ValidationFailed.field(
            "deviation_reason",
            f"系统建议“{rungs[proposed]['title']}”，另选“{rungs[chosen]['title']}”须写明理由",
        )
    title, body = "", ""
    if chosen in DOCUMENT_RUNGS:
        title = text(
            data.get("document_title") or f"{rungs[chosen]['title']}书",
            "document_title",
            "文书标题",
            max_len=200,
        )
        body = text(data.get("document_body"), "document_body", "文书正文（事实、依据和说理）")
    step = LadderStep(
        enterprise_id=e.id,
        on_date=ctx.today,
        origin=origin,
        origin_ref=text(
            data.get("origin_ref"), "origin_ref", "来源编号", required=False, max_len=64
        ),
        finding=finding,
        flags=sorted(flags),
        proposed_rung=proposed,
        proposal_reason=prop.explanation,
        rung=chosen,
        deviation_reason=reason if chosen != proposed else "",
        document_title=title,
        document_body=body,
        rule_ids=list(prop.rule_ids),
        policy_version=str(policy.version_id),
        actor_id=ctx.actor.user_id,
        actor_name=ctx.actor.name[:64],
    )
    db.session.add(step)
    db.session.flush()
    audit.record(
        ctx,
        "ladder.step",
        object_type="enterprise",
        object_id=e.id,
        after={
            "step_id": step.id,
            "origin": origin,
            "proposed": proposed,
            "chosen": chosen,
            "deviation_reason": step.deviation_reason,
            "rule_ids": step.rule_ids,
        },
    )
    if chosen in DOCUMENT_RUNGS:
        slug = ctx.tenant.slug if ctx.tenant else ""
        notify(
            ctx,
            kind="ladder_document",
            title=f"生态环境部门向贵单位出具{title}",
            link=f"/{slug}/enterprise/enforcement/steps/{step.id}/document",
            enterprise_id=e.id,
        )
    return step


def get_step(step_id: Any) -> LadderStep:
    return get(LadderStep, step_id, "该文书")


def steps_of(e: Enterprise) -> list[LadderStep]:
    return list(
        db.session.execute(
            select(LadderStep)
            .where(LadderStep.enterprise_id == e.id)
            .order_by(LadderStep.id.desc())
            .limit(200)
        ).scalars()
    )
