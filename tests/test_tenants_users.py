"""Tenants (the region tree) and accounts, through the pages, the API and the CLI."""

from __future__ import annotations

from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.models import RoleGrant, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import bearer, login, post_form


def test_superadmin_creates_a_county_under_a_city_in_the_browser_form(client, world):
    login(client, "platform", "admin")
    urumqi = world["tenants"]["xj-urumqi"]
    resp = post_form(
        client,
        "/platform/admin/tenants/",
        "/platform/admin/tenants/",
        {
            "parent": str(urumqi.id),
            "slug": "xj-urumqi-shayibake",
            "name": "沙依巴克区",
            "level": "county",
            "division_code": "650103",
            "policy_pack": "",
        },
    )
    assert resp.status_code == 302
    listing = client.get("/api/v1/tenants").get_json()
    assert any(t["slug"] == "xj-urumqi-shayibake" and t["parent_id"] == urumqi.id for t in listing)


def test_division_code_outside_the_parent_is_refused_with_the_field(client, world):
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/children",
        headers=bearer("admin"),
        json={"slug": "bad-county", "name": "错区", "level": "county", "division_code": "140105"},
    )
    body = resp.get_json()
    assert resp.status_code == 422
    assert "division_code" in body["errors"]
    assert "乌鲁木齐市" in body["errors"]["division_code"][0]


def test_tenant_admin_cannot_create_tenants(client, world):
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/children",
        headers=bearer("urumqi-admin"),
        json={"slug": "x-county", "name": "某县", "level": "county", "division_code": "650109"},
    )
    assert resp.status_code == 403


def test_officer_needs_a_certificate_number(client, world):
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/users",
        headers=bearer("urumqi-admin"),
        json={
            "username": "no-cert",
            "display_name": "无证",
            "password": "Strong-pass-2026",
            "roles": ["officer"],
        },
    )
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"certificate_no": ["执法人员须填写执法证件号"]}


def test_bad_input_writes_nothing(client, world):
    before = _user_count()
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/users",
        headers=bearer("urumqi-admin"),
        json={
            "username": "weak",
            "display_name": "弱",
            "password": "123",
            "roles": ["officer"],
            "certificate_no": "1",
        },
    )
    assert resp.status_code == 422 and "password" in resp.get_json()["errors"]
    assert _user_count() == before


def test_user_of_one_tenant_acts_in_another_only_when_granted(client, world):
    headers = bearer("urumqi-officer1")
    assert client.get("/api/v1/tenants/sx-taiyuan/jobs/none", headers=headers).status_code == 403
    proposal = client.post(
        "/api/v1/tenants/sx-taiyuan/users/grants",
        headers=bearer("taiyuan-admin"),
        json={"username": "urumqi-officer1", "role": "officer"},
    )
    assert proposal.status_code == 202  # another tenant's account: its home tenant decides
    assert client.get("/api/v1/tenants/sx-taiyuan/jobs/none", headers=headers).status_code == 403
    accepted = client.post(
        f"/api/v1/tenants/xj-urumqi/users/proposals/received/{proposal.get_json()['id']}",
        headers=bearer("urumqi-admin"),
        json={"accept": True},
    )
    assert accepted.status_code == 200, accepted.get_json()
    assert client.get("/api/v1/tenants/sx-taiyuan/jobs/none", headers=headers).status_code == 404
    with use_scope(system_scope()):
        homes = {
            g.tenant_id
            for g in db.session.query(RoleGrant).filter(
                RoleGrant.user_id == world["users"]["urumqi-officer1"].id
            )
        }
    assert homes == {world["tenants"]["xj-urumqi"].id, world["tenants"]["sx-taiyuan"].id}


def test_cli_creates_tenant_user_and_token(app, world):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=[
            "tenants",
            "create",
            "--slug",
            "sx-datong",
            "--name",
            "大同市",
            "--level",
            "city",
            "--code",
            "140200",
            "--parent",
            "sx",
        ]
    )
    assert made.exit_code == 0, made.output
    user = runner.invoke(
        args=[
            "users",
            "create",
            "--tenant",
            "sx-datong",
            "--role",
            "officer",
            "--username",
            "datong-officer",
            "--name",
            "周执法",
            "--password",
            "Strong-pass-2026",
            "--cert",
            "14020020260001",
        ]
    )
    assert user.exit_code == 0, user.output
    token = runner.invoke(args=["tokens", "create", "--user", "datong-officer"])
    raw = token.output.strip()
    assert raw.startswith("ta_")
    client = app.test_client()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).get_json()[
            "home_tenant"
        ]
        == "sx-datong"
    )
    listing = runner.invoke(args=["tenants", "list"])
    assert "sx-datong" in listing.output and "140200" in listing.output


def test_cli_refuses_a_bad_tenant_with_the_reason(app, world):
    result = app.test_cli_runner().invoke(
        args=[
            "tenants",
            "create",
            "--slug",
            "Bad Slug",
            "--name",
            "x",
            "--level",
            "city",
            "--code",
            "140300",
            "--parent",
            "sx",
        ]
    )
    assert result.exit_code != 0
    assert "slug" in result.output


def _user_count() -> int:
    with use_scope(system_scope()):
        # Not Query.count(): it selects every column, and the app role may not read password_hash.
        return db.session.execute(select(func.count(User.id))).scalar_one()
