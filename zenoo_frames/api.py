"""The public frame functions: QuerySets (or a client, model, domain, fields) to Arrow, Polars, pandas.

Every function takes either a QuerySet (``to_polars(qs)``; ``await qs.to_polars()`` delegates here)
or a client with a model name and optional domain and fields (``to_polars(client, "res.partner",
[("is_company", "=", True)], ["name"])``), and how to fetch as ``options=FetchOptions(...)`` and/or
the same settings as keywords (see :mod:`zenoo_frames.options`). For an async client or QuerySet,
``to_arrow``, ``to_polars``, ``to_pandas`` and ``to_parquet`` return a coroutine that runs on the
client's own event loop; for a blocking ``Client`` or its QuerySet they block and return the
result, run on that client's loop thread.

The synchronous entry points that Polars and Arrow consumers call (``scan_odoo()``, the Arrow C
stream) run their coroutines on ONE loop thread: the ``runner`` given (the blocking ``Client``'s
loop thread), or else a fork of the async client (same server and credentials, its own connection
pool) on ``zenoo._loop.shared_loop()``, because httpx pools belong to the loop that created them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Unpack

import pyarrow as pa

from zenoo._loop import fork_on_shared_loop
from zenoo.cache.manager import check_cache_request
from zenoo.exceptions import ClientError, ConfigurationError
from zenoo.query.domain import check_domain
from zenoo.seams import OdooClient, Runner
from zenoo_frames.fetch import Source, fetch_table, iter_frame_batches, load_schema
from zenoo_frames.options import FetchKeywords, FetchOptions
from zenoo_frames.pushdown import keep_active_test, translate_predicate
from zenoo_frames.schema import FrameSchema
from zenoo_frames.targets import (
    AsyncTarget,
    BlockingClient,
    BlockingQuery,
    FrameQuery,
    Target,
    async_target,
    blocking_too,
)
from zenoo_frames.writeback_frames import remember

logger = logging.getLogger("zenoo.frames")

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "arrow_c_stream",
    "arrow_to_polars",
    "iter_batches",
    "scan_odoo",
    "to_arrow",
    "to_pandas",
    "to_parquet",
    "to_polars",
]

#: ``iter_batches``' defaults: a stream is consumed piece by piece, so it shows no progress bar.
STREAM_DEFAULTS = FetchOptions(progress=False)

# --- async entry points --------------------------------------------------------------------------


@blocking_too
async def to_arrow(
    target: AsyncTarget,
    /,
    model: str | None = None,
    domain: Sequence[Any] | None = None,
    fields: Sequence[str] | None = None,
    *,
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> pa.Table:
    """Fetch the records as a ``pyarrow.Table`` (schema from ``fields_get``, ``id`` first).

    Records deleted between the search and the read are left out, announced with a
    ``MissingRecordsWarning`` and listed in ``table.schema.metadata[b"zenoo.missing_ids"]``.
    """
    table, _schema, _context = await _table(target, model, domain, fields, FetchOptions.merge(options, keywords))
    return table


@blocking_too
async def to_polars(
    target: AsyncTarget,
    /,
    model: str | None = None,
    domain: Sequence[Any] | None = None,
    fields: Sequence[str] | None = None,
    *,
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> pl.DataFrame:
    """Fetch the records as a ``polars.DataFrame`` (selection fields as ``pl.Enum``)."""
    table, schema, context = await _table(target, model, domain, fields, FetchOptions.merge(options, keywords))
    return remember(arrow_to_polars(table, schema), schema, context)


@blocking_too
async def to_pandas(
    target: AsyncTarget,
    /,
    model: str | None = None,
    domain: Sequence[Any] | None = None,
    fields: Sequence[str] | None = None,
    *,
    dtype_backend: Literal["pyarrow", "numpy_nullable"] = "pyarrow",
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> pd.DataFrame:
    """Fetch the records as a ``pandas.DataFrame``.

    ``dtype_backend="pyarrow"`` keeps every Arrow type (nullable ints, dates, lists, dictionaries);
    ``"numpy_nullable"`` gives pandas' nullable dtypes (``Int64``, ``boolean``, ``Float64``,
    ``string``), ``datetime64`` for dates and datetimes, ``category`` for selections and object
    columns of lists for x2many fields.
    """
    if dtype_backend not in ("pyarrow", "numpy_nullable"):
        raise ConfigurationError(
            f"dtype_backend must be 'pyarrow' or 'numpy_nullable', got {dtype_backend!r}"
        )
    table, schema, context = await _table(target, model, domain, fields, FetchOptions.merge(options, keywords))
    return remember(arrow_to_pandas(table, dtype_backend), schema, context)


async def _table(
    target: AsyncTarget,
    model: str | None,
    domain: Sequence[Any] | None,
    fields: Sequence[str] | None,
    fetch: FetchOptions,
) -> tuple[pa.Table, FrameSchema, Mapping[str, Any] | None]:
    """The records as one Arrow table, the schema and the context they were read with (what the
    eager readers share): the client's (the user's ``lang``, ``tz``; a ``with_context`` view's
    ``allowed_company_ids``…) with the QuerySet's over it, which a write-back of the frame writes in."""
    source = await _source(target, model, domain, fields)
    schema = await load_schema(source, display_names=fetch.display_names)
    context = {key: value for key, value in source.client.context.items() if key != "uid"}
    context.update(source.context or {})
    return await fetch_table(source, fetch, schema=schema), schema, context or None


