"""The blocking view of a :class:`~zenoo.cache.CacheManager`, as ``zenoo.Client.cache`` returns it.

The manager's methods are coroutines bound to the client's event loop; the blocking client runs
them on its loop thread, so ``client.cache.invalidate("res.partner")`` works in a plain script or
a notebook cell instead of returning a coroutine nobody awaits.
"""

from __future__ import annotations

from zenoo.cache.level import CacheLevel
from zenoo.cache.manager import CacheManager
from zenoo.cache.memory import DEFAULT_MAX_BYTES, DEFAULT_MAX_SIZE, MemoryCache
from zenoo.cache.stats import CacheStats
from zenoo.seams import Runner

__all__ = ["BlockingCacheManager"]

class BlockingCacheManager:
    """A :class:`CacheManager` whose methods block; ``manager`` is the async one underneath."""

    def __init__(self, manager: CacheManager, runner: Runner) -> None:
        self._manager = manager
        self._runner = runner

    @property
    def manager(self) -> CacheManager:
        """The async manager (await its methods on the runner's loop only)."""
        return self._manager

    @property
    def stats(self) -> CacheStats:
        """Hits, misses, invalidations and per-level counters (no I/O)."""
        return self._manager.stats

    @property
    def levels(self) -> tuple[CacheLevel, ...]:
        return self._manager.levels

    @property
    def ttl(self) -> float | None:
        return self._manager.ttl

    @property
    def invalidation(self) -> str:
        return self._manager.invalidation

    def get_stats(self) -> CacheStats:
        """Like :attr:`stats`, with every level's size counted (a SCAN on Redis)."""
        return self._runner.run(self._manager.get_stats())

    def invalidate(self, model: str | None = None) -> None:
        """Drop cached reads as a write on ``model`` does; ``None``: everything of the database."""
        self._runner.run(self._manager.invalidate(model))

    def clear(self) -> None:
        """Remove every entry from every level (generations are kept)."""
        self._runner.run(self._manager.clear())

    def setup_memory_cache(
        self,
        name: str = "memory",
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        strategy: str = "ttl",
        default_ttl: float | None = None,
    ) -> MemoryCache:
        """Add the in-process level (see :meth:`CacheManager.setup_memory_cache`)."""
        return self._runner.run(
            self._manager.setup_memory_cache(
                name, max_size=max_size, max_bytes=max_bytes, strategy=strategy, default_ttl=default_ttl
            )
        )

    def setup_redis_cache(
        self,
        name: str = "redis",
        *,
        url: str = "redis://localhost:6379/0",
        namespace: str = "zenoo",
        default_ttl: float | None = None,
        socket_timeout: float = 1.0,
        retry_interval: float = 5.0,
    ) -> CacheLevel:
        """Add the Redis level (see :meth:`CacheManager.setup_redis_cache`)."""
        return self._runner.run(
            self._manager.setup_redis_cache(
                name, url=url, namespace=namespace, default_ttl=default_ttl, socket_timeout=socket_timeout,
                retry_interval=retry_interval,
            )
        )

    def close(self) -> None:
        """Close the levels' connections (Redis)."""
        self._runner.run(self._manager.close())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BlockingCacheManager):
            return self._manager is other._manager
        return NotImplemented

    def __hash__(self) -> int:
        return id(self._manager)

    def __repr__(self) -> str:
        return f"Blocking{self._manager!r}"
