"""``client.batch()``: collect creates, updates and deletes, then send them grouped and in order.

A batch runs its creates first, a create that refers to records of another create of the batch
(``batch.create("res.partner", {"parent_id": company})``) after that one; then its updates, then
its deletes. Within each step the operations of one model and context are merged: creates into
chunked ``create([...])`` requests, updates as ``bulk_write`` sends them (identical values by one
``write``, distinct ones by ``load`` or one ``write`` each), deletes into chunked ``unlink``.
An operation that refers to records whose create did not succeed is not sent (``skipped``).

``atomic=True`` sends the whole batch as one request, so that a failure leaves the server
untouched: creates on one model (children as x2many commands included) as one ``create``,
updates of identical values as one ``write``, deletes as one ``unlink``, creates and updates of
one model setting the same fields as one ``load``. A batch that does not fit in one request is
refused before anything is sent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from zenoo.exceptions import ClientError, InvalidValueError
from zenoo.fields.metadata import model_fields
from zenoo.protocols.base import check_ids
from zenoo.seams import OdooClient
from zenoo.writing.bulk import (
    checked_rows,
    checked_updates,
    create_requests,
    unlink_requests,
    value_rows,
    values_key,
    write_requests,
)
from zenoo.writing.load import archived_ids, load_context, load_rows, send_load
from zenoo.writing.pending import (
    PLACEHOLDER_ID,
    PendingRecords,
    Queued,
    count_records,
    model_name,
    references,
    resolved,
)
from zenoo.writing.progress import Progress, ProgressOption
from zenoo.writing.results import BatchResult, CallResult, OperationResult
from zenoo.writing.running import Options, Stage, deadline_of, run_stage


@dataclass
class _Op:
    kind: Literal["create", "update", "delete"]
    model: str
    context: dict[str, Any] | None
    priority: int
    rows: list[Mapping[str, Any]] = field(default_factory=list)  # create
    updates: list[tuple[Any, Mapping[str, Any]]] = field(default_factory=list)  # update: (ids, values)
    ids: Any = None  # delete
    handle: PendingRecords | None = None

    @property
    def refs(self) -> list[PendingRecords]:
        return references([self.rows, self.updates, self.ids])

    @property
    def size(self) -> int:
        if self.kind == "create":
            return len(self.rows)
        if self.kind == "update":
            return sum(count_records(ids) for ids, _values in self.updates)
        return count_records(self.ids)


def _context_key(context: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), repr(v)) for k, v in (context or {}).items()))


class Batch:
    """Operations collected to be sent together (see the module docstring).

    ``async with client.batch() as batch:`` runs them when the block ends without error (and
    raises :class:`BatchError` if some did not complete); ``await batch.execute()`` runs them and
    returns the :class:`BatchResult` (zenoo-rpc's ``create_batch()`` form).
    """

    def __init__(
        self,
        client: OdooClient,
        options: Options | None = None,
        *,
        atomic: bool = False,
        context: Mapping[str, Any] | None = None,
        batch_id: str | None = None,
    ) -> None:
        if not isinstance(atomic, bool):
            raise InvalidValueError(f"atomic must be True or False, got {atomic!r}")
        if context is not None and not isinstance(context, Mapping):
            raise InvalidValueError(f"context must be a dict, got {type(context).__name__}")
        self.client = client
        self.options = options or Options()
        self.atomic = atomic
        self.context = dict(context or {})
        self.batch_id = batch_id
        self.operations: list[_Op] = []
        self.result: BatchResult | None = None

    # --- collecting ------------------------------------------------------------------------------

    def _add(self, op: _Op) -> None:
        if self.result is not None:
            raise ClientError("this batch has already run: start a new one")
        if op.context is not None and not isinstance(op.context, Mapping):
            raise InvalidValueError(f"context must be a dict, got {type(op.context).__name__}")
        op.context = {**self.context, **(op.context or {})} or None
        self.operations.append(op)

    def create(
        self, model: Any, records: Any, context: Mapping[str, Any] | None = None, priority: int = 0
    ) -> PendingRecords:
        """Create one record (a dict) or several (a list of dicts); returns their PendingRecords."""
        name = model_name(model)
        rows = value_rows(records, "create()")
        handle = PendingRecords(name, len(rows), isinstance(records, Mapping))
        self._add(_Op("create", name, dict(context) if context else None, priority, rows=rows, handle=handle))
        return handle

    def create_many(
        self, model: Any, records: Any, context: Mapping[str, Any] | None = None, priority: int = 0
    ) -> PendingRecords:
        """zenoo-rpc's name for :meth:`create` of a list (a model class is accepted)."""
        return self.create(model, records, context, priority)

    def update(
        self,
        model: Any,
        data: Any,
        record_ids: Any = None,
        context: Mapping[str, Any] | None = None,
        priority: int = 0,
    ) -> Queued:
        """Write ``data`` (a dict) on ``record_ids``; or ``data`` is a list of dicts each with its
        ``"id"``. zenoo-rpc's other order, ``update(model, record_ids, data)``, is accepted too."""
        name = model_name(model)
        if not isinstance(data, Mapping) and isinstance(record_ids, Mapping):
            data, record_ids = record_ids, data
        if isinstance(data, Mapping):
            if record_ids is None:
                raise InvalidValueError("update() of one dict of values needs record_ids")
            updates = [(record_ids, data)]
        else:
            if record_ids is not None:
                raise InvalidValueError("update() of a list of dicts takes the ids from each dict's 'id'")
            updates = []
            for index, item in enumerate(value_rows(data, "update()")):
                if "id" not in item:
                    raise InvalidValueError(f"update(): item {index} has no 'id'")
                updates.append((item["id"], {k: v for k, v in item.items() if k != "id"}))
        self._add(_Op("update", name, dict(context) if context else None, priority, updates=updates))
        return Queued("update", name)

    def write_many(self, model: Any, updates: Sequence[Mapping[str, Any]], context: Mapping[str, Any] | None = None) -> Queued:
        """zenoo-rpc's form: ``[{"id": 1, "values": {...}}, ...]``."""
        items = []
        for index, item in enumerate(value_rows(updates, "write_many()")):
            if "id" not in item or not isinstance(item.get("values"), Mapping):
                raise InvalidValueError(f"write_many(): item {index} needs 'id' and a dict of 'values'")
            items.append({"id": item["id"], **item["values"]})
        return self.update(model, items, context=context)

    def delete(
        self, model: Any, record_ids: Any, context: Mapping[str, Any] | None = None, priority: int = 0
    ) -> Queued:
        """Delete ``record_ids`` (ids, or PendingRecords of this batch)."""
        name = model_name(model)
        self._add(_Op("delete", name, dict(context) if context else None, priority, ids=record_ids))
        return Queued("delete", name)

    def unlink(self, model: Any, record_ids: Any, context: Mapping[str, Any] | None = None) -> Queued:
        """zenoo-rpc's name for :meth:`delete`."""
        return self.delete(model, record_ids, context)

    def get_operation_count(self) -> int:
        """How many operations are collected (zenoo-rpc's name)."""
        return len(self.operations)

    def get_record_count(self) -> int:
        """How many records the collected operations carry."""
        return sum(op.size for op in self.operations)

    def clear(self) -> Self:
        """Forget the collected operations (before the batch runs)."""
        if self.result is not None:
            raise ClientError("this batch has already run: it cannot be cleared")
        self.operations.clear()
        return self

    # --- running ---------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None and self.result is None:
            (await self.execute()).raise_for_errors()

    async def execute(self, progress_callback: ProgressOption | None = None) -> BatchResult:
        """Send the operations; the BatchResult tells per request what was done, failed or is unknown.

        Every value is checked before the first request is sent. ``progress_callback`` overrides
        the batch's ``progress`` option.
        """
        if self.result is not None:
            raise ClientError("this batch has already run: start a new one")
        options = self.options
        progress = Progress(options.progress if progress_callback is None else progress_callback,
                            self.get_record_count(), "batch")  # fmt: skip
        start = time.perf_counter()
        try:
            if self.atomic:
                operations = await self._run_atomic(progress)
            else:
                operations = await self._run(progress)
        finally:
            progress.close()
        self.result = BatchResult(operations, time.perf_counter() - start)
        return self.result

    async def _checked(self) -> dict[int, Any]:
        """Every operation's values checked before anything is sent; those without references
        are kept converted (the others are converted again once their references resolve)."""
        checked: dict[int, Any] = {}
        validate = self.options.validate
        for index, op in enumerate(self.operations):
            if op.kind == "create":
                rows = await checked_rows(self.client, op.model, [resolved(r, True) for r in op.rows], validate)
                if not references(op.rows):
                    checked[index] = rows
            elif op.kind == "update":
                for ids, values in op.updates:
                    ids = resolved(ids, True)
                    check_ids(ids)
                    await checked_updates(self.client, op.model, {PLACEHOLDER_ID: resolved(values, True)}, validate)
            else:
                check_ids(resolved(op.ids, True))
        return checked

    def _ordered(self, kind: str) -> list[tuple[int, _Op]]:
        found = [(index, op) for index, op in enumerate(self.operations) if op.kind == kind]
        return sorted(found, key=lambda item: -item[1].priority)

    async def _run(self, progress: Progress) -> list[OperationResult]:
        checked = await self._checked()
        deadline = deadline_of(self.options)
        results: list[OperationResult] = []
        # creates, in stages: a create runs after the creates it refers to
        stage_of: dict[int, int] = {}
        handles = {id(op.handle): index for index, op in enumerate(self.operations) if op.handle is not None}
        for index, op in self._ordered("create"):
            stage_of[index] = self._stage(index, handles, stage_of, set())
        for stage in sorted(set(stage_of.values())):
            members = [(i, op) for i, op in self._ordered("create") if stage_of[i] == stage]
            requests = []
            groups: dict[tuple[Any, ...], list[tuple[int, _Op]]] = {}
            for index, op in members:
                if self._blocked(op, results):
                    continue
                groups.setdefault((op.model, _context_key(op.context)), []).append((index, op))
            for (model, _key), group in groups.items():
                rows: list[dict[str, Any]] = []
                spans = []
                for index, op in group:
                    mine = checked.get(index)
                    if mine is None:
                        mine = await checked_rows(self.client, model, [resolved(r) for r in op.rows], self.options.validate)
                    spans.append((op, range(len(rows), len(rows) + len(mine))))
                    rows += mine
                operation, reqs = create_requests(self.client, model, rows, self.options, group[0][1].context)
                for op, span in spans:
                    op.handle._bind(operation, span)  # type: ignore[union-attr]
                results.append(operation)
                requests += reqs
            await run_stage(requests, self.options, progress, deadline)
        # updates: merged per model and context, then by identical values
        requests = []
        merged: dict[tuple[Any, ...], tuple[dict[str, Any] | None, dict[int, dict[str, Any]]]] = {}
        for _index, op in self._ordered("update"):
            if self._blocked(op, results):
                continue
            _context, target = merged.setdefault((op.model, _context_key(op.context)), (op.context, {}))
            for ids, values in op.updates:
                for record_id in check_ids(resolved(ids)):
                    target.setdefault(record_id, {}).update(resolved(values))
        for (model, _key), (context, updates) in merged.items():
            checked_values = await checked_updates(self.client, model, updates, self.options.validate)
            fields = await model_fields(self.client, model)
            archived = await archived_ids(self.client, fields, list(checked_values), context)
            operation, reqs = write_requests(self.client, fields, checked_values, self.options, context, archived)
            results.append(operation)
            requests += reqs
        # deletes: merged per model and context
        deletes: dict[tuple[Any, ...], tuple[dict[str, Any] | None, list[int]]] = {}
        for _index, op in self._ordered("delete"):
            if self._blocked(op, results):
                continue
            _context, ids = deletes.setdefault((op.model, _context_key(op.context)), (op.context, []))
            ids += check_ids(resolved(op.ids))
        await run_stage(requests, self.options, progress, deadline)
        requests = []
        for (model, _key), (context, ids) in deletes.items():
            operation, reqs = unlink_requests(self.client, model, list(dict.fromkeys(ids)), self.options, context)
            results.append(operation)
            requests += reqs
        await run_stage(requests, self.options, progress, deadline)
        return results

    def _stage(self, index: int, handles: dict[int, int], stage_of: dict[int, int], seen: set[int]) -> int:
        if index in stage_of:
            return stage_of[index]
        if index in seen:
            raise InvalidValueError("a batch's creates refer to each other in a cycle")
        seen.add(index)
        needs = [handles[id(ref)] for ref in self.operations[index].refs if id(ref) in handles]
        for other in needs:
            if self.operations[other].kind != "create":
                raise InvalidValueError("a batch refers to records of an operation that is not one of its creates")
        stage = 1 + max((self._stage(other, handles, stage_of, seen) for other in needs), default=-1)
        stage_of[index] = stage
        return stage

    def _blocked(self, op: _Op, results: list[OperationResult]) -> bool:
        """True (and a skipped result recorded) when ``op`` refers to records not created."""
        for ref in op.refs:
            if ref._operation is None:
                raise InvalidValueError(f"this batch refers to records of a {ref.model} create that is not in it")
            if ref.state != "done":
                kind: Literal["create", "write", "unlink"] = (
                    "create" if op.kind == "create" else ("write" if op.kind == "update" else "unlink")
                )
                skipped = OperationResult(kind, op.model, op.size)
                skipped.calls.append(
                    CallResult(kind, op.model, range(op.size), note=f"not sent: it refers to a {ref.model} create that is {ref.state}")
                )
                if op.handle is not None:
                    op.handle._bind(skipped, range(op.size))
                results.append(skipped)
                return True
        return False

    # --- atomic mode -----------------------------------------------------------------------------

    async def _run_atomic(self, progress: Progress) -> list[OperationResult]:
        ops = self.operations
        if not ops:
            return []
        refused = self._atomic_refusal()
        if refused:
            raise InvalidValueError(f"atomic batch: {refused}; it cannot be sent as one request")
        model, context = ops[0].model, ops[0].context
        kinds = {op.kind for op in ops}
        validate = self.options.validate
        if kinds == {"delete"}:
            ids = list(dict.fromkeys(i for op in ops for i in check_ids(op.ids)))
            operation, requests = unlink_requests(self.client, model, ids, _one_request(self.options, len(ids)), context)
            await run_stage(requests, self.options, progress, deadline_of(self.options))
            return [operation]
        rows: list[dict[str, Any]] = []
        spans = []
        for op in ops:
            if op.kind == "create":
                mine = await checked_rows(self.client, model, op.rows, validate)
                spans.append((op, range(len(rows), len(rows) + len(mine))))
                rows += mine
        updates: dict[int, dict[str, Any]] = {}
        for op in ops:
            for ids, values in op.updates:
                for record_id in check_ids(ids):
                    updates.setdefault(record_id, {}).update(values)
        updates = await checked_updates(self.client, model, updates, validate)
        if not updates:
            operation, requests = create_requests(self.client, model, rows, _one_request(self.options, len(rows)), context)
        elif not rows and len({values_key(v) for v in updates.values()}) == 1:
            fields = await model_fields(self.client, model)
            operation, requests = write_requests(
                self.client, fields, updates, _one_request(self.options, len(updates), via="write"), context
            )
        else:
            operation, requests = await self._load_request(model, rows, updates, context)
        for op, span in spans:
            op.handle._bind(operation, span)  # type: ignore[union-attr]
        await run_stage(requests, self.options, progress, deadline_of(self.options))
        return [operation]

    def _atomic_refusal(self) -> str:
        ops = self.operations
        models = sorted({op.model for op in ops})
        if len(models) > 1:
            return f"it writes on {', '.join(models)} (one request writes on one model; children go as x2many commands)"
        if len({_context_key(op.context) for op in ops}) > 1:
            return "its operations have different contexts"
        if any(op.refs for op in ops):
            return "an operation refers to records the batch creates (that takes two requests)"
        if "delete" in {op.kind for op in ops} and len({op.kind for op in ops}) > 1:
            return "it mixes deletes with creates or updates"
        return ""

    async def _load_request(
        self,
        model: str,
        rows: list[dict[str, Any]],
        updates: dict[int, dict[str, Any]],
        context: Mapping[str, Any] | None,
    ) -> Stage:
        """Creates (``rows``) and updates as one ``load`` (creates first, then updates)."""
        version = self.client.server_version or (0,)
        if rows and int(version[0]) < 19:
            raise InvalidValueError(
                f"atomic batch on {model}: before Odoo 19, load cannot mix new rows with updates (an empty "
                ".id is an error); send the creates and the updates as two batches"
            )
        records: list[tuple[int | None, Mapping[str, Any]]] = [(None, row) for row in rows] + list(updates.items())
        names = {tuple(sorted(values)) for _, values in records}
        if len(names) > 1:
            raise InvalidValueError(
                f"atomic batch on {model}: its creates and updates set different fields ({sorted(names)}); "
                "one load needs the same fields on every row"
            )
        fields = await model_fields(self.client, model)
        order = list(records[0][1])
        columns, rows_or_none = load_rows(
            fields, [record_id or 0 for record_id, _ in records], [{n: v[n] for n in order} for _, v in records]
        )
        cells = [row for row in rows_or_none if row is not None]
        if len(cells) < len(records):
            raise InvalidValueError(
                f"atomic batch on {model}: some values cannot be sent as import text (x2many, binary, "
                "empty or padded strings…), so creates and updates cannot go as one load"
            )
        cells[: len(rows)] = [("", *row[1:]) for row in cells[: len(rows)]]  # a new row: no .id
        operation = OperationResult("load", model, len(records))
        sent_in = load_context(fields, columns, context)
        archived = await archived_ids(self.client, fields, list(updates), context)
        if archived:  # the load must see them, which it may only without a many2many column
            if any(fields.type_of(column.split("/", 1)[0]) == "many2many" for column in columns):
                raise InvalidValueError(
                    f"atomic batch on {model}: record {min(archived)} is archived, and a load that finds "
                    "archived records would also unlink the archived records a many2many links; send it in a "
                    "batch that is not atomic"
                )
            sent_in = {**(sent_in or {}), "active_test": False}

        async def send(result: CallResult) -> None:
            await send_load(self.client, model, result, sent_in)

        call = CallResult("load", model, range(len(records)), values=(columns, cells))
        operation.calls.append(call)
        return operation, [(call, send)]


def _one_request(options: Options, size: int, via: str = "auto") -> Options:
    return Options(max(size, 1), 1, options.progress, options.validate, via, options.timeout)  # type: ignore[arg-type]
