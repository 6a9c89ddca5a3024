"""Bulk import over the API (multipart upload, status with counts and first errors, the error
report) and the enterprise list's XLSX export. Same services and job as the pages."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.imports.downloads import XLSX_MIME, import_job, report_file
from tenant_app.imports.services import storage
from tenant_app.imports.services.columns import kinds
from tenant_app.models import Job
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_imports",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="批量导入（CSV / XLSX）",
)
blp.url_value_preprocessor(bind_api_tenant)


class ImportUploadSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(kinds())),
        metadata={"description": "enterprises（企业名录）或合规记录类型，如 penalty"},
    )
    mode = fields.String(
        required=True,
        validate=validate.OneOf(list(storage.MODES)),
        metadata={
            "description": "all = 全部有效才导入（有任何错误则一行也不写入）；"
            "valid = 只导入有效行（错误行跳过并列出）"
        },
    )
    file = Upload(metadata={"description": "CSV（UTF-8 / GB18030）或 XLSX，第 1 行为表头"})


class ImportSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "pending / queued / running / done / failed"})
    progress = fields.Integer()
    message = fields.String()
    error = fields.String(allow_none=True)
    args = fields.Method("_args", metadata={"description": "kind, mode, filename, sha256"})
    result = fields.Raw(
        allow_none=True,
        metadata={
            "description": "rows, valid, invalid, written, errors, outcome, message, preview（前 50 条错误）"
        },
    )
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)

    def _args(self, job: Job) -> dict[str, Any]:
        """Not the stored path: where files live on the server is no client's business."""
        return {
            k: v for k, v in (job.args or {}).items() if k in ("kind", "mode", "filename", "sha256")
        }


class ReportQuerySchema(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


def _file(description: str, *types: str) -> Any:
    """A 200 that is a download, not JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return blp.doc(
        responses={"200": {"description": description, "content": {t: binary for t in types}}}
    )


@blp.route("/imports")
class ImportList(MethodView):
    @accepts_upload
    @permission(Perm.IMPORTS_RUN)
    @blp.arguments(ImportUploadSchema, location="form", content_type="multipart/form-data")
    @blp.response(202, ImportSchema)
    @_err(422, "导入设置或文件有误（按字段列出原因）")
    def post(self, data: dict[str, Any]) -> Job:
        """Upload a file; the import runs as a job. The same file, kind and mode again returns
        the same job (nothing is imported twice)."""
        upload = request.files.get("file")
        job = storage.start_import(
            request_context(),
            upload.stream if upload else None,
            upload.filename or "" if upload else "",
            data["kind"],
            data["mode"],
        )
        db.session.commit()
        return job


@blp.route("/imports/<job_id>")
class ImportItem(MethodView):
    @permission(Perm.IMPORTS_RUN)
    @blp.response(200, ImportSchema)
    @_err(404, "没有该导入（或属于其他租户）")
    def get(self, job_id: str) -> Job:
        return import_job(job_id)


@blp.route("/imports/<job_id>/errors")
class ImportErrors(MethodView):
    @permission(Perm.IMPORTS_RUN)
    @blp.arguments(ReportQuerySchema, location="query")
    @_file("错误清单（行号、列、列名、原因）", XLSX_MIME, "text/csv")
    @_err(404, "没有该导入，或该导入没有错误")
    def get(self, query: dict[str, Any], job_id: str) -> Any:
        return report_file(job_id, query["format"])
