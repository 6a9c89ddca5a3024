"""Issue 12, item 6: an audit chain the database owner cannot rewrite quietly.

The owner can edit rows and recompute hashes (plain SHA-256 is all they can compute: the HMAC
key is not in the database), or cut the chain short and rewind the head; `audit verify` catches
the first, the signed checkpoints kept outside the database catch both. Anonymous refusals are
tallied into one entry an hour instead of one row each."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from tenant_app import clock
from tenant_app.audit import log as audit
from tenant_app.config import normalise_db_url
from tenant_app.extensions import db
from tenant_app.jobs import maintenance
from tenant_app.models import AuditEntry, AuditHead
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from .conftest import GENESIS
from .helpers import login, tenant


def _cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["audit", *args])


def _checkpoint_dir(app: Any) -> Path:
    return Path(app.config["AUDIT_CHECKPOINT_DIR"])


def _entries(tenant_id: int) -> list[AuditEntry]:
    with use_scope(system_scope()):
        rows = list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
            ).scalars()
        )
        db.session.expunge_all()
    return rows


def _owner_rewrite(aut: Any, tenant_id: int, edit_seq: int, keep: int | None = None) -> None:
    """What the owner can do without the key: edit (or drop) rows, recompute every hash as plain
    SHA-256 (key version 0, 'written before the key'), rewind the head to the new end."""
    rows = _entries(tenant_id)
    if keep is not None:
        rows = rows[:keep]
    engine = create_engine(normalise_db_url(aut.owner_url))
    with engine.begin() as conn:
        if keep is not None:
            conn.execute(
                text("delete from audit_log where tenant_id = :t and seq > :s"),
                {"t": tenant_id, "s": keep},
            )
        prev = GENESIS
        for e in rows:
            name = "someone else" if e.seq == edit_seq else e.actor_name
            digest = audit.entry_hash(
                prev, e.tenant_id, e.seq, e.at, e.actor_id, name, e.action,
                e.object_type, e.object_id, e.before, e.after, e.ip,
            )  # fmt: skip
            conn.execute(
                text(
                    "update audit_log set actor_name = :n, prev_hash = :p, hash = :h,"
                    " key_version = 0 where id = :id"
                ),
                {"n": name, "p": prev, "h": digest, "id": e.id},
            )
            prev = digest
        conn.execute(
            text("update audit_heads set seq = :s, hash = :h where tenant_id = :t"),
            {"s": rows[-1].seq, "h": prev, "t": tenant_id},
        )
    engine.dispose()


def test_entries_are_keyed_and_a_recomputed_row_is_caught_without_checkpoints(aut, app, world):
    t = tenant("xj-urumqi")
    rows = _entries(t.id)
    assert rows and all(e.key_version == 1 for e in rows)
    victim = rows[2]
    engine = create_engine(normalise_db_url(aut.owner_url))
    with engine.begin() as conn:  # edit one row, recompute the rest as plain SHA-256, keep v1
        prev = victim.prev_hash
        for e in rows[2:]:
            name = "someone else" if e.id == victim.id else e.actor_name
            digest = audit.entry_hash(
                prev, e.tenant_id, e.seq, e.at, e.actor_id, name, e.action,
                e.object_type, e.object_id, e.before, e.after, e.ip,
            )  # fmt: skip
            conn.execute(
                text(
                    "update audit_log set actor_name = :n, prev_hash = :p, hash = :h where id = :i"
                ),
                {"n": name, "p": prev, "h": digest, "i": e.id},
            )
            prev = digest
        conn.execute(
            text("update audit_heads set hash = :h where tenant_id = :t"), {"h": prev, "t": t.id}
        )
    engine.dispose()
    result = _cli(app, "verify")
    assert result.exit_code == 1
    assert f"tenant xj-urumqi: seq {victim.seq}" in result.output


def test_rewritten_and_recomputed_chain_fails_verify_with_checkpoints(aut, app, world):
    assert _cli(app, "checkpoint").exit_code == 0
    folder = str(_checkpoint_dir(app))
    assert _cli(app, "verify", "--checkpoints", folder).exit_code == 0
    t = tenant("xj-urumqi")
    _owner_rewrite(aut, t.id, edit_seq=2)
    result = _cli(app, "verify", "--checkpoints", folder)
    assert result.exit_code == 1, result.output
    assert "tenant xj-urumqi" in result.output and "rewritten" in result.output


def test_truncated_chain_fails_verify_with_checkpoints(aut, app, world):
    t = tenant("xj-urumqi")
    n = len(_entries(t.id))
    assert _cli(app, "checkpoint").exit_code == 0
    engine = create_engine(normalise_db_url(aut.owner_url))
    with engine.begin() as conn:  # drop the last three rows and rewind the head to the new end
        last = conn.execute(
            text("select seq, hash from audit_log where tenant_id = :t and seq = :s"),
            {"t": t.id, "s": n - 3},
        ).one()
        conn.execute(
            text("delete from audit_log where tenant_id = :t and seq > :s"), {"t": t.id, "s": n - 3}
        )
        conn.execute(
            text("update audit_heads set seq = :s, hash = :h where tenant_id = :t"),
            {"s": last.seq, "h": last.hash, "t": t.id},
        )
    engine.dispose()
    assert _cli(app, "verify").exit_code == 0  # the chain alone looks whole
    result = _cli(app, "verify", "--checkpoints", str(_checkpoint_dir(app)))
    assert result.exit_code == 1, result.output
    assert "truncated: the checkpoint of" in result.output
    assert f"saw seq {n}, the chain now ends at {n - 3}" in result.output


def test_a_forged_checkpoint_is_refused(aut, app, world):
    assert _cli(app, "checkpoint").exit_code == 0
    path = _checkpoint_dir(app) / f"tenant-{tenant('xj-urumqi').id}.jsonl"
    path.write_text(path.read_text().replace('"seq": ', '"seq": 1').replace("\n", "\n", 1))
    result = _cli(app, "verify", "--checkpoints", str(_checkpoint_dir(app)))
    assert result.exit_code == 1 and "bad signature" in result.output


def test_daily_job_writes_a_checkpoint_file_the_log_and_the_public_page(app, world, caplog):
    caplog.set_level("INFO", logger="tenant_app.audit.checkpoint")
    maintenance.schedule_periodic()  # in-process, eager: the per-tenant jobs run now
    t = tenant("xj-urumqi")
    with use_scope(system_scope()):
        head = db.session.execute(select(AuditHead).where(AuditHead.tenant_id == t.id)).scalar_one()
        seq, digest = head.seq, head.hash
    lines = (_checkpoint_dir(app) / f"tenant-{t.id}.jsonl").read_text().splitlines()
    assert lines and f'"hash": "{digest}"' in lines[-1] and f'"seq": {seq}' in lines[-1]
    assert any(digest in r.getMessage() for r in caplog.records)
    page = app.test_client().get("/xj-urumqi/public/positive-list/").get_data(as_text=True)
    assert digest in page and "审计日志检查点" in page


def test_anonymous_failed_logins_are_aggregated_not_one_row_each(app, client, world, monkeypatch):
    t = tenant("xj-urumqi")
    before = len(_entries(t.id))
    for n in range(30):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"10.9.0.{n % 3}"
        assert login(other, "xj-urumqi", f"no-such-user-{n}", "wrong-password-1").status_code in (
            401,
            429,
        )
    assert len(_entries(t.id)) == before  # nothing in the chain yet: counted in the tally
    later = clock.utcnow() + timedelta(hours=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    other = app.test_client()
    login(other, "xj-urumqi", "no-such-user-again", "wrong-password-1")
    added = _entries(t.id)[before:]
    assert [e.action for e in added] == ["audit.refusals_aggregated"] * len(added)
    total = sum(e.after["count"] for e in added)
    assert total == 30
    assert sum(e.after["addresses"]["10.9.0.1"] for e in added) == 10
    assert _cli(app, "verify").exit_code == 0


def test_upgrade_from_0005_keeps_an_existing_chain_verifiable(aut):
    """A database at 0005 with unkeyed entries upgrades; old entries verify as version 0 and the
    next entry is keyed, chained onto them."""
    import tempfile

    from flask_migrate import upgrade

    from tenant_app.models import Tenant
    from tenant_app.tenancy.resolve import tenant_scope

    from . import pg
    from .conftest import build_app
    from .services import PG_ADMIN_URL

    if aut.is_postgres:
        owner_url, app_url = pg.fresh_database(PG_ADMIN_URL, f"t_upgrade_{pg.worker_suffix()}")
        app = build_app(app_url, owner_url)
    else:
        owner_url = f"sqlite:///{tempfile.mkdtemp()}/upgrade.sqlite3"
        app = build_app(owner_url)
    with app.app_context():
        upgrade(revision="0005")
        engine = create_engine(normalise_db_url(owner_url))
        at = clock.utcnow()
        prev = GENESIS
        with engine.begin() as conn:
            for seq in (1, 2, 3):
                digest = audit.entry_hash(
                    prev, 1, seq, at, None, "system", "legacy.event", "", str(seq), None, {"n": seq}, ""
                )  # fmt: skip
                conn.execute(
                    text(
                        "insert into audit_log (tenant_id, seq, at, actor_id, actor_name, action,"
                        " object_type, object_id, before, after, ip, prev_hash, hash) values"
                        " (1, :s, :at, null, 'system', 'legacy.event', '', :o, null, :a, '', :p, :h)"
                    ),
                    {
                        "s": seq,
                        "at": at,
                        "o": str(seq),
                        "a": f'{{"n": {seq}}}',
                        "p": prev,
                        "h": digest,
                    },
                )
                prev = digest
            conn.execute(
                text("update audit_heads set seq = 3, hash = :h where tenant_id = 1"), {"h": prev}
            )
        engine.dispose()
        upgrade(revision="heads")
        platform = db.session.get(Tenant, 1)
        assert platform is not None
        with use_scope(system_scope()):
            assert audit.verify_tenant(platform) is None
        with use_scope(tenant_scope(platform)):
            entry = audit.record(scope_context(), "after.upgrade")
            db.session.commit()
            assert entry.key_version == 1 and entry.prev_hash == prev
        with use_scope(system_scope()):
            assert audit.verify_tenant(platform) is None
            versions = [e.key_version for e in _entries(1)]
        assert versions == [0, 0, 0, 1]
        db.session.remove()
        db.engine.dispose()
    if aut.is_postgres:
        pg.drop_database(PG_ADMIN_URL, f"t_upgrade_{pg.worker_suffix()}")


def test_production_needs_an_audit_key_and_a_private_key_file(aut, tmp_path):
    import pytest

    from tenant_app import create_app
    from tenant_app.config import ConfigError

    secret = "k7Qp2Xw9Lm4Rt8Zv1Bn6Hs3Jd5Fg0YaE4cU"  # random-looking, over 32 characters
    base = {"ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": "sqlite://"}
    with pytest.raises(ConfigError, match="AUDIT_KEY"):
        create_app(dict(base), environ={})
    key_file = tmp_path / "audit.key"
    key_file.write_text("1:an-old-audit-key-123\n2:the-current-audit-key-456\n")
    key_file.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by other users"):
        create_app({**base, "AUDIT_KEY_FILE": str(key_file)}, environ={})
    key_file.chmod(0o400)
    prod = create_app({**base, "AUDIT_KEY_FILE": str(key_file)}, environ={})
    assert sorted(prod.config["AUDIT_KEYS"]) == [1, 2]


def test_rotated_key_writes_with_the_newest_and_still_verifies_the_old(aut, app, world):
    from tenant_app.tenancy.resolve import tenant_scope

    t = tenant("xj-urumqi")
    old_keys = dict(app.config["AUDIT_KEYS"])
    app.config["AUDIT_KEYS"] = {**old_keys, 2: b"the-next-audit-key-0002"}
    try:
        with use_scope(tenant_scope(t)):
            entry = audit.record(scope_context(), "after.rotation")
            db.session.commit()
            assert entry.key_version == 2
        assert _cli(app, "verify").exit_code == 0
        app.config["AUDIT_KEYS"] = {2: b"the-next-audit-key-0002"}  # version 1 dropped: named
        result = _cli(app, "verify")
        assert result.exit_code == 1 and "unknown audit key version 1" in result.output
    finally:
        app.config["AUDIT_KEYS"] = old_keys
