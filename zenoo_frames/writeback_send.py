"""Sending a frame's changes: the conflict check, then the writes, all or nothing.

1. **Conflict check** (:mod:`zenoo_frames.writeback_conflicts`): one ``read`` of the touched fields
   of the touched records before anything is sent, and, when there are several requests, again
   right before each one but the first ``concurrency`` ones, which leave as soon as the check is
   done (its read is their snapshot). The cells are converted to write values, the requests
   planned and the related records the cells name looked for (one ``search`` per related model)
   while the server runs that read: once it is written out
   (:func:`zenoo.transport.notify_when_sent`), before its answer is read.
2. **Writes**, by :mod:`zenoo.writing.bulk`: updates right after the check (identical values share
   a ``write``, the others go by ``load`` with ``.id`` in chunks of ``rows_per_call``), then creates
   (``create([...])``, ids in row order), then deletes (one ``unlink``, last). Without
   ``rows_per_call``, up to 500 rows go as one request and the loads of a larger write-back are
   paced: the first ``concurrency`` carry 100 rows, the others are sized from the time those took
   (``PACED_SECONDS`` each), so that a slow server gets small requests that do not time out and a
   fast one few large requests.
3. **All or nothing**: a write-back that is one request is Odoo's own transaction. One that needs
   more runs inside a zenoo transaction (:class:`zenoo.writing.Transaction`): a failing request
   undoes the requests before it. When the updates are all there is to send, their last
   ``concurrency`` requests are its final writes (:meth:`Transaction.final_writes`): what they
   stored is read only if the write-back rolls back. Deletes come last, in one request, because
   an unlink cannot be undone: when it fails, nothing was removed and the rest is undone; once it
   succeeded, nothing is left to fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping
from dataclasses import InitVar, dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import polars as pl

from zenoo.exceptions import AccessError, BatchError, ConflictError, InvalidValueError
from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.fields.writing import column_writer, known_defaults, to_write_values, value_writer
from zenoo.seams import OdooClient
from zenoo.transport import notify_when_sent
from zenoo.writing.bulk import create_requests, rechunk_loads, unlink_requests, write_requests
from zenoo.writing.load import BATCH_REPEAT_NOTE, batch_repeat
from zenoo.writing.progress import ProgressOption
from zenoo.writing.results import BatchResult, CallResult, OperationResult
from zenoo.writing.running import (
    DEFAULT_CONCURRENCY,
    Options,
    Requests,
    Resize,
    Stage,
    execute,
    positive_or_none,
)
from zenoo.writing.transaction import Transaction
from zenoo_frames.writeback_cited import check_cited, missing_in_create
from zenoo_frames.writeback_conflicts import ConflictMode, Recheck, check_conflicts, conflict_message
from zenoo_frames.writeback_frames import SHOWN, first_few, summary_html, where

if TYPE_CHECKING:
    from zenoo_frames.writeback import Changes

__all__ = ["DEFAULT_ROWS_PER_CALL", "WriteBackResult", "apply_changes"]

#: Rows per ``load`` or ``create`` request when the caller does not say: above it, a write-back
#: runs as several requests inside a zenoo transaction, its loads paced (below).
DEFAULT_ROWS_PER_CALL = 500
#: Paced loads (``rows_per_call=None``): the first ``concurrency`` requests carry ``FIRST_ROWS``
#: rows; the others are sized from the time those took, so that each takes about ``PACED_SECONDS``
#: with ``concurrency`` in flight (a slow server: no read timeout; a fast one: fewer requests and
#: reads), within ``PACED_ROWS``.
FIRST_ROWS = 100
PACED_SECONDS = 5.0
PACED_ROWS = range(10, 5001)


@dataclass
class WriteBackResult:
    """What a write-back wrote.

    ``written`` is a frame of the cells written (``change, row, id, field, old, new``), made by
    ``preview`` when first asked for; ``conflicts`` the conflicts found (``id, field, original,
    server, yours``: skipped with ``conflicts="skip"``, written over with ``"overwrite"``),
    ``created_ids`` the ids of the new rows in row order (those an earlier apply() of the same
    changes created are left out, their ids in ``already_created``). ``transaction`` says whether the requests
    ran inside a zenoo transaction (more than one request) or as one request (Odoo's own
    transaction).
    """

    model: str
    preview: InitVar[Callable[[], pl.DataFrame]]
    conflicts: pl.DataFrame
    created_ids: list[int] = field(default_factory=list)
    deleted_ids: list[int] = field(default_factory=list)
    #: cells left out because the server already held the new value
    already_done: int = 0
    #: records to delete that were already gone
    already_deleted: list[int] = field(default_factory=list)
    #: records missing from the edited frame, left on the server (``deletes=False``)
    not_deleted: int = 0
    #: the new rows an earlier apply() of the same changes created, left out (their ids)
    already_created: list[int] = field(default_factory=list)
    requests: int = 0
    transaction: bool = False
    batches: list[BatchResult] = field(default_factory=list, repr=False)

    def __post_init__(self, preview: Callable[[], pl.DataFrame]) -> None:
        self._preview = preview

    @cached_property
    def written(self) -> pl.DataFrame:
        """The cells written (``change, row, id, field, old, new``), new rows with their ids."""
        return self._preview()

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
        return f"{self.model}: " + ", ".join(self._counts())

    def _counts(self) -> list[str]:
        how = (
            f"{self.requests} requests inside a zenoo transaction" if self.transaction
            else f"{self.requests} request" + ("s" if self.requests != 1 else "")
        )  # fmt: skip
        counts = [f"{self.updated} record(s) updated ({self.cells} cell(s))", f"{self.created} created",
                  f"{self.deleted} deleted", how]  # fmt: skip
        if self.conflicts.height:
            counts.append(f"{self.conflicts.height} conflict(s)")
        if self.already_done:
            counts.append(f"{self.already_done} cell(s) already held the new value")
        if self.already_deleted:
            counts.append(f"{len(self.already_deleted)} record(s) to delete were already gone")
        if self.already_created:
            counts.append(f"{len(self.already_created)} new row(s) created by an earlier apply() left out")
        if self.not_deleted:
            counts.append(f"{self.not_deleted} record(s) missing from the edited frame left (deletes=False)")
        return counts

    def __repr__(self) -> str:
        return f"<WriteBackResult {self.summary()}>"

    def _repr_html_(self) -> str:
        """In Jupyter: the counts, then the conflicts if any, else what was written."""
        frame, rest, rows = (
            (self.conflicts, "result.conflicts", "conflict(s)") if self.conflicts.height
            else (self.written, "result.written", "cell(s)")
        )  # fmt: skip
        return summary_html("zenoo-write-back", f"Written to {self.model}", self._counts(), frame, rest, rows)


# --- the writes ------------------------------------------------------------------------------------


def _write_values(fields: ModelFields, changes: Changes) -> tuple[dict[str, dict[int, Any]], dict[int, int]]:
    """Each changed cell in write form (``{field: {id: value}}``), checked as ``write`` checks it,
    and the row of each id."""
    values: dict[str, dict[int, Any]] = {}
    rows: dict[int, int] = {}
    for name, frame in changes.cells.items():
        ids, new, frame_rows = frame["id"].to_list(), frame["new"].to_list(), frame["row"].to_list()
        try:
            values[name] = dict(zip(ids, column_writer(fields, name, creating=False)(new), strict=True))
        except InvalidValueError:
            write = value_writer(fields, name, creating=False)
            for row, value in zip(frame_rows, new, strict=True):  # the first bad cell, named
                try:
                    write(value)
                except InvalidValueError as exc:
                    raise InvalidValueError(
                        f"{changes.model}, column {name!r}, {where(changes.edited, row)}: {exc}"
                    ) from None
            raise
        rows.update(zip(ids, frame_rows, strict=True))
    return values, rows


def _planned_updates(
    client: OdooClient,
    fields: ModelFields,
    cells: Mapping[str, pl.DataFrame],
    values: Mapping[str, Mapping[int, Any]],
    options: Options,
    context: Mapping[str, Any] | None,
    archived: Collection[int] = (),
) -> tuple[dict[int, dict[str, Any]], Stage | None]:
    """The values to write to each record (``{id: {field: value}}``) for ``cells``, and the
    requests writing them (None when there are none; the ``archived`` records by ``write``)."""
    updates: dict[int, dict[str, Any]] = {}
    for name, frame in cells.items():
        mine = values[name]
        for record_id in frame["id"].to_list():
            updates.setdefault(record_id, {})[name] = mine[record_id]
    return updates, write_requests(client, fields, updates, options, context, archived) if updates else None


def _rows_to_load(requests: Requests) -> int:
    """How many rows ``requests`` send by ``load``."""
    return sum(len(call.rows) for call, _ in requests if call.method == "load")


def _paced(stage: Stage, concurrency: int) -> tuple[Stage, Resize]:
    """The updates' requests cut for pacing (``concurrency`` loads of ``FIRST_ROWS`` rows, the others
    as planned until they are resized), and what resizes the others from the time those took."""
    operation, planned = stage
    small = rechunk_loads(planned, FIRST_ROWS)
    requests = small[:concurrency] + rechunk_loads(small[concurrency:], DEFAULT_ROWS_PER_CALL)
    operation.calls = [call for call, _ in requests]

    def resize(seconds: float, first: Requests, rest: Requests) -> Requests:
        if any(call.method != "load" for call, _ in first):
            return rest  # a shared write's time says nothing of a load's
        rows_per_second = _rows_to_load(first) / max(seconds, 1e-3)
        remaining = _rows_to_load(rest)
        size = min(int(PACED_SECONDS * rows_per_second / concurrency), -(-remaining // concurrency))
        size = min(max(size, PACED_ROWS.start), PACED_ROWS.stop - 1)
        resized = rechunk_loads(rest, -(-remaining // -(-remaining // size)))  # as many requests, evened out
        operation.calls = [call for call, _ in [*first, *resized]]
        return resized

    return (operation, requests), resize


async def _create_values(
    client: OdooClient, fields: ModelFields, changes: Changes
) -> tuple[list[dict[str, Any]], list[int]]:
    """The new rows in write form (their empty cells left to Odoo's defaults), and their rows."""
    rows = changes.create_rows(client.cache_scope[:2])
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


async def _failure(
    client: OdooClient, fields: ModelFields, result: BatchResult, describe: Mapping[str, Any]
) -> str:
    """The failed requests of ``result``, each load message naming the frame's row and id, and the
    cells of a failed create that name a related record which does not exist."""
    lines = []
    for op in result.operations:
        for call in op.calls:
            if call.state in ("done", "skipped"):  # the requests not sent are counted after the failure
                continue
            if call.method == "create" and call.state == "failed":
                lines += await missing_in_create(client, fields, call, describe[op.kind])
            lines += _call_failure(op, call, describe[op.kind])
    return f"write-back to {fields.model} failed: {first_few(lines)}"


def _call_failure(op: OperationResult, call: CallResult, describe: Any) -> list[str]:
    errors = [m for m in call.messages if m.get("type") == "error"]
    if errors:
        repeat = batch_repeat(errors)
        likelier_first = [m for m in errors if m is not repeat] + ([repeat] if repeat else [])
        return [
            f"{describe(call.rows[int(m['record'])])}"
            + (f", column {m['field']!r}" if m.get("field") else "")
            + f": {str(m.get('message')).strip()}"
            + (f" ({BATCH_REPEAT_NOTE})" if m is repeat else "")
            for m in likelier_first
            if isinstance(m.get("record"), int) and 0 <= m["record"] < len(call.rows)
        ] or [f"{call.method}: {call.error}"]
    reason = (
        f"{type(call.error).__name__}: {call.error}" if call.error is not None else call.note or call.state
    )
    rows = list(call.rows)
    shown = first_few([describe(row) for row in rows[:SHOWN]], len(rows), ", ")
    return [f"{call.method} of {shown}: {reason}"]


def _one_request_outcome(result: BatchResult) -> str:
    """What Odoo did of a write-back sent as one request that failed: nothing, or unknown."""
    if any(call.state == "unknown" for call in result.calls):
        return ("its outcome is unknown: Odoo may have written all of it or none, and may still be running "
                "it (one request, all or nothing); read the records before applying again")  # fmt: skip
    return "Odoo wrote none of it (one request)"


def _rolled_back(result: BatchResult) -> str:
    """What the transaction of a write-back of several requests undid after one failed."""
    states = [call.state for call in result.calls]
    done, lost, unsent = states.count("done"), states.count("unknown"), states.count("skipped")
    undid = [f"the {done} request(s) already written"] * bool(done) + [
        f"the {lost} request(s) whose answer was lost (they may have run)"] * bool(lost)  # fmt: skip
    undone = f"the write-back's transaction undid {' and '.join(undid)}" if undid else "no other request had written anything"
    return undone + (f"; {unsent} request(s) were not sent" if unsent else "")


async def _check_unlink_right(client: OdooClient, model: str, deleting: bool) -> None:
    """AccessError before anything is sent when the write-back must be able to delete records (its
    deletes, or the records it creates, should a later request fail) and the user may not."""
    if not await client.check_model_access(model, "unlink"):
        why = "it deletes records" if deleting else "it creates records in several requests, which a failure would delete again"
        raise AccessError(f"write-back to {model} not sent: {why}, and this user may not delete {model} records "
                          "(check_access_rights('unlink')); nothing was written", odoo_name="check_access_rights")  # fmt: skip


def _cell_count(cells: Mapping[str, pl.DataFrame]) -> int:
    return sum(frame.height for frame in cells.values())


async def _first_of(task: asyncio.Future[Any], event: asyncio.Event) -> None:
    """Wait until ``event`` is set or ``task`` is done, whichever comes first."""
    waiting = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()


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
    options = replace(
        Options.of(
            positive_or_none("rows_per_call", rows_per_call) or DEFAULT_ROWS_PER_CALL,
            positive_or_none("concurrency", concurrency) or DEFAULT_CONCURRENCY,
            progress,
            False,
        ),
        stop_after_failure=True,  # a failure rolls the write-back back: the requests after it are not sent
    )
    model = changes.model
    fields = await model_fields(client, model)
    creates, create_rows = await _create_values(client, fields, changes)
    # archived records go by write (see zenoo.writing.load.archived_ids): the check reads which they
    # are, unless the context shows them (then load finds them too) or there is nothing to update
    hides_archived = bool(changes.cells) and (context or {}).get("active_test") is not False
    active = fields.active_name if hides_archived else None
    read_sent = asyncio.Event()
    with notify_when_sent(read_sent.set):
        checking = asyncio.ensure_future(
            check_conflicts(client, changes, conflicts, deletes, context, also=[active] if active else [])
        )
    try:
        await _first_of(checking, read_sent)
        # while the server reads: every cell checked and converted (raising before any write), and
        # the requests planned for every cell
        values, row_of = _write_values(fields, changes)
        updates, writes = _planned_updates(client, fields, changes.cells, values, options, context)
        await check_cited(client, fields, changes, values, row_of, creates, create_rows)
        checked = await checking
    finally:
        checking.cancel()
    if checked.conflicts.height and conflicts == "refuse":
        raise ConflictError(conflict_message(model, checked.conflicts), conflicts=checked.conflicts)
    archived = {i for i in updates if checked.read.get(i, {}).get(active) is False} if active else set()
    if archived or _cell_count(checked.cells) != _cell_count(changes.cells):  # the check left cells out
        updates, writes = _planned_updates(client, fields, checked.cells, values, options, context, archived)

    stages: list[Stage] = []
    if writes is not None:
        stages.append(writes)
    created = create_requests(client, model, creates, options, context) if creates else None
    if created is not None:
        stages.append(created)
    if checked.delete_ids:
        one = Options.of(len(checked.delete_ids), 1, progress, False)
        stages.append(unlink_requests(client, model, checked.delete_ids, one, context))
    resize: Resize | None = None
    if writes is not None and rows_per_call is None and _rows_to_load(writes[1]) > DEFAULT_ROWS_PER_CALL:
        stages[0], resize = _paced(writes, options.concurrency)
    requests = sum(len(reqs) for _, reqs in stages)
    # the updates' last requests are the transaction's final writes when nothing is sent after them
    final = options.concurrency if len(stages) == 1 and writes is not None else 0
    recheck = Recheck(client, changes, checked, updates, conflicts, context, final)
    if requests > 1:  # several requests are each checked again, but for those sent right after the check
        stages = [
            (operation, [
                (call, recheck.guarded(operation, call, send, fresh=index < options.concurrency))
                for index, (call, send) in enumerate(reqs)
            ])
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
            paced = writes is not None and operation is writes[0]
            result = await execute([operation], reqs, options, model, resize if paced else None)
            batches.append(result)
            if not result.ok:  # the error's result holds every request: those after it "skipped"
                whole = BatchResult([op for op, _ in stages], sum(done.duration for done in batches))
                raise BatchError(await _failure(client, fields, result, describe), result=whole)

    if checked.delete_ids or (created is not None and requests > 1):
        await _check_unlink_right(client, model, bool(checked.delete_ids))
    if requests <= 1:
        try:
            await run()
        except BatchError as exc:
            raise BatchError(f"{exc}; {_one_request_outcome(exc.result)}", result=exc.result) from None
    else:
        try:
            async with Transaction(client, allow_unlink=True, progress=progress) as recheck.transaction:
                await run()
        except BatchError as exc:
            if recheck.refusal is not None:
                raise recheck.refusal from None
            raise BatchError(f"{exc}; {_rolled_back(exc.result)}", result=exc.result) from None
    created_ids = [i for i in created[0].ids if i is not None] if created is not None else []
    made = dict(zip(create_rows, created_ids, strict=True))
    database = client.cache_scope[:2]
    already_created = list(changes.created_by_apply.get(database, {}).values())
    if made:  # a later apply() of these changes to this database leaves them out
        changes.created_by_apply.setdefault(database, {}).update(made)

    def written() -> pl.DataFrame:
        cells = {  # less the cells a re-check left out
            name: frame.filter(~pl.col("id").is_in(list(recheck.left_out.get(name, ()))))
            for name, frame in checked.cells.items()
        }
        return changes.written(cells, made, checked.delete_ids)

    return WriteBackResult(
        model=model,
        preview=written,
        conflicts=pl.concat([checked.conflicts, *recheck.conflicts]),
        created_ids=created_ids,
        deleted_ids=list(checked.delete_ids),
        already_done=checked.already_done + recheck.already_done,
        already_deleted=checked.already_deleted + recheck.gone,
        not_deleted=0 if deletes else changes.deleted,
        already_created=already_created,
        requests=sum(len(operation.calls) for operation, _ in stages),  # paced: as resized
        transaction=requests > 1,
        batches=batches,
    )
