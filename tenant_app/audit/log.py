"""Append to and verify the per-tenant hash-chained audit log.

Every state change calls ``record`` inside its own transaction, so the entry commits or rolls
back with the change. Appends lock the tenant's chain head (SELECT … FOR UPDATE), so concurrent
writers queue instead of forking the chain.

Entries are keyed: each hash is HMAC-SHA256 under ``AUDIT_KEY`` (a secret the database does not
hold), so the database owner cannot rewrite a row and recompute the chain. Entries written before
the key existed keep ``key_version = 0`` (plain SHA-256) and are protected by the first keyed entry
after them and by the checkpoints (audit/checkpoints.py). docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenant_app import clock
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, AuditHead, AuditRefusalTally, Tenant
from tenant_app.tenancy.scope import Scope, current_scope, use_scope

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """JSON-native copy, so the stored value hashes the same after a round trip."""
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def entry_hash(
    prev_hash: str,
    tenant_id: int,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    ip: str,
    key_version: int = 0,
    key: bytes | None = None,
) -> str:
    """Covers every column but the row id, so no field can be edited unseen. Version 0 is the
    unkeyed SHA-256 of entries written before the key existed; a keyed entry also covers its
    key version, so it cannot be passed off as an unkeyed one."""
    fields: list[Any] = [
        tenant_id,
        seq,
        at.isoformat(timespec="microseconds"),
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        before,
        after,
        ip,
    ]
    if key_version:
        fields.append(key_version)
    body = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if not key_version:
        return hashlib.sha256((prev_hash + body).encode()).hexdigest()
    if key is None:
        raise ValueError(f"audit key version {key_version} needs its key")
    return hmac.new(key, (prev_hash + body).encode(), hashlib.sha256).hexdigest()


def keyring() -> dict[int, bytes]:
    keys: dict[int, bytes] = current_app.config["AUDIT_KEYS"]
    return keys


def signing_key() -> tuple[int, bytes]:
    """The newest key: new entries are written with it."""
    keys = keyring()
    version = max(keys)
    return version, keys[version]


def start_chain(session: Session, tenant: Tenant) -> None:
    session.add(AuditHead(tenant_id=tenant.id, seq=0, hash=GENESIS))


def record(
    ctx: Context,
    action: str,
    /,
    *,
    object_type: str = "",
    object_id: Any = "",
    before: Any = None,
    after: Any = None,
    session: Session | None = None,
    actor: str | None = None,
) -> AuditEntry:
    session = session or db.session()
    scope = current_scope()
    if scope.tenant_id is None:
        raise RuntimeError("audit.record needs a write tenant in scope")
    actor_id, actor_name, ip = ctx.actor.user_id, ctx.actor.username, ctx.address
    head = session.execute(
        select(AuditHead).where(AuditHead.tenant_id == scope.tenant_id).with_for_update()
    ).scalar_one()
    at = utcnow()
    before, after = _plain(before), _plain(after)
    seq = head.seq + 1
    actor_name = actor or actor_name
    key_version, key = signing_key()
    digest = entry_hash(
        head.hash,
        scope.tenant_id,
        seq,
        at,
        actor_id,
        actor_name,
        action,
        object_type,
        str(object_id),
        before,
        after,
        ip,
        key_version,
        key,
    )
    entry = AuditEntry(
        tenant_id=scope.tenant_id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        ip=ip,
        prev_hash=head.hash,
        hash=digest,
        key_version=key_version,
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


def record_now(ctx: Context, action: str, /, **kwargs: Any) -> None:
    """Write one entry in its own transaction: for refusals and failed logins, which must be
    kept even though the request's own work is rolled back."""
    with Session(db.engine) as own:
        record(ctx, action, session=own, **kwargs)
        own.commit()


@dataclass
class Break:
    tenant_slug: str
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"row id {self.entry_id}" if self.entry_id is not None else "chain end"
        return f"tenant {self.tenant_slug}: seq {self.seq} ({where}): {self.reason}"


def _entries(session: Session, tenant_id: int) -> Iterator[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.tenant_id == tenant_id)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=2000)
    )
    yield from session.execute(stmt).scalars()


