"""Roles per tenant and what each may do: the one place permissions are declared."""

from __future__ import annotations

import enum


def N_(message: str) -> str:
    """Marks a msgid for extraction; templates translate the label when they show it."""
    return message


class Role(enum.StrEnum):
    SUPERADMIN = "superadmin"  # platform; granted on the platform tenant, so it oversees all
    TENANT_ADMIN = "tenant_admin"
    OFFICER = "officer"  # 执法人员; needs an enforcement certificate number
    AGENCY_HEAD = "agency_head"  # 执法机构负责人
    DEPUTY_HEAD = "deputy_head"  # 分管领导
    PRINCIPAL_HEAD = "principal_head"  # 主要负责人
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核
    AUDITOR = "auditor"  # 稽查: reads descendants
    ENTERPRISE = "enterprise"  # 企业用户


ROLE_LABELS: dict[Role, str] = {
    Role.SUPERADMIN: N_("平台超级管理员"),
    Role.TENANT_ADMIN: N_("租户管理员"),
    Role.OFFICER: N_("执法人员"),
    Role.AGENCY_HEAD: N_("执法机构负责人"),
    Role.DEPUTY_HEAD: N_("分管领导"),
    Role.PRINCIPAL_HEAD: N_("主要负责人"),
    Role.LEGAL_REVIEWER: N_("法制审核人员"),
    Role.AUDITOR: N_("稽查人员"),
    Role.ENTERPRISE: N_("企业用户"),
}

# Roles held at a tenant that also read every descendant tenant (never siblings or ancestors).
OVERSIGHT_ROLES = frozenset({Role.SUPERADMIN, Role.AUDITOR})
STAFF_ROLES = frozenset(Role) - {Role.ENTERPRISE}


class Perm(enum.StrEnum):
    DASHBOARD_VIEW = "dashboard.view"
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    TENANTS_MANAGE = "tenants.manage"
    AUDIT_VIEW = "audit.view"
    JOBS_VIEW = "jobs.view"
    JOBS_RUN = "jobs.run"
    TOKENS_OWN = "tokens.own"
    POLICY_VIEW = "policy.view"
    POLICY_EDIT = "policy.edit"  # overridable keys of the own tenant (tenant admins)
    POLICY_EDIT_ANY = "policy.edit_any"  # any key, any tenant's pack choice (superadmins)
    CALENDAR_EDIT = "calendar.edit"
    ENTERPRISES_VIEW = "enterprises.view"
    ENTERPRISES_EDIT = "enterprises.edit"
    RECORDS_EDIT = "records.edit"
    IMPORTS_RUN = "imports.run"
    ENTERPRISE_ACCOUNTS_VERIFY = "enterprise_accounts.verify"
    OWN_ENTERPRISE_VIEW = "own_enterprise.view"  # an enterprise user's own company only
    INSPECTIONS_VIEW = "inspections.view"
    INSPECTIONS_EDIT = "inspections.edit"  # plan, conduct, feedback, draws, campaigns (officers)
    INSPECTIONS_APPROVE = "inspections.approve"  # heads; the stored requirement names the role
    OWN_INSPECTIONS = "own_inspections"  # enterprise user: own inspections, reports, requests
    LISTING_VIEW = "listing.view"  # positive list (issue 5): screening, entries, batches, ledger
    LISTING_SCREEN = "listing.screen"  # run tenant-wide screenings
    LISTING_MANAGE = "listing.manage"  # nominate, run the XJ-P steps, objections, visits, removal
    LISTING_APPLY = "listing.apply"  # an enterprise user applies and signs its commitment
    FILINGS_RECEIVE = "filings.receive"  # a parent tenant's staff acknowledge children's filings
    CASES_VIEW = "cases.view"  # enforcement cases (issue 14)
    CASES_EDIT = "cases.edit"  # officers: open and work a case (notice, hearing, service)
    CASES_REVIEW = "cases.review"  # legal reviewers: 法制审核
    CASES_DECIDE = "cases.decide"  # the principal head: decision, collective discussion, extension
    OWN_CASES = "own_cases"  # enterprise user: its own cases, statements and hearing requests
    REMINDERS_ALL = "reminders.all"  # the tenant's whole due-soon/overdue queue (oversight)
    WEBHOOKS_MANAGE = "webhooks.manage"  # tenant admins: webhook subscriptions and their log
    WARNINGS_VIEW = "warnings.view"  # SX-1 warnings (issue 16): the staff list and detail
    WARNINGS_EDIT = "warnings.edit"  # officers: escalate, resolve, close a warning
    MONITORING_INTAKE = "monitoring.intake"  # push or upload online-monitoring anomalies
    OWN_WARNINGS = "own_warnings"  # enterprise user: its own warnings, acknowledge and answer
    ENFORCEMENT_VIEW = "enforcement.view"  # issue 15: fines' payment, the ladder, legal education
    ENFORCEMENT_EDIT = "enforcement.edit"  # officers: payments, imports, ladder steps, 普法 events
    OWN_ENFORCEMENT = "own_enforcement"  # enterprise user: its fines, applications and its ladder
    OVERSIGHT_VIEW = "oversight.view"  # issue 17: statistics and charts of the region's subtree
    CORRECTIONS_ISSUE = "corrections.issue"  # assign a correction item to a child region, close it
    CORRECTIONS_ANSWER = "corrections.answer"  # a child region reports how it corrected a finding


