"""``tenant-app tenants export``: one tenant's rows, files and references into one archive."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, Tenant
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import Scope, use_scope
from tenant_app.tenants.transfer.archive import (
    ArchiveWriter,
    FileEntry,
    Manifest,
    Reference,
    TableEntry,
    file_member,
    safe_relative,
    table_member,
)
from tenant_app.tenants.transfer.catalogue import (
    RowCodec,
    identity_column,
    moved_tables,
    row_filter,
    table_lines,
)
from tenant_app.tenants.transfer.errors import TransferRefused
from tenant_app.tenants.transfer.operator import (
    is_postgres,
    key_fingerprint,
    operator_session,
    schema_revision,
    scoped,
)

_FLUSH = 1 << 20
_CHUNK = 1000


@dataclass(frozen=True)
class ExportResult:
    path: Path
    tables: int
    rows: int
    files: int
    seconds: float


def export_tenant(
    ctx: Context,
    tenant: Tenant,
    dest: Path,
    *,
    with_descendants: bool = False,
    max_file_bytes: int = 20 * 1024**3,
) -> ExportResult:
    """Write ``tenant``'s own rows and uploaded files to ``dest``, read in one snapshot. Its
    sub-regions are tenants of their own and stay out unless ``with_descendants``. Audited in
    the parent's chain; the caller commits that entry."""
    require_action(ctx, Perm.TENANTS_MANAGE)
    if tenant.parent_id is None:
        raise TransferRefused("平台租户不能导出：它是每个数据库的根")
    if dest.exists():
        raise TransferRefused(f"{dest} 已存在：请换一个文件名")
    started = time.monotonic()
    partial = dest.with_name(dest.name + ".partial")
    writer = ArchiveWriter(partial)
    try:
        manifest = _write(writer, tenant, with_descendants, max_file_bytes)
    except BaseException:
        writer.abort()
        partial.unlink(missing_ok=True)
        raise
    partial.replace(dest)
    rows = sum(t.rows for t in manifest.tables)
    parent = db.session.get(Tenant, tenant.parent_id)
    assert parent is not None
    with use_scope(tenant_scope(parent)):
        audit.record(
            ctx,
            "tenant.exported",
            object_type="tenant",
            object_id=tenant.id,
            after={
                "slug": tenant.slug,
                "tenants": [t["slug"] for t in manifest.tenants],
                "rows": rows,
                "files": len(manifest.files),
            },
        )
        db.session.flush()
    return ExportResult(
        dest, len(manifest.tables), rows, len(manifest.files), time.monotonic() - started
    )


def _facts(t: Tenant) -> dict[str, object]:
    return {"id": t.id, "slug": t.slug, "path": t.path, "parent_id": t.parent_id, "name": t.name}


def _write(
    writer: ArchiveWriter, tenant: Tenant, with_descendants: bool, max_file_bytes: int
) -> Manifest:
    with operator_session() as session:
        ids = tuple(session.execute(select(Tenant.id).order_by(Tenant.id)).scalars())
        session.rollback()
        with scoped(session, Scope(tenant_id=None, read_ids=ids)):
            if is_postgres(session):  # every table from one snapshot
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            manifest = Manifest(
                revision=schema_revision(session),
                tenant=_facts(tenant),
                ancestors=_ancestors(session, tenant),
                exported_at=utcnow().isoformat(),
            )
            moved = [tenant]
            if with_descendants:
                moved += session.execute(
                    select(Tenant)
                    .where(Tenant.path.startswith(tenant.path), Tenant.id != tenant.id)
                    .order_by(Tenant.path)
                ).scalars()
            manifest.tenants = [_facts(t) for t in moved]
            ids = manifest.tenant_ids
            for table in moved_tables():
                manifest.tables.append(_write_table(session, writer, table, ids))
            manifest.references = _references(session, ids)
            manifest.audit_keys = _audit_keys(session, ids)
            manifest.files = _write_files(writer, ids, max_file_bytes)
            session.rollback()
    writer.finish(manifest)
    return manifest


