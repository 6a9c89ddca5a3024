"""Streaming rows out of an uploaded CSV or XLSX file, one dict per row, in constant memory.

CSV: UTF-8 (with or without the BOM Excel writes) or GB18030 (what Excel on a Chinese Windows
saves as "CSV"); GB18030 is a superset of GBK and GB2312, so one fallback covers all three.
XLSX: openpyxl read_only (rows are parsed as the XML streams by, never a whole sheet in memory),
first worksheet, first row = header.

A hostile file is refused before it costs anything (docs/security.md, "Hostile files"): the XLSX
archive is checked before openpyxl opens it (entry count, each part's and the total unpacked
size, compression ratio, shared-strings size; zipfile enforces the declared sizes while
reading), rows and columns are read with explicit caps (never from the sheet's own
``<dimension>``, which a 2 KB file can set to 16,384 × 1,048,576 cells), a CSV line is bounded
before the csv module splits it, and control characters are removed from every cell.

Row numbers are spreadsheet row numbers (header = 1), the number a clerk sees in Excel.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from tenant_app.imports.services import columns as cols

CSV, XLSX = "csv", "xlsx"
_CHUNK = 1 << 20
MAX_CELL = 10_000  # characters; longer is a damaged file, not a field (columns are ≤ 1000)
MAX_LINE = 1 << 20  # characters in one CSV line
MAX_ENTRIES = 1_000  # parts in an XLSX archive (a real workbook has a few dozen)
MAX_RATIO = 100  # unpacked : packed, for parts over RATIO_FLOOR (deflate bombs reach ~1,000)
RATIO_FLOOR = 1 << 20
MAX_SHARED_STRINGS = 32 << 20  # bytes of xl/sharedStrings.xml (openpyxl keeps them all in memory)
MAX_OTHER_PART = 16 << 20  # styles, workbook, relationships… (read whole by openpyxl)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Limits:
    rows: int = 200_000
    columns: int = 200
    unpacked: int = 200 << 20

    @classmethod
    def from_config(cls) -> Limits:
        from flask import current_app, has_app_context

        if not has_app_context():
            return cls()
        c = current_app.config
        return cls(
            rows=int(c["IMPORT_MAX_ROWS"]),
            columns=int(c["IMPORT_MAX_COLUMNS"]),
            unpacked=int(c["IMPORT_MAX_UNPACKED_MB"]) << 20,
        )


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
    if isinstance(value, str):
        return _CONTROL.sub("", value[:MAX_CELL])
    return value


def _blank(values: tuple[Any, ...] | list[Any]) -> bool:
    if values.count(None) == len(values):  # the common empty row, at C speed
        return True
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _dicts(
    kind: str, header: list[Any], body: Iterator[tuple[Any, ...] | list[Any]], limits: Limits
) -> tuple[list[cols.Column], Iterator[tuple[int, dict[str, Any]]]]:
    if len(header) > limits.columns:
        raise FileProblem(
            f"文件有 {len(header)} 列，超过上限 {limits.columns} 列。请只保留导入模板中的列"
        )
    titles = ["" if h is None else _cell(str(h)).strip() for h in header]
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
        last = limits.rows + 1
        for number, values in enumerate(body, start=2):
            if number > last:
                raise FileProblem(
                    f"文件超过 {limits.rows} 行（不含表头）。请拆分为多个文件分别导入"
                )
            if len(values) > limits.columns:
                raise FileProblem(
                    f"第 {number} 行有 {len(values)} 列，超过上限 {limits.columns} 列"
                )
            if _blank(values):
                continue
            n = len(values)
            yield number, {name: (_cell(values[i]) if i < n else None) for i, name in wanted}

    return columns, rows()


@contextmanager
def open_sheet(path: Path, fmt: str, kind: str, limits: Limits | None = None) -> Iterator[Sheet]:
    limits = limits or Limits.from_config()
    if fmt == CSV:
        with _open_csv(path, kind, limits) as sheet:
            yield sheet
    elif fmt == XLSX:
        with _open_xlsx(path, kind, limits) as sheet:
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
def _open_csv(path: Path, kind: str, limits: Limits) -> Iterator[Sheet]:
    encoding = detect_encoding(path)
    size = max(1, path.stat().st_size)
    with path.open("rb") as raw:
        counting = _Counting(raw)
        text = io.TextIOWrapper(io.BufferedReader(counting, _CHUNK), encoding=encoding, newline="")
        reader = csv.reader(_bounded_lines(text))
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileProblem(f"无法读取 CSV 表头：{exc}") from None
        if header is None or _blank(header):
            raise FileProblem("文件是空的，或第 1 行不是表头")
        columns, rows = _dicts(kind, header, _guarded(reader), limits)
        yield Sheet(columns, rows, lambda: counting.count / size)


def _bounded_lines(text: IO[str]) -> Iterator[str]:
    """Lines for the csv module, none longer than MAX_LINE (one 50 MB line of commas would
    otherwise become millions of fields in memory before any cap could look at them)."""
    number = 0
    while True:
        line = text.readline(MAX_LINE)
        if not line:
            return
        number += 1
        if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
            raise FileProblem(f"CSV 第 {number} 行超过 {MAX_LINE // 1024} KB，文件可能已损坏")
        yield line


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


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse a zip bomb from the central directory alone, before any part is inflated."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem("不是有效的 XLSX 文件（请用 Excel 或 WPS 另存为 .xlsx）") from None
    if len(infos) > MAX_ENTRIES:
        raise FileProblem(f"XLSX 文件包含 {len(infos)} 个部件，超过上限 {MAX_ENTRIES}，已拒绝")
    total = 0
    mb = limits.unpacked >> 20
    for info in infos:
        size, packed = info.file_size, max(1, info.compress_size)
        total += size
        if total > limits.unpacked:
            raise FileProblem(f"XLSX 文件解压后超过 {mb} MB，已拒绝。请拆分为多个文件分别导入")
        if size > RATIO_FLOOR and size > packed * MAX_RATIO:
            raise FileProblem(
                f"XLSX 文件的部件 {info.filename[:60]} 压缩比异常（约 {size // packed} 倍），"
                "可能是压缩炸弹，已拒绝"
            )
        name = info.filename.lower()
        if name.endswith("sharedstrings.xml") and size > MAX_SHARED_STRINGS:
            raise FileProblem(
                f"XLSX 文件的共享字符串表超过 {MAX_SHARED_STRINGS >> 20} MB，已拒绝。"
                "请拆分为多个文件分别导入"
            )
        if not name.startswith("xl/worksheets/") and size > max(
            MAX_OTHER_PART, MAX_SHARED_STRINGS if name.endswith("sharedstrings.xml") else 0
        ):
            raise FileProblem(f"XLSX 文件的部件 {info.filename[:60]} 过大，已拒绝")


def _damaged_as_problem(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """A part that lies about its size (zipfile stops at the declared size and checks the CRC)
    or holds broken XML is a damaged file, said in Chinese, not a failed job."""
    from xml.etree.ElementTree import ParseError

    try:
        yield from rows
    except (zipfile.BadZipFile, ParseError, EOFError, OSError, ValueError, KeyError):
        raise FileProblem(
            "XLSX 文件已损坏，无法读取（请用 Excel 或 WPS 重新另存为 .xlsx）"
        ) from None


@contextmanager
def _open_xlsx(path: Path, kind: str, limits: Limits) -> Iterator[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileProblem("不是有效的 XLSX 文件（请用 Excel 或 WPS 另存为 .xlsx）") from None
    try:
        if not wb.worksheets:
            raise FileProblem("XLSX 文件中没有工作表")
        ws = wb.worksheets[0]
        total = ws.max_row or 0  # from the sheet's <dimension>, when the writer set it
        # explicit caps: never the sheet's own <dimension>; one row past the cap shows excess
        it = _damaged_as_problem(
            ws.iter_rows(max_row=limits.rows + 2, max_col=limits.columns, values_only=True)
        )
        header = next(it, None)
        if header is None or _blank(header):
            raise FileProblem("第一个工作表是空的，或第 1 行不是表头")
        position = {"row": 1}

        def body() -> Iterator[tuple[Any, ...]]:
            for values in it:
                position["row"] += 1
                if values.count(None) == len(values):  # empty (or filler) row: as it is
                    yield values
                    continue
                yield tuple(
                    v.replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
                    for v in values
                )

        columns, rows = _dicts(kind, list(header), body(), limits)
        yield Sheet(columns, rows, lambda: position["row"] / total if total else 0.0)
    finally:
        wb.close()
