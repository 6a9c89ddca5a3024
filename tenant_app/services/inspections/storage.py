"""Uploaded files (evidence, self-inspection reports): type checked by extension *and* leading
bytes, size limited, stored under UPLOAD_DIR (outside the web root, never served statically)
by content hash; the sha256 is recorded so the file can be verified later."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app

from ..errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
# extension -> (content type, leading-bytes test)
TYPES: dict[str, tuple[str, object]] = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG"),
    ".pdf": ("application/pdf", b"%PDF"),
    ".mp4": ("video/mp4", "ftyp@4"),
}


@dataclass
class Stored:
    filename: str
    content_type: str
    size: int
    sha256: str
    stored_name: str


def _sniff(head: bytes, test: object) -> bool:
    if isinstance(test, bytes):
        return head.startswith(test)
    return head[4:8] == b"ftyp"


def store(
    stream: IO[bytes], filename: str, tenant_id: int, area: str, field: str = "file"
) -> Stored:
    name = Path(filename or "").name[:200]
    ext = Path(name).suffix.lower()
    if ext not in TYPES:
        raise ValidationFailed.field(field, f"仅接受 {'、'.join(sorted(TYPES))} 文件")
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationFailed.field(field, f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
    if not data:
        raise ValidationFailed.field(field, "文件为空")
    content_type, test = TYPES[ext]
    if not _sniff(data[:16], test):
        raise ValidationFailed.field(field, "文件内容与扩展名不符")
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(current_app.config["UPLOAD_DIR"]) / area / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{area}/{tenant_id}/{digest}{ext}"
    target = folder / f"{digest}{ext}"
    if not target.exists():  # same content, same name: stored once
        target.write_bytes(data)
    return Stored(name, content_type, len(data), digest, stored_name)


def path_of(stored_name: str) -> Path:
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    p = (root / stored_name).resolve()
    if root not in p.parents:
        raise ValidationFailed.field("file", "非法路径")
    return p
