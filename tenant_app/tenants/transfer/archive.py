"""The tenant archive: one zip file, read with bounds.

Members: ``manifest.json`` (written last), ``tables/<table>.jsonl`` (one canonical row a line,
catalogue.RowCodec) and ``files/<area>/<tenant id>/…`` (the tenant's uploaded files). The reader
trusts nothing in it: a file that is not a zip, a manifest that is too big or malformed, more
members or more bytes than the limits, a line longer than the limit, a member path that leaves
its folder: each is a TransferRefused with a message, never a traceback.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from tenant_app.tenants.transfer.errors import TransferRefused

FORMAT = "tenant-app-tenant/1"
MANIFEST = "manifest.json"
_SAFE_PART = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


@dataclass(frozen=True)
class Limits:
    max_total_bytes: int = 50 * 1024**3  # unpacked, all members
    max_members: int = 1_000_000
    max_manifest_bytes: int = 64 * 1024**2
    max_line_bytes: int = 64 * 1024**2


@dataclass
class TableEntry:
    name: str
    columns: list[str]
    rows: int
    sha256: str


@dataclass
class FileEntry:
    path: str  # relative to UPLOAD_DIR: <area>/<tenant id>/…
    size: int
    sha256: str


@dataclass
class Reference:
    """A row outside the archive that archived rows point at: it must be in the target."""

    table: str
    column: str
    value: Any
    identity_column: str | None = None
    identity: Any = None


@dataclass
class Manifest:
    revision: list[str]
    tenant: dict[str, Any]  # the tenant asked for
    ancestors: list[dict[str, Any]]  # its ancestors, root first: the target must hold them
    exported_at: str
    tables: list[TableEntry] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    audit_keys: dict[str, str] = field(default_factory=dict)
    # every tenant moved: the one asked for, then its sub-regions with --with-descendants
    tenants: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tenant_ids(self) -> tuple[int, ...]:
        return tuple(int(t["id"]) for t in self.tenants)

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "revision": self.revision,
            "tenant": self.tenant,
            "tenants": self.tenants,
            "ancestors": self.ancestors,
            "exported_at": self.exported_at,
            "tables": [t.__dict__ for t in self.tables],
            "references": [r.__dict__ for r in self.references],
            "files": [f.__dict__ for f in self.files],
            "audit_keys": self.audit_keys,
        }
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True)


def safe_relative(path: str) -> str:
    """A member or upload path of plain parts only: no '..', no absolute path, no odd bytes."""
    parts = PurePosixPath(path).parts
    if not parts or any(not _SAFE_PART.match(p) or p in (".", "..") for p in parts):
        raise TransferRefused(f"归档中的文件路径不安全：{path[:200]!r}")
    return "/".join(parts)


def table_member(name: str) -> str:
    return f"tables/{safe_relative(name)}.jsonl"


def file_member(path: str) -> str:
    return f"files/{safe_relative(path)}"


def _bad(what: str) -> TransferRefused:
    return TransferRefused(f"归档清单格式不对：{what}")


def _need(body: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _bad(f"缺少或类型错误的字段 {key}")
    return value


def _key_value(value: Any) -> bool:
    """A key or identity in a reference: a number or a short text, nothing nested."""
    return value is None or (isinstance(value, int | str) and not isinstance(value, bool))


def _parse_manifest(raw: bytes) -> Manifest:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _bad(f"不是 JSON（{type(exc).__name__}）") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _bad(f"不是 {FORMAT} 格式的租户归档")
    tenant = _need(body, "tenant", dict)
    for key, kind in (("id", int), ("slug", str), ("path", str)):
        _need(tenant, key, kind)
    ancestors = _need(body, "ancestors", list)
    moved = _need(body, "tenants", list)
    for a in (*ancestors, *moved):
        if not isinstance(a, dict):
            raise _bad("ancestors / tenants")
        _need(a, "id", int), _need(a, "slug", str), _need(a, "path", str)
    if not moved or moved[0].get("id") != tenant["id"]:
        raise _bad("tenants 应以所导出的租户开头")
    manifest = Manifest(
        revision=[str(r) for r in _need(body, "revision", list)],
        tenant=tenant,
        ancestors=ancestors,
        exported_at=_need(body, "exported_at", str),
        audit_keys={str(k): str(v) for k, v in _need(body, "audit_keys", dict).items()},
        tenants=moved,
    )
    for t in _need(body, "tables", list):
        if not isinstance(t, dict):
            raise _bad("tables")
        columns = _need(t, "columns", list)
        if not all(isinstance(c, str) for c in columns):
            raise _bad("tables.columns")
        manifest.tables.append(
            TableEntry(
                _need(t, "name", str), columns, _need(t, "rows", int), _need(t, "sha256", str)
            )
        )
    for r in _need(body, "references", list):
        if not isinstance(r, dict) or not all(
            _key_value(r.get(k)) for k in ("value", "identity", "identity_column")
        ):
            raise _bad("references")
        manifest.references.append(
            Reference(
                _need(r, "table", str),
                _need(r, "column", str),
                r.get("value"),
                r.get("identity_column"),
                r.get("identity"),
            )
        )
    for f in _need(body, "files", list):
        if not isinstance(f, dict):
            raise _bad("files")
        path = safe_relative(_need(f, "path", str))
        manifest.files.append(FileEntry(path, _need(f, "size", int), _need(f, "sha256", str)))
    return manifest


class ArchiveReader:
    """Opens an archive and checks its shape before anything is read from it."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise TransferRefused(
                f"无法读取租户归档 {path.name}：不是有效的 zip 文件（{exc}）"
            ) from None
        try:
            infos = self._zip.infolist()
            if len(infos) > self.limits.max_members:
                raise TransferRefused(
                    f"归档包含 {len(infos)} 个成员，超过上限 {self.limits.max_members}"
                )
            total = sum(i.file_size for i in infos)
            if total > self.limits.max_total_bytes:
                raise TransferRefused(
                    f"归档解压后共 {total} 字节，超过上限 {self.limits.max_total_bytes} 字节"
                )
            self._sizes = {i.filename: i.file_size for i in infos}
            self.manifest = _parse_manifest(self._read_small(MANIFEST))
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_small(self, member: str) -> bytes:
        size = self._sizes.get(member)
        if size is None:
            raise TransferRefused(f"归档中缺少 {member}")
        if size > self.limits.max_manifest_bytes:
            raise TransferRefused(
                f"归档中的 {member} 有 {size} 字节，超过上限 {self.limits.max_manifest_bytes}"
            )
        with self._open(member) as handle:
            return handle.read(self.limits.max_manifest_bytes + 1)

    def _open(self, member: str) -> IO[bytes]:
        try:
            return self._zip.open(member)
        except (KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise TransferRefused(f"无法读取归档成员 {member}（{exc}）") from None

    def lines(self, table: str) -> Iterator[tuple[int, str]]:
        """(line number, text without the newline) of a table's member, each line bounded."""
        member = table_member(table)
        if member not in self._sizes:
            raise TransferRefused(f"归档中缺少数据表 {table} 的数据（{member}）")
        limit = self.limits.max_line_bytes
        with self._open(member) as handle:
            number = 0
            while True:
                try:
                    raw = handle.readline(limit + 1)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    raise TransferRefused(f"数据表 {table} 的数据已损坏（{exc}）") from None
                if not raw:
                    return
                number += 1
                if len(raw) > limit or not raw.endswith(b"\n"):
                    raise TransferRefused(
                        f"数据表 {table} 第 {number} 行过长（上限 {limit} 字节）或未以换行结束"
                    )
                try:
                    yield number, raw[:-1].decode("utf-8")
                except UnicodeDecodeError:
                    raise TransferRefused(f"数据表 {table} 第 {number} 行不是 UTF-8") from None

    def file(self, entry: FileEntry) -> IO[bytes]:
        member = file_member(entry.path)
        if self._sizes.get(member) != entry.size:
            raise TransferRefused(f"归档中的文件 {entry.path} 缺失或大小与清单不符")
        return self._open(member)


class ArchiveWriter:
    """Writes members one after another, streamed; the manifest last."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)

    def member(self, name: str) -> IO[bytes]:
        return self._zip.open(name, "w", force_zip64=True)

    def finish(self, manifest: Manifest) -> None:
        with self.member(MANIFEST) as handle:
            handle.write(manifest.to_json().encode())
        self._zip.close()

    def abort(self) -> None:
        self._zip.close()
