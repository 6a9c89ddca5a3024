"""Issue 16 item 3: the "due soon / overdue" queue over every computed deadline, reminders N
working days ahead (the pack's ``reminders.lead_workdays`` — SX-1 in Shanxi, as the pack says —
or the person's own choice), sent once per item per threshold however often the job runs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import ComplianceRecord, Notification, ReminderSent
from tenant_app.notifications.services import preferences
from tenant_app.reminders.services import queue
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import login, tenant
from tests.inspections.conftest import make_enterprise

from .conftest import as_person, as_system, user_id

SX, XJ = "sx-taiyuan", "xj-urumqi"


def _rectification(slug: str, officer: str, due: date, **kw: Any) -> int:
    e = make_enterprise(slug)
    with use_scope(system_scope(tenant(slug).id)):
        row = ComplianceRecord(
            enterprise_id=e.id,
            kind="rectification",
            record_date=date(2026, 9, 1),
            source="现场检查",
            due_date=due,
            outcome="open",
            entered_by=user_id(officer),
            **kw,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def _notes(username: str) -> list[str]:
    with use_scope(system_scope()):
        return list(
            db.session.execute(
                select(Notification.title)
                .where(Notification.user_id == user_id(username))
                .order_by(Notification.id)
            ).scalars()
        )


def _run_job(slug: str) -> None:
    """The periodic job as the scheduler starts it: one per tenant, in that tenant's scope."""
    t = tenant(slug)
    with use_scope(tenant_scope(t)):
        enqueue("reminders.send", {})
        db.session.commit()  # JOBS_EAGER: runs now


@pytest.mark.today("2026-09-29")
def test_due_soon_counts_working_days_across_the_national_day_holiday(world: Any) -> None:
    """SX-1 default lead 3 working days: from Tue 29 Sep 2026 they are 30 Sep, 8 Oct, 9 Oct
    (1-7 Oct are the National Day holiday), so a deadline on 9 Oct is due soon, 10 Oct is not."""
    soon = _rectification(SX, "taiyuan-officer1", date(2026, 10, 9))
    later = _rectification(SX, "taiyuan-officer1", date(2026, 10, 10))
    with as_person("taiyuan-officer1", SX) as ctx:
        rows = {r.item.object_ref: r for r in queue.my_queue(ctx)}
        assert queue.default_lead(ctx)[1] == "SX-1"
    assert rows[f"compliance_record:{soon}"].due_soon
    assert not rows[f"compliance_record:{later}"].due_soon
    assert not rows[f"compliance_record:{soon}"].overdue
    _run_job(SX)
    assert len(_notes("taiyuan-officer1")) == 1
    assert "2026-10-09" in _notes("taiyuan-officer1")[0]


@pytest.mark.today("2026-09-29")
def test_reminders_are_sent_once_per_item_per_threshold(world: Any, travel: Any) -> None:
    rid = _rectification(SX, "taiyuan-officer1", date(2026, 9, 30))
    _run_job(SX)
    _run_job(SX)  # the same day again: nothing new
    assert len(_notes("taiyuan-officer1")) == 1
    assert _notes("taiyuan-officer1")[0].startswith("即将到期")
    travel("2026-10-08")  # past the due date: overdue, once
    _run_job(SX)
    _run_job(SX)
    notes = _notes("taiyuan-officer1")
    assert len(notes) == 2 and notes[1].startswith("已逾期")
    with use_scope(system_scope()):
        sent = db.session.execute(
            select(ReminderSent.threshold, ReminderSent.object_ref).order_by(ReminderSent.id)
        ).all()
    assert [tuple(s) for s in sent] == [
        ("soon", f"compliance_record:{rid}"),
        ("overdue", f"compliance_record:{rid}"),
    ]
    # Closing the order ends the reminders.
    with use_scope(system_scope(tenant(SX).id)):
        row = db.session.get(ComplianceRecord, rid)
        assert row is not None
        row.closed_on, row.outcome = date(2026, 10, 8), "late_completed"
        db.session.commit()
    with as_person("taiyuan-officer1", SX) as ctx:
        assert queue.my_queue(ctx) == []


