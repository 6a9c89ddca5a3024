"""行政处罚法第七十三条第三款 (NAT-APL-73.3, issue 15): the party's administrative review or suit
pauses the late-payment surcharge, with real dates; its outcome settles what is owed (维持 the
surcharge runs again, 变更 the changed fine from the end, 撤销 nothing); the pause cannot be turned
off by a region (fixed by law); only staff who keep the payment ledger record it; another city
sees nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from policies import PackError
from policies.loader import PACKS_DIR, validate_text
from tenant_app.core.errors import ServiceError
from tenant_app.enforcement.due import payment_deadlines
from tenant_app.enforcement.services import payments, reviews
from tenant_app.enforcement.services.common import NotFound, get_case
from tenant_app.extensions import db
from tenant_app.models import AuditEntry
from tests.helpers import bearer, login, post_form

from .conftest import as_user, make_enterprise, make_enterprise_user, served_fine

SX = "sx-taiyuan"
API = "/api/v1/tenants/sx-taiyuan"


def _state(case_id: int, on: date | None = None) -> payments.FineState:
    with as_user("taiyuan-officer1", SX) as ctx:
        return payments.fine_state(ctx, get_case(case_id), on)


def _record(case_id: int, filed_on: str, kind: str = "review") -> int:
    with as_user("taiyuan-officer1", SX) as ctx:
        return reviews.record(
            ctx, get_case(case_id), {"kind": kind, "filed_on": filed_on, "body": "太原市人民政府"}
        ).id


def _end(review_id: int, ended_on: str, outcome: str, **extra: str) -> None:
    with as_user("taiyuan-officer1", SX) as ctx:
        reviews.end(
            ctx, reviews.get_review(review_id), {"ended_on": ended_on, "outcome": outcome, **extra}
        )


@pytest.mark.today("2026-03-05")
def test_NAT_APL_73_3_days_of_the_review_are_not_counted_in_the_surcharge(
    world: Any, travel: Any
) -> None:
    """A fine of 10,000 元 served 2026-03-02 is due 2026-03-17 (NAT-APL-67.3). The party applies
    for review on 2026-03-27 (10 days after the due date); the review upholds the decision on
    2026-04-16 (20 days later). On 2026-04-26 the fine is 40 days late, of which the 21 days from
    2026-03-27 to 2026-04-16 (both counted) are not: 19 days × 3% × 10,000 元 = 5,700 元."""
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 10000, date(2026, 3, 2))
    travel("2026-03-26")
    assert _state(case_id).surcharge_fen == 9 * 30000  # 2026-03-18 … 2026-03-26, before filing
    travel("2026-03-27")
    review_id = _record(case_id, "2026-03-27")
    travel("2026-04-16")
    during = _state(case_id)
    assert during.review_open and during.surcharge_fen == 9 * 30000  # nothing added meanwhile
    assert during.parts[0].paused_days == 21
    assert "NAT-APL-73.3" in during.review_explanation and "尚未结束" in during.review_explanation
    with pytest.raises(ServiceError) as court, as_user("taiyuan-officer1", SX) as ctx:
        payments.apply_enforcement(ctx, get_case(case_id), "逾期未缴")
    assert court.value.status == 409 and "复议" in court.value.message
    _end(review_id, "2026-04-16", "upheld")
    travel("2026-04-26")
    s = _state(case_id)
    assert s.parts[0].late_days == 40 and s.parts[0].paused_days == 21
    assert s.surcharge_fen == 19 * 30000 == 570000  # 5,700.00 元
    assert not s.review_open and s.state == "overdue"
    assert "NAT-APL-73.3" in s.rule_ids and "维持" in s.review_explanation
    # Without the review the same day would be 40 days, capped at the fine.
    with as_user("taiyuan-officer1", SX):
        actions = set(
            db.session.execute(
                select(AuditEntry.action).where(AuditEntry.action.like("payment.review%"))
            ).scalars()
        )
    assert actions == {"payment.review_recorded", "payment.review_ended"}


@pytest.mark.today("2026-03-05")
def test_NAT_APL_73_3_payment_during_a_suit_and_the_party_page_shows_the_pause(
    world: Any, client: Any, travel: Any
) -> None:
    """A suit filed on the due date's next day (2026-03-18) and still running on 2026-05-01: no
    surcharge at all; the party's page and its API say why, citing the article."""
    e = make_enterprise(SX, name="诉讼暂停公司")
    make_enterprise_user(SX, e, "review-qiye")
    case_id = served_fine(SX, e, 2000, date(2026, 3, 2))
    travel("2026-03-18")
    _record(case_id, "2026-03-18", kind="litigation")
    travel("2026-05-01")
    s = _state(case_id)
    assert s.surcharge_fen == 0 and s.parts[0].late_days == 45 and s.parts[0].paused_days == 45
    login(client, SX, "review-qiye")
    html = client.get(f"/sx-taiyuan/enterprise/enforcement/cases/{case_id}").get_data(as_text=True)
    assert "复议或诉讼期间，加处罚款暂停计算" in html
    assert "行政处罚法第七十三条第三款" in html and "行政诉讼" in html
    mine = client.get(f"{API}/my-enterprise/fines", headers=bearer("review-qiye")).get_json()
    assert mine[0]["review_open"] is True and mine[0]["surcharge_fen"] == 0
    # nobody is reminded to chase a fine under suit (the officer's reminders queue)
    with as_user("taiyuan-officer1", SX) as ctx:
        due = payment_deadlines(ctx, user_id=None, horizon=date(2026, 12, 31))
    assert [i for i in due if i.object_ref == f"case:{case_id}"] == []


