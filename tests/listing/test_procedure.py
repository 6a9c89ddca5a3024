"""XJ-P end to end through the services: application, steps in order, batch, notice over the 2025
National Day holiday, objections, publication, filing and the parent's acknowledgement; refusals."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tenant_app import clock
from tenant_app.core.errors import Conflict, ServiceError
from tenant_app.extensions import db
from tenant_app.listing.services import (
    batches,
    entries,
    filings,
    ledger,
    listed,
    objections,
    removal,
)
from tenant_app.models import Deadline, Enterprise
from tenant_app.models.listing import ListingEntry, ListingFiling
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..clock_fixtures import needs_holidays
from ..helpers import tenant
from .factory import add_record, as_user, enterprise_user, good_enterprise

SELF = {c: {"ok": True, "note": "自查符合"} for c in ("C1", "C2", "C3", "C4", "C5", "C6", "C7")}


def _apply(app, world, n=1, username="qiye1", travel=None, on="2025-08-28"):
    """The enterprise applies on ``on`` (the clock is moved there when ``travel`` is given)."""
    if travel is not None:
        travel(on)
    e = good_enterprise(n)
    uid = enterprise_user(world, e, username)
    base = tenant_scope(tenant("xj-urumqi"), uid)
    s = replace(base, roles=frozenset({"enterprise"}))  # as the enterprise user acts
    with use_scope(s):
        ctx = scope_context()
        f = FileStorage(io.BytesIO(b"%PDF-1.4 test"), filename="自查报告.pdf")
        entry = entries.create(
            ctx, db.session.merge(e), origin="application", self_check=SELF, files=[f]
        )
        db.session.commit()
        return e, entry.id, s


# Each XJ-P step on its own day, in the text's order, never ahead of the clock (issue 11).
STORY = ("2025-09-01", "2025-09-05", "2025-09-08")  # verified, consulted, committed


def _through_commitment(world, e, entry_id, ent_scope, travel, days=STORY):
    verified, consulted, committed = days
    travel(verified)
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.get_entry(ctx, entry_id)
        entries.site_verification(
            ctx,
            entry,
            {
                "on_date": verified,
                "officers": "张三、李四",
                "record": "设施正常运行",
                "passed": "1",
            },
        )
        db.session.commit()
    travel(consulted)
    with as_user(world, "urumqi-officer1") as ctx:
        entries.add_opinion(
            ctx,
            entries.get_entry(ctx, entry_id),
            {
                "party_type": "association",
                "party": "乌鲁木齐市环保产业协会",
                "on_date": consulted,
                "opinion": "无异议",
                "agrees": "1",
            },
        )
        db.session.commit()
    travel(committed)
    with use_scope(ent_scope):
        ctx = scope_context()
        entries.sign_commitment(
            ctx, entries.get_entry(ctx, entry_id), db.session.merge(e), {"on_date": committed}
        )
        db.session.commit()


@needs_holidays(2025)
# The story runs day by day: applied 2025-08-28, verified 2025-09-01, notice from 2025-09-30
# (the day it goes up), published 2025-10-15, filed 2025-10-21 (a day late).
@pytest.mark.today("2025-08-28")
def test_notice_over_national_day_publication_filing_and_parent_ack(app, world, travel):
    e, entry_id, ent_scope = _apply(app, world, travel=travel)
    _through_commitment(world, e, entry_id, ent_scope, travel)
    travel("2025-09-30")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "2025年第一批", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {"notice_start": "2025-09-30"})
        assert b.notice_min_end == date(2025, 10, 14)  # 10-01..10-08 holiday, 10-11 make-up day
        db.session.commit()
    travel("2025-10-10")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.get_batch(ctx, b.id)
        with pytest.raises(Conflict):  # notice still running
            batches.publish(ctx, b, {"on_date": "2025-10-10"})
        db.session.rollback()
    travel("2025-10-21")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.get_batch(ctx, b.id)
        batches.publish(ctx, b, {"on_date": "2025-10-15"})
        assert b.publication_due == date(2025, 10, 21) and b.filing_due == date(2025, 10, 20)
        entry = entries.get_entry(ctx, entry_id)
        assert entry.state == "listed" and entry.valid_until == date(2028, 10, 15)
        assert entry.enterprise.supervision_category == "listed"
        filing = batches.file_with_parent(ctx, b, {"on_date": "2025-10-21"})
        assert filing.overdue is True  # due 2025-10-20
        due = {d.subject_type: d.due_date for d in db.session.execute(select(Deadline)).scalars()}
        assert due["listing_batch.notice_min_end"] == date(2025, 10, 14)
        db.session.commit()
        kinds = [x.kind for x in ledger.entries_of(ctx, entry.enterprise)]
        assert {"listing", "site_verification", "commitment", "notice", "publication"} <= set(kinds)
    # the province's staff see and acknowledge it; another province does not see it
    with as_user(world, "xj-auditor", "xj") as ctx:
        inbox = filings.inbox(ctx)
        assert [f.id for f in inbox] == [filing.id] and inbox[0].overdue
        filings.acknowledge(ctx, inbox[0], {"note": "已收悉"})
        db.session.commit()
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        row = db.session.execute(select(ListingFiling)).scalar_one()
        assert row.acknowledged_at is not None and row.ack_note == "已收悉"
    with as_user(world, "taiyuan-admin", "sx-taiyuan") as ctx:
        assert filings.inbox(ctx) == []


@pytest.mark.date_sensitive
def test_duplicate_application_and_steps_out_of_order_are_refused(app, world):
    e, entry_id, ent_scope = _apply(app, world)
    with use_scope(ent_scope):
        ctx = scope_context()
        with pytest.raises(Conflict, match="不能重复申请"):
            entries.create(ctx, db.session.merge(e), origin="application", self_check=SELF)
        with pytest.raises(Conflict, match="当前状态"):  # commitment before verification
            entries.sign_commitment(ctx, entries.get_entry(ctx, entry_id), db.session.merge(e))
        db.session.rollback()
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.get_entry(ctx, entry_id)
        with pytest.raises(Conflict):
            entries.add_opinion(
                ctx,
                entry,
                {"party_type": "department", "party": "x", "on_date": "2025-09-01", "opinion": "y"},
            )
        with pytest.raises(ServiceError):
            entries.site_verification(ctx, entry, {"on_date": "bad", "officers": "", "record": ""})
        db.session.rollback()
        assert entries.get_entry(ctx, entry_id).state == "applied"
        assert db.session.execute(select(func.count()).select_from(ListingEntry)).scalar() == 1


# A criminal judgment of 2024-01-05 bars listing for five years, to 2029-01-05 (XJ-X): on
# 2026-03-02 the bar is in force.
@pytest.mark.today("2026-03-02")
def test_barred_and_excluded_enterprises_are_refused_with_the_reason(world):
    barred = good_enterprise(5)
    add_record("xj-urumqi", barred, "criminal_judgment", record_date=date(2024, 1, 5))
    excluded = good_enterprise(
        6, industry_code="D4417", tags=["household_waste_incineration_power"]
    )
    with as_user(world, "urumqi-officer1") as ctx:
        with pytest.raises(Conflict, match="2029-01-05"):
            entries.create(ctx, db.session.merge(barred), origin="nomination")
        with pytest.raises(Conflict, match="XJ-X"):
            entries.create(ctx, db.session.merge(excluded), origin="nomination")


def _listed(app, world, n, username, travel):
    """Listed 2025-10-15 (notice 2025-09-30 to 2025-10-14); the clock comes back to the test's day."""
    back = clock.now()
    e, entry_id, ent_scope = _apply(app, world, n, username, travel)
    _through_commitment(world, e, entry_id, ent_scope, travel)
    travel("2025-09-30")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": f"批次{n}", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {})
        db.session.commit()
    travel("2025-10-15")
    with as_user(world, "urumqi-officer1") as ctx:
        batches.publish(ctx, batches.get_batch(ctx, b.id), {"on_date": "2025-10-15"})
        db.session.commit()
    travel(back)
    return e, entry_id


