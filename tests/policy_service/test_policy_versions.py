"""Tenant policy: inheritance, overrides only where the pack allows, versions in force by date
(issue 3), through the service, the pages, the API and `tenant-app policy show`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tenant_app.clock import today
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import AuditEntry
from tenant_app.policy import service as policy_service
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, login, post_form, tenant

# Versions take effect from the clock's today.
pytestmark = pytest.mark.date_sensitive


def _save(slug: str, overrides: dict, effective_from: date, **kw):
    t = tenant(slug)
    with use_scope(tenant_scope(t)):
        v = policy_service.save_version(
            scope_context(), overrides=overrides, effective_from=effective_from, **kw
        )
        db.session.commit()
        return v.number


def _effective(slug: str, on: date | None = None):
    t = tenant(slug)
    with use_scope(tenant_scope(t)):
        return policy_service.effective_policy(t, on)


def test_city_inherits_the_province_pack(world):
    eff = _effective("sx-taiyuan")
    assert eff.pack_name == "shanxi"
    assert eff.effective["inspection"]["quiet"]["rule_id"] == "SX-10"
    assert eff.version_label == f"shanxi@{eff.pack_version}"


def test_SX_10_taiyuan_quiet_periods_in_browser_show_in_policy_show(client, app, world):
    """Done-when of issue 3: a city's quiet periods configured in the browser, seen in the CLI."""
    login(client, "platform", "admin")
    resp = post_form(
        client,
        "/sx-taiyuan/policy/",
        "/sx-taiyuan/policy/quiet",
        {
            "q-effective_from": today().isoformat(),
            "q-comment": "太原市企业安静期",
            "q-0-kind": "monthly",
            "q-0-start": "1",
            "q-0-end": "10",
            "q-0-categories": "general",
            "q-1-kind": "range",
            "q-1-start": "2026-12-20",
            "q-1-end": "2027-01-05",
            "q-1-industries": "C26",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    shown = app.test_cli_runner().invoke(args=["policy", "show", "--tenant", "sx-taiyuan"])
    out = json.loads(shown.output)
    periods = out["effective"]["inspection"]["quiet"]["periods"]
    assert [p["kind"] for p in periods] == ["monthly", "range"]
    assert periods[0]["start_day"] == 1 and periods[0]["categories"] == ["general"]
    assert out["sources"]["inspection.quiet.periods"] == "本级"
    assert out["policy_version"].endswith("+sx-taiyuan#1")
    policy = _policy("sx-taiyuan", today())
    assert policy.quiet_period(date(2026, 12, 21), "C2614", "general").answer is True
    assert policy.quiet_period(date(2027, 1, 6), "C2614", "key").answer is False


def _policy(slug: str, on: date):
    t = tenant(slug)
    with use_scope(tenant_scope(t)):
        return policy_service.policy_for(t, on)


def test_question_answered_under_the_version_in_force_on_the_date_asked(world):
    _save("sx-taiyuan", {"inspection": {"caps": {"per_year": {"general": 3}}}}, today())
    _save(
        "sx-taiyuan",
        {"inspection": {"caps": {"per_year": {"general": 1}}}},
        today() + timedelta(days=30),
    )
    before = _policy("sx-taiyuan", today() + timedelta(days=29)).inspection_cap("general")
    after = _policy("sx-taiyuan", today() + timedelta(days=30)).inspection_cap("general")
    assert before.answer == 3 and before.policy_version.endswith("sx-taiyuan#1")
    assert after.answer == 1 and after.policy_version.endswith("sx-taiyuan#2")
    assert before.rule_id == "SX-3"


def test_province_override_reaches_the_city_and_the_source_says_so(world):
    _save("sx", {"inspection": {"caps": {"per_year": {"key": 2}}}}, today())
    eff = _effective("sx-taiyuan")
    assert eff.effective["inspection"]["caps"]["per_year"]["key"] == 2
    assert eff.sources["inspection.caps.per_year.key"] == "山西省"
    assert "+sx#1" in eff.version_label


def test_non_overridable_key_is_refused_with_its_path(world):
    with pytest.raises(ServiceError) as err:
        _save("xj-urumqi", {"procedure": {"periods": {"notice_min_end": {"amount": 3}}}}, today())
    assert any(p.startswith("procedure") for p in err.value.errors)
    assert "不可覆盖" in next(iter(err.value.errors.values()))[0]


def test_impossible_override_value_is_refused_and_nothing_written(world):
    with pytest.raises(ServiceError) as err:
        _save("sx-taiyuan", {"inspection": {"caps": {"per_year": {"general": -1}}}}, today())
    assert "inspection.caps.per_year.general" in err.value.errors
    with use_scope(tenant_scope(tenant("sx-taiyuan"))):
        assert policy_service.history(tenant("sx-taiyuan")) == []


def test_effective_date_in_the_past_is_refused(world):
    with pytest.raises(ServiceError) as err:
        _save("sx-taiyuan", {}, today() - timedelta(days=1))
    assert "effective_from" in err.value.errors


def test_change_is_audited_with_its_diff(world):
    _save(
        "sx-taiyuan",
        {"inspection": {"caps": {"per_year": {"general": 3}}}},
        today(),
        comment="年度计划",
    )
    t = tenant("sx-taiyuan")
    with use_scope(system_scope()):
        entry = (
            db.session.query(AuditEntry)
            .filter(AuditEntry.tenant_id == t.id, AuditEntry.action == "policy.changed")
            .one()
        )
    assert entry.after["diff"] == [
        {"path": "inspection.caps.per_year.general", "before": None, "after": 3}
    ]


def test_tenant_admin_cannot_change_the_pack_but_superadmin_can(client, world):
    body = {"effective_from": today().isoformat(), "overrides": {}, "pack": "xinjiang"}
    refused = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/versions", headers=bearer("taiyuan-admin"), json=body
    )
    assert refused.status_code == 422 and "pack" in refused.get_json()["errors"]
    done = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/versions", headers=bearer("admin"), json=body
    )
    assert done.status_code == 201
    shown = client.get("/api/v1/tenants/sx-taiyuan/policy", headers=bearer("admin")).get_json()
    assert shown["pack"] == "xinjiang"


