"""Rows the app already holds as values (a cached tenant, a token read with the request's scope),
made persistent instances of the request's session without a query (issue 13 item 1).

The values go straight into the new instance's ``__dict__``, as SQLAlchemy's own loading does
for a row it read, and the instance enters the session as a detached one that is ``add``-ed:
no constructor, no attribute events, no ``merge``, which walks every attribute and cost as much
as the query it replaces. An instance of that identity already in the session wins. Columns not
given load on first access, like a deferred column.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class
from sqlalchemy.orm.util import identity_key

from tenant_app.extensions import db

T = TypeVar("T")


def attached(model: type[T], values: dict[str, Any]) -> T:
    session = db.session()
    existing = session.identity_map.get(identity_key(model, values["id"]))
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    obj: T = manager_of_class(model).new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj
