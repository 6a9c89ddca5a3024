"""Moving a tenant between databases (issue 13 item 5): `tenants export` then `tenants import`
restores an identical tenant (row counts and SHA-256 per table, ids, files, logins, a clean
`audit verify`), or refuses the whole import with nothing written."""

from __future__ import annotations

import hashlib
import json
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from tenant_app.clock import utcnow
from tenant_app.config import normalise_db_url
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.resolve import clear_caches, system_scope
from tenant_app.tenancy.scope import Scope, use_scope
from tenant_app.tenants.transfer.catalogue import (
    moved_tables,
    scoped_table_names,
    table_digest,
    unclassified_tables,
)
from tests.conftest import AppUnderTest

from ..helpers import login
from .conftest import CITY, COUNTY, PROVINCE, seed_city

pytestmark = pytest.mark.slow


def cli(aut: AppUnderTest, *args: str) -> Result:
    """Run an operator command against ``aut``'s database (its own app context); a crash is
    reported with its traceback."""
    with aut.app.app_context():
        result = aut.app.test_cli_runner().invoke(args=list(args))
    clear_caches()
    if result.exc_info and result.exception and not isinstance(result.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(*result.exc_info)))
    return result


def fingerprint(aut: AppUnderTest, slugs: list[str]) -> dict[str, tuple[int, str]]:
    """Rows and SHA-256 of every moved table for these tenants, read as the owner."""
    engine = create_engine(normalise_db_url(aut.owner_url))
    try:
        with aut.app.app_context(), Session(engine) as session:
            ids = tuple(session.execute(select(Tenant.id).where(Tenant.slug.in_(slugs))).scalars())
            assert len(ids) == len(slugs)
            with use_scope(Scope(read_ids=ids)):
                return {t.name: table_digest(session, t, ids) for t in moved_tables()}
    finally:
        engine.dispose()


