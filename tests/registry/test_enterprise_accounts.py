"""Enterprise accounts: registration, verification, and what an enterprise user may see."""

from __future__ import annotations

from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.models import EnterpriseAccount, RoleGrant, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login, post_form, token_for
from .factory import add_record, make_enterprise

REGISTER = "/xj-urumqi/enterprise/register"
PASSWORD = "Qiye-2026-pass"


def _register(client, code: str, username: str, **extra: str):
    return post_form(
        client,
        REGISTER,
        REGISTER,
        {
            "uscc": code,
            "enterprise_name": "某企业",
            "contact_name": "王联系",
            "contact_phone": "0991-1234567",
            "username": username,
            "password": PASSWORD,
            **extra,
        },
    )


def _verify(client, username: str) -> None:
    with use_scope(system_scope()):
        acc_id = db.session.execute(
            select(EnterpriseAccount.id)
            .join(User, User.id == EnterpriseAccount.user_id)
            .where(User.username == username)
        ).scalar_one()
    resp = client.post(
        f"/api/v1/tenants/xj-urumqi/enterprise-accounts/{acc_id}/verify",
        headers=bearer("urumqi-officer1"),
    )
    assert resp.status_code == 200, resp.get_json()


def _enterprise_user(app, e, username: str):
    c = app.test_client()
    assert _register(c, e.uscc, username).status_code == 200
    _verify(c, username)
    assert login(c, "xj-urumqi", username, PASSWORD).status_code == 302
    return c


def test_registration_errors_are_named_and_keep_the_input(client, world):
    resp = _register(client, "91650100MA77777771", "qiye1", contact_phone="abc")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert (
        "第 18 位校验码应为 K" in html and "有效的联系电话" in html and "91650100MA77777771" in html
    )
    with use_scope(system_scope()):
        assert db.session.execute(select(func.count()).select_from(EnterpriseAccount)).scalar() == 0


def test_a_pending_account_cannot_log_in_and_holds_no_role(client, world):
    e = make_enterprise("xj-urumqi", 1)
    assert _register(client, e.uscc, "qiye1").status_code == 200
    assert login(client, "xj-urumqi", "qiye1", PASSWORD).status_code == 401
    with use_scope(system_scope()):
        user = db.session.execute(select(User).where(User.username == "qiye1")).scalar_one()
        assert (
            db.session.execute(select(RoleGrant).where(RoleGrant.user_id == user.id)).first()
            is None
        )


def test_verification_needs_the_enterprise_in_the_registry(client, world):
    assert (
        _register(client, make_enterprise("xj-urumqi", 9).uscc[:17] + "0", "x").status_code == 422
    )
    from .factory import uscc

    assert _register(client, uscc(42), "qiye2").status_code == 200
    with use_scope(system_scope()):
        acc_id = db.session.execute(select(EnterpriseAccount.id)).scalar_one()
    resp = client.post(
        f"/api/v1/tenants/xj-urumqi/enterprise-accounts/{acc_id}/verify",
        headers=bearer("urumqi-officer1"),
    )
    assert resp.status_code == 422 and "请先登记该企业" in resp.get_json()["errors"]["uscc"][0]


def test_staff_verify_from_the_pending_page(client, world):
    e = make_enterprise("xj-urumqi", 1)
    _register(client, e.uscc, "qiye1")
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get("/xj-urumqi/enterprises/accounts/").get_data(as_text=True)
    assert "qiye1" in page
    with use_scope(system_scope()):
        acc_id = db.session.execute(select(EnterpriseAccount.id)).scalar_one()
    resp = client.post(
        f"/xj-urumqi/enterprises/accounts/{acc_id}/verify", data={"csrf_token": csrf_from(page)}
    )
    assert resp.status_code == 302
    with use_scope(system_scope()):
        acc = db.session.get(EnterpriseAccount, acc_id)
        assert acc.status == "verified" and acc.enterprise_id == e.id


def test_one_enterprises_user_never_sees_another_enterprises_records(app, world):
    mine = make_enterprise("xj-urumqi", 1, name="甲公司")
    other = make_enterprise("xj-urumqi", 2, name="乙公司")
    add_record("xj-urumqi", mine, "complaint", record_date="2025-03-01", summary="甲公司噪声投诉")
    add_record(
        "xj-urumqi",
        other,
        "penalty",
        record_date="2025-03-02",
        ref="乌环罚〔2025〕99号",
        summary="乙公司超标排放",
    )
    c = _enterprise_user(app, mine, "qiye-jia")
    page = c.get("/xj-urumqi/enterprise/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "甲公司噪声投诉" in html
    assert "乙公司" not in html and "乌环罚〔2025〕99号" not in html
    # staff pages and the other enterprise's id are closed to the enterprise user
    assert c.get(f"/xj-urumqi/enterprises/{other.id}/").status_code == 403
    assert c.get("/xj-urumqi/enterprises/").status_code == 403
    headers = {"Authorization": f"Bearer {token_for('qiye-jia')}"}
    own = c.get("/api/v1/tenants/xj-urumqi/my-enterprise", headers=headers)
    assert own.status_code == 200 and own.get_json()["id"] == mine.id
    recs = c.get("/api/v1/tenants/xj-urumqi/my-enterprise/records", headers=headers).get_json()
    assert [r["summary"] for r in recs] == ["甲公司噪声投诉"]
    assert (
        c.get(
            f"/api/v1/tenants/xj-urumqi/enterprises/{other.id}/records", headers=headers
        ).status_code
        == 403
    )
    # another tenant: no role there at all
    assert c.get("/api/v1/tenants/sx-taiyuan/my-enterprise", headers=headers).status_code == 403


def test_another_tenants_enterprise_answers_the_same_404_as_a_missing_one(client, world):
    theirs = make_enterprise("sx-taiyuan", 1)
    headers = bearer("urumqi-officer1")
    foreign = client.get(f"/api/v1/tenants/xj-urumqi/enterprises/{theirs.id}", headers=headers)
    missing = client.get("/api/v1/tenants/xj-urumqi/enterprises/999999", headers=headers)
    huge = client.get(f"/api/v1/tenants/xj-urumqi/enterprises/{2**70}", headers=headers)
    assert foreign.status_code == missing.status_code == huge.status_code == 404
    assert foreign.get_json() == missing.get_json()


def test_rejection_needs_a_reason_and_is_final(client, world):
    e = make_enterprise("xj-urumqi", 1)
    _register(client, e.uscc, "qiye1")
    with use_scope(system_scope()):
        acc_id = db.session.execute(select(EnterpriseAccount.id)).scalar_one()
    url = f"/api/v1/tenants/xj-urumqi/enterprise-accounts/{acc_id}"
    headers = bearer("urumqi-officer1")
    assert client.post(f"{url}/reject", json={"reason": "  "}, headers=headers).status_code == 422
    assert (
        client.post(f"{url}/reject", json={"reason": "联系人无法核实"}, headers=headers).status_code
        == 200
    )
    assert client.post(f"{url}/verify", headers=headers).status_code == 409
    assert login(client, "xj-urumqi", "qiye1", PASSWORD).status_code == 401


def test_registration_is_rate_limited_per_address(app, client, world):
    limit, app.config["LOGIN_MAX_FAILURES"] = app.config["LOGIN_MAX_FAILURES"], 2
    try:
        for n in range(2):
            _register(client, "bad", f"user{n}")
        assert _register(client, "bad", "user9").status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES"] = limit
