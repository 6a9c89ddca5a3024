"""A spreadsheet small enough to take within the request (a payment platform's export, a
monitoring upload): the same reader as the background imports (encodings, hostile archives,
column caps), with the file's size bounded before it is parsed and its rows counted while they
are read. Every problem is a Chinese error on the ``file`` field."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO, Any

from tenant_app.core.errors import ValidationFailed
from tenant_app.imports.services.reader import CSV, XLSX, FileProblem, open_sheet


def read_small_sheet(
    filename: str,
    stream: IO[bytes],
    kind: str,
    *,
    max_bytes: int,
    max_rows: int,
) -> tuple[bytes, list[tuple[int, dict[str, Any]]]]:
    """The file's bytes and its rows as (spreadsheet row number, {field: value}) for the
    columns of ``kind`` (imports/services/columns.py)."""
    fmt = Path(filename or "").suffix.lower().lstrip(".")
    if fmt not in (CSV, XLSX):
        raise ValidationFailed.field("file", "只支持 CSV 和 XLSX 文件")
    data = stream.read(max_bytes + 1)
    if not data:
        raise ValidationFailed.field("file", "请选择文件")
    if len(data) > max_bytes:
        raise ValidationFailed.field("file", f"文件不能超过 {max_bytes // (1024 * 1024)} MB")
    rows: list[tuple[int, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload.{fmt}"
        path.write_bytes(data)
        try:
            with open_sheet(path, fmt, kind) as sheet:
                for number, row in sheet.rows:
                    if len(rows) >= max_rows:
                        raise ValidationFailed.field(
                            "file", f"文件超过 {max_rows} 行，请拆分后分别上传"
                        )
                    rows.append((number, row))
        except FileProblem as exc:
            raise ValidationFailed.field("file", str(exc)) from None
    return data, rows
