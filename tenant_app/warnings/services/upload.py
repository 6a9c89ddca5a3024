"""CSV/XLSX upload of monitoring anomalies: the imports framework's reader (encodings, hostile
files, row and column caps) turns the file into rows; the intake service takes them as one batch
whose id is the file's SHA-256, so uploading the same file again writes nothing. Errors come
back by spreadsheet row number (header = row 1) and column title."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import IO, Any

from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.imports.services import columns as cols
from tenant_app.imports.services.reader import CSV, XLSX, FileProblem, open_sheet
from tenant_app.warnings.services import intake

MAX_FILE_BYTES = 10 * 1024 * 1024


def take_file(ctx: Context, filename: str, stream: IO[bytes]) -> tuple[dict[str, Any], bool]:
    fmt = Path(filename or "").suffix.lower().lstrip(".")
    if fmt not in (CSV, XLSX):
        raise ValidationFailed.field("file", "只支持 CSV 和 XLSX 文件")
    data = stream.read(MAX_FILE_BYTES + 1)
    if not data:
        raise ValidationFailed.field("file", "请选择文件")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed.field("file", f"文件不能超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    batch_id = "upload-" + hashlib.sha256(data).hexdigest()[:40]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload.{fmt}"
        path.write_bytes(data)
        numbers: list[int] = []
        rows: list[dict[str, Any]] = []
        try:
            with open_sheet(path, fmt, cols.MONITORING) as sheet:
                for number, row in sheet.rows:
                    if len(rows) >= intake.MAX_ROWS:
                        raise ValidationFailed.field(
                            "file", f"文件超过 {intake.MAX_ROWS} 行，请拆分后分别上传"
                        )
                    numbers.append(number)
                    rows.append(row)
        except FileProblem as exc:
            raise ValidationFailed.field("file", str(exc)) from None
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
