"""What a decision does beyond the case (issue 14 items 5 and 9).

Consequences of a serious violation (SX-11, XJ-H: a violation whose proposal took the pack's
``heavier`` treatment), applied in the decision's transaction, each recorded as a case step
``consequence`` with its rule and shown on the case:

The pack's treatment names them (``consequences``: ``raise_frequency`` SX-11,
``special_supervision_object`` and ``removal`` XJ-H):

* **frequency**: the enterprise becomes the pack's ``special`` inspection category (特殊监管对象,
  SX-11 提高频次 / XJ-H), whose yearly cap (``Policy.inspection_cap``) is the pack's highest;
* **removal** (XJ-R / SX-9): for an enterprise listed on the decision day, the listing's own
  removal step (``listing.services.removal.start``) with the pack's ``severe_violation`` reason
  and the decision date as the discovery date; when this tenant cannot start it (not the
  compiling level, no such reason in the pack) the consequence is recorded as not started, with
  why, so the compiling level sees it on the case;
* **special supervision**: the random draws read the same category (draws._category_expr), so
  the enterprise is drawn on site as a special supervision object.

History (item 9): a case's filing and its decision are lines of the positive-list ledger of an
enterprise listed on that day (``listing.services.ledger.add_entry``); the enterprise's registry
timeline reads the cases themselves (``registry.services.records.timeline``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from tenant_app.cases.services.common import audit_case, policy_of, record_step
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.listing.services import ledger, removal
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import Case, CaseViolation, Enterprise
from tenant_app.models.listing import ListingEntry

SPECIAL = "special"
SEVERE_REASON = "severe_violation"


def serious_rules(violations: list[CaseViolation]) -> list[str]:
    """The rule ids (SX-11, XJ-H) of the violations whose proposal took the heavier treatment."""
    return list(
        dict.fromkeys(
            str(v.proposal.get("treatment_rule_id") or "")
            for v in violations
            if (v.proposal or {}).get("treatment") == "heavier"
        )
    )


def _record(
    ctx: Context, case: Case, kind: str, rule_ids: list[str], done: bool, note: str, **detail: Any
) -> dict[str, Any]:
    item = {"kind": kind, "done": done, "rule_ids": rule_ids, "note": note, **detail}
    record_step(ctx, case, "consequence", rule_ids=rule_ids, detail=item, note=note)
    return item


def apply_serious(
    ctx: Context, case: Case, enterprise: Enterprise, violations: list[CaseViolation]
) -> list[dict[str, Any]]:
    """Apply the consequences of a serious violation decided today; returns what was recorded."""
    rules = [r for r in serious_rules(violations) if r]
    if not rules:
        return []
    policy = policy_of(ctx)
    day: date = case.decided_on or ctx.today
    done: list[dict[str, Any]] = []
    status = listed_on(enterprise.id, day)

    codes = {c for v in violations for c in (v.proposal or {}).get("consequences") or []}
    before = enterprise.supervision_category
    if codes & {"raise_frequency", "special_supervision_object"} or status.listed:
        cap_before = policy.inspection_cap("listed" if status.listed else before)
        cap = policy.inspection_cap(SPECIAL)
        enterprise.supervision_category = SPECIAL
        text = (
            f"{'、'.join(rules)}：严重违法行为，列为特殊监管对象，提高检查频次"
            f"（原{_cap(cap_before.answer)}，现{_cap(cap.answer)}；{cap.explanation}）"
        )
        done.append(
            _record(
                ctx,
                case,
                "frequency",
                [*rules, cap.rule_id],
                True,
                text,
                category_before=before,
                category=SPECIAL,
                cap_before=cap_before.answer,
                cap=cap.answer,
            )
        )
        done.append(
            _record(
                ctx,
                case,
                "special_supervision",
                rules,
                True,
                f"{'、'.join(rules)}：随机抽查时作为特殊监管对象实施现场检查",
                category=SPECIAL,
            )
        )
    if status.listed and status.entry_id is not None:
        done.append(_start_removal(ctx, case, rules, status.entry_id, day))
    audit_case(
        ctx,
        case,
        "case.consequences",
        before={"supervision_category": before},
        after={"consequences": done},
    )
    return done


def _start_removal(
    ctx: Context, case: Case, rules: list[str], entry_id: int, day: date
) -> dict[str, Any]:
    entry = db.session.get(ListingEntry, entry_id)
    reasons = policy_of(ctx).removal_reasons()
    if entry is None or SEVERE_REASON not in reasons.answer:
        return _record(
            ctx,
            case,
            "removal",
            [*rules, reasons.rule_id],
            False,
            "正面清单企业：本政策没有“严重违法”的移出情形，须由编制单位启动移出",
            entry_id=entry_id,
        )
    # The removal is the decision's own consequence: the service runs on behalf of the
    # principal head whose decision was checked (as a job runs for the user who asked).
    acting = replace(ctx, checks_roles=False)
    try:
        with db.session.begin_nested():
            removal.start(
                acting,
                entry,
                {
                    "reason": SEVERE_REASON,
                    "discovered_on": day.isoformat(),
                    "note": f"行政处罚案件 #{case.id} 于 {day} 作出决定（{'、'.join(rules)}）",
                },
            )
    except ServiceError as exc:
        return _record(
            ctx,
            case,
            "removal",
            [*rules, reasons.rule_id],
            False,
            f"正面清单企业：未能启动移出（{exc.message}），须由编制单位启动",
            entry_id=entry_id,
        )
    return _record(
        ctx,
        case,
        "removal",
        [*rules, reasons.rule_id],
        True,
        f"正面清单企业：以决定日 {day} 为发现日期启动移出，应于 {entry.removal_due} 前完成",
        entry_id=entry_id,
        discovered_on=day.isoformat(),
        due=entry.removal_due.isoformat() if entry.removal_due else None,
    )


def _cap(n: Any) -> str:
    return "不设上限" if n is None else f"每年至多{n}次"


def consequences_of(steps: list[Any]) -> list[dict[str, Any]]:
    """The consequences recorded on a case (from its steps), in order."""
    return [dict(s.detail) for s in steps if s.step == "consequence"]


def ledger_line(ctx: Context, case: Case, enterprise: Enterprise, kind: str, summary: str) -> None:
    """A line of the positive-list ledger when the enterprise is listed today (item 9)."""
    if listed_on(enterprise.id, ctx.today).listed:
        ledger.add_entry(ctx, enterprise, kind, ctx.today, summary, f"case:{case.id}")
