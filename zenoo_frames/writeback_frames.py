"""The frames a write-back compares: where they come from, and their columns typed as zenoo reads them.

- The frames zenoo's readers return (``to_polars``, ``to_pandas``) are remembered, weakly and by
  identity, with their :class:`FrameSchema`: :func:`zenoo_frames.diff` then knows each column's
  field (type, readonly, required, selection keys) without asking the server.
- A Polars or pandas frame (NumPy-nullable or pyarrow dtypes) is brought to the Polars types of its
  schema (:meth:`FrameSchema.polars`); a cell that does not convert is an
  :class:`InvalidValueError` naming its row, id and column.
- :class:`Column` says what a column is (the id, a field, a many2one's display name, unknown) and
  why it cannot be written, if it cannot.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import polars as pl

from zenoo.exceptions import InvalidValueError
from zenoo.fields.values import python_scalar
from zenoo_frames.schema import FieldSpec, FrameSchema

__all__ = [
    "Column",
    "as_polars",
    "columns_of",
    "first_few",
    "remember",
    "remembered_context",
    "remembered_schema",
    "same",
    "typed",
    "where",
]

#: Field types a frame's column writes back.
WRITABLE_TYPES = frozenset(
    {"char", "text", "html", "integer", "float", "monetary", "boolean", "selection", "date", "datetime",
     "many2one", "many2many"}
)  # fmt: skip
#: Cells named in an error before "and N more".
SHOWN = 5
#: Rows of a frame shown in a repr.
REPR_ROWS = 10

_Frame = TypeVar("_Frame")
_READS: dict[int, tuple[FrameSchema, dict[str, Any] | None]] = {}


def remember(frame: _Frame, schema: FrameSchema, context: Mapping[str, Any] | None) -> _Frame:
    """Remember ``frame``'s schema and the context it was read in, for as long as it lives (the
    readers call this); returns it."""
    key = id(frame)
    _READS[key] = (schema, dict(context) if context else None)
    weakref.finalize(frame, _READS.pop, key, None)
    return frame


def remembered_schema(frame: Any) -> FrameSchema | None:
    """The schema of a frame zenoo read (the very object it returned), else None."""
    read = _READS.get(id(frame))
    return read[0] if read else None


def remembered_context(frame: Any) -> dict[str, Any] | None:
    """The context a frame zenoo read was read in (``lang``, ``allowed_company_ids``…), if any."""
    read = _READS.get(id(frame))
    return read[1] if read else None


@dataclass(frozen=True)
class Column:
    """A column of a frame over ``model``, and what it is."""

    name: str
    role: Literal["id", "field", "display_name", "unknown"]
    spec: FieldSpec | None = None

    @property
    def refusal(self) -> str:
        """Why the column cannot be written ("" when it can)."""
        spec = self.spec
        if self.role == "display_name" and spec is not None:
            return f"the display name of {spec.name}: edit {spec.name!r}, the id"
        if self.role == "unknown" or spec is None:
            return "not a field the frame was read with"
        if spec.readonly:
            return "readonly" if spec.store else "readonly (computed)"
        if spec.type == "one2many":
            return f"a one2many: edit the {spec.relation} records themselves"
        if spec.type not in WRITABLE_TYPES:
            return f"a {spec.type} field, which zenoo does not write from a frame"
        return ""


def columns_of(schema: FrameSchema, names: list[str]) -> dict[str, Column]:
    """Each of ``names`` as a :class:`Column` of ``schema``."""
    known: dict[str, Column] = {"id": Column("id", "id")}
    for name, spec in schema.columns()[1:]:
        assert spec is not None
        known[name] = Column(name, "field" if name == spec.name else "display_name", spec)
    return {name: known.get(name, Column(name, "unknown")) for name in names}


def as_polars(frame: Any, what: str) -> pl.DataFrame:
    """A Polars frame of ``frame`` (a Polars or pandas DataFrame)."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        raise InvalidValueError(f"the {what} frame is a LazyFrame: collect() it first")
    if type(frame).__module__.startswith("pandas") and type(frame).__name__ == "DataFrame":
        try:
            return pl.from_pandas(frame)
        except (ValueError, TypeError, pl.exceptions.PolarsError):
            # a column pandas holds as objects of mixed types ("seven" among integers): column by
            # column, such a column as Python objects, so that typed() names its bad cells
            return pl.DataFrame([_pandas_column(frame[name]) for name in frame.columns])
    raise InvalidValueError(
        f"the {what} frame must be a Polars or pandas DataFrame, got {type(frame).__name__}"
    )


def _pandas_column(column: Any) -> pl.Series:
    try:
        return pl.Series(str(column.name), column)
    except (ValueError, TypeError, pl.exceptions.PolarsError):
        values = [None if _missing(value) else value for value in column.tolist()]
        return pl.Series(str(column.name), values, dtype=pl.Object)


