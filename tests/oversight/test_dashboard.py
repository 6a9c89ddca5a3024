"""The dashboard per role (issue 17 item 1): what awaits me, due soon/overdue, my inspections
this week; an enterprise user only its own pending items; one query per block (no N+1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from tenant_app.extensions import db
from tenant_app.models import EnterpriseWarning
from tenant_app.oversight.services import dashboard
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import login, tenant
from tests.inspections.conftest import acting, make_enterprise_user
from tests.oversight.conftest import _case, ent, inspection, user_id

pytestmark = pytest.mark.today("2026-06-17")  # a Wednesday: the week is 06-15 .. 06-21
PRINCIPAL_REQ = [
    {"rule_id": "SX-10", "title": "安静期内现场检查须主要负责人批准", "any_of": ["principal_head"]}
]


def _blocks(username: str, slug: str) -> dict[str, dashboard.Block]:
    with acting(username, slug):
        return {b.key: b for b in dashboard.awaiting(scope_context())}


def test_sx_10_the_principal_head_sees_what_awaits_approval_here_only(world):
    e = ent("sx-taiyuan", "太原企业")
    mine = inspection(
        "sx-taiyuan",
        e,
        date(2026, 6, 19),
        "on_site",
        "complaint",
        status="pending",
        requirements=PRINCIPAL_REQ,
    )
    inspection(  # met already: nothing awaits
        "sx-taiyuan",
        e,
        date(2026, 6, 20),
        "on_site",
        "complaint",
        status="pending",
        requirements=[{**PRINCIPAL_REQ[0], "met_by": {"user_id": 1}}],
    )
    child = ent("sx-taiyuan-xiaodian", "小店企业")
    inspection(
        "sx-taiyuan-xiaodian",
        child,
        date(2026, 6, 19),
        "on_site",
        "complaint",
        status="pending",
        requirements=PRINCIPAL_REQ,
    )
    blocks = _blocks("taiyuan-principal", "sx-taiyuan")
    assert blocks["approvals"].total == 1
    assert blocks["approvals"].items[0].link == f"/sx-taiyuan/inspections/{mine}/"
    # An officer holds no approving role: no approvals block at all.
    assert "approvals" not in _blocks("taiyuan-officer1", "sx-taiyuan")


def test_the_legal_reviewer_sees_cases_awaiting_review(world):
    e = ent("xj-urumqi", "乌市企业")
    cid = _case("xj-urumqi", e, date(2026, 6, 1), "fine", False)
    with use_scope(system_scope(tenant("xj-urumqi").id)):
        from tenant_app.models import Case

        db.session.get(Case, cid).stage = "review"  # type: ignore[union-attr]
        db.session.commit()
    blocks = _blocks("urumqi-fazhi", "xj-urumqi")
    assert blocks["case_reviews"].total == 1
    assert blocks["case_reviews"].items[0].link == f"/xj-urumqi/cases/{cid}/"
    assert "case_reviews" not in _blocks("urumqi-officer1", "xj-urumqi")


def test_my_inspections_this_week_are_mine_and_this_week_only(world):
    me = user_id("taiyuan-officer1")
    e = ent("sx-taiyuan", "太原企业")
    officers = [{"id": me, "name": "刘执法"}]
    this_week = inspection(
        "sx-taiyuan", e, date(2026, 6, 18), "on_site", "complaint", officers=officers
    )
    inspection("sx-taiyuan", e, date(2026, 6, 22), "on_site", "complaint", officers=officers)
    inspection(
        "sx-taiyuan", e, date(2026, 6, 18), "on_site", "complaint", officers=[{"id": me + 1}]
    )
    with acting("taiyuan-officer1", "sx-taiyuan"):
        week = dashboard.my_week(scope_context())
    assert [i.link for i in week.items] == [f"/sx-taiyuan/inspections/{this_week}/"]


def _warn(slug: str, enterprise_id: int) -> None:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        db.session.add(
            EnterpriseWarning(
                tenant_id=t.id,
                enterprise_id=enterprise_id,
                cause="permit_expiry",
                period="2026",
                due_on=date(2026, 7, 1),
                status="sent",
                sent_on=date(2026, 6, 10),
                answer_due=date(2026, 6, 24),
            )
        )
        db.session.commit()


def test_an_enterprise_user_sees_only_its_own_pending_items(client, world):
    from tests.inspections.conftest import make_enterprise

    mine, other = make_enterprise("sx-taiyuan"), make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", mine, "ent-user")
    _warn("sx-taiyuan", mine.id)
    _warn("sx-taiyuan", other.id)
    from datetime import UTC, datetime

    inspection(
        "sx-taiyuan",
        other.id,
        date(2026, 6, 1),
        "on_site",
        "complaint",
        feedback_at=datetime(2026, 6, 2, 2, tzinfo=UTC),
    )
    with acting("ent-user", "sx-taiyuan"):
        blocks = {b.key: b for b in dashboard.enterprise_pending(scope_context())}
    assert blocks["warnings"].total == 1
    assert blocks["feedback"].total == 0  # the other enterprise's unread feedback
    assert blocks["warnings"].items[0].link.startswith("/sx-taiyuan/enterprise/warnings/")
    login(client, "sx-taiyuan", "ent-user")
    html = client.get("/sx-taiyuan/").get_data(as_text=True)
    assert 'id="block-warnings" data-count="1"' in html
    assert "block-approvals" not in html


def test_the_dashboard_runs_the_same_queries_for_one_item_or_many(client, world):
    """One query per block: more rows never mean more statements (no N+1)."""
    e = ent("sx-taiyuan", "太原企业")
    login(client, "sx-taiyuan", "taiyuan-principal")

    def statements() -> int:
        seen: list[str] = []
        engine = db.engine

        def count(*_a, **_k):  # type: ignore[no-untyped-def]
            seen.append("q")

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/sx-taiyuan/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    inspection(
        "sx-taiyuan",
        e,
        date(2026, 6, 19),
        "on_site",
        "complaint",
        status="pending",
        requirements=PRINCIPAL_REQ,
    )
    statements()  # the first request fills the per-process caches (tenant, roles, catalogue)
    one = statements()
    for k in range(6):
        inspection(
            "sx-taiyuan",
            e,
            date(2026, 6, 19) + timedelta(days=k),
            "on_site",
            "complaint",
            status="pending",
            requirements=PRINCIPAL_REQ,
        )
    assert statements() == one
    html = client.get("/sx-taiyuan/").get_data(as_text=True)
    assert 'id="block-approvals" data-count="7"' in html


def test_xj_p_filings_from_children_await_the_parent_not_the_sibling(world):
    from tenant_app.models.listing import ListingBatch, ListingFiling

    t, parent = tenant("xj-urumqi"), tenant("xj")
    with use_scope(system_scope(t.id)):
        batch = ListingBatch(tenant_id=t.id, title="第一批", state="filed")
        db.session.add(batch)
        db.session.flush()
        db.session.add_all(
            [
                ListingFiling(
                    tenant_id=t.id,
                    batch_id=batch.id,
                    parent_tenant_id=parent.id,
                    filed_on=date(2026, 6, 10),
                ),
                ListingFiling(
                    tenant_id=t.id,
                    batch_id=batch.id,
                    parent_tenant_id=parent.id,
                    filed_on=date(2026, 6, 11),
                    acknowledged_by_name="已确认",
                    acknowledged_at=scope_context().at,
                ),
            ]
        )
        db.session.commit()
    blocks = _blocks("xj-auditor", "xj")
    assert blocks["filings"].total == 1
    assert blocks["filings"].items[0].title == "乌鲁木齐市报来的正面清单备案"
    # The city itself receives nothing from its parent's point of view.
    assert "filings" not in _blocks("urumqi-officer1", "xj-urumqi") or (
        _blocks("urumqi-officer1", "xj-urumqi")["filings"].total == 0
    )
