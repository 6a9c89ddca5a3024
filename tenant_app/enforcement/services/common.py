"""What the enforcement services share: the acting tenant's policy, lookups in the scope, the
enterprise's own objects, money in fen and the limits of what a person may type."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from policies import Policy
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.inspections.services.common import get, tenant_of
from tenant_app.models import Case, Enterprise
from tenant_app.policy.service import policy_for
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.registry.services.enterprises import NotFound

__all__ = [
    "NotFound",
    "Refused",
    "refuse",
    "policy_of",
    "get",
    "get_case",
    "get_enterprise",
    "mine",
    "fen_of_yuan",
    "yuan",
    "parse_yuan",
    "text",
    "TEXT_MAX",
]

TEXT_MAX = 8000
MAX_ID = 2**63 - 1
FEN = Decimal(100)


class Refused(ServiceError):
    """The law or the pack forbids the step now: 409 with the reason and its rule ids."""

    status = 409
    code = "refused_by_rules"


def refuse(rule_id: str, reason: str) -> Refused:
    text_ = f"{rule_id}：{reason}" if rule_id else reason
    return Refused("依据规定不能办理：" + text_, {"rules": [text_], "rule_ids": [rule_id]})


def policy_of(ctx: Context, on: date | None = None) -> Policy:
    return policy_for(tenant_of(ctx), on or ctx.today)


def get_case(case_id: Any) -> Case:
    """Within the scope: another tenant's case and a missing one are the same 404."""
    return get(Case, case_id, "该案件")


def get_enterprise(enterprise_id: Any) -> Enterprise:
    return get(Enterprise, enterprise_id, "该企业")


def mine(ctx: Context) -> Enterprise:
    require_action(ctx, Perm.OWN_ENFORCEMENT)
    return my_enterprise(ctx)


def fen_of_yuan(yuan_: int | Decimal) -> int:
    """Whole fen of an amount in yuan (the case's fine is whole yuan)."""
    return int((Decimal(yuan_) * FEN).to_integral_value(rounding=ROUND_HALF_UP))


def yuan(fen: int) -> str:
    """1234550 → "12,345.50"."""
    return f"{Decimal(fen) / FEN:,.2f}"


def parse_yuan(value: Any, field: str, label: str = "金额") -> int:
    """An amount typed in yuan ("1,000.50", "1000元") as fen; more than two decimals, zero or a
    negative amount is refused by field."""
    raw = str(value if value is not None else "").strip()
    raw = raw.replace(",", "").replace("，", "").removesuffix("元").strip()
    if isinstance(value, bool) or not raw:
        raise ValidationFailed.field(field, f"请填写{label}（单位：元）")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed.field(field, f"“{value}”不是{label}（单位：元）") from None
    if not amount.is_finite() or amount <= 0 or amount > Decimal("999999999999.99"):
        raise ValidationFailed.field(field, f"{label}应大于 0 元")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed.field(field, f"{label}最多保留两位小数（分）")
    return int(amount * FEN)


def text(
    value: Any, field: str, label: str, *, required: bool = True, max_len: int = TEXT_MAX
) -> str:
    out = str(value if value is not None else "").strip()
    if required and not out:
        raise ValidationFailed.field(field, f"请填写{label}")
    if len(out) > max_len:
        raise ValidationFailed.field(field, f"{label}不能超过 {max_len} 字")
    return out
