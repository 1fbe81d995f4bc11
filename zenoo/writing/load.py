"""Writing records with ``load``: values as import text, and one ``load`` request.

``load`` imports rows of text for one model, all or nothing; ``bulk_write`` and atomic batches use it
to write distinct values to many records in one request. Only values whose import text ``load``
stores exactly as ``write`` would store the value go this way (:func:`import_text`); datetimes are
sent in UTC, with ``tz=UTC`` in the context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zenoo.exceptions import ConcurrentUpdateError, OdooServerError, ProtocolError
from zenoo.fields.metadata import ModelFields
from zenoo.seams import OdooClient
from zenoo.writing.results import CallResult

#: Field types whose values ``load`` reads back exactly as ``write`` would store them.
_LOAD_TEXT = frozenset({"char", "text", "html", "selection", "date", "datetime"})
_LOAD_NUMBER = frozenset({"integer", "float", "monetary"})


def import_text(field: Mapping[str, Any]) -> Callable[[Any], str | None]:
    """For values of ``field`` (already in write form): each as import text, or None when ``load``
    would not store the same thing (then the record is written with ``write``).

    Empty cells clear a field in ``load``; an empty string is therefore only sent when it means
    "empty" for the type, and a char value of "" (which ``write`` stores as "") goes by ``write``.
    """
    kind = field.get("type")
    if kind == "boolean":
        return _boolean_cell
    if kind in _LOAD_TEXT:
        return _text_cell
    if kind in _LOAD_NUMBER:
        return _number_cell
    if kind == "many2one":
        return _id_cell
    if kind == "many2many":  # load's comma-separated ids set the relation (none: an empty cell clears it)
        return _ids_cell
    return _no_cell


def _boolean_cell(value: Any) -> str | None:
    return ("1" if value else "0") if isinstance(value, bool) else None


def _text_cell(value: Any) -> str | None:
    if value is False or value is None:
        return ""
    return value if isinstance(value, str) and value and value == value.strip() else None


def _number_cell(value: Any) -> str | None:
    if value is False or value is None:
        return ""
    return repr(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _id_cell(value: Any) -> str | None:
    if value is False or value is None:
        return ""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _ids_cell(value: Any) -> str | None:
    ids = replaced_ids(value)
    return None if ids is None else ",".join(map(str, ids))


def _no_cell(value: Any) -> None:
    return None


def replaced_ids(value: Any) -> list[int] | None:
    """The ids of a many2many value that replaces the relation (``[(6, 0, ids)]``), or None for any
    other value."""
    if not (isinstance(value, list | tuple) and len(value) == 1 and isinstance(value[0], list | tuple)):
        return None
    command = value[0]
    if len(command) != 3 or command[0] != 6 or not isinstance(command[2], list | tuple):
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in command[2]):
        return None
    return list(command[2])


def load_context(
    fields: ModelFields, columns: Sequence[str], context: Mapping[str, Any] | None
) -> Mapping[str, Any] | None:
    """The context of a ``load`` of ``columns``: the caller's, with ``tz=UTC`` when it carries
    datetimes, which ``load`` reads in the context's time zone and zenoo sends in UTC. Only then:
    the context's ``tz`` is also what new records take as their default one (res.partner.tz)."""
    if any(fields.type_of(column.split("/", 1)[0]) == "datetime" for column in columns if column != ".id"):
        return {**(context or {}), "tz": "UTC"}
    return context


async def archived_ids(
    client: OdooClient, fields: ModelFields, ids: Sequence[int], context: Mapping[str, Any] | None
) -> set[int]:
    """Those of ``ids`` that are archived while the context hides archived records: ``load`` looks
    each ``.id`` up with a search, which does not find them, so they go by ``write``. (Showing
    archived records to the whole ``load`` would not do: a many2many it replaces would then lose
    its links to archived records, which ``write`` keeps.) One ``search``; none when the model has
    no ``active`` field or the context shows archived records."""
    active = fields.active_name
    if active is None or not ids or (context or {}).get("active_test") is False:
        return set()
    domain = [("id", "in", list(ids)), (active, "=", False)]
    found = await client.call(fields.model, "search", kwargs={"domain": domain},
                              context={**(context or {}), "active_test": False})  # fmt: skip
    return set(found)