@pytest.mark.today("2026-03-05")
def test_NAT_APL_73_3_revoked_owes_nothing_changed_owes_the_new_fine_from_the_end(
    world: Any, travel: Any
) -> None:
    e = make_enterprise(SX)
    revoked = served_fine(SX, e, 5000, date(2026, 3, 2))
    changed = served_fine(SX, e, 5000, date(2026, 3, 2))
    travel("2026-03-20")
    r1, r2 = _record(revoked, "2026-03-20"), _record(changed, "2026-03-20")
    travel("2026-05-08")
    _end(r1, "2026-05-08", "revoked")
    with pytest.raises(ServiceError) as heavier:
        _end(r2, "2026-05-08", "changed", changed_fine="6000")
    assert "不得高于原决定" in heavier.value.errors["changed_fine"][0]
    _end(r2, "2026-05-08", "changed", changed_fine="3000")
    s = _state(revoked)
    assert s.state == "revoked" and s.outstanding_fen == 0 and s.surcharge_fen == 0
    assert "撤销" in s.review_explanation
    travel("2026-06-08")
    c = _state(changed)
    # The changed fine is due 15 days after 2026-05-08 (2026-05-23, a Saturday → 2026-05-25).
    assert c.fine_fen == 300000 and c.decided_fine_fen == 500000
    assert c.due_on == date(2026, 5, 25)
    assert c.surcharge_fen == 14 * 9000  # 2026-05-26 … 2026-06-08 on 3,000 元
    with pytest.raises(ServiceError) as again:
        _record(revoked, "2026-06-08")
    assert again.value.status == 409


def test_NAT_APL_73_3_is_fixed_by_law_a_region_cannot_turn_the_pause_off() -> None:
    text = (PACKS_DIR / "shanxi" / "pack.toml").read_text(encoding="utf-8")
    text += "\n[national.rules.payment.surcharge_paused_during_review]\nvalue = false\n"
    with pytest.raises(PackError) as exc:
        validate_text(text)
    reason = exc.value.errors["national.rules.payment.surcharge_paused_during_review.value"]
    assert "地区不得变更" in str(reason) and "行政处罚法第七十三条第三款" in str(reason)


