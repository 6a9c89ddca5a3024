"""The enterprise picker as every page that names an enterprise uses it (issue 10 item 3): the
matches of a search submitted without scripts, and the enterprises already chosen. The pages of
inspections, draws, campaigns and cases share it; the search itself is the registry's keyset
search (services/enterprise_search.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.registry.services import enterprise_search
from tenant_app.ui import picker


def enterprise_pick(form: Any, field: str) -> picker.Results | None:
    """The enterprise picker's matches rendered inside the page (no scripts: its search button
    submitted the form), None when that picker was not searched."""
    ask = picker.ask_from_form(form, field)
    if ask is None:
        return None
    return picker.results(
        ask, enterprise_search.pick, picker.enterprise_option, "web.enterprises.pick"
    )


def chosen_enterprises(ids: Any) -> list[tuple[Any, str]]:
    """What a picker shows as chosen: the enterprises of ``ids`` this tenant can see (another
    tenant's id names nothing and so is not shown)."""
    wanted = [int(x) for x in (ids if isinstance(ids, list) else [ids]) if str(x).isdigit()]
    wanted = [x for x in wanted if 0 < x < 2**63][:200]
    if not wanted:
        return []
    rows = db.session.execute(select(Enterprise).where(Enterprise.id.in_(wanted))).scalars()
    found = {e.id: e for e in rows}
    return [picker.enterprise_option(found[x]) for x in dict.fromkeys(wanted) if x in found]
