"""Moving one tenant between databases (issue 13): ``export_tenant`` writes its rows, files and
the references they make into one archive; ``import_tenant`` loads it into another database of
the same schema revision, all or nothing, and checks it arrived identical. docs/operations.md.

- catalogue.py  which tables and rows move (TenantScoped tables from the metadata), canonical rows
- archive.py    the zip archive and its manifest, read with bounds
- operator.py   the owner's session with a signed scope, schema revision, audit key fingerprints
- export.py     ``export_tenant``
- importer.py   ``import_tenant``
"""

from __future__ import annotations

from tenant_app.tenants.transfer.archive import Limits
from tenant_app.tenants.transfer.errors import TransferRefused
from tenant_app.tenants.transfer.export import ExportResult, export_tenant
from tenant_app.tenants.transfer.importer import ImportResult, import_tenant

__all__ = [
    "ExportResult",
    "ImportResult",
    "Limits",
    "TransferRefused",
    "export_tenant",
    "import_tenant",
]
