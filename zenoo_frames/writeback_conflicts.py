"""Write-back conflicts: the check before anything is sent, and the re-check before each request.

Odoo has no optimistic lock; these checks are zenoo's. A cell whose server value is neither the
frame's original value nor the new one is a conflict; a cell already holding the new value is left
out; a record deleted meanwhile is a conflict on each of its cells, and so is one that a record rule
now hides from the user (Odoo refuses a ``read`` that names it, where it drops a deleted one: a
``search`` then tells which records the user still sees; those it does not are ``(hidden or
deleted)``). With ``deletes=True``, a record to delete whose compared fields changed is a conflict
too, as is a hidden one (one already gone is left out). ``refuse``
raises :class:`ConflictError` and writes nothing; ``skip`` leaves those cells; ``overwrite`` writes
them anyway. Every read bypasses the cache.

Why this module is long: the check and the re-check (:class:`Recheck`) read and sort cells with
the same helpers and must sort them alike; in two modules those helpers would be one module's
private API used by the other.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from zenoo.exceptions import ConflictError, ZenooError
from zenoo.models.loading import read_visible
from zenoo.seams import OdooClient
from zenoo.writing.results import CallResult, OperationResult
from zenoo.writing.running import Send
from zenoo.writing.stored import same_as_read
from zenoo.writing.transaction import Transaction
from zenoo_frames.api import arrow_to_polars
from zenoo_frames.rows import rows_to_batch
from zenoo_frames.schema import FrameSchema
from zenoo_frames.writeback_frames import SHOWN, first_few, same

if TYPE_CHECKING:
    from zenoo_frames.writeback import Changes

__all__ = ["CONFLICT_SCHEMA", "ConflictMode", "Recheck", "as_text", "check_conflicts", "conflict_message"]

ConflictMode = Literal["refuse", "skip", "overwrite"]
DELETED = "(deleted)"
HIDDEN = "(hidden or deleted)"
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
class Checked:
    """The cells and deletes to send after the check, and the conflicts found."""

    cells: dict[str, pl.DataFrame]
    delete_ids: list[int]
    conflicts: pl.DataFrame
    already_done: int
    already_deleted: list[int]
    #: the rows the check read, by id (``read`` with ``load=None``)
    read: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: monetary fields: each record's currency rounding factor (``id, __step``)
    steps: dict[str, pl.DataFrame] = field(default_factory=dict)
    #: the records the check could not read: a record rule hides them, or they are gone
    hidden: set[int] = field(default_factory=set)


async def _server_rows(
    client: OdooClient, model: str, ids: list[int], names: list[str], context: Mapping[str, Any] | None
) -> tuple[list[dict[str, Any]], set[int]]:
    """The current values of ``names`` of ``ids`` (one ``read``, cache bypassed; many2one as ids;
    none: only the ids, to see which records exist, since Odoo reads every field for ``fields=[]``),
    and the ids a record rule hides or that are gone, when Odoo refused the read for a hidden one:
    then only those the user sees are read (:func:`zenoo.models.loading.read_visible`)."""
    kwargs = {"fields": names or ["id"], "load": None}

    async def read(wanted: list[int]) -> list[dict[str, Any]]:
        if not wanted:
            return []
        rows: list[dict[str, Any]] = await client.call(
            model, "read", ids=wanted, kwargs=kwargs, context=context, cache_ttl=0
        )
        return rows

    return await read_visible(client, model, ids, read, context)


def _server_frame(changes: Changes, rows: list[dict[str, Any]], names: list[str]) -> pl.DataFrame:
    """Rows read by :func:`_server_rows`, typed as the frame's columns."""
    specs = tuple(changes.columns[name].spec for name in names)
    schema = FrameSchema(changes.model, fields=tuple(s for s in specs if s is not None))
    frame = arrow_to_polars(rows_to_batch(schema, rows), schema)
    return frame.with_columns(pl.col(n).fill_null([]) for n in names if isinstance(frame.schema[n], pl.List))


def _currency_fields(changes: Changes, names: list[str]) -> dict[str, str]:
    """The monetary fields among ``names`` with the currency field Odoo rounds them to."""
    specs = {name: changes.columns[name].spec for name in names}
    return {
        name: spec.currency_field
        for name, spec in specs.items()
        if spec is not None and spec.type == "monetary" and spec.currency_field
    }