def count(aut: AppUnderTest, sql: str) -> int:
    engine = create_engine(normalise_db_url(aut.owner_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def export(aut: AppUnderTest, tmp_path: Path, slug: str, *extra: str) -> Path:
    out = tmp_path / f"{slug}.zip"
    result = cli(aut, "tenants", "export", slug, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def rewrite(archive: Path, dest: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of ``archive`` with members changed (None drops one): a tampered archive."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)
    return dest


def refused(result: Result, *words: str) -> None:
    """Refused with a message, not a traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Error:" in result.output
    for word in words:
        assert word in result.output, result.output


def seeded_city(aut: AppUnderTest, monkeypatch: Any) -> None:
    seed_city(monkeypatch)
    db.session.commit()
    # one uploaded file that moves with the city (UPLOAD_DIR/<area>/<tenant id>/…)
    with use_scope(system_scope()):
        city = db.session.execute(select(Tenant).where(Tenant.slug == CITY)).scalar_one()
    folder = Path(aut.app.config["UPLOAD_DIR"]) / "evidence" / str(city.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "abc.pdf").write_bytes(b"%PDF-1.4 moved with the tenant\n")


def move_province(aut: AppUnderTest, target: AppUnderTest, tmp_path: Path) -> None:
    result = cli(target, "tenants", "import", str(export(aut, tmp_path, PROVINCE)))
    assert result.exit_code == 0, result.output


# --- the round trip -------------------------------------------------------------------------


@pytest.mark.today("2026-11-25")
def test_round_trip_restores_an_identical_tenant(aut, world, target, tmp_path, monkeypatch):
    """The province with its city and county, into a database that holds only the platform."""
    seeded_city(aut, monkeypatch)
    archive = export(aut, tmp_path, PROVINCE, "--with-descendants")
    moved = [PROVINCE, CITY, COUNTY]
    before = fingerprint(aut, moved)

    result = cli(target, "tenants", "import", str(archive))

    assert result.exit_code == 0, result.output
    assert f"imported {PROVINCE}" in result.output
    assert fingerprint(target, moved) == before
    # the city is not a shell: its enterprises, cases, audit chain and accounts all came
    for table in ("enterprises", "cases", "inspections", "audit_log", "users", "role_grants"):
        assert before[table][0] > 0, table
    verify = cli(target, "audit", "verify")
    assert verify.exit_code == 0, verify.output
    assert "audit log intact" in verify.output
    # ids kept, the file placed, and an account of the city signs in on the new database
    city_id = count(target, f"SELECT id FROM tenants WHERE slug = '{CITY}'")
    assert city_id == count(aut, f"SELECT id FROM tenants WHERE slug = '{CITY}'")
    upload = Path(target.app.config["UPLOAD_DIR"])
    assert (upload / "evidence" / str(city_id) / "abc.pdf").read_bytes().startswith(b"%PDF")
    with target.app.app_context():
        page = login(target.app.test_client(), CITY, "taiyuan-officer1")
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    # the move is audited in the parent's chain on both sides
    for side, action in ((aut, "tenant.exported"), (target, "tenant.imported")):
        n = count(
            side,
            "SELECT count(*) FROM audit_log a JOIN tenants t ON t.id = a.tenant_id"
            f" WHERE t.slug = 'platform' AND a.action = '{action}'",
        )
        assert n == 1, (side.owner_url, action)


@pytest.mark.today("2026-11-25")
def test_export_holds_only_the_tenants_own_rows_not_its_sub_regions(
    aut, world, tmp_path, monkeypatch
):
    seeded_city(aut, monkeypatch)
    archive = export(aut, tmp_path, CITY)
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        enterprises = z.read("tables/enterprises.jsonl").decode().splitlines()
    assert [t["slug"] for t in manifest["tenants"]] == [CITY]
    assert [a["slug"] for a in manifest["ancestors"]] == ["platform", PROVINCE]
    tenant_ids = {
        json.loads(line)[manifest_column(manifest, "enterprises", "tenant_id")]
        for line in enterprises
    }
    assert tenant_ids == {manifest["tenant"]["id"]}
    assert len(enterprises) == count(
        aut,
        "SELECT count(*) FROM enterprises e JOIN tenants t ON t.id = e.tenant_id"
        f" WHERE t.slug = '{CITY}'",
    )
    # every TenantScoped table is in the archive, found from the metadata
    assert scoped_table_names() <= {t["name"] for t in manifest["tables"]}
    assert manifest["revision"]


def manifest_column(manifest: dict[str, Any], table: str, column: str) -> int:
    (entry,) = [t for t in manifest["tables"] if t["name"] == table]
    return int(entry["columns"].index(column))


def test_every_platform_wide_table_is_either_moved_or_left_with_a_reason():
    assert unclassified_tables() == []


# --- refusals: nothing written --------------------------------------------------------------


def _target_counts(target: AppUnderTest) -> dict[str, int]:
    return {
        name: count(target, f"SELECT count(*) FROM {name}")
        for name in ("tenants", "users", "enterprises", "audit_log")
    }


@pytest.mark.today("2026-11-25")
def test_import_refuses_another_schema_revision(aut, world, target, tmp_path):
    archive = export(aut, tmp_path, PROVINCE)
    wrong = rewrite(
        archive,
        tmp_path / "wrong.zip",
        lambda name, data: (
            data.replace(b'"revision": [', b'"revision": ["0001_foundation", ')
            if name == "manifest.json"
            else data
        ),
    )
    before = _target_counts(target)

    result = cli(target, "tenants", "import", str(wrong))

    refused(result, "数据库版本", "0001_foundation", "flask db upgrade")
    assert _target_counts(target) == before


@pytest.mark.today("2026-11-25")
def test_import_refuses_a_taken_id_naming_table_and_id_and_writes_nothing(
    aut, world, target, tmp_path, monkeypatch
):
    seeded_city(aut, monkeypatch)
    move_province(aut, target, tmp_path)
    archive = export(aut, tmp_path, CITY, "--with-descendants")
    officer = count(aut, "SELECT id FROM users WHERE username = 'taiyuan-officer1'")
    engine = create_engine(normalise_db_url(target.owner_url))
    with engine.begin() as conn:  # someone else's account holds that id in the target
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, home_tenant_id,"
                " active, created_at, auth_version) VALUES (:id, 'someone-else', '别人', 'x', 1,"
                " true, :at, 0)"
            ),
            {"id": officer, "at": utcnow()},
        )
    engine.dispose()
    before = _target_counts(target)

    result = cli(target, "tenants", "import", str(archive))

    refused(result, "users", f"id 为 {officer}", "未写入任何数据")
    assert _target_counts(target) == before
    upload = Path(target.app.config["UPLOAD_DIR"])
    assert not list(upload.glob("*/*/abc.pdf"))


@pytest.mark.today("2026-11-25")
def test_import_refuses_a_missing_ancestor_naming_it(aut, world, target, tmp_path, monkeypatch):
    seeded_city(aut, monkeypatch)
    archive = export(aut, tmp_path, CITY, "--with-descendants")
    before = _target_counts(target)

    result = cli(target, "tenants", "import", str(archive))

    refused(result, "缺少上级租户 sx（")
    assert _target_counts(target) == before


@pytest.mark.today("2026-11-25")
def test_import_refuses_a_reference_the_target_lacks_naming_it(
    aut, world, target, tmp_path, monkeypatch
):
    """The city's enterprises name their county, a tenant of its own: moved without it, the
    city's rows would point at nothing."""
    seeded_city(aut, monkeypatch)
    move_province(aut, target, tmp_path)
    archive = export(aut, tmp_path, CITY)
    before = _target_counts(target)

    result = cli(target, "tenants", "import", str(archive))

    refused(result, f"slug={COUNTY}", "不存在")
    assert _target_counts(target) == before


@pytest.mark.today("2026-11-25")
def test_import_refuses_an_edited_audit_row_even_with_the_manifest_hash_fixed(
    aut, world, target, tmp_path
):
    archive = export(aut, tmp_path, PROVINCE)
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    action = manifest_column(manifest, "audit_log", "action")
    edited: dict[str, str] = {}

    def edit(name: str, data: bytes) -> bytes:
        if name == "tables/audit_log.jsonl":
            lines = data.decode().splitlines()
            row = json.loads(lines[0])
            row[action] = "tenant.renamed"
            lines[0] = json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            body = "".join(line + "\n" for line in lines).encode()
            edited["sha"] = hashlib.sha256(body).hexdigest()
            return body
        return data

    step = rewrite(archive, tmp_path / "step.zip", edit)
    for t in manifest["tables"]:
        if t["name"] == "audit_log":
            t["sha256"] = edited["sha"]
    tampered = rewrite(
        step,
        tmp_path / "tampered.zip",
        lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data,
    )
    before = _target_counts(target)

    result = cli(target, "tenants", "import", str(tampered))

    refused(result, "审计链校验失败", "edited")
    assert _target_counts(target) == before


# --- hostile archives: a clear error, never a crash -------------------------------------------


def test_a_file_that_is_not_an_archive_is_refused(target, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"\x00not a zip at all" * 1000)
    refused(cli(target, "tenants", "import", str(junk)), "不是有效的 zip")


@pytest.mark.today("2026-11-25")
def test_a_truncated_archive_is_refused(aut, world, target, tmp_path):
    archive = export(aut, tmp_path, PROVINCE)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    refused(cli(target, "tenants", "import", str(cut)), "zip")


@pytest.mark.today("2026-11-25")
def test_an_archive_larger_than_the_limit_is_refused_before_reading(aut, world, target, tmp_path):
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", b"{}")
        z.writestr("tables/users.jsonl", b"\n" * (3 * 1024 * 1024))  # 3 MB of nothing: tiny zipped
    refused(cli(target, "tenants", "import", str(big), "--max-mb", "2"), "超过上限")


@pytest.mark.today("2026-11-25")
def test_a_malformed_manifest_or_row_is_refused(aut, world, target, tmp_path):
    archive = export(aut, tmp_path, PROVINCE)
    not_json = rewrite(
        archive,
        tmp_path / "m.zip",
        lambda name, data: b"{oops" if name == "manifest.json" else data,
    )
    refused(cli(target, "tenants", "import", str(not_json)), "清单格式不对")
    bad_row = rewrite(
        archive,
        tmp_path / "r.zip",
        lambda name, data: b"[1,2\n" + data if name == "tables/tenants.jsonl" else data,
    )
    refused(cli(target, "tenants", "import", str(bad_row)), "tenants", "第 1 行")
    deep = rewrite(
        archive,
        tmp_path / "d.zip",
        lambda name, data: (
            b"[" * 200_000 + b"\n" + data if name == "tables/tenants.jsonl" else data
        ),
    )
    refused(cli(target, "tenants", "import", str(deep)), "tenants", "第 1 行", "嵌套过深")
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    manifest["files"] = [{"path": "../../etc/passwd", "size": 1, "sha256": "0" * 64}]
    escape = rewrite(
        archive,
        tmp_path / "e.zip",
        lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data,
    )
    refused(cli(target, "tenants", "import", str(escape)), "路径不安全")
    assert count(target, "SELECT count(*) FROM tenants") == 1


# --- PostgreSQL: row-level security, the owner's connection, sequences -------------------------


@pytest.mark.postgres
@pytest.mark.today("2026-11-25")
def test_on_postgresql_a_city_moves_under_its_province_keeping_ids_and_sequences(
    pg_aut, pg_world, pg_target, tmp_path, monkeypatch
):
    """The target first takes its own id range, then the province, then the city with its
    county: the province's import (audited in the target's platform chain) takes an id of the
    target's range, never one of the city's."""
    seeded_city(pg_aut, monkeypatch)
    reserved = cli(pg_target, "tenants", "reserve-ids", "--from", "1000000000000")
    assert reserved.exit_code == 0, reserved.output
    move_province(pg_aut, pg_target, tmp_path)
    archive = export(pg_aut, tmp_path, CITY, "--with-descendants")

    result = cli(pg_target, "tenants", "import", str(archive))

    assert result.exit_code == 0, result.output
    assert fingerprint(pg_target, [CITY, COUNTY]) == fingerprint(pg_aut, [CITY, COUNTY])
    assert cli(pg_target, "audit", "verify").exit_code == 0
    assert count(pg_target, "SELECT nextval(pg_get_serial_sequence('enterprises', 'id'))") > (
        count(pg_target, "SELECT max(id) FROM enterprises")
    )
    imported = count(pg_target, "SELECT max(id) FROM audit_log WHERE action = 'tenant.imported'")
    assert imported >= 1000000000000


def test_reserving_an_id_range_is_refused_on_sqlite(target):
    if target.is_postgres:
        pytest.skip("SQLite only")
    refused(cli(target, "tenants", "reserve-ids", "--from", "1000"), "PostgreSQL")