# 2025-11-03: the notice opens today (after the 2025-09 verification) and objections come in
# while it runs.
@pytest.mark.today("2025-11-03")
def test_objections_upheld_withdraws_dismissed_publishes_reason(app, world, travel):
    from tenant_app.listing.services import public

    e1, id1, s1 = _apply(app, world, 1, "qiye1", travel)
    e2, id2, s2 = _apply(app, world, 2, "qiye2", travel)
    _through_commitment(world, e1, id1, s1, travel)
    _through_commitment(world, e2, id2, s2, travel)
    travel("2025-11-03")
    today = clock.today()
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "批次", "complaint_channel": "12369", "entry_ids": [id1, id2]}
        )
        batches.start_notice(ctx, b, {"notice_start": today.isoformat()})
        db.session.commit()
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        ctx = scope_context()
        b = batches.get_batch(ctx, b.id)
        o1 = objections.file_objection(ctx, b, {"content": "该企业夜间偷排", "entry_id": str(id1)})
        o2 = objections.file_objection(
            ctx, b, {"content": "噪声扰民", "entry_id": str(id2), "name": "", "contact": ""}
        )
        with pytest.raises(ServiceError):
            objections.file_objection(ctx, b, {"content": ""})
        db.session.commit()
    with as_user(world, "urumqi-officer1") as ctx:
        objections.decide(
            ctx, objections.get_objection(ctx, o1.id), {"outcome": "uphold", "reason": "经查属实"}
        )
        objections.decide(
            ctx,
            objections.get_objection(ctx, o2.id),
            {"outcome": "dismiss", "reason": "经监测噪声达标"},
        )
        db.session.commit()
        assert (
            entries.get_entry(ctx, id1).state == "withdrawn"
            and entries.get_entry(ctx, id2).state == "in_notice"
        )
        notice = public.notice(ctx, batches.get_batch(ctx, b.id))
        assert [x["name"] for x in notice["entries"]] == [e2.name]
        assert {"state": "dismissed", "reason": "经监测噪声达标"} in notice["decisions"]


