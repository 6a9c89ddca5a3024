"""The positive list (XJ-P) of a Xinjiang city at every stage, through the listing services:
applications and nominations, on-site verification, opinions, commitments signed by the
enterprises' own users, a batch filed with and acknowledged by the region a year ago (with
health-check visits, one removal in progress and one enterprise removed and barred), a batch
published this week and not yet filed, a batch in public notice with an open objection, and a
tenant-wide screening run.

History is dated in the past with the services' own date fields (on_date, notice_start…).
Where a service stamps "today" on a step of a round that happened earlier (the screening step
and ledger line of an application, the creation of a batch, a public notice -- which the
service dates from the moment it goes up), ``_redate`` / ``_redate_notice`` set the day it
happened on those rows, in the same transaction. The services screen each enterprise again at
every step on the step's date (issue 11), so the enterprises are picked among those eligible on
every day the story screens them (``_eligible``).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from tenant_app.clock import today
from tenant_app.context import Context
from tenant_app.demo import names
from tenant_app.demo.context import (
    CLERK,
    acting,
    days_ago,
    jobs_inline,
    rng_for,
    workday_on_or_before,
)
from tenant_app.demo.portal import enterprise_user
from tenant_app.extensions import db
from tenant_app.listing.services import (
    batches,
    bulk_screening,
    entries,
    filings,
    listed,
    objections,
    removal,
    screening,
)
from tenant_app.listing.services.common import policy
from tenant_app.models import (
    Deadline,
    Enterprise,
    LedgerEntry,
    ListingBatch,
    ListingEntry,
    ListingStep,
)
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.registry.services import records
from tenant_app.tenancy.acting import scope_context

# Tenants that compile a positive list in the demo: the Xinjiang rules (policies/xinjiang,
# listing.compiled_by = "city"). Shanxi's list sections are platform defaults (SX-9).
LISTING_TENANTS = {"xj-urumqi": "xj"}
OFFICERS = "张执法（65010020260001）、李执法（65010020260002）"
PARTIES = (
    ("department", "乌鲁木齐市发展和改革委员会", "该企业近三年未发现违反产业政策情形，同意纳入。"),
    ("association", "乌鲁木齐市环境保护产业协会", "企业环境管理制度健全，台账规范，同意推荐。"),
    ("social_org", "乌鲁木齐市环保志愿者协会", "未收到群众对该企业的环境投诉，无异议。"),
)
SITE_RECORDS = (
    "现场核查：环评批复及验收手续齐全；布袋除尘器、脱硫设施运行正常，运行台账完整；"
    "在线监测设备已联网，近一年数据有效传输率 98%；危废暂存间标识规范。",
    "现场核查：污水处理站运行正常，出水水质达标；自行监测按证开展；"
    "排污许可证执行报告按时提交；厂区无露天堆放物料。",
)
CHANNEL = "乌鲁木齐市生态环境局执法支队，电话 0991-12369，邮箱 hbj12369@urumqi.example.cn"


def seed_listing(slug: str) -> bool:
    """Seed ``slug``'s positive list once; False when it already has entries."""
    clerk = CLERK[slug]
    with acting(slug, clerk):
        if db.session.execute(select(ListingEntry.id).limit(1)).first():
            return False
        ctx = scope_context()
        recent_start = _recent_notice_start(ctx)
        pool = _eligible(ctx, _story_days(ctx, recent_start))
    rng = rng_for(slug, "listing")
    rng.shuffle(pool)
    need = 18
    if len(pool) < need:
        raise RuntimeError(f"demo listing at {slug}: only {len(pool)} eligible enterprises")
    take = iter(pool)

    # A year ago: six enterprises listed, published, filed and acknowledged by the region.
    old = [_round(slug, clerk, next(take), days_ago(430), i, commit=True) for i in range(6)]
    filed = _batch_through(slug, clerk, old, days_ago(400), "第一批", file=True)
    _acknowledge(LISTING_TENANTS[slug], filed)
    _visits(slug, clerk, rng, old[:4])
    _removal_in_progress(slug, clerk, old[4])
    _barred(slug, clerk, old[5])

    # This week: three published, filing with the region still to do.
    recent = [_round(slug, clerk, next(take), days_ago(45), i, commit=True) for i in range(3)]
    _batch_through(slug, clerk, recent, recent_start, "第二批", file=False)

    # Now: three in public notice, one objection from the public waiting for a decision.
    notice = [_round(slug, clerk, next(take), days_ago(20), i, commit=True) for i in range(3)]
    in_notice = _batch_notice(slug, clerk, notice, workday_on_or_before(days_ago(1)), "第三批")
    _objections(slug, in_notice, notice)

    # Rounds still on their way: applied, verified, consulted, committed, refused.
    _round(slug, clerk, next(take), days_ago(3), 0, stop="applied", origin="application")
    _round(slug, clerk, next(take), days_ago(5), 1, stop="applied")
    _round(slug, clerk, next(take), days_ago(12), 0, stop="site_verified")
    portal_ent = next(take)
    _round(slug, clerk, portal_ent, days_ago(15), 1, stop="consulted", origin="application")
    enterprise_user(slug, portal_ent, "urumqi-qiye", "马经理")
    _round(slug, clerk, next(take), days_ago(18), 0, commit=True)
    _round(slug, clerk, next(take), days_ago(25), 1, stop="refused")

    _screening_run(slug, clerk)
    return True


