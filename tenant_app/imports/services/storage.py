"""Where an import's files live and how an upload becomes an import job.

Files go to UPLOAD_DIR/imports/<tenant_id>/ (outside the web root; served only through the
import pages, after the job was found in the tenant's scope). The upload is stored under its
SHA-256, and the job id is derived from tenant + kind + mode + SHA-256: the same file uploaded
twice with the same choice is the same job, so it cannot be imported twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import ServiceError, Throttled
from tenant_app.extensions import db
from tenant_app.imports.services.columns import kinds
from tenant_app.imports.services.reader import CSV, XLSX
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import Job, JobStatus

JOB_NAME = "imports.run"
MODES = {
    "all": "全部有效才导入（有任何错误则一行也不写入）",
    "valid": "只导入有效行（错误行跳过并列出）",
}


def folder(tenant_id: int) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports" / str(tenant_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_id(tenant_id: int, kind: str, mode: str, sha256: str) -> str:
    return f"import:{tenant_id}:{kind}:{mode}:{sha256}"


def save_upload(stream: IO[bytes], filename: str, tenant_id: int) -> tuple[str, str, str]:
    """Through the one upload store (core/uploads.py): (sha256, path relative to UPLOAD_DIR,
    format). The CSV check covers the whole file, not its first kilobytes."""
    stored = uploads.store(
        stream,
        filename,
        area="imports",
        tenant_id=tenant_id,
        allowed=(f".{CSV}", f".{XLSX}"),
        max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024,
        empty_message="上传的文件是空的",
        type_hint="（只接受 .csv 或 .xlsx 文件，.xls 请先另存为 .xlsx）",
    )
    return stored.sha256, stored.stored_name, stored.ext.lstrip(".")


def absolute(relative: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / relative


def check_choice(kind: str | None, mode: str | None) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if kind not in kinds():
        errors["kind"] = ["请选择导入内容（企业名录或一类合规记录）"]
    if mode not in MODES:
        errors["mode"] = ["请选择导入方式：" + "，或".join(MODES.values())]
    if errors:
        raise ServiceError("导入设置有误", errors)
    return str(kind), str(mode)


def start_import(
    ctx: Context,
    stream: IO[bytes] | None,
    filename: str | None,
    kind: str | None,
    mode: str | None,
) -> Job:
    """Save the file and enqueue its job in the caller's transaction (the caller commits).
    A repeat of the same file, kind and mode returns the existing job."""
    kind, mode = check_choice(kind, mode)
    if stream is None or not filename:
        raise ServiceError("请选择文件", {"file": ["请选择要导入的 CSV 或 XLSX 文件"]})
    tenant_id = ctx.tenant_id
    if tenant_id is None:
        raise ServiceError("没有可写入的单位")
    _check_queue_share()
    sha, path, fmt = save_upload(stream, filename, tenant_id)
    args: dict[str, Any] = {
        "kind": kind,
        "mode": mode,
        "file": path,
        "fmt": fmt,
        "sha256": sha,
        "filename": uploads.clean_filename(filename),
    }
    return enqueue(JOB_NAME, args, job_id=_next_id(job_id(tenant_id, kind, mode, sha)))


def _check_queue_share() -> None:
    """The job queue is shared by every tenant: one tenant keeps at most IMPORTS_PER_TENANT
    imports waiting or running, so it cannot fill the queue ahead of everyone else. Counted in
    the caller's scope (its own tenant's jobs only)."""
    cap = int(current_app.config["IMPORTS_PER_TENANT"])
    active = db.session.execute(
        select(db.func.count())
        .select_from(Job)
        .where(Job.name == JOB_NAME, Job.status.in_(JobStatus.ACTIVE))
    ).scalar_one()
    if active >= cap:
        raise Throttled(
            f"本单位已有 {active} 个导入在排队或进行中，请等其完成后再上传",
            {
                "file": [
                    f"本单位已有 {active} 个导入在排队或进行中（每个单位同时最多 {cap} 个），请等其完成后再上传"
                ]
            },
        )


def _next_id(base: str) -> str:
    """The stable id, unless its job failed (it wrote nothing): then a numbered retry, so the
    clerk can upload the same file again once the cause is fixed. Done or running jobs are
    returned as they are; the pipeline's completion marker covers every id of one file."""
    stmt = select(Job.id, Job.status).where(Job.id.startswith(base, autoescape=True))
    ids: dict[str, str] = {job: status for job, status in db.session.execute(stmt)}
    for n in range(len(ids) + 1):
        candidate = base if n == 0 else f"{base}:r{n}"
        if ids.get(candidate) != JobStatus.FAILED:
            return candidate
    return f"{base}:r{len(ids) + 1}"
