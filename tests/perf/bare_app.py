"""The bare baseline of tests/perf/test_read_path_perf.py: Flask + psycopg, nothing else. It runs
the enterprise list's query as the app role with the same signed RLS setting (one transaction,
one set_config, one SELECT) and answers JSON; /public answers a fixed body the size of the
app's public list page. Configured by environment: BARE_DB (app-role URL), BARE_SCOPE_KEY
(DB_SCOPE_KEY), BARE_PUBLIC_FILE (the body)."""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
from flask import Flask, Response, jsonify, request

from tenant_app.tenancy import scope_key

app = Flask(__name__)
KEY = scope_key.derive(os.environ["BARE_SCOPE_KEY"])
URL = os.environ["BARE_DB"]
PUBLIC = open(os.environ["BARE_PUBLIC_FILE"], "rb").read()  # noqa: SIM115
COLUMNS = (
    "id, uscc, name, address, county_tenant_id, industry_code, legal_representative,"
    " contact_phone, permit_class, permit_no, permit_valid_from, permit_valid_to,"
    " permit_violating, supervision_category, tags, created_at, updated_at"
)
_local = threading.local()


def _conn() -> psycopg.Connection[Any]:
    if getattr(_local, "conn", None) is None:
        _local.conn = psycopg.connect(URL)
    return _local.conn


@app.get("/list")
def enterprises() -> Any:
    tenant, user = request.args["tenant"], request.args["user"]
    sql = f"SELECT {COLUMNS} FROM enterprises WHERE tenant_id IN (%(t)s)"
    params: dict[str, Any] = {"t": int(tenant)}
    if request.args.get("after"):
        sql += " AND id > %(after)s"
        params["after"] = int(request.args["after"])
    if request.args.get("q"):
        q = request.args["q"]
        params["q"] = f"%{q}%"
        if len(q) >= 3:  # the app's statement (registry/services/enterprise_search.py)
            sql += (
                " AND tenant_name_grams(tenant_id, name) @>> tenant_name_grams(%(t)s, %(raw)s)"
                " AND lower(name) LIKE lower(%(q)s)"
            )
            params["raw"] = q
        else:
            sql += " AND name ILIKE %(q)s"
    sql += " ORDER BY id LIMIT 51"
    conn = _conn()
    with conn.transaction(), conn.cursor() as cur:
        sig = scope_key.sign(KEY, conn.info.backend_pid, tenant, tenant, user)
        cur.execute(
            "select set_config('app.tenant_id', %s, true), set_config('app.read_tenants', %s,"
            " true), set_config('app.user_id', %s, true), set_config('app.scope_sig', %s, true)",
            (tenant, tenant, user, sig),
        )
        cur.execute(sql, params)
        names = [d.name for d in cur.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    more = len(rows) > 50
    return jsonify(items=rows[:50], next_after=rows[49]["id"] if more else None)


@app.get("/public")
def public() -> Response:
    return Response(PUBLIC, mimetype="text/html")
