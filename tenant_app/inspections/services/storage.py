"""Uploaded evidence and self-inspection reports: through the one upload store
(core/uploads.py: name cleaned, extension and leading bytes checked, size limited, hashed,
stored outside the web root, removed again if the transaction rolls back)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tenant_app.core import uploads
from tenant_app.core.uploads import Stored

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = (".jpg", ".jpeg", ".png", ".pdf", ".mp4")

__all__ = ["ALLOWED", "MAX_BYTES", "Stored", "path_of", "store"]


def store(
    stream: IO[bytes], filename: str, tenant_id: int, area: str, field: str = "file"
) -> Stored:
    return uploads.store(
        stream,
        filename,
        area=area,
        tenant_id=tenant_id,
        allowed=ALLOWED,
        max_bytes=MAX_BYTES,
        field=field,
    )


def path_of(stored_name: str) -> Path:
    return uploads.path_of(stored_name)
