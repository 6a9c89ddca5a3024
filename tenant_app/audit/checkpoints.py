"""Signed checkpoints of each tenant's audit chain head, kept outside the database.

A checkpoint is ``{tenant, seq, hash, at, key_version}`` signed with HMAC-SHA256 under the audit
key (domain-separated from the chain's own HMAC). The daily job appends one line per tenant to
``AUDIT_CHECKPOINT_DIR/tenant-<id>.jsonl``, writes it to the application log and the tenant's
public page shows the latest. ``tenant-app audit verify --checkpoints DIR`` then notices what the
chain alone cannot: a chain cut short with its head rewound, or a chain rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from tenant_app.audit.log import GENESIS, Break, keyring, signing_key
from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, AuditHead, Tenant
from tenant_app.tenancy.scope import Scope, use_scope

log = logging.getLogger("tenant_app.audit.checkpoint")
_DOMAIN = b"tenant-app audit checkpoint v1\0"


@dataclass(frozen=True)
class Checkpoint:
    tenant_id: int
    tenant_slug: str
    seq: int
    hash: str
    at: str  # ISO timestamp, UTC
    key_version: int
    signature: str = ""

    def payload(self) -> bytes:
        fields = asdict(self)
        fields.pop("signature")
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def signed(self, key: bytes) -> str:
        return hmac.new(key, _DOMAIN + self.payload(), hashlib.sha256).hexdigest()

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)


def checkpoint_dir() -> Path:
    return Path(current_app.config["AUDIT_CHECKPOINT_DIR"])


def _file(directory: Path, tenant_id: int) -> Path:
    return directory / f"tenant-{tenant_id}.jsonl"


def _parse(line: str) -> Checkpoint | None:
    try:
        data: dict[str, Any] = json.loads(line)
        return Checkpoint(
            tenant_id=int(data["tenant_id"]),
            tenant_slug=str(data["tenant_slug"]),
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=str(data["at"]),
            key_version=int(data["key_version"]),
            signature=str(data["signature"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def latest(tenant: Tenant, directory: Path | None = None) -> Checkpoint | None:
    """The newest checkpoint of the tenant (read from the file, never from the database)."""
    path = _file(directory or checkpoint_dir(), tenant.id)
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4096))
            tail = fh.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(tail):
        if (cp := _parse(line)) is not None:
            return cp
    return None


def write(tenant: Tenant, directory: Path | None = None) -> Checkpoint:
    """Sign the tenant's committed head and append it to its file and to the log. Idempotent:
    a head already checkpointed the same day is not written again."""
    directory = directory or checkpoint_dir()
    with use_scope(Scope(tenant_id=None, read_ids=(tenant.id,))):
        head = db.session.execute(
            select(AuditHead.seq, AuditHead.hash).where(AuditHead.tenant_id == tenant.id)
        ).one()
        db.session.rollback()  # a read-only look: release the snapshot
    version, key = signing_key()
    now = utcnow()
    cp = Checkpoint(
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        seq=head.seq,
        hash=head.hash,
        at=now.isoformat(timespec="seconds"),
        key_version=version,
    )
    cp = Checkpoint(**{**asdict(cp), "signature": cp.signed(key)})
    previous = latest(tenant, directory)
    if (
        previous is not None
        and (previous.seq, previous.hash) == (cp.seq, cp.hash)
        and previous.at[:10] == cp.at[:10]
    ):
        return previous
    directory.mkdir(parents=True, exist_ok=True, mode=0o750)
    with _file(directory, tenant.id).open("a", encoding="utf-8") as fh:
        fh.write(cp.line() + "\n")
    log.info("audit checkpoint %s", cp.line())
    return cp


def verify(directory: Path) -> list[Break]:
    """Compare every checkpoint in ``directory`` with the database's chains."""
    keys = keyring()
    breaks: list[Break] = []
    for path in sorted(directory.glob("tenant-*.jsonl")):
        points: list[Checkpoint] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            cp = _parse(line)
            if cp is None:
                breaks.append(Break(path.name, 0, None, f"line {n} is not a checkpoint"))
                continue
            key = keys.get(cp.key_version)
            if key is None:
                breaks.append(
                    Break(cp.tenant_slug, cp.seq, None, f"unknown key version {cp.key_version}")
                )
            elif not hmac.compare_digest(cp.signed(key), cp.signature):
                breaks.append(
                    Break(cp.tenant_slug, cp.seq, None, f"checkpoint of {cp.at}: bad signature")
                )
            else:
                points.append(cp)
        if points:
            breaks.extend(_against_chain(points))
    return breaks


def _against_chain(points: list[Checkpoint]) -> list[Break]:
    tenant_id = points[0].tenant_id
    tenant = db.session.get(Tenant, tenant_id)
    slug = tenant.slug if tenant else points[0].tenant_slug
    if tenant is None:
        return [Break(slug, points[-1].seq, None, "tenant missing but checkpointed")]
    out: list[Break] = []
    with use_scope(Scope(tenant_id=None, read_ids=(tenant_id,))):
        seqs = sorted({p.seq for p in points if p.seq > 0})
        found = dict(
            db.session.execute(
                select(AuditEntry.seq, AuditEntry.hash).where(
                    AuditEntry.tenant_id == tenant_id, AuditEntry.seq.in_(seqs)
                )
            ).all()
        )
        head = db.session.execute(
            select(AuditHead.seq).where(AuditHead.tenant_id == tenant_id)
        ).scalar_one_or_none()
    for cp in points:
        have = GENESIS if cp.seq == 0 else found.get(cp.seq)
        if have is None:
            out.append(
                Break(
                    slug,
                    cp.seq,
                    None,
                    f"truncated: the checkpoint of {cp.at} saw seq {cp.seq},"
                    f" the chain now ends at {head if head is not None else 0}",
                )
            )
        elif not hmac.compare_digest(have, cp.hash):
            out.append(
                Break(
                    slug,
                    cp.seq,
                    None,
                    f"rewritten: the hash at seq {cp.seq} differs from the checkpoint of {cp.at}",
                )
            )
    return out
