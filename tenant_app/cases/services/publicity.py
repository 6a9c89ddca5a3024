"""Publicity of penalty decisions (issue 14 item 8, SX-7; 行政处罚法第四十八条): the served
decisions of the acting tenant for its public enforcement page, with personal data of natural
persons masked (第五十条), the publication deadline counted from the decision
(``publicity.decision_workdays`` of the national layer, NAT-MEE-65, an unverified value) and the
typical cases marked for 以案释法.

A decision is published once served (the party has it first); its row says by when it had to be
public and whether service came after that day. Another tenant's decisions are not in the scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.cases.services.common import policy_of, violations_of
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Case, Enterprise
from tenant_app.models.case import DECISION_OUTCOMES

PUBLIC_LIMIT = 200
# 统一社会信用代码: registration authority 9 (市场监管) and kind 2 = 个体工商户, a natural person's
# business: its name and code are personal data.
INDIVIDUAL_USCC_PREFIX = "92"


def mask_name(name: str) -> str:
    """张三 → 张某; 欧阳小明 → 欧阳某某 (surname kept, the rest masked)."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) >= 4:
        return name[:2] + "某" * (len(name) - 2)
    return name[0] + "某" * max(1, len(name) - 1)


def is_natural_person(e: Enterprise) -> bool:
    return (e.uscc or "").upper().startswith(INDIVIDUAL_USCC_PREFIX)


def mask_text(raw: str, names: list[str]) -> str:
    out = raw or ""
    for n in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = out.replace(n, mask_name(n))
    return out


def _party(e: Enterprise) -> dict[str, str]:
    if is_natural_person(e):
        return {
            "name": "个体工商户（经营者姓名已遮蔽）",
            "uscc": e.uscc[:8] + "*" * max(0, len(e.uscc) - 8),
            "legal_representative": mask_name(e.legal_representative),
        }
    return {
        "name": e.name,
        "uscc": e.uscc,
        "legal_representative": mask_name(e.legal_representative),
    }


def public_decisions(ctx: Context) -> dict[str, Any]:
    """The tenant's served decisions, newest first, masked; typical cases listed apart too."""
    policy = policy_of(ctx)
    privacy = policy.case_rule("publicity.protect_privacy")
    public = policy.case_rule("publicity.decisions_public")
    rows = db.session.execute(
        select(Case, Enterprise)
        .join(Enterprise, Enterprise.id == Case.enterprise_id)
        .where(Case.served_on.is_not(None), Case.decided_on.is_not(None))
        .order_by(Case.decided_on.desc(), Case.id.desc())
        .limit(PUBLIC_LIMIT)
    ).all()
    items = []
    rule_id = ""
    for case, e in rows:
        assert case.decided_on is not None and case.served_on is not None
        due = policy.case_deadline("publicity.decision_workdays", case.decided_on)
        rule_id = due.rule_id
        names = [e.legal_representative]
        if is_natural_person(e):
            names.append(e.name)
        violations = [
            {
                "title": v.title,
                "provision": v.provision,
                "penalty_provision": v.penalty_provision,
                "outcome": DECISION_OUTCOMES.get(v.outcome or "", v.outcome or ""),
                "fine": v.fine,
            }
            for v in violations_of(case)
        ]
        items.append(
            {
                "id": case.id,
                "party": _party(e),
                "facts": mask_text(case.facts, names),
                "violations": violations,
                "total_fine": case.total_fine,
                "correction_order": mask_text(case.correction_order, names),
                "decided_on": case.decided_on,
                "served_on": case.served_on,
                "publish_due": due.answer,
                "publish_rule": due.explanation,
                "late": bool(due.answer and case.served_on > due.answer),
                "typical": case.typical,
                "typical_note": mask_text(case.typical_note, names) if case.typical else "",
            }
        )
    return {
        "decisions": items,
        "typical": [i for i in items if i["typical"]],
        "rule_ids": [r for r in (public.rule_id, rule_id, privacy.rule_id) if r],
        "basis": (
            f"{public.rule_id}：行政处罚决定依法公开；{privacy.rule_id}：自然人的个人信息已遮蔽；"
            + (f"{rule_id}：自作出决定之日起按期限公开（期限为未核实值）" if rule_id else "")
        ),
    }
