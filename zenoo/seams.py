"""The typed seams between zenoo's layers.

The layers above the client (models, queries, the cache, frames) do not import
:class:`zenoo.ZenooClient`: they are written against :class:`OdooClient`, the part of the client
they use, and against :class:`Runner`, what runs coroutines for blocking callers (the loop
thread of :mod:`zenoo._loop`). ``ZenooClient`` and ``LoopThread`` satisfy them (checked by mypy).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from zenoo.cache import CacheManager
    from zenoo.state import ClientState
    from zenoo.stats import Hooks

T = TypeVar("T")


class Runner(Protocol):
    """Runs coroutines for blocking callers (see :class:`zenoo._loop.LoopThread`)."""

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the coroutines run on (in its own thread)."""
        ...

    def run(self, awaitable: Awaitable[T]) -> T: ...

    def iterate(self, agen: AsyncIterator[T]) -> Generator[T, None, None]: ...


class OdooClient(Protocol):
    """What the layers above the client need from it: one logged-in connection to one database."""

    @property
    def url(self) -> str: ...

    @property
    def database(self) -> str | None: ...

    @property
    def uid(self) -> int | None: ...

    @property
    def server_version(self) -> tuple[Any, ...] | None: ...

    @property
    def context(self) -> dict[str, Any]: ...

    @property
    def closed(self) -> bool: ...

    @property
    def state(self) -> ClientState: ...

    @property
    def hooks(self) -> Hooks: ...

    @property
    def cache(self) -> CacheManager | None: ...

    @property
    def cache_scope(self) -> tuple[str, str | None, int | None]: ...

    def fork(self) -> OdooClient:
        """A new client to the same server and credentials, with its own connection pool."""
        ...

    async def close(self) -> None: ...

    async def call(
        self,
        model: str,
        method: str,
        *,
        ids: int | Iterable[int] | None = None,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        cache_ttl: float | None = None,
    ) -> Any: ...

    async def fields_get(
        self,
        model: str,
        fields: Sequence[str] | None = None,
        attributes: Sequence[str] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...

    async def check_model_access(self, model: str, operation: str = "read") -> bool: ...

    async def readable_models(self, models: Iterable[str]) -> frozenset[str]: ...

    async def require_write_access(self, model: str) -> None: ...

    async def visible_ids(
        self, model: str, ids: Iterable[int], *, context: Mapping[str, Any] | None = None
    ) -> list[int]: ...
