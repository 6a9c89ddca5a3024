"""The reminders seam (warnings/due.py) and the hand-written iCalendar (RFC 5545)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from tenant_app.auth.roles import Perm
from tenant_app.clock import SHANGHAI
from tenant_app.notifications.services.notify import staff_with
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.warnings.due import warning_deadlines
from tenant_app.warnings.services import ics
from tests.helpers import tenant

from .conftest import enterprise, make_enterprise_user, run_scan


@pytest.mark.today("2026-03-02")
def test_SX_1_due_items_for_the_enterprise_and_for_staff(
    world: Any, travel: Callable[[str], None]
) -> None:
    a = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 1))
    enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 2))
    user = make_enterprise_user("sx-taiyuan", a, "ent-due")
    run_scan()
    t = tenant("sx-taiyuan")
    with use_scope(system_scope(t.id)):
        ctx = scope_context()
        mine = warning_deadlines(ctx, user_id=user.id, horizon=date(2026, 3, 31))
        assert [(i.due, i.kind, i.rule_id, i.assignee_id) for i in mine] == [
            (date(2026, 3, 16), "warning.answer", "SX-1", user.id)
        ]
        assert mine[0].link.startswith("/sx-taiyuan/enterprise/warnings/")
        assert warning_deadlines(ctx, user_id=user.id, horizon=date(2026, 3, 15)) == []
        everyone = warning_deadlines(ctx, user_id=None, horizon=date(2026, 3, 31))
        # b has no account: its answer is nobody's reminder until it escalates
        assert [i.object_ref for i in everyone] == [mine[0].object_ref]
        officers = staff_with(ctx, Perm.WARNINGS_EDIT)
        assert officers and user.id not in officers
    travel("2026-03-17")
    run_scan()  # unanswered: escalated, now waiting for the officers
    with use_scope(system_scope(t.id)):
        ctx = scope_context()
        assert warning_deadlines(ctx, user_id=user.id, horizon=date(2026, 3, 31)) == []
        escalated = [
            i
            for i in warning_deadlines(ctx, user_id=None, horizon=date(2026, 3, 31))
            if i.object_ref == mine[0].object_ref
        ]
        assert {(i.due, i.kind, i.assignee_id) for i in escalated} == {
            (date(2026, 3, 17), "warning.escalated", o) for o in officers
        }
        assert all(i.link.startswith("/sx-taiyuan/warnings/") for i in escalated)


def test_icalendar_escapes_text_and_folds_long_lines_by_octets() -> None:
    body = ics.calendar(
        "企业, 日历; 测试",
        [("u1@x", date(2026, 4, 1), "答复预警：" + "长" * 40, "第一行\n第二行")],
        datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI),
    )
    lines = body.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "END:VCALENDAR"
    assert "X-WR-CALNAME:企业\\, 日历\\; 测试" in body
    assert "DTSTAMP:20260302T020000Z" in body and "DTEND;VALUE=DATE:20260402" in body
    assert "DESCRIPTION:第一行\\n第二行" in body
    assert all(len(line.encode()) <= 75 for line in lines)
    # Unfolding (RFC 5545 §3.1) gives the summary back whole.
    assert "SUMMARY:答复预警：" + "长" * 40 in body.replace("\r\n ", "")
