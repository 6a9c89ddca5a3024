"""The error report: one line per problem (row, column, reason in Chinese), as CSV and XLSX.

Problems are appended to a CSV on disk as they are found, so a file with 100,000 bad rows costs
no memory; the XLSX copy is written from that CSV afterwards with openpyxl's write_only mode.
The CSV is UTF-8 with a BOM so that Excel on a Chinese Windows opens it without mojibake.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import Any

from tenant_app.core.spreadsheet import safe_row, safe_text
from tenant_app.imports.services import columns as cols
from tenant_app.imports.services.validate import RowResult

HEADER = ("行号", "列", "列名", "原因")
PREVIEW = 50  # problems kept in the job result for the page (the rest are in the files)


class ErrorReport:
    def __init__(self, folder: Path, stem: str, kind: str, columns: list[cols.Column]) -> None:
        self.kind = kind
        self.csv_path = folder / f"{stem}-errors.csv"
        self.xlsx_path = folder / f"{stem}-errors.xlsx"
        self.by_field = {c.field: c for c in columns if c.field}
        self.count = 0
        self.preview: list[dict[str, Any]] = []
        self._fh = self.csv_path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(HEADER)

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._fh.close()

    def where(self, field: str) -> tuple[str, str]:
        """(column letter, column title): the file's own title when it has the column."""
        col = self.by_field.get(field)
        if col is not None:
            return col.letter, col.title
        return "", cols.label(self.kind, field)

    def add(self, result: RowResult) -> None:
        for field, reason in result.errors:
            letter, title = self.where(field)
            self._write(result.line, letter, title, reason)

    def add_file_problem(self, reason: str) -> None:
        self._write(1, "", "", reason)

    def _write(self, line: int, letter: str, title: str, reason: str) -> None:
        title, reason = safe_text(title), safe_text(reason)
        self._writer.writerow(safe_row((line, letter, title, reason)))
        self.count += 1
        if len(self.preview) < PREVIEW:
            self.preview.append({"row": line, "column": letter, "title": title, "reason": reason})

    def finish(self) -> dict[str, str] | None:
        """Close the CSV and write the XLSX copy; the file names, or None when all was well."""
        self._fh.close()
        if not self.count:
            self.csv_path.unlink(missing_ok=True)
            return None
        write_xlsx(self.csv_path, self.xlsx_path)
        return {"csv": self.csv_path.name, "xlsx": self.xlsx_path.name}


def write_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 80
    ws.freeze_panes = "A2"
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        bold = Font(bold=True)
        ws.append([_bold(ws, WriteOnlyCell, bold, h) for h in head])
        for line, letter, title, reason in reader:
            ws.append(safe_row([int(line), letter, title, reason]))
    wb.save(xlsx_path)


def _bold(ws: Any, cell_cls: Any, font: Any, value: str) -> Any:
    cell = cell_cls(ws, value=value)
    cell.font = font
    return cell
