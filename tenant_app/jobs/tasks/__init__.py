"""Job kinds, one module per area. Importing this package registers them all."""

from tenant_app.jobs.tasks import audit, calendar, housekeeping, imports, inspections, listing  # noqa: F401
