"""延期整改申请 (SX-15 / XJ-R, issue 15): the enterprise asks for more time on a correction order
with its reasons and a proof file; the officer grants a new deadline (working days counted from
the current one, or a date) within the pack's bound, or refuses with a reason; the order's
deadline, the reminders queue and the overdue scan follow the new date; both sides see the
history; wrong roles are refused and another city or enterprise gets 404. Real dates."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import AuditEntry, Notification
from tenant_app.rectification.due import correction_deadlines
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, login, post_form, tenant

from .conftest import (
    API,
    answered_warning,
    make_enterprise,
    make_enterprise_user,
    order_row,
    run_overdue,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
SX = "sx-taiyuan"


def _order(client: Any, slug: str, e: Any, days: int, officer: str) -> int:
    wid = answered_warning(slug, e, date(2026, 6, 1))
    r = client.post(
        f"{API[slug]}/warnings/{wid}/correction-order",
        json={"content": "修复在线监测设备并恢复联网", "finding": "数据缺失72小时", "days": days},
        headers=bearer(officer),
    )
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def _ask(client: Any, slug: str, oid: int, user: str, **data: Any) -> Any:
    return client.post(
        f"{API[slug]}/my-enterprise/correction-orders/{oid}/extensions",
        data={"reasons": "设备厂家停产，备件需从外地调运", **data},
        content_type="multipart/form-data",
        headers=bearer(user),
    )


def _decide(client: Any, slug: str, xid: int, user: str, **data: Any) -> Any:
    return client.post(
        f"{API[slug]}/correction-extensions/{xid}/decision", json=data, headers=bearer(user)
    )


@pytest.mark.today("2026-09-28")
def test_SX_15_extension_granted_moves_the_deadline_reminders_and_overdue_check(
    client: Any, world: Any, travel: Any
) -> None:
    """Ordered Mon 2026-09-28 with 5 working days → Sat 2026-10-10 (a make-up working day). On
    10-09 the enterprise asks, with a photo, until 10-20; the officer grants 5 working days more
    → Fri 10-16. The queue carries 10-16, not 10-10; the daily scan flags nothing on 10-13 and
    flags the order on 10-17."""
    e = make_enterprise(SX, name="延期整改测试企业")
    user = make_enterprise_user(SX, e, "ext-sx-own")
    oid = _order(client, SX, e, 5, "taiyuan-officer1")
    assert order_row(SX, oid).due_on == date(2026, 10, 10)
    travel("2026-10-09")
    asked = _ask(
        client,
        SX,
        oid,
        "ext-sx-own",
        asked_until="2026-10-20",
        file=(BytesIO(PNG), "停产通知.png"),
    )
    assert asked.status_code == 201, asked.get_json()
    x = asked.get_json()
    assert x["status"] == "pending" and x["old_due_on"] == "2026-10-10"
    assert x["filename"] == "停产通知.png" and len(x["sha256"]) == 64
    twice = _ask(client, SX, oid, "ext-sx-own")
    assert twice.status_code == 409  # one pending at a time
    granted = _decide(
        client, SX, x["id"], "taiyuan-officer1", grant=True, days=5, note="备件调运属实"
    )
    assert granted.status_code == 200, granted.get_json()
    g = granted.get_json()
    assert (g["status"], g["new_due_on"]) == ("granted", "2026-10-16")
    assert "SX-15" in g["deadline_text"] and "SX-15" in g["rule_ids"]
    o = order_row(SX, oid)
    assert o.due_on == date(2026, 10, 16) and "延期" in o.deadline_text
    t = tenant(SX)
    with use_scope(system_scope(t.id)):
        ctx = scope_context()
        items = [
            i
            for i in correction_deadlines(ctx, user_id=None, horizon=date(2026, 10, 31))
            if i.object_ref == f"correction_order:{oid}"
        ]
        assert {i.due for i in items} == {date(2026, 10, 16)} and len(items) == 2
        assert user.id in {i.assignee_id for i in items}
        assert [
            i
            for i in correction_deadlines(ctx, user_id=None, horizon=date(2026, 10, 15))
            if i.object_ref == f"correction_order:{oid}"
        ] == []
        told = db.session.execute(
            select(Notification.title).where(
                Notification.kind == "rectification_extension", Notification.user_id == user.id
            )
        ).scalars()
        assert any("2026-10-16" in title for title in told)
        actions = set(
            db.session.execute(
                select(AuditEntry.action).where(AuditEntry.action.like("rectification.ext%"))
            ).scalars()
        )
        assert actions == {"rectification.extension_requested", "rectification.extension_granted"}
    travel("2026-10-13")
    assert oid not in run_overdue(SX).flagged  # the old deadline (10-10) has passed
    travel("2026-10-17")
    assert oid in run_overdue(SX).flagged
    # Both sides see the history on the order page.
    login(client, SX, "ext-sx-own")
    mine = client.get(f"/sx-taiyuan/enterprise/rectification/{oid}/").get_data(as_text=True)
    assert "准予延期" in mine and "2026-10-16" in mine and "备件调运属实" in mine
    client.get("/sx-taiyuan/logout")
    login(client, SX, "taiyuan-officer1")
    staff = client.get(f"/sx-taiyuan/rectification/{oid}/").get_data(as_text=True)
    assert "停产通知.png" in staff and "2026-10-10" in staff and "2026-10-16" in staff


@pytest.mark.today("2026-09-28")
def test_SX_15_extension_bounds_and_refusal_with_a_reason_on_the_pages(
    client: Any, world: Any, travel: Any
) -> None:
    """Due Sat 10-10; Shanxi allows at most 10 working days more (the 10th working day after
    10-10 is Fri 10-23): an earlier date, 11 days, 10-30 (past the bound) and days with a date
    are refused by field; refusing needs a reason; refused, the deadline stays and a new request
    may follow; after the deadline (on 10-12) none, but a pending one is still decided."""
    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "ext-sx-b")
    oid = _order(client, SX, e, 5, "taiyuan-officer1")
    login(client, SX, "ext-sx-b")
    page = f"/sx-taiyuan/enterprise/rectification/{oid}/"
    assert 'id="extension-form"' in client.get(page).get_data(as_text=True)
    r = post_form(
        client, page, f"/sx-taiyuan/enterprise/rectification/{oid}/extension", {"reasons": ""}
    )
    assert r.status_code == 302 and "请填写延期的理由" in client.get(page).get_data(as_text=True)
    post_form(
        client,
        page,
        f"/sx-taiyuan/enterprise/rectification/{oid}/extension",
        {"reasons": "资金周转困难", "asked_until": "2026-10-30"},
    )
    xid = client.get(
        f"{API[SX]}/my-enterprise/correction-orders/{oid}", headers=bearer("ext-sx-b")
    ).get_json()["extensions"][0]["id"]
    officer = "taiyuan-officer1"
    early = _decide(client, SX, xid, officer, grant=True, until="2026-10-09", note="x")
    assert early.status_code == 422 and "应晚于现行期限" in early.get_json()["errors"]["until"][0]
    many = _decide(client, SX, xid, officer, grant=True, days=11, note="x")
    assert many.status_code == 422 and "1至10个工作日" in many.get_json()["errors"]["days"][0]
    far = _decide(client, SX, xid, officer, grant=True, until="2026-10-30", note="x")
    assert far.status_code == 422 and "超出可延长的期限" in far.get_json()["errors"]["until"][0]
    both = _decide(client, SX, xid, officer, grant=True, days=2, until="2026-10-14", note="x")
    assert both.status_code == 422
    bare = _decide(client, SX, xid, officer, grant=False, note="")
    assert bare.status_code == 422 and "note" in bare.get_json()["errors"]
    client.get("/sx-taiyuan/logout")
    login(client, SX, officer)
    show = f"/sx-taiyuan/rectification/{oid}/"
    assert 'id="extension-decide-form"' in client.get(show).get_data(as_text=True)
    r = post_form(
        client,
        show,
        f"/sx-taiyuan/rectification/extensions/{xid}/decide",
        {"grant": "0", "note": "资金困难不是延期整改的理由"},
    )
    assert r.status_code == 302
    assert order_row(SX, oid).due_on == date(2026, 10, 10)
    assert "不予延期" in client.get(show).get_data(as_text=True)
    again = _ask(client, SX, oid, "ext-sx-b", asked_until="2026-10-14")
    assert again.status_code == 201
    late_x = again.get_json()["id"]
    travel("2026-10-12")
    too_late = _ask(client, SX, oid, "ext-sx-b")
    assert too_late.status_code == 409 and "已届满" in too_late.get_json()["message"]
    # Decided late, the granted date still counts from the current deadline.
    ok = _decide(client, SX, late_x, officer, grant=True, until="2026-10-14", note="同意")
    assert ok.status_code == 200 and order_row(SX, oid).due_on == date(2026, 10, 14)


@pytest.mark.today("2026-07-01")
def test_XJ_R_extension_bound_in_calendar_days(client: Any, world: Any) -> None:
    """Xinjiang counts calendar days: ordered 07-01 with 10 days → 07-11 (Sat) → 07-13; at most
    30 days more → 08-12 (a Wednesday); 08-13 is refused."""
    slug = "xj-urumqi"
    e = make_enterprise(slug)
    make_enterprise_user(slug, e, "ext-xj")
    oid = _order(client, slug, e, 10, "urumqi-officer1")
    assert order_row(slug, oid).due_on == date(2026, 7, 13)
    xid = _ask(client, slug, oid, "ext-xj").get_json()["id"]
    past = _decide(client, slug, xid, "urumqi-officer1", grant=True, until="2026-08-13", note="x")
    assert past.status_code == 422 and "2026-08-12" in past.get_json()["errors"]["until"][0]
    ok = _decide(client, slug, xid, "urumqi-officer1", grant=True, until="2026-08-12", note="同意")
    assert ok.status_code == 200 and "XJ-R" in ok.get_json()["deadline_text"]
    assert order_row(slug, oid).due_on == date(2026, 8, 12)


@pytest.mark.today("2026-09-28")
def test_extension_roles_and_isolation(client: Any, world: Any) -> None:
    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "ext-sx-own2")
    other = make_enterprise(SX)
    make_enterprise_user(SX, other, "ext-sx-other")
    oid = _order(client, SX, e, 5, "taiyuan-officer1")
    assert _ask(client, SX, oid, "ext-sx-other").status_code == 404
    assert _ask(client, SX, oid, "taiyuan-officer1").status_code == 403
    xid = _ask(client, SX, oid, "ext-sx-own2").get_json()["id"]
    for user in ("ext-sx-own2", "taiyuan-fazhi", "taiyuan-principal"):
        denied = _decide(client, SX, xid, user, grant=True, days=1, note="x")
        assert denied.status_code == 403, user
    xj = client.post(
        f"{API['xj-urumqi']}/correction-extensions/{xid}/decision",
        json={"grant": True, "days": 1, "note": "x"},
        headers=bearer("urumqi-officer1"),
    )
    assert xj.status_code == 404
    assert order_row(SX, oid).due_on == date(2026, 10, 10)
