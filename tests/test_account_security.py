"""Issue 12: accounts isolated like data, sessions that end, a throttle that cannot lock anyone
out, and one atomic rate limiter. Runs on SQLite, and with RLS live on PostgreSQL when
TEST_DATABASE_URL names one; the concurrency tests always use PostgreSQL and real Redis."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.core import ratelimit
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, RoleGrant, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from .conftest import build_app
from .helpers import PASSWORD, bearer, csrf_from, login, post_form
from .services import need_redis

WINDOW_START = datetime.fromtimestamp(1_800_000_000 // 60 * 60, tz=UTC)


@pytest.fixture()
def frozen(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The limiter's clock, frozen at the start of a window (fixed windows never turn over
    mid-test); ``frozen.advance(s)`` moves it."""

    class Clock:
        now = WINDOW_START

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    c = Clock()
    monkeypatch.setattr(ratelimit.clock, "utcnow", lambda: c.now)
    return c


def _user(username: str) -> User:
    with use_scope(system_scope()):
        db.session.expire_all()
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    return user


def _grant_tenants(username: str) -> set[str]:
    with use_scope(system_scope()):
        db.session.expire_all()
        rows = db.session.execute(
            select(RoleGrant)
            .join(User, User.id == RoleGrant.user_id)
            .where(User.username == username)
        ).scalars()
        return {g.tenant_id for g in rows}  # type: ignore[misc]


def _audit(action: str) -> list[AuditEntry]:
    with use_scope(system_scope()):
        db.session.expire_all()
        return list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            ).scalars()
        )


# --- item 1: accounts are tenant-scoped like data ---------------------------------------------


def test_tenant_admin_cannot_grant_to_another_tenants_user_and_learns_nothing(client, world):
    """The answer for another tenant's account is the answer for a username that does not
    exist: a proposal, no display name, no grant."""
    taiyuan = world["tenants"]["sx-taiyuan"]
    answers = {}
    for username in ("urumqi-officer1", "no-such-user-2026"):
        resp = client.post(
            "/api/v1/tenants/sx-taiyuan/users/grants",
            headers=bearer("taiyuan-admin"),
            json={"username": username, "role": "officer"},
        )
        body = resp.get_json()
        answers[username] = (resp.status_code, sorted(body), body["status"])
        assert "张执法" not in resp.get_data(as_text=True)
    assert answers["urumqi-officer1"] == answers["no-such-user-2026"]
    assert answers["urumqi-officer1"][0] == 202
    assert taiyuan.id not in _grant_tenants("urumqi-officer1")
    # The proposer's own list shows both alike.
    made = client.get(
        "/api/v1/tenants/sx-taiyuan/users/proposals", headers=bearer("taiyuan-admin")
    ).get_json()
    assert {(p["username"], p["status"]) for p in made} == {
        ("urumqi-officer1", "pending"),
        ("no-such-user-2026", "pending"),
    }
    # The page says the same for both.
    login(client, "sx-taiyuan", "taiyuan-admin")
    pages = []
    for username in ("urumqi-officer2", "nobody-here-2026"):
        resp = post_form(
            client,
            "/sx-taiyuan/admin/users/",
            "/sx-taiyuan/admin/users/grant",
            {"username": username, "role": "officer"},
        )
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        pages.append(
            page.split('role="status">', 1)[1].split("</div>", 1)[0].replace(username, "X")
        )
        assert "李执法" not in page
    assert pages[0] == pages[1]


def test_tenant_admin_cannot_deactivate_another_tenants_user(client, world):
    """Even where that user holds a role in the admin's tenant (granted by the superadmin):
    the page and the API refuse with the reason; the account stays active."""
    officer = world["users"]["urumqi-officer1"]
    granted = client.post(
        "/api/v1/tenants/sx-taiyuan/users/grants",
        headers=bearer("admin"),
        json={"username": "urumqi-officer1", "role": "officer"},
    )
    assert granted.status_code == 201  # the superadmin grants across tenants directly
    resp = client.patch(
        f"/api/v1/tenants/sx-taiyuan/users/{officer.id}",
        headers=bearer("taiyuan-admin"),
        json={"active": False},
    )
    assert resp.status_code == 403
    assert "不属于本单位" in resp.get_json()["message"]
    login(client, "sx-taiyuan", "taiyuan-admin")
    page = post_form(
        client,
        "/sx-taiyuan/admin/users/",
        f"/sx-taiyuan/admin/users/{officer.id}/active/0",
        {},
    )
    assert "不属于本单位" in client.get(page.headers["Location"]).get_data(as_text=True)
    assert _user("urumqi-officer1").active
    # Nor can it reach the superadmin at all: unknown here.
    admin = world["users"]["admin"]
    resp = client.patch(
        f"/api/v1/tenants/sx-taiyuan/users/{admin.id}",
        headers=bearer("taiyuan-admin"),
        json={"active": False},
    )
    assert resp.status_code == 404
    assert _user("admin").active


