"""One-button POST actions of the pages: the same confirmation, transaction and answer for each."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash

from tenant_app.accounts.users import NotFound
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.ui.forms import ConfirmForm


def confirmed_action(action: Callable[[], object], done: str | None = None) -> None:
    """Check the confirmation form's CSRF token, run ``action`` in one transaction and say how it
    went. Another account's or tenant's object, or none at all, is the same 404; a refusal is
    rolled back and shown with the service's reason."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
        db.session.commit()
    except NotFound:
        abort(404)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        if done:
            flash(done, "success")
