"""Issue 12 (items 2, 3, 8, 9): hostile bodies, files and parameters are harmless.

What an attacker would try: big and deep bodies before login, zip bombs, formula injection
through every download, NUL in a file name, a date of 9999-12-31, links steered by ``tenant=``
and ``_external=``, a placeholder secret in production.
"""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tenant_app import create_app
from tenant_app.config import ConfigError
from tenant_app.extensions import db
from tenant_app.imports.services.reader import FileProblem, Limits, open_sheet
from tenant_app.models import Enterprise, Job
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, csrf_from, login, tenant

API = "/api/v1/tenants/xj-urumqi"
CHINESE = range(0x4E00, 0x9FFF)
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def has_chinese(text: str) -> bool:
    return any(ord(ch) in CHINESE for ch in text)


class ReadTracker(io.RawIOBase):
    """A request body that records whether anyone read it."""

    def __init__(self, size: int) -> None:
        self.size, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.size - self.read_bytes, 1 << 16)
        buffer[:n] = b"[" * n
        self.read_bytes += n
        return n


# --- item 2: bodies bounded before they are read ------------------------------------------


@pytest.mark.parametrize(
    "method,path,auth",
    [("GET", "/healthz", False), ("POST", "/healthz", False), ("POST", f"{API}/enterprises", True)],
)
def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(
    app, client, world, method, path, auth
):
    body = ReadTracker(20 * 1024 * 1024)
    headers: dict[str, str] = {}
    if auth:
        headers.update(bearer("urumqi-officer1"))
    started = time.perf_counter()
    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    environ.update(
        {"wsgi.input": body, "CONTENT_LENGTH": str(body.size), "CONTENT_TYPE": "application/json"}
    )
    app_iter, status, resp_headers = run_wsgi_app(app, environ, buffered=True)
    resp = app.response_class(b"".join(app_iter), status=status, headers=resp_headers)
    assert resp.status_code == 413
    assert body.read_bytes == 0
    assert time.perf_counter() - started < 2
    if path.startswith("/api/"):
        assert resp.get_json()["code"] == "too_large"
        assert has_chinese(resp.get_json()["message"])


def test_a_route_that_takes_no_body_refuses_one(client, world):
    resp = client.get("/healthz", data=b'{"a": 1}', content_type="application/json")
    assert resp.status_code == 413


def test_upload_routes_keep_the_upload_limit_and_json_routes_the_small_one(app, client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/imports/").get_data(as_text=True))
    big = b"a" * (app.config["MAX_BODY_KB"] * 1024 + 10)
    upload = client.post(
        "/xj-urumqi/imports/",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "kind": "enterprises",
            "mode": "all",
            "file": (io.BytesIO(big), "x.csv"),
        },
    )
    assert upload.status_code != 413  # refused for its content (no header row), not its size
    form = client.post(
        "/xj-urumqi/enterprises/new", data={"csrf_token": token, "name": big.decode()}
    )
    assert form.status_code == 413


def test_json_nested_1000_deep_answers_400_in_chinese(client, world):
    deep = "[" * 1000 + "]" * 1000
    resp = client.post(
        f"{API}/enterprises",
        data=deep,
        content_type="application/json",
        headers=bearer("urumqi-officer1"),
    )
    assert resp.status_code == 400
    assert has_chinese(resp.json["message"]) and "嵌套" in resp.json["message"]


def test_json_is_parsed_only_after_authentication(client, world):
    """An anonymous caller learns nothing from the body: 401, whatever it holds."""
    deep = "[" * 1000 + "]" * 1000
    resp = client.post(f"{API}/enterprises", data=deep, content_type="application/json")
    assert resp.status_code == 401


# --- item 8: small holes -----------------------------------------------------------------------


