"""Issue 11, items 6–9 and 12: every rule is checked at the moment it bites, against the facts of
that moment — listed status only through the procedure and read on the day of the visit (item 6),
the day the visit actually happens (item 7), declared conflicts of interest on every assignment
(item 8), one self-inspection report answers one lead (item 9), SX-5 county approvers (item 12).
Through the services, the API and the pages alike; every test states its day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.accounts import users as user_service
from tenant_app.core.errors import Conflict
from tenant_app.extensions import db
from tenant_app.inspections.services import approvals, conduct, draws, plans
from tenant_app.inspections.services.checks import preview
from tenant_app.inspections.services.plans import Refused
from tenant_app.models import ComplianceRecord, Enterprise, Inspection
from tenant_app.policy import service as policy_service
from tenant_app.registry.services.enterprise_rows import RowContext, validate_enterprise_row
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD, bearer, csrf_from, login, tenant
from tests.registry.factory import uscc

from .conftest import acting, make_enterprise, make_enterprise_user, officer_ids, publish_listing

TY = "/api/v1/tenants/sx-taiyuan"
UR = "/api/v1/tenants/xj-urumqi"


def _data(e: Enterprise, officers: list[int], on: date, **kw: Any) -> dict[str, Any]:
    return {
        "enterprise_id": e.id,
        "mode": "on_site",
        "trigger": "proactive",
        "planned_date": on.isoformat(),
        "officer_ids": officers,
        **kw,
    }


def _new(username: str, slug: str, data: dict[str, Any]) -> int:
    with acting(username, slug):
        insp = plans.create_inspection(scope_context(), data)
        db.session.commit()
        return insp.id


def _approve(username: str, slug: str, iid: int) -> str:
    with acting(username, slug):
        insp = plans.get_inspection(iid)
        approvals.approve(scope_context(), insp, "同意")
        db.session.commit()
        return insp.status


def _insp(iid: int) -> Inspection:
    with use_scope(system_scope()):
        insp = db.session.get(Inspection, iid)
        assert insp is not None
        db.session.expunge(insp)
        return insp


def _anomaly(slug: str, e: Enterprise, on: date, summary: str) -> int:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        r = ComplianceRecord(
            tenant_id=t.id,
            enterprise_id=e.id,
            kind="monitoring_anomaly",
            record_date=on,
            summary=summary,
            source="污染源自动监控",
        )
        db.session.add(r)
        db.session.commit()
        return r.id


def _user(slug: str, username: str, roles: list[str], cert: str | None = None) -> int:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        u = user_service.create_user(
            scope_context(),
            tenant=t,
            username=username,
            display_name=username,
            password=PASSWORD,
            roles=roles,
            certificate_no=cert,
        )
        db.session.commit()
        return u.id


def _taiyuan_food_quiet_period() -> None:
    """SX-10: Taiyuan's own quiet period (a city override of the Shanxi pack): food processing
    (C13–C15) is left alone on the 21st–28th of every month, its peak production days."""
    t = tenant("sx-taiyuan")
    with use_scope(tenant_scope(t)):
        policy_service.save_version(
            scope_context(),
            overrides={
                "inspection": {
                    "quiet": {
                        "periods": [
                            {
                                "id": "food-peak",
                                "kind": "monthly",
                                "start_day": 21,
                                "end_day": 28,
                                "industries": ["C13", "C14", "C15"],
                            }
                        ]
                    }
                }
            },
            effective_from=date(2026, 4, 20),
        )
        db.session.commit()


# ---------------------------------------------------------------------------------------------
# Item 6: "listed" only through the procedure, read on the day of the visit.


# 2026-03-02 (a Monday): registry edits and imports of that day.
@pytest.mark.today("2026-03-02")
def test_registry_edits_and_imports_cannot_set_or_clear_listed(client, world):
    plain = make_enterprise("xj-urumqi", industry_code="C2822", uscc=uscc(611))
    listed = make_enterprise("xj-urumqi", industry_code="C2822", uscc=uscc(612))
    publish_listing("xj-urumqi", listed, date(2025, 10, 15), date(2028, 10, 14))
    h = bearer("urumqi-admin")
    refused = client.patch(
        f"{UR}/enterprises/{plain.id}", json={"supervision_category": "listed"}, headers=h
    )
    assert refused.status_code == 422
    assert "纳入程序" in refused.get_json()["errors"]["supervision_category"][0]
    # A listed enterprise's other facts stay editable; its status stays the procedure's.
    renamed = client.patch(f"{UR}/enterprises/{listed.id}", json={"name": "已纳入企业"}, headers=h)
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json()["supervision_category"] == "listed"
    cleared = client.patch(
        f"{UR}/enterprises/{listed.id}", json={"supervision_category": "general"}, headers=h
    )
    assert (
        cleared.status_code == 422
        and "移出" in cleared.get_json()["errors"]["supervision_category"][0]
    )
    # The page: the same refusal on the field, nothing saved.
    login(client, "xj-urumqi", "urumqi-admin")
    form = client.get(f"/xj-urumqi/enterprises/{plain.id}/edit").get_data(as_text=True)
    page = client.post(
        f"/xj-urumqi/enterprises/{plain.id}/edit",
        data={
            "csrf_token": csrf_from(form),
            "uscc": plain.uscc,
            "name": plain.name,
            "industry_code": "C2822",
            "supervision_category": "listed",
        },
    )
    assert page.status_code == 422 and "纳入程序" in page.get_data(as_text=True)
    with use_scope(system_scope()):
        assert db.session.get(Enterprise, plain.id).supervision_category == "general"
    # The importer validates rows with the same function: the label is refused too.
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        _clean, errors = validate_enterprise_row(
            {"uscc": uscc(613), "name": "导入企业", "supervision_category": "正面清单企业"},
            RowContext.load(scope_context()),
        )
    assert "纳入程序" in errors["supervision_category"][0]


# 2026-05-06 (a Wednesday): the enterprise was published on 2023-05-08, so its three years
# (XJ-V) end on 2026-05-07. A field saying "listed" without a publication protects nobody.
@pytest.mark.today("2026-05-06")
def test_listed_status_is_read_from_the_procedure_on_the_day_of_the_visit(client, world, travel):
    officers = officer_ids("urumqi-officer1", "urumqi-officer2")
    e = make_enterprise("xj-urumqi")
    publish_listing("xj-urumqi", e, date(2023, 5, 8), date(2026, 5, 7))
    stray = make_enterprise("xj-urumqi", supervision_category="listed")  # no publication behind it
    with acting("urumqi-officer1", "xj-urumqi"):
        today_visit = preview(scope_context(), _data(e, officers, date(2026, 5, 7)))
        assert not today_visit.allowed and "XJ-S" in today_visit.rule_ids
        assert today_visit.facts["listing_entry_id"] and today_visit.facts["listed"]
        after = preview(
            scope_context(), _data(e, officers, date(2026, 5, 8))
        )  # validity over: not listed that day
        assert after.allowed and after.facts["listed"] is False
        loose = preview(scope_context(), _data(stray, officers, date(2026, 5, 8)))
        assert loose.allowed and loose.facts["listed"] is False
    iid = _new("urumqi-officer1", "xj-urumqi", _data(e, officers, date(2026, 5, 8)))
    assert _approve("urumqi-head", "xj-urumqi", iid) == "approved"
    # Started today (2026-05-06), while still listed: XJ-S refuses a proactive on-site visit.
    started = client.post(f"{UR}/inspections/{iid}/start", headers=bearer("urumqi-officer1"))
    assert started.status_code == 422 and "XJ-S" in started.get_json()["errors"]["rule_ids"]
    assert _insp(iid).status == "approved"
    travel("2026-05-08")
    ok = client.post(f"{UR}/inspections/{iid}/start", headers=bearer("urumqi-officer1"))
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["decision"]["facts"]["listed"] is False


# ---------------------------------------------------------------------------------------------
# Item 7: the visit's real date governs; no visit planned in the past.


# 2026-04-20 (a Monday, before the 2026 Labour Day holiday of 05-01..05-05): a food company
# in Taiyuan, whose quiet period runs the 21st–28th of each month (SX-10).
@pytest.mark.today("2026-04-20")
def test_starting_on_another_day_re_runs_the_checks_and_needs_that_days_approvals(
    client, sx, travel
):
    _taiyuan_food_quiet_period()
    e = make_enterprise("sx-taiyuan", industry_code="C14")
    officers = sx["officers"]
    iid = _new("taiyuan-officer1", "sx-taiyuan", _data(e, officers, date(2026, 4, 29)))
    assert [r["rule_id"] for r in _insp(iid).requirements] == ["SX-5"]
    assert _approve("taiyuan-principal", "sx-taiyuan", iid) == "approved"
    # Earlier, into the quiet period: 2026-04-23 needs the principal head's SX-10 approval.
    travel("2026-04-23")
    with acting("taiyuan-officer1", "sx-taiyuan"), pytest.raises(Conflict) as exc:
        conduct.start(scope_context(), plans.get_inspection(iid))
    assert any("SX-10" in m for m in exc.value.errors["approval"])
    api = client.post(f"{TY}/inspections/{iid}/start", headers=bearer("taiyuan-officer1"))
    assert api.status_code == 409 and "SX-10" in api.get_json()["errors"]["approval"][0]
    assert _insp(iid).planned_date == date(2026, 4, 29) and _insp(iid).status == "approved"
    # Moved to that day through the page: SX-5 still holds, SX-10 for 2026-04-23 is open.
    login(client, "sx-taiyuan", "taiyuan-officer1")
    show = client.get(f"/sx-taiyuan/inspections/{iid}/").get_data(as_text=True)
    client.post(
        f"/sx-taiyuan/inspections/{iid}/replan",
        data={"csrf_token": csrf_from(show), "planned_date": "2026-04-23", "reason": "提前"},
    )
    moved = _insp(iid)
    assert moved.status == "pending" and moved.planned_date == date(2026, 4, 23)
    assert [(r["rule_id"], bool(r["met_by"])) for r in moved.requirements] == [
        ("SX-5", True),
        ("SX-10", False),
    ]
    assert moved.requirements[1]["for_date"] == "2026-04-23"
    assert _approve("taiyuan-principal", "sx-taiyuan", iid) == "approved"
    with acting("taiyuan-officer1", "sx-taiyuan"):
        conduct.start(scope_context(), plans.get_inspection(iid))
        db.session.commit()
    assert _insp(iid).status == "in_progress"


# 2026-04-20: a visit approved for today, outside the quiet period, started later on
# 2026-04-21 — the first quiet day; and a visit cannot be planned for a day already past.
@pytest.mark.today("2026-04-20")
def test_later_start_into_a_quiet_period_and_no_visit_planned_in_the_past(client, sx, travel):
    _taiyuan_food_quiet_period()
    e = make_enterprise("sx-taiyuan", industry_code="C14")
    iid = _new("taiyuan-officer1", "sx-taiyuan", _data(e, sx["officers"], date(2026, 4, 20)))
    assert _approve("taiyuan-principal", "sx-taiyuan", iid) == "approved"
    travel("2026-04-21")
    late = client.post(f"{TY}/inspections/{iid}/start", headers=bearer("taiyuan-officer1"))
    assert late.status_code == 409 and "2026-04-21" in late.get_json()["message"]
    # Planning in the past: API and page refuse with the rule, nothing saved.
    body = _data(e, sx["officers"], date(2026, 4, 20), trigger="complaint")
    past = client.post(f"{TY}/inspections", json=body, headers=bearer("taiyuan-officer1"))
    assert past.status_code == 422 and "SX-5" in past.get_json()["errors"]["rule_ids"]
    assert "不能安排在过去" in past.get_json()["errors"]["rules"][0]
    login(client, "sx-taiyuan", "taiyuan-officer1")
    token = csrf_from(client.get("/sx-taiyuan/inspections/new").get_data(as_text=True))
    page = client.post(
        "/sx-taiyuan/inspections/new", data={**body, "csrf_token": token, "action": "create"}
    )
    assert page.status_code == 422 and "不能安排在过去" in page.get_data(as_text=True)
    with use_scope(system_scope()):
        assert db.session.execute(
            select(Inspection.id).where(Inspection.enterprise_id == e.id)
        ).all() == [(iid,)]


# ---------------------------------------------------------------------------------------------
# Item 8: a declared conflict (回避) bars the officer from that enterprise in any inspection.


# 2026-03-02 (a Monday): conflicts declared before creation, before approval, before the start.
@pytest.mark.today("2026-03-02")
def test_declared_conflict_bars_the_officer_at_every_moment(client, sx):
    o1, o2 = sx["officers"]
    a, b, c = (make_enterprise("sx-taiyuan") for _ in range(3))
    with acting("taiyuan-officer1", "sx-taiyuan"):
        draws.declare_conflict(scope_context(), o1, a.id, "配偶在该企业任职")
        db.session.commit()
    made = client.post(
        f"{TY}/inspections",
        json=_data(a, [o1, o2], date(2026, 3, 10)),
        headers=bearer("taiyuan-officer1"),
    )
    assert made.status_code == 422 and "LAW-RECUSAL" in made.get_json()["errors"]["rule_ids"]
    # Declared after the inspection was planned, before its approval: approval refused.
    ib = _new("taiyuan-officer1", "sx-taiyuan", _data(b, [o1, o2], date(2026, 3, 10)))
    with acting("taiyuan-officer1", "sx-taiyuan"):
        draws.declare_conflict(scope_context(), o2, b.id, "曾任该企业环保顾问")
        db.session.commit()
    appr = client.post(
        f"{TY}/inspections/{ib}/approve",
        json={"comment": "同意"},
        headers=bearer("taiyuan-principal"),
    )
    assert appr.status_code == 422 and "LAW-RECUSAL" in appr.get_json()["errors"]["rule_ids"]
    assert _insp(ib).status == "pending"
    # Declared after approval, before the visit: the start is refused.
    ic = _new("taiyuan-officer1", "sx-taiyuan", _data(c, [o1, o2], date(2026, 3, 2)))
    assert _approve("taiyuan-principal", "sx-taiyuan", ic) == "approved"
    with acting("taiyuan-officer1", "sx-taiyuan"):
        draws.declare_conflict(scope_context(), o1, c.id, "近亲属持股")
        db.session.commit()
        with pytest.raises(Refused) as exc:
            conduct.start(scope_context(), plans.get_inspection(ic))
    assert "LAW-RECUSAL" in exc.value.errors["rule_ids"]
    # The page shows the refusal with the reason.
    login(client, "sx-taiyuan", "taiyuan-officer1")
    show = client.get(f"/sx-taiyuan/inspections/{ic}/").get_data(as_text=True)
    started = client.post(
        f"/sx-taiyuan/inspections/{ic}/start",
        data={"csrf_token": csrf_from(show)},
        follow_redirects=True,
    )
    assert "回避" in started.get_data(as_text=True) and _insp(ic).status == "approved"


# 2026-03-02: a draw committed (its conflicts fixed in the published pool), then a conflict
# declared before its inspections are created: the officer is replaced by the published rule.
@pytest.mark.today("2026-03-02")
def test_conflict_declared_after_a_draw_commit_replaces_the_officer(sx):
    _user("sx-taiyuan", "taiyuan-officer3", ["officer"], "14010020260003")
    e = make_enterprise("sx-taiyuan")
    _user("sx-taiyuan", "taiyuan-legal", ["legal_reviewer"])
    officer_secret, witness_secret = "a1" * 32, "5c" * 32
    with acting("taiyuan-officer1", "sx-taiyuan"):
        did = draws.commit_draw(
            scope_context(),
            {
                "planned_date": "2026-03-16",
                "filters": {"enterprise_ids": [e.id]},
                "ratios": {"general": 1},
                "secret": officer_secret,
            },
        ).id
        db.session.commit()
    # The two-party draw (issue 11 item 13): the witness commits, then both reveal.
    with acting("taiyuan-legal", "sx-taiyuan"):
        draws.commit_witness(scope_context(), draws.get_draw(did), {"secret": witness_secret})
        db.session.commit()
    with acting("taiyuan-officer1", "sx-taiyuan"):
        draws.reveal(scope_context(), draws.get_draw(did), officer_secret)
        db.session.commit()
    with acting("taiyuan-legal", "sx-taiyuan"):
        draws.reveal(scope_context(), draws.get_draw(did), witness_secret)
        db.session.commit()
    with acting("taiyuan-officer1", "sx-taiyuan"):
        d = draws.get_draw(did)
        assert d.status == "drawn"
        drawn = list(d.result[0]["officers"])
        draws.declare_conflict(scope_context(), drawn[0], e.id, "抽取后申报：亲属在该企业任职")
        db.session.commit()
        out = draws.create_inspections(scope_context(), d)
        db.session.commit()
        assert draws.verify(d)  # the published result is untouched
        insp = plans.get_inspection(out["created"][0])
        now = [o["id"] for o in insp.officers]
        assert drawn[0] not in now and len(now) == 2
        repaired = out["officers_repaired"]
        assert [(r["enterprise_id"], r["drawn"], sorted(r["now"])) for r in repaired] == [
            (e.id, drawn, sorted(now))
        ]
        # Anyone recomputes the replacement from the published seed, pool and the register.
        again = draws.compute(
            d.seed,
            {"enterprises": {"general": [e.id]}, "officers": d.pool["officers"]},
            {"general": 1},
            [[drawn[0], e.id]],
        )
        assert sorted(again[0]["officers"]) == sorted(now)


# ---------------------------------------------------------------------------------------------
# Item 9: a reviewed self-inspection report unlocks a visit only for the lead it answers.


# 2026-06-01 (a Monday): two monitoring anomalies of a listed enterprise in May 2026.
@pytest.mark.today("2026-06-01")
def test_self_inspection_report_answers_one_lead(client, world):
    officers = officer_ids("urumqi-officer1", "urumqi-officer2")
    e = make_enterprise("xj-urumqi", key_discharger=True)
    publish_listing("xj-urumqi", e, date(2025, 10, 15), date(2028, 10, 14))
    make_enterprise_user("xj-urumqi", e, "lead-co")
    dust = _anomaly("xj-urumqi", e, date(2026, 5, 20), "颗粒物小时均值超标")
    so2 = _anomaly("xj-urumqi", e, date(2026, 5, 28), "二氧化硫数据恒值")
    co = bearer("lead-co")
    r1 = client.post(
        f"{UR}/my-enterprise/self-inspection-reports",
        json={"summary": "除尘器布袋破损，已更换并附更换记录。", "anomaly_record_id": dust},
        headers=co,
    ).get_json()["id"]
    r2 = client.post(
        f"{UR}/my-enterprise/self-inspection-reports",
        json={"summary": "二氧化硫分析仪故障，已维修并比对合格。", "anomaly_record_id": so2},
        headers=co,
    ).get_json()["id"]
    r3 = client.post(
        f"{UR}/my-enterprise/self-inspection-reports",
        json={"summary": "其他情况说明，请审核。"},
        headers=co,
    ).get_json()["id"]
    officer = bearer("urumqi-officer1")
    # Reviewed by the API: the dust lead still needs a visit.
    rv = client.post(
        f"{UR}/self-inspection-reports/{r1}/review",
        json={"outcome": "visit_needed", "comment": "布袋更换记录不全，需现场核实"},
        headers=officer,
    )
    assert rv.status_code == 200 and rv.get_json()["status"] == "accepted"
    # A report answering no lead cannot unlock anything.
    no_lead = client.post(
        f"{UR}/self-inspection-reports/{r3}/review",
        json={"outcome": "visit_needed"},
        headers=officer,
    )
    assert no_lead.status_code == 422 and "anomaly_record_id" in no_lead.get_json()["errors"]
    # Reviewed on the page: the SO2 lead is resolved, no visit needed.
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get("/xj-urumqi/inspections/self-reports/").get_data(as_text=True)
    assert "已解决，无需现场检查" in page
    client.post(
        f"/xj-urumqi/inspections/self-reports/{r2}/review",
        data={"csrf_token": csrf_from(page), "outcome": "resolved", "comment": "维修比对记录齐全"},
    )
    with use_scope(system_scope()):
        from tenant_app.models import SelfInspectionReport

        assert db.session.get(SelfInspectionReport, r2).status == "resolved"
    base = _data(e, officers, date(2026, 6, 3), trigger="monitoring_anomaly")
    with acting("urumqi-officer1", "xj-urumqi"):
        unnamed = preview(scope_context(), base)
        assert not unnamed.allowed and any(f"#{r1}" in t for t in unnamed.refusals)
        resolved = preview(scope_context(), {**base, "self_report_id": r2})
        assert not resolved.allowed and "XJ-S" in resolved.rule_ids
        ok = preview(scope_context(), {**base, "self_report_id": r1})
        assert ok.allowed and ok.facts["lead_record_id"] == dust
    made = client.post(f"{UR}/inspections", json={**base, "self_report_id": r1}, headers=officer)
    assert made.status_code == 201 and made.get_json()["self_report_id"] == r1
    again = client.post(f"{UR}/inspections", json={**base, "self_report_id": r1}, headers=officer)
    assert again.status_code == 422 and "一份报告只对应一次现场核实" in str(again.get_json())


# ---------------------------------------------------------------------------------------------
# Item 12: SX-5 county — "县级入企执法检查由分局局长（队长）审批".


# 2026-03-02 (a Monday): Xiaodian district branch of the Taiyuan bureau plans two visits.
@pytest.mark.today("2026-03-02")
def test_SX_5_county_branch_head_or_team_head_approves(client, world):
    slug = "sx-taiyuan-xiaodian"
    o = [
        _user(slug, "xiaodian-officer1", ["officer"], "14010520260001"),
        _user(slug, "xiaodian-officer2", ["officer"], "14010520260002"),
    ]
    _user(slug, "xiaodian-head", ["principal_head"])  # 分局局长
    _user(slug, "xiaodian-captain", ["agency_head"])  # 执法队队长
    _user(slug, "xiaodian-deputy", ["deputy_head"])  # not named at county level
    first = _new("xiaodian-officer1", slug, _data(make_enterprise(slug), o, date(2026, 3, 10)))
    second = _new("xiaodian-officer1", slug, _data(make_enterprise(slug), o, date(2026, 3, 11)))
    assert set(_insp(first).requirements[0]["any_of"]) == {"principal_head", "agency_head"}
    with acting("xiaodian-deputy", slug), pytest.raises(approvals.NotAnApprover):
        approvals.approve(scope_context(), plans.get_inspection(first), "同意")
    assert _approve("xiaodian-head", slug, first) == "approved"
    api = client.post(
        f"/api/v1/tenants/{slug}/inspections/{second}/approve",
        json={"comment": "同意"},
        headers=bearer("xiaodian-captain"),
    )
    assert api.status_code == 200 and api.get_json()["status"] == "approved"
