"""Streaming rows out of an uploaded CSV or XLSX file, one dict per row, in constant memory.

CSV: UTF-8 (with or without the BOM Excel writes) or GB18030 (what Excel on a Chinese Windows
saves as "CSV"); GB18030 is a superset of GBK and GB2312, so one fallback covers all three.
XLSX: openpyxl read_only (rows are parsed as the XML streams by, never a whole sheet in memory),
first worksheet, first row = header.

Row numbers are spreadsheet row numbers (header = 1), the number a clerk sees in Excel.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from . import columns as cols

CSV, XLSX = "csv", "xlsx"
_CHUNK = 1 << 20
MAX_CELL = 10_000  # characters; longer is a damaged file, not a field (columns are ≤ 1000)


class FileProblem(Exception):
    """The file as a whole cannot be read (Chinese reason, shown instead of row errors)."""


@dataclass
class Sheet:
    columns: list[cols.Column]
    rows: Iterator[tuple[int, dict[str, Any]]]
    _fraction: Any = field(repr=False, default=lambda: 0.0)

    def fraction_read(self) -> float:
        """How far through the file we are, 0..1 (the first pass has no row count yet)."""
        try:
            return max(0.0, min(1.0, float(self._fraction())))
        except Exception:  # noqa: BLE001 - progress is cosmetic; never fail an import on it
            return 0.0

    @property
    def ignored(self) -> list[str]:
        return [c.title for c in self.columns if c.field is None and c.title.strip()]


def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-8, or gb18030. The whole file is decoded once: a sample could be all ASCII
    and the first Chinese name sit on row 80,000."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem(
                "文件是 UTF-16 编码（Excel“Unicode 文本”），请另存为“CSV UTF-8”或“CSV（逗号分隔）”"
            )
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


def _cell(value: Any) -> Any:
    """openpyxl gives 13800000000 as an int but 2.0 as a float; text fields want "2"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[:MAX_CELL]
    return value


def _blank(values: tuple[Any, ...] | list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _dicts(
    kind: str, header: list[Any], body: Iterator[tuple[Any, ...] | list[Any]]
) -> tuple[list[cols.Column], Iterator[tuple[int, dict[str, Any]]]]:
    titles = ["" if h is None else str(h).strip() for h in header]
    columns = cols.resolve_header(kind, titles)
    wanted = [(c.index, c.field) for c in columns if c.field]
    missing = [
        cols.label(kind, f)
        for f in cols.required_for(kind)
        if f not in {name for _i, name in wanted}
    ]
    if missing:
        raise FileProblem(
            "第 1 行（表头）缺少必需的列：" + "、".join(missing) + "。请使用导入模板的列名"
        )

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(body, start=2):
            if _blank(values):
                continue
            n = len(values)
            yield number, {name: (_cell(values[i]) if i < n else None) for i, name in wanted}

    return columns, rows()


@contextmanager
def open_sheet(path: Path, fmt: str, kind: str) -> Iterator[Sheet]:
    if fmt == CSV:
        with _open_csv(path, kind) as sheet:
            yield sheet
    elif fmt == XLSX:
        with _open_xlsx(path, kind) as sheet:
            yield sheet
    else:
        raise FileProblem("只支持 CSV 和 XLSX 文件")


class _Counting(io.RawIOBase):
    """Counts bytes handed to the text layer: the first pass's progress for a CSV."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


@contextmanager
def _open_csv(path: Path, kind: str) -> Iterator[Sheet]:
    encoding = detect_encoding(path)
    size = max(1, path.stat().st_size)
    with path.open("rb") as raw:
        counting = _Counting(raw)
        text = io.TextIOWrapper(io.BufferedReader(counting, _CHUNK), encoding=encoding, newline="")
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileProblem(f"无法读取 CSV 表头：{exc}") from None
        if header is None or _blank(header):
            raise FileProblem("文件是空的，或第 1 行不是表头")
        columns, rows = _dicts(kind, header, _guarded(reader))
        yield Sheet(columns, rows, lambda: counting.count / size)


def _guarded(reader: Any) -> Iterator[list[str]]:
    """A damaged line is a whole-file problem named by its line (csv cannot resynchronise)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(f"CSV 第 {reader.line_num} 行格式错误：{exc}") from None
        except UnicodeDecodeError:
            raise FileProblem(
                f"CSV 第 {reader.line_num} 行附近含有无法识别的字符，"
                "请另存为 UTF-8 或 GB18030（GBK）编码"
            ) from None
        yield row


@contextmanager
def _open_xlsx(path: Path, kind: str) -> Iterator[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileProblem("不是有效的 XLSX 文件（请用 Excel 或 WPS 另存为 .xlsx）") from None
    try:
        if not wb.worksheets:
            raise FileProblem("XLSX 文件中没有工作表")
        ws = wb.worksheets[0]
        total = ws.max_row or 0  # from the sheet's <dimension>, when the writer set it
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None or _blank(header):
            raise FileProblem("第一个工作表是空的，或第 1 行不是表头")
        position = {"row": 1}

        def body() -> Iterator[tuple[Any, ...]]:
            for values in it:
                position["row"] += 1
                yield tuple(
                    v.replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
                    for v in values
                )

        columns, rows = _dicts(kind, list(header), body())
        yield Sheet(columns, rows, lambda: position["row"] / total if total else 0.0)
    finally:
        wb.close()