@pytest.mark.today("2026-09-29")
def test_a_persons_own_lead_overrides_the_pack(world: Any) -> None:
    _rectification(SX, "taiyuan-officer1", date(2026, 10, 9))
    with as_person("taiyuan-officer1", SX) as ctx:
        preferences.save(ctx, email="", email_kinds=[], reminder_lead_days="1")
        db.session.commit()
    _run_job(SX)
    assert _notes("taiyuan-officer1") == []  # 1 working day ahead is 30 Sep: 9 Oct not yet
    with as_person("taiyuan-officer1", SX) as ctx:
        assert [r.due_soon for r in queue.my_queue(ctx)] == [False]


@pytest.mark.today("2026-09-29")
def test_queues_are_per_person_and_per_tenant_and_isolated(world: Any, client: Any) -> None:
    mine = _rectification(SX, "taiyuan-officer1", date(2026, 9, 25))  # overdue
    _rectification(SX, "taiyuan-officer2", date(2026, 9, 30))
    _rectification(XJ, "urumqi-officer1", date(2026, 9, 30))
    with as_person("taiyuan-officer1", SX) as ctx:
        rows = queue.my_queue(ctx)
    assert [(r.item.object_ref, r.overdue, r.days_left) for r in rows] == [
        (f"compliance_record:{mine}", True, -4)
    ]
    with as_person("taiyuan-admin", SX) as ctx:
        everyone = queue.tenant_queue(ctx)
    assert len(everyone) == 2  # both SX officers' items, never XJ's
    login(client, SX, "taiyuan-officer1")
    assert client.get(f"/{SX}/reminders/all").status_code == 403
    page = client.get(f"/{SX}/reminders/").get_data(as_text=True)
    assert 'data-overdue="1"' in page and "责令整改期限" in page and "已逾期" in page
    login(client, SX, "taiyuan-admin")
    page = client.get(f"/{SX}/reminders/all").get_data(as_text=True)
    assert page.count("：责令整改期限") == 2 and "刘执法" in page


@pytest.mark.today("2026-09-29")
def test_case_and_listing_sources_carry_the_packs_rule_ids(world: Any) -> None:
    """Every item names the rule that set its deadline, from the pack (no literal here)."""
    from tenant_app.cases.due import case_deadlines
    from tenant_app.listing.due import listing_deadlines
    from tenant_app.models import Case, ListingBatch
    from tenant_app.policy.service import policy_for

    e = make_enterprise(SX)
    officer = user_id("taiyuan-officer1")
    with use_scope(system_scope(tenant(SX).id)):
        case = Case(
            enterprise_id=e.id,
            origin="manual",
            title="某企业超标排放案",
            officers=[{"id": officer, "name": "刘执法", "certificate_no": "1"}],
            stage="notice",
            filed_on=date(2026, 8, 1),
            limit_due=date(2026, 10, 30),
            statement_due=date(2026, 9, 30),
        )
        batch = ListingBatch(
            title="第一批", state="published", filing_due=date(2026, 9, 30), created_by=officer
        )
        db.session.add_all([case, batch])
        db.session.commit()
    with as_system(SX) as ctx:
        pol = policy_for(tenant(SX), date(2026, 9, 29))
        horizon = date(2026, 12, 31)
        cases = case_deadlines(ctx, user_id=officer, horizon=horizon)
        listing = listing_deadlines(ctx, user_id=None, horizon=horizon)
        assert case_deadlines(ctx, user_id=user_id("taiyuan-officer2"), horizon=horizon) == []
    kinds = {i.kind: i for i in cases}
    assert set(kinds) == {"cases.decision_limit", "cases.statement"}
    assert kinds["cases.statement"].rule_id == pol.case_rule("hearing.request_days").rule_id
    assert kinds["cases.decision_limit"].rule_id
    assert [(i.kind, i.rule_id) for i in listing] == [
        ("listing.filing", pol.listing_rule_ids().procedure)
    ]


