"""Job kinds, one module per area. Importing this package registers them all."""

from . import calendar, housekeeping, imports, inspections, listing  # noqa: F401