def _publication_day(ctx: Context, start: date) -> date:
    """The day ``_batch_through`` publishes a notice that starts on ``start``."""
    return min(today(), policy(ctx).step_due("notice_min_end", start).answer + timedelta(days=1))


def _story_days(ctx: Context, recent_start: date) -> set[date]:
    """Every day the story screens an enterprise: its rounds' verification, opinion and
    commitment days (start + 4, 7, 10), the notices (today, before they are re-dated) and the
    publications."""
    starts = (430, 45, 20, 18, 15, 12, 25)
    days = {today(), _publication_day(ctx, days_ago(400)), _publication_day(ctx, recent_start)}
    for k in starts:
        days |= {days_ago(k) + timedelta(days=d) for d in (4, 7, 10)}
    return {d for d in days if d <= today()}


def _eligible(ctx: Context, days: set[date]) -> list[int]:
    """Enterprises the screening lets through (XJ-C1..C7 or XJ-D) on every one of ``days``."""
    tenant_id = ctx.tenant_id
    assert tenant_id is not None
    ok: set[int] | None = None
    for on in sorted(days):
        passed = {
            v.enterprise_id
            for v in bulk_screening.screen_tenant(policy(ctx, on), tenant_id, on)
            if v.verdict in ("eligible", "direct")
        }
        ok = passed if ok is None else ok & passed
    return sorted(ok or ())


def _enterprise(eid: int) -> Enterprise:
    return db.session.execute(select(Enterprise).where(Enterprise.id == eid)).scalar_one()


def _redate(
    entry_id: int | None, on: date, steps: tuple[str, ...], batch_id: int | None = None
) -> None:
    """The services stamp these steps "today"; this round took them on ``on`` (see module doc)."""
    cond = ListingStep.batch_id == batch_id if batch_id else ListingStep.entry_id == entry_id
    db.session.execute(
        update(ListingStep).where(cond, ListingStep.step.in_(steps)).values(on_date=on)
    )
    if entry_id:
        db.session.execute(
            update(LedgerEntry)
            .where(
                LedgerEntry.ref == f"entry:{entry_id}",
                LedgerEntry.kind.in_(("listing", "commitment")),
            )
            .values(on_date=on)
        )


def _self_check(ctx: Context) -> dict[str, Any]:
    conds = policy(ctx).screening_conditions()
    return {cid: {"ok": True, "note": "经自查符合"} for cid in conds}


