"""SX-0 渐进式执法 with SX-11 and SX-2 (issue 15 items 4-5), with real dates: the ladder proposes
"guidance" for a first minor finding and "penalty" for a serious one, climbs from the
enterprise's history (普法 attended counts on it), and a choice other than the proposal needs a
written reason, kept and audited. Isolation: another city's enterprise is a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.core.errors import ServiceError
from tenant_app.enforcement.services import education, ladder
from tenant_app.enforcement.services.common import get_enterprise
from tenant_app.extensions import db
from tenant_app.models import AuditEntry
from tenant_app.registry.services import records

from .conftest import as_user, make_enterprise, served_fine

SX, XJ = "sx-taiyuan", "xj-urumqi"
DOC = {"document_title": "教育引导书", "document_body": "经查……依据……请贵单位……"}


@pytest.mark.today("2026-05-11")
def test_SX_0_first_minor_finding_proposes_guidance(world: Any) -> None:
    e = make_enterprise(SX)
    with as_user("taiyuan-officer1", SX) as ctx:
        p = ladder.proposal(ctx, get_enterprise(e.id), ["minor_harm", "first_violation"])
    assert p.answer["id"] == "guidance" and p.rule_id == "SX-0"
    assert "首次" in p.explanation


@pytest.mark.today("2026-05-11")
def test_SX_11_serious_violation_proposes_penalty_straight_away(world: Any) -> None:
    e = make_enterprise(SX)
    with as_user("taiyuan-officer1", SX) as ctx:
        p = ladder.proposal(ctx, get_enterprise(e.id), ["secret_discharge"])
    assert p.answer["id"] == "penalty" and "偷排偷放" in p.explanation


@pytest.mark.today("2026-05-11")
def test_XJ_S_default_ladder_serious_goes_to_penalty_too(world: Any) -> None:
    e = make_enterprise(XJ)
    with as_user("urumqi-officer1", XJ) as ctx:
        first = ladder.proposal(ctx, get_enterprise(e.id), [])
        serious = ladder.proposal(ctx, get_enterprise(e.id), ["falsification"])
    assert first.answer["id"] == "guidance" and first.rule_id == "XJ-S"
    assert serious.answer["id"] == "penalty"


@pytest.mark.today("2026-05-11")
def test_SX_0_climbs_with_history_and_counts_education(world: Any, travel: Any) -> None:
    e = make_enterprise(SX)
    with as_user("taiyuan-officer1", SX) as ctx:
        education.create(
            ctx,
            {
                "kind": "training",
                "topic": "排污许可培训",
                "held_on": "2026-04-20",
                "invited": [e.id],
                "present": [e.id],
            },
        )
        ent = get_enterprise(e.id)
        step = ladder.record(
            ctx, ent, {"origin": "inspection", "finding": "台账不全", "rung": "guidance", **DOC}
        )
        assert not step.deviates and step.proposed_rung == "guidance"
    travel("2026-06-01")
    with as_user("taiyuan-officer1", SX) as ctx:
        ent = get_enterprise(e.id)
        p = ladder.proposal(ctx, ent, [])
        assert p.answer["id"] == "reasoned_warning"
        assert "参加普法活动1次" in p.explanation
        pos = ladder.position(ctx, ent)
        assert pos["position"] == "guidance" and pos["recent"]["education"] == 1
    served_fine(SX, e, 5000, date(2026, 6, 1))
    with as_user("taiyuan-officer1", SX) as ctx:
        assert ladder.proposal(ctx, get_enterprise(e.id), []).answer["id"] == "penalty"


@pytest.mark.today("2026-05-11")
def test_SX_0_history_older_than_the_lookback_does_not_count(world: Any) -> None:
    e = make_enterprise(SX)
    with as_user("taiyuan-officer1", SX) as ctx:
        ent = get_enterprise(e.id)
        records.add_record(
            ctx,
            ent,
            "penalty",
            {"record_date": "2022-05-10", "source": "测试", "ref": "旧处罚", "summary": "超标"},
        )
        assert ladder.proposal(ctx, ent, []).answer["id"] == "guidance"
        records.add_record(
            ctx,
            ent,
            "penalty",
            {"record_date": "2024-05-10", "source": "测试", "ref": "近处罚", "summary": "超标"},
        )
        assert ladder.proposal(ctx, ent, []).answer["id"] == "penalty"


@pytest.mark.today("2026-05-11")
def test_SX_0_choosing_otherwise_needs_a_reason_recorded_and_audited(world: Any) -> None:
    e = make_enterprise(SX)
    with pytest.raises(ServiceError) as bad, as_user("taiyuan-officer1", SX) as ctx:
        ladder.record(
            ctx,
            get_enterprise(e.id),
            {
                "origin": "case",
                "finding": "超标排放",
                "flags": ["exceeding_standards"],
                "rung": "reasoned_warning",
                **DOC,
            },
        )
    assert "deviation_reason" in bad.value.errors
    assert "行政处罚" in bad.value.errors["deviation_reason"][0]
    with as_user("taiyuan-officer1", SX) as ctx:
        step = ladder.record(
            ctx,
            get_enterprise(e.id),
            {
                "origin": "case",
                "finding": "超标排放",
                "flags": ["exceeding_standards"],
                "rung": "reasoned_warning",
                "deviation_reason": "超标轻微且当日已改正",
                **DOC,
            },
        )
        assert step.deviates and step.proposed_rung == "penalty"
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "ladder.step")
        ).scalar_one()
        assert entry.after["deviation_reason"] == "超标轻微且当日已改正"
        assert entry.after["proposed"] == "penalty" and entry.after["chosen"] == "reasoned_warning"


@pytest.mark.today("2026-05-11")
def test_guidance_needs_its_document_and_unknown_flags_are_refused(world: Any) -> None:
    e = make_enterprise(SX)
    for data, field in (
        ({"origin": "manual", "finding": "x", "rung": "guidance"}, "document_body"),
        ({"origin": "manual", "finding": "x", "rung": "guidance", "flags": ["nope"]}, "flags"),
        ({"origin": "manual", "finding": "x", "rung": "education"}, "rung"),
        ({"origin": "manual", "finding": "", "rung": "guidance", **DOC}, "finding"),
    ):
        with pytest.raises(ServiceError) as bad, as_user("taiyuan-officer1", SX) as ctx:
            ladder.record(ctx, get_enterprise(e.id), data)
        assert field in bad.value.errors


@pytest.mark.today("2026-05-11")
def test_education_event_only_invites_own_enterprises(world: Any) -> None:
    mine, theirs = make_enterprise(SX), make_enterprise(XJ)
    with pytest.raises(ServiceError) as bad, as_user("taiyuan-officer1", SX) as ctx:
        education.create(
            ctx,
            {
                "kind": "seminar",
                "topic": "座谈",
                "held_on": "2026-05-10",
                "invited": [mine.id, theirs.id],
            },
        )
    assert "invited" in bad.value.errors
    with pytest.raises(ServiceError) as future, as_user("taiyuan-officer1", SX) as ctx:
        education.create(
            ctx,
            {"kind": "seminar", "topic": "座谈", "held_on": "2026-06-10", "invited": [mine.id]},
        )
    assert "held_on" in future.value.errors


@pytest.mark.today("2026-05-11")
def test_isolation_another_city_cannot_read_the_ladder(world: Any) -> None:
    e = make_enterprise(SX)
    with pytest.raises(ServiceError) as hidden, as_user("urumqi-officer1", XJ):
        get_enterprise(e.id)
    assert hidden.value.status == 404


@pytest.mark.today("2026-05-11")
def test_enterprise_timeline_shows_the_letter_and_the_training(world: Any) -> None:
    """Issue 15 item 6: the enterprise timeline carries the guidance letter and the 普法 attended."""
    e = make_enterprise(SX)
    with as_user("taiyuan-officer1", SX) as ctx:
        education.create(
            ctx,
            {
                "kind": "visit",
                "topic": "送法入企：危废管理",
                "held_on": "2026-05-08",
                "invited": [e.id],
                "present": [e.id],
            },
        )
        ent = get_enterprise(e.id)
        ladder.record(
            ctx, ent, {"origin": "manual", "finding": "标识不规范", "rung": "guidance", **DOC}
        )
        events = records.timeline(ent)
        party = records.timeline(ent, party=True)
    titles = {(ev.day, ev.title) for ev in events}
    assert (date(2026, 5, 11), "教育引导书") in titles
    assert (date(2026, 5, 8), "参加普法活动") in titles
    letter = next(ev for ev in party if ev.title == "教育引导书")
    assert letter.link.startswith("/sx-taiyuan/enterprise/enforcement/steps/")


@pytest.mark.today("2026-07-20")
def test_SX_0_supervised_rectification_rung_reads_the_correction_orders(world: Any) -> None:
    """SX-0 监督整改 with SX-15: a correction order (here on a warning, issued 2026-07-01) is the
    enterprise's rectification rung, for staff and for the enterprise, linked to the order."""
    from tenant_app.models import CorrectionOrder

    e = make_enterprise(SX)
    with as_user("taiyuan-officer1", SX) as ctx:
        order = CorrectionOrder(
            enterprise_id=e.id,
            source="warning",
            content="完善自行监测方案",
            days=10,
            day_unit="workdays",
            issued_on=date(2026, 7, 1),
            due_on=date(2026, 7, 15),
            status="planned",
            plan_milestones=[],
            removal={},
        )
        db.session.add(order)
        db.session.flush()
        order_id = order.id
        staff = [r for r in ladder.history(ctx, get_enterprise(e.id)) if r.rung == "rectification"]
        party = [
            r
            for r in ladder.history(ctx, get_enterprise(e.id), party=True)
            if r.rung == "rectification"
        ]
    assert [(r.day, r.title) for r in staff] == [(date(2026, 7, 1), "责令改正")]
    assert "整改中" in staff[0].detail and staff[0].link.endswith(f"/rectification/{order_id}/")
    assert party[0].link.endswith(f"/enterprise/rectification/{order_id}/")
