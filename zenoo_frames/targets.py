"""What the frame functions read from, as protocols: a QuerySet, a blocking Client or its QuerySet.

``zenoo.QuerySet`` hands itself over to this layer (``qs.to_polars()``), so this layer names what
it needs from it instead of importing it back (no import cycle); ``QuerySet``, ``BlockingQuerySet``
and ``Client`` satisfy these protocols, and ``isinstance`` tells them apart at run time.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias, runtime_checkable

from zenoo.seams import OdooClient, Runner


@runtime_checkable
class FrameQuery(Protocol):
    """A query's shape as frames read it (``zenoo.QuerySet`` satisfies it)."""

    @property
    def client(self) -> OdooClient: ...

    @property
    def model_name(self) -> str: ...

    @property
    def row_limit(self) -> int | None: ...

    @property
    def row_offset(self) -> int: ...

    @property
    def context(self) -> dict[str, Any]: ...

    @property
    def cache_ttl(self) -> float | None: ...

    @property
    def cache_requested(self) -> bool: ...

    @property
    def runner(self) -> Runner | None: ...

    async def compiled_domain(self) -> list[Any]: ...

    async def validated_ordering(self) -> str | None: ...

    async def field_names(self) -> list[str]: ...

    def using(self, client: OdooClient) -> FrameQuery: ...


@runtime_checkable
class BlockingQuery(Protocol):
    """A blocking view of a query (``zenoo.BlockingQuerySet``)."""

    @property
    def queryset(self) -> FrameQuery: ...


@runtime_checkable
class BlockingClient(Protocol):
    """A blocking client: an async client driven on a loop thread (``zenoo.Client``)."""

    @property
    def aclient(self) -> OdooClient: ...

    @property
    def runner(self) -> Runner: ...


#: What the async frame functions read: a QuerySet, or an async client with a model name.
AsyncTarget: TypeAlias = FrameQuery | OdooClient
#: What the synchronous entry points read: also a blocking ``Client`` or its QuerySet.
Target: TypeAlias = FrameQuery | BlockingQuery | BlockingClient | OdooClient
