"""Issue 16 item 4: the in-app centre (unread count in the header, mark read, the link), email
through a local SMTP server, signed webhooks with retries, preferences, tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.clock import utcnow
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Job, Notification, WebhookDelivery
from tenant_app.notifications.services import centre, preferences, webhooks
from tenant_app.notifications.services.notify import notify
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import csrf_from, login

from .conftest import as_person, as_system, user_id

SX, XJ = "sx-taiyuan", "xj-urumqi"


def _notify(slug: str, usernames: list[str], kind: str = "system", title: str = "测试通知") -> None:
    with as_system(slug) as ctx:
        notify(
            ctx,
            kind=kind,
            title=title,
            link=f"/{slug}/cases/",
            users=[user_id(u) for u in usernames],
            payload={"n": 1},
        )
        db.session.commit()


def _unread(username: str, slug: str) -> int:
    with as_person(username, slug) as ctx:
        return centre.unread_count(ctx)


def test_unread_count_is_in_the_header_and_mark_read_clears_it(world: Any, client: Any) -> None:
    _notify(SX, ["taiyuan-officer1"], title="案件办理期限即将届满")
    _notify(SX, ["taiyuan-officer1"], title="第二条")
    login(client, SX, "taiyuan-officer1")
    page = client.get(f"/{SX}/").get_data(as_text=True)
    assert 'id="unread-notifications"' in page
    assert '未读通知数">2</span>' in page
    listing = client.get(f"/{SX}/notifications/").get_data(as_text=True)
    assert "案件办理期限即将届满" in listing
    with as_person("taiyuan-officer1", SX) as ctx:
        first = centre.my_notifications(ctx)[0].id
    r = client.post(f"/{SX}/notifications/{first}/open", data={"csrf_token": csrf_from(listing)})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/{SX}/cases/")
    assert '未读通知数">1</span>' in client.get(f"/{SX}/").get_data(as_text=True)
    r = client.post(f"/{SX}/notifications/read-all", data={"csrf_token": csrf_from(listing)})
    assert r.status_code == 302
    page = client.get(f"/{SX}/").get_data(as_text=True)
    assert "未读通知数" not in page and 'id="unread-notifications"' in page


def test_another_persons_notification_is_a_404_page_and_api(world: Any, client: Any) -> None:
    _notify(SX, ["taiyuan-officer2"])
    with as_person("taiyuan-officer2", SX) as ctx:
        theirs = centre.my_notifications(ctx)[0].id
    login(client, SX, "taiyuan-officer1")
    listing = client.get(f"/{SX}/notifications/").get_data(as_text=True)
    r = client.post(f"/{SX}/notifications/{theirs}/read", data={"csrf_token": csrf_from(listing)})
    assert r.status_code == 404
    assert _unread("taiyuan-officer2", SX) == 1


def test_api_lists_and_marks_read(world: Any, client: Any) -> None:
    from tests.helpers import bearer

    _notify(SX, ["taiyuan-officer1"], title="甲")
    who = bearer("taiyuan-officer1")
    r = client.get(f"/api/v1/tenants/{SX}/notifications", headers=who)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["unread"] == 1 and body["items"][0]["title"] == "甲"
    nid = body["items"][0]["id"]
    r = client.post(f"/api/v1/tenants/{SX}/notifications/{nid}/read", headers=who)
    assert r.status_code == 200 and r.get_json()["read_at"]
    r = client.post(f"/api/v1/tenants/{SX}/notifications/read-all", headers=who)
    assert r.get_json() == {"marked": 0, "unread": 0}
    # Another tenant's staff cannot read it, nor the same person's from another tenant.
    other = bearer("urumqi-officer1")
    r = client.post(f"/api/v1/tenants/{XJ}/notifications/{nid}/read", headers=other)
    assert r.status_code == 404


def test_email_reaches_the_smtp_server_for_chosen_kinds_only(world: Any, smtp: Any) -> None:
    """Preferences respected: officer1 chose email for reminders; officer2 chose nothing."""
    with as_person("taiyuan-officer1", SX) as ctx:
        preferences.save(
            ctx, email="liu@example.gov.cn", email_kinds=["reminder_due"], reminder_lead_days=""
        )
        db.session.commit()
    _notify(SX, ["taiyuan-officer1", "taiyuan-officer2"], kind="reminder_due", title="期限提醒甲")
    _notify(SX, ["taiyuan-officer1"], kind="system", title="系统通知乙")
    assert [m["to"] for m in smtp.messages] == [["liu@example.gov.cn"]]
    msg = smtp.messages[0]["msg"]
    assert msg["Subject"] == "期限提醒甲"
    assert f"/{SX}/cases/" in msg.get_body().get_content()
    # Both people got the in-app notification whatever their email choice.
    assert _unread("taiyuan-officer2", SX) == 1 and _unread("taiyuan-officer1", SX) == 2


def test_email_is_sent_by_a_job_not_in_the_request(world: Any, app: Any) -> None:
    app.config["SMTP_HOST"] = ""
    with as_person("taiyuan-officer1", SX) as ctx:
        preferences.save(
            ctx, email="liu@example.gov.cn", email_kinds=["system"], reminder_lead_days=None
        )
        db.session.commit()
    _notify(SX, ["taiyuan-officer1"])
    with use_scope(system_scope()):
        jobs = db.session.execute(
            select(Job.name, Job.result).where(Job.name == "notifications.send_email")
        ).all()
    assert [(n, r) for n, r in jobs] == [("notifications.send_email", {"sent": False})]


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("email", {"email": "not-an-address"}, "电子邮箱格式不正确"),
        ("email", {"email": "", "email_kinds": ["system"]}, "请填写电子邮箱"),
        ("email_kinds", {"email_kinds": ["nonsense"]}, "通知类型不存在"),
        ("reminder_lead_days", {"reminder_lead_days": "99"}, "0 到 30"),
        ("reminder_lead_days", {"reminder_lead_days": "三"}, "0 到 30"),
    ],
)
def test_bad_preferences_are_refused_by_field(
    world: Any, field: str, values: dict[str, Any], message: str
) -> None:
    args = {"email": "a@b.cn", "email_kinds": [], "reminder_lead_days": "", **values}
    with as_person("taiyuan-officer1", SX) as ctx, pytest.raises(ValidationFailed) as exc:
        preferences.save(ctx, **args)
    assert message in exc.value.errors[field][0]
    with as_person("taiyuan-officer1", SX) as ctx:
        assert preferences.setting_of(ctx) is None  # nothing half-written


def test_preferences_page_saves_and_shows_errors(world: Any, client: Any) -> None:
    login(client, SX, "taiyuan-officer1")
    page = client.get(f"/{SX}/me/notifications/")
    assert page.status_code == 200 and "通知设置" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post(
        f"/{SX}/me/notifications/",
        data={"csrf_token": token, "email": "x", "reminder_lead_days": "2"},
    )
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.get_data(as_text=True)
    ok = client.post(
        f"/{SX}/me/notifications/",
        data={
            "csrf_token": token,
            "email": "liu@example.gov.cn",
            "email_kinds": ["system"],
            "reminder_lead_days": "2",
        },
    )
    assert ok.status_code == 302
    with as_person("taiyuan-officer1", SX) as ctx:
        row = preferences.setting_of(ctx)
        assert row is not None and row.reminder_lead_days == 2 and row.email_kinds == ["system"]


def _subscribe(slug: str, admin: str, url: str, kinds: list[str] | None = None) -> tuple[int, str]:
    with as_person(admin, slug) as ctx:
        row = webhooks.create(ctx, name="省级平台", url=url, kinds=kinds or [])
        db.session.commit()
        return row.id, row.secret


def test_webhook_is_signed_retried_with_backoff_and_isolated(
    world: Any, receiver: Any, travel: Any
) -> None:
    travel("2026-11-26T10:00")
    _sub, secret = _subscribe(SX, "taiyuan-admin", receiver.url)
    _subscribe(XJ, "urumqi-admin", receiver.url + "?xj")
    receiver.answers = [503]  # the first attempt fails
    _notify(SX, ["taiyuan-officer1"], kind="system", title="推送测试")
    assert len(receiver.requests) == 1  # only the SX subscription: XJ never hears SX's events
    with use_scope(system_scope()):
        d = db.session.execute(select(WebhookDelivery)).scalar_one()
        assert (d.status, d.attempts, d.last_status_code) == ("retrying", 1, 503)
        assert d.next_attempt_at is not None
        wait = d.next_attempt_at - utcnow()
        delivery_id = d.id
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    # Before the backoff has passed the retry job sends nothing.
    with as_system(SX) as ctx:
        assert webhooks.retry_due(ctx) == 0
    travel("2026-11-26T10:01:30")
    with as_system(SX) as ctx:
        assert webhooks.retry_due(ctx) == 1
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first["body"] == second["body"]
    event = receiver.verified(secret, second)
    assert event["tenant"] == SX and event["kind"] == "system" and event["title"] == "推送测试"
    assert second["headers"]["X-Webhook-Delivery"] == str(delivery_id)
    with use_scope(system_scope()):
        d = db.session.execute(select(WebhookDelivery)).scalar_one()
        assert (d.status, d.attempts) == ("delivered", 2)
    # A forged body fails the receiver's check.
    forged = {**second, "body": second["body"].replace(b"tenant", b"tenanx")}
    with pytest.raises(AssertionError):
        receiver.verified(secret, forged)


def test_backoff_doubles_and_gives_up(world: Any, receiver: Any, app: Any, travel: Any) -> None:
    travel("2026-11-26T10:00")
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    _subscribe(SX, "taiyuan-admin", receiver.url)
    receiver.answers = [500, 500, 500]
    _notify(SX, ["taiyuan-officer1"])
    travel("2026-11-26T10:01:01")
    with as_system(SX) as ctx:
        webhooks.retry_due(ctx)
    with use_scope(system_scope()):
        d = db.session.execute(select(WebhookDelivery)).scalar_one()
        assert d.status == "retrying" and d.attempts == 2
        assert timedelta(seconds=110) < d.next_attempt_at - utcnow() <= timedelta(seconds=120)
    travel("2026-11-26T10:03:05")
    with as_system(SX) as ctx:
        webhooks.retry_due(ctx)
    with use_scope(system_scope()):
        d = db.session.execute(select(WebhookDelivery)).scalar_one()
        assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 3, None)
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 6


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/hook", "http 或 https"),
        ("javascript:alert(1)", "http 或 https"),
        ("http://127.0.0.1:8080/hook", "内网或本机"),
        ("http://10.1.2.3/hook", "内网或本机"),
        ("http://169.254.169.254/latest/meta-data", "内网或本机"),
        ("http://[::1]/hook", "内网或本机"),
        ("http://user:pw@example.com/hook", "用户名或密码"),
    ],
)
def test_unsafe_webhook_urls_are_refused(world: Any, url: str, reason: str) -> None:
    with as_person("taiyuan-admin", SX) as ctx, pytest.raises(ValidationFailed) as exc:
        webhooks.create(ctx, name="x", url=url, kinds=[])
    assert reason in exc.value.errors["url"][0]


def test_only_tenant_admins_manage_webhooks(world: Any, client: Any) -> None:
    login(client, SX, "taiyuan-officer1")
    assert client.get(f"/{SX}/webhooks/").status_code == 403
    client.post(
        f"/{SX}/logout",
        data={"csrf_token": csrf_from(client.get(f"/{SX}/").get_data(as_text=True))},
    )
    login(client, SX, "taiyuan-admin")
    page = client.get(f"/{SX}/webhooks/")
    assert page.status_code == 200
    r = client.post(
        f"/{SX}/webhooks/",
        data={"csrf_token": csrf_from(page.get_data(as_text=True)), "name": "", "url": "ftp://x"},
    )
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "名称必填" in text and "http 或 https" in text
    assert client.get(f"/{SX}/webhooks/deliveries").status_code == 200


def test_enterprise_users_are_notified_through_the_enterprise(world: Any) -> None:
    """The seam part A uses: an enterprise's verified accounts, a payload with a date."""
    from datetime import date

    from tests.inspections.conftest import make_enterprise, make_enterprise_user

    e = make_enterprise(SX)
    u = make_enterprise_user(SX, e, "ent-notify-1")
    with as_system(SX) as ctx:
        notify(
            ctx,
            kind="warning",
            title="预警",
            link="/x",
            enterprise_id=e.id,
            payload={"due": date(2026, 10, 9)},
        )
        db.session.commit()
    with use_scope(system_scope()):
        rows = db.session.execute(select(Notification.user_id, Notification.payload)).all()
    assert [tuple(r) for r in rows] == [(u.id, {"due": "2026-10-09"})]


def test_an_enterprise_user_chooses_too_and_sees_its_count(world: Any, client: Any) -> None:
    from tests.inspections.conftest import make_enterprise, make_enterprise_user

    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "ent-notify-2")
    with as_system(SX) as ctx:
        notify(ctx, kind="warning", title="排污许可证即将到期", link=f"/{SX}/", enterprise_id=e.id)
        db.session.commit()
    login(client, SX, "ent-notify-2")
    assert '未读通知数">1</span>' in client.get(f"/{SX}/").get_data(as_text=True)
    page = client.get(f"/{SX}/me/notifications/")
    assert page.status_code == 200
    r = client.post(
        f"/{SX}/me/notifications/",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "email": "huanbao@qiye.example.cn",
            "email_kinds": ["warning"],
        },
    )
    assert r.status_code == 302
    with as_person("ent-notify-2", SX) as ctx:
        row = preferences.setting_of(ctx)
        assert row is not None and row.email_kinds == ["warning"]
    assert client.get(f"/{SX}/webhooks/").status_code == 403