@pytest.mark.today("2026-03-20")
def test_NAT_APL_73_3_only_ledger_staff_record_it_and_bad_dates_are_refused(
    world: Any, client: Any
) -> None:
    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "review-qiye2")
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    for user in ("taiyuan-fazhi", "taiyuan-principal", "review-qiye2"):
        denied = client.post(
            f"{API}/cases/{case_id}/reviews",
            headers=bearer(user),
            json={"kind": "review", "filed_on": "2026-03-19"},
        )
        assert denied.status_code == 403, user
    login(client, SX, "review-qiye2")
    page = f"/sx-taiyuan/enterprise/enforcement/cases/{case_id}"
    assert "登记复议或诉讼" not in client.get(page).get_data(as_text=True)
    forged = post_form(
        client,
        page,
        f"/sx-taiyuan/enforcement/cases/{case_id}/reviews",
        {"kind": "review", "filed_on": "2026-03-19"},
    )
    assert forged.status_code == 403
    for data, field in (
        ({"kind": "appeal", "filed_on": "2026-03-19"}, "kind"),
        ({"kind": "review", "filed_on": "2026-03-21"}, "filed_on"),  # tomorrow
        ({"kind": "review", "filed_on": "2026-03-01"}, "filed_on"),  # before service
    ):
        with pytest.raises(ServiceError) as bad, as_user("taiyuan-officer1", SX) as ctx:
            reviews.record(ctx, get_case(case_id), data)
        assert field in bad.value.errors, data
    review_id = _record(case_id, "2026-03-19")
    with pytest.raises(ServiceError) as twice:
        _record(case_id, "2026-03-20")
    assert twice.value.status == 409
    with pytest.raises(ServiceError) as early:
        _end(review_id, "2026-03-18", "upheld")
    assert "ended_on" in early.value.errors


@pytest.mark.today("2026-03-20")
def test_NAT_APL_73_3_pages_and_api_another_city_gets_404(world: Any, client: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    login(client, SX, "taiyuan-officer1")
    page = f"/sx-taiyuan/enforcement/cases/{case_id}/payment"
    bad = post_form(
        client, page, f"/sx-taiyuan/enforcement/cases/{case_id}/reviews", {"kind": "review"}
    )
    assert bad.status_code == 422 and "请填写申请复议或起诉日期" in bad.get_data(as_text=True)
    ok = post_form(
        client,
        page,
        f"/sx-taiyuan/enforcement/cases/{case_id}/reviews",
        {"kind": "review", "filed_on": "2026-03-19", "body": "太原市人民政府"},
    )
    assert ok.status_code == 302
    listed = client.get(f"{API}/cases/{case_id}/reviews", headers=bearer("taiyuan-officer1"))
    review_id = listed.get_json()[0]["id"]
    assert "太原市人民政府" in client.get(page).get_data(as_text=True)
    xj = bearer("urumqi-officer1")
    assert (
        client.get(f"/api/v1/tenants/xj-urumqi/cases/{case_id}/reviews", headers=xj).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/tenants/xj-urumqi/fine-reviews/{review_id}/end",
        headers=xj,
        json={"ended_on": "2026-03-20", "outcome": "revoked"},
    )
    assert r.status_code == 404
    with pytest.raises(NotFound), as_user("urumqi-officer1", "xj-urumqi"):
        reviews.get_review(review_id)
    fazhi = client.post(
        f"{API}/fine-reviews/{review_id}/end",
        headers=bearer("taiyuan-fazhi"),
        json={"ended_on": "2026-03-20", "outcome": "revoked"},
    )
    assert fazhi.status_code == 403
    done = client.post(
        f"{API}/fine-reviews/{review_id}/end",
        headers=bearer("taiyuan-officer1"),
        json={"ended_on": "2026-03-20", "outcome": "upheld"},
    )
    assert done.status_code == 200 and done.get_json()["outcome"] == "upheld"