def test_nul_in_an_uploaded_file_name_answers_4xx_in_chinese(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/imports/").get_data(as_text=True))
    resp = client.post(
        "/xj-urumqi/imports/",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "kind": "enterprises",
            "mode": "all",
            "file": (io.BytesIO("统一社会信用代码,企业名称\n".encode()), "a\x00b.csv"),
        },
    )
    assert 400 <= resp.status_code < 500
    assert "NUL" in resp.get_data(as_text=True)
    with use_scope(system_scope()):
        assert db.session.execute(select(Job).where(Job.name == "imports.run")).first() is None


def test_a_date_of_9999_12_31_answers_4xx_in_chinese(client, world):
    from ..listing.factory import good_enterprise

    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        e = good_enterprise(902)
        db.session.commit()
    officer = bearer("urumqi-officer1")
    screening = client.post(
        f"{API}/listing/screening-runs", json={"on": "9999-12-31"}, headers=officer
    )
    preview = client.post(
        f"{API}/inspections/preview",
        json={
            "enterprise_id": e.id,
            "mode": "on_site",
            "trigger": "complaint",
            "planned_date": "9999-12-31",
        },
        headers=officer,
    )
    for resp in (screening, preview):
        assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)[:300]
        assert has_chinese(resp.json["message"])


