"""Jobs: status and progress, and the pipeline self-check."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import JobSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import Job
from tenant_app.tenancy.queries import get_or_404

blp = Blueprint(
    "api_jobs", __name__, url_prefix="/api/v1/tenants/<tenant>/jobs", description="后台任务"
)
blp.url_value_preprocessor(bind_api_tenant)


@blp.route("/self-check")
class SelfCheck(MethodView):
    @permission(Perm.JOBS_RUN)
    @blp.response(202, JobSchema)
    def post(self) -> Job:
        job = enqueue("housekeeping.self_check", {"steps": 3, "pause": 0.1})
        db.session.commit()
        return job


@blp.route("/<string:job_id>")
class JobItem(MethodView):
    @permission(Perm.JOBS_VIEW)
    @blp.response(200, JobSchema)
    def get(self, job_id: str) -> Job:
        return get_or_404(Job, job_id)
