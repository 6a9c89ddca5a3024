"""``tenant-app tenants import``: one archive into this database, all or nothing.

Ids are kept (they come from per-table sequences of one deployment; a tenant moved between
databases keeps its ids, as a Citus shard move does), so an id the target already holds refuses
the whole import. Everything is one transaction on the operator's connection: the checks, the
rows, the sequences, the verification (row counts, SHA-256 per table, the audit chain) and the
``tenant.imported`` entry in the parent's chain. Files are placed before the commit and removed
again if it does not happen.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Table, exists, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.resolve import clear_caches
from tenant_app.tenancy.scope import Scope
from tenant_app.tenants.transfer.archive import ArchiveReader, Limits, Manifest, TableEntry
from tenant_app.tenants.transfer.catalogue import (
    RowCodec,
    moved_tables,
    order_of,
    row_filter,
    table_digest,
)
from tenant_app.tenants.transfer.errors import TransferRefused
from tenant_app.tenants.transfer.operator import (
    advance_sequence,
    is_postgres,
    key_fingerprint,
    operator_session,
    schema_revision,
    scoped,
)

_BATCH = 1000
_SHOWN = 20


@dataclass(frozen=True)
class ImportResult:
    slug: str
    tables: int
    rows: int
    files: int
    seconds: float


def import_tenant(ctx: Context, source: Path, *, limits: Limits | None = None) -> ImportResult:
    require_action(ctx, Perm.TENANTS_MANAGE)
    started = time.monotonic()
    with ArchiveReader(source, limits) as archive:
        manifest = archive.manifest
        tables = _tables(manifest)
        _check_audit_keys(manifest)
        placed: list[Path] = []
        with operator_session() as session:
            try:
                _load(ctx, session, archive, tables, placed)
                session.commit()
            except BaseException:
                session.rollback()
                for path in placed:
                    path.unlink(missing_ok=True)
                raise
    clear_caches()  # this process's tenant caches learn of the new tenant
    return ImportResult(
        manifest.tenant["slug"],
        len(manifest.tables),
        sum(t.rows for t in manifest.tables),
        len(manifest.files),
        time.monotonic() - started,
    )


def _load(
    ctx: Context,
    session: Session,
    archive: ArchiveReader,
    tables: dict[str, Table],
    placed: list[Path],
) -> None:
    manifest = archive.manifest
    moved = manifest.tenant_ids
    revision = schema_revision(session)
    if revision != manifest.revision:
        raise TransferRefused(
            f"归档来自数据库版本 {', '.join(manifest.revision)}，目标数据库是"
            f" {', '.join(revision) or '（未迁移）'}：先把两边迁移到同一版本（flask db upgrade）再导入"
        )
    ids = tuple(session.execute(select(Tenant.id)).scalars())
    session.rollback()
    read = Scope(tenant_id=None, read_ids=(*ids, *moved))
    with scoped(session, read):
        _check_tenants(session, manifest)
        _check_references(session, manifest)
        maxima: dict[str, int] = {}
        for entry in manifest.tables:
            _load_table(session, archive, tables[entry.name], entry, read, maxima)
        _check_dangling(session, tables, moved)
        _place_files(archive, moved, placed)
        if is_postgres(session):
            _bump_sequences(session, tables, maxima)
        _verify(session, manifest, tables)
    parent_id = int(manifest.ancestors[-1]["id"])
    with scoped(session, Scope(tenant_id=parent_id, read_ids=(parent_id,))):
        audit.record(
            ctx,
            "tenant.imported",
            object_type="tenant",
            object_id=manifest.tenant["id"],
            after={
                "slug": manifest.tenant["slug"],
                "tenants": [t["slug"] for t in manifest.tenants],
                "rows": sum(t.rows for t in manifest.tables),
                "files": len(manifest.files),
                "exported_at": manifest.exported_at,
            },
            session=session,
        )
        session.flush()


def _tables(manifest: Manifest) -> dict[str, Table]:
    """The archive holds exactly the tables this code moves, with the same columns."""
    known = {t.name: t for t in moved_tables()}
    named = [t.name for t in manifest.tables]
    unknown = sorted(set(named) - set(known))
    missing = sorted(set(known) - set(named))
    if unknown or missing or len(named) != len(set(named)):
        raise TransferRefused(
            "归档中的数据表与本程序版本不符："
            f"多出 {', '.join(unknown) or '无'}；缺少 {', '.join(missing) or '无'}"
        )
    for entry in manifest.tables:
        if entry.columns != RowCodec(known[entry.name]).columns:
            raise TransferRefused(f"归档中数据表 {entry.name} 的列与本数据库不同")
    order = [t.name for t in moved_tables()]
    if named != order:
        raise TransferRefused("归档中数据表的顺序不对（应按外键依赖排列）")
    return known


def _check_audit_keys(manifest: Manifest) -> None:
    for version, fingerprint in sorted(manifest.audit_keys.items()):
        if not version.isdigit() or key_fingerprint(int(version)) != fingerprint:
            raise TransferRefused(
                f"本部署没有归档审计链所用的审计密钥第 {version} 版（或内容不同）："
                "配置与导出方相同的 AUDIT_KEY / AUDIT_KEY_FILE 后再导入"
            )


def _check_tenants(session: Session, manifest: Manifest) -> None:
    t = manifest.tenant
    for m in manifest.tenants:
        clash = session.execute(
            select(Tenant.id, Tenant.slug).where(
                (Tenant.id == m["id"]) | (Tenant.slug == m["slug"])
            )
        ).first()
        if clash is not None:
            raise TransferRefused(
                f"目标数据库已有租户 {clash.slug}（id {clash.id}），与归档的租户 {m['slug']}"
                f"（id {m['id']}）冲突：未写入任何数据"
            )
        if not str(m["path"]).startswith(t["path"]):
            raise TransferRefused(f"归档中的租户 {m['slug']} 不在 {t['slug']} 之下")
    if not manifest.ancestors:
        raise TransferRefused("归档没有列出上级租户")
    for a in manifest.ancestors:
        row = session.execute(select(Tenant.slug, Tenant.path).where(Tenant.id == a["id"])).first()
        if row is None or row.slug != a["slug"] or row.path != a["path"]:
            raise TransferRefused(
                f"目标数据库缺少上级租户 {a['slug']}（id {a['id']}，路径 {a['path']}）："
                "先在目标中导入它（或以相同 id 建立）再导入下级"
            )
    if t["path"] != f"{manifest.ancestors[-1]['path']}{t['id']}/":
        raise TransferRefused(f"归档中租户 {t['slug']} 的路径 {t['path']} 与其上级不符")


def _check_references(session: Session, manifest: Manifest) -> None:
    """Each row outside the archive that it points at is in the target, and is the same row
    (an account with the same login, a tenant with the same slug, a row of the same tenant)."""
    wanted: dict[tuple[str, str, str | None], dict[Any, Any]] = {}
    for ref in manifest.references:
        if ref.table not in db.metadata.tables or ref.column not in db.metadata.tables[ref.table].c:
            raise TransferRefused(f"归档引用了未知的数据表或列 {ref.table}.{ref.column}")
        wanted.setdefault((ref.table, ref.column, ref.identity_column), {})[ref.value] = (
            ref.identity
        )
    problems: list[str] = []
    for (table_name, column_name, ident_name), values in sorted(wanted.items(), key=str):
        table = db.metadata.tables[table_name]
        key = table.c[column_name]
        ident = table.c[ident_name] if ident_name and ident_name in table.c else None
        keys = list(values)
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            cols = [key, ident] if ident is not None else [key, key]
            found: dict[Any, Any] = dict(
                session.execute(
                    select(*cols).where(key.in_(chunk)).execution_options(all_tenants=True)
                )
                .tuples()
                .all()
            )
            for value in chunk:
                label = f"{table_name}.{column_name}={value}"
                if ident is not None:
                    label += f"（{ident_name}={values[value]}）"
                if value not in found:
                    problems.append(f"{label} 不存在")
                elif ident is not None and found[value] != values[value]:
                    problems.append(f"{label} 在目标中是 {ident_name}={found[value]}")
    if problems:
        more = f"等 {len(problems)} 处" if len(problems) > _SHOWN else ""
        raise TransferRefused(
            "归档的数据引用了目标数据库中没有（或不相同）的行："
            + "；".join(problems[:_SHOWN])
            + more
        )


def _load_table(
    session: Session,
    archive: ArchiveReader,
    table: Table,
    entry: TableEntry,
    read: Scope,
    maxima: dict[str, int],
) -> None:
    codec = RowCodec(table)
    moved = set(archive.manifest.tenant_ids)
    digest, count, batch = hashlib.sha256(), 0, []
    for number, line in archive.lines(table.name):
        digest.update(line.encode() + b"\n")
        count += 1
        try:
            values = json.loads(line)
            if not isinstance(values, list):
                raise ValueError("not a list")
            params = codec.params(values)
        except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
            reason = str(exc)[:200] if not isinstance(exc, RecursionError) else "嵌套过深"
            raise TransferRefused(
                f"数据表 {table.name} 第 {number} 行无法解析（{reason}）"
            ) from None
        if "tenant_id" in params and params["tenant_id"] not in moved:
            raise TransferRefused(f"数据表 {table.name} 第 {number} 行属于归档之外的租户")
        batch.append(params)
        if len(batch) >= _BATCH:
            _insert(session, table, batch, read, maxima)
            batch = []
    if batch:
        _insert(session, table, batch, read, maxima)
    if count != entry.rows or digest.hexdigest() != entry.sha256:
        raise TransferRefused(
            f"数据表 {table.name} 的数据与清单不符（{count} 行，清单 {entry.rows} 行）：归档已损坏或被改动"
        )


def _insert(
    session: Session,
    table: Table,
    batch: list[dict[str, Any]],
    read: Scope,
    maxima: dict[str, int],
) -> None:
    """Refuse a taken id, then write the batch, tenant by tenant: row-level security lets a
    transaction write only the tenant its scope names."""
    keys = order_of(table)
    if len(keys) == 1:
        pk = keys[0]
        ids = [p[pk.name] for p in batch]
        taken = session.execute(
            select(pk).where(pk.in_(ids)).limit(1).execution_options(all_tenants=True)
        ).scalar()
        if taken is not None:
            raise TransferRefused(
                f"目标数据库的 {table.name} 已有 id 为 {taken} 的行：整个导入已撤销，未写入任何数据"
            )
        if all(isinstance(i, int) for i in ids):
            maxima[table.name] = max(maxima.get(table.name, 0), *ids)
    groups: dict[int | None, list[dict[str, Any]]] = {}
    for params in batch:
        groups.setdefault(params.get("tenant_id"), []).append(params)
    try:
        for owner, rows in groups.items():
            with scoped(session, replace(read, tenant_id=owner)):
                session.execute(table.insert(), rows)
    except (DBAPIError, StatementError) as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
        raise TransferRefused(
            f"写入数据表 {table.name} 时被数据库拒绝（{detail}）：整个导入已撤销"
        ) from None


def _check_dangling(session: Session, tables: dict[str, Table], moved: tuple[int, ...]) -> None:
    """Every reference of an imported row resolves (SQLite does not enforce foreign keys)."""
    for table in tables.values():
        for fk in table.foreign_keys:
            column, target = fk.parent, fk.column
            ref = target.table.alias()  # a table may point at itself (tenants.parent_id)
            stmt = (
                select(column)
                .where(
                    row_filter(table, moved),
                    column.isnot(None),
                    ~exists().where(ref.c[target.name] == column),
                )
                .limit(1)
                .execution_options(all_tenants=True)
            )
            missing = session.execute(stmt).scalar()
            if missing is not None:
                raise TransferRefused(
                    f"导入的 {table.name}.{column.name}={missing} 指向的"
                    f" {target.table.name} 行在目标数据库中不存在：整个导入已撤销"
                )


def _place_files(archive: ArchiveReader, moved: tuple[int, ...], placed: list[Path]) -> None:
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    for entry in archive.manifest.files:
        parts = entry.path.split("/")
        if len(parts) < 3 or parts[1] not in {str(i) for i in moved}:
            raise TransferRefused(f"归档中的文件 {entry.path} 不在该租户的目录下")
        dest = (root / entry.path).resolve()
        if root not in dest.parents:
            raise TransferRefused(f"归档中的文件路径不安全：{entry.path}")
        if dest.exists():
            if _sha256(dest) == entry.sha256:
                continue
            raise TransferRefused(f"目标已有内容不同的文件 {entry.path}：未覆盖，整个导入已撤销")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".importing")
        digest, size = hashlib.sha256(), 0
        try:
            with archive.file(entry) as src, partial.open("wb") as out:
                while chunk := src.read(1 << 20):
                    size += len(chunk)
                    if size > entry.size:
                        break
                    digest.update(chunk)
                    out.write(chunk)
            if size != entry.size or digest.hexdigest() != entry.sha256:
                raise TransferRefused(f"归档中的文件 {entry.path} 与清单不符（已损坏或被改动）")
            partial.replace(dest)
            placed.append(dest)
        finally:
            partial.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _bump_sequences(session: Session, tables: dict[str, Table], maxima: dict[str, int]) -> None:
    """Each table's id sequence past the largest id imported, so the next insert is free."""
    for name, top in sorted(maxima.items()):
        (pk,) = order_of(tables[name])
        advance_sequence(session, name, pk.name, top + 1)


def _verify(session: Session, manifest: Manifest, tables: dict[str, Table]) -> None:
    session.flush()
    for entry in manifest.tables:
        rows, sha = table_digest(session, tables[entry.name], manifest.tenant_ids)
        if (rows, sha) != (entry.rows, entry.sha256):
            raise TransferRefused(
                f"导入后数据表 {entry.name} 与归档不符（{rows} 行，归档 {entry.rows} 行）：整个导入已撤销"
            )
    for tenant_id in manifest.tenant_ids:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        broken = audit.verify_tenant(tenant, session=session)
        if broken is not None:
            raise TransferRefused(f"导入后审计链校验失败：{broken}：整个导入已撤销")
