"""Jobs: status and progress, and the pipeline self-check."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth.permissions import permission
from ..auth.roles import Perm
from ..extensions import db
from ..jobs import enqueue
from ..models import Job
from ..tenancy.queries import get_or_404
from .auth import bind_api_tenant
from .schemas import JobSchema

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