async def _currency_steps(
    client: OdooClient, rows: list[dict[str, Any]], currency_fields: Mapping[str, str]
) -> dict[str, pl.DataFrame]:
    """Each record's currency rounding factor (``id, __step``) per monetary field: a ``write``
    stores the amount rounded to it. Without them (res.currency not readable), amounts compare
    exactly."""
    currencies = {row[c] for row in rows for c in currency_fields.values() if isinstance(row.get(c), int)}
    if not currencies:
        return {}
    try:
        found = await client.call("res.currency", "read", ids=sorted(currencies),
                                  kwargs={"fields": ["rounding"], "load": None})  # fmt: skip
    except ZenooError:
        return {}
    rounding = {row["id"]: row["rounding"] for row in found if row.get("rounding")}
    return {
        name: pl.DataFrame(
            {"id": [row["id"] for row in rows], "__step": [rounding.get(row.get(c)) for row in rows]},
            schema={"id": pl.Int64, "__step": pl.Float64},
        )
        for name, c in currency_fields.items()
    }


@dataclass
class _Sorted:
    """The cells of one field sorted by what the server holds now."""

    send: pl.DataFrame  # cells to write (``row, id, old, new``)
    conflicts: pl.DataFrame | None  # CONFLICT_SCHEMA
    already_done: int


def _sort_cells(
    changes: Changes,
    name: str,
    cells: pl.DataFrame,
    server: pl.DataFrame,
    mode: ConflictMode,
    steps: pl.DataFrame | None = None,
    hidden: Collection[int] = (),
) -> _Sorted:
    """A cell is sent when the server still holds the value read (``overwrite``: also when it holds
    another, unless the record is gone), left out when it already holds the new value (an amount:
    rounded to its currency's ``steps``), and a conflict otherwise."""
    found = server["id"]
    now = cells.join(
        server.select("id", pl.col(name).alias("__server")), on="id", how="left", maintain_order="left"
    )
    present = now["id"].is_in(found.implode())
    column = changes.columns[name]
    unchanged = present & same(now["__server"], now["old"], column)
    stored_as_new = same(now["__server"], now["new"], column)
    if steps is not None:  # Odoo stored the new amount rounded to a multiple of the step
        step = now.join(steps, on="id", how="left", maintain_order="left")["__step"]
        rounded = (now["__server"] - now["new"]).abs() <= step / 2 * (1 + 1e-9)
        stored_as_new = stored_as_new | rounded.fill_null(False)
    done = present & ~unchanged & stored_as_new
    conflict = ~unchanged & ~done
    conflicts = None
    if conflict.any():
        bad = now.filter(conflict)
        server_text = pl.select(
            pl.when(bad["id"].is_in(found.implode()))
            .then(as_text(bad["__server"]))
            .when(bad["id"].is_in(list(hidden)))
            .then(pl.lit(HIDDEN))
            .otherwise(pl.lit(DELETED))
        ).to_series()
        conflicts = pl.DataFrame(
            {"id": bad["id"], "field": [name] * bad.height, "original": as_text(bad["old"]),
             "server": server_text, "yours": as_text(bad["new"])}, schema=CONFLICT_SCHEMA)  # fmt: skip
    send = unchanged | (conflict & present) if mode == "overwrite" else unchanged
    return _Sorted(cells.filter(send), conflicts, int(done.sum()))


def _sort_deletes(
    changes: Changes,
    records: pl.DataFrame,
    names: list[str],
    server: pl.DataFrame,
    mode: ConflictMode,
    hidden: Collection[int] = (),
) -> tuple[list[int], list[int], list[pl.DataFrame]]:
    """The records to delete now, those already gone, and the conflicts: a record whose ``names``
    changed since it was read (``overwrite``: deleted anyway), or that a record rule hides."""
    now = records.join(server, on="id", how="left", suffix="__server", maintain_order="left")
    present = now["id"].is_in(server["id"].implode())
    unseen = ~present & now["id"].is_in(list(hidden))
    gone = now.filter(~present & ~unseen)["id"].to_list()
    changed = pl.Series([False] * now.height)
    conflicts = []
    if unseen.any():
        bad = now.filter(unseen)
        conflicts = [
            pl.DataFrame({"id": bad["id"], "field": [name] * bad.height, "original": as_text(bad[name]),
                          "server": [HIDDEN] * bad.height, "yours": ["(delete)"] * bad.height},
                         schema=CONFLICT_SCHEMA)
            for name in names
        ]  # fmt: skip
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
    return [
        c
        for c in changes.deletes.columns
        if c != "__row" and changes.columns[c].role == "field" and not changes.columns[c].refusal
    ]


