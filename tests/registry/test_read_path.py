"""Issue 13 item 1: the API read path is lean. A list or detail read costs a small, fixed number
of SQL statements whatever the page size: related names come with the query, the tenant and the
user's roles come from the per-process cache, and a read writes nothing (the token's use is
recorded at most once per interval)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from tenant_app import clock
from tenant_app.extensions import db

from ..helpers import bearer
from .factory import make_enterprise

API = "/api/v1/tenants/xj-urumqi/enterprises"


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_list_and_detail_cost_few_statements_flat_in_page_size(client, world):
    for n in range(1, 31):
        make_enterprise("xj-urumqi", n, industry_code="C2614" if n % 2 else "C3011")
    headers = bearer("urumqi-officer1")
    client.get(API, query_string={"limit": 1}, headers=headers)  # warm the caches
    counts = {}
    for limit in (1, 5, 30):
        with statements() as seen:
            body = client.get(API, query_string={"limit": limit}, headers=headers).get_json()
        assert len(body["items"]) == limit
        assert all(item["industry_name"] for item in body["items"])
        counts[limit] = seen
    print({k: len(v) for k, v in counts.items()})
    for s in counts[30]:
        print(s[:150].replace("\n", " "))
    assert len(counts[1]) == len(counts[5]) == len(counts[30])


def test_a_revoked_role_is_gone_on_the_next_request_despite_the_cache(client, world):
    """The roles cache is keyed by users.auth_version, bumped by the revocation's transaction."""
    from tenant_app.accounts import users as user_service
    from tenant_app.tenancy.acting import scope_context
    from tenant_app.tenancy.resolve import system_scope
    from tenant_app.tenancy.scope import use_scope

    from ..helpers import tenant

    headers = bearer("urumqi-officer1")
    assert client.get(API, headers=headers).status_code == 200  # roles now cached
    assert client.get(API, headers=headers).status_code == 200
    t = tenant("xj-urumqi")
    with use_scope(system_scope(t.id)):
        officer = user_service.user_by_username("urumqi-officer1")
        user_service.revoke_role(scope_context(), tenant=t, user=officer, role="officer")
        db.session.commit()
    assert client.get(API, headers=headers).status_code == 403


@pytest.mark.date_sensitive
def test_a_token_read_writes_nothing_within_the_interval(client, world, travel):
    """last_used_at is recorded at most every 5 minutes (auth/tokens.LAST_USED_EVERY)."""
    headers = bearer("urumqi-officer1")
    client.get(API, headers=headers)  # the first use is recorded
    with statements() as seen:
        client.get(API, headers=headers)
    assert not [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    travel(clock.now() + timedelta(minutes=6))
    with statements() as seen:
        client.get(API, headers=headers)
    assert [s for s in seen if "UPDATE api_tokens" in s]


def test_the_compiled_dump_is_the_schemas_dump(world):
    """api/fast_dump.py answers the list; it must say exactly what the schema says, None and
    dates and lists included."""
    from sqlalchemy import select

    from tenant_app.api.fast_dump import dump_many
    from tenant_app.models import Enterprise
    from tenant_app.registry.api.schemas import EnterpriseSchema
    from tenant_app.registry.services import enterprise_search
    from tenant_app.tenancy.resolve import tenant_scope
    from tenant_app.tenancy.scope import use_scope

    from ..helpers import tenant

    make_enterprise("xj-urumqi", 1, key_discharger=True, tags=["heavy_metal_tailings_pond"])
    make_enterprise("xj-urumqi", 2, industry_code="")
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        rows = list(db.session.execute(select(Enterprise)).scalars())
        fast = dump_many(EnterpriseSchema, rows)
        assert fast == EnterpriseSchema(many=True).dump(rows)
        # the API list dumps plain rows (search_rows): the same output as from the entities
        plain = enterprise_search.search_rows(enterprise_search.Filters()).items
        assert dump_many(EnterpriseSchema, plain) == fast
    assert any(item["industry_name"] is None for item in fast)
    assert any(item["industry_name"] for item in fast)


def _token_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM api_tokens" in s]


def test_a_known_token_is_read_with_the_scope_in_one_statement(client, world):
    """On PostgreSQL a token this process has seen is read by the statement that sets the
    request's scope (auth/api.py _bind_known_token): one round trip fewer, and the row still
    decides. On SQLite there is no scope statement; the token has its own."""
    make_enterprise("xj-urumqi", 1)
    headers = bearer("urumqi-officer1")
    assert client.get(API, headers=headers).status_code == 200  # seen; roles cached
    with statements() as seen:
        body = client.get(API, headers=headers).get_json()
    assert len(body["items"]) == 1
    reads = _token_reads(seen)
    assert len(reads) == 1
    if db.engine.dialect.name == "postgresql":
        assert "set_config" in reads[0]
        assert len(seen) == 2  # the scope with the token, then the page


@pytest.mark.parametrize("change", ["revoked", "deactivated", "expired"])
def test_a_known_token_revoked_or_its_user_deactivated_elsewhere_is_refused_at_once(
    client, world, change
):
    """The change is made in the database directly, as another process would: this process's
    memory of the token only guesses the scope; the row read with it refuses the request and
    nothing of the tenant is answered."""
    from sqlalchemy import text

    make_enterprise("xj-urumqi", 1)
    headers = bearer("urumqi-officer1")
    assert client.get(API, headers=headers).status_code == 200
    assert client.get(API, headers=headers).status_code == 200
    sql = {
        "revoked": "update api_tokens set revoked_at = '2020-01-01'",
        "deactivated": "update users set active = false where username = 'urumqi-officer1'",
        "expired": "update api_tokens set expires_at = '2020-01-01'",
    }[change]
    with db.engine.begin() as conn:
        conn.execute(text(sql))
    resp = client.get(API, headers=headers)
    assert resp.status_code == 401
    assert "items" not in (resp.get_json() or {})


def test_a_tokens_first_use_is_committed_even_when_its_user_is_already_in_the_session(app, world):
    """The use is marked, not read back from ``session.dirty``: with the user already in the
    session (expired), reading it flushed the token's UPDATE early, the mark was lost and the
    request kept an uncommitted write (on SQLite, a lock every other writer waited on)."""
    from sqlalchemy import select

    from tenant_app.auth import tokens
    from tenant_app.models import User

    from ..helpers import token_for

    raw = token_for("urumqi-officer1")
    db.session.remove()
    with app.test_request_context("/"):
        user = db.session.execute(
            select(User).where(User.username == "urumqi-officer1")
        ).scalar_one()
        db.session.expire(user)
        token = tokens.token_for(raw)
        assert token is not None and token.user is user
        assert tokens.needs_use_recorded(token)
        db.session.commit()
        assert not tokens.needs_use_recorded(token)
