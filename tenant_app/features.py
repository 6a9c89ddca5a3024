"""What the application is made of: each feature's page blueprints, API blueprints and job
kinds, in one list.

This module and the app factory are the composition root: the only places that import every
feature. The shells (ui for pages, api for the JSON API, jobs for the job kinds) register what
they are handed here and import no feature themselves, so adding a feature means adding its
package and one entry below (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Feature:
    name: str
    pages: tuple[Any, ...] = ()  # Blueprints nested under /<tenant>/
    api: tuple[Any, ...] = ()  # flask-smorest Blueprints under /api/v1/
    jobs: tuple[ModuleType, ...] = field(default=())  # modules whose import registers job kinds
    # Deadline sources of the reminders queue (issue 16): (ctx, *, user_id, horizon) -> [DueItem]
    due: tuple[Callable[..., Any], ...] = ()
    # What must be settled before a case is closed (issue 15): (ctx, case) -> reason | None
    close_checks: tuple[Callable[..., Any], ...] = ()


def features() -> tuple[Feature, ...]:
    from tenant_app.accounts import api as accounts_api
    from tenant_app.accounts import me_api, me_pages
    from tenant_app.accounts import pages as accounts_pages
    from tenant_app.audit import api as audit_api
    from tenant_app.audit import jobs as audit_jobs
    from tenant_app.auth import pages as auth_pages
    from tenant_app.calendar import jobs as calendar_jobs
    from tenant_app.calendar import pages as calendar_pages
    from tenant_app.cases import due as cases_due
    from tenant_app.cases.api import resources as cases_api
    from tenant_app.cases.pages import portal as cases_portal
    from tenant_app.cases.pages import staff as cases_staff
    from tenant_app.enforcement import due as enforcement_due
    from tenant_app.enforcement.api import resources as enforcement_api
    from tenant_app.enforcement.pages import portal as enforcement_portal
    from tenant_app.enforcement.pages import staff as enforcement_staff
    from tenant_app.enforcement.services import payments as enforcement_payments
    from tenant_app.imports import api as imports_api
    from tenant_app.imports import jobs as imports_jobs
    from tenant_app.imports import pages as imports_pages
    from tenant_app.inspections import due as inspections_due
    from tenant_app.inspections import jobs as inspections_jobs
    from tenant_app.inspections.api import resources as inspections_api
    from tenant_app.inspections.pages import admin, public, staff
    from tenant_app.inspections.pages import portal as inspections_portal
    from tenant_app.jobs import api as jobs_api
    from tenant_app.jobs import housekeeping
    from tenant_app.jobs import pages as jobs_pages
    from tenant_app.listing import due as listing_due
    from tenant_app.listing import jobs as listing_jobs
    from tenant_app.listing.api import resources as listing_api
    from tenant_app.listing.pages import portal as listing_portal
    from tenant_app.listing.pages import public as listing_public
    from tenant_app.listing.pages import staff as listing_staff
    from tenant_app.notifications import api as notifications_api
    from tenant_app.notifications import jobs as notifications_jobs
    from tenant_app.notifications import pages as notifications_pages
    from tenant_app.oversight import api as oversight_api
    from tenant_app.oversight import jobs as oversight_jobs
    from tenant_app.oversight import pages as oversight_pages
    from tenant_app.policy import api as policy_api
    from tenant_app.policy import pages as policy_pages
    from tenant_app.rectification import due as rectification_due
    from tenant_app.rectification import jobs as rectification_jobs
    from tenant_app.rectification.api import resources as rectification_api
    from tenant_app.rectification.pages import portal as rectification_portal
    from tenant_app.rectification.pages import staff as rectification_staff
    from tenant_app.registry import due as registry_due
    from tenant_app.registry.api import resources as registry_api
    from tenant_app.registry.pages import enterprises, records
    from tenant_app.registry.pages import portal as registry_portal
    from tenant_app.reminders import api as reminders_api
    from tenant_app.reminders import jobs as reminders_jobs
    from tenant_app.reminders import pages as reminders_pages
    from tenant_app.tenants import api as tenants_api
    from tenant_app.tenants import pages as tenants_pages
    from tenant_app.ui import dashboard
    from tenant_app.warnings import due as warnings_due
    from tenant_app.warnings import jobs as warnings_jobs
    from tenant_app.warnings.api import resources as warnings_api
    from tenant_app.warnings.pages import portal as warnings_portal
    from tenant_app.warnings.pages import staff as warnings_staff

    return (
        Feature("auth", pages=(auth_pages.bp,)),
        Feature("dashboard", pages=(dashboard.bp,)),
        Feature(
            "oversight",
            pages=(oversight_pages.bp,),
            api=(oversight_api.blp,),
            jobs=(oversight_jobs,),
        ),
        Feature(
            "accounts",
            pages=(me_pages.bp, accounts_pages.bp),
            api=(me_api.blp, accounts_api.blp),
        ),
        Feature("tenants", pages=(tenants_pages.bp,), api=(tenants_api.blp, tenants_api.children)),
        Feature("jobs", pages=(jobs_pages.bp,), api=(jobs_api.blp,), jobs=(housekeeping,)),
        Feature("audit", api=(audit_api.blp,), jobs=(audit_jobs,)),
        Feature("policy", pages=(policy_pages.bp,), api=(policy_api.blp, policy_api.cal)),
        Feature("calendar", pages=(calendar_pages.bp,), jobs=(calendar_jobs,)),
        Feature(
            "registry",
            pages=(enterprises.bp, records.bp, registry_portal.bp),
            api=(registry_api.blp,),
            due=(registry_due.rectification_deadlines,),
        ),
        Feature("imports", pages=(imports_pages.bp,), api=(imports_api.blp,), jobs=(imports_jobs,)),
        Feature(
            "inspections",
            pages=(staff.bp, admin.bp, inspections_portal.bp, public.bp),
            api=(inspections_api.blp,),
            jobs=(inspections_jobs,),
            due=(inspections_due.inspection_deadlines,),
        ),
        Feature(
            "cases",
            pages=(cases_staff.bp, cases_portal.bp),
            api=(cases_api.blp,),
            due=(cases_due.case_deadlines,),
        ),
        Feature(
            "enforcement",
            pages=(enforcement_staff.bp, enforcement_portal.bp),
            api=(enforcement_api.blp,),
            due=(enforcement_due.payment_deadlines,),
            close_checks=(enforcement_payments.close_blocker,),
        ),
        Feature(
            "listing",
            pages=(listing_staff.bp, listing_portal.bp, listing_public.bp),
            api=(listing_api.blp,),
            jobs=(listing_jobs,),
            due=(listing_due.listing_deadlines,),
        ),
        Feature(
            "notifications",
            pages=(
                notifications_pages.bp,
                notifications_pages.settings_bp,
                notifications_pages.webhooks_bp,
            ),
            api=(notifications_api.blp,),
            jobs=(notifications_jobs,),
        ),
        Feature(
            "reminders",
            pages=(reminders_pages.bp,),
            api=(reminders_api.blp,),
            jobs=(reminders_jobs,),
        ),
        Feature(
            "warnings",
            pages=(warnings_staff.bp, warnings_portal.bp),
            api=(warnings_api.blp,),
            jobs=(warnings_jobs,),
            due=(warnings_due.warning_deadlines,),
        ),
        Feature(
            "rectification",
            pages=(rectification_staff.bp, rectification_portal.bp),
            api=(rectification_api.blp,),
            jobs=(rectification_jobs,),
            due=(rectification_due.correction_deadlines,),
        ),
    )