def _missing(value: Any) -> bool:
    """pandas' and NumPy's missing values (None, NaN, NaT, pd.NA), not lists or arrays."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and math.isnan(value)


#: What Odoo reads back from a null (``False``) in a field of these types.
READ_AS = {"boolean": False, "integer": 0, "float": 0.0, "monetary": 0.0}


def rounded_units(values: pl.Series, digits: int) -> pl.Series:
    """``values`` in units of ``10**-digits``, rounded as Odoo's ``float_round`` rounds them before
    storing: half away from zero after a nudge of about 2**-50 of the value, so that 1.005
    (1.00499999… in binary) makes 101 hundredths, where a plain rounding of the binary value
    makes 100. Whole units compare exactly, where dividing them back would not."""
    scaled = values * 10.0**digits
    nudged = scaled + scaled.sign() * 2.0 ** (scaled.abs().log(2.0) - 50.0)
    return nudged.round(0, mode="half_to_even")


def same(left: pl.Series, right: pl.Series, column: Column) -> pl.Series:
    """Per row, whether two cells of ``column`` hold the same value as Odoo stores it: nulls equal,
    a null boolean equal to False, a null number to 0 and a null list of ids to the empty one (what
    Odoo reads back from them), x2many ids in any order, floats rounded to their field's digits and
    datetimes to the second."""
    spec = column.spec
    if column.role == "field" and spec is not None and spec.type in READ_AS:
        left, right = left.fill_null(READ_AS[spec.type]), right.fill_null(READ_AS[spec.type])
    if column.role == "field" and spec is not None and spec.scale is not None and left.dtype.is_float():
        left, right = (rounded_units(s, spec.scale) for s in (left, right))
    if isinstance(left.dtype, pl.Datetime):
        left, right = left.dt.truncate("1s"), right.dt.truncate("1s")
    if isinstance(left.dtype, pl.List):  # Odoo has no null many2many: null is the empty list
        left, right = left.fill_null([]).list.sort(), right.fill_null([]).list.sort()
    return left.eq_missing(right).fill_null(False)


def where(frame: pl.DataFrame, row: int) -> str:
    """``row N (id X)``, or ``row N (a new record)``."""
    record_id = frame["id"][row] if "id" in frame.columns else None
    return f"row {row} ({'a new record' if record_id is None else f'id {record_id}'})"


def refuse_cells(
    model: str, frame: pl.DataFrame, column: str, rows: list[int], problem: str | Callable[[Any], str]
) -> None:
    """Raise InvalidValueError naming the first bad cells of ``column`` (``rows`` of ``frame``);
    ``problem`` says what is wrong, or makes that text from the cell's value."""
    if not rows:
        return

    def text(value: Any) -> str:
        if isinstance(value, pl.Series):  # a cell of a list column: shown as the list it holds
            value = value.to_list()
        return problem if isinstance(problem, str) else problem(value)

    cells = [f"{where(frame, row)}: {text(frame[column][row])}" for row in rows[:SHOWN]]
    raise InvalidValueError(f"{model}, column {column!r}: {first_few(cells, len(rows))}")


def first_few(shown: Sequence[str], total: int | None = None, separator: str = "; ") -> str:
    """The first :data:`SHOWN` of ``shown`` joined by ``separator``, then how many more of ``total``
    (default: ``len(shown)``) there are: ``a; b; c; and 4 more``."""
    total = len(shown) if total is None else total
    more = f"{separator}and {total - SHOWN} more" if total > SHOWN else ""
    return separator.join(shown[:SHOWN]) + more


def typed(frame: pl.DataFrame, schema: FrameSchema, columns: Mapping[str, Column], what: str) -> pl.DataFrame:
    """``frame`` with each known column in the Polars type zenoo reads it as; unknown columns as they are.

    Converts what pandas makes of zenoo's types (NumPy datetimes for dates, categoricals for
    selections, object columns of lists) and what an edit may make of them (text for numbers,
    ISO dates and datetimes, ``true``/``false``; naive or other-zone datetimes, taken as UTC or
    converted); refuses what does not convert.
    """
    if "id" not in frame.columns:
        raise InvalidValueError(f"the {what} frame has no 'id' column: write-back matches rows by id")
    dtypes = schema.polars()
    converted = []
    for name in frame.columns:
        column = columns[name]
        target = pl.Int64() if column.role == "id" else dtypes.get(name)
        if target is None:
            converted.append(frame[name])
            continue
        series, bad = _cast(frame[name], target)
        refuse_cells(schema.model, frame, name, bad, f"{{!r}} is not {_kind(target)}".format)
        converted.append(series)
    return pl.DataFrame(converted)


def _kind(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Enum):
        return f"a selection key (one of {first_few(dtype.categories.to_list(), separator=', ')})"
    names = {pl.Int64: "an integer", pl.Float64: "a number", pl.Boolean: "a boolean", pl.String: "text",
             pl.Date: "a date", pl.Datetime: "a datetime", pl.List: "a list of ids"}  # fmt: skip
    return next((label for kind, label in names.items() if isinstance(dtype, kind)), str(dtype))


