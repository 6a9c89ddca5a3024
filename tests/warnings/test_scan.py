"""SX-1 daily warning scan: lead times from the pack (calendar and working days), one warning per
cause and period however often it runs, a cause gone closes its warning, an unanswered warning
escalates with the next rung of the pack's ladder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tenant_app.extensions import db
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.warnings.services import lifecycle
from tenant_app.warnings.services.common import get_warning
from tests.clock_fixtures import needs_holidays
from tests.helpers import tenant

from .conftest import add_record, enterprise, run_scan, warnings_of


@pytest.mark.today("2026-03-02")
def test_SX_1_permit_expiry_warned_90_days_ahead_once_however_often_the_scan_runs(
    world: Any, travel: Callable[[str], None]
) -> None:
    near = enterprise(permit_class="key", permit_no="P-1", permit_valid_to=date(2026, 5, 31))
    far = enterprise(permit_class="key", permit_no="P-2", permit_valid_to=date(2026, 6, 1))
    run_scan()
    run_scan()  # the same day again: nothing new
    (w,) = warnings_of(near.id, cause="permit_expiry")
    assert (w.cause, w.period, w.due_on, w.status) == (
        "permit_expiry",
        "2026-05-31",
        date(2026, 5, 31),
        "sent",
    )
    assert w.rule_id == "SX-1" and w.policy_version and "提前90日" in w.facts["explanation"]
    # 2026-03-02 + 90 days = 2026-05-31: June 1 is one day beyond the lead time.
    assert warnings_of(far.id, cause="permit_expiry") == []
    # A key-managed permit holder also owes its 2025 execution report (due 2026-01-31): one.
    assert [x.cause for x in warnings_of(near.id)] == ["permit_expiry", "execution_report"]
    travel("2026-03-03")
    run_scan()
    assert len(warnings_of(far.id, cause="permit_expiry")) == 1
    assert len(warnings_of(near.id, cause="permit_expiry")) == 1


@needs_holidays(2026)
@pytest.mark.today("2026-01-16")
def test_SX_1_execution_report_lead_counts_working_days(
    world: Any, travel: Callable[[str], None]
) -> None:
    """The 2025 annual report is due 2026-01-31; the pack warns 10 working days ahead. On Friday
    Jan 16 the tenth working day is Jan 30 (too early); on Monday Jan 19 it is Feb 2, past the
    due date — while 10 calendar days would reach only Jan 29."""
    e = enterprise(permit_class="key", permit_no="P-3", permit_valid_to=date(2030, 1, 1))
    filed = enterprise(permit_class="simplified", permit_no="P-4")
    add_record("sx-taiyuan", filed.id, "execution_report", "2025", date(2026, 1, 10))
    run_scan()
    assert warnings_of(e.id) == []
    travel("2026-01-19")
    run_scan()
    (w,) = warnings_of(e.id)
    assert (w.cause, w.period, w.due_on) == ("execution_report", "2025", date(2026, 1, 31))
    assert "10个工作日" in w.facts["explanation"]
    assert warnings_of(filed.id) == []
    # The report arrives: its warning closes at the next scan, and stays closed.
    add_record("sx-taiyuan", e.id, "execution_report", "2025", date(2026, 1, 20))
    travel("2026-01-20")
    result = run_scan()
    (w,) = warnings_of(e.id)
    assert (w.status, w.close_reason) == ("closed", "cause_gone") and result.closed >= 1
    run_scan()
    assert len(warnings_of(e.id)) == 1


@pytest.mark.today("2026-03-02")
def test_SX_1_disclosure_warned_for_key_dischargers_only_and_XJ_pack_has_no_such_cause(
    world: Any,
) -> None:
    """企业环境信息依法披露 of 2025 is due 2026-03-15; 10 working days before is on or before today."""
    key = enterprise(key_discharger=True)
    other = enterprise(key_discharger=False)
    xj = enterprise("xj-urumqi", key_discharger=True, permit_class="key", permit_no="X-1")
    run_scan()
    run_scan("xj-urumqi")
    (w,) = warnings_of(key.id)
    assert (w.cause, w.period, w.due_on) == ("emission_disclosure", "2025", date(2026, 3, 15))
    assert warnings_of(other.id) == []
    assert [x.cause for x in warnings_of(xj.id, "xj-urumqi")] == []


@pytest.mark.today("2026-03-02")
def test_SX_1_renewed_permit_closes_its_warning(world: Any) -> None:
    e = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 1))
    run_scan()
    t = tenant("sx-taiyuan")
    with use_scope(system_scope(t.id)):
        from tenant_app.models import Enterprise

        row = db.session.get(Enterprise, e.id)
        assert row is not None
        row.permit_valid_to = date(2031, 4, 1)
        db.session.commit()
    run_scan()
    (w,) = warnings_of(e.id)
    assert (w.status, w.close_reason, w.closed_on) == ("closed", "cause_gone", date(2026, 3, 2))


@needs_holidays(2026)
@pytest.mark.today("2026-03-02")
def test_SX_1_unanswered_warning_escalates_with_the_next_rung(
    world: Any, travel: Callable[[str], None]
) -> None:
    e = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 1))
    answered = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 1))
    run_scan()
    (w,) = warnings_of(e.id)
    # 10 working days after Mon 2026-03-02 is Mon 2026-03-16.
    assert w.answer_due == date(2026, 3, 16)
    (wa,) = warnings_of(answered.id)
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        lifecycle.answer(scope_context(), get_warning(wa.id), "已提交延续申请", "已提交材料")
        db.session.commit()
    travel("2026-03-16")
    run_scan()
    assert warnings_of(e.id)[0].status == "sent"  # the last day is still in time
    travel("2026-03-17")
    result = run_scan()
    (w,) = warnings_of(e.id)
    assert (w.status, w.rung, w.escalated_on) == ("escalated", "guidance", date(2026, 3, 17))
    assert "SX-1" in w.escalation_reason and "逾期未答复" in w.escalation_reason
    assert w.facts["escalation"]["rule_id"] == "SX-1"
    assert result.escalated >= 1
    assert warnings_of(answered.id)[0].status == "answered"
    # A second escalation of the same enterprise proposes the next rung.
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        from tenant_app.models import EnterpriseWarning

        t = tenant("sx-taiyuan")
        second = EnterpriseWarning(
            tenant_id=t.id,
            enterprise_id=e.id,
            cause="monitoring_anomaly",
            period="2026-03-01",
            due_on=date(2026, 3, 1),
            sent_on=date(2026, 3, 2),
            answer_due=date(2026, 3, 16),
        )
        db.session.add(second)
        db.session.commit()
    run_scan()  # its anomaly is gone (no open rows): it closes instead of escalating
    assert warnings_of(e.id)[1].status == "closed"
