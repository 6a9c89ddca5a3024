"""A case is not closed (结案) while its fine is unpaid (issue 15): it closes once the fine and its
surcharge are paid in full, once enforcement was applied for (申请人民法院强制执行, NAT-APL-72.1.4),
or once review or suit revoked the decision (NAT-APL-73.3 records); the refusal names what is
missing, on the page and in the API. A decision without a fine closes as before."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tenant_app.cases.services import decision
from tenant_app.core.errors import ServiceError
from tenant_app.enforcement.services import payments, reviews
from tenant_app.enforcement.services.common import get_case
from tests.enforcement.conftest import as_user, make_enterprise, served_fine
from tests.helpers import bearer, login, post_form

SX = "sx-taiyuan"
API = "/api/v1/tenants/sx-taiyuan"


def _close(case_id: int) -> str:
    with as_user("taiyuan-officer1", SX) as ctx:
        return decision.close(ctx, get_case(case_id), "已整改，罚款已处理").stage


def _refused(case_id: int) -> str:
    with pytest.raises(ServiceError) as refused, as_user("taiyuan-officer1", SX) as ctx:
        decision.close(ctx, get_case(case_id), "结案")
    assert refused.value.status == 409
    return refused.value.message


def _pay(case_id: int, paid_on: str, amount: str, ref: str) -> None:
    with as_user("taiyuan-officer1", SX) as ctx:
        payments.record_payment(
            ctx, get_case(case_id), {"paid_on": paid_on, "amount": amount, "reference": ref}
        )


@pytest.mark.today("2026-03-05")
def test_unpaid_fine_blocks_closing_until_paid_with_its_surcharge(world: Any, travel: Any) -> None:
    """1,000 元 served 2026-03-02, due 2026-03-17; paid 1,000 元 on 2026-03-19: two days late,
    60 元 of surcharge (NAT-APL-72.1) still owed, so the case stays open until it is paid."""
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    message = _refused(case_id)
    assert "罚款尚未缴清（尚欠 1,000.00 元" in message and "申请强制执行" in message
    travel("2026-03-19")
    _pay(case_id, "2026-03-19", "1000", "CL-1")
    message = _refused(case_id)
    assert "尚欠 60.00 元，其中加处罚款 60.00 元" in message
    _pay(case_id, "2026-03-19", "60", "CL-2")
    assert _close(case_id) == "closed"


@pytest.mark.today("2026-03-05")
def test_NAT_APL_72_1_4_enforcement_applied_lets_the_case_close(world: Any, travel: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 2000, date(2026, 3, 2))
    travel("2026-04-06")
    _refused(case_id)
    with as_user("taiyuan-officer1", SX) as ctx:
        payments.apply_enforcement(ctx, get_case(case_id), "经催告仍未缴纳")
    assert _close(case_id) == "closed"


@pytest.mark.today("2026-03-05")
def test_NAT_APL_73_3_decision_revoked_on_review_lets_the_case_close(
    world: Any, travel: Any
) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 2000, date(2026, 3, 2))
    travel("2026-03-10")
    with as_user("taiyuan-officer1", SX) as ctx:
        review = reviews.record(
            ctx, get_case(case_id), {"kind": "review", "filed_on": "2026-03-10"}
        )
        review_id = review.id
    assert "罚款尚未缴清" in _refused(case_id)  # a review still running settles nothing
    travel("2026-04-20")
    with as_user("taiyuan-officer1", SX) as ctx:
        reviews.end(
            ctx, reviews.get_review(review_id), {"ended_on": "2026-04-20", "outcome": "revoked"}
        )
    assert _close(case_id) == "closed"


@pytest.mark.today("2026-03-05")
def test_close_refusal_on_the_page_and_in_the_api_names_what_is_missing(
    world: Any, client: Any
) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 3000, date(2026, 3, 2))
    r = client.post(
        f"{API}/cases/{case_id}/close", headers=bearer("taiyuan-officer1"), json={"note": "结案"}
    )
    assert r.status_code == 409
    body = r.get_json()
    assert "不能结案" in body["message"] and "尚欠 3,000.00 元" in body["message"]
    assert any("申请强制执行" in x for x in body["errors"]["close"])
    login(client, SX, "taiyuan-officer1")
    page = f"/sx-taiyuan/cases/{case_id}/"
    html = client.get(page).get_data(as_text=True)
    assert "尚不能结案" in html and "罚款尚未缴清" in html
    post_form(client, page, f"/sx-taiyuan/cases/{case_id}/close", {"note": "结案"})
    with as_user("taiyuan-officer1", SX):
        assert get_case(case_id).stage == "served"
    xj = client.post(
        f"/api/v1/tenants/xj-urumqi/cases/{case_id}/close",
        headers=bearer("urumqi-officer1"),
        json={"note": "结案"},
    )
    assert xj.status_code == 404


@pytest.mark.today("2026-03-05")
def test_a_decision_without_a_fine_closes_as_before(world: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 0, date(2026, 3, 2))
    assert _close(case_id) == "closed"
