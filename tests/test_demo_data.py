"""The demo population (tenant_app/demo): what a newcomer sees after `tenant-app demo`.

Every demo city and county has a registry of valid enterprises, the Xinjiang city has its
positive list at every stage, both cities have inspections in every state with a plan, a
campaign and a draw; a second run adds nothing; every printed tip opens for its role. The same
holds with the clock far ahead (time-machine), since every demo date is relative to it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from stdnum.cn import uscc as stdnum_uscc

from tenant_app.clock import SHANGHAI, today
from tenant_app.demo import seed_demo_data
from tenant_app.demo.context import POPULATION
from tenant_app.demo.tips import role_tips
from tenant_app.extensions import db
from tenant_app.models import (
    Campaign,
    Case,
    CaseViolation,
    ComplianceRecord,
    Draw,
    Enterprise,
    EnterpriseWarning,
    Industry,
    Inspection,
    InspectionPlan,
    ListingBatch,
    ListingEntry,
    ListingFiling,
    ListingObjection,
    MonitoringRecord,
    ScreeningResult,
    ScreeningRun,
)
from tenant_app.models.case import CASE_STAGES
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import login, tenant

pytestmark = pytest.mark.slow
MIN_ENTERPRISES = {"city": 250, "county": 80}
COUNTED = (
    Enterprise,
    EnterpriseWarning,
    ComplianceRecord,
    ListingEntry,
    ListingBatch,
    ListingFiling,
    ListingObjection,
    MonitoringRecord,
    ScreeningRun,
    Inspection,
    InspectionPlan,
    Campaign,
    Draw,
    Case,
    EnterpriseWarning,
    MonitoringRecord,
)


def _counts() -> dict[str, int]:
    with use_scope(system_scope()):
        return {
            m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in COUNTED
        }


def _in(slug: str, stmt: Any) -> list[Any]:
    with use_scope(system_scope()):
        return list(db.session.execute(stmt.where(_tenant_col(stmt) == tenant(slug).id)).all())


def _tenant_col(stmt: Any) -> Any:
    return stmt.column_descriptions[0]["entity"].tenant_id


def _check_registry() -> None:
    with use_scope(system_scope()):
        catalog = set(db.session.execute(select(Industry.code)).scalars())
    for slug in POPULATION:
        rows = _in(
            slug, select(Enterprise.uscc, Enterprise.industry_code, Enterprise.permit_valid_to)
        )
        level = tenant(slug).level
        assert len(rows) >= MIN_ENTERPRISES[level], slug
        assert all(stdnum_uscc.is_valid(code) for code, _i, _p in rows)
        assert all(code[2:8] == tenant(slug).division_code for code, _i, _p in rows)
        assert {i for _c, i, _p in rows} <= catalog
        soon = [p for _c, _i, p in rows if p and 0 <= (p - today()).days <= 90]
        assert soon, f"{slug}: no permit expiring within 90 days"
        kinds = {k for (k,) in _in(slug, select(ComplianceRecord.kind))}
        assert {"penalty", "complaint", "rectification", "execution_report"} <= kinds
        dates = [d for (d,) in _in(slug, select(ComplianceRecord.record_date))]
        assert max(dates) <= today() and (today() - min(dates)).days > 2 * 365


def _check_listing() -> None:
    states = Counter(s for (s,) in _in("xj-urumqi", select(ListingEntry.state)))
    for state in (
        "applied",
        "site_verified",
        "consulted",
        "committed",
        "in_notice",
        "listed",
        "removal_pending",
        "removed",
    ):
        assert states[state], f"no positive-list entry {state}: {states}"
    batches = {s for (s,) in _in("xj-urumqi", select(ListingBatch.state))}
    assert {"notice", "published", "filed"} <= batches
    acked = _in("xj-urumqi", select(ListingFiling.acknowledged_at))
    assert any(a for (a,) in acked)
    assert any(s == "open" for (s,) in _in("xj-urumqi", select(ListingObjection.state)))
    with use_scope(system_scope()):
        run = db.session.execute(
            select(ScreeningRun).where(ScreeningRun.tenant_id == tenant("xj-urumqi").id)
        ).scalar_one()
        verdicts = set(
            db.session.execute(
                select(ScreeningResult.verdict).where(ScreeningResult.run_id == run.id)
            ).scalars()
        )
    assert run.status == "done"
    assert {"eligible", "not_eligible", "excluded", "direct", "barred"} <= verdicts


def _check_inspections() -> None:
    for slug in ("xj-urumqi", "sx-taiyuan"):
        rows = _in(
            slug,
            select(
                Inspection.status,
                Inspection.mode,
                Inspection.feedback_at,
                Inspection.feedback_overdue,
                Inspection.decision,
            ),
        )
        statuses = {r[0] for r in rows}
        assert {"pending", "approved", "rejected", "in_progress", "done"} <= statuses, slug
        assert any(r[0] == "done" and r[2] for r in rows), "done with feedback"
        assert any(r[0] == "done" and r[3] for r in rows), "feedback overdue"
        assert any(r[0] == "done" and r[1] == "off_site" for r in rows), "off-site"
        if slug.startswith("sx"):
            assert any(r[0] == "pending" and r[4]["facts"]["in_quiet_period"] for r in rows)
        assert ("published",) in _in(slug, select(InspectionPlan.status))
        assert ("published",) in _in(slug, select(Campaign.status))
        assert ("drawn",) in _in(slug, select(Draw.status))


def _check_cases() -> None:
    """Issue 14: a case noticed from an inspection (the portal enterprise's in 太原), a serious
    one awaiting legal review, one decided without a penalty and served."""
    for slug in ("xj-urumqi", "sx-taiyuan"):
        rows = _in(
            slug, select(Case.stage, Case.inspection_id, Case.total_fine, Case.education_record)
        )
        stages = {r[0] for r in rows}
        # A case in every stage, for a newcomer clicking through (issue 14).
        assert set(CASE_STAGES) <= stages, (slug, set(CASE_STAGES) - stages)
        assert any(r[1] for r in rows), "a case opened from an inspection"
        assert any(r[0] == "served" and r[2] == 0 and r[3] for r in rows), "免罚不免责"
        # 类案同罚: a decision flagged far from its similar cases.
        far = _in(slug, select(CaseViolation.id).where(CaseViolation.similar_far.is_(True)))
        assert far, (slug, "a decision far from similar cases")
        # Issue 15: a closed case with a fine has it settled (paid in full or sent to the court).
        from tenant_app.models import CaseStep, FinePayment

        closed = _in(slug, select(Case.id, Case.total_fine).where(Case.stage == "closed"))
        for case_id, fine in closed:
            if not fine:
                continue
            paid = sum(
                a
                for (a,) in _in(
                    slug, select(FinePayment.amount_fen).where(FinePayment.case_id == case_id)
                )
            )
            court = _in(
                slug,
                select(CaseStep.id).where(
                    CaseStep.case_id == case_id, CaseStep.step == "enforcement_applied"
                ),
            )
            assert paid >= fine * 100 or court, (slug, case_id, "closed with its fine unpaid")
    # XJ-T: a listed enterprise's case in 乌鲁木齐 whose proposal is the positive list's tolerance.
    proposals = _in("xj-urumqi", select(CaseViolation.proposal))
    assert any(p["treatment_rule_id"] == "XJ-T" and p.get("listed") for (p,) in proposals), (
        "a listed enterprise's XJ-T proposal"
    )


def _check_notifications() -> None:
    """Issue 16: every account of the city has the welcome notice (the admin's read), the
    enterprise account its own, the officers reminders from the demo's real deadlines."""
    from tenant_app.models import Notification, ReminderSent, User

    for slug in ("xj-urumqi", "sx-taiyuan"):
        rows = _in(
            slug,
            select(Notification.kind, User.username, Notification.read_at).join(
                User, User.id == Notification.user_id
            ),
        )
        kinds = {(r[1], r[0]) for r in rows}
        city = slug.split("-")[1]
        assert (f"{city}-officer1", "system") in kinds and (f"{city}-qiye", "system") in kinds
        assert all(r[2] is not None for r in rows if r[1] == f"{city}-admin" and r[0] == "system")
        assert any(r[0].startswith("reminder_") for r in rows), (slug, kinds)
        assert _in(slug, select(ReminderSent.rule_id)), "reminders carry their rule ids"


def _check_warnings() -> None:
    """Issue 16 (SX-1): anomalies pushed, and warnings in every state in both cities."""
    from tenant_app.models.warning import WARNING_STATUSES

    for slug in ("xj-urumqi", "sx-taiyuan"):
        assert _in(slug, select(MonitoringRecord.id)), slug
        states = {r[0] for r in _in(slug, select(EnterpriseWarning.status))}
        assert states == set(WARNING_STATUSES), (slug, states)


def _check_rectification() -> None:
    """Issue 15 (SX-14/15): correction orders in every state in both cities, one overdue, from
    both sources."""
    from tenant_app.models import CorrectionOrder
    from tenant_app.models.rectification import ORDER_SOURCES, ORDER_STATUSES

    for slug in ("xj-urumqi", "sx-taiyuan"):
        rows = _in(
            slug,
            select(CorrectionOrder.status, CorrectionOrder.source, CorrectionOrder.overdue_on),
        )
        assert {r[0] for r in rows} == set(ORDER_STATUSES), (slug, {r[0] for r in rows})
        assert {r[1] for r in rows} == set(ORDER_SOURCES), slug
        assert any(r[2] for r in rows), slug


def _check_enforcement() -> None:
    """Issue 15: fines in every payment state, applications decided both ways and one waiting,
    a 普法 event and ladder steps (one chosen against the proposal, with its reason)."""
    from tenant_app.enforcement.services import payments
    from tenant_app.models import Case, EducationEvent, LadderStep, PaymentApplication
    from tenant_app.tenancy.acting import scope_context

    for slug in ("xj-urumqi", "sx-taiyuan"):
        assert {r[0] for r in _in(slug, select(PaymentApplication.status))} == {
            "pending",
            "approved",
            "rejected",
        }, slug
        assert _in(slug, select(EducationEvent.id)), slug
        steps = _in(slug, select(LadderStep.rung, LadderStep.deviation_reason))
        assert {r[0] for r in steps} == {"guidance", "reasoned_warning"}, slug
        assert any(r[1] for r in steps), "a choice against the proposal carries its reason"
        t = tenant(slug)
        with use_scope(tenant_scope(t)):
            ctx = scope_context()
            fined = db.session.execute(
                select(Case).where(Case.total_fine > 0, Case.served_on.is_not(None))
            ).scalars()
            states = {payments.fine_state(ctx, c).state for c in fined}
        assert {"not_due", "paid", "overdue", "due", "enforcement"} <= states, (slug, states)


def _check_tips(app: Any) -> None:
    for r in role_tips():
        client = app.test_client()
        if r.username:
            assert login(client, r.slug, r.username).status_code == 302, r.username
        for t in r.tips:
            who = client
            if "（taiyuan-qiye" in t.text:
                who = app.test_client()
                login(who, "sx-taiyuan", "taiyuan-qiye")
            resp = who.get(t.path)
            assert resp.status_code == 200, (r.role, t.path, resp.status_code)
            adapter = app.url_map.bind("localhost")
            assert adapter.match(t.path.partition("#")[0])


def test_demo_data_shows_every_module(world: dict[str, Any], app: Any) -> None:
    seeded = seed_demo_data()
    assert seeded["registry"] and seeded["listing"] and seeded["inspections"] and seeded["cases"]
    _check_registry()
    _check_listing()
    _check_inspections()
    _check_cases()
    assert seeded["notifications"]
    _check_notifications()
    _check_warnings()
    assert seeded["warnings"]
    assert seeded["rectification"]
    _check_rectification()
    _check_enforcement()
    assert seeded["enforcement"]
    before = _counts()
    again = seed_demo_data()
    assert not any(again.values())
    assert _counts() == before
    _check_tips(app)


def test_demo_data_with_a_far_clock(world: dict[str, Any]) -> None:
    time_machine = pytest.importorskip("time_machine")
    with time_machine.travel(datetime(2029, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=True):
        assert today().isoformat() == "2029-03-01"
        seed_demo_data()
        _check_registry()
        _check_listing()
        _check_inspections()
        _check_cases()
        _check_notifications()
        _check_warnings()
        _check_rectification()
        _check_enforcement()
