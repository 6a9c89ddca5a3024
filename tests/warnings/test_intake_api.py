"""Monitoring intake (SX-1, SX-8): the JSON batch API is idempotent per batch id, reports bad rows
by index and field in Chinese and writes nothing unless every row is good; the upload takes the
same rows from a CSV file; an anomaly warns at once and its resolution closes the warning."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.models import MonitoringRecord
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, login, post_form, tenant

from .conftest import SX, XJ, enterprise, row, run_scan, valid_uscc, warnings_of


def _count(slug: str = "sx-taiyuan") -> int:
    with use_scope(system_scope(tenant(slug).id)):
        return int(db.session.execute(select(func.count(MonitoringRecord.id))).scalar_one())


@pytest.mark.today("2026-05-12")
def test_SX_1_batch_is_taken_once_and_a_repost_answers_the_same(world: Any, client: Any) -> None:
    e = enterprise(permit_no="PN-1")
    officer = bearer("taiyuan-officer1")
    body = {"batch_id": "plat-2026-05-12-001", "rows": [row(e.uscc, permit_no="PN-1")]}
    before = _count()
    first = client.post(f"{SX}/monitoring/batches", json=body, headers=officer)
    assert first.status_code == 201, first.get_json()
    again = client.post(f"{SX}/monitoring/batches", json=body, headers=officer)
    assert again.status_code == 200
    assert {**first.get_json(), "replayed": True} == again.get_json()
    assert first.get_json()["created"] == 1 and _count() == before + 1


@pytest.mark.today("2026-05-12")
def test_SX_1_anomaly_warns_at_once_and_its_resolution_closes_the_warning(
    world: Any, client: Any, travel: Callable[[str], None]
) -> None:
    e = enterprise()
    officer = bearer("taiyuan-officer1")
    r = client.post(
        f"{SX}/monitoring/batches",
        json={"batch_id": "b-1", "rows": [row(e.uscc, kind="anomaly", value=None)]},
        headers=officer,
    )
    assert r.status_code == 201, r.get_json()
    run_scan()
    (w,) = warnings_of(e.id)
    assert (w.cause, w.period, w.status) == ("monitoring_anomaly", "2026-05-10", "sent")
    travel("2026-05-13")
    r = client.post(
        f"{SX}/monitoring/batches",
        json={
            "batch_id": "b-2",
            "rows": [row(e.uscc, kind="anomaly", value=None, resolved_on="2026-05-13")],
        },
        headers=officer,
    )
    assert r.get_json()["resolved"] == 1 and r.get_json()["created"] == 0
    run_scan()
    (w,) = warnings_of(e.id)
    assert (w.status, w.close_reason) == ("closed", "cause_gone")


@pytest.mark.today("2026-05-12")
def test_bad_rows_are_reported_by_index_and_field_and_nothing_is_written(
    world: Any, client: Any
) -> None:
    e = enterprise(permit_no="PN-9")
    xj = enterprise("xj-urumqi")
    officer = bearer("taiyuan-officer1")
    rows = [
        row(e.uscc),  # good
        row("91140100MA0000000X"),  # bad check character
        row(valid_uscc("sx-taiyuan")),  # no such enterprise here
        row(xj.uscc),  # another tenant's enterprise
        row(e.uscc, observed_on="2026-13-01"),
        row(e.uscc, observed_on="2026-05-20"),  # in the future
        row(e.uscc, value=90),  # an "exceedance" under the limit
        row(e.uscc, permit_no="PN-X"),  # permit number differs from the registry
        row(e.uscc, kind="leak", point=""),
        "not an object",
    ]
    before = _count()
    r = client.post(
        f"{SX}/monitoring/batches", json={"batch_id": "bad-1", "rows": rows}, headers=officer
    )
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert "rows.0.uscc" not in errors
    assert "校验码" in errors["rows.1.uscc"][0]
    assert "企业名录中没有" in errors["rows.2.uscc"][0]
    assert "企业名录中没有" in errors["rows.3.uscc"][0]
    assert "不是有效日期" in errors["rows.4.observed_on"][0]
    assert "不能晚于今天" in errors["rows.5.observed_on"][0]
    assert "未超过标准限值" in errors["rows.6.value"][0]
    assert "不一致" in errors["rows.7.permit_no"][0]
    assert "rows.8.kind" in errors and "监测点位" in errors["rows.8.point"][0]
    assert _count() == before
    # Nothing was taken: the same batch id, fixed, is accepted.
    ok = client.post(
        f"{SX}/monitoring/batches", json={"batch_id": "bad-1", "rows": rows[:1]}, headers=officer
    )
    assert ok.status_code == 201 and _count() == before + 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"batch_id": "", "rows": [{}]}, "batch_id"),
        ({"batch_id": "../x", "rows": [{}]}, "batch_id"),
        ({"batch_id": "ok-1", "rows": []}, "rows"),
        ({"batch_id": "ok-1"}, "rows"),
    ],
)
def test_a_batch_without_id_or_rows_is_refused(
    world: Any, client: Any, body: dict[str, Any], field: str
) -> None:
    r = client.post(f"{SX}/monitoring/batches", json=body, headers=bearer("taiyuan-officer1"))
    assert r.status_code == 422 and field in str(r.get_json())


def test_only_staff_of_the_tenant_push_monitoring_data(world: Any, client: Any) -> None:
    e = enterprise()
    body = {"batch_id": "x-1", "rows": [row(e.uscc)]}
    assert client.post(f"{XJ}/monitoring/batches", json=body).status_code == 401
    other = client.post(f"{SX}/monitoring/batches", json=body, headers=bearer("urumqi-officer1"))
    assert other.status_code in (403, 404)
    assert _count() == 0


@pytest.mark.today("2026-05-12")
def test_SX_1_csv_upload_takes_the_same_rows_once(world: Any, client: Any) -> None:
    from io import BytesIO

    e = enterprise()
    login(client, "sx-taiyuan", "taiyuan-officer1")
    csv = (
        "统一社会信用代码,监测点位,监测因子,异常类型,发现日期,监测值,标准限值\n"
        f"{e.uscc},DA001,氨氮,超标,2026-05-11,9.5,8\n"
    ).encode()
    page = "/sx-taiyuan/warnings/monitoring"

    def upload() -> Any:
        return post_form(client, page, page, {"file": (BytesIO(csv), "data.csv")})

    r = upload()
    assert r.status_code == 200 and "新增 1 条" in r.get_data(as_text=True)
    assert upload().status_code == 200 and _count() == 1
    bad = csv.replace(b"2026-05-11", b"2026-02-30")
    r = post_form(client, page, page, {"file": (BytesIO(bad), "bad.csv")})
    assert r.status_code == 422 and "第 2 行 发现日期" in r.get_data(as_text=True)
    assert _count() == 1


@pytest.mark.today("2026-05-12")
def test_SX_1_xlsx_upload_and_a_file_of_another_kind_refused(world: Any, client: Any) -> None:
    from datetime import date
    from io import BytesIO

    from openpyxl import Workbook

    e = enterprise()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["统一社会信用代码", "监测点位", "监测因子", "异常类型", "发现日期"])
    ws.append([e.uscc, "DW001", "氨氮", "数据异常", date(2026, 5, 11)])
    buf = BytesIO()
    wb.save(buf)
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = "/sx-taiyuan/warnings/monitoring"
    r = post_form(client, page, page, {"file": (BytesIO(buf.getvalue()), "data.xlsx")})
    assert r.status_code == 200 and "新增 1 条" in r.get_data(as_text=True)
    r = post_form(client, page, page, {"file": (BytesIO(b"hello"), "notes.txt")})
    assert r.status_code == 422 and "只支持 CSV 和 XLSX 文件" in r.get_data(as_text=True)
    assert _count() == 1
