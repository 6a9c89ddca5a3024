"""The audit log: every change leaves a hash-chained entry; tampering is named by `audit verify`."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tenant_app.config import normalise_db_url
from tenant_app.extensions import db
from tenant_app.models import AuditEntry
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import login, post_form, tenant


def _owner_sql(aut, sql: str, **params) -> None:
    engine = create_engine(normalise_db_url(aut.owner_url))
    with engine.begin() as conn:
        conn.execute(text(sql), params)
    engine.dispose()


def _entries(slug: str) -> list[AuditEntry]:
    t = tenant(slug)
    with use_scope(system_scope()):
        rows = (
            db.session.query(AuditEntry)
            .filter(AuditEntry.tenant_id == t.id)
            .order_by(AuditEntry.seq)
            .all()
        )
        db.session.expunge_all()
    return rows


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_intact_log_verifies(app, world):
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_edited_row_is_named(aut, app, world):
    victim = _entries("xj-urumqi")[2]
    _owner_sql(aut, "update audit_log set actor_name = 'someone else' where id = :id", id=victim.id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"seq {victim.seq} (row id {victim.id})" in result.output
    assert "edited" in result.output


def test_deleted_row_is_named(aut, app, world):
    rows = _entries("xj-urumqi")
    _owner_sql(aut, "delete from audit_log where id = :id", id=rows[1].id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"row id {rows[2].id}" in result.output and "sequence gap" in result.output


def test_deleted_last_row_is_caught_by_the_head(aut, app, world):
    rows = _entries("xj-urumqi")
    _owner_sql(aut, "delete from audit_log where id = :id", id=rows[-1].id)
    result = _verify(app)
    assert result.exit_code == 1
    assert "rows deleted" in result.output


def test_rows_inserted_out_of_order_are_caught(aut, app, world):
    rows = _entries("xj-urumqi")
    first, second = rows[0], rows[1]
    # Swap the content of two rows while keeping their sequence numbers: order was forged.
    _owner_sql(aut, "update audit_log set seq = -1 where id = :id", id=first.id)
    _owner_sql(aut, "update audit_log set seq = :s where id = :id", s=first.seq, id=second.id)
    _owner_sql(aut, "update audit_log set seq = :s where id = :id", s=second.seq, id=first.id)
    result = _verify(app)
    assert result.exit_code == 1
    assert "tenant xj-urumqi: seq 1" in result.output


def test_user_creation_through_the_page_is_audited_with_who_and_where(client, world):
    login(client, "xj-urumqi", "urumqi-admin")
    resp = post_form(
        client,
        "/xj-urumqi/admin/users/new",
        "/xj-urumqi/admin/users/new",
        {
            "username": "urumqi-officer9",
            "display_name": "马执法",
            "password": "Strong-pass-2026",
            "roles": ["officer"],
            "certificate_no": "65010020269999",
        },
    )
    assert resp.status_code == 302
    last = _entries("xj-urumqi")[-1]
    assert last.action == "user.created"
    assert last.actor_name == "urumqi-admin"
    assert last.ip == "127.0.0.1"
    assert last.after["roles"] == ["officer"] and last.after["certificate_no"] == "65010020269999"
    assert last.at.tzinfo is not None
