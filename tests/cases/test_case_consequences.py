"""Issue 14 items 5 and 9 (third slice): what a decision does beyond the case, with real dates.

SX-11 / XJ-H: a serious violation decided → the enterprise becomes a special supervision object
(higher yearly inspection cap, drawn on site), a listed enterprise's XJ-R removal starts with the
decision date as the discovery date; each consequence is recorded with its rule on the case. The
decision may also transfer the case to the police, with its reason. Item 9: filing and decision
appear in the enterprise's timeline and, for a listed enterprise, in the positive-list ledger.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import AuditEntry, Enterprise
from tenant_app.models.listing import LedgerEntry, ListingEntry
from tenant_app.registry.services import records
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import login, tenant
from .conftest import Desk, make_enterprise

ORDINARY = {"harm": "general", "correction": "when_ordered", "history": "first"}


def _to_decision(d: Desk, case_id: int, penalties: list[dict[str, Any]], travel: Any) -> None:
    """Notice today, the party's window runs out (no statement), review and discussion when the
    case requires them."""
    r = d.notify(case_id, penalties)
    assert r.status_code == 200, r.get_json()
    travel(r.get_json()["statement_due"])
    travel_after = date.fromisoformat(r.get_json()["statement_due"]).toordinal() + 3
    travel(date.fromordinal(travel_after).isoformat())
    now = d.get(f"/cases/{case_id}").get_json()
    if now["review_required"]:
        ok = d.post(
            f"/cases/{case_id}/review", {"verdict": "passed", "opinion": "同意"}, d.reviewer
        )
        assert ok.status_code == 200, ok.get_json()
    if now["discussion_required"]:
        ok = d.post(f"/cases/{case_id}/discussion", {"discussion_record": "集体讨论同意"}, d.head)
        assert ok.status_code == 200, ok.get_json()


def _decide(d: Desk, case_id: int, penalties: list[dict[str, Any]], **kw: Any) -> Any:
    body = {"penalties": penalties, "correction_order": "立即停止超标排放", **kw}
    return d.post(f"/cases/{case_id}/decision", body, d.head)


def _listed(slug: str, e: Enterprise, listed_on: date) -> int:
    """A listing entry published on ``listed_on`` (the procedure itself is tested in
    tests/listing): the enterprise is listed from then on."""
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        entry = ListingEntry(
            tenant_id=t.id,
            enterprise_id=e.id,
            origin="nomination",
            state="listed",
            listed_on=listed_on,
            valid_until=date(listed_on.year + 3, listed_on.month, listed_on.day),
        )
        db.session.add(entry)
        row = db.session.get(Enterprise, e.id)
        assert row is not None
        row.supervision_category = "listed"
        db.session.commit()
        return entry.id


def _enterprise(slug: str, eid: int) -> Enterprise:
    with use_scope(system_scope(tenant(slug).id)):
        row = db.session.get(Enterprise, eid)
        assert row is not None
        return row


@pytest.mark.today("2026-07-03")
def test_SX_11_serious_violation_decision_raises_frequency_and_special_supervision(
    client: Any, world: Any, travel: Any
) -> None:
    """SX-11: exceeding the limits (大气污染防治法第九十九条) is serious. Filed 2026-07-03,
    noticed the same day (window to 2026-07-10), decided 2026-07-13: the enterprise becomes
    特殊监管对象 (SX-3 cap 2 → 12 a year), drawn on site; both recorded with SX-11 on the case.
    Not listed: no removal, no ledger line. The decision transfers the case to the police only
    with a reason."""
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "air_exceeding", ORDINARY)
    assert v["proposal"]["treatment"] == "heavier"
    pen = [{"violation_id": v["id"], "outcome": "fine", "fine": 800000}]
    _to_decision(d, case["id"], pen, travel)
    no_reason = _decide(d, case["id"], pen, police_transfer=True)
    assert no_reason.status_code == 422
    assert "police_transfer_reason" in no_reason.get_json()["errors"]
    assert _enterprise("sx-taiyuan", e.id).supervision_category == "general"  # rolled back
    done = _decide(
        d, case["id"], pen, police_transfer=True, police_transfer_reason="涉嫌篡改自动监测数据"
    )
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["decided_on"] == "2026-07-13"
    assert body["police_transfer"] and body["police_transfer_reason"] == "涉嫌篡改自动监测数据"
    kinds = {c["kind"]: c for c in body["consequences"]}
    assert set(kinds) == {"frequency", "special_supervision"}
    assert kinds["frequency"]["done"] and "SX-11" in kinds["frequency"]["rule_ids"]
    assert (kinds["frequency"]["cap_before"], kinds["frequency"]["cap"]) == (2, 12)
    assert "SX-3" in kinds["frequency"]["rule_ids"]
    assert [s["step"] for s in body["steps"]][-4:] == [
        "police_transfer",
        "decided",
        "consequence",
        "consequence",
    ]
    assert _enterprise("sx-taiyuan", e.id).supervision_category == "special"
    with use_scope(system_scope()):
        acts = db.session.execute(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "case", AuditEntry.object_id == str(case["id"])
            )
        ).scalars()
        assert "case.consequences" in list(acts)
        assert not db.session.execute(
            select(LedgerEntry).where(LedgerEntry.enterprise_id == e.id)
        ).first()
    browser = client.application.test_client()
    assert login(browser, "sx-taiyuan", "taiyuan-officer1").status_code == 302
    page = browser.get(f"/sx-taiyuan/cases/{case['id']}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="consequences"' in html and 'id="police-transfer"' in html


@pytest.mark.today("2026-07-03")
def test_an_ordinary_violation_has_no_consequence(client: Any, world: Any, travel: Any) -> None:
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "air_outlet", ORDINARY)
    pen = [{"violation_id": v["id"], "outcome": "fine", "fine": 100000}]
    _to_decision(d, case["id"], pen, travel)
    done = _decide(d, case["id"], pen)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["consequences"] == [] and not done.get_json()["police_transfer"]
    assert _enterprise("sx-taiyuan", e.id).supervision_category == "general"


@pytest.mark.today("2026-07-03")
def test_XJ_H_listed_enterprise_malice_starts_removal_on_the_decision_date_and_ledger(
    client: Any, world: Any, travel: Any
) -> None:
    """XJ-H: a listed enterprise (published 2026-01-15) violates maliciously. Filed 2026-07-03
    (ledger: 行政处罚立案), decided 2026-07-13: the XJ-R removal starts with 2026-07-13 as the
    discovery date, due one month later (2026-08-13), through the listing's own service (its
    ledger line and step); the enterprise is a special supervision object; the ledger has the
    decision; the registry timeline shows the filing and the decision."""
    d = Desk(client, "xj-urumqi")
    e = make_enterprise("xj-urumqi")
    entry_id = _listed("xj-urumqi", e, date(2026, 1, 15))
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "water_self_monitoring", {"fault": "malicious"})
    assert v["proposal"]["treatment"] == "heavier"
    assert "XJ-H" in v["proposal"]["rule_ids"]
    pen = [{"violation_id": v["id"], "outcome": "fine", "fine": 180000}]
    _to_decision(d, case["id"], pen, travel)
    done = _decide(d, case["id"], pen)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    kinds = {c["kind"]: c for c in body["consequences"]}
    assert set(kinds) == {"frequency", "special_supervision", "removal"}
    removal = kinds["removal"]
    assert removal["done"], removal
    assert removal["discovered_on"] == body["decided_on"] == "2026-07-13"
    assert removal["due"] == "2026-08-13"
    assert "XJ-H" in removal["rule_ids"] and "XJ-R" in removal["rule_ids"]
    with use_scope(system_scope(tenant("xj-urumqi").id)):
        entry = db.session.get(ListingEntry, entry_id)
        assert entry is not None
        assert entry.state == "removal_pending" and entry.removal_reason == "severe_violation"
        assert entry.removal_discovered_on == date.fromisoformat(body["decided_on"])
        assert removal["due"] == entry.removal_due.isoformat()  # type: ignore[union-attr]
        assert db.session.get(Enterprise, e.id).supervision_category == "special"  # type: ignore[union-attr]
        kinds_in_ledger = [
            r.kind
            for r in db.session.execute(
                select(LedgerEntry)
                .where(LedgerEntry.enterprise_id == e.id)
                .order_by(LedgerEntry.id)
            ).scalars()
        ]
        # The decision's correction order (SX-14, issue 15) is a ledger line of its own.
        assert kinds_in_ledger == [
            "case_filed",
            "correction_order",
            "removal",
            "penalty_decision",
        ]
        events = records.timeline(db.session.get(Enterprise, e.id))  # type: ignore[arg-type]
        case_events = [(ev.day.isoformat(), ev.title) for ev in events if ev.case_id]
        assert case_events == [
            (body["decided_on"], "行政处罚决定"),
            ("2026-07-03", "行政处罚立案"),
        ]
        # A case still under investigation is internal: staff see it, the party does not.
        internal = d.open_case(e.id)
        row = db.session.get(Enterprise, e.id)
        assert internal["id"] in {ev.case_id for ev in records.timeline(row)}  # type: ignore[arg-type]
        party_view = {ev.case_id for ev in records.timeline(row, party=True)}  # type: ignore[arg-type]
        assert case["id"] in party_view and internal["id"] not in party_view
    browser = client.application.test_client()
    assert login(browser, "xj-urumqi", "urumqi-officer1").status_code == 302
    profile = browser.get(f"/xj-urumqi/enterprises/{e.id}/")
    assert profile.status_code == 200
    assert "行政处罚决定" in profile.get_data(as_text=True)