def test_home_admin_cannot_deactivate_an_account_with_roles_elsewhere(client, world):
    officer = world["users"]["urumqi-officer1"]
    client.post(
        "/api/v1/tenants/sx-taiyuan/users/grants",
        headers=bearer("admin"),
        json={"username": "urumqi-officer1", "role": "officer"},
    )
    resp = client.patch(
        f"/api/v1/tenants/xj-urumqi/users/{officer.id}",
        headers=bearer("urumqi-admin"),
        json={"active": False},
    )
    assert resp.status_code == 403
    assert "本单位管辖范围以外的单位还担任角色" in resp.get_json()["message"]
    assert _user("urumqi-officer1").active
    # Without roles elsewhere the home admin may; the superadmin always may.
    other = world["users"]["urumqi-officer2"]
    resp = client.patch(
        f"/api/v1/tenants/xj-urumqi/users/{other.id}",
        headers=bearer("urumqi-admin"),
        json={"active": False},
    )
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    resp = client.patch(
        f"/api/v1/tenants/xj-urumqi/users/{officer.id}",
        headers=bearer("admin"),
        json={"active": False},
    )
    assert resp.status_code == 200
    assert not _user("urumqi-officer1").active


def test_cross_tenant_grant_proposed_then_accepted_by_the_home_tenant(client, world):
    taiyuan = world["tenants"]["sx-taiyuan"]
    proposal = client.post(
        "/api/v1/tenants/sx-taiyuan/users/grants",
        headers=bearer("taiyuan-admin"),
        json={"username": "urumqi-head", "role": "agency_head"},
    ).get_json()
    # The proposer does not see it as received, nor can it accept it.
    received = client.get(
        "/api/v1/tenants/sx-taiyuan/users/proposals/received", headers=bearer("taiyuan-admin")
    )
    assert received.get_json() == []
    refused = client.post(
        f"/api/v1/tenants/sx-taiyuan/users/proposals/received/{proposal['id']}",
        headers=bearer("taiyuan-admin"),
        json={"accept": True},
    )
    assert refused.status_code == 404  # the proposer cannot accept its own proposal
    assert taiyuan.id not in _grant_tenants("urumqi-head")

    # The home tenant's admin sees it in the page and accepts it there.
    login(client, "xj-urumqi", "urumqi-admin")
    page = client.get("/xj-urumqi/admin/users/").get_data(as_text=True)
    assert "太原市" in page and "urumqi-head" in page
    resp = client.post(
        f"/xj-urumqi/admin/users/proposals/received/{proposal['id']}",
        data={"csrf_token": csrf_from(page), "reason": "同意借调", "accept": "1"},
    )
    assert resp.status_code == 302
    assert taiyuan.id in _grant_tenants("urumqi-head")
    made = client.get(
        "/api/v1/tenants/sx-taiyuan/users/proposals", headers=bearer("taiyuan-admin")
    ).get_json()
    assert [(p["status"], p["reason"]) for p in made] == [("accepted", "同意借调")]
    # Both tenants' audit logs have the decision.
    assert {e.tenant_id for e in _audit("role.proposal_accepted")} == {
        taiyuan.id,
        world["tenants"]["xj-urumqi"].id,
    }


# --- item 4: sessions end when the user says so ----------------------------------------------


