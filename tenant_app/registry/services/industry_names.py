"""The GB/T 4754-2017 catalogue's names, cached per process (issue 13 item 1).

The industries table is reference data written only by migrations, so its ~1,800 names are read
once per process and an enterprise list names each row's industry without a query per row (the
per-row lazy load cost 17–23% of a list request). A process started before a migration that
changes the catalogue reads it again on restart, as it does its code.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import Industry

_lock = threading.Lock()
_names: dict[str, str] | None = None


def industry_name(code: str | None) -> str | None:
    global _names
    if code is None:
        return None
    names = _names
    if names is None:
        loaded = dict(db.session.execute(select(Industry.code, Industry.name)).tuples().all())
        with _lock:
            _names = names = loaded
    return names.get(code)
