"""Applications and nominations (XJ-P: 企业可主动申请，部门可推荐), attachments, and the steps
before the notice: on-site verification, opinions, the enterprise's compliance commitment."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date, text
from tenant_app.extensions import db
from tenant_app.listing.services import ledger, moment
from tenant_app.listing.services.common import policy, record_step, refuse_state
from tenant_app.listing.services.screening import screen_one
from tenant_app.models import Enterprise
from tenant_app.models.listing import (
    ENTRY_STATES,
    ORIGINS,
    ListingAttachment,
    ListingEntry,
    ListingStep,
)
from tenant_app.tenancy.queries import Page, keyset_page

OPEN_STATES = (
    "applied",
    "site_verified",
    "consulted",
    "committed",
    "in_notice",
    "listed",
    "removal_pending",
)
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
PARTY_TYPES = {"department": "相关部门", "association": "行业协会", "social_org": "社会组织"}
ORIGIN_TITLES = {"application": "申请纳入", "nomination": "推荐纳入", "renewal": "到期续展"}
MAX_ID = 2**63 - 1


class NotFound(ServiceError):
    status = 404
    code = "not_found"


def get_entry(ctx: Context, entry_id: int) -> ListingEntry:
    row = None
    if 0 < entry_id <= MAX_ID:
        row = db.session.execute(
            select(ListingEntry).where(ListingEntry.id == entry_id)
        ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有该正面清单事项")
    return row


def open_entry(ctx: Context, e: Enterprise) -> ListingEntry | None:
    return (
        db.session.execute(
            select(ListingEntry)
            .where(ListingEntry.enterprise_id == e.id, ListingEntry.state.in_(OPEN_STATES))
            .order_by(ListingEntry.id.desc())
        )
        .scalars()
        .first()
    )


def _date(ctx: Context, value: Any, name: str, label: str) -> date:
    """A step's date from the input: required, and not after the day of the act."""
    try:
        d = a_date(value, required=True, label=label)
    except FieldProblem as exc:
        raise ValidationFailed.field(name, str(exc)) from None
    assert d is not None
    if d > ctx.today:
        raise ValidationFailed.field(name, f"{label}不能晚于今天")
    return d


def _text(value: Any, name: str, max_len: int, label: str, required: bool = True) -> str:
    try:
        return text(value, max_len, required=required, label=label)
    except FieldProblem as exc:
        raise ValidationFailed.field(name, str(exc)) from None


def _check_self(ctx: Context, raw: Any) -> dict[str, Any]:
    """One answer per screening condition of the pack (the enterprise's self-check)."""
    conds = policy(ctx).screening_conditions()
    raw = raw if isinstance(raw, dict) else {}
    out, errors = {}, {}
    for cid, c in conds.items():
        item = raw.get(cid)
        ok = item.get("ok") if isinstance(item, dict) else item
        if ok in ("1", "true", "yes", "on"):
            ok = True
        elif ok in ("0", "false", "no"):
            ok = False
        if not isinstance(ok, bool):
            errors[f"self_check.{cid}"] = [f"请就“{c['title']}”作出自查结论"]
            continue
        note = str(item.get("note", "") if isinstance(item, dict) else "")[:500]
        out[cid] = {"rule_id": c["rule_id"], "ok": ok, "note": note}
    if errors:
        raise ValidationFailed("自查不完整", errors)
    return out


def create(
    ctx: Context,
    e: Enterprise,
    *,
    origin: str,
    self_check: Any = None,
    files: list[Any] | None = None,
    renews: ListingEntry | None = None,
) -> ListingEntry:
    """An application (enterprise), a nomination (bureau) or a renewal. Refused, with the
    reason, when the enterprise already has an open round, or is excluded (XJ-X) or barred (XJ-R)."""
    require_action(ctx, Perm.LISTING_APPLY if origin == "application" else Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, ORIGIN_TITLES.get(origin, origin))
    current = open_entry(ctx, e)
    if current is not None and not (renews is not None and current.id == renews.id):
        raise Conflict(
            f"该企业已有正面清单事项（编号 {current.id}，{current.state_label}），不能重复申请",
            {"enterprise": [f"已有事项 {current.id}：{current.state_label}"]},
        )
    result = screen_one(ctx, e)
    if not result.answer:  # 同时满足以下条件，方可纳入 (XJ-C), or XJ-X / an XJ-R ban
        reason = moment.reason_of(result)
        raise Conflict("不得纳入正面清单：" + reason, {"enterprise": [reason]})
    checked = _check_self(ctx, self_check) if origin == "application" else {}
    entry = ListingEntry(
        enterprise_id=e.id,
        origin=origin,
        state="applied",
        self_check=checked,
        route="direct" if result.route == "direct" else "screening",
        screening=result.to_dict(),
        policy_version=str(result.policy_version or ""),
        renews_entry_id=renews.id if renews else None,
        created_by=ctx.actor.user_id,
    )
    db.session.add(entry)
    db.session.flush()
    for f in files or []:
        add_attachment(ctx, entry, f)
    record_step(
        ctx,
        "screening",
        entry_id=entry.id,
        result="eligible" if result.answer else "not_eligible",
        summary=result.explanation,
        evidence={"self_check": checked},
        rule_id=result.rule_id,
    )
    ledger.add_entry(
        ctx,
        e,
        "listing",
        ctx.today,
        f"{ORIGINS.get(origin, origin)}纳入正面清单（事项 {entry.id}）",
        f"entry:{entry.id}",
    )
    audit.record(
        ctx,
        "listing.entry_created",
        object_type="listing_entry",
        object_id=entry.id,
        after={
            "enterprise_id": e.id,
            "origin": origin,
            "screening": result.rule_id,
            "answer": result.answer,
            "policy_version": entry.policy_version,
        },
    )
    return entry