def _session_cookie(client: Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return str(cookie.value)


def test_logout_invalidates_a_copied_session_cookie(app, client, world):
    assert login(client, "xj-urumqi", "urumqi-officer1").status_code == 302
    copied = _session_cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/xj-urumqi/").status_code == 200  # the copy works while logged in
    page = client.get("/xj-urumqi/").get_data(as_text=True)
    client.post("/xj-urumqi/logout", data={"csrf_token": csrf_from(page)})
    resp = thief.get("/xj-urumqi/")
    assert resp.status_code == 302 and "/xj-urumqi/login" in resp.headers["Location"]


def test_own_page_lists_and_revokes_sessions_and_tokens(app, client, world):
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, "xj-urumqi", "urumqi-officer1").status_code == 302
    assert login(phone, "xj-urumqi", "urumqi-officer1").status_code == 302
    headers = bearer("urumqi-officer1")
    page = laptop.get("/xj-urumqi/me/").get_data(as_text=True)
    assert "当前会话" in page and page.count("/end") == 1  # the other session, revocable
    sessions = client.get("/api/v1/me/sessions", headers=headers).get_json()
    assert len(sessions) == 2
    tokens = client.get("/api/v1/me/tokens", headers=headers).get_json()
    assert len(tokens) == 1
    other = next(s["id"] for s in sessions if f"/me/sessions/{s['id']}/end" in page)
    laptop.post(f"/xj-urumqi/me/sessions/{other}/end", data={"csrf_token": csrf_from(page)})
    assert phone.get("/xj-urumqi/").status_code == 302  # the phone is signed out
    assert laptop.get("/xj-urumqi/").status_code == 200
    laptop.post(
        f"/xj-urumqi/me/tokens/{tokens[0]['id']}/revoke", data={"csrf_token": csrf_from(page)}
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_password_change_and_deactivation_end_sessions(app, client, world):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "xj-urumqi", "urumqi-officer2")
    login(phone, "xj-urumqi", "urumqi-officer2")
    resp = post_form(
        laptop,
        "/xj-urumqi/me/",
        "/xj-urumqi/me/password",
        {"current_password": PASSWORD, "new_password": "Another-pass-2027"},
    )
    assert resp.status_code == 302
    assert phone.get("/xj-urumqi/").status_code == 302
    assert laptop.get("/xj-urumqi/").status_code == 200  # the one that changed it stays
    token = bearer("urumqi-officer2")
    officer = world["users"]["urumqi-officer2"]
    client.patch(
        f"/api/v1/tenants/xj-urumqi/users/{officer.id}",
        headers=bearer("urumqi-admin"),
        json={"active": False},
    )
    client.patch(
        f"/api/v1/tenants/xj-urumqi/users/{officer.id}",
        headers=bearer("urumqi-admin"),
        json={"active": True},
    )
    assert laptop.get("/xj-urumqi/").status_code == 302  # deactivation ended it for good
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_role_revocation_ends_sessions_at_that_tenant(app, client, world):
    login(client, "xj-urumqi", "urumqi-head")
    assert client.get("/xj-urumqi/").status_code == 200
    head = world["users"]["urumqi-head"]
    client.post(  # a second role, so that the head could still sign in
        "/api/v1/tenants/xj-urumqi/users/grants",
        headers=bearer("urumqi-admin"),
        json={"username": "urumqi-head", "role": "legal_reviewer"},
    )
    resp = app.test_client().delete(
        f"/api/v1/tenants/xj-urumqi/users/{head.id}/roles/agency_head",
        headers=bearer("urumqi-admin"),
    )
    assert resp.status_code == 204
    assert client.get("/xj-urumqi/").status_code == 302


def test_a_token_cannot_mint_tokens_that_outlive_it(client, world):
    root = bearer("urumqi-officer1")
    short = client.post(
        "/api/v1/me/tokens", headers=root, json={"name": "short", "expires_in_days": 1}
    ).get_json()
    short_h = {"Authorization": f"Bearer {short['token']}"}
    child = client.post(
        "/api/v1/me/tokens", headers=short_h, json={"name": "child", "expires_in_days": 365}
    ).get_json()
    assert child["expires_at"] <= short["expires_at"]
    forever = client.post("/api/v1/me/tokens", headers=short_h, json={"name": "x"}).get_json()
    assert forever["expires_at"] == short["expires_at"]
    child_h = {"Authorization": f"Bearer {child['token']}"}
    assert client.get("/api/v1/me", headers=child_h).status_code == 200
    assert client.delete(f"/api/v1/me/tokens/{short['id']}", headers=root).status_code == 204
    assert client.get("/api/v1/me", headers=child_h).status_code == 401  # revoked with it
    assert client.get("/api/v1/me", headers=root).status_code == 200


# --- item 5: the login throttle protects without locking out ---------------------------------


