"""Unified social credit code (统一社会信用代码, GB 32100-2015) checks with Chinese reasons.

``stdnum.cn.uscc`` is the authority; this module only explains *which* character is wrong, so
a clerk can fix a typed code without guessing.
"""

from __future__ import annotations

import unicodedata

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V


def normalise(raw: str) -> str:
    """Full-width characters (common from Chinese input methods) become ASCII; spaces and
    hyphens go; letters are upper-cased."""
    return stdnum_uscc.compact(unicodedata.normalize("NFKC", raw or ""))


def problem(code: str) -> str | None:
    """The reason ``code`` (normalised) is not a valid USCC, or None."""
    if not code:
        return "请填写统一社会信用代码"
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，现为 {len(code)} 位"
    for pos, ch in enumerate(code, start=1):
        if pos <= 8 and ch not in "0123456789":
            return f"统一社会信用代码第 {pos} 位“{ch}”无效：前 8 位应为数字（登记管理部门、机构类别和行政区划码）"
        if pos > 8 and ch not in ALPHABET:
            return (
                f"统一社会信用代码第 {pos} 位“{ch}”不是有效字符"
                "（只用数字和除 I、O、Z、S、V 以外的大写字母）"
            )
    expected = stdnum_uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码第 18 位校验码应为 {expected}，填写的是 {code[17]}"
    try:
        stdnum_uscc.validate(code)
    except ValidationError:  # a rule stdnum adds later: still refuse, with a general reason
        return "统一社会信用代码格式不正确"
    return None


def check(raw: str) -> tuple[str, str | None]:
    """(normalised code, reason or None)."""
    code = normalise(raw)
    return code, problem(code)


def with_check_digit(first17: str) -> str:
    """Complete 17 characters with their check digit (tests and demo data)."""
    return first17 + stdnum_uscc.calc_check_digit(first17)
