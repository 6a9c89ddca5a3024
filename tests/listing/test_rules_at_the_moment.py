"""Issue 11, positive list: every rule checked at the moment it bites (XJ-C, XJ-D, XJ-X, XJ-R,
XJ-P, 三、实施程序).

The stories run in March 2026, a month with no statutory holiday or make-up day in China's 2026
arrangement (Spring Festival 2026-02-15..02-23, Qingming 2026-04-04..04-06), so five working days
are Monday to Friday: a notice put up on Tuesday 2026-03-10 may close on Tuesday 2026-03-17
(11, 12, 13, 16, 17 March) and be published from 2026-03-18.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from policies import load_pack
from policies.errors import PackError
from policies.schema import validate_pack
from tenant_app.accounts import users as user_service
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.listing.services import batches, entries, public
from tenant_app.models import LedgerEntry
from tenant_app.models.enterprise import ENTERPRISE_TAGS
from tenant_app.models.listing import ListingEntry, ListingFiling, ListingStep
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, login, tenant
from .factory import add_record, as_user, enterprise_user, good_enterprise

API = "/api/v1/tenants/xj-urumqi/listing"


def _nominate(world, e):
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.create(ctx, db.session.merge(e), origin="nomination")
        db.session.commit()
        return entry.id


def _verify(world, entry_id, on):
    with as_user(world, "urumqi-officer1") as ctx:
        entries.site_verification(
            ctx,
            entries.get_entry(ctx, entry_id),
            {"on_date": on, "officers": "张三、李四", "record": "设施正常运行", "passed": "1"},
        )
        db.session.commit()


def _consult(world, entry_id, on):
    with as_user(world, "urumqi-officer1") as ctx:
        entries.add_opinion(
            ctx,
            entries.get_entry(ctx, entry_id),
            {
                "party_type": "department",
                "party": "乌鲁木齐市发展和改革委员会",
                "on_date": on,
                "opinion": "同意",
                "agrees": "1",
            },
        )
        db.session.commit()


def _commit(world, e, entry_id, username, on):
    uid = enterprise_user(world, e, username)
    s = replace(tenant_scope(tenant("xj-urumqi"), uid), roles=frozenset({"enterprise"}))
    with use_scope(s):
        ctx = scope_context()
        entries.sign_commitment(
            ctx, entries.get_entry(ctx, entry_id), db.session.merge(e), {"on_date": on}
        )
        db.session.commit()


def _committed(world, travel, e, username):
    """Nominated 2026-03-02, verified 03-04, consulted 03-06, committed 03-09."""
    travel("2026-03-02")
    entry_id = _nominate(world, e)
    travel("2026-03-04")
    _verify(world, entry_id, "2026-03-04")
    travel("2026-03-06")
    _consult(world, entry_id, "2026-03-06")
    travel("2026-03-09")
    _commit(world, e, entry_id, username, "2026-03-09")
    return entry_id


def _entry(entry_id):
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        row = db.session.execute(select(ListingEntry).where(ListingEntry.id == entry_id))
        return row.scalar_one()


def _ledger_kinds(e):
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        return [
            (x.kind, x.summary)
            for x in db.session.execute(
                select(LedgerEntry).where(LedgerEntry.enterprise_id == e.id)
            ).scalars()
        ]


# ---------------------------------------------------------------------------------------------
# Item 1: eligibility holds until publication (一、…同时满足以下条件，方可纳入; XJ-C, XJ-D, XJ-R)


@pytest.mark.today("2026-03-02")
def test_nominating_an_enterprise_whose_screening_fails_is_refused_with_the_rule(world):
    # A complaint verified on 2025-11-20 is within the year before 2026-03-02 (XJ-C6).
    e = good_enterprise(1)
    add_record("xj-urumqi", e, "complaint", record_date=date(2025, 11, 20), verified=True)
    with as_user(world, "urumqi-officer1") as ctx:
        with pytest.raises(ServiceError, match="XJ-C6") as err:
            entries.create(ctx, db.session.merge(e), origin="nomination")
        assert err.value.status == 409 and not err.value.keep
        db.session.rollback()
        assert db.session.execute(select(ListingEntry)).first() is None


@pytest.mark.today("2026-03-02")
def test_penalty_decided_mid_procedure_stops_the_entry_at_the_next_step(client, world, travel):
    """XJ-C1: nominated 2026-03-02 and verified 03-04; a penalty decided 2026-03-05 is recorded.
    The opinion step of 03-06 screens again on 03-06: the entry stops, with the reason and the
    rule id on the entry, its steps and the ledger; the API answers 409 and the stop is kept."""
    e = good_enterprise(2)
    travel("2026-03-02")
    entry_id = _nominate(world, e)
    travel("2026-03-04")
    _verify(world, entry_id, "2026-03-04")
    travel("2026-03-06")
    add_record("xj-urumqi", e, "penalty", record_date=date(2026, 3, 5))
    resp = client.post(
        f"{API}/entries/{entry_id}/opinions",
        json={
            "party_type": "department",
            "party": "发改委",
            "on_date": "2026-03-06",
            "opinion": "同意",
            "agrees": True,
        },
        headers=bearer("urumqi-officer1"),
    )
    assert resp.status_code == 409 and "XJ-C1" in resp.get_json()["message"]
    row = _entry(entry_id)
    assert row.state == "stopped" and "XJ-C1" in row.closed_reason
    assert "2026-03-06" in row.closed_reason
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        steps = db.session.execute(
            select(ListingStep.step, ListingStep.rule_id).where(ListingStep.entry_id == entry_id)
        ).all()
    assert ("eligibility", "XJ-C") in steps and all(s != "opinion" for s, _r in steps)
    assert any(k == "stopped" and "XJ-C1" in s for k, s in _ledger_kinds(e))
    got = client.get(f"{API}/entries/{entry_id}", headers=bearer("urumqi-officer1")).get_json()
    assert got["state"] == "stopped" and "XJ-C1" in got["closed_reason"]
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get(f"/xj-urumqi/listing/entries/{entry_id}").get_data(as_text=True)
    assert "已终止（不再符合纳入条件）" in page and "XJ-C1" in page


@pytest.mark.today("2026-03-02")
def test_records_arriving_during_the_notice_stop_entries_at_publication(world, travel):
    """Three enterprises go to notice on 2026-03-10. During it: one is put on the abnormal-
    operations list (XJ-C7, 2026-03-12), one is convicted (XJ-R: barred five years from
    2026-03-13). Publication on 2026-03-18 screens again that day: those two stop with their
    rule; the third, listed by the direct route (grade A, XJ-D) with a facility down, is published."""
    from tenant_app.registry.services import enterprises

    ok = good_enterprise(3, facilities_running=False)
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        enterprises.set_rating(
            scope_context(),
            db.session.merge(ok),
            {"kind": "performance", "year": 2025, "value": "A", "source": "测试"},
        )
        db.session.commit()
    credit, convicted = good_enterprise(4), good_enterprise(5)
    ids = [_committed(world, travel, x, f"qiye{i}") for i, x in enumerate((ok, credit, convicted))]
    travel("2026-03-10")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "2026年第一批", "complaint_channel": "12369", "entry_ids": ids}
        )
        batches.start_notice(ctx, b, {})
        assert (b.notice_start, b.notice_min_end) == (date(2026, 3, 10), date(2026, 3, 17))
        db.session.commit()
        batch_id = b.id
    travel("2026-03-13")
    add_record(
        "xj-urumqi",
        credit,
        "credit_listing",
        record_date=date(2026, 3, 12),
        list_name="abnormal_operations",
    )
    add_record("xj-urumqi", convicted, "criminal_judgment", record_date=date(2026, 3, 13))
    travel("2026-03-18")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.publish(ctx, batches.get_batch(ctx, batch_id), {"on_date": "2026-03-18"})
        db.session.commit()
    states = {i: _entry(i) for i in ids}
    assert states[ids[0]].state == "listed" and states[ids[0]].route == "direct"
    assert states[ids[1]].state == "stopped" and "XJ-C7" in states[ids[1]].closed_reason
    assert states[ids[2]].state == "stopped" and "2031-03-13" in states[ids[2]].closed_reason
    assert "XJ-R" in states[ids[2]].closed_reason
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        ctx = scope_context()
        names = [r["name"] for r in public.current_list(ctx)]
    assert names == [ok.name]
    assert any(k == "stopped" and "XJ-C7" in s for k, s in _ledger_kinds(credit))


# ---------------------------------------------------------------------------------------------
# Item 2: who compiles and who files (三、实施程序: 由设区的市级生态环境部门负责……编制; 报自治区
# 生态环境厅备案) -- listing.compiled_by / listing.filed_with


def _staff(slug, username, cert):
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        user_service.create_user(
            scope_context(),
            tenant=t,
            username=username,
            display_name=username,
            password="Demo-pass-2026!",
            roles=["officer"],
            certificate_no=cert,
        )
        db.session.commit()


@pytest.mark.today("2026-03-02")
def test_only_the_city_compiles_county_and_province_keep_their_other_rights(client, world):
    _staff("xj-urumqi-tianshan", "tianshan-officer", "65010220260001")
    _staff("xj", "xj-officer", "65000020260001")
    e = good_enterprise(6, slug="xj-urumqi-tianshan")
    county = "/api/v1/tenants/xj-urumqi-tianshan/listing"
    h = bearer("tianshan-officer")
    refused = client.post(f"{county}/entries", json={"enterprise_id": e.id}, headers=h)
    body = refused.get_json()
    assert refused.status_code == 403 and "地市级" in body["message"] and "县级" in body["message"]
    # the county keeps reading and screening its enterprises
    assert client.get(f"{county}/enterprises/{e.id}/screening", headers=h).status_code == 200
    assert client.post(f"{county}/screening-runs", json={}, headers=h).status_code == 202
    hp = bearer("xj-officer")
    prov = client.post(
        "/api/v1/tenants/xj/listing/batches",
        json={"title": "x", "entry_ids": [1]},
        headers=hp,
    )
    assert prov.status_code == 403 and "省级" in prov.get_json()["message"]
    assert client.get("/api/v1/tenants/xj/listing/filings", headers=hp).status_code == 200


@pytest.mark.today("2026-03-02")
def test_filing_goes_to_the_level_the_pack_names(world, travel):
    e = good_enterprise(7)
    entry_id = _committed(world, travel, e, "qiye7")
    travel("2026-03-10")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "批次", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {})
        db.session.commit()
        batch_id = b.id
    travel("2026-03-18")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.publish(ctx, batches.get_batch(ctx, batch_id), {"on_date": "2026-03-18"})
        filing = batches.file_with_parent(ctx, b, {"on_date": "2026-03-18"})
        db.session.commit()
        assert filing.parent_tenant_id == tenant("xj").id  # listing.filed_with = "province"
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        assert db.session.execute(select(ListingFiling)).scalar_one().overdue is False


# ---------------------------------------------------------------------------------------------
# Item 3: dates in the legal order (XJ-P: 筛选 → 现场核查 → 征求意见 → 守法承诺 → 社会公示 → 正式发布
# → 备案登记), none in the future; the notice dated from when it is visible


@pytest.mark.today("2026-03-02")
def test_steps_cannot_be_dated_before_the_steps_the_text_puts_first(world, travel):
    e = good_enterprise(8)
    entry_id = _nominate(world, e)  # 2026-03-02
    with as_user(world, "urumqi-officer1") as ctx:
        with pytest.raises(ValidationFailed) as err:  # verified before it was nominated
            entries.site_verification(
                ctx,
                entries.get_entry(ctx, entry_id),
                {"on_date": "2026-02-27", "officers": "张三", "record": "r", "passed": "1"},
            )
        assert "早于" in err.value.errors["on_date"][0]
        db.session.rollback()
    travel("2026-03-04")
    _verify(world, entry_id, "2026-03-04")
    with as_user(world, "urumqi-officer1") as ctx, pytest.raises(ValidationFailed):
        entries.add_opinion(  # consulted before the verification
            ctx,
            entries.get_entry(ctx, entry_id),
            {"party_type": "department", "party": "x", "on_date": "2026-03-03", "opinion": "y"},
        )
    db.session.rollback()
    travel("2026-03-06")
    _consult(world, entry_id, "2026-03-06")
    uid = enterprise_user(world, e, "qiye8")
    s = replace(tenant_scope(tenant("xj-urumqi"), uid), roles=frozenset({"enterprise"}))
    for bad in ("2026-03-05", "2026-03-07"):  # before the opinion; in the future
        with use_scope(s), pytest.raises(ValidationFailed):
            ctx = scope_context()
            entries.sign_commitment(
                ctx, entries.get_entry(ctx, entry_id), db.session.merge(e), {"on_date": bad}
            )
        db.session.rollback()
    with use_scope(s):
        ctx = scope_context()
        entry = entries.sign_commitment(
            ctx, entries.get_entry(ctx, entry_id), db.session.merge(e), {"on_date": "2026-03-06"}
        )
        assert "承诺日期：2026年3月6日" in entry.commitment_text
        db.session.commit()
    travel("2026-03-10")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "批次", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        with pytest.raises(ValidationFailed) as err:  # a back-dated notice
            batches.start_notice(ctx, b, {"notice_start": "2026-03-09"})
        assert "只能是今天" in err.value.errors["notice_start"][0]
        db.session.rollback()
        b = batches.create(
            ctx, {"title": "批次", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {"notice_end": "2026-03-20"})  # the end may lie ahead
        assert (b.notice_start, b.notice_end) == (date(2026, 3, 10), date(2026, 3, 20))
        db.session.commit()


# ---------------------------------------------------------------------------------------------
# Item 4: verdict labels say what the text says; the API answers the full decision


@pytest.mark.today("2026-03-02")
def test_direct_route_is_named_even_when_c1_to_c7_hold_and_the_api_matches_the_page(client, world):
    """连续两年…/绩效分级为A级的企业，可以……直接纳入 (XJ-D): grade A for 2025 and every XJ-C
    condition met -- the verdict is the direct route, and the conditions are still reported."""
    e = good_enterprise(9)
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        enterprise_service.set_rating(
            scope_context(),
            db.session.merge(e),
            {"kind": "performance", "year": 2025, "value": "A", "source": "测试"},
        )
        db.session.commit()
    api = client.get(f"{API}/enterprises/{e.id}/screening", headers=bearer("urumqi-officer1"))
    d = api.get_json()
    assert d["verdict"] == "direct" and d["verdict_label"] == "可直接纳入"
    assert d["rule_id"] == "XJ-D" and d["policy_version"] and d["on"] == "2026-03-02"
    assert [c["rule_id"] for c in d["conditions"]] == [f"XJ-C{i}" for i in range(1, 8)]
    assert all(c["passed"] is True and c["reason"] for c in d["conditions"])
    assert [r["id"] for r in d["direct_routes"] if r["passed"]] == ["performance_a"]
    assert d["bans"] == [] and d["excluded_by"] == [] and "同时满足全部筛选条件" in d["explanation"]
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get(f"/xj-urumqi/listing/enterprises/{e.id}/screening").get_data(as_text=True)
    assert f'<strong id="verdict">{d["verdict_label"]}</strong>' in page
    for c in d["conditions"]:
        assert f"<td>{c['title']}</td><td>{c['rule_id']}</td><td>{c['mark']}</td>" in page
    assert d["policy_version"] in page


@pytest.mark.today("2026-03-02")
def test_the_api_decision_names_the_ban(client, world):
    e = good_enterprise(10)
    add_record("xj-urumqi", e, "criminal_judgment", record_date=date(2024, 1, 5))
    d = client.get(
        f"{API}/enterprises/{e.id}/screening", headers=bearer("urumqi-officer1")
    ).get_json()
    assert d["verdict"] == "barred" and d["barred_until"] == "2029-01-05"
    assert [(b["id"], b["rule_id"], b["until"]) for b in d["bans"]] == [
        ("criminal_judgment", "XJ-R", "2029-01-05")
    ]


# ---------------------------------------------------------------------------------------------
# Item 5: exclusions exactly as written (XJ-X: 重点危险化学品生产和使用单位, 重点重金属尾矿库企业,
# 生活垃圾焚烧发电, 危险废物（含医废）集中处置, 城镇/工业集聚区污水集中处理)


@pytest.mark.today("2026-03-02")
def test_an_industry_code_alone_does_not_stand_for_a_designation(client, world):
    """C2614 (有机化学原料制造) is not by itself a *key* hazardous-chemical unit: eligible, with a
    note to check; once staff record the designation on the enterprise, it is excluded."""
    e = good_enterprise(11, industry_code="C2614")
    h = bearer("urumqi-officer1")
    d = client.get(f"{API}/enterprises/{e.id}/screening", headers=h).get_json()
    assert d["verdict"] == "eligible" and d["excluded_by"] == []
    assert [x["id"] for x in d["exclusions_to_review"]] == ["hazardous_chemicals"]
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get(f"/xj-urumqi/listing/enterprises/{e.id}/screening").get_data(as_text=True)
    assert "待核实的认定" in page
    edit = client.patch(
        f"/api/v1/tenants/xj-urumqi/enterprises/{e.id}",
        json={"tags": ["key_hazardous_chemical_unit"]},
        headers=h,
    )
    assert edit.status_code == 200, edit.get_json()
    d = client.get(f"{API}/enterprises/{e.id}/screening", headers=h).get_json()
    assert d["verdict"] == "excluded" and d["excluded_by"][0]["matched_tag"] == (
        "key_hazardous_chemical_unit"
    )
    # a nuclear power plant is excluded on its code alone, and the pack says why
    n = good_enterprise(12, industry_code="D4414")
    d = client.get(f"{API}/enterprises/{n.id}/screening", headers=h).get_json()
    assert d["verdict"] == "excluded" and "核力发电" in d["excluded_by"][0]["code_basis"]


@pytest.mark.parametrize("pack_id", ["xinjiang", "shanxi"])
def test_every_designation_a_pack_names_can_be_recorded_by_staff(pack_id):
    pack = load_pack(pack_id)
    for xid, item in pack["exclusions"]["industries"].items():
        assert set(item.get("tags") or []) <= set(ENTERPRISE_TAGS), xid
        assert not item.get("codes") or item.get("code_basis"), xid


def test_an_exclusion_by_code_without_its_reason_is_refused():
    pack = load_pack("xinjiang")
    pack["exclusions"]["industries"]["hazardous_chemicals"]["codes"] = ["C26"]
    with pytest.raises(PackError) as err:
        validate_pack(pack)
    assert "code_basis" in str(err.value.errors)