def load_rows(
    fields: ModelFields, ids: Sequence[int] | None, records: Sequence[Mapping[str, Any]]
) -> tuple[list[str], Sequence[tuple[str, ...] | None]]:
    """``(columns, rows)`` for ``load`` of ``records`` (with ``ids``: updates, ``.id`` first); a
    row is None when one of its values cannot go as import text. All records must set the same
    fields.

    Rows are tuples (the garbage collector stops tracking a tuple of strings, where 10,000 lists
    kept alive by the requests would trigger a full collection), converted a column at a time."""
    names = list(records[0])
    metas = [(name, fields.get(name)) for name in names]
    by_ids = ("many2one", "many2many")  # relational columns go by database ids
    columns = [".id"] * (ids is not None) + [f"{n}/.id" if m.get("type") in by_ids else n for n, m in metas]
    texts = [list(map(import_text(meta), [values[name] for values in records])) for name, meta in metas]
    if ids is not None:
        texts.insert(0, list(map(str, ids)))
    rows = list(zip(*texts, strict=True))
    if any(None in column for column in texts):
        return columns, [None if None in row else row for row in rows]
    return columns, rows


#: PostgreSQL's messages for the errors Odoo's own RPC layer retries (serialization failure,
#: deadlock, lock not available): ``load`` reports them per row instead of raising. In English, as
#: PostgreSQL writes them unless its ``lc_messages`` says otherwise.
_CONCURRENT_UPDATE = ("could not serialize access", "deadlock detected", "could not obtain lock")


def _met_a_concurrent_update(message: Mapping[str, Any]) -> bool:
    return str(message.get("message", "")).startswith(_CONCURRENT_UPDATE)


#: said of :func:`batch_repeat`'s message wherever a row's error is shown
BATCH_REPEAT_NOTE = "Odoo repeats a failing batch's error on its first row: this row may be fine"


def batch_repeat(errors: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first of ``load``'s error messages when it may only repeat another row's: Odoo writes the
    rows as one batch, and when that raises it retries them one by one and also reports the batch's
    error on the batch's first row (unless that row's own error says the same). So a first message
    whose text another row's message has may name an innocent row; None when there is none such."""
    if not errors:
        return None
    first = errors[0]
    repeated = any(
        m.get("message") == first.get("message") and m.get("record") != first.get("record") for m in errors[1:]
    )
    return first if repeated else None


def _explained(message: Mapping[str, Any], columns: Sequence[str], rows: Sequence[Sequence[str] | None]) -> str:
    """``load``'s message for a row, saying what Odoo's "Unknown database identifier" of an update
    means: ``load`` looks the ``.id`` up with a search, which finds neither a deleted record nor one
    a record rule hides from the user."""
    text = str(message.get("message")).strip()
    record = message.get("record")
    if message.get("field") != ".id" or columns[:1] != [".id"] or not isinstance(record, int):
        return text
    row = rows[record] if 0 <= record < len(rows) else None
    if row is None:
        return text
    return f"record {row[0]} does not exist, or a record rule hides it from this user ({text})"


async def send_load(client: OdooClient, model: str, result: CallResult, context: Mapping[str, Any] | None) -> None:
    """One ``load``, in ``context`` (see :func:`load_context`); its per-row messages make it
    ``failed`` (Odoo wrote none of its rows), with :class:`ConcurrentUpdateError` when each of them
    is a concurrent update's."""
    columns, rows = result.values
    answer = await client.call(model, "load", args=(columns, rows), context=context)
    if not isinstance(answer, Mapping) or "ids" not in answer:
        raise ProtocolError(f"load on {model} answered {answer!r:.100}")
    result.messages = list(answer.get("messages") or [])
    errors = [m for m in result.messages if m.get("type") == "error"]
    if answer["ids"] is False or errors:
        if errors and all(_met_a_concurrent_update(m) for m in errors):
            raise ConcurrentUpdateError(
                f"load on {model} wrote nothing: {errors[0].get('message', '').strip()}",
                odoo_name="load", arguments=tuple(result.messages),
            )  # fmt: skip
        repeat = batch_repeat(errors)
        text = "; ".join(
            f"row {m.get('record', '?')}: {_explained(m, columns, rows)}" + (f" ({BATCH_REPEAT_NOTE})" if m is repeat else "")
            for m in errors[:5]
        ) or "no ids"
        raise OdooServerError(
            f"load on {model} wrote nothing: {text}", odoo_name="load", arguments=tuple(result.messages)
        )
    if len(answer["ids"]) != len(rows):
        raise ProtocolError(f"load on {model} answered {len(answer['ids'])} ids for {len(rows)} rows")
    result.ids = list(answer["ids"])
