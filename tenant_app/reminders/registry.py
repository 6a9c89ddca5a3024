"""The deadline sources the features declared (``Feature.due``), handed over by the app
factory: this package never imports a feature."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app

from tenant_app.reminders.items import DueSource

_KEY = "reminder_sources"


def init_sources(app: Flask, sources: Iterable[DueSource]) -> None:
    app.extensions[_KEY] = tuple(sources)


def sources() -> tuple[DueSource, ...]:
    return tuple(current_app.extensions.get(_KEY, ()))
