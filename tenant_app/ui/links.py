"""Query parameters carried into generated links: filters only, never instructions to url_for.

``url_for(endpoint, **args)`` reads ``_external``, ``_scheme``, ``_anchor``, ``_method`` as
instructions (an absolute link to whatever Host the request named) and the URL's own variables
(``tenant``, ids) as the target (a link into another tenant, or a 500 on a repeated keyword).
A page that keeps its filters in "next page" and "export" links passes them through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import request


def filter_args(args: Mapping[str, str], drop: Iterable[str] = ()) -> dict[str, Any]:
    rule_vars = set(request.url_rule.arguments) if request.url_rule is not None else set()
    dropped = {"tenant", *rule_vars, *drop}
    return {
        k: v
        for k, v in args.items()
        if v and k.isidentifier() and not k.startswith("_") and k not in dropped
    }


def page_link(param: str = "after", value: Any = None) -> str:
    """This page again with ``param`` set to ``value`` (dropped when None) and the other filters
    kept: the "next page" and "first page" links of a keyset-paged list (ui/templates/_pager.html).
    A page with two lists names each list's own parameter, so paging one keeps the other."""
    from flask import url_for

    args = filter_args(request.args, drop=(param,))
    if value is not None:
        args[param] = value
    endpoint = request.endpoint or ""
    return url_for(endpoint, **(request.view_args or {}), **args)