_ALL_STAFF = {
    Perm.DASHBOARD_VIEW,
    Perm.JOBS_VIEW,
    Perm.TOKENS_OWN,
    Perm.POLICY_VIEW,
    Perm.ENTERPRISES_VIEW,
    Perm.LISTING_VIEW,
}
_LISTING_CLERK = {Perm.LISTING_SCREEN, Perm.LISTING_MANAGE, Perm.FILINGS_RECEIVE}
_REGISTRY_CLERK = {
    Perm.ENTERPRISES_EDIT,
    Perm.RECORDS_EDIT,
    Perm.IMPORTS_RUN,
    Perm.ENTERPRISE_ACCOUNTS_VERIFY,
    Perm.JOBS_RUN,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.SUPERADMIN: frozenset(Perm) - {Perm.OWN_ENTERPRISE_VIEW, Perm.LISTING_APPLY},
    Role.TENANT_ADMIN: frozenset(
        _ALL_STAFF
        | _REGISTRY_CLERK
        | _LISTING_CLERK
        | {Perm.USERS_VIEW, Perm.USERS_MANAGE, Perm.AUDIT_VIEW, Perm.POLICY_EDIT}
    ),
    Role.OFFICER: frozenset(_ALL_STAFF | _REGISTRY_CLERK | _LISTING_CLERK),
    Role.AGENCY_HEAD: frozenset(_ALL_STAFF | _REGISTRY_CLERK | _LISTING_CLERK | {Perm.USERS_VIEW}),
    Role.DEPUTY_HEAD: frozenset(_ALL_STAFF | {Perm.USERS_VIEW}),
    Role.PRINCIPAL_HEAD: frozenset(
        _ALL_STAFF | {Perm.USERS_VIEW, Perm.AUDIT_VIEW, Perm.FILINGS_RECEIVE}
    ),
    Role.LEGAL_REVIEWER: frozenset(_ALL_STAFF),
    Role.AUDITOR: frozenset(_ALL_STAFF | {Perm.USERS_VIEW, Perm.AUDIT_VIEW, Perm.FILINGS_RECEIVE}),
    Role.ENTERPRISE: frozenset(
        {Perm.DASHBOARD_VIEW, Perm.TOKENS_OWN, Perm.OWN_ENTERPRISE_VIEW, Perm.LISTING_APPLY}
    ),
}


