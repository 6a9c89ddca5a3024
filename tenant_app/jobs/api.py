"""Jobs: status and progress (with the count done, whether it waits for a worker, the file it
made), a retry of a failed job, the file, and the pipeline self-check. Same rules as the job's
page (jobs/status.py)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import ErrorSchema, JobSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.jobs import status as job_status
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import Job
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_jobs", __name__, url_prefix="/api/v1/tenants/<tenant>/jobs", description="后台任务"
)
blp.url_value_preprocessor(bind_api_tenant)


class RetrySchema(Schema):
    attempt = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=10_000),
        metadata={
            "description": "读到的 attempts 值：只有仍为该值的失败任务才会重试，"
            "同一请求重复发送只重试一次"
        },
    )


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


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
    @_err(404, "没有该任务（或属于其他租户）")
    def get(self, job_id: str) -> Job:
        return job_status.get_job(request_context(), job_id)


def _found_first(view: Any) -> Any:
    """Look the job up before the body is parsed: another tenant's job is a 404 whatever the
    body holds (never a 422 about it)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        job_status.get_job(request_context(), kwargs["job_id"])
        return view(*args, **kwargs)

    return wrapper


@blp.route("/<string:job_id>/retry")
class JobRetry(MethodView):
    @permission(Perm.JOBS_VIEW)
    @_found_first
    @blp.arguments(RetrySchema)
    @blp.response(200, JobSchema, description="没有再次开始：任务已在重试或已不是失败状态")
    @blp.alt_response(202, schema=JobSchema, description="已重新开始（同一任务的新一次运行）")
    @_err(403, "无权启动该类任务")
    @_err(404, "没有该任务（或属于其他租户）")
    def post(self, data: dict[str, Any], job_id: str) -> Any:
        """Run a failed job again, with the same arguments. Idempotent: pass the ``attempts``
        you read; a repeat of the same request finds the job moved on and starts nothing."""
        job, started = job_status.retry(request_context(), job_id, data["attempt"])
        db.session.commit()
        return job, (202 if started else 200)


@blp.route("/<string:job_id>/file")
class JobFile(MethodView):
    @permission(Perm.JOBS_VIEW)
    @blp.doc(
        responses={
            "200": {
                "description": "任务生成的文件（如企业名录导出），仅发起人可下载",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    )
    @_err(404, "没有该任务、任务未完成、文件已删除，或不是您发起的任务")
    def get(self, job_id: str) -> Any:
        found = job_status.file_of(request_context(), job_status.get_job(request_context(), job_id))
        if found is None:
            abort(404)
        db.session.rollback()  # end the read transaction before the (long) download
        return send_file(
            found.path,
            mimetype=found.content_type,
            as_attachment=True,
            download_name=found.download_name,
        )