def _round(
    slug: str,
    clerk: str,
    eid: int,
    start: date,
    i: int,
    *,
    stop: str = "committed",
    origin: str = "nomination",
    commit: bool = False,
) -> int:
    """One enterprise's round from application/nomination up to ``stop``; returns the entry id."""
    with acting(slug, clerk):
        ctx = scope_context()
        e = _enterprise(eid)
        entry = entries.create(
            ctx, e, origin=origin, self_check=_self_check(ctx) if origin == "application" else None
        )
        db.session.flush()
        _redate(entry.id, start, ("screening",))
        if stop != "applied":
            passed = stop != "refused"
            c3 = policy(ctx).screening_conditions()["C3"]["rule_id"]
            entries.site_verification(
                ctx,
                entry,
                {
                    "on_date": start + timedelta(days=4),
                    "officers": OFFICERS,
                    "record": SITE_RECORDS[i % 2]
                    if passed
                    else f"现场核查：脱硝设施停运，未见运行记录；危废暂存间无防渗措施，不符合 {c3}。",
                    "passed": passed,
                },
            )
        if stop in ("consulted", "committed"):
            for party_type, party, opinion in PARTIES[:2] if i % 2 else PARTIES:
                entries.add_opinion(
                    ctx,
                    entry,
                    {
                        "party_type": party_type,
                        "party": party,
                        "on_date": start + timedelta(days=7),
                        "opinion": opinion,
                        "agrees": True,
                    },
                )
        entry_id, uscc = entry.id, e.uscc
        db.session.commit()
    if stop == "committed" or commit:
        # 守法承诺 is the enterprise's own act: its verified user signs it.
        signer = enterprise_user(
            slug, eid, f"qy-{uscc[-8:].lower()}", names.person(random.Random(uscc), slug)
        )
        with acting(slug, signer.username):
            ctx = scope_context()
            entry = entries.get_entry(ctx, entry_id)
            signed = start + timedelta(days=10)
            entries.sign_commitment(ctx, entry, entry.enterprise, {"on_date": signed.isoformat()})
            entry.commitment_signed_at = datetime.combine(signed, time(3, 0), UTC)
            db.session.commit()
    return entry_id


def _batch_notice(slug: str, clerk: str, ids: list[int], start: date, label: str) -> int:
    with acting(slug, clerk):
        ctx = scope_context()
        b = batches.create(
            ctx,
            {
                "kind": "addition",
                "title": f"{start.year}年乌鲁木齐市生态环境监督执法正面清单（{label}）",
                "complaint_channel": CHANNEL,
                "entry_ids": ids,
            },
        )
        db.session.flush()
        _redate(None, start - timedelta(days=1), ("batch_created",), batch_id=b.id)
        batches.start_notice(ctx, b, {})  # the service dates a notice from when it goes up
        _redate_notice(ctx, b, start)
        batch_id = b.id
        db.session.commit()
    return batch_id


def _redate_notice(ctx: Context, b: ListingBatch, start: date) -> None:
    """This notice went up on ``start``: its dates, step, ledger lines and deadline say so."""
    pol = policy(ctx, start)
    min_end = pol.step_due("notice_min_end", start).answer
    b.notice_start, b.notice_min_end, b.notice_end = start, min_end, min_end
    db.session.execute(
        update(ListingStep)
        .where(ListingStep.batch_id == b.id, ListingStep.step == "notice")
        .values(
            on_date=start,
            summary=f"公示 {start.isoformat()} 至 {min_end.isoformat()}（最短至 {min_end.isoformat()}）",
        )
    )
    db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.ref == f"batch:{b.id}", LedgerEntry.kind == "notice")
        .values(on_date=start, summary=f"社会公示 {start}–{min_end}（批次 {b.id}）")
    )
    db.session.execute(
        update(Deadline)
        .where(
            Deadline.subject_type == "listing_batch.notice_min_end",
            Deadline.subject_id == str(b.id),
        )
        .values(event_date=start, due_date=min_end)
    )


def _batch_through(
    slug: str, clerk: str, ids: list[int], start: date, label: str, *, file: bool
) -> int:
    """Notice from ``start``, published the day after it closes, filed the day after (or not)."""
    batch_id = _batch_notice(slug, clerk, ids, start, label)
    with acting(slug, clerk):
        ctx = scope_context()
        b = batches.get_batch(ctx, batch_id)
        assert b.notice_end is not None
        published = min(today(), b.notice_end + timedelta(days=1))
        batches.publish(ctx, b, {"on_date": published.isoformat()})
        if file:
            filed = published + timedelta(days=1)
            batches.file_with_parent(ctx, b, {"on_date": filed.isoformat()})
        db.session.commit()
    return batch_id


def _recent_notice_start(ctx: Context) -> date:
    """A notice that closed before yesterday, so the batch is published yesterday and its
    filing (3 working days) is still ahead."""
    pol = policy(ctx)
    for k in range(8, 40):
        start = workday_on_or_before(days_ago(k))
        if pol.step_due("notice_min_end", start).answer < days_ago(1):
            return start
    return days_ago(40)


