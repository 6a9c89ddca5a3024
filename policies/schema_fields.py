"""Strict marshmallow fields with Chinese error messages, shared by the pack schemas."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .vocab import parse_industry_code

RULE_ID_RE = r"^[A-Z]{2,5}-[A-Za-z0-9]+$"
KEY_RE = r"^[A-Za-z][A-Za-z0-9_\-]*$"

MSG = {
    "required": "缺少必填项 (missing required key)",
    "null": "不能为空 (may not be null)",
    "invalid_str": "应为字符串 (not a string)",
    "invalid_int": "应为整数 (not an integer)",
    "invalid_num": "应为数字 (not a number)",
    "invalid_bool": "应为 true 或 false (not a boolean)",
    "invalid_list": "应为列表 (not a list)",
    "invalid_table": "应为表 (not a table)",
    "invalid_date": "应为日期 YYYY-MM-DD (not a date)",
    "unknown": "未知的键 (unknown key)",
}


class StrictSchema(Schema):
    """Every pack schema: unknown keys refused, Chinese messages."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": MSG["unknown"], "type": MSG["invalid_table"]}


def _msgs(kind: str) -> dict[str, str]:
    return {"required": MSG["required"], "null": MSG["null"], "invalid": MSG[kind]}


def Str(*, required: bool = True, **kw: Any) -> fields.String:  # noqa: N802
    if not required:
        kw.setdefault("load_default", "")
    return fields.String(required=required, error_messages=_msgs("invalid_str"), **kw)


def Int(
    *, min: int | None = None, max: int | None = None, required: bool = True, **kw: Any
) -> fields.Integer:  # noqa: N802, A002
    validators = []
    if min is not None or max is not None:
        validators.append(validate.Range(min=min, max=max, error=_range_msg(min, max)))
    return fields.Integer(
        strict=True,
        required=required,
        validate=validators,
        error_messages=_msgs("invalid_int"),
        **kw,
    )


def Num(*, min: float | None = None, max: float | None = None, **kw: Any) -> fields.Float:  # noqa: N802, A002
    validators = [validate.Range(min=min, max=max, error=_range_msg(min, max))]
    return fields.Float(
        required=True, validate=validators, error_messages=_msgs("invalid_num"), **kw
    )


def _range_msg(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"应在 {lo} 到 {hi} 之间 (must be between {lo} and {hi})"
    if lo is not None:
        return f"不能小于 {lo} (must be >= {lo})"
    return f"不能大于 {hi} (must be <= {hi})"


class StrictBool(fields.Field):
    default_error_messages = {"invalid": MSG["invalid_bool"]}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def Bool(*, required: bool = True, **kw: Any) -> StrictBool:  # noqa: N802
    return StrictBool(required=required, error_messages={"required": MSG["required"]}, **kw)


class TomlDate(fields.Field):
    """A TOML local date (``2025-03-03``) or its ISO string; never a datetime."""

    default_error_messages = {"invalid": MSG["invalid_date"]}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.make_error("invalid")


def Date(*, required: bool = True, **kw: Any) -> TomlDate:  # noqa: N802
    return TomlDate(required=required, error_messages={"required": MSG["required"]}, **kw)


def OneOf(choices: Any, what: str) -> validate.OneOf:  # noqa: N802
    names = sorted(choices)
    return validate.OneOf(
        names, error=f"未知的{what}（应为 {', '.join(names)} 之一）(unknown {what})"
    )


def Name(choices: Any, what: str, **kw: Any) -> fields.String:  # noqa: N802
    return Str(validate=OneOf(choices, what), **kw)


def Names(choices: Any, what: str, *, required: bool = True, min_len: int = 0) -> fields.List:  # noqa: N802
    return List(Name(choices, what), required=required, min_len=min_len, unique=True)


def RuleId(required: bool = True) -> fields.String:  # noqa: N802
    check = validate.Regexp(
        RULE_ID_RE, error="规则编号格式应为“大写字母-编号”，如 AB-C1 (bad rule id)"
    )
    if not required:  # absent stays absent (no default written into the effective pack)
        return fields.String(required=False, validate=check, error_messages=_msgs("invalid_str"))
    return Str(validate=check)


def _unique(values: list[Any]) -> None:
    seen = set()
    for v in values:
        key = repr(v)
        if key in seen:
            raise ValidationError(f"重复的值 {v!r} (duplicate)")
        seen.add(key)


def List(
    inner: fields.Field, *, required: bool = True, min_len: int = 0, unique: bool = False
) -> fields.List:  # noqa: N802
    validators: list[Any] = []
    if min_len:
        validators.append(
            validate.Length(min=min_len, error=f"至少需要 {min_len} 项 (needs >= {min_len} items)")
        )
    if unique:
        validators.append(_unique)
    kw: dict[str, Any] = {} if required else {"load_default": list}
    return fields.List(
        inner, required=required, validate=validators, error_messages=_msgs("invalid_list"), **kw
    )


def Table(values: fields.Field, *, required: bool = True, min_len: int = 0) -> fields.Dict:  # noqa: N802
    """A TOML table keyed by id (so ids are unique by construction)."""
    validators: list[Any] = []
    if min_len:
        validators.append(
            validate.Length(min=min_len, error=f"至少需要 {min_len} 项 (needs >= {min_len} items)")
        )
    kw: dict[str, Any] = {} if required else {"load_default": dict}
    return fields.Dict(
        keys=fields.String(
            validate=validate.Regexp(KEY_RE, error="键名只能含字母、数字、_、- (bad key)")
        ),
        values=values,
        required=required,
        validate=validators,
        error_messages=_msgs("invalid_table"),
        **kw,
    )


def Nested(schema: type[Schema], *, required: bool = True, **kw: Any) -> fields.Nested:  # noqa: N802
    if not required:
        kw.setdefault("load_default", None)
        kw.setdefault("allow_none", True)
    return fields.Nested(schema, required=required, error_messages=_msgs("invalid_table"), **kw)


def _industry_code(value: str) -> None:
    if parse_industry_code(value) is None or value != value.strip().upper():
        raise ValidationError(
            f"“{value}”不是 GB/T 4754-2017 行业代码（门类字母 A-T，或 2-4 位数字，可带门类字母前缀且须一致）"
            " (not a GB/T 4754-2017 industry code)"
        )


def IndustryCodes(*, required: bool = True) -> fields.List:  # noqa: N802
    return List(Str(validate=_industry_code), required=required, unique=True)


def check_re(value: str, pattern: str) -> bool:
    return re.match(pattern, value) is not None
