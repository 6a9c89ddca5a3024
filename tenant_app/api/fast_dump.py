"""Dumping a page of rows through a flat schema without marshmallow's per-value machinery.

A list page of 50 enterprises is 1,350 values; marshmallow's ``dump`` resolved each through
``get_value`` and ``serialize`` (half of an API list request's time, issue 13). ``dump_many``
compiles the schema, once per schema and row shape, into one function that builds a row's dict
in a single expression: integers, strings, booleans, dates (through the field's own format
function) and lists of strings are converted inline, every other field (methods, nested)
through its own ``_serialize``, so the output is identical (tests/registry/test_read_path.py
compares them). Rows are ORM entities (read by attribute) or result rows of a column
statement (read by position). Only for schemas without nesting, ``dump_only``/``load_only``
subtleties or pre/post-dump hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from marshmallow import Schema, fields

RowDump = Callable[[Any], dict[str, Any]]

# Value expressions: {bind} reads the row's value once into {v}, which the rest reuses.
_INLINE: dict[type[fields.Field], str] = {
    fields.Integer: "None if {bind} is None else int({v})",
    fields.String: "None if {bind} is None else str({v})",
    fields.Boolean: "None if {bind} is None else bool({v})",
    fields.List: "None if {bind} is None else [str(_x) for _x in {v}]",  # of strings only
}


def _value_expression(field: fields.Field, read: str, i: int, env: dict[str, Any]) -> str:
    kind = type(field)
    v = f"_v{i}"
    bind = f"({v} := {read})"
    if kind in _INLINE and (kind is not fields.List or type(field.inner) is fields.String):  # type: ignore[attr-defined]
        return _INLINE[kind].format(bind=bind, v=v)
    if kind in (fields.DateTime, fields.Date):
        fmt = field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT)  # type: ignore[attr-defined]
        if fmt is not None:
            env[f"_fmt{i}"] = fmt
            return f"None if {bind} is None else _fmt{i}({v})"
    env[f"_field{i}"] = field
    if isinstance(field, fields.Method | fields.Function):
        return f"_field{i}._serialize(None, {field.name!r}, _row)"
    return f"_field{i}._serialize({read}, {field.name!r}, _row)"


@lru_cache(maxsize=64)
def _compiled(schema_class: type[Schema], positions: tuple[str, ...] | None) -> RowDump:
    """``positions``: the column names of result rows (read by index), or None for entities."""
    schema = schema_class()
    env: dict[str, Any] = {}
    items = []
    for i, (name, field) in enumerate(schema.dump_fields.items()):
        attribute = field.attribute or name
        if positions is not None and attribute in positions:
            read = f"_row[{positions.index(attribute)}]"
        else:
            read = f"getattr(_row, {attribute!r})"
        expr = _value_expression(field, read, i, env)
        items.append(f"{(field.data_key or name)!r}: ({expr})")
    source = "def _dump(_row):\n    return {" + ", ".join(items) + "}\n"
    exec(compile(source, f"<fast_dump {schema_class.__name__}>", "exec"), env)  # noqa: S102
    return env["_dump"]  # type: ignore[no-any-return]


def dump_many(schema_class: type[Schema], rows: Iterable[Any]) -> list[dict[str, Any]]:
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return []
    shape = getattr(rows[0], "_fields", None)  # a result row: its columns by position
    dump = _compiled(schema_class, tuple(shape) if shape is not None else None)
    return [dump(row) for row in rows]
