"""A form the service refused comes back as it was typed, each reason beside its field.

A page's POST view that gets a ``ServiceError`` calls :func:`redisplay` instead of redirecting:
the transaction is rolled back (or committed when the refusal is itself a fact to keep,
``exc.keep``), the refusal is remembered for this request, and the page's own GET view draws the
page again with the service's status (422, 409). The form's template asks ``sent('name')`` for
each field's value and reasons, so what the officer typed stays in the inputs (a redirect would
drop it) and nothing is stored.

In the template::

    {% set f = sent('plan') %}
    <label for="year">年度</label>
    <input id="year" name="year" value="{{ f.value('year') }}"{{ f.mark('year') }}>
    {{ f.reasons('year') }}

``value``/``checked``/``selected`` give what was sent when this form was the one refused, else
the default the page shows; ``mark`` adds ``aria-invalid``/``aria-describedby`` (and
``autofocus`` on the first refused field, so the browser scrolls to it); ``reasons`` lists the
field's reasons. The refusal's message is flashed at the top of the page, with the reasons that
belong to no field of the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, flash, g, make_response, request
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db


@dataclass
class Refusal:
    form: str
    values: MultiDict[str, str]
    by_field: dict[str, list[str]]
    focused: bool = False


def page_reasons(exc: ServiceError) -> dict[str, list[str]]:
    """The reasons a page shows: all but ``status``, which holds the object's state code for
    API clients (the message already says it in words)."""
    return {k: v for k, v in exc.errors.items() if k != "status"}


def refusal_text(exc: ServiceError) -> str:
    """The message and every reason, for a flash when nothing was typed (one-button steps)."""
    reasons = [r for rs in page_reasons(exc).values() for r in rs if r != exc.message]
    return exc.message + ("：" + "；".join(reasons) if reasons else "")


def redisplay(
    page: Callable[..., Any],
    form: str,
    exc: ServiceError,
    *,
    aliases: Mapping[str, str] | None = None,
    fields: Iterable[str] = (),
    **view_args: Any,
) -> Response:
    """End the refused transaction and draw ``page(**view_args)`` again with form ``form`` as it
    was sent. ``aliases`` names the form field of a service's error key ("ratios.key" →
    "ratio_key"); ``fields`` adds fields a browser may not send (unticked boxes, none chosen)."""
    if exc.keep:  # e.g. an entry stopped by a record that arrived mid-procedure: that stays
        db.session.commit()
    else:
        db.session.rollback()
    names = set(request.form.keys()) | set(request.files.keys()) | set(fields)
    aliases = aliases or {}
    by_field: dict[str, list[str]] = {}
    rest: list[str] = []
    for key, reasons in page_reasons(exc).items():
        name = aliases.get(key, key)
        if name in names:
            by_field.setdefault(name, []).extend(reasons)
        else:
            rest.extend(reasons)
    flash(exc.message + ("：" + "；".join(rest) if rest else ""), "danger")
    g.refusal = Refusal(form, request.form.copy(), by_field)
    response = make_response(page(**view_args))
    response.status_code = exc.status
    return response


def again(
    page: Callable[..., Any],
    form: str,
    *,
    aliases: Mapping[str, str] | None = None,
    fields: Iterable[str] = (),
    **view_args: Any,
) -> Callable[[ServiceError], Response]:
    """:func:`redisplay` to be called later with the refusal (for the pages' ``_run`` helpers)."""
    return lambda exc: redisplay(page, form, exc, aliases=aliases, fields=fields, **view_args)


class SentForm:
    """What a template shows in one form: what was typed if this form was refused, else the
    page's defaults."""

    def __init__(self, name: str, refusal: Refusal | None) -> None:
        self.name = name
        self._r = refusal if refusal is not None and refusal.form == name else None

    @property
    def refused(self) -> bool:
        return self._r is not None

    def value(self, name: str, default: Any = "") -> Any:
        if self._r is None:
            return "" if default is None else default
        return self._r.values.get(name, "")

    def values(self, name: str, default: Iterable[Any] = ()) -> list[str]:
        if self._r is None:
            return [str(v) for v in default]
        return self._r.values.getlist(name)

    def checked(self, name: str, value: Any = "1", default: bool = False) -> bool:
        if self._r is None:
            return default
        return str(value) in self._r.values.getlist(name)

    def selected(self, name: str, value: Any, default: bool = False) -> bool:
        return self.checked(name, value, default)

    def errors(self, name: str) -> list[str]:
        return [] if self._r is None else self._r.by_field.get(name, [])

    def _id(self, name: str) -> str:
        return f"{self.name}-{name}-errors".replace(".", "-").replace("_", "-")

    def mark(self, name: str) -> Markup:
        """Attributes of a refused field's input: invalid, described by its reasons, and the
        first one of the page focused."""
        if not self.errors(name):
            return Markup("")
        attrs = f' aria-invalid="true" aria-describedby="{escape(self._id(name))}"'
        assert self._r is not None
        if not self._r.focused:
            self._r.focused = True
            attrs += " autofocus"
        return Markup(attrs)

    def reasons(self, name: str) -> Markup:
        errors = self.errors(name)
        if not errors:
            return Markup("")
        lines = "".join(
            f'<p class="error" data-field="{escape(name)}">{escape(e)}</p>' for e in errors
        )
        return Markup(
            f'<div id="{escape(self._id(name))}" class="invalid-feedback d-block">{lines}</div>'
        )


def sent(name: str) -> SentForm:
    return SentForm(name, g.get("refusal"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(sent=sent)
