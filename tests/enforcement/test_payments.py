"""SX-13 with 行政处罚法第六十六、六十七、七十二条 (issue 15 item 3), with real dates: the due date
from service, instalments approved only by the role the pack names, the late-payment surcharge
per day and its cap (never above the fine), payment imports all-or-nothing, enforcement."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.core.errors import ServiceError
from tenant_app.enforcement.services import payment_import, payments
from tenant_app.enforcement.services.common import get_case
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, FinePayment

from .conftest import PDF, as_user, make_enterprise, make_enterprise_user, served_fine

SX = "sx-taiyuan"


def _state(case_id: int, on: date | None = None) -> payments.FineState:
    with as_user("taiyuan-officer1", SX) as ctx:
        return payments.fine_state(ctx, get_case(case_id), on)


def _pay(case_id: int, paid_on: str, amount: str, ref: str) -> None:
    with as_user("taiyuan-officer1", SX) as ctx:
        payments.record_payment(
            ctx, get_case(case_id), {"paid_on": paid_on, "amount": amount, "reference": ref}
        )


@pytest.mark.today("2026-03-10")
def test_NAT_APL_67_3_due_fifteen_days_after_service(world: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 10000, date(2026, 3, 2))
    s = _state(case_id)
    assert s.due_on == date(2026, 3, 17) and s.state == "not_due"
    assert "NAT-APL-67.3" in s.rule_ids and s.surcharge_fen == 0


@pytest.mark.today("2026-09-20")
def test_NAT_APL_67_3_due_date_on_national_day_moves_to_the_next_working_day(world: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 5000, date(2026, 9, 16))  # + 15 days = 2026-10-01
    s = _state(case_id)
    assert s.due_on is not None and s.due_on > date(2026, 10, 7)
    assert "顺延" in s.due_explanation


@pytest.mark.today("2026-03-05")
def test_NAT_APL_66_2_instalments_approved_only_by_the_named_role_then_surcharge_capped(
    world: Any, travel: Any
) -> None:
    """An instalment plan of 3 parts; the officer may not approve (the pack names the principal
    head); the second part is paid 10 days late (3% a day of that part); the last is never paid,
    and by autumn the surcharge stops at the fine (NAT-APL-72.1-cap)."""
    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "pay-qiye1")
    case_id = served_fine(SX, e, 10000, date(2026, 3, 2))
    with as_user("pay-qiye1", SX) as ctx:
        app = payments.apply(
            ctx,
            payments.my_case(ctx, case_id),
            {"kind": "instalments", "parts": "3", "reasons": "受疫情影响资金周转困难"},
            PDF,
        )
        app_id = app.id
    with pytest.raises(ServiceError) as refused, as_user("taiyuan-officer1", SX) as ctx:
        payments.decide(ctx, payments.get_application(app_id), "1", "同意")
    assert refused.value.status == 409
    assert "NAT-APL-66.2-approver" in refused.value.errors["rule_ids"]
    assert "主要负责人" in refused.value.message
    with as_user("taiyuan-principal", SX) as ctx:
        payments.decide(ctx, payments.get_application(app_id), "1", "经审查确有困难，同意分三期")
    s = _state(case_id)
    assert s.arrangement == "instalments"
    assert [(p.due_on, p.amount_fen) for p in s.parts] == [
        (date(2026, 3, 17), 333334),
        (date(2026, 4, 17), 333333),
        (date(2026, 5, 17), 333333),
    ]
    travel("2026-03-16")
    _pay(case_id, "2026-03-16", "3333.34", "PAY-1")
    travel("2026-04-27")
    _pay(case_id, "2026-04-27", "3333.33", "PAY-2")  # 10 days after 2026-04-17
    s = _state(case_id)
    assert s.parts[1].late_days == 10
    assert s.surcharge_fen == 100000  # 333,333 fen × 3% × 10 days = 99,999.9 → 1,000.00 元
    assert not s.capped and s.state == "overdue"  # the surcharge is owed
    travel("2026-09-30")
    s = _state(case_id)
    assert s.parts[2].late_days == (date(2026, 9, 30) - date(2026, 5, 17)).days
    assert s.surcharge_raw_fen > s.fine_fen
    assert s.capped and s.surcharge_fen == s.fine_fen == s.cap_fen == 1000000
    assert s.outstanding_fen == 333333 + 1000000
    assert "NAT-APL-72.1-cap" in s.surcharge_explanation
    with as_user("taiyuan-officer1", SX) as ctx:
        entries = db.session.execute(
            select(AuditEntry.action).where(AuditEntry.action.like("payment.%"))
        ).scalars()
        assert {"payment.applied", "payment.decided", "payment.recorded"} <= set(entries)


@pytest.mark.today("2026-03-05")
def test_NAT_APL_66_2_application_needs_reasons_proof_and_bounded_parts(world: Any) -> None:
    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "pay-qiye2")
    case_id = served_fine(SX, e, 8000, date(2026, 3, 2))
    cases = [
        ({"kind": "instalments", "parts": "30", "reasons": "困难"}, PDF, "parts"),
        ({"kind": "instalments", "parts": "3", "reasons": ""}, PDF, "reasons"),
        ({"kind": "instalments", "parts": "3", "reasons": "困难"}, None, "proof"),
        ({"kind": "deferral", "defer_until": "2026-03-10", "reasons": "困难"}, PDF, "defer_until"),
        (
            {"kind": "instalments", "parts": "3", "reasons": "困难"},
            ("x.pdf", "application/pdf", b"MZ not a pdf"),
            "proof",
        ),
    ]
    for data, proof, field in cases:
        with pytest.raises(ServiceError) as bad, as_user("pay-qiye2", SX) as ctx:
            payments.apply(ctx, payments.my_case(ctx, case_id), data, proof)
        assert field in bad.value.errors, (data, bad.value.errors)


@pytest.mark.today("2026-03-05")
def test_NAT_APL_66_2_deferral_approved_moves_the_due_date(world: Any) -> None:
    e = make_enterprise(SX)
    make_enterprise_user(SX, e, "pay-qiye3")
    case_id = served_fine(SX, e, 8000, date(2026, 3, 2))
    with as_user("pay-qiye3", SX) as ctx:
        app_id = payments.apply(
            ctx,
            payments.my_case(ctx, case_id),
            {"kind": "deferral", "defer_until": "2026-06-30", "reasons": "订单回款延迟"},
            PDF,
        ).id
    with as_user("taiyuan-principal", SX) as ctx:
        payments.decide(ctx, payments.get_application(app_id), "1", "同意暂缓")
    s = _state(case_id, date(2026, 6, 1))
    assert [p.due_on for p in s.parts] == [date(2026, 6, 30)] and s.surcharge_fen == 0


@pytest.mark.today("2026-04-20")
def test_payment_import_bad_rows_write_nothing_then_good_file_is_taken(world: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    with as_user("taiyuan-officer1", SX) as ctx:
        no = get_case(case_id).decision_no
    rows = [
        (2, {"decision_no": no, "paid_on": "2026-03-10", "amount": "400", "reference": "T-1"}),
        (
            3,
            {
                "decision_no": "不存在的文号",
                "paid_on": "2026-03-10",
                "amount": "1",
                "reference": "T-2",
            },
        ),
        (4, {"decision_no": no, "paid_on": "2026-13-01", "amount": "1.234", "reference": "T-1"}),
    ]
    with pytest.raises(ServiceError) as bad, as_user("taiyuan-officer1", SX) as ctx:
        payment_import.take_rows(ctx, rows)
    errors = bad.value.errors
    assert "第 3 行 决定书文号" in errors
    assert "第 4 行 缴款日期" in errors and "第 4 行 缴款金额（元）" in errors
    assert "第 4 行 缴款流水号" in errors  # T-1 twice in the file
    with as_user("taiyuan-officer1", SX) as ctx:
        assert db.session.execute(select(FinePayment.id)).first() is None
    csv = (
        "决定书文号,缴款日期,缴款金额（元）,缴款流水号\n"
        f"{no},2026-03-10,400,T-1\n{no},2026-03-12,600.00,T-3\n"
    ).encode()
    import io

    with as_user("taiyuan-officer1", SX) as ctx:
        answer = payment_import.take_file(ctx, "pay.csv", io.BytesIO(csv))
    assert answer["rows"] == 2 and answer["total"] == "1,000.00"
    assert _state(case_id).state == "paid"
    with pytest.raises(ServiceError) as again, as_user("taiyuan-officer1", SX) as ctx:
        payment_import.take_file(ctx, "pay.csv", io.BytesIO(csv))
    assert "第 2 行 缴款流水号" in again.value.errors


@pytest.mark.today("2026-03-05")
def test_NAT_APL_72_1_4_enforcement_only_when_overdue(world: Any, travel: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 2000, date(2026, 3, 2))
    with pytest.raises(ServiceError) as early, as_user("taiyuan-officer1", SX) as ctx:
        payments.apply_enforcement(ctx, get_case(case_id), "逾期未缴")
    assert "NAT-APL-72.1.4" in early.value.errors["rule_ids"]
    travel("2026-04-06")
    with as_user("taiyuan-officer1", SX) as ctx:
        s = payments.apply_enforcement(ctx, get_case(case_id), "经催告仍未缴纳")
    assert s.state == "enforcement" and s.enforcement_on == date(2026, 4, 6)
    assert s.surcharge_fen == 200000 * 3 * 20 // 100  # 20 days late × 3% of 200,000 fen


@pytest.mark.today("2026-03-05")
def test_isolation_another_city_cannot_see_or_pay_the_fine(world: Any) -> None:
    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    with pytest.raises(ServiceError) as hidden, as_user("urumqi-officer1", "xj-urumqi"):
        get_case(case_id)
    assert hidden.value.status == 404
    other = make_enterprise(SX)
    make_enterprise_user(SX, other, "pay-other")
    with pytest.raises(ServiceError) as not_mine, as_user("pay-other", SX) as ctx:
        payments.my_case(ctx, case_id)
    assert not_mine.value.status == 404


@pytest.mark.today("2026-03-15")
def test_NAT_APL_67_3_payment_due_date_in_the_officers_reminders(world: Any) -> None:
    """The reminders queue carries each open fine's next unpaid due date (kind payment.due)."""
    from tenant_app.enforcement.due import payment_deadlines

    e = make_enterprise(SX)
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    with as_user("taiyuan-officer1", SX) as ctx:
        items = payment_deadlines(ctx, user_id=None, horizon=date(2026, 3, 20))
    mine = [i for i in items if i.object_ref == f"case:{case_id}"]
    assert [(i.due, i.kind, i.rule_id) for i in mine] == [
        (date(2026, 3, 17), "payment.due", "NAT-APL-67.3")
    ]
    _pay(case_id, "2026-03-15", "1000", "DUE-1")
    with as_user("taiyuan-officer1", SX) as ctx:
        items = payment_deadlines(ctx, user_id=None, horizon=date(2026, 3, 20))
    assert not [i for i in items if i.object_ref == f"case:{case_id}"]


def test_NAT_APL_66_2_approver_a_region_may_name_a_staff_role_but_not_a_made_up_one() -> None:
    """The approver is an ``open`` national rule of unit ``role``: a region's pack may name
    another staff role; a code that is not one is refused naming the key."""
    from policies import PackError
    from policies.loader import load_pack

    base = load_pack("shanxi")
    assert base["national"]["rules"]["payment"]["deferral_approver"]["value"] == "principal_head"
    from policies.national_layer import inherit

    national = {k: v for k, v in base["national"].items()}
    ok = inherit(
        {
            "meta": {"version": "x"},
            "national": {"rules": {"payment": {"deferral_approver": {"value": "agency_head"}}}},
        },
        national,
        "test",
    )
    assert ok["national"]["rules"]["payment"]["deferral_approver"]["value"] == "agency_head"
    with pytest.raises(PackError) as bad:
        inherit(
            {
                "meta": {"version": "x"},
                "national": {"rules": {"payment": {"deferral_approver": {"value": "boss"}}}},
            },
            national,
            "test",
        )
    assert "national.rules.payment.deferral_approver.value" in bad.value.errors