def test_officer_reads_policy_but_cannot_edit(client, world):
    headers = bearer("taiyuan-officer1")
    assert client.get("/api/v1/tenants/sx-taiyuan/policy", headers=headers).status_code == 200
    resp = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/versions",
        headers=headers,
        json={"effective_from": today().isoformat(), "overrides": {}},
    )
    assert resp.status_code == 403


def test_api_edit_errors_name_the_key_path_in_chinese(client, world):
    resp = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/versions",
        headers=bearer("taiyuan-admin"),
        json={
            "effective_from": today().isoformat(),
            "overrides": {
                "inspection": {
                    "quiet": {
                        "periods": [{"id": "q1", "kind": "monthly", "start_day": 12, "end_day": 3}]
                    }
                }
            },
        },
    )
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert "开始不能晚于结束" in errors["inspection.quiet.periods.0.start_day"][0]


def test_page_shows_field_errors_and_keeps_the_typed_rows(client, world):
    login(client, "sx-taiyuan", "taiyuan-admin")
    resp = post_form(
        client,
        "/sx-taiyuan/policy/",
        "/sx-taiyuan/policy/quiet",
        {
            "q-effective_from": today().isoformat(),
            "q-0-kind": "range",
            "q-0-start": "2027-13-01",
            "q-0-end": "2027-01-05",
        },
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "inspection.quiet.periods.0.start" in page and "日期格式应为 YYYY-MM-DD" in page
    assert 'value="2027-13-01"' in page


def test_sibling_city_policy_is_not_readable(client, world):
    resp = client.get("/api/v1/tenants/xj-urumqi/policy", headers=bearer("taiyuan-admin"))
    assert resp.status_code == 403


def test_policy_show_on_a_date(app, world):
    _save(
        "sx-taiyuan",
        {"inspection": {"caps": {"per_year": {"general": 1}}}},
        today() + timedelta(days=10),
    )
    runner = app.test_cli_runner()
    now = json.loads(runner.invoke(args=["policy", "show", "--tenant", "sx-taiyuan"]).output)
    later_day = (today() + timedelta(days=10)).isoformat()
    later = json.loads(
        runner.invoke(args=["policy", "show", "--tenant", "sx-taiyuan", "--on", later_day]).output
    )
    assert now["effective"]["inspection"]["caps"]["per_year"]["general"] != 1
    assert later["effective"]["inspection"]["caps"]["per_year"]["general"] == 1


def test_policy_validate_cli_names_the_bad_key(app, tmp_path):
    bad = tmp_path / "pack.toml"
    text = (
        Path("policies/shanxi/pack.toml")
        .read_text(encoding="utf-8")
        .replace("[meta]", "[meta]\nsurprise = 1", 1)
    )
    bad.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["policy", "validate", str(bad)])
    assert result.exit_code == 1
    assert "meta.surprise" in result.output
    good = app.test_cli_runner().invoke(args=["policy", "validate", "policies/xinjiang/pack.toml"])
    assert good.exit_code == 0 and good.output.startswith("ok: xinjiang")
