"""Job kinds, one module per area. Importing this package registers them all."""

from . import audit, calendar, housekeeping, imports, inspections, listing  # noqa: F401
