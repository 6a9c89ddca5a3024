"""A staff member signs in at their bureau and sees the Chinese dashboard."""

from .helpers import login


def test_officer_logs_in_and_sees_dashboard(client, world):
    resp = login(client, "xj-urumqi", "urumqi-officer1")
    assert resp.status_code == 302
    page = client.get("/xj-urumqi/").get_data(as_text=True)
    assert "乌鲁木齐市 · 工作台" in page
    assert "执法人员" in page


def test_wrong_password_is_refused_in_chinese(client, world):
    resp = login(client, "xj-urumqi", "urumqi-officer1", "wrong-password-1")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_user_without_role_at_tenant_cannot_log_in_there(client, world):
    resp = login(client, "sx-taiyuan", "urumqi-officer1")
    assert resp.status_code == 401