async def check_conflicts(
    client: OdooClient,
    changes: Changes,
    mode: ConflictMode,
    deletes: bool,
    context: Mapping[str, Any] | None,
    also: Sequence[str] = (),
) -> Checked:
    """Read the touched fields (and ``also``) of the touched records, and sort the cells: unmoved,
    already done, or in conflict."""
    cells = changes.cells
    delete_frame = changes.deletes if deletes else changes.deletes.head(0)
    delete_columns = _delete_columns(changes)
    ids = sorted(
        {i for frame in cells.values() for i in frame["id"].to_list()} | set(delete_frame["id"].to_list())
    )
    names = list(dict.fromkeys([*cells, *delete_columns]))
    if not ids:
        return Checked(cells, [], pl.DataFrame(schema=CONFLICT_SCHEMA), 0, [])
    currency_fields = _currency_fields(changes, list(cells))
    read = list(dict.fromkeys([*names, *currency_fields.values(), *also]))
    rows, hidden = await _server_rows(client, changes.model, ids, read, context)
    by_id = {row["id"]: row for row in rows}
    steps = await _currency_steps(client, rows, currency_fields)
    server: pl.DataFrame | None = None  # the rows as a frame, made when a cell needs sorting
    conflicts: list[pl.DataFrame] = []
    kept: dict[str, pl.DataFrame] = {}
    already_done = 0
    for name, frame in cells.items():
        if _all_unmoved(by_id, name, frame):
            kept[name] = frame
            continue
        server = _server_frame(changes, rows, names) if server is None else server
        sorted_cells = _sort_cells(changes, name, frame, server, mode, steps.get(name), hidden)
        already_done += sorted_cells.already_done
        conflicts += [sorted_cells.conflicts] if sorted_cells.conflicts is not None else []
        if sorted_cells.send.height:
            kept[name] = sorted_cells.send
    delete_ids: list[int] = []
    gone: list[int] = []
    if delete_frame.height:
        server = _server_frame(changes, rows, names) if server is None else server
        delete_ids, gone, found = _sort_deletes(changes, delete_frame, delete_columns, server, mode, hidden)
        conflicts += found
    frame = pl.concat(conflicts) if conflicts else pl.DataFrame(schema=CONFLICT_SCHEMA)
    return Checked(kept, delete_ids, frame, already_done, gone, by_id, steps, hidden)


#: values compared as they are read: a frame's cell holds the same Python type for them
_PLAIN = frozenset({str, int, float, bool})


def _all_unmoved(read: Mapping[int, Mapping[str, Any]], name: str, cells: pl.DataFrame) -> bool:
    """Whether every cell's record still holds the frame's original value, told without building
    frames where every value is plain (the same str, int, float or bool, or an empty cell read as
    False): the usual case. False when it cannot tell so simply; :func:`_sort_cells` then sorts
    the cells."""
    try:
        now = [read[record_id][name] for record_id in cells["id"].to_list()]
    except KeyError:  # a record is gone
        return False
    before = cells["old"].to_list()
    kinds = set(map(type, before))
    if len(kinds) == 1 and kinds <= _PLAIN and set(map(type, now)) == kinds:  # compared in C
        return now == before
    return all(
        (type(server) is type(old) and type(old) in _PLAIN and server == old) or (server is False and old is None)
        for server, old in zip(now, before, strict=True)
    )


def _unmoved(now: Any, then: Any) -> bool:
    """Whether a value read now is the one read before, of the same type too (``False`` is not ``0``)."""
    return type(now) is type(then) and same_as_read(now, then)