# 2026-03-02, the day the removal is filed with the province: every date the story records
# (found 2026-01-31, published 2026-02-27) is in the past, as the services require.
@pytest.mark.today("2026-03-02")
@pytest.mark.parametrize(
    "reason",
    [
        "project_completed",
        "conditions_not_met",
        "entity_extinct",
        "incident",
        "overdue_rectification",
        "severe_violation",
    ],
)
def test_removal_with_each_reason(app, world, reason, travel):
    e, entry_id = _listed(app, world, 1, "qiye1", travel)
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.get_entry(ctx, entry_id)
        removal.start(ctx, entry, {"reason": reason, "discovered_on": "2026-01-31"})
        assert entry.removal_due == date(2026, 2, 28)  # 1 month, month end
        b = batches.create(ctx, {"kind": "removal", "title": "移出", "entry_ids": [entry_id]})
        batches.publish(ctx, b, {"on_date": "2026-02-27"})
        assert entry.state == "removed" and entry.enterprise.supervision_category == "general"
        batches.file_with_parent(ctx, b, {"on_date": "2026-03-02"})
        db.session.commit()
        assert not listed.is_listed(ctx, entry.enterprise)


# 2026-11-01: the day the visits are reviewed, after the 2026-10-20 visit it records.
@pytest.mark.today("2026-11-01")
def test_health_check_visits_due_and_overdue(app, world, travel):
    e, entry_id = _listed(app, world, 1, "qiye1", travel)
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.get_entry(ctx, entry_id)
        due = listed.visits_due(ctx, date(2026, 11, 1))
        assert [(d["year_start"], d["overdue"]) for d in due] == [
            (date(2025, 10, 15), True),
            (date(2026, 10, 15), False),
        ]
        listed.add_visit(
            ctx, entry, {"visit_date": "2026-10-20", "officers": "王五", "findings": "运行良好"}
        )
        assert [d["year_start"] for d in listed.visits_due(ctx, date(2026, 11, 1))] == [
            date(2025, 10, 15)
        ]
        assert listed.is_listed(ctx, db.session.get(Enterprise, e.id), date(2026, 1, 1))


