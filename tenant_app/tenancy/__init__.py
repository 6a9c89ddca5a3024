"""Tenancy: which tenant a unit of work belongs to, and the one path that enforces it.

- scope.py    the Scope (write tenant, readable tenants) of a request, job or command
- resolve.py  URL slug + user → Scope (oversight roles read descendants)
- guard.py    SQLAlchemy events that apply the Scope to every query and flush, and to RLS
- ui.py      per-request wiring for the /<tenant>/ pages and /api/v1/tenants/<tenant>/ API
- queries.py  helpers views use: get_or_404, keyset pages
"""

from tenant_app.tenancy import guard  # noqa: F401  (registers the session events)
from tenant_app.tenancy.scope import Scope, current_scope, use_scope

__all__ = ["Scope", "current_scope", "use_scope"]