def add_attachment(ctx: Context, entry: ListingEntry, f: Any) -> ListingAttachment:
    """Through the one upload store (core/uploads.py): name cleaned, type checked by
    extension and content, size limited, hashed, outside the web root, removed on rollback."""
    count = db.session.execute(
        select(db.func.count())
        .select_from(ListingAttachment)
        .where(ListingAttachment.entry_id == entry.id)
    ).scalar_one()
    if count >= MAX_FILES:
        raise ValidationFailed.field("files", f"每项最多 {MAX_FILES} 个附件")
    stored = uploads.store(
        f.stream if hasattr(f, "stream") else f,
        getattr(f, "filename", "") or "",
        area="listing",
        tenant_id=entry.tenant_id,
        allowed=tuple(ALLOWED_TYPES),
        max_bytes=MAX_FILE_BYTES,
        field="files",
        empty_message="附件为空",
    )
    row = ListingAttachment(
        entry_id=entry.id,
        filename=stored.filename,
        stored_as=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=ctx.actor.user_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "listing.attachment_added",
        object_type="listing_entry",
        object_id=entry.id,
        after={"filename": row.filename, "sha256": row.sha256, "size": row.size},
    )
    return row


def site_verification(ctx: Context, entry: ListingEntry, data: dict[str, Any]) -> ListingEntry:
    """现场核查: record, officers, result; a failed check closes the round."""
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "现场核查")
    refuse_state("现场核查", entry.state, ("applied",), ENTRY_STATES)
    on = _date(ctx, data.get("on_date"), "on_date", "核查日期")
    moment.not_before(ctx, "site_verification", on, "on_date", entry_ids=[entry.id])
    officers = _text(data.get("officers"), "officers", 200, "核查人员")
    record = _text(data.get("record"), "record", 4000, "核查记录")
    passed = data.get("passed") in (True, "1", "true", "yes", "on")
    moment.hold(ctx, entry, on, "现场核查")
    before = entry.state
    entry.state = "site_verified" if passed else "refused"
    if not passed:
        entry.closed_reason = f"现场核查未通过：{record[:400]}"
    record_step(
        ctx,
        "site_verification",
        entry_id=entry.id,
        on_date=on,
        result="pass" if passed else "fail",
        summary=record,
        evidence={"officers": officers},
        rule_id=policy(ctx).listing_rule_ids().procedure,
    )
    ledger.add_entry(
        ctx,
        entry.enterprise,
        "site_verification",
        on,
        f"现场核查{'通过' if passed else '未通过'}：{record[:200]}",
        f"entry:{entry.id}",
    )
    audit.record(
        ctx,
        "listing.site_verified",
        object_type="listing_entry",
        object_id=entry.id,
        before={"state": before},
        after={"state": entry.state, "on": on, "officers": officers},
    )
    return entry


def add_opinion(ctx: Context, entry: ListingEntry, data: dict[str, Any]) -> ListingStep:
    """征求意见: who was asked (department, association, social organisation) and what they said."""
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "征求意见")
    refuse_state("征求意见", entry.state, ("site_verified", "consulted"), ENTRY_STATES)
    party_type = data.get("party_type")
    if party_type not in PARTY_TYPES:
        raise ValidationFailed.field("party_type", "请选择相关部门、行业协会或社会组织")
    party = _text(data.get("party"), "party", 200, "征求意见对象")
    asked_on = _date(ctx, data.get("on_date"), "on_date", "征求意见日期")
    moment.not_before(ctx, "opinions", asked_on, "on_date", entry_ids=[entry.id])
    opinion = _text(data.get("opinion"), "opinion", 4000, "意见内容")
    agrees = data.get("agrees") in (True, "1", "true", "yes", "on")
    moment.hold(ctx, entry, asked_on, "征求意见")
    before = entry.state
    entry.state = "consulted"
    step = record_step(
        ctx,
        "opinion",
        entry_id=entry.id,
        on_date=asked_on,
        result="agree" if agrees else "disagree",
        summary=opinion,
        evidence={"party": party, "party_type": party_type},
        rule_id=policy(ctx).listing_rule_ids().procedure,
    )
    audit.record(
        ctx,
        "listing.opinion_recorded",
        object_type="listing_entry",
        object_id=entry.id,
        before={"state": before},
        after={"party": party, "party_type": party_type, "agrees": agrees},
    )
    return step


