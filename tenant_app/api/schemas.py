"""Marshmallow schemas of the JSON API (and so of the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "机器可读的错误代码"})
    message = fields.String(
        required=True, metadata={"description": "中文说明（Accept-Language: en 时为英文）"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "按字段列出的原因"},
    )


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String()
    name = fields.String()
    level = fields.String()
    division_code = fields.String()
    parent_id = fields.Integer(allow_none=True)
    policy_pack = fields.String(allow_none=True)


class TenantCreateSchema(Schema):
    slug = fields.String(required=True, validate=validate.Length(min=2, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    level = fields.String(required=True, validate=validate.OneOf(["province", "city", "county"]))
    division_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    policy_pack = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=64)
    )


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    certificate_no = fields.String(allow_none=True)
    active = fields.Boolean()
    roles = fields.List(fields.String())


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )
    roles = fields.List(
        fields.String(validate=validate.Length(max=32)),
        required=True,
        validate=validate.Length(min=1, max=10),
    )
    certificate_no = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=64)
    )
    enterprise_uscc = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=32),
        metadata={"description": "企业用户所属企业的统一社会信用代码（角色为 enterprise 时必填）"},
    )


class GrantSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.Length(min=1, max=32))


class JobSchema(Schema):
    """A background job as its page shows it (jobs/status.py reads the same)."""

    id = fields.String()
    name = fields.String()
    title = fields.Method("_title", metadata={"description": "任务名称（中文）"})
    status = fields.String(metadata={"description": "pending / queued / running / done / failed"})
    progress = fields.Integer(metadata={"description": "进度百分比"})
    items_done = fields.Integer(allow_none=True, metadata={"description": "已处理的条数"})
    items_total = fields.Integer(
        allow_none=True, metadata={"description": "共多少条（尚不知道时为 null）"}
    )
    message = fields.String()
    attempts = fields.Integer(
        metadata={"description": "已运行次数；重试时原样传回 attempt，重复请求不会重复运行"}
    )
    error = fields.String(
        allow_none=True, metadata={"description": "失败原因（文字，不含技术细节）"}
    )
    waiting_for_worker = fields.Method(
        "_waiting",
        metadata={"description": "等待超过 JOB_WAIT_WARN_SECONDS 仍没有后台处理程序接手"},
    )
    waited_minutes = fields.Method("_waited", metadata={"description": "已等待的分钟数"})
    result = fields.Method("_result", allow_none=True)
    download_url = fields.Method(
        "_download_url",
        allow_none=True,
        metadata={"description": "任务生成的文件（仅发起人可下载；未完成或已删除时为 null）"},
    )
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)

    def _title(self, job: Any) -> str:
        from tenant_app.jobs.registry import REGISTRY

        spec = REGISTRY.get(job.name)
        return spec.title if spec is not None else "后台任务"

    def _waiting(self, job: Any) -> bool:
        from tenant_app.jobs.status import view

        return view(job).waiting

    def _waited(self, job: Any) -> int:
        from tenant_app.jobs.status import view

        return view(job).waited_minutes

    def _result(self, job: Any) -> Any:
        """Where a file lies on the server is no client's business: its name and size only."""
        result = job.result
        if isinstance(result, dict) and isinstance(result.get("file"), dict):
            info = result["file"]
            shown = {k: v for k, v in info.items() if k in ("download_name", "size", "rows")}
            return {**result, "file": shown}
        return result

    def _download_url(self, job: Any) -> str | None:
        from flask import url_for

        from tenant_app.jobs.status import file_of
        from tenant_app.tenancy.acting import request_context

        if file_of(request_context(), job) is None:
            return None
        return url_for("api_jobs.JobFile", job_id=job.id)  # the request's tenant (url defaults)


class AuditEntrySchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    at = fields.DateTime()
    actor_name = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    ip = fields.String()
    hash = fields.String()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_after = fields.Integer(allow_none=True)


class AuditQuerySchema(Schema):
    after = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    home_tenant = fields.String()


class TokenCreateSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=64))
    expires_in_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "有效天数；用令牌创建的令牌不会晚于该令牌失效，并随其撤销而撤销"},
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    token = fields.String(metadata={"description": "只在创建时返回一次"})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    parent_id = fields.Integer(allow_none=True, metadata={"description": "创建它的令牌"})


class SessionSchema(Schema):
    id = fields.Integer()
    tenant = fields.String(metadata={"description": "登录的单位"})
    address = fields.String()
    user_agent = fields.String()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class ActiveSchema(Schema):
    active = fields.Boolean(required=True)


class ProposalSchema(Schema):
    id = fields.Integer()
    tenant = fields.String(metadata={"description": "提议授予角色的单位"})
    username = fields.String()
    role = fields.String()
    status = fields.String(metadata={"description": "pending/accepted/declined/withdrawn"})
    reason = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class ProposalDecisionSchema(Schema):
    accept = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class ListQuerySchema(Schema):
    """A list that pages by keyset: pass the ``X-Next-After`` header back as ``after``; the
    ``X-Total-Count`` header says how many rows there are in all."""

    after = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**63 - 1))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


def page_headers(page: object) -> dict[str, str]:
    """The headers of a keyset-paged array answer: how many in all, and where the next page
    starts (absent on the last page). The body stays a plain array, as before paging."""
    headers = {"X-Total-Count": str(getattr(page, "total", None) or 0)}
    next_after = getattr(page, "next_after", None)
    if next_after is not None:
        headers["X-Next-After"] = str(next_after)
    return headers


def choice_field(options: dict[str, str], **kw: Any) -> fields.String:
    """A code field whose description lists every code with its words (the OpenAPI reader's
    glossary)."""
    desc = "；".join(f"{k}={v}" for k, v in options.items())
    return fields.String(
        validate=validate.OneOf(list(options)), metadata={"description": desc}, **kw
    )


def date_field(**kw: Any) -> fields.String:
    """A date as the client typed it (YYYY-MM-DD): the service parses it and says what is wrong
    in Chinese, by field."""
    return fields.String(validate=validate.Length(max=20), metadata={"format": "date"}, **kw)
