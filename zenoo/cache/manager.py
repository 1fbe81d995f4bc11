"""The cache manager: one or two levels (memory L1 in front of Redis L2), keys, invalidation.

The client consults it for read-only calls (``zenoo.methods``) and tells it about every other call::

    key = cache.make_key(client.cache_scope, model, method, ids, args, kwargs, context)
    hit, value = await cache.lookup(model, key)     # generations observed here ...
    ...
    await cache.store(model, key, value, ttl=None)  # ... are the ones the value is stored under
    await cache.invalidate(model)                   # after a write

Invalidation works by generations (see :mod:`zenoo.cache.invalidation`): counters per database
and per model that are part of every stored key. They live in the last level, so with Redis
every process sharing it sees every other process's invalidations; an L1 entry is keyed by the
generations read from Redis, so it is dropped by another process's write too (the price: one
small Redis round trip per lookup even when L1 answers).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zenoo.cache.invalidation import (
    ANY_WRITE,
    DATABASE,
    check_rule,
    generations_bumped_by_write,
    merge_dependents,
)
from zenoo.cache.keys import (
    CacheKey,
    PoisonedValueError,
    database_id,
    decode_value,
    encode_value,
    make_call_key,
    make_function_key,
    validate_ttl,
)
from zenoo.cache.level import CacheLevel
from zenoo.cache.memory import DEFAULT_MAX_BYTES, DEFAULT_MAX_SIZE, MemoryCache
from zenoo.cache.stats import CacheStats
from zenoo.exceptions import ConfigurationError
from zenoo.seams import OdooClient

__all__ = ["DEFAULT_TTL", "CacheManager", "check_cache_request"]

log = logging.getLogger("zenoo.cache")

DEFAULT_TTL = 300.0
#: seconds after a write whose answer was lost at which it invalidates again (see
#: :meth:`CacheManager.invalidate_later`)
LATE_LANDING_CHECKS = (5.0, 15.0, 30.0, 60.0, 120.0, 240.0)
_MISS: tuple[bool, Any] = (False, None)


def _models(models: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(models, str):
        return (models,)
    names = tuple(models)
    if not all(isinstance(name, str) and name for name in names):
        raise ConfigurationError(f"models must be model names (strings), got {names!r}")
    return names


class CacheManager:
    """Caches read-only Odoo calls in up to two levels and invalidates them on writes.

    ``ttl`` is the default time-to-live in seconds (``None``: entries never expire; a level's own
    ``default_ttl`` takes precedence). ``invalidation`` is ``"database"`` (every write drops every
    cached read of the database) or ``"model"`` (a write drops its model and ``dependents``); see
    :mod:`zenoo.cache.invalidation`. ``client`` is the client whose server and database writes
    are scoped to (``None`` for a stand-alone manager).
    """

    def __init__(
        self,
        *,
        client: OdooClient | None = None,
        ttl: float | None = DEFAULT_TTL,
        invalidation: str = "database",
        dependents: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.ttl = validate_ttl(ttl)
        self.invalidation = check_rule(invalidation)
        self.dependents = merge_dependents(dependents)
        self._client = client
        self._levels: list[CacheLevel] = []
        self._hits = 0
        self._misses = 0
        self._invalidations = 0
        self._databases_seen: set[str] = set()  # where a stand-alone manager's writes may have gone
        self._later: set[asyncio.Task[None]] = set()  # invalidations waiting for writes that may land late

    @classmethod
    async def create(
        cls,
        client: OdooClient | None = None,
        *,
        backend: str | CacheLevel | Sequence[str | CacheLevel] = "memory",
        url: str | None = None,
        max_size: int | None = None,
        max_bytes: int | None = None,
        strategy: str | None = None,
        ttl: float | None = DEFAULT_TTL,
        namespace: str | None = None,
        invalidation: str = "database",
        dependents: Mapping[str, Iterable[str]] | None = None,
        socket_timeout: float | None = None,
        retry_interval: float | None = None,
    ) -> CacheManager:
        """Build a manager, as ``client.setup_cache_manager(**options)`` does.

        ``backend`` is ``"memory"``, ``"redis"``, ``["memory", "redis"]`` (memory L1 in front of
        Redis L2), or level objects (:class:`MemoryCache`, :class:`RedisCache`; pass the same
        ``MemoryCache`` to several clients to share it). ``max_size``, ``max_bytes`` and
        ``strategy`` ("ttl" | "lru" | "lfu") configure the memory level; ``url``, ``namespace``,
        ``socket_timeout`` and ``retry_interval`` the Redis level. An option for a level that is
        not configured is an error.
        """
        manager = cls(client=client, ttl=ttl, invalidation=invalidation, dependents=dependents)
        specs = [backend] if isinstance(backend, str | CacheLevel) else list(backend)
        if not specs:
            raise ConfigurationError("backend names no cache level; use 'memory', 'redis' or both")
        memory_options: dict[str, Any] = {"max_size": max_size, "max_bytes": max_bytes, "strategy": strategy}
        redis_options: dict[str, Any] = {
            "url": url,
            "namespace": namespace,
            "socket_timeout": socket_timeout,
            "retry_interval": retry_interval,
        }
        for spec in specs:
            if spec == "memory":
                given = {k: v for k, v in memory_options.items() if v is not None}
                await manager.setup_memory_cache(**given)
                memory_options = {}
            elif spec == "redis":
                given = {k: v for k, v in redis_options.items() if v is not None}
                await manager.setup_redis_cache(**given)
                redis_options = {}
            elif isinstance(spec, CacheLevel):
                manager.add_level(spec)
            else:
                raise ConfigurationError(
                    f"unknown cache backend {spec!r}; expected 'memory', 'redis' or a cache level object"
                )
        for options, kind in ((memory_options, "memory"), (redis_options, "redis")):
            unused = sorted(name for name, value in options.items() if value is not None)
            if unused:
                raise ConfigurationError(
                    f"{', '.join(unused)} configure{'s' if len(unused) == 1 else ''} a {kind} cache "
                    f"level, but backend={backend!r} creates none"
                )
        return manager

    # --- levels --------------------------------------------------------------------------------

    async def setup_memory_cache(
        self,
        name: str = "memory",
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        strategy: str = "ttl",
        default_ttl: float | None = None,
    ) -> MemoryCache:
        """Add the in-process level (it always sits in front of a Redis level)."""
        level = MemoryCache(
            name=name, max_size=max_size, max_bytes=max_bytes, strategy=strategy, default_ttl=default_ttl
        )
        self.add_level(level)
        return level

    async def setup_redis_cache(
        self,
        name: str = "redis",
        *,
        url: str = "redis://localhost:6379/0",
        namespace: str = "zenoo",
        default_ttl: float | None = None,
        socket_timeout: float = 1.0,
        retry_interval: float = 5.0,
    ) -> CacheLevel:
        """Add the Redis level (behind a memory level, if any); needs the ``redis`` extra."""
        try:
            from zenoo.cache.redis_cache import RedisCache
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ConfigurationError(
                f"the Redis cache needs the redis package: pip install 'zenoo[redis]' ({exc})"
            ) from None
        level = RedisCache(
            url,
            name=name,
            namespace=namespace,
            default_ttl=default_ttl,
            socket_timeout=socket_timeout,
            retry_interval=retry_interval,
        )
        self.add_level(level)
        return level

    def add_level(self, level: CacheLevel) -> None:
        """Add a level: at most one memory and one Redis level, memory in front."""
        if not isinstance(level, CacheLevel):
            raise ConfigurationError(f"{level!r} is not a cache level")
        for existing in self._levels:
            if existing.kind == level.kind:
                raise ConfigurationError(f"this cache already has a {level.kind} level ({existing.name!r})")
            if existing.name == level.name:
                raise ConfigurationError(f"this cache already has a level named {level.name!r}")
        if level.kind == "memory":
            self._levels.insert(0, level)
        else:
            self._levels.append(level)

    @property
    def levels(self) -> tuple[CacheLevel, ...]:
        """The levels, in the order lookups consult them."""
        return tuple(self._levels)

    def _authority(self) -> CacheLevel:
        if not self._levels:
            raise ConfigurationError(
                "this cache has no level: call setup_memory_cache() or setup_redis_cache()"
            )
        return self._levels[-1]

    # --- keys ----------------------------------------------------------------------------------

    def make_key(
        self,
        scope: Sequence[Any],
        model: str,
        method: str,
        ids: Sequence[int] | None,
        args: Sequence[Any],
        kwargs: Mapping[str, Any] | None,
        context: Mapping[str, Any] | None,
    ) -> CacheKey:
        """The key of one call; ``scope`` is the client's ``(base_url, database, uid)``."""
        return make_call_key(scope, model, method, ids, args, kwargs, context)

    def make_function_key(
        self,
        scope: Sequence[Any],
        qualname: str,
        arguments: Mapping[str, Any],
        context: Mapping[str, Any] | None = None,
    ) -> CacheKey:
        """The key of a call to a decorated function (see :func:`zenoo.cache.cached`)."""
        return make_function_key(scope, qualname, arguments, context)

    @property
    def scope(self) -> tuple[str, str | None, int | None]:
        """The bound client's ``(base_url, database, uid)``; empty values for a stand-alone manager."""
        if self._client is None:
            return ("", None, None)
        return self._client.cache_scope

    # --- the client's hook ---------------------------------------------------------------------

    async def lookup(self, models: str | Iterable[str], key: CacheKey) -> tuple[bool, Any]:
        """``(True, value)`` when a level holds ``key`` under the current generations of ``models``."""
        self._databases_seen.add(key.database)
        generations = await self._authority().generations(key.database, self._guards(models))
        if generations is None:  # the authority is unavailable: no cache
            self._misses += 1
            return _MISS
        key.generations = generations
        storage_key = key.storage_key(generations)
        for index, level in enumerate(self._levels):
            found = await level.get(storage_key, with_ttl=index > 0)
            if found is None:
                continue
            raw, remaining = found
            try:
                value = decode_value(raw)
            except PoisonedValueError as exc:
                level.note_rejected()
                log.warning("cache level %r: rejected the entry for %s: %s", level.name, key.label, exc)
                continue
            for upper in self._levels[:index]:
                await upper.set(
                    storage_key, raw, remaining if remaining is not None else self._ttl_for(upper, None)
                )
            self._hits += 1
            return True, value
        self._misses += 1
        return _MISS

    async def store(
        self, models: str | Iterable[str], key: CacheKey, value: Any, *, ttl: float | None = None
    ) -> None:
        """Store ``value`` under ``key`` in every level; ``ttl=0`` stores nothing."""
        ttl = validate_ttl(ttl, what="cache ttl")
        if ttl == 0:
            return
        raw = encode_value(value)
        generations = key.generations
        if generations is None:
            self._databases_seen.add(key.database)
            generations = await self._authority().generations(key.database, self._guards(models))
            if generations is None:
                return
        storage_key = key.storage_key(generations)
        for level in self._levels:
            await level.set(storage_key, raw, self._ttl_for(level, ttl))

    def _guards(self, models: str | Iterable[str]) -> tuple[str, ...]:
        """The generations an entry depends on: the database's and its ``models``'. Under the
        ``"database"`` rule also "any write", which another process sharing the cache bumps on
        every write if it uses the ``"model"`` rule: its writes then drop these entries too."""
        names = (models,) if type(models) is str else _models(models)
        if self.invalidation == "database":
            return tuple(dict.fromkeys((DATABASE, ANY_WRITE, *names)))
        return (DATABASE, *names)

    async def invalidate(self, model: str | None = None) -> None:
        """Drop cached reads after a write on ``model``; ``None`` drops everything of the database.

        Which reads a write on ``model`` drops depends on the ``invalidation`` rule. The database
        is the bound client's; a stand-alone manager invalidates every database it has cached.
        """
        if model is None:
            names: tuple[str, ...] = (DATABASE,)
        else:
            names = generations_bumped_by_write(self.invalidation, _models(model)[0], self.dependents)
        if self._client is not None:
            server, database, _ = self._client.cache_scope
            databases = {database_id(server, database)}
        else:
            databases = set(self._databases_seen)
        authority = self._authority()
        for database in sorted(databases):
            await authority.bump(database, names)
        self._invalidations += 1

    def invalidate_later(self, model: str) -> None:
        """Invalidate again at each of :data:`LATE_LANDING_CHECKS` seconds from now (those within
        the TTL): a write whose answer never came may still be running on the server, and a read
        cached before it lands would otherwise be served until its TTL. Runs on the current event
        loop; :meth:`close` stops it."""

        async def again() -> None:
            waited = 0.0
            for delay in LATE_LANDING_CHECKS:
                if self.ttl is not None and delay > self.ttl:
                    return
                await asyncio.sleep(delay - waited)
                waited = delay
                await self.invalidate(model)

        task = asyncio.get_running_loop().create_task(again())
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    def _ttl_for(self, level: CacheLevel, ttl: float | None) -> float | None:
        if ttl is not None:
            return ttl
        return level.default_ttl if level.default_ttl is not None else self.ttl

    # --- housekeeping --------------------------------------------------------------------------

    @property
    def stats(self) -> CacheStats:
        """Hits, misses, invalidations, and each level's counters (see :class:`CacheStats`)."""
        return CacheStats(
            hits=self._hits,
            misses=self._misses,
            invalidations=self._invalidations,
            levels={level.name: level.stats() for level in self._levels},
        )

    async def get_stats(self) -> CacheStats:
        """Like :attr:`stats`, with every level's size counted (a SCAN on Redis)."""
        levels = {}
        for level in self._levels:
            snapshot = level.stats()
            snapshot.size = await level.count()
            levels[level.name] = snapshot
        return CacheStats(self._hits, self._misses, self._invalidations, levels)

    async def clear(self) -> None:
        """Remove every entry from every level (generations are kept)."""
        for level in self._levels:
            await level.clear()

    async def close(self) -> None:
        """Close the levels' connections (Redis), and stop the late invalidations."""
        later = list(self._later)
        for task in later:
            task.cancel()
        await asyncio.gather(*later, return_exceptions=True)
        for level in self._levels:
            await level.close()

    def __repr__(self) -> str:
        levels = ", ".join(f"{level.kind}:{level.name}" for level in self._levels)
        return f"CacheManager(levels=[{levels}], ttl={self.ttl}, invalidation={self.invalidation!r})"


def check_cache_request(client: OdooClient, ttl: float | None, requested: bool) -> None:
    """ConfigurationError when a query asked with ``cache(ttl)`` (``requested``) for caching that
    ``client`` cannot do, having no cache (``ttl=0`` bypasses a cache: it needs none)."""
    if requested and ttl != 0 and client.cache is None:
        raise ConfigurationError(
            f"cache({'' if ttl is None else f'ttl={ttl!r}'}) asks for caching, but this client has no "
            "cache: call setup_cache_manager() first"
        )
