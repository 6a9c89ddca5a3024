"""What an attacker, an auditor and an operator would check: hashes, CSRF, cookies, start-up,
the login throttle, the audit trail of logins and refusals, timeouts, tokens and health."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tenant_app import clock, create_app
from tenant_app.auth.credentials import stored_hash
from tenant_app.config import ConfigError
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.conftest import build_app
from tests.helpers import PASSWORD, bearer, login, token_for

ARGON2 = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def audit_actions(action: str) -> list[AuditEntry]:
    with use_scope(system_scope()):
        db.session.expire_all()
        return list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            ).scalars()
        )


@pytest.mark.production_password_hash
def test_password_hashes_are_argon2id_at_owasp_strength(world):
    with use_scope(system_scope()):  # through app_login_hash() on PostgreSQL (issue 12)
        names = list(db.session.execute(select(User.username)).scalars())
        hashes = [(name, stored_hash(name)) for name in names]
    assert hashes
    for username, stored in hashes:
        assert stored is not None
        match = ARGON2.match(stored)
        assert match, f"{username}: not an argon2id hash: {stored[:30]}"
        memory_kib, passes, _lanes = map(int, match.groups())
        assert memory_kib >= 19456, (username, memory_kib)
        assert passes >= 2, (username, passes)
        assert PASSWORD not in stored


def test_form_post_without_csrf_token_is_refused(client, world):
    resp = client.post(
        "/xj-urumqi/login", data={"username": "urumqi-officer1", "password": PASSWORD}
    )
    assert resp.status_code == 400
    assert "安全令牌" in resp.get_data(as_text=True)
    # ... and nobody got logged in.
    assert client.get("/xj-urumqi/").status_code == 302


def test_logged_in_form_post_without_csrf_token_is_refused(client, world):
    login(client, "xj-urumqi", "urumqi-admin")
    resp = client.post(
        "/xj-urumqi/admin/users/new",
        data={
            "username": "csrf-victim",
            "display_name": "无令牌",
            "password": "Strong-pass-2026",
            "roles": "tenant_admin",
        },
    )
    assert resp.status_code == 400
    with use_scope(system_scope()):
        assert (
            db.session.execute(select(User).where(User.username == "csrf-victim")).first() is None
        )


def test_production_session_cookie_flags(aut, world):
    prod = build_app(
        aut.app.config["DATABASE_URL"],
        ENV="production",
        SECRET_KEY="a-long-production-secret-for-tests",
        AUDIT_KEY="1:a-long-audit-key-for-tests",
        DB_SCOPE_KEY=aut.app.config["DB_SCOPE_KEY"],  # the key the database was migrated with
    )
    client = prod.test_client()
    resp = login(client, "xj-urumqi", "urumqi-officer1")
    assert resp.status_code == 302
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")]
    assert cookies, resp.headers.getlist("Set-Cookie")
    attrs = [a.strip().lower() for a in cookies[-1].split(";")[1:]]
    assert "secure" in attrs
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "path=/" in attrs
    assert not any(a.startswith("domain") for a in attrs)
    assert "max-age=31536000" in resp.headers.get("Strict-Transport-Security", "")


def test_production_refuses_to_start_without_secret_key(aut):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            {"ENV": "production", "DATABASE_URL": aut.app.config["DATABASE_URL"]}, environ={}
        )
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            environ={
                "TENANT_APP_ENV": "production",
                "TENANT_APP_DATABASE_URL": aut.app.config["DATABASE_URL"],
            }
        )


def test_login_throttle_blocks_the_eleventh_attempt_then_lets_the_user_in(client, world, travel):
    # At the start of a window: the limiter's fixed windows never turn over mid-test.
    start = datetime.fromtimestamp(1_800_000_000 // 60 * 60, tz=UTC)
    travel(start)
    for attempt in range(10):
        resp = login(client, "xj-urumqi", "urumqi-officer1", f"wrong-password-{attempt}")
        assert resp.status_code == 401, attempt
    resp = login(client, "xj-urumqi", "urumqi-officer1")  # the right password, too late
    assert resp.status_code == 429
    assert "登录失败次数过多" in resp.get_data(as_text=True)
    assert client.get("/xj-urumqi/").status_code == 302  # not logged in

    # The window (LOGIN_WINDOW_SECONDS=60) passes.
    travel(start + timedelta(seconds=61))
    resp = login(client, "xj-urumqi", "urumqi-officer1")
    assert resp.status_code == 302
    assert "乌鲁木齐市 · 工作台" in client.get("/xj-urumqi/").get_data(as_text=True)


def test_every_login_attempt_and_refusal_is_audited(client, world, monkeypatch):
    from tenant_app.core import ratelimit

    start = datetime.fromtimestamp(1_800_000_000 // 60 * 60, tz=UTC)  # no window turns over
    monkeypatch.setattr(ratelimit.clock, "utcnow", lambda: start)
    elsewhere = client.application.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"  # the throttle also counts per address
    login(elsewhere, "xj-urumqi", "urumqi-officer2", "wrong-password-1")
    failed = audit_actions("login.failed")
    assert [(e.object_id, e.after["reason"], e.after["address"]) for e in failed] == [
        ("urumqi-officer2", "bad_credentials", "10.1.2.3")
    ]

    for attempt in range(10):
        login(client, "xj-urumqi", "urumqi-head", f"wrong-password-{attempt}")
    login(client, "xj-urumqi", "urumqi-head")
    throttled = audit_actions("login.throttled")
    assert [e.object_id for e in throttled] == ["urumqi-head"]

    officer = client.application.test_client()
    officer.environ_base["REMOTE_ADDR"] = "10.1.2.4"  # 127.0.0.1 is throttled by now
    assert login(officer, "xj-urumqi", "urumqi-officer1").status_code == 302
    succeeded = audit_actions("login.succeeded")
    assert [e.actor_name for e in succeeded] == ["urumqi-officer1"]

    # An officer may not manage users: the refusal is recorded with what was asked for.
    assert officer.get("/xj-urumqi/admin/users/").status_code == 403
    assert (
        officer.get(
            "/api/v1/tenants/xj-urumqi/audit", headers=bearer("urumqi-officer1")
        ).status_code
        == 403
    )
    denied = audit_actions("authz.denied")
    assert [(e.actor_name, e.object_id, e.after["path"]) for e in denied] == [
        ("urumqi-officer1", "users.view", "/xj-urumqi/admin/users/"),
        ("urumqi-officer1", "audit.view", "/api/v1/tenants/xj-urumqi/audit"),
    ]


def test_idle_session_is_logged_out(client, world, travel):
    assert login(client, "xj-urumqi", "urumqi-officer1").status_code == 302
    assert client.get("/xj-urumqi/").status_code == 200
    travel(clock.now() + timedelta(minutes=31))
    resp = client.get("/xj-urumqi/")
    assert resp.status_code == 302
    assert "/xj-urumqi/login" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "登录已超时" in page


def test_revoked_api_token_is_refused(client, world):
    headers = bearer("urumqi-admin")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    other = client.post("/api/v1/me/tokens", json={"name": "laptop"}, headers=headers)
    assert other.status_code == 201
    laptop = {"Authorization": f"Bearer {other.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=laptop).get_json()["username"] == "urumqi-admin"

    assert (
        client.delete(f"/api/v1/me/tokens/{other.get_json()['id']}", headers=headers).status_code
        == 204
    )
    resp = client.get("/api/v1/me", headers=laptop)
    assert resp.status_code == 401
    assert resp.get_json()["code"] == "unauthorized"
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the other one still works


def test_api_ignores_the_session_cookie(client, world):
    assert login(client, "xj-urumqi", "urumqi-admin").status_code == 302
    assert client.get("/xj-urumqi/admin/users/").status_code == 200  # the cookie works for pages
    for url in ("/api/v1/me", "/api/v1/tenants/xj-urumqi/users"):
        resp = client.get(url)
        assert resp.status_code == 401, url
        assert set(resp.get_json()) == {"code", "message", "errors"}
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/users",
        json={
            "username": "via-cookie",
            "display_name": "借会话",
            "password": "Strong-pass-2026",
            "roles": ["tenant_admin"],
        },
    )
    assert resp.status_code == 401


def test_api_with_unknown_or_malformed_token_is_refused(client, world):
    token_for("urumqi-admin")
    for header in ("Bearer ta_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "ta_x"):
        resp = client.get("/api/v1/me", headers={"Authorization": header})
        assert resp.status_code == 401, header


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_reports_dead_redis_as_degraded(aut, world):
    ok = aut.app.test_client().get("/healthz")
    assert ok.status_code == 200
    assert ok.get_json()["status"] == "ok"

    dead = build_app(
        aut.app.config["DATABASE_URL"],
        REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
        JOBS_EAGER=False,
    )
    resp = dead.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "degraded"
    assert body["redis"]["ok"] is False
    assert body["database"]["ok"] is True
