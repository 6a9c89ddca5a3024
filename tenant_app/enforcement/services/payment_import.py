"""Payments from the payment platform as a CSV/XLSX file (SX-13): the imports framework's reader
(encodings, hostile files, row and column caps) turns the file into rows; every row names its
decision by 决定书文号, its date, amount (元) and the platform's transaction number. Every bad row
is reported by spreadsheet row (header = row 1) and column title, and nothing is written unless
every row is good. A transaction number is taken once per tenant: the same file twice is
refused by row, never counted twice."""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.enforcement.services import payments
from tenant_app.enforcement.services.common import parse_yuan, yuan
from tenant_app.extensions import db
from tenant_app.imports.services import columns as cols
from tenant_app.imports.services.small_file import read_small_sheet
from tenant_app.models import Case, FinePayment

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000


def take_file(ctx: Context, filename: str, stream: IO[bytes]) -> dict[str, Any]:
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    _data, rows = read_small_sheet(
        filename, stream, cols.PAYMENTS, max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS
    )
    return take_rows(ctx, rows)


def take_rows(ctx: Context, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """``rows``: (row number, {field: value}). All or nothing; errors ``第 N 行 列名``."""
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    if not rows:
        raise ValidationFailed.field("file", "文件中没有缴款记录")
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    good: list[tuple[Case, dict[str, Any]]] = []
    owed: dict[int, int] = {}

    def bad(number: int, name: str, reason: str) -> None:
        errors.setdefault(f"第 {number} 行 {cols.label(cols.PAYMENTS, name)}", []).append(reason)

    for number, raw in rows:
        before = len(errors)
        no = str(raw.get("decision_no") or "").strip()
        case = None
        if not no:
            bad(number, "decision_no", "请填写决定书文号")
        else:
            case = db.session.execute(
                select(Case).where(Case.decision_no == no)
            ).scalar_one_or_none()
            if case is None or not case.total_fine or case.served_on is None:
                bad(number, "decision_no", f"没有找到已送达的罚款决定“{no}”")
                case = None
        try:
            paid_on = a_date(raw.get("paid_on"), required=True, label="缴款日期")
        except FieldProblem as exc:
            bad(number, "paid_on", str(exc))
            paid_on = None
        amount = 0
        try:
            amount = parse_yuan(raw.get("amount"), "amount", "缴款金额")
        except ServiceError as exc:
            bad(number, "amount", exc.errors["amount"][0])
        ref = str(raw.get("reference") or "").strip()
        if not ref or len(ref) > 64:
            bad(number, "reference", "请填写缴款流水号（不超过64字）")
        elif ref in seen:
            bad(number, "reference", f"流水号“{ref}”在文件中重复")
        elif db.session.execute(select(FinePayment.id).where(FinePayment.reference == ref)).first():
            bad(number, "reference", f"流水号“{ref}”已登记过")
        seen.add(ref)
        if case is not None and paid_on is not None:
            if paid_on > ctx.today:
                bad(number, "paid_on", "缴款日期不能晚于今天")
            elif paid_on < case.served_on:  # type: ignore[operator]
                bad(number, "paid_on", "缴款日期不能早于决定书送达日期")
        if case is not None and amount and len(errors) == before:
            if case.id not in owed:
                owed[case.id] = payments.fine_state(ctx, case).outstanding_fen
            if amount > owed[case.id]:
                bad(number, "amount", f"超过该决定尚欠金额 {yuan(owed[case.id])} 元")
            else:
                owed[case.id] -= amount
        if len(errors) == before and case is not None:
            good.append(
                (
                    case,
                    {
                        "paid_on": paid_on,
                        "amount": amount,
                        "reference": ref,
                        "note": str(raw.get("note") or "")[:500],
                    },
                )
            )
    if errors:
        raise ValidationFailed("导入未完成：以下行有误，未写入任何一行", errors)
    total = 0
    for case, row in good:
        db.session.add(
            FinePayment(
                case_id=case.id,
                paid_on=row["paid_on"],
                amount_fen=row["amount"],
                source="import",
                reference=row["reference"],
                note=row["note"],
                recorded_by=ctx.actor.user_id,
            )
        )
        total += row["amount"]
    db.session.flush()
    answer = {"rows": len(good), "total": yuan(total), "cases": sorted({c.id for c, _r in good})}
    audit.record(ctx, "payment.imported", object_type="fine_payments", after=answer)
    return answer
