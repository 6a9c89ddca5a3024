"""The one upload store: imports, listing attachments, inspection evidence, self-inspection reports.

Every uploaded file goes through :func:`store`:

- the file name is reduced to its last component and refused when it holds NUL or other control
  characters (they reach no column, no JSON document and no log line);
- the extension must be one the caller allows, and the leading bytes must match it (a text file
  renamed ``.pdf`` is refused); a CSV is checked for NUL bytes over its whole length, not a head;
- the body is streamed to a temporary file in chunks while hashing it, and refused once it passes
  the caller's size limit (never read whole into memory);
- it is stored under ``UPLOAD_DIR/<area>/<tenant_id>/<sha256><ext>`` (outside the web root, served
  only by permission-checked routes through :func:`path_of`);
- a file this transaction created is removed again if the transaction rolls back, so a refused
  application or import leaves nothing on disk (the owner row and its file live and die together).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tenant_app.core.errors import ValidationFailed

_CHUNK = 1 << 20
_HEAD = 16
_NEW_FILES = "uploads.new_files"
MAX_NAME = 200


def _starts(prefix: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefix)


def _mp4(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def _text(head: bytes) -> bool:
    return not head.startswith(b"PK\x03\x04")


@dataclass(frozen=True)
class FileType:
    content_type: str
    sniff: Callable[[bytes], bool]
    label: str


TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", _starts(b"%PDF"), "PDF"),
    ".jpg": FileType("image/jpeg", _starts(b"\xff\xd8\xff"), "JPG"),
    ".jpeg": FileType("image/jpeg", _starts(b"\xff\xd8\xff"), "JPG"),
    ".png": FileType("image/png", _starts(b"\x89PNG\r\n\x1a\n"), "PNG"),
    ".mp4": FileType("video/mp4", _mp4, "MP4"),
    ".xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _starts(b"PK\x03\x04"),
        "XLSX",
    ),
    ".csv": FileType("text/csv", _text, "CSV"),
}


@dataclass(frozen=True)
class Stored:
    filename: str  # the user's name, cleaned
    content_type: str
    size: int
    sha256: str
    stored_name: str  # relative to UPLOAD_DIR

    @property
    def ext(self) -> str:
        return Path(self.stored_name).suffix.lower()


def clean_filename(filename: str | None, field: str = "file") -> str:
    """The last path component of the user's file name; NUL and control characters refused."""
    raw = (filename or "").replace("\\", "/")
    name = raw.rsplit("/", 1)[-1].strip()
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise ValidationFailed.field(
            field, "文件名含有无法处理的字符（如 NUL 或控制字符），请改名后重试"
        )
    if not name:
        raise ValidationFailed.field(field, "请选择文件")
    return name[:MAX_NAME]


def root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).resolve()


def folder(area: str, tenant_id: int) -> Path:
    path = root() / area / str(tenant_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    """The absolute path of a stored file; a name that escapes UPLOAD_DIR is refused."""
    base = root()
    p = (base / stored_name).resolve()
    if base not in p.parents:
        raise ValidationFailed.field("file", "非法路径")
    return p


def _mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def store(
    stream: IO[bytes],
    filename: str | None,
    *,
    area: str,
    tenant_id: int,
    allowed: Iterable[str],
    max_bytes: int,
    field: str = "file",
    empty_message: str = "文件为空",
    type_hint: str = "",
) -> Stored:
    """Check and store one upload; raises ValidationFailed (422, Chinese) for every refusal."""
    name = clean_filename(filename, field)
    ext = Path(name).suffix.lower()
    allowed = tuple(allowed)
    if ext not in allowed or ext not in TYPES:
        labels = "、".join(dict.fromkeys(TYPES[e].label for e in allowed if e in TYPES))
        raise ValidationFailed.field(
            field, f"文件“{name}”类型不允许，仅接受 {labels} 文件{type_hint}"
        )
    ftype = TYPES[ext]
    target_dir = folder(area, tenant_id)
    digest, size, head, nul = hashlib.sha256(), 0, b"", False
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                if len(head) < _HEAD:
                    head = (head + chunk)[:_HEAD]
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationFailed.field(
                        field, f"文件“{name}”超过 {_mb(max_bytes)}，请压缩或拆分后再上传"
                    )
                if ext == ".csv" and b"\x00" in chunk:
                    nul = True
                digest.update(chunk)
                out.write(chunk)
        if not size:
            raise ValidationFailed.field(field, f"{empty_message}：“{name}”")
        if not ftype.sniff(head) or nul:
            reason = (
                "扩展名是 .csv，但内容不是文本（是否为 Excel 文件？请用 .xlsx）"
                if ext == ".csv"
                else f"文件“{name}”的内容不是 {ftype.label} 文件（与扩展名不符）"
            )
            raise ValidationFailed.field(field, reason)
        sha = digest.hexdigest()
        final = target_dir / f"{sha}{ext}"
        if final.exists():  # same content, same name: stored once
            Path(tmp).unlink(missing_ok=True)
        else:
            os.replace(tmp, final)
            _remember_new(final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Stored(name, ftype.content_type, size, sha, str(final.relative_to(root())))


def _remember_new(path: Path) -> None:
    from tenant_app.extensions import db

    db.session().info.setdefault(_NEW_FILES, []).append(str(path))


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_new_files(session: Session, previous_transaction: Any) -> None:
    """The rows that would have owned these files are gone: so are the files. A savepoint's
    rollback keeps them (the outer transaction may still commit their owners)."""
    if getattr(previous_transaction, "nested", False):
        return
    for name in session.info.pop(_NEW_FILES, []):
        Path(name).unlink(missing_ok=True)
