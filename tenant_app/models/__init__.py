"""All models, imported here so Alembic and the app see one metadata."""

from .audit import AuditEntry, AuditHead, AuditRefusalTally
from .base import TenantScoped
from .enterprise import Enterprise, EnterpriseAccount, EnterpriseRating
from .industry import Industry
from .inspection import (
    Campaign,
    ChecklistTemplate,
    Draw,
    Inspection,
    InspectionApproval,
    InspectionEvidence,
    InspectionFinding,
    InspectionPlan,
    InspectionRequest,
    OfficerConflict,
    SelfInspectionReport,
)
from .job import Job, JobStatus
from .listing import (
    HealthCheckVisit,
    LedgerEntry,
    ListingAttachment,
    ListingBatch,
    ListingEntry,
    ListingFiling,
    ListingObjection,
    ListingStep,
    ScreeningResult,
    ScreeningRun,
)
from .policy import CalendarDay, CalendarYear, Deadline, PolicyVersion
from .records import ComplianceRecord
from .tenant import Level, Tenant
from .user import ApiToken, RateLimitCounter, RoleGrant, RoleProposal, User, UserSession
from .visit import EnterpriseVisit

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "AuditRefusalTally",
    "CalendarDay",
    "CalendarYear",
    "Campaign",
    "ChecklistTemplate",
    "ComplianceRecord",
    "Draw",
    "Inspection",
    "InspectionApproval",
    "InspectionEvidence",
    "InspectionFinding",
    "InspectionPlan",
    "InspectionRequest",
    "OfficerConflict",
    "SelfInspectionReport",
    "Deadline",
    "Enterprise",
    "EnterpriseVisit",
    "EnterpriseAccount",
    "EnterpriseRating",
    "Industry",
    "Job",
    "JobStatus",
    "Level",
    "HealthCheckVisit",
    "LedgerEntry",
    "ListingAttachment",
    "ListingBatch",
    "ListingEntry",
    "ListingFiling",
    "ListingObjection",
    "ListingStep",
    "ScreeningResult",
    "ScreeningRun",
    "RateLimitCounter",
    "RoleProposal",
    "UserSession",
    "PolicyVersion",
    "RoleGrant",
    "Tenant",
    "TenantScoped",
    "User",
]
