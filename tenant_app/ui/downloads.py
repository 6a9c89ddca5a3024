"""A file a person uploaded, handed back as a download.

Stored uploads were sniffed when they came in, but a browser must still never render them in the
app's origin: always an attachment, never content-sniffed."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, send_file


def stored_attachment(data: bytes | None, mimetype: str, filename: str) -> Response:
    """The stored bytes as an attachment named ``filename``; 404 when nothing is stored."""
    if data is None:
        abort(404)
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={filename}",
            "X-Content-Type-Options": "nosniff",
        },
    )


def stored_file_response(path: Path, mimetype: str, filename: str) -> Response:
    """A file of the upload store as an attachment (a non-ASCII name encoded per RFC 6266);
    404 when the file is gone."""
    if not path.is_file():
        abort(404)
    rv = send_file(path, mimetype=mimetype or None, as_attachment=True, download_name=filename)
    rv.headers["X-Content-Type-Options"] = "nosniff"
    return rv
