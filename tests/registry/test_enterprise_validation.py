"""Credit-code rules, duplicates, the catalog and county checks, and nothing half-written."""

from __future__ import annotations

from sqlalchemy import func, select

from tenant_app.core import uscc as uscc_rules
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, Enterprise
from tenant_app.registry.services.enterprise_rows import RowContext, validate_enterprise_row
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, login, post_form, tenant
from .factory import make_enterprise, uscc

API = "/api/v1/tenants/xj-urumqi/enterprises"


def test_real_format_codes_with_their_check_digit_are_accepted():
    for code in ("91110000600037341L", uscc(1), uscc(99999999), uscc(5, "140105")):
        assert uscc_rules.check(code) == (code, None)


def test_full_width_input_is_normalised():
    assert uscc_rules.check("９１１１００００６０００３７３４１ｌ") == ("91110000600037341L", None)


def test_a_wrong_check_digit_is_refused_naming_the_expected_one():
    good = uscc(7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    _code, problem = uscc_rules.check(bad)
    assert problem == f"统一社会信用代码第 18 位校验码应为 {good[17]}，填写的是 {bad[17]}"


def test_a_bad_character_is_named_with_its_position():
    _c, problem = uscc_rules.check("91650100O0000001X" + "1")
    assert problem is not None and "第 9 位“O”" in problem
    _c, problem = uscc_rules.check("9A6501000000000" + "1X1")
    assert problem is not None and "第 2 位“A”" in problem
    assert "18 位" in (uscc_rules.check("9165")[1] or "")


def test_row_validation_collects_every_field_problem(world):
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        _clean, errors = validate_enterprise_row(
            {
                "uscc": "123",
                "name": "",
                "industry_code": "Z99",
                "county": "太原",
                "permit_class": "重点管理",
                "permit_no": "X1",
                "permit_valid_from": "2025-02-30",
                "permit_valid_to": "",
                "online_monitoring_networked": "是",
            },
            RowContext.load(scope_context()),
        )
    assert set(errors) == {
        "uscc",
        "name",
        "industry_code",
        "county_tenant_id",
        "permit_valid_from",
        "permit_valid_to",
        "online_monitoring_networked",
    }


def test_industry_without_letter_is_stored_as_the_pack_writes_it_and_county_by_name(world):
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        clean, errors = validate_enterprise_row(
            {
                "uscc": uscc(3),
                "name": "甲",
                "industry_code": "4417",
                "county": "天山区",
                "tags": "重点重金属尾矿库",
            },
            RowContext.load(scope_context()),
        )
    assert errors == {}
    assert clean["industry_code"] == "D4417"
    assert clean["county_tenant_id"] == tenant("xj-urumqi-tianshan").id
    assert clean["tags"] == ["heavy_metal_tailings_pond"]


def test_unknown_industry_class_suggests_its_division(world):
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        _c, errors = validate_enterprise_row(
            {"uscc": uscc(3), "name": "甲", "industry_code": "C3110"},
            RowContext.load(scope_context()),
        )
    assert "可填写其所属大类 C31" in errors["industry_code"][0]


def test_county_must_be_a_child_of_the_tenant(world):
    other = tenant("sx-taiyuan-xiaodian")
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        _c, errors = validate_enterprise_row(
            {"uscc": uscc(3), "name": "甲", "county_tenant_id": other.id},
            RowContext.load(scope_context()),
        )
    assert "county_tenant_id" in errors


def test_duplicate_code_in_the_same_tenant_is_409_naming_the_field(client, world):
    e = make_enterprise("xj-urumqi", 1)
    resp = client.post(
        API, json={"uscc": e.uscc, "name": "另一家"}, headers=bearer("urumqi-officer1")
    )
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "conflict"
    assert "uscc" in resp.get_json()["errors"]


def test_same_code_in_another_tenant_is_allowed(world):
    make_enterprise("xj-urumqi", 1)
    t = tenant("sx-taiyuan")
    make_enterprise("sx-taiyuan", 2, uscc=uscc(1, tenant("xj-urumqi").division_code))
    with use_scope(system_scope()):
        assert db.session.execute(select(func.count()).select_from(Enterprise)).scalar() == 2
    assert t.slug == "sx-taiyuan"


def test_api_errors_are_chinese_by_field(client, world):
    bad = uscc(2)[:17] + "Y" if uscc(2)[17] != "Y" else uscc(2)[:17] + "X"
    resp = client.post(
        API,
        json={"uscc": bad, "name": "某公司", "industry_code": "C99"},
        headers=bearer("urumqi-officer1"),
    )
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert "第 18 位校验码应为" in errors["uscc"][0]
    assert "industry_code" in errors


def _counts() -> tuple[int, int]:
    with use_scope(system_scope()):
        return (
            db.session.execute(select(func.count()).select_from(Enterprise)).scalar_one(),
            db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def test_a_refused_form_keeps_what_was_typed_and_writes_nothing(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    before = _counts()
    resp = post_form(
        client,
        "/xj-urumqi/enterprises/new",
        "/xj-urumqi/enterprises/new",
        {
            "uscc": "91650100MA77777771",
            "name": "乌鲁木齐某某化工有限公司",
            "industry_code": "C2614",
            "permit_class": "key",
            "permit_no": "P-1",
            "permit_valid_from": "2026-01-01",
            "permit_valid_to": "2025-01-01",
            "supervision_category": "general",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "乌鲁木齐某某化工有限公司" in html and "91650100MA77777771" in html
    assert "校验码" in html and "截止日期不能早于起始日期" in html
    assert _counts() == before


def test_a_duplicate_update_rolls_back_and_answers_409(client, world):
    a, b = make_enterprise("xj-urumqi", 1), make_enterprise("xj-urumqi", 2)
    headers = bearer("urumqi-officer1")
    before = _counts()
    resp = client.patch(f"{API}/{b.id}", json={"uscc": a.uscc, "name": "改名"}, headers=headers)
    assert resp.status_code == 409
    assert _counts() == before
    assert client.get(f"{API}/{b.id}", headers=headers).get_json()["name"] == b.name


def test_create_and_update_are_audited(client, world):
    headers = bearer("urumqi-officer1")
    resp = client.post(API, json={"uscc": uscc(4), "name": "审计测试公司"}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    eid = resp.get_json()["id"]
    assert (
        client.patch(f"{API}/{eid}", json={"key_discharger": True}, headers=headers).status_code
        == 200
    )
    with use_scope(system_scope()):
        actions = [
            a
            for (a,) in db.session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "enterprise", AuditEntry.object_id == str(eid))
                .order_by(AuditEntry.seq)
            )
        ]
    assert actions == ["enterprise.created", "enterprise.updated"]


def test_the_listed_status_refusal_cites_the_tenants_own_pack(world):
    """Only the procedure gives and ends "listed" (issue 11 item 6); the refusal cites the rules
    of the tenant's pack (Xinjiang's procedure and removal, Shanxi's default), never a region's
    literal written in the registry."""
    row = {"uscc": uscc(3), "name": "甲", "supervision_category": "listed"}
    cited = {}
    for slug in ("xj-urumqi", "sx-taiyuan"):
        with use_scope(tenant_scope(tenant(slug))):
            _c, errors = validate_enterprise_row(row, RowContext.load(scope_context()))
        cited[slug] = errors["supervision_category"][0]
    assert cited["xj-urumqi"].endswith("（XJ-P、XJ-R）")
    assert cited["sx-taiyuan"].endswith("（SX-9）")
    assert all("纳入程序" in reason for reason in cited.values())