def _acknowledge(province: str, batch_id: int) -> None:
    with acting(province, "xj-auditor"):
        ctx = scope_context()
        for f in filings.inbox(ctx, pending_only=True):
            if f.batch_id == batch_id:
                note = "已收到备案材料，名单符合程序要求，准予备案。"
                filings.acknowledge(ctx, f, {"note": note})
        db.session.commit()


def _visits(slug: str, clerk: str, rng: random.Random, ids: list[int]) -> None:
    findings = (
        "体检发现：除尘器压差记录不连续，建议完善运行台账；危废转移联单齐全。",
        "体检发现：雨污分流管网局部破损，企业已安排维修；在线监测运行正常。",
        "体检发现：应急预案未按期修订，已指导企业三个月内完成修订备案。",
    )
    with acting(slug, clerk):
        ctx = scope_context()
        for eid in ids:
            entry = entries.get_entry(ctx, eid)
            assert entry.listed_on is not None
            listed.add_visit(
                ctx,
                entry,
                {
                    "visit_date": (
                        entry.listed_on + timedelta(days=rng.randrange(90, 200))
                    ).isoformat(),
                    "officers": OFFICERS,
                    "findings": rng.choice(findings),
                    "advice": "按期整改并将整改情况报执法支队；下次帮扶时复核。",
                },
            )
        db.session.commit()


def _removal_in_progress(slug: str, clerk: str, entry_id: int) -> None:
    with acting(slug, clerk):
        ctx = scope_context()
        c3 = policy(ctx).screening_conditions()["C3"]["rule_id"]
        removal.start(
            ctx,
            entries.get_entry(ctx, entry_id),
            {
                "reason": "conditions_not_met",
                "discovered_on": days_ago(8).isoformat(),
                "note": f"非现场检查发现该企业布袋除尘器停运、颗粒物排放超标，不再符合 {c3} 条件。",
            },
        )
        db.session.commit()


def _barred(slug: str, clerk: str, entry_id: int) -> None:
    """A malicious-discharge penalty (XJ-H) → removed through a removal batch, and barred from
    re-inclusion for three years (XJ-R)."""
    with acting(slug, clerk):
        ctx = scope_context()
        entry = entries.get_entry(ctx, entry_id)
        e = entry.enterprise
        on = days_ago(70)
        records.add_record(
            scope_context(),
            e,
            "penalty",
            {
                "record_date": on.isoformat(),
                "ref": f"乌环罚〔{on.year}〕88号",
                "summary": "夜间通过暗管偷排未经处理的生产废水，逃避监管",
                "source": "乌鲁木齐市生态环境局",
                "fine_amount": "450000",
                "secret_discharge": True,
                "evading_supervision": True,
            },
        )
        ban = policy(ctx).reinclusion_bans()["malicious_penalty"]
        removal.start(
            ctx,
            entry,
            {
                "reason": "severe_violation",
                "discovered_on": (on + timedelta(days=2)).isoformat(),
                "note": f"因恶意偷排受到行政处罚，依规移出正面清单，{ban['years']}年内不得再次纳入"
                f"（{ban['rule_id']}）。",
            },
        )
        b = batches.create(
            ctx,
            {
                "kind": "removal",
                "title": f"{on.year}年乌鲁木齐市正面清单移出名单（第一批）",
                "entry_ids": [entry_id],
            },
        )
        db.session.flush()
        _redate(None, on + timedelta(days=3), ("batch_created",), batch_id=b.id)
        batches.publish(ctx, b, {"on_date": (on + timedelta(days=6)).isoformat()})
        batches.file_with_parent(ctx, b, {"on_date": (on + timedelta(days=7)).isoformat()})
        enterprise_service.update_enterprise(ctx, e, {"supervision_category": "special"})
        db.session.commit()


def _objections(slug: str, batch_id: int, ids: list[int]) -> None:
    # The public's objection: anyone may file one during the notice (no account).
    with acting(slug, None):
        ctx = scope_context()
        b = batches.get_batch(ctx, batch_id)
        objections.file_objection(
            ctx,
            b,
            {
                "entry_id": ids[0],
                "name": "周先生",
                "contact": "139****2218",
                "content": "该企业厂区东侧夜间经常有刺鼻气味，去年冬天曾多次向12345反映，"
                "请核实其是否符合正面清单条件。",
            },
        )
        db.session.commit()


def _screening_run(slug: str, clerk: str) -> None:
    with acting(slug, clerk), jobs_inline():
        screening.start_run(scope_context())
        db.session.commit()
