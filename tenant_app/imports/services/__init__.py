"""Bulk import (CSV / XLSX → enterprises or compliance records) and the XLSX export.

- columns.py   which column is which field (Chinese titles, English names)
- reader.py    streaming rows from CSV (UTF-8 / GB18030) and XLSX (openpyxl read_only)
- validate.py  the registry's row validators, plus the checks that need the file or the DB
- load.py      batched inserts in the caller's transaction
- report.py    the error report (row, column, reason) as CSV and XLSX
- storage.py   upload → file under UPLOAD_DIR/imports/<tenant>/ → job with a stable id
- pipeline.py  the job body: check pass, write pass, one audit summary, one transaction
- export.py    the enterprise list's filter as a streamed XLSX

See docs/imports.md.
"""
