"""Every XLSX and CSV the app writes passes its cells through here (one path, all downloads).

- Formula injection (CSV/Excel injection): text that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return is prefixed with an apostrophe, so a spreadsheet shows it as text instead
  of evaluating it (openpyxl would even store a leading ``=`` as a live formula).
- Characters no XLSX cell can hold (NUL and the other C0 controls except tab, LF, CR) are
  removed, so one bad row can never make a download fail. Input refuses them too
  (http/bodies.py, imports/reader.py); this is the last line for rows stored before that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: str) -> str:
    value = ILLEGAL.sub("", value)
    return "'" + value if value.startswith(FORMULA_LEAD) else value


def safe_cell(value: Any) -> Any:
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