def verify_tenant(tenant: Tenant, session: Session | None = None) -> Break | None:
    """``session``: another than the app's, e.g. a tenant import checking its own uncommitted
    rows (tenants/transfer); it must already hold a scope that reads the tenant."""
    session = session or db.session()
    keys = keyring()
    with use_scope(Scope(tenant_id=None, read_ids=(tenant.id,))):
        prev, expected_seq, keyed_seen = GENESIS, 1, 0
        for e in _entries(session, tenant.id):
            if e.seq != expected_seq:
                return Break(tenant.slug, expected_seq, e.id, f"sequence gap: found seq {e.seq}")
            if e.prev_hash != prev:
                return Break(tenant.slug, e.seq, e.id, "prev_hash does not match the row before")
            if e.key_version and e.key_version not in keys:
                return Break(tenant.slug, e.seq, e.id, f"unknown audit key version {e.key_version}")
            if e.key_version < keyed_seen:
                return Break(
                    tenant.slug, e.seq, e.id, "key version lower than the row before (downgraded)"
                )
            keyed_seen = e.key_version
            digest = entry_hash(
                e.prev_hash,
                e.tenant_id,
                e.seq,
                e.at,
                e.actor_id,
                e.actor_name,
                e.action,
                e.object_type,
                e.object_id,
                e.before,
                e.after,
                e.ip,
                e.key_version,
                keys.get(e.key_version),
            )
            if not hmac.compare_digest(digest, e.hash):
                return Break(tenant.slug, e.seq, e.id, "content does not match its hash (edited)")
            prev, expected_seq = e.hash, expected_seq + 1
        head = session.execute(
            select(AuditHead).where(AuditHead.tenant_id == tenant.id)
        ).scalar_one_or_none()
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
            return Break(
                tenant.slug,
                head.seq,
                None,
                f"chain ends at seq {expected_seq - 1} but its head says {head.seq} (rows deleted)",
            )
    return None


def verify_all() -> list[Break]:
    tenants = db.session.execute(select(Tenant).order_by(Tenant.id)).scalars().all()
    return [b for t in tenants if (b := verify_tenant(t)) is not None]


# Anonymous refused attempts (e.g. failed logins with unknown usernames) are tallied per tenant,
# action and hour; a closed hour becomes one ``audit.refusals_aggregated`` entry. A flood of
# guesses therefore costs one chain entry an hour, not one per attempt.
TALLY_WINDOW_SECONDS = 3600
TALLY_DETAIL_CAP = 50  # distinct addresses / names kept per window; the rest are counted as "…"


def window_start(at: datetime) -> datetime:
    start = int(at.timestamp()) // TALLY_WINDOW_SECONDS * TALLY_WINDOW_SECONDS
    return datetime.fromtimestamp(start, tz=at.tzinfo)


def _bump(counts: dict[str, int], key: str) -> dict[str, int]:
    counts = dict(counts)
    if key not in counts and len(counts) >= TALLY_DETAIL_CAP:
        key = "…"
    counts[key] = counts.get(key, 0) + 1
    return counts


def flush_tallies(ctx: Context, session: Session, tenant_id: int, before: datetime) -> int:
    """Turn the tenant's tallies of windows starting before ``before`` into aggregated entries.
    The caller holds the tenant's chain head lock (or takes it through ``record``)."""
    tallies = (
        session.execute(
            select(AuditRefusalTally)
            .where(
                AuditRefusalTally.tenant_id == tenant_id,
                AuditRefusalTally.window_start < before,
            )
            .order_by(AuditRefusalTally.window_start, AuditRefusalTally.action)
        )
        .scalars()
        .all()
    )
    for tally in tallies:
        end = tally.window_start.timestamp() + TALLY_WINDOW_SECONDS
        record(
            ctx,
            "audit.refusals_aggregated",
            object_type="refusals",
            object_id=tally.action,
            after={
                "action": tally.action,
                "window_start": tally.window_start.isoformat(),
                "window_end": datetime.fromtimestamp(end, tz=tally.window_start.tzinfo).isoformat(),
                "count": tally.count,
                **(tally.detail or {}),
            },
            session=session,
            actor="anonymous",
        )
        session.delete(tally)
    return len(tallies)


def record_anonymous(ctx: Context, action: str, *, name: str = "", reason: str = "") -> None:
    """Count one refused attempt by nobody we know, from the context's address, in its own
    transaction (like ``record_now``). The first attempt of a window also closes the tenant's
    earlier windows into the chain."""
    scope = current_scope()
    if scope.tenant_id is None:
        raise RuntimeError("audit.record_anonymous needs a write tenant in scope")
    window = window_start(clock.utcnow())
    with Session(db.engine) as own:
        # The head lock serialises tallies with appends, so two first attempts cannot race.
        own.execute(
            select(AuditHead.id).where(AuditHead.tenant_id == scope.tenant_id).with_for_update()
        ).scalar_one()
        tally = own.execute(
            select(AuditRefusalTally).where(
                AuditRefusalTally.tenant_id == scope.tenant_id,
                AuditRefusalTally.action == action,
                AuditRefusalTally.window_start == window,
            )
        ).scalar_one_or_none()
        if tally is None:
            flush_tallies(ctx, own, scope.tenant_id, before=window)
            tally = AuditRefusalTally(
                tenant_id=scope.tenant_id, action=action, window_start=window, count=0, detail={}
            )
            own.add(tally)
        detail = dict(tally.detail or {})
        detail["addresses"] = _bump(detail.get("addresses", {}), ctx.address or "?")
        if name:
            detail["names"] = _bump(detail.get("names", {}), name[:64])
        if reason:
            detail["reasons"] = _bump(detail.get("reasons", {}), reason)
        tally.detail, tally.count = detail, tally.count + 1
        own.commit()
