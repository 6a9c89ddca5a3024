"""Issue 13 item 2: the public pages are cacheable and their cache follows the tenant's
publication version (ui/public_cache.py). Publishing a batch (XJ-C publication) changes the
positive list's ETag and page at once; an unchanged tenant answers 304 and from the server-side
cache; another tenant's publication leaves this tenant's ETag alone."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tenant_app.extensions import db

from .test_procedure import _listed

LIST = "/xj-urumqi/public/positive-list/"
OTHER = "/sx-taiyuan/public/positive-list/"


def _statements(client, url, **kwargs):
    seen = []

    def count(*args):  # noqa: ANN002
        if "set_config(" not in args[2]:  # PostgreSQL: the RLS scope of the transaction
            seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rv = client.get(url, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return rv, seen


@pytest.mark.today("2025-11-03")
def test_publication_changes_etag_and_page_other_tenant_untouched(client, app, world, travel):
    first = client.get(LIST)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    assert "Last-Modified" in first.headers and "Cookie" in first.headers["Vary"]
    other_before = client.get(OTHER).headers["ETag"]
    again, statements = _statements(client, LIST, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert len(statements) == 1  # the publication version; no tenant, no rows, no template
    cached, statements = _statements(client, LIST)
    assert cached.status_code == 200 and cached.get_data() == first.get_data()
    assert len(statements) == 1  # served from the server-side cache

    e, _entry_id = _listed(app, world, 1, "qiye1", travel)  # other tenants' world untouched

    after = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert e.name in after.get_data(as_text=True) and e.name not in first.get_data(as_text=True)
    assert client.get(OTHER).headers["ETag"] == other_before


@pytest.mark.date_sensitive
def test_signed_in_staff_get_a_private_uncached_page(client, world):
    from ..helpers import login

    login(client, "xj-urumqi", "urumqi-officer1")
    rv = client.get(LIST)
    assert rv.status_code == 200 and rv.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in rv.headers