def test_tenant_and_external_query_parameters_never_steer_links(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get("/xj-urumqi/enterprises/?q=x&tenant=sx-taiyuan&_external=1")
    assert page.status_code in (200, 422)
    html = page.get_data(as_text=True)
    assert "/sx-taiyuan/" not in html
    assert 'href="http' not in html  # no absolute link built from the request's Host
    export = client.get(
        "/xj-urumqi/enterprises/export.xlsx?permit_expires_from=bad&tenant=sx-taiyuan&_external=1"
    )
    assert export.status_code == 302
    location = export.headers["Location"]
    assert "sx-taiyuan" not in location and "_external" not in location


def test_a_failed_import_never_shows_raw_sql(client, world, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from tenant_app.imports.services import load

    from ..imports.files import csv_bytes, good_row

    def broken(table: Any, rows: Any) -> None:
        raise IntegrityError(
            "INSERT INTO enterprises (tenant_id, uscc) VALUES (%(tenant_id)s, %(uscc)s)",
            {"tenant_id": 3, "uscc": "x"},
            Exception("duplicate key value violates unique constraint"),
        )

    monkeypatch.setattr(load, "write_batch", broken)
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _upload_page(client, csv_bytes([good_row(1)]), "sql.csv")
    assert resp.status_code == 302
    with use_scope(system_scope()):
        job = db.session.execute(select(Job).where(Job.name == "imports.run")).scalar_one()
    for url in (
        resp.headers["Location"],
        f"/xj-urumqi/jobs/{job.id}/",
        f"/xj-urumqi/jobs/{job.id}/status",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "INSERT INTO" not in body and "duplicate key" not in body, url
    assert "任务执行失败" in (job.error or "")


def test_production_refuses_the_placeholder_and_short_secret_keys(aut):
    example = (
        Path(__file__).resolve().parents[2] / "deploy" / "tenant-app.env.example"
    ).read_text()
    placeholder = next(
        line.split("=", 1)[1].strip()
        for line in example.splitlines()
        if line.startswith("SECRET_KEY=")
    )
    for key in (placeholder, "short-but-not-empty", "a" * 64):
        with pytest.raises(ConfigError, match="SECRET_KEY"):
            create_app(
                {
                    "ENV": "production",
                    "DATABASE_URL": aut.app.config["DATABASE_URL"],
                    "SECRET_KEY": key,
                },
                environ={},
            )


# --- item 9: one upload store ------------------------------------------------------------------


def _upload_page(client: Any, data: bytes, filename: str) -> Any:
    token = csrf_from(client.get("/xj-urumqi/imports/").get_data(as_text=True))
    return client.post(
        "/xj-urumqi/imports/",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "kind": "enterprises",
            "mode": "all",
            "file": (io.BytesIO(data), filename),
        },
    )


def test_a_nul_byte_after_the_first_8_kb_of_a_csv_is_refused(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    data = "统一社会信用代码,企业名称\n".encode() + b"a,b\n" * 4000 + b"\x00\x00"
    resp = _upload_page(client, data, "late-nul.csv")
    assert resp.status_code == 422 and "不是文本" in resp.get_data(as_text=True)


def _uploads(app: Any, area: str) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"]) / area
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_listing_attachments_are_content_checked_and_gone_after_a_refusal(app, world):
    from werkzeug.datastructures import FileStorage

    from tenant_app.core.errors import ServiceError
    from tenant_app.listing.services import entries

    from ..listing.factory import as_user, good_enterprise

    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        e = good_enterprise(901)
        db.session.commit()
    before = _uploads(app, "listing")
    good_pdf = FileStorage(io.BytesIO(b"%PDF-1.4 real enough"), "材料.pdf")
    fake_pdf = FileStorage(io.BytesIO(b"MZ\x90\x00 not a pdf"), "伪装.pdf")
    with as_user(world, "urumqi-officer1") as ctx, pytest.raises(ServiceError) as refused:
        entries.create(ctx, e, origin="nomination", files=[good_pdf, fake_pdf])
    db.session.rollback()
    assert "内容不是 PDF" in str(refused.value.errors)
    assert _uploads(app, "listing") == before  # the good file written first is gone too


def test_one_tenant_cannot_fill_the_shared_import_queue(app, client, world):
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        for n in range(app.config["IMPORTS_PER_TENANT"]):
            db.session.add(Job(id=f"import:hold:{n}", name="imports.run", status="queued"))
        db.session.commit()
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _upload_page(client, "统一社会信用代码,企业名称\n1,2\n".encode(), "third.csv")
    assert resp.status_code in (422, 429) and "排队或进行中" in resp.get_data(as_text=True)


# --- item 3: spreadsheets cannot hurt the service ---------------------------------------------

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称"])
    ws.append(["91650100MA0000000X", "测试企业"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _replace_parts(parts: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            if info.filename not in parts:
                z.writestr(info, src.read(info.filename))
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A sheet of 300 MB of blanks: ~300 KB packed."""
    return _replace_parts(
        {
            "xl/worksheets/sheet1.xml": SHEET_HEAD
            + b"<sheetData>"
            + b" " * (300 << 20)
            + b"</sheetData></worksheet>"
        }
    )


def shared_strings_bomb() -> bytes:
    """4 million two-letter shared strings (76 MB unpacked, ~80 KB packed): openpyxl keeps
    every one as its own object, a quarter of a gigabyte before the first row is read."""
    sst = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>ab</t></si>" * (4 << 20)
        + b"</sst>"
    )
    types = zipfile.ZipFile(io.BytesIO(_workbook())).read("[Content_Types].xml")
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    if b"sharedStrings" not in types:  # openpyxl wrote the few strings inline
        types = types.replace(b"</Types>", override + b"</Types>")
    return _replace_parts({"xl/sharedStrings.xml": sst, "[Content_Types].xml": types})


def dimension_bomb() -> bytes:
    """A 2 KB file whose sheet claims 16,384 columns and a row at 1,048,576: read as the sheet
    describes itself, that is 17 billion empty cells."""
    sheet = (
        SHEET_HEAD
        + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">'
        + '<c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c>'.encode()
        + '<c r="B1" t="inlineStr"><is><t>企业名称</t></is></c></row>'.encode()
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    return _replace_parts({"xl/worksheets/sheet1.xml": sheet})


@pytest.mark.parametrize("make", [zip_bomb, shared_strings_bomb, dimension_bomb])
def test_spreadsheet_bombs_are_refused_in_seconds_and_bounded_memory(tmp_path, make):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(make())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with (
            pytest.raises(FileProblem) as refused,
            open_sheet(path, "xlsx", "enterprises", Limits()) as sheet,
        ):
            for _row in sheet.rows:
                pass
        elapsed = time.perf_counter() - started
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 10, elapsed
    assert peak < 64 << 20, peak >> 20
    assert (
        has_chinese(str(refused.value))
        and "已拒绝" in str(refused.value)
        or "超过" in str(refused.value)
    )


def test_a_bomb_uploaded_for_import_ends_with_a_clear_message(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _upload_page(client, zip_bomb(), "炸弹.xlsx")
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'data-outcome="unreadable"' in html and "已拒绝" in html


def test_control_characters_in_input_are_refused(client, world):
    resp = client.post(
        f"{API}/enterprises",
        json={"name": "企业\x07名称", "uscc": "x"},
        headers=bearer("urumqi-officer1"),
    )
    assert resp.status_code == 400 and "控制字符" in resp.json["message"]


# --- exports: every XLSX/CSV download escapes formulas and survives control characters ------

EVIL_NAME = '=HYPERLINK("http://evil.example","点我")'


def _cells(data: bytes, fmt: str) -> list[Any]:
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return [c for row in csv.reader(io.StringIO(text)) for c in row]
    wb = load_workbook(io.BytesIO(data))  # not read_only: formulas show as such
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _assert_escaped(data: bytes, fmt: str, needle: str) -> None:
    cells = [c for c in _cells(data, fmt) if isinstance(c, str)]
    hits = [c for c in cells if "evil.example" in c or needle in c]
    assert hits, cells[:40]
    for c in hits:
        assert not c.startswith(FORMULA_LEAD), c


def test_every_export_escapes_formulas_and_survives_control_characters(app, client, world, travel):
    from tenant_app.listing.services import batches

    from ..listing.factory import as_user
    from ..listing.test_procedure import _apply, _through_commitment

    # The listing story of tests/listing/test_procedure.py: applied 2025-08-28, committed
    # 2025-09-08, notice from 2025-09-30, published 2025-10-15; each step on its own day.
    e, entry_id, ent_scope = _apply(app, world, 7, "qiye7", travel)
    _through_commitment(world, e, entry_id, ent_scope, travel)
    travel("2025-09-30")
    # a row stored before input was checked: a formula name and a control character
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        row = db.session.get(Enterprise, e.id)
        assert row is not None
        row.name, row.address = EVIL_NAME, "地址\x01"
        db.session.commit()
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "@批次", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {})
        db.session.commit()
    notices = client.get("/xj-urumqi/public/positive-list/notices?format=xlsx")
    assert notices.status_code == 200
    _assert_escaped(notices.data, "xlsx", "HYPERLINK")
    travel("2025-10-15")
    with as_user(world, "urumqi-officer1") as ctx:
        batches.publish(ctx, batches.get_batch(ctx, b.id), {"on_date": "2025-10-15"})
        db.session.commit()
    for url in (
        "/xj-urumqi/public/positive-list/?format=xlsx",
        "/xj-urumqi/public/positive-list/publications?format=xlsx",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        _assert_escaped(resp.data, "xlsx", "HYPERLINK")
    login(client, "xj-urumqi", "urumqi-officer1")
    ledger = client.get(f"/xj-urumqi/listing/enterprises/{e.id}/ledger?format=xlsx")
    assert ledger.status_code == 200
    _assert_escaped(ledger.data, "xlsx", "HYPERLINK")
    export = client.get("/xj-urumqi/enterprises/export.xlsx")
    assert export.status_code == 200
    _assert_escaped(export.data, "xlsx", "HYPERLINK")
    token = csrf_from(client.get("/xj-urumqi/listing/").get_data(as_text=True))
    started = client.post("/xj-urumqi/listing/screening", data={"csrf_token": token})
    run_url = started.headers["Location"]
    screening = client.get(run_url.rstrip("/") + "/export.xlsx")
    assert screening.status_code == 200
    _assert_escaped(screening.data, "xlsx", "HYPERLINK")
