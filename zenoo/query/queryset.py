"""QuerySet: a lazy, chainable query on one Odoo model, built by ``client.model(...)``.

Chaining (``filter``, ``exclude``, ``order_by``, ``only``, ``defer``, ``limit``, ``offset``,
``with_context``, ``prefetch``, ``cache``) returns a new QuerySet and sends nothing. Terminals
(``all``, ``first``, ``get``, ``count``, ``exists``, ``values``, ``values_list``, ``ids``,
``update``, ``delete``, ``create``, ``bulk_create``, ``async for``) validate the query against
``fields_get`` (cached per client) and then call Odoo through ``client.call``.

Why this module is long: the QuerySet's public surface is one class (as Django's is), and each
terminal is a few lines over the shared state; the domain compiler, the field vocabulary and the
record loading it builds on live in their own modules.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Unpack

from zenoo.cache.manager import check_cache_request
from zenoo.exceptions import (
    DoesNotExist,
    FieldError,
    InvalidLookupError,
    InvalidValueError,
    MultipleObjectsReturned,
)
from zenoo.fields.lookups import RELATIONAL_TYPES
from zenoo.fields.metadata import ModelFields, fields_to_read, model_fields, readable_default_names
from zenoo.fields.values import python_scalar
from zenoo.fields.writing import checked_write_values
from zenoo.models.base import OdooModel
from zenoo.models.binding import Binding
from zenoo.models.builder import declared_fields, get_model_class
from zenoo.models.loading import (
    STORE,
    create_records,
    prefetch,
    read_rows,
    rows_to_records,
    unlink_records,
    write_records,
)
from zenoo.models.relations import Many2one
from zenoo.query.domain import Q, compile_q
from zenoo.query.ordering import order_term, ordering_fields, with_id_last
from zenoo.query.preview import queryset_html
from zenoo.seams import OdooClient, Runner

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from zenoo.writing.progress import ProgressOption
    from zenoo_frames.options import FetchKeywords, FetchOptions
    from zenoo_frames.writeback import WriteBackResult

#: rows per request when iterating with ``async for``
DEFAULT_CHUNK_SIZE = 1000


@dataclasses.dataclass(frozen=True)
class _State:
    model_name: str
    model_class: type[OdooModel] | None
    where: Q = dataclasses.field(default_factory=Q)
    fields: tuple[str, ...] | None = None
    deferred: tuple[str, ...] = ()
    ordering: str | None = None
    limit: int | None = None
    offset: int = 0
    context: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    prefetch: tuple[str, ...] = ()
    cache_ttl: float | None = None
    cache_requested: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    runner: Runner | None = None


def _model_of(model: str | type[OdooModel]) -> tuple[str, type[OdooModel] | None]:
    if isinstance(model, str):
        if not model:
            raise InvalidValueError("the model name is empty")
        return model, None
    if isinstance(model, type) and issubclass(model, OdooModel):
        if not model._name:
            raise InvalidValueError(f"{model.__name__} has no _name: set _name = 'some.model' on the class")
        return model._name, model
    raise InvalidValueError(f"a model is a name such as 'res.partner' or an OdooModel class, got {model!r}")


class QuerySet:
    """A lazy query on one Odoo model; see the module docstring."""

    def __init__(self, client: OdooClient, model: str | type[OdooModel], *, _state: _State | None = None) -> None:
        self._client = client
        if _state is None:
            name, cls = _model_of(model)
            _state = _State(name, cls)
        self._state = _state

    def _with(self, **changes: Any) -> QuerySet:
        return QuerySet(
            self._client, self._state.model_name, _state=dataclasses.replace(self._state, **changes)
        )

    # --- introspection (used by zenoo_frames) ----------------------------------------------------

    @property
    def client(self) -> OdooClient:
        return self._client

    @property
    def model_name(self) -> str:
        return self._state.model_name

    @property
    def model_class(self) -> type[OdooModel] | None:
        """The declared class given to ``client.model(...)``; None for a model name."""
        return self._state.model_class

    @property
    def selected_fields(self) -> tuple[str, ...] | None:
        """The fields chosen with ``only()`` (minus ``defer()``), or None for the default set."""
        if self._state.fields is None:
            return None
        return tuple(name for name in self._state.fields if name not in self._state.deferred)

    @property
    def deferred_fields(self) -> tuple[str, ...]:
        return self._state.deferred

    @property
    def ordering(self) -> str | None:
        return self._state.ordering

    @property
    def row_limit(self) -> int | None:
        return self._state.limit

    @property
    def row_offset(self) -> int:
        return self._state.offset

    @property
    def context(self) -> dict[str, Any]:
        return dict(self._state.context)

    @property
    def cache_ttl(self) -> float | None:
        return self._state.cache_ttl

    @property
    def cache_requested(self) -> bool:
        """Whether ``cache(...)`` was called (bulk frame fetches bypass the cache otherwise)."""
        return self._state.cache_requested

    @property
    def runner(self) -> Runner | None:
        """The loop runner of a blocking client's QuerySet (None for the async client)."""
        return self._state.runner

    def using(self, client: OdooClient) -> QuerySet:
        """The same query on another client (e.g. a ``fork()`` living on another event loop)."""
        return QuerySet(client, self._state.model_name, _state=dataclasses.replace(self._state, runner=None))

    @property
    def where(self) -> Q:
        """The filter as one ``Q`` expression."""
        return self._state.where

    async def compiled_domain(self) -> list[Any]:
        """The validated Odoo domain of this query (``[]`` when unfiltered)."""
        return await compile_q(self._client, self.model_name, self._state.where)

    async def fields_meta(self) -> ModelFields:
        """``fields_get`` of the model (cached by the client)."""
        return await model_fields(self._client, self.model_name)

    async def record_class(self) -> type[OdooModel]:
        """The class records are built with: the declared class, or one built from ``fields_get``."""
        if self._state.model_class is not None:
            return self._state.model_class
        return await get_model_class(self._client, self.model_name)

    async def field_names(self) -> list[str]:
        """The fields a terminal reads (records, ``values()`` and frames alike): ``only()``, else the
        default fields (:func:`readable_default_names`: a declared class's fields, else the
        stored ones and those inherited from a parent's, without binary and JSON blobs nor
        relations the user may not read), minus
        ``defer()``, plus the relations named in ``prefetch()``. Validated against ``fields_get``."""
        meta = await self.fields_meta()
        meta.check((*(self._state.fields or ()), *self._state.deferred))
        for relation in self._state.prefetch:
            kind = meta.type_of(relation)
            if kind not in RELATIONAL_TYPES:
                raise InvalidLookupError(
                    f"prefetch needs relational fields: {self.model_name}.{relation} is a {kind} field"
                )
        if self._state.fields is not None:
            names = list(self._state.fields)
        else:  # the default fields may take requests: the query's own errors come first
            await self.compiled_domain()
            await self.validated_ordering()
            names = await readable_default_names(self._client, meta, declared_fields(self._state.model_class))
        names = [name for name in names if name not in self._state.deferred]
        return names + [relation for relation in self._state.prefetch if relation not in names]

    # --- chaining -----------------------------------------------------------------------------

    def filter(self, *conditions: Q | Sequence[Any], **lookups: Any) -> QuerySet:
        """AND conditions: ``Q`` objects, raw Odoo domains and ``field__lookup=value`` keywords."""
        return self._with(where=self._state.where & Q(*conditions, **lookups))

    def exclude(self, *conditions: Q | Sequence[Any], **lookups: Any) -> QuerySet:
        """AND NOT (all of the conditions together)."""
        if not conditions and not lookups:
            raise InvalidValueError("exclude() needs conditions (with none it would exclude every record)")
        return self._with(where=self._state.where & ~Q(*conditions, **lookups))

    def order_by(self, *terms: str) -> QuerySet:
        """Order by fields: ``order_by("name", "-id")`` → ``"name, id desc"``; no terms: server default."""
        for term in terms:
            if not isinstance(term, str):
                raise InvalidValueError(f"order_by takes field names, got {term!r}")
        ordering = (
            ", ".join(order_term(part) for term in terms for part in term.split(",")) if terms else None
        )
        return self._with(ordering=ordering)

    def only(self, *fields: str) -> QuerySet:
        """Read only these fields (``id`` is always read)."""
        return self._with(fields=tuple(dict.fromkeys(name for name in fields if name != "id")))

    def defer(self, *fields: str) -> QuerySet:
        """Do not read these fields."""
        return self._with(deferred=tuple(dict.fromkeys((*self._state.deferred, *fields))))

    def limit(self, count: int | None) -> QuerySet:
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise InvalidValueError(f"limit must be a non-negative integer or None, got {count!r}")
        return self._with(limit=count)

    def offset(self, count: int) -> QuerySet:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidValueError(f"offset must be a non-negative integer, got {count!r}")
        return self._with(offset=count)

    def __getitem__(self, window: slice) -> QuerySet:
        """``qs[10:20]``: that window of the result, as an offset and a limit (within any window
        already set). Still a query: nothing is sent until a terminal."""
        if not isinstance(window, slice):
            raise InvalidValueError(
                f"a QuerySet takes a slice such as qs[:10], not {window!r}; for one record use first() or get()"
            )
        start, stop = window.start or 0, window.stop
        for bound in (start, stop):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int) or bound < 0):
                raise InvalidValueError(f"a QuerySet slice takes non-negative integers, got {window!r}")
        if window.step not in (None, 1):
            raise InvalidValueError(f"a QuerySet slice takes no step, got {window!r}")
        limit = None if stop is None else max(0, stop - start)
        if self._state.limit is not None:
            room = max(0, self._state.limit - start)
            limit = room if limit is None else min(limit, room)
        return self._with(offset=self._state.offset + start, limit=limit)

    def with_context(self, **context: Any) -> QuerySet:
        """Extra context for every call of this query (merged over the client's)."""
        return self._with(context={**self._state.context, **context})

    def prefetch(self, *relations: str) -> QuerySet:
        """Load these relations for the whole result, one read per relation."""
        return self._with(prefetch=tuple(dict.fromkeys((*self._state.prefetch, *relations))))

    def cache(self, ttl: float | None = None) -> QuerySet:
        """Serve this query's reads from the client's cache for ``ttl`` seconds (0: bypass the cache)."""
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl < 0):
            raise InvalidValueError(f"cache ttl must be a non-negative number of seconds, got {ttl!r}")
        return self._with(cache_ttl=ttl, cache_requested=True)

    def chunk(self, size: int) -> QuerySet:
        """Rows per request for ``async for``."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidValueError(f"chunk size must be a positive integer, got {size!r}")
        return self._with(chunk_size=size)

    def _bind_runner(self, runner: Runner | None) -> QuerySet:
        return self._with(runner=runner)

    # --- low-level calls ----------------------------------------------------------------------

    def _binding(self) -> Binding:
        return Binding(self._client, STORE, dict(self._state.context), self._state.runner)

    async def _read_call(self, method: str, kwargs: dict[str, Any], ids: list[int] | None = None) -> Any:
        check_cache_request(self._client, self._state.cache_ttl, self._state.cache_requested)
        return await self._client.call(
            self.model_name,
            method,
            ids=ids,
            kwargs=kwargs,
            context=dict(self._state.context) or None,
            cache_ttl=self._state.cache_ttl,
        )

    async def validated_ordering(self) -> str | None:
        """The order string every read sends, ``id`` last (:func:`with_id_last`), each field checked
        against ``fields_get``: known, and one Odoo can sort by (None: Odoo's default order)."""
        ordering = self._state.ordering
        if ordering is not None:
            fields = await model_fields(self._client, self.model_name)
            for name in ordering_fields(ordering):
                fields.get(name)  # an unknown field: FieldError
                if not fields.says(name, "sortable"):
                    raise FieldError(
                        f"order_by({name!r}): Odoo cannot sort {self.model_name} by {name} (fields_get: "
                        "not sortable, it is not stored); sort the records after reading them"
                    )
        return with_id_last(ordering)

    async def _search_read(
        self, fields: list[str], *, offset: int, limit: int | None, ordering: str | None
    ) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "domain": await self.compiled_domain(),
            "fields": fields_to_read(fields),
            "offset": offset,
        }
        if limit is not None:
            kwargs["limit"] = limit
        if ordering:
            kwargs["order"] = ordering
        rows: list[dict[str, Any]] = await self._read_call("search_read", kwargs)
        left_out = [name for name in fields if rows and name not in rows[0]]
        if left_out:  # by Odoo 17's search_read, which knows only the model's own fields: read computes them
            computed = await self._read_call("read", {"fields": left_out}, ids=[row["id"] for row in rows])
            by_id = {row["id"]: row for row in computed}
            rows = [  # less a record deleted in between
                {**row, **{name: by_id[row["id"]][name] for name in left_out}} for row in rows if row["id"] in by_id
            ]
        return rows

    async def _records(self, rows: list[dict[str, Any]]) -> list[OdooModel]:
        binding = self._binding()
        records = rows_to_records(await self.record_class(), await self.fields_meta(), rows, binding)
        if self._state.prefetch and records:
            await prefetch(records, self._state.prefetch, binding)
        return records

    # --- terminals ----------------------------------------------------------------------------

    async def all(self) -> list[OdooModel]:
        """Every matching record (one ``search_read``, plus one ``read`` per prefetched relation)."""
        if self._state.limit == 0:
            return []
        fields = await self.field_names()
        rows = await self._search_read(
            fields,
            offset=self._state.offset,
            limit=self._state.limit,
            ordering=await self.validated_ordering(),
        )
        return await self._records(rows)

    async def first(self) -> OdooModel | None:
        """The first matching record, or None."""
        records = await self.limit(1 if self._state.limit is None else min(1, self._state.limit)).all()
        return records[0] if records else None

    async def get(self, record_id: int | None = None, /, **lookups: Any) -> OdooModel:
        """The one record with this id and/or matching these lookups.

        Raises :class:`DoesNotExist` (also a MissingError) when none matches and
        :class:`MultipleObjectsReturned` when several do.
        """
        query = self
        if record_id is not None:
            record_id = python_scalar(record_id)  # a numpy or pandas integer is an id too
            if isinstance(record_id, bool) or not isinstance(record_id, int):
                raise InvalidValueError(f"get() takes a record id, got {record_id!r}")
            query = query.filter(id=record_id)
        if lookups:
            query = query.filter(**lookups)
        if record_id is None and not lookups:
            raise InvalidValueError("get() needs an id or lookups")
        records = await query.limit(2).all()
        if not records:
            what = (
                f"id {record_id}"
                if record_id is not None
                else ", ".join(f"{k}={v!r}" for k, v in lookups.items())
            )
            hidden = self._state.context.get("active_test", True) and (
                "active" in (await self.fields_meta()).fields
                and await query.with_context(active_test=False).exists()
            )
            archived = " among active records: an archived one does (.with_context(active_test=False))"
            unseen = " that this user can see (a record rule may hide it: one on salespeople's own records, or on the companies in allowed_company_ids)"
            raise DoesNotExist(f"no {self.model_name} record matches {what}" + (archived if hidden else unseen))
        if len(records) > 1:
            raise MultipleObjectsReturned(f"more than one {self.model_name} record matches {lookups!r}")
        return records[0]

    async def count(self) -> int:
        """How many records this query returns (``limit``/``offset`` taken into account)."""
        total = int(await self._read_call("search_count", {"domain": await self.compiled_domain()}))
        total = max(0, total - self._state.offset)
        return total if self._state.limit is None else min(total, self._state.limit)

    async def exists(self) -> bool:
        """True when at least one record matches."""
        return bool(await self.limit(1).ids()) if self._state.limit != 0 else False

    async def ids(self) -> list[int]:
        """The ids of the matching records, in order (one ``search``)."""
        if self._state.limit == 0:
            return []
        kwargs: dict[str, Any] = {"domain": await self.compiled_domain(), "offset": self._state.offset}
        if self._state.limit is not None:
            kwargs["limit"] = self._state.limit
        ordering = await self.validated_ordering()
        if ordering:
            kwargs["order"] = ordering
        return list(await self._read_call("search", kwargs))

    async def values(self, *fields: str) -> list[dict[str, Any]]:
        """Rows as plain dicts of Python values: ``None`` for empty, many2one as its id,
        x2many as a list of ids, dates and datetimes as objects."""
        query = self.only(*fields) if fields else self
        records = await query.all()
        names = ["id", *(await query.field_names())]
        return [{name: _plain(_field_value(record, name)) for name in names} for record in records]

    async def values_list(self, *fields: str, flat: bool = False) -> list[Any]:
        """Rows as tuples in the order of ``fields``; ``flat=True`` with one field gives a flat list."""
        if flat and len(fields) != 1:
            raise InvalidValueError("values_list(flat=True) needs exactly one field")
        rows = await self.values(*fields)
        names = list(fields) if fields else list(rows[0]) if rows else []
        if flat:
            return [row[names[0]] for row in rows]
        return [tuple(row[name] for name in names) for row in rows]

    async def update(self, *args: Any, **values: Any) -> bool:
        """Write the same values to every matching record, in one ``write``.

        ``update(name="x")``, ``update({"name": "x"})``, or ``update(record_id, {"name": "x"})``
        for one record.
        """
        given, vals = self._target(args, "update")
        vals = {**vals, **values}
        if not vals:
            raise InvalidValueError("update() needs values to write")
        await checked_write_values(self._client, self.model_name, vals)  # bad values fail before the search
        ids = await self._matching(given, "updated")
        if not ids:
            return True
        return await write_records(self._binding(), self.model_name, ids, vals)

    async def delete(self, *record_ids: int) -> bool:
        """Delete the matching records (or the given ids, which must all match) in one ``unlink``."""
        ids = await self._matching([python_scalar(i) for i in record_ids] or None, "deleted")
        if not ids:
            return True
        return await unlink_records(self._binding(), self.model_name, ids)

    async def _matching(self, given: list[int] | None, done: str) -> list[int]:
        """The ids of the matching records (a fresh search, never a cached answer); of ``given``,
        which must all be among them: else DoesNotExist naming those that are not, nothing sent."""
        query = self if given is None else self.filter(id__in=given)
        ids = await query.cache(ttl=0).ids()
        missing = [] if given is None else sorted(set(given) - set(ids))
        if missing:
            raise DoesNotExist(
                f"no {self.model_name} record {', '.join(map(str, missing))} among those this QuerySet "
                "matches and this user can see (gone, filtered out, archived, or hidden by a record "
                f"rule): nothing was {done}"
            )
        return ids

    def _target(self, args: tuple[Any, ...], name: str) -> tuple[list[int] | None, dict[str, Any]]:
        """The record ids given (``update(5, {...})``; None: the matching records) and the values."""
        if len(args) == 2 and isinstance(python_scalar(args[0]), int) and isinstance(args[1], Mapping):
            return [python_scalar(args[0])], dict(args[1])
        if len(args) == 1 and isinstance(args[0], Mapping):
            return None, dict(args[0])
        if not args:
            return None, {}
        raise InvalidValueError(f"{name}() takes keyword values, a dict, or an id and a dict; got {args!r}")

    async def create(self, values: Mapping[str, Any] | None = None, /, **more: Any) -> OdooModel:
        """Create one record (values checked first) and return it as read back from Odoo."""
        records = await self.bulk_create([{**(values or {}), **more}])
        return records[0]

    async def bulk_create(self, values_list: Sequence[Mapping[str, Any]]) -> list[OdooModel]:
        """Create many records in one ``create`` call; records come back in input order."""
        if isinstance(values_list, Mapping | str | bytes):
            raise InvalidValueError("bulk_create() takes a list of dicts of values")
        values_list = list(values_list)  # a generator is read once
        if not all(isinstance(v, Mapping) for v in values_list):
            raise InvalidValueError("bulk_create() takes a list of dicts of values")
        binding = self._binding()
        ids = await create_records(binding, self.model_name, values_list)
        if not ids:
            return []
        cls = await self.record_class()
        return await read_rows(binding, cls, ids, await self.field_names())

    async def iterate(self) -> AsyncIterator[OdooModel]:
        """Records in pages of ``chunk()`` rows, in the order ``ids()`` gives them. The matching ids
        are searched first (one request), so a loop that changes its records (out of the filter,
        say) neither skips nor repeats any; a record deleted meanwhile is left out."""
        fields = fields_to_read(await self.field_names())
        ids = await self.ids()
        size = self._state.chunk_size
        for start in range(0, len(ids), size):
            rows = await self._read_call("read", {"fields": fields}, ids=ids[start : start + size])
            for record in await self._records(rows):
                yield record

    def __aiter__(self) -> AsyncIterator[OdooModel]:
        return self.iterate()

    def __repr__(self) -> str:
        parts = [repr(self.model_name)]
        if self._state.where.children:
            parts.append(f"where={self._state.where!r}")
        for name in ("fields", "ordering", "limit"):
            value = getattr(self._state, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"QuerySet({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """Jupyter's display: the first rows in an HTML table, in one small request (see
        :mod:`zenoo.query.preview`)."""
        return queryset_html(self)

    # --- frames (implemented in zenoo_frames) ---------------------------------------------------

    async def to_arrow(
        self, *, options: FetchOptions | None = None, **keywords: Unpack[FetchKeywords]
    ) -> pa.Table:
        """The records as a ``pyarrow.Table`` (see :func:`zenoo_frames.to_arrow`)."""
        import zenoo_frames

        return await zenoo_frames.to_arrow(self, options=options, **keywords)

    async def to_polars(
        self, *, options: FetchOptions | None = None, **keywords: Unpack[FetchKeywords]
    ) -> pl.DataFrame:
        """The records as a ``polars.DataFrame`` (see :func:`zenoo_frames.to_polars`)."""
        import zenoo_frames

        return await zenoo_frames.to_polars(self, options=options, **keywords)

    async def to_pandas(
        self,
        *,
        dtype_backend: Literal["pyarrow", "numpy_nullable"] = "pyarrow",
        options: FetchOptions | None = None,
        **keywords: Unpack[FetchKeywords],
    ) -> pd.DataFrame:
        """The records as a ``pandas.DataFrame`` (see :func:`zenoo_frames.to_pandas`)."""
        import zenoo_frames

        return await zenoo_frames.to_pandas(self, dtype_backend=dtype_backend, options=options, **keywords)

    async def to_parquet(
        self,
        path: str | os.PathLike[str],
        *,
        compression: str = "zstd",
        options: FetchOptions | None = None,
        **keywords: Unpack[FetchKeywords],
    ) -> Path:
        """Stream the records into a Parquet file (see :func:`zenoo_frames.to_parquet`)."""
        import zenoo_frames

        return await zenoo_frames.to_parquet(self, path, compression=compression, options=options, **keywords)

    def iter_batches(
        self,
        *,
        batch_size: int | None = None,
        options: FetchOptions | None = None,
        **keywords: Unpack[FetchKeywords],
    ) -> AsyncIterator[pa.RecordBatch]:
        """``pyarrow.RecordBatch`` es in order (see :func:`zenoo_frames.iter_batches`)."""
        import zenoo_frames

        return zenoo_frames.iter_batches(self, batch_size=batch_size, options=options, **keywords)

    def lazy(self, *, options: FetchOptions | None = None, **keywords: Unpack[FetchKeywords]) -> pl.LazyFrame:
        """A ``polars.LazyFrame`` fetched when collected (see :func:`zenoo_frames.scan_odoo`)."""
        import zenoo_frames

        return zenoo_frames.scan_odoo(self, options=options, **keywords)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        import zenoo_frames

        return zenoo_frames.arrow_c_stream(self, requested_schema)

    async def write_back(
        self,
        original: pl.DataFrame | pd.DataFrame,
        edited: pl.DataFrame | pd.DataFrame,
        *,
        conflicts: Literal["refuse", "skip", "overwrite"] = "refuse",
        deletes: bool = False,
        rows_per_call: int | None = None,
        concurrency: int | None = None,
        progress: ProgressOption = False,
    ) -> WriteBackResult:
        """Write an edited frame back: ``diff(original, edited)`` then ``apply`` through this QuerySet's
        client and context (see :func:`zenoo_frames.diff`, docs/write-back.md)."""
        from zenoo_frames.writeback import write_back

        return await write_back(
            self, original, edited, conflicts=conflicts, deletes=deletes, rows_per_call=rows_per_call,
            concurrency=concurrency, progress=progress,
        )


def _field_value(record: OdooModel, name: str) -> Any:
    if name == "id":
        return record.id
    if name in record.__dict__:
        return record.__dict__[name]
    return (record.__pydantic_extra__ or {}).get(name)


def _plain(value: Any) -> Any:
    if isinstance(value, Many2one):
        return value.id
    if isinstance(value, list):
        return list(value)
    return value
