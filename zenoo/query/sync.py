"""BlockingQuerySet: the QuerySet API for the blocking :class:`zenoo.Client`.

Chaining is the same; terminals block (they run on the client's loop thread through
``runner.run``) and iteration goes through ``runner.iterate``. Records loaded this way are
bound to the runner, so their methods and relations block too: ``partner.company_id.load()``
returns the company, ``partner.child_ids.all()`` the list of children, ``partner.save()`` writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Unpack

from zenoo._deprecation import warn_renamed
from zenoo.fields.metadata import ModelFields
from zenoo.models.base import OdooModel
from zenoo.query.domain import Q
from zenoo.query.queryset import QuerySet
from zenoo.seams import OdooClient, Runner

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from zenoo.writing.progress import ProgressOption
    from zenoo_frames.options import FetchKeywords, FetchOptions
    from zenoo_frames.writeback import WriteBackResult


class BlockingQuerySet:
    """A blocking view of a :class:`QuerySet`."""

    def __init__(self, queryset: QuerySet, runner: Runner) -> None:
        self._qs = queryset._bind_runner(runner)
        self._runner = runner

    def _wrap(self, queryset: QuerySet) -> BlockingQuerySet:
        return BlockingQuerySet(queryset, self._runner)

    @property
    def queryset(self) -> QuerySet:
        """The underlying async QuerySet."""
        return self._qs

    # --- introspection ----------------------------------------------------------------------------

    @property
    def client(self) -> OdooClient:
        return self._qs.client

    @property
    def model_name(self) -> str:
        return self._qs.model_name

    @property
    def selected_fields(self) -> tuple[str, ...] | None:
        return self._qs.selected_fields

    @property
    def ordering(self) -> str | None:
        return self._qs.ordering

    @property
    def row_limit(self) -> int | None:
        return self._qs.row_limit

    @property
    def row_offset(self) -> int:
        return self._qs.row_offset

    @property
    def context(self) -> dict[str, Any]:
        return self._qs.context

    @property
    def model_class(self) -> type[OdooModel] | None:
        return self._qs.model_class

    @property
    def deferred_fields(self) -> tuple[str, ...]:
        return self._qs.deferred_fields

    @property
    def cache_ttl(self) -> float | None:
        return self._qs.cache_ttl

    @property
    def cache_requested(self) -> bool:
        return self._qs.cache_requested

    @property
    def where(self) -> Q:
        return self._qs.where

    def compiled_domain(self) -> list[Any]:
        return self._runner.run(self._qs.compiled_domain())

    def validated_ordering(self) -> str | None:
        return self._runner.run(self._qs.validated_ordering())

    def fields_meta(self) -> ModelFields:
        return self._runner.run(self._qs.fields_meta())

    def record_class(self) -> type[OdooModel]:
        return self._runner.run(self._qs.record_class())

    def field_names(self) -> list[str]:
        return self._runner.run(self._qs.field_names())

    # --- chaining ---------------------------------------------------------------------------------

    def filter(self, *conditions: Q | Sequence[Any], **lookups: Any) -> BlockingQuerySet:
        return self._wrap(self._qs.filter(*conditions, **lookups))

    def exclude(self, *conditions: Q | Sequence[Any], **lookups: Any) -> BlockingQuerySet:
        return self._wrap(self._qs.exclude(*conditions, **lookups))

    def order_by(self, *terms: str) -> BlockingQuerySet:
        return self._wrap(self._qs.order_by(*terms))

    def only(self, *fields: str) -> BlockingQuerySet:
        return self._wrap(self._qs.only(*fields))

    def defer(self, *fields: str) -> BlockingQuerySet:
        return self._wrap(self._qs.defer(*fields))

    def limit(self, count: int | None) -> BlockingQuerySet:
        return self._wrap(self._qs.limit(count))

    def offset(self, count: int) -> BlockingQuerySet:
        return self._wrap(self._qs.offset(count))

    def __getitem__(self, window: slice) -> BlockingQuerySet:
        """``qs[10:20]``: that window of the result (see :meth:`QuerySet.__getitem__`)."""
        return self._wrap(self._qs[window])

    def with_context(self, **context: Any) -> BlockingQuerySet:
        return self._wrap(self._qs.with_context(**context))

    def prefetch(self, *relations: str) -> BlockingQuerySet:
        return self._wrap(self._qs.prefetch(*relations))

    def cache(self, ttl: float | None = None) -> BlockingQuerySet:
        return self._wrap(self._qs.cache(ttl))

    def chunk(self, size: int) -> BlockingQuerySet:
        return self._wrap(self._qs.chunk(size))

    # --- terminals --------------------------------------------------------------------------------

    def all(self) -> list[OdooModel]:
        return self._runner.run(self._qs.all())

    def first(self) -> OdooModel | None:
        return self._runner.run(self._qs.first())

    def get(self, record_id: int | None = None, /, **lookups: Any) -> OdooModel:
        return self._runner.run(self._qs.get(record_id, **lookups))

    def count(self) -> int:
        return self._runner.run(self._qs.count())

    def exists(self) -> bool:
        return self._runner.run(self._qs.exists())

    def ids(self) -> list[int]:
        return self._runner.run(self._qs.ids())

    def values(self, *fields: str) -> list[dict[str, Any]]:
        return self._runner.run(self._qs.values(*fields))

    def values_list(self, *fields: str, flat: bool = False) -> list[Any]:
        return self._runner.run(self._qs.values_list(*fields, flat=flat))

    def update(self, *args: Any, **values: Any) -> bool:
        return self._runner.run(self._qs.update(*args, **values))

    def delete(self, *record_ids: int) -> bool:
        return self._runner.run(self._qs.delete(*record_ids))

    def create(self, values: Mapping[str, Any] | None = None, /, **more: Any) -> OdooModel:
        return self._runner.run(self._qs.create(values, **more))

    def bulk_create(self, values_list: Sequence[Mapping[str, Any]]) -> list[OdooModel]:
        return self._runner.run(self._qs.bulk_create(values_list))

    def __iter__(self) -> Iterator[OdooModel]:
        return self._runner.iterate(self._qs.iterate())

    def __repr__(self) -> str:
        return f"Blocking{self._qs!r}"

    def _repr_html_(self) -> str:
        return self._qs._repr_html_()

    # --- frames -----------------------------------------------------------------------------------

    def to_arrow(self, *, options: FetchOptions | None = None, **keywords: Unpack[FetchKeywords]) -> pa.Table:
        return self._runner.run(self._qs.to_arrow(options=options, **keywords))

    def to_polars(self, *, options: FetchOptions | None = None, **keywords: Unpack[FetchKeywords]) -> pl.DataFrame:
        return self._runner.run(self._qs.to_polars(options=options, **keywords))

    def to_pandas(
        self,
        *,
        dtype_backend: Literal["pyarrow", "numpy_nullable"] = "pyarrow",
        options: FetchOptions | None = None,
        **keywords: Unpack[FetchKeywords],
    ) -> pd.DataFrame:
        return self._runner.run(self._qs.to_pandas(dtype_backend=dtype_backend, options=options, **keywords))

    def to_parquet(
        self,
        path: str | os.PathLike[str],
        *,
        compression: str = "zstd",
        options: FetchOptions | None = None,
        **keywords: Unpack[FetchKeywords],
    ) -> Path:
        return self._runner.run(
            self._qs.to_parquet(path, compression=compression, options=options, **keywords)
        )

    def iter_batches(
        self,
        *,
        batch_size: int | None = None,
        options: FetchOptions | None = None,
        **keywords: Unpack[FetchKeywords],
    ) -> Iterator[pa.RecordBatch]:
        return self._runner.iterate(self._qs.iter_batches(batch_size=batch_size, options=options, **keywords))

    def lazy(self, *, options: FetchOptions | None = None, **keywords: Unpack[FetchKeywords]) -> pl.LazyFrame:
        return self._qs.lazy(options=options, **keywords)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._qs.__arrow_c_stream__(requested_schema)

    def write_back(
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
        written = self._qs.write_back(
            original, edited, conflicts=conflicts, deletes=deletes, rows_per_call=rows_per_call,
            concurrency=concurrency, progress=progress,
        )
        return self._runner.run(written)


def __getattr__(name: str) -> Any:
    if name == "SyncQuerySet":
        warn_renamed(__name__, name, "BlockingQuerySet")
        return BlockingQuerySet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