def _ancestors(session: Session, tenant: Tenant) -> list[dict[str, object]]:
    rows = session.execute(
        select(Tenant.id, Tenant.slug, Tenant.path).where(Tenant.id.in_(tenant.ancestor_ids))
    ).all()
    return [
        {"id": r.id, "slug": r.slug, "path": r.path}
        for r in sorted(rows, key=lambda r: len(r.path))
    ]


def _write_table(
    session: Session, writer: ArchiveWriter, table: Table, ids: tuple[int, ...]
) -> TableEntry:
    digest, count, buffer = hashlib.sha256(), 0, bytearray()
    with writer.member(table_member(table.name)) as out:
        for line in table_lines(session, table, ids):
            data = line.encode() + b"\n"
            digest.update(data)
            buffer += data
            count += 1
            if len(buffer) >= _FLUSH:
                out.write(buffer)
                buffer.clear()
        out.write(buffer)
    return TableEntry(table.name, RowCodec(table).columns, count, digest.hexdigest())


def _references(session: Session, ids: tuple[int, ...]) -> list[Reference]:
    """Rows outside the archive that its rows point at (accounts and tenants of other regions,
    catalogue rows): the import refuses unless each is in the target, the same row."""
    moved = {t.name: t for t in moved_tables()}
    found: dict[tuple[str, str], set[object]] = {}
    for table in moved.values():
        for fk in table.foreign_keys:
            column, target = fk.parent, fk.column
            stmt = select(column).distinct().where(row_filter(table, ids), column.isnot(None))
            if target.table.name in moved:
                inside = select(target).where(row_filter(moved[target.table.name], ids))
                stmt = stmt.where(column.not_in(inside))
            hits = session.execute(stmt.execution_options(all_tenants=True)).scalars()
            found.setdefault((target.table.name, target.name), set()).update(hits)
    out: list[Reference] = []
    for (table_name, column_name), values in sorted(found.items()):
        table = db.metadata.tables[table_name]
        ident = identity_column(table)
        ordered = sorted(values, key=str)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            known: dict[object, object] = {}
            if ident is not None:
                key = table.c[column_name]
                known = dict(
                    session.execute(
                        select(key, ident).where(key.in_(chunk)).execution_options(all_tenants=True)
                    )
                    .tuples()
                    .all()
                )
            out.extend(
                Reference(
                    table_name,
                    column_name,
                    v,
                    ident.name if ident is not None else None,
                    known.get(v),
                )
                for v in chunk
            )
    return out


def _audit_keys(session: Session, ids: tuple[int, ...]) -> dict[str, str]:
    versions = session.execute(
        select(AuditEntry.key_version)
        .distinct()
        .where(AuditEntry.tenant_id.in_(ids), AuditEntry.key_version > 0)
    ).scalars()
    out: dict[str, str] = {}
    for v in versions:
        fingerprint = key_fingerprint(v)
        if fingerprint is None:
            raise TransferRefused(f"本部署没有审计密钥第 {v} 版，无法导出可校验的审计链")
        out[str(v)] = fingerprint
    return out


def _write_files(writer: ArchiveWriter, ids: tuple[int, ...], max_bytes: int) -> list[FileEntry]:
    """Every file under UPLOAD_DIR/<area>/<tenant id>/ (the one upload store's layout)."""
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    if not root.is_dir():
        return []
    entries: list[FileEntry] = []
    total = 0
    folders = [area / str(i) for area in sorted(root.iterdir()) for i in ids]
    for folder in folders:
        if folder.parent.is_symlink() or not folder.is_dir() or folder.is_symlink():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            relative = safe_relative(path.relative_to(root).as_posix())
            total += path.stat().st_size
            if total > max_bytes:
                raise TransferRefused(
                    f"该租户的上传文件合计超过 {max_bytes // 1024**2} MB：用 --max-files-mb 放宽"
                )
            digest, size = hashlib.sha256(), 0
            with path.open("rb") as src, writer.member(file_member(relative)) as out:
                while chunk := src.read(_FLUSH):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            entries.append(FileEntry(relative, size, digest.hexdigest()))
    return entries