def commitment_text(
    ctx: Context, entry: ListingEntry, on: date | None = None, signer: str = ""
) -> str:
    """The commitment the enterprise signs, built from its pack: the conditions it keeps (XJ-C),
    the removal grounds (XJ-R) and the bans; dated and signed. No region's wording is hard-coded."""
    pol = policy(ctx, on)
    reasons = pol.removal_reasons()
    lines = [
        f"本企业（{entry.enterprise.name}，统一社会信用代码 {entry.enterprise.uscc}）申请纳入"
        f"生态环境监督执法正面清单，郑重承诺："
    ]
    for c in pol.screening_conditions().values():
        lines.append(f"· 持续满足：{c['title']}（{c['rule_id']}）；")
    lines.append(
        "· 知悉出现下列情形之一将被移出正面清单："
        + "；".join(reasons.answer.values())
        + f"（{reasons.rule_id}）；"
    )
    for ban in pol.reinclusion_bans().values():
        lines.append(f"· 知悉：{ban['title']}；")
    lines.append("· 所提交材料真实、准确、完整，接受社会监督。")
    if on is not None:
        lines.append(
            f"承诺人：{signer}（代表本企业）    承诺日期：{on.year}年{on.month}月{on.day}日"
        )
    return "\n".join(lines)


def sign_commitment(
    ctx: Context, entry: ListingEntry, enterprise: Enterprise, data: dict[str, Any] | None = None
) -> ListingEntry:
    """守法承诺, dated and signed online by a user of the enterprise itself (``enterprise`` comes
    from enterprise_accounts.my_enterprise, never from the URL). ``data["on_date"]``: the date
    the enterprise puts on it (default today): not in the future, not before the opinions."""
    require_action(ctx, Perm.LISTING_APPLY)
    if entry.enterprise_id != enterprise.id:
        raise NotFound("没有该正面清单事项")
    refuse_state("守法承诺", entry.state, ("consulted",), ENTRY_STATES)
    raw = (data or {}).get("on_date")
    on = _date(ctx, raw, "on_date", "承诺日期") if raw not in (None, "") else ctx.today
    moment.not_before(ctx, "commitment", on, "on_date", entry_ids=[entry.id])
    moment.hold(ctx, entry, on, "守法承诺")
    name = ctx.actor.name
    entry.commitment_text = commitment_text(ctx, entry, on, name)
    entry.commitment_signed_by, entry.commitment_signed_at = ctx.actor.user_id, utcnow()
    entry.state = "committed"
    digest = hashlib.sha256(entry.commitment_text.encode()).hexdigest()
    record_step(
        ctx,
        "commitment",
        entry_id=entry.id,
        on_date=on,
        result="signed",
        summary=entry.commitment_text,
        evidence={"signed_by": name, "sha256": digest},
        rule_id=policy(ctx).listing_rule_ids().procedure,
    )
    ledger.add_entry(
        ctx, enterprise, "commitment", on, f"企业作出守法承诺（{name}）", f"entry:{entry.id}"
    )
    audit.record(
        ctx,
        "listing.commitment_signed",
        object_type="listing_entry",
        object_id=entry.id,
        before={"state": "consulted"},
        after={"state": "committed", "sha256": digest, "on": on},
    )
    return entry


def steps(ctx: Context, entry: ListingEntry) -> list[ListingStep]:
    return list(
        db.session.execute(
            select(ListingStep).where(ListingStep.entry_id == entry.id).order_by(ListingStep.id)
        ).scalars()
    )


def attachments(ctx: Context, entry: ListingEntry) -> list[ListingAttachment]:
    return list(
        db.session.execute(
            select(ListingAttachment)
            .where(ListingAttachment.entry_id == entry.id)
            .order_by(ListingAttachment.id)
        ).scalars()
    )


def entries(
    ctx: Context, state: str | None = None, enterprise_id: int | None = None, limit: int = 200
) -> list[ListingEntry]:
    stmt = select(ListingEntry).order_by(ListingEntry.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(ListingEntry.state == state)
    if enterprise_id:
        stmt = stmt.where(ListingEntry.enterprise_id == enterprise_id)
    return list(db.session.execute(stmt).scalars())


def entries_page(
    ctx: Context, state: str | None = None, *, after: int | None = None, limit: int = 50
) -> Page:
    """Every entry of the tenant, newest first, keyset-paged, with how many in all."""
    stmt = select(ListingEntry)
    if state:
        stmt = stmt.where(ListingEntry.state == state)
    return keyset_page(stmt, ListingEntry.id, after, limit, descending=True, count=True)
