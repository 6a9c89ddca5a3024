"""Reading a stored password hash (issue 12, item 7).

On PostgreSQL the app role cannot SELECT ``users.password_hash`` (column privileges granted by
migrations/env.py); the one way to it is the SECURITY DEFINER function ``app_login_hash(username)``,
which returns one hash for one username, and only inside a transaction whose tenant scope carries
a valid signature. ``User.password_hash`` is deferred so ordinary queries never ask for it. On
SQLite (no roles) the column is read directly.
"""

from __future__ import annotations

from sqlalchemy import select, text

from tenant_app.extensions import db
from tenant_app.models import User


def stored_hash(username: str) -> str | None:
    """The password hash of ``username``, or None when there is no such account."""
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        from tenant_app.tenancy.guard import reapply_scope

        session.connection()  # begin, then sign the scope (an empty one is not signed at begin)
        reapply_scope()
        value = session.execute(
            text("SELECT app_login_hash(:username)"), {"username": username}
        ).scalar()
    else:
        value = session.execute(
            select(User.password_hash).where(User.username == username)
        ).scalar_one_or_none()
    return None if value is None else str(value)
