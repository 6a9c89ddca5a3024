"""Enterprise users made by staff and by registration (issue 9 item 4): an enterprise account
always acts for one enterprise of the registry, and a registrant who typed the right password
is told where the registration stands rather than "wrong password"."""

from __future__ import annotations

from typing import Any

from click.testing import Result
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import EnterpriseAccount, RoleGrant, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, login
from .factory import make_enterprise
from .test_enterprise_accounts import PASSWORD, _register


def _cli(app: Any, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def _create(app: Any, username: str, *extra: str) -> Result:
    return _cli(
        app,
        "users",
        "create",
        "--tenant",
        "xj-urumqi",
        "--role",
        "enterprise",
        "--username",
        username,
        "--name",
        "企业联系人",
        "--password",
        PASSWORD,
        *extra,
    )


def test_cli_links_an_enterprise_user_to_its_company_and_it_sees_it(app, client, world):
    e = make_enterprise("xj-urumqi", 7, name="乌鲁木齐天山化工有限公司")
    result = _create(app, "tianshan-chem", "--enterprise", e.uscc)
    assert result.exit_code == 0, result.output
    with use_scope(system_scope()):
        account = db.session.execute(
            select(EnterpriseAccount)
            .join(User, User.id == EnterpriseAccount.user_id)
            .where(User.username == "tianshan-chem")
        ).scalar_one()
        assert (account.enterprise_id, account.status) == (e.id, "verified")
    assert login(client, "xj-urumqi", "tianshan-chem", PASSWORD).status_code == 302
    page = client.get("/xj-urumqi/enterprise/").get_data(as_text=True)
    assert "乌鲁木齐天山化工有限公司" in page


def test_cli_refuses_an_enterprise_user_without_or_with_an_unknown_company(app, world):
    no_company = _create(app, "orphan")
    assert no_company.exit_code != 0
    assert "企业用户须关联企业" in no_company.output
    other = make_enterprise("sx-taiyuan", 3, division="140100")
    unknown = _create(app, "orphan", "--enterprise", other.uscc)  # another tenant's company
    assert unknown.exit_code != 0
    assert "本单位企业名录中没有" in unknown.output
    with use_scope(system_scope()):
        assert db.session.execute(select(User.id).where(User.username == "orphan")).first() is None


def test_the_enterprise_role_is_not_granted_bare_through_the_api(client, world):
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/users/grants",
        headers=bearer("urumqi-admin"),
        json={"username": "urumqi-officer1", "role": "enterprise"},
    )
    assert resp.status_code == 422
    assert "企业用户角色随企业账号授予" in str(resp.get_json())
    with use_scope(system_scope()):
        assert (
            db.session.execute(select(RoleGrant.id).where(RoleGrant.role == "enterprise")).first()
            is None
        )


def test_api_creates_a_linked_enterprise_user_and_names_the_missing_field(client, world):
    e = make_enterprise("xj-urumqi", 8)
    body = {
        "username": "api-qiye",
        "display_name": "王联系",
        "password": PASSWORD,
        "roles": ["enterprise"],
    }
    api = "/api/v1/tenants/xj-urumqi/users"
    missing = client.post(api, headers=bearer("urumqi-admin"), json=body)
    assert missing.status_code == 422
    assert "enterprise_uscc" in missing.get_json()["errors"]
    made = client.post(
        api, headers=bearer("urumqi-admin"), json={**body, "enterprise_uscc": e.uscc}
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["roles"] == ["enterprise"]


def test_a_registrant_with_the_right_password_is_told_the_review_is_pending(client, world):
    e = make_enterprise("xj-urumqi", 9)
    assert _register(client, e.uscc, "qiye-pending").status_code == 200
    right = login(client, "xj-urumqi", "qiye-pending", PASSWORD)
    assert right.status_code == 401
    assert "正在审核中" in right.get_data(as_text=True)
    wrong = login(client, "xj-urumqi", "qiye-pending", "Wrong-2026-pass")
    assert wrong.status_code == 401
    assert "正在审核中" not in wrong.get_data(as_text=True)  # no hint without the password
    assert "用户名或密码错误" in wrong.get_data(as_text=True)


def test_a_rejected_registrant_with_the_right_password_reads_the_reason(client, world):
    e = make_enterprise("xj-urumqi", 10)
    assert _register(client, e.uscc, "qiye-rejected").status_code == 200
    with use_scope(system_scope()):
        acc_id = db.session.execute(
            select(EnterpriseAccount.id)
            .join(User, User.id == EnterpriseAccount.user_id)
            .where(User.username == "qiye-rejected")
        ).scalar_one()
    resp = client.post(
        f"/api/v1/tenants/xj-urumqi/enterprise-accounts/{acc_id}/reject",
        headers=bearer("urumqi-officer1"),
        json={"reason": "营业执照与信用代码不符"},
    )
    assert resp.status_code == 200, resp.get_json()
    page = login(client, "xj-urumqi", "qiye-rejected", PASSWORD).get_data(as_text=True)
    assert "未通过审核" in page and "营业执照与信用代码不符" in page
