"""The bulk fetch pipeline: one ``search`` for ids, then concurrent ``read`` chunks as Arrow batches.

1. ``fields_get`` gives the schema (:mod:`zenoo_frames.schema`).
2. One ``search`` returns the ids in a deterministic order: the query's, ``id`` last as tie-breaker
   (as every QuerySet read sends it); without one, by ``id``, the records picked by a limit or an
   offset in Odoo's default order (as ``ids()`` picks them).
3. Chunks of ids are read concurrently (at most ``concurrency`` in flight) with ``load=None`` so
   many2one values come as bare ids; each chunk becomes an Arrow record batch as soon as it
   arrives; batches are yielded in search order. Only the chunks in flight exist as Python dicts.
   A frame of ids only reads nothing: the search result is the frame.
4. Display names of many2one values are read once per relation for the distinct related ids.

Ids that ``read`` no longer returns (deleted between search and read) are collected in the
:class:`FetchReport` and announced with a :class:`MissingRecordsWarning`.
"""

from __future__ import annotations

import asyncio
import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from zenoo.exceptions import AccessError
from zenoo.fields.metadata import ModelFields, readable_default_names
from zenoo.query.ordering import with_id_last
from zenoo.seams import OdooClient
from zenoo_frames.options import FetchOptions
from zenoo_frames.rows import NameIndex, attach_display_names, raw_schema, rows_to_batch
from zenoo_frames.schema import FieldSpec, FrameSchema

__all__ = [
    "FetchReport",
    "MissingRecordsWarning",
    "Source",
    "fetch_table",
    "iter_frame_batches",
    "load_schema",
]

MISSING_IDS_METADATA_KEY = b"zenoo.missing_ids"
"""The `to_arrow()` schema metadata key listing (as JSON) the ids deleted between the search and the reads."""
#: Related ids per display-name read (a cheap read: one short string per record).
NAME_READ_CHUNK = 2000


class MissingRecordsWarning(UserWarning):
    """Records found by the search were gone when their chunk was read (deleted meanwhile)."""

    def __init__(self, message: str, model: str, missing_ids: Sequence[int]) -> None:
        super().__init__(message)
        self.model = model
        self.missing_ids = list(missing_ids)


@dataclass(frozen=True)
class Source:
    """What to fetch: a model, a domain and the query's shape. Built from a QuerySet or by hand."""

    client: OdooClient
    model: str
    domain: tuple[Any, ...] = ()
    fields: tuple[str, ...] | None = None
    order: str | None = None
    limit: int | None = None
    offset: int = 0
    context: Mapping[str, Any] | None = None
    #: the client's cache: 0 bypasses it (the default for frames), None or seconds use it
    cache_ttl: float | None = 0

    @property
    def active_test(self) -> bool:
        """Whether Odoo hides archived records from this source's searches (``active_test``)."""
        return bool({**self.client.context, **(self.context or {})}.get("active_test", True))


@dataclass
class FetchReport:
    """What a fetch found: how many ids the search returned, which were missing at read time."""

    model: str
    searched: int = 0
    missing_ids: list[int] = field(default_factory=list)

    def warn_if_missing(self) -> None:
        if self.missing_ids:
            shown = ", ".join(map(str, self.missing_ids[:10])) + (" …" if len(self.missing_ids) > 10 else "")
            warnings.warn(
                MissingRecordsWarning(
                    f"{len(self.missing_ids)} of {self.searched} {self.model} records were deleted"
                    f" between search and read and are not in the frame: {shown}",
                    self.model,
                    self.missing_ids,
                ),
                stacklevel=3,
            )


async def load_schema(source: Source, *, display_names: bool = True) -> FrameSchema:
    """The frame schema of ``source`` from ``fields_get`` (validates selected field names).

    The whole answer, as the QuerySet layer reads it: the client caches one per model and language.
    """
    described = await source.client.fields_get(source.model, context=_ctx(source))
    names = source.fields
    if names is None:
        names = tuple(await readable_default_names(source.client, ModelFields(source.model, described)))
    return FrameSchema.build(source.model, described, names, display_names=display_names)