class Recheck:
    """Checks each request's cells again right before it is sent, when a write-back takes several
    requests, so that the window between check and write is one call for every request, not only
    the first. The read is also the transaction's snapshot of the values a rollback restores
    (:meth:`Transaction.seed_before`): checking again costs no request.

    A cell changed since the first check is sorted as that check sorts it: a conflict (``refuse``:
    :class:`ConflictError` before the request is sent, and the transaction undoes the requests
    before it), left out when it already holds the new value, or written over (``overwrite``). A
    record that keeps some of its cells is taken out of the shared request and written alone.

    The last ``final`` requests of the updates are the transaction's final writes
    (:meth:`Transaction.final_writes`): what they stored is read only if the write-back rolls back.
    """

    def __init__(
        self,
        client: OdooClient,
        changes: Changes,
        checked: Checked,
        updates: dict[int, dict[str, Any]],
        mode: ConflictMode,
        context: Mapping[str, Any] | None,
        final: int,
    ) -> None:
        self.client, self.changes, self.checked, self.mode, self.context = (
            client,
            changes,
            checked,
            mode,
            context,
        )
        self.final = final
        self.updates = updates
        self.targets = list(updates)
        self.transaction: Transaction | None = None
        self.conflicts: list[pl.DataFrame] = []
        self.already_done = 0
        self.left_out: dict[str, set[int]] = {}  # cells not written after all: field -> ids
        self.gone: list[int] = []
        self.hidden = set(checked.hidden)  # records a record rule hides (or gone), as reads found them
        #: the late conflicts that stopped a ``refuse`` write-back (later requests are not sent)
        self.refusal: ConflictError | None = None

    def updates_guarded(self, send: Send) -> Send:
        """``send`` of a ``write`` or ``load`` request of the updates, checking its cells first."""

        async def guarded(call: CallResult) -> None:
            self._stop_if_refused()
            ids = [self.targets[row] for row in call.rows]
            names = list(call.values) if call.method == "write" else [
                c.split("/", 1)[0] for c in call.values[0] if c != ".id"
            ]  # fmt: skip
            call.state = "failed"  # not sent while its cells are read again: a failing read leaves it unsent
            now = {row["id"]: row for row in await self._read(ids, names)}
            call.state = "unknown"
            # most cells still hold what the first check read: only the others are sorted again
            # a quick comparison first: equal values of a field are unmoved (Odoo reads a field's
            # values as one type, so False never meets 0); the others are compared as _unmoved does
            values_of, read = operator.itemgetter(*names), self.checked.read
            maybe = [i for i in ids if i not in now or values_of(now[i]) != values_of(read[i])]
            moved = [i for i in maybe if i not in now or any(
                not _unmoved(now[i][name], read[i][name]) for name in names)]  # fmt: skip
            if not moved:
                await send(call)
                return
            server = _server_frame(self.changes, [now[i] for i in moved if i in now], names)
            keep: dict[int, set[str]] = {record_id: set(names) for record_id in ids}
            done, conflicts = 0, []
            for name in names:  # every field sorted before a refusal, which then names all its cells
                cells = self.checked.cells[name].filter(pl.col("id").is_in(moved))
                sorted_cells = _sort_cells(self.changes, name, cells, server, self.mode,
                                           self.checked.steps.get(name), self.hidden)  # fmt: skip
                done += sorted_cells.already_done
                conflicts += [sorted_cells.conflicts] if sorted_cells.conflicts is not None else []
                for record_id in set(cells["id"].to_list()) - set(sorted_cells.send["id"].to_list()):
                    keep[record_id].discard(name)
                    self.left_out.setdefault(name, set()).add(record_id)
            self._count(done, pl.concat(conflicts) if conflicts else None)
            whole = [
                row for row, record_id in zip(call.rows, ids, strict=True) if keep[record_id] == set(names)
            ]
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

    def guarded(
        self, operation: OperationResult, call: CallResult, send: Send, *, fresh: bool = False
    ) -> Send:
        """``send`` of one request of ``operation``, checking what it writes or deletes first (a
        create has nothing to check). ``fresh``: an update request sent as soon as the first check
        is done, whose read it takes as its own."""
        if call.method == "unlink":
            return self.deletes_guarded(send)
        if operation.kind != "write":
            return send
        checked = self.fresh_guarded(send) if fresh else self.updates_guarded(send)

        async def last_or_not(call: CallResult) -> None:
            final = operation.calls[-self.final :] if self.final else []
            if self.transaction is not None and any(call is last for last in final):
                with self.transaction.final_writes():
                    await checked(call)
            else:
                await checked(call)

        return last_or_not

    def fresh_guarded(self, send: Send) -> Send:
        """``send`` of an update request that leaves right after the first check: that check is its
        re-check, and what it read is the transaction's snapshot before the write (unless it is
        sent again after a concurrent update: then it is checked again)."""

        checked_again = self.updates_guarded(send)

        async def guarded(call: CallResult) -> None:
            if call.attempts > 1:  # sent again after a concurrent update, later: checked again
                await checked_again(call)
                return
            self._stop_if_refused()
            if self.transaction is not None:
                read = self.checked.read
                self.transaction.seed_before(
                    self.changes.model, [read[self.targets[row]] for row in call.rows]
                )
            await send(call)

        return guarded

    def deletes_guarded(self, send: Send) -> Send:
        """``send`` of the ``unlink`` of the checked deletes, comparing the records with the frame first."""
        delete_ids = self.checked.delete_ids  # the unlink request reads its ids from this list

        async def guarded(call: CallResult) -> None:
            self._stop_if_refused()
            names = _delete_columns(self.changes)
            rows, hidden = await _server_rows(
                self.client, self.changes.model, delete_ids, names, self.context
            )
            self.hidden |= hidden
            server = _server_frame(self.changes, rows, names)
            records = self.changes.deletes.filter(pl.col("id").is_in(delete_ids))
            now, gone, conflicts = _sort_deletes(self.changes, records, names, server, self.mode, hidden)
            self.gone += gone
            self._count(0, pl.concat(conflicts) if conflicts else None)
            delete_ids[:] = now
            call.rows = range(len(now))
            if now:
                await send(call)

        return guarded

    async def _read(self, ids: list[int], names: list[str]) -> list[dict[str, Any]]:
        """The records' current values, handed to the transaction as its snapshot before the write."""
        rows, hidden = await _server_rows(self.client, self.changes.model, ids, names, self.context)
        self.hidden |= hidden
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
            self.refusal = ConflictError(
                conflict_message(self.changes.model, late, late=True), conflicts=late
            )
            raise self.refusal

    def _stop_if_refused(self) -> None:
        """After a refusal, the requests not sent yet are not sent (they fail with the refusal)."""
        if self.refusal is not None:
            raise self.refusal

    @staticmethod
    def _narrow(call: CallResult, rows: list[int]) -> None:
        """Keep only ``rows`` of ``call`` (and their import rows, for a ``load``)."""
        if call.method == "load":
            columns, cells = call.values
            by_row = dict(zip(call.rows, cells, strict=True))
            call.values = (columns, [by_row[row] for row in rows])
        call.rows = tuple(rows)


def conflict_message(model: str, conflicts: pl.DataFrame, *, late: bool = False) -> str:
    """Why a write-back refused: the conflicting cells; ``late``: found by a re-check while the
    write-back ran (the transaction then undid the requests already sent)."""
    lines = [
        f"id {row['id']} {row['field']}: read {row['original']!r}, now {row['server']!r}, "
        f"yours {row['yours']!r}"
        for row in conflicts.head(SHOWN).iter_rows(named=True)
    ]
    when, outcome = (
        ("while the write-back ran", "the requests already sent were undone by its transaction")
        if late
        else ("since the frame was read", "nothing was written")
    )
    hidden = (
        f"; {HIDDEN!r}: a record rule now hides the record from this user, or it was deleted"
        if conflicts["server"].eq(HIDDEN).any()
        else ""
    )
    return (
        f"{conflicts.height} cell(s) of {model} changed on the server {when}; {outcome} "
        "(conflicts='skip' writes the rest, 'overwrite' writes anyway; .conflicts lists them): "
        + first_few(lines, conflicts.height)
        + hidden
    )
