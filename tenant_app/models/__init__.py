"""All models, imported here so Alembic and the app see one metadata."""

from tenant_app.models.audit import AuditEntry, AuditHead, AuditRefusalTally
from tenant_app.models.base import TenantScoped
from tenant_app.models.case import (
    Case,
    CaseDecisionStat,
    CaseEvidence,
    CaseMeasure,
    CaseStatement,
    CaseStep,
    CaseViolation,
)
from tenant_app.models.enforcement import (
    EducationAttendance,
    EducationEvent,
    FineInstalment,
    FinePayment,
    FineReview,
    LadderStep,
    PaymentApplication,
)
from tenant_app.models.enterprise import Enterprise, EnterpriseAccount, EnterpriseRating
from tenant_app.models.industry import Industry
from tenant_app.models.inspection import (
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
from tenant_app.models.job import Job, JobStatus
from tenant_app.models.listing import (
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
from tenant_app.models.notification import (
    Notification,
    NotificationSetting,
    OverdueItem,
    ReminderSent,
    WebhookDelivery,
    WebhookSubscription,
)
from tenant_app.models.oversight import CorrectionItem, InspectionRollup, RollupRefresh
from tenant_app.models.policy import CalendarDay, CalendarYear, Deadline, PolicyVersion
from tenant_app.models.records import ComplianceRecord
from tenant_app.models.rectification import (
    CorrectionExtension,
    CorrectionOrder,
    RectificationEntry,
)
from tenant_app.models.tenant import Level, Tenant
from tenant_app.models.user import (
    ApiToken,
    RateLimitCounter,
    RoleGrant,
    RoleProposal,
    User,
    UserSession,
)
from tenant_app.models.visit import EnterpriseVisit
from tenant_app.models.warning import EnterpriseWarning, MonitoringBatch, MonitoringRecord

__all__ = [
    "InspectionRollup",
    "RollupRefresh",
    "EducationAttendance",
    "EducationEvent",
    "FineInstalment",
    "FinePayment",
    "FineReview",
    "LadderStep",
    "PaymentApplication",
    "CorrectionItem",
    "CorrectionExtension",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "AuditRefusalTally",
    "CalendarDay",
    "CalendarYear",
    "Campaign",
    "Case",
    "CaseMeasure",
    "CaseEvidence",
    "CaseStatement",
    "CaseStep",
    "CaseViolation",
    "CaseDecisionStat",
    "ChecklistTemplate",
    "ComplianceRecord",
    "CorrectionOrder",
    "RectificationEntry",
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
    "EnterpriseWarning",
    "EnterpriseAccount",
    "EnterpriseRating",
    "Industry",
    "Job",
    "JobStatus",
    "Level",
    "HealthCheckVisit",
    "LedgerEntry",
    "MonitoringBatch",
    "MonitoringRecord",
    "ListingAttachment",
    "ListingBatch",
    "ListingEntry",
    "ListingFiling",
    "ListingObjection",
    "ListingStep",
    "Notification",
    "NotificationSetting",
    "OverdueItem",
    "ReminderSent",
    "WebhookDelivery",
    "WebhookSubscription",
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
