"""Issue 11 item 11 on PostgreSQL: the visit register is read by the writer's line of the tree
(ancestors and descendants), never by another line, with row-level security alone."""

from __future__ import annotations

import psycopg
import pytest

from tenant_app.extensions import db
from tenant_app.inspections.services import visits
from tenant_app.tenancy.acting import scope_context

from ..helpers import tenant
from ..inspections.conftest import acting, make_enterprise
from .test_rls import signed_scope

pytestmark = pytest.mark.postgres


@pytest.mark.today("2026-03-02")
def test_register_rows_are_read_by_the_line_only(pg_world: dict) -> None:
    city_e = make_enterprise("sx-taiyuan")
    county_e = make_enterprise("sx-taiyuan-xiaodian", uscc=city_e.uscc)
    xj_e = make_enterprise("xj-urumqi", uscc=city_e.uscc)
    for slug, e, user in (
        ("sx-taiyuan", city_e, "taiyuan-officer1"),
        ("xj-urumqi", xj_e, "urumqi-officer1"),
    ):
        with acting(user, slug):
            visits.record_external(
                scope_context(),
                {"enterprise_id": e.id, "department": "市场监管", "visit_date": "2026-03-02"},
            )
            db.session.commit()
    assert county_e.id
    app_url = db.engine.url.render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://"
    )

    def seen(writer: str) -> set[int]:
        with psycopg.connect(app_url) as conn:
            signed_scope(conn, tenant_id=str(tenant(writer).id))  # as the app sets it
            return {r[0] for r in conn.execute("select tenant_id from enterprise_visits")}

    city, xj = tenant("sx-taiyuan").id, tenant("xj-urumqi").id
    assert seen("sx-taiyuan-xiaodian") == {city}  # the county reads its city's row
    assert seen("sx") == {city}  # the province reads its descendants' rows
    assert seen("sx-taiyuan") == {city}
    assert seen("xj-urumqi-tianshan") == {xj}  # another line: never the Shanxi row
    assert seen("xj-urumqi") == {xj}
    with psycopg.connect(app_url) as conn:  # an unsigned setting: nothing
        conn.execute("select set_config('app.tenant_id', %s, true)", (str(city),))
        assert conn.execute("select count(*) from enterprise_visits").fetchone()[0] == 0
    with psycopg.connect(app_url) as conn:  # no setting: nothing
        assert conn.execute("select count(*) from enterprise_visits").fetchone()[0] == 0