@blocking_too
async def to_parquet(
    target: AsyncTarget,
    /,
    path: str | os.PathLike[str],
    model: str | None = None,
    domain: Sequence[Any] | None = None,
    fields: Sequence[str] | None = None,
    *,
    compression: str = "zstd",
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> Path:
    """Stream the records into a Parquet file, one row group per read chunk; returns the path.

    Only the chunks in flight are held in memory, never the whole result.
    """
    import pyarrow.parquet as pq

    fetch = FetchOptions.merge(options, keywords)
    source = await _source(target, model, domain, fields)
    schema = await load_schema(source, display_names=fetch.display_names)
    destination = Path(path)
    with pq.ParquetWriter(destination, schema.arrow(), compression=compression) as writer:
        async for batch in iter_frame_batches(source, fetch, schema=schema):
            writer.write_batch(batch)
    return destination


async def iter_batches(
    target: AsyncTarget,
    model: str | None = None,
    domain: Sequence[Any] | None = None,
    fields: Sequence[str] | None = None,
    *,
    batch_size: int | None = None,
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> AsyncIterator[pa.RecordBatch]:
    """Yield ``pyarrow.RecordBatch`` es of up to ``batch_size`` rows (one read each), in order.

    ``batch_size`` is this function's name for ``chunk_size``; ``None`` derives it from the result
    size (see ``FetchOptions.chunk_for``). Without ``options``, no progress bar is shown.

    Stopping early (``break``) cancels the reads still in flight.
    """
    if batch_size is not None:
        if "chunk_size" in keywords:
            raise ConfigurationError("batch_size is iter_batches' name for chunk_size: give only one of them")
        keywords["chunk_size"] = batch_size
    fetch = FetchOptions.merge(options, keywords, default=STREAM_DEFAULTS)
    source = await _source(target, model, domain, fields)
    async for batch in iter_frame_batches(source, fetch):
        yield batch


# --- conversions ---------------------------------------------------------------------------------


def arrow_to_polars(data: pa.Table | pa.RecordBatch, schema: FrameSchema) -> pl.DataFrame:
    """Arrow data of a frame as Polars, with selection columns cast to ``pl.Enum`` of their keys."""
    import polars as pl

    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    enums = {spec.name: pl.Enum(list(spec.selection)) for spec in schema.fields if spec.type == "selection"}
    return frame.with_columns(
        pl.col(name).cast(dtype) for name, dtype in enums.items() if name in frame.columns
    )


def arrow_to_pandas(table: pa.Table, dtype_backend: str) -> pd.DataFrame:
    """Arrow table as pandas with the chosen dtype backend (see :func:`to_pandas`)."""
    import pandas as pd

    if dtype_backend == "pyarrow":
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    nullable = {
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.string(): pd.StringDtype(),
    }
    return table.to_pandas(types_mapper=nullable.get, date_as_object=False)


# --- synchronous entry points for Polars and Arrow consumers -------------------------------------


def scan_odoo(
    target: Target,
    model: str | None = None,
    domain: Sequence[Any] | None = None,
    fields: Sequence[str] | None = None,
    *,
    runner: Runner | None = None,
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> pl.LazyFrame:
    """A ``polars.LazyFrame`` over the records, fetched when collected (``qs.lazy()`` calls it).

    Named as Polars names its lazy readers (``scan_parquet``, ``scan_csv``): a scan of an Odoo source.
    The schema is read at once (``fields_get``), so an unknown field or a closed client raises here,
    as the eager functions do, and not as a Polars ``ComputeError`` at collect time.

    Pushed to Odoo: the selected columns (as the fields read), the translatable parts of filters
    (as domain terms ANDed to the query's domain; the full filter is re-applied locally) and
    ``head(n)`` (as the search limit). Fetching stops when Polars stops reading.
    """
    import polars as pl
    from polars.io.plugins import register_io_source

    fetch = FetchOptions.merge(options, keywords)
    binding = _Binding(target, model, domain, fields, runner)
    with binding.session() as (run, source):
        full = run.run(load_schema(source, display_names=fetch.display_names))

    def io_source(
        with_columns: list[str] | None, predicate: Any, n_rows: int | None, batch_size: int | None
    ) -> Iterator[pl.DataFrame]:
        del batch_size  # the read chunk size is the batch size; Polars re-chunks as it needs
        return _scan(binding, full, fetch, with_columns, predicate, n_rows)

    return register_io_source(
        io_source, schema=pl.Schema(full.polars()), explain_name="zenoo", explain_detail=binding.describe()
    )


def arrow_c_stream(
    target: Target,
    requested_schema: Any = None,
    *,
    runner: Runner | None = None,
    options: FetchOptions | None = None,
    **keywords: Unpack[FetchKeywords],
) -> Any:
    """The Arrow C stream capsule of the records, so ``pa.table(qs)``, ``pl.DataFrame(qs)`` and
    duckdb read a QuerySet directly. Batches are fetched as the consumer pulls them."""
    fetch = FetchOptions.merge(options, keywords)
    binding = _Binding(target, None, None, None, runner)
    with binding.session() as (run, source):
        schema = run.run(load_schema(source, display_names=fetch.display_names))

    def batches() -> Iterator[pa.RecordBatch]:
        with binding.session() as (run, source):
            yield from run.iterate(iter_frame_batches(source, fetch, schema=schema))

    reader = pa.RecordBatchReader.from_batches(schema.arrow(), batches())
    return reader.__arrow_c_stream__(requested_schema)


def _scan(
    binding: _Binding,
    full: FrameSchema,
    options: FetchOptions,
    with_columns: list[str] | None,
    predicate: Any,
    n_rows: int | None,
) -> Iterator[pl.DataFrame]:
    """The body of the Polars IO source: push what translates, fetch, re-apply, stop when told."""
    with binding.session() as (run, source):
        schema = full
        if with_columns is not None:
            needed = set(with_columns) | (
                set(predicate.meta.root_names()) if predicate is not None else set()
            )
            schema = full.select(needed)
        pushed: list[Any] = []
        # with a row window on the query (limit/offset) or before the filter (``head(n).filter(…)``:
        # Polars then gives both, n_rows counting the rows before the filter), filtering first would
        # change which rows are in the window: the filter then only runs locally, on the window
        windowed = source.limit is not None or source.offset or n_rows is not None
        if predicate is not None and not windowed:
            fields = {name: spec for name, spec in full.columns() if spec is None or name == spec.name}
            pushed = translate_predicate(predicate, fields)
        domain = keep_active_test(pushed, source.domain, full.active_name, source.active_test)
        narrowed = replace(source, domain=(*source.domain, *domain), fields=tuple(schema.field_names))
        remaining = n_rows  # rows of the query still to read, before the filter
        limit = n_rows
        logger.debug(
            "lazy scan of %s: domain %r, fields %r, limit %s; %s", source.model, list(narrowed.domain),
            list(narrowed.fields or ()), limit, "no filter" if predicate is None else
            "the filter is applied again locally" + ("" if pushed else " (none of it was pushed)"),
        )  # fmt: skip
        batches = run.iterate(iter_frame_batches(narrowed, options, limit=limit, schema=schema))
        try:
            for batch in batches:
                frame = arrow_to_polars(batch, schema)
                if remaining is not None:
                    frame = frame.head(remaining)
                    remaining -= frame.height
                if predicate is not None:
                    frame = frame.filter(predicate)
                if with_columns is not None:
                    frame = frame.select(with_columns)
                yield frame
                if remaining == 0:
                    return
        finally:
            batches.close()  # stops the reads still in flight on the loop thread


# --- where the records come from ------------------------------------------------------------------


async def _source(
    target: AsyncTarget, model: str | None, domain: Sequence[Any] | None, fields: Sequence[str] | None
) -> Source:
    """A :class:`Source` from a QuerySet (with the fields its records and ``values()`` read), or from
    a client with a model, domain and fields (None: the model's default fields)."""
    if isinstance(target, BlockingClient | BlockingQuery):
        raise ConfigurationError(
            "zenoo_frames.iter_batches needs an async ZenooClient or its QuerySet; with the blocking"
            " Client use client.model(...).iter_batches(), which blocks"
        )
    if isinstance(target, FrameQuery):
        if model is not None or domain is not None or fields is not None:
            raise ConfigurationError(
                "model, domain and fields come from the QuerySet; refine it with filter()/only()"
            )
        check_cache_request(target.client, target.cache_ttl, target.cache_requested)
        return Source(
            client=target.client,
            model=target.model_name,
            domain=tuple(await target.compiled_domain()),
            fields=tuple(await target.field_names()),
            order=await target.validated_ordering(),
            limit=target.row_limit,
            offset=target.row_offset or 0,
            context=dict(target.context) if target.context else None,
            # a bulk fetch does not flood the cache: only a QuerySet that asked with cache() uses it
            cache_ttl=target.cache_ttl if target.cache_requested else 0,
        )
    if not isinstance(model, str) or not model:
        raise ConfigurationError(f"a model name is required with a client, got {model!r}")
    if domain is not None and not isinstance(domain, list | tuple):
        raise ConfigurationError(f"domain must be a list of Odoo domain terms, got {type(domain).__name__}")
    if isinstance(fields, str):
        raise ConfigurationError(f"fields must be a list of field names, not the string {fields!r}")
    await check_domain(target, model, list(domain or ()))  # fields and operators, before the search
    return Source(
        client=target,
        model=model,
        domain=tuple(domain or ()),
        fields=tuple(fields) if fields is not None else None,
    )


class _Binding:
    """Runs a frame's coroutines on one loop thread, with a client that lives on that loop.

    A blocking ``Client`` (or its FrameQuery) brings its loop thread: the work runs there. An async
    client is forked (same server and credentials, its own pool) onto the shared loop thread, and
    the fork is closed when the session ends; the caller's event loop is never blocked on itself.
    The query's :class:`Source` is worked out in the first session (domain, fields) and bound to
    each later session's client as it is: a fork starts without the answers its parent did not cache.
    """

    def __init__(
        self,
        target: Target,
        model: str | None,
        domain: Sequence[Any] | None,
        fields: Sequence[str] | None,
        runner: Runner | None,
    ) -> None:
        target, own = async_target(target)
        runner = runner or own
        if not isinstance(target, FrameQuery) and (not isinstance(model, str) or not model):
            raise ConfigurationError(f"a model name is required with a client, got {model!r}")
        self._target: AsyncTarget = target
        self._args = (model, domain, fields)
        self._runner = runner
        self._source: Source | None = None

    def describe(self) -> str:
        return self._target.model_name if isinstance(self._target, FrameQuery) else str(self._args[0])

    def _client(self) -> OdooClient:
        return self._target.client if isinstance(self._target, FrameQuery) else self._target

    def _ensure_open(self) -> None:
        """Refuse a closed client, as its own calls do (its fork, with a pool of its own, would not)."""
        client = self._client()
        if client.closed:
            raise ClientError(
                f"this client is closed: cannot fetch {self.describe()} frames from {client.url}"
            )

    @contextmanager
    def session(self) -> Iterator[tuple[Runner, Source]]:
        """A runner and the Source bound to a client that lives on the runner's loop."""
        self._ensure_open()
        if self._runner is not None:
            yield self._runner, self._bound(self._runner, self._target)
            return
        with fork_on_shared_loop(self._client()) as (loop, fork):
            target = self._target.using(fork) if isinstance(self._target, FrameQuery) else fork
            yield loop, self._bound(loop, target)

    def _bound(self, run: Runner, target: AsyncTarget) -> Source:
        """The query's Source for ``target`` (the client, or QuerySet, living on ``run``'s loop)."""
        if self._source is None:
            self._source = run.run(_source(target, *self._args))
            return self._source
        return replace(self._source, client=target.client if isinstance(target, FrameQuery) else target)
