"""Search-as-you-type pickers (issue 10 item 3): what the pages and the search endpoints share.

A picker is a search box and radios or checkboxes named like the form field it fills
(ui/templates/_picker.html). Its matches come from a feature's keyset-paged search (the
enterprise search, the officer pool) through :func:`results`, rendered by
``_pick_results.html`` either inside the page (no scripts: the search button submits the form)
or alone, as the answer to the box's htmx request (:func:`answer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for

from tenant_app.core.errors import ServiceError

FIELD = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class More:
    after: Any
    url: str  # the search endpoint's next page (htmx)


@dataclass(frozen=True)
class Results:
    options: list[tuple[Any, str]] | None  # None: nothing asked yet
    more: More | None = None
    total: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Ask:
    """What a picker asks for: its field, the query typed, from where (keyset)."""

    field: str
    q: str
    after: int | None
    multiple: bool
    pid: str


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def ask_from_request(default_field: str) -> Ask:
    """The htmx request of a picker's search box or "更多" button (query string)."""
    args = request.args
    field = args.get("field") or default_field
    if not FIELD.match(field):
        field = default_field
    pid = args.get("pid") or field
    if not re.match(r"^[a-z][a-z0-9_-]{0,59}$", pid):
        pid = field
    return Ask(
        field=field,
        q=(args.get(f"{field}_q") or "")[:400],
        after=_int(args.get("after")),
        multiple=args.get("multiple") == "1",
        pid=pid,
    )


def ask_from_form(form: Mapping[str, str], field: str, *, always: bool = False) -> Ask | None:
    """A page's own rendering of a picker (no scripts): ``pick=field`` or ``pick=field:after``
    was the button pressed; ``always`` renders the matches of the query even without it."""
    pick = form.get("pick") or ""
    name, _, after = pick.partition(":")
    if name != field and not always:
        return None
    return Ask(
        field=field,
        q=(form.get(f"{field}_q") or "")[:400],
        after=_int(after) if name == field else None,
        multiple=False,
        pid=field,
    )


def results(
    ask: Ask,
    search: Callable[[str, int | None], Any],
    option: Callable[[Any], tuple[Any, str]],
    endpoint: str,
) -> Results:
    """Run ``search(q, after)`` (a keyset Page, or None for "ask for a query") and turn it into
    options; a refusal of the query (ServiceError) becomes the picker's own error line."""
    try:
        page = search(ask.q, ask.after)
    except ServiceError as exc:
        reasons = sum(exc.errors.values(), []) if exc.errors else []
        return Results(options=[], error="；".join(reasons) or exc.message)
    if page is None:
        return Results(options=None)
    more = None
    if page.next_after is not None:
        args: dict[str, Any] = {
            "field": ask.field,
            "pid": ask.pid,
            "multiple": "1" if ask.multiple else "",
            "after": page.next_after,
            f"{ask.field}_q": ask.q,
        }
        more = More(after=page.next_after, url=url_for(endpoint, **args))
    return Results(
        options=[option(x) for x in page.items],
        more=more,
        total=page.total if ask.after is None else None,
    )


def answer(ask: Ask, found: Results) -> tuple[str, int]:
    """The htmx answer: the matches alone; a refused query is a 422 with its reason."""
    html = render_template(
        "_pick_results.html",
        field=ask.field,
        multiple=ask.multiple,
        options=found.options,
        more=found.more,
        total=found.total,
        error=found.error,
        nojs_get=None,
    )
    return html, (422 if found.error else 200)


def enterprise_option(e: Any) -> tuple[Any, str]:
    """An enterprise as people tell them apart: its name and its credit code."""
    return e.id, f"{e.name}（{e.uscc}）"


def officer_option(u: Any) -> tuple[Any, str]:
    """An officer by name and enforcement certificate number."""
    from flask_babel import gettext as _

    return u.id, _(
        "%(name)s（执法证 %(no)s）", name=u.display_name, no=u.certificate_no or _("未登记")
    )