def _cast(series: pl.Series, target: pl.DataType) -> tuple[pl.Series, list[int]]:
    """``series`` as ``target`` and the rows whose value did not convert."""
    if series.dtype == target:
        return series, []
    try:
        out = _vectorised(series, target)
    except pl.exceptions.PolarsError:
        out = pl.Series(
            series.name, [_one(value, target) for value in series.to_list()], dtype=target, strict=False
        )
    bad = (out.is_null() & series.is_not_null()).arg_true().to_list()
    if isinstance(target, pl.List):
        out = out.fill_null([])
    return out.rename(series.name), bad


def _vectorised(series: pl.Series, target: pl.DataType) -> pl.Series:
    """``series`` as ``target`` in one Polars operation, for the conversions :func:`_one` makes
    value by value; any other source type raises, and its values are then converted one by one
    (so a struct, a boolean or a number meant for a text column is refused, never made text)."""
    source = series.dtype
    if source == pl.Null:
        return series.cast(target)
    if isinstance(target, pl.Datetime) and isinstance(source, pl.Datetime):
        zoned = series.dt.replace_time_zone("UTC") if source.time_zone is None else series
        return zoned.dt.convert_time_zone("UTC").cast(target)
    if isinstance(target, pl.Date) and isinstance(source, pl.Datetime):
        midnight = series.dt.time() == dt.time()
        return pl.select(pl.when(midnight).then(series.dt.date())).to_series()
    if target == pl.Int64 and source.is_float():
        return pl.select(
            pl.when(series == series.round()).then(series.cast(pl.Int64, strict=False))
        ).to_series()
    if target == pl.Boolean and source.is_numeric():  # 0 and 1 only: 2 is no boolean
        return pl.select(pl.when(series.is_in([0, 1])).then(series.cast(pl.Boolean))).to_series()
    sources = next((types for kind, types in _CASTS_TO.items() if isinstance(target, kind)), ())
    if source in sources or (
        isinstance(target, pl.List) and isinstance(source, pl.List) and source.inner.is_integer()
    ):
        return series.cast(target, strict=False)
    raise pl.exceptions.InvalidOperationError(f"{source} to {target}: convert value by value")


_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
#: by type of target, the source types whose Polars cast converts as :func:`_one` does
_CASTS_TO: dict[type[pl.DataType], tuple[type[pl.DataType], ...]] = {
    pl.String: (pl.String, pl.Categorical, pl.Enum),
    pl.Enum: (pl.String, pl.Categorical, pl.Enum),
    pl.Int64: (*_INTEGERS, pl.String),
    pl.Float64: (*_INTEGERS, pl.Float32, pl.Float64, pl.Decimal, pl.String),
    pl.Date: (pl.Date, pl.String),
    pl.Datetime: (pl.String,),
}


def _iso(text: str, target: pl.Date | pl.Datetime) -> dt.date | None:
    """ISO 8601 text (Odoo's ``2024-01-31 13:45:00`` too) as a date, or a datetime in UTC (naive: UTC)."""
    try:
        if isinstance(target, pl.Date):
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _one(value: Any, target: pl.DataType) -> Any:
    """One Python value as ``target`` (None when it does not convert)."""
    if value is None:
        return None
    value = python_scalar(value)  # a NumPy scalar in an object column
    if isinstance(target, pl.List):
        items = value.tolist() if hasattr(value, "tolist") else value
        if isinstance(items, list | tuple) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in items
        ):
            return list(items)
        return None
    if target == pl.Int64:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if target == pl.Float64:
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if target == pl.Boolean:
        if isinstance(value, str):
            return {"true": True, "false": False}.get(value.strip().lower())
        return value if isinstance(value, bool) else None
    if isinstance(value, str) and isinstance(target, pl.Date | pl.Datetime):
        return _iso(value.strip(), target)
    if isinstance(target, pl.Datetime) and isinstance(value, dt.datetime):  # naive: UTC, as in _iso
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(target, pl.Date) and isinstance(value, dt.date):  # pandas holds dates as midnights
        if not isinstance(value, dt.datetime):
            return value
        return value.date() if value.time() == dt.time() and value.tzinfo is None else None
    if isinstance(target, pl.Enum):
        return value if value in target.categories.to_list() else None
    if target == pl.String:
        return value if isinstance(value, str) else None
    return None


def summary_html(
    css_class: str, title: str, counts: Sequence[str], frame: pl.DataFrame, rest: str, rows: str = "change(s)"
) -> str:
    """A Jupyter summary: ``title``, the ``counts`` as a list, the first rows of ``frame`` (its
    ``rows``), and ``rest`` (``changes.preview()``) named as the place of those left out."""
    with pl.Config(tbl_rows=REPR_ROWS, tbl_hide_dataframe_shape=True, fmt_str_lengths=40):
        table = frame.head(REPR_ROWS)._repr_html_()
    more = (
        f"<p>… and {frame.height - REPR_ROWS} more {rows}: <code>{html.escape(rest)}</code> has them all</p>"
        if frame.height > REPR_ROWS else ""
    )  # fmt: skip
    items = "".join(f"<li>{html.escape(text)}</li>" for text in counts)
    return f"<div class='{css_class}'><strong>{html.escape(title)}</strong><ul>{items}</ul>{table}{more}</div>"
