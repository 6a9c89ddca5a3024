"""Breadcrumbs: the way back from a page to the section it belongs to, by endpoint, so the content
templates need not say it (base.html shows them above the page's own heading)."""

from __future__ import annotations

from flask import g, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

# (label, endpoint, the view arguments the link keeps)
Crumb = tuple[LazyString, str, tuple[str, ...]]

HOME: Crumb = (_l("工作台"), "web.dashboard.home", ())
ENTERPRISES: Crumb = (_l("企业名录"), "web.enterprises.index", ())
ENTERPRISE: Crumb = (_l("企业信息"), "web.enterprises.show", ("enterprise_id",))
INSPECTIONS: Crumb = (_l("涉企检查"), "web.inspections.index", ())
LISTING: Crumb = (_l("正面清单"), "web.listing.index", ())

TRAILS: dict[str, list[Crumb]] = {
    "web.enterprises.show": [HOME, ENTERPRISES],
    "web.enterprises.new": [HOME, ENTERPRISES],
    "web.enterprises.edit": [HOME, ENTERPRISES, ENTERPRISE],
    "web.enterprise_records.new": [HOME, ENTERPRISES, ENTERPRISE],
    "web.enterprise_records.edit": [HOME, ENTERPRISES, ENTERPRISE],
    "web.imports.index": [HOME, ENTERPRISES],
    "web.imports.show": [HOME, ENTERPRISES, (_l("批量导入"), "web.imports.index", ())],
    "web.inspections.show": [HOME, INSPECTIONS],
    "web.inspections.new": [HOME, INSPECTIONS],
    "web.inspections.inbox": [HOME, INSPECTIONS],
    "web.inspections_admin.plans": [HOME, INSPECTIONS],
    "web.inspections_admin.campaigns": [HOME, INSPECTIONS],
    "web.inspections_admin.draws": [HOME, INSPECTIONS],
    "web.inspections_admin.draw": [HOME, INSPECTIONS],
    "web.inspections_admin.budget": [HOME, INSPECTIONS],
    "web.inspections_admin.reports": [HOME, INSPECTIONS],
    "web.inspections_admin.requests": [HOME, INSPECTIONS],
    "web.listing.batch": [HOME, LISTING],
    "web.listing.entry": [HOME, LISTING],
    "web.listing.run": [HOME, LISTING],
    "web.listing.inbox": [HOME, LISTING],
    "web.listing.enterprise_screening": [HOME, LISTING],
    "web.listing.ledger_page": [HOME, LISTING],
    "web.users.new": [HOME, (_l("用户管理"), "web.users.index", ())],
    "web.inspections_portal.my_inspection": [
        HOME,
        (_l("检查与反馈"), "web.inspections_portal.mine", ()),
    ],
    "web.listing_portal.apply": [HOME, (_l("正面清单申请"), "web.listing_portal.mine", ())],
    "web.listing_public.notice": [(_l("公示与异议"), "web.listing_public.notices", ())],
    "web.inspections_public.draw": [
        (_l("执法公示与随机抽查"), "web.inspections_public.publicity", ())
    ],
}


def breadcrumbs() -> list[tuple[str, str]]:
    """(label, href) from the section down to the current page's parent; empty off the map. The
    staff home is left out for a visitor who is not signed in, and error pages answered before
    the tenant was known have none."""
    if g.get("tenant") is None:  # an error answered before the tenant was resolved
        return []
    trail = TRAILS.get(request.endpoint or "", [])
    args = request.view_args or {}
    out: list[tuple[str, str]] = []
    for label, endpoint, keep in trail:
        if endpoint == HOME[1] and not current_user.is_authenticated:
            continue
        if any(k not in args for k in keep):
            continue
        try:
            out.append((str(label), url_for(endpoint, **{k: args[k] for k in keep})))
        except BuildError:  # never let the way back break the page itself
            return []
    return out
