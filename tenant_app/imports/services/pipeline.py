"""One import, run by the job "imports.run": check every row, then write, in one transaction.

Pass 1 streams the file through the registry's validators, writes the error report, and
spools the clean values of the valid rows to an anonymous temporary file (pickled batches);
it writes nothing to the database. Pass 2, only if the chosen mode allows it, streams the
spool into batched INSERTs. Why a spool and not a second read of the upload: the rows need not
be validated twice, and pass 2 need not look codes up again in a table it is itself filling
(PostgreSQL cannot plan those look-ups on statistics that do not know the new rows yet). A
code registered by someone else between the passes is stopped by the unique index: the
attempt fails, rolls back, and the retry reports that row.

The rows, the audit summary ("import.completed") and nothing else are committed together by
the job runner; any exception rolls all of it back, so an import is never half-written in
either mode.

Idempotent: the audit summary doubles as the completion marker (object "import", id
kind:mode:sha). A run that finds it — a redelivery after the commit but before the job row
said "done" — returns the recorded result instead of inserting again. A file already imported
by kind in the other mode is not written twice either.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import or_, select

from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.imports.services import storage
from tenant_app.imports.services.columns import kinds
from tenant_app.imports.services.load import loader_for
from tenant_app.imports.services.reader import FileProblem, open_sheet
from tenant_app.imports.services.report import ErrorReport
from tenant_app.imports.services.validate import batched, checker_for
from tenant_app.jobs.registry import Progress
from tenant_app.models import AuditEntry, Job, JobStatus

BATCH = 2000
PROGRESS_EVERY = 5000


def marker_id(kind: str, mode: str, sha256: str) -> str:
    return f"{kind}:{mode}:{sha256[:32]}"  # audit object ids are at most 64 characters


def _recorded(kind: str, mode: str, sha256: str) -> dict[str, Any] | None:
    entry = db.session.execute(
        select(AuditEntry.after).where(
            AuditEntry.object_type == "import",
            AuditEntry.object_id == marker_id(kind, mode, sha256),
            AuditEntry.action == "import.completed",
        )
    ).scalar()
    return entry if isinstance(entry, dict) else None


def _written_before(ctx: Context, kind: str, sha256: str, this_job: str) -> str | None:
    """Another finished import of the same file and kind that wrote rows (either mode)."""
    tenant_id = ctx.tenant_id or 0
    rows = db.session.execute(
        select(Job.id, Job.result).where(
            Job.name == storage.JOB_NAME,
            Job.status == JobStatus.DONE,
            Job.id != this_job,
            or_(
                *(
                    Job.id.startswith(storage.job_id(tenant_id, kind, m, sha256), autoescape=True)
                    for m in storage.MODES
                )
            ),  # the stable ids and their numbered retries
        )
    ).all()
    return next((jid for jid, result in rows if (result or {}).get("written")), None)


def run(
    ctx: Context,
    progress: Progress,
    job_id: str,
    *,
    kind: str,
    mode: str,
    file: str,
    fmt: str,
    sha256: str,
    filename: str = "",
) -> dict[str, Any]:
    kind, mode = storage.check_choice(kind, mode)
    if (done := _recorded(kind, mode, sha256)) is not None:
        return done
    base = {
        "kind": kind,
        "kind_label": kinds()[kind],
        "mode": mode,
        "filename": filename,
        "sha256": sha256,
        "job_id": job_id,
        "rows": 0,
        "valid": 0,
        "invalid": 0,
        "errors": 0,
        "written": 0,
        "ignored_columns": [],
        "report": None,
        "preview": [],
    }
    if (earlier := _written_before(ctx, kind, sha256, job_id)) is not None:
        return _finish(
            ctx,
            {
                **base,
                "outcome": "already_imported",
                "earlier_job": earlier,
                "message": "该文件此前已按此类别导入，未重复写入",
            },
        )
    path = storage.absolute(file)
    stem = f"{sha256[:16]}-{kind}-{mode}"
    # An anonymous file: gone when closed, and gone with the process if it dies.
    with tempfile.TemporaryFile(dir=storage.folder(_tenant(ctx)), prefix=".spool-") as spool:
        result = _check(ctx, progress, base, path, fmt, stem, spool)
        return _decide(ctx, progress, result, spool)


def _decide(
    ctx: Context, progress: Progress, result: dict[str, Any], spool: IO[bytes]
) -> dict[str, Any]:
    mode = result["mode"]
    if result.get("file_problem"):
        return _finish(ctx, {**result, "outcome": "unreadable", "message": result["file_problem"]})
    if mode == "all" and result["invalid"]:
        return _finish(
            ctx,
            {
                **result,
                "outcome": "rejected",
                "message": f"有 {result['invalid']} 行有错误，按“全部有效才导入”未写入任何行",
            },
        )
    if not result["valid"]:
        return _finish(ctx, {**result, "outcome": "nothing_valid", "message": "没有可导入的有效行"})
    written = _write(ctx, progress, result["kind"], spool, result["valid"])
    skipped = f"，跳过 {result['invalid']} 行有错误的行" if result["invalid"] else ""
    return _finish(
        ctx,
        {
            **result,
            "written": written,
            "outcome": "imported",
            "message": f"已导入 {written} 行{skipped}",
        },
    )


def _check(
    ctx: Context,
    progress: Progress,
    base: dict[str, Any],
    path: Path,
    fmt: str,
    stem: str,
    spool: IO[bytes],
) -> dict[str, Any]:
    out = dict(base)
    kind = out["kind"]
    progress(1, "正在检查文件")
    try:
        with open_sheet(path, fmt, kind) as sheet:
            out["ignored_columns"] = sheet.ignored
            checker = checker_for(ctx, kind)
            with ErrorReport(storage.folder(_tenant(ctx)), stem, kind, sheet.columns) as report:
                next_report = PROGRESS_EVERY
                for batch in batched(sheet.rows, BATCH):
                    good = []
                    for r in checker.check(batch):
                        out["rows"] += 1
                        if r.ok:
                            good.append(r.clean)
                        else:
                            report.add(r)
                    out["valid"] += len(good)
                    out["invalid"] = out["rows"] - out["valid"]
                    if good and not (out["mode"] == "all" and out["invalid"]):
                        pickle.dump(good, spool, protocol=pickle.HIGHEST_PROTOCOL)
                    if out["rows"] >= next_report:
                        next_report += PROGRESS_EVERY
                        progress(
                            1 + int(48 * sheet.fraction_read()),
                            f"已检查 {out['rows']} 行，其中 {out['invalid']} 行有错误",
                            done=out["rows"],
                        )
                out["errors"], out["preview"] = report.count, report.preview
                out["report"] = report.finish()
    except FileProblem as exc:
        out["file_problem"] = str(exc)
    progress(
        50,
        f"检查完毕：共 {out['rows']} 行，有效 {out['valid']} 行，有错误 {out['invalid']} 行",
        done=out["rows"],
        total=out["rows"],
    )
    return out


def _spooled(spool: IO[bytes]) -> Iterator[list[dict[str, Any]]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own spool, written by pass 1 above
        except EOFError:
            return


def _write(ctx: Context, progress: Progress, kind: str, spool: IO[bytes], total: int) -> int:
    loader = loader_for(kind, _tenant(ctx), ctx.actor.user_id, ctx.actor.name)
    # SQLite has one writer: once the first batch is in, the progress row (another connection)
    # would wait for this transaction. PostgreSQL reports as it goes.
    live = db.engine.dialect.name != "sqlite"
    next_report = PROGRESS_EVERY
    for batch in _spooled(spool):
        for clean in batch:
            loader.add(clean)
        if live and loader.written >= next_report:
            next_report += PROGRESS_EVERY
            progress(
                50 + int(49 * loader.written / max(1, total)),
                f"已写入 {loader.written} 行",
                done=loader.written,
                total=total,
            )
    loader.flush()
    return loader.written


def _tenant(ctx: Context) -> int:
    tenant_id = ctx.tenant_id
    if tenant_id is None:
        raise RuntimeError("an import needs a write tenant in scope")
    return tenant_id


def _finish(ctx: Context, result: dict[str, Any]) -> dict[str, Any]:
    """The one audit entry of an import (counts, not rows), in the import's own transaction."""
    summary = {k: v for k, v in result.items() if k != "preview"}
    audit.record(
        ctx,
        "import.completed",
        object_type="import",
        object_id=marker_id(result["kind"], result["mode"], result["sha256"]),
        after=summary,
    )
    return result
