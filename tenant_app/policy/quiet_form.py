"""The quiet-period rows of the policy page (SX-10): form fields ⇄ pack data."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from tenant_app.core.row_fields import FieldProblem, a_date

QUIET_ROWS = 4  # blank rows offered below the existing ones
KINDS = {"monthly": "每月固定日", "range": "日期区间"}


def quiet_rows_from(effective: dict[str, Any]) -> list[dict[str, Any]]:
    periods = ((effective.get("inspection") or {}).get("quiet") or {}).get("periods") or []
    rows = []
    for p in periods:
        rows.append(
            {
                "id": p.get("id", ""),
                "kind": p.get("kind", "monthly"),
                "start": p.get("start_day") if p.get("kind") == "monthly" else _iso(p.get("start")),
                "end": p.get("end_day") if p.get("kind") == "monthly" else _iso(p.get("end")),
                "industries": ",".join(p.get("industries") or []),
                "categories": list(p.get("categories") or []),
                "note": p.get("note", ""),
            }
        )
    return rows


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


def typed_rows(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """The rows as typed, to show them again after an error."""
    rows, i = [], 0
    while f"q-{i}-kind" in form:
        row: dict[str, Any] = {
            name: (form.get(f"q-{i}-{name}") or "").strip()
            for name in ("id", "kind", "start", "end", "industries", "note")
        }
        row["categories"] = form.getlist(f"q-{i}-categories")
        if row["start"] or row["end"]:
            rows.append(row)
        i += 1
    return rows


def rows_to_periods(form: MultiDict[str, str]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Read rows ``q-<i>-<field>``; blank rows are skipped. Errors are keyed like the pack's
    paths (``inspection.quiet.periods.<n>.<field>``) so the page can show them by row."""
    periods: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    i = 0
    while f"q-{i}-kind" in form:
        get = lambda name: (form.get(f"q-{i}-{name}") or "").strip()  # noqa: E731,B023
        start, end = get("start"), get("end")
        if not start and not end:
            i += 1
            continue
        n = len(periods)
        path = f"inspection.quiet.periods.{n}"
        kind = get("kind") or "monthly"
        period: dict[str, Any] = {"id": get("id") or f"quiet-{n + 1}", "kind": kind}
        if kind == "monthly":
            for name, raw in (("start_day", start), ("end_day", end)):
                if not raw.isdigit():
                    errors.setdefault(f"{path}.{name}", []).append("请填写 1–31 的日")
                else:
                    period[name] = int(raw)
        else:
            for name, raw in (("start", start), ("end", end)):
                try:
                    day = a_date(date.fromisoformat(raw), required=True)  # 1949–2100
                    assert day is not None
                    period[name] = day.isoformat()
                except FieldProblem as exc:
                    errors.setdefault(f"{path}.{name}", []).append(str(exc))
                except ValueError:
                    errors.setdefault(f"{path}.{name}", []).append("日期格式应为 YYYY-MM-DD")
        industries = [
            c.strip().upper() for c in get("industries").replace("，", ",").split(",") if c.strip()
        ]
        if industries:
            period["industries"] = industries
        categories = [c for c in form.getlist(f"q-{i}-categories") if c]
        if categories:
            period["categories"] = categories
        if get("note"):
            period["note"] = get("note")
        periods.append(period)
        i += 1
    return periods, errors
