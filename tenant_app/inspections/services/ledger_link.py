"""XJ-S: every on- and off-site check of a listed enterprise goes into its ledger (台账), which
the positive-list feature keeps (listing/services/ledger.py)."""

from __future__ import annotations

from tenant_app.context import Context
from tenant_app.listing.services import ledger
from tenant_app.models import Inspection


def record_inspection(ctx: Context, insp: Inspection) -> bool:
    """Write the check into the enterprise's ledger, by the context's actor. True when written."""
    what = "现场检查" if insp.mode == "on_site" else f"非现场检查（{insp.data_source or ''}）"
    ledger.add_entry(
        ctx,
        insp.enterprise,
        "on_site_check" if insp.mode == "on_site" else "off_site_check",
        insp.planned_date,
        f"{what}：{(insp.conclusion or insp.feedback_text or '')[:400]}",
        f"inspection:{insp.id}",
    )
    return True
