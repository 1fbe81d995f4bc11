"""Odoo rows (as ``read(..., load=None)`` returns them) to Arrow record batches.

Odoo sends ``false`` for an empty value of every type: it becomes null, except for booleans where
it is the value. Many2one values are bare ids (``load=None``) or ``[id, name]`` pairs; both are
accepted. Display names are attached afterwards, from one lookup per relation
(:func:`attach_display_names`), so a batch can be converted before the names are known.
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from zenoo.exceptions import ProtocolError
from zenoo_frames.schema import DISPLAY_NAME_SUFFIX, FieldSpec, FrameSchema, arrow_type

__all__ = ["NameIndex", "UnknownSelectionWarning", "attach_display_names", "raw_schema", "rows_to_batch"]

_ODOO_DATE = "%Y-%m-%d"
_ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
_UTC_MICROS = pa.timestamp("us", tz="UTC")


class UnknownSelectionWarning(UserWarning):
    """A selection field held a key that ``fields_get`` does not list; the cell became null."""


def raw_schema(schema: FrameSchema) -> pa.Schema:
    """The frame's Arrow schema without the display-name columns (what one read chunk gives)."""
    full = schema.arrow()
    keep = [f for f in full if not f.name.endswith(DISPLAY_NAME_SUFFIX) or f.name == "id"]
    return pa.schema(keep, metadata=full.metadata)


def rows_to_batch(schema: FrameSchema, rows: Sequence[Mapping[str, Any]]) -> pa.RecordBatch:
    """Convert rows read from Odoo into a record batch with the raw schema, in the rows' order."""
    target = raw_schema(schema)
    names = ["id", *schema.field_names]
    try:  # a list per column: transposing with zip(*rows) would keep an iterator per row alive
        columns = [list(map(itemgetter(name), rows)) for name in names]
    except KeyError as exc:
        raise ProtocolError(f"the server's rows of {schema.model} lack the field {exc.args[0]!r}") from None
    arrays: list[pa.Array] = [pa.array(columns[0], pa.int64())]
    arrays.extend(
        _column(spec, values) for spec, values in zip(schema.fields, columns[1:], strict=True)
    )
    return pa.RecordBatch.from_arrays(arrays, schema=target)


class NameIndex:
    """Display names of related ids, held as two Arrow arrays (no Python object per name)."""

    def __init__(self) -> None:
        self.ids: pa.Array = pa.array([], pa.int64())
        self.names: pa.Array = pa.array([], pa.string())

    @classmethod
    def of(cls, names: Mapping[int, str]) -> NameIndex:
        index = cls()
        index.add(list(names), list(names.values()))
        return index

    def add(self, ids: Sequence[int], names: Sequence[str | None]) -> None:
        """Learn ``names[i]`` as the display name of ``ids[i]`` (ids already known are skipped)."""
        new_ids = pa.array(ids, pa.int64())
        fresh = pc.invert(pc.is_in(new_ids, value_set=self.ids))
        self.ids = pa.concat_arrays([self.ids, new_ids.filter(fresh)])
        self.names = pa.concat_arrays([self.names, pa.array(names, pa.string()).filter(fresh)])

    def unknown(self, ids: pa.Array) -> list[int]:
        """The distinct non-null ``ids`` not known yet, sorted."""
        distinct = pc.unique(ids).drop_null()
        return sorted(distinct.filter(pc.invert(pc.is_in(distinct, value_set=self.ids))).to_pylist())

    def lookup(self, ids: pa.Array) -> pa.Array:
        """The name of each id (null when unknown or when the id is null)."""
        return pc.take(self.names, pc.index_in(ids, value_set=self.ids))


def attach_display_names(
    batch: pa.RecordBatch, schema: FrameSchema, names: Mapping[str, NameIndex]
) -> pa.RecordBatch:
    """Add ``<field>.display_name`` columns from ``names[field]``, giving the full frame schema."""
    full = schema.arrow()
    columns: list[pa.Array] = []
    for field in full:
        if field.name in batch.schema.names:
            columns.append(batch.column(field.name))
            continue
        source = field.name[: -len(DISPLAY_NAME_SUFFIX)]
        columns.append(names.get(source, NameIndex()).lookup(batch.column(source)))
    return pa.RecordBatch.from_arrays(columns, schema=full)


def _column(spec: FieldSpec, values: list[Any]) -> pa.Array:
    converter = _CONVERTERS.get(spec.type)
    if converter is not None:
        return converter(spec, values)
    if spec.is_json_text:
        return pa.array(
            [None if v is False or v is None else orjson.dumps(v).decode() for v in values], pa.string()
        )
    return pa.array(_nulled(values), arrow_type(spec))


def _nulled(values: list[Any]) -> list[Any]:
    return [None if v is False else v for v in values]


def _boolean(spec: FieldSpec, values: list[Any]) -> pa.Array:
    return pa.array(values, pa.bool_())


def _float(spec: FieldSpec, values: list[Any]) -> pa.Array:
    return pa.array([None if v is False or v is None else float(v) for v in values], pa.float64())


def _many2one(spec: FieldSpec, values: list[Any]) -> pa.Array:
    nulled = _nulled(values)
    try:
        return pa.array(nulled, pa.int64())  # bare ids, as read(..., load=None) sends them
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # [id, name] pairs (classic load)
        return pa.array([v[0] if isinstance(v, list) else v for v in nulled], pa.int64())


def _x2many(spec: FieldSpec, values: list[Any]) -> pa.Array:
    return pa.array([None if v is False else v for v in values], pa.list_(pa.int64()))


def _date(spec: FieldSpec, values: list[Any]) -> pa.Array:
    # parsed, not cast: Odoo writes years before 1000 unpadded (date.min is sent as '1-01-01')
    strings = pa.array(_nulled(values), pa.string())
    return pc.strptime(strings, format=_ODOO_DATE, unit="s").cast(pa.date32())


def _datetime(spec: FieldSpec, values: list[Any]) -> pa.Array:
    strings = pa.array(_nulled(values), pa.string())
    try:
        parsed = pc.strptime(strings, format=_ODOO_DATETIME, unit="us")
    except pa.ArrowInvalid:  # not Odoo's usual format (e.g. with fractions): parse one by one
        parsed = pa.array([None if v is None else datetime.fromisoformat(v) for v in strings.to_pylist()])
    return parsed.cast(_UTC_MICROS)


def _binary(spec: FieldSpec, values: list[Any]) -> pa.Array:
    return pa.array([None if not v else base64.b64decode(v) for v in values], pa.binary())


def _selection(spec: FieldSpec, values: list[Any]) -> pa.Array:
    keys = pa.array(list(spec.selection), pa.string())
    strings = pa.array([None if v is False or v is None else str(v) for v in values], pa.string())
    indices = pc.index_in(strings, value_set=keys).cast(pa.int32())
    unknown = pc.filter(strings, pc.and_(pc.is_null(indices), pc.is_valid(strings)))
    if len(unknown):
        warnings.warn(
            UnknownSelectionWarning(
                f"{spec.name}: values {sorted(set(unknown.to_pylist()))} are not among the selection keys"
                f" {list(spec.selection)}; they became null"
            ),
            stacklevel=4,
        )
    return pa.DictionaryArray.from_arrays(indices, keys)


_CONVERTERS: dict[str, Callable[[FieldSpec, list[Any]], pa.Array]] = {
    "boolean": _boolean,
    "float": _float,
    "monetary": _float,
    "many2one": _many2one,
    "one2many": _x2many,
    "many2many": _x2many,
    "date": _date,
    "datetime": _datetime,
    "binary": _binary,
    "image": _binary,
    "selection": _selection,
}
