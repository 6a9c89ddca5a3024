"""Oversight figures (issue 17 item 2; XJ-A, SX-O) against the hand-counted world of conftest.py:
a child region's rows count for the city's auditor, a sibling city's never; each drill-down adds
up to its chart figure; the pages refuse roles without oversight and name a bad filter."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from tenant_app.oversight.services import stats
from tenant_app.tenancy.acting import scope_context
from tests.helpers import login, tenant
from tests.inspections.conftest import acting

pytestmark = pytest.mark.today("2026-06-15")


def _chart(key: str, **args: Any) -> stats.Chart:
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        return stats.chart(ctx, stats.parse_filters(ctx, args), key)


def _by_bucket(c: stats.Chart, measure: str) -> dict[str, int]:
    return {label: c.values[measure][i] for i, (_b, label) in enumerate(c.buckets)}


def test_xj_a_sx_o_inspections_per_month_count_the_child_and_never_the_sibling(oversight_world):
    c = _chart("inspections_month")
    on, off = _by_bucket(c, "on_site"), _by_bucket(c, "off_site")
    assert [m for _b, m in c.buckets] == [f"2026-{m:02d}" for m in range(1, 7)]
    # March: urumqi's two (kashi's on 03-11 is a sibling's); May: tianshan's, the rejected not.
    assert on == {
        "2026-01": 0,
        "2026-02": 0,
        "2026-03": 2,
        "2026-04": 0,
        "2026-05": 1,
        "2026-06": 0,
    }
    assert off["2026-05"] == 1 and sum(off.values()) == 1


def test_sx_o_inspections_per_child_region_by_trigger(oversight_world):
    c = _chart("inspections_trigger")
    labels = [label for _b, label in c.buckets]
    assert labels == ["乌鲁木齐市（本级）", "天山区"]  # no 喀什地区: a sibling
    assert _by_bucket(c, "on_site") == {"乌鲁木齐市（本级）": 2, "天山区": 1}
    assert _by_bucket(c, "trigger_complaint") == {"乌鲁木齐市（本级）": 1, "天山区": 1}
    assert _by_bucket(c, "trigger_random_draw") == {"乌鲁木齐市（本级）": 1, "天山区": 0}


def test_xj_a_on_site_in_quiet_periods_and_to_listed_enterprises(oversight_world):
    c = _chart("on_site_conduct")
    assert c.totals["quiet"] == 1 and c.totals["listed"] == 1
    assert _by_bucket(c, "quiet") == {"乌鲁木齐市（本级）": 0, "天山区": 1}


def test_listing_warnings_and_cases_per_region(oversight_world):
    listing = _chart("listing")
    assert _by_bucket(listing, "listed") == {"乌鲁木齐市（本级）": 1, "天山区": 0}
    assert listing.totals["added"] == 1 and listing.totals["removed"] == 0  # listed 2026-02-01
    warnings = _chart("warnings")
    assert warnings.totals == {"sent": 1, "answered": 1, "escalated": 0}
    assert warnings.percent[0][1][1] == "100.0%"
    cases = _chart("cases")
    assert cases.totals == {"decided": 1, "no_penalty": 1, "fine": 0, "outside": 1, "far": 0}


def test_filters_narrow_to_a_region_and_a_category(oversight_world):
    tianshan = tenant("xj-urumqi-tianshan")
    c = _chart("inspections_month", region=str(tianshan.id))
    assert sum(c.values["on_site"]) == 1
    c = _chart("inspections_month", category="listed")
    assert sum(c.values["on_site"]) == 1  # tianshan's listed enterprise only
    c = _chart("inspections_month", start="2026-05-01", end="2026-05-31")
    assert [b for b, _l in c.buckets] == ["2026-05"] and c.values["on_site"] == [1]


def test_filters_refuse_a_sibling_region_and_bad_dates_naming_the_field(oversight_world):
    kashi = tenant("xj-kashi")
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        with pytest.raises(stats.BadFilter) as exc:
            stats.parse_filters(ctx, {"region": str(kashi.id)})
        assert "region" in exc.value.errors
        with pytest.raises(stats.BadFilter) as exc:
            stats.parse_filters(ctx, {"start": "2026-13-01"})
        assert "start" in exc.value.errors
        with pytest.raises(stats.BadFilter) as exc:
            stats.parse_filters(ctx, {"start": "2026-06-01", "end": "2026-05-01"})
        assert "end" in exc.value.errors


def test_every_drill_down_adds_up_to_its_chart_figure(oversight_world):
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        f = stats.parse_filters(ctx, {})
        checked = 0
        for key in stats.specs():
            c = stats.chart(ctx, f, key)
            for m, _label in c.measures:
                for i, (b, _l) in enumerate(c.buckets):
                    d = stats.drill(ctx, f, key, m, str(b))
                    assert d.total == len(d.rows) == c.values[m][i], (key, m, b)
                    checked += d.total
        assert checked > 10


def test_quiet_period_drill_names_who_approved(oversight_world):
    tianshan = tenant("xj-urumqi-tianshan")
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        d = stats.drill(
            ctx, stats.parse_filters(ctx, {}), "on_site_conduct", "quiet", str(tianshan.id)
        )
    assert [(r.name, r.approvers, r.region) for r in d.rows] == [
        ("天山企业A", "王负责人", "天山区")
    ]


def test_sx_o_most_inspected_and_never_inspected_key_enterprises(oversight_world):
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        f = stats.parse_filters(ctx, {})
        loads = stats.most_inspected(ctx, f)
        total, rows = stats.never_inspected_key(ctx, f)
    assert [(r.name, r.on_site) for r in loads] == [("乌市企业A", 2), ("天山企业A", 1)]
    assert total == 1 and [name for _r, _id, name in rows] == ["重点企业B"]


def test_the_page_shows_charts_tables_and_links_to_the_rows(client, oversight_world):
    login(client, "xj-urumqi", "urumqi-auditor")
    resp = client.get("/xj-urumqi/oversight/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "vendor/echarts-5.6.0/echarts.min.js" in html and "cdn" not in html.lower()
    assert "data-echarts=" in html and "喀什" not in html
    link = re.search(
        r'href="(/xj-urumqi/oversight/charts/on_site_conduct/rows\?[^"]*measure=quiet[^"]*)"', html
    )
    assert link
    rows = client.get(link.group(1).replace("&amp;", "&"))
    assert rows.status_code == 200 and "王负责人" in rows.get_data(as_text=True)


def test_every_table_exports_to_xlsx_with_the_same_figures(client, oversight_world):
    login(client, "xj-urumqi", "urumqi-auditor")
    resp = client.get("/xj-urumqi/oversight/export/inspections_trigger.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("地区", "现场检查", "非现场检查")
    assert rows[1][:3] == ("乌鲁木齐市（本级）", 2, 1) and rows[2][:3] == ("天山区", 1, 0)
    for key in [*stats.specs(), "most_inspected", "never_inspected"]:
        assert client.get(f"/xj-urumqi/oversight/export/{key}.xlsx").status_code == 200, key


def test_roles_without_oversight_are_refused(client, oversight_world):
    login(client, "xj-urumqi", "urumqi-officer1")
    assert client.get("/xj-urumqi/oversight/").status_code == 403
    assert client.get("/xj-urumqi/oversight/export/cases.xlsx").status_code == 403
    assert (
        client.get("/xj-urumqi/oversight/charts/cases/rows?measure=decided&bucket=0").status_code
        == 403
    )


def test_a_bad_filter_is_named_in_chinese_never_a_500(client, oversight_world):
    login(client, "xj-urumqi", "urumqi-auditor")
    resp = client.get("/xj-urumqi/oversight/?start=bad")
    assert resp.status_code == 422 and "开始日期" in resp.get_data(as_text=True)
    for far in ("start=9997-01-01&end=9999-12-31", "start=0001-01-01&end=0001-02-01"):
        resp = client.get(f"/xj-urumqi/oversight/?{far}")
        assert resp.status_code == 422 and "超出范围" in resp.get_data(as_text=True)
        assert client.get(f"/xj-urumqi/oversight/bulletin.docx?{far}").status_code == 422
    resp = client.get("/xj-urumqi/oversight/charts/cases/rows?measure=nope&bucket=0")
    assert resp.status_code == 422 and "统计项" in resp.get_data(as_text=True)
    resp = client.get(
        "/xj-urumqi/oversight/charts/inspections_month/rows?measure=on_site&bucket=2020-01"
    )
    assert resp.status_code == 422


def test_the_province_auditor_sees_both_cities(oversight_world):
    with acting("xj-auditor", "xj"):
        ctx = scope_context()
        c = stats.chart(ctx, stats.parse_filters(ctx, {}), "inspections_trigger")
    on = _by_bucket(c, "on_site")
    assert on == {"新疆维吾尔自治区（本级）": 0, "乌鲁木齐市": 3, "喀什地区": 1}


def test_the_api_gives_the_same_figures_and_rows(client, oversight_world):
    from tests.helpers import bearer

    base = "/api/v1/tenants/xj-urumqi/oversight/charts"
    auditor = bearer("urumqi-auditor")
    resp = client.get(f"{base}/inspections_trigger", headers=auditor)
    assert resp.status_code == 200
    on_site = next(m for m in resp.json["measures"] if m["key"] == "on_site")
    assert on_site["values"] == [2, 1] and on_site["total"] == 3
    tianshan = tenant("xj-urumqi-tianshan")
    rows = client.get(
        f"{base}/on_site_conduct/rows?measure=quiet&bucket={tianshan.id}", headers=auditor
    )
    assert rows.json["total"] == 1 and rows.json["rows"][0]["approvers"] == "王负责人"
    bad = client.get(f"{base}/cases?start=nope", headers=auditor)
    assert bad.status_code == 422 and "start" in bad.json["errors"]
    assert client.get(f"{base}/cases", headers=bearer("urumqi-officer1")).status_code == 403


def test_case_time_against_the_legal_limit_per_child_region(oversight_world):
    """行政处罚法第六十条 (NAT-APL-60): a case is decided within its limit (90 days from filing,
    longer once an extension is approved). On 2026-06-15: tianshan's case filed 2026-04-01 and
    decided 2026-05-20 (limit 2026-07-01) is within; urumqi's, filed 2026-02-10 and decided
    2026-06-10 after an extension to 2026-06-08, is late; urumqi's case filed 2026-03-02 and still
    in investigation with its limit 2026-05-31 is overdue; one filed 2026-05-20 (limit
    2026-08-18) is not; the sibling kashi's never counts."""
    from tenant_app.extensions import db
    from tenant_app.models import Case
    from tenant_app.tenancy.resolve import system_scope
    from tenant_app.tenancy.scope import use_scope

    from .conftest import ent

    t = tenant("xj-urumqi")
    e = ent("xj-urumqi", "乌市企业C")
    with use_scope(system_scope(t.id)):
        for filed, limit, decided, extended in (
            ("2026-02-10", "2026-06-08", "2026-06-10", True),
            ("2026-03-02", "2026-05-31", None, False),
            ("2026-05-20", "2026-08-18", None, False),
        ):
            db.session.add(
                Case(
                    tenant_id=t.id,
                    enterprise_id=e,
                    origin="manual",
                    title=f"立案{filed}",
                    filed_on=date.fromisoformat(filed),
                    limit_due=date.fromisoformat(limit),
                    extended=extended,
                    stage="decided" if decided else "investigation",
                    decided_on=date.fromisoformat(decided) if decided else None,
                )
            )
        db.session.commit()
    c = _chart("case_time")
    assert _by_bucket(c, "decided") == {"乌鲁木齐市（本级）": 1, "天山区": 1}
    assert _by_bucket(c, "within") == {"乌鲁木齐市（本级）": 0, "天山区": 1}
    assert _by_bucket(c, "late") == {"乌鲁木齐市（本级）": 1, "天山区": 0}
    assert c.totals["extended"] == 1 and c.totals["open_overdue"] == 1
    assert c.percent[0][1] == ["0.0%", "100.0%"]
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        late = stats.drill(ctx, stats.parse_filters(ctx, {}), "case_time", "open_overdue", "0")
    assert [(r.name, r.on) for r in late.rows] == [("乌市企业C", date(2026, 5, 31))]
