"""Bulk writes: many records in few requests, sent concurrently, never re-sent when they may have run.

- ``bulk_create``: ``create([...])`` in chunks; ids come back in input order.
- ``bulk_write``: records that receive identical values share one ``write`` when they are ten or
  more, or all of them (any group with ``via="write"``); the others go in ``load`` chunks (one
  request per chunk of rows, all-or-nothing per chunk, see :mod:`zenoo.writing.load`) when their
  values can be written exactly as import text, else in one ``write`` each, sent concurrently.
- ``bulk_unlink``: ``unlink`` in chunks.

The requests are run by :mod:`zenoo.writing.running`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import orjson

from zenoo.exceptions import InvalidValueError
from zenoo.fields.metadata import ModelFields, model_fields
from zenoo.fields.writing import checked_create_values, checked_write_values, known_defaults, to_write_values
from zenoo.protocols.base import check_ids
from zenoo.seams import OdooClient
from zenoo.writing.created import answered_ids
from zenoo.writing.load import archived_ids, load_context, load_rows, send_load
from zenoo.writing.results import BatchResult, CallResult, OperationResult
from zenoo.writing.running import Options, Requests, Send, Stage, execute


def chunks(size: int, chunk_size: int) -> list[range]:
    """Ranges of at most ``chunk_size`` positions covering ``range(size)``."""
    return [range(start, min(start + chunk_size, size)) for start in range(0, size, chunk_size)]


# --- create --------------------------------------------------------------------------------------


def value_rows(values: Any, what: str) -> list[Mapping[str, Any]]:
    """A list of dicts of field values (one dict is one row)."""
    if isinstance(values, Mapping):
        return [values]
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidValueError(f"{what} needs a dict or a list of dicts of field values, got {type(values).__name__}")
    rows = list(values)
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidValueError(f"{what} needs dicts of field values; item {index} is a {type(row).__name__}")
    return rows


async def checked_rows(client: OdooClient, model: str, rows: Sequence[Mapping[str, Any]], validate: bool) -> list[dict[str, Any]]:
    """Every row checked and converted for ``create`` before anything is sent (:func:`_checked_values`)."""
    return await _checked_values(client, model, rows, creating=True) if validate else [dict(row) for row in rows]


async def _checked_values(
    client: OdooClient, model: str, rows: Iterable[Mapping[str, Any]], *, creating: bool
) -> list[dict[str, Any]]:
    """Each row checked and converted for ``create`` (``creating``) or ``write``.

    The fields (and, for creates, the server defaults) are fetched once; the "required field
    missing" check runs once per distinct set of field names; a row with x2many ``(0, 0, {...})``
    commands goes the whole way (its children's values are checked against their own model).
    """
    rows = list(rows)
    if not rows:
        return []
    fields = await model_fields(client, model)
    defaults = await known_defaults(client, fields) if creating else None
    x2many = {name for name, field in fields.fields.items() if field.get("type") in ("one2many", "many2many")}
    checked_names: set[frozenset[str]] = set()
    out = []
    for row in rows:
        if not x2many.isdisjoint(row) and any(_has_commands(row[name]) for name in x2many.intersection(row)):
            check = checked_create_values if creating else checked_write_values
            out.append(await check(client, model, row))
            continue
        row_defaults = None  # given, to_write_values checks that the required fields are all there
        if creating:
            names = frozenset(row)
            if names not in checked_names:
                checked_names.add(names)
                row_defaults = defaults
        out.append(to_write_values(fields, row, creating=creating, defaults=row_defaults))
    return out


def _has_commands(value: Any) -> bool:
    return isinstance(value, list | tuple) and any(
        isinstance(item, list | tuple) and len(item) == 3 and isinstance(item[2], Mapping) for item in value
    )


def create_requests(
    client: OdooClient, model: str, rows: list[dict[str, Any]], options: Options, context: Mapping[str, Any] | None
) -> Stage:
    """One ``create([...])`` request per chunk of ``rows``, and their operation."""
    operation = OperationResult("create", model, len(rows))

    async def send(result: CallResult) -> None:
        answer = await client.call(model, "create", args=(result.values,), context=context)
        result.ids = answered_ids(model, answer, len(result.rows))

    requests: list[tuple[CallResult, Send]] = []
    for rows_range in chunks(len(rows), options.chunk_size):
        call = CallResult("create", model, rows_range, values=rows[rows_range.start : rows_range.stop])
        operation.calls.append(call)
        requests.append((call, send))
    return operation, requests


async def bulk_create(
    client: OdooClient, model: str, rows: Any, options: Options, context: Mapping[str, Any] | None = None
) -> BatchResult:
    """Check ``rows``, then create them in chunked, concurrent requests."""
    checked = await checked_rows(client, model, value_rows(rows, "bulk_create()"), options.validate)
    operation, requests = create_requests(client, model, checked, options, context)
    return await execute([operation], requests, options, model)


# --- write ---------------------------------------------------------------------------------------

def values_key(values: Mapping[str, Any]) -> bytes:
    """The same bytes for equal values, whatever their key order: what groups identical writes."""
    return orjson.dumps(values, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _sharing(rows_values: Sequence[Mapping[str, Any]]) -> dict[int, list[int]]:
    """The rows whose values later rows repeat: the first such row -> every row with them.

    Keyed by the hash of :func:`values_key`, whose bytes are not kept (keeping 10,000 of them
    alive makes each new one slower to allocate than the key is to make again); rows whose keys
    only share a hash stay apart."""
    first_with: dict[int, int] = {}  # hash of the values -> the first row that has them
    sharing: dict[int, list[int]] = {}
    for row, values in enumerate(rows_values):
        key = values_key(values)
        first = first_with.setdefault(hash(key), row)
        if first != row and values_key(rows_values[first]) == key:
            sharing.setdefault(first, [first]).append(row)
    return sharing


#: Fewer records than this receiving identical values go by ``load`` with the others: on real Odoo
#: a request costs about what loading five rows does, and a write-back checks each request again.
SHARED_WRITE_MIN = 10


def _shared_writes(rows_values: Sequence[Mapping[str, Any]], options: Options) -> dict[int, list[int]]:
    """The rows that share a ``write`` (as :func:`_sharing` gives them). Rows that fit in one request
    go as one: one ``write`` when they all receive the same values, else one ``load``. Above that, a
    group shares a ``write`` when it has ``SHARED_WRITE_MIN`` records (``via="write"``: any group)."""
    sharing = _sharing(rows_values)
    if options.via == "write":
        return sharing
    if len(rows_values) == 1 and options.via == "auto":  # one record: one write (load is not write:
        # Odoo refuses some writes by load, a user's own preferences on res.users among them)
        return {0: [0]}
    if len(rows_values) <= options.chunk_size:
        return sharing if any(len(rows) == len(rows_values) for rows in sharing.values()) else {}
    return {first: rows for first, rows in sharing.items() if len(rows) >= SHARED_WRITE_MIN}


async def checked_updates(
    client: OdooClient, model: str, updates: Mapping[Any, Mapping[str, Any]], validate: bool
) -> dict[int, dict[str, Any]]:
    """``{id: values}`` with every id and value checked and converted before anything is sent."""
    if not isinstance(updates, Mapping):
        raise InvalidValueError(f"bulk_write() needs a dict {{id: values}}, got {type(updates).__name__}")
    ids = check_ids(list(updates))
    for record_id, values in zip(ids, updates.values(), strict=True):
        if type(values) is not dict and not isinstance(values, Mapping):
            raise InvalidValueError(f"bulk_write(): the values of record {record_id} are a {type(values).__name__}, not a dict")
    if not validate:
        return {record_id: dict(values) for record_id, values in zip(ids, updates.values(), strict=True)}
    return dict(zip(ids, await _checked_values(client, model, updates.values(), creating=False), strict=True))


def write_requests(
    client: OdooClient,
    fields: ModelFields,
    updates: dict[int, dict[str, Any]],
    options: Options,
    context: Mapping[str, Any] | None,
    archived: Collection[int] = (),
) -> Stage:
    """Records with identical values share a ``write`` (chunked by ids; see :func:`_shared_writes`);
    the others go by ``load`` (grouped by the fields they set) or by one ``write`` each, as
    ``options.via`` says; the ``archived`` ones (:func:`archived_ids`) never by ``load``."""
    model = fields.model
    targets = list(updates)
    rows_values = list(updates.values())
    operation = OperationResult("write", model, len(targets), targets=targets)
    sharing = _shared_writes(rows_values, options)
    repeats = {row for rows in sharing.values() for row in rows[1:]}
    firsts = [row for row in range(len(rows_values)) if row not in repeats]

    async def send_write(result: CallResult) -> None:
        result.ids = [targets[row] for row in result.rows]
        await client.call(model, "write", ids=result.ids, args=(result.values,), context=context)

    async def send_load_rows(result: CallResult) -> None:
        await send_load(client, model, result, load_context(fields, result.values[0], context))

    requests: list[tuple[CallResult, Send]] = []
    singles: dict[tuple[str, ...], list[int]] = {}  # rows by the fields they set
    for first in firsts:
        rows = sharing.get(first, [first])
        values = rows_values[first]
        if len(rows) == 1 and options.via != "write" and first not in sharing:
            singles.setdefault(tuple(values), []).append(first)
            continue
        for part in chunks(len(rows), options.chunk_size):
            requests.append((CallResult("write", model, _as_range(rows[part.start : part.stop]), values=values), send_write))
    for rows in singles.values():
        columns, cells = load_rows(fields, [targets[row] for row in rows], [rows_values[row] for row in rows])
        loadable = [(row, cell) for row, cell in zip(rows, cells, strict=True)
                    if cell is not None and targets[row] not in archived]  # fmt: skip
        by_write = [row for row, cell in zip(rows, cells, strict=True) if cell is None or targets[row] in archived]
        if by_write and options.via == "load":
            raise InvalidValueError(
                f"bulk_write(via='load') on {model}: record {targets[by_write[0]]} is archived or its values "
                "cannot be sent as import text (x2many, binary, empty or padded strings…): use via='auto'"
            )
        for part in chunks(len(loadable), options.chunk_size):
            members = loadable[part.start : part.stop]
            load = (columns, [cell for _, cell in members])
            requests.append((CallResult("load", model, _as_range([row for row, _ in members]), values=load), send_load_rows))
        same: dict[bytes, list[int]] = {}  # those that cannot load still share a write with their equals
        for row in by_write:
            same.setdefault(values_key(rows_values[row]), []).append(row)
        for equal in same.values():
            for part in chunks(len(equal), options.chunk_size):
                values = rows_values[equal[0]]
                requests.append((CallResult("write", model, _as_range(equal[part.start : part.stop]), values=values), send_write))
    operation.calls = [call for call, _ in requests]  # in the order they are sent
    return operation, requests


def rechunk_loads(requests: Requests, size: int) -> list[tuple[CallResult, Send]]:
    """``requests`` with each run of consecutive ``load`` requests of the same columns cut again
    into requests of ``size`` rows (the same rows, in the same order, sent by the run's first
    request's send: the loads of one operation share theirs); the others as they are."""
    out: list[tuple[CallResult, Send]] = []
    run: list[tuple[CallResult, Send]] = []

    def flush() -> None:
        if not run:
            return
        (first, send), columns = run[0], run[0][0].values[0]
        rows = [row for call, _ in run for row in call.rows]
        cells = [cell for call, _ in run for cell in call.values[1]]
        for part in chunks(len(rows), size):
            values = (columns, cells[part.start : part.stop])
            out.append((CallResult("load", first.model, _as_range(rows[part.start : part.stop]), values=values), send))
        run.clear()

    for call, send in requests:
        if call.method != "load" or (run and call.values[0] != run[0][0].values[0]):
            flush()
        if call.method == "load":
            run.append((call, send))
        else:
            out.append((call, send))
    flush()
    return out


def _as_range(rows: list[int]) -> Sequence[int]:
    """The rows of a request (ascending): a range when contiguous, else a tuple."""
    if rows[-1] - rows[0] == len(rows) - 1:
        return range(rows[0], rows[-1] + 1)
    return tuple(rows)


async def bulk_write(
    client: OdooClient,
    model: str,
    updates: Mapping[Any, Mapping[str, Any]],
    options: Options,
    context: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Check ``updates``, then write them: identical values shared, distinct ones by ``load`` or ``write``."""
    checked = await checked_updates(client, model, updates, options.validate)
    fields = await model_fields(client, model)
    if checked:
        await client.require_write_access(model)
    archived = await archived_ids(client, fields, list(checked), context) if options.via != "write" else set()
    operation, requests = write_requests(client, fields, checked, options, context, archived)
    return await execute([operation], requests, options, model)


# --- unlink --------------------------------------------------------------------------------------


def unlink_requests(
    client: OdooClient, model: str, ids: list[int], options: Options, context: Mapping[str, Any] | None
) -> Stage:
    """One ``unlink`` request per chunk of ``ids``, and their operation."""
    operation = OperationResult("unlink", model, len(ids), targets=ids)

    async def send(result: CallResult) -> None:
        result.ids = [ids[row] for row in result.rows]
        await client.call(model, "unlink", ids=result.ids, context=context)

    requests: list[tuple[CallResult, Send]] = []
    for rows in chunks(len(ids), options.chunk_size):
        call = CallResult("unlink", model, rows)
        operation.calls.append(call)
        requests.append((call, send))
    return operation, requests


async def bulk_unlink(
    client: OdooClient, model: str, ids: Any, options: Options, context: Mapping[str, Any] | None = None
) -> BatchResult:
    """Delete ``ids`` in chunked, concurrent requests."""
    id_list = list(dict.fromkeys(check_ids(ids)))
    operation, requests = unlink_requests(client, model, id_list, options, context)
    return await execute([operation], requests, options, model)
