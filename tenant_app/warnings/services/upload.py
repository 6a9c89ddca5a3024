"""CSV/XLSX upload of monitoring anomalies: the imports framework's reader (encodings, hostile
files, row and column caps) turns the file into rows; the intake service takes them as one batch
whose id is the file's SHA-256, so uploading the same file again writes nothing. Errors come
back by spreadsheet row number (header = row 1) and column title."""

from __future__ import annotations

import hashlib
from typing import IO, Any

from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.imports.services import columns as cols
from tenant_app.imports.services.small_file import read_small_sheet
from tenant_app.warnings.services import intake

MAX_FILE_BYTES = 10 * 1024 * 1024


def take_file(ctx: Context, filename: str, stream: IO[bytes]) -> tuple[dict[str, Any], bool]:
    data, numbered = read_small_sheet(
        filename, stream, cols.MONITORING, max_bytes=MAX_FILE_BYTES, max_rows=intake.MAX_ROWS
    )
    batch_id = "upload-" + hashlib.sha256(data).hexdigest()[:40]
    numbers = [number for number, _row in numbered]
    rows = [row for _number, row in numbered]
    try:
        return intake.take_batch(ctx, batch_id, rows, source="upload")
    except ValidationFailed as exc:
        errors: dict[str, list[str]] = {}
        for key, msgs in exc.errors.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "rows":
                title = cols.label(cols.MONITORING, parts[2])
                key = f"第 {numbers[int(parts[1])]} 行 {title}"
            errors[key] = msgs
        raise ValidationFailed(exc.message, errors) from None
