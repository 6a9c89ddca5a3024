"""Removal (XJ-R): a reason the pack gives and the discovery date; due within the pack's period
(Policy.step_due('removal')); then published and filed through a removal batch."""

from __future__ import annotations

from typing import Any

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar import deadlines
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.listing.services import ledger, moment
from tenant_app.listing.services.common import policy, record_step, refuse_state
from tenant_app.listing.services.entries import _date, _text
from tenant_app.models.listing import ENTRY_STATES, ListingEntry


def start(ctx: Context, entry: ListingEntry, data: dict[str, Any]) -> ListingEntry:
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "移出")
    refuse_state("移出", entry.state, ("listed",), ENTRY_STATES)
    pol = policy(ctx)
    reasons = pol.removal_reasons().answer
    reason = str(data.get("reason") or "")
    if reason not in reasons:
        raise ValidationFailed.field("reason", "请选择移出情形：" + "；".join(reasons.values()))
    found = _date(ctx, data.get("discovered_on"), "discovered_on", "发现日期")
    if entry.listed_on and found < entry.listed_on:
        raise ValidationFailed.field("discovered_on", "发现日期早于纳入日期")
    note = _text(data.get("note"), "note", 2000, "情况说明", required=False)
    due = pol.step_due("removal", found)
    deadlines.schedule(
        subject_type="listing_entry.removal",
        subject_id=entry.id,
        rule_id=due.rule_id,
        event_date=found,
        amount=due.facts["n"],
        unit=due.facts["unit"],
        policy_version=str(pol.version_id or ""),
        explanation=due.explanation,
    )
    entry.state, entry.removal_reason, entry.removal_discovered_on, entry.removal_due = (
        "removal_pending",
        reason,
        found,
        due.answer,
    )
    record_step(
        ctx,
        "removal",
        entry_id=entry.id,
        on_date=found,
        result=reason,
        summary=note or reasons[reason],
        rule_id=due.rule_id,
        due_date=due.answer,
        evidence={"reason": reasons[reason]},
    )
    ledger.add_entry(
        ctx,
        entry.enterprise,
        "removal",
        found,
        f"发现移出情形：{reasons[reason]}，应于 {due.answer} 前完成移出",
        f"entry:{entry.id}",
    )
    audit.record(
        ctx,
        "listing.removal_started",
        object_type="listing_entry",
        object_id=entry.id,
        before={"state": "listed"},
        after={
            "reason": reason,
            "discovered_on": found,
            "due": due.answer,
            "provisional": due.provisional,
        },
    )
    return entry
