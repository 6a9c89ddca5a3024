"""Real Chromium against the app served over HTTP: what a bureau's staff actually see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import RoleGrant, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, username: str, slug: str = "xj-urumqi") -> None:
    page.goto(f"/{slug}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(rf"/{slug}/$"))


def test_officer_signs_in_and_sees_the_chinese_dashboard(browser_page, artifacts):
    page = browser_page
    page.goto("/")
    page.get_by_role("link", name="乌鲁木齐市").click()
    page.wait_for_url("**/xj-urumqi/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", name="登录").is_visible()

    # A wrong password first: refused, in Chinese, still on the form.
    page.get_by_label("用户名").fill("urumqi-officer1")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码错误")

    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/xj-urumqi/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "乌鲁木齐市 · 工作台"
    expect(page.locator(".who")).to_contain_text("张执法")
    assert page.locator(".tag").all_inner_texts() == ["执法人员"]
    # An officer sees no user administration.
    assert page.get_by_role("link", name="用户管理").count() == 0
    page.screenshot(path=str(artifacts / "dashboard-zh.png"), full_page=True)
    assert (artifacts / "dashboard-zh.png").stat().st_size > 1000

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/xj-urumqi/login")
    assert "您已退出登录" in page.get_by_role("status").inner_text()


def test_tenant_admin_creates_a_user_after_fixing_a_weak_password(browser_page, artifacts):
    page = browser_page
    sign_in(page, "urumqi-admin")
    page.get_by_role("link", name="用户管理").click()
    page.get_by_role("link", name="新建用户").click()
    page.wait_for_url("**/admin/users/new")

    page.get_by_label("用户名").fill("urumqi-officer3")
    page.get_by_label("姓名").fill("马执法")
    page.get_by_label("初始密码").fill("short1")
    page.get_by_label("执法证件号").fill("65010020260003")
    page.get_by_label("角色").select_option(label="执法人员")
    page.get_by_role("button", name="创建用户").click()

    # The reason sits in the password field's own box, and the field is marked invalid.
    password_box = page.locator(".field", has=page.get_by_label("初始密码"))
    assert password_box.locator(".error").inner_text() == "密码至少需要 10 个字符"
    assert page.get_by_label("初始密码").get_attribute("aria-invalid") == "true"
    assert page.locator(".error").count() == 1
    # What was typed is kept, except the password.
    assert page.get_by_label("用户名").input_value() == "urumqi-officer3"
    page.screenshot(path=str(artifacts / "user-new-error-zh.png"), full_page=True)
    with use_scope(system_scope()):
        assert (
            db.session.execute(select(User).where(User.username == "urumqi-officer3")).first()
            is None
        )
        db.session.rollback()

    page.get_by_label("初始密码").fill("Officer-2026-pass")
    page.get_by_role("button", name="创建用户").click()
    page.wait_for_url(re.compile(r"/xj-urumqi/admin/users/$"))
    assert "已创建用户 urumqi-officer3" in page.get_by_role("status").inner_text()
    row = page.locator("tr", has_text="urumqi-officer3")
    assert "马执法" in row.inner_text()
    assert "执法人员" in row.inner_text()

    with use_scope(system_scope()):
        user = db.session.execute(
            select(User).where(User.username == "urumqi-officer3")
        ).scalar_one()
        roles = db.session.execute(
            select(RoleGrant.role).where(RoleGrant.user_id == user.id)
        ).scalars()
        assert list(roles) == ["officer"]
        db.session.rollback()

    # The new officer can sign in with the password the admin set.
    page.get_by_role("button", name="退出").click()
    page.goto("/xj-urumqi/login")
    page.get_by_label("用户名").fill("urumqi-officer3")
    page.get_by_label("密码").fill("Officer-2026-pass")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/xj-urumqi/")
    expect(page.locator(".who")).to_contain_text("马执法")


def test_english_switch_translates_the_pages(browser_page, artifacts):
    page = browser_page
    page.goto("/xj-urumqi/login")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/xj-urumqi/login")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Log in").is_visible()

    page.get_by_label("Username").fill("urumqi-admin")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("Wrong username or password")

    page.get_by_label("Username").fill("")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.locator(".error[data-field=username]").inner_text() == "Please enter a username."

    page.get_by_label("Username").fill("urumqi-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/xj-urumqi/")
    assert page.get_by_role("heading", level=1).inner_text() == "乌鲁木齐市 · Dashboard"
    assert page.locator(".tag").all_inner_texts() == ["Tenant administrator"]
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Initial password").fill("short1")
    page.get_by_role("button", name="Create user").click()
    assert (
        page.locator(".error[data-field=display_name]").inner_text()
        == "Please enter the full name."
    )
    page.screenshot(path=str(artifacts / "user-new-error-en.png"), full_page=True)

    # The page's own text is all English (its catalog completeness is tests/ui/test_i18n.py).
    leftover = re.findall(r"[\u4e00-\u9fff]+", page.locator("main").inner_text())
    assert not leftover, leftover
    nav = page.locator("header").inner_text()
    assert "Dashboard" in nav and "Users" in nav and "Log out" in nav
    assert "工作台" not in nav and "退出" not in nav

    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("heading", name="新建用户").is_visible()
