"""``tenant-app tenants reserve-ids``: give a database its own range of row ids.

A moved tenant keeps its ids, so two databases that exchange tenants must never hand out the
same id: before the first move each PostgreSQL database's sequences start at its own base
(database k at k × 10^12 leaves each a trillion ids per table). SQLite is for development and
moves no tenant, so it is refused there.
"""

from __future__ import annotations

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.tenants.transfer.errors import TransferRefused
from tenant_app.tenants.transfer.operator import advance_sequence, is_postgres, operator_session


def reserve_ids(ctx: Context, start: int) -> dict[str, int]:
    """Move every table's id sequence to at least ``start``; returns the next id per table."""
    require_action(ctx, Perm.TENANTS_MANAGE)
    if start < 1:
        raise TransferRefused("id 区间的起点应为正整数")
    out: dict[str, int] = {}
    with operator_session() as session:
        if not is_postgres(session):
            raise TransferRefused("只有 PostgreSQL 数据库能预留 id 区间（SQLite 只用于开发）")
        for table in db.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) != 1:
                continue
            upcoming = advance_sequence(session, table.name, keys[0].name, start)
            if upcoming is not None:
                out[table.name] = upcoming
        session.commit()
    return out
