"""Intake of online-monitoring anomalies and exceedances (SX-1, SX-8), from a monitoring
platform's push (the JSON batch API) or a CSV/XLSX upload: every row tied to its enterprise by
统一社会信用代码 (and, when given, the permit number the registry holds), every bad row reported by
index and field in Chinese, and nothing written unless every row is good.

A batch id is taken once per tenant: posting it again writes nothing and answers what the first
post answered, so a platform that retries after a lost response cannot double its data. A row
with ``resolved_on`` that matches an open row already held (same enterprise, point, pollutant,
kind and day) closes that row instead of adding one: that is how "the data is normal again"
arrives, and the daily scan then closes the warning."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core import uscc as uscc_check
from tenant_app.core.errors import ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date, choice, text
from tenant_app.extensions import db
from tenant_app.models import Enterprise, MonitoringBatch, MonitoringRecord
from tenant_app.models.warning import MONITORING_KINDS

MAX_ROWS = 5000
BATCH_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
FIELD_LABELS = {
    "uscc": "统一社会信用代码",
    "permit_no": "排污许可证编号",
    "point": "监测点位",
    "pollutant": "监测因子",
    "kind": "异常类型",
    "observed_on": "发现日期",
    "value": "监测值",
    "limit_value": "标准限值",
    "unit": "单位",
    "note": "说明",
    "resolved_on": "恢复正常日期",
}


def _number(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldProblem("应为数字")
    try:
        out = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldProblem(f"“{value}”不是数字") from None
    if not out.is_finite() or abs(out) >= Decimal("1e12"):
        raise FieldProblem("数值超出范围")
    return out.quantize(Decimal("0.0001"))


def _row(raw: Any, today: date) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One row's clean values and its problems by field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return {}, {"row": ["每一行应为一个对象（JSON object）"]}

    def take(name: str, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            clean[name] = fn(*args, **kw)
        except FieldProblem as exc:
            errors.setdefault(name, []).append(str(exc))
            clean[name] = None
        return clean[name]

    code, problem = uscc_check.check(str(raw.get("uscc") or ""))
    if problem:
        errors["uscc"] = [problem]
    clean["uscc"] = code
    take("permit_no", text, raw.get("permit_no"), 64)
    take("point", text, raw.get("point"), 64, required=True, label="监测点位")
    take("pollutant", text, raw.get("pollutant"), 32, required=True, label="监测因子")
    take("kind", choice, raw.get("kind"), MONITORING_KINDS, required=True, label="异常类型")
    observed = take("observed_on", a_date, raw.get("observed_on"), required=True, label="发现日期")
    take("value", _number, raw.get("value"))
    take("limit_value", _number, raw.get("limit_value"))
    take("unit", text, raw.get("unit"), 16)
    take("note", text, raw.get("note"), 500)
    resolved = take("resolved_on", a_date, raw.get("resolved_on"), label="恢复正常日期")
    if observed and observed > today:
        errors.setdefault("observed_on", []).append("发现日期不能晚于今天")
    if observed and resolved and resolved < observed:
        errors.setdefault("resolved_on", []).append("恢复正常日期不能早于发现日期")
    if resolved and resolved > today:
        errors.setdefault("resolved_on", []).append("恢复正常日期不能晚于今天")
    if clean.get("kind") == "exceedance" and not errors.get("value"):
        if clean.get("value") is None or clean.get("limit_value") is None:
            errors.setdefault("value", []).append("超标数据须填写监测值和标准限值")
        elif clean["value"] <= clean["limit_value"]:
            errors.setdefault("value", []).append("监测值未超过标准限值，不是超标数据")
    return clean, errors


def check_batch_id(batch_id: Any) -> str:
    value = str(batch_id or "").strip()
    if not BATCH_ID_RE.match(value):
        raise ValidationFailed.field(
            "batch_id", "批次号应为 1 至 64 位字母、数字或 . _ : -，且以字母或数字开头"
        )
    return value


def replayed(batch_id: str) -> dict[str, Any] | None:
    """What the first post of ``batch_id`` answered, if it was taken already."""
    row = db.session.execute(
        select(MonitoringBatch).where(MonitoringBatch.batch_id == batch_id)
    ).scalar_one_or_none()
    return dict(row.response) if row is not None else None


def take_batch(
    ctx: Context, batch_id: Any, rows: Sequence[Any], *, source: str = "api"
) -> tuple[dict[str, Any], bool]:
    """Take one batch: ``(answer, created)``; ``created`` is False for a batch id taken before
    (nothing written, the first answer returned). Raises ValidationFailed with
    ``rows.<index>.<field>`` errors (index from 0) and writes nothing if any row is bad."""
    require_action(ctx, Perm.MONITORING_INTAKE)
    bid = check_batch_id(batch_id)
    before = replayed(bid)
    if before is not None:
        return before, False
    if not isinstance(rows, (list, tuple)) or not rows:
        raise ValidationFailed.field("rows", "请至少提供一行监测数据")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed.field("rows", f"一个批次最多 {MAX_ROWS} 行，请拆分后分别提交")
    today = ctx.today
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for i, raw in enumerate(rows):
        clean, problems = _row(raw, today)
        for name, msgs in problems.items():
            errors[f"rows.{i}.{name}"] = msgs
        cleaned.append(clean)
    codes = {c["uscc"] for c in cleaned if c.get("uscc")}
    by_code = {
        e.uscc: e
        for e in db.session.execute(
            select(Enterprise).where(
                Enterprise.tenant_id == ctx.tenant_id, Enterprise.uscc.in_(codes)
            )
        ).scalars()
    }
    for i, c in enumerate(cleaned):
        if f"rows.{i}.uscc" in errors or not c:
            continue
        e = by_code.get(c["uscc"])
        if e is None:
            errors[f"rows.{i}.uscc"] = [
                f"本单位企业名录中没有统一社会信用代码为 {c['uscc']} 的企业"
            ]
        elif c.get("permit_no") and c["permit_no"] != e.permit_no:
            errors[f"rows.{i}.permit_no"] = [
                f"排污许可证编号与企业名录不一致（名录为“{e.permit_no or '无'}”）"
            ]
        else:
            c["enterprise_id"] = e.id
    if errors:
        raise ValidationFailed(
            f"监测数据有 {len({k.split('.')[1] for k in errors})} 行有误，未写入任何一行", errors
        )

    batch = MonitoringBatch(
        tenant_id=ctx.tenant_id,
        batch_id=bid,
        source=source,
        rows=len(cleaned),
        response={},
        received_by=ctx.user_id,
    )
    db.session.add(batch)
    db.session.flush()
    new_rows: list[dict[str, Any]] = []
    resolved = 0
    for i, c in enumerate(cleaned):
        if c["resolved_on"] is not None:
            match = db.session.execute(
                select(MonitoringRecord).where(
                    MonitoringRecord.enterprise_id == c["enterprise_id"],
                    MonitoringRecord.point == c["point"],
                    MonitoringRecord.pollutant == c["pollutant"],
                    MonitoringRecord.kind == c["kind"],
                    MonitoringRecord.observed_on == c["observed_on"],
                    MonitoringRecord.resolved_on.is_(None),
                )
            ).scalars()
            hits = list(match)
            if hits:
                for m in hits:
                    m.resolved_on = c["resolved_on"]
                resolved += len(hits)
                continue
        new_rows.append(
            {
                "tenant_id": ctx.tenant_id,
                "enterprise_id": c["enterprise_id"],
                "batch_pk": batch.id,
                "row_no": i,
                "permit_no": c["permit_no"] or "",
                "point": c["point"],
                "pollutant": c["pollutant"],
                "kind": c["kind"],
                "observed_on": c["observed_on"],
                "value": c["value"],
                "limit_value": c["limit_value"],
                "unit": c["unit"] or "",
                "note": c["note"] or "",
                "resolved_on": c["resolved_on"],
                "created_at": ctx.at,
            }
        )
    if new_rows:
        db.session.execute(insert(MonitoringRecord), new_rows)
    answer = {
        "batch_id": bid,
        "rows": len(cleaned),
        "created": len(new_rows),
        "resolved": resolved,
        "enterprises": len({c["enterprise_id"] for c in cleaned}),
    }
    batch.response = answer
    audit.record(
        ctx,
        "monitoring.batch_taken",
        object_type="monitoring_batch",
        object_id=batch.id,
        after={**answer, "source": source},
    )
    return answer, True