# Inspections (issue 6): added as one block so the role table above stays as it is.
_INSPECTION_HEAD = {Perm.INSPECTIONS_VIEW, Perm.INSPECTIONS_EDIT, Perm.INSPECTIONS_APPROVE}
for _role, _extra in {
    Role.TENANT_ADMIN: {Perm.INSPECTIONS_VIEW},
    Role.OFFICER: {Perm.INSPECTIONS_VIEW, Perm.INSPECTIONS_EDIT},
    Role.AGENCY_HEAD: _INSPECTION_HEAD,
    Role.DEPUTY_HEAD: _INSPECTION_HEAD,
    Role.PRINCIPAL_HEAD: _INSPECTION_HEAD,
    Role.LEGAL_REVIEWER: {Perm.INSPECTIONS_VIEW},
    Role.AUDITOR: {Perm.INSPECTIONS_VIEW},
    Role.ENTERPRISE: {Perm.OWN_INSPECTIONS},
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra
ROLE_PERMISSIONS[Role.SUPERADMIN] = ROLE_PERMISSIONS[Role.SUPERADMIN] - {Perm.OWN_INSPECTIONS}

# Cases (issue 14): officers open and work cases, legal reviewers review, the principal head
# decides; everyone else on the staff reads them; the enterprise sees and answers its own.
for _role, _extra in {
    Role.TENANT_ADMIN: {Perm.CASES_VIEW},
    Role.OFFICER: {Perm.CASES_VIEW, Perm.CASES_EDIT},
    Role.AGENCY_HEAD: {Perm.CASES_VIEW, Perm.CASES_EDIT},
    Role.DEPUTY_HEAD: {Perm.CASES_VIEW},
    Role.PRINCIPAL_HEAD: {Perm.CASES_VIEW, Perm.CASES_DECIDE},
    Role.LEGAL_REVIEWER: {Perm.CASES_VIEW, Perm.CASES_REVIEW},
    Role.AUDITOR: {Perm.CASES_VIEW},
    Role.ENTERPRISE: {Perm.OWN_CASES},
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra
ROLE_PERMISSIONS[Role.SUPERADMIN] = ROLE_PERMISSIONS[Role.SUPERADMIN] - {Perm.OWN_CASES}

# Reminders and webhooks (issue 16): everyone sees their own queue (DASHBOARD_VIEW); tenant
# admins and the heads and auditors who oversee see the tenant's; tenant admins run webhooks.
for _role, _extra in {
    Role.TENANT_ADMIN: {Perm.REMINDERS_ALL, Perm.WEBHOOKS_MANAGE},
    Role.AGENCY_HEAD: {Perm.REMINDERS_ALL},
    Role.DEPUTY_HEAD: {Perm.REMINDERS_ALL},
    Role.PRINCIPAL_HEAD: {Perm.REMINDERS_ALL},
    Role.AUDITOR: {Perm.REMINDERS_ALL},
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra


# Warnings (issue 16): every staff member reads them, officers act on them and take monitoring
# data in (as the registry clerks do); the enterprise sees and answers its own.
_WARN_ACT = {Perm.WARNINGS_VIEW, Perm.WARNINGS_EDIT, Perm.MONITORING_INTAKE}
for _role, _extra in {
    Role.TENANT_ADMIN: _WARN_ACT,
    Role.OFFICER: _WARN_ACT,
    Role.AGENCY_HEAD: _WARN_ACT,
    Role.DEPUTY_HEAD: {Perm.WARNINGS_VIEW},
    Role.PRINCIPAL_HEAD: {Perm.WARNINGS_VIEW},
    Role.LEGAL_REVIEWER: {Perm.WARNINGS_VIEW},
    Role.AUDITOR: {Perm.WARNINGS_VIEW},
    Role.ENTERPRISE: {Perm.OWN_WARNINGS},
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra
ROLE_PERMISSIONS[Role.SUPERADMIN] = ROLE_PERMISSIONS[Role.SUPERADMIN] - {Perm.OWN_WARNINGS}

# After the decision (issue 15): every staff member reads payments, ladders and 普法 records;
# officers and the agency head record them. Approving a deferral or instalments is not a
# permission but the role the pack names (national.rules.payment.deferral_approver), checked by
# the service. The enterprise sees its own fines and ladder and applies.
_ENF_ACT = {Perm.ENFORCEMENT_VIEW, Perm.ENFORCEMENT_EDIT}
for _role, _extra in {
    Role.TENANT_ADMIN: {Perm.ENFORCEMENT_VIEW},
    Role.OFFICER: _ENF_ACT,
    Role.AGENCY_HEAD: _ENF_ACT,
    Role.DEPUTY_HEAD: {Perm.ENFORCEMENT_VIEW},
    Role.PRINCIPAL_HEAD: {Perm.ENFORCEMENT_VIEW},
    Role.LEGAL_REVIEWER: {Perm.ENFORCEMENT_VIEW},
    Role.AUDITOR: {Perm.ENFORCEMENT_VIEW},
    Role.ENTERPRISE: {Perm.OWN_ENFORCEMENT},
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra
ROLE_PERMISSIONS[Role.SUPERADMIN] = ROLE_PERMISSIONS[Role.SUPERADMIN] - {Perm.OWN_ENFORCEMENT}


# Oversight (issue 17, XJ-A, SX-O): the auditors (稽查) read their subtree's statistics, as they
# read its rows; superadmins hold every permission already.
ROLE_PERMISSIONS[Role.AUDITOR] = ROLE_PERMISSIONS[Role.AUDITOR] | {
    Perm.OVERSIGHT_VIEW,
    Perm.CORRECTIONS_ISSUE,
}
# Correction items (内部纠错): the region's heads and its admin report how a finding was corrected.
for _role in (Role.TENANT_ADMIN, Role.AGENCY_HEAD, Role.DEPUTY_HEAD, Role.PRINCIPAL_HEAD):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.CORRECTIONS_ANSWER}


def permissions_for(roles: frozenset[str]) -> frozenset[Perm]:
    out: set[Perm] = set()
    for r in roles:
        out |= ROLE_PERMISSIONS.get(Role(r), frozenset())
    return frozenset(out)
