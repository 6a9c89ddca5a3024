"""What must be settled before a case is closed (结案), as other features declare it.

A feature that owns something a decision leaves to do (the fine's payment: enforcement) declares
a check in ``Feature.close_checks`` (tenant_app/features.py); the app factory hands them over
here, so the cases package imports no such feature. A check is ``(ctx, case) -> str | None``:
None when its part is settled, else a Chinese sentence naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app

from tenant_app.context import Context

CloseCheck = Callable[[Context, Any], "str | None"]
_KEY = "case_close_checks"


def init_checks(app: Flask, checks: Iterable[CloseCheck]) -> None:
    app.extensions[_KEY] = tuple(checks)


def blockers(ctx: Context, case: Any) -> list[str]:
    """Why ``case`` cannot be closed today (empty when it can)."""
    out: list[str] = []
    for check in current_app.extensions.get(_KEY, ()):
        reason = check(ctx, case)
        if reason:
            out.append(reason)
    return out
