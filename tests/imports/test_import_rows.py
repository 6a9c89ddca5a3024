"""Importing a file with good and bad rows: errors named, the mode honoured, nothing half-written,
no duplicates on a second run, GB18030 CSV and XLSX both read."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.imports.services import load
from tenant_app.imports.services.storage import folder
from tenant_app.models import AuditEntry, Enterprise
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from ..registry.factory import make_enterprise, uscc
from .files import (
    csv_bytes,
    enterprise_codes,
    good_row,
    job_row,
    mixed_rows,
    run_import,
    xlsx_bytes,
)

GOOD = sorted(uscc(n) for n in (1, 2, 5, 6))


def _errors(job: dict) -> list[tuple[int, str, str, str]]:
    path = folder(job["tenant_id"]) / job["result"]["report"]["csv"]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["行号", "列", "列名", "原因"]
    return [(int(r[0]), r[1], r[2], r[3]) for r in rows[1:]]


def test_errors_are_named_by_row_column_and_chinese_reason(world):
    job = run_import(csv_bytes(mixed_rows()), mode="all")
    assert job["status"] == "done", job["error"]
    result = job["result"]
    assert (result["rows"], result["valid"], result["invalid"], result["written"]) == (7, 4, 3, 0)
    errors = _errors(job)
    by_row: dict[int, list[tuple[str, str, str]]] = {}
    for row, letter, title, reason in errors:
        by_row.setdefault(row, []).append((letter, title, reason))
    assert set(by_row) == {4, 6, 8}
    letter, title, reason = by_row[4][0]
    assert (letter, title) == ("A", "统一社会信用代码") and "第 18 位校验码应为" in reason
    assert ("B", "企业名称", "请填写企业名称") in by_row[6]
    assert any(t == "许可证有效期止" and "不是有效日期" in r for _l, t, r in by_row[6])
    assert by_row[8] == [
        ("A", "统一社会信用代码", f"与文件第 2 行的统一社会信用代码 {uscc(1)} 重复")
    ]
    assert result["ignored_columns"] == ["备注"]
    # the XLSX copy holds the same lines
    wb = load_workbook(folder(job["tenant_id"]) / result["report"]["xlsx"], read_only=True)
    lines = list(wb.worksheets[0].iter_rows(values_only=True))
    assert lines[0] == ("行号", "列", "列名", "原因") and len(lines) == len(errors) + 1


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(world):
    job = run_import(csv_bytes(mixed_rows()), mode="all")
    assert job["result"]["outcome"] == "rejected"
    assert enterprise_codes() == []


def test_valid_only_writes_exactly_the_valid_rows_and_one_audit_entry(world):
    user = world["users"]["urumqi-officer1"]
    job = run_import(csv_bytes(mixed_rows()), mode="valid", user_id=user.id)
    assert job["result"]["written"] == 4 and job["result"]["outcome"] == "imported"
    assert enterprise_codes() == GOOD
    with use_scope(system_scope()):
        rows = (
            db.session.execute(select(Enterprise).where(Enterprise.uscc == uscc(2))).scalars().all()
        )
        assert len(rows) == 1 and rows[0].created_by == user.id and rows[0].key_discharger
        assert rows[0].name == "新疆测试2号化工有限公司" and rows[0].industry_code == "C2614"
        actions = (
            db.session.execute(
                select(AuditEntry.action).where(AuditEntry.tenant_id == tenant("xj-urumqi").id)
            )
            .scalars()
            .all()
        )
    assert actions.count("import.completed") == 1
    assert "enterprise.created" not in actions


def test_all_or_nothing_writes_every_row_of_a_clean_file(world):
    rows = [good_row(n) for n in range(1, 6)]
    job = run_import(csv_bytes(rows), mode="all")
    assert job["result"]["written"] == 5 and job["result"]["report"] is None
    assert len(enterprise_codes()) == 5


def test_running_the_same_import_again_does_not_duplicate(world):
    data = csv_bytes(mixed_rows())
    first = run_import(data, mode="valid")
    again = run_import(data, mode="valid")
    assert again["id"] == first["id"] and again["attempts"] == 1  # the same job, not re-run
    assert enterprise_codes() == GOOD
    # The same file in the other mode: a new job, which sees the rows are in and writes nothing.
    other = run_import(data, mode="all")
    assert other["id"] != first["id"] and other["result"]["written"] == 0
    assert other["result"]["outcome"] == "already_imported"
    # An overlapping file: the registered codes are reported per row, the new one written.
    overlap = run_import(csv_bytes([good_row(2), good_row(9)]), mode="valid")
    assert overlap["result"]["written"] == 1
    assert "本单位已登记统一社会信用代码为" in overlap["result"]["preview"][0]["reason"]
    assert overlap["result"]["preview"][0]["row"] == 2
    assert enterprise_codes() == sorted([*GOOD, uscc(9)])


def test_a_redelivered_job_after_commit_returns_the_recorded_result(world):
    """The runner crashed after the import committed but before the job row said done."""
    from tenant_app.jobs.runner import run_job
    from tenant_app.models import Job, JobStatus

    job = run_import(csv_bytes([good_row(1), good_row(2)]), mode="all")
    with use_scope(system_scope(job["tenant_id"])):
        db.session.execute(
            Job.__table__.update()
            .where(Job.id == job["id"])
            .values(status=JobStatus.PENDING, result=None)
        )
        db.session.commit()
    run_job(job["id"])
    again = job_row(job["id"])
    assert again["status"] == "done" and again["result"]["written"] == 2
    assert len(enterprise_codes()) == 2


def test_a_failure_in_the_middle_of_loading_leaves_nothing(world, monkeypatch):
    real = load.write_batch
    calls = {"n": 0}

    def flaky(table, rows):
        calls["n"] += 1
        if calls["n"] >= 2:  # the first batch goes in, every later one fails (retry too)
            raise RuntimeError("disk full (simulated)")
        real(table, rows)

    monkeypatch.setattr(load, "write_batch", flaky)
    monkeypatch.setattr(load, "BATCH", 2)
    rows = [good_row(n) for n in range(1, 8)]
    for mode in ("valid", "all"):
        calls["n"] = 0
        job = run_import(csv_bytes(rows), mode=mode)
        assert job["status"] == "failed" and "任务执行失败" in job["error"]
        assert "disk full" not in job["error"]  # the exception text stays in the server log
        assert calls["n"] >= 2  # a batch had been inserted before the failure
        assert enterprise_codes() == []
    with use_scope(system_scope()):
        assert not db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "import.completed")
        ).first()


def test_after_a_failure_the_same_file_can_be_imported_again(world, monkeypatch):
    def broken(table, rows):
        raise RuntimeError("database went away (simulated)")

    data = csv_bytes([good_row(1), good_row(2)])
    monkeypatch.setattr(load, "write_batch", broken)
    failed = run_import(data, mode="all")
    assert failed["status"] == "failed" and enterprise_codes() == []
    monkeypatch.undo()
    retried = run_import(data, mode="all")
    assert retried["id"] == failed["id"] + ":r1" and retried["status"] == "done"
    assert retried["result"]["written"] == 2 and len(enterprise_codes()) == 2
    assert run_import(data, mode="all")["id"] == retried["id"]  # done: not run a third time


def test_gb18030_csv_is_read(world):
    rows = [good_row(1), good_row(2)]
    rows[1][1] = "乌鲁木齐𠀀甲乙丙有限公司"  # a CJK Extension B character: GB18030, not GBK
    job = run_import(csv_bytes(rows, encoding="gb18030"), filename="企业.csv", mode="all")
    assert job["result"]["written"] == 2, job["result"]
    with use_scope(system_scope()):
        names = set(db.session.execute(select(Enterprise.name)).scalars())
    assert "乌鲁木齐𠀀甲乙丙有限公司" in names


def test_xlsx_is_read_with_dates_and_numbers_as_cells(world):
    from datetime import datetime

    row = good_row(1)
    row[6], row[7] = datetime(2023, 1, 1), datetime(2027, 12, 31)
    bad = good_row(2)
    bad[3] = 9999
    job = run_import(xlsx_bytes([row, bad]), filename="企业.xlsx", mode="valid")
    assert job["result"]["written"] == 1
    assert job["result"]["preview"][0]["row"] == 3 and job["result"]["preview"][0]["column"] == "D"


@pytest.mark.parametrize(
    "data,filename,reason",
    [
        (b"", "a.csv", "空"),
        (b"not a zip", "a.xlsx", "不是 XLSX"),
        ("名称,地址\n甲,乙\n".encode(), "a.csv", "缺少必需的列：统一社会信用代码"),
    ],
)
def test_unreadable_files_are_explained_not_crashed(world, data, filename, reason):
    from tenant_app.core.errors import ServiceError

    try:
        job = run_import(data, filename=filename)
    except ServiceError as exc:
        assert reason in exc.message + "".join(sum(exc.errors.values(), []))
        return
    assert job["status"] == "done" and reason in job["result"]["message"]


def test_records_import_resolves_enterprises_by_code(world):
    make_enterprise("xj-urumqi", 1)
    header = [
        "统一社会信用代码",
        "处罚决定日期",
        "处罚决定书文号",
        "违法行为",
        "来源",
        "罚款金额（元）",
        "恶意偷排",
    ]
    rows = [
        [uscc(1), "2025-03-01", "乌环罚〔2025〕1号", "超标排放", "行政处罚决定书", "50000", "否"],
        [uscc(2), "2025-03-02", "乌环罚〔2025〕2号", "超标排放", "行政处罚决定书", "1,000元", "是"],
        [uscc(1), "2025-03-03", "", "超标排放", "", "abc", ""],
    ]
    job = run_import(csv_bytes(rows, header), kind="penalty", mode="valid")
    result = job["result"]
    assert (result["valid"], result["invalid"], result["written"]) == (1, 2, 1)
    reasons = {(e["row"], e["title"]): e["reason"] for e in result["preview"]}
    assert "没有统一社会信用代码为" in reasons[(3, "统一社会信用代码")]
    assert reasons[(4, "处罚决定书文号")] == "请填写处罚决定书文号"
    assert "不是金额" in reasons[(4, "罚款金额（元）")]
    rerun = run_import(csv_bytes(rows, header), kind="penalty", mode="all")
    assert rerun["result"]["written"] == 0
    from .files import record_count

    assert record_count() == 1


def test_the_upload_keeps_its_file_under_the_tenant_folder(world, app):
    job = run_import(csv_bytes([good_row(1)]))
    stored = job["args"]["file"]
    assert stored == f"imports/{job['tenant_id']}/{job['args']['sha256']}.csv"
    assert (folder(job["tenant_id"]) / f"{job['args']['sha256']}.csv").read_bytes()[
        :3
    ] == b"\xef\xbb\xbf"
    assert not str(app.config["UPLOAD_DIR"]).startswith(str(app.static_folder))


def test_a_csv_written_by_excel_with_a_header_in_english_field_names(world):
    buf = io.StringIO()
    csv.writer(buf).writerows([["uscc", "name"], [uscc(11), "甲公司"]])
    job = run_import(buf.getvalue().encode(), mode="all")
    assert job["result"]["written"] == 1
