"""What the frame functions read from, as protocols: a QuerySet, a blocking Client or its QuerySet.

``zenoo.QuerySet`` hands itself over to this layer (``qs.to_polars()``), so this layer names what
it needs from it instead of importing it back (no import cycle); ``QuerySet``, ``BlockingQuerySet``
and ``Client`` satisfy these protocols, and ``isinstance`` tells them apart at run time:
:func:`async_target` finds the async client or QuerySet behind a blocking one, and
:func:`blocking_too` makes a frame function block and return its result for a blocking one.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import (
    Any,
    Concatenate,
    ParamSpec,
    Protocol,
    TypeAlias,
    TypeVar,
    cast,
    overload,
    runtime_checkable,
)

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

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _Reader(Protocol[P, T_co]):
    """A frame function: a coroutine for an async target, the result itself for a blocking one."""

    @overload
    def __call__(
        self, target: BlockingClient | BlockingQuery, /, *args: P.args, **kwargs: P.kwargs
    ) -> T_co: ...

    @overload
    def __call__(
        self, target: AsyncTarget, /, *args: P.args, **kwargs: P.kwargs
    ) -> Coroutine[Any, Any, T_co]: ...


def blocking_too(read: Callable[Concatenate[AsyncTarget, P], Coroutine[Any, Any, T]]) -> _Reader[P, T]:
    """``read`` as is for an async target; for a blocking ``Client`` or its QuerySet, run on that
    client's loop thread until done (a notebook's ``zenoo_frames.to_polars(client, ...)`` returns the
    frame, not a coroutine left unawaited)."""

    @wraps(read)
    def either(target: Target, /, *args: P.args, **kwargs: P.kwargs) -> Any:
        if not isinstance(target, BlockingClient | BlockingQuery):
            return read(target, *args, **kwargs)
        unwrapped, runner = async_target(target)
        assert runner is not None, "a blocking client or QuerySet brings its client's runner"
        return runner.run(read(unwrapped, *args, **kwargs))

    return cast("_Reader[P, T]", either)


def async_target(target: Target) -> tuple[AsyncTarget, Runner | None]:
    """The async client or QuerySet behind ``target``, and the runner of the blocking client it
    belongs to (None for an async one)."""
    if isinstance(target, BlockingQuery):
        target = target.queryset
    if isinstance(target, BlockingClient):
        return target.aclient, target.runner
    return target, target.runner if isinstance(target, FrameQuery) else None
