"""Job kinds, one module per area. Importing this package registers them all."""

from tenant_app.audit import jobs as audit  # noqa: F401
from tenant_app.calendar import jobs as calendar  # noqa: F401
from tenant_app.imports import jobs as imports  # noqa: F401
from tenant_app.inspections import jobs as inspections  # noqa: F401
from tenant_app.jobs import housekeeping  # noqa: F401
from tenant_app.listing import jobs as listing  # noqa: F401
