"""Append to and verify the per-tenant hash-chained audit log.

Every state change calls ``record`` inside its own transaction, so the entry commits or rolls
back with the change. Appends lock the tenant's chain head (SELECT … FOR UPDATE), so concurrent
writers queue instead of forking the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..extensions import db
from ..models import AuditEntry, AuditHead, Tenant
from ..tenancy.scope import Scope, current_scope, use_scope

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
) -> str:
    """Covers every column but the row id, so no field can be edited unseen."""
    body = json.dumps(
        [
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
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _actor() -> tuple[int | None, str, str]:
    if not has_request_context():
        return current_scope().user_id, "system", ""
    ip = request.remote_addr or ""
    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username, ip
    return None, "anonymous", ip


def start_chain(session: Session, tenant: Tenant) -> None:
    session.add(AuditHead(tenant_id=tenant.id, seq=0, hash=GENESIS))


def record(
    action: str,
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
    actor_id, actor_name, ip = _actor()
    head = session.execute(
        select(AuditHead).where(AuditHead.tenant_id == scope.tenant_id).with_for_update()
    ).scalar_one()
    at = utcnow()
    before, after = _plain(before), _plain(after)
    seq = head.seq + 1
    actor_name = actor or actor_name
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
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


def record_now(action: str, **kwargs: Any) -> None:
    """Write one entry in its own transaction: for refusals and failed logins, which must be
    kept even though the request's own work is rolled back."""
    with Session(db.engine) as own:
        record(action, session=own, **kwargs)
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


def _entries(tenant_id: int) -> Iterator[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.tenant_id == tenant_id)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=2000)
    )
    yield from db.session.execute(stmt).scalars()


def verify_tenant(tenant: Tenant) -> Break | None:
    with use_scope(Scope(tenant_id=None, read_ids=(tenant.id,))):
        prev, expected_seq = GENESIS, 1
        for e in _entries(tenant.id):
            if e.seq != expected_seq:
                return Break(tenant.slug, expected_seq, e.id, f"sequence gap: found seq {e.seq}")
            if e.prev_hash != prev:
                return Break(tenant.slug, e.seq, e.id, "prev_hash does not match the row before")
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
            )
            if digest != e.hash:
                return Break(tenant.slug, e.seq, e.id, "content does not match its hash (edited)")
            prev, expected_seq = e.hash, expected_seq + 1
        head = db.session.execute(
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
