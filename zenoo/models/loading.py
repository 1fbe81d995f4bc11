"""Reading and writing records for the model layer: rows → records, prefetch, checked writes.

Every request goes through the client's single ``call()``. Reads of related records go through
the query's relation cache (:class:`zenoo.models.binding.RelationCache`), emptied by every write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from zenoo.exceptions import AccessError
from zenoo.fields.lookups import RELATIONAL_TYPES
from zenoo.fields.metadata import ModelFields, fields_to_read, model_fields, readable_default_names
from zenoo.fields.writing import checked_create_values, checked_write_values
from zenoo.models.base import OdooModel
from zenoo.models.binding import Binding, RecordStore
from zenoo.models.builder import declared_fields, get_model_class, related_class
from zenoo.models.record_values import from_odoo
from zenoo.models.relations import Many2one, X2many
from zenoo.seams import OdooClient
from zenoo.state import context_key

T = TypeVar("T")


async def class_for(binding: Binding, model: str, cls: type[OdooModel] | None) -> type[OdooModel]:
    return cls if cls is not None else await get_model_class(binding.client, model)


def rows_to_records(
    cls: type[OdooModel], fields: ModelFields, rows: Iterable[Mapping[str, Any]], binding: Binding
) -> list[OdooModel]:
    """Convert rows as Odoo sent them into records of ``cls``."""
    metas: dict[str, tuple[Mapping[str, Any], type[OdooModel] | None]] = {}
    records = []
    for row in rows:
        values: dict[str, Any] = {}
        for name, raw in row.items():
            if name == "id":
                values["id"] = raw
                continue
            meta = metas.get(name)
            if meta is None:
                field = fields.fields.get(name, {})
                target = related_class(cls, name) if field.get("type") in RELATIONAL_TYPES else None
                meta = metas[name] = (field, target)
            values[name] = from_odoo(raw, meta[0], binding, meta[1])
        records.append(cls._from_values(values, binding))
    return records


async def read_rows(
    binding: Binding, cls: type[OdooModel], ids: Sequence[int], fields: Sequence[str] | None = None
) -> list[OdooModel]:
    """``read`` ``ids`` (in that order; ids that no longer exist are left out) as records of ``cls``,
    from Odoo itself (never from the client's cache: used to read back and to refresh)."""
    meta = await model_fields(binding.client, cls._name)
    names = list(fields) if fields is not None else await readable_default_names(binding.client, meta, declared_fields(cls))
    rows = await binding.client.call(
        cls._name,
        "read",
        ids=list(ids),
        kwargs={"fields": fields_to_read(names)},
        context=binding.context or None,
        cache_ttl=0,
    )
    by_id = {row["id"]: row for row in rows}
    return rows_to_records(cls, meta, (by_id[i] for i in ids if i in by_id), binding)


async def load_records(
    binding: Binding, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
) -> list[OdooModel]:
    """The records ``ids`` of ``model`` with their default fields, through the query's relation cache."""
    cls = await class_for(binding, model, cls)
    meta = await model_fields(binding.client, model)
    names = await readable_default_names(binding.client, meta, declared_fields(cls))
    cache = binding.relations.since(binding.write_generation)
    # the context the rows are read with: the client's (user's and with_context views') and the query's
    context = {**(getattr(binding.client, "context", None) or {}), **binding.context}
    # rows depend on who reads them (record rules, field access) and in which context
    reader = (getattr(binding.client, "database", None), getattr(binding.client, "uid", None))
    scope = (*reader, model, tuple(names), context_key(context))
    rows: dict[int, dict[str, Any]] = {}
    missing = []
    for record_id in dict.fromkeys(ids):
        row = cache.get((scope, record_id))
        if row is None:
            missing.append(record_id)
        else:
            rows[record_id] = row
    if missing:
        fetched = await binding.client.call(
            model,
            "read",
            ids=missing,
            kwargs={"fields": fields_to_read(names)},
            context=binding.context or None,
        )
        for row in fetched:
            cache.put((scope, row["id"]), row)
            rows[row["id"]] = row
    return rows_to_records(cls, meta, (rows[i] for i in ids if i in rows), binding)


async def read_visible(
    client: OdooClient,
    model: str,
    ids: Sequence[int],
    read: Callable[[list[int]], Awaitable[T]],
    context: Mapping[str, Any] | None,
) -> tuple[T, set[int]]:
    """``read(ids)``, and no hidden id; or, when Odoo refuses it because a record rule hides some of
    ``ids`` (it refuses a whole read that names one, where it drops a deleted one), ``read`` of those
    the user sees (:meth:`~zenoo.ZenooClient.visible_ids`) and the ids it does not (hidden, or gone).
    An AccessError that is not a rule's (the model, a field) is raised."""
    try:
        return await read(list(ids)), set()
    except AccessError:
        seen = await client.visible_ids(model, ids, context=context)
        hidden = set(ids) - set(seen)
        if not hidden:
            raise
    return await read(seen), hidden


async def load_visible_records(
    binding: Binding, model: str, ids: Sequence[int], cls: type[OdooModel] | None = None
) -> list[OdooModel]:
    """:func:`load_records` of the ids the user still sees: those a record rule hides now, or that
    are gone, are left out (a lazy x2many read before a rule hid some of its records)."""
    load = partial(load_records, binding, model, cls=cls)
    records, _hidden = await read_visible(binding.client, model, ids, load, binding.context or None)
    return records


async def prefetch(records: Sequence[OdooModel], relations: Sequence[str], binding: Binding) -> None:
    """Load each relation for all ``records`` with one read per relation (fewer when cached). A
    related record a record rule hides is not loaded: a many2one to it stays lazy (Odoo refuses the
    read when it is used, as it refuses a read that names it), an x2many leaves it out."""
    for name in relations:
        values = [
            record.__dict__.get(name, (record.__pydantic_extra__ or {}).get(name)) for record in records
        ]
        refs = [value for value in values if isinstance(value, Many2one | X2many)]
        if not refs:
            continue
        model = refs[0].model
        ids: list[int] = []
        for ref in refs:
            ids.extend([ref.id] if isinstance(ref, Many2one) else ref)
        # records a rule hides are not loaded: a many2one to one stays lazy
        loaded = await load_visible_records(binding, model, ids, refs[0].related_class)
        by_id = {record.id: record for record in loaded}
        for ref in refs:
            if isinstance(ref, Many2one):
                if ref.id in by_id:
                    ref._set_record(by_id[ref.id])
            else:  # less the records the user does not see, as a lazy x2many loads them
                ref._set_records([by_id[i] for i in ref if i in by_id])


async def write_records(binding: Binding, model: str, ids: Sequence[int], values: Mapping[str, Any]) -> bool:
    """Check ``values`` and write them to ``ids`` in one call."""
    vals = await checked_write_values(binding.client, model, values)
    context = binding.context or None
    return bool(
        await binding.client.call(model, "write", ids=list(ids), kwargs={"vals": vals}, context=context)
    )


async def unlink_records(binding: Binding, model: str, ids: Sequence[int]) -> bool:
    return bool(await binding.client.call(model, "unlink", ids=list(ids), context=binding.context or None))


async def create_records(binding: Binding, model: str, vals_list: Sequence[Mapping[str, Any]]) -> list[int]:
    """Check every value set, then create them all in one call; ids in input order."""
    checked = [await checked_create_values(binding.client, model, values) for values in vals_list]
    if not checked:
        return []
    created = await binding.client.call(
        model, "create", kwargs={"vals_list": checked}, context=binding.context or None
    )
    return [created] if isinstance(created, int) else list(created)


class _LoadingStore:
    """The :class:`~zenoo.models.binding.RecordStore` of this module's functions."""

    load = staticmethod(load_records)
    load_visible = staticmethod(load_visible_records)
    read = staticmethod(read_rows)
    write = staticmethod(write_records)
    unlink = staticmethod(unlink_records)


#: What the QuerySet binds its records to: records and relations read and write through these functions.
STORE: RecordStore = _LoadingStore()