@pytest.mark.today("2026-09-29")
def test_the_api_gives_my_queue_and_the_tenants_to_oversight_only(world: Any, client: Any) -> None:
    from tests.helpers import bearer

    rid = _rectification(SX, "taiyuan-officer1", date(2026, 9, 25))
    r = client.get(f"/api/v1/tenants/{SX}/reminders", headers=bearer("taiyuan-officer1"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["lead_workdays"] == 3
    assert [(i["object_ref"], i["overdue"], i["days_left"]) for i in body["items"]] == [
        (f"compliance_record:{rid}", True, -4)
    ]
    r = client.get(
        f"/api/v1/tenants/{SX}/reminders?scope=tenant", headers=bearer("taiyuan-officer1")
    )
    assert r.status_code == 403
    r = client.get(
        f"/api/v1/tenants/{SX}/reminders?scope=tenant", headers=bearer("taiyuan-principal")
    )
    assert r.status_code == 200 and len(r.get_json()["items"]) == 1
    r = client.get(
        f"/api/v1/tenants/{XJ}/reminders?scope=tenant", headers=bearer("urumqi-principal")
    )
    assert r.get_json()["items"] == []


@pytest.mark.today("2026-09-29")
def test_inspection_visits_go_to_their_officers_and_approvals_to_the_tenant_queue(
    world: Any,
) -> None:
    from tenant_app.inspections.due import inspection_deadlines
    from tenant_app.models import Inspection

    e = make_enterprise(SX)
    one, two = user_id("taiyuan-officer1"), user_id("taiyuan-officer2")
    with use_scope(system_scope(tenant(SX).id)):
        visit = Inspection(
            enterprise_id=e.id,
            mode="on_site",
            trigger="complaint",
            planned_date=date(2026, 9, 30),
            status="approved",
            officers=[{"id": one, "name": "刘执法"}, {"id": two, "name": "陈执法"}],
        )
        waiting = Inspection(
            enterprise_id=e.id,
            mode="on_site",
            trigger="complaint",
            planned_date=date(2026, 10, 8),
            status="pending",
            officers=[{"id": one, "name": "刘执法"}],
        )
        cancelled = Inspection(
            enterprise_id=e.id,
            mode="on_site",
            trigger="complaint",
            planned_date=date(2026, 9, 30),
            status="cancelled",
            officers=[{"id": one, "name": "刘执法"}],
        )
        db.session.add_all([visit, waiting, cancelled])
        db.session.commit()
        ids = visit.id, waiting.id
    with as_system(SX) as ctx:
        everyone = inspection_deadlines(ctx, user_id=None, horizon=date(2026, 12, 31))
        mine = inspection_deadlines(ctx, user_id=one, horizon=date(2026, 12, 31))
        early = inspection_deadlines(ctx, user_id=None, horizon=date(2026, 10, 7))
    assert sorted((i.kind, i.object_ref, i.assignee_id) for i in everyone) == [
        ("inspection.approval", f"inspection:{ids[1]}", None),
        ("inspection.visit", f"inspection:{ids[0]}", one),
        ("inspection.visit", f"inspection:{ids[0]}", two),
    ]
    assert [(i.kind, i.assignee_id) for i in mine] == [("inspection.visit", one)]
    assert {i.kind for i in early} == {"inspection.visit"}  # the horizon bounds the query


@pytest.mark.today("2026-09-29")
def test_feedback_owed_after_an_inspection_reaches_its_officers_until_given(world: Any) -> None:
    """SX-6 (检查结束后，及时向企业反馈检查结果): a finished inspection whose feedback is due
    Friday 9 October 2026 is "due soon" for its officer on Tuesday 29 September (3 working days
    ahead: 30 Sep, 8 Oct, 9 Oct); once the feedback is given it leaves the queue."""
    from tenant_app.inspections.due import inspection_deadlines
    from tenant_app.inspections.services.feedback import give_feedback
    from tenant_app.models import Inspection

    e = make_enterprise(SX)
    one = user_id("taiyuan-officer1")
    with use_scope(system_scope(tenant(SX).id)):
        done = Inspection(
            enterprise_id=e.id,
            mode="on_site",
            trigger="complaint",
            planned_date=date(2026, 9, 28),
            status="done",
            feedback_due=date(2026, 10, 9),
            officers=[{"id": one, "name": "刘执法"}],
        )
        db.session.add(done)
        db.session.commit()
        insp_id = done.id
    with as_person("taiyuan-officer1", SX) as ctx:
        rows = [r for r in queue.my_queue(ctx) if r.item.kind == "inspection.feedback"]
    assert [(r.item.object_ref, r.item.rule_id, r.due_soon) for r in rows] == [
        (f"inspection:{insp_id}", "SX-6", True)
    ]
    with as_system(SX) as ctx:
        give_feedback(ctx, db.session.get(Inspection, insp_id), "检查未发现问题。")
        db.session.commit()
        assert inspection_deadlines(ctx, user_id=None, horizon=date(2026, 12, 31)) == []
