"""Issue 15 items 1-2: correction orders (NL-28 / SX-14) and supervised rectification (SX-15,
XJ-R), with real dates.

* SX-15 / XJ-R deadlines over National Day 2026: Shanxi counts working days (5 from Mon
  2026-09-28 → Sat 2026-10-10, a make-up working day), Xinjiang calendar days (5 → Sat 10-03, a
  holiday → the next working day, Thu 10-08).
* NAT-APL-28.1: a decision without a correction order is refused and makes no order; a decision
  makes one, its deadline computed by the calendar.
* SX-15 with SX-3: the plan, progress with evidence, comments and help; verification on site by a
  follow-up visit linked to the order that the cap does not count (the enterprise has had its two
  counted visits this year).
* XJ-R: an overdue order of a listed enterprise without a good reason starts the removal; with a
  good reason recorded it is only flagged.
* Isolation and role refusals.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.inspections.services import visits
from tenant_app.models import (
    AuditEntry,
    CorrectionOrder,
    EnterpriseVisit,
    Inspection,
    Notification,
)
from tenant_app.models.listing import LedgerEntry
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.cases.conftest import Desk
from tests.cases.test_case_consequences import ORDINARY, _decide, _to_decision
from tests.helpers import bearer, tenant

from .conftest import (
    API,
    OFFICERS,
    answered_warning,
    count,
    entry_row,
    listed,
    make_enterprise,
    make_enterprise_user,
    officer_ids,
    order_row,
    run_overdue,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _order_on_warning(client: Any, slug: str, wid: int, days: Any = 5) -> Any:
    return client.post(
        f"{API[slug]}/warnings/{wid}/correction-order",
        json={"content": "修复在线监测设备并恢复联网", "finding": "数据缺失72小时", "days": days},
        headers=bearer(OFFICERS[slug][0]),
    )


@pytest.mark.today("2026-09-28")
def test_SX_15_and_XJ_R_correction_deadline_over_national_day_2026(client: Any, world: Any) -> None:
    """2026-09-28 (Mon): Shanxi 5 working days skip 10-01..10-07 and end on the make-up
    working day Sat 10-10; Xinjiang 5 calendar days end on 10-03, a holiday, so 10-08."""
    e = make_enterprise("sx-taiyuan")
    wid = answered_warning("sx-taiyuan", e, date(2026, 9, 21))
    r = _order_on_warning(client, "sx-taiyuan", wid)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["issued_on"], body["due_on"]) == ("2026-09-28", "2026-10-10")
    assert (body["days"], body["day_unit"], body["status"]) == (5, "workdays", "issued")
    assert "SX-15" in body["rule_ids"] and "NAT-APL-28.1" in body["rule_ids"]
    assert "SX-15" in body["deadline_text"] and not body["provisional"]
    again = _order_on_warning(client, "sx-taiyuan", wid)
    assert again.status_code == 409  # one order per warning

    x = make_enterprise("xj-urumqi")
    xwid = answered_warning("xj-urumqi", x, date(2026, 9, 21), status="escalated")
    xr = _order_on_warning(client, "xj-urumqi", xwid)
    assert xr.status_code == 201, xr.get_json()
    assert (xr.get_json()["due_on"], xr.get_json()["day_unit"]) == ("2026-10-08", "days")
    assert "XJ-R" in xr.get_json()["rule_ids"]


@pytest.mark.today("2026-09-28")
def test_order_on_warning_refusals(client: Any, world: Any) -> None:
    """Only an answered or escalated warning; the days within the pack's range, named by field;
    nothing written on a refusal."""
    e = make_enterprise("sx-taiyuan")
    sent = answered_warning("sx-taiyuan", e, date(2026, 9, 21), status="sent")
    assert _order_on_warning(client, "sx-taiyuan", sent).status_code == 409
    wid = answered_warning("sx-taiyuan", e, date(2026, 9, 22))
    too_long = _order_on_warning(client, "sx-taiyuan", wid, days=500)
    assert too_long.status_code == 422
    assert "days" in too_long.get_json()["errors"]
    blank = client.post(
        f"{API['sx-taiyuan']}/warnings/{wid}/correction-order",
        json={"content": " ", "finding": "x"},
        headers=bearer("taiyuan-officer1"),
    )
    assert blank.status_code == 422 and "content" in blank.get_json()["errors"]
    assert count("sx-taiyuan", CorrectionOrder, CorrectionOrder.enterprise_id == e.id) == 0


@pytest.mark.today("2026-07-03")
def test_NAT_APL_28_1_decision_without_correction_order_refused_and_with_one_makes_the_order(
    client: Any, world: Any, travel: Any
) -> None:
    """NAT-APL-28.1 / SX-14: refused without the order (no object made); decided 2026-07-13
    (Mon) with 10 working days → 2026-07-27, the order an object linked to the case."""
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "air_outlet", ORDINARY)
    pen = [{"violation_id": v["id"], "outcome": "fine", "fine": 100000}]
    _to_decision(d, case["id"], pen, travel)
    refused = _decide(d, case["id"], pen, correction_order="")
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["rule_ids"] == ["NAT-APL-28.1"]
    assert count("sx-taiyuan", CorrectionOrder, CorrectionOrder.case_id == case["id"]) == 0
    bad_days = _decide(d, case["id"], pen, correction_days=0)
    assert bad_days.status_code == 422 and "correction_days" in bad_days.get_json()["errors"]
    done = _decide(d, case["id"], pen, correction_days=10)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["decided_on"] == "2026-07-13"
    assert done.get_json()["correction_due"] == "2026-07-27"
    orders = client.get(
        f"{API['sx-taiyuan']}/correction-orders?source=case&enterprise_id={e.id}",
        headers=d.officer,
    ).get_json()
    assert orders["total"] == 1
    o = orders["items"][0]
    assert (o["case_id"], o["due_on"], o["days"]) == (case["id"], "2026-07-27", 10)
    assert "NAT-APL-28.1" in o["rule_ids"] and "SX-15" in o["rule_ids"]
    # The party learns of the order with the decision, at service.
    make_enterprise_user("sx-taiyuan", e, "rect-decided-co")
    party = bearer("rect-decided-co")
    mine = f"{API['sx-taiyuan']}/my-enterprise/correction-orders"
    assert client.get(mine, headers=party).get_json() == []
    assert client.get(f"{mine}/{o['id']}", headers=party).status_code == 404
    served = d.post(f"/cases/{case['id']}/service", {"method": "in_person"})
    assert served.status_code == 200, served.get_json()
    assert [x["id"] for x in client.get(mine, headers=party).get_json()] == [o["id"]]
    with use_scope(system_scope()):
        told = db.session.execute(
            select(Notification.title).where(Notification.kind == "correction_order")
        ).scalars()
        assert any("2026-07-27" in t for t in told)


@pytest.mark.today("2026-09-01")
def test_SX_15_plan_progress_help_and_verification_by_a_follow_up_visit_outside_the_cap(
    client: Any, world: Any
) -> None:
    """The enterprise (general: SX-3 cap 2 a year, both used) submits its plan and reports
    progress with a photo; the officer comments and records help; the follow-up visit
    (trigger follow_up, exempt in Shanxi's pack) is arranged although the cap is reached and
    does not raise the count; verified on site, the order is done."""
    slug = "sx-taiyuan"
    e = make_enterprise(slug)
    make_enterprise_user(slug, e, "rect-sx-1")
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        for day in (date(2026, 3, 2), date(2026, 5, 6)):
            db.session.add(
                EnterpriseVisit(
                    tenant_id=t.id,
                    uscc=e.uscc,
                    enterprise_id=e.id,
                    visit_date=day,
                    mode="on_site",
                    trigger="proactive",
                    status="done",
                )
            )
        db.session.commit()
        counted_before = visits.count_on_site(e.uscc, 2026, ["complaint"])
    assert counted_before == 2
    wid = answered_warning(slug, e, date(2026, 8, 20))
    oid = _order_on_warning(client, slug, wid, days=20).get_json()["id"]  # due 2026-09-29
    party = bearer("rect-sx-1")
    mine = f"{API[slug]}/my-enterprise/correction-orders/{oid}"
    early = client.post(
        f"{mine}/progress",
        data={"text": "已报修"},
        headers=party,
        content_type="multipart/form-data",
    )
    assert early.status_code == 409  # the plan first
    late = client.post(
        f"{mine}/plan",
        json={
            "measures": "更换数采仪",
            "responsible": "张工",
            "milestones": [{"date": "2026-10-30", "text": "完成"}],
        },
        headers=party,
    )
    assert late.status_code == 422 and "milestones" in late.get_json()["errors"]
    plan = client.post(
        f"{mine}/plan",
        json={
            "measures": "更换数采仪并恢复联网",
            "responsible": "张工（设备部）",
            "milestones": [
                {"date": "2026-09-20", "text": "恢复联网"},
                {"date": "2026-09-10", "text": "采购数采仪"},
            ],
        },
        headers=party,
    )
    assert plan.status_code == 200, plan.get_json()
    assert plan.get_json()["status"] == "planned"
    assert [m["date"] for m in plan.get_json()["plan_milestones"]] == ["2026-09-10", "2026-09-20"]
    progress = client.post(
        f"{mine}/progress",
        data={"text": "数采仪已更换", "file": (io.BytesIO(PNG), "photo.png")},
        headers=party,
        content_type="multipart/form-data",
    )
    assert progress.status_code == 201, progress.get_json()
    assert progress.get_json()["filename"] == "photo.png" and progress.get_json()["sha256"]
    fake = client.post(
        f"{mine}/progress",
        data={"text": "x", "file": (io.BytesIO(b"not a png"), "photo.png")},
        headers=party,
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "file" in fake.get_json()["errors"]
    officer = bearer("taiyuan-officer1")
    staff = f"{API[slug]}/correction-orders/{oid}"
    assert (
        client.post(
            f"{staff}/comments", json={"text": "请补充联网截图"}, headers=officer
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{staff}/help", json={"text": "协调运维单位上门调试"}, headers=officer
        ).status_code
        == 201
    )
    no_visit = client.post(
        f"{staff}/verify",
        json={"method": "on_site", "outcome": "done", "note": "x"},
        headers=officer,
    )
    assert no_visit.status_code == 422 and "method" in no_visit.get_json()["errors"]
    visit = client.post(
        f"{staff}/visit",
        json={"planned_date": "2026-09-25", "officer_ids": officer_ids(*OFFICERS[slug])},
        headers=officer,
    )
    assert visit.status_code == 201, visit.get_json()
    body = visit.get_json()
    assert body["status"] == "verifying" and body["inspection_id"]
    with use_scope(system_scope(t.id)):
        insp = db.session.get(Inspection, body["inspection_id"])
        assert insp is not None and insp.trigger == "follow_up"
        assert insp.enterprise_id == e.id and "SX-3" in insp.rule_ids
        cap = next(c for c in insp.decision["checks"] if c["key"] == "cap")
        assert cap["ok"] is True and "不受频次上限限制" in cap["text"]
        exempt = ["complaint", "assignment", "data_lead", "monitoring_anomaly"]
        exempt += ["enterprise_request", "follow_up"]
        assert visits.count_on_site(e.uscc, 2026, exempt) == 2  # the visit is not counted
        insp.status = "approved"  # the approval itself: tests/inspections
        db.session.commit()
    verified = client.post(
        f"{staff}/verify",
        json={"method": "on_site", "outcome": "done", "note": "现场核查：设备运行正常，数据联网"},
        headers=officer,
    )
    assert verified.status_code == 200, verified.get_json()
    final = verified.get_json()
    assert (final["status"], final["verify_method"], final["verified_on"]) == (
        "done",
        "on_site",
        "2026-09-01",
    )
    assert [x["kind"] for x in final["entries"]] == ["progress", "comment", "help"]
    closed = client.post(f"{staff}/comments", json={"text": "x"}, headers=officer)
    assert closed.status_code == 409
    with use_scope(system_scope()):
        acts = set(
            db.session.execute(
                select(AuditEntry.action).where(
                    AuditEntry.object_type == "correction_order", AuditEntry.object_id == str(oid)
                )
            ).scalars()
        )
    assert {
        "correction_order.issued",
        "rectification.plan_submitted",
        "rectification.progress",
        "rectification.comment",
        "rectification.help",
        "rectification.visit_scheduled",
        "rectification.verified",
    } <= acts


@pytest.mark.today("2026-07-01")
def test_XJ_R_overdue_order_of_a_listed_enterprise_starts_its_removal(
    client: Any, world: Any, travel: Any
) -> None:
    """XJ-R: listed 2026-01-15; ordered 2026-07-01 with 10 calendar days → 07-11 (Sat) → 07-13.
    On 07-14 the daily job flags it and, no good reason recorded, starts the removal with 07-14
    as the discovery date (due a month later, 08-14); the enterprise, the officers and oversight
    are told; the ledger has the order. A second run changes nothing. Another listed
    enterprise's order with a good reason recorded is flagged only."""
    slug = "xj-urumqi"
    e = make_enterprise(slug)
    make_enterprise_user(slug, e, "rect-xj-1")
    entry_id = listed(slug, e, date(2026, 1, 15))
    oid = _order_on_warning(client, slug, answered_warning(slug, e, date(2026, 6, 20)), 10)
    assert oid.status_code == 201, oid.get_json()
    assert oid.get_json()["due_on"] == "2026-07-13"
    oid = oid.get_json()["id"]
    g = make_enterprise(slug)
    listed(slug, g, date(2026, 1, 15))
    gid = _order_on_warning(client, slug, answered_warning(slug, g, date(2026, 6, 20)), 10)
    gid = gid.get_json()["id"]
    just = client.post(
        f"{API[slug]}/correction-orders/{gid}/justify",
        json={"reason": "设备供货受洪灾影响，已书面报告"},
        headers=bearer("urumqi-officer1"),
    )
    assert just.status_code == 200, just.get_json()
    travel("2026-07-13")
    assert run_overdue(slug).flagged == []  # due today: not overdue yet
    travel("2026-07-14")
    result = run_overdue(slug)
    assert set(result.flagged) == {oid, gid} and result.removals == [oid]
    o = order_row(slug, oid)
    assert o.overdue_on == date(2026, 7, 14) and o.removal["done"]
    assert "XJ-R" in o.removal["rule_ids"]
    entry = entry_row(slug, entry_id)
    assert entry.state == "removal_pending" and entry.removal_reason == "overdue_rectification"
    assert entry.removal_discovered_on == date(2026, 7, 14)
    assert entry.removal_due == date(2026, 8, 14)
    assert order_row(slug, gid).removal == {} and order_row(slug, gid).overdue_on
    assert run_overdue(slug).flagged == []  # idempotent
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        kinds = list(
            db.session.execute(
                select(LedgerEntry.kind).where(LedgerEntry.enterprise_id == e.id)
            ).scalars()
        )
        assert "correction_order" in kinds and "removal" in kinds
        told = set(
            db.session.execute(
                select(Notification.user_id).where(Notification.kind == "rectification_overdue")
            ).scalars()
        )
    assert set(officer_ids("rect-xj-1", "urumqi-officer1")) <= told
    page = client.get(
        f"{API[slug]}/correction-orders?overdue=true", headers=bearer("urumqi-officer1")
    )
    assert {x["id"] for x in page.get_json()["items"]} >= {oid, gid}


@pytest.mark.today("2026-09-01")
def test_isolation_and_role_refusals(client: Any, world: Any) -> None:
    """Another city's order and another enterprise's order are 404; the enterprise cannot act
    as staff, the legal reviewer (view only) cannot verify, an officer cannot submit a plan."""
    e = make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", e, "rect-sx-own")
    other = make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", other, "rect-sx-other")
    oid = _order_on_warning(
        client, "sx-taiyuan", answered_warning("sx-taiyuan", e, date(2026, 8, 1))
    ).get_json()["id"]
    sx, xj = API["sx-taiyuan"], API["xj-urumqi"]
    assert (
        client.get(f"{sx}/correction-orders/{oid}", headers=bearer("taiyuan-officer1")).status_code
        == 200
    )
    assert (
        client.get(f"{xj}/correction-orders/{oid}", headers=bearer("urumqi-officer1")).status_code
        == 404
    )
    assert (
        client.get(
            f"{sx}/my-enterprise/correction-orders/{oid}", headers=bearer("rect-sx-other")
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"{sx}/my-enterprise/correction-orders/{oid}", headers=bearer("rect-sx-own")
        ).status_code
        == 200
    )
    plan = {
        "measures": "x",
        "responsible": "y",
        "milestones": [{"date": "2026-09-02", "text": "z"}],
    }
    assert (
        client.post(
            f"{sx}/my-enterprise/correction-orders/{oid}/plan",
            json=plan,
            headers=bearer("rect-sx-other"),
        ).status_code
        == 404
    )
    verify = {"method": "off_site", "outcome": "done", "note": "ok"}
    assert (
        client.post(
            f"{sx}/correction-orders/{oid}/verify", json=verify, headers=bearer("rect-sx-own")
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{sx}/correction-orders/{oid}/verify", json=verify, headers=bearer("taiyuan-fazhi")
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{sx}/my-enterprise/correction-orders/{oid}/plan",
            json=plan,
            headers=bearer("taiyuan-officer1"),
        ).status_code
        == 403
    )
    assert client.get(f"{sx}/correction-orders", headers=bearer("rect-sx-own")).status_code == 403
    assert order_row("sx-taiyuan", oid).status == "issued"
