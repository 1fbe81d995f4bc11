"""Sending a frame's changes: the conflict check, then the writes, all or nothing.

1. **Conflict check** (one ``read``, cache bypassed): the touched fields of the touched records. A
   cell whose server value is neither the frame's original value nor the new one is a conflict; a
   cell already holding the new value is dropped; a record deleted meanwhile is a conflict on each
   of its cells. With ``deletes=True``, a record to delete whose compared fields changed is a
   conflict too (one already gone is dropped). ``refuse`` raises :class:`ConflictError` and writes
   nothing; ``skip`` leaves those cells; ``overwrite`` writes them anyway.
2. **Writes**, by :mod:`zenoo.writing.bulk`: updates right after the check (identical values share
   a ``write``, the others go by ``load`` with ``.id`` in chunks of ``rows_per_call``), then creates
   (``create([...])``, ids in row order), then deletes (one ``unlink``, last).
3. **All or nothing**: a write-back that is one request is Odoo's own transaction. One that needs
   more runs inside a zenoo transaction (:class:`zenoo.writing.Transaction`): a failing request
   undoes the requests before it. Deletes come last, in one request, because an unlink cannot be
   undone: when it fails, nothing was removed and the rest is undone; once it succeeded, nothing is
   left to fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from zenoo.exceptions import BatchError, ConflictError, InvalidValueError
from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.fields.writing import known_defaults, to_write_values, write_value
from zenoo.seams import OdooClient
from zenoo.writing.bulk import (
    DEFAULT_CONCURRENCY,
    Options,
    ProgressOption,
    Send,
    create_requests,
    execute,
    positive_or_none,
    unlink_requests,
    write_requests,
)
from zenoo.writing.results import BatchResult, CallResult, OperationResult
from zenoo.writing.transaction import Transaction
from zenoo_frames.api import arrow_to_polars
from zenoo_frames.rows import rows_to_batch
from zenoo_frames.schema import FrameSchema
from zenoo_frames.writeback_frames import SHOWN, same, where

if TYPE_CHECKING:
    from zenoo_frames.writeback import Changes

__all__ = ["DEFAULT_ROWS_PER_CALL", "ConflictMode", "WriteBackResult", "apply_changes", "as_text"]

#: Rows per ``load`` or ``create`` request when the caller does not say: above it, a write-back
#: runs as several requests inside a zenoo transaction.
DEFAULT_ROWS_PER_CALL = 500
ConflictMode = Literal["refuse", "skip", "overwrite"]
DELETED = "(deleted)"
CONFLICT_SCHEMA = {
    "id": pl.Int64,
    "field": pl.String,
    "original": pl.String,
    "server": pl.String,
    "yours": pl.String,
}


def as_text(series: pl.Series) -> pl.Series:
    """Cell values as text, for previews and conflict frames (datetimes in UTC, lists as ``[1, 2]``)."""
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(series.dtype, pl.List | pl.Object):
        return pl.Series(
            series.name, [None if v is None else str(list(v)) for v in series.to_list()], pl.String
        )
    return series.cast(pl.String)


@dataclass
class WriteBackResult:
    """What a write-back wrote.

    ``written`` is a frame of the cells written (``change, row, id, field, old, new``), ``conflicts``
    the conflicts found (``id, field, original, server, yours``: skipped with ``conflicts="skip"``,
    written over with ``"overwrite"``), ``created_ids`` the ids of the new rows in row order.
    ``transaction`` says whether the requests ran inside a zenoo transaction (more than one
    request) or as one request (Odoo's own transaction).
    """

    model: str
    written: pl.DataFrame
    conflicts: pl.DataFrame
    created_ids: list[int] = field(default_factory=list)
    deleted_ids: list[int] = field(default_factory=list)
    #: cells left out because the server already held the new value
    already_done: int = 0
    #: records to delete that were already gone
    already_deleted: list[int] = field(default_factory=list)
    requests: int = 0
    transaction: bool = False
    batches: list[BatchResult] = field(default_factory=list, repr=False)

    @property
    def updated(self) -> int:
        """Records updated."""
        return self.written.filter(pl.col("change") == "update")["id"].n_unique()

    @property
    def cells(self) -> int:
        """Cells of existing records written."""
        return self.written.filter(pl.col("change") == "update").height

    @property
    def created(self) -> int:
        return len(self.created_ids)

    @property
    def deleted(self) -> int:
        return len(self.deleted_ids)

    def summary(self) -> str:
        how = (
            f"{self.requests} requests inside a zenoo transaction" if self.transaction
            else f"{self.requests} request" + ("s" if self.requests != 1 else "")
        )  # fmt: skip
        parts = [f"{self.model}: {self.updated} record(s) updated ({self.cells} cell(s))",
                 f"{self.created} created", f"{self.deleted} deleted", how]  # fmt: skip
        if self.conflicts.height:
            parts.append(f"{self.conflicts.height} conflict(s)")
        if self.already_done:
            parts.append(f"{self.already_done} cell(s) already held the new value")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<WriteBackResult {self.summary()}>"


# --- the conflict check -----------------------------------------------------------------------------


@dataclass
class _Checked:
    """The cells and deletes to send after the check, and the conflicts found."""

    cells: dict[str, pl.DataFrame]
    delete_ids: list[int]
    conflicts: pl.DataFrame
    already_done: int
    already_deleted: list[int]
    #: the rows the check read, by id (``read`` with ``load=None``)
    read: dict[int, dict[str, Any]] = field(default_factory=dict)


async def _server_rows(
    client: OdooClient, model: str, ids: list[int], names: list[str], context: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The current values of ``names`` of ``ids`` (one ``read``, cache bypassed; many2one as ids)."""
    rows: list[dict[str, Any]] = await client.call(
        model, "read", ids=ids, kwargs={"fields": names, "load": None}, context=context, cache_ttl=0
    )
    return rows


def _server_frame(changes: Changes, rows: list[dict[str, Any]], names: list[str]) -> pl.DataFrame:
    """Rows read by :func:`_server_rows`, typed as the frame's columns."""
    specs = tuple(changes.columns[name].spec for name in names)
    schema = FrameSchema(changes.model, fields=tuple(s for s in specs if s is not None))
    frame = arrow_to_polars(rows_to_batch(schema, rows), schema)
    return frame.with_columns(pl.col(n).fill_null([]) for n in names if isinstance(frame.schema[n], pl.List))


@dataclass
class _Sorted:
    """The cells of one field sorted by what the server holds now."""

    send: pl.DataFrame  # cells to write (``row, id, old, new``)
    conflicts: pl.DataFrame | None  # CONFLICT_SCHEMA
    already_done: int


def _sort_cells(
    changes: Changes, name: str, cells: pl.DataFrame, server: pl.DataFrame, mode: ConflictMode
) -> _Sorted:
    """A cell is sent when the server still holds the value read (``overwrite``: also when it holds
    another, unless the record is gone), left out when it already holds the new value, and a
    conflict otherwise."""
    found = server["id"]
    now = cells.join(
        server.select("id", pl.col(name).alias("__server")), on="id", how="left", maintain_order="left"
    )
    present = now["id"].is_in(found.implode())
    column = changes.columns[name]
    unchanged = present & same(now["__server"], now["old"], column)
    done = present & ~unchanged & same(now["__server"], now["new"], column)
    conflict = ~unchanged & ~done
    conflicts = None
    if conflict.any():
        bad = now.filter(conflict)
        server_text = pl.select(
            pl.when(bad["id"].is_in(found.implode())).then(as_text(bad["__server"])).otherwise(pl.lit(DELETED))
        ).to_series()
        conflicts = pl.DataFrame(
            {"id": bad["id"], "field": [name] * bad.height, "original": as_text(bad["old"]),
             "server": server_text, "yours": as_text(bad["new"])}, schema=CONFLICT_SCHEMA)  # fmt: skip
    send = unchanged | (conflict & present) if mode == "overwrite" else unchanged
    return _Sorted(cells.filter(send), conflicts, int(done.sum()))


def _sort_deletes(
    changes: Changes, records: pl.DataFrame, names: list[str], server: pl.DataFrame, mode: ConflictMode
) -> tuple[list[int], list[int], list[pl.DataFrame]]:
    """The records to delete now, those already gone, and the conflicts: a record whose ``names``
    changed since it was read (``overwrite``: deleted anyway)."""
    now = records.join(server, on="id", how="left", suffix="__server", maintain_order="left")
    present = now["id"].is_in(server["id"].implode())
    gone = now.filter(~present)["id"].to_list()
    changed = pl.Series([False] * now.height)
    conflicts = []
    for name in names:
        differs = present & ~same(now[name], now[f"{name}__server"], changes.columns[name])
        changed = changed | differs
        if differs.any():
            bad = now.filter(differs)
            conflicts.append(pl.DataFrame(
                {"id": bad["id"], "field": [name] * bad.height, "original": as_text(bad[name]),
                 "server": as_text(bad[f"{name}__server"]), "yours": ["(delete)"] * bad.height},
                schema=CONFLICT_SCHEMA))  # fmt: skip
    send = present & ~changed if mode != "overwrite" else present
    return now.filter(send)["id"].to_list(), gone, conflicts


def _delete_columns(changes: Changes) -> list[str]:
    """The fields compared before a delete: the writable ones (a computed field may change without
    anyone editing the record)."""
    return [c for c in changes.deletes.columns if changes.columns[c].role == "field" and not changes.columns[c].refusal]


async def check_conflicts(
    client: OdooClient, changes: Changes, mode: ConflictMode, deletes: bool, context: Mapping[str, Any] | None
) -> _Checked:
    cells = changes.cells
    delete_frame = changes.deletes if deletes else changes.deletes.head(0)
    delete_columns = _delete_columns(changes)
    ids = sorted(
        {i for frame in cells.values() for i in frame["id"].to_list()} | set(delete_frame["id"].to_list())
    )
    names = list(dict.fromkeys([*cells, *delete_columns]))
    if not ids:
        return _Checked(cells, [], pl.DataFrame(schema=CONFLICT_SCHEMA), 0, [])
    rows = await _server_rows(client, changes.model, ids, names, context)
    server = _server_frame(changes, rows, names)
    conflicts: list[pl.DataFrame] = []
    kept: dict[str, pl.DataFrame] = {}
    already_done = 0
    for name, frame in cells.items():
        sorted_cells = _sort_cells(changes, name, frame, server, mode)
        already_done += sorted_cells.already_done
        conflicts += [sorted_cells.conflicts] if sorted_cells.conflicts is not None else []
        if sorted_cells.send.height:
            kept[name] = sorted_cells.send
    delete_ids: list[int] = []
    gone: list[int] = []
    if delete_frame.height:
        delete_ids, gone, found = _sort_deletes(changes, delete_frame, delete_columns, server, mode)
        conflicts += found
    frame = pl.concat(conflicts) if conflicts else pl.DataFrame(schema=CONFLICT_SCHEMA)
    return _Checked(kept, delete_ids, frame, already_done, gone, {row["id"]: row for row in rows})


def _unmoved(now: Any, then: Any) -> bool:
    """Whether a value read now is the one read before (x2many ids in any order)."""
    if isinstance(now, list) and isinstance(then, list):
        return sorted(now) == sorted(then)
    return type(now) is type(then) and bool(now == then)


class _Recheck:
    """Checks each request's cells again right before it is sent, when a write-back takes several
    requests, so that the window between check and write is one call for every request, not only
    the first. The read is also the transaction's snapshot of the values a rollback restores
    (:meth:`Transaction.seed_before`): checking again costs no request.

    A cell changed since the first check is sorted as that check sorts it: a conflict (``refuse``:
    :class:`ConflictError` before the request is sent, and the transaction undoes the requests
    before it), left out when it already holds the new value, or written over (``overwrite``). A
    record that keeps some of its cells is taken out of the shared request and written alone.
    """

    def __init__(
        self,
        client: OdooClient,
        changes: Changes,
        checked: _Checked,
        updates: dict[int, dict[str, Any]],
        mode: ConflictMode,
        context: Mapping[str, Any] | None,
    ) -> None:
        self.client, self.changes, self.checked, self.mode, self.context = client, changes, checked, mode, context
        self.updates = updates
        self.targets = list(updates)
        self.transaction: Transaction | None = None
        self.conflicts: list[pl.DataFrame] = []
        self.already_done = 0
        self.left_out: dict[str, set[int]] = {}  # cells not written after all: field -> ids
        self.gone: list[int] = []

    def updates_guarded(self, send: Send) -> Send:
        """``send`` of a ``write`` or ``load`` request of the updates, checking its cells first."""

        async def guarded(call: CallResult) -> None:
            ids = [self.targets[row] for row in call.rows]
            names = list(call.values) if call.method == "write" else [
                c.split("/", 1)[0] for c in call.values[0] if c != ".id"
            ]  # fmt: skip
            now = {row["id"]: row for row in await self._read(ids, names)}
            # most cells still hold what the first check read: only the others are sorted again
            moved = [i for i in ids if i not in now or any(
                not _unmoved(now[i][name], self.checked.read[i][name]) for name in names)]  # fmt: skip
            if not moved:
                await send(call)
                return
            server = _server_frame(self.changes, [now[i] for i in moved if i in now], names)
            keep: dict[int, set[str]] = {record_id: set(names) for record_id in ids}
            for name in names:
                cells = self.checked.cells[name].filter(pl.col("id").is_in(moved))
                sorted_cells = _sort_cells(self.changes, name, cells, server, self.mode)
                self._count(sorted_cells.already_done, sorted_cells.conflicts)
                for record_id in set(cells["id"].to_list()) - set(sorted_cells.send["id"].to_list()):
                    keep[record_id].discard(name)
                    self.left_out.setdefault(name, set()).add(record_id)
            whole = [row for row, record_id in zip(call.rows, ids, strict=True) if keep[record_id] == set(names)]
            if len(whole) < len(ids):
                self._narrow(call, whole)
            if whole:
                await send(call)
            for record_id, kept in keep.items():  # records that keep only some of the request's cells
                if kept and kept != set(names):
                    values = {name: self.updates[record_id][name] for name in names if name in kept}
                    await self.client.call(self.changes.model, "write", ids=[record_id], args=(values,),
                                           context=self.context)  # fmt: skip

        return guarded

    def deletes_guarded(self, send: Send, delete_ids: list[int]) -> Send:
        """``send`` of the ``unlink`` of ``delete_ids``, comparing the records with the frame first."""

        async def guarded(call: CallResult) -> None:
            names = _delete_columns(self.changes)
            server = _server_frame(self.changes, await self._read(delete_ids, names), names)
            records = self.changes.deletes.filter(pl.col("id").is_in(delete_ids))
            now, gone, conflicts = _sort_deletes(self.changes, records, names, server, self.mode)
            self.gone += gone
            self._count(0, pl.concat(conflicts) if conflicts else None)
            delete_ids[:] = now  # the unlink request reads its ids from this list
            call.rows = range(len(now))
            if now:
                await send(call)

        return guarded

    async def _read(self, ids: list[int], names: list[str]) -> list[dict[str, Any]]:
        """The records' current values, handed to the transaction as its snapshot before the write."""
        rows = await _server_rows(self.client, self.changes.model, ids, names, self.context)
        if self.transaction is not None:
            self.transaction.seed_before(self.changes.model, rows)
        return rows

    def _count(self, already_done: int, conflicts: pl.DataFrame | None) -> None:
        """Count what a re-check found; refuse its conflicts, if that is the mode (those the first
        check reported, written over with ``overwrite``, are not counted twice)."""
        self.already_done += already_done
        if conflicts is None:
            return
        late = conflicts.join(self.checked.conflicts.select("id", "field"), on=["id", "field"], how="anti")
        if not late.height:
            return
        self.conflicts.append(late)
        if self.mode == "refuse":
            raise ConflictError(
                _conflict_message(self.changes.model, late) + " (changed while the write-back ran)", conflicts=late
            )

    @staticmethod
    def _narrow(call: CallResult, rows: list[int]) -> None:
        """Keep only ``rows`` of ``call`` (and their import rows, for a ``load``)."""
        if call.method == "load":
            columns, cells = call.values
            by_row = dict(zip(call.rows, cells, strict=True))
            call.values = (columns, [by_row[row] for row in rows])
        call.rows = tuple(rows)


def _conflict_message(model: str, conflicts: pl.DataFrame) -> str:
    lines = [
        f"id {row['id']} {row['field']}: read {row['original']!r}, now {row['server']!r}, "
        f"yours {row['yours']!r}"
        for row in conflicts.head(SHOWN).iter_rows(named=True)
    ]
    more = f"; and {conflicts.height - SHOWN} more" if conflicts.height > SHOWN else ""
    return (
        f"{conflicts.height} cell(s) of {model} changed on the server since the frame was read; nothing "
        f"was written (conflicts='skip' writes the rest, 'overwrite' writes anyway; .conflicts lists them): "
        + "; ".join(lines)
        + more
    )


# --- the writes ------------------------------------------------------------------------------------


def _write_values(fields: ModelFields, changes: Changes) -> tuple[dict[str, dict[int, Any]], dict[int, int]]:
    """Each changed cell in write form (``{field: {id: value}}``), checked as ``write`` checks it,
    and the row of each id."""
    values: dict[str, dict[int, Any]] = {}
    rows: dict[int, int] = {}
    for name, frame in changes.cells.items():
        mine = values[name] = {}
        for row, record_id, value in zip(
            frame["row"].to_list(), frame["id"].to_list(), frame["new"].to_list(), strict=True
        ):
            try:
                mine[record_id] = write_value(fields, name, value, creating=False)
            except InvalidValueError as exc:
                raise InvalidValueError(
                    f"{changes.model}, column {name!r}, {where(changes.edited, row)}: {exc}"
                ) from None
            rows[record_id] = row
    return values, rows


async def _create_values(
    client: OdooClient, fields: ModelFields, changes: Changes
) -> tuple[list[dict[str, Any]], list[int]]:
    """The new rows in write form (their empty cells left to Odoo's defaults), and their rows."""
    rows = changes.create_rows()
    if not rows:
        return [], []
    defaults = await known_defaults(client, fields)
    values = []
    for row, cells in rows:
        try:
            values.append(to_write_values(fields, cells, creating=True, defaults=defaults))
        except InvalidValueError as exc:
            raise InvalidValueError(f"{changes.model}, {where(changes.edited, row)}: {exc}") from None
    return values, [row for row, _ in rows]


def _failure(model: str, result: BatchResult, describe: Mapping[str, Any]) -> str:
    """The failed requests of ``result``, each load message naming the frame's row and id."""
    lines = []
    for op in result.operations:
        for call in op.calls:
            if call.state == "done":
                continue
            lines += _call_failure(op, call, describe[op.kind])
    return (
        f"write-back to {model} failed: "
        + "; ".join(lines[:SHOWN])
        + (f"; and {len(lines) - SHOWN} more" if len(lines) > SHOWN else "")
    )


def _call_failure(op: OperationResult, call: CallResult, describe: Any) -> list[str]:
    errors = [m for m in call.messages if m.get("type") == "error"]
    if errors:
        return [
            f"{describe(call.rows[int(m['record'])])}"
            + (f", column {m['field']!r}" if m.get("field") else "")
            + f": {m.get('message')}"
            for m in errors
            if isinstance(m.get("record"), int) and 0 <= m["record"] < len(call.rows)
        ] or [f"{call.method}: {call.error}"]
    reason = (
        f"{type(call.error).__name__}: {call.error}" if call.error is not None else call.note or call.state
    )
    rows = list(call.rows)
    shown = ", ".join(describe(row) for row in rows[:3]) + (
        f" and {len(rows) - 3} more" if len(rows) > 3 else ""
    )
    return [f"{call.method} of {shown}: {reason}"]


async def apply_changes(
    changes: Changes,
    client: OdooClient,
    *,
    conflicts: ConflictMode = "refuse",
    deletes: bool = False,
    rows_per_call: int | None = None,
    concurrency: int | None = None,
    progress: ProgressOption = False,
    context: Mapping[str, Any] | None = None,
) -> WriteBackResult:
    """Check for conflicts, then write ``changes`` all or nothing (see the module docstring)."""
    if conflicts not in ("refuse", "skip", "overwrite"):
        raise InvalidValueError(f"conflicts must be 'refuse', 'skip' or 'overwrite', got {conflicts!r}")
    if not isinstance(deletes, bool):
        raise InvalidValueError(f"deletes must be True or False, got {deletes!r}")
    options = Options.of(
        positive_or_none("rows_per_call", rows_per_call) or DEFAULT_ROWS_PER_CALL,
        positive_or_none("concurrency", concurrency) or DEFAULT_CONCURRENCY,
        progress,
        False,
    )
    model = changes.model
    fields = await model_fields(client, model)
    values, row_of = _write_values(fields, changes)  # every value checked before anything is sent
    creates, create_rows = await _create_values(client, fields, changes)
    checked = await check_conflicts(client, changes, conflicts, deletes, context)
    if checked.conflicts.height and conflicts == "refuse":
        raise ConflictError(_conflict_message(model, checked.conflicts), conflicts=checked.conflicts)
    updates: dict[int, dict[str, Any]] = {}
    for name, frame in checked.cells.items():
        for record_id in frame["id"].to_list():
            updates.setdefault(record_id, {})[name] = values[name][record_id]

    stages: list[tuple[OperationResult, list[tuple[CallResult, Send]]]] = []
    if updates:
        stages.append(await write_requests(client, model, updates, options, context))
    created = create_requests(client, model, creates, options, context) if creates else None
    if created is not None:
        stages.append(created)
    if checked.delete_ids:
        one = Options.of(len(checked.delete_ids), 1, progress, False)
        stages.append(unlink_requests(client, model, checked.delete_ids, one, context))
    requests = sum(len(reqs) for _, reqs in stages)
    recheck = _Recheck(client, changes, checked, updates, conflicts, context) if requests > 1 else None
    if recheck is not None:
        stages = [
            (operation, [(call, recheck.deletes_guarded(send, checked.delete_ids) if call.method == "unlink"
                          else recheck.updates_guarded(send) if operation.kind == "write" else send)
                         for call, send in reqs])
            for operation, reqs in stages
        ]  # fmt: skip
    targets = list(updates)
    describe = {
        "write": lambda position: where(changes.edited, row_of[targets[position]]),
        "load": lambda position: where(changes.edited, row_of[targets[position]]),
        "create": lambda position: where(changes.edited, create_rows[position]),
        "unlink": lambda position: f"id {checked.delete_ids[position]}",
    }
    batches: list[BatchResult] = []

    async def run() -> None:
        for operation, reqs in stages:
            result = await execute([operation], reqs, options, model)
            batches.append(result)
            if not result.ok:
                raise BatchError(_failure(model, result, describe), result=result)

    if requests <= 1:
        try:
            await run()
        except BatchError as exc:
            raise BatchError(f"{exc}; Odoo wrote none of it (one request)", result=exc.result) from None
    else:
        assert recheck is not None
        try:
            async with Transaction(client, allow_unlink=True) as recheck.transaction:
                await run()
        except BatchError as exc:
            undone = "the requests made before it were undone by the write-back's transaction"
            late = next((c.error for c in exc.result.calls if isinstance(c.error, ConflictError)), None)
            if late is not None:
                raise ConflictError(f"{late}; {undone}", conflicts=late.conflicts) from None
            raise BatchError(f"{exc}; {undone}", result=exc.result) from None
    created_ids = [i for i in created[0].ids if i is not None] if created is not None else []
    cells = checked.cells
    if recheck is not None and recheck.left_out:
        cells = {
            name: frame.filter(~pl.col("id").is_in(list(recheck.left_out.get(name, ()))))
            for name, frame in cells.items()
        }
    late_conflicts = recheck.conflicts if recheck is not None else []
    return WriteBackResult(
        model=model,
        written=changes.written(cells, created_ids, checked.delete_ids),
        conflicts=pl.concat([checked.conflicts, *late_conflicts]),
        created_ids=created_ids,
        deleted_ids=list(checked.delete_ids),
        already_done=checked.already_done + (recheck.already_done if recheck is not None else 0),
        already_deleted=checked.already_deleted + (recheck.gone if recheck is not None else []),
        requests=requests,
        transaction=requests > 1,
        batches=batches,
    )
