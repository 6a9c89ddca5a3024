"""Opening a case (立案) and the case list.

A case is opened from an inspection's finding (linked, the enterprise taken from the
inspection) or by hand; against one enterprise of the tenant; by at least the number of
officers with enforcement certificates the law requires (行政处罚法第四十二条, national layer
``review.officers_min``). Filing starts 第六十条's clock: the decision is due within its days
of the filing day, counted by the calendar.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from tenant_app.accounts.users import officer_pool
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import consequences, stages
from tenant_app.cases.services.common import (
    NotFound,
    audit_case,
    flag,
    policy_of,
    record_step,
    refuse,
    text,
)
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Case, Enterprise, EnterpriseWarning, Inspection, InspectionFinding
from tenant_app.models.case import CASE_ORIGINS, CASE_STAGES
from tenant_app.models.warning import WARNING_CAUSES, WARNING_RUNGS
from tenant_app.tenancy.queries import Page, keyset_page


def _ids(raw: Any) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else [raw] if raw not in (None, "") else []
    out = []
    for v in values:
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise ValidationFailed.field("officer_ids", "执法人员编号有误") from None
        if n not in out:
            out.append(n)
    return out


def _one(model: Any, raw: Any, what: str) -> Any:
    try:
        oid = int(raw)
    except (TypeError, ValueError):
        raise NotFound(f"没有找到{what}") from None
    row = db.session.execute(select(model).where(model.id == oid)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"没有找到{what}")
    return row


def check_officers(ctx: Context, ids: list[int]) -> list[dict[str, Any]]:
    """第四十二条: at least the law's number of officers, each holding an enforcement
    certificate, all officers of this tenant."""
    rule = policy_of(ctx).case_rule("review.officers_min")
    need = int(rule.answer or 2)
    pool = {u.id: u for u in officer_pool(ctx, ids)}
    strangers = [i for i in ids if i not in pool]
    if strangers:
        raise ValidationFailed.field("officer_ids", "只能选择本单位的执法人员")
    certified = [pool[i] for i in ids if (pool[i].certificate_no or "").strip()]
    if len(certified) < need:
        raise refuse(
            rule.rule_id,
            f"行政处罚应当由具有行政执法资格的执法人员实施，执法人员不得少于{need}人"
            f"（已选持证执法人员{len(certified)}人）",
        )
    return [
        {"id": u.id, "name": u.display_name, "certificate_no": u.certificate_no} for u in certified
    ]


def prefill_from_inspection(inspection_id: Any) -> dict[str, Any]:
    """What a case opened from an inspection starts with: the enterprise, and its findings
    with problems as the facts."""
    insp = _one(Inspection, inspection_id, "该检查")
    issues = db.session.execute(
        select(InspectionFinding)
        .where(InspectionFinding.inspection_id == insp.id, InspectionFinding.result == "issue")
        .order_by(InspectionFinding.id)
    ).scalars()
    facts = "\n".join(f"{f.item_title}：{f.note}" for f in issues)
    return {
        "inspection_id": insp.id,
        "enterprise_id": insp.enterprise_id,
        "origin": "finding",
        "title": f"{insp.enterprise.name}环境违法案",
        "facts": facts or insp.conclusion,
        "officer_ids": [o.get("id") for o in insp.officers or []],
    }


def why_no_case_yet(w: EnterpriseWarning, today: date) -> str | None:
    """Why the warning cannot lead to a case on ``today`` (None: it can): it is ended, or the
    enterprise is still within its answer period (SX-1's point) and the officer has not
    escalated it."""
    if w.status not in ("sent", "acknowledged", "answered", "escalated"):
        return "该预警已办结或关闭，不能据此立案"
    if w.status in ("sent", "acknowledged") and today <= w.answer_due:
        return f"企业答复期限（{w.answer_due.isoformat()}）未过，不能以“预警提醒后未整改”立案"
    return None


def warning_for_case(ctx: Context, warning_id: Any) -> EnterpriseWarning:
    """The warning a case may be opened from (origin "warning", 预警提醒后未整改): still open,
    and either past its answer day without an answer, escalated, or answered in words the
    officer found wanting. Once per warning."""
    w = _one(EnterpriseWarning, warning_id, "该预警")
    if (why := why_no_case_yet(w, ctx.today)) is not None:
        raise ValidationFailed.field("warning_id", why)
    earlier = db.session.execute(select(Case.id).where(Case.warning_id == w.id)).scalar()
    if earlier is not None:
        raise ValidationFailed.field("warning_id", f"已据该预警立案（案件 #{earlier}）")
    return w


def prefill_from_warning(ctx: Context, warning_id: Any) -> dict[str, Any]:
    """What a case opened from a warning starts with: the enterprise, and the warning's cause,
    dates and what came of it as the facts."""
    w = warning_for_case(ctx, warning_id)
    lines = [
        f"预警 #{w.id}：{WARNING_CAUSES.get(w.cause, w.cause)}（期限 {w.due_on.isoformat()}），"
        f"{w.sent_on.isoformat()} 发出，答复期限 {w.answer_due.isoformat()}。",
    ]
    if w.answered_at is None:
        lines.append("企业逾期未答复。" if ctx.today > w.answer_due else "企业尚未答复。")
    else:
        lines.append(f"企业答复：{w.explanation}；采取的措施：{w.measure}")
    if w.rung:
        lines.append(f"已升级：{WARNING_RUNGS.get(w.rung, w.rung)}。")
    return {
        "warning_id": w.id,
        "enterprise_id": w.enterprise_id,
        "origin": "warning",
        "title": "",
        "facts": "\n".join(lines),
        "officer_ids": [],
    }


def open_case(ctx: Context, data: dict[str, Any]) -> Case:
    require_action(ctx, Perm.CASES_EDIT)
    insp = None
    if data.get("inspection_id") not in (None, ""):
        insp = _one(Inspection, data["inspection_id"], "该检查")
        if insp.status != "done":
            raise ValidationFailed.field("inspection_id", "检查完成后才能据其发现立案")
    warning = None
    if data.get("warning_id") not in (None, "") and insp is None:
        warning = warning_for_case(ctx, data["warning_id"])
    origin = "finding" if insp else "warning" if warning else (data.get("origin") or "manual")
    if origin not in CASE_ORIGINS or (origin == "finding" and insp is None):
        raise ValidationFailed.field("origin", "案件来源有误")
    source = insp or warning
    enterprise = _one(
        Enterprise, source.enterprise_id if source else data.get("enterprise_id"), "该企业"
    )
    if source and data.get("enterprise_id") not in (
        None,
        "",
        source.enterprise_id,
        str(source.enterprise_id),
    ):
        raise ValidationFailed.field(
            "enterprise_id",
            "案件当事人应为所检查的企业" if insp else "案件当事人应为预警所涉企业",
        )
    title = text(data.get("title"), "title", limit=200) or f"{enterprise.name}环境违法案"
    facts = text(data.get("facts"), "facts")
    officers = check_officers(ctx, _ids(data.get("officer_ids")))
    policy = policy_of(ctx)
    limit = policy.case_deadline("time_limit.decision_days", ctx.today)
    case = Case(
        enterprise_id=enterprise.id,
        inspection_id=insp.id if insp else None,
        warning_id=warning.id if warning else None,
        origin=origin,
        title=title,
        facts=facts,
        officers=officers,
        stage="investigation",
        complex_case=flag(data.get("complex_case")),
        public_interest=flag(data.get("public_interest")),
        major_violation=flag(data.get("major_violation")),
        filed_on=ctx.today,
        limit_due=limit.answer,
        policy_version=str(policy.version_id or ""),
        created_by=ctx.actor.user_id,
    )
    db.session.add(case)
    db.session.flush()
    stages.set_deadline(case, "decision_limit", limit)
    officers_rule = policy.case_rule("review.officers_min")
    record_step(
        ctx,
        case,
        "filed",
        rule_ids=[limit.rule_id, officers_rule.rule_id],
        detail={"decision_limit": limit.to_dict(), "officers": officers},
    )
    audit_case(
        ctx,
        case,
        "case.filed",
        after={
            "enterprise_id": case.enterprise_id,
            "inspection_id": case.inspection_id,
            "warning_id": case.warning_id,
            "origin": origin,
            "officers": [o["id"] for o in officers],
            "filed_on": case.filed_on,
            "limit_due": case.limit_due,
            "rule_ids": [limit.rule_id, officers_rule.rule_id],
            "policy_version": case.policy_version,
        },
    )
    consequences.ledger_line(
        ctx, case, enterprise, "case_filed", f"立案（案件 #{case.id}）：{case.title}"
    )
    return case


def update_case(ctx: Context, case: Case, data: dict[str, Any]) -> Case:
    """The facts and what makes review or discussion required, while investigating."""
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("investigation",), "修改案情")
    stages.check_limit(ctx, case)
    before = {
        "facts": case.facts,
        "complex_case": case.complex_case,
        "public_interest": case.public_interest,
        "major_violation": case.major_violation,
    }
    case.facts = text(data.get("facts", case.facts), "facts")
    for name in ("complex_case", "public_interest", "major_violation"):
        if name in data:
            setattr(case, name, flag(data[name]))
    audit_case(
        ctx,
        case,
        "case.updated",
        before=before,
        after={k: getattr(case, k) for k in before},
    )
    return case


def cases(
    *,
    stage: str | None = None,
    enterprise_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> tuple[Page, int]:
    """Newest first, keyset-paged, with the count of the whole filtered list."""
    stmt = select(Case)
    count = select(func.count()).select_from(Case)
    if stage in CASE_STAGES:
        stmt = stmt.where(Case.stage == stage)
        count = count.where(Case.stage == stage)
    if enterprise_id:
        stmt = stmt.where(Case.enterprise_id == enterprise_id)
        count = count.where(Case.enterprise_id == enterprise_id)
    total = int(db.session.execute(count).scalar_one())
    return keyset_page(stmt, Case.id, after, limit, descending=True), total


def enterprise_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        int(k): v
        for k, v in db.session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))
        ).all()
    }


def of_inspection(inspection_id: int) -> list[Case]:
    return list(
        db.session.execute(
            select(Case).where(Case.inspection_id == inspection_id).order_by(Case.id)
        ).scalars()
    )