async def search_ids(source: Source, *, limit: int | None = None) -> pa.Array:
    """Ids of the matching records in a deterministic order; ``limit`` narrows the query's own.

    An Int64 array, not a list: 200,000 ids as Python ints would take ~7 MiB for the whole fetch.
    """
    effective = (
        source.limit if limit is None else (limit if source.limit is None else min(limit, source.limit))
    )
    if effective == 0:
        return pa.array([], pa.int64())  # Odoo reads limit=0 as "no limit"
    kwargs: dict[str, Any] = {"domain": list(source.domain)}
    if source.offset:
        kwargs["offset"] = source.offset
    order = with_id_last(source.order)
    if order is None and (source.limit is not None or source.offset):
        # the query's limit or offset picks records in Odoo's default order, as ids() does; the
        # frame lists them by id, and a head() narrows that list
        if source.limit is not None:
            kwargs["limit"] = source.limit
        ids = pa.array(await _call(source, source.model, "search", kwargs=kwargs), pa.int64())
        return ids.take(pc.sort_indices(ids))[:effective]
    kwargs["order"] = order or "id"
    if effective is not None:
        kwargs["limit"] = effective
    return pa.array(await _call(source, source.model, "search", kwargs=kwargs), pa.int64())


async def iter_raw_batches(
    source: Source, schema: FrameSchema, ids: pa.Array, options: FetchOptions, report: FetchReport
) -> AsyncIterator[pa.RecordBatch]:
    """Read ``ids`` in concurrent chunks; yield one raw batch (no display names) per chunk, in order.

    A frame of ids only is the search result itself: its batches are sliced from ``ids``, unread.
    """
    report.searched += len(ids)
    size = options.chunk_for(len(ids))
    if not schema.field_names:
        for start in range(0, len(ids), size):
            yield pa.RecordBatch.from_arrays([ids.slice(start, size)], schema=raw_schema(schema))
        return

    async def read_chunk(chunk: Sequence[int]) -> pa.RecordBatch:
        rows = await _read(source, source.model, chunk, schema.field_names, load=None)
        rows = _in_order(chunk, rows, report)
        return rows_to_batch(schema, rows)

    chunks = (ids.slice(start, size).to_pylist() for start in range(0, len(ids), size))
    with _progress(options.progress, len(ids), source.model) as bar:
        async for batch in _ordered(chunks, read_chunk, options.concurrency):
            bar.update(batch.num_rows)
            yield batch


async def fetch_table(
    source: Source, options: FetchOptions, *, limit: int | None = None, schema: FrameSchema | None = None
) -> pa.Table:
    """The whole result as one Arrow table; display names resolved once per relation at the end."""
    schema = schema or await load_schema(source, display_names=options.display_names)
    ids = await search_ids(source, limit=limit)
    report = FetchReport(source.model)
    raw = [batch async for batch in iter_raw_batches(source, schema, ids, options, report)]
    resolver = DisplayNames(source, schema, options)
    await resolver.learn(raw)
    batches = [attach_display_names(batch, schema, resolver.names) for batch in raw]
    table = pa.Table.from_batches(batches, schema=schema.arrow())
    report.warn_if_missing()
    if report.missing_ids:
        metadata = {
            **(table.schema.metadata or {}),
            MISSING_IDS_METADATA_KEY: orjson.dumps(report.missing_ids),
        }
        table = table.replace_schema_metadata(metadata)
    return table


async def iter_frame_batches(
    source: Source, options: FetchOptions, *, limit: int | None = None, schema: FrameSchema | None = None
) -> AsyncIterator[pa.RecordBatch]:
    """Stream the result as record batches with the full schema; names resolved per batch (new ids only)."""
    schema = schema or await load_schema(source, display_names=options.display_names)
    ids = await search_ids(source, limit=limit)
    report = FetchReport(source.model)
    resolver = DisplayNames(source, schema, options)
    async for batch in iter_raw_batches(source, schema, ids, options, report):
        await resolver.learn([batch])
        yield attach_display_names(batch, schema, resolver.names)
    report.warn_if_missing()


