"""Issue 10 item 8: the policy page for the people who configure regions.

The effective policy grouped by rule id with the text's sentence and each value's source
(国家法律层 / 省级政策包 / 上级覆盖 / 本级覆盖); kind-specific edits that save a version (audited)
or are refused by field with the input kept; the diff between two versions; and the preview of
a change on live data (an enterprise whose screening verdict changes, a planned inspection that
falls into a new quiet period) that saves nothing — on the page and through the API; another
role and another tenant refused.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect
from sqlalchemy import select

from tenant_app.clock import today
from tenant_app.extensions import db
from tenant_app.inspections.services import plans
from tenant_app.models import AuditEntry, PolicyVersion
from tenant_app.policy import service as policy_service
from tenant_app.policy.services import words
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login, tenant
from ..inspections.conftest import acting, officer_ids
from ..listing.factory import add_record, good_enterprise
from ..web.conftest import artifacts, browser_page, live_server  # noqa: F401  (browser fixtures)
from ..web.test_human_words import CATALOG, visible_text

PAGE = "/sx-taiyuan/policy/"
# Versions take effect from the clock's today; the previews state their day.
pytestmark = pytest.mark.date_sensitive


def _save(slug: str, overrides: dict[str, Any], on: date | None = None, **kw: Any) -> int:
    with use_scope(tenant_scope(tenant(slug))):
        v = policy_service.save_version(
            scope_context(), overrides=overrides, effective_from=on or today(), **kw
        )
        db.session.commit()
        return v.number


def _value(html: str, path: str) -> str:
    """The visible text of one value of a rule card (its words, unit and source)."""
    m = re.search(rf'<dd id="value-{re.escape(path.replace(".", "-"))}".*?</dd>', html, re.S)
    assert m, f"no value {path} on the page"
    return visible_text(m.group(0))


def _card(html: str, rule_id: str) -> str:
    m = re.search(
        rf'<details class="card rule-card" id="rule-{re.escape(rule_id)}".*?</details>\s*(?=<details class="card rule-card"|</?form|<p class|</section)',
        html,
        re.S,
    )
    assert m, f"no card {rule_id}"
    return m.group(0)


def _versions(slug: str) -> list[PolicyVersion]:
    with use_scope(system_scope()):
        return list(
            db.session.execute(
                select(PolicyVersion)
                .where(PolicyVersion.tenant_id == tenant(slug).id)
                .order_by(PolicyVersion.number)
            ).scalars()
        )


def _audited(slug: str) -> int:
    with use_scope(system_scope()):
        return len(
            db.session.execute(
                select(AuditEntry.id).where(
                    AuditEntry.tenant_id == tenant(slug).id, AuditEntry.action == "policy.changed"
                )
            ).all()
        )


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


# --- rule cards ------------------------------------------------------------------------------


def test_values_grouped_by_rule_with_their_sentence_and_source(client, world):
    """NAT-APL-63.1's hearing window (5 working days, 行政处罚法第六十四条) comes from national law
    with its article's sentence; Shanxi's cap for key dischargers set by the province tenant
    (上级覆盖), the general one by Taiyuan itself (本级覆盖), the special one left to the pack."""
    _save("sx", {"inspection": {"caps": {"per_year": {"key": 2}}}})
    _save("sx-taiyuan", {"inspection": {"caps": {"per_year": {"general": 3}}}})
    login(client, "sx-taiyuan", "taiyuan-admin")
    html = client.get(PAGE).get_data(as_text=True)

    hearing = _value(html, "national.rules.hearing.request_days.value")
    assert "5 个工作日" in hearing and "国家法律层" in hearing
    card = visible_text(_card(html, "NAT-APL-64.1"))
    assert "行政处罚法第六十四条" in card
    assert "当事人要求听证的，应当在行政机关告知后五日内提出" in card  # the article's sentence

    assert "每年 2 次" in _value(html, "inspection.caps.per_year.key")
    assert "上级覆盖（山西省）" in _value(html, "inspection.caps.per_year.key")
    assert "每年 3 次" in _value(html, "inspection.caps.per_year.general")
    assert "本级覆盖" in _value(html, "inspection.caps.per_year.general")
    special = _value(html, "inspection.caps.per_year.special")
    assert "每年 12 次" in special and "省级政策包" in special
    # A regional table without a quote shows its title and rule id: nothing invented.
    sx3 = _card(html, "SX-3")
    assert '<code class="rule-id">SX-3</code>' in sx3 and "检查频次上限" in visible_text(sx3)
    # The page no longer dumps raw key/value rows.
    assert 'id="effective"' not in html


def test_search_finds_a_rule_by_its_words(client, world):
    login(client, "sx-taiyuan", "taiyuan-admin")
    html = client.get(PAGE + "?q=安静期").get_data(as_text=True)
    assert 'id="rule-SX-10"' in html and 'id="rule-SX-5"' not in html
    assert 'id="rule-NAT-APL-63.1"' not in html
    html = client.get(PAGE + "?q=NAT-APL-63.1").get_data(as_text=True)
    assert 'id="rule-NAT-APL-63.1"' in html and 'id="rule-SX-10"' not in html
    nothing = client.get(PAGE + "?q=没有这样的规则").get_data(as_text=True)
    assert 'id="no-rules"' in nothing


def test_every_policy_word_has_its_english():
    with CATALOG.open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id and m.string}
    missing = sorted(
        {text for table in words.VOCABS.values() for text in table.values() if text not in english}
    )
    assert not missing, missing


# --- kind-specific edits ---------------------------------------------------------------------


def test_kind_specific_edit_saves_a_new_version_with_its_audit_entry(client, world):
    """A number with its unit and a set of codes (checkboxes): SX-3's cap for general objects
    down to 1 a year, and SX-9's C1 counting penalties only; what was posted unchanged is not
    stored as an override."""
    login(client, "sx-taiyuan", "taiyuan-admin")
    resp = _post(
        client,
        "/sx-taiyuan/policy/values",
        {
            "k-effective_from": today().isoformat(),
            "k-comment": "年度计划调整",
            "action": "save",
            "v-inspection.caps.per_year.general": "1",
            "v-inspection.caps.per_year.key": "4",  # unchanged: the pack's value
            "present-screening.conditions.C1.record_types": "1",
            "v-screening.conditions.C1.record_types": ["penalty"],
            "v-screening.conditions.C1.lookback_months": "12",
        },
    )
    assert resp.status_code == 302, visible_text(resp.get_data(as_text=True))[:2000]
    (version,) = _versions("sx-taiyuan")
    assert version.comment == "年度计划调整"
    assert version.overrides == {
        "inspection": {"caps": {"per_year": {"general": 1}}},
        "screening": {"conditions": {"C1": {"record_types": ["penalty"]}}},
    }
    assert _audited("sx-taiyuan") == 1
    html = client.get(PAGE).get_data(as_text=True)
    assert "每年 1 次" in _value(html, "inspection.caps.per_year.general")
    assert "本级覆盖" in _value(html, "inspection.caps.per_year.general")
    # Setting it back to the inherited value takes the override back.
    resp = _post(
        client,
        "/sx-taiyuan/policy/values",
        {
            "k-effective_from": today().isoformat(),
            "action": "save",
            "v-inspection.caps.per_year.general": "2",
        },
    )
    assert resp.status_code == 302
    assert _versions("sx-taiyuan")[-1].overrides == {
        "screening": {"conditions": {"C1": {"record_types": ["penalty"]}}}
    }


def test_bad_value_is_refused_by_its_field_with_the_input_kept(client, world):
    login(client, "sx-taiyuan", "taiyuan-admin")
    resp = _post(
        client,
        "/sx-taiyuan/policy/values",
        {
            "k-effective_from": today().isoformat(),
            "action": "save",
            "v-inspection.caps.per_year.general": "-1",
            "v-screening.conditions.C1.lookback_months": "24",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    field = re.search(r'<dd id="value-inspection-caps-per_year-general".*?</dd>', html, re.S).group(
        0
    )
    assert (
        "应在 0 到 366 之间" in field and 'data-field="inspection.caps.per_year.general"' in field
    )
    assert 'value="-1"' in field and 'aria-invalid="true"' in field
    assert 'value="24"' in _card(html, "SX-9")  # the other field keeps what was typed too
    # Not a number: refused by the page before the rules are asked.
    resp = _post(
        client,
        "/sx-taiyuan/policy/values",
        {
            "k-effective_from": today().isoformat(),
            "action": "save",
            "v-inspection.caps.per_year.general": "两次",
        },
    )
    assert resp.status_code == 422
    assert "应为整数" in resp.get_data(as_text=True)
    assert 'value="两次"' in resp.get_data(as_text=True)
    assert _versions("sx-taiyuan") == [] and _audited("sx-taiyuan") == 0


# --- versions ----------------------------------------------------------------------------------


def test_diff_between_two_versions_lists_the_changed_key(client, world):
    _save("sx-taiyuan", {"inspection": {"caps": {"per_year": {"general": 3}}}})
    _save(
        "sx-taiyuan",
        {
            "inspection": {"caps": {"per_year": {"general": 1}}},
            "discretion": {"minor_violation_list": ["未按规定公开环境信息且及时改正"]},
        },
    )
    login(client, "sx-taiyuan", "taiyuan-admin")
    html = client.get(PAGE + "?from=1&to=2").get_data(as_text=True)
    table = re.search(r'<table id="diff-changes">.*?</table>', html, re.S).group(0)
    row = re.search(r'<tr data-path="inspection.caps.per_year.general">.*?</tr>', table, re.S)
    assert row, table
    text = visible_text(row.group(0))
    assert "修改" in text and "每年 3 次" in text and "每年 1 次" in text
    assert "<code>SX-3</code>" in row.group(0)
    added = visible_text(
        re.search(r'<tr data-path="discretion.minor_violation_list">.*?</tr>', table, re.S).group(0)
    )
    assert "新增" in added and "未按规定公开环境信息且及时改正" in added
    # By default: the latest version and the one before it.
    assert 'data-path="inspection.caps.per_year.general"' in client.get(PAGE).get_data(True)
    bad = client.get(PAGE + "?from=7&to=2").get_data(as_text=True)
    assert "没有第 7 版" in bad

    api = client.get(
        "/api/v1/tenants/sx-taiyuan/policy/diff?from=1&to=2", headers=bearer("taiyuan-admin")
    )
    assert api.status_code == 200
    body = api.get_json()
    assert body["from"] == 1 and body["to"] == 2
    change = next(c for c in body["changes"] if c["path"] == "inspection.caps.per_year.general")
    assert (change["change"], change["before"], change["after"]) == ("changed", 3, 1)
    assert change["rule_id"] == "SX-3"
    refused = client.get(
        "/api/v1/tenants/sx-taiyuan/policy/diff?to=9", headers=bearer("taiyuan-admin")
    )
    assert refused.status_code == 422 and "to" in refused.get_json()["errors"]


# --- preview -----------------------------------------------------------------------------------


def _quiet_case() -> tuple[int, int, date]:
    """An enterprise that meets every SX-9 condition today although it was fined on 2025-01-10
    (17 months ago: outside C1's twelve-month look-back, inside a 24-month one), and an on-site
    visit planned for 2026-09-15, awaiting approval."""
    e = good_enterprise(901, "sx-taiyuan", name="晋阳精细化工有限公司")
    add_record("sx-taiyuan", e, "penalty", record_date=date(2025, 1, 10), fine_amount="50000")
    with acting("taiyuan-officer1", "sx-taiyuan"):
        insp = plans.create_inspection(
            scope_context(),
            {
                "enterprise_id": e.id,
                "mode": "on_site",
                "trigger": "proactive",
                "planned_date": "2026-09-15",
                "officer_ids": officer_ids("taiyuan-officer1", "taiyuan-officer2"),
            },
        )
        db.session.commit()
        assert [r["rule_id"] for r in insp.requirements] == ["SX-5"]
        return e.id, insp.id, insp.planned_date


@pytest.mark.today("2026-06-15")
def test_preview_lists_a_verdict_change_and_a_visit_falling_into_a_quiet_period(client, world):
    """2026-06-15. SX-9 C1 with a 24-month look-back would catch the fine of 2025-01-10: the
    enterprise goes from 符合纳入条件 to 不符合条件. SX-10: a quiet period 2026-09-10 to
    2026-09-20 would cover the visit of 2026-09-15, which then also needs the principal head
    (主要负责人). Neither preview saves anything."""
    eid, iid, _planned = _quiet_case()
    login(client, "sx-taiyuan", "taiyuan-admin")

    resp = _post(
        client,
        "/sx-taiyuan/policy/values",
        {
            "k-effective_from": "2026-06-15",
            "action": "preview",
            "v-screening.conditions.C1.lookback_months": "24",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, visible_text(html)[:2000]
    preview = re.search(
        r'<section class="card border-primary" id="preview".*?</section>', html, re.S
    )
    assert preview, visible_text(html)[:2000]
    verdicts = visible_text(
        re.search(r'<table id="preview-verdicts">.*?</table>', html, re.S).group(0)
    )
    assert "晋阳精细化工有限公司" in verdicts
    assert "符合纳入条件" in verdicts and "不符合条件" in verdicts
    assert "1 家的正面清单筛选结论会改变" in visible_text(preview.group(0))
    assert 'value="24"' in _card(html, "SX-9")  # the proposal stays on the form
    assert "回溯期" in visible_text(
        re.search(r'<table id="preview-changes">.*?</table>', html, re.S).group(0)
    )

    resp = _post(
        client,
        "/sx-taiyuan/policy/quiet",
        {
            "q-effective_from": "2026-06-15",
            "action": "preview",
            "q-0-kind": "range",
            "q-0-start": "2026-09-10",
            "q-0-end": "2026-09-20",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, visible_text(html)[:2000]
    row = re.search(rf'<tr data-inspection="{iid}">.*?</tr>', html, re.S)
    assert row, visible_text(html)[:3000]
    text = visible_text(row.group(0))
    assert "落入安静期" in text and "SX-10" in text and "主要负责人" in text
    assert "2026-09-15" in text
    assert 'value="2026-09-10"' in html  # the typed rows are kept

    # Nothing saved: no version, no audit entry, the policy in force unchanged.
    assert _versions("sx-taiyuan") == [] and _audited("sx-taiyuan") == 0
    with use_scope(tenant_scope(tenant("sx-taiyuan"))):
        eff = policy_service.effective_policy(tenant("sx-taiyuan"))
        assert eff.effective["inspection"]["quiet"]["periods"] == []
        assert eff.effective["screening"]["conditions"]["C1"]["lookback_months"] == 12
        insp = plans.get_inspection(iid)
        assert [r["rule_id"] for r in insp.requirements] == ["SX-5"]


@pytest.mark.today("2026-06-15")
def test_preview_through_the_api_answers_the_same_and_saves_nothing(client, world):
    eid, iid, _planned = _quiet_case()
    body = {
        "effective_from": "2026-06-15",
        "overrides": {
            "inspection": {
                "quiet": {
                    "periods": [
                        {
                            "id": "autumn",
                            "kind": "range",
                            "start": "2026-09-10",
                            "end": "2026-09-20",
                        }
                    ]
                }
            },
            "screening": {"conditions": {"C1": {"lookback_months": 24}}},
        },
    }
    resp = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/preview", headers=bearer("taiyuan-admin"), json=body
    )
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["saved"] is False
    (verdict,) = out["enterprises"]["items"]
    assert (verdict["enterprise_id"], verdict["before"], verdict["after"]) == (
        eid,
        "eligible",
        "not_eligible",
    )
    assert out["enterprises"]["changed"] == 1
    (visit,) = out["inspections"]["items"]
    assert visit["inspection_id"] == iid and visit["enters_quiet"] and visit["route_changed"]
    assert [r["rule_id"] for r in visit["after"]["requirements"]] == ["SX-5", "SX-10"]
    assert {c["path"] for c in out["changes"]} == {
        "inspection.quiet.periods",
        "screening.conditions.C1.lookback_months",
    }
    assert _versions("sx-taiyuan") == [] and _audited("sx-taiyuan") == 0
    # A proposal the pack refuses is refused as saving would, by its key.
    bad = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/preview",
        headers=bearer("taiyuan-admin"),
        json={
            "effective_from": "2026-06-15",
            "overrides": {"procedure": {"periods": {"notice_min_end": {"n": 3}}}},
        },
    )
    assert bad.status_code == 422
    assert "procedure.periods.notice_min_end.n" in bad.get_json()["errors"]


# --- who may -----------------------------------------------------------------------------------


def test_an_officer_reads_the_page_but_may_not_edit_or_preview(client, world):
    login(client, "sx-taiyuan", "taiyuan-officer1")
    html = client.get(PAGE).get_data(as_text=True)
    assert 'id="rule-SX-10"' in html and 'id="values-form"' not in html
    token = csrf_from(html)
    for url in ("/sx-taiyuan/policy/values", "/sx-taiyuan/policy/quiet", "/sx-taiyuan/policy/"):
        resp = client.post(
            url,
            data={
                "csrf_token": token,
                "action": "preview",
                "k-effective_from": today().isoformat(),
            },
        )
        assert resp.status_code == 403, url
    api = client.post(
        "/api/v1/tenants/sx-taiyuan/policy/preview",
        headers=bearer("taiyuan-officer1"),
        json={"effective_from": today().isoformat(), "overrides": {}},
    )
    assert api.status_code == 403


def test_another_tenant_is_refused(client, world):
    headers = bearer("taiyuan-admin")
    for method, url in (
        ("post", "/api/v1/tenants/xj-urumqi/policy/preview"),
        ("get", "/api/v1/tenants/xj-urumqi/policy/diff"),
        ("get", "/api/v1/tenants/xj-urumqi/policy/rules"),
    ):
        kw: dict[str, Any] = {"headers": headers}
        if method == "post":
            kw["json"] = {"effective_from": today().isoformat(), "overrides": {}}
        resp = getattr(client, method)(url, **kw)
        assert resp.status_code == 403, url
    login(client, "sx-taiyuan", "taiyuan-admin")
    assert client.get("/xj-urumqi/policy/").status_code in (302, 403, 404)


def test_rules_api_gives_the_cards_with_sentences_and_sources(client, world):
    _save("sx-taiyuan", {"inspection": {"caps": {"per_year": {"general": 3}}}})
    resp = client.get(
        "/api/v1/tenants/sx-taiyuan/policy/rules?q=NAT-APL-64.1", headers=bearer("taiyuan-admin")
    )
    assert resp.status_code == 200
    (card,) = resp.get_json()
    assert card["rule_id"] == "NAT-APL-64.1" and "五日内" in card["sentence"]
    value = card["entries"][0]["values"][0]
    assert (value["value"], value["unit"], value["origin"]) == (5, "workdays", "national")
    sx3 = client.get(
        "/api/v1/tenants/sx-taiyuan/policy/rules?q=SX-3", headers=bearer("taiyuan-admin")
    ).get_json()
    values = {v["path"]: v for c in sx3 for e in c["entries"] for v in e["values"]}
    assert values["inspection.caps.per_year.general"]["origin"] == "own"
    assert values["inspection.caps.per_year.key"]["origin"] == "pack"


def test_the_page_shows_no_raw_code_in_either_language(client, world):
    """The human-words rule (tests/web/test_human_words.py) on Taiyuan's page, which the demo
    walk does not open: Shanxi's notes cite role codes (agency_head), shown as literals."""
    from tenant_app.ui.labels import all_codes

    from ..web.test_human_words import _problems

    _save(
        "sx-taiyuan",
        {
            "inspection": {
                "quiet": {
                    "periods": [{"id": "q1", "kind": "monthly", "start_day": 1, "end_day": 5}]
                }
            }
        },
    )
    login(client, "sx-taiyuan", "taiyuan-admin")
    codes = all_codes() - {"A", "B", "C", "D"}
    zh = visible_text(client.get(PAGE).get_data(as_text=True))
    assert not _problems(zh, "zh_CN", codes)
    client.get("/lang/en")
    en = visible_text(unescape(client.get(PAGE).get_data(as_text=True)))
    assert not _problems(en, "en", codes)
    assert "National law layer" in en and "Own override" in en
    assert "days 1–5 of every month" in en  # the quiet period in words


# --- in the browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_policy_page_on_a_phone_and_on_a_desk(world, browser_page, artifacts):  # noqa: F811
    """390 px: the rule cards are folded (each summary names its rule), nothing scrolls sideways,
    the search box leaves only the matching cards; 1366 px: the cards are open. A kind-specific
    change previewed in the browser shows its effect and saves nothing."""
    from ..web.test_browser_layout import DESK, PHONE, no_sideways_scroll, sign_in

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, "taiyuan-admin", "sx-taiyuan")
    page.goto(PAGE)
    no_sideways_scroll(page)
    assert page.locator("#rule-SX-10").evaluate("d => d.open") is False
    page.locator("#rule-search").fill("安静期")
    assert page.locator("#rule-SX-10").is_visible()
    assert page.locator("#rule-SX-5").is_hidden()
    assert page.locator("#rule-SX-10").evaluate("d => d.open") is True
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "policy-search-phone-zh.png"), full_page=False)

    page.set_viewport_size(DESK)
    page.goto(PAGE)
    assert page.locator("#rule-SX-3").evaluate("d => d.open") is True
    card = page.locator("#value-inspection-caps-per_year-general")
    card.locator("summary").click()
    card.get_by_label("新值").fill("1")
    page.locator("#preview-values").click()
    page.locator("#preview").wait_for()
    assert "回溯期" not in page.locator("#preview-changes").inner_text()
    expect(page.locator("#preview-changes")).to_contain_text("每年 1 次")
    assert page.locator("#value-inspection-caps-per_year-general input").input_value() == "1"
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "policy-preview-desk-zh.png"), full_page=False)
    assert _versions("sx-taiyuan") == []
