"""A file a person uploaded, handed back as a download.

Stored uploads were sniffed when they came in, but a browser must still never render them in the
app's origin: always an attachment, never content-sniffed."""

from __future__ import annotations

from flask import Response, abort


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
