"""XJ-S: every on- and off-site check of a listed enterprise goes into its ledger (台账).

The ledger belongs to the positive-list work (tenant_app/services/listing/, issue 5), which may
not exist yet in this tree: we call ``listing.ledger.add_entry`` when it is importable and
otherwise record nothing (the inspection itself stays the record). We pass the keyword
arguments its signature accepts (today ``add_entry(enterprise, kind, when, summary, ref)``;
kinds ``on_site_check`` / ``off_site_check``); a TypeError there is logged, not raised, so an interface
mismatch never blocks closing an inspection.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from flask import current_app

from tenant_app.context import Context
from tenant_app.models import Inspection


def _add_entry() -> Any:
    try:
        return importlib.import_module("tenant_app.listing.services.ledger").add_entry
    except (ImportError, AttributeError):
        return None


def record_inspection(ctx: Context, insp: Inspection) -> bool:
    """True when a ledger entry was written. ``ctx`` is offered too, so the ledger names who
    acted once its ``add_entry`` takes the context."""
    add_entry = _add_entry()
    if add_entry is None:
        return False
    what = "现场检查" if insp.mode == "on_site" else f"非现场检查（{insp.data_source or ''}）"
    offered = {
        "ctx": ctx,
        "enterprise_id": insp.enterprise_id,
        "enterprise": insp.enterprise,
        "kind": "on_site_check" if insp.mode == "on_site" else "off_site_check",
        "when": insp.planned_date,
        "on_date": insp.planned_date,
        "on": insp.planned_date,
        "ref": f"inspection:{insp.id}",
        "summary": f"{what}：{(insp.conclusion or insp.feedback_text or '')[:400]}",
    }
    try:
        params = inspect.signature(add_entry).parameters
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
        add_entry(**{k: v for k, v in offered.items() if accepts_any or k in params})
    except TypeError as exc:
        current_app.logger.warning("ledger add_entry interface mismatch: %s", exc)
        return False
    return True