# 2025-10-16: published 2025-10-15 and filed today, before the 2025-10-20 deadline.
@pytest.mark.today("2025-10-16")
def test_parent_staff_without_oversight_see_filings_a_sibling_does_not(app, client, world, travel):
    """The narrow opt-in (queries.descendants + RLS extra read on listing_filings): the province's
    principal head (no oversight role) reads and acknowledges; the county below and another
    province see nothing; the principal still cannot read the city's other tables."""
    from tenant_app.accounts import users as user_service
    from tenant_app.tenancy.resolve import system_scope

    from ..helpers import bearer

    xj = tenant("xj")
    with use_scope(system_scope(xj.id)):
        user_service.create_user(
            scope_context(),
            tenant=xj,
            username="xj-principal",
            display_name="厅主要负责人",
            password="Demo-pass-2026!",
            roles=["principal_head"],
            certificate_no=None,
        )
        db.session.commit()
    e, entry_id = _listed(app, world, 1, "qiye1", travel)
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.get_batch(ctx, entries.get_entry(ctx, entry_id).batch_id)
        batches.file_with_parent(ctx, b, {"on_date": "2025-10-16"})
        db.session.commit()
    h = bearer("xj-principal")
    inbox = client.get("/api/v1/tenants/xj/listing/filings", headers=h).get_json()
    assert [f["summary"]["entries"][0]["uscc"] for f in inbox] == [e.uscc] and inbox[0][
        "overdue"
    ] is False
    assert (
        client.get("/api/v1/tenants/xj/listing/entries", headers=h).get_json() == []
    )  # own tenant only
    assert client.get("/api/v1/tenants/xj-urumqi/listing/entries", headers=h).status_code == 403
    ack = client.post(
        f"/api/v1/tenants/xj/listing/filings/{inbox[0]['id']}/acknowledgement",
        json={"note": "收悉"},
        headers=h,
    )
    assert ack.status_code == 200 and ack.get_json()["acknowledged_by_name"] == "厅主要负责人"
    again = client.post(
        f"/api/v1/tenants/xj/listing/filings/{inbox[0]['id']}/acknowledgement", json={}, headers=h
    )
    assert again.status_code == 409
    for user, slug in (("taiyuan-admin", "sx-taiyuan"), ("urumqi-admin", "xj-urumqi")):
        assert (
            client.get(f"/api/v1/tenants/{slug}/listing/filings", headers=bearer(user)).get_json()
            == []
        )


# 2025-10-16, the day after publication: listed until 2028-10-15 (XJ-V, three years), so a
# renewal is years early; expiry is then run for the dates it names.
@pytest.mark.today("2025-10-16")
def test_expiry_and_renewal_runs_the_procedure_again(app, world, travel):
    e, entry_id = _listed(app, world, 1, "qiye1", travel)
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.get_entry(ctx, entry_id)
        with pytest.raises(Conflict, match="届满前"):  # valid until 2028-10-15: too early
            listed.renew(ctx, entry)
        assert listed.expire(ctx, date(2028, 10, 15)) == []  # the last day still counts
        assert listed.expire(ctx, date(2028, 10, 16)) == [entry_id]
        assert entry.state == "expired" and entry.enterprise.supervision_category == "general"
        again = listed.renew(ctx, entry)
        assert again.origin == "renewal" and again.state == "applied" and again.id != entry_id
        db.session.commit()
        assert ledger.export_xlsx(ctx, entry.enterprise)[:2] == b"PK"
        assert "expiry" in [x.kind for x in ledger.entries_of(ctx, entry.enterprise)]
