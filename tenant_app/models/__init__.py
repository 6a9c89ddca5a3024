"""All models, imported here so Alembic and the app see one metadata."""

from .audit import AuditEntry, AuditHead
from .base import TenantScoped
from .job import Job, JobStatus
from .tenant import Level, Tenant
from .user import ApiToken, LoginFailure, RoleGrant, User

__all__ = [
    "ApiToken", "AuditEntry", "AuditHead", "Job", "JobStatus", "Level", "LoginFailure",
    "RoleGrant", "Tenant", "TenantScoped", "User",
]
