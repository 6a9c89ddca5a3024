"""Coercing one field of a form, JSON body or spreadsheet row, with a Chinese reason.

A row arrives as strings (forms, CSV), as typed values (JSON) or as openpyxl cells (dates as
datetime, numbers as float); each helper accepts all three and raises ``FieldProblem``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on", "是", "有", "已", "√", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", "否", "无", "未", "×", "f", ""})
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
MIN_DATE, MAX_DATE = date(1949, 10, 1), date(2100, 12, 31)


class FieldProblem(ValueError):
    """The reason one value cannot be used (Chinese, shown next to the field)."""


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, max_len: int, *, required: bool = False, label: str = "") -> str:
    out = "" if value is None else str(value).strip()
    if required and not out:
        raise FieldProblem(f"请填写{label}")
    if len(out) > max_len:
        raise FieldProblem(f"最多 {max_len} 个字符，现为 {len(out)} 个")
    return out


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower() if value is not None else ""
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldProblem(f"“{value}”不是是/否值（可填 是、否、1、0）")


def optional_boolean(value: Any) -> bool | None:
    """None when left blank: for facts that may be unknown (the screening then says so)."""
    if blank(value):
        return None
    return boolean(value)


def a_date(value: Any, *, required: bool = False, label: str = "日期") -> date | None:
    if blank(value):
        if required:
            raise FieldProblem(f"请填写{label}")
        return None
    if isinstance(value, datetime):
        out = value.date()
    elif isinstance(value, date):
        out = value
    else:
        m = _DATE_RE.match(str(value).strip())
        if not m:
            raise FieldProblem(f"“{value}”不是日期（格式 2025-06-30）")
        try:
            out = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise FieldProblem(f"“{value}”不是有效日期") from None
    if not MIN_DATE <= out <= MAX_DATE:
        raise FieldProblem(f"日期 {out.isoformat()} 超出合理范围（1949-10-01 至 2100-12-31）")
    return out


def amount(value: Any, *, max_value: Decimal = Decimal("999999999999.99")) -> Decimal | None:
    """Money in yuan, 2 decimals; "1,000" and "5000元" are accepted."""
    if blank(value):
        return None
    if isinstance(value, bool):
        raise FieldProblem("金额应为数字")
    raw = str(value).strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        out = Decimal(raw)
    except InvalidOperation:
        raise FieldProblem(f"“{value}”不是金额（单位：元）") from None
    if not out.is_finite() or out < 0 or out > max_value:
        raise FieldProblem("金额应为 0 至 999,999,999,999.99 元")
    return out.quantize(Decimal("0.01"))


def choice(
    value: Any, options: dict[str, str], *, required: bool = False, label: str = ""
) -> str | None:
    """Accepts the key ("key") or its Chinese label ("重点管理")."""
    if blank(value):
        if required:
            raise FieldProblem(f"请选择{label}")
        return None
    raw = str(value).strip()
    if raw in options:
        return raw
    for key, name in options.items():
        if raw == name:
            return key
    allowed = "、".join(options.values())
    raise FieldProblem(f"“{raw}”不是可选值（可选：{allowed}）")


def integer(value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise FieldProblem("应为整数")
    try:
        out = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise FieldProblem(f"“{value}”不是整数") from None
    if not lo <= out <= hi:
        raise FieldProblem(f"应在 {lo} 至 {hi} 之间")
    return out


class Collector:
    """Runs field checks, keeping every problem (not just the first) by field name."""

    def __init__(self) -> None:
        self.clean: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self.clean[name] = fn(*args, **kwargs)
        except FieldProblem as exc:
            self.errors.setdefault(name, []).append(str(exc))
            return None
        return self.clean[name]

    def fail(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, []).append(reason)
