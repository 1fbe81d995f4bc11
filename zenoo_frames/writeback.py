"""Frame write-back: compare an edited frame with the one zenoo read, preview, write back.

``diff(original, edited)`` works locally and sends nothing: rows are matched by ``id``; a row with a
null ``id`` is a new record; a row missing from ``edited`` is a delete (written only with
``apply(..., deletes=True)``). Only the cells that differ are written. Columns are those zenoo's
readers produce (see :mod:`zenoo_frames.schema`), in Polars or pandas (both dtype backends); editing
a column that cannot be written (a many2one's ``.display_name``, a readonly or computed field, a
column the frame was not read with) and values that are not valid for their field are refused here,
naming the rows and columns. :meth:`Changes.apply` (see :mod:`zenoo_frames.writeback_send`) checks
for conflicts and writes all or nothing.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import polars as pl

from zenoo.exceptions import ConfigurationError, FieldError, InvalidValueError
from zenoo.fields.writing import INT32_MAX, INT32_MIN
from zenoo.seams import OdooClient
from zenoo.writing.progress import ProgressOption
from zenoo_frames.schema import FrameSchema
from zenoo_frames.targets import BlockingClient, FrameQuery
from zenoo_frames.writeback_conflicts import ConflictMode, as_text
from zenoo_frames.writeback_frames import (
    REPR_ROWS,
    SHOWN,
    Column,
    as_polars,
    columns_of,
    first_few,
    refuse_cells,
    remembered_context,
    remembered_schema,
    same,
    summary_html,
    typed,
)
from zenoo_frames.writeback_send import WriteBackResult, apply_changes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Changes", "WriteBackResult", "diff", "write_back"]

PREVIEW_SCHEMA = {
    "change": pl.String, "row": pl.Int64, "id": pl.Int64,
    "field": pl.String, "old": pl.String, "new": pl.String,
}  # fmt: skip


def diff(
    original: pl.DataFrame | pd.DataFrame,
    edited: pl.DataFrame | pd.DataFrame,
    *,
    model: str | None = None,
    fields: Mapping[str, Mapping[str, Any]] | None = None,
) -> Changes:
    """The changes from ``original`` (a frame zenoo read) to ``edited``; nothing is sent.

    The columns' fields come from the schema zenoo remembers for the frames its readers return; for
    another frame (a copy, one read from a file), pass ``fields=`` (``await client.fields_get(model)``)
    with ``model=``, or use ``await qs.write_back(original, edited)``. The context the original was
    read in (the client's and its QuerySet's: ``lang``, ``allowed_company_ids``…) is remembered
    too, and ``apply`` writes in it.
    """
    left, right = as_polars(original, "original"), as_polars(edited, "edited")
    schema = _schema(original, left, model, fields)
    columns = columns_of(schema, list(dict.fromkeys([*left.columns, *right.columns])))
    left = typed(left, schema, columns, "original")
    right = typed(right, schema, columns, "edited")
    _check_ids(schema.model, left, right)
    extra = [name for name in right.columns if name not in left.columns]
    if extra:
        raise FieldError(
            f"{schema.model}: the edited frame has columns the original has not: "
            f"{', '.join(map(repr, extra))}; "
            "write-back compares cells with the values read, so read those fields too (or drop the columns)"
        )
    common = [name for name in left.columns if name != "id" and name in right.columns]
    numbered = right.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
    joined = numbered.filter(pl.col("id").is_not_null()).join(
        left.select("id", *common), on="id", how="inner", suffix="__old", maintain_order="left"
    )
    cells: dict[str, pl.DataFrame] = {}
    for name in common:
        old, new = joined[f"{name}__old"], joined[name]
        changed = ~same(old, new, columns[name])
        if changed.any():
            cells[name] = pl.DataFrame(
                {"row": joined["__row"], "id": joined["id"], "old": old, "new": new}
            ).filter(changed)
    creates = numbered.filter(pl.col("id").is_null())
    given = {name: _given(creates[name]) for name in common}
    _refuse_empty_rows(schema.model, creates, given)
    _refuse_unwritable(schema.model, columns, cells, {n: m for n, m in given.items() if m.any()})
    for name, frame in cells.items():
        _check_values(schema.model, right, columns[name], frame["new"], frame["row"])
    for name, mask in given.items():
        _check_values(
            schema.model, right, columns[name], creates[name].filter(mask), creates["__row"].filter(mask)
        )
    deletes = (
        left.with_row_index("__row")
        .with_columns(pl.col("__row").cast(pl.Int64))
        .join(right.select("id"), on="id", how="anti", maintain_order="left")
    )
    context = remembered_context(original)  # None for a frame zenoo did not return
    return Changes(schema, columns, right, cells, creates, deletes, context)


def _schema(
    frame: Any, data: pl.DataFrame, model: str | None, fields: Mapping[str, Mapping[str, Any]] | None
) -> FrameSchema:
    if fields is not None:
        if not isinstance(model, str) or not model:
            raise ConfigurationError("diff(fields=...) needs the model's name too: model='res.partner'")
        names = [name for name in data.columns if name in fields and name != "id"]
        return FrameSchema.build(model, fields, names)
    schema = remembered_schema(frame)
    if schema is None:
        raise ConfigurationError(
            "diff() does not know the fields of this original frame: it is not a frame zenoo's "
            "to_polars()/to_pandas() returned (a copy, or one read from a file?). Pass "
            "fields=await client.fields_get(model) with model=..., "
            "or use await qs.write_back(original, edited)"
        )
    if model is not None and model != schema.model:
        raise ConfigurationError(f"the original frame was read from {schema.model}, not {model}")
    return schema


def _check_ids(model: str, left: pl.DataFrame, right: pl.DataFrame) -> None:
    if left["id"].null_count():
        raise InvalidValueError(f"{model}: the original frame has rows without an id")
    for frame, what in ((left, "original"), (right, "edited")):
        ids = frame["id"].drop_nulls()
        if ids.is_duplicated().any():
            twice = sorted(set(ids.filter(ids.is_duplicated()).to_list()))[:10]
            raise InvalidValueError(f"{model}: the {what} frame has several rows with the same id: {twice}")
    unknown = right["id"].drop_nulls().filter(~right["id"].drop_nulls().is_in(left["id"].implode()))
    if unknown.len():
        raise InvalidValueError(
            f"{model}: the edited frame has ids the original has not: {unknown.head(10).to_list()} (a new "
            "record has a null id)"
        )


def _given(series: pl.Series) -> pl.Series:
    """Cells of a new row that set something (an empty list of ids sets nothing)."""
    if isinstance(series.dtype, pl.List):
        return (series.list.len() > 0).fill_null(False)
    return series.is_not_null()


def _refuse_empty_rows(model: str, creates: pl.DataFrame, given: Mapping[str, pl.Series]) -> None:
    """A new row that sets no field would create a record of defaults only: most likely a blank
    row left in the frame, so it is refused rather than guessed at."""
    if given:
        sets_something = pl.DataFrame(given).select(pl.any_horizontal(pl.all())).to_series()
        rows = creates["__row"].filter(~sets_something).to_list()
    else:  # the frame has no column but the id
        rows = creates["__row"].to_list()
    if rows:
        shown = first_few([str(row) for row in rows[:SHOWN]], len(rows), ", ")
        raise InvalidValueError(
            f"{model}: new rows (null id) that set no field: row {shown}; drop them, or fill in their values"
        )


def _refuse_unwritable(
    model: str,
    columns: Mapping[str, Column],
    cells: Mapping[str, pl.DataFrame],
    creates: Mapping[str, pl.Series],
) -> None:
    refused = [
        f"{name!r} ({columns[name].refusal})"
        for name in dict.fromkeys([*cells, *creates])
        if columns[name].refusal
    ]
    if refused:
        raise FieldError(
            f"{model}: these edited columns cannot be written: {', '.join(refused)}; "
            "leave them as read (and empty in new rows)"
        )


def _check_values(
    model: str, frame: pl.DataFrame, column: Column, values: pl.Series, rows: pl.Series
) -> None:
    """Refuse values Odoo would refuse (or store differently), naming row, id and column."""
    spec = column.spec
    if spec is None or not len(values):
        return
    checks: list[tuple[pl.Series, str]] = []
    if spec.type == "integer":
        checks.append(
            ((values < INT32_MIN) | (values > INT32_MAX), "out of the range of an Odoo integer (32-bit)")
        )
    elif spec.type in ("float", "monetary"):
        checks.append((~values.is_finite(), "not a finite number"))
    elif spec.type in ("char", "text", "html"):
        checks.append((values.str.contains("\x00", literal=True), "contains a NUL character"))
    elif spec.type == "many2one":
        checks.append((values < 1, "not a record id"))
    elif spec.type == "many2many":
        checks.append(
            (values.list.eval(pl.element() < 1).list.any(), "holds something that is not a record id")
        )
    if spec.required and spec.type not in ("boolean", "many2many"):
        checks.append((values.is_null(), "empty, but the field is required"))
        if spec.type in ("char", "text", "html"):  # Odoo would store the blank text (its web client would not)
            checks.append((values.str.strip_chars() == "", "blank, but the field is required"))
    for bad, problem in checks:
        refuse_cells(model, frame, column.name, rows.filter(bad.fill_null(False)).to_list(), problem)


class Changes:
    """The changes from an original frame to an edited one (see :func:`diff`); nothing sent yet.

    ``preview()`` is a Polars frame of them; in Jupyter the object shows an HTML summary, in a
    terminal a text one. ``await changes.apply(client)`` writes them (with the blocking
    :class:`zenoo.Client`, ``changes.apply(client)`` blocks and returns the result).
    """

    def __init__(
        self,
        schema: FrameSchema,
        columns: Mapping[str, Column],
        edited: pl.DataFrame,
        cells: dict[str, pl.DataFrame],
        creates: pl.DataFrame,
        deletes: pl.DataFrame,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.schema = schema
        #: the context the original frame was read in: ``apply`` writes in it unless given another
        self.context = dict(context) if context else None
        self.columns = dict(columns)
        self.edited = edited
        self.cells = cells  # per column: row, id, old, new
        self.creates = creates  # the new rows, with their __row
        self.deletes = deletes  # the original rows missing from the edited frame, with their __row
        #: the new rows an apply() created, by database (its URL and name), by row: a later apply()
        #: to that database leaves them out
        self.created_by_apply: dict[tuple[str, str | None], dict[int, int]] = {}

    @property
    def model(self) -> str:
        return self.schema.model

    @property
    def updated(self) -> int:
        """Records with at least one changed cell."""
        ids = [frame["id"] for frame in self.cells.values()]
        return pl.concat(ids).n_unique() if ids else 0

    @property
    def changed_cells(self) -> int:
        return sum(frame.height for frame in self.cells.values())

    @property
    def created(self) -> int:
        return self.creates.height

    @property
    def deleted(self) -> int:
        """Rows of the original missing from the edited frame (deleted only with ``deletes=True``)."""
        return self.deletes.height

    @property
    def fields(self) -> list[str]:
        """The fields with changed cells."""
        return list(self.cells)

    def __len__(self) -> int:
        return self.changed_cells + self.created + self.deleted

    def create_rows(self, database: tuple[str, str | None]) -> list[tuple[int, dict[str, Any]]]:
        """Each new row's position in the edited frame and the values it sets, but the rows an
        apply() created already in ``database`` (URL and name)."""
        names = [n for n in self.creates.columns if n not in ("__row", "id") and not self.columns[n].refusal]
        created = self.created_by_apply.get(database, {})
        out = []
        for row in self.creates.iter_rows(named=True):
            if int(row["__row"]) in created:
                continue
            values = {n: row[n] for n in names if row[n] is not None and row[n] != []}
            out.append((int(row["__row"]), values))
        return out

    def preview(self) -> pl.DataFrame:
        """One row per change: ``change`` (update, create, delete), ``row`` (in the edited frame;
        for a delete, in the original), ``id``, ``field``, ``old``, ``new`` (values as text)."""
        return self.written(self.cells, None, self.deletes["id"].to_list())

    def written(
        self, cells: Mapping[str, pl.DataFrame], created: Mapping[int, int] | None, deleted: Sequence[int]
    ) -> pl.DataFrame:
        """The preview of ``cells``, the new rows and ``deleted``: every new row (``created`` None),
        or those ``created`` names, with their ids (``{row: id}``)."""
        updates = [
            pl.DataFrame({"change": "update", "row": frame["row"], "id": frame["id"], "field": name,
                          "old": as_text(frame["old"]), "new": as_text(frame["new"])}, schema=PREVIEW_SCHEMA)
            for name, frame in cells.items()
        ]  # fmt: skip
        parts = [pl.concat(updates).sort("row", maintain_order=True)] if updates else []
        new = self.creates
        if created is not None:
            new = new.filter(pl.col("__row").is_in(list(created))).with_columns(
                pl.col("__row").replace_strict(created, return_dtype=pl.Int64).alias("id")
            )
        if new.height:
            creates = [
                pl.DataFrame({
                    "change": "create", "row": given["__row"], "id": given["id"], "field": name,
                    "old": None, "new": as_text(given[name]),
                }, schema=PREVIEW_SCHEMA)
                for name in new.columns if name not in ("__row", "id") and not self.columns[name].refusal
                for given in [new.filter(_given(new[name]))]
            ]  # fmt: skip
            parts += [pl.concat(creates).sort("row", maintain_order=True)] if creates else []
        if deleted:
            gone = self.deletes.filter(pl.col("id").is_in(list(deleted)))
            parts.append(pl.DataFrame({
                "change": "delete", "row": gone["__row"], "id": gone["id"],
                "field": None, "old": None, "new": None,
            }, schema=PREVIEW_SCHEMA))  # fmt: skip
        return pl.concat(parts) if parts else pl.DataFrame(schema=PREVIEW_SCHEMA)

    def _per_field(self) -> str:
        return ", ".join(f"{name} ×{frame.height}" for name, frame in self.cells.items())

    def summary(self) -> str:
        per_field = self._per_field()
        text = f"{self.model}: {self.updated} record(s) to update ({self.changed_cells} cell(s)"
        text += f": {per_field})" if per_field else ")"
        text += f", {self._to_create()}, {self.deleted} missing from the edited frame"
        return text + (" (deleted only with apply(..., deletes=True))" if self.deleted else "")

    def _to_create(self) -> str:
        done = "; ".join(
            f"{len(rows)} created by an earlier apply() in database {name!r}"
            for (_, name), rows in self.created_by_apply.items()
        )
        return f"{self.created} to create" + (f" ({done})" if done else "")

    def __repr__(self) -> str:
        preview = self.preview()
        with pl.Config(tbl_rows=REPR_ROWS, tbl_hide_dataframe_shape=True, fmt_str_lengths=40):
            return f"Changes to {self.summary()}\n{preview.head(REPR_ROWS)}" + (
                f"\n… and {preview.height - REPR_ROWS} more change(s): changes.preview() has them all"
                if preview.height > REPR_ROWS else ""
            )  # fmt: skip

    def _repr_html_(self) -> str:
        counts = [
            f"{self.updated} record(s) to update, {self.changed_cells} cell(s)"
            + (f": {self._per_field()}" if self.cells else ""),
            self._to_create(),
            f"{self.deleted} missing from the edited frame" + (" (deleted only with deletes=True)" if self.deleted else ""),
        ]
        return summary_html("zenoo-changes", f"Changes to {self.model}", counts, self.preview(), "changes.preview()")

    def _refuse_unknown_context(self) -> None:
        """ConfigurationError when cells of translated or company-dependent fields would be written
        in a context zenoo cannot know to be the one they were read in (a frame it did not return:
        written in the applying client's language or company, they would land in the wrong one)."""
        given = [c for c in self.creates.columns if c in self.columns and self.creates[c].is_not_null().any()]
        names = [
            name for name in dict.fromkeys([*self.cells, *given])
            if (spec := self.columns[name].spec) is not None and spec.contextual
        ]  # fmt: skip
        if names:
            raise ConfigurationError(
                f"{self.model}: the cells of {', '.join(map(repr, names))} depend on the language or company "
                "they were read in, and this frame does not say which (zenoo did not return it: a copy, "
                "Parquet, lazy()); pass apply(..., context={...}) with the lang / allowed_company_ids it "
                "was read in (context={} for the client's own), or use qs.write_back(original, edited) "
                "with the QuerySet it came from; nothing was sent"
            )

    @overload
    def apply(
        self,
        client: BlockingClient,
        *,
        conflicts: ConflictMode = "refuse",
        deletes: bool = False,
        rows_per_call: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = False,
        context: Mapping[str, Any] | None = None,
    ) -> WriteBackResult: ...

    @overload
    def apply(
        self,
        client: OdooClient,
        *,
        conflicts: ConflictMode = "refuse",
        deletes: bool = False,
        rows_per_call: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = False,
        context: Mapping[str, Any] | None = None,
    ) -> Coroutine[Any, Any, WriteBackResult]: ...

    def apply(
        self,
        client: BlockingClient | OdooClient,
        *,
        conflicts: ConflictMode = "refuse",
        deletes: bool = False,
        rows_per_call: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = False,
        context: Mapping[str, Any] | None = None,
    ) -> WriteBackResult | Coroutine[Any, Any, WriteBackResult]:
        """Write the changes: ``await changes.apply(client)`` (or, with the blocking ``Client``,
        ``changes.apply(client)``), checking conflicts first (``conflicts="refuse"``, ``"skip"`` or
        ``"overwrite"``); deletes only with ``deletes=True``. Up to ``rows_per_call`` rows per
        request; by default up to 500 rows go as one request, and a larger write-back sizes its
        requests by the time the first ones take. More than one request runs inside a zenoo
        transaction, each request checking its cells again right before it is sent.
        ``progress``: True for a bar, or a callable as ``bulk_write`` takes. ``context``: the one
        to write in (default: the one the original frame was read in, :attr:`context`).
        """
        if context is None and self.context is None:
            self._refuse_unknown_context()
        options: dict[str, Any] = {
            "conflicts": conflicts, "deletes": deletes, "rows_per_call": rows_per_call, "concurrency": concurrency,
            "progress": progress, "context": self.context if context is None else context,
        }  # fmt: skip
        if isinstance(client, BlockingClient):
            return client.runner.run(apply_changes(self, client.aclient, **options))
        if not callable(getattr(client, "call", None)):
            raise InvalidValueError(
                f"apply() needs the client to write with (a ZenooClient, or the blocking Client), got {client!r}"
            )
        return apply_changes(self, client, **options)


async def write_back(
    queryset: FrameQuery,
    original: pl.DataFrame | pd.DataFrame,
    edited: pl.DataFrame | pd.DataFrame,
    *,
    conflicts: ConflictMode = "refuse",
    deletes: bool = False,
    rows_per_call: int | None = None,
    concurrency: int | None = None,
    progress: ProgressOption = False,
) -> WriteBackResult:
    """``diff`` then ``apply`` through the QuerySet's client and context (``qs.write_back`` calls it)."""
    schema = remembered_schema(original)
    if schema is None:
        described = await queryset.client.fields_get(queryset.model_name)
        changes = diff(original, edited, model=queryset.model_name, fields=described)
    else:
        changes = diff(original, edited, model=queryset.model_name)
    context = dict(queryset.context)  # over its client's: the context the frame was read in
    return await apply_changes(
        changes,
        queryset.client,
        conflicts=conflicts,
        deletes=deletes,
        rows_per_call=rows_per_call,
        concurrency=concurrency,
        progress=progress,
        context=context,
    )