def test_attacker_cannot_lock_the_real_user_out_of_a_known_device(app, client, world, frozen):
    owner = app.test_client()
    assert login(owner, "xj-urumqi", "urumqi-officer1").status_code == 302  # the known device
    page = owner.get("/xj-urumqi/").get_data(as_text=True)
    owner.post("/xj-urumqi/logout", data={"csrf_token": csrf_from(page)})

    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for attempt in range(12):  # from another tenant's login page, too
        login(attacker, "sx-taiyuan", "urumqi-officer1", f"guess-{attempt}")
    assert login(attacker, "sx-taiyuan", "urumqi-officer1", "guess-x").status_code == 429
    assert login(owner, "xj-urumqi", "urumqi-officer1").status_code == 302  # gets straight in

    # A new device is slowed down, never locked: after the wait it is evaluated again.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    roaming = app.test_client()
    roaming.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    login(roaming, "xj-urumqi", "urumqi-officer1", "guess-from-a-new-address")
    resp = login(elsewhere, "xj-urumqi", "urumqi-officer1")
    assert resp.status_code == 429
    assert "秒后再试" in resp.get_data(as_text=True)
    wait = int(resp.headers["Retry-After"])
    frozen.advance(wait)
    assert login(elsewhere, "xj-urumqi", "urumqi-officer1").status_code == 302


def test_another_tenants_audit_log_does_not_say_the_password_was_right(client, world):
    taiyuan, urumqi = world["tenants"]["sx-taiyuan"], world["tenants"]["xj-urumqi"]
    assert login(client, "sx-taiyuan", "urumqi-officer1").status_code == 401
    login(client, "sx-taiyuan", "urumqi-officer2", "a-wrong-password")
    failed = [e for e in _audit("login.failed") if e.tenant_id == taiyuan.id]
    assert [(e.object_id, e.after["reason"]) for e in failed] == [
        ("urumqi-officer1", "refused"),
        ("urumqi-officer2", "refused"),
    ]
    told = _audit("login.refused_elsewhere")
    assert [(e.tenant_id, e.after["tenant"], e.after["reason"]) for e in told] == [
        (urumqi.id, "sx-taiyuan", "no_role_here")
    ]


def _parallel(n: int, fn: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        out[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def test_limiter_lets_exactly_the_limit_through_on_postgresql(pg_aut):
    key = f"test:{uuid.uuid4().hex}"

    def attempt(_i: int) -> bool:
        with pg_aut.app.app_context():
            return ratelimit.hit(key, 10, 3600, ratelimit.DatabaseBackend()).allowed

    assert sum(_parallel(30, attempt)) == 10


def test_limiter_lets_exactly_the_limit_through_on_redis(app):
    import redis

    client = redis.Redis.from_url(need_redis())
    prefix = f"test-{uuid.uuid4().hex}:"
    store = ratelimit.RedisBackend(client, prefix)
    try:
        assert sum(_parallel(30, lambda _i: ratelimit.hit("k", 10, 3600, store).allowed)) == 10
    finally:
        for name in client.scan_iter(f"{prefix}*"):
            client.delete(name)


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_thirty_parallel_logins_get_exactly_ten_evaluated(pg_aut, monkeypatch, backend):
    from tenant_app.auth import login as login_module

    from .helpers import seed_world

    seed_world()
    db.session.commit()
    extra: dict[str, Any] = {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 20, "pool_timeout": 60}
    }
    if backend == "redis":
        extra |= {"RATELIMIT_REDIS_URL": need_redis(), "RATELIMIT_PREFIX": f"t-{uuid.uuid4()}:"}
    app = build_app(pg_aut.app.config["DATABASE_URL"], **extra)
    evaluated = []
    real = login_module.verify_password
    lock = threading.Lock()

    def counting(stored: str | None, password: str) -> bool:
        with lock:
            evaluated.append(password)
        return real(stored, password)

    monkeypatch.setattr(login_module, "verify_password", counting)
    clients, tokens = [], []
    for _ in range(30):
        c = app.test_client()
        tokens.append(csrf_from(c.get("/xj-urumqi/login").get_data(as_text=True)))
        clients.append(c)

    def attempt(i: int) -> int:
        resp = clients[i].post(
            "/xj-urumqi/login",
            data={"username": "urumqi-head", "password": f"wrong-{i}", "csrf_token": tokens[i]},
        )
        return int(resp.status_code)

    try:
        statuses = _parallel(30, attempt)
    finally:
        with app.app_context():
            db.engine.dispose()
    assert len(evaluated) == 10
    assert sorted(statuses) == [401] * 10 + [429] * 20
