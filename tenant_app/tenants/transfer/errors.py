"""The one refusal of a tenant export or import: a Chinese message naming what is wrong."""

from __future__ import annotations

from tenant_app.core.errors import ServiceError


class TransferRefused(ServiceError):
    status = 409
    code = "transfer_refused"
