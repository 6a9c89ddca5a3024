"""All models, imported here so Alembic and the app see one metadata."""

from .audit import AuditEntry, AuditHead
from .base import TenantScoped
from .job import Job, JobStatus
from .policy import CalendarDay, CalendarYear, Deadline, PolicyVersion
from .tenant import Level, Tenant
from .user import ApiToken, LoginFailure, RoleGrant, User

__all__ = [
    "ApiToken", "AuditEntry", "AuditHead", "CalendarDay", "CalendarYear", "Deadline", "Job",
    "JobStatus", "Level", "LoginFailure", "PolicyVersion",
    "RoleGrant", "Tenant", "TenantScoped", "User",
]