class DisplayNames:
    """Display names of related records, read once per relation for the distinct ids seen so far.

    Names are read in chunks (at most ``concurrency`` at once) and kept as Arrow arrays, so a
    relation with many distinct ids never exists as one big answer of Python dicts.
    """

    def __init__(self, source: Source, schema: FrameSchema, options: FetchOptions) -> None:
        self._source = source
        self._schema = schema
        self._gate = asyncio.Semaphore(options.concurrency)
        self.names: dict[str, NameIndex] = {spec.name: NameIndex() for spec in schema.display_specs}

    async def learn(self, batches: Iterable[pa.RecordBatch]) -> None:
        """Look up the names of the related ids in ``batches`` not known yet."""
        batches = list(batches)
        if not self._schema.display_specs or not batches:
            return
        await asyncio.gather(*(self._learn_field(spec, batches) for spec in self._schema.display_specs))

    async def _learn_field(self, spec: FieldSpec, batches: list[pa.RecordBatch]) -> None:
        index = self.names[spec.name]
        wanted = index.unknown(pa.chunked_array([b.column(spec.name) for b in batches], pa.int64()))
        if not wanted:
            return
        assert spec.relation is not None, f"many2one {spec.name} without relation"
        try:
            await self._read_chunks(spec.relation, wanted, "display_name", index)
        except AccessError:
            # The user may not read the related model, but Odoo shows the names of related records
            # it links to: read the many2one with its names from the source records instead.
            source_ids = pa.chunked_array([b.column("id") for b in batches], pa.int64()).to_pylist()
            await self._read_chunks(self._source.model, source_ids, spec.name, index)

    async def _read_chunks(self, model: str, ids: list[int], field_name: str, index: NameIndex) -> None:
        """Read ``field_name`` of ``ids`` in chunks; each answer goes into ``index`` as it arrives.

        ``display_name`` gives the record's own name; a many2one field gives ``[id, name]`` pairs.
        """

        async def read_chunk(chunk: list[int]) -> None:
            async with self._gate:
                rows = await _read(self._source, model, chunk, [field_name])
            if field_name == "display_name":
                pairs = {row["id"]: row["display_name"] or None for row in rows}
            else:
                pairs = dict(tuple(row[field_name]) for row in rows if row[field_name])
            index.add(list(pairs), list(pairs.values()))

        await asyncio.gather(
            *(
                read_chunk(ids[start : start + NAME_READ_CHUNK])
                for start in range(0, len(ids), NAME_READ_CHUNK)
            )
        )


def _ctx(source: Source) -> dict[str, Any] | None:
    return dict(source.context) if source.context else None


async def _call(source: Source, model: str, method: str, **call: Any) -> Any:
    """``client.call`` with the source's context and cache TTL."""
    return await source.client.call(model, method, context=_ctx(source), cache_ttl=source.cache_ttl, **call)


async def _read(
    source: Source, model: str, ids: Sequence[int], fields: Sequence[str], **kwargs: Any
) -> list[dict[str, Any]]:
    return list(await _call(source, model, "read", ids=list(ids), kwargs={"fields": list(fields), **kwargs}))


def _in_order(chunk: Sequence[int], rows: list[dict[str, Any]], report: FetchReport) -> list[dict[str, Any]]:
    """Rows in the chunk's order; ids the server did not return are recorded as missing."""
    if len(rows) == len(chunk) and all(row["id"] == wanted for row, wanted in zip(rows, chunk)):
        return rows
    by_id = {row["id"]: row for row in rows}
    report.missing_ids.extend(i for i in chunk if i not in by_id)
    return [by_id[i] for i in chunk if i in by_id]


async def _ordered(
    chunks: Iterable[Sequence[int]],
    work: Callable[[Sequence[int]], Awaitable[pa.RecordBatch]],
    concurrency: int,
) -> AsyncIterator[pa.RecordBatch]:
    """Run ``work`` on chunks with at most ``concurrency`` in flight; yield results in chunk order.

    When the consumer stops early (generator closed), the reads still in flight are cancelled.
    """
    pending: deque[asyncio.Task[pa.RecordBatch]] = deque()
    try:
        for chunk in chunks:
            pending.append(asyncio.ensure_future(work(chunk)))
            if len(pending) >= concurrency:
                yield await pending.popleft()
        while pending:
            yield await pending.popleft()
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


class _NoBar:
    def update(self, n: int) -> None:
        del n

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(enabled: bool, total: int, model: str) -> Any:
    """A tqdm.auto bar that only appears when the fetch lasts longer than a second."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=model, unit="rows", delay=1.0, leave=False)
